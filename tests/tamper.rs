//! The tamper suite: what a skeptical auditor would try against `verify`. A real evidence
//! repository with three snapshots (made by the real binary), a release tag, a bundle, its
//! `SHA256SUMS` and the report PDF; then one tamper per case, each on a fresh copy, and
//! `verify` must exit 1 and name the mismatch. Plus mutation tests that flip random bytes of a
//! committed snapshot and of a bundle.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use git2::{Oid, Repository, Signature};
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::{self, Manifest, Snapshot, bundle, canonical};
use soc2_evidence::store::{EvidenceStore, TAG_MANIFEST_PREFIX};

const TAG: &str = "audit-1";

type ManifestEdit = Box<dyn Fn(&mut Manifest)>;
const ROOT: &str = "evidence";

/// The untouched world, built once: `repo/` (three evidence commits on `main`, the newest
/// tagged `audit-1` as `release` tags it), and the release assets beside it.
fn pristine() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        for (i, (state, days)) in [
            (DemoState::Baseline, 0),
            (DemoState::Drifted, 1),
            (DemoState::Drifted, 2),
        ]
        .into_iter()
        .enumerate()
        {
            let mut inv = demo::inventory(state);
            inv.collected_at += chrono::Duration::days(days);
            let p = tmp.path().join(format!("inv{i}.json"));
            std::fs::write(&p, serde_json::to_vec(&inv).unwrap()).unwrap();
            std::fs::create_dir_all(&repo).unwrap();
            let out = run(
                &repo,
                &["assess", "--inventory", p.to_str().unwrap(), "--repo", "."],
            );
            assert_code(&out, 0);
        }
        let store = EvidenceStore::open(&repo, ROOT).unwrap();
        let head = store.branch_head("main").unwrap().unwrap();
        tag(&store, TAG, head, true);
        let snap = store.read_snapshot_at(head).unwrap().unwrap();
        // `verify --pdf` rebuilds the report of the tagged commit, as `release` renders it.
        let sha = head.to_string();
        let out = run(
            &repo,
            &[
                "report",
                "--ref",
                &sha,
                "--out",
                "../report.pdf",
                "--repo",
                ".",
            ],
        );
        assert_code(&out, 0);
        let pdf = std::fs::read(tmp.path().join("report.pdf")).unwrap();
        let b = bundle::build(&snap, ROOT);
        std::fs::write(tmp.path().join("bundle.tar.gz"), &b).unwrap();
        let sums = bundle::sha256sums(&[("report.pdf", &pdf), ("bundle.tar.gz", &b)]);
        std::fs::write(tmp.path().join("SHA256SUMS"), sums).unwrap();
        tmp
    })
    .path()
}

/// An annotated release tag on `target` carrying the manifest hash of its snapshot, as
/// `release` writes it (`force` moves an existing one, as a forger would).
fn tag(store: &EvidenceStore, name: &str, target: Oid, force: bool) {
    let hash = store
        .read_snapshot_at(target)
        .unwrap()
        .unwrap()
        .manifest_sha256()
        .unwrap();
    tag_with(store.repo(), name, target, &hash, force);
}

