//! The GitOps core called as a library, against real parts: a clone of a real bare remote
//! (file://) and the loopback fake GitHub. Each step of the drift pull request's life and of a
//! release is checked on the outcome value the library returns (branch, commits, pull request
//! action, release steps), against what the remote and GitHub then hold; the step summaries,
//! the initial pull request and the first release notes are snapshots.
//!
//! Every time is fixed (the remote's first commit, each run's metadata), so commit ids, manifest
//! hashes and therefore the snapshots are the same on every run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

#[path = "support/fake_github.rs"]
mod fake_github;

use std::path::PathBuf;
use std::time::Duration;

use fake_github::{FakeGithub, TOKEN};
use git2::{Oid, Repository, Signature, Time};
use secrecy::SecretString;
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::config::Config;
use soc2_evidence::evidence::RunMeta;
use soc2_evidence::forge::{ClientConfig, Forge, PrAction, RepoInfo};
use soc2_evidence::gitops::GitopsError;
use soc2_evidence::gitops::publish::{
    self, PublishOutcome, PublishRequest, Published, Retry, Step,
};
use soc2_evidence::gitops::release::{self, ReleaseOutcome, ReleaseRequest, ReleaseStep};
use soc2_evidence::store::{EvidenceStore, GitAuth};

const CONFIG: &str = r#"[organisation]
name = "Contoso Ltd"
system = "Contoso Payments Platform"

[github]
repository = "contoso/evidence"
labels = ["soc2-evidence", "compliance"]
reviewers = ["alice", "contoso/security"]
"#;
const BOT: &str = "soc2-evidence/assessment";
/// 2026-09-21T00:00:00Z: before the demo's collection times.
const T0: i64 = 1_790_208_000;

struct World {
    _tmp: tempfile::TempDir,
    remote: PathBuf,
    gh: FakeGithub,
    config: Config,
    store: EvidenceStore,
    rt: tokio::runtime::Runtime,
    forge: Forge,
    auth: GitAuth,
    info: RepoInfo,
}

fn sig(name: &str, email: &str, at: i64) -> Signature<'static> {
    Signature::new(name, email, &Time::new(at, 0)).unwrap()
}

/// A bare remote whose `main` holds only the config (a person's commit at a fixed time), a
/// clone of it, and the fake GitHub.
fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let mut opts = git2::RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    let repo = Repository::init_opts(&remote, &opts).unwrap();
    let blob = repo.blob(CONFIG.as_bytes()).unwrap();
    let mut tb = repo.treebuilder(None).unwrap();
    tb.insert("soc2-evidence.toml", blob, 0o100644).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let s = sig("Alice Admin", "alice@contoso.example", T0);
    repo.commit(Some("refs/heads/main"), &s, &s, "Configure", &tree, &[])
        .unwrap();

    let clone = tmp.path().join("work");
    git2::build::RepoBuilder::new()
        .clone(&format!("file://{}", remote.display()), &clone)
        .unwrap();
    let gh = FakeGithub::start(Some(remote.clone()));
    let config = Config::discover(None, &clone).unwrap();
    let store = EvidenceStore::open(&clone, &config.evidence.root).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let forge = {
        let _guard = rt.enter();
        Forge::new(
            &ClientConfig {
                api_url: gh.url.clone(),
                token: SecretString::from(TOKEN.to_string()),
                max_wait: Duration::from_secs(5),
            },
            "contoso",
            "evidence",
        )
        .unwrap()
    };
    let info = rt.block_on(forge.repository()).unwrap();
    World {
        _tmp: tmp,
        remote,
        gh,
        config,
        store,
        rt,
        forge,
        auth: GitAuth::new(Some(SecretString::from(TOKEN.to_string()))),
        info,
    }
}

impl World {
    /// Publishes a demo state collected `days` later, with run metadata fixed to that time.
    fn publish(
        &self,
        state: DemoState,
        days: i64,
    ) -> Result<(PublishOutcome, Vec<Retry>), GitopsError> {
        let mut inv = demo::inventory(state);
        inv.collected_at += chrono::Duration::days(days);
        let at = inv.collected_at;
        let run_meta = move || RunMeta {
            run_id: format!("test-{}", at.timestamp()),
            started_at: at,
            finished_at: at,
        };
        let req = PublishRequest {
            config: &self.config,
            store: &self.store,
            forge: &self.forge,
            rt: &self.rt,
            auth: &self.auth,
            repo_info: &self.info,
            inventory: &inv,
            run_meta: &run_meta,
        };
        let mut retries = Vec::new();
        let out = publish::publish(&req, &mut |r: &Retry| retries.push(r.clone()))?;
        Ok((out, retries))
    }

