//! Drift tests on real snapshots: inventories built from Microsoft's example payloads, assessed
//! by the real checks and controls.

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::checks::testutil::{fixture_resource, inventory, set_prop};
use crate::evidence::{RunMeta, SUMMARY};

/// The checks these tests assess with: a fixed set, so the drift they build stays the same
/// however the catalogue grows.
const CHECKS: [&str; 9] = [
    "storage_secure_transfer_required",
    "storage_minimum_tls_1_2",
    "storage_blob_public_access_disabled",
    "storage_default_network_deny",
    "storage_blob_soft_delete_enabled",
    "keyvault_soft_delete_enabled",
    "keyvault_purge_protection_enabled",
    "keyvault_rbac_authorization_enabled",
    "keyvault_logging_enabled",
];

/// Assesses `inv` with [`CHECKS`].
fn assess(
    inv: &Inventory,
    run: RunMeta,
    previous: Option<&crate::evidence::Snapshot>,
) -> crate::evidence::Snapshot {
    let settings = crate::checks::Settings::default();
    let ctx = crate::checks::Ctx::new(inv, &settings);
    let results: Vec<_> = crate::checks::registry()
        .iter()
        .filter(|c| CHECKS.contains(&c.meta.id))
        .map(|c| crate::checks::run(c, &ctx))
        .collect();
    let inputs = crate::assess::RepoInputs::default();
    let assessment = crate::assess::from_results(inv, &settings, &inputs, results);
    crate::evidence::build(&assessment, run, previous).unwrap()
}
use crate::model::{Inventory, Resource};

const STORAGE: &str = "storage/storage_account_create.2025-06-01.json";
const VAULT: &str = "keyvault/key_vault_get.2024-11-01.json";
const TLS_CHECK: &str = "storage_minimum_tls_1_2";

fn run(secs: i64) -> RunMeta {
    RunMeta {
        run_id: format!("r{secs}"),
        started_at: Utc.timestamp_opt(secs, 0).unwrap(),
        finished_at: Utc.timestamp_opt(secs + 5, 0).unwrap(),
    }
}

fn storage() -> Resource {
    fixture_resource(STORAGE, 0)
}

fn vault() -> Resource {
    fixture_resource(VAULT, 0)
}

/// Base: one storage account on TLS 1.2. Head: the same account on TLS 1.0, plus a key vault.
fn base_and_head() -> (Inventory, Inventory) {
    let base = inventory(vec![storage()]);
    let mut weak = storage();
    set_prop(&mut weak, "/minimumTlsVersion", json!("TLS1_0"));
    let head = inventory(vec![weak, vault()]);
    (base, head)
}

fn snapshots() -> (Snapshot, Snapshot) {
    let (b, h) = base_and_head();
    (assess(&b, run(0), None), assess(&h, run(100), None))
}

