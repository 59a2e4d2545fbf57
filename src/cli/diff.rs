//! `diff`: the drift between two evidence commits, as markdown.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::Outcome;
use crate::config::Config;

/// GitHub's pull-request body limit.
const PR_BODY_LIMIT: usize = 65_536;

/// Show the control drift between two refs of the evidence repository.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  soc2-evidence diff main soc2-evidence/assessment --repo ./evidence-repo\n  soc2-evidence diff audit-2026-q1 main --out drift.md"
)]
pub struct Args {
    /// The approved evidence (branch, tag or commit).
    base: String,
    /// The new evidence.
    head: String,
    /// The evidence repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write the markdown here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Upper bound on the markdown's length in characters.
    #[arg(long, default_value_t = PR_BODY_LIMIT)]
    max_chars: usize,
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = super::open_store(&a.repo, &config.evidence.root)?;
    let base = store.read_snapshot(&a.base)?;
    let head = store.read_snapshot(&a.head)?;
    let drift = crate::drift::diff(&base, &head)?;
    let md = drift.to_markdown(a.max_chars);
    match a.out {
        Some(p) => {
            std::fs::write(&p, &md).with_context(|| format!("cannot write {}", p.display()))?;
            super::status!("{}", drift.title());
            super::status!("wrote {}", p.display());
        }
        None => super::out!("{md}"),
    }
    Ok(Outcome::Done)
}
