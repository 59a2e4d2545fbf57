//! Local branch integrity through the real binary: `assess` moves a branch by compare-and-swap
//! (two runs at once never orphan a reported commit, and the newer snapshot ends on top), never
//! commits an older snapshot on a newer one, and keeps index and work tree in step on the
//! checked-out branch, as `git commit` would, without touching a person's local changes. `run`
//! refuses to publish a snapshot older than the one at the head it would replace or build on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;
#[path = "support/fake_github.rs"]
mod fake_github;

use std::path::Path;
use std::process::{Output, Stdio};

use chrono::{DateTime, Utc};
use common::*;
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::store::EvidenceStore;

/// An inventory file: a demo state, its collection time moved by `days`. Returns the path and
/// the collection time.
fn inventory(dir: &Path, state: DemoState, days: i64) -> (String, DateTime<Utc>) {
    let mut inv = demo::inventory(state);
    inv.collected_at += chrono::Duration::days(days);
    let p = dir.join(format!("{state:?}{days:+}.json"));
    std::fs::write(&p, serde_json::to_vec_pretty(&inv).unwrap()).unwrap();
    (p.to_str().unwrap().to_string(), inv.collected_at)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn assess(cwd: &Path, inv: &str, repo: &Path) -> Output {
    run(
        cwd,
        &[
            "assess",
            "--inventory",
            inv,
            "--repo",
            repo.to_str().unwrap(),
        ],
    )
}

/// The real git binary in `repo`, isolated from the machine's configuration.
fn git(repo: &Path, args: &[&str]) -> Output {
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=Pat Person",
            "-c",
            "user.email=pat@example.com",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}",
        stderr(&out)
    );
    out
}

fn status(repo: &Path) -> String {
    stdout(&git(repo, &["status", "--porcelain"]))
}

fn head(repo: &Path, branch: &str) -> git2::Oid {
    git2::Repository::open(repo)
        .unwrap()
        .refname_to_id(&format!("refs/heads/{branch}"))
        .unwrap()
}

/// The snapshot time of the evidence at `branch`.
fn head_as_of(repo: &Path, branch: &str) -> DateTime<Utc> {
    let store = EvidenceStore::open(repo, "evidence").unwrap();
    store
        .snapshot_as_of(head(repo, branch))
        .unwrap()
        .expect("the head holds evidence")
}

/// The commit id of a `committed <oid> on <branch>` line.
fn committed_oid(out: &Output) -> Option<git2::Oid> {
    let text = stdout(out);
    let line = text.lines().find(|l| l.starts_with("committed "))?;
    let oid = line.split_whitespace().nth(1)?;
    Some(git2::Oid::from_str(oid).unwrap())
}

