//! The embedded demo tenant, served by the loopback fake Azure and collected for real (real
//! auth, real HTTP, paging on every list), gives back the same inventory. Both credential
//! paths of CI: the client secret and the GitHub Actions OIDC assertion.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use soc2_evidence::collect::AuthMethod;
use soc2_evidence::collect::demo;
use support::collector::{self, comparable, json_diff};
use support::scenario::{demo_with_changes, serve};

fn round_trip(method: AuthMethod) {
    let expected = demo_with_changes();
    let fake = serve(&expected);
    let collected = collector::collect(&collector::options(&fake, method));
    let inv = &collected.inventory;
    assert!(
        fake.unknown_requests().is_empty(),
        "requests the fake does not serve:\n{}",
        fake.dump_requests()
    );
    let changes = inv.source("arm.activity_log").expect("Activity Log source");
    assert!(
        changes.gaps.is_empty(),
        "Activity Log gaps: {:?}",
        changes.gaps
    );
    assert_eq!(
        comparable(&expected),
        comparable(inv),
        "{}",
        json_diff(&comparable(&expected), &comparable(inv))
    );
    assert_eq!(inv.tenant_id, demo::TENANT_ID);

    // Every source the demo has is there, each with provenance.
    for s in &expected.sources {
        let got = inv
            .source(&s.name)
            .unwrap_or_else(|| panic!("no source {}", s.name));
        assert_eq!(got.api_version, s.api_version, "{}", s.name);
        assert!(
            got.identity
                .as_deref()
                .unwrap_or("")
                .contains(&fake.options().client_id)
        );
        assert!(got.finished_at >= got.started_at);
    }
    // Paging happened: Resource Graph at 7 rows a page, ARM lists at 2, Graph at 2.
    // The `resources` table holds every row but the role, policy and security ones, which
    // come from their own tables.
    let in_resources_table = expected
        .resources
        .iter()
        .filter(|r| support::fake_azure::table_for(&r.r#type) == "resources")
        .count();
    let rg = inv.source("resource_graph.resources").unwrap();
    assert_eq!(rg.records, in_resources_table as u64);
    assert_eq!(rg.independent_count, Some(in_resources_table as u64));
    // Paged per subscription, 7 rows a page.
    assert!(rg.pages as usize >= in_resources_table.div_ceil(7));
    assert!(
        inv.source("arm.defender_pricings").unwrap().pages >= 12,
        "7 pricings, 2 a page, 3 subscriptions"
    );

    // What the demo did not collect is a named gap (403 naming the action), never data.
    let blob = inv.source("arm.blob_services").unwrap();
    let scratch = blob
        .gaps
        .iter()
        .find(|g| g.scope.ends_with("/ststgscratch"))
        .unwrap_or_else(|| panic!("no gap for ststgscratch: {:?}", blob.gaps));
    assert!(scratch.reason.contains("403"), "{}", scratch.reason);
    assert!(
        scratch
            .reason
            .contains("Microsoft.Storage/storageAccounts/blobServices/read"),
        "{}",
        scratch.reason
    );
    // Everything else the demo holds was collected without a gap.
    let gapped: Vec<&str> = inv
        .sources
        .iter()
        .filter(|s| !s.gaps.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    let expected_gapped: Vec<&str> = expected
        .sources
        .iter()
        .filter(|s| !s.gaps.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(gapped, expected_gapped);

    // The collector's call counts are the fake's.
    let c = fake.counters();
    let calls = &collected.calls;
    assert_eq!(
        calls.resource_graph, c.resource_graph,
        "Resource Graph calls"
    );
    assert_eq!(
        calls.arm_subscription,
        c.subscriptions + c.arm_subscription + c.activity_log,
        "ARM per-subscription calls"
    );
    assert_eq!(calls.arm_resource, c.arm_resource, "ARM per-resource calls");
    assert_eq!(calls.graph, c.graph, "Graph calls");
    assert_eq!(calls.token, c.token + c.oidc, "token calls");
    assert_eq!(calls.total(), c.api_calls());
    assert_eq!(calls.throttled, c.throttled);
    for s in &inv.sources {
        let served = c.by_source.get(&s.name).copied().unwrap_or(0);
        assert_eq!(s.calls, served, "calls of source {}", s.name);
    }
    assert_eq!(
        inv.sources.iter().map(|s| s.calls).sum::<u64>(),
        c.api_calls(),
        "every API call belongs to a source"
    );
    match method {
        AuthMethod::Oidc => assert_eq!((c.oidc, c.token), (2, 2), "one assertion per token"),
        _ => assert_eq!(
            (c.oidc, c.token),
            (0, 2),
            "one token for ARM, one for Graph"
        ),
    }
    assert_eq!(c.unknown, 0);
    assert_eq!(
        c.by_status.get(&401),
        None,
        "no request without a valid token"
    );
}

#[test]
fn demo_round_trips_with_a_client_secret() {
    round_trip(AuthMethod::ClientSecret);
}

#[test]
fn demo_round_trips_with_github_oidc_federation() {
    round_trip(AuthMethod::Oidc);
}

#[test]
fn demo_round_trips_with_a_federated_token_file() {
    round_trip(AuthMethod::FederatedTokenFile);
}

/// Per-resource reads start while Resource Graph is still paging (they need only the ids a
/// page brings), and the result is the same inventory as reading in sequence would give.
#[test]
fn per_resource_reads_overlap_resource_graph_paging() {
    let expected = demo_with_changes();
    let fake = serve(&expected);
    fake.configure(|o| o.latency = std::time::Duration::from_millis(10));
    let collected = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    assert_eq!(
        comparable(&expected),
        comparable(&collected.inventory),
        "{}",
        json_diff(&comparable(&expected), &comparable(&collected.inventory))
    );
    let log = fake.requests();
    let first_read = log
        .iter()
        .position(|r| r.kind == support::fake_azure::Kind::ArmResource)
        .expect("per-resource reads");
    let last_page = log
        .iter()
        .rposition(|r| r.kind == support::fake_azure::Kind::ResourceGraph)
        .expect("Resource Graph pages");
    assert!(
        first_read < last_page,
        "the first per-resource read (request {first_read}) waited for the last Resource \
         Graph page (request {last_page})"
    );
}

/// The same through the binary, as the GitHub Action runs it: OIDC federation from the
/// environment, HTTPS trusted through `SSL_CERT_FILE`, endpoints from the environment.
#[test]
fn demo_round_trips_through_the_binary_with_github_oidc() {
    let expected = demo_with_changes();
    let fake = serve(&expected);
    let dir = tempfile::tempdir().unwrap();
    let cfg = collector::fast_config(dir.path());
    let out = collector::cli(
        &fake.env_oidc(),
        dir.path(),
        &[
            "collect",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            "inventory.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", collector::streams(&out));
    let inv: soc2_evidence::model::Inventory =
        serde_json::from_slice(&std::fs::read(dir.path().join("inventory.json")).unwrap()).unwrap();
    assert_eq!(
        comparable(&expected),
        comparable(&inv),
        "{}",
        json_diff(&comparable(&expected), &comparable(&inv))
    );
    let who = inv
        .source("arm.subscriptions")
        .unwrap()
        .identity
        .clone()
        .unwrap();
    assert!(who.contains(&fake.options().client_id), "{who}");
    assert!(who.contains("OIDC"), "{who}");
    let c = fake.counters();
    assert_eq!((c.oidc, c.token), (2, 2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} API calls", c.api_calls())),
        "the binary reports the calls the fake served ({}):\n{stdout}",
        c.api_calls()
    );
}
