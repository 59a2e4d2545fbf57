//! Event Hubs and Service Bus namespace checks (`Microsoft.EventHub/namespaces`,
//! `Microsoft.ServiceBus/namespaces`): TLS version, network exposure and shared-access-signature
//! (local) authentication.
//!
//! Both namespace types expose the same three properties with the same meaning, so each
//! setting has one evaluation function registered once per type. Azure documents
//! `publicNetworkAccess` as enabled by default, so its absence fails (saying so); other absent
//! values are errors.

use serde_json::Value;

use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const EVENTHUB: &str = "microsoft.eventhub/namespaces";
const SERVICEBUS: &str = "microsoft.servicebus/namespaces";
const RG: &str = "resource_graph.resources";

const TLS_DESCRIPTION: &str = "Passes when properties.minimumTlsVersion is 1.2 or 1.3; 1.0 and \
                               1.1 fail; absent, or another value, is an error.";
const TLS_RATIONALE: &str = "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the \
                             transmission of data to be protected.";
const PNA_DESCRIPTION: &str = "Passes when properties.publicNetworkAccess is Disabled (private \
                               endpoints only). Enabled and SecuredByPerimeter fail, and so does \
                               absence, which Azure documents as enabled by default; a namespace \
                               whose properties were not collected is an error. Since \
                               catalogue 2026.12.0: absent properties.publicNetworkAccess is its \
                               documented default (Enabled) (docs/ABSENT_FIELDS.md), and a \
                               namespace returned with an empty properties object is an error.";
const PNA_RATIONALE: &str = "A namespace reachable from the internet depends on its credentials \
                             alone; with public access disabled, producers and consumers must be \
                             inside the network boundary (CC6.6).";
const LOCAL_DESCRIPTION: &str = "Passes when properties.disableLocalAuth is true (SAS keys and \
                                 connection strings are refused; clients use Microsoft Entra \
                                 tokens); false fails; absent is an error.";
const LOCAL_RATIONALE: &str = "Shared access keys are long-lived secrets embedded in connection \
                               strings: they cannot be tied to a caller and leak easily. Entra \
                               authentication gives identified, revocable, role-scoped access \
                               (CC6.1).";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "messaging_eventhub_minimum_tls_1_2",
            title: "Event Hubs namespaces require TLS 1.2 or later",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: TLS_DESCRIPTION,
            rationale: TLS_RATIONALE,
            remediation: "Portal: Event Hubs namespace > Settings > Configuration > Minimum TLS \
                          version = 1.2. CLI: az eventhubs namespace update -g <rg> -n <namespace> \
                          --minimum-tls-version 1.2",
            sources: &[RG],
        },
        eval: Eval::Resource(EVENTHUB, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "messaging_eventhub_public_network_access_disabled",
            title: "Event Hubs namespaces disable public network access",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: PNA_DESCRIPTION,
            rationale: PNA_RATIONALE,
            remediation: "Portal: Event Hubs namespace > Settings > Networking > Public network \
                          access = Disabled (add a private endpoint first). CLI: az eventhubs \
                          namespace update -g <rg> -n <namespace> --public-network-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(EVENTHUB, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "messaging_eventhub_local_auth_disabled",
            title: "Event Hubs namespaces disable SAS (local) authentication",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: LOCAL_DESCRIPTION,
            rationale: LOCAL_RATIONALE,
            remediation: "Portal: Event Hubs namespace > Settings > Configuration > Local \
                          Authentication = Disabled. CLI: az eventhubs namespace update -g <rg> -n \
                          <namespace> --disable-local-auth true",
            sources: &[RG],
        },
        eval: Eval::Resource(EVENTHUB, local_auth_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "messaging_servicebus_minimum_tls_1_2",
            title: "Service Bus namespaces require TLS 1.2 or later",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: TLS_DESCRIPTION,
            rationale: TLS_RATIONALE,
            remediation: "Portal: Service Bus namespace > Settings > Configuration > Minimum TLS \
                          version = 1.2. CLI: az servicebus namespace update -g <rg> -n <namespace> \
                          --min-tls 1.2",
            sources: &[RG],
        },
        eval: Eval::Resource(SERVICEBUS, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "messaging_servicebus_public_network_access_disabled",
            title: "Service Bus namespaces disable public network access",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: PNA_DESCRIPTION,
            rationale: PNA_RATIONALE,
            remediation: "Portal: Service Bus namespace > Settings > Networking > Public network \
                          access = Disabled (Premium tier; add a private endpoint first). CLI: az \
                          servicebus namespace update -g <rg> -n <namespace> \
                          --public-network-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(SERVICEBUS, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "messaging_servicebus_local_auth_disabled",
            title: "Service Bus namespaces disable SAS (local) authentication",
            service: "messaging",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: LOCAL_DESCRIPTION,
            rationale: LOCAL_RATIONALE,
            remediation: "Portal: Service Bus namespace > Settings > Local Authentication = \
                          Disabled. CLI: az servicebus namespace update -g <rg> -n <namespace> \
                          --disable-local-auth true",
            sources: &[RG],
        },
        eval: Eval::Resource(SERVICEBUS, local_auth_disabled),
    },
];

