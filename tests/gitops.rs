//! The GitOps flow end to end through the real binary: a real bare git remote (file://) and a
//! loopback fake GitHub REST API. Drift pull requests, runs without drift, a person's commits on
//! the bot branch, releases, verification, a moving remote, concurrent runs, a killed run, and
//! every GitHub failure mode.

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

use common::*;
use fake_github::{FakeGithub, TOKEN, fault, secondary_rate_limit};
use git2::{Oid, Repository, Signature};
use soc2_evidence::collect::demo::{self, DemoState};

const CONFIG: &str = r#"[organisation]
name = "Contoso Ltd"
system = "Contoso Payments Platform"

[github]
repository = "contoso/evidence"
labels = ["soc2-evidence", "compliance"]
reviewers = ["alice", "contoso/security"]
"#;
const BOT: &str = "soc2-evidence/assessment";

struct World {
    tmp: tempfile::TempDir,
    remote: PathBuf,
    gh: FakeGithub,
}

/// A bare remote whose `main` holds only the config, a person's commit; and a fake GitHub.
fn world() -> World {
    world_with(CONFIG)
}

fn world_with(config: &str) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    bare_remote_with_config(&remote, config);
    let gh = FakeGithub::start(Some(remote.clone()));
    World { tmp, remote, gh }
}

impl World {
    fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// An inventory file: a demo state, its collection time moved by `days`.
    fn inventory(&self, state: DemoState, days: i64) -> String {
        let mut inv = demo::inventory(state);
        inv.collected_at += chrono::Duration::days(days);
        let p = self.path().join(format!("{state:?}-{days}.json"));
        std::fs::write(&p, serde_json::to_vec_pretty(&inv).unwrap()).unwrap();
        p.to_str().unwrap().to_string()
    }

    fn clone(&self, name: &str) -> PathBuf {
        let dest = self.path().join(name);
        git2::build::RepoBuilder::new()
            .clone(&format!("file://{}", self.remote.display()), &dest)
            .unwrap();
        dest
    }

    fn bot(&self, cwd: &Path, args: &[&str]) -> Output {
        github_bot(&self.gh.url, TOKEN, cwd)
            .args(args)
            .output()
            .unwrap()
    }

    fn run(&self, clone: &Path, inventory: &str) -> Output {
        self.bot(clone, &["run", "--inventory", inventory])
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

    fn branch(&self, name: &str) -> Option<Oid> {
        self.remote_ref(&format!("refs/heads/{name}"))
    }

    /// A person commits `path` on top of `branch` in the remote (as a push would).
    fn person_commits(&self, branch: &str, path: &str, content: &str) -> Oid {
        let repo = self.remote_repo();
        let head = repo
            .find_reference(&format!("refs/heads/{branch}"))
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let blob = repo.blob(content.as_bytes()).unwrap();
        let mut tb = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
        tb.insert(path, blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = Signature::now("Alice Admin", "alice@contoso.example").unwrap();
        repo.commit(
            Some(&format!("refs/heads/{branch}")),
            &sig,
            &sig,
            &format!("Add {path}"),
            &tree,
            &[&head],
        )
        .unwrap()
    }

    /// A reviewer merges the pull request: fast-forward `main` to its head.
    fn merge(&self, number: u64) {
        let head = self
            .gh
            .lock()
            .prs
            .iter()
            .find(|p| p.number == number)
            .unwrap()
            .head
            .clone();
        let oid = self.branch(&head).unwrap();
        let repo = self.remote_repo();
        let main = self.branch("main").unwrap();
        assert!(
            repo.graph_descendant_of(oid, main).unwrap(),
            "not a fast-forward"
        );
        repo.reference("refs/heads/main", oid, true, "merge")
            .unwrap();
        self.gh.merge(number);
    }

    fn assert_no_violations(&self) {
        let v = self.gh.lock().violations.clone();
        assert!(v.is_empty(), "requests GitHub would reject: {v:#?}");
    }
}

/// A world whose `main` already holds the baseline evidence (initial PR opened and merged).
fn world_with_baseline() -> (World, PathBuf) {
    let w = world();
    let clone = w.clone("work");
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 0));
    assert_code(&out, 0);
    assert_eq!(w.gh.open_prs().len(), 1);
    w.merge(1);
    (w, clone)
}

/// Keeps a real PR body or release notes for the README when `SOC2_EVIDENCE_SAMPLES_DIR` is set.
fn save_sample(name: &str, text: &str) {
    if let Ok(dir) = std::env::var("SOC2_EVIDENCE_SAMPLES_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), text).unwrap();
    }
}

