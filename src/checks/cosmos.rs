//! Azure Cosmos DB account checks (`Microsoft.DocumentDB/databaseAccounts`): network exposure,
//! key-based access, transport security, backup, regional resilience and key management.
//!
//! Everything is read from the account's Resource Graph properties. Microsoft's only account
//! example omits `publicNetworkAccess`, `disableLocalAuth`, `isVirtualNetworkFilterEnabled` and
//! `enableAutomaticFailover`; absent values are errors, except `keyVaultKeyUri`, whose absence
//! Azure (and Microsoft's own policy) documents as "service-managed keys".

use serde_json::Value;

use super::netset;
use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.documentdb/databaseaccounts";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "cosmos_network_restricted",
            title: "Cosmos DB accounts are not reachable from all networks",
            service: "cosmos",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.5.1", "3.0.0:5.4.1"],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled, or when the account \
                          firewall restricts public access: properties.ipRules is non-empty or \
                          properties.isVirtualNetworkFilterEnabled is true. Fails when public access \
                          is Enabled (or SecuredByPerimeter) with no IP rule and the virtual network \
                          filter off, or when the IP rules (ipRules[].ipAddressOrRange; 0.0.0.0 is \
                          the Azure-datacenters switch, not an address) together cover every public \
                          IPv4 or IPv6 address. When no restriction is seen and a value needed to \
                          conclude is absent, or an IP rule cannot be read, the result is an error \
                          naming it. Since catalogue 2026.12.0: IP rules that together cover the \
                          internet fail instead of counting as a restriction, and an unreadable IP \
                          rule is an error.",
            rationale: "An account open to all networks leaves only its keys or tokens between the \
                        internet and the data; CC6.6 requires measures against threats from outside \
                        the system boundary.",
            remediation: "Portal: Azure Cosmos DB account > Settings > Networking > Public network \
                          access = Selected networks (add virtual networks or IP ranges) or Disabled. \
                          CLI: az cosmosdb update -g <rg> -n <account> --public-network-access \
                          Disabled (or --enable-virtual-network true --ip-range-filter <cidrs>)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, network_restricted),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_local_auth_disabled",
            title: "Cosmos DB accounts disable key-based (local) authentication",
            service: "cosmos",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &["2.1.0:4.5.3", "3.0.0:5.4.3"],
            policies: &[],
            description: "Passes when properties.disableLocalAuth is true, so data-plane requests must \
                          use Microsoft Entra tokens and Azure RBAC; false fails; absent is an error.",
            rationale: "Account keys grant full data access to anyone who holds them, cannot be tied \
                        to a person and are rarely rotated; Entra authentication gives identified, \
                        revocable, least-privilege access (CC6.1).",
            remediation: "Portal: not available; use ARM or CLI after moving clients to Entra \
                          authentication. CLI: az resource update -g <rg> -n <account> \
                          --resource-type Microsoft.DocumentDB/databaseAccounts --set \
                          properties.disableLocalAuth=true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, local_auth_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_key_metadata_write_disabled",
            title: "Cosmos DB account keys cannot change databases and containers",
            service: "cosmos",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC8.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.disableKeyBasedMetadataWriteAccess is true (creating, \
                          changing or deleting databases, containers and throughput needs Azure \
                          Resource Manager and RBAC); false fails; absent is an error.",
            rationale: "With key-based metadata writes, anyone holding a key can drop or reconfigure \
                        containers outside Resource Manager, bypassing RBAC and the Activity Log that \
                        change management relies on (CC6.1, CC8.1).",
            remediation: "Portal: not available. CLI: az cosmosdb update -g <rg> -n <account> \
                          --disable-key-based-metadata-write-access true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, key_metadata_write_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_minimum_tls_1_2",
            title: "Cosmos DB accounts require TLS 1.2 or later",
            service: "cosmos",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.minimalTlsVersion is Tls12 or Tls13; Tls (1.0) and \
                          Tls11 fail; absent, or another value, is an error. Since catalogue 2026.12.0: absent properties.minimalTlsVersion is its documented default (Tls) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: Azure Cosmos DB account > Settings > Networking > Connectivity > \
                          Minimum TLS version = 1.2. CLI: az cosmosdb update -g <rg> -n <account> \
                          --minimal-tls-version Tls12",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_backup_continuous_or_geo",
            title: "Cosmos DB backups are continuous or geo-redundant",
            service: "cosmos",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads properties.backupPolicy. Passes when type is Continuous \
                          (point-in-time restore), or Periodic with \
                          periodicModeProperties.backupStorageRedundancy Geo. Periodic with Local or \
                          Zone redundancy fails; absent values are an error. The backup interval and \
                          retention are recorded.",
            rationale: "Continuous backup restores to any second in its window; periodic backups in \
                        geo-redundant storage survive a regional outage. Either supports the \
                        recovery objectives of A1.2.",
            remediation: "Portal: Azure Cosmos DB account > Settings > Backup & Restore > Backup \
                          policy mode = Continuous (or Periodic with Geo-redundant backup storage). \
                          CLI: az cosmosdb update -g <rg> -n <account> --backup-policy-type \
                          Continuous",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, backup_policy),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_multi_region_failover",
            title: "Cosmos DB accounts replicate to another region and fail over automatically",
            service: "cosmos",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads properties.locations and the failover flags. Fails when the account has \
                          one region. With two or more, passes when \
                          properties.enableAutomaticFailover or \
                          properties.enableMultipleWriteLocations is true, and fails when both are \
                          false; absent locations, or absent flags with no true one, is an error.",
            rationale: "A second region with automatic failover (or multi-region writes) keeps the \
                        data available through a regional outage without manual intervention \
                        (A1.2).",
            remediation: "Portal: Azure Cosmos DB account > Settings > Replicate data globally > add a \
                          region; Service-managed failover = On. CLI: az cosmosdb update -g <rg> -n \
                          <account> --locations regionName=<r1> failoverPriority=0 \
                          --locations regionName=<r2> failoverPriority=1 \
                          --enable-automatic-failover true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, multi_region_failover),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_customer_managed_key",
            title: "Cosmos DB accounts encrypt data with a customer-managed key",
            service: "cosmos",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &["1f905d99-2ab7-462c-a6b0-f709acca6c8f"],
            description: "Passes when properties.keyVaultKeyUri names a Key Vault key. Azure returns \
                          keyVaultKeyUri only for accounts encrypted with a customer-managed key, so \
                          its absence means service-managed keys and fails, as in Microsoft's own \
                          policy; an account whose properties were not collected is an error.",
            rationale: "A key in the entity's own Key Vault lets it control, rotate and revoke access \
                        to the data's encryption (CC6.1). Low severity: service-managed keys \
                        already encrypt the data.",
            remediation: "Portal: customer-managed keys are chosen when the account is created \
                          (Encryption tab), or enabled later under Settings > Data Encryption. CLI: \
                          az cosmosdb update -g <rg> -n <account> --key-uri \
                          https://<vault>.vault.azure.net/keys/<key>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, customer_managed_key),
    },
    Check {
        meta: CheckMeta {
            id: "cosmos_private_endpoint",
            title: "Cosmos DB accounts are reached through an approved private endpoint",
            service: "cosmos",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:4.5.2", "3.0.0:5.4.2"],
            policies: &[],
            description: "Passes when properties.privateEndpointConnections has a connection whose \
                          privateLinkServiceConnectionState.status is Approved; an empty list, or no \
                          approved connection, fails; absent is an error. Approved endpoint ids are \
                          recorded. Since catalogue 2026.12.0: absent properties.privateEndpointConnections is off (an empty list) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A private endpoint keeps client traffic on the virtual network and lets \
                        public access be switched off entirely (CC6.6).",
            remediation: "Portal: Azure Cosmos DB account > Settings > Networking > Private access > \
                          + Private endpoint. CLI: az network private-endpoint create -g <rg> -n \
                          <endpoint> --vnet-name <vnet> --subnet <subnet> \
                          --private-connection-resource-id <account-id> --group-id Sql \
                          --connection-name <name>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, private_endpoint),
    },
];

