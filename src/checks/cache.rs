//! Azure Cache for Redis checks (`Microsoft.Cache/redis`): plaintext port, TLS version, network
//! exposure and access-key authentication.
//!
//! Azure documents `publicNetworkAccess` as defaulting to Enabled and
//! `disableAccessKeyAuthentication` to false, so their absence fails (saying so); other absent
//! values are errors.

use serde_json::Value;

use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool, require_str};
use crate::model::Resource;

const TYPE: &str = "microsoft.cache/redis";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "cache_redis_non_ssl_port_disabled",
            title: "Azure Cache for Redis accepts only TLS connections",
            service: "cache",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &[],
            policies: &["22bee202-a82f-4305-9a2a-6d7f44d4dedb"],
            description: "Passes when properties.enableNonSslPort is false; true (the plaintext port \
                          6379 is open) fails; absent is an error. Since catalogue 2026.12.0: absent properties.enableNonSslPort is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "On the non-TLS port the access key and every cached value cross the network \
                        in clear text; CC6.7 requires protected transmission.",
            remediation: "Portal: Azure Cache for Redis > Settings > Advanced settings > Non-TLS port \
                          = Disabled. CLI: az redis update -g <rg> -n <cache> --set \
                          enableNonSslPort=false",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, non_ssl_port_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "cache_redis_minimum_tls_1_2",
            title: "Azure Cache for Redis requires TLS 1.2 or later",
            service: "cache",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.minimumTlsVersion is 1.2 or 1.3; 1.0 and 1.1 fail; \
                          absent, or another value, is an error.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: Azure Cache for Redis > Settings > Advanced settings > Minimum TLS \
                          version = 1.2. CLI: az redis update -g <rg> -n <cache> --set \
                          minimumTlsVersion=1.2",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "cache_redis_public_network_access_disabled",
            title: "Azure Cache for Redis disables public network access",
            service: "cache",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.publicNetworkAccess is Disabled (private endpoints \
                          only); Enabled fails, and so does absence, which Azure documents as the \
                          default, Enabled; a cache whose properties were not collected is an error. Since catalogue 2026.12.0: absent properties.publicNetworkAccess is its documented default (Enabled) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "A cache reachable from the internet depends on its access key alone; with \
                        public access disabled it is only reachable inside the network boundary \
                        (CC6.6).",
            remediation: "Portal: Azure Cache for Redis > Settings > Private Endpoint > Enable public \
                          network access = No (add a private endpoint first). CLI: az redis update \
                          -g <rg> -n <cache> --set publicNetworkAccess=Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "cache_redis_access_key_auth_disabled",
            title: "Azure Cache for Redis disables access-key authentication",
            service: "cache",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.disableAccessKeyAuthentication is true (clients \
                          authenticate with Microsoft Entra tokens); false fails, and so does \
                          absence, which Azure documents as the default, false; a cache whose \
                          properties were not collected is an error. Since catalogue 2026.12.0: absent properties.disableAccessKeyAuthentication is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Access keys are shared secrets with full data access that cannot be tied to \
                        a caller; Entra authentication gives identified, revocable access (CC6.1).",
            remediation: "Portal: Azure Cache for Redis > Settings > Authentication > Access keys > \
                          Disable Access Keys Authentication (after enabling Microsoft Entra \
                          authentication). CLI: az redis update -g <rg> -n <cache> --set \
                          disableAccessKeyAuthentication=true",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, access_key_auth_disabled),
    },
];

fn non_ssl_port_disabled(r: &Resource) -> Verdict {
    match require_bool(r, "/enableNonSslPort") {
        Ok(false) => Verdict::pass("only the TLS port is open"),
        Ok(true) => Verdict::fail("the non-TLS port (6379) is enabled"),
        Err(v) => return v,
    }
    .observe_prop("properties.enableNonSslPort", r, "/enableNonSslPort")
}

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
        return Verdict::error("the cache's properties were not collected").observe(key, None);
    }
    let value = props::value(r, "/publicNetworkAccess");
    match value {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access is disabled")
        }
        Some(Value::String(s)) => Verdict::fail(format!("public network access is {s}")),
        None => {
            Verdict::fail("publicNetworkAccess is not set; Azure documents the default as Enabled")
        }
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/publicNetworkAccess")
}

