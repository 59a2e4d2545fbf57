//! The property behind "a person's commits are never overwritten", on every branch the bot
//! pushes: random interleavings of bot `run`s (drifted or not, each a newer collection), people
//! pushing from their own clone to the bot's branches or to `main`, and drift pull requests
//! closed unmerged or merged — against a real bare remote, the loopback fake GitHub and the real
//! binary. After every step, every commit a person ever made is reachable from the remote's
//! branches and tags.
//!
//! Cases default to a count that keeps the test near half a minute; set
//! `SOC2_EVIDENCE_PROPERTY_CASES` for a longer search.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

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

/// What people and GitHub do between two bot runs.
#[derive(Debug, Clone)]
enum Act {
    /// A person pushes a commit to one of the bot's branches: mostly the one in play (the open
    /// pull request's, else the one the bot last pushed), sometimes the bot branch itself.
    PersonOnBotBranch { pick: u8 },
    /// A person pushes a commit to `main`.
    PersonOnMain,
    /// The open drift pull request is closed without merging.
    Close,
    /// The open drift pull request is merged: a fast-forward, else a merge commit.
    Merge,
}

/// A few acts, then a bot run on a new collection of the drifted (mostly) or the baseline demo
/// tenant. Every act is followed by a run, since a run is what could drop a commit.
#[derive(Debug, Clone)]
struct Round {
    acts: Vec<Act>,
    drifted: bool,
}

/// Each kind of act is drawn on its own (rather than a list of acts) so that the risky
/// combinations, a person's push together with a close or a merge, come up often.
fn round() -> impl Strategy<Value = Round> {
    (
        prop::option::weighted(0.6, 0u8..4),
        prop::bool::weighted(0.2),
        prop_oneof![
            2 => Just(None),
            2 => Just(Some(Act::Close)),
            1 => Just(Some(Act::Merge)),
        ],
        any::<bool>(),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(person, on_main, pr, person_first, drifted)| {
            let mut acts = Vec::new();
            if on_main {
                acts.push(Act::PersonOnMain);
            }
            let person = person.map(|pick| Act::PersonOnBotBranch { pick });
            let (first, second) = if person_first {
                (person, pr)
            } else {
                (pr, person)
            };
            acts.extend(first);
            acts.extend(second);
            Round { acts, drifted }
        })
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
    /// The bot branch the bot pushed to last.
    last_pushed: Option<String>,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let remote = tmp.path().join("remote.git");
        let first = bare_remote_with_config(&remote, CONFIG);
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
            last_pushed: None,
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

    fn act(&mut self, act: &Act) -> String {
        match act {
            Act::PersonOnBotBranch { pick } => {
                let in_play = self.open_pr().map(|p| p.head).or(self.last_pushed.clone());
                let branch = match (pick, in_play) {
                    (0..=2, Some(b)) => b,
                    _ => BOT.to_string(),
                };
                if self.branch(&branch).is_some() {
                    self.person_pushes(&branch)
                } else {
                    format!("{branch} does not exist yet")
                }
            }
            Act::PersonOnMain => self.person_pushes("main"),
            Act::Close => match self.open_pr() {
                Some(pr) => {
                    self.gh.close(pr.number);
                    format!("closed #{} unmerged", pr.number)
                }
                None => "no pull request to close".into(),
            },
            Act::Merge => match self.open_pr() {
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
        // Times from the later of the two demo collections on, so that every run is newer than
        // the one before whichever state it assesses (the baseline is a week older).
        let mut inv = demo::inventory(state);
        inv.collected_at =
            demo::collected_at(DemoState::Drifted) + chrono::Duration::days(self.day);
        let p = self.tmp.path().join(format!("inventory-{}.json", self.day));
        std::fs::write(&p, serde_json::to_vec(&inv).unwrap()).unwrap();
        let out = github_bot(&self.gh.url, TOKEN, &self.bot_clone)
            .args(["run", "--inventory", p.to_str().unwrap()])
            .output()
            .unwrap();
        assert_code(&out, 0);
        let text = stdout(&out);
        // "committed <sha> on <branch> and pushed it"
        if let Some(b) = text.lines().find_map(|l| {
            let rest = l.strip_prefix("committed ")?.split_once(" on ")?.1;
            rest.strip_suffix(" and pushed it")
        }) && b.starts_with(BOT)
        {
            self.last_pushed = Some(b.to_string());
        }
        format!("run {state:?} day {}: {}", self.day, text.trim())
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
        .unwrap_or(12)
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
    fn no_persons_commit_is_ever_lost(rounds in prop::collection::vec(round(), 3..=5)) {
        let mut w = World::new();
        let mut history = Vec::new();
        for r in &rounds {
            for a in &r.acts {
                let what = w.act(a);
                history.push(format!("{a:?}: {what}"));
                w.check(&history);
            }
            let what = w.run(r.drifted);
            history.push(what);
            w.check(&history);
        }
        // Whatever people merged, pushed or closed, the approved evidence still verifies: every
        // link names its first parent's manifest, through merge commits and fast-forwards.
        let remote = w.remote_repo();
        let main = remote
            .find_reference("refs/heads/main")
            .unwrap()
            .peel_to_tree()
            .unwrap();
        if main.get_name("evidence").is_none() {
            return Ok(());
        }
        let out = bin()
            .current_dir(w.tmp.path())
            .args(["verify", "--repo", w.remote.to_str().unwrap(), "--ref", "main"])
            .output()
            .unwrap();
        prop_assert_eq!(
            out.status.code(),
            Some(0),
            "verify of main failed after:\n{}\n{}{}",
            history.join("\n"),
            stdout(&out),
            stderr(&out)
        );
    }
}
