//! Bounded collection, through the real binary against the fake Azure: a hanging endpoint, a
//! 429 storm with a long `Retry-After` and an endless slow drip of pages end at the deadline
//! of their source (`collect.source_deadline_secs`, from the source's first request) or of the
//! run (`collect.run_deadline_secs`), whatever the request timeout and retry budget. What a
//! deadline stopped is a gap on its source and scope naming the deadline, pages read before it
//! are kept, no check passes on what was not read, and the run ends as for any gap (exit 0;
//! `assess --fail-on incomplete` exits 1). A token endpoint that hangs before anything was
//! read ends the run at its deadline with exit 2.
//!
//! Timing assertions are upper bounds with generous slack (the deadline plus 10 s); without
//! the deadlines each of these runs would take minutes (see each test).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use soc2_evidence::collect::AuthMethod;
use soc2_evidence::model::Inventory;
use support::collector::{self, GapRow, cli, gap_rows, streams};
use support::fake_azure::{FakeAzure, Fault, FaultRule, Kind, Target};
use support::scenario::{PROD, demo_with_changes, serve};

/// Slack on top of a deadline for the rest of the run (start-up, the reads that did not hang,
/// writing the inventory) on a loaded 2-core machine.
const SLACK: Duration = Duration::from_secs(10);

/// A hang far longer than any test: only a deadline can end it.
fn hang() -> Fault {
    Fault::Timeout {
        hang: Duration::from_secs(600),
    }
}

/// `[collect]` with a request timeout and retry budget that would take minutes per hanging
/// call (4 attempts of 30 s), and the given deadlines.
fn config(dir: &Path, source_secs: u64, run_secs: u64) -> std::path::PathBuf {
    config_with(dir, source_secs, run_secs, 8)
}

/// [`config`] with `concurrency` requests in flight.
fn config_with(
    dir: &Path,
    source_secs: u64,
    run_secs: u64,
    concurrency: usize,
) -> std::path::PathBuf {
    let p = dir.join("soc2-evidence.toml");
    std::fs::write(
        &p,
        format!(
            "[collect]\nconcurrency = {concurrency}\nrequest_timeout_secs = 30\nmax_attempts = 4\n\
             backoff_base_ms = 5\nbackoff_cap_ms = 40\nretry_after_cap_secs = 60\n\
             source_deadline_secs = {source_secs}\nrun_deadline_secs = {run_secs}\n"
        ),
    )
    .unwrap();
    p
}

/// `collect` through the binary; its output, how long it took, and the inventory if written.
fn collect(
    fake: &FakeAzure,
    dir: &Path,
    cfg: &Path,
) -> (std::process::Output, Duration, Option<Inventory>) {
    let started = Instant::now();
    let out = cli(
        &fake.env(),
        dir,
        &[
            "collect",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            "inventory.json",
            "--no-progress",
        ],
    );
    let took = started.elapsed();
    let inv = std::fs::read(dir.join("inventory.json"))
        .ok()
        .map(|b| serde_json::from_slice(&b).unwrap());
    (out, took, inv)
}

/// Gaps whose reason names a deadline.
fn deadline_gaps(inv: &Inventory) -> Vec<GapRow> {
    gap_rows(inv)
        .into_iter()
        .filter(|(_, _, r, _)| r.contains("deadline of"))
        .collect()
}

/// The shared no-pass assertion, and that the gaps concerned at least one check.
fn no_pass_on_missing_data(inv: &Inventory, gaps: &[GapRow]) {
    let judged = collector::no_pass_on_missing_data(inv, gaps);
    assert!(judged > 0, "no check reads the gaps' sources");
}

