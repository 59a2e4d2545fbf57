//! The `soc2-evidence.toml` configuration: strict parse (unknown keys rejected), then
//! validation that reports every problem at once, each with its key. Reads the file and nothing
//! else.

use std::path::Path;

use serde::Deserialize;

pub const FILE_NAME: &str = "soc2-evidence.toml";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub organisation: Organisation,
    pub evidence: EvidenceConfig,
    /// Tunables of individual checks (`[checks]`), recorded in `summary.json`.
    pub checks: crate::checks::Settings,
    /// Where and how to reach Azure (`[azure]`).
    pub azure: AzureConfig,
    /// What to collect and how hard to push (`[collect]`).
    pub collect: CollectConfig,
}

/// `[azure]`: the cloud, endpoint overrides, and the identity to use. Never a secret: those
/// come from the environment (or, better, from OIDC federation).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AzureConfig {
    /// `public`, `china`, `usgov` or `custom` (then every endpoint must be given).
    pub cloud: crate::collect::Cloud,
    /// Overrides the cloud's Entra authority host (`AZURE_AUTHORITY_HOST` overrides this).
    pub authority_host: Option<String>,
    /// Overrides the ARM endpoint (`SOC2_EVIDENCE_ARM_ENDPOINT` overrides this).
    pub arm_endpoint: Option<String>,
    /// Overrides the Microsoft Graph endpoint (`SOC2_EVIDENCE_GRAPH_ENDPOINT` overrides this).
    pub graph_endpoint: Option<String>,
    /// Entra tenant id, when `AZURE_TENANT_ID` is not set.
    pub tenant_id: Option<String>,
    /// Application (client) id, when `AZURE_CLIENT_ID` is not set.
    pub client_id: Option<String>,
    /// Credential choice; `--auth` overrides it.
    pub auth: crate::collect::AuthMethod,
    /// A PEM file of extra root certificates to trust (a TLS-inspecting proxy, a test CA).
    pub ca_file: Option<String>,
}

/// `[collect]`: scope and pacing of a collection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectConfig {
    /// Subscription ids to collect; empty: every subscription the identity can see.
    pub subscriptions: Vec<String>,
    /// Subscription ids to leave out.
    pub exclude_subscriptions: Vec<String>,
    /// Collect the subscriptions below this management group.
    pub management_group: Option<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Timeout of every HTTP request, in seconds.
    pub request_timeout_secs: u64,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Backoff before the first retry, in milliseconds (doubled per retry).
    pub backoff_base_ms: u64,
    /// Upper bound of one backoff, in milliseconds.
    pub backoff_cap_ms: u64,
    /// Upper bound of one wait asked for by `Retry-After`, in seconds.
    pub retry_after_cap_secs: u64,
    /// Pages read at most per source and scope.
    pub page_cap: u32,
    /// Activity Log look-back when no `--changes-since` is given (1 to 90).
    pub activity_log_days: u32,
}

impl Default for CollectConfig {
    fn default() -> Self {
        let retry = crate::collect::RetryPolicy::default();
        Self {
            subscriptions: vec![],
            exclude_subscriptions: vec![],
            management_group: None,
            concurrency: crate::collect::DEFAULT_CONCURRENCY,
            request_timeout_secs: crate::collect::DEFAULT_REQUEST_TIMEOUT.as_secs(),
            max_attempts: retry.max_attempts,
            backoff_base_ms: retry.backoff_base.as_millis() as u64,
            backoff_cap_ms: retry.backoff_cap.as_millis() as u64,
            retry_after_cap_secs: retry.retry_after_cap.as_secs(),
            page_cap: crate::collect::DEFAULT_PAGE_CAP,
            activity_log_days: crate::collect::MAX_ACTIVITY_LOG_DAYS,
        }
    }
}