    fn release(&self, tag: &str) -> Result<ReleaseOutcome, GitopsError> {
        release::release(&ReleaseRequest {
            store: &self.store,
            forge: &self.forge,
            rt: &self.rt,
            auth: &self.auth,
            remote: "origin",
            tag,
            refname: "main",
        })
    }

    fn remote_repo(&self) -> Repository {
        Repository::open_bare(&self.remote).unwrap()
    }

    fn branch(&self, name: &str) -> Option<Oid> {
        self.remote_repo()
            .find_reference(&format!("refs/heads/{name}"))
            .ok()
            .and_then(|r| r.target())
    }

    /// A person commits a file on top of `branch` in the remote (as a push would).
    fn person_commits(&self, branch: &str) -> Oid {
        let repo = self.remote_repo();
        let head = repo
            .find_reference(&format!("refs/heads/{branch}"))
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let blob = repo.blob(b"Looked at CC6.1.\n").unwrap();
        let mut tb = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
        tb.insert("review-notes.md", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let s = sig("Alice Admin", "alice@contoso.example", T0 + 86_400 * 60);
        repo.commit(
            Some(&format!("refs/heads/{branch}")),
            &s,
            &s,
            "Add review notes",
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
        self.remote_repo()
            .reference("refs/heads/main", oid, true, "merge")
            .unwrap();
        self.gh.merge(number);
    }

    fn assert_no_violations(&self) {
        let v = self.gh.lock().violations.clone();
        assert!(v.is_empty(), "requests GitHub would reject: {v:#?}");
    }
}

/// The drift outcome's parts, for matching.
fn drift(o: &PublishOutcome) -> (&str, Oid, u64, PrAction) {
    match &o.published {
        Published::Drift {
            branch,
            commit,
            number,
            action,
            ..
        } => (branch, *commit, *number, *action),
        other => panic!("expected drift, got {other:?}"),
    }
}

#[test]
fn publish_returns_what_it_did_through_a_drift_pull_requests_life() {
    let w = world();

    // 1. No evidence on main yet: the bot branch gets the snapshot, the initial PR is opened.
    let (o, retries) = w.publish(DemoState::Baseline, 0).unwrap();
    assert!(retries.is_empty());
    assert_eq!(o.passes, 1);
    let (branch, c1, number, action) = drift(&o);
    assert_eq!((branch, number, action), (BOT, 1, PrAction::Created));
    assert_eq!(w.branch(BOT), Some(c1));
    let url = "https://github.example/contoso/evidence/pull/1".to_string();
    assert_eq!(
        o.steps,
        [
            Step::Pushed {
                branch: BOT.into(),
                commit: c1
            },
            Step::PullRequest {
                number: 1,
                url: url.clone(),
                action: PrAction::Created
            }
        ]
    );
    assert_eq!(o.pr_url(), Some(url.as_str()));
    assert_eq!(o.evidence(), (c1, format!("refs/heads/{BOT}")));
    let Published::Drift { spec, .. } = &o.published else {
        unreachable!()
    };
    let pr = w.gh.open_prs().remove(0);
    assert_eq!((&pr.title, &pr.body), (&spec.title, &spec.body));
    let initial_pr = format!("{}\n\n{}", spec.title, spec.body);
    insta::assert_snapshot!("initial_pr", initial_pr);
    insta::assert_snapshot!("initial_step_summary", o.step_summary());
    w.merge(1);

    // 2. The same input again: the evidence equals main's; nothing written anywhere.
    let (main, log) = (w.branch("main"), w.gh.log_len());
    let (o, _) = w.publish(DemoState::Baseline, 0).unwrap();
    assert_eq!(
        o.steps,
        [Step::EqualsBase {
            base: "main".into()
        }]
    );
    assert!(matches!(
        o.published,
        Published::NoDrift { recorded: None, base_head, .. } if Some(base_head) == main
    ));
    assert_eq!(o.evidence(), (c1, "refs/heads/main".into()));
    assert!(!o.drift() && o.pr_url().is_none());
    assert_eq!(w.branch("main"), main);
    assert!(w.gh.writes_since(log).is_empty());

    // 3. Drift: a new commit on the bot branch, on top of main, and pull request #2.
    let (o, _) = w.publish(DemoState::Drifted, 0).unwrap();
    let (branch, c2, number, action) = drift(&o);
    assert_eq!((branch, number, action), (BOT, 2, PrAction::Created));
    let remote = w.remote_repo();
    assert_eq!(
        remote.find_commit(c2).unwrap().parent_id(0).unwrap(),
        main.unwrap()
    );
    let Published::Drift { spec, .. } = &o.published else {
        unreachable!()
    };
    assert!(spec.title.contains("pass→fail"), "{}", spec.title);
    assert_eq!(w.gh.open_prs()[0].body, spec.body);
    insta::assert_snapshot!("drift_step_summary", o.step_summary());

    // 4. The same drifted input again: the pushed commit is reused; the PR is left as it is.
    let log = w.gh.log_len();
    let (o, _) = w.publish(DemoState::Drifted, 0).unwrap();
    assert_eq!(
        o.steps,
        [
            Step::Reused {
                branch: BOT.into(),
                commit: c2
            },
            Step::PullRequest {
                number: 2,
                url: "https://github.example/contoso/evidence/pull/2".into(),
                action: PrAction::Unchanged
            }
        ]
    );
    assert!(w.gh.writes_since(log).is_empty());

    // 5. A later collection, still drifted: the bot's own commit is replaced, #2 updated.
    let (o, _) = w.publish(DemoState::Drifted, 1).unwrap();
    let (branch, c3, number, action) = drift(&o);
    assert_eq!((branch, number, action), (BOT, 2, PrAction::Updated));
    assert_ne!(c3, c2);
    assert_eq!(w.branch(BOT), Some(c3));

    // 6. A person pushes to the bot branch: their commit stays; the snapshot goes to a
    //    fallback branch named after their head, #2 is closed and #3 opened.
    let human = w.person_commits(BOT);
    let (o, _) = w.publish(DemoState::Drifted, 2).unwrap();
    let fallback = publish::fallback_branch(BOT, human, &[]);
    let (branch, c4, number, action) = drift(&o);
    assert_eq!(
        (branch, number, action),
        (fallback.as_str(), 3, PrAction::Created)
    );
    assert_eq!(
        o.steps,
        [
            Step::Pushed {
                branch: fallback.clone(),
                commit: c4
            },
            Step::ClosedSuperseded {
                number: 2,
                branch: BOT.into()
            },
            Step::PullRequest {
                number: 3,
                url: "https://github.example/contoso/evidence/pull/3".into(),
                action: PrAction::Created
            }
        ]
    );
    assert_eq!(
        w.branch(BOT),
        Some(human),
        "the person's commit was overwritten"
    );
    assert_eq!(w.branch(&fallback), Some(c4));

    // 7. Back to the baseline, collected later: recorded on main, the stale PR closed.
    let (o, _) = w.publish(DemoState::Baseline, 3).unwrap();
    let recorded = w.branch("main").unwrap();
    assert_ne!(Some(recorded), main);
    assert_eq!(
        o.steps,
        [
            Step::Recorded {
                commit: recorded,
                base: "main".into()
            },
            Step::ClosedStale { number: 3 }
        ]
    );
    assert!(matches!(o.published, Published::NoDrift { recorded: Some(c), .. } if c == recorded));
    assert!(w.gh.open_prs().is_empty());
    insta::assert_snapshot!("recorded_step_summary", o.step_summary());
    insta::assert_snapshot!("recorded_outputs", o.output_lines());
    w.assert_no_violations();
}

#[test]
fn a_remote_that_moves_during_a_publish_is_retried_and_reported() {
    let w = world();
    let remote = w.remote.clone();
    // main moves while the run lists pull requests, i.e. after it built on the old head.
    w.gh.lock().on_list_pulls = Some(Box::new(move || {
        let repo = Repository::open_bare(&remote).unwrap();
        let head = repo
            .find_reference("refs/heads/main")
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let s = sig("Alice Admin", "alice@contoso.example", T0 + 60);
        repo.commit(
            Some("refs/heads/main"),
            &s,
            &s,
            "empty",
            &head.tree().unwrap(),
            &[&head],
        )
        .unwrap();
    }));
    let (o, retries) = w.publish(DemoState::Baseline, 0).unwrap();
    assert_eq!(o.passes, 2);
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0].next_pass, 2);
    assert!(
        retries[0].why.starts_with("main moved from "),
        "{}",
        retries[0].why
    );
    let (_, commit, ..) = drift(&o);
    let repo = w.remote_repo();
    assert_eq!(
        repo.find_commit(commit).unwrap().parent_id(0).unwrap(),
        w.branch("main").unwrap(),
        "rebuilt on the new base"
    );
    assert_eq!(w.gh.open_prs().len(), 1);
}

