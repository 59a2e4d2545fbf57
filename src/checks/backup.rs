//! Azure Backup checks on Recovery Services vaults (`Microsoft.RecoveryServices/vaults`): the
//! vault's own protection (soft delete, immutability, multi-user authorisation, public access),
//! its redundancy (geo-redundant storage, cross-region restore), failure alerting, what it
//! protects, and its backup policies (daily schedule, 30-day daily retention).
//!
//! Vault settings come from Resource Graph; policies and protected items from ARM children
//! `backupPolicies` and `backupProtectedItems` (absent key: not collected, an error).

use serde_json::{Value, json};

use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::Resource;

const VAULT: &str = "microsoft.recoveryservices/vaults";
const RG: &str = "resource_graph.resources";

/// Shortest daily retention accepted: Azure Backup's default VM policy keeps 30 daily points.
const MIN_DAILY_RETENTION_DAYS: u64 = 30;

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "backup_vault_soft_delete_enabled",
            title: "Recovery Services vaults keep deleted backups recoverable (soft delete)",
            service: "backup",
            severity: Severity::High,
            criteria: &["A1.2", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.securitySettings.softDeleteSettings\
                          .softDeleteState is Enabled or AlwaysON (irreversible); Disabled fails; \
                          absent is an error. softDeleteRetentionPeriodInDays is recorded.",
            rationale: "Deleting backups is the first move of ransomware operators; soft delete \
                        keeps deleted backup data for the retention period so recovery stays \
                        possible (A1.2, CC7.5).",
            remediation: "Portal: Recovery Services vault > Properties > Security settings > \
                          Enable soft delete (and make it always-on). CLI: az backup vault \
                          backup-properties set -n <vault> -g <rg> --soft-delete-feature-state \
                          AlwaysOn",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, soft_delete),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_immutability_enabled",
            title: "Recovery Services vaults are immutable",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.securitySettings.immutabilitySettings.state is \
                          Locked, or Unlocked (enabled but reversible, said in the reason); \
                          Disabled fails; absent is an error.",
            rationale: "An immutable vault refuses operations that would shorten retention or \
                        delete recovery points before they expire, so backups survive a \
                        compromised administrator (A1.2, CC7.5).",
            remediation: "Portal: Recovery Services vault > Properties > Immutable vault > \
                          Enable, then Lock. CLI: az backup vault update -n <vault> -g <rg> \
                          --immutability-state Locked",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, immutability),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_multi_user_authorization",
            title: "Recovery Services vaults require multi-user authorisation for critical operations",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.securitySettings.multiUserAuthorization is \
                          Enabled (a Resource Guard must approve disabling protection, soft \
                          delete or immutability); Disabled fails; absent is an error.",
            rationale: "Multi-user authorisation separates the duty of approving destructive \
                        backup operations from the vault's administrators (CC6.3 segregation of \
                        duties), protecting the recovery infrastructure (A1.2).",
            remediation: "Portal: Recovery Services vault > Properties > Multi-user authorization \
                          > Update, select a Resource Guard in another subscription or tenant. \
                          CLI: az backup vault resource-guard-mapping update -n <vault> -g <rg> \
                          --resource-guard-id <guard-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, multi_user_authorization),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_geo_redundant_storage",
            title: "Recovery Services vaults store backups geo-redundantly",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.redundancySettings.standardTierStorageRedundancy \
                          is GeoRedundant; LocallyRedundant or ZoneRedundant fails; absent is an \
                          error.",
            rationale: "Backups kept in the same region as the data they protect are lost with \
                        that region; geo-redundant storage keeps a copy in the paired region \
                        (A1.2).",
            remediation: "Portal: Recovery Services vault > Properties > Backup configuration > \
                          Storage replication type = Geo-redundant (only before items are \
                          protected). CLI: az backup vault backup-properties set -n <vault> -g \
                          <rg> --backup-storage-redundancy GeoRedundant",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, geo_redundant),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_cross_region_restore",
            title: "Recovery Services vaults allow cross-region restore",
            service: "backup",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.redundancySettings.crossRegionRestore is \
                          Enabled; Disabled fails; absent is an error.",
            rationale: "Geo-redundant copies are only usable on demand when cross-region restore \
                        is on; otherwise restoring in the paired region waits for Microsoft to \
                        declare a regional disaster (A1.2).",
            remediation: "Portal: Recovery Services vault > Properties > Backup configuration > \
                          Cross Region Restore = Enable. CLI: az backup vault backup-properties \
                          set -n <vault> -g <rg> --cross-region-restore-flag true",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, cross_region_restore),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_public_network_access_disabled",
            title: "Recovery Services vaults disable public network access",
            service: "backup",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled (backup traffic \
                          uses private endpoints); Enabled fails; absent is an error.",
            rationale: "With public access disabled, backup and restore data flows only through \
                        private endpoints inside the organisation's networks (CC6.6, CC6.1).",
            remediation: "Portal: Recovery Services vault > Networking > Public access = Deny \
                          (create private endpoints first). CLI: az backup vault update -n \
                          <vault> -g <rg> --public-network-access Disable",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_job_failure_alerts",
            title: "Recovery Services vaults raise Azure Monitor alerts for failed backup jobs",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.monitoringSettings.azureMonitorAlertSettings\
                          .alertsForAllJobFailures is Enabled; Disabled fails; absent is an \
                          error.",
            rationale: "A backup that silently fails is no backup; built-in alerts on every job \
                        failure make failed backups visible so they are fixed before data is \
                        needed (CC7.2 monitoring, A1.2 backup processes).",
            remediation: "Portal: Recovery Services vault > Properties > Monitoring settings > \
                          Use built-in Azure Monitor alerts for job failures. CLI: az backup \
                          vault update -n <vault> -g <rg> --job-failure-alerts Enable",
            sources: &[RG],
        },
        eval: Eval::Resource(VAULT, job_failure_alerts),
    },
    Check {
        meta: CheckMeta {
            id: "backup_vault_protects_items",
            title: "Recovery Services vaults protect at least one item",
            service: "backup",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads the vault's child backupProtectedItems. Passes when it lists at \
                          least one item (the count and their protection states are recorded); \
                          an empty list fails; not collected is an error.",
            rationale: "An empty vault is recovery infrastructure that protects nothing: often a \
                        sign that backups were never configured or were removed (A1.2).",
            remediation: "Portal: Recovery Services vault > + Backup > choose the workload and \
                          items. CLI: az backup protection enable-for-vm -g <rg> -v <vault> --vm \
                          <vm-id> -p DefaultPolicy",
            sources: &[RG, "arm.backup_protected_items"],
        },
        eval: Eval::Resource(VAULT, protects_items),
    },
    Check {
        meta: CheckMeta {
            id: "backup_policy_daily_schedule",
            title: "Backup policies run at least daily",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads the vault's child backupPolicies. For each policy's \
                          schedulePolicy (or, for workload policies, the Full-backup entry of \
                          subProtectionPolicy), passes when scheduleRunFrequency is Daily or \
                          Hourly; fails naming policies that run Weekly. Policies without a \
                          readable schedule make the result an error; a vault without policies \
                          is not applicable; not collected is an error.",
            rationale: "The backup frequency bounds how much data can be lost (recovery point \
                        objective); weekly backups can lose up to seven days of changes (A1.2).",
            remediation: "Portal: Recovery Services vault > Backup policies > select the policy > \
                          Backup schedule: Daily (or Hourly for Enhanced policies). CLI: az \
                          backup policy set -g <rg> -v <vault> --policy @policy.json",
            sources: &[RG, "arm.backup_policies"],
        },
        eval: Eval::Resource(VAULT, daily_schedule),
    },
    Check {
        meta: CheckMeta {
            id: "backup_policy_daily_retention_30_days",
            title: "Backup policies keep daily recovery points for at least 30 days",
            service: "backup",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Reads the vault's child backupPolicies. For each policy's \
                          retentionPolicy (LongTermRetentionPolicy: the dailySchedule, else the \
                          weeklySchedule; SimpleRetentionPolicy: retentionDuration; for workload \
                          policies, the Full-backup entry of subProtectionPolicy), converts \
                          retentionDuration count and durationType (Days, Weeks, Months, Years) \
                          to days and passes when every policy keeps at least 30 days. Fails \
                          naming shorter policies; unreadable retention is an error; a vault \
                          without policies is not applicable; not collected is an error.",
            rationale: "Corruption and intrusions are often found weeks later; recovery points \
                        must reach back far enough to predate them (A1.2, CC7.5).",
            remediation: "Portal: Recovery Services vault > Backup policies > select the policy > \
                          Retention of daily backup point = 30 days or more. CLI: az backup \
                          policy set -g <rg> -v <vault> --policy @policy.json",
            sources: &[RG, "arm.backup_policies"],
        },
        eval: Eval::Resource(VAULT, daily_retention),
    },
];