impl AzureConfig {
    fn problems(&self) -> Vec<String> {
        let mut p = vec![];
        for (key, value) in [
            ("azure.authority_host", &self.authority_host),
            ("azure.arm_endpoint", &self.arm_endpoint),
            ("azure.graph_endpoint", &self.graph_endpoint),
        ] {
            if let Some(v) = value
                && let Err(e) = crate::collect::endpoints::validate(key, v)
            {
                p.push(e.to_string());
            }
        }
        for (key, value) in [
            ("azure.tenant_id", &self.tenant_id),
            ("azure.client_id", &self.client_id),
        ] {
            if let Some(v) = value
                && (v.is_empty()
                    || !v
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            {
                p.push(format!("{key}: {v:?} is not an id"));
            }
        }
        if self.ca_file.as_deref().is_some_and(|f| f.trim().is_empty()) {
            p.push("azure.ca_file: must not be empty".to_string());
        }
        p
    }
}

impl CollectConfig {
    fn problems(&self) -> Vec<String> {
        let mut p = vec![];
        for (key, list) in [
            ("collect.subscriptions", &self.subscriptions),
            ("collect.exclude_subscriptions", &self.exclude_subscriptions),
        ] {
            for (i, s) in list.iter().enumerate() {
                if s.trim().is_empty() {
                    p.push(format!("{key}[{i}]: must not be empty"));
                }
            }
        }
        if self
            .management_group
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            p.push("collect.management_group: must not be empty".to_string());
        }
        let range = |key: &str, v: u64, lo: u64, hi: u64, p: &mut Vec<String>| {
            if !(lo..=hi).contains(&v) {
                p.push(format!("{key}: must be between {lo} and {hi}, not {v}"));
            }
        };
        range(
            "collect.concurrency",
            self.concurrency as u64,
            1,
            64,
            &mut p,
        );
        range(
            "collect.request_timeout_secs",
            self.request_timeout_secs,
            1,
            600,
            &mut p,
        );
        range(
            "collect.max_attempts",
            u64::from(self.max_attempts),
            1,
            10,
            &mut p,
        );
        range(
            "collect.backoff_base_ms",
            self.backoff_base_ms,
            1,
            60_000,
            &mut p,
        );
        range(
            "collect.backoff_cap_ms",
            self.backoff_cap_ms,
            1,
            600_000,
            &mut p,
        );
        range(
            "collect.retry_after_cap_secs",
            self.retry_after_cap_secs,
            1,
            3600,
            &mut p,
        );
        range(
            "collect.page_cap",
            u64::from(self.page_cap),
            1,
            1_000_000,
            &mut p,
        );
        range(
            "collect.activity_log_days",
            u64::from(self.activity_log_days),
            1,
            u64::from(crate::collect::MAX_ACTIVITY_LOG_DAYS),
            &mut p,
        );
        if self.backoff_cap_ms < self.backoff_base_ms {
            p.push("collect.backoff_cap_ms: must not be below collect.backoff_base_ms".to_string());
        }
        p
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organisation {
    /// Shown on the report cover.
    pub name: String,
    /// The system under audit, as named in the SOC 2 system description.
    pub system: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// Directory of the evidence inside the repository.
    pub root: String,
    /// Holds approved evidence.
    pub base_branch: String,
    /// Where the bot builds each new snapshot.
    pub bot_branch: String,
}

impl Default for Organisation {
    fn default() -> Self {
        Self {
            name: "Unnamed organisation".into(),
            system: "Azure estate".into(),
        }
    }
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            root: "evidence".into(),
            base_branch: "main".into(),
            bot_branch: "soc2-evidence/assessment".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: invalid configuration:\n  - {}", problems.join("\n  - "))]
    Invalid { file: String, problems: Vec<String> },
}

impl Config {
    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// Loads `path` if given, else `<dir>/soc2-evidence.toml` if it exists, else defaults.
    pub fn discover(path: Option<&Path>, dir: &Path) -> Result<Self, ConfigError> {
        match path {
            Some(p) => Self::load(p),
            None => {
                let p = dir.join(FILE_NAME);
                if p.is_file() {
                    Self::load(&p)
                } else {
                    Ok(Self::default())
                }
            }
        }
    }

    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let problems = cfg.problems();
        if problems.is_empty() {
            Ok(cfg)
        } else {
            Err(ConfigError::Invalid {
                file: file.to_string(),
                problems,
            })
        }
    }