fn tag_with(repo: &Repository, name: &str, target: Oid, hash: &str, force: bool) {
    let sig = Signature::now("soc2-evidence", "soc2-evidence@users.noreply.github.com").unwrap();
    let obj = repo.find_object(target, None).unwrap();
    repo.tag(
        name,
        &obj,
        &sig,
        &format!("SOC 2 evidence\n\n{TAG_MANIFEST_PREFIX}{hash}\n"),
        force,
    )
    .unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A fresh copy of the pristine world.
struct World {
    tmp: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(pristine(), tmp.path());
        World { tmp }
    }
    fn dir(&self) -> &Path {
        self.tmp.path()
    }
    fn repo_path(&self) -> PathBuf {
        self.dir().join("repo")
    }
    fn repo(&self) -> Repository {
        Repository::open(self.repo_path()).unwrap()
    }
    fn store(&self) -> EvidenceStore {
        EvidenceStore::open(&self.repo_path(), ROOT).unwrap()
    }
    /// `main`'s commits, oldest first.
    fn mains(&self) -> Vec<Oid> {
        let repo = self.repo();
        let mut walk = repo.revwalk().unwrap();
        walk.push_ref("refs/heads/main").unwrap();
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .unwrap();
        walk.map(Result::unwrap).collect()
    }
    fn snapshot(&self, oid: Oid) -> Snapshot {
        self.store().read_snapshot_at(oid).unwrap().unwrap()
    }

    /// A person's commit on top of `main` holding main's snapshot changed by `edit`.
    fn commit_edited_head(&self, msg: &str, edit: impl FnOnce(&mut Snapshot)) {
        let head = *self.mains().last().unwrap();
        let mut s = self.snapshot(head);
        edit(&mut s);
        let t = self.tree_with(head, Some(&s));
        self.commit_on_main(t, msg);
    }

    /// Replaces the evidence tree of `oid`'s tree with `files` and returns the new tree.
    fn tree_with(&self, oid: Oid, files: Option<&Snapshot>) -> Oid {
        let repo = self.repo();
        let tree = repo.find_commit(oid).unwrap().tree().unwrap();
        let mut tb = repo.treebuilder(Some(&tree)).unwrap();
        match files {
            None => {
                tb.remove(ROOT).unwrap();
            }
            Some(s) => {
                let ev = write_tree(&repo, s);
                tb.insert(ROOT, ev, 0o040000).unwrap();
            }
        }
        tb.write().unwrap()
    }

    /// A commit by a person on top of `main` with `tree`; `main` moves to it.
    fn commit_on_main(&self, tree: Oid, msg: &str) -> Oid {
        let repo = self.repo();
        let head = repo
            .find_reference("refs/heads/main")
            .unwrap()
            .target()
            .unwrap();
        self.commit(&[head], tree, msg, Some("refs/heads/main"))
    }

    fn commit(&self, parents: &[Oid], tree: Oid, msg: &str, update: Option<&str>) -> Oid {
        let repo = self.repo();
        let sig = Signature::now("Mallory", "mallory@example.com").unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let tree = repo.find_tree(tree).unwrap();
        let oid = repo.commit(None, &sig, &sig, msg, &tree, &refs).unwrap();
        if let Some(r) = update {
            repo.reference(r, oid, true, "tamper").unwrap();
        }
        oid
    }

    /// Rewrites history from the `index`-th commit of main on: that commit gets `tree`, and
    /// every later commit is replayed with its own tree on top (a rebase). Main and, when
    /// `retag`, the release tag (same message) follow, as a forger would move them.
    fn rewrite_from(&self, index: usize, tree: Oid, retag: bool) {
        let mains = self.mains();
        let repo = self.repo();
        let mut parent = if index == 0 {
            vec![]
        } else {
            vec![mains[index - 1]]
        };
        let mut new = self.commit(&parent, tree, "rewritten", None);
        for old in &mains[index + 1..] {
            parent = vec![new];
            let t = repo.find_commit(*old).unwrap().tree_id();
            new = self.commit(&parent, t, "replayed", None);
        }
        repo.reference("refs/heads/main", new, true, "tamper")
            .unwrap();
        if retag {
            let hash = self
                .store()
                .manifest_bytes_at(mains[mains.len() - 1])
                .unwrap()
                .unwrap();
            tag_with(
                &repo,
                TAG,
                new,
                &soc2_evidence::digest::sha256_hex(&hash),
                true,
            );
        }
    }

    fn verify(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["verify", "--repo", "repo"];
        all.extend_from_slice(args);
        run(self.dir(), &all)
    }
}

fn write_tree(repo: &Repository, s: &Snapshot) -> Oid {
    // Nested trees from flat paths, as the store writes them.
    fn write(repo: &Repository, files: &[(&str, &[u8])]) -> Oid {
        let mut tb = repo.treebuilder(None).unwrap();
        let mut dirs: std::collections::BTreeMap<&str, Vec<(&str, &[u8])>> = Default::default();
        for (p, b) in files {
            match p.split_once('/') {
                Some((d, rest)) => dirs.entry(d).or_default().push((rest, b)),
                None => {
                    tb.insert(*p, repo.blob(b).unwrap(), 0o100644).unwrap();
                }
            }
        }
        for (d, sub) in dirs {
            tb.insert(d, write(repo, &sub), 0o040000).unwrap();
        }
        tb.write().unwrap()
    }
    let files: Vec<(&str, &[u8])> = s
        .files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    write(repo, &files)
}

/// Rewrites the manifest with `edit`, canonical bytes, file hashes left as they are.
fn edit_manifest(s: &mut Snapshot, edit: impl FnOnce(&mut Manifest)) {
    let mut m = s.manifest().unwrap();
    edit(&mut m);
    s.files
        .insert(evidence::MANIFEST.into(), canonical::to_bytes(&m));
}

