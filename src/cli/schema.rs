//! `schema`: write the JSON Schemas of every evidence file kind.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::Outcome;

/// Write JSON Schemas for every evidence file kind, `inventory.json` and the configuration
/// (`soc2-evidence.toml.schema.json`).
///
/// Example: soc2-evidence schema --out evidence-schema
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  soc2-evidence schema --out evidence-schema")]
pub struct Args {
    #[arg(long, default_value = "evidence-schema")]
    out: PathBuf,
}

pub fn run(a: Args) -> Result<Outcome> {
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    for (name, bytes) in crate::evidence::schema::all() {
        let p = a.out.join(&name);
        std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))?;
        super::status!("wrote {}", p.display());
    }
    Ok(Outcome::Done)
}