/// The case: every per-resource ARM read hangs (96 reads of the demo tenant, each 4
/// attempts of 30 s: about 27 minutes at 8 in flight; 43 s with 1 s timeouts and 3 attempts
/// before deadlines existed). A per-source deadline of 3 s ends each source 3 s after its first
/// request, and every read it stopped is a gap on its resource that names the deadline.
#[test]
fn hanging_per_resource_reads_end_at_the_source_deadline_as_named_gaps() {
    // The reads a fault-free collection makes: (source, resource) per per-resource call.
    let fake = serve(&demo_with_changes());
    collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    let reads: BTreeSet<(String, String)> = fake
        .requests()
        .into_iter()
        .filter(|r| r.kind == Kind::ArmResource)
        .map(|r| (r.source, r.scope.to_ascii_lowercase()))
        .collect();
    assert!(reads.len() > 40, "{reads:?}");
    fake.reset_counters();
    fake.inject(FaultRule::new(Target::kind(Kind::ArmResource), hang()));

    let dir = tempfile::tempdir().unwrap();
    // Enough slots in flight that the per-subscription lists never queue behind the hanging
    // reads: then only the hanging reads can become gaps. (With fewer, a list whose pages wait
    // for a slot past its own deadline is a gap too, and says so.)
    let cfg = config_with(dir.path(), 3, 300, 64);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    eprintln!("hanging per-resource reads: collect took {took:?}");
    assert_eq!(out.status.code(), Some(0), "{ctx}");
    assert!(
        took < Duration::from_secs(3) + SLACK,
        "took {took:?}\n{ctx}"
    );
    let inv = inv.expect("an inventory is written");
    let found = deadline_gaps(&inv);
    for (source, resource) in &reads {
        let gap = found
            .iter()
            .find(|(s, scope, ..)| s == source && scope.to_ascii_lowercase() == *resource)
            .unwrap_or_else(|| panic!("no deadline gap for {source} on {resource}\n{found:#?}"));
        assert!(
            gap.2
                .contains("per-source deadline of 3 s reached before this was read"),
            "{}",
            gap.2
        );
        let s = inv.source(source).unwrap();
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("per-source deadline of 3 s")
                    && n.contains("per-run deadline of 300 s")),
            "the bound is in the provenance: {:?}",
            s.notes
        );
    }
    // Only the hanging reads became gaps: no other source was stopped.
    let other: Vec<_> = found
        .iter()
        .filter(|(s, scope, ..)| !reads.contains(&(s.clone(), scope.to_ascii_lowercase())))
        .collect();
    assert!(other.is_empty(), "{other:#?}\n{reads:#?}");
    // None of them was read; no per-resource child was stored.
    assert!(
        inv.resources.iter().all(|r| r.children.is_empty()),
        "a child was stored from a read that never answered"
    );
    let line = format!("{} of them stopped by a deadline", found.len());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&line),
        "{line}\n{ctx}"
    );
    no_pass_on_missing_data(&inv, &found);
}