fn commit_count(repo: &Repository, tip: Oid) -> usize {
    let mut walk = repo.revwalk().unwrap();
    walk.push(tip).unwrap();
    walk.count()
}

#[test]
fn drift_pull_request_lifecycle() {
    let w = world();
    let clone = w.clone("work");
    let baseline = w.inventory(DemoState::Baseline, 0);
    let drifted = w.inventory(DemoState::Drifted, 0);

    // 1. No evidence on main yet: the first run opens the initial pull request.
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1, "{}", stdout(&out));
    assert!(
        prs[0].title.starts_with("Initial SOC 2 evidence"),
        "{}",
        prs[0].title
    );
    assert_eq!(prs[0].head, BOT);
    assert_eq!(prs[0].labels, ["soc2-evidence", "compliance"]);
    assert_eq!(prs[0].reviewers, ["alice"]);
    assert_eq!(prs[0].team_reviewers, ["security"]);
    let bot_head = w.branch(BOT).unwrap();
    let repo = w.remote_repo();
    let c = repo.find_commit(bot_head).unwrap();
    assert_eq!(c.parent_id(0).unwrap(), w.branch("main").unwrap());
    assert_eq!(
        c.author().email().unwrap(),
        "soc2-evidence@users.noreply.github.com"
    );
    w.merge(1);

    // 2. The same input again: evidence equals main's, nothing to do, no write to GitHub.
    let (main_before, log) = (w.branch("main"), w.gh.log_len());
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("nothing to commit or push"),
        "{}",
        stdout(&out)
    );
    assert_eq!(w.branch("main"), main_before);
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );

    // 3. Drift: one pull request stating it.
    let out = w.run(&clone, &drifted);
    assert_code(&out, 0);
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    let pr = &prs[0];
    assert_eq!(pr.number, 2);
    assert!(pr.title.contains("criteria changed: "), "{}", pr.title);
    assert!(pr.title.contains("pass→fail"), "{}", pr.title);
    assert!(
        pr.body.contains("### Newly failing findings"),
        "{}",
        pr.body
    );
    assert!(
        pr.body
            .contains("](https://github.example/contoso/evidence/blob/"),
        "evidence links: {}",
        pr.body
    );
    assert!(pr.body.contains("manifest sha256 `"), "footer: {}", pr.body);
    assert!(pr.body.chars().count() <= 65_536);
    let drift_head = w.branch(BOT).unwrap();
    assert_eq!(
        repo.find_commit(drift_head).unwrap().parent_id(0).unwrap(),
        w.branch("main").unwrap()
    );
    save_sample("pr-body.md", &pr.body);

    // 4. The same drifted input again: no commit, no push, no pull request edit.
    let log = w.gh.log_len();
    let out = w.run(&clone, &drifted);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("no push"), "{}", stdout(&out));
    assert_eq!(w.branch(BOT), Some(drift_head));
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );

    // 5. A new collection that is still drifted: the same pull request is updated in place.
    let out = w.run(&clone, &w.inventory(DemoState::Drifted, 1));
    assert_code(&out, 0);
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].number, 2);
    assert!(
        stdout(&out).contains("pull request #2 updated"),
        "{}",
        stdout(&out)
    );
    let updated_head = w.branch(BOT).unwrap();
    assert_ne!(updated_head, drift_head);

    // 6. A person pushes to the bot branch: their commit stays, that PR is closed with a
    //    comment, and a fresh pull request carries the drift.
    let human = w.person_commits(BOT, "review-notes.md", "Looked at CC6.1.\n");
    let out = w.run(&clone, &w.inventory(DemoState::Drifted, 2));
    assert_code(&out, 0);
    assert_eq!(
        w.branch(BOT),
        Some(human),
        "the person's commit was overwritten"
    );
    let all = w.gh.lock().prs.clone();
    let old = all.iter().find(|p| p.number == 2).unwrap();
    assert_eq!(old.state, "closed");
    assert!(
        old.comments[0].contains("not made by the bot"),
        "{:?}",
        old.comments
    );
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].number, 3);
    assert_eq!(prs[0].head, format!("{BOT}-{}", &human.to_string()[..8]));
    assert!(old.comments[0].contains(&prs[0].head), "{:?}", old.comments);

    // 7. The estate is back to the baseline, collected later: recorded on main, stale PR closed.
    let main_before = w.branch("main").unwrap();
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 3));
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("recorded the run"),
        "{}",
        stdout(&out)
    );
    let main_after = w.branch("main").unwrap();
    let c = repo.find_commit(main_after).unwrap();
    assert_eq!(c.parent_id(0).unwrap(), main_before);
    assert!(w.gh.open_prs().is_empty());
    // The local clone's main followed (it is checked out and clean).
    let local = Repository::open(&clone).unwrap();
    assert_eq!(local.refname_to_id("refs/heads/main").unwrap(), main_after);

    // The whole history verifies, chain included.
    let out = w.bot(&clone, &["verify", "--ref", "main"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("manifest chain link"),
        "{}",
        stdout(&out)
    );
    w.assert_no_violations();
}

