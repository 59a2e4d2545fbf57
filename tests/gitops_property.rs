//! The property behind "a person's commits are never overwritten", on every branch the bot
//! pushes: random interleavings of bot `run`s (drifted or not, each a newer collection), people
//! pushing from their own clone to the bot's branches or to `main`, and drift pull requests
//! closed unmerged or merged — against a real bare remote, the loopback fake GitHub and the real
//! binary. After every step, every commit a person ever made is reachable from the remote's
//! branches and tags.
//!
//! Cases default to a count that keeps the test near half a minute; set
//! `SOC2_EVIDENCE_PROPERTY_CASES` for a longer search.

mod common;
#[path = "support/fake_github.rs"]
mod fake_github;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;
use fake_github::{FakeGithub, TOKEN};
use git2::{Oid, Repository, Signature};
use proptest::prelude::*;
use proptest::test_runner::Config;
use soc2_evidence::collect::demo::{self, DemoState};

const CONFIG: &str = r#"[organisation]
name = "Contoso Ltd"
system = "Contoso Payments Platform"

[github]
repository = "contoso/evidence"
labels = ["soc2-evidence"]
reviewers = ["alice"]
"#;
const BOT: &str = "soc2-evidence/assessment";

#[derive(Debug, Clone)]
enum Step {
    /// The bot runs on a new collection of the baseline or the drifted demo tenant.
    Run { drifted: bool },
    /// A person pushes a commit to one of the bot's branches (the open pull request's first).
    PersonOnBotBranch { pick: usize },
    /// A person pushes a commit to `main`.
    PersonOnMain,
    /// The open drift pull request is closed without merging.
    Close,
    /// The open drift pull request is merged: a fast-forward, else a merge commit.
    Merge,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => any::<bool>().prop_map(|drifted| Step::Run { drifted }),
        3 => (0usize..3).prop_map(|pick| Step::PersonOnBotBranch { pick }),
        1 => Just(Step::PersonOnMain),
        2 => Just(Step::Close),
        2 => Just(Step::Merge),
    ]
}

