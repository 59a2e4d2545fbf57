//! `run`: the GitHub Action's all-in-one. Collects (or reads an inventory), then publishes it
//! with [`crate::gitops::publish`]: the drift pull request, or the run recorded on the base.
//! This file parses the arguments, wires GitHub and git, and prints the outcome, the step
//! summary and the Action's outputs.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum as _;

use super::{FailOn, Outcome, format_scores, github, load_inventories, run_meta};
use crate::config::Config;
use crate::gitops::{self, PublishRequest, Retry};
use crate::model::Inventory;
use crate::store::{EvidenceStore, GitAuth};

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
        && let Some(mark) = gitops::publish::high_water_mark(store, config)?
    {
        super::status!("Activity Log read from the high-water mark {mark}");
        collect = collect.with_changes_since(mark);
    }
    Ok(super::collect::collect(&collect, config)?.inventory)
}

pub fn run(a: Args) -> Result<Outcome> {
    let started = chrono::Utc::now();
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    // The token first: a run that cannot publish should fail before it spends API quota.
    let token = github::token(a.token_file.as_deref())?;
    let store = super::open_store(&a.repo, &config.evidence.root)?;
    let inventory = obtain_inventory(&a, &config, &store)?;
    let (owner, name) = github::repository(&config, &store)?;
    let rt = github::runtime()?;
    let forge = github::forge(&rt, &config, &owner, &name, token.clone())?;
    let repo_info = rt.block_on(forge.repository())?;
    let auth = GitAuth::new(Some(token));
    let request = PublishRequest {
        config: &config,
        store: &store,
        forge: &forge,
        rt: &rt,
        auth: &auth,
        repo_info: &repo_info,
        inventory: &inventory,
        run_meta: &|| run_meta(started),
    };
    let report = gitops::publish::publish(&request, &mut |r: &Retry| {
        if !super::quiet() {
            eprintln!(
                "the remote moved ({}); fetching and rebuilding (pass {})",
                r.why, r.next_pass
            );
        }
    })?;

    super::status_block!("{}", report.text());
    super::status_block!("{}", format_scores(&report.summary));
    let violated = a.fail_on.violated(&report.summary);
    let mut step = report.step_summary();
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
    github::outputs(&report.output_lines())?;
    Ok(if violated {
        Outcome::PolicyFailed
    } else {
        Outcome::Done
    })
}
