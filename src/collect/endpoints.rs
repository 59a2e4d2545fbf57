//! Azure clouds and the three endpoints the collector talks to: the Entra authority host (tokens),
//! Azure Resource Manager (ARM and Resource Graph) and Microsoft Graph.
//!
//! Resolution order, later wins: the cloud's defaults, the `[azure]` config keys, then the
//! environment (`AZURE_AUTHORITY_HOST`, `SOC2_EVIDENCE_ARM_ENDPOINT`,
//! `SOC2_EVIDENCE_GRAPH_ENDPOINT`). Every endpoint must be `https://`; plain `http://` is
//! accepted only for loopback hosts (127.0.0.0/8, ::1, `localhost`), so tests and benchmarks can
//! run against local servers without ever sending a token in clear over a network.

use std::net::IpAddr;

use serde::Deserialize;
use url::Url;

pub const ENV_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
pub const ENV_ARM_ENDPOINT: &str = "SOC2_EVIDENCE_ARM_ENDPOINT";
pub const ENV_GRAPH_ENDPOINT: &str = "SOC2_EVIDENCE_GRAPH_ENDPOINT";

/// A national cloud, or `custom` when every endpoint is given explicitly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    #[default]
    Public,
    China,
    #[serde(alias = "usgovernment")]
    UsGov,
    Custom,
}

impl Cloud {
    /// (authority host, ARM, Microsoft Graph) of a national cloud; `None` for `custom`.
    pub fn defaults(self) -> Option<(&'static str, &'static str, &'static str)> {
        match self {
            Cloud::Public => Some((
                "https://login.microsoftonline.com",
                "https://management.azure.com",
                "https://graph.microsoft.com",
            )),
            Cloud::China => Some((
                "https://login.chinacloudapi.cn",
                "https://management.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
            )),
            Cloud::UsGov => Some((
                "https://login.microsoftonline.us",
                "https://management.usgovcloudapi.net",
                "https://graph.microsoft.us",
            )),
            Cloud::Custom => None,
        }
    }
}

/// Endpoint values given in the config file; each overrides the cloud's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOverrides {
    pub authority_host: Option<String>,
    pub arm: Option<String>,
    pub graph: Option<String>,
}

/// The three base URLs, validated. Paths below them are joined as strings (a base may carry a
/// path prefix, e.g. a benchmark server mounting ARM under `/arm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authority_host: Url,
    pub arm: Url,
    pub graph: Url,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("{name}: {value:?} is not a valid URL ({reason})")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
    #[error("{name}: {value:?} must use https (plain http is accepted only for loopback hosts)")]
    Scheme { name: String, value: String },
    #[error(
        "{name}: {value:?} uses plain http on a host that is not loopback; use https \
         (http is accepted only for 127.0.0.0/8, ::1 and localhost)"
    )]
    InsecureHost { name: String, value: String },
    #[error("{name}: {value:?} must be a base URL without query or fragment")]
    NotBase { name: String, value: String },
    #[error("the custom cloud needs every endpoint; missing: {}", missing.join(", "))]
    MissingCustom { missing: Vec<String> },
}

impl Endpoints {
    /// The endpoints of a national cloud (`None` for `custom`).
    #[allow(
        clippy::expect_used,
        reason = "Cloud::defaults are constant URLs, parsed by the tests"
    )]
    pub fn for_cloud(cloud: Cloud) -> Option<Self> {
        let (a, r, g) = cloud.defaults()?;
        Some(Self {
            authority_host: Url::parse(a).expect("static URL"),
            arm: Url::parse(r).expect("static URL"),
            graph: Url::parse(g).expect("static URL"),
        })
    }

    /// Validates three explicit endpoints (tests and benchmarks).
    pub fn new(authority_host: &str, arm: &str, graph: &str) -> Result<Self, EndpointError> {
        Ok(Self {
            authority_host: validate("authority_host", authority_host)?,
            arm: validate("arm_endpoint", arm)?,
            graph: validate("graph_endpoint", graph)?,
        })
    }

    /// Cloud defaults, then config overrides, then the environment (read through `env`, so
    /// callers and tests choose where variables come from).
    pub fn resolve(
        cloud: Cloud,
        config: &EndpointOverrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, EndpointError> {
        let defaults = cloud.defaults();
        let pick = |env_key: &str, configured: &Option<String>, default: Option<&str>| {
            env(env_key)
                .filter(|v| !v.trim().is_empty())
                .or_else(|| configured.clone())
                .or_else(|| default.map(str::to_string))
        };
        let a = pick(
            ENV_AUTHORITY_HOST,
            &config.authority_host,
            defaults.map(|d| d.0),
        );
        let r = pick(ENV_ARM_ENDPOINT, &config.arm, defaults.map(|d| d.1));
        let g = pick(ENV_GRAPH_ENDPOINT, &config.graph, defaults.map(|d| d.2));
        match (a, r, g) {
            (Some(a), Some(r), Some(g)) => Self::new(&a, &r, &g),
            (a, r, g) => {
                let missing = [
                    (a.is_none(), "azure.authority_host"),
                    (r.is_none(), "azure.arm_endpoint"),
                    (g.is_none(), "azure.graph_endpoint"),
                ]
                .into_iter()
                .filter(|(m, _)| *m)
                .map(|(_, k)| k.to_string())
                .collect();
                Err(EndpointError::MissingCustom { missing })
            }
        }
    }

    /// The ARM base without a trailing slash, e.g. `https://management.azure.com`.
    pub fn arm_base(&self) -> &str {
        self.arm.as_str().trim_end_matches('/')
    }

    pub fn graph_base(&self) -> &str {
        self.graph.as_str().trim_end_matches('/')
    }

    /// The token scope for ARM and Resource Graph: `<arm endpoint>/.default`.
    pub fn arm_scope(&self) -> String {
        format!("{}/.default", origin(&self.arm))
    }

    /// The token scope for Microsoft Graph: `<graph endpoint>/.default`.
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", origin(&self.graph))
    }

    /// `<arm base><path>`; `path` starts with `/` and may carry a query.
    pub fn arm_url(&self, path: &str) -> Result<Url, url::ParseError> {
        Url::parse(&format!("{}{path}", self.arm_base()))
    }

    pub fn graph_url(&self, path: &str) -> Result<Url, url::ParseError> {
        Url::parse(&format!("{}{path}", self.graph_base()))
    }
}