struct World {
    tmp: tempfile::TempDir,
    remote: PathBuf,
    gh: FakeGithub,
    bot_clone: PathBuf,
    person_clone: PathBuf,
    /// Collection days used so far: every run collects later than the one before.
    day: i64,
    /// Every commit a person made, with what it was.
    human: Vec<(Oid, String)>,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let remote = tmp.path().join("remote.git");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.bare(true).initial_head("main");
        let repo = Repository::init_opts(&remote, &opts).unwrap();
        let blob = repo.blob(CONFIG.as_bytes()).unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("soc2-evidence.toml", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = person();
        let first = repo
            .commit(
                Some("refs/heads/main"),
                &sig,
                &sig,
                "Configure soc2-evidence",
                &tree,
                &[],
            )
            .unwrap();
        let gh = FakeGithub::start(Some(remote.clone()));
        let clone = |name: &str| {
            let dest = tmp.path().join(name);
            git2::build::RepoBuilder::new()
                .clone(&format!("file://{}", remote.display()), &dest)
                .unwrap();
            dest
        };
        let (bot_clone, person_clone) = (clone("bot"), clone("person"));
        World {
            remote,
            gh,
            bot_clone,
            person_clone,
            day: 0,
            human: vec![(first, "the configuration commit".into())],
            tmp,
        }
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

    fn open_pr(&self) -> Option<fake_github::Pr> {
        let open = self.gh.open_prs();
        assert!(open.len() <= 1, "two open drift pull requests: {open:#?}");
        open.into_iter().next()
    }

    fn apply(&mut self, step: &Step) -> String {
        match step {
            Step::Run { drifted } => self.run(*drifted),
            Step::PersonOnBotBranch { pick } => {
                let mut branches: Vec<String> = self
                    .remote_repo()
                    .references_glob(&format!("refs/heads/{BOT}*"))
                    .unwrap()
                    .filter_map(|r| {
                        let name = String::from_utf8_lossy(r.ok()?.name_bytes()).into_owned();
                        name.strip_prefix("refs/heads/").map(String::from)
                    })
                    .collect();
                branches.sort();
                if let Some(pr) = self.open_pr() {
                    branches.retain(|b| *b != pr.head);
                    branches.insert(0, pr.head);
                }
                match branches.get(pick % branches.len().max(1)) {
                    Some(b) => {
                        let b = b.clone();
                        self.person_pushes(&b)
                    }
                    None => "no bot branch yet".into(),
                }
            }
            Step::PersonOnMain => self.person_pushes("main"),
            Step::Close => match self.open_pr() {
                Some(pr) => {
                    self.gh.close(pr.number);
                    format!("closed #{} unmerged", pr.number)
                }
                None => "no pull request to close".into(),
            },
            Step::Merge => match self.open_pr() {
                Some(pr) => self.merge(pr.number, &pr.head),
                None => "no pull request to merge".into(),
            },
        }
    }

    fn run(&mut self, drifted: bool) -> String {
        self.day += 1;
        let state = if drifted {
            DemoState::Drifted
        } else {
            DemoState::Baseline
        };
        let mut inv = demo::inventory(state);
        inv.collected_at += chrono::Duration::days(self.day);
        let p = self.tmp.path().join(format!("inventory-{}.json", self.day));
        std::fs::write(&p, serde_json::to_vec(&inv).unwrap()).unwrap();
        let out = bin()
            .current_dir(&self.bot_clone)
            .args(["run", "--inventory", p.to_str().unwrap()])
            .env("SOC2_EVIDENCE_GITHUB_API_URL", &self.gh.url)
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_REPOSITORY")
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        assert_code(&out, 0);
        format!("run {state:?} day {}: {}", self.day, stdout(&out).trim())
    }

    /// A person commits a new file on top of `branch` in their own clone and pushes it (a plain,
    /// fast-forward push).
    fn person_pushes(&mut self, branch: &str) -> String {
        let repo = Repository::open(&self.person_clone).unwrap();
        let mut origin = repo.find_remote("origin").unwrap();
        origin
            .fetch(&["+refs/heads/*:refs/remotes/origin/*"], None, None)
            .unwrap();
        let parent = repo
            .find_reference(&format!("refs/remotes/origin/{branch}"))
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let n = self.human.len();
        let blob = repo
            .blob(format!("Review note {n} on {branch}.\n").as_bytes())
            .unwrap();
        let mut tb = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
        tb.insert(format!("note-{n}.md"), blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = person();
        let oid = repo
            .commit(None, &sig, &sig, &format!("Note {n}"), &tree, &[&parent])
            .unwrap();
        repo.reference("refs/heads/work", oid, true, "work")
            .unwrap();
        origin
            .push(&[format!("refs/heads/work:refs/heads/{branch}")], None)
            .unwrap();
        assert_eq!(self.branch(branch), Some(oid), "the person's push landed");
        self.human.push((oid, format!("note {n} on {branch}")));
        format!("person pushed {oid} to {branch}")
    }

    /// A reviewer merges pull request `number` from `head` into `main` on the remote.
    fn merge(&mut self, number: u64, head: &str) -> String {
        let repo = self.remote_repo();
        let (Some(h), Some(m)) = (self.branch(head), self.branch("main")) else {
            return "nothing to merge".into();
        };
        if h == m || repo.graph_descendant_of(h, m).unwrap() {
            repo.reference("refs/heads/main", h, true, "merge").unwrap();
            self.gh.merge(number);
            return format!("merged #{number} by fast-forward");
        }
        let (hc, mc) = (repo.find_commit(h).unwrap(), repo.find_commit(m).unwrap());
        let mut index = repo.merge_commits(&mc, &hc, None).unwrap();
        if index.has_conflicts() {
            return format!("#{number} cannot be merged: conflicts");
        }
        let tree = repo.find_tree(index.write_tree_to(&repo).unwrap()).unwrap();
        let sig = person();
        let oid = repo
            .commit(
                None,
                &sig,
                &sig,
                &format!("Merge pull request #{number} from {head}"),
                &tree,
                &[&mc, &hc],
            )
            .unwrap();
        repo.reference_matching("refs/heads/main", oid, true, m, "merge")
            .unwrap();
        self.gh.merge(number);
        self.human.push((oid, format!("merge commit of #{number}")));
        format!("merged #{number} with merge commit {oid}")
    }

    /// Every commit a person made is reachable from the remote's branches and tags.
    fn check(&self, history: &[String]) {
        let repo = self.remote_repo();
        let mut walk = repo.revwalk().unwrap();
        for r in repo.references().unwrap() {
            let r = r.unwrap();
            let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
            if (name.starts_with("refs/heads/") || name.starts_with("refs/tags/"))
                && let Ok(c) = r.peel_to_commit()
            {
                walk.push(c.id()).unwrap();
            }
        }
        let reachable: BTreeSet<Oid> = walk.map(Result::unwrap).collect();
        for (oid, what) in &self.human {
            assert!(
                reachable.contains(oid),
                "{what} ({oid}) is no longer reachable from the remote's refs after:\n{}",
                history.join("\n")
            );
        }
        let v = self.gh.lock().violations.clone();
        assert!(v.is_empty(), "requests GitHub would reject: {v:#?}");
    }
}

fn person() -> Signature<'static> {
    Signature::now("Alice Admin", "alice@contoso.example").unwrap()
}

fn cases() -> u32 {
    std::env::var("SOC2_EVIDENCE_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        // Each case runs the real binary several times: shrink a failure a little, not long.
        max_shrink_iters: 24,
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn no_persons_commit_is_ever_lost(steps in prop::collection::vec(step(), 6..=10)) {
        let mut w = World::new();
        let mut history = Vec::new();
        for s in &steps {
            let what = w.apply(s);
            history.push(format!("{s:?}: {what}"));
            w.check(&history);
        }
    }
}
