//! Storage account checks (`Microsoft.Storage/storageAccounts`).

use serde_json::Value;

use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.storage/storageaccounts";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "storage_secure_transfer_required",
            title: "Storage accounts accept only HTTPS (secure transfer required)",
            service: "storage",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["2.1.0:3.1", "3.0.0:4.1", "4.0.0:10.3.4"],
            policies: &[],
            description: "Passes when properties.supportsHttpsTrafficOnly is true.",
            rationale: "Plain HTTP exposes data and shared-key signatures in transit; CC6.7 requires \
                        transmission of information to be protected.",
            remediation: "Portal: Storage account > Configuration > Secure transfer required = Enabled. \
                          CLI: az storage account update -n <name> -g <rg> --https-only true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, secure_transfer),
    },
    Check {
        meta: CheckMeta {
            id: "storage_minimum_tls_1_2",
            title: "Storage accounts require TLS 1.2 or later",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &["2.1.0:3.15", "3.0.0:4.15", "4.0.0:10.3.7"],
            policies: &[],
            description: "Passes when properties.minimumTlsVersion is TLS1_2 or TLS1_3. Absent means \
                          the value was not returned, which is not evidence of compliance.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires protected transmission.",
            remediation: "Portal: Storage account > Configuration > Minimum TLS version = 1.2. \
                          CLI: az storage account update -n <name> -g <rg> --min-tls-version TLS1_2",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_public_access_disabled",
            title: "Storage accounts forbid anonymous blob access",
            service: "storage",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "C1.1"],
            cis: &["3.0.0:4.17", "4.0.0:10.3.9"],
            policies: &[],
            description: "Passes when properties.allowBlobPublicAccess is false.",
            rationale: "Anonymous containers publish data to anyone with the URL, defeating logical \
                        access controls (CC6.1) and confidentiality commitments (C1.1).",
            remediation: "Portal: Storage account > Configuration > Allow Blob anonymous access = \
                          Disabled. CLI: az storage account update -n <name> -g <rg> \
                          --allow-blob-public-access false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, blob_public_access),
    },
    Check {
        meta: CheckMeta {
            id: "storage_default_network_deny",
            title: "Storage account firewalls deny by default",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:3.8", "3.0.0:4.7", "4.0.0:10.3.2.3"],
            policies: &[],
            description: "Passes when properties.networkAcls.defaultAction is Deny or \
                          properties.publicNetworkAccess is Disabled.",
            rationale: "A default Allow exposes the data plane to every network; CC6.6 requires \
                        measures against threats from outside the system boundary.",
            remediation: "Portal: Storage account > Networking > Public network access = Enabled from \
                          selected networks or Disabled. CLI: az storage account update -n <name> \
                          -g <rg> --default-action Deny",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, default_network_deny),
    },
    Check {
        meta: CheckMeta {
            id: "storage_blob_soft_delete_enabled",
            title: "Blob soft delete is enabled on storage accounts",
            service: "storage",
            severity: Severity::Medium,
            criteria: &["A1.2", "CC7.5"],
            cis: &["2.1.0:3.11", "3.0.0:4.10", "4.0.0:10.3.6"],
            policies: &[],
            description: "Reads blobServices/default: passes when deleteRetentionPolicy.enabled is \
                          true with at least 7 days.",
            rationale: "Soft delete lets deleted or overwritten data be recovered after an incident \
                        (CC7.5) and is part of the recovery infrastructure (A1.2).",
            remediation: "Portal: Storage account > Data protection > Enable soft delete for blobs \
                          (7+ days). CLI: az storage account blob-service-properties update \
                          --account-name <name> -g <rg> --enable-delete-retention true \
                          --delete-retention-days 7",
            sources: &[RG, "arm.blob_services"],
        },
        eval: Eval::Resource(TYPE, blob_soft_delete),
    },
];

fn secure_transfer(r: &Resource) -> Verdict {
    let key = "properties.supportsHttpsTrafficOnly";
    match require_bool(r, "/supportsHttpsTrafficOnly") {
        Ok(true) => Verdict::pass("secure transfer is required"),
        Ok(false) => Verdict::fail("the account accepts plain HTTP"),
        Err(v) => return v,
    }
    .observe(key, r.prop("/supportsHttpsTrafficOnly"))
}