/// A boolean property where `true` is compliant.
fn flag_true(r: &Resource, prop: &str, on: &str, off: &str) -> Verdict {
    let pointer = format!("/{prop}");
    match require_bool(r, &pointer) {
        Ok(true) => Verdict::pass(on),
        Ok(false) => Verdict::fail(off),
        Err(v) => return v,
    }
    .observe_prop(&format!("properties.{prop}"), r, &pointer)
}

fn network_restricted(r: &Resource) -> Verdict {
    let pna = props::value(r, "/publicNetworkAccess");
    let ip_rules = props::value(r, "/ipRules");
    let vnet = props::value(r, "/isVirtualNetworkFilterEnabled");
    let rule_count = ip_rules.and_then(Value::as_array).map(Vec::len);
    // 0.0.0.0 in Cosmos DB's IP rules means "accept connections from Azure datacenters", not
    // an address; the rest are judged by what they cover together.
    let list = ip_rules.map(|l| netset::read_allow_list(l, "ipAddressOrRange", &["0.0.0.0"]));
    let v = if pna.and_then(Value::as_str) == Some("Disabled") {
        Verdict::pass("public network access is disabled")
    } else if let Some(Err(why)) = &list {
        Verdict::error(format!("properties.ipRules cannot be read: it {why}"))
    } else if let Some(Ok(a)) = &list
        && !a.open.is_empty()
    {
        Verdict::fail(format!(
            "the IP rules together admit {}: {}",
            a.describe_open(),
            a.culprits.join(", ")
        ))
    } else if rule_count.is_some_and(|n| n > 0) || vnet.and_then(Value::as_bool) == Some(true) {
        Verdict::pass("the account firewall admits only selected networks")
    } else {
        let absent: Vec<&str> = [
            ("properties.publicNetworkAccess", pna.is_none()),
            ("properties.ipRules", rule_count.is_none()),
            (
                "properties.isVirtualNetworkFilterEnabled",
                vnet.and_then(Value::as_bool).is_none(),
            ),
        ]
        .into_iter()
        .filter_map(|(k, missing)| missing.then_some(k))
        .collect();
        if absent.is_empty() {
            Verdict::fail(format!(
                "public network access is {} with no IP rule or virtual network filter",
                pna.and_then(Value::as_str).unwrap_or("enabled")
            ))
        } else {
            Verdict::error(format!(
                "no network restriction is visible and {} is not present in the collected data",
                absent.join(", ")
            ))
        }
    };
    v.observe("properties.publicNetworkAccess", pna)
        .observe("properties.ipRules", ip_rules)
        .observe("properties.isVirtualNetworkFilterEnabled", vnet)
}

