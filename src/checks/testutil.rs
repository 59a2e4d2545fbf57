//! Test helpers: build inventory pieces from the Microsoft example payloads in
//! `tests/fixtures/azure`, so check tests run on the shapes real responses take.

use chrono::{TimeZone, Utc};
use serde_json::Value;

use crate::model::{Identity, Inventory, InventoryPart, Resource, Source, Subscription};

/// A fixture body, e.g. `storage/storage_accounts_list.2025-06-01.json`.
pub fn fixture(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Item `index` of a list payload (`value[index]`), or the whole body when it is one object.
pub fn fixture_item(path: &str, index: usize) -> Value {
    let body = fixture(path);
    match body.get("value") {
        Some(Value::Array(items)) => items[index].clone(),
        _ => body,
    }
}

/// An ARM object (`id`, `type`, `name`, `location`, `properties`) as an inventory resource.
pub fn resource(arm: Value) -> Resource {
    let id = arm["id"].as_str().unwrap().to_string();
    let parts: Vec<&str> = id.split('/').collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(key))
            .and_then(|i| parts.get(i + 1))
            .map(|s| s.to_string())
    };
    Resource {
        r#type: arm["type"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase(),
        name: arm["name"].as_str().unwrap_or_default().to_string(),
        location: arm["location"].as_str().map(str::to_string),
        subscription_id: after("subscriptions").unwrap_or_default(),
        resource_group: after("resourceGroups"),
        tags: arm["tags"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        sku: arm.get("sku").cloned(),
        kind: arm["kind"].as_str().map(str::to_string),
        zones: arm["zones"]
            .as_array()
            .map(|z| {
                z.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        identity: arm.get("identity").cloned(),
        properties: arm.get("properties").cloned().unwrap_or(Value::Null),
        children: Default::default(),
        id,
    }
}

/// A resource from a fixture list item.
pub fn fixture_resource(path: &str, index: usize) -> Resource {
    resource(fixture_item(path, index))
}

/// Sets (or with `Value::Null`, removes) a property by JSON pointer below `properties`.
pub fn set_prop(r: &mut Resource, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut r.properties
    } else {
        r.properties.pointer_mut(parent).unwrap()
    };
    let obj = target.as_object_mut().unwrap();
    if value.is_null() {
        obj.remove(key);
    } else {
        obj.insert(key.to_string(), value);
    }
}

/// A subscription whose subscription-level settings were not collected (`None`). Tests set
/// what they need. `None` rather than `Some([])` because `Some([])` is real evidence ("none
/// configured") that fails the monitor and defender checks, and the registry's meta-tests use
/// the default inventory to show that missing sources give errors, never failures or passes.
pub fn subscription(id: &str) -> Subscription {
    Subscription {
        id: id.to_string(),
        display_name: format!("Subscription {id}"),
        state: Some("Enabled".into()),
        ..Subscription::default()
    }
}

/// An inventory with two subscriptions, every source the checks name (no gaps) and the given
/// resources.
pub fn inventory(resources: Vec<Resource>) -> Inventory {
    let t = Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap();
    let mut names: Vec<&str> = crate::checks::registry()
        .iter()
        .flat_map(crate::checks::source_names)
        .collect();
    names.sort();
    names.dedup();
    Inventory {
        schema_version: crate::model::INVENTORY_SCHEMA_VERSION,
        tenant_id: "tenant-1".into(),
        collected_at: t,
        subscriptions: vec![subscription("sub-a"), subscription("sub-b")],
        resources,
        identity: Identity::default(),
        changes: None,
        sources: names
            .into_iter()
            .map(|n| Source {
                name: n.to_string(),
                part: InventoryPart::Resources,
                endpoint: "https://management.azure.com".into(),
                api_version: "test".into(),
                query: "test".into(),
                scope: vec!["sub-a".into(), "sub-b".into()],
                pages: 1,
                records: 0,
                independent_count: None,
                started_at: t,
                finished_at: t,
                identity: None,
                gaps: vec![],
                calls: 0,
                notes: vec![],
            })
            .collect(),
    }
}

/// Calls a resource check's function directly, so tests can assert on the whole verdict
/// (reason and observed values). Panics when the check does not target this resource's type,
/// which catches a check registered under the wrong ARM type.
pub fn eval_resource(id: &str, r: &Resource) -> crate::checks::Verdict {
    match crate::checks::find(id)
        .unwrap_or_else(|| panic!("unknown check {id}"))
        .eval
    {
        crate::checks::Eval::Resource(ty, f) => {
            assert_eq!(ty, r.r#type, "{id} targets {ty}, not {}", r.r#type);
            f(r)
        }
        _ => panic!("{id} is not a resource check"),
    }
}

/// Calls a subscription check's function directly (see [`eval_resource`]).
pub fn eval_subscription(id: &str, s: &Subscription) -> crate::checks::Verdict {
    match crate::checks::find(id)
        .unwrap_or_else(|| panic!("unknown check {id}"))
        .eval
    {
        crate::checks::Eval::Subscription(f) => f(s),
        _ => panic!("{id} is not a subscription check"),
    }
}

/// Calls a tenant check's function directly (see [`eval_resource`]).
pub fn eval_tenant(id: &str, identity: &Identity) -> crate::checks::Verdict {
    match crate::checks::find(id)
        .unwrap_or_else(|| panic!("unknown check {id}"))
        .eval
    {
        crate::checks::Eval::Tenant(f) => f(identity),
        crate::checks::Eval::TenantCtx(_) => {
            eval_tenant_with(id, identity, &crate::checks::Settings::default())
        }
        _ => panic!("{id} is not a tenant check"),
    }
}

/// Calls a tenant context check's function on [`inventory`] holding `identity`, with
/// `settings`.
pub fn eval_tenant_with(
    id: &str,
    identity: &Identity,
    settings: &crate::checks::Settings,
) -> crate::checks::Verdict {
    let mut inv = inventory(vec![]);
    inv.identity = identity.clone();
    let ctx = crate::checks::Ctx::new(&inv, settings);
    match crate::checks::find(id)
        .unwrap_or_else(|| panic!("unknown check {id}"))
        .eval
    {
        crate::checks::Eval::TenantCtx(f) => f(&ctx),
        crate::checks::Eval::Tenant(f) => f(identity),
        _ => panic!("{id} is not a tenant check"),
    }
}

/// Runs one check with default settings.
pub fn run_check(
    check: &'static crate::checks::Check,
    inv: &Inventory,
) -> crate::checks::CheckResult {
    let settings = crate::checks::Settings::default();
    crate::checks::run(check, &crate::checks::Ctx::new(inv, &settings))
}

/// The resource with its whole `properties` object missing (not one property absent): missing
/// data, which every check of it must report as an `error`.
pub fn without_body(r: &Resource) -> Resource {
    let mut r = r.clone();
    r.properties = Value::Null;
    r
}