fn minimum_tls(r: &Resource) -> Verdict {
    let key = "properties.minimumTlsVersion";
    match require_str(r, "/minimumTlsVersion") {
        Ok("TLS1_2" | "TLS1_3") => Verdict::pass("minimum TLS version is 1.2 or later"),
        Ok(v) => Verdict::fail(format!("minimum TLS version is {v}")),
        Err(v) => return v,
    }
    .observe(key, r.prop("/minimumTlsVersion"))
}

fn blob_public_access(r: &Resource) -> Verdict {
    let key = "properties.allowBlobPublicAccess";
    match require_bool(r, "/allowBlobPublicAccess") {
        Ok(false) => Verdict::pass("anonymous blob access is disallowed"),
        Ok(true) => Verdict::fail("anonymous blob access is allowed on the account"),
        Err(v) => return v,
    }
    .observe(key, r.prop("/allowBlobPublicAccess"))
}

fn default_network_deny(r: &Resource) -> Verdict {
    let pna = r.prop("/publicNetworkAccess");
    let action = r.prop("/networkAcls/defaultAction");
    let v = match (pna.and_then(Value::as_str), action.and_then(Value::as_str)) {
        (Some("Disabled"), _) => Verdict::pass("public network access is disabled"),
        (_, Some("Deny")) => Verdict::pass("the firewall denies by default"),
        (_, Some(a)) => Verdict::fail(format!("the firewall default action is {a}")),
        (_, None) => Verdict::error("properties.networkAcls.defaultAction is not present"),
    };
    v.observe("properties.publicNetworkAccess", pna)
        .observe("properties.networkAcls.defaultAction", action)
}

