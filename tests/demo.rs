//! The demo end to end through the real binary: a real git repository with two evidence
//! commits whose files validate against the schemas, the drift markdown and the PDF.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use common::*;
use soc2_evidence::store::EvidenceStore;

#[test]
fn demo_builds_repo_drift_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = run(tmp.path(), &["demo", "--dir", dir.to_str().unwrap()]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("drift.md"), "{text}");
    assert!(text.contains("report.pdf"), "{text}");
    assert!(text.contains("Overall"), "{text}");

    // The setup commit (waivers and attestations, as a user commits them), then two evidence
    // commits: the baseline on main, the drifted snapshot on the bot branch.
    let repo = git2::Repository::open(&dir).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(head.shorthand().unwrap(), "soc2-evidence/assessment");
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let commits: Vec<git2::Oid> = walk.map(|c| c.unwrap()).collect();
    assert_eq!(commits.len(), 3);
    let main = repo.revparse_single("main").unwrap().id();
    assert_eq!(commits[1], main);
    assert!(dir.join("waivers.toml").is_file());
    assert!(dir.join("attestations/CC1.1.md").is_file());
    // The working tree shows the checked-out evidence, and git sees nothing untracked.
    assert!(dir.join("evidence/manifest.json").is_file());
    let mut opts = git2::StatusOptions::new();
    opts.include_ignored(false).include_untracked(true);
    let statuses = repo.statuses(Some(&mut opts)).unwrap();
    assert_eq!(statuses.len(), 0, "demo leaves a clean working tree");

    // It leaves the drifted inventory that `assess --help` points at, byte for byte what
    // `collect --out` would write for that tenant, and `assess` takes it into a fresh repository.
    assert!(text.contains("inventory.json"), "{text}");
    let inventory = std::fs::read(dir.join("inventory.json")).unwrap();
    assert_eq!(
        inventory,
        soc2_evidence::evidence::canonical::to_bytes(&soc2_evidence::collect::demo::inventory(
            soc2_evidence::collect::demo::DemoState::Drifted
        ))
    );
    let fresh = tmp.path().join("fresh");
    let assessed = run(
        tmp.path(),
        &[
            "assess",
            "--inventory",
            dir.join("inventory.json").to_str().unwrap(),
            "--repo",
            fresh.to_str().unwrap(),
        ],
    );
    assert_code(&assessed, 0);
    assert!(
        stdout(&assessed).starts_with("committed "),
        "{}",
        stdout(&assessed)
    );

    // Both snapshots validate against the checked-in schemas, and the hash chain links them.
    let store = EvidenceStore::open(&dir, "evidence").unwrap();
    let base = store.read_snapshot("main").unwrap();
    let head = store.read_snapshot("soc2-evidence/assessment").unwrap();
    assert!(validate_snapshot(&base) > 61 + 3);
    validate_snapshot(&head);
    assert!(base.verify().unwrap().is_empty());
    assert!(head.verify().unwrap().is_empty());
    assert_eq!(
        head.manifest().unwrap().previous_manifest_sha256,
        base.manifest_sha256()
    );

    // drift.md names the criteria and the findings that changed.
    let drift = std::fs::read_to_string(dir.join("drift.md")).unwrap();
    let d = soc2_evidence::drift::diff(&base, &head).unwrap();
    assert!(!d.criteria.is_empty(), "the demo drift changes criteria");
    for c in &d.criteria {
        assert!(drift.contains(&c.id), "drift.md lacks {}", c.id);
    }
    for f in &d.newly_failing {
        assert!(drift.contains(&f.check_id) && drift.contains(&f.resource_id));
    }
    // The whole drift the demo introduces, as a snapshot: the storage account whose TLS
    // minimum dropped, the opened SSH rule, the added and removed resources, the waiver that
    // holds through both runs and the one that expires between them (`waived → fail`).
    insta::assert_snapshot!("drift_markdown", drift);
    let hs = head.summary().unwrap();
    assert_eq!(base.summary().unwrap().findings.waived, 2);
    assert_eq!(hs.findings.waived, 1);
    assert_eq!((hs.manual.attested, hs.manual.stale), (1, 1));
    assert!(head.files.contains_key("waivers.json"));

    // report.pdf is a PDF whose text shows every category score.
    let pdf = std::fs::read(dir.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf).join("\n");
    let summary = head.summary().unwrap();
    for cat in &summary.categories {
        assert!(
            text.contains(&cat.label),
            "PDF lacks category {}",
            cat.label
        );
        if let Some(p) = cat.score.criteria_score {
            assert!(
                text.contains(&format!("{p:.1}%")),
                "PDF lacks {} score {p:.1}%",
                cat.label
            );
        }
    }
    assert!(text.contains(&head.manifest_sha256().unwrap()[..12]));
    // Waived findings with owner and expiry, and the attestation state of manual criteria.
    assert!(text.contains("Waiver W-001"), "PDF lacks the waiver");
    let manual = summary
        .criteria
        .iter()
        .filter(|c| c.coverage == soc2_evidence::controls::Coverage::Manual)
        .count();
    let counts = format!(
        "{manual} manual (1 attested, 1 stale, {} unattested)",
        manual - 2
    );
    assert!(
        text.contains(&counts),
        "PDF lacks the attestation counts {counts}"
    );
    assert!(
        text.contains("attested: Dana Whitfield"),
        "PDF lacks the attestation"
    );
}

