//! Azure Database for PostgreSQL flexible server checks
//! (`Microsoft.DBforPostgreSQL/flexibleServers`): transport security, network exposure,
//! authentication, connection and checkpoint logging, backup and high availability.
//!
//! Server parameters are not in Resource Graph: the collector lists them from ARM into the child
//! `configurations` (an array of `{name, properties.value}`). A parameter missing from a
//! collected list is an error, never a default.
//!
//! The server-parameter and property readers here are shared with `mysql.rs`: both flexible
//! server APIs return the same shapes.
//!
//! Microsoft's SOC 2 initiative cross-references "Enforce SSL connection should be enabled for
//! PostgreSQL database servers" and "Geo-redundant backup should be enabled for Azure Database for
//! PostgreSQL", but both test the retired single server (`Microsoft.DBforPostgreSQL/servers`,
//! `sslEnforcement` and `storageProfile.geoRedundantBackup`) and never evaluate a flexible
//! server, so they are not listed in `policies`.

use serde_json::Value;

use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.dbforpostgresql/flexibleservers";
const RG: &str = "resource_graph.resources";
const CONF: &str = "arm.postgres_configurations";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "postgres_require_secure_transport",
            title: "PostgreSQL flexible servers require encrypted connections",
            service: "postgres",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.7"],
            cis: &["3.0.0:5.2.1"],
            policies: &[],
            description: "Reads the server parameter require_secure_transport from the collected \
                          configurations. Passes when its value is on; off fails; the parameter \
                          missing from the list, or the list not collected, is an error.",
            rationale: "With secure transport off, clients may connect without TLS and send \
                        credentials and data in clear text; CC6.7 requires protected transmission.",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          require_secure_transport = ON. CLI: az postgres flexible-server parameter \
                          set -g <rg> -s <server> -n require_secure_transport -v on",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, require_secure_transport),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_minimum_tls_1_2",
            title: "PostgreSQL flexible servers require TLS 1.2 or later",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Reads the server parameter ssl_min_protocol_version. Passes when it is \
                          TLSv1.2 or TLSv1.3; TLSv1 and TLSv1.1 fail; the parameter missing, or the \
                          list not collected, is an error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          ssl_min_protocol_version = TLSv1.2. CLI: az postgres flexible-server \
                          parameter set -g <rg> -s <server> -n ssl_min_protocol_version -v TLSv1.2",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_log_checkpoints",
            title: "PostgreSQL flexible servers log checkpoints",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["3.0.0:5.2.2"],
            policies: &[],
            description: "Reads the server parameter log_checkpoints. Passes when it is on; off \
                          fails; the parameter missing, or the list not collected, is an error.",
            rationale: "Checkpoint logs show write activity and its timing in the server log, which \
                        helps detect and reconstruct abnormal operation (CC7.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          log_checkpoints = ON. CLI: az postgres flexible-server parameter set -g \
                          <rg> -s <server> -n log_checkpoints -v on",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, log_checkpoints),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_log_connections",
            title: "PostgreSQL flexible servers log connections",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &[],
            description: "Reads the server parameter log_connections. Passes when it is on; off \
                          fails; the parameter missing, or the list not collected, is an error.",
            rationale: "Connection logs record who connected from where, including failed \
                        authentication; without them, brute force and misuse of credentials cannot \
                        be detected or investigated (CC7.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          log_connections = ON. CLI: az postgres flexible-server parameter set -g \
                          <rg> -s <server> -n log_connections -v on",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, log_connections),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_log_disconnections",
            title: "PostgreSQL flexible servers log disconnections",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &[],
            description: "Reads the server parameter log_disconnections. Passes when it is on; off \
                          fails; the parameter missing, or the list not collected, is an error.",
            rationale: "Disconnection logs give each session's end and duration, completing the \
                        session trail investigators rely on (CC7.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          log_disconnections = ON. CLI: az postgres flexible-server parameter set \
                          -g <rg> -s <server> -n log_disconnections -v on",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, log_disconnections),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_connection_throttling",
            title: "PostgreSQL flexible servers throttle repeated failed logins",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["CC6.6"],
            cis: &["3.0.0:5.2.3"],
            policies: &[],
            description: "Reads the server parameter connection_throttle.enable. Passes when it is \
                          on; off fails; the parameter missing, or the list not collected, is an \
                          error.",
            rationale: "Throttling temporarily blocks an address after too many failed logins, \
                        slowing password guessing from outside the system boundary (CC6.6).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          connection_throttle.enable = ON. CLI: az postgres flexible-server \
                          parameter set -g <rg> -s <server> -n connection_throttle.enable -v on",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, connection_throttling),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_log_retention_days",
            title: "PostgreSQL flexible servers keep server logs more than 3 days",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["3.0.0:5.2.4"],
            policies: &[],
            description: "Reads the server parameter logfiles.retention_days (1 to 7). Passes when \
                          it is greater than 3; 3 or less fails; a non-numeric value, the parameter \
                          missing, or the list not collected, is an error. Logs exported through \
                          diagnostic settings are retained by their destination instead.",
            rationale: "Server logs deleted within a few days may be gone before an anomaly is \
                        noticed; CIS asks for more than 3 days so events can be investigated \
                        (CC7.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Server parameters > \
                          logfiles.retention_days = 4 to 7. CLI: az postgres flexible-server \
                          parameter set -g <rg> -s <server> -n logfiles.retention_days -v 7",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, log_retention_days),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_public_network_access_disabled",
            title: "PostgreSQL flexible servers disable public network access",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.network.publicNetworkAccess is Disabled (the \
                          server is reached through virtual network integration or private \
                          endpoints only); Enabled fails; absent is an error.",
            rationale: "A server with no public endpoint cannot be reached from the internet at all, \
                        so firewall-rule mistakes cannot expose it (CC6.6).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Networking > Public access \
                          = Disabled (add a private endpoint first). CLI: az postgres flexible-server \
                          update -g <rg> -n <server> --public-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_geo_redundant_backup",
            title: "PostgreSQL flexible servers keep geo-redundant backups",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.backup.geoRedundantBackup is Enabled; Disabled \
                          fails; absent is an error. Geo-redundancy can only be chosen when the \
                          server is created.",
            rationale: "Geo-redundant backups are copied to the paired region, so the server can be \
                        restored after a regional outage (A1.2).",
            remediation: "Portal: create the server (or restore a backup to a new server) with Backup \
                          redundancy = Geo-redundant, then migrate. CLI: az postgres flexible-server \
                          geo-restore or az postgres flexible-server create ... --geo-redundant-backup \
                          Enabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, geo_redundant_backup),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_backup_retention_7_days",
            title: "PostgreSQL flexible servers keep backups at least 7 days",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.backup.backupRetentionDays is 7 or more (Azure \
                          allows 7 to 35); less fails; absent is an error.",
            rationale: "The retention window bounds how far back data can be restored after \
                        corruption or deletion (A1.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > Compute + storage > Backup \
                          retention period (7 to 35 days). CLI: az postgres flexible-server update \
                          -g <rg> -n <server> --backup-retention 14",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, backup_retention),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_high_availability_zone_redundant",
            title: "PostgreSQL flexible servers use zone-redundant high availability",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.highAvailability.mode is ZoneRedundant (a standby \
                          in another availability zone); SameZone and Disabled fail; absent is an \
                          error. The standby zone and HA state are recorded.",
            rationale: "A standby in another zone takes over automatically when a zone fails, \
                        keeping the database available without a restore (A1.2).",
            remediation: "Portal: PostgreSQL flexible server > Settings > High availability > \
                          Zone-redundant. CLI: az postgres flexible-server update -g <rg> -n \
                          <server> --high-availability ZoneRedundant",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, high_availability),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_entra_authentication",
            title: "PostgreSQL flexible servers accept Microsoft Entra authentication",
            service: "postgres",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.authConfig.activeDirectoryAuth is Enabled; Disabled \
                          fails; absent is an error.",
            rationale: "Entra authentication lets database access follow directory accounts and \
                        groups with MFA and central disablement, instead of per-server passwords \
                        (CC6.1, CC6.2).",
            remediation: "Portal: PostgreSQL flexible server > Security > Authentication > Microsoft \
                          Entra authentication (or PostgreSQL and Microsoft Entra), then add an \
                          Entra administrator. CLI: az postgres flexible-server update -g <rg> -n \
                          <server> --microsoft-entra-auth Enabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, entra_authentication),
    },
    Check {
        meta: CheckMeta {
            id: "postgres_password_auth_disabled",
            title: "PostgreSQL flexible servers accept Microsoft Entra authentication only",
            service: "postgres",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.authConfig.passwordAuth is Disabled (PostgreSQL \
                          password logins, including the administrator login, are refused); Enabled \
                          fails; absent is an error.",
            rationale: "Password logins bypass the directory: no MFA, no conditional access, no \
                        central disablement. Entra-only authentication removes them (CC6.1).",
            remediation: "Portal: PostgreSQL flexible server > Security > Authentication > Microsoft \
                          Entra authentication only. CLI: az postgres flexible-server update -g <rg> \
                          -n <server> --password-auth Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, password_auth_disabled),
    },
];

