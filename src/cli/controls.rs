//! `controls list`: the 61 criteria with coverage kind and mapped checks.

use anyhow::Result;
use serde_json::json;

use super::Outcome;
use super::checks::Format;
use crate::checks::registry;
use crate::controls::{catalogue, coverage, index, inherited_reason};

/// List the Trust Services Criteria with their coverage and mapped checks.
///
/// Example: soc2-evidence controls list --format json
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// All 61 criteria.
    List {
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
    },
}

pub fn run(a: Args) -> Result<Outcome> {
    let Cmd::List { format } = a.cmd;
    let idx = index(registry());
    let rows: Vec<_> = catalogue()
        .iter()
        .map(|c| {
            let checks = idx.get(c.id.as_str()).cloned().unwrap_or_default();
            (c, coverage(&c.id, &idx), checks)
        })
        .collect();
    match format {
        Format::Json => {
            let all: Vec<_> = rows
                .iter()
                .map(|(c, cov, checks)| {
                    json!({
                        "id": c.id, "category": c.category, "title": c.title,
                        "coverage": cov, "checks": checks,
                        "inherited_reason": inherited_reason(&c.id),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        Format::Md => {
            println!("| id | category | coverage | checks | title |");
            println!("|---|---|---|---|---|");
            for (c, cov, checks) in rows {
                println!(
                    "| {} | {} | {} | {} | {} |",
                    c.id,
                    c.category.label(),
                    serde_json::to_value(cov)?.as_str().unwrap_or_default(),
                    checks.len(),
                    c.title
                );
            }
        }
    }
    Ok(Outcome::Done)
}