#[test]
fn no_drift_with_nothing_configured_records_nothing() {
    let w = world_with(&format!("{CONFIG}no_drift = \"nothing\"\n"));
    let clone = w.clone("work");
    assert_code(&w.run(&clone, &w.inventory(DemoState::Baseline, 0)), 0);
    w.merge(1);
    let main = w.branch("main");
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 1));
    assert_code(&out, 0);
    assert!(stdout(&out).contains("not recorded"), "{}", stdout(&out));
    assert_eq!(w.branch("main"), main);
}

#[test]
fn release_twice_gives_one_release_with_three_assets_and_verifies() {
    let (w, clone) = world_with_baseline();
    // A second approved snapshot, so the release notes have drift since a previous tag.
    assert_code(&w.bot(&clone, &["release", "--tag", "audit-2026-q3"]), 0);
    assert_code(&w.run(&clone, &w.inventory(DemoState::Drifted, 0)), 0);
    w.merge(2);

    let out = w.bot(&clone, &["release", "--tag", "audit-2026-q4"]);
    assert_code(&out, 0);
    let tag = w.remote_ref("refs/tags/audit-2026-q4").expect("tag pushed");
    let repo = w.remote_repo();
    let t = repo.find_tag(tag).expect("an annotated tag");
    assert!(t.message().unwrap().unwrap().contains("manifest sha256: "));
    assert_eq!(t.target_id(), w.branch("main").unwrap());

    let log = w.gh.log_len();
    let again = w.bot(&clone, &["release", "--tag", "audit-2026-q4"]);
    assert_code(&again, 0);
    assert!(
        w.gh.writes_since(log).is_empty(),
        "second release wrote: {:?}",
        w.gh.writes_since(log)
    );

    let releases = w.gh.lock().releases.clone();
    let r: Vec<_> = releases
        .iter()
        .filter(|r| r.tag == "audit-2026-q4")
        .collect();
    assert_eq!(r.len(), 1);
    let r = r[0];
    assert!(!r.draft);
    let mut names: Vec<&str> = r.assets.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "soc2-evidence-audit-2026-q4.tar.gz",
            "soc2-report-audit-2026-q4.pdf"
        ]
    );
    assert!(r.body.contains("### Scores"), "{}", r.body);
    assert!(
        r.body.contains("### Drift since `audit-2026-q3`"),
        "{}",
        r.body
    );
    save_sample("release-notes.md", &r.body);

    // Download the assets as an auditor would and verify them against the tag.
    let dl = w.path().join("download");
    std::fs::create_dir_all(&dl).unwrap();
    for a in &r.assets {
        std::fs::write(dl.join(&a.name), &a.bytes).unwrap();
    }
    let p = |n: &str| dl.join(n).to_str().unwrap().to_string();
    let verify = |bundle: &str| {
        w.bot(
            &clone,
            &[
                "verify",
                "--ref",
                "audit-2026-q4",
                "--bundle",
                bundle,
                "--sums",
                &p("SHA256SUMS"),
                "--pdf",
                &p("soc2-report-audit-2026-q4.pdf"),
            ],
        )
    };
    // Anyone can re-derive the release PDF with the public `report` command.
    let out = w.bot(
        &clone,
        &[
            "report",
            "--ref",
            "audit-2026-q4",
            "--out",
            &p("rederived.pdf"),
        ],
    );
    assert_code(&out, 0);
    assert!(
        std::fs::read(p("rederived.pdf")).unwrap()
            == std::fs::read(p("soc2-report-audit-2026-q4.pdf")).unwrap(),
        "`report --ref <tag>` differs from the release asset"
    );
    let bundle = p("soc2-evidence-audit-2026-q4.tar.gz");
    let out = verify(&bundle);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("byte-identical"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("names this manifest"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("tar.gz is byte-identical to the bundle rebuilt"),
        "{}",
        stdout(&out)
    );
    // Build provenance is GitHub's to check: verify names the command for each asset given,
    // against the evidence repository of the config.
    let s = stdout(&out);
    for asset in [
        bundle.clone(),
        p("soc2-report-audit-2026-q4.pdf"),
        p("SHA256SUMS"),
    ] {
        assert!(
            s.contains(&format!(
                "\n  gh attestation verify {asset} --repo contoso/evidence\n"
            )),
            "no attestation command for {asset}: {s}"
        );
    }

    // A bundle whose bytes changed fails against SHA256SUMS and names it.
    let mut bytes = std::fs::read(&bundle).unwrap();
    let n = bytes.len();
    bytes[n - 20] ^= 0xff;
    std::fs::write(&bundle, &bytes).unwrap();
    let out = verify(&bundle);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("MISMATCH: soc2-evidence-audit-2026-q4.tar.gz: sha256"),
        "{}",
        stdout(&out)
    );

    // A rebuilt bundle with one evidence file changed: matches nothing, named per file.
    let (root, mut snap) = soc2_evidence::evidence::bundle::read(
        &r.assets
            .iter()
            .find(|a| a.name.ends_with(".tar.gz"))
            .unwrap()
            .bytes,
    )
    .unwrap();
    snap.files
        .get_mut("summary.json")
        .unwrap()
        .extend_from_slice(b" ");
    let forged = soc2_evidence::evidence::bundle::build(&snap, &root);
    let forged_path = dl.join("forged.tar.gz");
    std::fs::write(&forged_path, forged).unwrap();
    let out = w.bot(
        &clone,
        &[
            "verify",
            "--bundle",
            forged_path.to_str().unwrap(),
            "--sums",
            &p("SHA256SUMS"),
        ],
    );
    assert_code(&out, 1);
    let s = stdout(&out);
    assert!(s.contains("forged.tar.gz: not listed in SHA256SUMS"), "{s}");
    assert!(s.contains("summary.json: sha256"), "{s}");
    // Without --ref no evidence repository is known: the command says what to fill in.
    assert!(
        s.contains(&format!(
            "gh attestation verify {} --repo OWNER/EVIDENCE-REPO",
            forged_path.display()
        )),
        "{s}"
    );

    // An asset removed from the release is completed on re-run; the others are kept.
    {
        let mut g = w.gh.lock();
        let rel = g
            .releases
            .iter_mut()
            .find(|r| r.tag == "audit-2026-q4")
            .unwrap();
        rel.assets.retain(|a| a.name != "SHA256SUMS");
    }
    let out = w.bot(&clone, &["release", "--tag", "audit-2026-q4"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("uploaded SHA256SUMS"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("already attached"),
        "{}",
        stdout(&out)
    );

    // An asset with other bytes is never replaced.
    {
        let mut g = w.gh.lock();
        let rel = g
            .releases
            .iter_mut()
            .find(|r| r.tag == "audit-2026-q4")
            .unwrap();
        let a = rel
            .assets
            .iter_mut()
            .find(|a| a.name.ends_with(".pdf"))
            .unwrap();
        a.bytes = b"%PDF-1.7 something else".to_vec();
    }
    let out = w.bot(&clone, &["release", "--tag", "audit-2026-q4"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("refusing to replace"),
        "{}",
        stderr(&out)
    );
    w.assert_no_violations();
}

#[test]
fn tampered_evidence_in_history_fails_verify() {
    let (w, clone) = world_with_baseline();
    // A person edits an evidence file on main without the manifest.
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
    let blob = repo.blob(b"{\"tampered\": true}\n").unwrap();
    let mut tb = repo.treebuilder(Some(&ev)).unwrap();
    tb.insert("summary.json", blob, 0o100644).unwrap();
    let ev2 = tb.write().unwrap();
    let mut tb = repo.treebuilder(Some(&tree)).unwrap();
    tb.insert("evidence", ev2, 0o040000).unwrap();
    let t2 = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = Signature::now("Mallory", "mallory@example.com").unwrap();
    repo.commit(Some("refs/heads/main"), &sig, &sig, "tweak", &t2, &[&main])
        .unwrap();

    let local = Repository::open(&clone).unwrap();
    local
        .find_remote("origin")
        .unwrap()
        .fetch(&["+refs/heads/main:refs/remotes/origin/main"], None, None)
        .unwrap();
    let out = w.bot(&clone, &["verify", "--ref", "origin/main"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("MISMATCH: `origin/main`: summary.json: sha256"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn remote_moved_during_the_run_is_fetched_rebuilt_and_retried() {
    // Drift path: main moves while the run talks to GitHub.
    let (w, clone) = world_with_baseline();
    let remote = w.remote.clone();
    w.gh.lock().on_list_pulls = Some(Box::new(move || {
        let repo = Repository::open_bare(&remote).unwrap();
        let head = repo
            .find_reference("refs/heads/main")
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let blob = repo.blob(b"# Evidence repository\n").unwrap();
        let mut tb = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
        tb.insert("README.md", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = Signature::now("Alice Admin", "alice@contoso.example").unwrap();
        repo.commit(
            Some("refs/heads/main"),
            &sig,
            &sig,
            "README",
            &tree,
            &[&head],
        )
        .unwrap();
    }));
    let out = w.run(&clone, &w.inventory(DemoState::Drifted, 0));
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("the remote moved"),
        "{}",
        stderr(&out)
    );
    let repo = w.remote_repo();
    let bot = repo.find_commit(w.branch(BOT).unwrap()).unwrap();
    assert_eq!(
        bot.parent_id(0).unwrap(),
        w.branch("main").unwrap(),
        "rebuilt on the new base"
    );
    assert_eq!(w.gh.open_prs().len(), 1);

    // Commit-on-base path: main moves between fetch and push; the push is rejected, retried.
    let (w, clone) = world_with_baseline();
    let remote = w.remote.clone();
    w.gh.lock().on_list_pulls = Some(Box::new(move || {
        let repo = Repository::open_bare(&remote).unwrap();
        let head = repo
            .find_reference("refs/heads/main")
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let sig = Signature::now("Alice Admin", "alice@contoso.example").unwrap();
        repo.commit(
            Some("refs/heads/main"),
            &sig,
            &sig,
            "empty",
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap();
    }));
    let before = w.branch("main").unwrap();
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 1));
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("the remote moved"),
        "{}",
        stderr(&out)
    );
    let repo = w.remote_repo();
    let main = w.branch("main").unwrap();
    assert_eq!(
        commit_count(&repo, main),
        commit_count(&repo, before) + 2,
        "no lost commit"
    );
}

#[test]
fn two_runs_at_once_give_one_pull_request_and_lose_no_commit() {
    let (w, _) = world_with_baseline();
    let (a, b) = (w.clone("runner-a"), w.clone("runner-b"));
    let drifted = w.inventory(DemoState::Drifted, 0);
    let spawn = |dir: &Path, inv: &str| {
        bin()
            .current_dir(dir)
            .args(["run", "--inventory", inv])
            .env("SOC2_EVIDENCE_GITHUB_API_URL", &w.gh.url)
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GITHUB_REPOSITORY")
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (pa, pb) = (spawn(&a, &drifted), spawn(&b, &drifted));
    let (oa, ob) = (
        pa.wait_with_output().unwrap(),
        pb.wait_with_output().unwrap(),
    );
    assert_code(&oa, 0);
    assert_code(&ob, 0);
    assert_eq!(w.gh.open_prs().len(), 1, "{:#?}", w.gh.lock().prs);

    // Two no-drift runs of different collections at once: both are recorded on main.
    let before = w.branch("main").unwrap();
    // Back to the baseline, collected on two later days, at once.
    let (i1, i2) = (
        w.inventory(DemoState::Baseline, 5),
        w.inventory(DemoState::Baseline, 6),
    );
    let (pa, pb) = (spawn(&a, &i1), spawn(&b, &i2));
    let (oa2, ob2) = (
        pa.wait_with_output().unwrap(),
        pb.wait_with_output().unwrap(),
    );
    // The newer collection (day 6) is always recorded. The older one (day 5) is recorded when
    // it lands first; once the newer is on main it is refused with exit 2, never committed on
    // top: a snapshot never replaces a newer one.
    assert_code(&ob2, 0);
    let main_base = w.branch("main").unwrap();
    let repo = w.remote_repo();
    let added = commit_count(&repo, main_base) - commit_count(&repo, before);
    let both = format!(
        "A: {}{}\nB: {}{}",
        stdout(&oa2),
        stderr(&oa2),
        stdout(&ob2),
        stderr(&ob2)
    );
    match oa2.status.code() {
        // The later run sees either the other's snapshot (time-only drift: one more commit)
        // or the same evidence; both collections are on main only if neither was lost.
        Some(0) => assert_eq!(added, 2, "both runs' evidence is on main\n{both}"),
        Some(2) => {
            assert!(stderr(&oa2).contains("refusing to commit"), "{both}");
            assert_eq!(added, 1, "the newer run's evidence is on main\n{both}");
        }
        other => panic!("exit {other:?}\n{both}"),
    }
    let store = soc2_evidence::store::EvidenceStore::open(&w.remote, "evidence").unwrap();
    assert_eq!(
        store.snapshot_as_of(main_base).unwrap(),
        Some(demo::collected_at(DemoState::Baseline) + chrono::Duration::days(6)),
        "the newer collection is on top\n{both}"
    );
    w.assert_no_violations();
}

#[test]
fn a_run_killed_during_commit_leaves_a_repo_the_next_run_completes() {
    let (w, clone) = world_with_baseline();
    let drifted = w.inventory(DemoState::Drifted, 0);
    // What a killed run leaves: commit objects written, refs not moved, a staged push ref.
    {
        let store = soc2_evidence::store::EvidenceStore::open(&clone, "evidence").unwrap();
        let base = Repository::open(&clone)
            .unwrap()
            .refname_to_id("refs/remotes/origin/main")
            .unwrap();
        let inv: soc2_evidence::model::Inventory =
            serde_json::from_slice(&std::fs::read(&drifted).unwrap()).unwrap();
        let prev = store.read_snapshot_at(base).unwrap();
        let snap = soc2_evidence::evidence::assess(
            &inv,
            &Default::default(),
            soc2_evidence::evidence::RunMeta {
                run_id: "killed".into(),
                started_at: inv.collected_at,
                finished_at: inv.collected_at,
            },
            prev.as_ref(),
        )
        .unwrap();
        let dangling = store.write_commit(Some(base), &snap, "half").unwrap().oid();
        store
            .repo()
            .reference("refs/soc2-evidence/push/0", dangling, true, "killed")
            .unwrap();
    }
    let out = w.run(&clone, &drifted);
    assert_code(&out, 0);
    assert_eq!(w.gh.open_prs().len(), 1);
    let local = Repository::open(&clone).unwrap();
    assert!(local.find_reference("refs/soc2-evidence/push/0").is_err());
    let out = w.bot(
        &clone,
        &["verify", "--ref", "origin/soc2-evidence/assessment"],
    );
    assert_code(&out, 0);
}

#[test]
fn github_errors_exit_2_with_a_clear_message() {
    use axum::http::Method;
    let cases: Vec<(fake_github::Fault, &str)> = vec![
        (
            fault(None, "/repos/contoso/evidence", 401, "Bad credentials", 1),
            "token was rejected",
        ),
        (
            fault(
                Some(Method::GET),
                "/pulls",
                403,
                "Resource not accessible by integration",
                1,
            ),
            "pull-requests: write",
        ),
        (
            fault(
                Some(Method::GET),
                "/repos/contoso/evidence",
                404,
                "Not Found",
                1,
            ),
            "check github.repository",
        ),
        (
            fault(Some(Method::GET), "/pulls", 502, "Bad Gateway", 10),
            "gave up after",
        ),
        (
            secondary_rate_limit(3600, 5),
            "beyond the 120 s this run may wait",
        ),
    ];
    for (f, expect) in cases {
        let w = world();
        let clone = w.clone("work");
        w.gh.inject(f.clone());
        let out = w.run(&clone, &w.inventory(DemoState::Baseline, 0));
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("GitHub: cannot "), "{err}");
        assert!(err.contains(expect), "{f:?}: {err}");
        assert!(!err.contains(TOKEN), "token leaked: {err}");
        assert!(w.gh.open_prs().is_empty());
    }

    // 422 on opening the pull request, after the push: the message says what was done and how
    // to finish; the re-run opens it without pushing again.
    let w = world();
    let clone = w.clone("work");
    w.gh.inject(fault(
        Some(Method::POST),
        "/pulls",
        422,
        "Validation Failed",
        1,
    ));
    let baseline = w.inventory(DemoState::Baseline, 0);
    let out = w.run(&clone, &baseline);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("is pushed to soc2-evidence/assessment"),
        "{err}"
    );
    assert!(err.contains("run again to complete it"), "{err}");
    assert!(err.contains("422"), "{err}");
    let pushed = w.branch(BOT).unwrap();
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert_eq!(w.branch(BOT), Some(pushed), "no second push");
    assert_eq!(w.gh.open_prs().len(), 1);

    // A short secondary rate limit is waited out.
    let w = world();
    let clone = w.clone("work");
    w.gh.inject(secondary_rate_limit(1, 1));
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 0));
    assert_code(&out, 0);
    assert_eq!(w.gh.open_prs().len(), 1);
}

#[test]
fn missing_inventory_or_token_is_a_clear_error() {
    let w = world();
    let clone = w.clone("work");
    // Without --inventory, `run` collects from Azure: with no credential it stops before
    // touching git or GitHub, and says why.
    let mut cmd = bin();
    for k in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        cmd.env_remove(k);
    }
    let out = cmd
        .current_dir(&clone)
        .args(["run", "--auth", "client-secret"])
        .env("SOC2_EVIDENCE_GITHUB_API_URL", &w.gh.url)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("AZURE_CLIENT_SECRET") || stderr(&out).contains("client secret"),
        "{}",
        stderr(&out)
    );
    assert!(w.gh.open_prs().is_empty());
    let out = bin()
        .current_dir(&clone)
        .args(["run", "--inventory", &w.inventory(DemoState::Baseline, 0)])
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .output()
        .unwrap();
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no GitHub token"), "{}", stderr(&out));
    // A token file works.
    let tf = w.path().join("token");
    std::fs::write(&tf, format!("{TOKEN}\n")).unwrap();
    let out = bin()
        .current_dir(&clone)
        .args([
            "run",
            "--inventory",
            &w.inventory(DemoState::Baseline, 0),
            "--token-file",
            tf.to_str().unwrap(),
        ])
        .env("SOC2_EVIDENCE_GITHUB_API_URL", &w.gh.url)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env("GITHUB_STEP_SUMMARY", w.path().join("summary.md"))
        .output()
        .unwrap();
    assert_code(&out, 0);
    let summary = std::fs::read_to_string(w.path().join("summary.md")).unwrap();
    assert!(summary.contains("Drift pull request: [#1]"), "{summary}");
}

