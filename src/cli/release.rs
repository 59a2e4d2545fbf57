//! `release`: tag the approved evidence and publish it as a GitHub release an auditor can verify.
//! The flow (preflight, tag, draft, assets, publish; each step skipped when already done) is
//! [`crate::gitops::release`]; this file parses the arguments, wires GitHub and git, and prints
//! the outcome.

use std::path::PathBuf;

use anyhow::Result;

use super::{Outcome, github};
use crate::config::Config;
use crate::gitops::release::{self, ReleaseRequest};
use crate::store::GitAuth;

/// Tag the evidence at a ref and publish it as a GitHub release with its PDF, bundle and sums.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  GITHUB_TOKEN=… soc2-evidence release --tag audit-2026-q1 --ref main"
)]
pub struct Args {
    /// The tag to create (or complete), e.g. `audit-2026-q1`.
    #[arg(long)]
    tag: String,
    /// What to release; default: the configured base branch as the remote has it.
    #[arg(long = "ref")]
    refname: Option<String>,
    /// The evidence repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read the GitHub token from this file instead of GITHUB_TOKEN / GH_TOKEN.
    #[arg(long)]
    token_file: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = super::open_store(&a.repo, &config.evidence.root)?;
    release::check_tag_name(&a.tag)?;
    let token = github::token(a.token_file.as_deref())?;
    let (owner, name) = github::repository(&config, &store)?;
    let rt = github::runtime()?;
    let forge = github::forge(&rt, &config, &owner, &name, token.clone())?;
    let auth = GitAuth::new(Some(token));
    let refname = a
        .refname
        .clone()
        .unwrap_or_else(|| config.evidence.base_branch.clone());
    let outcome = release::release(&ReleaseRequest {
        store: &store,
        forge: &forge,
        rt: &rt,
        auth: &auth,
        remote: &config.github.remote,
        tag: &a.tag,
        refname: &refname,
    })?;
    super::status_block!("{}", outcome.text());
    super::outln!("release {} {}", outcome.tag, outcome.url);
    super::status_block!("{}", outcome.sums);
    github::step_summary(&outcome.step_summary())?;
    Ok(Outcome::Done)
}
