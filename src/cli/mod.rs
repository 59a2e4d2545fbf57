//! The command line: clap commands (one file each), config loading, wiring of the pipeline
//! stages, progress output and exit codes (0 done, 1 policy failed, 2 could not do the job).

mod assess;
mod checks;
mod collect;
mod controls;
mod demo;
mod diff;
mod github;
mod release;
mod report;
mod run;
mod schema;
mod verify;

use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::controls::ControlStatus;
use crate::evidence::{self, RunMeta, Snapshot, Summary};
use crate::model::{INVENTORY_SCHEMA_VERSION, Inventory};
use crate::store::{CommitOutcome, EvidenceStore};

#[derive(Debug, Parser)]
#[command(
    name = "soc2-evidence",
    version,
    about = "SOC 2 evidence for Microsoft Azure: checks mapped to the AICPA 2017 Trust Services \
             Criteria, canonical JSON evidence in git, drift reports and an audit PDF."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::Args),
    Collect(collect::Args),
    Assess(assess::Args),
    Run(run::Args),
    Release(release::Args),
    Verify(verify::Args),
    Diff(diff::Args),
    Report(report::Args),
    Checks(checks::Args),
    Controls(controls::Args),
    Schema(schema::Args),
}

/// What a finished command reports to the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The job was done, but the `--fail-on` policy was not met.
    PolicyFailed,
}

/// When to exit 1 after a successful assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    #[default]
    Never,
    /// Any criterion fails.
    Fail,
    /// Any criterion fails or is incomplete (missing data).
    Incomplete,
}

impl FailOn {
    fn violated(self, summary: &Summary) -> bool {
        summary.criteria.iter().any(|c| match self {
            FailOn::Never => false,
            FailOn::Fail => c.status == ControlStatus::Fail,
            FailOn::Incomplete => {
                matches!(c.status, ControlStatus::Fail | ControlStatus::Incomplete)
            }
        })
    }
}

/// Entry point used by `main`: parses arguments, runs, maps the result to an exit code.
pub fn main() -> i32 {
    // clap prints usage errors itself and exits 2, which is our "could not do the job" code.
    let cli = Cli::parse();
    init_logs();
    match run(cli) {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::PolicyFailed) => 1,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default `warn`). The collector never logs tokens,
/// secrets or response bodies.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Collect(a) => collect::run(a),
        Command::Assess(a) => assess::run(a),
        Command::Run(a) => run::run(a),
        Command::Release(a) => release::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Report(a) => report::run(a),
        Command::Checks(a) => checks::run(a),
        Command::Controls(a) => controls::run(a),
        Command::Schema(a) => schema::run(a),
    }
}

/// The configuration a report of commit `oid` is rendered with: the `soc2-evidence.toml` in that
/// commit when it has one (so anyone rebuilding the PDF from the commit gets the same bytes),
/// else `fallback`.
pub(crate) fn config_at(
    store: &EvidenceStore,
    oid: git2::Oid,
    fallback: &Config,
) -> Result<Config> {
    match store.read_file_at(oid, crate::config::FILE_NAME)? {
        Some(bytes) => {
            let text = String::from_utf8(bytes).with_context(|| {
                format!("{} in commit {oid} is not UTF-8", crate::config::FILE_NAME)
            })?;
            Ok(Config::parse(
                &format!("{}@{oid}", crate::config::FILE_NAME),
                &text,
            )?)
        }
        None => Ok(fallback.clone()),
    }
}

/// The commit a ref names, preferring the remote-tracking branch when `refname` is a branch
/// the remote has (the published state), else any ref or sha git understands.
pub(crate) fn resolve_published(
    store: &EvidenceStore,
    remote: &str,
    refname: &str,
) -> Result<git2::Oid> {
    if let Some(oid) = store.remote_branch(remote, refname)? {
        return Ok(oid);
    }
    store
        .resolve(refname)?
        .with_context(|| format!("ref `{refname}` not found in the evidence repository"))
}