#[test]
fn a_persons_commit_on_a_fallback_branch_is_never_overwritten() {
    let (w, clone) = world_with_baseline();
    let repo = w.remote_repo();

    // Drift on the bot branch; a person pushes to it: the bot moves to a fallback branch.
    assert_code(&w.run(&clone, &w.inventory(DemoState::Drifted, 1)), 0);
    let h1 = w.person_commits(BOT, "notes-1.md", "first\n");
    assert_code(&w.run(&clone, &w.inventory(DemoState::Drifted, 2)), 0);
    let fallback1 = format!("{BOT}-{}", &h1.to_string()[..8]);
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].head, fallback1);

    // That pull request is closed unmerged, and a person commits on the fallback branch.
    w.gh.close(prs[0].number);
    let h2 = w.person_commits(&fallback1, "notes-2.md", "second\n");
    let out = w.run(&clone, &w.inventory(DemoState::Drifted, 3));
    assert_code(&out, 0);
    assert_eq!(w.branch(BOT), Some(h1), "the bot branch was rewritten");
    assert_eq!(
        w.branch(&fallback1),
        Some(h2),
        "the fallback branch was rewritten"
    );
    let fallback2 = format!("{BOT}-{}", &h2.to_string()[..8]);
    assert!(
        stdout(&out).contains(&format!("{fallback1} has commits by a person")),
        "{}",
        stdout(&out)
    );
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].head, fallback2);
    let c = repo.find_commit(w.branch(&fallback2).unwrap()).unwrap();
    assert_eq!(c.parent_id(0).unwrap(), w.branch("main").unwrap());

    // The same input again lands on the same branch: no push, no edit.
    let (log, head) = (w.gh.log_len(), w.branch(&fallback2));
    let out = w.run(&clone, &w.inventory(DemoState::Drifted, 3));
    assert_code(&out, 0);
    assert!(stdout(&out).contains("no push"), "{}", stdout(&out));
    assert_eq!(w.branch(&fallback2), head);
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );

    // A person pushes to the second fallback while its pull request is open: that pull request
    // is closed with a comment naming their commit, and a third branch carries the drift.
    let open = prs[0].number;
    let h3 = w.person_commits(&fallback2, "notes-3.md", "third\n");
    assert_code(&w.run(&clone, &w.inventory(DemoState::Drifted, 4)), 0);
    assert_eq!(w.branch(&fallback2), Some(h3));
    let closed =
        w.gh.lock()
            .prs
            .iter()
            .find(|p| p.number == open)
            .cloned()
            .unwrap();
    assert_eq!(closed.state, "closed");
    assert!(
        closed.comments[0].contains(&h3.to_string()[..8]),
        "{:?}",
        closed.comments
    );
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].head, format!("{BOT}-{}", &h3.to_string()[..8]));
    for h in [h1, h2, h3] {
        assert!(
            [
                "refs/heads/main",
                &format!("refs/heads/{BOT}"),
                &format!("refs/heads/{fallback1}"),
                &format!("refs/heads/{fallback2}")
            ]
            .iter()
            .any(|r| w
                .remote_ref(r)
                .is_some_and(|t| t == h || repo.graph_descendant_of(t, h).unwrap())),
            "{h} is unreachable"
        );
    }
    w.assert_no_violations();
}