// ---- Shared with mysql.rs ----

/// The value of a server parameter from the collected `configurations` child (the ARM list
/// body, or a bare array). `Err` is the error verdict: list not collected, malformed, or without
/// this parameter; Azure lists every parameter, so a missing one is unknown, not a default.
pub(super) fn server_parameter<'a>(r: &'a Resource, name: &str) -> Result<&'a str, Verdict> {
    let key = "configurations";
    let obs = format!("{key}.{name}");
    let Some(body) = r.child(key) else {
        return Err(
            Verdict::error(format!("the server parameters ({key}) were not collected"))
                .observe(&obs, None),
        );
    };
    let items = match body {
        Value::Array(items) => Some(items),
        other => other.get("value").and_then(Value::as_array),
    };
    let Some(items) = items else {
        return Err(
            Verdict::error(format!("{key} has unexpected value {body}")).observe(&obs, None)
        );
    };
    let Some(item) = items
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
    else {
        return Err(Verdict::error(format!(
            "server parameter {name} is not in the collected configurations"
        ))
        .observe(&obs, None));
    };
    // The item's ARM type names the rows of its properties (`props::ROWS`).
    let ty = format!("{}/configurations", r.r#type);
    match props::item_value(&ty, item, "/value") {
        Some(Value::String(v)) => Ok(v),
        Some(other) => Err(Verdict::error(format!(
            "server parameter {name} has unexpected value {other}"
        ))
        .observe(&obs, Some(other))),
        None => Err(Verdict::error(format!(
            "server parameter {name} has no properties.value in the collected configurations"
        ))
        .observe(&obs, None)),
    }
}