#[test]
fn release_returns_its_steps_and_a_rerun_completes_only_what_is_missing() {
    let w = world();
    w.publish(DemoState::Baseline, 0).unwrap();
    w.merge(1);
    let main = w.branch("main").unwrap();

    assert!(matches!(
        w.release("not a tag"),
        Err(GitopsError::InvalidTag(t)) if t == "not a tag"
    ));

    // 1. Every step, in order.
    let o = w.release("audit-2026-q3").unwrap();
    assert_eq!(o.commit, main);
    let tag = |t: &str| t.to_string();
    let assets = [
        "soc2-report-audit-2026-q3.pdf",
        "soc2-evidence-audit-2026-q3.tar.gz",
        "SHA256SUMS",
    ];
    let mut want = vec![
        ReleaseStep::CreatedTag {
            tag: tag("audit-2026-q3"),
            commit: main,
        },
        ReleaseStep::PushedTag {
            tag: tag("audit-2026-q3"),
        },
        ReleaseStep::CreatedDraft {
            tag: tag("audit-2026-q3"),
        },
    ];
    want.extend(
        assets
            .iter()
            .map(|n| ReleaseStep::Uploaded { name: tag(n) }),
    );
    want.push(ReleaseStep::Published {
        tag: tag("audit-2026-q3"),
    });
    assert_eq!(o.steps, want);
    assert_eq!(o.assets, assets);
    let remote_tag = w
        .remote_repo()
        .find_reference("refs/tags/audit-2026-q3")
        .unwrap()
        .target()
        .unwrap();
    let remote = w.remote_repo();
    let message = remote.find_tag(remote_tag).unwrap();
    assert!(
        message
            .message()
            .unwrap()
            .unwrap()
            .contains(&o.manifest_sha256)
    );
    let gh_release = w.gh.lock().releases[0].clone();
    assert!(!gh_release.draft);
    assert_eq!(gh_release.body, o.notes);
    let sums = gh_release
        .assets
        .iter()
        .find(|a| a.name == "SHA256SUMS")
        .unwrap();
    assert_eq!(sums.bytes, o.sums.as_bytes());
    insta::assert_snapshot!("first_release_notes", o.notes);
    insta::assert_snapshot!("release_step_summary", o.step_summary());

    // 2. Again: everything is in place; nothing is written.
    let log = w.gh.log_len();
    let o = w.release("audit-2026-q3").unwrap();
    assert_eq!(
        o.steps,
        assets
            .iter()
            .map(|n| ReleaseStep::Present { name: tag(n) })
            .collect::<Vec<_>>()
    );
    assert!(w.gh.writes_since(log).is_empty());

    // 3. An asset removed from the release is uploaded again; the others are kept.
    w.gh.lock().releases[0]
        .assets
        .retain(|a| a.name != "SHA256SUMS");
    let o = w.release("audit-2026-q3").unwrap();
    assert_eq!(
        o.steps,
        [
            ReleaseStep::Present {
                name: tag(assets[0])
            },
            ReleaseStep::Present {
                name: tag(assets[1])
            },
            ReleaseStep::Uploaded {
                name: tag("SHA256SUMS")
            }
        ]
    );

    // 4. An asset with other bytes is never replaced: the release is reported incomplete.
    w.gh.lock().releases[0]
        .assets
        .iter_mut()
        .find(|a| a.name.ends_with(".pdf"))
        .unwrap()
        .bytes = b"%PDF-1.7 something else".to_vec();
    match w.release("audit-2026-q3") {
        Err(e @ GitopsError::ReleaseIncomplete { .. }) => {
            let chain = format!("{:#}", anyhow::Error::new(e));
            assert!(chain.contains("refusing to replace"), "{chain}");
        }
        other => panic!("expected an incomplete release, got {other:?}"),
    }

    // 5. A tag that exists on another commit is refused before anything is pushed.
    w.publish(DemoState::Drifted, 0).unwrap();
    w.merge(2);
    match w.release("audit-2026-q3") {
        Err(GitopsError::TagElsewhere { on, commit, .. }) => {
            assert_eq!(on, main);
            assert_eq!(Some(commit), w.branch("main"));
        }
        other => panic!("expected the tag to be refused, got {other:?}"),
    }
    w.assert_no_violations();
}