#[test]
fn demo_reruns_over_its_own_dir_but_refuses_others() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let d = dir.to_str().unwrap();
    assert_code(&run(tmp.path(), &["demo", "--dir", d]), 0);
    let first = std::fs::read(dir.join("report.pdf")).unwrap();
    let first_head = git2::Repository::open(&dir)
        .unwrap()
        .head()
        .unwrap()
        .target();
    assert_code(&run(tmp.path(), &["demo", "--dir", d]), 0);
    // Deterministic: the same commits and the same PDF bytes on a re-run.
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), first);
    assert_eq!(
        git2::Repository::open(&dir)
            .unwrap()
            .head()
            .unwrap()
            .target(),
        first_head
    );

    let other = tmp.path().join("precious");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    let out = run(tmp.path(), &["demo", "--dir", other.to_str().unwrap()]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("refusing to overwrite"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "keep me"
    );
}

/// The demo's report names its organisation from the committed evidence, so it verifies like
/// a release asset: the demo checks it itself before it ends, and `verify --ref <head> --pdf
/// report.pdf` passes through the binary whatever configuration the working tree holds.
#[test]
fn demo_report_verifies_against_the_commit_it_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let d = dir.to_str().unwrap();
    let out = run(tmp.path(), &["demo", "--dir", d]);
    assert_code(&out, 0);
    let head = git2::Repository::open(&dir)
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    let pdf_path = dir.join("report.pdf");
    let pdf = pdf_path.to_str().unwrap();
    // The demo's own verification, `verify --ref <head> --pdf report.pdf`, is its last word.
    let text = stdout(&out);
    let command = format!("soc2-evidence verify --repo {d} --ref {head} --pdf {pdf}");
    let at = text.find(&command).unwrap_or_else(|| panic!("{text}"));
    let after = &text[at..];
    let ok = format!("ok: {pdf} is byte-identical to the PDF rebuilt from {head}");
    assert!(after.contains(&ok), "{text}");
    assert!(!after.contains("MISMATCH"), "{text}");
    // Verified by its full commit id, which binds the whole manifest: nothing left unchecked.
    assert!(
        after.contains(&format!("ok: `{head}` is a full commit id")),
        "{text}"
    );
    assert!(
        after.trim_end().ends_with("verified: no mismatch") && !after.contains("NOTE"),
        "{text}"
    );

    // The organisation and system are evidence: in summary.json, and on the cover.
    let store = EvidenceStore::open(&dir, "evidence").unwrap();
    let summary = store.read_snapshot(&head).unwrap().summary().unwrap();
    assert_eq!(summary.organisation.name, "Contoso Ltd (demo)");
    assert_eq!(summary.organisation.system, "Contoso Payments Platform");
    let cover = &pdf_text(&std::fs::read(&pdf_path).unwrap())[0];
    assert!(cover.contains("Contoso Ltd (demo)"), "{cover}");
    assert!(cover.contains("Contoso Payments Platform"), "{cover}");

    // `verify --pdf` through the binary: the demo directory has no soc2-evidence.toml, so the
    // verifier's configuration is the default one, unlike the demo's.
    assert!(!dir.join("soc2-evidence.toml").exists());
    let verify = |refname: &str| {
        run(
            tmp.path(),
            &["verify", "--repo", d, "--ref", refname, "--pdf", pdf],
        )
    };
    for refname in [head.as_str(), "soc2-evidence/assessment"] {
        let out = verify(refname);
        assert_code(&out, 0);
        assert!(
            stdout(&out).contains("report.pdf is byte-identical to the PDF rebuilt from"),
            "{}",
            stdout(&out)
        );
    }
    // A working tree that names another organisation changes nothing: the PDF is a function
    // of the commit.
    std::fs::write(
        dir.join("soc2-evidence.toml"),
        "[organisation]\nname = \"Someone Else Inc\"\nsystem = \"Another system\"\n",
    )
    .unwrap();
    let out = verify(&head);
    assert_code(&out, 0);
    let out = run(
        tmp.path(),
        &[
            "report",
            "--repo",
            d,
            "--ref",
            &head,
            "--out",
            tmp.path().join("again.pdf").to_str().unwrap(),
        ],
    );
    assert_code(&out, 0);
    assert!(
        std::fs::read(tmp.path().join("again.pdf")).unwrap() == std::fs::read(&pdf_path).unwrap(),
        "`report` with another working-tree organisation gave other bytes"
    );

    // A PDF of other evidence is a mismatch: the baseline's report is not the head's.
    let other = tmp.path().join("main.pdf");
    let out = run(
        tmp.path(),
        &[
            "report",
            "--repo",
            d,
            "--ref",
            "main",
            "--out",
            other.to_str().unwrap(),
        ],
    );
    assert_code(&out, 0);
    let out = run(
        tmp.path(),
        &[
            "verify",
            "--repo",
            d,
            "--ref",
            &head,
            "--pdf",
            other.to_str().unwrap(),
        ],
    );
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("MISMATCH: main.pdf: differs from the PDF rebuilt from"),
        "{}",
        stdout(&out)
    );
}