fn local_auth_disabled(r: &Resource) -> Verdict {
    flag_true(
        r,
        "disableLocalAuth",
        "key-based authentication is disabled",
        "account keys can be used to authenticate",
    )
}

fn key_metadata_write_disabled(r: &Resource) -> Verdict {
    flag_true(
        r,
        "disableKeyBasedMetadataWriteAccess",
        "account keys cannot change databases or containers",
        "account keys can create, change and delete databases and containers",
    )
}

fn minimum_tls(r: &Resource) -> Verdict {
    let key = "properties.minimalTlsVersion";
    match require_str(r, "/minimalTlsVersion") {
        Ok("Tls12" | "Tls13") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok("Tls") => Verdict::fail("minimum TLS version is 1.0 (Tls)"),
        Ok("Tls11") => Verdict::fail("minimum TLS version is 1.1 (Tls11)"),
        Ok(v) => Verdict::error(format!("{key} has unexpected value {v}")),
        Err(v) => return v,
    }
    .observe_prop(key, r, "/minimalTlsVersion")
}

fn backup_policy(r: &Resource) -> Verdict {
    let kind = props::value(r, "/backupPolicy/type");
    let redundancy = props::value(
        r,
        "/backupPolicy/periodicModeProperties/backupStorageRedundancy",
    );
    let v = match (
        kind.and_then(Value::as_str),
        redundancy.and_then(Value::as_str),
    ) {
        (Some("Continuous"), _) => Verdict::pass("continuous backup (point-in-time restore)"),
        (Some("Periodic"), Some("Geo")) => {
            Verdict::pass("periodic backups are kept in geo-redundant storage")
        }
        (Some("Periodic"), Some(other)) => Verdict::fail(format!(
            "periodic backups are kept in {other}-redundant storage only"
        )),
        (Some("Periodic"), None) => Verdict::error(
            "properties.backupPolicy.periodicModeProperties.backupStorageRedundancy is not \
             present in the collected data",
        ),
        (Some(other), _) => Verdict::error(format!(
            "properties.backupPolicy.type has unexpected value {other}"
        )),
        (None, _) => {
            Verdict::error("properties.backupPolicy.type is not present in the collected data")
        }
    };
    v.observe("properties.backupPolicy.type", kind)
        .observe(
            "properties.backupPolicy.periodicModeProperties.backupStorageRedundancy",
            redundancy,
        )
        .observe_prop(
            "properties.backupPolicy.periodicModeProperties.backupIntervalInMinutes",
            r,
            "/backupPolicy/periodicModeProperties/backupIntervalInMinutes",
        )
        .observe_prop(
            "properties.backupPolicy.periodicModeProperties.backupRetentionIntervalInHours",
            r,
            "/backupPolicy/periodicModeProperties/backupRetentionIntervalInHours",
        )
}

