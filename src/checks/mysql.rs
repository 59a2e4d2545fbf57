//! Azure Database for MySQL flexible server checks (`Microsoft.DBforMySQL/flexibleServers`):
//! transport security, audit logging, network exposure, backup and high availability.
//!
//! Server parameters come from the collected child `configurations`; the readers are shared
//! with the PostgreSQL module, since both flexible-server APIs have the same shape.
//!
//! Microsoft's SOC 2 initiative cross-references "Enforce SSL connection should be enabled for
//! MySQL database servers" and "Geo-redundant backup should be enabled for Azure Database for
//! MySQL", but both test the retired single server (`Microsoft.DBforMySQL/servers`) and never
//! evaluate a flexible server, so they are not listed in `policies`.

use super::postgres::{
    backup_retention_at_least, is_on, parameter_verdict, property_is, zone_redundant_ha,
};
use super::{Check, CheckMeta, Eval, Severity, Verdict};
use crate::model::Resource;

const TYPE: &str = "microsoft.dbformysql/flexibleservers";
const RG: &str = "resource_graph.resources";
const CONF: &str = "arm.mysql_configurations";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "mysql_require_secure_transport",
            title: "MySQL flexible servers require encrypted connections",
            service: "mysql",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.7"],
            cis: &["3.0.0:5.3.1"],
            policies: &[],
            description: "Reads the server parameter require_secure_transport from the collected \
                          configurations. Passes when its value is ON; OFF fails; the parameter \
                          missing from the list, or the list not collected, is an error.",
            rationale: "With secure transport off, clients may connect without TLS and send \
                        credentials and data in clear text; CC6.7 requires protected transmission.",
            remediation: "Portal: MySQL flexible server > Settings > Server parameters > \
                          require_secure_transport = ON. CLI: az mysql flexible-server parameter set \
                          -g <rg> -s <server> -n require_secure_transport -v ON",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, require_secure_transport),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_tls_1_2",
            title: "MySQL flexible servers accept only TLS 1.2 or later",
            service: "mysql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &["2.1.0:4.4.2", "3.0.0:5.3.2"],
            policies: &[],
            description: "Reads the server parameter tls_version (a comma-separated list). Passes \
                          when every listed protocol is TLSv1.2 or TLSv1.3; a list that includes \
                          TLSv1 or TLSv1.1, or is empty, fails; the parameter missing, or the list \
                          not collected, is an error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: MySQL flexible server > Settings > Server parameters > tls_version \
                          = TLSv1.2 (and TLSv1.3 where offered), then restart. CLI: az mysql \
                          flexible-server parameter set -g <rg> -s <server> -n tls_version -v \
                          TLSv1.2",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, tls_version),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_audit_log_enabled",
            title: "MySQL flexible servers have audit logging enabled",
            service: "mysql",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &["2.1.0:4.4.3", "3.0.0:5.3.3"],
            policies: &[],
            description: "Reads the server parameter audit_log_enabled. Passes when it is ON; OFF \
                          fails; the parameter missing, or the list not collected, is an error.",
            rationale: "The MySQL audit log records connections, administrative statements and data \
                        access; without it, database misuse cannot be detected or investigated \
                        (CC7.2).",
            remediation: "Portal: MySQL flexible server > Settings > Server parameters > \
                          audit_log_enabled = ON, and send MySqlAuditLogs to a workspace with a \
                          diagnostic setting. CLI: az mysql flexible-server parameter set -g <rg> -s \
                          <server> -n audit_log_enabled -v ON",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, audit_log_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_audit_log_connection_events",
            title: "MySQL flexible server audit logs include connection events",
            service: "mysql",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &["2.1.0:4.4.4", "3.0.0:5.3.4"],
            policies: &[],
            description: "Reads the server parameter audit_log_events (a comma-separated list). \
                          Passes when it includes CONNECTION; otherwise fails; the parameter \
                          missing, or the list not collected, is an error. Whether auditing is on at \
                          all is mysql_audit_log_enabled.",
            rationale: "Connection events show who logged in, from where, and failed attempts, \
                        which is what detection of credential misuse depends on (CC7.2).",
            remediation: "Portal: MySQL flexible server > Settings > Server parameters > \
                          audit_log_events: include CONNECTION. CLI: az mysql flexible-server \
                          parameter set -g <rg> -s <server> -n audit_log_events -v CONNECTION,ADMIN",
            sources: &[RG, CONF],
        },
        eval: Eval::Resource(TYPE, audit_log_connection_events),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_public_network_access_disabled",
            title: "MySQL flexible servers disable public network access",
            service: "mysql",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.network.publicNetworkAccess is Disabled (virtual \
                          network integration or private endpoints only); Enabled fails; absent is \
                          an error.",
            rationale: "A server with no public endpoint cannot be reached from the internet, so \
                        firewall-rule mistakes cannot expose it (CC6.6).",
            remediation: "Portal: MySQL flexible server > Settings > Networking > Public access = \
                          Disabled (add a private endpoint first). CLI: az mysql flexible-server \
                          update -g <rg> -n <server> --public-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_geo_redundant_backup",
            title: "MySQL flexible servers keep geo-redundant backups",
            service: "mysql",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.backup.geoRedundantBackup is Enabled; Disabled \
                          fails; absent is an error.",
            rationale: "Geo-redundant backups are copied to the paired region, so the server can be \
                        restored after a regional outage (A1.2).",
            remediation: "Portal: MySQL flexible server > Settings > Compute + storage > Backup \
                          redundancy = Geo-redundant (or restore into a new geo-redundant server). \
                          CLI: az mysql flexible-server update -g <rg> -n <server> \
                          --geo-redundant-backup Enabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, geo_redundant_backup),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_high_availability_zone_redundant",
            title: "MySQL flexible servers use zone-redundant high availability",
            service: "mysql",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.highAvailability.mode is ZoneRedundant; SameZone and \
                          Disabled fail; absent is an error. The standby zone and HA state are \
                          recorded.",
            rationale: "A standby in another zone takes over automatically when a zone fails, \
                        keeping the database available without a restore (A1.2).",
            remediation: "Portal: MySQL flexible server > Settings > High availability > \
                          Zone-redundant. CLI: az mysql flexible-server update -g <rg> -n <server> \
                          --high-availability ZoneRedundant",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, high_availability),
    },
    Check {
        meta: CheckMeta {
            id: "mysql_backup_retention_7_days",
            title: "MySQL flexible servers keep backups at least 7 days",
            service: "mysql",
            severity: Severity::Low,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.backup.backupRetentionDays is 7 or more (Azure \
                          allows 1 to 35); less fails; absent is an error.",
            rationale: "The retention window bounds how far back data can be restored after \
                        corruption or deletion (A1.2).",
            remediation: "Portal: MySQL flexible server > Settings > Compute + storage > Backup \
                          retention period. CLI: az mysql flexible-server update -g <rg> -n \
                          <server> --backup-retention 14",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, backup_retention),
    },
];