/// `scheme://host[:port]` of a URL, for token scopes and same-host checks.
pub fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// True when `candidate` is served by the same scheme, host and port as `base` (paging links are
/// followed only there, so a token is never sent elsewhere).
pub fn same_origin(base: &Url, candidate: &Url) -> bool {
    base.origin() == candidate.origin()
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses an endpoint and applies the https-or-loopback rule. `name` is the config key shown in
/// errors.
pub fn validate(name: &str, value: &str) -> Result<Url, EndpointError> {
    let err = |reason: String| EndpointError::Invalid {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    };
    let u = Url::parse(value.trim()).map_err(|e| err(e.to_string()))?;
    if u.host().is_none() {
        return Err(err("no host".into()));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(EndpointError::NotBase {
            name: name.into(),
            value: value.into(),
        });
    }
    match u.scheme() {
        "https" => Ok(u),
        "http" if is_loopback(&u) => Ok(u),
        "http" => Err(EndpointError::InsecureHost {
            name: name.into(),
            value: value.into(),
        }),
        _ => Err(EndpointError::Scheme {
            name: name.into(),
            value: value.into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn national_clouds() {
        let p = Endpoints::resolve(Cloud::Public, &Default::default(), no_env).unwrap();
        assert_eq!(p.arm_scope(), "https://management.azure.com/.default");
        assert_eq!(p.graph_scope(), "https://graph.microsoft.com/.default");
        let c = Endpoints::resolve(Cloud::China, &Default::default(), no_env).unwrap();
        assert_eq!(c.authority_host.as_str(), "https://login.chinacloudapi.cn/");
        assert_eq!(
            c.graph_scope(),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
        let g = Endpoints::resolve(Cloud::UsGov, &Default::default(), no_env).unwrap();
        assert_eq!(g.arm_base(), "https://management.usgovcloudapi.net");
        assert_eq!(g.graph_base(), "https://graph.microsoft.us");
    }

    #[test]
    fn env_overrides_config_overrides_cloud() {
        let cfg = EndpointOverrides {
            arm: Some("https://arm.example.test".into()),
            graph: Some("https://graph.example.test/".into()),
            ..Default::default()
        };
        let env = |k: &str| (k == ENV_ARM_ENDPOINT).then(|| "http://127.0.0.1:8443".to_string());
        let e = Endpoints::resolve(Cloud::Public, &cfg, env).unwrap();
        assert_eq!(e.arm_base(), "http://127.0.0.1:8443");
        assert_eq!(e.arm_scope(), "http://127.0.0.1:8443/.default");
        assert_eq!(e.graph_base(), "https://graph.example.test");
        assert_eq!(
            e.authority_host.as_str(),
            "https://login.microsoftonline.com/"
        );
    }

    #[test]
    fn custom_cloud_needs_every_endpoint() {
        let cfg = EndpointOverrides {
            arm: Some("https://arm.example.test".into()),
            ..Default::default()
        };
        let e = Endpoints::resolve(Cloud::Custom, &cfg, no_env).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the custom cloud needs every endpoint; missing: azure.authority_host, azure.graph_endpoint"
        );
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:1234",
            "http://127.8.9.10",
            "http://[::1]:80",
            "http://localhost:99",
            "https://example.test",
            "https://10.0.0.1/arm",
        ] {
            assert!(validate("arm_endpoint", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://example.test",
            "http://[::2]",
            "ftp://127.0.0.1",
            "https://a.test/?x=1",
            "not a url",
        ] {
            let e = validate("arm_endpoint", bad).unwrap_err();
            assert!(e.to_string().starts_with("arm_endpoint: "), "{e}");
        }
        assert!(matches!(
            validate("x", "http://example.test"),
            Err(EndpointError::InsecureHost { .. })
        ));
    }

    #[test]
    fn urls_join_below_a_prefix_and_origins_compare() {
        let e = Endpoints::new(
            "https://127.0.0.1:1",
            "http://127.0.0.1:2/arm/",
            "http://127.0.0.1:3",
        )
        .unwrap();
        let u = e.arm_url("/subscriptions?api-version=2022-12-01").unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:2/arm/subscriptions?api-version=2022-12-01"
        );
        assert!(same_origin(&e.arm, &u));
        assert!(!same_origin(&e.graph, &u));
        assert_eq!(e.arm_scope(), "http://127.0.0.1:2/.default");
    }
}
