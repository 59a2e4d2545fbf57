//! `release` checks what it can before it pushes anything, through the real binary against a
//! real bare git remote (file://) and the loopback fake GitHub: a bad token or a token without
//! write permission exits 2 and leaves the remote without the tag; a failure after the tag is
//! pushed leaves a state the next `release` completes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;
#[path = "support/fake_github.rs"]
mod fake_github;

use std::path::{Path, PathBuf};
use std::process::Output;

use axum::http::Method;
use common::*;
use fake_github::{FakeGithub, TOKEN, fault};
use git2::{Oid, Repository, Signature};
use soc2_evidence::collect::demo::{self, DemoState};

const CONFIG: &str = r#"[organisation]
name = "Contoso Ltd"
system = "Contoso Payments Platform"

[github]
repository = "contoso/evidence"
"#;
const TAG: &str = "audit-2026-q4";
const TAG_REF: &str = "refs/tags/audit-2026-q4";

struct World {
    tmp: tempfile::TempDir,
    remote: PathBuf,
    clone: PathBuf,
    gh: FakeGithub,
}

/// A bare remote whose `main` holds approved evidence (the first drift pull request, merged),
/// a clone of it, and a fake GitHub.
fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    bare_remote_with_config(&remote, CONFIG);
    let clone = tmp.path().join("work");
    git2::build::RepoBuilder::new()
        .clone(&format!("file://{}", remote.display()), &clone)
        .unwrap();
    let gh = FakeGithub::start(Some(remote.clone()));
    let w = World {
        tmp,
        remote,
        clone,
        gh,
    };

    let inv = w.tmp.path().join("inventory.json");
    std::fs::write(
        &inv,
        serde_json::to_vec(&demo::inventory(DemoState::Baseline)).unwrap(),
    )
    .unwrap();
    assert_code(
        &w.bot(TOKEN, &["run", "--inventory", inv.to_str().unwrap()]),
        0,
    );
    // A reviewer merges the drift pull request: main fast-forwards to the bot branch.
    let head = w.gh.open_prs()[0].head.clone();
    let oid = w.remote_ref(&format!("refs/heads/{head}")).unwrap();
    w.remote_repo()
        .reference("refs/heads/main", oid, true, "merge")
        .unwrap();
    w.gh.merge(1);
    w
}

impl World {
    fn bot(&self, token: &str, args: &[&str]) -> Output {
        github_bot(&self.gh.url, token, &self.clone)
            .args(args)
            .output()
            .unwrap()
    }

    fn release(&self, token: &str) -> Output {
        self.bot(token, &["release", "--tag", TAG])
    }

    fn remote_repo(&self) -> Repository {
        Repository::open_bare(&self.remote).unwrap()
    }

    fn remote_ref(&self, name: &str) -> Option<Oid> {
        self.remote_repo()
            .find_reference(name)
            .ok()
            .and_then(|r| r.target())
    }

    /// The fake's requests since `from` that would have changed something on GitHub.
    fn writes_since(&self, from: usize) -> Vec<String> {
        self.gh
            .writes_since(from)
            .iter()
            .map(|l| format!("{} {} -> {}", l.method, l.path, l.status))
            .collect()
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }
}

/// Asserts the remote has no tag, GitHub has no release, and nothing was written to GitHub.
fn assert_nothing_published(w: &World, log_from: usize) {
    assert_eq!(w.remote_ref(TAG_REF), None, "the tag reached the remote");
    assert!(
        w.remote_repo()
            .references_glob("refs/tags/*")
            .unwrap()
            .next()
            .is_none(),
        "the remote has a tag"
    );
    assert!(w.gh.lock().releases.is_empty(), "a release was created");
    assert!(
        w.writes_since(log_from).is_empty(),
        "GitHub was written to: {:?}",
        w.writes_since(log_from)
    );
}

#[test]
fn a_bad_token_exits_2_before_the_tag_is_pushed() {
    let w = world();
    let from = w.gh.log_len();
    let out = w.release("ghs_revoked-token");
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("nothing was pushed"), "{err}");
    assert!(
        err.contains("401") && err.contains("Bad credentials"),
        "{err}"
    );
    assert!(
        !err.contains("ghs_revoked-token"),
        "the token leaked: {err}"
    );
    assert_nothing_published(&w, from);
    // The token was tried against the API, and the release was never looked for.
    let log = w.gh.lock().log[from..].to_vec();
    assert!(
        log.iter()
            .any(|l| l.path == "/repos/contoso/evidence" && l.status == 401),
        "{log:?}"
    );

    // With the right token the same command then releases.
    assert_code(&w.release(TOKEN), 0);
    assert!(w.remote_ref(TAG_REF).is_some());
}

#[test]
fn a_repository_the_token_cannot_see_exits_2_before_the_tag_is_pushed() {
    let w = world();
    // GitHub answers 404 for a repository that does not exist or that the token cannot see.
    w.gh.inject(fault(
        Some(Method::GET),
        "/repos/contoso/evidence",
        404,
        "Not Found",
        1,
    ));
    let from = w.gh.log_len();
    let out = w.release(TOKEN);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("nothing was pushed"), "{err}");
    assert!(err.contains("read repository contoso/evidence"), "{err}");
    assert!(err.contains("404"), "{err}");
    assert_nothing_published(&w, from);
}

