//! `report`: the audit PDF built from one committed snapshot.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::Outcome;
use crate::config::Config;
use crate::report::ReportIdentity;
use crate::store::EvidenceStore;

/// Build the PDF report from the evidence at a ref. The same ref always gives the same bytes.
///
/// Example: soc2-evidence report --ref main --out report.pdf --repo ./evidence-repo
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Branch, tag or commit of the evidence repository.
    #[arg(long = "ref", default_value = "HEAD")]
    refname: String,
    #[arg(long, default_value = "report.pdf")]
    out: PathBuf,
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = EvidenceStore::open(&a.repo, &config.evidence.root)
        .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
    let pdf = render(&store, &a.refname, &config)?;
    std::fs::write(&a.out, pdf).with_context(|| format!("cannot write {}", a.out.display()))?;
    println!("wrote {}", a.out.display());
    Ok(Outcome::Done)
}

/// The PDF of the snapshot at `refname`, naming the commit it was built from.
pub(crate) fn render(store: &EvidenceStore, refname: &str, config: &Config) -> Result<Vec<u8>> {
    let snapshot = store.read_snapshot(refname)?;
    let commit = store.resolve(refname)?.map(|o| o.to_string());
    let identity = ReportIdentity {
        organisation: config.organisation.name.clone(),
        system: config.organisation.system.clone(),
        commit,
    };
    Ok(crate::report::render(&snapshot, &identity)?)
}