/// A string setting of the vault where `good` values pass and `bad` values fail.
fn setting(r: &Resource, pointer: &str, good: &[&str], bad: &[&str], what: &str) -> Verdict {
    let key = format!("properties{}", pointer.replace('/', "."));
    let value = props::value(r, pointer);
    match value.and_then(Value::as_str) {
        Some(s) if good.iter().any(|g| g.eq_ignore_ascii_case(s)) => {
            Verdict::pass(format!("{what} is {s}"))
        }
        Some(s) if bad.iter().any(|b| b.eq_ignore_ascii_case(s)) => {
            Verdict::fail(format!("{what} is {s}"))
        }
        Some(s) => Verdict::error(format!("{key} has unrecognised value {s}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    }
    .observe(&key, value)
}

fn soft_delete(r: &Resource) -> Verdict {
    setting(
        r,
        "/securitySettings/softDeleteSettings/softDeleteState",
        &["Enabled", "AlwaysON"],
        &["Disabled", "Invalid"],
        "soft delete",
    )
    .observe_prop(
        "properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays",
        r,
        "/securitySettings/softDeleteSettings/softDeleteRetentionPeriodInDays",
    )
}

fn immutability(r: &Resource) -> Verdict {
    let v = setting(
        r,
        "/securitySettings/immutabilitySettings/state",
        &["Locked", "Unlocked"],
        &["Disabled"],
        "vault immutability",
    );
    if v.reason == "vault immutability is Unlocked" {
        return Verdict {
            reason: "vault immutability is Unlocked: enabled, but it can still be turned off"
                .into(),
            ..v
        };
    }
    v
}

fn multi_user_authorization(r: &Resource) -> Verdict {
    setting(
        r,
        "/securitySettings/multiUserAuthorization",
        &["Enabled"],
        &["Disabled", "Invalid"],
        "multi-user authorisation",
    )
}

fn geo_redundant(r: &Resource) -> Verdict {
    setting(
        r,
        "/redundancySettings/standardTierStorageRedundancy",
        &["GeoRedundant"],
        &["LocallyRedundant", "ZoneRedundant", "Invalid"],
        "backup storage redundancy",
    )
}

fn cross_region_restore(r: &Resource) -> Verdict {
    setting(
        r,
        "/redundancySettings/crossRegionRestore",
        &["Enabled"],
        &["Disabled"],
        "cross-region restore",
    )
}

fn public_network_access(r: &Resource) -> Verdict {
    setting(
        r,
        "/publicNetworkAccess",
        &["Disabled"],
        &["Enabled"],
        "public network access",
    )
}

fn job_failure_alerts(r: &Resource) -> Verdict {
    setting(
        r,
        "/monitoringSettings/azureMonitorAlertSettings/alertsForAllJobFailures",
        &["Enabled"],
        &["Disabled"],
        "alerting for all job failures",
    )
}

/// A list child (`backupPolicies`, `backupProtectedItems`): the array itself or an ARM list.
fn child_list<'a>(r: &'a Resource, key: &str) -> Result<&'a [Value], Verdict> {
    let Some(body) = r.child(key) else {
        return Err(
            Verdict::error(format!("{key} of the vault were not collected")).observe(key, None),
        );
    };
    body.as_array()
        .or_else(|| body.get("value").and_then(Value::as_array))
        .map(Vec::as_slice)
        .ok_or_else(|| {
            Verdict::error(format!("{key} has unexpected value {body}")).observe(key, Some(body))
        })
}

fn protects_items(r: &Resource) -> Verdict {
    let items = match child_list(r, "backupProtectedItems") {
        Ok(i) => i,
        Err(v) => return v,
    };
    let v = if items.is_empty() {
        Verdict::fail("the vault protects no items")
    } else {
        Verdict::pass(format!("the vault protects {} items", items.len()))
    };
    v.observe_value("backupProtectedItems.count", Value::from(items.len()))
        .observe_value(
            "protectedItems",
            items
                .iter()
                .map(|i| {
                    json!({
                        "name": i.pointer("/properties/friendlyName").or_else(|| i.get("name")),
                        "protectionState": i.pointer("/properties/protectionState"),
                    })
                })
                .collect(),
        )
}

fn policy_name(p: &Value) -> String {
    p.get("name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed policy)")
        .to_string()
}

/// The full-backup part of a backup policy (see [`full_backup_part`]), the rows of its fields.
const FULL_BACKUP: &str = "microsoft.recoveryservices/vaults/backuppolicies#full";

/// The parts of a policy that hold the full-backup schedule and retention: the policy's own
/// properties, or for workload policies the `Full` entry of `subProtectionPolicy`.
fn full_backup_part(p: &Value) -> Option<&Value> {
    let props = p.get("properties")?;
    if props.get("schedulePolicy").is_some() || props.get("retentionPolicy").is_some() {
        return Some(props);
    }
    props
        .get("subProtectionPolicy")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("policyType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Full"))
        })
}