fn multi_region_failover(r: &Resource) -> Verdict {
    let regions: Option<Vec<&str>> =
        props::value(r, "/locations")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|loc| loc.get("locationName").and_then(Value::as_str))
                    .collect()
            });
    let auto = props::value(r, "/enableAutomaticFailover");
    let multi_write = props::value(r, "/enableMultipleWriteLocations");
    let flags = [auto, multi_write].map(|f| f.and_then(Value::as_bool));
    let v = match &regions {
        None => Verdict::error("properties.locations is not present in the collected data"),
        Some(regions) if regions.len() < 2 => Verdict::fail(format!(
            "the account is in one region only ({})",
            regions.first().copied().unwrap_or("none listed")
        )),
        Some(regions) if flags.contains(&Some(true)) => Verdict::pass(format!(
            "the account is replicated to {} regions with automatic failover or multi-region \
             writes",
            regions.len()
        )),
        Some(_) if flags.iter().all(Option::is_some) => Verdict::fail(
            "the account is multi-region but neither automatic failover nor multi-region writes \
             is enabled",
        ),
        Some(_) => Verdict::error(
            "properties.enableAutomaticFailover or properties.enableMultipleWriteLocations is not \
             present in the collected data",
        ),
    };
    v.observe_value(
        "properties.locations",
        regions.map_or(Value::Null, Value::from),
    )
    .observe("properties.enableAutomaticFailover", auto)
    .observe("properties.enableMultipleWriteLocations", multi_write)
}

fn customer_managed_key(r: &Resource) -> Verdict {
    let key = "properties.keyVaultKeyUri";
    if !props::body_present(r) {
        return Verdict::error("the account's properties were not collected").observe(key, None);
    }
    let uri = props::value(r, "/keyVaultKeyUri");
    match uri.and_then(Value::as_str).map(str::trim) {
        Some(u) if !u.is_empty() => Verdict::pass(format!(
            "data is encrypted with a customer-managed key ({u})"
        )),
        _ => Verdict::fail("no keyVaultKeyUri: data is encrypted with service-managed keys"),
    }
    .observe(key, uri)
}

