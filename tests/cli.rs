//! The CLI on local data through the real binary: assess, diff, report, listings, exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::path::Path;

use common::*;
use soc2_evidence::collect::demo::{self, DemoState};

fn write_inventory(dir: &Path, state: DemoState) -> String {
    let p = dir.join(format!("{state:?}.json"));
    std::fs::write(
        &p,
        serde_json::to_vec_pretty(&demo::inventory(state)).unwrap(),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

fn commit_count(repo: &Path, branch: &str) -> usize {
    let r = git2::Repository::open(repo).unwrap();
    let mut w = r.revwalk().unwrap();
    w.push_ref(&format!("refs/heads/{branch}")).unwrap();
    w.count()
}

#[test]
fn assessing_the_same_inventory_again_creates_no_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = write_inventory(tmp.path(), DemoState::Baseline);
    let repo = tmp.path().join("repo");
    let r = repo.to_str().unwrap();

    let out = run(tmp.path(), &["assess", "--inventory", &inv, "--repo", r]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("committed "), "{}", stdout(&out));
    assert_eq!(commit_count(&repo, "main"), 1);

    let out = run(tmp.path(), &["assess", "--inventory", &inv, "--repo", r]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("evidence unchanged; no commit"),
        "{}",
        stdout(&out)
    );
    assert_eq!(commit_count(&repo, "main"), 1);

    // A new collection is recorded, and its manifest links back to the first.
    let drifted = write_inventory(tmp.path(), DemoState::Drifted);
    assert_code(
        &run(
            tmp.path(),
            &["assess", "--inventory", &drifted, "--repo", r],
        ),
        0,
    );
    assert_eq!(commit_count(&repo, "main"), 2);

    let out = run(tmp.path(), &["diff", "main~1", "main", "--repo", r]);
    assert_code(&out, 0);
    let md = stdout(&out);
    assert!(md.contains("storage_minimum_tls_1_2"), "{md}");
}

#[test]
fn fail_on_sets_exit_code_one() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = write_inventory(tmp.path(), DemoState::Baseline);
    let r = tmp.path().join("repo");
    let out = run(
        tmp.path(),
        &[
            "assess",
            "--inventory",
            &inv,
            "--repo",
            r.to_str().unwrap(),
            "--fail-on",
            "fail",
        ],
    );
    // The demo baseline has failing criteria: the job is done, the policy is not met.
    assert_code(&out, 1);
    assert!(stdout(&out).contains("committed "));
}

#[test]
fn bad_inventory_names_file_and_field_with_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    let mut v = serde_json::to_value(demo::inventory(DemoState::Baseline)).unwrap();
    v["resources"][3]["subscription_id"] = serde_json::json!(42);
    let p = tmp.path().join("broken.json");
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = run(
        tmp.path(),
        &[
            "assess",
            "--inventory",
            p.to_str().unwrap(),
            "--repo",
            "repo",
        ],
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("broken.json"), "{err}");
    assert!(err.contains("resources[3].subscription_id"), "{err}");

    let out = run(
        tmp.path(),
        &["assess", "--inventory", "nope.json", "--repo", "repo"],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("nope.json"));
}

#[test]
fn bad_config_names_the_key_with_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = write_inventory(tmp.path(), DemoState::Baseline);
    let cfg = tmp.path().join("cfg.toml");
    std::fs::write(&cfg, "[evidence]\nbot_branch = \"main\"\n").unwrap();
    let out = run(
        tmp.path(),
        &[
            "assess",
            "--inventory",
            &inv,
            "--repo",
            "repo",
            "--config",
            cfg.to_str().unwrap(),
        ],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("evidence.bot_branch"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_arguments_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    assert_code(&run(tmp.path(), &["assess"]), 2);
    assert_code(&run(tmp.path(), &["no-such-command"]), 2);
    let out = run(
        tmp.path(),
        &["report", "--ref", "main", "--repo", "missing-repo"],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("missing-repo"), "{}", stderr(&out));
}

#[test]
fn report_is_byte_identical_across_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = write_inventory(tmp.path(), DemoState::Baseline);
    let r = tmp.path().join("repo");
    let r = r.to_str().unwrap();
    assert_code(
        &run(tmp.path(), &["assess", "--inventory", &inv, "--repo", r]),
        0,
    );
    assert_code(
        &run(
            tmp.path(),
            &["report", "--ref", "main", "--repo", r, "--out", "a.pdf"],
        ),
        0,
    );
    assert_code(
        &run(
            tmp.path(),
            &["report", "--ref", "main", "--repo", r, "--out", "b.pdf"],
        ),
        0,
    );
    let a = std::fs::read(tmp.path().join("a.pdf")).unwrap();
    let b = std::fs::read(tmp.path().join("b.pdf")).unwrap();
    assert!(a.starts_with(b"%PDF-"));
    assert!(a == b, "same commit, different PDF bytes");
}

#[test]
fn listings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["checks", "list", "--format", "json"]);
    assert_code(&out, 0);
    let checks: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(checks.len(), soc2_evidence::checks::registry().len());
    assert!(
        checks
            .iter()
            .all(|c| !c["criteria"].as_array().unwrap().is_empty())
    );

    let out = run(tmp.path(), &["checks", "list"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("| `storage_secure_transfer_required` |"));

    let out = run(tmp.path(), &["controls", "list", "--format", "json"]);
    assert_code(&out, 0);
    let controls: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(controls.len(), 61);
    let cc64 = controls.iter().find(|c| c["id"] == "CC6.4").unwrap();
    assert_eq!(cc64["coverage"], "inherited");
    assert!(cc64["inherited_reason"].as_str().unwrap().contains("SOC 2"));
}