/// Evaluates every policy with `judge` (`Ok(true)` compliant, `Ok(false)` not, `Err` unreadable).
fn policies_verdict(
    r: &Resource,
    judge: fn(&Value) -> Result<(bool, Value), String>,
    ok: &str,
    bad: &str,
) -> Verdict {
    let policies = match child_list(r, "backupPolicies") {
        Ok(p) => p,
        Err(v) => return v,
    };
    if policies.is_empty() {
        return Verdict::not_applicable("the vault has no backup policies")
            .observe_value("backupPolicies", json!([]));
    }
    let mut failing = Vec::new();
    let mut unreadable = Vec::new();
    let mut seen = Vec::new();
    for p in policies {
        let name = policy_name(p);
        match full_backup_part(p)
            .ok_or_else(|| "no schedule or retention".to_string())
            .and_then(judge)
        {
            Ok((good, observed)) => {
                seen.push(json!({"policy": name, "value": observed}));
                if !good {
                    failing.push(name);
                }
            }
            Err(why) => unreadable.push(format!("{name}: {why}")),
        }
    }
    let v = if !failing.is_empty() {
        Verdict::fail(format!("{bad}: {}", failing.join(", ")))
    } else if !unreadable.is_empty() {
        Verdict::error(format!(
            "could not read every backup policy: {}",
            unreadable.join("; ")
        ))
    } else {
        Verdict::pass(format!("{ok} ({} policies)", policies.len()))
    };
    v.observe_value("policies", Value::Array(seen))
        .observe_value("unreadable_policies", Value::from(unreadable))
}

