//! Azure Container Registry checks (`Microsoft.ContainerRegistry/registries`): shared and
//! anonymous credentials, network exposure, artifact export, image trust and retention, zone
//! redundancy and encryption keys.
//!
//! All settings come from the registry's Resource Graph properties. Several registry policies
//! (network rules, retention, trust, export, zone redundancy, customer-managed keys) need the
//! Premium SKU; on other SKUs they read as disabled and the checks report that, since the
//! control is then absent whatever the reason.

use serde_json::Value;

use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool};
use crate::model::Resource;

const TYPE: &str = "microsoft.containerregistry/registries";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "acr_admin_user_disabled",
            title: "Container registries have the admin user disabled",
            service: "acr",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.adminUserEnabled is false; true fails; absent is an \
                          error. Since catalogue 2026.12.0: absent properties.adminUserEnabled is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "The admin user is one shared username and password with push and pull rights \
                        on every repository; it cannot be attributed to a person or scoped. Entra \
                        identities and tokens give identified, least-privilege access (CC6.1).",
            remediation: "Portal: Container registry > Settings > Access keys > Admin user = off. CLI: \
                          az acr update -n <registry> --admin-enabled false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, admin_user_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "acr_public_network_restricted",
            title: "Container registries are not reachable from all networks",
            service: "acr",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled, or when \
                          properties.networkRuleSet.defaultAction is Deny (only listed addresses and \
                          networks reach the registry) and the IP rules \
                          (networkRuleSet.ipRules[].value) do not together cover every public IPv4 \
                          or IPv6 address. Fails when public access is enabled and the firewall \
                          allows by default, has no rule set, or lists IP rules that together \
                          cover the internet; absent or unreadable ipRules behind a Deny is an \
                          error. Since catalogue 2026.12.0: a Deny default whose IP rules together \
                          cover the internet fails, and absent or unreadable IP rules behind it are \
                          an error; absent properties.networkRuleSet.defaultAction is its documented \
                          default (Allow) and absent properties.publicNetworkAccess its documented \
                          default (Enabled) (docs/ABSENT_FIELDS.md), and a resource returned without \
                          its properties is an error.",
            rationale: "A registry open to every network relies on credentials alone to protect the \
                        images that production runs; CC6.6 requires measures against threats from \
                        outside the system boundary.",
            remediation: "Portal: Container registry > Settings > Networking > Public access = \
                          Disabled or Selected networks. CLI: az acr update -n <registry> \
                          --public-network-enabled false (or --default-action Deny)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "acr_anonymous_pull_disabled",
            title: "Container registries do not allow anonymous pull",
            service: "acr",
            severity: Severity::High,
            criteria: &["CC6.1", "C1.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.anonymousPullEnabled is false, or absent: Azure \
                          documents the default as false and omits the property on registries that \
                          never enabled it (the observed value is then null and the reason says \
                          so). true fails; a non-boolean value, or a registry whose properties were \
                          not collected, is an error. Since catalogue 2026.12.0: absent properties.anonymousPullEnabled is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Anonymous pull publishes every image, with the code and configuration baked \
                        into it, to anyone who knows the registry name (CC6.1, C1.1).",
            remediation: "Portal: not available. CLI: az acr update -n <registry> \
                          --anonymous-pull-enabled false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, anonymous_pull_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "acr_retention_policy_enabled",
            title: "Container registries purge untagged manifests with a retention policy",
            service: "acr",
            severity: Severity::Low,
            criteria: &["C1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.policies.retentionPolicy.status is enabled (untagged \
                          manifests are deleted after retentionPolicy.days); disabled fails; absent \
                          is an error. The retention in days is recorded. Premium SKU only. Since catalogue 2026.12.0: absent properties.policies.retentionPolicy.days is its documented default (7); absent properties.policies.retentionPolicy.status is its documented default (disabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Untagged manifests keep superseded images, and whatever they contain, \
                        retrievable by digest indefinitely; a retention policy disposes of them on \
                        a schedule (C1.2).",
            remediation: "Portal: Container registry > Policies > Retention > Enabled, set days. CLI: \
                          az acr config retention update -r <registry> --status enabled --days 30 \
                          --type UntaggedManifests",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, retention_policy),
    },
    Check {
        meta: CheckMeta {
            id: "acr_content_trust_enabled",
            title: "Container registries enforce content trust (signed images)",
            service: "acr",
            severity: Severity::Low,
            criteria: &["CC6.8"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.policies.trustPolicy.status is enabled; disabled \
                          fails; absent is an error. Premium SKU only. Microsoft is retiring Docker \
                          Content Trust in favour of Notary Project signatures, which this property \
                          does not reflect. Since catalogue 2026.12.0: absent properties.policies.trustPolicy.status is its documented default (disabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Content trust lets clients pull only images signed by the publisher, so a \
                        tampered or unauthorised image is refused (CC6.8).",
            remediation: "Portal: Container registry > Policies > Content trust > Enabled. CLI: az \
                          acr config content-trust update -r <registry> --status enabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, content_trust),
    },
    Check {
        meta: CheckMeta {
            id: "acr_zone_redundancy_enabled",
            title: "Container registries are zone redundant",
            service: "acr",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.zoneRedundancy is Enabled; Disabled fails; absent is \
                          an error. Since catalogue 2026.12.0: absent properties.zoneRedundancy is its documented default (Disabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A zone-redundant registry keeps serving images when a datacentre fails, so \
                        deployments and scale-outs that pull images keep working (A1.2).",
            remediation: "Zone redundancy is chosen when the registry (or a replica) is created. CLI: \
                          az acr create -g <rg> -n <registry> --sku Premium --zone-redundancy \
                          Enabled (or az acr replication create -r <registry> -l <region> \
                          --zone-redundancy Enabled)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, zone_redundancy),
    },
    Check {
        meta: CheckMeta {
            id: "acr_export_policy_disabled",
            title: "Container registries block artifact export",
            service: "acr",
            severity: Severity::Low,
            criteria: &["CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.policies.exportPolicy.status is disabled (artifacts \
                          cannot be imported into or transferred to other registries); enabled fails, \
                          and so does an absent export policy, which Azure documents as enabled; a \
                          registry whose properties were not collected is an error. Premium SKU \
                          only, and public network access must be disabled first. Since catalogue 2026.12.0: absent properties.policies.exportPolicy.status is its documented default (enabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "With export allowed, anyone with pull rights can copy every image to a \
                        registry outside the entity's control; disabling it restricts where the \
                        artifacts can be transmitted (CC6.7).",
            remediation: "Portal: not available. CLI: az acr update -n <registry> \
                          --public-network-enabled false --allow-exports false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, export_policy),
    },
    Check {
        meta: CheckMeta {
            id: "acr_customer_managed_key",
            title: "Container registries encrypt content with a customer-managed key",
            service: "acr",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &["5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580"],
            description: "Passes when properties.encryption.status is enabled (a Key Vault key \
                          encrypts the registry); disabled fails; absent is an error. The key \
                          identifier is recorded.",
            rationale: "A key in the entity's own Key Vault lets it control, rotate and revoke access \
                        to the registry's encryption (CC6.1). Low severity: content is encrypted \
                        with service-managed keys regardless.",
            remediation: "Customer-managed keys are set when the registry is created. CLI: az acr \
                          create -g <rg> -n <registry> --sku Premium --key-encryption-key <key-uri> \
                          --identity <user-assigned-identity-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, customer_managed_key),
    },
];

/// A `policies.<name>.status` (or other lower-case enabled/disabled status) where `want` is
/// compliant; absent is an error naming it.
fn status_is(r: &Resource, pointer: &str, want: &str, pass: &str, fail: &str) -> Verdict {
    let key = format!("properties{}", pointer.replace('/', "."));
    let value = props::value(r, pointer);
    match value {
        Some(Value::String(s)) if s.eq_ignore_ascii_case(want) => Verdict::pass(pass),
        Some(Value::String(s)) => Verdict::fail(format!("{fail} ({key} is {s})")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(props::absent_reason(r, pointer)),
    }
    .observe_prop(&key, r, pointer)
}

fn admin_user_disabled(r: &Resource) -> Verdict {
    match require_bool(r, "/adminUserEnabled") {
        Ok(false) => Verdict::pass("the admin user is disabled"),
        Ok(true) => Verdict::fail("the admin user is enabled"),
        Err(v) => return v,
    }
    .observe_prop("properties.adminUserEnabled", r, "/adminUserEnabled")
}

fn public_network_restricted(r: &Resource) -> Verdict {
    let pna = props::value(r, "/publicNetworkAccess");
    let action = props::value(r, "/networkRuleSet/defaultAction");
    let v = match (pna.and_then(Value::as_str), action.and_then(Value::as_str)) {
        (Some("Disabled"), _) => Verdict::pass("public network access is disabled"),
        (_, Some("Deny")) => super::storage::deny_by_default_verdict(
            r.prop("/networkRuleSet/ipRules"),
            "properties.networkRuleSet.ipRules",
            "value",
            &[],
        ),
        (Some(p), Some(a)) => Verdict::fail(format!(
            "public network access is {p} and the firewall default action is {a}"
        )),
        (Some(p), None) => Verdict::fail(format!(
            "public network access is {p} and there is no firewall rule set"
        )),
        (None, _) => {
            Verdict::error("properties.publicNetworkAccess is not present in the collected data")
        }
    };
    v.observe("properties.publicNetworkAccess", pna)
        .observe("properties.networkRuleSet.defaultAction", action)
        .observe(
            "properties.networkRuleSet.ipRules",
            r.prop("/networkRuleSet/ipRules"),
        )
}

fn anonymous_pull_disabled(r: &Resource) -> Verdict {
    let key = "properties.anonymousPullEnabled";
    if !props::body_present(r) {
        return Verdict::error("the registry's properties were not collected").observe(key, None);
    }
    let value = props::value(r, "/anonymousPullEnabled");
    match value {
        Some(Value::Bool(false)) => Verdict::pass("anonymous pull is disabled"),
        Some(Value::Bool(true)) => Verdict::fail("anonymous pull is enabled"),
        None => Verdict::pass(
            "anonymousPullEnabled is not set; Azure documents the default as false (anonymous \
             pull disabled)",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/anonymousPullEnabled")
}

fn retention_policy(r: &Resource) -> Verdict {
    status_is(
        r,
        "/policies/retentionPolicy/status",
        "enabled",
        "untagged manifests are purged by a retention policy",
        "no retention policy purges untagged manifests",
    )
    .observe_prop(
        "properties.policies.retentionPolicy.days",
        r,
        "/policies/retentionPolicy/days",
    )
}

fn content_trust(r: &Resource) -> Verdict {
    status_is(
        r,
        "/policies/trustPolicy/status",
        "enabled",
        "content trust is enforced",
        "content trust is not enforced",
    )
}

fn zone_redundancy(r: &Resource) -> Verdict {
    status_is(
        r,
        "/zoneRedundancy",
        "Enabled",
        "the registry is zone redundant",
        "the registry is not zone redundant",
    )
}

fn export_policy(r: &Resource) -> Verdict {
    let key = "properties.policies.exportPolicy.status";
    if !props::body_present(r) {
        return Verdict::error("the registry's properties were not collected").observe(key, None);
    }
    if props::value(r, "/policies/exportPolicy/status").is_none() {
        return Verdict::fail(
            "no export policy is set; Azure documents the default as enabled (export allowed)",
        )
        .observe(key, None);
    }
    status_is(
        r,
        "/policies/exportPolicy/status",
        "disabled",
        "artifact export is blocked",
        "artifacts can be exported to other registries",
    )
}

fn customer_managed_key(r: &Resource) -> Verdict {
    status_is(
        r,
        "/encryption/status",
        "enabled",
        "content is encrypted with a customer-managed key",
        "content is encrypted with service-managed keys",
    )
    .observe_prop(
        "properties.encryption.keyVaultProperties.keyIdentifier",
        r,
        "/encryption/keyVaultProperties/keyIdentifier",
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture_resource, set_prop, without_body};
    use crate::model::Resource;

    /// myRegistry (Standard): admin user off, public with firewall Allow, every policy disabled
    /// except export (enabled), encryption disabled, zone redundancy Disabled, no
    /// anonymousPullEnabled.
    const LIST: &str = "containerregistry/container_registries_list.2025-04-01.json";

    fn registry() -> Resource {
        fixture_resource(LIST, 0)
    }
    fn registry_with(pointer: &str, value: Value) -> Resource {
        let mut r = registry();
        set_prop(&mut r, pointer, value);
        r
    }
    fn uncollected() -> Resource {
        let mut r = registry();
        r.properties = Value::Null;
        r
    }

    #[test]
    fn acr_admin_user_disabled_pass() {
        let v = eval_resource("acr_admin_user_disabled", &registry());
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.adminUserEnabled"], json!(false));
    }
    #[test]
    fn acr_admin_user_disabled_fail() {
        let v = eval_resource(
            "acr_admin_user_disabled",
            &registry_with("/adminUserEnabled", json!(true)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the admin user is enabled")
        );
    }
    #[test]
    fn acr_admin_user_disabled_missing() {
        let v = eval_resource(
            "acr_admin_user_disabled",
            &registry_with("/adminUserEnabled", Value::Null),
        );
        // Absent is the documented default, false.
        assert_eq!(v.status, S::Pass);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        let v = eval_resource("acr_admin_user_disabled", &without_body(&registry()));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_public_network_restricted_pass() {
        let v = eval_resource(
            "acr_public_network_restricted",
            &registry_with("/networkRuleSet/defaultAction", json!("Deny")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "the firewall denies by default; its 0 IP rule(s) do not cover the internet"
            )
        );
        let mut r = registry_with("/networkRuleSet/defaultAction", json!("Deny"));
        set_ip_rules(&mut r, &["0.0.0.0/1", "10.0.0.0/8"]);
        assert_eq!(
            eval_resource("acr_public_network_restricted", &r).status,
            S::Pass
        );
        let v = eval_resource(
            "acr_public_network_restricted",
            &registry_with("/publicNetworkAccess", json!("Disabled")),
        );
        assert_eq!(v.status, S::Pass);
    }
    fn set_ip_rules(r: &mut Resource, values: &[&str]) {
        let rules: Vec<Value> = values
            .iter()
            .map(|v| json!({"action": "Allow", "value": v}))
            .collect();
        set_prop(r, "/networkRuleSet/ipRules", Value::from(rules));
    }

    #[test]
    fn acr_ip_rules_that_together_cover_the_internet_fail() {
        let mut r = registry_with("/networkRuleSet/defaultAction", json!("Deny"));
        set_ip_rules(&mut r, &["0.0.0.0/1", "203.0.113.4", "128.0.0.0/1"]);
        let v = eval_resource("acr_public_network_restricted", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(
            v.reason,
            "the firewall denies by default, but its IP rules together admit every public IPv4 \
             address: 0.0.0.0/1, 128.0.0.0/1"
        );
        // A bad value, or rules not returned behind a Deny, is an error.
        set_ip_rules(&mut r, &["300.0.0.0/1"]);
        let v = eval_resource("acr_public_network_restricted", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("\"300.0.0.0/1\""), "{}", v.reason);
        set_prop(&mut r, "/networkRuleSet/ipRules", Value::Null);
        let v = eval_resource("acr_public_network_restricted", &r);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("networkRuleSet.ipRules"), "{}", v.reason);
    }

    #[test]
    fn acr_public_network_restricted_fail() {
        let v = eval_resource("acr_public_network_restricted", &registry());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "public network access is Enabled and the firewall default action is Allow"
            )
        );
    }
    #[test]
    fn acr_public_network_restricted_missing() {
        let v = eval_resource(
            "acr_public_network_restricted",
            &registry_with("/publicNetworkAccess", Value::Null),
        );
        // Absent is the documented default, Enabled, and the firewall allows by default.
        assert_eq!(v.status, S::Fail);
        let v2 = eval_resource("acr_public_network_restricted", &without_body(&registry()));
        assert_eq!(v2.status, S::Error);
        assert_eq!(
            v.observed["properties.networkRuleSet.defaultAction"],
            json!("Allow")
        );
    }

    #[test]
    fn acr_anonymous_pull_disabled_pass() {
        // Microsoft's example omits anonymousPullEnabled: the documented default, false.
        let v = eval_resource("acr_anonymous_pull_disabled", &registry());
        assert_eq!(v.status, S::Pass);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(v.observed["properties.anonymousPullEnabled"], Value::Null);
        let v = eval_resource(
            "acr_anonymous_pull_disabled",
            &registry_with("/anonymousPullEnabled", json!(false)),
        );
        assert_eq!(v.reason, "anonymous pull is disabled");
    }
    #[test]
    fn acr_anonymous_pull_disabled_fail() {
        let v = eval_resource(
            "acr_anonymous_pull_disabled",
            &registry_with("/anonymousPullEnabled", json!(true)),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn acr_anonymous_pull_disabled_missing() {
        let v = eval_resource("acr_anonymous_pull_disabled", &uncollected());
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "acr_anonymous_pull_disabled",
            &registry_with("/anonymousPullEnabled", json!("no")),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_retention_policy_enabled_pass() {
        let v = eval_resource(
            "acr_retention_policy_enabled",
            &registry_with("/policies/retentionPolicy/status", json!("enabled")),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.policies.retentionPolicy.days"],
            json!(7)
        );
    }
    #[test]
    fn acr_retention_policy_enabled_fail() {
        let v = eval_resource("acr_retention_policy_enabled", &registry());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "no retention policy purges untagged manifests \
                 (properties.policies.retentionPolicy.status is disabled)"
            )
        );
    }
    #[test]
    fn acr_retention_policy_enabled_missing() {
        let v = eval_resource(
            "acr_retention_policy_enabled",
            &registry_with("/policies/retentionPolicy", Value::Null),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        let v = eval_resource("acr_retention_policy_enabled", &without_body(&registry()));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_content_trust_enabled_pass() {
        let v = eval_resource(
            "acr_content_trust_enabled",
            &registry_with("/policies/trustPolicy/status", json!("enabled")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn acr_content_trust_enabled_fail() {
        let v = eval_resource("acr_content_trust_enabled", &registry());
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.policies.trustPolicy.status"],
            json!("disabled")
        );
    }
    #[test]
    fn acr_content_trust_enabled_missing() {
        let v = eval_resource(
            "acr_content_trust_enabled",
            &registry_with("/policies", Value::Null),
        );
        // Absent is the documented default, disabled.
        assert_eq!(v.status, S::Fail);
        let v = eval_resource("acr_content_trust_enabled", &without_body(&registry()));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_zone_redundancy_enabled_pass() {
        let v = eval_resource(
            "acr_zone_redundancy_enabled",
            &registry_with("/zoneRedundancy", json!("Enabled")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn acr_zone_redundancy_enabled_fail() {
        let v = eval_resource("acr_zone_redundancy_enabled", &registry());
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn acr_zone_redundancy_enabled_missing() {
        let v = eval_resource(
            "acr_zone_redundancy_enabled",
            &registry_with("/zoneRedundancy", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("zoneRedundancy"));
        let v = eval_resource("acr_zone_redundancy_enabled", &without_body(&registry()));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_export_policy_disabled_pass() {
        let v = eval_resource(
            "acr_export_policy_disabled",
            &registry_with("/policies/exportPolicy/status", json!("disabled")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "artifact export is blocked")
        );
    }
    #[test]
    fn acr_export_policy_disabled_fail() {
        let v = eval_resource("acr_export_policy_disabled", &registry());
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "acr_export_policy_disabled",
            &registry_with("/policies/exportPolicy", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default \"enabled\""),
            "{}",
            v.reason
        );
    }
    #[test]
    fn acr_export_policy_disabled_missing() {
        let v = eval_resource("acr_export_policy_disabled", &uncollected());
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn acr_customer_managed_key_pass() {
        let mut r = registry_with("/encryption/status", json!("enabled"));
        set_prop(
            &mut r,
            "/encryption/keyVaultProperties",
            json!({"keyIdentifier": "https://v.vault.azure.net/keys/k"}),
        );
        let v = eval_resource("acr_customer_managed_key", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.encryption.keyVaultProperties.keyIdentifier"],
            json!("https://v.vault.azure.net/keys/k")
        );
    }
    #[test]
    fn acr_customer_managed_key_fail() {
        let v = eval_resource("acr_customer_managed_key", &registry());
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("service-managed"));
    }
    #[test]
    fn acr_customer_managed_key_missing() {
        let v = eval_resource(
            "acr_customer_managed_key",
            &registry_with("/encryption", Value::Null),
        );
        assert_eq!(v.status, S::Error);
    }
}
