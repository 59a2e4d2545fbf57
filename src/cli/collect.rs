//! `collect`: read a real Azure tenant (read-only) into `inventory.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::Outcome;
use crate::collect::{
    AuthMethod, AuthOptions, CollectOptions, Collected, EndpointOverrides, Endpoints, Jitter,
    RetryPolicy, ScopeSpec,
};
use crate::config::Config;

/// Collect a tenant into an inventory file. Gaps (a source that could not be read) are data:
/// they are recorded in the inventory and the command still exits 0. It exits 2 when nothing
/// useful could be collected (authentication failed, no subscription in scope, bad input).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  soc2-evidence collect --out inventory.json --subscription 3f2b9a10-0c4e-4d8b-a1f5-6e7d8c9b0a11\n  soc2-evidence collect --management-group contoso-root --auth azure-cli -v"
)]
pub struct Args {
    /// Where to write the inventory.
    #[arg(long, default_value = "inventory.json")]
    out: PathBuf,
    /// Config file; default: `./soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    collect: CollectArgs,
}

/// What to collect and how: shared by `collect` and `run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CollectArgs {
    /// Credential; default: `[azure] auth` of the config, else `auto` (OIDC, federated token
    /// file, client secret, managed identity, Azure CLI: the first that applies).
    #[arg(long, value_enum)]
    auth: Option<AuthMethod>,
    /// A subscription to collect (repeatable); default: every subscription the identity sees.
    #[arg(long = "subscription", value_name = "ID")]
    subscriptions: Vec<String>,
    /// Collect the subscriptions below this management group.
    #[arg(long, value_name = "ID")]
    management_group: Option<String>,
    /// A subscription to leave out (repeatable).
    #[arg(long = "exclude-subscription", value_name = "ID")]
    exclude_subscriptions: Vec<String>,
    /// Read Activity Log events since this time (RFC 3339), e.g. the previous run's
    /// high-water mark; default: the configured look-back (at most 90 days).
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    changes_since: Option<DateTime<Utc>>,
    /// Collect shard `i` of `n` only (e.g. `2/4`): the subscriptions a stable hash of their id
    /// assigns to it; tenant-wide identity (Microsoft Graph) in shard 1 only. Merge the parts
    /// with `assess --inventory part1.json --inventory part2.json …`.
    #[arg(long, value_name = "I/N")]
    shard: Option<crate::collect::Shard>,
    /// Never draw progress bars (they are drawn only on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time (e.g. 2026-11-01T00:00:00Z): {e}"))
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), Path::new("."))?;
    let collected = collect(&a.collect, &config)?;
    let bytes = crate::evidence::canonical::to_bytes(&collected.inventory);
    std::fs::write(&a.out, bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    super::status!("wrote {}", a.out.display());
    Ok(Outcome::Done)
}

/// Collects from Azure as configured and prints the per-source summary: the first stage of
/// `collect` and of `run`.
pub(crate) fn collect(a: &CollectArgs, config: &Config) -> Result<Collected> {
    let opts = options(a, config, |k| std::env::var(k).ok())?;
    let collected = crate::collect::collect_blocking(&opts)?;
    super::status_block!("{}", summary(&collected));
    Ok(collected)
}

impl CollectArgs {
    /// Whether the Activity Log window was given explicitly.
    pub(crate) fn changes_since(&self) -> Option<DateTime<Utc>> {
        self.changes_since
    }

    /// The same arguments with the Activity Log read from `since` on.
    pub(crate) fn with_changes_since(&self, since: DateTime<Utc>) -> Self {
        Self {
            changes_since: Some(since),
            ..self.clone()
        }
    }
}

/// The collection options from the arguments, the config and the environment (`env`).
fn options(
    a: &CollectArgs,
    config: &Config,
    env: impl Fn(&str) -> Option<String> + Copy,
) -> Result<CollectOptions> {
    let az = &config.azure;
    let overrides = EndpointOverrides {
        authority_host: az.authority_host.clone(),
        arm: az.arm_endpoint.clone(),
        graph: az.graph_endpoint.clone(),
    };
    let endpoints = Endpoints::resolve(az.cloud, &overrides, env)?;
    let method = a.auth.unwrap_or(az.auth);
    let mut auth = AuthOptions::from_vars(method, env);
    auth.tenant_id = auth.tenant_id.or_else(|| az.tenant_id.clone());
    auth.client_id = auth.client_id.or_else(|| az.client_id.clone());
    let c = &config.collect;
    let mut opts = CollectOptions::new(endpoints, auth);
    opts.scope = ScopeSpec {
        subscriptions: if a.subscriptions.is_empty() {
            c.subscriptions.clone()
        } else {
            a.subscriptions.clone()
        },
        management_group: a
            .management_group
            .clone()
            .or_else(|| c.management_group.clone()),
        exclude: c
            .exclude_subscriptions
            .iter()
            .chain(&a.exclude_subscriptions)
            .cloned()
            .collect(),
        include_delegated: c.include_delegated_subscriptions.clone(),
    };
    opts.concurrency = c.concurrency;
    opts.request_timeout = Duration::from_secs(c.request_timeout_secs);
    opts.retry = RetryPolicy {
        max_attempts: c.max_attempts,
        backoff_base: Duration::from_millis(c.backoff_base_ms),
        backoff_cap: Duration::from_millis(c.backoff_cap_ms),
        retry_after_cap: Duration::from_secs(c.retry_after_cap_secs),
        jitter: Jitter::Seeded(std::process::id().into()),
    };
    opts.source_deadline = Duration::from_secs(c.source_deadline_secs);
    opts.run_deadline = Duration::from_secs(c.run_deadline_secs);
    opts.page_cap = c.page_cap;
    opts.activity_log_days = c.activity_log_days;
    opts.changes_since = a.changes_since;
    opts.extra_root_ca = az.ca_file.as_ref().map(PathBuf::from);
    opts.progress = !a.no_progress && !super::quiet();
    opts.shard = a.shard;
    Ok(opts)
}