fn blob_soft_delete(r: &Resource) -> Verdict {
    let Some(blob) = r.child("blobServices/default") else {
        return Verdict::error("blob service properties (blobServices/default) were not collected");
    };
    let enabled = blob.pointer("/properties/deleteRetentionPolicy/enabled");
    let days = blob.pointer("/properties/deleteRetentionPolicy/days");
    let v = match (
        enabled.and_then(Value::as_bool),
        days.and_then(Value::as_u64),
    ) {
        (Some(true), Some(d)) if d >= 7 => {
            Verdict::pass(format!("blob soft delete keeps deleted blobs {d} days"))
        }
        (Some(true), Some(d)) => Verdict::fail(format!("blob soft delete keeps only {d} days")),
        (Some(true), None) => Verdict::error("deleteRetentionPolicy.days is not present"),
        (Some(false), _) => Verdict::fail("blob soft delete is disabled"),
        (None, _) => Verdict::error("deleteRetentionPolicy.enabled is not present"),
    };
    v.observe(
        "blobServices/default.deleteRetentionPolicy.enabled",
        enabled,
    )
    .observe("blobServices/default.deleteRetentionPolicy.days", days)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::checks::testutil::{fixture, fixture_resource, set_prop};
    use crate::checks::{FindingStatus as S, find, testutil};

    const LIST: &str = "storage/storage_accounts_list.2025-06-01.json";
    /// The create response is the one Microsoft example carrying TLS and public-access fields.
    const FULL: &str = "storage/storage_account_create.2025-06-01.json";

    fn eval(id: &str, r: crate::model::Resource) -> (S, String) {
        let inv = testutil::inventory(vec![r]);
        let res = testutil::run_check(find(id).unwrap(), &inv);
        assert_eq!(res.findings.len(), 1);
        (res.findings[0].status, res.findings[0].reason.clone())
    }

    #[test]
    fn storage_secure_transfer_required_pass() {
        let r = fixture_resource(FULL, 0);
        assert_eq!(eval("storage_secure_transfer_required", r).0, S::Pass);
    }
    #[test]
    fn storage_secure_transfer_required_fail() {
        // Microsoft's list example: the first account has supportsHttpsTrafficOnly = false.
        let (s, why) = eval(
            "storage_secure_transfer_required",
            fixture_resource(LIST, 0),
        );
        assert_eq!(s, S::Fail);
        assert!(why.contains("HTTP"));
    }
    #[test]
    fn storage_secure_transfer_required_missing() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/supportsHttpsTrafficOnly", json!(null));
        let (s, why) = eval("storage_secure_transfer_required", r);
        assert_eq!(s, S::Error);
        assert!(why.contains("supportsHttpsTrafficOnly"));
    }

    #[test]
    fn storage_minimum_tls_1_2_pass() {
        assert_eq!(
            eval("storage_minimum_tls_1_2", fixture_resource(FULL, 0)).0,
            S::Pass
        );
    }
    #[test]
    fn storage_minimum_tls_1_2_fail() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/minimumTlsVersion", json!("TLS1_0"));
        assert_eq!(
            eval("storage_minimum_tls_1_2", r),
            (S::Fail, "minimum TLS version is TLS1_0".into())
        );
    }
    #[test]
    fn storage_minimum_tls_1_2_missing() {
        // The list example omits minimumTlsVersion: unknown, never compliant.
        assert_eq!(
            eval("storage_minimum_tls_1_2", fixture_resource(LIST, 0)).0,
            S::Error
        );
    }

    #[test]
    fn storage_blob_public_access_disabled_pass() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/allowBlobPublicAccess", json!(false));
        assert_eq!(eval("storage_blob_public_access_disabled", r).0, S::Pass);
    }
    #[test]
    fn storage_blob_public_access_disabled_fail() {
        let mut r = fixture_resource(FULL, 0);
        set_prop(&mut r, "/allowBlobPublicAccess", json!(true));
        assert_eq!(eval("storage_blob_public_access_disabled", r).0, S::Fail);
    }
    #[test]
    fn storage_blob_public_access_disabled_missing() {
        assert_eq!(
            eval(
                "storage_blob_public_access_disabled",
                fixture_resource(LIST, 0)
            )
            .0,
            S::Error
        );
    }

    const GET: &str = "storage/storage_account_get.2025-06-01.json";

    #[test]
    fn storage_default_network_deny_pass() {
        let mut r = fixture_resource(GET, 0);
        set_prop(&mut r, "/networkAcls/defaultAction", json!("Deny"));
        assert_eq!(eval("storage_default_network_deny", r).0, S::Pass);
    }
    #[test]
    fn storage_default_network_deny_fail() {
        // Microsoft's get example: networkAcls.defaultAction = Allow.
        let (s, why) = eval("storage_default_network_deny", fixture_resource(GET, 0));
        assert_eq!(s, S::Fail);
        assert!(why.contains("Allow"));
    }
    #[test]
    fn storage_default_network_deny_missing() {
        // The list example's first account carries no networkAcls at all.
        let r = fixture_resource(LIST, 0);
        assert_eq!(eval("storage_default_network_deny", r).0, S::Error);
    }

    fn with_blob_service(enabled: bool, days: u64) -> crate::model::Resource {
        let mut r = fixture_resource(LIST, 0);
        let mut blob = fixture("storage/blob_service_properties_get.2025-06-01.json");
        blob["properties"]["deleteRetentionPolicy"] = json!({"enabled": enabled, "days": days});
        r.children.insert("blobServices/default".into(), blob);
        r
    }

    #[test]
    fn storage_blob_soft_delete_enabled_pass() {
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(true, 7)
            )
            .0,
            S::Pass
        );
    }
    #[test]
    fn storage_blob_soft_delete_enabled_fail() {
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(false, 7)
            )
            .0,
            S::Fail
        );
        assert_eq!(
            eval(
                "storage_blob_soft_delete_enabled",
                with_blob_service(true, 3)
            )
            .0,
            S::Fail
        );
    }
    #[test]
    fn storage_blob_soft_delete_enabled_missing() {
        let (s, why) = eval(
            "storage_blob_soft_delete_enabled",
            fixture_resource(LIST, 0),
        );
        assert_eq!(s, S::Error);
        assert!(why.contains("blobServices/default"));
    }
}
