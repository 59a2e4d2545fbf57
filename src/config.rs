//! The `soc2-evidence.toml` configuration: strict parse (unknown keys rejected), then
//! environment overrides for CI, then validation that reports every problem at once, each with
//! its key. Reads the file and the environment and nothing else.
//!
//! Environment overrides: `SOC2_EVIDENCE__<SECTION>__<KEY>=value` sets `<section>.<key>` (upper
//! case, double underscores), e.g. `SOC2_EVIDENCE__GITHUB__REPOSITORY=contoso/evidence`. Lists
//! take comma- or newline-separated items (`SOC2_EVIDENCE__COLLECT__SUBSCRIPTIONS="a,b"`); an
//! empty value clears an optional key or a list. Only the keys in [`ENV_KEYS`] can be set this
//! way (the ones a CI job varies); any other `SOC2_EVIDENCE__…` variable is a problem, like an
//! unknown key in the file. Overrides apply to the configuration of the current run
//! ([`Config::discover`]), never to a configuration read back from a commit ([`Config::parse`]),
//! so a report rebuilt from a commit stays byte-identical.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "soc2-evidence.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Where drift pull requests and releases are published (`[github]`).
    pub github: GithubConfig,
    /// Accepted risks (`[waivers]`).
    pub waivers: WaiversConfig,
    /// Manual criteria's attestations (`[attestations]`).
    pub attestations: AttestationsConfig,
}

/// `[waivers]`: where the waiver file lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WaiversConfig {
    /// Path of the waiver file, relative to the repository root.
    pub file: String,
}

impl Default for WaiversConfig {
    fn default() -> Self {
        Self {
            file: crate::waivers::FILE_NAME.into(),
        }
    }
}

/// `[attestations]`: where manual attestations live and how long one holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AttestationsConfig {
    /// Directory of `<criterion>.md` files, relative to the repository root.
    pub dir: String,
    /// Days after its date at which an attestation is stale (measured at the snapshot's time).
    pub max_age_days: u32,
}

impl Default for AttestationsConfig {
    fn default() -> Self {
        Self {
            dir: crate::attestations::DIR.into(),
            max_age_days: crate::attestations::DEFAULT_MAX_AGE_DAYS,
        }
    }
}

/// A relative path inside the repository: no leading `/`, no empty, `.`, `..` or `.git` part.
fn repo_path_ok(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == ".." || c == ".git")
}

/// `[azure]`: the cloud, endpoint overrides, and the identity to use. Never a secret: those
/// come from the environment (or, better, from OIDC federation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CollectConfig {
    /// Subscription ids to collect; empty: every subscription the identity can see.
    pub subscriptions: Vec<String>,
    /// Subscription ids to leave out.
    pub exclude_subscriptions: Vec<String>,
    /// Subscriptions of another tenant (Azure Lighthouse delegations) to assess as well, by id.
    /// Every other subscription whose home tenant is not the assessed tenant is skipped and
    /// named in the evidence.
    pub include_delegated_subscriptions: Vec<String>,
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
    /// Deadline of each source, in seconds from its first request (default 900, 15 minutes):
    /// what it has not read by then (requests, retries, pages) is a gap naming the deadline.
    /// A third of the run's default, so one hanging source leaves the others time; the
    /// largest benchmarked tenant (100,000 resources) reads every source in under a minute.
    pub source_deadline_secs: u64,
    /// Deadline of the whole collection, in seconds from its start (default 2700, 45
    /// minutes): what is not read by then is a gap naming the deadline, and the run goes on
    /// to assess and commit. Leaves 15 minutes of a 60-minute GitHub Actions job (the example
    /// workflows' `timeout-minutes`) for assessment, commit and the pull request.
    pub run_deadline_secs: u64,
}