/// One hang on every source kind at once (Resource Graph after its third page, every
/// per-subscription ARM list, every per-resource read, every Graph read, the Activity Log):
/// the per-run deadline of 4 s ends the run, each kind has gaps naming it, the Resource Graph
/// pages read are kept, and `assess --fail-on incomplete` exits 1.
#[test]
fn a_hang_on_every_source_kind_ends_at_the_run_deadline() {
    let fake = serve(&demo_with_changes());
    for rule in [
        FaultRule::new(Target::source("resource_graph.resources"), hang()).skip(3),
        FaultRule::new(Target::kind(Kind::ArmSubscription), hang()),
        FaultRule::new(Target::kind(Kind::ArmResource), hang()),
        FaultRule::new(Target::kind(Kind::Graph), hang()),
        FaultRule::new(Target::kind(Kind::ActivityLog), hang()),
    ] {
        fake.inject(rule);
    }
    let dir = tempfile::tempdir().unwrap();
    // Enough slots that every kind gets a request in flight before the deadline (with 8, the
    // first hanging requests hold every slot and the rest never start: gaps all the same).
    let cfg = config_with(dir.path(), 4, 4, 64);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    eprintln!("a hang on every source kind: collect took {took:?}");
    assert_eq!(out.status.code(), Some(0), "gaps are data\n{ctx}");
    assert!(
        took < Duration::from_secs(4) + SLACK,
        "took {took:?}\n{ctx}"
    );
    assert!(
        fake.faults_fired().iter().all(|n| *n > 0),
        "{:?}",
        fake.faults_fired()
    );
    let inv = inv.expect("an inventory is written");
    let found = deadline_gaps(&inv);
    for source in [
        "resource_graph.resources",
        "arm.defender_pricings",
        "arm.locks",
        "arm.diagnostic_settings",
        "graph.conditional_access_policies",
        "graph.users",
        "arm.activity_log",
    ] {
        let gap = found
            .iter()
            .find(|(s, ..)| s == source)
            .unwrap_or_else(|| panic!("no deadline gap on {source}\n{found:#?}"));
        // Per-resource reasons start with the child's key (`diagnosticSettings: …`).
        assert!(
            gap.2
                .contains("per-run deadline of 4 s reached before this was read"),
            "{source}: {}",
            gap.2
        );
    }
    let prod = format!("/subscriptions/{PROD}");
    assert!(
        found
            .iter()
            .any(|(s, scope, ..)| s == "arm.activity_log" && *scope == prod),
        "{found:#?}"
    );
    // The pages Resource Graph answered before the hang are kept.
    let rg = inv.source("resource_graph.resources").unwrap();
    assert_eq!((rg.pages, rg.records), (3, 21), "{rg:?}");
    assert_eq!(
        inv.changes, None,
        "no Activity Log was read: not collected, not empty"
    );
    no_pass_on_missing_data(&inv, &found);

    let out = cli(
        &[],
        dir.path(),
        &[
            "assess",
            "--inventory",
            "inventory.json",
            "--repo",
            "repo",
            "--config",
            cfg.to_str().unwrap(),
            "--fail-on",
            "incomplete",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", streams(&out));
}

/// A token endpoint that never answers: without deadlines the credential's own retries (4
/// attempts of 30 s) decide; with them the run ends at its deadline, and as no token means
/// nothing can be read, with exit 2 naming the deadline.
#[test]
fn a_hanging_token_endpoint_ends_the_run_at_its_deadline() {
    let fake = serve(&demo_with_changes());
    fake.inject(FaultRule::new(Target::source("token"), hang()));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), 3, 3);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    assert_eq!(out.status.code(), Some(2), "{ctx}");
    assert!(
        took < Duration::from_secs(3) + SLACK,
        "took {took:?}\n{ctx}"
    );
    assert!(inv.is_none(), "no inventory without a token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("authentication failed") && err.contains("per-run deadline of 3 s"),
        "{ctx}"
    );
    assert_eq!(fake.faults_fired(), [1], "{}", fake.dump_requests());
}

/// The ARM token comes, the Microsoft Graph token hangs: every Graph source is a gap naming
/// the run's deadline, while ARM reads (their token cached) are not held back by the hanging
/// token request.
#[test]
fn a_hanging_graph_token_leaves_graph_gaps_and_holds_nothing_else_back() {
    let fake = serve(&demo_with_changes());
    fake.inject(FaultRule::new(Target::source("token"), hang()).skip(1));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), 6, 6);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    assert_eq!(out.status.code(), Some(0), "{ctx}");
    assert!(
        took < Duration::from_secs(6) + SLACK,
        "took {took:?}\n{ctx}"
    );
    assert!(fake.faults_fired()[0] > 0, "{}", fake.dump_requests());
    let inv = inv.unwrap();
    let found = deadline_gaps(&inv);
    for s in inv.sources.iter().filter(|s| s.name.starts_with("graph.")) {
        let gap = found
            .iter()
            .find(|(n, ..)| *n == s.name)
            .unwrap_or_else(|| panic!("no deadline gap on {}\n{found:#?}", s.name));
        assert!(
            gap.2
                .starts_with("per-run deadline of 6 s reached before this was read"),
            "{}",
            gap.2
        );
    }
    assert!(
        found.iter().all(|(n, ..)| n.starts_with("graph.")),
        "only Graph waited for its token: {found:#?}"
    );
    assert_eq!(fake.counters().graph, 0, "no Graph request without a token");
    no_pass_on_missing_data(&inv, &found);
}