fn minimum_tls(r: &Resource) -> Verdict {
    let key = "properties.minimumTlsVersion";
    match require_str(r, "/minimumTlsVersion") {
        Ok("1.2" | "1.3") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok(v @ ("1.0" | "1.1")) => Verdict::fail(format!("minimum TLS version is {v}")),
        Ok(v) => Verdict::error(format!("{key} has unexpected value {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/minimumTlsVersion")
}

fn public_network_access(r: &Resource) -> Verdict {
    let key = "properties.publicNetworkAccess";
    if !props::body_present(r) {
        return Verdict::error("the namespace's properties were not collected").observe(key, None);
    }
    let value = props::value(r, "/publicNetworkAccess");
    match value {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access is disabled")
        }
        Some(Value::String(s)) => Verdict::fail(format!("public network access is {s}")),
        None => Verdict::error(props::absent_reason(r, "/publicNetworkAccess")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/publicNetworkAccess")
}

fn local_auth_disabled(r: &Resource) -> Verdict {
    match require_bool(r, "/disableLocalAuth") {
        Ok(true) => Verdict::pass("SAS (local) authentication is disabled"),
        Ok(false) => Verdict::fail("SAS keys and connection strings are accepted"),
        Err(v) => return v,
    }
    .observe_prop("properties.disableLocalAuth", r, "/disableLocalAuth")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, resource, set_prop};
    use crate::model::Resource;

    /// Standard namespace: minimumTlsVersion 1.2, disableLocalAuth false, no
    /// publicNetworkAccess.
    const EVENTHUB: &str = "../handmade/messaging/eventhub_namespace_create.2024-01-01.json";
    /// Premium namespace: minimumTlsVersion 1.2, no disableLocalAuth, no publicNetworkAccess.
    const SERVICEBUS: &str = "../handmade/messaging/servicebus_namespace_create.2024-01-01.json";

    fn eventhub() -> Resource {
        resource(fixture(EVENTHUB))
    }
    fn servicebus() -> Resource {
        resource(fixture(SERVICEBUS))
    }
    fn with(mut r: Resource, pointer: &str, value: Value) -> Resource {
        set_prop(&mut r, pointer, value);
        r
    }
    fn uncollected(mut r: Resource) -> Resource {
        r.properties = Value::Null;
        r
    }

    fn tls_pass(id: &str, r: Resource) {
        let v = eval_resource(id, &r);
        assert_eq!(v.status, S::Pass, "{id}");
        assert_eq!(v.observed["properties.minimumTlsVersion"], json!("1.2"));
    }
    fn tls_fail(id: &str, r: Resource) {
        let v = eval_resource(id, &with(r, "/minimumTlsVersion", json!("1.0")));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "minimum TLS version is 1.0"),
            "{id}"
        );
    }
    fn tls_missing(id: &str, r: Resource) {
        let v = eval_resource(id, &with(r.clone(), "/minimumTlsVersion", Value::Null));
        assert_eq!(v.status, S::Error, "{id}");
        let v = eval_resource(id, &with(r, "/minimumTlsVersion", json!("TLS1_2")));
        assert_eq!(v.status, S::Error, "{id}");
    }

    fn pna_pass(id: &str, r: Resource) {
        let v = eval_resource(id, &with(r, "/publicNetworkAccess", json!("Disabled")));
        assert_eq!(v.status, S::Pass, "{id}");
    }
    fn pna_fail(id: &str, r: Resource) {
        // Microsoft's examples omit publicNetworkAccess: the documented default, enabled.
        let v = eval_resource(id, &r);
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(
            v.reason.contains("documented default \"Enabled\""),
            "{}",
            v.reason
        );
        assert_eq!(v.observed["properties.publicNetworkAccess"], Value::Null);
        let v = eval_resource(
            id,
            &with(r, "/publicNetworkAccess", json!("SecuredByPerimeter")),
        );
        assert_eq!(v.reason, "public network access is SecuredByPerimeter");
    }
    fn pna_missing(id: &str, r: Resource) {
        assert_eq!(eval_resource(id, &uncollected(r)).status, S::Error, "{id}");
    }

    #[test]
    fn messaging_eventhub_minimum_tls_1_2_pass() {
        tls_pass("messaging_eventhub_minimum_tls_1_2", eventhub());
    }
    #[test]
    fn messaging_eventhub_minimum_tls_1_2_fail() {
        tls_fail("messaging_eventhub_minimum_tls_1_2", eventhub());
    }
    #[test]
    fn messaging_eventhub_minimum_tls_1_2_missing() {
        tls_missing("messaging_eventhub_minimum_tls_1_2", eventhub());
    }

    #[test]
    fn messaging_eventhub_public_network_access_disabled_pass() {
        pna_pass(
            "messaging_eventhub_public_network_access_disabled",
            eventhub(),
        );
    }
    #[test]
    fn messaging_eventhub_public_network_access_disabled_fail() {
        pna_fail(
            "messaging_eventhub_public_network_access_disabled",
            eventhub(),
        );
    }
    #[test]
    fn messaging_eventhub_public_network_access_disabled_missing() {
        pna_missing(
            "messaging_eventhub_public_network_access_disabled",
            eventhub(),
        );
    }

    #[test]
    fn messaging_eventhub_local_auth_disabled_pass() {
        let v = eval_resource(
            "messaging_eventhub_local_auth_disabled",
            &with(eventhub(), "/disableLocalAuth", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn messaging_eventhub_local_auth_disabled_fail() {
        let v = eval_resource("messaging_eventhub_local_auth_disabled", &eventhub());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "SAS keys and connection strings are accepted")
        );
        assert_eq!(v.observed["properties.disableLocalAuth"], json!(false));
    }
    #[test]
    fn messaging_eventhub_local_auth_disabled_missing() {
        let v = eval_resource(
            "messaging_eventhub_local_auth_disabled",
            &with(eventhub(), "/disableLocalAuth", Value::Null),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn messaging_servicebus_minimum_tls_1_2_pass() {
        tls_pass("messaging_servicebus_minimum_tls_1_2", servicebus());
    }
    #[test]
    fn messaging_servicebus_minimum_tls_1_2_fail() {
        tls_fail("messaging_servicebus_minimum_tls_1_2", servicebus());
    }
    #[test]
    fn messaging_servicebus_minimum_tls_1_2_missing() {
        tls_missing("messaging_servicebus_minimum_tls_1_2", servicebus());
    }

    #[test]
    fn messaging_servicebus_public_network_access_disabled_pass() {
        pna_pass(
            "messaging_servicebus_public_network_access_disabled",
            servicebus(),
        );
    }
    #[test]
    fn messaging_servicebus_public_network_access_disabled_fail() {
        pna_fail(
            "messaging_servicebus_public_network_access_disabled",
            servicebus(),
        );
    }
    #[test]
    fn messaging_servicebus_public_network_access_disabled_missing() {
        pna_missing(
            "messaging_servicebus_public_network_access_disabled",
            servicebus(),
        );
    }

    #[test]
    fn messaging_servicebus_local_auth_disabled_pass() {
        let v = eval_resource(
            "messaging_servicebus_local_auth_disabled",
            &with(servicebus(), "/disableLocalAuth", json!(true)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "SAS (local) authentication is disabled")
        );
    }
    #[test]
    fn messaging_servicebus_local_auth_disabled_fail() {
        let v = eval_resource(
            "messaging_servicebus_local_auth_disabled",
            &with(servicebus(), "/disableLocalAuth", json!(false)),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn messaging_servicebus_local_auth_disabled_missing() {
        // Microsoft's Service Bus 200 body has no disableLocalAuth.
        let v = eval_resource("messaging_servicebus_local_auth_disabled", &servicebus());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("disableLocalAuth"));
    }
}