impl Default for CollectConfig {
    fn default() -> Self {
        let retry = crate::collect::RetryPolicy::default();
        Self {
            subscriptions: vec![],
            exclude_subscriptions: vec![],
            include_delegated_subscriptions: vec![],
            management_group: None,
            concurrency: crate::collect::DEFAULT_CONCURRENCY,
            request_timeout_secs: crate::collect::DEFAULT_REQUEST_TIMEOUT.as_secs(),
            max_attempts: retry.max_attempts,
            backoff_base_ms: retry.backoff_base.as_millis() as u64,
            backoff_cap_ms: retry.backoff_cap.as_millis() as u64,
            retry_after_cap_secs: retry.retry_after_cap.as_secs(),
            page_cap: crate::collect::DEFAULT_PAGE_CAP,
            activity_log_days: crate::collect::MAX_ACTIVITY_LOG_DAYS,
            source_deadline_secs: crate::collect::DEFAULT_SOURCE_DEADLINE.as_secs(),
            run_deadline_secs: crate::collect::DEFAULT_RUN_DEADLINE.as_secs(),
        }
    }
}

/// Environment variable that overrides `github.api_url` (GitHub Enterprise Server, tests).
pub const GITHUB_API_URL_ENV: &str = "SOC2_EVIDENCE_GITHUB_API_URL";

/// How a run whose evidence shows no material drift is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NoDrift {
    /// Commit the snapshot on the base branch and push it: Type 2 needs continuous evidence.
    #[default]
    CommitOnBase,
    /// Record nothing.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GithubConfig {
    /// `owner/name` of the evidence repository on GitHub; empty: taken from `GITHUB_REPOSITORY`
    /// (set in GitHub Actions) or the `origin` remote's URL.
    pub repository: String,
    /// REST API base URL; `https://api.github.com`, or `https://HOST/api/v3` for GitHub
    /// Enterprise Server. `SOC2_EVIDENCE_GITHUB_API_URL` overrides it.
    pub api_url: String,
    /// Git remote the evidence repository is pushed to.
    pub remote: String,
    /// Labels on the drift pull request; the first also finds it again.
    pub labels: Vec<String>,
    /// Reviewers requested when a drift pull request is opened: user logins, or `org/team`.
    pub reviewers: Vec<String>,
    /// What a run without material drift records: `commit-on-base` or `nothing`.
    pub no_drift: NoDrift,
}