#[test]
fn the_pull_request_converges_to_its_labels_reviewers_title_and_body() {
    use axum::http::Method;
    let w = world();
    let clone = w.clone("work");
    let baseline = w.inventory(DemoState::Baseline, 0);

    // The reviewer request fails once: the run says what is done and that a re-run completes it.
    w.gh.inject(fault(
        Some(Method::POST),
        "/requested_reviewers",
        500,
        "Server Error",
        1,
    ));
    let out = w.run(&clone, &baseline);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("request reviewers"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("run again to complete it"),
        "{}",
        stderr(&out)
    );
    let pr = &w.gh.open_prs()[0];
    assert!(pr.reviewers.is_empty() && pr.team_reviewers.is_empty());
    let pushed = w.branch(BOT);

    // The next run requests them (and nothing else changes).
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 updated"),
        "{}",
        stdout(&out)
    );
    assert_eq!(w.branch(BOT), pushed, "no second push");
    let pr = &w.gh.open_prs()[0];
    assert_eq!(pr.reviewers, ["alice"]);
    assert_eq!(pr.team_reviewers, ["security"]);

    // And the one after has nothing to do.
    let log = w.gh.log_len();
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );

    // Alice reviews (GitHub drops her from the requested reviewers), then a team member for
    // the team: neither is asked again.
    w.gh.submit_review(1, "alice", "APPROVED", None);
    w.gh.submit_review(1, "carol", "COMMENTED", Some("security"));
    let pr = &w.gh.open_prs()[0];
    assert!(pr.reviewers.is_empty() && pr.team_reviewers.is_empty());
    let log = w.gh.log_len();
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );

    // A label removed and the title and body edited by hand are put back.
    let want = w.gh.open_prs()[0].clone();
    let log = w.gh.log_len();
    w.gh.edit_pr(1, |p| {
        p.labels.retain(|l| l != "compliance");
        p.title = "Renamed by hand".into();
    });
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 updated"),
        "{}",
        stdout(&out)
    );
    let pr = &w.gh.open_prs()[0];
    assert_eq!(pr.labels, ["soc2-evidence", "compliance"]);
    assert_eq!(pr.title, want.title);
    assert_eq!(pr.body, want.body);
    // Only what differed was sent: the title, not the body, which was right.
    let patches: Vec<_> =
        w.gh.writes_since(log)
            .into_iter()
            .filter(|l| l.method == "PATCH")
            .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    let sent = patches[0].json.as_ref().unwrap();
    assert_eq!(sent["title"].as_str(), Some(want.title.as_str()), "{sent}");
    assert!(sent.get("body").is_none(), "{sent}");

    w.gh.edit_pr(1, |p| p.body = "Edited by hand.".into());
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 updated"),
        "{}",
        stdout(&out)
    );
    assert_eq!(w.gh.open_prs()[0].body, want.body);

    // Converged: the next run changes nothing.
    let log = w.gh.log_len();
    let out = w.run(&clone, &baseline);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("pull request #1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert!(
        w.gh.writes_since(log).is_empty(),
        "{:?}",
        w.gh.writes_since(log)
    );
    w.assert_no_violations();
}

#[test]
fn a_chain_of_branches_people_committed_on_is_bounded_and_left_alone() {
    let w = world();
    let clone = w.clone("work");
    // The bot branch and 16 fallbacks after it, each holding a person's commit: every branch
    // the bot would move to is one it must not replace.
    let repo = w.remote_repo();
    let main = repo.find_commit(w.branch("main").unwrap()).unwrap();
    let sig = Signature::now("Alice Admin", "alice@contoso.example").unwrap();
    let mut branch = BOT.to_string();
    let mut heads = Vec::new();
    for i in 0..=16 {
        let c = repo
            .commit(
                Some(&format!("refs/heads/{branch}")),
                &sig,
                &sig,
                &format!("Work in progress {i}"),
                &main.tree().unwrap(),
                &[&main],
            )
            .unwrap();
        heads.push((branch.clone(), c));
        branch = format!("{BOT}-{}", &c.to_string()[..8]);
    }
    let out = w.run(&clone, &w.inventory(DemoState::Baseline, 0));
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("16 branches in a row have commits by a person"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(&heads[15].0), "{}", stderr(&out));
    for (b, c) in &heads {
        assert_eq!(w.branch(b), Some(*c), "{b} was moved");
    }
    assert!(w.gh.open_prs().is_empty());
}