fn private_endpoint(r: &Resource) -> Verdict {
    let key = "properties.privateEndpointConnections";
    let Some(connections) = props::value(r, "/privateEndpointConnections") else {
        return Verdict::error(format!("{key} is not present in the collected data"))
            .observe(key, None);
    };
    let Some(connections) = connections.as_array() else {
        return Verdict::error(format!("{key} has unexpected value {connections}"))
            .observe(key, Some(connections));
    };
    let ty = props::private_endpoint_connection_type(&r.r#type);
    fn status<'a>(ty: &str, c: &'a Value) -> Option<&'a str> {
        props::item_value(ty, c, "/privateLinkServiceConnectionState/status")
            .and_then(Value::as_str)
    }
    let unknown = connections
        .iter()
        .filter(|c| status(&ty, c).is_none())
        .count();
    let approved: Vec<&str> = connections
        .iter()
        .filter(|c| status(&ty, c).is_some_and(|s| s.eq_ignore_ascii_case("Approved")))
        .map(|c| {
            c.pointer("/properties/privateEndpoint/id")
                .or_else(|| c.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("(unnamed endpoint)")
        })
        .collect();
    let v = if approved.is_empty() && unknown > 0 {
        // A connection whose state was not returned may be the approved one.
        Verdict::error(format!(
            "no private endpoint is known to be approved, and {unknown} connection(s) have no \
             privateLinkServiceConnectionState.status in the collected data"
        ))
    } else if approved.is_empty() {
        Verdict::fail(format!(
            "no approved private endpoint ({} connection(s) listed)",
            connections.len()
        ))
    } else {
        Verdict::pass(format!("{} approved private endpoint(s)", approved.len()))
    };
    v.observe_value("approved_private_endpoints", Value::from(approved))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture_resource, set_prop, without_body};
    use crate::model::Resource;

    /// ddb1: one region (East US), ipRules [], minimalTlsVersion "Tls", periodic geo backups,
    /// key-based metadata writes allowed, one approved private endpoint, no keyVaultKeyUri, no
    /// publicNetworkAccess / disableLocalAuth / isVirtualNetworkFilterEnabled /
    /// enableAutomaticFailover.
    const LIST: &str = "cosmosdb/cosmosdb_accounts_list.2025-04-15.json";

    fn account() -> Resource {
        fixture_resource(LIST, 0)
    }
    fn account_with(pointer: &str, value: Value) -> Resource {
        let mut r = account();
        set_prop(&mut r, pointer, value);
        r
    }

    #[test]
    fn cosmos_network_restricted_pass() {
        let v = eval_resource(
            "cosmos_network_restricted",
            &account_with("/publicNetworkAccess", json!("Disabled")),
        );
        assert_eq!(v.status, S::Pass);
        let v = eval_resource(
            "cosmos_network_restricted",
            &account_with("/ipRules", json!([{"ipAddressOrRange": "203.0.113.0/24"}])),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "the account firewall admits only selected networks"
            )
        );
    }
    #[test]
    fn cosmos_network_restricted_fail() {
        let mut r = account_with("/publicNetworkAccess", json!("Enabled"));
        set_prop(&mut r, "/isVirtualNetworkFilterEnabled", json!(false));
        let v = eval_resource("cosmos_network_restricted", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "public network access is Enabled with no IP rule or virtual network filter"
            )
        );
        assert_eq!(v.observed["properties.ipRules"], json!([]));
    }
    #[test]
    fn cosmos_ip_rules_that_together_cover_the_internet_fail() {
        let rules = |vals: &[&str]| {
            let v: Vec<Value> = vals
                .iter()
                .map(|x| json!({"ipAddressOrRange": x}))
                .collect();
            let mut r = account_with("/ipRules", Value::from(v));
            set_prop(&mut r, "/publicNetworkAccess", json!("Enabled"));
            set_prop(&mut r, "/isVirtualNetworkFilterEnabled", json!(true));
            r
        };
        // Even with the virtual network filter on, IP rules covering IPv4 open the account.
        let v = eval_resource(
            "cosmos_network_restricted",
            &rules(&["0.0.0.0/1", "128.0.0.0/1"]),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert_eq!(
            v.reason,
            "the IP rules together admit every public IPv4 address: 0.0.0.0/1, 128.0.0.0/1"
        );
        // 0.0.0.0 is the Azure-datacenters switch, not the missing address of a cover.
        let v = eval_resource(
            "cosmos_network_restricted",
            &rules(&["0.0.0.0", "128.0.0.0/1"]),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = eval_resource("cosmos_network_restricted", &rules(&["10.0.0.0/33"]));
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("10.0.0.0/33"), "{}", v.reason);
    }

    #[test]
    fn cosmos_network_restricted_missing() {
        // Microsoft's example: empty ipRules, no publicNetworkAccess, no virtual network flag.
        let v = eval_resource("cosmos_network_restricted", &account());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("properties.publicNetworkAccess"));
        assert!(
            v.reason
                .contains("properties.isVirtualNetworkFilterEnabled")
        );
        assert_eq!(v.observed["properties.publicNetworkAccess"], Value::Null);
    }

    #[test]
    fn cosmos_local_auth_disabled_pass() {
        let v = eval_resource(
            "cosmos_local_auth_disabled",
            &account_with("/disableLocalAuth", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.disableLocalAuth"], json!(true));
    }
    #[test]
    fn cosmos_local_auth_disabled_fail() {
        let v = eval_resource(
            "cosmos_local_auth_disabled",
            &account_with("/disableLocalAuth", json!(false)),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "account keys can be used to authenticate")
        );
    }
    #[test]
    fn cosmos_local_auth_disabled_missing() {
        let v = eval_resource("cosmos_local_auth_disabled", &account());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("disableLocalAuth"));
    }

    #[test]
    fn cosmos_key_metadata_write_disabled_pass() {
        let v = eval_resource(
            "cosmos_key_metadata_write_disabled",
            &account_with("/disableKeyBasedMetadataWriteAccess", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cosmos_key_metadata_write_disabled_fail() {
        let v = eval_resource("cosmos_key_metadata_write_disabled", &account());
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.disableKeyBasedMetadataWriteAccess"],
            json!(false)
        );
    }
    #[test]
    fn cosmos_key_metadata_write_disabled_missing() {
        let v = eval_resource(
            "cosmos_key_metadata_write_disabled",
            &account_with("/disableKeyBasedMetadataWriteAccess", Value::Null),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn cosmos_minimum_tls_1_2_pass() {
        let v = eval_resource(
            "cosmos_minimum_tls_1_2",
            &account_with("/minimalTlsVersion", json!("Tls12")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cosmos_minimum_tls_1_2_fail() {
        let v = eval_resource("cosmos_minimum_tls_1_2", &account());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "minimum TLS version is 1.0 (Tls)")
        );
        assert_eq!(v.observed["properties.minimalTlsVersion"], json!("Tls"));
    }
    #[test]
    fn cosmos_minimum_tls_1_2_missing() {
        let v = eval_resource(
            "cosmos_minimum_tls_1_2",
            &account_with("/minimalTlsVersion", Value::Null),
        );
        // Absent is the documented default, TLS 1.0.
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "cosmos_minimum_tls_1_2",
            &without_body(&account_with("/minimalTlsVersion", Value::Null)),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "cosmos_minimum_tls_1_2",
            &account_with("/minimalTlsVersion", json!("TLS1_2")),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn cosmos_backup_continuous_or_geo_pass() {
        let v = eval_resource("cosmos_backup_continuous_or_geo", &account());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "periodic backups are kept in geo-redundant storage"
            )
        );
        assert_eq!(
            v.observed["properties.backupPolicy.periodicModeProperties.backupRetentionIntervalInHours"],
            json!(720)
        );
        let v = eval_resource(
            "cosmos_backup_continuous_or_geo",
            &account_with("/backupPolicy", json!({"type": "Continuous"})),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cosmos_backup_continuous_or_geo_fail() {
        let mut r = account();
        set_prop(
            &mut r,
            "/backupPolicy/periodicModeProperties/backupStorageRedundancy",
            json!("Local"),
        );
        let v = eval_resource("cosmos_backup_continuous_or_geo", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "periodic backups are kept in Local-redundant storage only"
            )
        );
    }
    #[test]
    fn cosmos_backup_continuous_or_geo_missing() {
        let v = eval_resource(
            "cosmos_backup_continuous_or_geo",
            &account_with("/backupPolicy", Value::Null),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_resource(
            "cosmos_backup_continuous_or_geo",
            &account_with("/backupPolicy", json!({"type": "Periodic"})),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("backupStorageRedundancy"));
    }

    fn two_regions() -> Resource {
        account_with(
            "/locations",
            json!([
                {"locationName": "East US", "failoverPriority": 0},
                {"locationName": "West US", "failoverPriority": 1}
            ]),
        )
    }

    #[test]
    fn cosmos_multi_region_failover_pass() {
        let mut r = two_regions();
        set_prop(&mut r, "/enableAutomaticFailover", json!(true));
        let v = eval_resource("cosmos_multi_region_failover", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.locations"],
            json!(["East US", "West US"])
        );
    }
    #[test]
    fn cosmos_multi_region_failover_fail() {
        // Microsoft's example: one region.
        let v = eval_resource("cosmos_multi_region_failover", &account());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the account is in one region only (East US)")
        );
        let mut r = two_regions();
        set_prop(&mut r, "/enableAutomaticFailover", json!(false));
        set_prop(&mut r, "/enableMultipleWriteLocations", json!(false));
        assert_eq!(
            eval_resource("cosmos_multi_region_failover", &r).status,
            S::Fail
        );
    }
    #[test]
    fn cosmos_multi_region_failover_missing() {
        let v = eval_resource("cosmos_multi_region_failover", &two_regions());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("enableAutomaticFailover"));
        let v = eval_resource(
            "cosmos_multi_region_failover",
            &account_with("/locations", Value::Null),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.locations"], Value::Null);
    }

    #[test]
    fn cosmos_customer_managed_key_pass() {
        let uri = "https://vault1.vault.azure.net/keys/key1";
        let v = eval_resource(
            "cosmos_customer_managed_key",
            &account_with("/keyVaultKeyUri", json!(uri)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.keyVaultKeyUri"], json!(uri));
    }
    #[test]
    fn cosmos_customer_managed_key_fail() {
        let v = eval_resource("cosmos_customer_managed_key", &account());
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("service-managed"));
        assert_eq!(v.observed["properties.keyVaultKeyUri"], Value::Null);
    }
    #[test]
    fn cosmos_customer_managed_key_missing() {
        let mut r = account();
        r.properties = Value::Null;
        let v = eval_resource("cosmos_customer_managed_key", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
    }

    #[test]
    fn cosmos_private_endpoint_pass() {
        let v = eval_resource("cosmos_private_endpoint", &account());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "1 approved private endpoint(s)")
        );
        assert_eq!(
            v.observed["approved_private_endpoints"],
            json!([
                "/subscriptions/subId/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1"
            ])
        );
    }
    #[test]
    fn cosmos_private_endpoint_fail() {
        let mut r = account();
        set_prop(
            &mut r,
            "/privateEndpointConnections/0/properties/privateLinkServiceConnectionState/status",
            json!("Pending"),
        );
        let v = eval_resource("cosmos_private_endpoint", &r);
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "cosmos_private_endpoint",
            &account_with("/privateEndpointConnections", json!([])),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn cosmos_private_endpoint_missing() {
        let v = eval_resource(
            "cosmos_private_endpoint",
            &account_with("/privateEndpointConnections", Value::Null),
        );
        // Azure returns the list only when connections exist: absent is none.
        assert_eq!(v.status, S::Fail);
        let v = eval_resource(
            "cosmos_private_endpoint",
            &without_body(&account_with("/privateEndpointConnections", Value::Null)),
        );
        assert_eq!(v.status, S::Error);
        // A connection whose state was not returned may be the approved one.
        let v = eval_resource(
            "cosmos_private_endpoint",
            &account_with(
                "/privateEndpointConnections",
                json!([{"id": "pec-1", "properties": {"privateEndpoint": {"id": "pe-1"}}}]),
            ),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("status"), "{}", v.reason);
    }
}
