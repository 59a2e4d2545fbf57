//! Azure SQL logical server checks (`Microsoft.Sql/servers`): auditing, server firewall,
//! transport security and public network exposure.
//!
//! Auditing settings and firewall rules are not in Resource Graph; the collector fetches them
//! per server from ARM into the resource's children (`auditingSettings/default`,
//! `firewallRules`). An absent child means "not collected", never "not configured".

use serde_json::Value;

use super::{Check, CheckMeta, Eval, Severity, Verdict, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.sql/servers";
const RG: &str = "resource_graph.resources";
const ARM: &str = "arm.sql_server_settings";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "sql_auditing_enabled",
            title: "SQL servers have auditing enabled",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &["2.1.0:4.1.1", "3.0.0:5.1.1"],
            policies: &[],
            description: "Reads the server's blob auditing policy (ARM servers/{server}/\
                          auditingSettings/default). Passes when properties.state is Enabled; \
                          Disabled fails; a policy not collected, or without state, is an error. \
                          Server-level auditing covers every database on the server.",
            rationale: "SQL audit logs record logins, permission changes and data access; without \
                        them, anomalous or malicious database activity cannot be detected or \
                        investigated (CC7.2).",
            remediation: "Portal: SQL server > Security > Auditing > Enable Azure SQL Auditing, \
                          choose a Log Analytics workspace or storage account. CLI: az sql server \
                          audit-policy update -g <rg> -n <server> --state Enabled \
                          --log-analytics-target-state Enabled \
                          --log-analytics-workspace-resource-id <workspace-id>",
            sources: &[RG, ARM],
        },
        eval: Eval::Resource(TYPE, auditing),
    },
    Check {
        meta: CheckMeta {
            id: "sql_no_allow_all_firewall",
            title: "SQL server firewalls do not admit every IPv4 address",
            service: "sql",
            severity: Severity::Critical,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.1.2", "3.0.0:5.1.2"],
            policies: &[],
            description: "Reads the server's firewall rules (ARM servers/{server}/firewallRules). \
                          Fails when any rule has properties.startIpAddress 0.0.0.0 and \
                          properties.endIpAddress 255.255.255.255 (the whole internet); the \
                          offending rule names are recorded. The 0.0.0.0-0.0.0.0 'Allow Azure \
                          services' rule is judged by its own check, \
                          sql_no_allow_azure_services_rule, so that this one keeps meaning \
                          'open to the internet'. The rule is judged even when public network \
                          access is disabled: it takes effect again the moment access is \
                          re-enabled. Rules not collected is an error.",
            rationale: "A 0.0.0.0-255.255.255.255 rule leaves only SQL authentication between the \
                        internet and the data; CC6.6 requires logical access measures against \
                        threats from outside the system boundary.",
            remediation: "Portal: SQL server > Security > Networking > Firewall rules > delete the \
                          rule and add only the client ranges that need access. CLI: az sql server \
                          firewall-rule delete -g <rg> -s <server> -n <rule>",
            sources: &[RG, ARM],
        },
        eval: Eval::Resource(TYPE, no_allow_all),
    },
    Check {
        meta: CheckMeta {
            id: "sql_no_allow_azure_services_rule",
            title: "SQL server firewalls do not admit all Azure services",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.1.2", "3.0.0:5.1.2"],
            policies: &[],
            description: "Reads the server's firewall rules (ARM servers/{server}/firewallRules). \
                          Fails when a rule has properties.startIpAddress and \
                          properties.endIpAddress both 0.0.0.0: the portal's 'Allow Azure services \
                          and resources to access this server' switch (usually named \
                          AllowAllWindowsAzureIps), which admits connections from any Azure \
                          address, including other customers' subscriptions. Rules not collected \
                          is an error.",
            rationale: "The rule trusts every workload hosted in Azure, not only the entity's own, \
                        so the network boundary no longer separates the server from other tenants \
                        (CC6.6, CC6.1). Private endpoints or virtual network rules give the \
                        entity's services access without it.",
            remediation: "Portal: SQL server > Security > Networking > Exceptions > clear 'Allow \
                          Azure services and resources to access this server'; use private \
                          endpoints or virtual network rules instead. CLI: az sql server \
                          firewall-rule delete -g <rg> -s <server> -n AllowAllWindowsAzureIps",
            sources: &[RG, ARM],
        },
        eval: Eval::Resource(TYPE, no_azure_services_rule),
    },
    Check {
        meta: CheckMeta {
            id: "sql_minimal_tls_1_2",
            title: "SQL servers require TLS 1.2 or later",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.minimalTlsVersion is 1.2 or 1.3; 1.0, 1.1 and None \
                          (any version accepted) fail; absent, or a value not among these, is an \
                          error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: SQL server > Security > Networking > Connectivity > Minimum TLS \
                          version = 1.2. CLI: az sql server update -g <rg> -n <server> \
                          --minimal-tls-version 1.2",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimal_tls),
    },
    Check {
        meta: CheckMeta {
            id: "sql_public_network_access_disabled",
            title: "SQL servers disable public network access",
            service: "sql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["3.0.0:5.1.7"],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled (only private \
                          endpoints reach the server). Enabled, and SecuredByPerimeter, fail with \
                          the value recorded; absent is an error.",
            rationale: "With public access disabled the server has no internet-facing endpoint at \
                        all, so firewall mistakes cannot expose it (CC6.6).",
            remediation: "Portal: SQL server > Security > Networking > Public access = Disable \
                          (create private endpoints first). CLI: az sql server update -g <rg> -n \
                          <server> --enable-public-network false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
];

fn auditing(r: &Resource) -> Verdict {
    let child = "auditingSettings/default";
    let key = "auditingSettings/default.state";
    let Some(policy) = r.child(child) else {
        return Verdict::error(format!("the auditing policy ({child}) was not collected"))
            .observe(key, None);
    };
    let state = policy.pointer("/properties/state").filter(|v| !v.is_null());
    let v = match state.and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("Enabled") => Verdict::pass("server auditing is enabled"),
        Some(s) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::fail("server auditing is disabled")
        }
        Some(s) => Verdict::error(format!("{key} has unexpected value {s}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    };
    v.observe(key, state)
        .observe(
            "auditingSettings/default.isAzureMonitorTargetEnabled",
            policy.pointer("/properties/isAzureMonitorTargetEnabled"),
        )
        .observe(
            "auditingSettings/default.retentionDays",
            policy.pointer("/properties/retentionDays"),
        )
}

/// The collected firewall rules as (name, start, end), or the error verdict when they were not
/// collected or cannot be read.
fn firewall_rules(r: &Resource) -> Result<Vec<(&str, &str, &str)>, Verdict> {
    let key = "firewallRules";
    let Some(body) = r.child(key) else {
        return Err(
            Verdict::error("the firewall rules (firewallRules) were not collected")
                .observe(key, None),
        );
    };
    // The collector stores the ARM list body; tolerate a bare array as well.
    let items = match body {
        Value::Array(items) => Some(items),
        other => other.get("value").and_then(Value::as_array),
    };
    let Some(items) = items else {
        return Err(
            Verdict::error(format!("firewallRules has unexpected value {body}"))
                .observe(key, Some(body)),
        );
    };
    let mut rules = Vec::with_capacity(items.len());
    for item in items {
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed rule)");
        let start = item
            .pointer("/properties/startIpAddress")
            .and_then(Value::as_str);
        let end = item
            .pointer("/properties/endIpAddress")
            .and_then(Value::as_str);
        match (start, end) {
            (Some(s), Some(e)) => rules.push((name, s.trim(), e.trim())),
            _ => {
                return Err(Verdict::error(format!(
                    "firewall rule {name} has no startIpAddress/endIpAddress"
                ))
                .observe(key, Some(item)));
            }
        }
    }
    Ok(rules)
}

/// Fails when any collected rule matches `offends`, naming the rules.
fn firewall_verdict(
    r: &Resource,
    offends: fn(&str, &str) -> bool,
    fail_what: &str,
    pass_what: &str,
) -> Verdict {
    let rules = match firewall_rules(r) {
        Ok(rules) => rules,
        Err(v) => return v,
    };
    let offending: Vec<&str> = rules
        .iter()
        .filter(|(_, s, e)| offends(s, e))
        .map(|(n, _, _)| *n)
        .collect();
    let v = if offending.is_empty() {
        Verdict::pass(pass_what)
    } else {
        Verdict::fail(format!("{fail_what}: {}", offending.join(", ")))
    };
    v.observe_value("offending_rules", Value::from(offending))
        .observe_value("firewallRules.count", Value::from(rules.len()))
        .observe(
            "properties.publicNetworkAccess",
            r.prop("/publicNetworkAccess"),
        )
}

fn no_allow_all(r: &Resource) -> Verdict {
    firewall_verdict(
        r,
        |start, end| start == "0.0.0.0" && end == "255.255.255.255",
        "firewall rules admit every IPv4 address",
        "no firewall rule admits 0.0.0.0-255.255.255.255",
    )
}

fn no_azure_services_rule(r: &Resource) -> Verdict {
    firewall_verdict(
        r,
        |start, end| start == "0.0.0.0" && end == "0.0.0.0",
        "firewall rules admit all Azure services (0.0.0.0-0.0.0.0)",
        "no firewall rule admits all Azure services",
    )
}

fn minimal_tls(r: &Resource) -> Verdict {
    let key = "properties.minimalTlsVersion";
    match require_str(r, "/minimalTlsVersion") {
        Ok("1.2" | "1.3") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok(v @ ("1.0" | "1.1")) => Verdict::fail(format!("minimum TLS version is {v}")),
        Ok("None") => Verdict::fail("no minimum TLS version is enforced (None)"),
        Ok(v) => Verdict::error(format!("{key} has unexpected value {v}")),
        Err(v) => return v,
    }
    .observe(key, r.prop("/minimalTlsVersion"))
}

fn public_network_access(r: &Resource) -> Verdict {
    let key = "properties.publicNetworkAccess";
    match require_str(r, "/publicNetworkAccess") {
        Ok("Disabled") => Verdict::pass("public network access is disabled"),
        Ok(v) => Verdict::fail(format!("public network access is {v}")),
        Err(v) => return v,
    }
    .observe(key, r.prop("/publicNetworkAccess"))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, fixture_resource, set_prop};
    use crate::model::Resource;

    const GET: &str = "sql/sql_server_get.2023-08-01.json";
    /// state = Disabled in Microsoft's example.
    const AUDITING: &str = "sql/sql_server_auditing_settings_get.2023-08-01.json";
    /// Four rules: 0.0.0.0-0.0.0.0 (Allow Azure services) and three single addresses.
    const FIREWALL: &str = "sql/sql_firewall_rules_list.2023-08-01.json";

    fn server_with(child: &str, body: Value) -> Resource {
        let mut r = fixture_resource(GET, 0);
        r.children.insert(child.into(), body);
        r
    }

    #[test]
    fn sql_auditing_enabled_pass() {
        let mut body = fixture(AUDITING);
        body["properties"]["state"] = json!("Enabled");
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", body),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["auditingSettings/default.state"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_auditing_enabled_fail() {
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", fixture(AUDITING)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server auditing is disabled")
        );
        assert_eq!(
            v.observed["auditingSettings/default.state"],
            json!("Disabled")
        );
    }
    #[test]
    fn sql_auditing_enabled_missing() {
        let v = eval_resource("sql_auditing_enabled", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("auditingSettings/default"));
        assert_eq!(v.observed["auditingSettings/default.state"], Value::Null);

        let mut body = fixture(AUDITING);
        body["properties"].as_object_mut().unwrap().remove("state");
        let v = eval_resource(
            "sql_auditing_enabled",
            &server_with("auditingSettings/default", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not present"));
    }

    #[test]
    fn sql_no_allow_all_firewall_pass() {
        // The example's 0.0.0.0-0.0.0.0 rule is the Azure-services rule, not an open firewall.
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", fixture(FIREWALL)),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["firewallRules.count"], json!(4));
        assert_eq!(v.observed["offending_rules"], json!([]));
    }
    #[test]
    fn sql_no_allow_all_firewall_fail() {
        let mut body = fixture(FIREWALL);
        body["value"].as_array_mut().unwrap().push(json!({
            "name": "open-to-all",
            "type": "Microsoft.Sql/servers/firewallRules",
            "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}
        }));
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "firewall rules admit every IPv4 address: open-to-all"
        );
        assert_eq!(v.observed["offending_rules"], json!(["open-to-all"]));
        assert_eq!(
            v.observed["properties.publicNetworkAccess"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_no_allow_all_firewall_missing() {
        let v = eval_resource("sql_no_allow_all_firewall", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("firewallRules"));
        assert_eq!(v.observed["firewallRules"], Value::Null);

        let mut body = fixture(FIREWALL);
        body["value"][1]["properties"] = json!({});
        let v = eval_resource(
            "sql_no_allow_all_firewall",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("firewallrulecrudtest-3927"));
    }

    #[test]
    fn sql_no_allow_azure_services_rule_pass() {
        let mut body = fixture(FIREWALL);
        body["value"].as_array_mut().unwrap().remove(0);
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", body),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // An empty rule list is a collected, closed firewall.
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", json!({"value": []})),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn sql_no_allow_azure_services_rule_fail() {
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", fixture(FIREWALL)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["offending_rules"],
            json!(["firewallrulecrudtest-2304"])
        );
    }
    #[test]
    fn sql_no_allow_azure_services_rule_missing() {
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &fixture_resource(GET, 0),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "sql_no_allow_azure_services_rule",
            &server_with("firewallRules", json!("oops")),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("unexpected value"));
    }

    #[test]
    fn sql_minimal_tls_1_2_pass() {
        for tls in ["1.2", "1.3"] {
            let mut r = fixture_resource(GET, 0);
            set_prop(&mut r, "/minimalTlsVersion", json!(tls));
            let v = eval_resource("sql_minimal_tls_1_2", &r);
            assert_eq!(v.status, S::Pass);
            assert_eq!(v.observed["properties.minimalTlsVersion"], json!(tls));
        }
    }
    #[test]
    fn sql_minimal_tls_1_2_fail() {
        for (tls, why) in [
            ("1.0", "minimum TLS version is 1.0"),
            ("1.1", "minimum TLS version is 1.1"),
            ("None", "no minimum TLS version is enforced (None)"),
        ] {
            let mut r = fixture_resource(GET, 0);
            set_prop(&mut r, "/minimalTlsVersion", json!(tls));
            let v = eval_resource("sql_minimal_tls_1_2", &r);
            assert_eq!((v.status, v.reason.as_str()), (S::Fail, why));
        }
    }
    #[test]
    fn sql_minimal_tls_1_2_missing() {
        // Microsoft's server example carries no minimalTlsVersion.
        let v = eval_resource("sql_minimal_tls_1_2", &fixture_resource(GET, 0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("minimalTlsVersion"));
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/minimalTlsVersion", json!("TLS1_2"));
        assert_eq!(eval_resource("sql_minimal_tls_1_2", &r).status, S::Error);
    }

    #[test]
    fn sql_public_network_access_disabled_pass() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/publicNetworkAccess", json!("Disabled"));
        assert_eq!(
            eval_resource("sql_public_network_access_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn sql_public_network_access_disabled_fail() {
        let v = eval_resource(
            "sql_public_network_access_disabled",
            &fixture_resource(GET, 0),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "public network access is Enabled")
        );
        assert_eq!(
            v.observed["properties.publicNetworkAccess"],
            json!("Enabled")
        );
    }
    #[test]
    fn sql_public_network_access_disabled_missing() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/publicNetworkAccess", json!(null));
        let v = eval_resource("sql_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("publicNetworkAccess"));
    }
}