fn require_secure_transport(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "require_secure_transport",
        is_on,
        "connections must use TLS",
    )
}

/// Every protocol in a comma-separated `tls_version` is 1.2 or later, and there is at least one.
fn modern_tls_only(value: &str) -> bool {
    let mut protocols = value.split(',').map(str::trim).filter(|p| !p.is_empty());
    let mut any = false;
    let all_modern = protocols.all(|p| {
        any = true;
        p.eq_ignore_ascii_case("TLSv1.2") || p.eq_ignore_ascii_case("TLSv1.3")
    });
    any && all_modern
}

fn tls_version(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "tls_version",
        modern_tls_only,
        "only TLS 1.2 or later is accepted",
    )
}

fn audit_log_enabled(r: &Resource) -> Verdict {
    parameter_verdict(r, "audit_log_enabled", is_on, "audit logging is enabled")
}

fn audit_log_connection_events(r: &Resource) -> Verdict {
    parameter_verdict(
        r,
        "audit_log_events",
        |v| {
            v.split(',')
                .any(|e| e.trim().eq_ignore_ascii_case("CONNECTION"))
        },
        "connection events are audited",
    )
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

fn high_availability(r: &Resource) -> Verdict {
    zone_redundant_ha(r)
}

fn backup_retention(r: &Resource) -> Verdict {
    backup_retention_at_least(r, 7)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, fixture_resource, set_prop};
    use crate::model::Resource;

    /// Three public servers, no HA, 7-day local backups.
    const LIST: &str = "databases/mysql_flexible_servers_list.2023-12-30.json";
    /// require_secure_transport ON, tls_version TLSv1.2, audit_log_enabled OFF,
    /// audit_log_events CONNECTION.
    const CONFIGS: &str =
        "../handmade/databases/mysql_flexible_server_configurations_list.2023-12-30.json";

    fn server() -> Resource {
        fixture_resource(LIST, 0)
    }

    fn configured() -> Resource {
        let mut r = server();
        r.children.insert("configurations".into(), fixture(CONFIGS));
        r
    }

    fn with_param(name: &str, value: Option<&str>) -> Resource {
        let mut body = fixture(CONFIGS);
        let items = body["value"].as_array_mut().unwrap();
        items.retain(|c| c["name"] != name);
        if let Some(v) = value {
            items.push(json!({"name": name, "properties": {"value": v}}));
        }
        let mut r = server();
        r.children.insert("configurations".into(), body);
        r
    }

    fn param_missing(id: &str, name: &str) {
        let v = eval_resource(id, &server());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("configurations"), "{}", v.reason);
        let v = eval_resource(id, &with_param(name, None));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains(name), "{}", v.reason);
        assert_eq!(v.observed[&format!("configurations.{name}")], Value::Null);
    }

    #[test]
    fn mysql_require_secure_transport_pass() {
        let v = eval_resource("mysql_require_secure_transport", &configured());
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["configurations.require_secure_transport"],
            json!("ON")
        );
    }
    #[test]
    fn mysql_require_secure_transport_fail() {
        let v = eval_resource(
            "mysql_require_secure_transport",
            &with_param("require_secure_transport", Some("OFF")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server parameter require_secure_transport is OFF")
        );
    }
    #[test]
    fn mysql_require_secure_transport_missing() {
        param_missing("mysql_require_secure_transport", "require_secure_transport");
    }

    #[test]
    fn mysql_tls_1_2_pass() {
        assert_eq!(
            eval_resource("mysql_tls_1_2", &configured()).status,
            S::Pass
        );
        let v = eval_resource(
            "mysql_tls_1_2",
            &with_param("tls_version", Some("TLSv1.2, TLSv1.3")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn mysql_tls_1_2_fail() {
        for bad in ["TLSv1.1,TLSv1.2", "TLSv1,TLSv1.1,TLSv1.2", ""] {
            let v = eval_resource("mysql_tls_1_2", &with_param("tls_version", Some(bad)));
            assert_eq!(v.status, S::Fail, "{bad}");
            assert_eq!(v.observed["configurations.tls_version"], json!(bad));
        }
    }
    #[test]
    fn mysql_tls_1_2_missing() {
        param_missing("mysql_tls_1_2", "tls_version");
    }

    #[test]
    fn mysql_audit_log_enabled_pass() {
        let v = eval_resource(
            "mysql_audit_log_enabled",
            &with_param("audit_log_enabled", Some("ON")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "audit logging is enabled")
        );
    }
    #[test]
    fn mysql_audit_log_enabled_fail() {
        // The handmade list keeps the default, OFF.
        let v = eval_resource("mysql_audit_log_enabled", &configured());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server parameter audit_log_enabled is OFF")
        );
    }
    #[test]
    fn mysql_audit_log_enabled_missing() {
        param_missing("mysql_audit_log_enabled", "audit_log_enabled");
    }

    #[test]
    fn mysql_audit_log_connection_events_pass() {
        assert_eq!(
            eval_resource("mysql_audit_log_connection_events", &configured()).status,
            S::Pass
        );
        let v = eval_resource(
            "mysql_audit_log_connection_events",
            &with_param("audit_log_events", Some("ADMIN, connection,DDL")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn mysql_audit_log_connection_events_fail() {
        let v = eval_resource(
            "mysql_audit_log_connection_events",
            &with_param("audit_log_events", Some("DDL,DCL")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "server parameter audit_log_events is DDL,DCL")
        );
    }
    #[test]
    fn mysql_audit_log_connection_events_missing() {
        param_missing("mysql_audit_log_connection_events", "audit_log_events");
    }

    #[test]
    fn mysql_public_network_access_disabled_pass() {
        let mut r = server();
        set_prop(&mut r, "/network/publicNetworkAccess", json!("Disabled"));
        assert_eq!(
            eval_resource("mysql_public_network_access_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn mysql_public_network_access_disabled_fail() {
        let v = eval_resource("mysql_public_network_access_disabled", &server());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "properties.network.publicNetworkAccess is Enabled")
        );
    }
    #[test]
    fn mysql_public_network_access_disabled_missing() {
        let mut r = server();
        set_prop(&mut r, "/network", Value::Null);
        let v = eval_resource("mysql_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("publicNetworkAccess"));
    }

    #[test]
    fn mysql_geo_redundant_backup_pass() {
        let mut r = server();
        set_prop(&mut r, "/backup/geoRedundantBackup", json!("Enabled"));
        assert_eq!(
            eval_resource("mysql_geo_redundant_backup", &r).status,
            S::Pass
        );
    }
    #[test]
    fn mysql_geo_redundant_backup_fail() {
        let v = eval_resource("mysql_geo_redundant_backup", &server());
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.backup.geoRedundantBackup"],
            json!("Disabled")
        );
    }
    #[test]
    fn mysql_geo_redundant_backup_missing() {
        let mut r = server();
        set_prop(&mut r, "/backup/geoRedundantBackup", Value::Null);
        assert_eq!(
            eval_resource("mysql_geo_redundant_backup", &r).status,
            S::Error
        );
    }

    #[test]
    fn mysql_high_availability_zone_redundant_pass() {
        let mut r = server();
        set_prop(
            &mut r,
            "/highAvailability",
            json!({"mode": "ZoneRedundant", "state": "Healthy", "standbyAvailabilityZone": "3"}),
        );
        let v = eval_resource("mysql_high_availability_zone_redundant", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.highAvailability.standbyAvailabilityZone"],
            json!("3")
        );
    }
    #[test]
    fn mysql_high_availability_zone_redundant_fail() {
        let v = eval_resource("mysql_high_availability_zone_redundant", &server());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "properties.highAvailability.mode is Disabled")
        );
    }
    #[test]
    fn mysql_high_availability_zone_redundant_missing() {
        let mut r = server();
        set_prop(&mut r, "/highAvailability/mode", Value::Null);
        assert_eq!(
            eval_resource("mysql_high_availability_zone_redundant", &r).status,
            S::Error
        );
    }

    #[test]
    fn mysql_backup_retention_7_days_pass() {
        assert_eq!(
            eval_resource("mysql_backup_retention_7_days", &server()).status,
            S::Pass
        );
    }
    #[test]
    fn mysql_backup_retention_7_days_fail() {
        let mut r = server();
        set_prop(&mut r, "/backup/backupRetentionDays", json!(1));
        let v = eval_resource("mysql_backup_retention_7_days", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "backup retention is only 1 days (minimum 7)")
        );
    }
    #[test]
    fn mysql_backup_retention_7_days_missing() {
        let mut r = server();
        set_prop(&mut r, "/backup", Value::Null);
        assert_eq!(
            eval_resource("mysql_backup_retention_7_days", &r).status,
            S::Error
        );
    }
}