/// A server parameter judged by `accept`; the value is recorded as `configurations.<name>`.
pub(super) fn parameter_verdict(
    r: &Resource,
    name: &str,
    accept: fn(&str) -> bool,
    pass: &str,
) -> Verdict {
    let value = match server_parameter(r, name) {
        Ok(v) => v,
        Err(v) => return v,
    };
    let v = if accept(value) {
        Verdict::pass(pass)
    } else {
        Verdict::fail(format!("server parameter {name} is {value}"))
    };
    v.observe_value(&format!("configurations.{name}"), Value::from(value))
}

/// `on`/`ON`, as PostgreSQL and MySQL spell an enabled boolean parameter.
pub(super) fn is_on(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("on")
}

/// A string property (JSON pointer below `properties`) that passes only with `expected`.
/// Fails with the value seen; absent is an error naming the property.
pub(super) fn property_is(r: &Resource, pointer: &str, expected: &str, pass: &str) -> Verdict {
    let key = format!("properties{}", pointer.replace('/', "."));
    match require_str(r, pointer) {
        Ok(v) if v.eq_ignore_ascii_case(expected) => Verdict::pass(pass),
        Ok(v) => Verdict::fail(format!("{key} is {v}")),
        Err(v) => return v,
    }
    .observe_prop(&key, r, pointer)
}

