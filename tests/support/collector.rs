//! Runs the real collector (library API and binary) against a [`FakeAzure`], with retry,
//! backoff and timeout options small enough for a fast test suite.

use std::collections::BTreeMap;
use std::time::Duration;

use soc2_evidence::collect::{
    AuthMethod, AuthOptions, CollectOptions, Collected, Endpoints, Jitter, RetryPolicy,
};
use soc2_evidence::model::Inventory;

use super::fake_azure::FakeAzure;

/// The environment a credential kind needs, as the CLI would read it.
pub fn env_for(fake: &FakeAzure, method: AuthMethod) -> Vec<(String, String)> {
    match method {
        AuthMethod::Oidc => fake.env_oidc(),
        AuthMethod::FederatedTokenFile => fake.env_federated_file(),
        _ => fake.env(),
    }
}

/// Retries quick enough for tests: 3 attempts, millisecond backoff, `Retry-After` capped.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(40),
        retry_after_cap: Duration::from_millis(200),
        jitter: Jitter::None,
    }
}

/// Collector options pointing at the fake, with the credential of `method`.
pub fn options(fake: &FakeAzure, method: AuthMethod) -> CollectOptions {
    let endpoints = Endpoints::new(&fake.authority_host(), &fake.arm_url(), &fake.graph_url())
        .expect("the fake's endpoints are valid");
    let vars: BTreeMap<String, String> = env_for(fake, method).into_iter().collect();
    let auth = AuthOptions::from_vars(method, |k| vars.get(k).cloned());
    let mut o = CollectOptions::new(endpoints, auth);
    o.extra_root_ca = Some(fake.ca_path());
    o.request_timeout = Duration::from_secs(2);
    o.retry = fast_retry();
    o.concurrency = 4;
    o.progress = false;
    o
}

pub fn collect(opts: &CollectOptions) -> Collected {
    soc2_evidence::collect::collect_blocking(opts)
        .unwrap_or_else(|e| panic!("collection failed: {e}"))
}

/// The inventory without what differs between two collections of the same tenant: times and
/// provenance.
pub fn comparable(inv: &Inventory) -> Inventory {
    let mut inv = inv.clone();
    inv.collected_at = chrono::DateTime::UNIX_EPOCH;
    inv.sources.clear();
    inv
}

/// A unified diff of two values' pretty JSON, for assertion messages.
pub fn json_diff<T: serde::Serialize>(expected: &T, actual: &T) -> String {
    let a = serde_json::to_string_pretty(expected).unwrap();
    let b = serde_json::to_string_pretty(actual).unwrap();
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(4)
        .header("expected", "collected")
        .to_string()
}

/// `[collect]` settings for the binary that keep fault tests fast: 3 attempts, millisecond
/// backoff, 1 s timeouts and `Retry-After` waits.
pub const FAST_CONFIG: &str = "[collect]\nconcurrency = 4\nrequest_timeout_secs = 1\n\
                               max_attempts = 3\nbackoff_base_ms = 5\nbackoff_cap_ms = 40\n\
                               retry_after_cap_secs = 1\n";

/// Writes [`FAST_CONFIG`] into `dir` and returns its path.
pub fn fast_config(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("soc2-evidence.toml");
    std::fs::write(&p, FAST_CONFIG).unwrap();
    p
}

/// The real binary with `env` (and nothing Azure- or GitHub-related inherited), in `cwd`.
pub fn cli(env: &[(String, String)], cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_soc2-evidence"));
    for n in FakeAzure::ENV_NAMES {
        c.env_remove(n);
    }
    c.env_remove("RUST_LOG").env_remove("GITHUB_RUN_ID");
    c.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Both output streams, for assertion messages.
pub fn streams(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A gap as (source, scope, reason, the failed sub-read if any).
pub type GapRow = (String, String, String, Option<String>);

/// Every gap of an inventory, by source.
pub fn gap_rows(inv: &Inventory) -> std::collections::BTreeSet<GapRow> {
    inv.sources
        .iter()
        .flat_map(|s| {
            s.gaps.iter().map(|g| {
                (
                    s.name.clone(),
                    g.scope.clone(),
                    g.reason.clone(),
                    g.read.clone(),
                )
            })
        })
        .collect()
}

/// The evidence the library builds from `inv`, with default settings.
pub fn assess(inv: &Inventory) -> soc2_evidence::evidence::Snapshot {
    let run = soc2_evidence::evidence::RunMeta {
        run_id: "collector-test".into(),
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
    };
    soc2_evidence::evidence::assess(inv, &Default::default(), run, None).expect("assessment runs")
}

/// The evidence built from `inv` names every gap in `summary.json`, gives `error` where data is
/// missing, and lets no check or criterion that depends on the missing data pass. Returns how
/// many (check, gap) pairs were judged, so a caller can tell that its gaps concerned a check.
pub fn no_pass_on_missing_data(inv: &Inventory, gaps: &[GapRow]) -> usize {
    use soc2_evidence::checks::{self, FindingStatus, Settings};
    use soc2_evidence::controls::ControlStatus;
    let snap = assess(inv);
    let summary = snap.summary().unwrap();
    let files = snap.checks().unwrap();
    let settings = Settings::default();
    let ctx = checks::Ctx::new(inv, &settings);
    let mut judged = 0;
    for (source, scope, reason, read) in gaps {
        assert!(
            summary.gaps.iter().any(|g| g.source == *source
                && g.scope == *scope
                && g.reason == *reason
                && g.read == *read),
            "summary.json lacks the gap {source} {scope}: {:#?}",
            summary.gaps
        );
        let gap = soc2_evidence::model::Gap {
            scope: scope.clone(),
            reason: reason.clone(),
            read: read.clone(),
        };
        // Every check that needs what the gap says was not read (the whole source, or the one
        // read of it that failed; see checks::gap_concerns, unit-tested there).
        for check in checks::registry()
            .iter()
            .filter(|c| checks::gap_concerns(c, source, &gap))
        {
            // A gap on one resource concerns only checks of that resource; on a container,
            // every check of what it holds (see checks::gap_finding, unit-tested there).
            let Some(at) = checks::gap_finding(check, scope, &ctx) else {
                continue;
            };
            let file = files.iter().find(|f| f.id == check.meta.id).unwrap();
            let finding = file
                .results
                .iter()
                .find(|r| r.resource_id == at)
                .unwrap_or_else(|| panic!("{} has no finding on the gap scope {at}", file.id));
            // Error, or a fail the check could already prove from what was read (a fail is
            // never a false pass); never pass.
            assert!(
                matches!(finding.status, FindingStatus::Error | FindingStatus::Fail),
                "{} on {at}: {:?} {}",
                file.id,
                finding.status,
                finding.reason
            );
            assert!(
                finding.reason.contains(source.as_str()),
                "{}",
                finding.reason
            );
            assert_ne!(
                file.status,
                FindingStatus::Pass,
                "{} passes on missing data",
                file.id
            );
            for crit in check.meta.criteria {
                let c = summary.criteria.iter().find(|c| c.id == *crit).unwrap();
                assert!(
                    matches!(c.status, ControlStatus::Incomplete | ControlStatus::Fail),
                    "{crit} is {:?} although {} lacks data",
                    c.status,
                    file.id
                );
            }
            judged += 1;
        }
    }
    judged
}