/// Reads `inventory.json`, naming the file and field of any problem.
pub(crate) fn load_inventory(path: &Path) -> Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let inv: Inventory = evidence::parse_json(&path.display().to_string(), &bytes)?;
    if inv.schema_version != INVENTORY_SCHEMA_VERSION {
        bail!(
            "{}: schema_version {} is not supported (expected {INVENTORY_SCHEMA_VERSION})",
            path.display(),
            inv.schema_version
        );
    }
    Ok(inv)
}

/// Reads one or more inventory parts (e.g. the shards of a sharded collection) and merges them
/// (`Inventory::merge`: same tenant, no conflicting overlap, every part's provenance kept).
pub(crate) fn load_inventories(paths: &[std::path::PathBuf]) -> Result<Inventory> {
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        parts.push((p.display().to_string(), load_inventory(p)?));
    }
    if parts.len() > 1 {
        println!("merging {} inventory parts", parts.len());
    }
    Inventory::merge(parts).context("cannot merge the inventory parts")
}

/// Assesses `inventory` and commits the snapshot on `branch` (parent: `parent`, or the branch
/// head), linking the manifest to the parent's. Returns the outcome and the snapshot.
pub(crate) fn assess_and_commit(
    store: &EvidenceStore,
    branch: &str,
    parent: Option<git2::Oid>,
    inventory: &Inventory,
    settings: &crate::checks::Settings,
    run: RunMeta,
) -> Result<(CommitOutcome, Snapshot)> {
    let parent = match parent {
        Some(p) => Some(p),
        None => store.branch_head(branch)?,
    };
    let previous = match parent {
        Some(p) => store.read_snapshot_at(p)?,
        None => None,
    };
    let snapshot = evidence::assess(inventory, settings, run, previous.as_ref())?;
    let summary = snapshot.summary()?;
    let message = commit_message(&summary);
    let outcome = store.commit_snapshot(branch, parent, &snapshot, &message)?;
    Ok((outcome, snapshot))
}

pub(crate) fn commit_message(s: &Summary) -> String {
    let count = |st: ControlStatus| s.criteria.iter().filter(|c| c.status == st).count();
    format!(
        "SOC 2 evidence as of {}\n\nCriteria: {} pass, {} fail, {} incomplete.\nFindings: {} pass, {} fail, {} error.\n",
        s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        count(ControlStatus::Pass),
        count(ControlStatus::Fail),
        count(ControlStatus::Incomplete),
        s.findings.pass,
        s.findings.fail,
        s.findings.error,
    )
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "n/a".into())
}

/// Human-readable scores, one line overall and one per category.
pub(crate) fn format_scores(s: &Summary) -> String {
    let line = |label: &str, sc: &crate::controls::Score| {
        format!(
            "  {label:<22} criteria {}/{} pass ({}), {} fail, {} incomplete; findings {}/{} pass ({})\n",
            sc.criteria_passing,
            sc.criteria_evaluated,
            pct(sc.criteria_score),
            sc.criteria_failing,
            sc.criteria_incomplete,
            sc.findings_passing,
            sc.findings_evaluated,
            pct(sc.findings_score),
        )
    };
    let mut out = line("Overall", &s.overall);
    for c in &s.categories {
        out.push_str(&line(&c.label, &c.score));
    }
    if !s.gaps.is_empty() {
        out.push_str(&format!(
            "  Incomplete evidence: {} collection gap(s); see summary.json `gaps`\n",
            s.gaps.len()
        ));
    }
    out
}

/// The run identity: `GITHUB_RUN_ID` in Actions, else `local`.
pub(crate) fn run_meta(started: chrono::DateTime<chrono::Utc>) -> RunMeta {
    let id = std::env::var("GITHUB_RUN_ID")
        .map(|id| format!("github-{id}"))
        .unwrap_or_else(|_| format!("local-{}", started.format("%Y%m%dT%H%M%SZ")));
    RunMeta {
        run_id: id,
        started_at: started,
        finished_at: chrono::Utc::now(),
    }
}