/// 429 forever with `Retry-After: 30` on the users list: without deadlines 4 waits of 30 s
/// (capped at 60 s); with a per-source deadline of 3 s the wait is cut at it and the read ends
/// as a gap naming both the deadline and the 429. The 429 pauses every Graph read for the 30 s
/// Graph asked for (the budget is shared): other Graph reads wait, as they must, until their
/// source's deadline or the run's (5 s); what a deadline stops is a Graph gap naming it.
#[test]
fn a_429_storm_with_a_long_retry_after_ends_at_the_deadlines() {
    let fake = serve(&demo_with_changes());
    fake.inject(FaultRule::new(
        Target::source("graph.users"),
        Fault::throttle_secs(30),
    ));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), 3, 5);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    assert_eq!(out.status.code(), Some(0), "{ctx}");
    assert!(
        took < Duration::from_secs(5) + SLACK,
        "took {took:?}\n{ctx}"
    );
    assert_eq!(fake.faults_fired(), [1], "no retry into the deadline");
    let inv = inv.unwrap();
    let found = deadline_gaps(&inv);
    let tenant = format!("/tenants/{}", fake.tenant_id());
    let gap = found
        .iter()
        .find(|(s, scope, ..)| s == "graph.users" && *scope == tenant)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(
        gap.2.starts_with(
            "per-source deadline of 3 s reached before this was read; 1 attempt(s) made, the \
             last: HTTP 429"
        ),
        "{}",
        gap.2
    );
    assert_eq!(
        inv.identity.users, None,
        "nothing stored from a throttled read"
    );
    // A Graph read that had started waits at the pause until its own deadline; one that had
    // not, until the run's.
    for (s, _, reason, _) in &found {
        assert!(s.starts_with("graph."), "{s}: {reason}");
        assert!(
            reason.starts_with("per-source deadline of 3 s reached before this was read")
                || reason.starts_with("per-run deadline of 5 s reached before this was read"),
            "{s}: {reason}"
        );
    }
    no_pass_on_missing_data(&inv, &found);
}

/// Conditional access policies answered one page every 300 ms, each with a next link never
/// seen before: without deadlines the page cap (1000) stops it after 5 minutes; with a
/// per-source deadline of 3 s it ends then, the pages read are counted, and the source is a
/// gap naming the deadline.
#[test]
fn an_endless_slow_drip_of_pages_ends_at_the_source_deadline() {
    let fake = serve(&demo_with_changes());
    fake.inject(FaultRule::new(
        Target::source("graph.conditional_access_policies"),
        Fault::EndlessPages {
            delay: Duration::from_millis(300),
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), 3, 300);
    let (out, took, inv) = collect(&fake, dir.path(), &cfg);
    let ctx = streams(&out);
    assert_eq!(out.status.code(), Some(0), "{ctx}");
    assert!(
        took < Duration::from_secs(3) + SLACK,
        "took {took:?}\n{ctx}"
    );
    let inv = inv.unwrap();
    let s = inv.source("graph.conditional_access_policies").unwrap();
    assert!(
        s.pages >= 2 && s.pages < 100,
        "pages read before the deadline: {}\n{s:#?}\n{}",
        s.pages,
        fake.dump_requests()
    );
    assert_eq!(u64::from(fake.faults_fired()[0]), s.calls, "{s:?}");
    let found = deadline_gaps(&inv);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .2
            .starts_with("per-source deadline of 3 s reached before this was read"),
        "{}",
        found[0].2
    );
    assert_eq!(inv.identity.conditional_access_policies, None);
    no_pass_on_missing_data(&inv, &found);
}

/// Deadlines out of range, or a source's above the run's, exit 2 naming the key, before any
/// request.
#[test]
fn bad_deadlines_exit_2_naming_the_key() {
    let fake = serve(&demo_with_changes());
    let dir = tempfile::tempdir().unwrap();
    for (source, run, key) in [
        (0, 60, "collect.source_deadline_secs"),
        (10, 0, "collect.run_deadline_secs"),
        (
            120,
            60,
            "collect.source_deadline_secs: must not be above collect.run_deadline_secs",
        ),
    ] {
        let cfg = config(dir.path(), source, run);
        let (out, _, inv) = collect(&fake, dir.path(), &cfg);
        assert_eq!(out.status.code(), Some(2), "{}", streams(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(key),
            "{key}\n{}",
            streams(&out)
        );
        assert!(inv.is_none());
    }
    assert_eq!(fake.counters().token, 0, "nothing was sent");
}