/// The demo's evidence bytes, pinned. Each manifest lists the sha256 of every evidence file of
/// its snapshot (and the drifted one chains to the baseline's), so these two hashes pin every
/// byte the demo writes. They change only deliberately: a new check, a new catalogue or tool
/// version, a changed evidence format. A refactoring that moves code around must leave them as
/// they are; when one changes on purpose, say why in the commit that updates it.
#[test]
fn demo_evidence_bytes_are_pinned() {
    const BASELINE_MANIFEST_SHA256: &str =
        "f8f8f746269be05b668d6749ee4c35c937950870da60d937045825580344c40d";
    const DRIFTED_MANIFEST_SHA256: &str =
        "8be7453a97e947be854bdbba8b3f9e0739a27bbc011e08f0fb25451822b77965";
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = run(tmp.path(), &["demo", "--dir", dir.to_str().unwrap()]);
    assert_code(&out, 0);
    let store = EvidenceStore::open(&dir, "evidence").unwrap();
    let sha = |r: &str| store.read_snapshot(r).unwrap().manifest_sha256().unwrap();
    assert_eq!(
        (sha("main"), sha("soc2-evidence/assessment")),
        (
            BASELINE_MANIFEST_SHA256.to_string(),
            DRIFTED_MANIFEST_SHA256.to_string()
        ),
        "the demo's evidence bytes changed"
    );
}