#[test]
fn a_token_that_may_not_push_exits_2_before_the_tag_is_pushed() {
    let w = world();
    w.gh.lock().repo_permissions = Some(serde_json::json!({
        "admin": false, "maintain": false, "push": false, "triage": false, "pull": true
    }));
    let from = w.gh.log_len();
    let out = w.release(TOKEN);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("nothing was pushed"), "{err}");
    assert!(err.contains("permissions.push: false"), "{err}");
    assert!(err.contains("contents: write"), "{err}");
    assert_nothing_published(&w, from);
    // No local tag either: the preflight comes before the tag is made.
    let local = Repository::open(&w.clone).unwrap();
    assert!(
        local.find_reference(TAG_REF).is_err(),
        "a local tag was made"
    );

    // Write permission granted: the release goes through.
    w.gh.lock().repo_permissions = Some(serde_json::json!({
        "admin": false, "push": true, "pull": true
    }));
    assert_code(&w.release(TOKEN), 0);
    assert!(w.remote_ref(TAG_REF).is_some());
}

#[test]
fn a_failure_after_the_tag_push_is_completed_by_the_next_release() {
    let w = world();
    w.gh.lock().repo_permissions = Some(serde_json::json!({"push": true, "pull": true}));

    // GitHub fails creating the release, after the tag is pushed.
    w.gh.inject(fault(
        Some(Method::POST),
        "/releases",
        500,
        "Server Error",
        1,
    ));
    let out = w.release(TOKEN);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("is pushed but the release is not complete"),
        "{err}"
    );
    assert!(err.contains("run the same command again"), "{err}");
    let tag = w.remote_ref(TAG_REF).expect("the tag was pushed");
    assert!(w.gh.lock().releases.is_empty());

    // The re-run keeps the pushed tag and creates, fills and publishes the release.
    let out = w.release(TOKEN);
    assert_code(&out, 0);
    assert!(
        !stdout(&out).contains("pushed tag"),
        "the tag was pushed again: {}",
        stdout(&out)
    );
    assert_eq!(w.remote_ref(TAG_REF), Some(tag), "the tag moved");
    let main = w.remote_ref("refs/heads/main").unwrap();
    assert_eq!(
        w.remote_repo().find_tag(tag).unwrap().target_id(),
        main,
        "the tag names main's commit"
    );
    {
        let g = w.gh.lock();
        assert_eq!(g.releases.len(), 1);
        let r = &g.releases[0];
        assert!(!r.draft, "the release is published");
        assert_eq!(r.assets.len(), 3, "{:?}", r.assets);
    }

    // A second tag on the same commit: an asset upload fails, leaving a draft with part of its
    // assets; the re-run uploads only what is missing and publishes it.
    const TAG2: &str = "audit-2026-q4-final";
    w.gh.inject(fault(
        Some(Method::POST),
        "/uploads/",
        502,
        "Bad Gateway",
        1,
    ));
    let out = w.bot(TOKEN, &["release", "--tag", TAG2]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("is pushed but the release is not complete"),
        "{}",
        stderr(&out)
    );
    assert!(w.remote_ref(&format!("refs/tags/{TAG2}")).is_some());
    {
        let g = w.gh.lock();
        let r = g.releases.iter().find(|r| r.tag == TAG2).unwrap();
        assert!(r.draft, "a half-done release stays a draft");
        assert!(r.assets.len() < 3);
    }
    let out = w.bot(TOKEN, &["release", "--tag", TAG2]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("published release"),
        "{}",
        stdout(&out)
    );
    let assets = {
        let g = w.gh.lock();
        let rels: Vec<_> = g.releases.iter().filter(|r| r.tag == TAG2).collect();
        assert_eq!(rels.len(), 1, "one release per tag");
        assert!(!rels[0].draft);
        rels[0].assets.clone()
    };
    assert_eq!(assets.len(), 3);

    // What the completed release carries verifies against the tag.
    let dl = w.path().join("download");
    std::fs::create_dir_all(&dl).unwrap();
    for a in &assets {
        std::fs::write(dl.join(&a.name), &a.bytes).unwrap();
    }
    let p = |n: &str| dl.join(n).to_str().unwrap().to_string();
    let out = w.bot(
        TOKEN,
        &[
            "verify",
            "--ref",
            TAG2,
            "--bundle",
            &p(&format!("soc2-evidence-{TAG2}.tar.gz")),
            "--sums",
            &p("SHA256SUMS"),
            "--pdf",
            &p(&format!("soc2-report-{TAG2}.pdf")),
        ],
    );
    assert_code(&out, 0);
    assert!(stdout(&out).contains("byte-identical"), "{}", stdout(&out));
}

#[test]
fn a_history_that_fails_verification_is_never_released() {
    let w = world();
    // A person edits an evidence file on main without its manifest, then puts it back: the head
    // snapshot alone is intact, the chain through history is not.
    let repo = w.remote_repo();
    let main = repo
        .find_reference("refs/heads/main")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    let tree = main.tree().unwrap();
    let ev = repo
        .find_tree(tree.get_name("evidence").unwrap().id())
        .unwrap();
    let mut tb = repo.treebuilder(Some(&ev)).unwrap();
    tb.insert("summary.json", repo.blob(b"{}\n").unwrap(), 0o100644)
        .unwrap();
    let ev2 = tb.write().unwrap();
    let mut tb = repo.treebuilder(Some(&tree)).unwrap();
    tb.insert("evidence", ev2, 0o040000).unwrap();
    let edited = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = Signature::now("Mallory", "mallory@example.com").unwrap();
    let a = repo
        .commit(None, &sig, &sig, "tweak", &edited, &[&main])
        .unwrap();
    let a = repo.find_commit(a).unwrap();
    let b = repo
        .commit(None, &sig, &sig, "put back", &tree, &[&a])
        .unwrap();
    repo.reference("refs/heads/main", b, true, "tamper")
        .unwrap();

    let from = w.gh.log_len();
    let out = w.release(TOKEN);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("fails verification") && err.contains("summary.json: sha256"),
        "{err}"
    );
    assert!(err.contains("nothing was pushed"), "{err}");
    assert_nothing_published(&w, from);
}
