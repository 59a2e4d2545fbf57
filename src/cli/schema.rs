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
    /// The directory to write the schemas into (created if absent).
    #[arg(long, default_value = "evidence-schema")]
    out: PathBuf,
}

/// `(file name, canonical bytes)` of every schema `schema` writes: the evidence and inventory
/// schemas, then the configuration's. The configuration is the CLI's input, so its schema is
/// listed here rather than by `evidence`, which knows nothing of configuration.
pub fn all() -> Vec<(String, Vec<u8>)> {
    let mut all = crate::evidence::schema::all();
    // Not an evidence file: the configuration, for editors and CI linting of
    // `soc2-evidence.toml` (e.g. taplo or Even Better TOML with a `#:schema` directive).
    all.push(crate::evidence::schema::one::<crate::config::Config>(
        "soc2-evidence.toml",
    ));
    all
}

pub fn run(a: Args) -> Result<Outcome> {
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    for (name, bytes) in all() {
        let p = a.out.join(&name);
        std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))?;
        super::status!("wrote {}", p.display());
    }
    Ok(Outcome::Done)
}
