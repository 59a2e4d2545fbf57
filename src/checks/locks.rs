//! Resource lock checks: the resources whose deletion would destroy keys, backups, audit logs or
//! data carry an Azure Resource Manager lock that prevents deletion.
//!
//! Locks are read per subscription (`Microsoft.Authorization/locks`, every lock at and below the
//! subscription). A lock applies to a resource when its scope, the part of the lock id before
//! `/providers/Microsoft.Authorization/locks/`, is the subscription, the resource group, the
//! resource itself or a parent of it. CanNotDelete and ReadOnly both prevent deletion. All four
//! checks share [`delete_lock`].

use serde_json::{Value, json};

use super::props;
use super::rbac::require_source;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::Resource;

const LOCKS: &str = "arm.locks";
const RG: &str = "resource_graph.resources";

/// CIS "Ensure that Resource Locks are set for Mission-Critical Azure Resources".
const CIS_LOCKS: [&str; 5] = [
    "2.1.0:10.1",
    "3.0.0:10.1",
    "4.0.0:7.2",
    "5.0.0:6.2",
    "6.0.0:6.2",
];

const DESCRIPTION: &str = "Reads the locks of the resource's subscription. Passes when a lock \
                           with properties.level CanNotDelete or ReadOnly is scoped to the \
                           subscription, the resource group, the resource or a parent resource \
                           (the lock ids and levels are recorded); fails when none is. Locks not \
                           collected for the subscription, or a lock without level while no other \
                           lock qualifies, is an error.";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "locks_key_vaults_delete_lock",
            title: "Key vaults are protected by a delete lock",
            service: "locks",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC6.1"],
            cis: &CIS_LOCKS,
            policies: &[],
            description: DESCRIPTION,
            rationale: "Deleting a key vault makes every key, secret and certificate in it \
                        unavailable, and with them the data they encrypt; a lock adds a \
                        deliberate step before anyone, including an over-privileged automation, \
                        can delete it (A1.2 recovery infrastructure, CC6.1 protection of keys).",
            remediation: "Portal: Key vault > Locks > Add > Lock type Delete. CLI: az lock create \
                          --name do-not-delete --lock-type CanNotDelete --resource <vault-id>",
            sources: &[LOCKS, RG],
        },
        eval: Eval::ResourceCtx("microsoft.keyvault/vaults", delete_lock),
    },
    Check {
        meta: CheckMeta {
            id: "locks_recovery_vaults_delete_lock",
            title: "Recovery Services vaults are protected by a delete lock",
            service: "locks",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &CIS_LOCKS,
            policies: &[],
            description: DESCRIPTION,
            rationale: "The backup vault is the last line of recovery; ransomware operators delete \
                        it before encrypting data. A delete lock protects the recovery \
                        infrastructure (A1.2) that incident recovery relies on (CC7.5).",
            remediation: "Portal: Recovery Services vault > Locks > Add > Lock type Delete. CLI: az \
                          lock create --name do-not-delete --lock-type CanNotDelete --resource \
                          <vault-id>",
            sources: &[LOCKS, RG],
        },
        eval: Eval::ResourceCtx("microsoft.recoveryservices/vaults", delete_lock),
    },
    Check {
        meta: CheckMeta {
            id: "locks_storage_accounts_delete_lock",
            title: "Storage accounts are protected by a delete lock",
            service: "locks",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[
                "2.1.0:10.1",
                "3.0.0:10.1",
                "4.0.0:7.2",
                "4.0.0:10.3.10",
                "5.0.0:6.2",
                "6.0.0:6.2",
                "6.0.0:9.3.9",
            ],
            policies: &[],
            description: DESCRIPTION,
            rationale: "Deleting a storage account destroys all its data at once, beyond the reach \
                        of blob soft delete; a lock keeps the data store from being removed by \
                        mistake or by a compromised deployment (A1.2).",
            remediation: "Portal: Storage account > Settings > Locks > Add > Lock type Delete. \
                          CLI: az lock create --name do-not-delete --lock-type CanNotDelete \
                          --resource <storage-account-id>",
            sources: &[LOCKS, RG],
        },
        eval: Eval::ResourceCtx("microsoft.storage/storageaccounts", delete_lock),
    },
    Check {
        meta: CheckMeta {
            id: "locks_log_analytics_workspaces_delete_lock",
            title: "Log Analytics workspaces are protected by a delete lock",
            service: "locks",
            severity: Severity::Low,
            criteria: &["A1.2", "CC7.2"],
            cis: &CIS_LOCKS,
            policies: &[],
            description: DESCRIPTION,
            rationale: "Workspaces hold the security and audit logs; deleting one erases the \
                        monitoring history attackers most want gone. A lock protects the log \
                        store (CC7.2) and its availability (A1.2).",
            remediation: "Portal: Log Analytics workspace > Settings > Locks > Add > Lock type \
                          Delete. CLI: az lock create --name do-not-delete --lock-type \
                          CanNotDelete --resource <workspace-id>",
            sources: &[LOCKS, RG],
        },
        eval: Eval::ResourceCtx("microsoft.operationalinsights/workspaces", delete_lock),
    },
];