/// `properties.backup.backupRetentionDays` of at least `min` days.
pub(super) fn backup_retention_at_least(r: &Resource, min: u64) -> Verdict {
    let pointer = "/backup/backupRetentionDays";
    let key = "properties.backup.backupRetentionDays";
    let value = props::value(r, pointer);
    match value.map(|v| (v, v.as_u64())) {
        Some((_, Some(d))) if d >= min => {
            Verdict::pass(format!("backup retention is {d} days (minimum {min})"))
        }
        Some((_, Some(d))) => {
            Verdict::fail(format!("backup retention is only {d} days (minimum {min})"))
        }
        Some((other, None)) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    }
    .observe(key, value)
}

/// `properties.highAvailability.mode` ZoneRedundant, with the standby zone and state recorded.
pub(super) fn zone_redundant_ha(r: &Resource) -> Verdict {
    property_is(
        r,
        "/highAvailability/mode",
        "ZoneRedundant",
        "high availability is zone redundant",
    )
    .observe_prop(
        "properties.highAvailability.standbyAvailabilityZone",
        r,
        "/highAvailability/standbyAvailabilityZone",
    )
    .observe_prop(
        "properties.highAvailability.state",
        r,
        "/highAvailability/state",
    )
}

// ---- PostgreSQL checks ----

fn require_secure_transport(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "require_secure_transport",
        is_on,
        "connections must use TLS",
    )
}

fn minimum_tls(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "ssl_min_protocol_version",
        |v| matches!(v.trim(), "TLSv1.2" | "TLSv1.3"),
        "the minimum TLS version is 1.2 or later",
    )
}

fn log_checkpoints(r: &Resource) -> Verdict {
    parameter_verdict(r, "log_checkpoints", is_on, "checkpoints are logged")
}

fn log_connections(r: &Resource) -> Verdict {
    parameter_verdict(r, "log_connections", is_on, "connections are logged")
}

fn log_disconnections(r: &Resource) -> Verdict {
    parameter_verdict(r, "log_disconnections", is_on, "disconnections are logged")
}

fn connection_throttling(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "connection_throttle.enable",
        is_on,
        "repeated failed logins are throttled",
    )
}

fn log_retention_days(r: &Resource) -> Verdict {
    let name = "logfiles.retention_days";
    let value = match server_parameter(r, name) {
        Ok(v) => v,
        Err(v) => return v,
    };
    let obs = format!("configurations.{name}");
    match value.trim().parse::<u32>() {
        Ok(d) if d > 3 => Verdict::pass(format!("server logs are kept {d} days")),
        Ok(d) => Verdict::fail(format!(
            "server logs are kept only {d} days (more than 3 required)"
        )),
        Err(_) => Verdict::error(format!(
            "server parameter {name} has unexpected value {value}"
        )),
    }
    .observe_value(&obs, Value::from(value))
}

fn public_network_access(r: &Resource) -> Verdict {
    property_is(
        r,
        "/network/publicNetworkAccess",
        "Disabled",
        "public network access is disabled",
    )
}

fn geo_redundant_backup(r: &Resource) -> Verdict {
    property_is(
        r,
        "/backup/geoRedundantBackup",
        "Enabled",
        "backups are geo-redundant",
    )
}

fn backup_retention(r: &Resource) -> Verdict {
    backup_retention_at_least(r, 7)
}

