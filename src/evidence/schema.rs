//! JSON Schemas for every evidence file kind and `inventory.json`, generated from the Rust
//! types so they cannot drift from what the tool writes. The configuration's schema is listed
//! beside these by the CLI (`schema` command), which owns the configuration.

use schemars::{JsonSchema, schema_for};

use super::WAIVERS;
use super::canonical;
use super::files::*;
use crate::model::Inventory;

/// `(<name>.schema.json, canonical bytes)`: the schema of `T` as a file.
pub fn one<T: JsonSchema>(name: &str) -> (String, Vec<u8>) {
    let schema = schema_for!(T);
    (format!("{name}.schema.json"), canonical::to_bytes(&schema))
}

/// `(file name, canonical bytes)` of every evidence and inventory schema, in a fixed order.
pub fn all() -> Vec<(String, Vec<u8>)> {
    vec![
        one::<Manifest>("manifest"),
        one::<Summary>("summary"),
        one::<ControlFile>("control"),
        one::<CheckFile>("check"),
        one::<ChangesFile>("changes"),
        one::<WaiversFile>("waivers"),
        one::<SubscriptionsFile>("inventory-subscriptions"),
        one::<ResourcesFile>("inventory-resources"),
        one::<IdentityFile>("inventory-identity"),
        one::<Inventory>("inventory"),
    ]
}

/// Which schema an evidence file (path relative to the evidence root) must satisfy.
pub fn schema_for_path(path: &str) -> Option<&'static str> {
    Some(match path {
        "manifest.json" => "manifest.schema.json",
        "summary.json" => "summary.schema.json",
        WAIVERS => "waivers.schema.json",
        "inventory/subscriptions.json" => "inventory-subscriptions.schema.json",
        "inventory/resources.json" => "inventory-resources.schema.json",
        "inventory/identity.json" => "inventory-identity.schema.json",
        p if p.starts_with("controls/") => "control.schema.json",
        p if p.starts_with("checks/") => "check.schema.json",
        p if p.starts_with("changes/") => "changes.schema.json",
        _ => return None,
    })
}
