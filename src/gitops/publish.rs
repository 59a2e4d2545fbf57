//! Publishing a snapshot (what `run` does after collection): assess on the base head, commit
//! on the bot branch (parent: the base head), compare with the base, push, and open or update
//! the one drift pull request; with no material drift, record the run as configured. Re-running
//! on the same input changes nothing.
//!
//! Order matters for "nothing half-done reported as done": the commit is pushed before the pull
//! request is touched, and a failure after the push says what was pushed and that a re-run
//! completes the rest (a re-run finds the pushed commit unchanged and only does what is left).
//!
//! Whose commits may be replaced: only the bot's. A branch whose head has a person's commits is
//! left as it is; the snapshot moves to a fallback branch named after the head it leaves, and
//! the pull request from the left branch is closed with a comment (the pattern release-plz
//! uses). Every push is a compare-and-swap on the head as fetched; a remote that moved under
//! the run is fetched again and the pass rebuilt, a bounded number of times.

use std::fmt;

use chrono::{DateTime, Utc};
use git2::Oid;

use super::GitopsError;
use super::text::{commit_message, format_scores, scores_markdown};
use crate::config::{Config, NoDrift};
use crate::drift::{self, Drift};
use crate::evidence::{self, RunMeta, Snapshot, Summary};
use crate::forge::{DriftPr, Forge, PrAction, PrOutcome, PullRequest, RepoInfo};
use crate::model::Inventory;
use crate::store::{CommitOutcome, EvidenceStore, GitAuth, PushUpdate, StoreError};

/// GitHub's pull request body limit, in characters.
pub const PR_BODY_LIMIT: usize = 65_536;
/// Passes through fetch → build → push before giving up on a remote that keeps moving.
pub const MAX_PASSES: u32 = 4;
/// Branches with a person's commits stepped over, at most, before a run gives up: each one
/// is a branch a person pushed to after the bot moved there.
pub const MAX_BRANCH_HOPS: usize = 16;

/// Everything a publish needs: where the evidence goes and what to assess.
pub struct PublishRequest<'a> {
    pub config: &'a Config,
    pub store: &'a EvidenceStore,
    pub forge: &'a Forge,
    /// Drives the forge's calls; the git work runs on the calling thread.
    pub rt: &'a tokio::runtime::Runtime,
    pub auth: &'a GitAuth,
    /// The repository as GitHub describes it (its web URL links the evidence).
    pub repo_info: &'a RepoInfo,
    pub inventory: &'a Inventory,
    /// The run metadata of a pass, asked once per pass (its times go into the manifest).
    pub run_meta: &'a dyn Fn() -> RunMeta,
}

/// A pass given up because the remote moved; the next pass fetches and builds again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The pass about to start (2 for the first retry).
    pub next_pass: u32,
    /// What moved.
    pub why: String,
}