#[test]
fn tls_regression_changes_criteria_findings_and_resources() {
    let (base, head) = snapshots();
    let d = diff(&base, &head).unwrap();

    let cc67 = d.criteria.iter().find(|c| c.id == "CC6.7").expect("CC6.7");
    assert_eq!(
        (cc67.from, cc67.to),
        (Some(ControlStatus::Pass), Some(ControlStatus::Fail))
    );
    assert!(!cc67.title.is_empty());
    // Every criterion the TLS check maps that passed before now fails.
    let base_summary = base.summary().unwrap();
    for crit in crate::checks::find(TLS_CHECK).unwrap().meta.criteria {
        let before = base_summary
            .criteria
            .iter()
            .find(|c| c.id == *crit)
            .unwrap();
        if before.status == ControlStatus::Pass {
            let c = d.criteria.iter().find(|c| c.id == *crit).expect(crit);
            assert_eq!(c.to, Some(ControlStatus::Fail), "{crit}");
        }
    }

    let storage_id = storage().id;
    let f = d
        .newly_failing
        .iter()
        .find(|f| f.check_id == TLS_CHECK)
        .expect("TLS finding newly failing");
    assert_eq!(f.resource_id, storage_id);
    assert_eq!(f.from, Some(FindingStatus::Pass));
    assert_eq!(f.to, Some(FindingStatus::Fail));
    assert!(f.reason.contains("TLS1_0"), "{}", f.reason);
    assert_eq!(f.severity, Severity::Medium);

    assert_eq!(d.resources_added, vec![vault().id]);
    assert!(d.resources_removed.is_empty());
    assert!(d.resolved.is_empty());

    assert!(
        d.scores
            .iter()
            .any(|s| s.scope == "overall" && s.metric == ScoreMetric::Criteria)
    );

    let file = d
        .files
        .iter()
        .find(|f| f.path == format!("checks/{TLS_CHECK}.json"))
        .expect("check file diff");
    assert_eq!(file.kind, FileChangeKind::Modified);
    assert!(!file.time_only);
    assert!(
        file.unified.starts_with(&format!(
            "--- a/checks/{TLS_CHECK}.json\n+++ b/checks/{TLS_CHECK}.json\n"
        )),
        "{}",
        file.unified
    );
    assert!(
        file.unified
            .contains("+      \"reason\": \"minimum TLS version is TLS1_0\"")
    );
    assert!(d.files.iter().all(|f| f.path != MANIFEST));
    assert!(d.is_material() && !d.is_empty());

    // Stable keys: findings by check then resource, files by path.
    let keys: Vec<_> = d
        .newly_failing
        .iter()
        .map(|f| (&f.check_id, &f.resource_id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(d.files.windows(2).all(|w| w[0].path < w[1].path));
}

#[test]
fn title_lists_criteria_changes() {
    let (base, head) = snapshots();
    let d = diff(&base, &head).unwrap();
    let t = d.title();
    let n = d.criteria.len();
    assert!(t.starts_with(&format!("{n} criteri")), "{t}");
    assert!(t.contains("CC6.7 pass→fail"), "{t}");
    assert_eq!(t.contains('…'), n > 5, "{t}");
}

#[test]
fn same_inventory_different_run_is_empty() {
    let (b, _) = base_and_head();
    let d = diff(
        &assess(&b, run(0), None),
        &assess(&b, run(999), Some(&assess(&b, run(0), None))),
    )
    .unwrap();
    assert!(d.is_empty(), "{d:#?}");
    assert!(!d.is_material());
    assert_eq!(d.title(), "No drift");
    let md = d.to_markdown(65_536);
    assert!(md.starts_with("## No drift\n"), "{md}");
}

#[test]
fn new_collection_time_alone_is_not_material() {
    let (b, _) = base_and_head();
    let mut later = b.clone();
    later.collected_at += Duration::hours(24);
    let d = diff(&assess(&b, run(0), None), &assess(&later, run(1), None)).unwrap();
    assert!(!d.is_empty());
    assert!(!d.is_material(), "{d:#?}");
    assert!(d.files.iter().all(|f| f.time_only));
    assert!(d.files.iter().any(|f| f.path == SUMMARY));
    assert_eq!(d.title(), "No drift; only the collection time changed");
    let md = d.to_markdown(65_536);
    assert!(md.contains("Only the collection time changed in: "), "{md}");
    assert!(!md.contains("```diff"), "{md}");
}

#[test]
fn markdown_shows_title_criterion_finding_and_diff() {
    let (base, head) = snapshots();
    let d = diff(&base, &head).unwrap();
    let md = d.to_markdown(65_536);
    assert!(md.starts_with(&format!("## {}\n", d.title())), "{md}");
    assert!(md.contains("| `CC6.7` |"), "{md}");
    assert!(md.contains("| pass | fail |"), "{md}");
    assert!(md.contains("### Newly failing findings"), "{md}");
    assert!(
        md.contains(&format!(
            "| `{TLS_CHECK}` | `{}` | medium | pass → fail | minimum TLS version is TLS1_0 |",
            storage().id
        )),
        "{md}"
    );
    assert!(md.contains(&format!("- `{}`", vault().id)), "{md}");
    assert!(md.contains("| Overall criteria score | "), "{md}");
    assert!(md.contains("<details>\n<summary><code>checks/storage_minimum_tls_1_2.json</code>"));
    assert!(md.contains("\n```diff\n--- a/"), "{md}");
    assert!(md.len() <= 65_536);
    assert_eq!(fences(&md) % 2, 0);
    // Same snapshots, same bytes.
    assert_eq!(md, diff(&base, &head).unwrap().to_markdown(65_536));
    // Nothing was left out, so there is no note saying something was.
    assert!(!md.contains("Omitted"), "{md}");
}

#[test]
fn linked_markdown_links_criteria_and_checks_to_their_evidence_files() {
    let (base, head) = snapshots();
    let d = diff(&base, &head).unwrap();
    let md = d.to_markdown_linked(65_536, "https://github.com/o/r/blob/abc/evidence/");
    assert!(
        md.contains("| [`CC6.7`](https://github.com/o/r/blob/abc/evidence/controls/CC6.7.json) |"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| [`{TLS_CHECK}`](https://github.com/o/r/blob/abc/evidence/checks/{TLS_CHECK}.json) |"
        )),
        "{md}"
    );
    assert!(md.len() <= 65_536);
}

/// Lines that open or close a fence.
fn fences(md: &str) -> usize {
    md.lines().filter(|l| l.starts_with("```")).count()
}

#[test]
fn markdown_stays_within_bound_and_names_omitted_diffs() {
    let base = inventory(vec![storage()]);
    // Many new accounts on TLS 1.0: a huge resources diff and hundreds of failing findings.
    let many: Vec<Resource> = (0..300)
        .map(|i| {
            let mut r = storage();
            r.id = format!("{}{i:03}", r.id);
            r.name = format!("{}{i:03}", r.name);
            set_prop(&mut r, "/minimumTlsVersion", json!("TLS1_0"));
            r
        })
        .collect();
    let head = inventory(many);
    let d = diff(&assess(&base, run(0), None), &assess(&head, run(1), None)).unwrap();
    assert!(d.newly_failing.len() > LIST_MIN_FOR_TEST);

    for max in [2_000, 10_000, 65_536] {
        let md = d.to_markdown(max);
        assert!(md.chars().count() <= max, "{max}: {}", md.len());
        assert!(md.starts_with(&format!("## {}\n", d.title())));
        assert!(
            md.contains("Omitted to keep this body within"),
            "{max}: {md}"
        );
        assert!(md.contains("the diffs of `"), "{max}: {md}");
        assert_eq!(fences(&md) % 2, 0, "{max}");
        // No table row is cut: every line that opens a row closes it.
        assert!(
            md.lines()
                .filter(|l| l.starts_with('|'))
                .all(|l| l.ends_with('|'))
        );
    }
    let big = d.to_markdown(65_536);
    // 300 new accounts are past the line-diff work bound: named, not diffed.
    assert!(
        big.contains("<code>inventory/resources.json</code> modified"),
        "{big}"
    );
    assert!(big.contains("changed too much for a line diff"), "{big}");
    assert!(big.contains("_… and "), "{big}");
    assert!(big.contains("| `CC6.7` |"));

    // A limit below the title still yields something within it.
    assert!(d.to_markdown(10).len() <= 10);
}

const LIST_MIN_FOR_TEST: usize = 50;

#[test]
fn reverse_diff_resolves_findings() {
    let (base, head) = snapshots();
    let d = diff(&head, &base).unwrap();
    let f = d
        .resolved
        .iter()
        .find(|f| f.check_id == TLS_CHECK)
        .expect("TLS finding resolved");
    assert_eq!(f.resource_id, storage().id);
    assert_eq!(f.from, Some(FindingStatus::Fail));
    assert_eq!(f.to, Some(FindingStatus::Pass));
    assert_eq!(
        f.previous_reason.as_deref(),
        Some("minimum TLS version is TLS1_0")
    );
    let cc67 = d.criteria.iter().find(|c| c.id == "CC6.7").unwrap();
    assert_eq!(cc67.to, Some(ControlStatus::Pass));
    assert_eq!(d.resources_removed, vec![vault().id]);
    // Whatever failed on the removed vault is resolved because the vault is gone.
    let vault_id = vault().id;
    for f in d.resolved.iter().filter(|f| f.resource_id == vault_id) {
        assert_eq!(f.to, None);
        assert_eq!(f.reason, "resource removed from the inventory");
    }
    let md = d.to_markdown(65_536);
    assert!(md.contains("### Resolved findings"), "{md}");
    assert!(md.contains("(was: minimum TLS version is TLS1_0)"), "{md}");
}

#[test]
fn errors_are_listed_apart_from_failures() {
    let (b, _) = base_and_head();
    let mut gone = storage();
    // Absent is now the documented default (TLS 1.0, a fail); a value of the wrong shape is
    // still unknown.
    set_prop(
        &mut gone,
        "/minimumTlsVersion",
        serde_json::json!(["TLS1_2"]),
    );
    let head = inventory(vec![gone]);
    let d = diff(&assess(&b, run(0), None), &assess(&head, run(1), None)).unwrap();
    let f = d
        .newly_erroring
        .iter()
        .find(|f| f.check_id == TLS_CHECK)
        .expect("missing TLS setting is an error");
    assert_eq!(f.to, Some(FindingStatus::Error));
    assert!(d.newly_failing.iter().all(|f| f.check_id != TLS_CHECK));
    let cc67 = d.criteria.iter().find(|c| c.id == "CC6.7").unwrap();
    assert_eq!(cc67.to, Some(ControlStatus::Incomplete));
}

#[test]
fn malformed_or_missing_evidence_is_an_error() {
    let (base, mut head) = snapshots();
    head.files
        .insert(SUMMARY.into(), br#"{"schema_version": 1}"#.to_vec());
    assert!(matches!(
        diff(&base, &head),
        Err(EvidenceError::Invalid { .. })
    ));

    let (base, mut head) = snapshots();
    head.files.remove("inventory/resources.json");
    assert!(matches!(
        diff(&base, &head),
        Err(EvidenceError::Missing { .. })
    ));

    let (base, mut head) = snapshots();
    head.files
        .insert("controls/CC6.1.json".into(), vec![0xff, 0xfe]);
    let e = diff(&base, &head).unwrap_err().to_string();
    assert!(e.starts_with("controls/CC6.1.json"), "{e}");
}

#[test]
fn added_and_removed_files_use_dev_null() {
    let (base, mut head) = snapshots();
    head.files
        .insert("changes/2026-11.json".into(), b"[]\n".to_vec());
    let d = diff(&base, &head).unwrap();
    let f = d
        .files
        .iter()
        .find(|f| f.path == "changes/2026-11.json")
        .unwrap();
    assert_eq!(f.kind, FileChangeKind::Added);
    assert!(
        f.unified
            .starts_with("--- /dev/null\n+++ b/changes/2026-11.json\n")
    );
    let r = diff(&head, &base).unwrap();
    let f = r
        .files
        .iter()
        .find(|f| f.path == "changes/2026-11.json")
        .unwrap();
    assert_eq!(f.kind, FileChangeKind::Removed);
    assert!(
        f.unified
            .starts_with("--- a/changes/2026-11.json\n+++ /dev/null\n")
    );
}

#[test]
fn table_cells_are_escaped() {
    let (base, head) = snapshots();
    let mut d = diff(&base, &head).unwrap();
    d.newly_failing[0].reason = "a | b <script>".into();
    let md = d.to_markdown(65_536);
    assert!(md.contains("a \\| b &lt;script&gt;"), "{md}");
}

#[test]
fn drift_serialises_to_json() {
    let (base, head) = snapshots();
    let v = serde_json::to_value(diff(&base, &head).unwrap()).unwrap();
    assert_eq!(v["files"][0]["kind"], "modified");
    assert!(v["criteria"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn rewrite_past_the_work_bound_is_named_not_diffed() {
    let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    let new: String = (0..20_000).map(|i| format!("line {i} changed\n")).collect();
    let f = file_diff(
        "inventory/resources.json",
        FileChangeKind::Modified,
        &old,
        &new,
        false,
        "a/x",
        "b/x",
    );
    assert!(f.unified_omitted);
    assert!(f.unified.is_empty());
    assert_eq!((f.insertions, f.deletions), (20_000, 20_000));
    // A small edit to the same large file is still diffed.
    let edited = old.replacen("line 5\n", "line five\n", 1);
    let f = file_diff(
        "p",
        FileChangeKind::Modified,
        &old,
        &edited,
        false,
        "a/p",
        "b/p",
    );
    assert!(!f.unified_omitted);
    assert_eq!((f.insertions, f.deletions), (1, 1));
    assert!(f.unified.contains("-line 5\n+line five\n"));
}
