//! `export`: the evidence at a ref as SARIF, OSCAL assessment-results, CSV or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::Outcome;
use crate::config::Config;
use crate::export::{self, Format};

/// Export the evidence at a ref as SARIF (GitHub code scanning), OSCAL assessment-results, CSV or
/// JSON. The same ref always gives the same bytes.
///
/// SARIF holds one result per failing finding (and per finding whose data was missing, as a
/// note), at most 25,000 (GitHub's limit; the most severe are kept and a warning says how many
/// were cut). OSCAL, CSV and JSON hold every finding.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    soc2-evidence export --format sarif --out soc2.sarif\n  \
    soc2-evidence export --format oscal --ref audit-2026-q1 --out assessment-results.json\n  \
    soc2-evidence export --format csv --repo ./evidence-repo > findings.csv\n  \
    soc2-evidence export --format csv --bom --out findings.csv   # for Excel\n  \
    soc2-evidence export --format json | jq '.findings[] | select(.status == \"fail\")'")]
pub struct Args {
    /// What to write.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Branch, tag or commit of the evidence repository.
    #[arg(long = "ref", default_value = "HEAD")]
    refname: String,
    /// The evidence repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present (for the evidence root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Start the CSV with a UTF-8 byte order mark (EF BB BF), so that Excel opens it as UTF-8
    /// instead of guessing a local code page and garbling non-ASCII names. CSV only.
    #[arg(long)]
    bom: bool,
}

/// The UTF-8 byte order mark, which Excel reads as "this CSV is UTF-8".
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
    /// OSCAL 1.2 assessment-results (JSON).
    Oscal,
    /// One row per finding, with criteria and remediation.
    Csv,
    /// Every finding as one canonical JSON document.
    Json,
}

impl From<ExportFormat> for Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Sarif => Format::Sarif,
            ExportFormat::Oscal => Format::Oscal,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Json => Format::Json,
        }
    }
}

pub fn run(a: Args) -> Result<Outcome> {
    if a.bom && a.format != ExportFormat::Csv {
        // A BOM would make the JSON formats invalid for most parsers: refuse rather than
        // write a file other tools reject.
        anyhow::bail!(
            "--bom applies to --format csv only (a byte order mark would break {})",
            Format::from(a.format).name()
        );
    }
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = super::open_store(&a.repo, &config.evidence.root)?;
    let snapshot = store.read_snapshot(&a.refname)?;
    let format = Format::from(a.format);
    let opts = export::Options {
        evidence_root: config.evidence.root.clone(),
    };
    let mut e = export::render(&snapshot, format, &opts)
        .with_context(|| format!("cannot export the evidence at `{}`", a.refname))?;
    if a.bom {
        e.bytes.splice(0..0, UTF8_BOM.iter().copied());
    }
    if e.omitted > 0 {
        // A warning, not progress: shown under --quiet too, since findings are missing.
        eprintln!(
            "warning: {} SARIF result(s) left out: GitHub code scanning accepts at most {} a \
             run; the {} most severe are kept",
            e.omitted,
            export::sarif::MAX_RESULTS,
            e.items
        );
    }
    match &a.out {
        Some(p) => {
            std::fs::write(p, &e.bytes).with_context(|| format!("cannot write {}", p.display()))?;
            super::status!(
                "wrote {} ({}, {} finding(s), {} bytes)",
                p.display(),
                format.name(),
                e.items,
                e.bytes.len()
            );
        }
        None => super::out!("{}", String::from_utf8_lossy(&e.bytes)),
    }
    if super::verbosity() > 0 {
        eprintln!(
            "exported the evidence at `{}` ({} finding(s) in {}, {} left out)",
            a.refname,
            e.items,
            format.name(),
            e.omitted
        );
    }
    Ok(Outcome::Done)
}
