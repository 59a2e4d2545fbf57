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
