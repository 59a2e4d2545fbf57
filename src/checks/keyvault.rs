//! Key Vault checks (`Microsoft.KeyVault/vaults`): recoverability, authorisation model, access
//! policy breadth, network exposure and audit logging.
//!
//! Microsoft's vault examples omit the recoverability and RBAC flags more often than not, and
//! Azure omits `enablePurgeProtection` until it is switched on. What each absence means is the
//! property's row in `props::ROWS` (off, documented default or unknown); a vault returned
//! without its properties is an error, never compliant.

use serde_json::{Value, json};

use super::monitor::{
    LogSelector, destinations, enabled_logs, fail_unless_unreadable, setting_name, settings_list,
    summarise,
};
use super::props;
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
            criteria: &["A1.2", "CC6.1", "CC7.5"],
            cis: &["2.1.0:8.5", "3.0.0:3.3.5", "4.0.0:9.3.5"],
            policies: &["1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d"],
            description: "Passes when properties.enableSoftDelete is true; false fails. Since catalogue 2026.12.0: absent properties.enableSoftDelete is its documented default (true) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Soft delete keeps deleted vaults, keys and secrets recoverable for the \
                        retention period, so an accidental or malicious deletion does not destroy \
                        the keys that protect data (A1.2 recovery infrastructure, CC7.5 recovery \
                        from incidents, CC6.1 protection of the keys as Microsoft maps its \
                        soft-delete policy).",
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
            policies: &["0b60c0b2-2dc2-4e1c-b5c9-abbed971de53"],
            description: "Passes when properties.enablePurgeProtection is true; false fails. Azure \
                          omits the property until purge protection has been enabled and never \
                          accepts false, so with the rest of the vault returned, absence is off \
                          and fails. Since catalogue 2026.12.0: absent properties.enablePurgeProtection is off (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
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
                          vault access policies) fails; absent is an error. Since catalogue 2026.12.0: absent properties.enableRbacAuthorization is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
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
    Check {
        meta: CheckMeta {
            id: "keyvault_network_access_restricted",
            title: "Key vaults disable public access or deny it by default in their firewall",
            service: "keyvault",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["4.0.0:9.3.7", "5.0.0:8.3.7", "6.0.0:8.3.7"],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled, or when \
                          properties.networkAcls.defaultAction is Deny. Fails when the firewall's \
                          defaultAction is Allow, or when public access is enabled and no \
                          networkAcls are returned (Azure then accepts every network), or when \
                          the Deny firewall's IP rules (networkAcls.ipRules[].value) together \
                          cover every public IPv4 or IPv6 address. Both absent, or absent or \
                          unreadable ipRules behind a Deny, is an error. Since catalogue \
                          2026.12.0: a Deny default whose IP rules together cover the internet \
                          fails, and absent or unreadable IP rules behind it are an error; absent properties.networkAcls.defaultAction is its \
                          documented default (Allow) and absent properties.publicNetworkAccess its \
                          documented default (enabled) (docs/ABSENT_FIELDS.md), and a resource \
                          returned without its properties is an error.",
            rationale: "A vault reachable from every network relies on credentials alone; \
                        restricting it to private endpoints or selected networks adds a network \
                        boundary around the keys that protect all other data (CC6.6, CC6.1).",
            remediation: "Portal: Key vault > Networking > Firewalls and virtual networks > \
                          Allow public access from specific virtual networks and IP addresses (or \
                          Disable public access). CLI: az keyvault update -n <vault> -g <rg> \
                          --default-action Deny (or --public-network-access Disabled)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, network_access_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_private_endpoint_connected",
            title: "Key vaults are reached through an approved private endpoint",
            service: "keyvault",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &[
                "2.1.0:8.7",
                "3.0.0:3.3.7",
                "4.0.0:9.3.8",
                "5.0.0:8.3.8",
                "6.0.0:8.3.8",
            ],
            policies: &[],
            description: "Passes when properties.privateEndpointConnections has an entry whose \
                          properties.privateLinkServiceConnectionState.status is Approved; an \
                          empty list or only pending/rejected connections fails. Azure returns \
                          the list only when connections exist, so an absent list is read as none \
                          and fails (recorded as null). Since catalogue 2026.12.0: absent properties.privateEndpointConnections is off (an empty list) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A private endpoint keeps key and secret traffic inside the virtual \
                        network and lets public access be turned off (CC6.6, CC6.7).",
            remediation: "Portal: Key vault > Networking > Private endpoint connections > + \
                          Create. CLI: az network private-endpoint create -g <rg> -n <pe> \
                          --vnet-name <vnet> --subnet <subnet> --private-connection-resource-id \
                          <vault-id> --group-id vault --connection-name <name>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, private_endpoint),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_soft_delete_retention_90_days",
            title: "Key vault soft delete keeps deleted objects for 90 days",
            service: "keyvault",
            severity: Severity::Low,
            criteria: &["A1.2", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.softDeleteRetentionInDays is 90 (the maximum \
                          Azure accepts, and the value it applies when a vault is created \
                          without one); fewer days fails, and so does properties.enableSoftDelete \
                          false. An absent retention is an error. Since catalogue 2026.12.0: absent properties.enableSoftDelete is its documented default (true); absent properties.softDeleteRetentionInDays is its documented default (90) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Deletions of keys or secrets are sometimes noticed only weeks later; the \
                        full 90-day window keeps them recoverable for as long as Azure allows \
                        (CC7.5, A1.2).",
            remediation: "The retention is fixed when soft delete is first enabled: create a new \
                          vault with 90 days and move the objects. CLI: az keyvault create -n \
                          <vault> -g <rg> --retention-days 90 --enable-purge-protection true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, soft_delete_retention),
    },
    Check {
        meta: CheckMeta {
            id: "keyvault_access_policies_least_privilege",
            title: "Key vault access policies do not grant all permissions",
            service: "keyvault",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "For vaults using access policies (properties.enableRbacAuthorization \
                          false), fails naming each properties.accessPolicies entry (objectId) \
                          whose permissions.keys, secrets, certificates or storage contain \
                          \"all\". Vaults with enableRbacAuthorization true ignore access \
                          policies and are not applicable. Absent accessPolicies is an error, and \
                          so is an \"all\" grant when enableRbacAuthorization was not returned \
                          (whether it takes effect is unknown). Since catalogue 2026.12.0: absent properties.enableRbacAuthorization is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "\"all\" includes purge, delete and key export-like operations far \
                        beyond what an application needs, and is granted vault-wide; least \
                        privilege requires listing only the operations used (CC6.3, CC6.1).",
            remediation: "Portal: Key vault > Access policies > edit the principal's policy and \
                          select only the needed operations (or migrate to Azure RBAC). CLI: az \
                          keyvault set-policy -n <vault> --object-id <id> --secret-permissions \
                          get list (after az keyvault delete-policy -n <vault> --object-id <id>)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, access_policies_least_privilege),
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
    .observe_prop(&format!("properties.{prop}"), r, &pointer)
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
    // Azure omits the property until purge protection is switched on and never accepts false,
    // so with the rest of the vault returned, absent means off (props::ROWS).
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
        fail_unless_unreadable(
            settings,
            Verdict::fail("no diagnostic setting sends AuditEvent logs to a destination"),
        )
    };
    v.observe_value(key, Value::Array(settings.iter().map(summarise).collect()))
}

fn network_access_restricted(r: &Resource) -> Verdict {
    let pna = props::value(r, "/publicNetworkAccess");
    let action = props::value(r, "/networkAcls/defaultAction");
    let v = match (pna.and_then(Value::as_str), action.and_then(Value::as_str)) {
        (Some(p), _) if p.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access is disabled")
        }
        (_, Some(a)) if a.eq_ignore_ascii_case("Deny") => super::storage::deny_by_default_verdict(
            r.prop("/networkAcls/ipRules"),
            "properties.networkAcls.ipRules",
            "value",
            &[],
        ),
        (_, Some(a)) => Verdict::fail(format!("the firewall default action is {a}")),
        (Some(p), None) => Verdict::fail(format!(
            "public network access is {p} and no firewall rules were returned"
        )),
        (None, None) => Verdict::error(
            "neither properties.publicNetworkAccess nor properties.networkAcls.defaultAction is \
             present in the collected data",
        ),
    };
    v.observe_prop("properties.publicNetworkAccess", r, "/publicNetworkAccess")
        .observe_prop(
            "properties.networkAcls.defaultAction",
            r,
            "/networkAcls/defaultAction",
        )
        .observe(
            "properties.networkAcls.ipRules",
            r.prop("/networkAcls/ipRules"),
        )
}

fn private_endpoint(r: &Resource) -> Verdict {
    super::storage::private_endpoint_verdict(r)
}

/// Azure's maximum (and creation default) soft-delete retention.
const MAX_RETENTION_DAYS: u64 = 90;

fn soft_delete_retention(r: &Resource) -> Verdict {
    let key = "properties.softDeleteRetentionInDays";
    let days = props::value(r, "/softDeleteRetentionInDays");
    if props::value(r, "/enableSoftDelete") == Some(&Value::Bool(false)) {
        return Verdict::fail("soft delete is disabled")
            .observe_prop("properties.enableSoftDelete", r, "/enableSoftDelete")
            .observe(key, days);
    }
    match days.map(|d| (d, d.as_u64())) {
        Some((_, Some(d))) if d >= MAX_RETENTION_DAYS => {
            Verdict::pass(format!("deleted objects are kept {d} days"))
        }
        Some((_, Some(d))) => Verdict::fail(format!(
            "deleted objects are kept only {d} days (Azure allows {MAX_RETENTION_DAYS})"
        )),
        Some((other, None)) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(props::absent_reason(r, "/softDeleteRetentionInDays")),
    }
    .observe_prop(key, r, "/softDeleteRetentionInDays")
}

/// One entry of a vault's `properties.accessPolicies`, the rows of its fields (`props::ROWS`).
const ACCESS_POLICY: &str = "microsoft.keyvault/vaults#accessPolicies";

/// Permission lists of an access policy that can hold `all`.
const PERMISSION_KINDS: [&str; 4] = ["keys", "secrets", "certificates", "storage"];

fn access_policies_least_privilege(r: &Resource) -> Verdict {
    let rbac = props::value(r, "/enableRbacAuthorization");
    if rbac == Some(&Value::Bool(true)) {
        return Verdict::not_applicable("the vault uses Azure RBAC; access policies are ignored")
            .observe("properties.enableRbacAuthorization", rbac);
    }
    let key = "properties.accessPolicies";
    let Some(policies) = props::value(r, "/accessPolicies").and_then(Value::as_array) else {
        return Verdict::error(format!("{key} is not present in the collected data"))
            .observe_prop(key, r, "/accessPolicies")
            .observe("properties.enableRbacAuthorization", rbac);
    };
    // An entry without its permissions may grant anything.
    let unreadable: Vec<&str> = policies
        .iter()
        .filter(|p| props::object_value(ACCESS_POLICY, p, "/permissions").is_none())
        .map(|p| {
            p.get("objectId")
                .and_then(Value::as_str)
                .unwrap_or("(unknown)")
        })
        .collect();
    let broad: Vec<Value> = policies
        .iter()
        .filter_map(|p| {
            let kinds: Vec<&str> = PERMISSION_KINDS
                .into_iter()
                .filter(|k| {
                    props::object_value(ACCESS_POLICY, p, &format!("/permissions/{k}"))
                        .and_then(Value::as_array)
                        .is_some_and(|perms| {
                            perms
                                .iter()
                                .filter_map(Value::as_str)
                                .any(|x| x.eq_ignore_ascii_case("all"))
                        })
                })
                .collect();
            (!kinds.is_empty()).then(|| json!({"objectId": p.get("objectId"), "all": kinds}))
        })
        .collect();
    let who = || {
        broad
            .iter()
            .map(|b| b["objectId"].as_str().unwrap_or("(unknown)").to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let v = if broad.is_empty() && !unreadable.is_empty() {
        Verdict::error(format!(
            "access policies for {} have no permissions in the collected data",
            unreadable.join(", ")
        ))
    } else if broad.is_empty() {
        Verdict::pass(format!(
            "none of the {} access policies grants all permissions",
            policies.len()
        ))
    } else if rbac.is_none() {
        Verdict::error(format!(
            "access policies grant all permissions to {}, but enableRbacAuthorization was not \
             returned, so whether they take effect is unknown",
            who()
        ))
    } else {
        Verdict::fail(format!(
            "access policies grant all permissions to {}",
            who()
        ))
    };
    v.observe("properties.enableRbacAuthorization", rbac)
        .observe_value("broad_policies", Value::Array(broad))
        .observe_value("accessPolicies.count", Value::from(policies.len()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{
        eval_resource, fixture, fixture_resource, set_prop, without_body,
    };
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
        // Absent is the documented default: true.
        let v = eval_resource("keyvault_soft_delete_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Pass);
        assert!(v.reason.contains("default true"), "{}", v.reason);
        assert_eq!(v.observed.values().next(), Some(&Value::Null));
        let v = eval_resource(
            "keyvault_soft_delete_enabled",
            &without_body(&fixture_resource(GET, 0)),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enableSoftDelete"));
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
        // Azure omits the property while purge protection is off (it can never be false):
        // with the rest of the vault returned, absent is off.
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("enablePurgeProtection is absent"),
            "{}",
            v.reason
        );
        assert_eq!(v.observed["properties.enablePurgeProtection"], Value::Null);
        // Without the vault's properties at all, nothing is known.
        let v = eval_resource(
            "keyvault_purge_protection_enabled",
            &without_body(&fixture_resource(GET, 0)),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enablePurgeProtection"), "{}", v.reason);
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
        // Absent is the documented default of the api-version read: access policies.
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("default false"), "{}", v.reason);
        let v = eval_resource(
            "keyvault_rbac_authorization_enabled",
            &without_body(&fixture_resource(GET, 0)),
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

#[cfg(test)]
mod access_tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture_resource, set_prop, without_body};
    use crate::model::Resource;

    /// Access-policy vault, publicNetworkAccess Enabled, no networkAcls, no soft-delete fields.
    const GET: &str = "keyvault/key_vault_get.2024-11-01.json";
    /// networkAcls.defaultAction Deny, no publicNetworkAccess.
    const ACLS: &str = "keyvault/key_vault_create_with_network_acls.2024-11-01.json";

    fn get(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(GET, 0);
        edit(&mut r);
        r
    }

    #[test]
    fn keyvault_network_access_restricted_pass() {
        let v = eval_resource(
            "keyvault_network_access_restricted",
            &fixture_resource(ACLS, 0),
        );
        // Microsoft's example lists 124.56.78.91/32 and '10.91.4.0/24' (quoted in the example).
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "the firewall denies by default; its 2 IP rule(s) do not cover the internet (properties/publicNetworkAccess is absent, so the documented default \"enabled\" applies)"
            )
        );
        let r = get(|r| set_prop(r, "/publicNetworkAccess", json!("Disabled")));
        assert_eq!(
            eval_resource("keyvault_network_access_restricted", &r).status,
            S::Pass
        );
    }
    #[test]
    fn keyvault_network_access_restricted_fail() {
        // Microsoft's get example: public access Enabled, no firewall.
        let v = eval_resource("keyvault_network_access_restricted", &get(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Allow"), "{}", v.reason);
        let mut r = fixture_resource(ACLS, 0);
        set_prop(&mut r, "/networkAcls/defaultAction", json!("Allow"));
        let v = eval_resource("keyvault_network_access_restricted", &r);
        assert!(
            v.reason.starts_with("the firewall default action is Allow"),
            "{}",
            v.reason
        );
    }
    #[test]
    fn keyvault_ip_rules_that_together_cover_the_internet_fail() {
        let mut r = fixture_resource(ACLS, 0);
        set_prop(
            &mut r,
            "/networkAcls/ipRules",
            // 2000::/3, the whole IPv6 internet, as two halves.
            json!([{"value": "2000::/4"}, {"value": "3000::/4"}, {"value": "124.56.78.91"}]),
        );
        let v = eval_resource("keyvault_network_access_restricted", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(
            v.reason,
            "the firewall denies by default, but its IP rules together admit every public IPv6 \
             address: 2000::/4, 3000::/4 (properties/publicNetworkAccess is absent, so the \
             documented default \"enabled\" applies)"
        );
        set_prop(&mut r, "/networkAcls/ipRules", json!(null));
        let v = eval_resource("keyvault_network_access_restricted", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }

    #[test]
    fn keyvault_network_access_restricted_missing() {
        let r = get(|r| set_prop(r, "/publicNetworkAccess", json!(null)));
        // Both absent: public access is enabled by default and no firewall denies.
        let v = eval_resource("keyvault_network_access_restricted", &r);
        assert_eq!(v.status, S::Fail);
        let v = eval_resource("keyvault_network_access_restricted", &without_body(&r));
        assert_eq!(v.status, S::Error);
        let v = eval_resource("keyvault_network_access_restricted", &r);
        assert_eq!(v.observed["properties.publicNetworkAccess"], Value::Null);
        assert_eq!(
            v.observed["properties.networkAcls.defaultAction"],
            Value::Null
        );
    }

    fn pe(status: &str) -> Value {
        json!({
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault/privateEndpointConnections/sample-pec",
            "properties": {
                "privateEndpoint": {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sample-group/providers/Microsoft.Network/privateEndpoints/sample-pe"},
                "privateLinkServiceConnectionState": {"status": status, "description": "", "actionsRequired": "None"},
                "provisioningState": "Succeeded"
            }
        })
    }

    #[test]
    fn keyvault_private_endpoint_connected_pass() {
        let r = get(|r| set_prop(r, "/privateEndpointConnections", json!([pe("Approved")])));
        let v = eval_resource("keyvault_private_endpoint_connected", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("sample-pe"));
    }
    #[test]
    fn keyvault_private_endpoint_connected_fail() {
        let r = get(|r| set_prop(r, "/privateEndpointConnections", json!([pe("Rejected")])));
        let v = eval_resource("keyvault_private_endpoint_connected", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.privateEndpointConnections"][0]["status"],
            json!("Rejected")
        );
    }
    #[test]
    fn keyvault_private_endpoint_connected_missing() {
        // Microsoft's example has no connections: the list is absent, read as none.
        let v = eval_resource("keyvault_private_endpoint_connected", &get(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.starts_with("no private endpoint connections ("),
            "{}",
            v.reason
        );
        let v = eval_resource(
            "keyvault_private_endpoint_connected",
            &without_body(&get(|_| {})),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource("keyvault_private_endpoint_connected", &get(|_| {}));
        assert_eq!(
            v.observed["properties.privateEndpointConnections"],
            Value::Null
        );
    }

    #[test]
    fn keyvault_soft_delete_retention_90_days_pass() {
        let r = get(|r| {
            set_prop(r, "/enableSoftDelete", json!(true));
            set_prop(r, "/softDeleteRetentionInDays", json!(90));
        });
        let v = eval_resource("keyvault_soft_delete_retention_90_days", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.softDeleteRetentionInDays"],
            json!(90)
        );
    }
    #[test]
    fn keyvault_soft_delete_retention_90_days_fail() {
        let r = get(|r| set_prop(r, "/softDeleteRetentionInDays", json!(7)));
        let v = eval_resource("keyvault_soft_delete_retention_90_days", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "deleted objects are kept only 7 days (Azure allows 90)"
            )
        );
        let r = get(|r| {
            set_prop(r, "/enableSoftDelete", json!(false));
            set_prop(r, "/softDeleteRetentionInDays", json!(90));
        });
        let v = eval_resource("keyvault_soft_delete_retention_90_days", &r);
        assert_eq!(v.reason, "soft delete is disabled");
    }
    #[test]
    fn keyvault_soft_delete_retention_90_days_missing() {
        // Absent is the documented default, 90 days.
        let v = eval_resource("keyvault_soft_delete_retention_90_days", &get(|_| {}));
        assert_eq!(v.status, S::Pass);
        let v = eval_resource(
            "keyvault_soft_delete_retention_90_days",
            &without_body(&get(|_| {})),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource("keyvault_soft_delete_retention_90_days", &get(|_| {}));
        assert_eq!(
            v.observed["properties.softDeleteRetentionInDays"],
            Value::Null
        );
    }

    #[test]
    fn keyvault_access_policies_least_privilege_pass() {
        // Microsoft's example lists every operation but not "all"; RBAC is not returned, which
        // does not matter when no policy is broad.
        let v = eval_resource("keyvault_access_policies_least_privilege", &get(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["accessPolicies.count"], json!(1));
        let r = get(|r| {
            set_prop(r, "/enableRbacAuthorization", json!(true));
            set_prop(r, "/accessPolicies/0/permissions/keys", json!(["all"]));
        });
        assert_eq!(
            eval_resource("keyvault_access_policies_least_privilege", &r).status,
            S::NotApplicable
        );
    }
    #[test]
    fn keyvault_access_policies_least_privilege_fail() {
        let r = get(|r| {
            set_prop(r, "/enableRbacAuthorization", json!(false));
            set_prop(r, "/accessPolicies/0/permissions/secrets", json!(["All"]));
        });
        let v = eval_resource("keyvault_access_policies_least_privilege", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["broad_policies"],
            json!([{"objectId": "00000000-0000-0000-0000-000000000000", "all": ["secrets"]}])
        );
    }
    #[test]
    fn keyvault_access_policies_least_privilege_missing() {
        let r = get(|r| set_prop(r, "/accessPolicies", json!(null)));
        let v = eval_resource("keyvault_access_policies_least_privilege", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("accessPolicies"));
        // A broad grant whose effect depends on an unreturned RBAC flag is unknown.
        let r = get(|r| set_prop(r, "/accessPolicies/0/permissions/keys", json!(["all"])));
        // An absent RBAC flag is the documented default (access policies), so the grant counts.
        let v = eval_resource("keyvault_access_policies_least_privilege", &r);
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "keyvault_access_policies_least_privilege",
            &without_body(&r),
        );
        assert_eq!(v.status, S::Error);
        // An entry without permissions may grant anything; one without a kind grants none of
        // it.
        let r = get(|r| set_prop(r, "/accessPolicies/0/permissions", json!(null)));
        let v = eval_resource("keyvault_access_policies_least_privilege", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("permissions"), "{}", v.reason);
        let r = get(|r| set_prop(r, "/accessPolicies/0/permissions", json!({"keys": ["get"]})));
        let v = eval_resource("keyvault_access_policies_least_privilege", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
}