/// One thing the final pass did, in order. Its [`fmt::Display`] is the line `run` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Never two open drift pull requests: one beyond the first was closed.
    ClosedDuplicate { number: u64 },
    /// A branch with a person's commits, without an open drift pull request, left as it is.
    LeftBranch {
        branch: String,
        foreign: Vec<String>,
    },
    /// The branch already holds this evidence on this base: nothing pushed.
    Reused { branch: String, commit: Oid },
    /// A new commit pushed to the branch (created, or replacing only the bot's commits).
    Pushed { branch: String, commit: Oid },
    /// The pull request whose branch a person pushed to, closed with a comment.
    ClosedSuperseded { number: u64, branch: String },
    /// The drift pull request, converged.
    PullRequest {
        number: u64,
        url: String,
        action: PrAction,
    },
    /// The local base branch did not follow the recorded commit, and why.
    LocalBase { note: String },
    /// No material drift: the run recorded as a commit on the base and pushed.
    Recorded { commit: Oid, base: String },
    /// The evidence equals the base's: nothing to commit.
    EqualsBase { base: String },
    /// No material drift, and `github.no_drift = "nothing"`.
    NotRecorded,
    /// The open drift pull request closed because its drift is gone.
    ClosedStale { number: u64 },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClosedDuplicate { number } => {
                write!(f, "closed duplicate pull request #{number}")
            }
            Self::LeftBranch { branch, foreign } => write!(
                f,
                "{branch} has commits by a person ({}); leaving it as it is",
                foreign.join("; ")
            ),
            Self::Reused { branch, commit } => write!(
                f,
                "evidence unchanged since the last run: {branch} stays at {commit}; no push"
            ),
            Self::Pushed { branch, commit } => {
                write!(f, "committed {commit} on {branch} and pushed it")
            }
            Self::ClosedSuperseded { number, branch } => write!(
                f,
                "closed pull request #{number} (a person pushed to {branch})"
            ),
            Self::PullRequest {
                number,
                url,
                action,
            } => write!(f, "pull request #{number} {} {url}", verb(*action)),
            Self::LocalBase { note } => f.write_str(note),
            Self::Recorded { commit, base } => write!(
                f,
                "no material drift; recorded the run as {commit} on {base} and pushed it"
            ),
            Self::EqualsBase { base } => write!(
                f,
                "no drift: the evidence equals {base}'s; nothing to commit or push"
            ),
            Self::NotRecorded => {
                f.write_str("no material drift; not recorded (github.no_drift = \"nothing\")")
            }
            Self::ClosedStale { number } => {
                write!(f, "closed pull request #{number}: its drift is gone")
            }
        }
    }
}

/// How a status line names what happened to the pull request.
fn verb(action: PrAction) -> &'static str {
    match action {
        PrAction::Created => "opened",
        PrAction::Updated => "updated",
        PrAction::Unchanged => "unchanged:",
    }
}

/// Where the evidence of a publish ended up.
#[derive(Debug, Clone)]
pub enum Published {
    /// No material drift from the base.
    NoDrift {
        base: String,
        /// The base head the snapshot was compared with.
        base_head: Oid,
        /// The commit recording the run on the base, when one was made.
        recorded: Option<Oid>,
    },
    /// Material drift: on `branch` at `commit`, shown by one open pull request.
    Drift {
        branch: String,
        commit: Oid,
        /// Title and body the pull request now has.
        spec: DriftPr,
        number: u64,
        url: String,
        action: PrAction,
    },
}

/// What a publish did.
#[derive(Debug, Clone)]
pub struct PublishOutcome {
    /// The summary of the snapshot assessed in the final pass.
    pub summary: Summary,
    /// Passes it took (1 when the remote held still).
    pub passes: u32,
    /// What the final pass did, in order.
    pub steps: Vec<Step>,
    pub published: Published,
}

impl PublishOutcome {
    /// One line per step, as `run` prints them.
    pub fn text(&self) -> String {
        self.steps.iter().map(|s| format!("{s}\n")).collect()
    }

    /// Whether there is material drift (a pull request shows it).
    pub fn drift(&self) -> bool {
        matches!(self.published, Published::Drift { .. })
    }

    /// The drift pull request's URL, when there is drift.
    pub fn pr_url(&self) -> Option<&str> {
        match &self.published {
            Published::Drift { url, .. } => Some(url),
            Published::NoDrift { .. } => None,
        }
    }

    /// The commit holding the evidence this run stands for (pushed, or already on the remote),
    /// and the full ref of the branch it is on.
    pub fn evidence(&self) -> (Oid, String) {
        match &self.published {
            Published::NoDrift {
                base,
                base_head,
                recorded,
            } => (recorded.unwrap_or(*base_head), format!("refs/heads/{base}")),
            Published::Drift { branch, commit, .. } => (*commit, format!("refs/heads/{branch}")),
        }
    }

