//! An Azure resource as Resource Graph returns it, plus the settings that only ARM carries.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Full ARM resource id; the stable key of every finding.
    pub id: String,
    /// ARM type, lower-cased (Resource Graph and ARM disagree on case).
    #[serde(rename = "type")]
    pub r#type: String,
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    pub subscription_id: String,
    #[serde(default)]
    pub resource_group: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Top-level ARM `sku` (e.g. storage replication `Standard_GRS`, public IP `Basic`).
    #[serde(default)]
    pub sku: Option<Value>,
    /// Top-level ARM `kind` (e.g. `functionapp,linux`, `StorageV2`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Availability zones the resource is pinned to or spread over.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Top-level ARM `identity` (managed identity type and ids; no secrets).
    #[serde(default)]
    pub identity: Option<Value>,
    /// The ARM `properties` object as returned (redacted). Checks never assume a field exists.
    #[serde(default)]
    pub properties: Value,
    /// Child settings fetched by ARM because Resource Graph lacks them, keyed by the child path
    /// (`blobServices/default`, `auditingSettings/default`, `firewallRules`,
    /// `diagnosticSettings`). An absent key means "not collected", never "not configured".
    #[serde(default)]
    pub children: BTreeMap<String, Value>,
}

impl Resource {
    /// A property by JSON pointer below `properties` (`/networkAcls/defaultAction`).
    pub fn prop(&self, pointer: &str) -> Option<&Value> {
        #[cfg(test)]
        reads::record(self, pointer);
        self.properties.pointer(pointer).filter(|v| !v.is_null())
    }

    /// A collected child setting, or `None` when the collector did not fetch it.
    pub fn child(&self, key: &str) -> Option<&Value> {
        self.children.get(key)
    }
}

/// Test-only log of property reads, so a test can list every `(type, pointer)` a check reads
/// and prove each has a row in the absent-field table (`checks::props`).
#[cfg(test)]
pub(crate) mod reads {
    use std::cell::RefCell;

    /// One read: resource id, resource type, JSON pointer below `properties`.
    pub(crate) type Read = (String, String, String);

    thread_local! {
        static LOG: RefCell<Option<Vec<Read>>> = const { RefCell::new(None) };
    }

    /// Also called by `checks::props::child_value` with a `children:` pointer.
    pub(crate) fn record(r: &super::Resource, pointer: &str) {
        LOG.with(|l| {
            if let Some(log) = l.borrow_mut().as_mut() {
                log.push((r.id.clone(), r.r#type.clone(), pointer.to_string()));
            }
        });
    }

    /// Runs `f` on this thread and returns what it gave with the reads it made.
    pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Read>) {
        let before = LOG.with(|l| l.borrow_mut().replace(Vec::new()));
        let out = f();
        let log = LOG.with(|l| std::mem::replace(&mut *l.borrow_mut(), before));
        (out, log.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_properties_read_as_absent() {
        let r: Resource = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
            "type": "microsoft.storage/storageaccounts",
            "name": "a",
            "subscription_id": "s",
            "properties": {"minimumTlsVersion": null, "supportsHttpsTrafficOnly": true}
        }))
        .unwrap();
        assert_eq!(r.prop("/minimumTlsVersion"), None);
        assert_eq!(
            r.prop("/supportsHttpsTrafficOnly"),
            Some(&Value::Bool(true))
        );
        assert!(r.child("blobServices/default").is_none());
    }
}
