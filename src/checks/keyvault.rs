//! Key Vault checks (`Microsoft.KeyVault/vaults`): recoverability, authorisation model and
//! audit logging.
//!
//! Microsoft's vault examples omit the recoverability and RBAC flags more often than not, and
//! Azure omits `enablePurgeProtection` until it is switched on. Absence is reported as an error
//! (unknown), never as compliant.

use serde_json::Value;

use super::monitor::{
    LogSelector, destinations, enabled_logs, setting_name, settings_list, summarise,
};
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool};
use crate::model::Resource;

const TYPE: &str = "microsoft.keyvault/vaults";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "keyvault_soft_delete_enabled",
            title: "Key vaults have soft delete enabled",
            service: "keyvault",
            severity: Severity::High,
            criteria: &["A1.2", "CC7.5"],
            cis: &["2.1.0:8.5", "3.0.0:3.3.5", "4.0.0:9.3.5"],
            policies: &[],
            description: "Passes when properties.enableSoftDelete is true; false fails. Absent \
                          means the value was not returned and is an error, not a pass.",
            rationale: "Soft delete keeps deleted vaults, keys and secrets recoverable for the \
                        retention period, so an accidental or malicious deletion does not destroy \
                        the keys that protect data (A1.2 recovery infrastructure, CC7.5 recovery \
                        from incidents).",
            remediation: "Portal: Key vault > Properties > Soft-delete (enabled on every vault \
                          created since 2020; older vaults must be updated). CLI: az keyvault update \
                          -n <vault> -g <rg> --enable-soft-delete true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, soft_delete),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_purge_protection_enabled",
            title: "Key vaults have purge protection enabled",
            service: "keyvault",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC6.1", "CC7.5"],
            cis: &[
                "2.1.0:8.5",
                "3.0.0:3.3.5",
                "4.0.0:9.3.5",
                "5.0.0:8.3.5",
                "6.0.0:8.3.5",
            ],
            policies: &[],
            description: "Passes when properties.enablePurgeProtection is true; false fails. Azure \
                          omits the property until purge protection has been enabled, so absence \
                          most likely means off; it is still reported as an error (value not \
                          returned) rather than guessed.",
            rationale: "Without purge protection, anyone who can delete a vault can also purge it \
                        during the soft-delete window, making key destruction irreversible; purge \
                        protection enforces the retention that recovery depends on (A1.2, CC7.5) \
                        and limits what a compromised administrator can destroy (CC6.1).",
            remediation: "Portal: Key vault > Properties > Purge protection > Enable purge \
                          protection (cannot be turned off afterwards). CLI: az keyvault update -n \
                          <vault> -g <rg> --enable-purge-protection true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, purge_protection),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_rbac_authorization_enabled",
            title: "Key vaults use Azure RBAC for data-plane authorisation",
            service: "keyvault",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[
                "2.1.0:8.6",
                "3.0.0:3.3.6",
                "4.0.0:9.3.6",
                "5.0.0:8.3.6",
                "6.0.0:8.3.6",
            ],
            policies: &[],
            description: "Passes when properties.enableRbacAuthorization is true; false (legacy \
                          vault access policies) fails; absent is an error.",
            rationale: "Azure RBAC grants data-plane access per key, secret or certificate scope, \
                        supports PIM and is reviewed with every other role assignment; access \
                        policies are vault-wide and invisible to role reviews (CC6.3 least \
                        privilege, CC6.1 logical access).",
            remediation: "Portal: Key vault > Access configuration > Permission model = Azure \
                          role-based access control (first grant equivalent roles). CLI: az keyvault \
                          update -n <vault> -g <rg> --enable-rbac-authorization true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, rbac_authorization),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_logging_enabled",
            title: "Key vault audit events are sent to a log destination",
            service: "keyvault",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[
                "2.1.0:5.1.4",
                "3.0.0:6.1.4",
                "4.0.0:7.1.1.4",
                "5.0.0:6.1.1.4",
                "6.0.0:6.1.1.4",
            ],
            policies: &[],
            description: "Reads the vault's diagnostic settings (ARM Microsoft.Insights/\
                          diagnosticSettings on the vault). Passes when some setting has an enabled \
                          properties.logs[] entry with category AuditEvent or categoryGroup audit or \
                          allLogs, and a destination (non-empty workspaceId, storageAccountId, \
                          eventHubAuthorizationRuleId or marketplacePartnerId). No settings, or none \
                          that sends audit events somewhere, fails; settings not collected is an \
                          error.",
            rationale: "AuditEvent records every read of a key or secret and every management \
                        operation; without it, misuse of the keys that protect data cannot be \
                        detected or investigated (CC7.2).",
            remediation: "Portal: Key vault > Diagnostic settings > Add diagnostic setting; select \
                          the audit category group (or AuditEvent) and a Log Analytics workspace or \
                          storage account. CLI: az monitor diagnostic-settings create -n kv-audit \
                          --resource <vault-id> --workspace <workspace-id> --logs \
                          '[{\"categoryGroup\":\"audit\",\"enabled\":true}]'",
            sources: &[RG, "arm.diagnostic_settings"],
        },
        eval: Eval::Resource(TYPE, logging),
    },
];