fn access_key_auth_disabled(r: &Resource) -> Verdict {
    let key = "properties.disableAccessKeyAuthentication";
    if !props::body_present(r) {
        return Verdict::error("the cache's properties were not collected").observe(key, None);
    }
    let value = props::value(r, "/disableAccessKeyAuthentication");
    match value {
        Some(Value::Bool(true)) => Verdict::pass("access-key authentication is disabled"),
        Some(Value::Bool(false)) => Verdict::fail("access keys can be used to authenticate"),
        None => Verdict::fail(
            "disableAccessKeyAuthentication is not set; Azure documents the default as false \
             (access keys accepted)",
        ),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/disableAccessKeyAuthentication")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_resource, fixture, resource, set_prop, without_body};
    use crate::model::Resource;

    /// cache1: non-TLS port enabled, public network access Enabled, no minimumTlsVersion and no
    /// disableAccessKeyAuthentication.
    const GET: &str = "../handmade/cache/redis_cache_get.2024-11-01.json";

    fn cache() -> Resource {
        resource(fixture(GET))
    }
    fn cache_with(pointer: &str, value: Value) -> Resource {
        let mut r = cache();
        set_prop(&mut r, pointer, value);
        r
    }
    fn uncollected() -> Resource {
        let mut r = cache();
        r.properties = Value::Null;
        r
    }

    #[test]
    fn cache_redis_non_ssl_port_disabled_pass() {
        let v = eval_resource(
            "cache_redis_non_ssl_port_disabled",
            &cache_with("/enableNonSslPort", json!(false)),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.enableNonSslPort"], json!(false));
    }
    #[test]
    fn cache_redis_non_ssl_port_disabled_fail() {
        let v = eval_resource("cache_redis_non_ssl_port_disabled", &cache());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the non-TLS port (6379) is enabled")
        );
    }
    #[test]
    fn cache_redis_non_ssl_port_disabled_missing() {
        let v = eval_resource(
            "cache_redis_non_ssl_port_disabled",
            &cache_with("/enableNonSslPort", Value::Null),
        );
        // Absent is the documented default, false.
        assert_eq!(v.status, S::Pass);
        assert!(v.reason.contains("enableNonSslPort"));
        let v = eval_resource("cache_redis_non_ssl_port_disabled", &without_body(&cache()));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn cache_redis_minimum_tls_1_2_pass() {
        let v = eval_resource(
            "cache_redis_minimum_tls_1_2",
            &cache_with("/minimumTlsVersion", json!("1.2")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cache_redis_minimum_tls_1_2_fail() {
        let v = eval_resource(
            "cache_redis_minimum_tls_1_2",
            &cache_with("/minimumTlsVersion", json!("1.0")),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "minimum TLS version is 1.0")
        );
    }
    #[test]
    fn cache_redis_minimum_tls_1_2_missing() {
        // Microsoft's example has no minimumTlsVersion.
        let v = eval_resource("cache_redis_minimum_tls_1_2", &cache());
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties/minimumTlsVersion"], Value::Null);
    }

    #[test]
    fn cache_redis_public_network_access_disabled_pass() {
        let v = eval_resource(
            "cache_redis_public_network_access_disabled",
            &cache_with("/publicNetworkAccess", json!("Disabled")),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cache_redis_public_network_access_disabled_fail() {
        let v = eval_resource("cache_redis_public_network_access_disabled", &cache());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "public network access is Enabled")
        );
        let v = eval_resource(
            "cache_redis_public_network_access_disabled",
            &cache_with("/publicNetworkAccess", Value::Null),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default \"Enabled\""),
            "{}",
            v.reason
        );
    }
    #[test]
    fn cache_redis_public_network_access_disabled_missing() {
        let v = eval_resource("cache_redis_public_network_access_disabled", &uncollected());
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn cache_redis_access_key_auth_disabled_pass() {
        let v = eval_resource(
            "cache_redis_access_key_auth_disabled",
            &cache_with("/disableAccessKeyAuthentication", json!(true)),
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn cache_redis_access_key_auth_disabled_fail() {
        let v = eval_resource("cache_redis_access_key_auth_disabled", &cache());
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["properties.disableAccessKeyAuthentication"],
            Value::Null
        );
    }
    #[test]
    fn cache_redis_access_key_auth_disabled_missing() {
        let v = eval_resource("cache_redis_access_key_auth_disabled", &uncollected());
        assert_eq!(v.status, S::Error);
    }
}