fn schedule_judge(part: &Value) -> Result<(bool, Value), String> {
    let freq = props::object_value(FULL_BACKUP, part, "/schedulePolicy/scheduleRunFrequency")
        .and_then(Value::as_str)
        .ok_or("schedulePolicy.scheduleRunFrequency is not present")?;
    let good = freq.eq_ignore_ascii_case("Daily") || freq.eq_ignore_ascii_case("Hourly");
    Ok((good, Value::from(freq)))
}

fn daily_schedule(r: &Resource) -> Verdict {
    policies_verdict(
        r,
        schedule_judge,
        "every backup policy runs at least daily",
        "backup policies that run less often than daily",
    )
}

/// A `retentionDuration` object in days.
fn duration_days(d: &Value) -> Result<u64, String> {
    let count = d
        .get("count")
        .and_then(Value::as_u64)
        .ok_or("retentionDuration.count is not present")?;
    let unit = d
        .get("durationType")
        .and_then(Value::as_str)
        .ok_or("retentionDuration.durationType is not present")?;
    let per = match unit.to_ascii_lowercase().as_str() {
        "days" => 1,
        "weeks" => 7,
        "months" => 30,
        "years" => 365,
        other => return Err(format!("unrecognised durationType {other}")),
    };
    Ok(count * per)
}

