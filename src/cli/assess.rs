//! `assess`: run the checks on an `inventory.json` and commit the evidence into a repository.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{FailOn, Outcome, assess_and_commit, format_scores, load_inventories, run_meta};
use crate::config::Config;
use crate::store::{CommitOutcome, EvidenceStore};

/// Assess an inventory and commit the evidence snapshot.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
        soc2-evidence assess --inventory inventory.json --repo ./evidence-repo --fail-on fail\n  \
        soc2-evidence demo --dir /tmp/soc2-demo && \\\n    \
        soc2-evidence assess --inventory /tmp/soc2-demo/inventory.json --repo /tmp/soc2-fresh")]
pub struct Args {
    /// The inventory to assess (written by `collect --out`, or the `inventory.json` that `demo`
    /// leaves in its directory). Repeat it to assess the
    /// parts of a sharded collection (`collect --shard i/n`) as one: same tenant required.
    #[arg(long, required = true)]
    inventory: Vec<PathBuf>,
    /// The evidence repository (created if absent).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Branch to commit on; default: the configured base branch.
    #[arg(long)]
    branch: Option<String>,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Exit 1 when criteria fail (`fail`) or fail or are incomplete (`incomplete`).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    fail_on: FailOn,
}

pub fn run(a: Args) -> Result<Outcome> {
    let started = chrono::Utc::now();
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let inventory = load_inventories(&a.inventory)?;
    let branch = a.branch.unwrap_or(config.evidence.base_branch.clone());
    let store = EvidenceStore::open_or_init(&a.repo, &config.evidence.root, &branch)
        .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
    let (outcome, snapshot) = assess_and_commit(
        &store,
        &branch,
        None,
        &inventory,
        &config,
        run_meta(started),
    )?;
    let summary = snapshot.summary()?;
    match outcome {
        CommitOutcome::Created(oid) => super::status!("committed {oid} on {branch}"),
        CommitOutcome::Unchanged(oid) => {
            super::status!("evidence unchanged; no commit ({branch} stays at {oid})")
        }
    }
    super::status_block!("{}", format_scores(&summary));
    Ok(if a.fail_on.violated(&summary) {
        Outcome::PolicyFailed
    } else {
        Outcome::Done
    })
}