/// Re-hashes every file into the manifest: a forger covering an edit.
fn rehash(s: &mut Snapshot) {
    let files = s
        .evidence_files()
        .map(|(p, b)| (p.clone(), soc2_evidence::digest::sha256_hex(b)))
        .collect();
    edit_manifest(s, |m| m.files = files);
}

/// Changes one byte inside the first JSON string value of `bytes` after `from`, keeping it
/// valid JSON.
fn flip_in_string(bytes: &mut [u8], from: usize) {
    let i = (from..bytes.len())
        .find(|&i| bytes[i].is_ascii_alphanumeric() && bytes[i - 1] != b'\\')
        .expect("an alphanumeric byte");
    bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
}

fn assert_mismatch(out: &std::process::Output, needle: &str) {
    assert_code(out, 1);
    let text = stdout(out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("MISMATCH:") && l.contains(needle)),
        "expected a MISMATCH naming `{needle}`:\n{text}\n{}",
        stderr(out)
    );
}

#[test]
fn the_pristine_world_verifies() {
    let w = World::new();
    let out = w.verify(&["--ref", TAG, "--pdf", "report.pdf"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("3 snapshot(s)") && text.contains("2 manifest chain link(s)"),
        "{text}"
    );
    assert!(text.contains("verified: no mismatch"), "{text}");
    let out = w.verify(&[
        "--ref",
        TAG,
        "--bundle",
        "bundle.tar.gz",
        "--sums",
        "SHA256SUMS",
    ]);
    assert_code(&out, 0);
}

#[test]
fn byte_flips_in_every_file_kind_are_named() {
    let w = World::new();
    let snap = w.snapshot(*w.mains().last().unwrap());
    let kinds = [
        "summary.json",
        "controls/CC6.1.json",
        "checks/storage_secure_transfer_required.json",
        "inventory/resources.json",
        "inventory/identity.json",
        "inventory/subscriptions.json",
    ];
    let mut paths: Vec<String> = kinds.iter().map(|s| s.to_string()).collect();
    paths.push(
        snap.files
            .keys()
            .find(|p| p.starts_with("changes/"))
            .expect("a change population file")
            .clone(),
    );
    for path in paths {
        let w = World::new();
        w.commit_edited_head("tweak", |s| {
            let bytes = s.files.get_mut(&path).unwrap();
            let mid = bytes.len() / 2;
            flip_in_string(bytes, mid);
        });
        assert_mismatch(&w.verify(&["--ref", "main"]), &format!("{path}: sha256"));
    }
    // The manifest itself: one listed hash changed.
    let w = World::new();
    w.commit_edited_head("tweak", |s| {
        edit_manifest(s, |m| {
            let h = m.files.get_mut("summary.json").unwrap();
            *h = h.replacen(&h[..1], if &h[..1] == "0" { "1" } else { "0" }, 1);
        })
    });
    assert_mismatch(&w.verify(&["--ref", "main"]), "summary.json: sha256");
}

#[test]
fn deleted_and_added_files_and_a_deleted_manifest_are_named() {
    let head_of = |w: &World| *w.mains().last().unwrap();

    let w = World::new();
    w.commit_edited_head("drop a control", |s| {
        s.files.remove("controls/CC6.1.json");
    });
    assert_mismatch(
        &w.verify(&["--ref", "main"]),
        "controls/CC6.1.json: listed in the manifest but missing",
    );

    let w = World::new();
    w.commit_edited_head("add a file", |s| {
        s.files.insert("checks/extra.json".into(), b"{}\n".to_vec());
    });
    assert_mismatch(
        &w.verify(&["--ref", "main"]),
        "checks/extra.json: present but not listed",
    );

    let w = World::new();
    w.commit_edited_head("drop the manifest", |s| {
        s.files.remove(evidence::MANIFEST);
    });
    assert_mismatch(&w.verify(&["--ref", "main"]), "without a manifest.json");

    // The whole evidence root deleted (`git commit -am` after a stale index), then a new chain.
    let w = World::new();
    let t = w.tree_with(head_of(&w), None);
    w.commit_on_main(t, "oops");
    // As that commit leaves a clone: index and work tree match it, without evidence (else the
    // next `assess` rightly refuses to overwrite the evidence files still in the work tree).
    let repo = w.repo();
    let oops = repo.head().unwrap().peel_to_commit().unwrap();
    repo.reset(oops.as_object(), git2::ResetType::Hard, None)
        .unwrap();
    assert_mismatch(&w.verify(&["--ref", "main"]), "removes the evidence root");
    let mut inv = demo::inventory(DemoState::Drifted);
    inv.collected_at += chrono::Duration::days(3);
    let p = w.dir().join("later.json");
    std::fs::write(&p, serde_json::to_vec(&inv).unwrap()).unwrap();
    let out = run(
        &w.repo_path(),
        &["assess", "--inventory", p.to_str().unwrap(), "--repo", "."],
    );
    assert_code(&out, 0);
    assert_mismatch(&w.verify(&["--ref", "main"]), "removes the evidence root");
}

#[test]
fn null_wrong_and_forged_genesis_links_are_named() {
    let cases: Vec<(&str, ManifestEdit, &str)> = vec![
        (
            "null link",
            Box::new(|m| m.previous_manifest_sha256 = None),
            "`genesis` is false but `previous_manifest_sha256` is null",
        ),
        (
            "null link declared genesis",
            Box::new(|m| {
                m.previous_manifest_sha256 = None;
                m.genesis = true;
            }),
            "claims to be a genesis",
        ),
        (
            "wrong link",
            Box::new(|m| m.previous_manifest_sha256 = Some("ab".repeat(32))),
            "previous_manifest_sha256 is abab",
        ),
    ];
    for (name, edit, needle) in cases {
        let w = World::new();
        let head = *w.mains().last().unwrap();
        let mut s = w.snapshot(head);
        edit_manifest(&mut s, edit);
        let t = w.tree_with(head, Some(&s));
        // Amended in place: the head commit itself replaced.
        w.rewrite_from(w.mains().len() - 1, t, false);
        let out = w.verify(&["--ref", "main"]);
        assert_mismatch(&out, needle);
        let _ = name;
    }
}

#[test]
fn reordered_snapshots_are_named() {
    // The oldest evidence tree re-committed on top: its link names a manifest in history, but
    // not its predecessor's, and it is older than what it replaces.
    let w = World::new();
    let first = w.mains()[0];
    let t = w.repo().find_commit(first).unwrap().tree_id();
    w.commit_on_main(t, "restore");
    let out = w.verify(&["--ref", "main"]);
    assert_mismatch(&out, "manifest chain broken");
    assert_mismatch(&out, "replaces newer evidence");

    // The two newest swapped (a rebase that reorders).
    let w = World::new();
    let m = w.mains();
    let (second, third) = (m[1], m[2]);
    let repo = w.repo();
    let t3 = repo.find_commit(third).unwrap().tree_id();
    let t2 = repo.find_commit(second).unwrap().tree_id();
    let a = w.commit(&[m[0]], t3, "third first", None);
    let b = w.commit(&[a], t2, "second last", Some("refs/heads/main"));
    let _ = b;
    let out = w.verify(&["--ref", "main"]);
    assert_mismatch(&out, "manifest chain broken");
}

#[test]
fn amended_and_rebased_history_is_named() {
    // The middle snapshot amended consistently (a summary edit, re-hashed into its manifest),
    // the newest rebased on top with its own tree: the newest's link no longer holds.
    let w = World::new();
    let mid = w.mains()[1];
    let mut s = w.snapshot(mid);
    let bytes = s.files.get_mut("summary.json").unwrap();
    flip_in_string(bytes, 40);
    rehash(&mut s);
    let t = w.tree_with(mid, Some(&s));
    w.rewrite_from(1, t, true);
    assert_mismatch(&w.verify(&["--ref", "main"]), "previous_manifest_sha256 is");
    assert_mismatch(&w.verify(&["--ref", TAG]), "previous_manifest_sha256 is");

    // The head amended with a re-hashed edit and the release tag moved onto it: the tag's
    // message names the manifest that was released.
    let w = World::new();
    let head = *w.mains().last().unwrap();
    let mut s = w.snapshot(head);
    flip_in_string(
        s.files
            .get_mut("checks/storage_secure_transfer_required.json")
            .unwrap(),
        200,
    );
    rehash(&mut s);
    let t = w.tree_with(head, Some(&s));
    w.rewrite_from(w.mains().len() - 1, t, true);
    assert_mismatch(
        &w.verify(&["--ref", TAG]),
        &format!("tag `{TAG}` names manifest"),
    );
}

#[test]
fn edited_fields_that_look_unhashed_are_named() {
    let cases: Vec<(&str, ManifestEdit)> = vec![
        (
            "tenant_id",
            Box::new(|m| m.tenant_id = "00000000-0000-0000-0000-000000000000".into()),
        ),
        (
            "subscriptions",
            Box::new(|m| {
                m.subscriptions.pop();
            }),
        ),
        ("as_of", Box::new(|m| m.as_of += chrono::Duration::days(30))),
        (
            "catalogue_version",
            Box::new(|m| m.catalogue_version = "0".into()),
        ),
    ];
    for (field, edit) in cases {
        let w = World::new();
        let head = *w.mains().last().unwrap();
        let mut s = w.snapshot(head);
        edit_manifest(&mut s, edit);
        let t = w.tree_with(head, Some(&s));
        w.rewrite_from(w.mains().len() - 1, t, false);
        assert_mismatch(&w.verify(&["--ref", "main"]), &format!("`{field}`"));
    }
    // Run metadata of the middle snapshot: bound by the next snapshot's link.
    let w = World::new();
    let mid = w.mains()[1];
    let mut s = w.snapshot(mid);
    edit_manifest(&mut s, |m| m.run.run_id = "forged".into());
    let t = w.tree_with(mid, Some(&s));
    w.rewrite_from(1, t, false);
    assert_mismatch(&w.verify(&["--ref", "main"]), "previous_manifest_sha256 is");
    // Run metadata of the head: bound by the release tag.
    let w = World::new();
    let head = *w.mains().last().unwrap();
    let mut s = w.snapshot(head);
    edit_manifest(&mut s, |m| m.run.run_id = "forged".into());
    let t = w.tree_with(head, Some(&s));
    w.rewrite_from(w.mains().len() - 1, t, true);
    assert_mismatch(
        &w.verify(&["--ref", TAG]),
        &format!("tag `{TAG}` names manifest"),
    );
    // Without a tag, verify says what it cannot bind.
    let out = w.verify(&["--ref", "main"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("NOTE: `main` is not a release tag"),
        "{}",
        stdout(&out)
    );
}

/// A forged bundle: one finding's verdict edited, the manifest re-hashed, SHA256SUMS
/// recomputed: self-consistent, so only an anchor exposes it.
fn forged_bundle(w: &World) {
    let head = *w.mains().last().unwrap();
    let mut s = w.snapshot(head);
    let f = s
        .files
        .get_mut("checks/storage_secure_transfer_required.json")
        .unwrap();
    flip_in_string(f, 300);
    rehash(&mut s);
    let b = bundle::build(&s, ROOT);
    std::fs::write(w.dir().join("bundle.tar.gz"), &b).unwrap();
    let pdf = std::fs::read(w.dir().join("report.pdf")).unwrap();
    let sums = bundle::sha256sums(&[("report.pdf", &pdf), ("bundle.tar.gz", &b)]);
    std::fs::write(w.dir().join("SHA256SUMS"), sums).unwrap();
}

#[test]
fn swapped_and_forged_bundle_assets_are_named() {
    let bundle_args = ["--bundle", "bundle.tar.gz", "--sums", "SHA256SUMS"];

    // Forged consistently: caught against the tag and against a given manifest hash; without
    // either, verify says the bundle is unanchored instead of "verified".
    let w = World::new();
    let real_hash = w
        .snapshot(*w.mains().last().unwrap())
        .manifest_sha256()
        .unwrap();
    forged_bundle(&w);
    let mut args = vec!["--ref", TAG];
    args.extend(bundle_args);
    assert_mismatch(&w.verify(&args), "differs from the ref's snapshot");
    let mut args = vec!["--manifest-sha256", real_hash.as_str()];
    args.extend(bundle_args);
    assert_mismatch(&w.verify(&args), "not the one given with --manifest-sha256");
    let out = w.verify(&bundle_args);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("NOTE: UNANCHORED"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("NOT verified as released evidence")
            && !stdout(&out).contains("verified: no mismatch"),
        "{}",
        stdout(&out)
    );

    // Swapped: the bundle of an older snapshot under the release's name, sums recomputed.
    let w = World::new();
    let old = w.snapshot(w.mains()[0]);
    let b = bundle::build(&old, ROOT);
    std::fs::write(w.dir().join("bundle.tar.gz"), &b).unwrap();
    let mut args = vec!["--ref", TAG];
    args.extend(bundle_args);
    assert_mismatch(&w.verify(&args), "bundle.tar.gz: sha256");
    let pdf = std::fs::read(w.dir().join("report.pdf")).unwrap();
    let sums = bundle::sha256sums(&[("report.pdf", &pdf), ("bundle.tar.gz", &b)]);
    std::fs::write(w.dir().join("SHA256SUMS"), sums).unwrap();
    assert_mismatch(&w.verify(&args), "differs from the ref's snapshot");

    // A bundle whose file does not match its own manifest.
    let w = World::new();
    let mut s = w.snapshot(*w.mains().last().unwrap());
    flip_in_string(s.files.get_mut("summary.json").unwrap(), 100);
    std::fs::write(w.dir().join("bundle.tar.gz"), bundle::build(&s, ROOT)).unwrap();
    assert_mismatch(&w.verify(&bundle_args), "summary.json: sha256");
}

#[test]
fn an_edited_pdf_is_named() {
    let w = World::new();
    let path = w.dir().join("report.pdf");
    let mut pdf = std::fs::read(&path).unwrap();
    let i = pdf.len() / 3;
    pdf[i] ^= 0x01;
    std::fs::write(&path, &pdf).unwrap();
    let out = w.verify(&["--ref", TAG, "--pdf", "report.pdf", "--sums", "SHA256SUMS"]);
    assert_mismatch(&out, "report.pdf: differs from the PDF rebuilt");
    assert_mismatch(&out, "report.pdf: sha256");
}

/// A small deterministic generator: the mutation tests must fail the same way twice.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_byte_flips_in_a_committed_snapshot_never_verify() {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    for round in 0..8 {
        let w = World::new();
        let mains = w.mains();
        let index = rng.below(mains.len());
        let mut s = w.snapshot(mains[index]);
        let paths: Vec<String> = s.files.keys().cloned().collect();
        // The manifest in one round of three: its bytes carry every binding.
        let path = if round % 3 == 0 {
            evidence::MANIFEST.to_string()
        } else {
            paths[rng.below(paths.len())].clone()
        };
        let bytes = s.files.get_mut(&path).unwrap();
        let at = rng.below(bytes.len());
        bytes[at] ^= 1 << rng.below(8);
        let t = w.tree_with(mains[index], Some(&s));
        w.rewrite_from(index, t, true);
        let out = w.verify(&["--ref", TAG]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "round {round}: flip at {path}:{at} of snapshot {index}:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains("MISMATCH"), "round {round}");
    }
}

#[test]
fn random_byte_flips_in_a_bundle_never_verify() {
    let mut rng = Rng(0xb0b0_1234_5678_9abc);
    let pristine_bundle = std::fs::read(pristine().join("bundle.tar.gz")).unwrap();
    for round in 0..6 {
        let w = World::new();
        let mut b = pristine_bundle.clone();
        let at = rng.below(b.len());
        b[at] ^= 1 << rng.below(8);
        std::fs::write(w.dir().join("bundle.tar.gz"), &b).unwrap();
        // Against the original SHA256SUMS, and with SHA256SUMS recomputed for the flipped bytes.
        for recompute in [false, true] {
            if recompute {
                let pdf = std::fs::read(w.dir().join("report.pdf")).unwrap();
                let sums = bundle::sha256sums(&[("report.pdf", &pdf), ("bundle.tar.gz", &b)]);
                std::fs::write(w.dir().join("SHA256SUMS"), sums).unwrap();
            }
            let out = w.verify(&[
                "--ref",
                TAG,
                "--bundle",
                "bundle.tar.gz",
                "--sums",
                "SHA256SUMS",
            ]);
            // A flip in gzip framing can leave the content intact; the bytes still differ
            // from the rebuilt bundle and SHA256SUMS (original) names it. With sums
            // recomputed, an intact content is the honest snapshot: that alone may pass.
            if !recompute {
                assert_mismatch(&out, "bundle.tar.gz: sha256");
            } else if out.status.code() == Some(0) {
                let (_, snap) = bundle::read(&b).expect("a bundle that verified reads");
                assert_eq!(
                    snap,
                    w.snapshot(*w.mains().last().unwrap()),
                    "round {round}: a changed snapshot verified"
                );
            }
        }
    }
}

#[test]
fn a_shallow_clone_is_refused_rather_than_reported_broken() {
    let w = World::new();
    let url = format!("file://{}", w.repo_path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "shallow"])
        .current_dir(w.dir())
        .status()
        .expect("git runs");
    assert!(status.success());
    let out = run(w.dir(), &["verify", "--repo", "shallow", "--ref", "HEAD"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("shallow clone") && stderr(&out).contains("fetch-depth: 0"),
        "{}",
        stderr(&out)
    );
}