    /// Every validation problem, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.organisation.name.trim().is_empty() {
            p.push("organisation.name: must not be empty".to_string());
        }
        if self.organisation.system.trim().is_empty() {
            p.push("organisation.system: must not be empty".to_string());
        }
        let root = &self.evidence.root;
        if root.is_empty()
            || root.starts_with('/')
            || root
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == ".." || c == ".git")
        {
            p.push(format!(
                "evidence.root: {root:?} must be a relative path inside the repository"
            ));
        }
        for (key, branch) in [
            ("evidence.base_branch", &self.evidence.base_branch),
            ("evidence.bot_branch", &self.evidence.bot_branch),
        ] {
            if !git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
                p.push(format!("{key}: {branch:?} is not a valid branch name"));
            }
        }
        let c = &self.checks;
        for (key, value) in [
            ("checks.max_global_admins", c.max_global_admins),
            ("checks.max_subscription_owners", c.max_subscription_owners),
            ("checks.stale_account_days", c.stale_account_days),
            ("checks.max_credential_days", c.max_credential_days),
            ("checks.min_log_retention_days", c.min_log_retention_days),
        ] {
            if value == 0 {
                p.push(format!("{key}: must be at least 1"));
            }
        }
        for (i, tag) in c.required_tags.iter().enumerate() {
            if tag.trim().is_empty() {
                p.push(format!("checks.required_tags[{i}]: must not be empty"));
            }
        }
        if self.evidence.base_branch == self.evidence.bot_branch {
            p.push("evidence.bot_branch: must differ from evidence.base_branch".to_string());
        }
        p.extend(self.azure.problems());
        p.extend(self.collect.problems());
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("x.toml", "").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.evidence.bot_branch, "soc2-evidence/assessment");
    }

    #[test]
    fn full_file_parses() {
        let c = Config::parse(
            "x.toml",
            "[organisation]\nname = \"Contoso\"\nsystem = \"Payments\"\n\
             [evidence]\nroot = \"audit/evidence\"\nbase_branch = \"trunk\"\nbot_branch = \"bot\"\n",
        )
        .unwrap();
        assert_eq!(c.organisation.name, "Contoso");
        assert_eq!(c.evidence.root, "audit/evidence");
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let e = Config::parse("x.toml", "[evidence]\nbase_brnch = \"main\"\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("x.toml:"), "{msg}");
        assert!(msg.contains("base_brnch"), "{msg}");
    }

    #[test]
    fn azure_and_collect_sections() {
        let c = Config::parse(
            "x.toml",
            "[azure]\ncloud = \"usgov\"\nauth = \"client-secret\"\ntenant_id = \"t-1\"\n\
             arm_endpoint = \"http://127.0.0.1:8080\"\n\
             [collect]\nsubscriptions = [\"s1\"]\nexclude_subscriptions = [\"s2\"]\n\
             management_group = \"mg\"\nconcurrency = 4\nactivity_log_days = 30\n",
        )
        .unwrap();
        assert_eq!(c.azure.cloud, crate::collect::Cloud::UsGov);
        assert_eq!(c.azure.auth, crate::collect::AuthMethod::ClientSecret);
        assert_eq!(c.collect.subscriptions, ["s1"]);
        assert_eq!(c.collect.concurrency, 4);
        assert_eq!(c.collect.page_cap, crate::collect::DEFAULT_PAGE_CAP);
    }

    #[test]
    fn azure_and_collect_problems_name_their_keys() {
        let e = Config::parse(
            "x.toml",
            "[azure]\narm_endpoint = \"http://example.test\"\ntenant_id = \"a b\"\n\
             [collect]\nconcurrency = 0\nactivity_log_days = 91\nsubscriptions = [\"\"]\n",
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = &e else {
            panic!("{e}")
        };
        let keys: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "azure.arm_endpoint",
                "azure.tenant_id",
                "collect.subscriptions[0]",
                "collect.concurrency",
                "collect.activity_log_days"
            ]
        );
        let e = Config::parse("x.toml", "[azure]\ncloud = \"mars\"\n").unwrap_err();
        assert!(e.to_string().contains("mars"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = Config::parse(
            "x.toml",
            "[organisation]\nname = \"\"\n[evidence]\nroot = \"../out\"\nbase_branch = \"a..b\"\nbot_branch = \"a..b\"\n",
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = &e else {
            panic!("{e}")
        };
        let keys: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "organisation.name",
                "evidence.root",
                "evidence.base_branch",
                "evidence.bot_branch",
                "evidence.bot_branch"
            ]
        );
    }
}