/// One line per source (records, pages, calls, gaps), then the calls by kind.
fn summary(c: &Collected) -> String {
    let inv = &c.inventory;
    let mut out = format!(
        "{:<40} {:>8} {:>6} {:>6} {:>5}\n",
        "source", "records", "pages", "calls", "gaps"
    );
    for s in &inv.sources {
        out.push_str(&format!(
            "{:<40} {:>8} {:>6} {:>6} {:>5}\n",
            s.name,
            s.records,
            s.pages,
            s.calls,
            s.gaps.len()
        ));
    }
    let gaps: usize = inv.sources.iter().map(|s| s.gaps.len()).sum();
    out.push_str(&format!("{}\n", c.calls.summary()));
    out.push_str(&format!(
        "tenant {}: {} subscriptions, {} resources, {} change events, {} gap(s)\n",
        inv.tenant_id,
        inv.subscriptions.len(),
        inv.resources.len(),
        inv.changes.as_ref().map_or(0, Vec::len),
        gaps
    ));
    if gaps > 0 {
        out.push_str(
            "  gaps are recorded in the inventory; the checks that need the missing data will \
             report `error`, never `pass`\n",
        );
    }
    let stopped = inv
        .sources
        .iter()
        .flat_map(|s| &s.gaps)
        .filter(|g| g.reason.contains(" deadline of ") && g.reason.contains("before this was read"))
        .count();
    if stopped > 0 {
        out.push_str(&format!(
            "  {stopped} of them stopped by a deadline (collect.source_deadline_secs, \
             collect.run_deadline_secs)\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(argv: &[&str]) -> Args {
        let mut v = vec!["collect"];
        v.extend(argv);
        Cli::try_parse_from(v).unwrap().args
    }

    #[test]
    fn arguments_override_config_and_env_overrides_endpoints() {
        let config = Config::parse(
            "x.toml",
            "[azure]\ntenant_id = \"cfg-tenant\"\nauth = \"azure-cli\"\n\
             [collect]\nsubscriptions = [\"cfg-sub\"]\nexclude_subscriptions = [\"x1\"]\n",
        )
        .unwrap();
        let a = args(&[
            "--auth",
            "client-secret",
            "--subscription",
            "s1",
            "--subscription",
            "s2",
            "--exclude-subscription",
            "x2",
            "--changes-since",
            "2026-11-01T00:00:00Z",
        ]);
        let env = |k: &str| match k {
            "SOC2_EVIDENCE_ARM_ENDPOINT" => Some("http://127.0.0.1:9".to_string()),
            "AZURE_CLIENT_SECRET" => Some("s".to_string()),
            _ => None,
        };
        let o = options(&a.collect, &config, env).unwrap();
        assert_eq!(o.auth.chosen_method(), AuthMethod::ClientSecret);
        assert_eq!(o.auth.tenant_id.as_deref(), Some("cfg-tenant"));
        assert_eq!(o.scope.subscriptions, ["s1", "s2"]);
        assert_eq!(o.scope.exclude, ["x1", "x2"]);
        assert_eq!(o.endpoints.arm_base(), "http://127.0.0.1:9");
        assert_eq!(o.endpoints.graph_base(), "https://graph.microsoft.com");
        assert_eq!(
            o.changes_since.unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
    }

    #[test]
    fn deadlines_come_from_the_config() {
        let o = options(&args(&[]).collect, &Config::default(), |_| None).unwrap();
        assert_eq!(o.source_deadline, crate::collect::DEFAULT_SOURCE_DEADLINE);
        assert_eq!(o.run_deadline, crate::collect::DEFAULT_RUN_DEADLINE);
        let config = Config::parse(
            "x.toml",
            "[collect]\nsource_deadline_secs = 7\nrun_deadline_secs = 30\n",
        )
        .unwrap();
        let o = options(&args(&[]).collect, &config, |_| None).unwrap();
        assert_eq!(o.source_deadline, Duration::from_secs(7));
        assert_eq!(o.run_deadline, Duration::from_secs(30));
    }

    #[test]
    fn insecure_endpoint_from_the_environment_is_refused() {
        let env = |k: &str| {
            (k == "SOC2_EVIDENCE_GRAPH_ENDPOINT").then(|| "http://graph.example.test".to_string())
        };
        let e = options(&args(&[]).collect, &Config::default(), env).unwrap_err();
        assert!(e.to_string().contains("not loopback"), "{e}");
    }

    #[test]
    fn bad_times_are_refused_by_the_parser() {
        let e = Cli::try_parse_from(["collect", "--changes-since", "yesterday"]).unwrap_err();
        assert!(e.to_string().contains("RFC 3339"), "{e}");
    }
}
