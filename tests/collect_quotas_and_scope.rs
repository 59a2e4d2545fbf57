//! The real collector against the fake Azure's documented quotas (time-scaled where the
//! collector allows it), a synthetic tenant (the benchmark generator), and scoping by
//! subscription list, exclusion and management group.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use std::time::{Duration, Instant};

use soc2_evidence::collect::{AuthMethod, ScopeSpec};
use soc2_evidence::model::Inventory;
use support::collector::{self, cli, fast_config, streams};
use support::fake_azure::{FakeAzure, FakeOptions, FakeTenant, Kind, Missing, Quotas, Synthetic};
use support::scenario::{PROD, SHARED, STAGING, demo_with_changes, serve, tenant};

fn gaps(inv: &Inventory) -> Vec<String> {
    inv.sources
        .iter()
        .flat_map(|s| {
            s.gaps
                .iter()
                .map(move |g| format!("{} {}: {}", s.name, g.scope, g.reason))
        })
        .collect()
}

/// A synthetic tenant where everything a check needs is served (empty where not generated).
fn synthetic(spec: &Synthetic) -> FakeTenant {
    let mut t = FakeTenant::synthetic(spec);
    t.missing = Missing::Empty;
    t
}

#[test]
fn a_synthetic_tenant_is_collected_completely() {
    let spec = Synthetic {
        subscriptions: 5,
        resources: 400,
        seed: 7,
        users: 30,
        events_per_subscription: 4,
    };
    let t = synthetic(&spec);
    let rows = t.row_count();
    let opts = FakeOptions {
        arg_page_cap: 100,
        graph_page_size: 7,
        quotas: Quotas::off(),
        ..FakeOptions::default()
    };
    let fake = FakeAzure::start(t, opts);
    let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    let inv = &c.inventory;
    assert!(gaps(inv).is_empty(), "{:#?}", gaps(inv));
    assert!(
        fake.unknown_requests().is_empty(),
        "{}",
        fake.dump_requests()
    );
    assert_eq!(inv.resources.len(), rows);
    assert_eq!(inv.subscriptions.len(), 5);
    assert_eq!(inv.identity.users.as_ref().unwrap().len(), 30);
    assert_eq!(inv.changes.as_ref().unwrap().len(), 20);
    let rg = inv.source("resource_graph.resources").unwrap();
    assert_eq!((rg.records, rg.pages), (400, 4));
    assert_eq!(rg.independent_count, Some(400));
    assert_eq!(c.calls.total(), fake.counters().api_calls());
    // Every storage account's lifecycle policy was read, and 404 became `null`.
    let accounts: Vec<_> = inv
        .resources
        .iter()
        .filter(|r| r.r#type == "microsoft.storage/storageaccounts")
        .collect();
    assert!(!accounts.is_empty());
    for a in &accounts {
        assert!(a.children.contains_key("managementPolicies/default"));
        assert!(a.children.contains_key("blobServices/default"));
    }
    // Accounts without a lifecycle policy: the 404 became `null`.
    assert!(
        accounts
            .iter()
            .any(|a| a.children["managementPolicies/default"].is_null())
    );
    assert!(
        accounts
            .iter()
            .any(|a| a.children["blobServices/default"].is_object())
    );
}

#[test]
fn resource_graph_queries_are_paced_by_the_user_quota_without_a_429() {
    // 15 queries per 5 s, 10 times faster: the collector needs 31 queries (27 pages of
    // resources, its count, and three small tables' data and counts).
    let t = synthetic(&Synthetic {
        subscriptions: 2,
        resources: 135,
        seed: 3,
        ..Synthetic::default()
    });
    let opts = FakeOptions {
        arg_page_cap: 5,
        quotas: Quotas {
            time_scale: 0.1,
            arm_burst: 100_000,
            ..Quotas::default()
        },
        ..FakeOptions::default()
    };
    let fake = FakeAzure::start(t, opts);
    let mut o = collector::options(&fake, AuthMethod::ClientSecret);
    // The pause for a window reset is bounded by the Retry-After cap: let it cover the window.
    o.retry.retry_after_cap = Duration::from_secs(2);
    let started = Instant::now();
    let c = collector::collect(&o);
    let took = started.elapsed();
    let inv = &c.inventory;
    assert!(gaps(inv).is_empty(), "{:#?}", gaps(inv));
    let rg = inv.source("resource_graph.resources").unwrap();
    assert_eq!((rg.records, rg.pages), (135, 27));
    let counters = fake.counters();
    assert!(
        counters.resource_graph > 15 * 2,
        "{}",
        counters.resource_graph
    );
    assert_eq!(
        counters.quota_throttled,
        0,
        "the collector reads x-ms-user-quota-remaining and waits for the window to reset\n{}",
        fake.dump_requests()
            .lines()
            .filter(|l| l.contains("ResourceGraph"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        took >= Duration::from_millis(900),
        "it waited for at least one reset: {took:?}"
    );
    assert_eq!(c.calls.throttled, 0);
}

#[test]
fn arm_reads_are_paced_by_the_subscription_bucket_and_recover_from_429() {
    // One subscription, a small bucket refilled at the documented 25 reads a second.
    let t = synthetic(&Synthetic {
        subscriptions: 1,
        resources: 60,
        seed: 11,
        ..Synthetic::default()
    });
    let opts = FakeOptions {
        quotas: Quotas {
            arm_burst: 20,
            ..Quotas::default()
        },
        ..FakeOptions::default()
    };
    let fake = FakeAzure::start(t, opts);
    let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    let inv = &c.inventory;
    assert!(gaps(inv).is_empty(), "{:#?}", gaps(inv));
    let counters = fake.counters();
    let arm = counters.arm_subscription + counters.arm_resource + counters.activity_log;
    assert!(arm > 20 + 10, "enough reads to drain the bucket: {arm}");
    // The client assumes the documented burst of 250 until the service's remaining count
    // says otherwise; what is already in flight by then (a subscription's lane of per-resource
    // reads, 8, beside its own lists) may still be refused, and nothing more.
    assert!(
        counters.quota_throttled <= 8,
        "pacing from x-ms-ratelimit-remaining-subscription-reads keeps 429s rare: {counters:?}"
    );
    assert_eq!(c.calls.throttled, counters.throttled);
}

#[test]
fn graph_throttling_with_retry_after_is_honoured() {
    let fake = serve(&demo_with_changes());
    fake.configure(|o| {
        // Drained from the start: the first Graph requests are refused however they happen to
        // be spread, so the test does not depend on timing. A burst larger than the requests
        // the collector has in flight (4) lets every refused request through on its retry.
        o.quotas.graph = Some((8, 2.0));
        o.quotas.graph_starts_empty = true;
    });
    let started = Instant::now();
    let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    let inv = &c.inventory;
    let graph_gaps: Vec<_> = gaps(inv)
        .into_iter()
        .filter(|g| g.starts_with("graph.") && !g.contains("403"))
        .collect();
    assert!(graph_gaps.is_empty(), "{graph_gaps:#?}");
    let counters = fake.counters();
    assert!(
        counters.quota_throttled > 0,
        "the Graph bucket ran dry: {counters:?}"
    );
    assert_eq!(c.calls.throttled, counters.throttled);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(
        inv.identity.conditional_access_policies,
        demo_with_changes().identity.conditional_access_policies,
        "every policy was read despite the throttling"
    );
}

#[test]
fn scope_by_subscription_list_and_exclusion() {
    let fake = serve(&demo_with_changes());
    let mut o = collector::options(&fake, AuthMethod::ClientSecret);
    o.scope = ScopeSpec {
        subscriptions: vec![
            PROD.into(),
            STAGING.into(),
            "00000000-dead-4000-8000-000000000000".into(),
        ],
        management_group: None,
        exclude: vec![STAGING.into()],
        ..ScopeSpec::default()
    };
    let inv = collector::collect(&o).inventory;
    let subs: Vec<&str> = inv.subscriptions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(subs, [PROD]);
    assert!(inv.resources.iter().all(|r| r.subscription_id == PROD));
    assert!(
        inv.changes
            .as_ref()
            .unwrap()
            .iter()
            .all(|e| e.subscription_id == PROD)
    );
    let s = inv.source("arm.subscriptions").unwrap();
    assert!(
        s.gaps
            .iter()
            .any(|g| g.scope == "/subscriptions/00000000-dead-4000-8000-000000000000"),
        "a requested subscription the identity cannot see is a gap: {:?}",
        s.gaps
    );
    // Resource Graph was asked for the subscription in scope only.
    for r in fake
        .requests()
        .iter()
        .filter(|r| r.kind == Kind::ResourceGraph)
    {
        assert_eq!(r.scope, PROD, "{r:?}");
    }
    for r in fake.requests().iter().filter(|r| {
        matches!(
            r.kind,
            Kind::ArmSubscription | Kind::ActivityLog | Kind::ArmResource
        )
    }) {
        assert!(r.scope.contains(PROD), "{r:?}");
    }
}

#[test]
fn scope_by_management_group() {
    let mut t = tenant(&demo_with_changes());
    t.management_groups
        .insert("mg-production".into(), vec![PROD.into(), SHARED.into()]);
    let fake = FakeAzure::start(t, support::scenario::small_pages());
    let mut o = collector::options(&fake, AuthMethod::ClientSecret);
    o.scope = ScopeSpec {
        subscriptions: vec![],
        management_group: Some("mg-production".into()),
        exclude: vec![],
        ..ScopeSpec::default()
    };
    let inv = collector::collect(&o).inventory;
    let subs: Vec<&str> = inv.subscriptions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(subs, [PROD, SHARED]);
    assert!(inv.resources.iter().all(|r| r.subscription_id != STAGING));
    let expected = demo_with_changes()
        .resources
        .iter()
        .filter(|r| r.subscription_id != STAGING)
        .count();
    assert_eq!(inv.resources.len(), expected);
    let rg = inv.source("resource_graph.resources").unwrap();
    assert_eq!(
        rg.scope,
        ["/providers/Microsoft.Management/managementGroups/mg-production"]
    );
    assert!(
        fake.requests()
            .iter()
            .filter(|r| r.kind == Kind::ResourceGraph)
            .all(|r| r.scope.contains("managementGroups/mg-production")),
        "{}",
        fake.dump_requests()
    );
}

#[test]
fn the_binary_exits_2_when_nothing_is_in_scope_or_credentials_are_wrong() {
    let fake = serve(&demo_with_changes());
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let cfg = cfg.to_str().unwrap();
    let out = cli(
        &fake.env(),
        dir.path(),
        &[
            "collect",
            "--config",
            cfg,
            "--subscription",
            "not-a-visible-subscription",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", streams(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no subscription in scope"));

    let mut env = fake.env();
    for (k, v) in &mut env {
        if k == "AZURE_CLIENT_SECRET" {
            *v = "a-wrong-secret".into();
        }
    }
    let out = cli(
        &env,
        dir.path(),
        &["collect", "--config", cfg, "--auth", "client-secret"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", streams(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AADSTS7000215"),
        "the Entra error reaches the user: {err}"
    );
    assert!(!err.contains("a-wrong-secret"), "the secret does not");
    assert!(!dir.path().join("inventory.json").exists());
}

#[test]
fn the_binary_collects_over_plain_http_on_loopback() {
    let fake = FakeAzure::start(
        tenant(&demo_with_changes()),
        FakeOptions {
            plain_http: true,
            ..support::scenario::small_pages()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let mut env = fake.env();
    for (k, v) in &mut env {
        match k.as_str() {
            "SOC2_EVIDENCE_ARM_ENDPOINT" => *v = fake.arm_http_url().unwrap(),
            "SOC2_EVIDENCE_GRAPH_ENDPOINT" => *v = fake.graph_http_url().unwrap(),
            _ => {}
        }
    }
    let out = cli(
        &env,
        dir.path(),
        &["collect", "--config", cfg.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", streams(&out));
    let inv: Inventory =
        serde_json::from_slice(&std::fs::read(dir.path().join("inventory.json")).unwrap()).unwrap();
    assert_eq!(inv.resources.len(), demo_with_changes().resources.len());
    assert_eq!(
        inv.source("resource_graph.resources").unwrap().endpoint,
        fake.arm_http_url().unwrap()
    );
}

/// The home tenant of the delegated subscription in the Lighthouse tests.
const CUSTOMER_TENANT: &str = "0c0ffee0-1111-4222-8333-444455556666";

/// The demo tenant where STAGING is not the tenant's own but delegated to it by another tenant
/// (Azure Lighthouse): `GET /subscriptions` lists it with that tenant's `tenantId`.
fn demo_with_a_delegation() -> FakeAzure {
    let mut t = tenant(&demo_with_changes());
    t.delegate(STAGING, CUSTOMER_TENANT);
    FakeAzure::start(t, support::scenario::small_pages())
}

#[test]
fn a_delegated_subscription_is_left_out_by_default_and_named() {
    let fake = demo_with_a_delegation();
    let inv = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret)).inventory;
    let subs: Vec<&str> = inv.subscriptions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(subs.len(), 2, "{subs:?}");
    assert!(!subs.contains(&STAGING), "{subs:?}");
    assert!(inv.subscriptions.iter().all(|s| s.tenant_id.is_none()));
    assert!(!inv.resources.is_empty());
    assert!(
        inv.resources
            .iter()
            .all(|r| !r.subscription_id.eq_ignore_ascii_case(STAGING)),
        "the delegated subscription's resources are not in the inventory"
    );
    assert!(
        inv.changes
            .as_ref()
            .unwrap()
            .iter()
            .all(|e| !e.subscription_id.eq_ignore_ascii_case(STAGING))
    );
    // Named in the evidence, with its tenant; not a gap (nothing failed to be read).
    let s = inv.source("arm.subscriptions").unwrap();
    let named: Vec<&String> = s.notes.iter().filter(|n| n.contains(STAGING)).collect();
    assert_eq!(named.len(), 1, "{:#?}", s.notes);
    assert!(
        named[0].contains("skipped") && named[0].contains(CUSTOMER_TENANT),
        "{}",
        named[0]
    );
    let about_it: Vec<String> = gaps(&inv)
        .into_iter()
        .filter(|g| g.to_ascii_lowercase().contains(STAGING))
        .collect();
    assert!(about_it.is_empty(), "{about_it:#?}");
    assert!(
        !s.scope.iter().any(|x| x.contains(STAGING)),
        "{:?}",
        s.scope
    );
    // Nothing of it was read: no Resource Graph, ARM or Activity Log request names it.
    for r in fake.requests().iter().filter(|r| {
        matches!(
            r.kind,
            Kind::ResourceGraph | Kind::ArmSubscription | Kind::ActivityLog | Kind::ArmResource
        )
    }) {
        assert!(
            !r.scope.to_ascii_lowercase().contains(STAGING),
            "{r:?} reads the delegated subscription"
        );
    }
}

#[test]
fn a_delegated_subscription_listed_in_config_is_assessed_with_its_tenant() {
    let fake = demo_with_a_delegation();
    let mut o = collector::options(&fake, AuthMethod::ClientSecret);
    o.scope = ScopeSpec {
        include_delegated: vec![STAGING.to_ascii_uppercase()],
        ..ScopeSpec::default()
    };
    let inv = collector::collect(&o).inventory;
    assert_eq!(inv.subscriptions.len(), 3);
    let labels: Vec<(&str, Option<&str>)> = inv
        .subscriptions
        .iter()
        .map(|s| (s.id.as_str(), s.tenant_id.as_deref()))
        .collect();
    for (id, tenant) in labels {
        let want = (id == STAGING).then_some(CUSTOMER_TENANT);
        assert_eq!(tenant, want, "{id}");
    }
    assert!(
        inv.resources
            .iter()
            .any(|r| r.subscription_id.eq_ignore_ascii_case(STAGING))
    );
    assert_ne!(inv.tenant_id, CUSTOMER_TENANT);
    let s = inv.source("arm.subscriptions").unwrap();
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains(STAGING) && n.contains("include_delegated_subscriptions")),
        "{:#?}",
        s.notes
    );
    // The label survives the evidence file's round trip.
    let back: Inventory = serde_json::from_str(&serde_json::to_string(&inv).unwrap()).unwrap();
    assert_eq!(back, inv);
}
