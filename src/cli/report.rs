//! `report`: the audit PDF built from one committed snapshot, with the drift since the previous
//! release tag, or a Type 2 period report built from the evidence history of a branch.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, NaiveDate, Utc};

use super::Outcome;
use crate::config::Config;
use crate::drift::Drift;
use crate::report::period::DEFAULT_MAX_GAP_HOURS;
use crate::report::{PeriodRun, PeriodView, Rendered, ReportIdentity, ReportInput};
use crate::store::EvidenceStore;

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
    #[arg(long, default_value = "report.pdf")]
    out: PathBuf,
    #[arg(long, default_value = ".")]
    repo: PathBuf,
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

/// Where the drift section compares from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DriftBase {
    /// The nearest earlier tag whose commit holds evidence, if any.
    PreviousTag,
    Since(String),
    None,
}

/// What to render.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    pub refname: &'a str,
    pub period: Option<(DateTime<Utc>, DateTime<Utc>, i64)>,
    pub drift: DriftBase,
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = EvidenceStore::open(&a.repo, &config.evidence.root)
        .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
    let request = Request {
        refname: &a.refname,
        period: a.from.zip(a.to).map(|(f, t)| (f, t, a.max_gap_hours)),
        drift: match (a.since, a.no_drift) {
            (_, true) => DriftBase::None,
            (Some(t), false) => DriftBase::Since(t),
            (None, false) => DriftBase::PreviousTag,
        },
    };
    let (rendered, notes) = build(&store, &request)?;
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

/// The PDF of the snapshot at `refname`, naming the commit it was built from, with the drift
/// since the previous release tag when there is one.
pub(crate) fn render(store: &EvidenceStore, refname: &str) -> Result<Vec<u8>> {
    let request = Request {
        refname,
        period: None,
        drift: DriftBase::PreviousTag,
    };
    Ok(build(store, &request)?.0.pdf)
}

/// Reads what the request needs from the store and renders it; also returns one line per
/// optional section saying what it covers. Everything shown comes from the repository's
/// commits (the organisation and system from the snapshot's `summary.json`), never from the
/// configuration, so the same commit gives the same bytes wherever it is rendered.
pub(crate) fn build(store: &EvidenceStore, req: &Request<'_>) -> Result<(Rendered, Vec<String>)> {
    let mut notes = Vec::new();
    let (commit, snapshot, period) = match req.period {
        None => {
            let snapshot = store.read_snapshot(req.refname)?;
            let commit = store
                .resolve(req.refname)?
                .ok_or_else(|| anyhow!("ref `{}` not found", req.refname))?;
            (commit, snapshot, None)
        }
        Some((from, to, max_gap)) => {
            let view = period_view(store, req.refname, from, to, max_gap)?;
            let last = view.runs.last().expect("a period view has a run");
            let commit = git2::Oid::from_str(&last.commit)?;
            let snapshot = store
                .read_snapshot_at(commit)?
                .ok_or_else(|| anyhow!("commit {commit} holds no evidence"))?;
            notes.push(format!(
                "period {}: {} run(s), {} day(s) without a run, {} cadence gap(s) over {} h",
                view.label(),
                view.runs.len(),
                view.days_without_run,
                view.gaps.len(),
                view.max_gap_hours
            ));
            (commit, snapshot, Some(view))
        }
    };

    let base = match &req.drift {
        DriftBase::None => None,
        DriftBase::PreviousTag => store.previous_tag(commit)?,
        DriftBase::Since(t) => {
            let oid = store
                .resolve(t)?
                .ok_or_else(|| anyhow!("--since: ref `{t}` not found"))?;
            Some((t.clone(), oid))
        }
    };
    let drift: Option<(String, Drift)> = match base {
        None => None,
        Some((tag, oid)) => {
            let base = store
                .read_snapshot_at(oid)?
                .ok_or_else(|| anyhow!("`{tag}` holds no evidence to compare with"))?;
            let drift = crate::drift::diff(&base, &snapshot)
                .with_context(|| format!("cannot compare with the evidence of `{tag}`"))?;
            notes.push(format!("drift since {tag}: {}", drift.title()));
            Some((tag, drift))
        }
    };

    let identity = ReportIdentity::at(commit.to_string());
    let input = ReportInput {
        snapshot: &snapshot,
        identity: &identity,
        drift: drift.as_ref().map(|(t, d)| (t.as_str(), d)),
        period: period.as_ref(),
    };
    Ok((crate::report::render_with(&input)?, notes))
}

/// Walks the first-parent history of `refname` back to the last run before `from`, and builds
/// the period view from the runs found.
fn period_view(
    store: &EvidenceStore,
    refname: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max_gap: i64,
) -> Result<PeriodView> {
    let mut runs = Vec::new();
    store.walk_evidence(refname, |oid, snapshot| -> Result<bool> {
        let run = PeriodRun::from_snapshot(&snapshot, oid.to_string())
            .with_context(|| format!("cannot read the evidence of commit {oid}"))?;
        let before = run.as_of < from;
        runs.push(run);
        // The first run before the period gives the state carried into it; older ones are
        // not needed.
        Ok(!before)
    })?;
    Ok(PeriodView::build(from, to, runs, max_gap)?)
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