#[test]
fn two_assess_runs_at_once_never_orphan_a_commit_and_the_newer_snapshot_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, _) = inventory(tmp.path(), DemoState::Baseline, -10);
    let (older, older_at) = inventory(tmp.path(), DemoState::Baseline, 0);
    let (newer, newer_at) = inventory(tmp.path(), DemoState::Drifted, 0);
    assert!(newer_at > older_at);
    let mut lost_races = 0;
    let mut refused_older = 0;
    for round in 0..8 {
        let repo = tmp.path().join(format!("repo-{round}"));
        assert_code(&assess(tmp.path(), &first, &repo), 0);
        let start = head(&repo, "main");

        // Both started at once; the order of the spawns alternates so each gets to be first.
        let order = if round % 2 == 0 {
            [&older, &newer]
        } else {
            [&newer, &older]
        };
        let children: Vec<_> = order
            .iter()
            .map(|inv| {
                bin()
                    .current_dir(tmp.path())
                    .args(["assess", "--inventory", inv, "--repo"])
                    .arg(&repo)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();

        let r = git2::Repository::open(&repo).unwrap();
        let tip = head(&repo, "main");
        for (inv, out) in order.iter().zip(&outs) {
            let err = stderr(out);
            lost_races += err.matches("lost a race for `main`").count();
            match out.status.code() {
                Some(0) => {
                    let oid = committed_oid(out)
                        .unwrap_or_else(|| panic!("exit 0 without a commit: {}", stdout(out)));
                    assert!(
                        oid == tip || r.graph_descendant_of(tip, oid).unwrap(),
                        "round {round}: {inv} reported {oid}, which is not on main ({tip})"
                    );
                }
                Some(2) => {
                    // Only the older snapshot may be refused, and only with the reason named.
                    assert_eq!(*inv, &older, "round {round}: {err}");
                    assert!(err.contains("refusing to commit"), "{err}");
                    assert!(err.contains(&rfc3339(older_at)), "{err}");
                    assert!(err.contains(&rfc3339(newer_at)), "{err}");
                    assert!(committed_oid(out).is_none(), "{}", stdout(out));
                    refused_older += 1;
                }
                other => panic!("round {round}: exit {other:?}\n{err}"),
            }
        }
        // The newer collection always lands, on top.
        assert_eq!(head_as_of(&repo, "main"), newer_at, "round {round}");
        assert!(r.graph_descendant_of(tip, start).unwrap());
        // And the checked-out work tree followed every move.
        assert_eq!(status(&repo), "", "round {round}");
    }
    eprintln!("lost races: {lost_races}, older snapshots refused: {refused_older}");
}

#[test]
fn an_older_inventory_after_a_newer_one_is_refused_and_the_branch_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let (newer, newer_at) = inventory(tmp.path(), DemoState::Drifted, 0);
    let (older, older_at) = inventory(tmp.path(), DemoState::Baseline, 0);
    assert_code(&assess(tmp.path(), &newer, &repo), 0);
    let tip = head(&repo, "main");

    let out = assess(tmp.path(), &older, &repo);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("refusing to commit"), "{err}");
    assert!(err.contains(&rfc3339(older_at)), "{err}");
    assert!(err.contains(&rfc3339(newer_at)), "{err}");
    assert!(err.contains("`main`"), "{err}");
    assert!(!stdout(&out).contains("committed"), "{}", stdout(&out));
    assert_eq!(head(&repo, "main"), tip);
    assert_eq!(status(&repo), "");

    // The same collection again is allowed (and changes nothing).
    let out = assess(tmp.path(), &newer, &repo);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("evidence unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(head(&repo, "main"), tip);
}

#[test]
fn assess_on_the_checked_out_branch_keeps_index_and_work_tree_in_step() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "# evidence\n").unwrap();
    git(&repo, &["add", "README.md"]);
    git(&repo, &["commit", "-q", "-m", "readme"]);

    let (first, _) = inventory(tmp.path(), DemoState::Baseline, 0);
    assert_code(&assess(tmp.path(), &first, &repo), 0);
    assert_eq!(status(&repo), "");
    let committed = stdout(&git(&repo, &["show", "HEAD:evidence/manifest.json"]));
    assert_eq!(
        std::fs::read_to_string(repo.join("evidence/manifest.json")).unwrap(),
        committed
    );
    assert!(repo.join("evidence/summary.json").is_file());

    // An unstaged change to another file survives a commit of new evidence.
    std::fs::write(repo.join("README.md"), "# evidence\n\nunstaged\n").unwrap();
    let (second, _) = inventory(tmp.path(), DemoState::Drifted, 0);
    let out = assess(tmp.path(), &second, &repo);
    assert_code(&out, 0);
    assert_eq!(committed_oid(&out), Some(head(&repo, "main")));
    assert_eq!(status(&repo), " M README.md\n");
    assert_eq!(
        std::fs::read_to_string(repo.join("README.md")).unwrap(),
        "# evidence\n\nunstaged\n"
    );

    // So does a staged one, still staged.
    std::fs::write(repo.join("README.md"), "# evidence\n\nstaged\n").unwrap();
    git(&repo, &["add", "README.md"]);
    let (third, _) = inventory(tmp.path(), DemoState::Drifted, 1);
    assert_code(&assess(tmp.path(), &third, &repo), 0);
    assert_eq!(status(&repo), "M  README.md\n");
    assert_eq!(
        stdout(&git(&repo, &["diff", "--cached", "--name-only"])),
        "README.md\n"
    );

    // The person's next ordinary commit keeps the evidence.
    git(&repo, &["commit", "-q", "-am", "x"]);
    git(&repo, &["cat-file", "-e", "HEAD:evidence/manifest.json"]);
    assert_eq!(
        stdout(&git(&repo, &["diff", "--name-only", "HEAD~1", "HEAD"])),
        "README.md\n"
    );
    assert_eq!(status(&repo), "");

    // A local change to an evidence file the next commit changes: refused, nothing moves.
    let tip = head(&repo, "main");
    let summary = repo.join("evidence/summary.json");
    let mut edited = std::fs::read_to_string(&summary).unwrap();
    edited.push('\n');
    std::fs::write(&summary, &edited).unwrap();
    let (fourth, _) = inventory(tmp.path(), DemoState::Drifted, 2);
    let out = assess(tmp.path(), &fourth, &repo);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("evidence/summary.json"), "{err}");
    assert!(err.contains("local changes"), "{err}");
    assert!(!stdout(&out).contains("committed"), "{}", stdout(&out));
    assert_eq!(head(&repo, "main"), tip);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), edited);
    assert_eq!(status(&repo), " M evidence/summary.json\n");

    // Once the change is gone, the same run commits.
    git(&repo, &["checkout", "--", "evidence/summary.json"]);
    assert_code(&assess(tmp.path(), &fourth, &repo), 0);
    assert_eq!(status(&repo), "");
}