fn high_availability(r: &Resource) -> Verdict {
    zone_redundant_ha(r)
}

fn entra_authentication(r: &Resource) -> Verdict {
    property_is(
        r,
        "/authConfig/activeDirectoryAuth",
        "Enabled",
        "Microsoft Entra authentication is enabled",
    )
}

fn password_auth_disabled(r: &Resource) -> Verdict {
    property_is(
        r,
        "/authConfig/passwordAuth",
        "Disabled",
        "password authentication is disabled",
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, fixture_resource, set_prop};
    use crate::model::Resource;

    /// pgtestsvc4 (index 0): private, zone-redundant HA; pgtestsvc1 (index 1): public, no HA.
    /// Both: Entra auth disabled, password auth enabled, 7-day local backups.
    const LIST: &str = "databases/postgresql_flexible_servers_list.2024-08-01.json";
    const CONFIGS: &str =
        "../handmade/databases/postgresql_flexible_server_configurations_list.2024-08-01.json";

    fn server(index: usize) -> Resource {
        fixture_resource(LIST, index)
    }

    /// The first server with the handmade configurations, `name` set to `value` (or removed
    /// when `value` is None).
    fn with_param(name: &str, value: Option<&str>) -> Resource {
        let mut body = fixture(CONFIGS);
        let items = body["value"].as_array_mut().unwrap();
        items.retain(|c| c["name"] != name);
        if let Some(v) = value {
            items.push(json!({"name": name, "properties": {"value": v}}));
        }
        let mut r = server(0);
        r.children.insert("configurations".into(), body);
        r
    }

    fn param_case(id: &str, name: &str, good: &str, bad: &str) {
        let v = eval_resource(id, &with_param(name, Some(good)));
        assert_eq!(v.status, S::Pass, "{id}: {}", v.reason);
        assert_eq!(v.observed[&format!("configurations.{name}")], json!(good));
        let v = eval_resource(id, &with_param(name, Some(bad)));
        assert_eq!(
            (v.status, v.reason),
            (S::Fail, format!("server parameter {name} is {bad}"))
        );
    }

    fn param_missing(id: &str, name: &str) {
        let v = eval_resource(id, &server(0));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("configurations"), "{}", v.reason);
        assert_eq!(v.observed[&format!("configurations.{name}")], Value::Null);
        let v = eval_resource(id, &with_param(name, None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains(name), "{}", v.reason);
    }

    #[test]
    fn postgres_require_secure_transport_pass() {
        // The handmade list has require_secure_transport = on.
        let mut r = server(0);
        r.children.insert("configurations".into(), fixture(CONFIGS));
        let v = eval_resource("postgres_require_secure_transport", &r);
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn postgres_require_secure_transport_fail() {
        param_case(
            "postgres_require_secure_transport",
            "require_secure_transport",
            "ON",
            "off",
        );
    }
    #[test]
    fn postgres_require_secure_transport_missing() {
        param_missing(
            "postgres_require_secure_transport",
            "require_secure_transport",
        );
        let mut r = server(0);
        r.children.insert("configurations".into(), json!("oops"));
        let v = eval_resource("postgres_require_secure_transport", &r);
        assert!(v.reason.contains("unexpected value"));
    }

    #[test]
    fn postgres_minimum_tls_1_2_pass() {
        for ok in ["TLSv1.2", "TLSv1.3"] {
            let v = eval_resource(
                "postgres_minimum_tls_1_2",
                &with_param("ssl_min_protocol_version", Some(ok)),
            );
            assert_eq!(v.status, S::Pass);
        }
    }
    #[test]
    fn postgres_minimum_tls_1_2_fail() {
        param_case(
            "postgres_minimum_tls_1_2",
            "ssl_min_protocol_version",
            "TLSv1.2",
            "TLSv1.1",
        );
    }
    #[test]
    fn postgres_minimum_tls_1_2_missing() {
        param_missing("postgres_minimum_tls_1_2", "ssl_min_protocol_version");
    }

    #[test]
    fn postgres_log_checkpoints_pass() {
        param_case("postgres_log_checkpoints", "log_checkpoints", "on", "off");
    }
    #[test]
    fn postgres_log_checkpoints_fail() {
        let v = eval_resource(
            "postgres_log_checkpoints",
            &with_param("log_checkpoints", Some("off")),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn postgres_log_checkpoints_missing() {
        param_missing("postgres_log_checkpoints", "log_checkpoints");
    }

    #[test]
    fn postgres_log_connections_pass() {
        param_case("postgres_log_connections", "log_connections", "on", "off");
    }
    #[test]
    fn postgres_log_connections_fail() {
        let v = eval_resource(
            "postgres_log_connections",
            &with_param("log_connections", Some("off")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server parameter log_connections is off")
        );
    }
    #[test]
    fn postgres_log_connections_missing() {
        param_missing("postgres_log_connections", "log_connections");
    }

    #[test]
    fn postgres_log_disconnections_pass() {
        param_case(
            "postgres_log_disconnections",
            "log_disconnections",
            "on",
            "off",
        );
    }
    #[test]
    fn postgres_log_disconnections_fail() {
        // The handmade list leaves log_disconnections at its default, off.
        let mut r = server(0);
        r.children.insert("configurations".into(), fixture(CONFIGS));
        let v = eval_resource("postgres_log_disconnections", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["configurations.log_disconnections"],
            json!("off")
        );
    }
    #[test]
    fn postgres_log_disconnections_missing() {
        param_missing("postgres_log_disconnections", "log_disconnections");
    }

    #[test]
    fn postgres_connection_throttling_pass() {
        param_case(
            "postgres_connection_throttling",
            "connection_throttle.enable",
            "on",
            "off",
        );
    }
    #[test]
    fn postgres_connection_throttling_fail() {
        let v = eval_resource(
            "postgres_connection_throttling",
            &with_param("connection_throttle.enable", Some("off")),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn postgres_connection_throttling_missing() {
        param_missing(
            "postgres_connection_throttling",
            "connection_throttle.enable",
        );
    }

    #[test]
    fn postgres_log_retention_days_pass() {
        let v = eval_resource(
            "postgres_log_retention_days",
            &with_param("logfiles.retention_days", Some("7")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "server logs are kept 7 days")
        );
    }
    #[test]
    fn postgres_log_retention_days_fail() {
        // The handmade list keeps the default, 3 days.
        let mut r = server(0);
        r.children.insert("configurations".into(), fixture(CONFIGS));
        let v = eval_resource("postgres_log_retention_days", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["configurations.logfiles.retention_days"],
            json!("3")
        );
    }
    #[test]
    fn postgres_log_retention_days_missing() {
        param_missing("postgres_log_retention_days", "logfiles.retention_days");
        let v = eval_resource(
            "postgres_log_retention_days",
            &with_param("logfiles.retention_days", Some("a week")),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn postgres_public_network_access_disabled_pass() {
        let v = eval_resource("postgres_public_network_access_disabled", &server(0));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.network.publicNetworkAccess"],
            json!("Disabled")
        );
    }
    #[test]
    fn postgres_public_network_access_disabled_fail() {
        let v = eval_resource("postgres_public_network_access_disabled", &server(1));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "properties.network.publicNetworkAccess is Enabled")
        );
    }
    #[test]
    fn postgres_public_network_access_disabled_missing() {
        let mut r = server(1);
        set_prop(&mut r, "/network/publicNetworkAccess", Value::Null);
        let v = eval_resource("postgres_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("publicNetworkAccess"));
    }

    #[test]
    fn postgres_geo_redundant_backup_pass() {
        let mut r = server(0);
        set_prop(&mut r, "/backup/geoRedundantBackup", json!("Enabled"));
        assert_eq!(
            eval_resource("postgres_geo_redundant_backup", &r).status,
            S::Pass
        );
    }
    #[test]
    fn postgres_geo_redundant_backup_fail() {
        let v = eval_resource("postgres_geo_redundant_backup", &server(0));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "properties.backup.geoRedundantBackup is Disabled")
        );
    }
    #[test]
    fn postgres_geo_redundant_backup_missing() {
        let mut r = server(0);
        set_prop(&mut r, "/backup/geoRedundantBackup", Value::Null);
        assert_eq!(
            eval_resource("postgres_geo_redundant_backup", &r).status,
            S::Error
        );
    }

    #[test]
    fn postgres_backup_retention_7_days_pass() {
        let v = eval_resource("postgres_backup_retention_7_days", &server(0));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "backup retention is 7 days (minimum 7)")
        );
    }
    #[test]
    fn postgres_backup_retention_7_days_fail() {
        let mut r = server(0);
        set_prop(&mut r, "/backup/backupRetentionDays", json!(3));
        let v = eval_resource("postgres_backup_retention_7_days", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.backup.backupRetentionDays"],
            json!(3)
        );
    }
    #[test]
    fn postgres_backup_retention_7_days_missing() {
        let mut r = server(0);
        set_prop(&mut r, "/backup/backupRetentionDays", Value::Null);
        assert_eq!(
            eval_resource("postgres_backup_retention_7_days", &r).status,
            S::Error
        );
        set_prop(&mut r, "/backup/backupRetentionDays", json!("seven"));
        assert_eq!(
            eval_resource("postgres_backup_retention_7_days", &r).status,
            S::Error
        );
    }

    #[test]
    fn postgres_high_availability_zone_redundant_pass() {
        let v = eval_resource("postgres_high_availability_zone_redundant", &server(0));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.highAvailability.standbyAvailabilityZone"],
            json!("2")
        );
    }
    #[test]
    fn postgres_high_availability_zone_redundant_fail() {
        let v = eval_resource("postgres_high_availability_zone_redundant", &server(1));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "properties.highAvailability.mode is Disabled")
        );
    }
    #[test]
    fn postgres_high_availability_zone_redundant_missing() {
        let mut r = server(1);
        set_prop(&mut r, "/highAvailability", Value::Null);
        assert_eq!(
            eval_resource("postgres_high_availability_zone_redundant", &r).status,
            S::Error
        );
    }

    #[test]
    fn postgres_entra_authentication_pass() {
        let mut r = server(0);
        set_prop(&mut r, "/authConfig/activeDirectoryAuth", json!("Enabled"));
        assert_eq!(
            eval_resource("postgres_entra_authentication", &r).status,
            S::Pass
        );
    }
    #[test]
    fn postgres_entra_authentication_fail() {
        let v = eval_resource("postgres_entra_authentication", &server(0));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "properties.authConfig.activeDirectoryAuth is Disabled"
            )
        );
    }
    #[test]
    fn postgres_entra_authentication_missing() {
        let mut r = server(0);
        set_prop(&mut r, "/authConfig", Value::Null);
        assert_eq!(
            eval_resource("postgres_entra_authentication", &r).status,
            S::Error
        );
    }

    #[test]
    fn postgres_password_auth_disabled_pass() {
        let mut r = server(0);
        set_prop(&mut r, "/authConfig/passwordAuth", json!("Disabled"));
        assert_eq!(
            eval_resource("postgres_password_auth_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn postgres_password_auth_disabled_fail() {
        let v = eval_resource("postgres_password_auth_disabled", &server(1));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.authConfig.passwordAuth"],
            json!("Enabled")
        );
    }
    #[test]
    fn postgres_password_auth_disabled_missing() {
        let mut r = server(1);
        set_prop(&mut r, "/authConfig/passwordAuth", Value::Null);
        assert_eq!(
            eval_resource("postgres_password_auth_disabled", &r).status,
            S::Error
        );
    }
}