impl Default for GithubConfig {
    fn default() -> Self {
        Self {
            repository: String::new(),
            api_url: "https://api.github.com".into(),
            remote: "origin".into(),
            labels: vec!["soc2-evidence".into()],
            reviewers: Vec::new(),
            no_drift: NoDrift::CommitOnBase,
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

/// Longest deadline the config accepts: a day, far beyond any CI job (GitHub-hosted jobs stop
/// at 6 hours), so a typo of a few zeros is caught rather than leaving the run unbounded.
const MAX_DEADLINE_SECS: u64 = 86_400;

impl CollectConfig {
    fn problems(&self) -> Vec<String> {
        let mut p = vec![];
        for (key, list) in [
            ("collect.subscriptions", &self.subscriptions),
            ("collect.exclude_subscriptions", &self.exclude_subscriptions),
            (
                "collect.include_delegated_subscriptions",
                &self.include_delegated_subscriptions,
            ),
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
        range(
            "collect.source_deadline_secs",
            self.source_deadline_secs,
            1,
            MAX_DEADLINE_SECS,
            &mut p,
        );
        range(
            "collect.run_deadline_secs",
            self.run_deadline_secs,
            1,
            MAX_DEADLINE_SECS,
            &mut p,
        );
        if self.source_deadline_secs > self.run_deadline_secs {
            p.push(format!(
                "collect.source_deadline_secs: must not be above collect.run_deadline_secs ({} > \
                 {}); the run's deadline bounds every source",
                self.source_deadline_secs, self.run_deadline_secs
            ));
        }
        if self.backoff_cap_ms < self.backoff_base_ms {
            p.push("collect.backoff_cap_ms: must not be below collect.backoff_base_ms".to_string());
        }
        p
    }
}

impl GithubConfig {
    /// The API base URL: the environment override, else the configured one.
    pub fn effective_api_url(&self) -> String {
        match std::env::var(GITHUB_API_URL_ENV) {
            Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => self.api_url.clone(),
        }
    }
}

/// Splits `owner/name`, checking both parts are plausible GitHub names.
pub fn parse_repository(s: &str) -> Option<(String, String)> {
    let (owner, name) = s.trim().split_once('/')?;
    let ok = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(owner) && ok(name)).then(|| (owner.to_string(), name.to_string()))
}

/// Validates an API base URL: `https://`, or `http://` to a loopback address only.
pub fn api_url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("https://") {
        return rest.is_empty().then(|| format!("{url:?} has no host"));
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or_default();
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        };
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        return (!loopback)
            .then(|| format!("{url:?}: plain http:// is accepted for loopback addresses only"));
    }
    Some(format!("{url:?} must start with https://"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Organisation {
    /// Shown on the report cover.
    pub name: String,
    /// The system under audit, as named in the SOC 2 system description.
    pub system: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

/// Prefix of the environment overrides: `SOC2_EVIDENCE__<SECTION>__<KEY>`.
pub const ENV_PREFIX: &str = "SOC2_EVIDENCE__";

/// The keys the environment can override (`section.key`).
pub const ENV_KEYS: [&str; 16] = [
    "organisation.name",
    "organisation.system",
    "evidence.root",
    "evidence.base_branch",
    "evidence.bot_branch",
    "azure.tenant_id",
    "azure.client_id",
    "collect.subscriptions",
    "collect.exclude_subscriptions",
    "collect.include_delegated_subscriptions",
    "collect.management_group",
    "github.repository",
    "github.remote",
    "github.labels",
    "github.reviewers",
    "github.no_drift",
];

/// The environment variable that overrides `section.key`.
pub fn env_var_for(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.to_ascii_uppercase().replace('.', "__")
    )
}

/// Comma- or newline-separated items, trimmed, empty ones dropped.
fn env_list(v: &str) -> Vec<String> {
    v.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn env_opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

impl Config {
    /// Applies `SOC2_EVIDENCE__…` overrides from `vars`. Returns the problems (unknown
    /// variables, unreadable values) and the `(key, variable)` pairs applied.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> (Vec<String>, Vec<(String, String)>) {
        let mut problems = vec![];
        let mut applied = vec![];
        let mut vars: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        vars.sort();
        for (var, value) in vars {
            let key = var[ENV_PREFIX.len()..]
                .to_ascii_lowercase()
                .replacen("__", ".", 1);
            let v = value.trim().to_string();
            match key.as_str() {
                "organisation.name" => self.organisation.name = v,
                "organisation.system" => self.organisation.system = v,
                "evidence.root" => self.evidence.root = v,
                "evidence.base_branch" => self.evidence.base_branch = v,
                "evidence.bot_branch" => self.evidence.bot_branch = v,
                "azure.tenant_id" => self.azure.tenant_id = env_opt(&v),
                "azure.client_id" => self.azure.client_id = env_opt(&v),
                "collect.subscriptions" => self.collect.subscriptions = env_list(&v),
                "collect.exclude_subscriptions" => {
                    self.collect.exclude_subscriptions = env_list(&v)
                }
                "collect.include_delegated_subscriptions" => {
                    self.collect.include_delegated_subscriptions = env_list(&v)
                }
                "collect.management_group" => self.collect.management_group = env_opt(&v),
                "github.repository" => self.github.repository = v,
                "github.remote" => self.github.remote = v,
                "github.labels" => self.github.labels = env_list(&v),
                "github.reviewers" => self.github.reviewers = env_list(&v),
                "github.no_drift" => match v.as_str() {
                    "commit-on-base" => self.github.no_drift = NoDrift::CommitOnBase,
                    "nothing" => self.github.no_drift = NoDrift::Nothing,
                    other => {
                        problems.push(format!(
                            "{var}: {other:?} is not one of \"commit-on-base\", \"nothing\""
                        ));
                        continue;
                    }
                },
                _ => {
                    problems.push(format!(
                        "{var}: not a configuration override; the environment can set {}",
                        ENV_KEYS.map(env_var_for).join(", ")
                    ));
                    continue;
                }
            }
            applied.push((key, var));
        }
        (problems, applied)
    }

    /// Loads and validates a config file, with the process environment's overrides.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_with_env(path, std::env::vars())
    }

    fn load_with_env(
        path: &Path,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Self::parse_with_env(&file, &text, vars)
    }

    /// Loads `path` if given, else `<dir>/soc2-evidence.toml` if it exists, else defaults; then
    /// applies the environment's overrides and validates.
    pub fn discover(path: Option<&Path>, dir: &Path) -> Result<Self, ConfigError> {
        Self::discover_with_env(path, dir, std::env::vars())
    }

    /// [`Config::discover`] with the environment given.
    pub fn discover_with_env(
        path: Option<&Path>,
        dir: &Path,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        match path {
            Some(p) => Self::load_with_env(p, vars),
            None => {
                let p = dir.join(FILE_NAME);
                if p.is_file() {
                    Self::load_with_env(&p, vars)
                } else {
                    Self::parse_with_env("(defaults)", "", vars)
                }
            }
        }
    }

    /// Parses and validates a config file's text, without environment overrides.
    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        Self::parse_with_env(file, text, std::iter::empty())
    }

    /// Parses, applies the overrides in `vars`, and validates: every problem at once, those of
    /// overridden keys naming their variable.
    pub fn parse_with_env(
        file: &str,
        text: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let (mut problems, applied) = cfg.apply_env(vars);
        for p in cfg.problems() {
            let key = p.split([':', '[']).next().unwrap_or_default();
            match applied.iter().find(|(k, _)| k == key) {
                Some((_, var)) => problems.push(format!("{p} (set by {var})")),
                None => problems.push(p),
            }
        }
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
        if !repo_path_ok(&self.waivers.file) {
            p.push(format!(
                "waivers.file: {:?} must be a relative path inside the repository",
                self.waivers.file
            ));
        }
        if !repo_path_ok(&self.attestations.dir) {
            p.push(format!(
                "attestations.dir: {:?} must be a relative path inside the repository",
                self.attestations.dir
            ));
        }
        if self.attestations.max_age_days == 0 {
            p.push("attestations.max_age_days: must be at least 1".to_string());
        }
        let g = &self.github;
        if !g.repository.is_empty() && parse_repository(&g.repository).is_none() {
            p.push(format!(
                "github.repository: {:?} must be `owner/name`",
                g.repository
            ));
        }
        if let Some(problem) = api_url_problem(&g.api_url) {
            p.push(format!("github.api_url: {problem}"));
        }
        if g.remote.trim().is_empty() {
            p.push("github.remote: must not be empty".to_string());
        }
        if g.labels.is_empty() {
            p.push("github.labels: at least one label finds the drift pull request".to_string());
        }
        for (i, l) in g.labels.iter().enumerate() {
            if l.trim().is_empty() || l.contains(',') {
                p.push(format!(
                    "github.labels[{i}]: {l:?} must be non-empty and hold no comma"
                ));
            }
        }
        for (i, r) in g.reviewers.iter().enumerate() {
            let valid = match r.split_once('/') {
                Some((org, team)) => parse_repository(&format!("{org}/{team}")).is_some(),
                None => !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            };
            if !valid {
                p.push(format!(
                    "github.reviewers[{i}]: {r:?} must be a user login or `org/team`"
                ));
            }
        }
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
    fn github_section_parses_and_validates() {
        let c = Config::parse(
            "x.toml",
            "[github]\nrepository = \"contoso/evidence\"\nlabels = [\"soc2\", \"drift\"]\n\
             reviewers = [\"alice\", \"contoso/security\"]\nno_drift = \"nothing\"\n",
        )
        .unwrap();
        assert_eq!(c.github.no_drift, NoDrift::Nothing);
        assert_eq!(c.github.labels, ["soc2", "drift"]);
        assert_eq!(c.github.api_url, "https://api.github.com");
        assert_eq!(Config::default().github.no_drift, NoDrift::CommitOnBase);

        let e = Config::parse(
            "x.toml",
            "[github]\nrepository = \"nope\"\napi_url = \"http://example.com\"\nlabels = []\n\
             reviewers = [\"a b\"]\n",
        )
        .unwrap_err()
        .to_string();
        for key in [
            "github.repository",
            "github.api_url",
            "github.labels",
            "github.reviewers[0]",
        ] {
            assert!(e.contains(key), "{key}: {e}");
        }
        let e = Config::parse("x.toml", "[github]\nno_drift = \"sometimes\"\n").unwrap_err();
        assert!(e.to_string().contains("no_drift"), "{e}");
    }

    #[test]
    fn api_urls_must_be_https_or_loopback_http() {
        assert_eq!(api_url_problem("https://ghe.example.com/api/v3"), None);
        assert_eq!(api_url_problem("http://127.0.0.1:8080"), None);
        assert_eq!(api_url_problem("http://[::1]:8080/"), None);
        assert_eq!(api_url_problem("http://localhost:1"), None);
        assert!(api_url_problem("http://10.0.0.1").is_some());
        assert!(api_url_problem("ftp://x").is_some());
        assert_eq!(
            parse_repository("contoso/evidence"),
            Some(("contoso".into(), "evidence".into()))
        );
        assert_eq!(parse_repository("a/b/c"), None);
    }

    #[test]
    fn waivers_and_attestations_sections() {
        let c = Config::default();
        assert_eq!(c.waivers.file, "waivers.toml");
        assert_eq!(c.attestations.dir, "attestations");
        assert_eq!(c.attestations.max_age_days, 365);
        let c = Config::parse(
            "x.toml",
            "[waivers]\nfile = \"governance/waivers.toml\"\n\
             [attestations]\ndir = \"governance/attest\"\nmax_age_days = 180\n",
        )
        .unwrap();
        assert_eq!(c.waivers.file, "governance/waivers.toml");
        assert_eq!(c.attestations.max_age_days, 180);
        let e = Config::parse(
            "x.toml",
            "[waivers]\nfile = \"../w.toml\"\n[attestations]\nmax_age_days = 0\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("waivers.file"), "{e}");
        assert!(e.contains("attestations.max_age_days"), "{e}");
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
             include_delegated_subscriptions = [\"d1\"]\n\
             management_group = \"mg\"\nconcurrency = 4\nactivity_log_days = 30\n",
        )
        .unwrap();
        assert_eq!(c.collect.include_delegated_subscriptions, ["d1"]);
        assert!(
            Config::default()
                .collect
                .include_delegated_subscriptions
                .is_empty()
        );
        assert_eq!(c.azure.cloud, crate::collect::Cloud::UsGov);
        assert_eq!(c.azure.auth, crate::collect::AuthMethod::ClientSecret);
        assert_eq!(c.collect.subscriptions, ["s1"]);
        assert_eq!(c.collect.concurrency, 4);
        assert_eq!(c.collect.page_cap, crate::collect::DEFAULT_PAGE_CAP);
    }

    #[test]
    fn collection_deadlines_default_parse_and_are_bounded() {
        let d = Config::default().collect;
        assert_eq!((d.source_deadline_secs, d.run_deadline_secs), (900, 2700));
        let c = Config::parse(
            "x.toml",
            "[collect]\nsource_deadline_secs = 5\nrun_deadline_secs = 60\n",
        )
        .unwrap();
        assert_eq!(
            (c.collect.source_deadline_secs, c.collect.run_deadline_secs),
            (5, 60)
        );
        let problems = |text: &str| match Config::parse("x.toml", text).unwrap_err() {
            ConfigError::Invalid { problems, .. } => problems,
            other => panic!("{other}"),
        };
        let p = problems("[collect]\nsource_deadline_secs = 0\nrun_deadline_secs = 86401\n");
        assert_eq!(
            p,
            [
                "collect.source_deadline_secs: must be between 1 and 86400, not 0",
                "collect.run_deadline_secs: must be between 1 and 86400, not 86401"
            ]
        );
        let p = problems("[collect]\nsource_deadline_secs = 120\nrun_deadline_secs = 60\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with(
                "collect.source_deadline_secs: must not be above collect.run_deadline_secs"
            ),
            "{p:?}"
        );
        // A negative or fractional value is refused by the parser, naming the key.
        for text in [
            "[collect]\nrun_deadline_secs = -1\n",
            "[collect]\nrun_deadline_secs = 1.5\n",
        ] {
            let e = Config::parse("x.toml", text).unwrap_err().to_string();
            assert!(e.contains("run_deadline_secs"), "{e}");
        }
    }

    #[test]
    fn azure_and_collect_problems_name_their_keys() {
        let e = Config::parse(
            "x.toml",
            "[azure]\narm_endpoint = \"http://example.test\"\ntenant_id = \"a b\"\n\
             [collect]\nconcurrency = 0\nactivity_log_days = 91\nsubscriptions = [\"\"]\n\
             include_delegated_subscriptions = [\"d1\", \" \"]\n",
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
                "collect.include_delegated_subscriptions[1]",
                "collect.concurrency",
                "collect.activity_log_days"
            ]
        );
        // A misspelt key is rejected, not ignored (a bool is not the list it expects either).
        for bad in [
            "[collect]\ninclude_delegated_subscription = [\"d1\"]\n",
            "[collect]\ninclude_delegated_subscriptions = true\n",
        ] {
            let e = Config::parse("x.toml", bad).unwrap_err();
            assert!(
                e.to_string().contains("include_delegated_subscription"),
                "{e}"
            );
        }
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

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = Config::parse_with_env(
            "x.toml",
            "[organisation]\nname = \"File\"\n[collect]\nsubscriptions = [\"f\"]\n",
            env(&[
                ("SOC2_EVIDENCE__ORGANISATION__NAME", "Contoso"),
                ("SOC2_EVIDENCE__EVIDENCE__BOT_BRANCH", "bot/x"),
                ("SOC2_EVIDENCE__GITHUB__REPOSITORY", "contoso/evidence"),
                ("SOC2_EVIDENCE__GITHUB__LABELS", "soc2, drift"),
                ("SOC2_EVIDENCE__COLLECT__SUBSCRIPTIONS", "s1\ns2,\n s3\n"),
                ("SOC2_EVIDENCE__COLLECT__MANAGEMENT_GROUP", ""),
                ("SOC2_EVIDENCE__GITHUB__NO_DRIFT", "nothing"),
                (
                    "SOC2_EVIDENCE_ARM_ENDPOINT",
                    "not an override: one underscore",
                ),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.organisation.name, "Contoso");
        assert_eq!(c.evidence.bot_branch, "bot/x");
        assert_eq!(c.github.repository, "contoso/evidence");
        assert_eq!(c.github.labels, ["soc2", "drift"]);
        assert_eq!(c.collect.subscriptions, ["s1", "s2", "s3"]);
        assert_eq!(c.collect.management_group, None);
        assert_eq!(c.github.no_drift, NoDrift::Nothing);
        // A config read back from a commit ignores the environment.
        assert_eq!(
            Config::parse("x.toml", "").unwrap().organisation.name,
            "Unnamed organisation"
        );
        for key in ENV_KEYS {
            let mut c = Config::default();
            let value = if key == "github.no_drift" {
                "nothing"
            } else {
                "x"
            };
            let (p, applied) = c.apply_env(env(&[(&env_var_for(key), value)]));
            assert!(p.is_empty() && applied.len() == 1, "{key}: {p:?}");
        }
    }

    #[test]
    fn environment_problems_are_reported_with_the_file_problems() {
        let e = Config::parse_with_env(
            "x.toml",
            "[organisation]\nsystem = \"\"\n",
            env(&[
                ("SOC2_EVIDENCE__GITHUB__REPOSITORY", "not-a-repo"),
                ("SOC2_EVIDENCE__GITHUB__NO_DRIFT", "sometimes"),
                ("SOC2_EVIDENCE__GITHUB__API_URL", "https://x"),
            ]),
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].starts_with("SOC2_EVIDENCE__GITHUB__API_URL: not a configuration"));
        assert!(problems[1].starts_with("SOC2_EVIDENCE__GITHUB__NO_DRIFT:"));
        assert!(problems[2].starts_with("organisation.system:"));
        assert!(
            problems[3].starts_with("github.repository:")
                && problems[3].ends_with("(set by SOC2_EVIDENCE__GITHUB__REPOSITORY)"),
            "{}",
            problems[3]
        );
    }

    #[test]
    fn discover_without_a_file_still_applies_the_environment() {
        let dir = std::env::temp_dir().join("soc2-evidence-config-discover-none");
        let c = Config::discover_with_env(
            None,
            &dir,
            env(&[("SOC2_EVIDENCE__ORGANISATION__SYSTEM", "Payments")]),
        )
        .unwrap();
        assert_eq!(c.organisation.system, "Payments");
    }
}
