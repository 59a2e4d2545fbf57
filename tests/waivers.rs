//! Waivers and manual attestations through the real binary: files committed in the evidence
//! repository are read at the commit the evidence builds on, waived findings land in the
//! evidence (valid against the schemas), an expired waiver makes its findings fail again and the
//! drift says so, and an invalid file stops the run (exit 2) naming the entry.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::path::Path;

use common::*;
use soc2_evidence::evidence::Snapshot;
use soc2_evidence::store::EvidenceStore;

const JUMP_NSG: &str = "/subscriptions/8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44/resourceGroups/rg-staging/providers/Microsoft.Network/networkSecurityGroups/nsg-stg-jump";

fn waiver(id: &str, expires: &str) -> String {
    format!(
        "[[waivers]]\nid = \"{id}\"\ncheck = \"network_nsg_rdp_restricted\"\n\
         resource = \"/subscriptions/*/resourceGroups/RG-STAGING/providers/Microsoft.Network/networkSecurityGroups/nsg-stg-*\"\n\
         reason = \"vendor support until the Bastion migration\"\nowner = \"platform@contoso.example\"\n\
         approved_by = \"ciso@contoso.example\"\ncreated = 2026-10-01\nexpires = {expires}\n"
    )
}

/// A repository whose first commit holds `files` (as a user commits them), and the demo's
/// baseline and drifted inventories written beside it.
fn setup(dir: &Path, files: &[(&str, String)]) -> (std::path::PathBuf, std::path::PathBuf) {
    let repo = git2::Repository::init(dir).unwrap();
    let mut index = repo.index().unwrap();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Alice", "alice@contoso.example").unwrap();
    repo.commit(
        Some("refs/heads/main"),
        &sig,
        &sig,
        "governance",
        &tree,
        &[],
    )
    .unwrap();
    repo.set_head("refs/heads/main").unwrap();
    let inv = |state| {
        let v = soc2_evidence::collect::demo::inventory(state);
        serde_json::to_vec(&v).unwrap()
    };
    let base = dir.parent().unwrap().join("baseline.json");
    let drifted = dir.parent().unwrap().join("drifted.json");
    std::fs::write(
        &base,
        inv(soc2_evidence::collect::demo::DemoState::Baseline),
    )
    .unwrap();
    std::fs::write(
        &drifted,
        inv(soc2_evidence::collect::demo::DemoState::Drifted),
    )
    .unwrap();
    (base, drifted)
}

fn assess(cwd: &Path, repo: &Path, inventory: &Path) -> std::process::Output {
    run(
        cwd,
        &[
            "assess",
            "--inventory",
            inventory.to_str().unwrap(),
            "--repo",
            repo.to_str().unwrap(),
        ],
    )
}

fn rdp_result(s: &Snapshot) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_slice(&s.files["checks/network_nsg_rdp_restricted.json"]).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource_id"] == JUMP_NSG)
        .unwrap()
        .clone()
}

#[test]
fn waived_findings_and_attestations_are_recorded_and_expire_at_as_of() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    // In force at the baseline (2026-11-02), expired at the drifted run (2026-11-09).
    let (base_inv, drifted_inv) = setup(
        &dir,
        &[
            ("waivers.toml", waiver("W-7", "2026-11-05")),
            (
                "attestations/CC1.1.md",
                "---\nowner: Dana (CPO)\ndate: 2026-10-15\nperiod: FY2026\nevidence:\n  - https://x.test/coc.pdf\n---\nAcknowledged by all staff.\n".into(),
            ),
        ],
    );

    let out = assess(tmp.path(), &dir, &base_inv);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("Waivers: 1 finding(s) waived"),
        "{}",
        stdout(&out)
    );
    let store = EvidenceStore::open(&dir, "evidence").unwrap();
    let base = store.read_snapshot("main").unwrap();
    validate_snapshot(&base);
    let r = rdp_result(&base);
    assert_eq!(r["status"], "waived");
    assert_eq!(r["waiver"]["id"], "W-7");
    assert_eq!(r["waiver"]["owner"], "platform@contoso.example");
    assert_eq!(r["waiver"]["expires"], "2026-11-05");
    let summary = base.summary().unwrap();
    assert_eq!(summary.findings.waived, 1);
    assert_eq!(summary.waivers.len(), 1);
    assert_eq!(summary.waivers[0].state.as_str(), "applied");
    assert_eq!(summary.manual.attested, 1);
    let waivers: serde_json::Value = serde_json::from_slice(&base.files["waivers.json"]).unwrap();
    assert_eq!(waivers["waivers"][0]["id"], "W-7");
    let cc11: serde_json::Value =
        serde_json::from_slice(&base.files["controls/CC1.1.json"]).unwrap();
    assert_eq!(cc11["status"], "manual");
    assert_eq!(cc11["attestation"]["state"], "attested");
    assert_eq!(cc11["attestation"]["owner"], "Dana (CPO)");
    let cc12: serde_json::Value =
        serde_json::from_slice(&base.files["controls/CC1.2.json"]).unwrap();
    assert_eq!(cc12["attestation"]["state"], "unattested");

    // Re-assessing the same inventory gives the same evidence: no new commit.
    let again = assess(tmp.path(), &dir, &base_inv);
    assert_code(&again, 0);
    assert!(
        stdout(&again).contains("evidence unchanged"),
        "{}",
        stdout(&again)
    );

    // A week later the waiver has expired: the finding fails again.
    let out = assess(tmp.path(), &dir, &drifted_inv);
    assert_code(&out, 0);
    let head = store.read_snapshot("main").unwrap();
    validate_snapshot(&head);
    let r = rdp_result(&head);
    assert_eq!(r["status"], "fail");
    assert!(r.get("waiver").is_none());
    assert_eq!(head.summary().unwrap().waivers[0].state.as_str(), "expired");

    let d = soc2_evidence::drift::diff(&base, &head).unwrap();
    assert_eq!(d.waivers_expired.len(), 1);
    assert_eq!(d.waivers_expired[0].id, "W-7");
    let md = d.to_markdown(65_536);
    assert!(md.contains("### Waivers expired (1)"), "{md}");
    assert!(md.contains("`W-7`"), "{md}");
    assert!(md.contains("waived → fail"), "{md}");
}

#[test]
fn invalid_waiver_or_attestation_file_exits_2_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = waiver("W-1", "2027-01-01")
        + &waiver("W-2", "2027-01-01").replace("network_nsg_rdp_restricted", "no_such_check");
    let (base_inv, _) = setup(&dir, &[("waivers.toml", bad)]);
    let out = assess(tmp.path(), &dir, &base_inv);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("waivers[1] (W-2).check: unknown check id \"no_such_check\""),
        "{err}"
    );
    assert!(
        !dir.join("evidence").exists()
            || EvidenceStore::open(&dir, "evidence")
                .unwrap()
                .read_snapshot("main")
                .is_err()
    );

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    let (base_inv, _) = setup(
        &dir,
        &[(
            "attestations/CC1.1.md",
            "---\nowner: x\ndate: soon\nperiod: FY\n---\n".into(),
        )],
    );
    let out = assess(tmp.path(), &dir, &base_inv);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("attestations/CC1.1.md"), "{err}");
    assert!(err.contains("date (line 3)"), "{err}");
}
