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