#[test]
fn the_first_assess_of_a_fresh_repository_fills_its_work_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let (inv, _) = inventory(tmp.path(), DemoState::Baseline, 0);
    assert_code(&assess(tmp.path(), &inv, &repo), 0);
    assert_eq!(status(&repo), "");
    assert!(repo.join("evidence/manifest.json").is_file());
    git(&repo, &["commit", "-q", "--allow-empty", "-am", "x"]);
    git(&repo, &["cat-file", "-e", "HEAD:evidence/manifest.json"]);
}

/// A bare remote whose `main` holds only the config (a person's commit), a clone of it, and a
/// fake GitHub.
fn remote_world(
    tmp: &Path,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    fake_github::FakeGithub,
) {
    let remote = tmp.join("remote.git");
    let config = "[github]\nrepository = \"contoso/evidence\"\nlabels = [\"soc2-evidence\"]\n";
    bare_remote_with_config(&remote, config);
    let clone = tmp.join("work");
    git2::build::RepoBuilder::new()
        .clone(&format!("file://{}", remote.display()), &clone)
        .unwrap();
    let gh = fake_github::FakeGithub::start(Some(remote.clone()));
    (remote, clone, gh)
}

fn bot_run(gh: &fake_github::FakeGithub, clone: &Path, inventory: &str) -> Output {
    github_bot(&gh.url, fake_github::TOKEN, clone)
        .args(["run", "--inventory", inventory])
        .output()
        .unwrap()
}

#[test]
fn run_never_publishes_a_snapshot_older_than_the_branch_it_replaces_or_builds_on() {
    const BOT: &str = "soc2-evidence/assessment";
    let tmp = tempfile::tempdir().unwrap();
    let (remote, clone, gh) = remote_world(tmp.path());
    let remote_head = |branch: &str| {
        git2::Repository::open_bare(&remote)
            .unwrap()
            .refname_to_id(&format!("refs/heads/{branch}"))
            .ok()
    };
    let (newer, newer_at) = inventory(tmp.path(), DemoState::Drifted, 0);
    let (older, older_at) = inventory(tmp.path(), DemoState::Baseline, 0);

    // The newer collection is on the bot branch; an older one must not replace it.
    assert_code(&bot_run(&gh, &clone, &newer), 0);
    let pushed = remote_head(BOT).expect("the drift branch was pushed");
    let out = bot_run(&gh, &clone, &older);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("refusing to commit"), "{err}");
    assert!(err.contains(&format!("`{BOT}`")), "{err}");
    assert!(err.contains(&rfc3339(older_at)), "{err}");
    assert!(err.contains(&rfc3339(newer_at)), "{err}");
    assert_eq!(remote_head(BOT), Some(pushed));
    assert_eq!(gh.open_prs().len(), 1);

    // Merged into main, the newer evidence is the base: an older one is not built on it.
    let repo = git2::Repository::open_bare(&remote).unwrap();
    repo.reference("refs/heads/main", pushed, true, "merge")
        .unwrap();
    gh.merge(gh.open_prs()[0].number);
    let out = bot_run(&gh, &clone, &older);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("`main`"), "{err}");
    assert!(err.contains(&rfc3339(newer_at)), "{err}");
    assert_eq!(remote_head("main"), Some(pushed));
    assert_eq!(remote_head(BOT), Some(pushed));

    // The same collection again is fine: nothing to do.
    assert_code(&bot_run(&gh, &clone, &newer), 0);
    assert_eq!(remote_head("main"), Some(pushed));
}
