//! `checks list`: the check catalogue as markdown or JSON.

use anyhow::Result;
use serde_json::json;

use super::Outcome;
use crate::checks::registry;

/// List the check catalogue.
///
/// Example: soc2-evidence checks list --format md > docs/checks.md
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Every check with its severity, target, criteria and CIS references.
    List {
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
}

pub fn run(a: Args) -> Result<Outcome> {
    let Cmd::List { format } = a.cmd;
    match format {
        Format::Json => {
            let all: Vec<_> = registry()
                .iter()
                .map(|c| {
                    let m = &c.meta;
                    json!({
                        "id": m.id, "title": m.title, "service": m.service,
                        "severity": m.severity, "target": c.target().describe(),
                        "criteria": m.criteria, "cis": m.cis,
                        "description": m.description, "rationale": m.rationale,
                        "remediation": m.remediation, "sources": m.sources,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        Format::Md => {
            println!("| id | severity | target | criteria | CIS | title |");
            println!("|---|---|---|---|---|---|");
            for c in registry() {
                let m = &c.meta;
                println!(
                    "| `{}` | {} | {} | {} | {} | {} |",
                    m.id,
                    m.severity.as_str(),
                    c.target().describe(),
                    m.criteria.join(", "),
                    m.cis.join(", "),
                    m.title
                );
            }
        }
    }
    Ok(Outcome::Done)
}