/// A boolean vault flag where true is compliant.
fn flag(r: &Resource, prop: &str, on: &str, off: &str) -> Verdict {
    let pointer = format!("/{prop}");
    match require_bool(r, &pointer) {
        Ok(true) => Verdict::pass(on),
        Ok(false) => Verdict::fail(off),
        Err(v) => return v,
    }
    .observe(&format!("properties.{prop}"), r.prop(&pointer))
}

fn soft_delete(r: &Resource) -> Verdict {
    flag(
        r,
        "enableSoftDelete",
        "soft delete is enabled",
        "soft delete is disabled",
    )
}

fn purge_protection(r: &Resource) -> Verdict {
    if r.prop("/enablePurgeProtection").is_none() {
        // Azure leaves the property out until purge protection is switched on, so absence is
        // likely "off"; but an absent value is not evidence, so it is reported as unknown.
        return Verdict::error(
            "properties.enablePurgeProtection was not returned (Azure omits it until purge \
             protection is enabled); the setting is unknown",
        )
        .observe("properties.enablePurgeProtection", None);
    }
    flag(
        r,
        "enablePurgeProtection",
        "purge protection is enabled",
        "purge protection is disabled",
    )
}

fn rbac_authorization(r: &Resource) -> Verdict {
    flag(
        r,
        "enableRbacAuthorization",
        "the vault uses Azure RBAC for data-plane access",
        "the vault uses legacy access policies instead of Azure RBAC",
    )
}

/// True when an enabled log entry covers the vault's AuditEvent category.
fn covers_audit(sel: LogSelector<'_>) -> bool {
    match sel {
        LogSelector::Category(c) => c.eq_ignore_ascii_case("AuditEvent"),
        LogSelector::Group(g) => {
            g.eq_ignore_ascii_case("audit") || g.eq_ignore_ascii_case("allLogs")
        }
    }
}

