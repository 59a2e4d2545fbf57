//! `run`: the GitHub Action's all-in-one. Assess, commit on the bot branch (parent: the base
//! head), compare with the base, push, and open or update the one drift pull request; with no
//! material drift, record the run as configured. Re-running on the same input changes nothing.
//!
//! Order matters for "nothing half-done reported as done": the commit is pushed before the pull
//! request is touched, and a failure after the push says what was pushed and that a re-run
//! completes the rest (a re-run finds the pushed commit unchanged and only does what is left).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::ValueEnum as _;
use git2::Oid;

use super::{FailOn, Outcome, commit_message, format_scores, github, load_inventories, run_meta};
use crate::config::{Config, NoDrift};
use crate::drift::{self, Drift};
use crate::evidence::{self, Snapshot};
use crate::forge::{DriftPr, Forge, PrAction, PrOutcome, PullRequest, RepoInfo};
use crate::model::Inventory;
use crate::store::{CommitOutcome, EvidenceStore, GitAuth, PushUpdate, StoreError};

/// GitHub's pull request body limit, in characters.
const PR_BODY_LIMIT: usize = 65_536;
/// Passes through fetch → build → push before giving up on a remote that keeps moving.
const MAX_PASSES: u32 = 4;
/// Branches with a person's commits stepped over, at most, before a run gives up: each one
/// is a branch a person pushed to after the bot moved there.
const MAX_BRANCH_HOPS: usize = 16;

/// Assess, commit, push and open or update the drift pull request (the Action's command).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  GITHUB_TOKEN=… soc2-evidence run --repo .   # collects from Azure\n  \
                  GITHUB_TOKEN=… soc2-evidence run --inventory inventory.json --repo ."
)]
pub struct Args {
    /// Assess this inventory instead of collecting from Azure; repeat it to merge the parts of
    /// a sharded collection (`collect --shard i/n`).
    #[arg(long)]
    inventory: Vec<PathBuf>,
    /// Collection options, used when no --inventory is given.
    #[command(flatten)]
    collect: super::collect::CollectArgs,
    /// The evidence repository: a clone with the configured remote (default `origin`).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read the GitHub token from this file instead of GITHUB_TOKEN / GH_TOKEN.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Exit 1 when criteria fail (`fail`) or fail or are incomplete (`incomplete`).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    fail_on: FailOn,
}

/// The inventory to assess: the given file, or a collection from Azure whose Activity Log
/// window starts at the high-water mark of the approved change population (the newest event
/// on the base branch), so every run appends exactly what happened since.
fn obtain_inventory(a: &Args, config: &Config, store: &EvidenceStore) -> Result<Inventory> {
    if !a.inventory.is_empty() {
        return load_inventories(&a.inventory);
    }
    let mut collect = a.collect.clone();
    if collect.changes_since().is_none()
        && let Some(mark) = high_water_mark(store, config)?
    {
        super::status!("Activity Log read from the high-water mark {mark}");
        collect = collect.with_changes_since(mark);
    }
    Ok(super::collect::collect(&collect, config)?.inventory)
}