    /// The Actions step summary: what happened, then the scores table.
    pub fn step_summary(&self) -> String {
        let mut step = match &self.published {
            Published::NoDrift { base, recorded, .. } => {
                let mut s = String::from("### soc2-evidence\n\nNo material drift");
                if let Some(c) = recorded {
                    s.push_str(&format!("; run recorded as `{c}` on `{base}`"));
                }
                s.push_str(".\n");
                s
            }
            Published::Drift {
                spec,
                number,
                url,
                action,
                ..
            } => format!(
                "### soc2-evidence\n\n**{}**\n\nDrift pull request: [#{number}]({url}) ({}).\n",
                spec.title,
                verb(*action).trim_end_matches(':')
            ),
        };
        step.push_str(&scores_markdown(&self.summary));
        step
    }

    /// The Action's outputs as `key=value` lines (see [`output_lines`]).
    pub fn output_lines(&self) -> String {
        let (commit, refname) = self.evidence();
        output_lines(
            &self.summary,
            self.pr_url(),
            self.drift(),
            (commit, &refname),
        )
    }
}

/// The Action's outputs as `key=value` lines (the `$GITHUB_OUTPUT` format): the overall
/// criteria and findings scores (percent, one decimal; empty when nothing was evaluated), the
/// failing and incomplete criteria counts, the drift pull request's URL (empty without drift)
/// and whether there is material drift; and the commit holding the evidence the run stands for,
/// with the full name of the branch it is on (what `export` and a SARIF upload must name, so
/// alert locations point into the files of that very commit).
pub fn output_lines(
    summary: &Summary,
    pr_url: Option<&str>,
    drift: bool,
    (evidence_commit, evidence_ref): (Oid, &str),
) -> String {
    let o = &summary.overall;
    let score = |v: Option<f64>| v.map(|p| format!("{p:.1}")).unwrap_or_default();
    format!(
        "criteria_score={}\nfindings_score={}\ncriteria_failing={}\ncriteria_incomplete={}\n\
         gaps={}\npr_url={}\ndrift={drift}\nevidence_commit={evidence_commit}\n\
         evidence_ref={evidence_ref}\n",
        score(o.criteria_score),
        score(o.findings_score),
        o.criteria_failing,
        o.criteria_incomplete,
        summary.gaps.len(),
        pr_url.unwrap_or_default(),
    )
}

/// The newest change event in the evidence at the head of the remote base branch, else the
/// local one; `None` when there is no evidence yet (then the configured look-back applies).
/// A collection whose Activity Log window starts here appends exactly what happened since.
pub fn high_water_mark(
    store: &EvidenceStore,
    config: &Config,
) -> Result<Option<DateTime<Utc>>, GitopsError> {
    let remote = format!(
        "refs/remotes/{}/{}",
        config.github.remote, config.evidence.base_branch
    );
    let local = format!("refs/heads/{}", config.evidence.base_branch);
    for r in [remote, local] {
        if let Some(oid) = store.resolve(&r)?
            && let Some(snapshot) = store.read_snapshot_at(oid)?
        {
            return Ok(snapshot
                .change_events()?
                .into_iter()
                .map(|e| e.event_time)
                .max());
        }
    }
    Ok(None)
}

/// Assesses the inventory on the remote base head and publishes it: the drift pull request, or
/// the run recorded on the base. `on_retry` hears of every pass given up because the remote
/// moved, before the next one starts.
pub fn publish(
    req: &PublishRequest<'_>,
    on_retry: &mut dyn FnMut(&Retry),
) -> Result<PublishOutcome, GitopsError> {
    let mut pass = 1;
    loop {
        match req.one_pass() {
            Ok((summary, steps, published)) => {
                return Ok(PublishOutcome {
                    summary,
                    passes: pass,
                    steps,
                    published,
                });
            }
            Err(PassError::Moved(why)) if pass < MAX_PASSES => {
                on_retry(&Retry {
                    next_pass: pass + 1,
                    why,
                });
                pass += 1;
            }
            Err(PassError::Moved(last)) => {
                return Err(GitopsError::RemoteKeptMoving {
                    passes: MAX_PASSES,
                    last,
                });
            }
            Err(PassError::Failed(e)) => return Err(e),
        }
    }
}

enum PassError {
    /// The remote changed under us: fetch and build again.
    Moved(String),
    Failed(GitopsError),
}

