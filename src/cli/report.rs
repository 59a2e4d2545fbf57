//! `report`: the audit PDF built from one committed snapshot, with the drift since the previous
//! release tag, or a Type 2 period report built from the evidence history of a branch.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::Outcome;
use crate::config::Config;
use crate::gitops::assets::{DriftBase, ReportRequest, build_report};
use crate::report::period::DEFAULT_MAX_GAP_HOURS;

/// Build the PDF report from the evidence at a ref. The same ref always gives the same bytes.
///
/// With --from and --to, a Type 2 period report: every run recorded on the ref's first-parent
/// history in the period, a status timeline per criterion, days failing and cadence gaps; the
/// detail sections show the last run of the period.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  soc2-evidence report --ref main --out report.pdf --repo ./evidence-repo\n  soc2-evidence report --ref main --from 2026-01-01 --to 2026-06-30 --out type2.pdf"
)]
pub struct Args {
    /// Branch, tag or commit of the evidence repository.
    #[arg(long = "ref", default_value = "HEAD")]
    refname: String,
    /// Where to write the PDF.
    #[arg(long, default_value = "report.pdf")]
    out: PathBuf,
    /// The evidence repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start of a Type 2 period: a date (UTC midnight) or an RFC 3339 time.
    #[arg(long, requires = "to", value_parser = parse_from)]
    from: Option<DateTime<Utc>>,
    /// End of the period: a date (the whole day is included) or an RFC 3339 time (excluded).
    #[arg(long, requires = "from", value_parser = parse_to)]
    to: Option<DateTime<Utc>>,
    /// Longest stretch without a run, in hours, before the period view flags a cadence gap.
    #[arg(long, default_value_t = DEFAULT_MAX_GAP_HOURS)]
    max_gap_hours: i64,
    /// Show the drift since this tag (or any ref) instead of the previous release tag.
    #[arg(long, conflicts_with = "no_drift")]
    since: Option<String>,
    /// Leave out the drift section.
    #[arg(long)]
    no_drift: bool,
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = super::open_store(&a.repo, &config.evidence.root)?;
    let request = ReportRequest {
        refname: &a.refname,
        period: a.from.zip(a.to).map(|(f, t)| (f, t, a.max_gap_hours)),
        drift: match (a.since, a.no_drift) {
            (_, true) => DriftBase::None,
            (Some(t), false) => DriftBase::Since(t),
            (None, false) => DriftBase::PreviousTag,
        },
    };
    let (rendered, notes) = build_report(&store, &request)?;
    std::fs::write(&a.out, &rendered.pdf)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    super::status!(
        "wrote {} ({} pages, {} bytes)",
        a.out.display(),
        rendered.pages,
        rendered.pdf.len()
    );
    for n in notes {
        super::status!("  {n}");
    }
    Ok(Outcome::Done)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{s}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"))
}

fn parse_from(s: &str) -> Result<DateTime<Utc>, String> {
    match parse_date(s) {
        Some(d) => Ok(d.and_time(chrono::NaiveTime::MIN).and_utc()),
        None => parse_time(s),
    }
}

/// A date ends the period after that whole day.
fn parse_to(s: &str) -> Result<DateTime<Utc>, String> {
    match parse_date(s) {
        Some(d) => d
            .succ_opt()
            .map(|n| n.and_time(chrono::NaiveTime::MIN).and_utc())
            .ok_or_else(|| format!("`{s}` is the last representable date")),
        None => parse_time(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds() {
        assert_eq!(
            parse_from("2026-11-01").unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_to("2026-11-30").unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_to("2026-11-30T12:00:00+01:00").unwrap().to_rfc3339(),
            "2026-11-30T11:00:00+00:00"
        );
        assert!(parse_from("30/11/2026").unwrap_err().contains("YYYY-MM-DD"));
    }
}