/// The newest change event in the evidence at the head of the remote base branch, else the
/// local one; `None` when there is no evidence yet (then the configured look-back applies).
fn high_water_mark(
    store: &EvidenceStore,
    config: &Config,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
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

pub fn run(a: Args) -> Result<Outcome> {
    let started = chrono::Utc::now();
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    // The token first: a run that cannot publish should fail before it spends API quota.
    let token = github::token(a.token_file.as_deref())?;
    let store = EvidenceStore::open(&a.repo, &config.evidence.root)
        .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
    let inventory = obtain_inventory(&a, &config, &store)?;
    let (owner, name) = github::repository(&config, &store)?;
    let rt = github::runtime()?;
    let forge = github::forge(&rt, &config, &owner, &name, token.clone())?;
    let repo_info = rt.block_on(forge.repository())?;
    let auth = GitAuth::new(Some(token));
    let ctx = Ctx {
        config: &config,
        store: &store,
        forge: &forge,
        rt: &rt,
        auth: &auth,
        repo_info: &repo_info,
        inventory: &inventory,
        started,
    };

    let mut pass = 1;
    let report = loop {
        match ctx.one_pass() {
            Ok(r) => break r,
            Err(PassError::Moved(why)) if pass < MAX_PASSES => {
                if !super::quiet() {
                    eprintln!(
                        "the remote moved ({why}); fetching and rebuilding (pass {})",
                        pass + 1
                    );
                }
                pass += 1;
            }
            Err(PassError::Moved(why)) => {
                bail!("the remote kept moving; gave up after {MAX_PASSES} passes (last: {why})")
            }
            Err(PassError::Failed(e)) => return Err(e),
        }
    };

    super::status_block!("{}", report.text);
    super::status_block!("{}", format_scores(&report.summary));
    let violated = a.fail_on.violated(&report.summary);
    let mut step = report.step_summary.clone();
    step.push_str(&scores_markdown(&report.summary));
    if violated {
        let _ = writeln!(
            step,
            "\n**Policy failed**: `--fail-on {}` is not met.",
            a.fail_on
                .to_possible_value()
                .map_or("?".into(), |v| v.get_name().to_string())
        );
    }
    github::step_summary(&step)?;
    let outputs = output_lines(
        &report.summary,
        report.pr_url.as_deref(),
        report.drift,
        (report.evidence.0, &report.evidence.1),
    );
    github::outputs(&outputs)?;
    Ok(if violated {
        Outcome::PolicyFailed
    } else {
        Outcome::Done
    })
}

/// The Action's outputs as `key=value` lines (the `$GITHUB_OUTPUT` format): the overall
/// criteria and findings scores (percent, one decimal; empty when nothing was evaluated), the
/// failing and incomplete criteria counts, the drift pull request's URL (empty without drift)
/// and whether there is material drift; and the commit holding the evidence the run stands for,
/// with the full name of the branch it is on (what `export` and a SARIF upload must name, so
/// alert locations point into the files of that very commit).
pub(crate) fn output_lines(
    summary: &evidence::Summary,
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

/// The scores as a markdown table for the step summary, with the gaps called out.
pub(crate) fn scores_markdown(s: &evidence::Summary) -> String {
    let mut out = format!(
        "\nEvidence as of {} (tenant `{}`).\n\n| | criteria pass | fail | incomplete | \
         findings pass |\n|---|---|---|---|---|\n",
        s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        s.tenant_id
    );
    let row = |label: &str, sc: &crate::controls::Score| {
        format!(
            "| {label} | {}/{} ({}) | {} | {} | {}/{} ({}) |\n",
            sc.criteria_passing,
            sc.criteria_evaluated,
            super::pct(sc.criteria_score),
            sc.criteria_failing,
            sc.criteria_incomplete,
            sc.findings_passing,
            sc.findings_evaluated,
            super::pct(sc.findings_score),
        )
    };
    out.push_str(&row("**Overall**", &s.overall));
    for c in &s.categories {
        out.push_str(&row(&c.label, &c.score));
    }
    if !s.gaps.is_empty() {
        let _ = writeln!(
            out,
            "\n:warning: {} collection gap(s): the affected criteria are incomplete, never \
             passed. See `summary.json` → `gaps`.",
            s.gaps.len()
        );
    }
    out
}

struct Ctx<'a> {
    config: &'a Config,
    store: &'a EvidenceStore,
    forge: &'a Forge,
    rt: &'a tokio::runtime::Runtime,
    auth: &'a GitAuth,
    repo_info: &'a RepoInfo,
    inventory: &'a Inventory,
    started: chrono::DateTime<chrono::Utc>,
}

enum PassError {
    /// The remote changed under us: fetch and build again.
    Moved(String),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for PassError {
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

/// Where a drift snapshot goes ([`Ctx::choose_target`]).
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
fn fallback_branch(bot: &str, head: Oid, left: &[String]) -> String {
    let sha = head.to_string();
    [8, 12, 40]
        .iter()
        .map(|n| format!("{bot}-{}", &sha[..*n]))
        .chain((2..).map(|i| format!("{bot}-{sha}-{i}")))
        .find(|name| !left.contains(name))
        .expect("an endless list of names has one not yet used")
}

struct Report {
    text: String,
    step_summary: String,
    summary: evidence::Summary,
    /// The drift pull request, when there is drift.
    pr_url: Option<String>,
    drift: bool,
    /// The commit holding the evidence this run stands for (pushed, or already on the remote),
    /// and the full ref of the branch it is on.
    evidence: (Oid, String),
}

impl Ctx<'_> {
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

    fn one_pass(&self) -> Result<Report, PassError> {
        self.fetch_heads()?;
        let base_head = self
            .store
            .remote_branch(self.remote(), self.base())?
            .ok_or_else(|| {
                anyhow!(
                    "the remote `{}` has no branch `{}`: push an initial commit to it first (for \
                 example soc2-evidence.toml)",
                    self.remote(),
                    self.base()
                )
            })?;
        let base_snap = self.store.read_snapshot_at(base_head)?;
        let inputs = super::repo_inputs(self.store, self.config, Some(base_head))?;
        let snapshot = evidence::assess_with(
            self.inventory,
            &self.config.checks,
            &inputs,
            run_meta(self.started),
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
        let mut text = String::new();
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
            let _ = writeln!(text, "closed duplicate pull request #{}", extra.number);
        }

        if !material {
            return self.record_without_drift(base_head, &snapshot, summary, current, text);
        }
        self.publish_drift(
            base_head,
            base_snap.as_ref(),
            &snapshot,
            summary,
            current,
            text,
        )
    }

    /// No material drift: record the run per `github.no_drift` and close a stale drift PR.
    fn record_without_drift(
        &self,
        base_head: Oid,
        snapshot: &Snapshot,
        summary: evidence::Summary,
        current: Option<PullRequest>,
        mut text: String,
    ) -> Result<Report, PassError> {
        let mut recorded = None;
        match self.config.github.no_drift {
            NoDrift::CommitOnBase => {
                match self.store.write_commit(
                    Some(base_head),
                    snapshot,
                    &commit_message(&summary),
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
                            let _ = writeln!(text, "{note}");
                        }
                        let _ = writeln!(
                            text,
                            "no material drift; recorded the run as {c} on {} and pushed it",
                            self.base()
                        );
                        recorded = Some(c);
                    }
                    CommitOutcome::Unchanged(_) => {
                        let _ = writeln!(
                            text,
                            "no drift: the evidence equals {}'s; nothing to commit or push",
                            self.base()
                        );
                    }
                }
            }
            NoDrift::Nothing => {
                let _ = writeln!(
                    text,
                    "no material drift; not recorded (github.no_drift = \"nothing\")"
                );
            }
        }
        if let Some(pr) = &current {
            self.rt.block_on(self.forge.close_with_comment(
                pr.number,
                &format!(
                    "Closed by soc2-evidence: the assessment of evidence collected at {} shows \
                     no material drift from `{}`.",
                    summary.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    self.base()
                ),
            ))?;
            let _ = writeln!(
                text,
                "closed pull request #{}: its drift is gone",
                pr.number
            );
        }
        let mut step = String::from("### soc2-evidence\n\nNo material drift");
        if let Some(c) = recorded {
            let _ = write!(step, "; run recorded as `{c}` on `{}`", self.base());
        }
        step.push_str(".\n");
        Ok(Report {
            text,
            step_summary: step,
            summary,
            pr_url: None,
            drift: false,
            evidence: (
                recorded.unwrap_or(base_head),
                format!("refs/heads/{}", self.base()),
            ),
        })
    }

    /// Material drift: the bot branch holds the snapshot on top of the base head, and one
    /// open pull request shows it.
    fn publish_drift(
        &self,
        base_head: Oid,
        base_snap: Option<&Snapshot>,
        snapshot: &Snapshot,
        summary: evidence::Summary,
        mut current: Option<PullRequest>,
        mut text: String,
    ) -> Result<Report, PassError> {
        let target = self.choose_target(base_head, snapshot, &summary, &mut current, &mut text)?;
        let (head_branch, head_commit) = (target.branch, target.commit);
        match target.push {
            None => {
                let _ = writeln!(
                    text,
                    "evidence unchanged since the last run: {head_branch} stays at {head_commit}; \
                     no push"
                );
            }
            Some(expect) => {
                self.replace_branch(&head_branch, expect, head_commit, snapshot)?;
                let _ = writeln!(
                    text,
                    "committed {head_commit} on {head_branch} and pushed it"
                );
            }
        }

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
                .map_err(|e| self.after_push(e, &head_branch, head_commit))?;
            let _ = writeln!(
                text,
                "closed pull request #{} (a person pushed to {})",
                pr.number, pr.head.ref_name
            );
        }

        let head_snap = self
            .store
            .read_snapshot_at(head_commit)?
            .ok_or_else(|| anyhow!("commit {head_commit} holds no evidence"))?;
        let spec = self.pr_spec(base_snap, &head_snap, head_commit)?;
        let outcome: PrOutcome = self
            .rt
            .block_on(async {
                match &current {
                    Some(pr) => self.forge.update_drift_pr(pr, &spec).await,
                    None => self.forge.open_drift_pr(&head_branch, &spec).await,
                }
            })
            .map_err(|e| self.after_push(e, &head_branch, head_commit))?;
        let verb = match outcome.action {
            PrAction::Created => "opened",
            PrAction::Updated => "updated",
            PrAction::Unchanged => "unchanged:",
        };
        let _ = writeln!(
            text,
            "pull request #{} {verb} {}",
            outcome.pr.number, outcome.pr.html_url
        );

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

        let step = format!(
            "### soc2-evidence\n\n**{}**\n\nDrift pull request: [#{}]({}) ({}).\n",
            spec.title,
            outcome.pr.number,
            outcome.pr.html_url,
            verb.trim_end_matches(':')
        );
        Ok(Report {
            text,
            step_summary: step,
            summary,
            pr_url: Some(outcome.pr.html_url.to_string()),
            drift: true,
            evidence: (head_commit, format!("refs/heads/{head_branch}")),
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
        summary: &evidence::Summary,
        current: &mut Option<PullRequest>,
        text: &mut String,
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
                let _ = writeln!(
                    text,
                    "{branch} has commits by a person ({}); leaving it as it is",
                    foreign.join("; ")
                );
            }
            left.push(std::mem::take(&mut branch));
            branch = fallback_branch(self.bot(), h, &left);
        }
        Err(PassError::Failed(anyhow!(
            "{} branches in a row have commits by a person ({}); none of them is replaced. Merge \
             or delete the ones no longer needed and run again",
            left.len(),
            left.join(", ")
        )))
    }

    /// The commit holding `snapshot` on top of `base_head`, written on first use.
    fn new_commit(
        &self,
        slot: &mut Option<Oid>,
        base_head: Oid,
        snapshot: &Snapshot,
        summary: &evidence::Summary,
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
                return Err(PassError::Failed(anyhow!(
                    "refusing to replace {branch}: it would drop commits not made by the bot ({})",
                    foreign.join("; ")
                )));
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

    /// A GitHub failure after the commit was pushed: say so, and that a re-run completes it.
    fn after_push(&self, e: crate::forge::ForgeError, branch: &str, commit: Oid) -> anyhow::Error {
        anyhow!(e).context(format!(
            "the evidence commit {commit} is pushed to {branch}, but the pull request is not up \
             to date; run again to complete it"
        ))
    }

    /// Title and body of the drift pull request for the committed head snapshot.
    fn pr_spec(&self, base: Option<&Snapshot>, head: &Snapshot, commit: Oid) -> Result<DriftPr> {
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
        let evidence_url = github::blob_url(
            &self.repo_info.html_url,
            &commit.to_string(),
            &self.config.evidence.root,
        );
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
                    "## {title}\n\n`{}` holds no evidence yet; this pull request adds the first \
                     snapshot ([evidence]({evidence_url})).\n\n```\n{}```\n",
                    self.base(),
                    format_scores(&s)
                );
                if body.chars().count() > room {
                    body = body.chars().take(room).collect();
                }
                (title, body)
            }
        };
        Ok(DriftPr {
            base: self.base().to_string(),
            title,
            body: body + &footer,
            labels: self.config.github.labels.clone(),
            reviewers: self.config.github.reviewers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::{self, DemoState};

    fn summary() -> evidence::Summary {
        let inv = demo::inventory(DemoState::Drifted);
        let run = evidence::RunMeta {
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
}
