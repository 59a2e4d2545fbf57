//! Snapshots (insta) of what people and tools read from the demo: the drift pull request's title
//! and body (the demo's `drift.md` is a snapshot in `tests/demo.rs`), the release notes, the Actions step summary, and the SARIF,
//! OSCAL and CSV exports. The demo fixes its clock and run ids, so every byte is the same on
//! every run; a change to any of these texts fails here with a diff to review (`cargo insta
//! review`, or `INSTA_UPDATE=always cargo test --test demo_snapshots` and read the diff).
//!
//! The exports are megabytes (every rule, every observation, every row): each snapshot holds the
//! sha256 of the whole export, which pins every byte, and a readable projection of it (SARIF
//! and OSCAL with long arrays cut to their first items; CSV with every row that is not a pass).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;
use soc2_evidence::config::Config;
use soc2_evidence::evidence::{Snapshot, sha256_hex};
use soc2_evidence::export::{self, Format, Options};
use soc2_evidence::forge::PrAction;
use soc2_evidence::gitops::publish::{self, PublishOutcome, Published, Step};
use soc2_evidence::gitops::{assets, release};
use soc2_evidence::store::{EvidenceStore, TAG_MANIFEST_PREFIX};

const BOT: &str = "soc2-evidence/assessment";
/// Where a GitHub repository of the demo would be (the links in the PR body).
const HTML_URL: &str = "https://github.com/contoso/evidence";

/// The demo, run through the binary into `dir`: its base and head snapshots and head commit.
fn demo(dir: &Path) -> (EvidenceStore, Snapshot, Snapshot, git2::Oid) {
    let out = run(
        dir.parent().unwrap(),
        &["demo", "--dir", dir.to_str().unwrap()],
    );
    assert_code(&out, 0);
    let store = EvidenceStore::open(dir, "evidence").unwrap();
    let base = store.read_snapshot("main").unwrap();
    let head = store.read_snapshot(BOT).unwrap();
    let commit = store.resolve(BOT).unwrap().unwrap();
    (store, base, head, commit)
}

/// Arrays longer than `max` keep their first three items and say how many were cut.
fn project(v: &mut Value, max: usize) {
    match v {
        Value::Array(items) => {
            let n = items.len();
            if n > max {
                items.truncate(3);
                items.push(Value::String(format!("… {} more ({n} in all)", n - 3)));
            }
            items.iter_mut().for_each(|i| project(i, max));
        }
        Value::Object(map) => map.values_mut().for_each(|i| project(i, max)),
        _ => {}
    }
}

fn json_projection(bytes: &[u8], max: usize) -> String {
    let mut v: Value = serde_json::from_slice(bytes).unwrap();
    project(&mut v, max);
    format!(
        "sha256 of the whole export: {}\n{}",
        sha256_hex(bytes),
        serde_json::to_string_pretty(&v).unwrap()
    )
}

#[test]
fn the_demos_texts_and_exports_are_stable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let (store, base, head, commit) = demo(&dir);

    // The drift pull request `run` would open for the demo's head.
    let config = Config::default();
    let spec = publish::drift_pr(&config, HTML_URL, Some(&base), &head, commit).unwrap();
    assert_eq!(spec.base, "main");
    assert_eq!(spec.labels, config.github.labels);
    assert!(spec.body.chars().count() <= publish::PR_BODY_LIMIT);
    insta::assert_snapshot!("pr_title", spec.title);
    insta::assert_snapshot!("pr_body", spec.body);

    // The step summary and status lines of that run, opening pull request #1.
    let outcome = PublishOutcome {
        summary: head.summary().unwrap(),
        passes: 1,
        steps: vec![
            Step::Pushed {
                branch: BOT.into(),
                commit,
            },
            Step::PullRequest {
                number: 1,
                url: format!("{HTML_URL}/pull/1"),
                action: PrAction::Created,
            },
        ],
        published: Published::Drift {
            branch: BOT.into(),
            commit,
            spec,
            number: 1,
            url: format!("{HTML_URL}/pull/1"),
            action: PrAction::Created,
        },
    };
    insta::assert_snapshot!("step_summary", outcome.step_summary());
    insta::assert_snapshot!("run_status_lines", outcome.text());
    insta::assert_snapshot!("action_outputs", outcome.output_lines());

    // The release notes of the head, with the baseline released before it.
    let main = store.resolve("main").unwrap().unwrap();
    let message = format!(
        "SOC 2 evidence audit-demo-baseline\n\n{TAG_MANIFEST_PREFIX}{}\n",
        base.manifest_sha256().unwrap()
    );
    let at = base.manifest().unwrap().as_of.timestamp();
    store
        .create_tag("audit-demo-baseline", main, &message, at)
        .unwrap();
    let built = assets::build_assets(&store, commit, &head, "audit-demo").unwrap();
    let notes = release::release_notes(
        &store,
        "audit-demo",
        commit,
        &head,
        &built,
        &head.manifest_sha256().unwrap(),
    )
    .unwrap();
    assert!(notes.contains("### Drift since `audit-demo-baseline`"));
    insta::assert_snapshot!("release_notes", notes);
    insta::assert_snapshot!("release_sha256sums", built.sums);

    // The exports of the head.
    let opts = Options::default();
    let sarif = export::render(&head, Format::Sarif, &opts).unwrap();
    let sarif_view = json_projection(&sarif.bytes, 40);
    insta::assert_snapshot!("sarif", sarif_view);
    let oscal = export::render(&head, Format::Oscal, &opts).unwrap();
    let oscal_view = json_projection(&oscal.bytes, 40);
    insta::assert_snapshot!("oscal", oscal_view);
    let csv = export::render(&head, Format::Csv, &opts).unwrap();
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let status = header.split(',').position(|c| c == "status").unwrap();
    let (mut kept, mut passes) = (Vec::new(), 0);
    for line in lines {
        // Titles, reasons and remediations may hold quoted commas: read the row as CSV.
        let row = csv_row(line);
        if row[status] == "pass" {
            passes += 1;
        } else {
            kept.push(line);
        }
    }
    let csv_view = format!(
        "sha256 of the whole export: {}\n{passes} pass rows left out\n{header}\n{}\n",
        sha256_hex(&csv.bytes),
        kept.join("\n")
    );
    insta::assert_snapshot!("csv", csv_view);
}

/// The fields of one CSV line (RFC 4180 quoting; the export has no newlines inside fields).
fn csv_row(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let (mut quoted, mut chars) = (false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}