/// The scope a lock applies to: its id before `/providers/Microsoft.Authorization/locks/`.
fn lock_scope(lock: &Value) -> Option<String> {
    let id = lock.get("id")?.as_str()?;
    let lower = id.to_ascii_lowercase();
    let cut = lower.find("/providers/microsoft.authorization/locks/")?;
    Some(lower[..cut].trim_end_matches('/').to_string())
}

/// True when `scope` is the resource id or one of its ancestors (segment boundary).
fn covers(scope: &str, resource_id: &str) -> bool {
    let r = resource_id.trim_end_matches('/').to_ascii_lowercase();
    !scope.is_empty() && (r == scope || r.starts_with(&format!("{scope}/")))
}

/// The shared lock judgement: some lock covering the resource must prevent deletion.
fn delete_lock(r: &Resource, ctx: &Ctx) -> Verdict {
    let scope = format!("/subscriptions/{}", r.subscription_id);
    if let Err(v) = require_source(ctx, LOCKS, Some(&scope)) {
        return v.observe("locks", None);
    }
    let sub = ctx
        .inventory
        .subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(&r.subscription_id));
    let Some(locks) = sub.and_then(|s| s.locks.as_ref()) else {
        return Verdict::error(format!("locks were not collected for {scope}"))
            .observe("locks", None);
    };
    let applying: Vec<&Value> = locks
        .iter()
        .filter(|l| lock_scope(l).is_some_and(|s| covers(&s, &r.id)))
        .collect();
    let level = |l: &Value| {
        props::item_value("microsoft.authorization/locks", l, "/level")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let seen: Vec<Value> = applying
        .iter()
        .map(|l| json!({"id": l.get("id"), "level": level(l)}))
        .collect();
    let protecting: Vec<&Value> = applying
        .iter()
        .copied()
        .filter(|l| {
            level(l).is_some_and(|x| {
                x.eq_ignore_ascii_case("CanNotDelete") || x.eq_ignore_ascii_case("ReadOnly")
            })
        })
        .collect();
    let v = if let Some(l) = protecting.first() {
        Verdict::pass(format!(
            "deletion is prevented by lock {} ({})",
            l.get("name").and_then(Value::as_str).unwrap_or("(unnamed)"),
            level(l).unwrap_or_default()
        ))
    } else if applying.iter().any(|l| level(l).is_none()) {
        Verdict::error("a lock covering the resource has no properties.level")
    } else {
        Verdict::fail("no CanNotDelete or ReadOnly lock covers the resource")
    };
    v.observe_value("locks", Value::from(seen))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{fixture, fixture_resource, inventory, subscription};
    use crate::checks::{Finding, Settings};
    use crate::model::{Inventory, Resource};

    const LOCKS: &str = "authorization/management_locks_list_subscription.2020-05-01.json";
    const KEY_VAULTS: &str = "keyvault/key_vaults_list_by_subscription.2024-11-01.json";
    const RECOVERY_VAULTS: &str = "backup/recovery_services_vaults_list.2025-02-01.json";
    const STORAGE: &str = "storage/storage_accounts_list.2025-06-01.json";
    const WORKSPACES: &str = "../handmade/monitor/log_analytics_workspaces_list.2022-10-01.json";

    /// Microsoft's lock example (a ReadOnly lock on a resource group), moved onto `scope`.
    fn lock(scope: &str, level: Option<&str>) -> Value {
        let mut l = fixture(LOCKS)["value"][0].clone();
        l["id"] = json!(format!(
            "{scope}/providers/Microsoft.Authorization/locks/testlock"
        ));
        match level {
            Some(x) => l["properties"]["level"] = json!(x),
            None => {
                l["properties"].as_object_mut().unwrap().remove("level");
            }
        }
        l
    }

    fn rg_of(r: &Resource) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            r.subscription_id,
            r.resource_group.as_deref().unwrap()
        )
    }

    /// Runs the check on `r` with the given locks on its subscription.
    fn judge(id: &str, r: Resource, locks: Option<Vec<Value>>) -> Finding {
        let mut inv: Inventory = inventory(vec![r.clone()]);
        let mut s = subscription(&r.subscription_id);
        s.locks = locks;
        inv.subscriptions.push(s);
        let settings = Settings::default();
        let ctx = crate::checks::Ctx::new(&inv, &settings);
        crate::checks::run(crate::checks::find(id).unwrap(), &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == r.id)
            .unwrap()
    }

    fn lock_pass(id: &str, r: Resource) {
        // A delete lock on the resource group, as Microsoft's example locks one.
        let f = judge(
            id,
            r.clone(),
            Some(vec![lock(&rg_of(&r), Some("CanNotDelete"))]),
        );
        assert_eq!(f.status, S::Pass, "{id}: {}", f.reason);
        assert_eq!(
            f.reason,
            "deletion is prevented by lock testlock (CanNotDelete)"
        );
        // Microsoft's ReadOnly level also prevents deletion, and a subscription lock covers all.
        let scope = format!("/subscriptions/{}", r.subscription_id);
        let f = judge(id, r.clone(), Some(vec![lock(&scope, Some("ReadOnly"))]));
        assert_eq!(f.status, S::Pass, "{id}: {}", f.reason);
        let f = judge(id, r.clone(), Some(vec![lock(&r.id, Some("CanNotDelete"))]));
        assert_eq!(f.status, S::Pass, "{id}: {}", f.reason);
    }

    fn lock_fail(id: &str, r: Resource) {
        // Microsoft's example lock sits on another resource group.
        let f = judge(
            id,
            r.clone(),
            Some(fixture(LOCKS)["value"].as_array().unwrap().clone()),
        );
        assert_eq!(f.status, S::Fail, "{id}: {}", f.reason);
        assert_eq!(f.observed["locks"], json!([]));
        // A resource group whose name merely starts the same is not a parent.
        let f = judge(
            id,
            r.clone(),
            Some(vec![lock(&format!("{}x", rg_of(&r)), Some("CanNotDelete"))]),
        );
        assert_eq!(f.status, S::Fail, "{id}");
        let f = judge(id, r, Some(vec![]));
        assert_eq!(
            f.reason,
            "no CanNotDelete or ReadOnly lock covers the resource"
        );
    }

    fn lock_missing(id: &str, r: Resource) {
        let f = judge(id, r.clone(), None);
        assert_eq!(f.status, S::Error, "{id}");
        assert!(f.reason.contains("locks were not collected"));
        let f = judge(id, r.clone(), Some(vec![lock(&rg_of(&r), None)]));
        assert_eq!(f.status, S::Error, "{id}");
        assert_eq!(f.observed["locks"][0]["level"], Value::Null);
    }

    #[test]
    fn locks_key_vaults_delete_lock_pass() {
        lock_pass(
            "locks_key_vaults_delete_lock",
            fixture_resource(KEY_VAULTS, 0),
        );
    }
    #[test]
    fn locks_key_vaults_delete_lock_fail() {
        lock_fail(
            "locks_key_vaults_delete_lock",
            fixture_resource(KEY_VAULTS, 0),
        );
    }
    #[test]
    fn locks_key_vaults_delete_lock_missing() {
        lock_missing(
            "locks_key_vaults_delete_lock",
            fixture_resource(KEY_VAULTS, 0),
        );
    }

    #[test]
    fn locks_recovery_vaults_delete_lock_pass() {
        lock_pass(
            "locks_recovery_vaults_delete_lock",
            fixture_resource(RECOVERY_VAULTS, 1),
        );
    }
    #[test]
    fn locks_recovery_vaults_delete_lock_fail() {
        lock_fail(
            "locks_recovery_vaults_delete_lock",
            fixture_resource(RECOVERY_VAULTS, 1),
        );
    }
    #[test]
    fn locks_recovery_vaults_delete_lock_missing() {
        lock_missing(
            "locks_recovery_vaults_delete_lock",
            fixture_resource(RECOVERY_VAULTS, 1),
        );
    }

    #[test]
    fn locks_storage_accounts_delete_lock_pass() {
        lock_pass(
            "locks_storage_accounts_delete_lock",
            fixture_resource(STORAGE, 0),
        );
    }
    #[test]
    fn locks_storage_accounts_delete_lock_fail() {
        lock_fail(
            "locks_storage_accounts_delete_lock",
            fixture_resource(STORAGE, 0),
        );
    }
    #[test]
    fn locks_storage_accounts_delete_lock_missing() {
        lock_missing(
            "locks_storage_accounts_delete_lock",
            fixture_resource(STORAGE, 0),
        );
    }

    #[test]
    fn locks_log_analytics_workspaces_delete_lock_pass() {
        lock_pass(
            "locks_log_analytics_workspaces_delete_lock",
            fixture_resource(WORKSPACES, 0),
        );
    }
    #[test]
    fn locks_log_analytics_workspaces_delete_lock_fail() {
        lock_fail(
            "locks_log_analytics_workspaces_delete_lock",
            fixture_resource(WORKSPACES, 0),
        );
    }
    #[test]
    fn locks_log_analytics_workspaces_delete_lock_missing() {
        lock_missing(
            "locks_log_analytics_workspaces_delete_lock",
            fixture_resource(WORKSPACES, 0),
        );
    }
}