impl<E: Into<GitopsError>> From<E> for PassError {
    fn from(e: E) -> Self {
        PassError::Failed(e.into())
    }
}

/// Maps a rejected push to another pass; anything else fails the run.
fn pushed(r: Result<(), StoreError>) -> Result<(), PassError> {
    match r {
        Ok(()) => Ok(()),
        Err(StoreError::PushRejected(why)) => Err(PassError::Moved(why)),
        Err(e) => Err(PassError::Failed(e.into())),
    }
}

/// Where a drift snapshot goes ([`PublishRequest::choose_target`]).
struct Target {
    branch: String,
    /// The commit the branch holds once the run is done.
    commit: Oid,
    /// `Some(expected remote head)` when `commit` must be pushed; `None` when the branch
    /// already holds it.
    push: Option<Option<Oid>>,
    /// The open pull request whose branch has a person's commits, with those commits.
    superseded: Option<(PullRequest, Vec<String>)>,
}

/// The fallback branch after leaving a branch whose head `head` has a person's commits: the
/// bot branch suffixed with the head's short sha, longer when that name was already left in
/// this run (a person pushed to a fallback branch its own head's name).
#[allow(
    clippy::expect_used,
    reason = "an endless iterator finds a name `left` lacks"
)]
pub fn fallback_branch(bot: &str, head: Oid, left: &[String]) -> String {
    let sha = head.to_string();
    [8, 12, 40]
        .iter()
        .map(|n| format!("{bot}-{}", &sha[..*n]))
        .chain((2..).map(|i| format!("{bot}-{sha}-{i}")))
        .find(|name| !left.contains(name))
        .expect("an endless list of names has one not yet used")
}

/// Title and body of the drift pull request for the committed head snapshot `head` at
/// `commit`, compared with the base's snapshot (`None`: the base holds no evidence yet). The
/// body links the evidence at the commit in the repository at `html_url` and ends with a footer
/// naming the commit, the manifest hash, the collection time and the tool version; it fits
/// GitHub's body limit.
pub fn drift_pr(
    config: &Config,
    html_url: &str,
    base: Option<&Snapshot>,
    head: &Snapshot,
    commit: Oid,
) -> Result<DriftPr, GitopsError> {
    let base_branch = &config.evidence.base_branch;
    let manifest_hash = head.manifest_sha256().unwrap_or_default();
    let as_of = head
        .manifest()?
        .as_of
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let footer = format!(
        "\n---\n\nEvidence commit `{commit}` · manifest sha256 `{manifest_hash}` · collected \
         at {as_of} · soc2-evidence {}\n",
        env!("CARGO_PKG_VERSION")
    );
    let evidence_url = blob_url(html_url, &commit.to_string(), &config.evidence.root);
    let room = PR_BODY_LIMIT - footer.chars().count();
    let (title, body) = match base {
        Some(b) => {
            let d: Drift = drift::diff(b, head)?;
            (d.title(), d.to_markdown_linked(room, &evidence_url))
        }
        None => {
            let s = head.summary()?;
            let title = format!("Initial SOC 2 evidence as of {}", &as_of[..10]);
            let mut body = format!(
                "## {title}\n\n`{base_branch}` holds no evidence yet; this pull request adds the \
                 first snapshot ([evidence]({evidence_url})).\n\n```\n{}```\n",
                format_scores(&s)
            );
            if body.chars().count() > room {
                body = body.chars().take(room).collect();
            }
            (title, body)
        }
    };
    Ok(DriftPr {
        base: base_branch.clone(),
        title,
        body: body + &footer,
        labels: config.github.labels.clone(),
        reviewers: config.github.reviewers.clone(),
    })
}

/// The web URL of a file tree in the repository at a commit.
pub fn blob_url(html_url: &str, commit: &str, path: &str) -> String {
    format!("{}/blob/{commit}/{path}", html_url.trim_end_matches('/'))
}

type PassResult = (Summary, Vec<Step>, Published);