fn retention_judge(part: &Value) -> Result<(bool, Value), String> {
    let rp = props::object_value(FULL_BACKUP, part, "/retentionPolicy")
        .ok_or("retentionPolicy is not present")?;
    let duration = [
        "/dailySchedule/retentionDuration",
        "/weeklySchedule/retentionDuration",
        "/retentionDuration",
    ]
    .iter()
    .find_map(|p| rp.pointer(p))
    .ok_or("no daily, weekly or simple retention duration")?;
    let days = duration_days(duration)?;
    Ok((days >= MIN_DAILY_RETENTION_DAYS, Value::from(days)))
}

fn daily_retention(r: &Resource) -> Verdict {
    policies_verdict(
        r,
        retention_judge,
        "every backup policy keeps recovery points at least 30 days",
        "backup policies keeping recovery points fewer than 30 days",
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, fixture_resource, set_prop};
    use crate::model::Resource;

    /// The one vault example with settings: soft delete Enabled (14 days), immutability
    /// Disabled, MUA Disabled, GeoRedundant with cross-region restore, public access Enabled,
    /// job-failure alerts Enabled.
    const GET: &str = "backup/recovery_services_vault_get.2025-02-01.json";
    /// Vaults with provisioningState only.
    const LIST: &str = "backup/recovery_services_vaults_list.2025-02-01.json";
    /// DefaultPolicy: daily, 30 days; testPolicy1: daily, 1 day.
    const POLICIES: &str = "backup/backup_policies_list.2025-02-01.json";
    const PROTECTED: &str =
        include_str!("../../tests/fixtures/handmade/backup/backup_protected_items_list.json");

    fn get(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(GET, 0);
        edit(&mut r);
        r
    }

    fn bare() -> Resource {
        fixture_resource(LIST, 0)
    }

    /// A full test triple for a vault string setting.
    fn setting_case(id: &str, pointer: &str, good: &str, bad: &str) {
        let v = eval_resource(id, &get(|r| set_prop(r, pointer, json!(good))));
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        let v = eval_resource(id, &get(|r| set_prop(r, pointer, json!(bad))));
        assert_eq!(v.status, S::Fail, "{id}: {}", v.reason);
        assert!(v.reason.ends_with(bad), "{}", v.reason);
    }

    fn missing_case(id: &str, key: &str) {
        let v = eval_resource(id, &bare());
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains("not present"), "{}", v.reason);
        assert_eq!(v.observed[key], Value::Null);
    }

    #[test]
    fn backup_vault_soft_delete_enabled_pass() {
        let v = eval_resource("backup_vault_soft_delete_enabled", &get(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "soft delete is Enabled")
        );
        assert_eq!(
            v.observed["properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays"],
            json!(14)
        );
        setting_case(
            "backup_vault_soft_delete_enabled",
            "/securitySettings/softDeleteSettings/softDeleteState",
            "AlwaysON",
            "Disabled",
        );
    }
    #[test]
    fn backup_vault_soft_delete_enabled_fail() {
        let r = get(|r| {
            set_prop(
                r,
                "/securitySettings/softDeleteSettings/softDeleteState",
                json!("Disabled"),
            )
        });
        assert_eq!(
            eval_resource("backup_vault_soft_delete_enabled", &r).status,
            S::Fail
        );
    }
    #[test]
    fn backup_vault_soft_delete_enabled_missing() {
        missing_case(
            "backup_vault_soft_delete_enabled",
            "properties.securitySettings.softDeleteSettings.softDeleteState",
        );
    }

    #[test]
    fn backup_vault_immutability_enabled_pass() {
        let p = "/securitySettings/immutabilitySettings/state";
        setting_case("backup_vault_immutability_enabled", p, "Locked", "Disabled");
        let v = eval_resource(
            "backup_vault_immutability_enabled",
            &get(|r| set_prop(r, p, json!("Unlocked"))),
        );
        assert_eq!(v.status, S::Pass);
        assert!(v.reason.contains("can still be turned off"));
    }
    #[test]
    fn backup_vault_immutability_enabled_fail() {
        // Microsoft's example: immutability Disabled.
        let v = eval_resource("backup_vault_immutability_enabled", &get(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "vault immutability is Disabled")
        );
    }
    #[test]
    fn backup_vault_immutability_enabled_missing() {
        missing_case(
            "backup_vault_immutability_enabled",
            "properties.securitySettings.immutabilitySettings.state",
        );
    }

    #[test]
    fn backup_vault_multi_user_authorization_pass() {
        setting_case(
            "backup_vault_multi_user_authorization",
            "/securitySettings/multiUserAuthorization",
            "Enabled",
            "Disabled",
        );
    }
    #[test]
    fn backup_vault_multi_user_authorization_fail() {
        assert_eq!(
            eval_resource("backup_vault_multi_user_authorization", &get(|_| {})).status,
            S::Fail
        );
    }
    #[test]
    fn backup_vault_multi_user_authorization_missing() {
        missing_case(
            "backup_vault_multi_user_authorization",
            "properties.securitySettings.multiUserAuthorization",
        );
    }

    #[test]
    fn backup_vault_geo_redundant_storage_pass() {
        assert_eq!(
            eval_resource("backup_vault_geo_redundant_storage", &get(|_| {})).status,
            S::Pass
        );
    }
    #[test]
    fn backup_vault_geo_redundant_storage_fail() {
        setting_case(
            "backup_vault_geo_redundant_storage",
            "/redundancySettings/standardTierStorageRedundancy",
            "GeoRedundant",
            "ZoneRedundant",
        );
    }
    #[test]
    fn backup_vault_geo_redundant_storage_missing() {
        missing_case(
            "backup_vault_geo_redundant_storage",
            "properties.redundancySettings.standardTierStorageRedundancy",
        );
        // A value Azure does not document is not guessed at.
        let r = get(|r| {
            set_prop(
                r,
                "/redundancySettings/standardTierStorageRedundancy",
                json!("Other"),
            )
        });
        assert_eq!(
            eval_resource("backup_vault_geo_redundant_storage", &r).status,
            S::Error
        );
    }

    #[test]
    fn backup_vault_cross_region_restore_pass() {
        assert_eq!(
            eval_resource("backup_vault_cross_region_restore", &get(|_| {})).status,
            S::Pass
        );
    }
    #[test]
    fn backup_vault_cross_region_restore_fail() {
        setting_case(
            "backup_vault_cross_region_restore",
            "/redundancySettings/crossRegionRestore",
            "Enabled",
            "Disabled",
        );
    }
    #[test]
    fn backup_vault_cross_region_restore_missing() {
        missing_case(
            "backup_vault_cross_region_restore",
            "properties.redundancySettings.crossRegionRestore",
        );
    }

    #[test]
    fn backup_vault_public_network_access_disabled_pass() {
        setting_case(
            "backup_vault_public_network_access_disabled",
            "/publicNetworkAccess",
            "Disabled",
            "Enabled",
        );
    }
    #[test]
    fn backup_vault_public_network_access_disabled_fail() {
        // Microsoft's example: publicNetworkAccess Enabled.
        let v = eval_resource("backup_vault_public_network_access_disabled", &get(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.publicNetworkAccess"],
            json!("Enabled")
        );
    }
    #[test]
    fn backup_vault_public_network_access_disabled_missing() {
        missing_case(
            "backup_vault_public_network_access_disabled",
            "properties.publicNetworkAccess",
        );
    }

    #[test]
    fn backup_vault_job_failure_alerts_pass() {
        assert_eq!(
            eval_resource("backup_vault_job_failure_alerts", &get(|_| {})).status,
            S::Pass
        );
    }
    #[test]
    fn backup_vault_job_failure_alerts_fail() {
        setting_case(
            "backup_vault_job_failure_alerts",
            "/monitoringSettings/azureMonitorAlertSettings/alertsForAllJobFailures",
            "Enabled",
            "Disabled",
        );
    }
    #[test]
    fn backup_vault_job_failure_alerts_missing() {
        missing_case(
            "backup_vault_job_failure_alerts",
            "properties.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures",
        );
    }

    fn with_items(items: Value) -> Resource {
        get(|r| {
            r.children.insert("backupProtectedItems".into(), items);
        })
    }

    #[test]
    fn backup_vault_protects_items_pass() {
        let items: Value = serde_json::from_str(PROTECTED).unwrap();
        let v = eval_resource(
            "backup_vault_protects_items",
            &with_items(items["value"].clone()),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["protectedItems"],
            json!([{"name": "iaasvm-1", "protectionState": "Protected"}])
        );
        // The ARM list body is accepted as well as its value array.
        let v = eval_resource("backup_vault_protects_items", &with_items(items));
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn backup_vault_protects_items_fail() {
        let v = eval_resource("backup_vault_protects_items", &with_items(json!([])));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the vault protects no items")
        );
    }
    #[test]
    fn backup_vault_protects_items_missing() {
        let v = eval_resource("backup_vault_protects_items", &get(|_| {}));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["backupProtectedItems"], Value::Null);
    }

    fn with_policies(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut policies = fixture(POLICIES)["value"].clone();
        edit(&mut policies);
        get(|r| {
            r.children.insert("backupPolicies".into(), policies);
        })
    }

    #[test]
    fn backup_policy_daily_schedule_pass() {
        // Microsoft's two policies both run daily.
        let v = eval_resource("backup_policy_daily_schedule", &with_policies(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["policies"][0],
            json!({"policy": "DefaultPolicy", "value": "Daily"})
        );
    }
    #[test]
    fn backup_policy_daily_schedule_fail() {
        let r = with_policies(|p| {
            p[1]["properties"]["schedulePolicy"]["scheduleRunFrequency"] = json!("Weekly")
        });
        let v = eval_resource("backup_policy_daily_schedule", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "backup policies that run less often than daily: testPolicy1"
            )
        );
    }
    #[test]
    fn backup_policy_daily_schedule_missing() {
        let v = eval_resource("backup_policy_daily_schedule", &get(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        let r = with_policies(|p| {
            p[0]["properties"]["schedulePolicy"]
                .as_object_mut()
                .unwrap()
                .remove("scheduleRunFrequency");
        });
        let v = eval_resource("backup_policy_daily_schedule", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("DefaultPolicy"), "{}", v.reason);
        let v = eval_resource(
            "backup_policy_daily_schedule",
            &with_policies(|p| *p = json!([])),
        );
        assert_eq!(v.status, S::NotApplicable);
    }

    #[test]
    fn backup_policy_daily_retention_30_days_pass() {
        let r = with_policies(|p| {
            p[1]["properties"]["retentionPolicy"]["dailySchedule"]["retentionDuration"] =
                json!({"count": 5, "durationType": "Weeks"})
        });
        let v = eval_resource("backup_policy_daily_retention_30_days", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["policies"][1],
            json!({"policy": "testPolicy1", "value": 35})
        );
    }
    #[test]
    fn backup_policy_daily_retention_30_days_fail() {
        // Microsoft's testPolicy1 keeps daily points 1 day; DefaultPolicy 30.
        let v = eval_resource(
            "backup_policy_daily_retention_30_days",
            &with_policies(|_| {}),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "backup policies keeping recovery points fewer than 30 days: testPolicy1"
            )
        );
    }
    #[test]
    fn backup_policy_daily_retention_30_days_missing() {
        let v = eval_resource("backup_policy_daily_retention_30_days", &get(|_| {}));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["backupPolicies"], Value::Null);
        let r = with_policies(|p| {
            p[1]["properties"]["retentionPolicy"]["dailySchedule"]["retentionDuration"]["durationType"] =
                json!("Fortnights");
            p.as_array_mut().unwrap().remove(0);
        });
        let v = eval_resource("backup_policy_daily_retention_30_days", &r);
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("Fortnights") || v.reason.contains("fortnights"),
            "{}",
            v.reason
        );
    }
}