fn logging(r: &Resource) -> Verdict {
    let key = "diagnosticSettings";
    let Some(body) = r.child(key) else {
        return Verdict::error("diagnostic settings (diagnosticSettings) were not collected")
            .observe(key, None);
    };
    let Some(settings) = settings_list(body) else {
        return Verdict::error(format!("diagnosticSettings has unexpected value {body}"))
            .observe(key, Some(body));
    };

    let sending: Vec<&str> = settings
        .iter()
        .filter(|s| !destinations(s).is_empty() && enabled_logs(s).into_iter().any(covers_audit))
        .map(setting_name)
        .collect();
    let v = if !sending.is_empty() {
        Verdict::pass(format!(
            "audit events are sent to a destination by: {}",
            sending.join(", ")
        ))
    } else if settings.is_empty() {
        Verdict::fail("the vault has no diagnostic setting")
    } else {
        Verdict::fail("no diagnostic setting sends AuditEvent logs to a destination")
    };
    v.observe_value(key, Value::Array(settings.iter().map(summarise).collect()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, fixture_resource, set_prop};
    use crate::model::Resource;

    /// The subscription list example: the only vault example with enableSoftDelete (true).
    const LIST: &str = "keyvault/key_vaults_list_by_subscription.2024-11-01.json";
    /// The get example: no enableSoftDelete, enablePurgeProtection or enableRbacAuthorization.
    const GET: &str = "keyvault/key_vault_get.2024-11-01.json";

    fn get_with(prop: &str, value: Value) -> Resource {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, prop, value);
        r
    }

    #[test]
    fn keyvault_soft_delete_enabled_pass() {
        let v = eval_resource("keyvault_soft_delete_enabled", &fixture_resource(LIST, 0));
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.enableSoftDelete"], json!(true));
    }
    #[test]
    fn keyvault_soft_delete_enabled_fail() {
        let mut r = fixture_resource(LIST, 0);
        set_prop(&mut r, "/enableSoftDelete", json!(false));
        let v = eval_resource("keyvault_soft_delete_enabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "soft delete is disabled")
        );
        assert_eq!(v.observed["properties.enableSoftDelete"], json!(false));
    }
    #[test]
    fn keyvault_soft_delete_enabled_missing() {
        let v = eval_resource("keyvault_soft_delete_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enableSoftDelete"));
        assert_eq!(v.observed.values().next(), Some(&Value::Null));
    }

    #[test]
    fn keyvault_purge_protection_enabled_pass() {
        let v = eval_resource(
            "keyvault_purge_protection_enabled",
            &get_with("/enablePurgeProtection", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn keyvault_purge_protection_enabled_fail() {
        let v = eval_resource(
            "keyvault_purge_protection_enabled",
            &get_with("/enablePurgeProtection", json!(false)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["properties.enablePurgeProtection"], json!(false));
    }
    #[test]
    fn keyvault_purge_protection_enabled_missing() {
        let v = eval_resource(
            "keyvault_purge_protection_enabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("was not returned"), "{}", v.reason);
        assert_eq!(v.observed["properties.enablePurgeProtection"], Value::Null);
    }

    #[test]
    fn keyvault_rbac_authorization_enabled_pass() {
        let v = eval_resource(
            "keyvault_rbac_authorization_enabled",
            &get_with("/enableRbacAuthorization", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn keyvault_rbac_authorization_enabled_fail() {
        let v = eval_resource(
            "keyvault_rbac_authorization_enabled",
            &get_with("/enableRbacAuthorization", json!(false)),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("access policies"));
    }
    #[test]
    fn keyvault_rbac_authorization_enabled_missing() {
        let v = eval_resource(
            "keyvault_rbac_authorization_enabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enableRbacAuthorization"));
        // A string where a boolean belongs is not evidence either.
        let v = eval_resource(
            "keyvault_rbac_authorization_enabled",
            &get_with("/enableRbacAuthorization", json!("true")),
        );
        assert_eq!(v.status, S::Error);
    }

    /// The vault with Microsoft's resource diagnostic-settings example attached (a setting
    /// sending allLogs to a storage account and an event hub, with `workspaceId: ""`).
    fn with_diagnostics(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut r = fixture_resource(GET, 0);
        let mut settings =
            fixture("monitor/diagnostic_settings_list_resource.2021-05-01-preview.json")["value"]
                .clone();
        edit(&mut settings);
        r.children.insert("diagnosticSettings".into(), settings);
        r
    }

    #[test]
    fn keyvault_logging_enabled_pass() {
        let v = eval_resource("keyvault_logging_enabled", &with_diagnostics(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("mysetting"));
        let seen = &v.observed["diagnosticSettings"][0];
        assert_eq!(seen["enabledLogs"], json!(["categoryGroup:allLogs"]));
        // The blank workspaceId is not a destination.
        assert!(seen["destinations"].get("workspaceId").is_none());
        assert!(seen["destinations"].get("storageAccountId").is_some());

        let v = eval_resource(
            "keyvault_logging_enabled",
            &with_diagnostics(|s| {
                s[0]["properties"]["logs"] = json!([{"category": "AuditEvent", "enabled": true}]);
            }),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn keyvault_logging_enabled_fail() {
        let v = eval_resource(
            "keyvault_logging_enabled",
            &with_diagnostics(|s| s[0]["properties"]["logs"][0]["enabled"] = json!(false)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "no diagnostic setting sends AuditEvent logs to a destination"
        );

        // Audit logs enabled but going nowhere.
        let v = eval_resource(
            "keyvault_logging_enabled",
            &with_diagnostics(|s| {
                s[0]["properties"]["storageAccountId"] = Value::Null;
                s[0]["properties"]["eventHubAuthorizationRuleId"] = Value::Null;
            }),
        );
        assert_eq!(v.status, S::Fail);

        let v = eval_resource(
            "keyvault_logging_enabled",
            &with_diagnostics(|s| *s = json!([])),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the vault has no diagnostic setting")
        );
    }
    #[test]
    fn keyvault_logging_enabled_missing() {
        let v = eval_resource("keyvault_logging_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("diagnosticSettings"));
        assert_eq!(v.observed["diagnosticSettings"], Value::Null);
    }
}