impl PublishRequest<'_> {
    fn remote(&self) -> &str {
        &self.config.github.remote
    }
    fn base(&self) -> &str {
        &self.config.evidence.base_branch
    }
    fn bot(&self) -> &str {
        &self.config.evidence.bot_branch
    }

    fn fetch_heads(&self) -> Result<(), StoreError> {
        let spec = format!("+refs/heads/*:refs/remotes/{}/*", self.remote());
        self.store.fetch(self.remote(), &[spec.as_str()], self.auth)
    }

    fn one_pass(&self) -> Result<PassResult, PassError> {
        self.fetch_heads()?;
        let base_head = self
            .store
            .remote_branch(self.remote(), self.base())?
            .ok_or_else(|| GitopsError::NoBaseBranch {
                remote: self.remote().to_string(),
                base: self.base().to_string(),
            })?;
        let base_snap = self.store.read_snapshot_at(base_head)?;
        let inputs = super::repo_inputs(self.store, self.config, Some(base_head))?;
        let snapshot = evidence::assess_with(
            self.inventory,
            &self.config.checks,
            &inputs,
            (self.run_meta)(),
            base_snap.as_ref(),
        )?;
        let summary = snapshot.summary()?;
        // Whatever is published builds on the base head: never on newer evidence.
        self.store
            .ensure_not_older(self.base(), base_head, &snapshot)?;
        let material = match &base_snap {
            Some(b) => drift::diff(b, &snapshot)?.is_material(),
            None => true,
        };

        let label = &self.config.github.labels[0];
        let mut prs =
            self.rt
                .block_on(self.forge.open_drift_prs(self.base(), self.bot(), label))?;
        let mut steps = Vec::new();
        let current = if prs.is_empty() {
            None
        } else {
            Some(prs.remove(0))
        };
        // Never two open drift pull requests: any beyond the first are closed.
        for extra in &prs {
            let keep = current.as_ref().map(|p| p.number).unwrap_or_default();
            self.rt.block_on(self.forge.close_with_comment(
                extra.number,
                &format!(
                    "Closed by soc2-evidence: #{keep} is the open drift pull request; only one \
                     is kept open."
                ),
            ))?;
            steps.push(Step::ClosedDuplicate {
                number: extra.number,
            });
        }

        let published = if material {
            self.publish_drift(
                base_head,
                base_snap.as_ref(),
                &snapshot,
                &summary,
                current,
                &mut steps,
            )?
        } else {
            self.record_without_drift(base_head, &snapshot, &summary, current, &mut steps)?
        };
        Ok((summary, steps, published))
    }

    /// No material drift: record the run per `github.no_drift` and close a stale drift PR.
    fn record_without_drift(
        &self,
        base_head: Oid,
        snapshot: &Snapshot,
        summary: &Summary,
        current: Option<PullRequest>,
        steps: &mut Vec<Step>,
    ) -> Result<Published, PassError> {
        let mut recorded = None;
        match self.config.github.no_drift {
            NoDrift::CommitOnBase => {
                match self.store.write_commit(
                    Some(base_head),
                    snapshot,
                    &commit_message(summary),
                )? {
                    CommitOutcome::Created(c) => {
                        pushed(self.store.push(
                            self.remote(),
                            &[PushUpdate {
                                oid: c,
                                remote_ref: format!("refs/heads/{}", self.base()),
                                expect: Some(base_head),
                                force: false,
                            }],
                            self.auth,
                        ))?;
                        let local = self.store.advance_branch(self.base(), c)?;
                        if let Some(note) = local.describe(self.base()) {
                            steps.push(Step::LocalBase { note });
                        }
                        steps.push(Step::Recorded {
                            commit: c,
                            base: self.base().to_string(),
                        });
                        recorded = Some(c);
                    }
                    CommitOutcome::Unchanged(_) => steps.push(Step::EqualsBase {
                        base: self.base().to_string(),
                    }),
                }
            }
            NoDrift::Nothing => steps.push(Step::NotRecorded),
        }
        if let Some(pr) = &current {
            self.rt.block_on(self.forge.close_with_comment(
                pr.number,
                &format!(
                    "Closed by soc2-evidence: the assessment of evidence collected at {} shows \
                     no material drift from `{}`.",
                    summary
                        .as_of
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    self.base()
                ),
            ))?;
            steps.push(Step::ClosedStale { number: pr.number });
        }
        Ok(Published::NoDrift {
            base: self.base().to_string(),
            base_head,
            recorded,
        })
    }

    /// Material drift: the bot branch holds the snapshot on top of the base head, and one
    /// open pull request shows it.
    fn publish_drift(
        &self,
        base_head: Oid,
        base_snap: Option<&Snapshot>,
        snapshot: &Snapshot,
        summary: &Summary,
        mut current: Option<PullRequest>,
        steps: &mut Vec<Step>,
    ) -> Result<Published, PassError> {
        let target = self.choose_target(base_head, snapshot, summary, &mut current, steps)?;
        let (head_branch, head_commit) = (target.branch, target.commit);
        match target.push {
            None => steps.push(Step::Reused {
                branch: head_branch.clone(),
                commit: head_commit,
            }),
            Some(expect) => {
                self.replace_branch(&head_branch, expect, head_commit, snapshot)?;
                steps.push(Step::Pushed {
                    branch: head_branch.clone(),
                    commit: head_commit,
                });
            }
        }
        let after_push = |source: crate::forge::ForgeError| GitopsError::AfterPush {
            commit: head_commit,
            branch: head_branch.clone(),
            source: Box::new(source),
        };

        if let Some((pr, foreign)) = &target.superseded {
            self.rt
                .block_on(self.forge.close_with_comment(
                    pr.number,
                    &format!(
                        "Closed by soc2-evidence: `{}` has commits that were not made by the bot \
                     ({}). They are left untouched; the drift is now in a new pull request from \
                     `{head_branch}`.",
                        pr.head.ref_name,
                        foreign.join("; ")
                    ),
                ))
                .map_err(&after_push)?;
            steps.push(Step::ClosedSuperseded {
                number: pr.number,
                branch: pr.head.ref_name.clone(),
            });
        }

        let head_snap = self
            .store
            .read_snapshot_at(head_commit)?
            .ok_or(GitopsError::NoEvidenceAt(head_commit))?;
        let spec = drift_pr(
            self.config,
            &self.repo_info.html_url,
            base_snap,
            &head_snap,
            head_commit,
        )?;
        let outcome: PrOutcome = self
            .rt
            .block_on(async {
                match &current {
                    Some(pr) => self.forge.update_drift_pr(pr, &spec).await,
                    None => self.forge.open_drift_pr(&head_branch, &spec).await,
                }
            })
            .map_err(&after_push)?;
        steps.push(Step::PullRequest {
            number: outcome.pr.number,
            url: outcome.pr.html_url.clone(),
            action: outcome.action,
        });

        // The base must not have moved while we built on it.
        self.fetch_heads()?;
        let now = self.store.remote_branch(self.remote(), self.base())?;
        if now != Some(base_head) {
            return Err(PassError::Moved(format!(
                "{} moved from {base_head} to {} during the run",
                self.base(),
                now.map_or("nothing".into(), |o| o.to_string())
            )));
        }

        Ok(Published::Drift {
            branch: head_branch,
            commit: head_commit,
            spec,
            number: outcome.pr.number,
            url: outcome.pr.html_url,
            action: outcome.action,
        })
    }

    /// The branch the snapshot goes to, and whether it must be pushed. It starts at the open
    /// pull request's branch (else the bot branch) and moves on, to a fallback branch named
    /// after the head it leaves, for as long as replacing a branch's head would drop a commit
    /// the bot did not make: a person's commits are left where they are. An open pull request
    /// from a branch left this way is taken out of `current`, to be closed once the snapshot
    /// is pushed. The names depend only on the remote's heads, so a re-run lands on the same
    /// branch.
    fn choose_target(
        &self,
        base_head: Oid,
        snapshot: &Snapshot,
        summary: &Summary,
        current: &mut Option<PullRequest>,
        steps: &mut Vec<Step>,
    ) -> Result<Target, PassError> {
        let mut branch = current
            .as_ref()
            .map_or_else(|| self.bot().to_string(), |p| p.head.ref_name.clone());
        let mut left: Vec<String> = Vec::new();
        let mut superseded = None;
        // Written once, when first needed: the commit whose ancestry decides what is dropped.
        let mut new_commit: Option<Oid> = None;
        while left.len() < MAX_BRANCH_HOPS {
            let Some(h) = self.store.remote_branch(self.remote(), &branch)? else {
                let commit = self.new_commit(&mut new_commit, base_head, snapshot, summary)?;
                return Ok(Target {
                    branch,
                    commit,
                    push: Some(None),
                    superseded,
                });
            };
            if self.holds(h, base_head, snapshot)? {
                return Ok(Target {
                    branch,
                    commit: h,
                    push: None,
                    superseded,
                });
            }
            let commit = self.new_commit(&mut new_commit, base_head, snapshot, summary)?;
            let foreign = self.store.foreign_dropped(h, commit)?;
            if foreign.is_empty() {
                return Ok(Target {
                    branch,
                    commit,
                    push: Some(Some(h)),
                    superseded,
                });
            }
            if let Some(pr) = current.take_if(|p| p.head.ref_name == branch) {
                superseded = Some((pr, foreign));
            } else {
                steps.push(Step::LeftBranch {
                    branch: branch.clone(),
                    foreign,
                });
            }
            left.push(std::mem::take(&mut branch));
            branch = fallback_branch(self.bot(), h, &left);
        }
        Err(PassError::Failed(GitopsError::TooManyPersonBranches(left)))
    }

    /// The commit holding `snapshot` on top of `base_head`, written on first use.
    fn new_commit(
        &self,
        slot: &mut Option<Oid>,
        base_head: Oid,
        snapshot: &Snapshot,
        summary: &Summary,
    ) -> Result<Oid, PassError> {
        if let Some(c) = slot {
            return Ok(*c);
        }
        let c = self
            .store
            .write_commit(Some(base_head), snapshot, &commit_message(summary))?
            .oid();
        *slot = Some(c);
        Ok(c)
    }

    /// The pushed commit `h` already holds this evidence on this base, made by the bot alone:
    /// reused as it is (no push).
    fn holds(&self, h: Oid, base_head: Oid, snapshot: &Snapshot) -> Result<bool, PassError> {
        Ok(self.store.parent_of(h)? == Some(base_head)
            && self.store.foreign_commits(h, Some(base_head))?.is_empty()
            && self
                .store
                .read_snapshot_at(h)?
                .is_some_and(|s| s.evidence_files().eq(snapshot.evidence_files())))
    }

    /// Moves the remote `branch` from `expect` (as fetched) to `commit` under a lease, after
    /// checking that every commit the move drops is the bot's own and that `snapshot` (the
    /// commit's) is not older than the evidence it replaces. The check is the last word
    /// before any forced update: whatever chose the branch, a person's commit is never dropped.
    fn replace_branch(
        &self,
        branch: &str,
        expect: Option<Oid>,
        commit: Oid,
        snapshot: &Snapshot,
    ) -> Result<(), PassError> {
        if let Some(old) = expect {
            // The push replaces the branch's head: never with an older snapshot.
            self.store.ensure_not_older(branch, old, snapshot)?;
            let foreign = self.store.foreign_dropped(old, commit)?;
            if !foreign.is_empty() {
                return Err(PassError::Failed(GitopsError::WouldDropForeign {
                    branch: branch.to_string(),
                    foreign,
                }));
            }
        }
        pushed(self.store.push(
            self.remote(),
            &[PushUpdate {
                oid: commit,
                remote_ref: format!("refs/heads/{branch}"),
                expect,
                force: true,
            }],
            self.auth,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::{self, DemoState};

    fn summary() -> Summary {
        let inv = demo::inventory(DemoState::Drifted);
        let run = RunMeta {
            run_id: "t".into(),
            started_at: inv.collected_at,
            finished_at: inv.collected_at,
        };
        evidence::assess(&inv, &Default::default(), run, None)
            .unwrap()
            .summary()
            .unwrap()
    }

    #[test]
    fn outputs_are_key_value_lines_for_github_output() {
        let s = summary();
        let c = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let bot = "refs/heads/soc2-evidence/assessment";
        let out = output_lines(&s, Some("https://github.com/o/r/pull/7"), true, (c, bot));
        let map: std::collections::BTreeMap<&str, &str> = out
            .lines()
            .map(|l| l.split_once('=').expect("key=value"))
            .collect();
        let keys: Vec<&str> = map.keys().copied().collect();
        assert_eq!(
            keys,
            [
                "criteria_failing",
                "criteria_incomplete",
                "criteria_score",
                "drift",
                "evidence_commit",
                "evidence_ref",
                "findings_score",
                "gaps",
                "pr_url"
            ]
        );
        assert_eq!(map["evidence_commit"], c.to_string());
        assert_eq!(map["evidence_ref"], bot);
        assert_eq!(map["drift"], "true");
        assert_eq!(map["pr_url"], "https://github.com/o/r/pull/7");
        let pct: f64 = map["criteria_score"].parse().unwrap();
        assert_eq!(Some(pct), s.overall.criteria_score);
        assert_eq!(
            map["criteria_failing"],
            s.overall.criteria_failing.to_string()
        );
        let none = output_lines(&s, None, false, (c, "refs/heads/main"));
        assert!(none.contains("\npr_url=\ndrift=false\n"), "{none}");
    }

    #[test]
    fn fallback_branches_are_named_after_the_head_left_and_never_repeat() {
        let h = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let bot = "soc2-evidence/assessment";
        assert_eq!(fallback_branch(bot, h, &[]), format!("{bot}-01234567"));
        let mut left = vec![format!("{bot}-01234567")];
        assert_eq!(
            fallback_branch(bot, h, &left),
            format!("{bot}-0123456789ab")
        );
        left.push(format!("{bot}-0123456789ab"));
        left.push(format!("{bot}-{h}"));
        assert_eq!(fallback_branch(bot, h, &left), format!("{bot}-{h}-2"));
    }

    #[test]
    fn step_summary_table_has_overall_and_every_category() {
        let s = summary();
        let md = scores_markdown(&s);
        assert!(md.contains("| **Overall** |"), "{md}");
        for c in &s.categories {
            assert!(md.contains(&format!("| {} |", c.label)), "{md}");
        }
    }

    #[test]
    fn steps_print_as_the_lines_run_shows() {
        let c = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        let steps = [
            Step::ClosedDuplicate { number: 4 },
            Step::LeftBranch {
                branch: "b".into(),
                foreign: vec!["x by A".into(), "y by B".into()],
            },
            Step::Reused {
                branch: "b".into(),
                commit: c,
            },
            Step::Pushed {
                branch: "b".into(),
                commit: c,
            },
            Step::ClosedSuperseded {
                number: 2,
                branch: "b".into(),
            },
            Step::PullRequest {
                number: 3,
                url: "https://x/3".into(),
                action: PrAction::Unchanged,
            },
            Step::Recorded {
                commit: c,
                base: "main".into(),
            },
            Step::EqualsBase {
                base: "main".into(),
            },
            Step::NotRecorded,
            Step::ClosedStale { number: 3 },
        ];
        let text: Vec<String> = steps.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "closed duplicate pull request #4".to_string(),
                "b has commits by a person (x by A; y by B); leaving it as it is".into(),
                format!("evidence unchanged since the last run: b stays at {c}; no push"),
                format!("committed {c} on b and pushed it"),
                "closed pull request #2 (a person pushed to b)".into(),
                "pull request #3 unchanged: https://x/3".into(),
                format!("no material drift; recorded the run as {c} on main and pushed it"),
                "no drift: the evidence equals main's; nothing to commit or push".into(),
                "no material drift; not recorded (github.no_drift = \"nothing\")".into(),
                "closed pull request #3: its drift is gone".into(),
            ]
        );
    }
}
