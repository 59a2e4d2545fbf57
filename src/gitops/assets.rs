//! What is derived from a commit of the evidence repository, the same way by whoever derives
//! it: the report PDF (with the drift since the previous release tag, or a Type 2 period view),
//! a release's three assets, and the check of a history's snapshots and manifest chain. The
//! `report`, `release` and `verify` commands and the release flow all call these, so a release
//! asset can be rebuilt by anyone with the public commands and compared byte for byte.

use chrono::{DateTime, Utc};
use git2::Oid;

use super::GitopsError;
use crate::drift::Drift;
use crate::evidence::chain::{self, Previous};
use crate::evidence::{self, Snapshot, bundle};
use crate::report::{PeriodRun, PeriodView, Rendered, ReportIdentity, ReportInput};
use crate::store::{EvidenceStore, StoreError};

/// Where the drift section of a report compares from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftBase {
    /// The nearest earlier tag whose commit holds evidence, if any.
    PreviousTag,
    Since(String),
    None,
}

/// What to render.
#[derive(Debug, Clone)]
pub struct ReportRequest<'a> {
    pub refname: &'a str,
    /// A Type 2 period: start, end (excluded) and the longest gap in hours without a run.
    pub period: Option<(DateTime<Utc>, DateTime<Utc>, i64)>,
    pub drift: DriftBase,
}

/// The PDF of the snapshot at `refname`, naming the commit it was built from, with the drift
/// since the previous release tag when there is one.
pub fn render(store: &EvidenceStore, refname: &str) -> Result<Vec<u8>, GitopsError> {
    let request = ReportRequest {
        refname,
        period: None,
        drift: DriftBase::PreviousTag,
    };
    Ok(build_report(store, &request)?.0.pdf)
}

/// Reads what the request needs from the store and renders it; also returns one line per
/// optional section saying what it covers. Everything shown comes from the repository's
/// commits (the organisation and system from the snapshot's `summary.json`), never from the
/// configuration, so the same commit gives the same bytes wherever it is rendered.
pub fn build_report(
    store: &EvidenceStore,
    req: &ReportRequest<'_>,
) -> Result<(Rendered, Vec<String>), GitopsError> {
    let mut notes = Vec::new();
    let (commit, snapshot, period) = match req.period {
        None => {
            let snapshot = store.read_snapshot(req.refname)?;
            let commit = store
                .resolve(req.refname)?
                .ok_or_else(|| store.missing_ref(req.refname))?;
            (commit, snapshot, None)
        }
        Some((from, to, max_gap)) => {
            let view = period_view(store, req.refname, from, to, max_gap)?;
            #[allow(
                clippy::expect_used,
                reason = "PeriodView::build refuses a period without runs"
            )]
            let last = view.runs.last().expect("a period view has a run");
            let commit = Oid::from_str(&last.commit)?;
            let snapshot = store
                .read_snapshot_at(commit)?
                .ok_or(GitopsError::NoEvidenceAt(commit))?;
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
                .ok_or_else(|| GitopsError::SinceNotFound(t.clone()))?;
            Some((t.clone(), oid))
        }
    };
    let drift: Option<(String, Drift)> = match base {
        None => None,
        Some((tag, oid)) => {
            let base = store
                .read_snapshot_at(oid)?
                .ok_or_else(|| GitopsError::NoEvidenceToCompare(tag.clone()))?;
            let drift =
                crate::drift::diff(&base, &snapshot).map_err(|source| GitopsError::Compare {
                    tag: tag.clone(),
                    source,
                })?;
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
) -> Result<PeriodView, GitopsError> {
    let mut runs = Vec::new();
    store.walk_evidence(refname, |oid, snapshot| -> Result<bool, GitopsError> {
        let run = PeriodRun::from_snapshot(&snapshot, oid.to_string()).map_err(|source| {
            GitopsError::PeriodRun {
                commit: oid,
                source,
            }
        })?;
        let before = run.as_of < from;
        runs.push(run);
        // The first run before the period gives the state carried into it; older ones are
        // not needed.
        Ok(!before)
    })?;
    Ok(PeriodView::build(from, to, runs, max_gap)?)
}

/// A release's three assets, derived from one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    pub pdf_name: String,
    pub pdf: Vec<u8>,
    pub bundle_name: String,
    pub bundle: Vec<u8>,
    /// `SHA256SUMS` of the PDF and the bundle.
    pub sums: String,
}

/// File-name-safe form of a tag: anything but `[A-Za-z0-9._-]` becomes `-` (GitHub renames
/// asset names with other characters).
pub fn file_part(tag: &str) -> String {
    tag.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Builds the assets of `commit` exactly as a release does; `verify` rebuilds them the same way.
/// They are a function of the commit (and the tags before it) alone, no configuration read, so
/// whoever rebuilds them gets the same bytes.
pub fn build_assets(
    store: &EvidenceStore,
    commit: Oid,
    snapshot: &Snapshot,
    tag: &str,
) -> Result<Assets, GitopsError> {
    // Exactly what `report --ref <commit>` renders (drift since the previous release tag
    // included), so anyone can re-derive the asset with the public command.
    let pdf = render(store, &commit.to_string())?;
    let bundle = bundle::build(snapshot, store.root());
    let pdf_name = format!("soc2-report-{}.pdf", file_part(tag));
    let bundle_name = format!("soc2-evidence-{}.tar.gz", file_part(tag));
    let sums = bundle::sha256sums(&[(&pdf_name, &pdf), (&bundle_name, &bundle)]);
    Ok(Assets {
        pdf_name,
        pdf,
        bundle_name,
        bundle,
        sums,
    })
}

/// What [`verify_history`] checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryCheck {
    /// Snapshots checked against their manifests.
    pub snapshots: usize,
    /// Manifest chain links found intact (a genesis is no link).
    pub links: usize,
    /// Every mismatch, naming the commit.
    pub problems: Vec<String>,
}

/// Checks every commit in the history of `head` that touches the evidence root: it holds a
/// manifest (evidence is never removed or changed without one), its files and described
/// fields match the manifest, and the manifest links to exactly its first parent's manifest
/// (or is an explicit genesis on a parent without evidence), never replacing newer evidence.
/// `refname` names `head` in the problems.
pub fn verify_history(
    store: &EvidenceStore,
    head: Oid,
    refname: &str,
) -> Result<HistoryCheck, StoreError> {
    let mut out = HistoryCheck::default();
    let problems = &mut out.problems;
    for ec in store.evidence_commits(head)? {
        let at = if ec.oid == head {
            format!("`{refname}`")
        } else {
            format!("commit {}", &ec.oid.to_string()[..12])
        };
        if ec.removes_evidence {
            problems.push(format!(
                "{at}: removes the evidence root `{}/` that its parent holds; evidence is never \
                 deleted",
                store.root()
            ));
            continue;
        }
        let Some(snap) = store.read_snapshot_at(ec.oid)? else {
            continue;
        };
        out.snapshots += 1;
        if !snap.files.contains_key(evidence::MANIFEST) {
            problems.push(format!(
                "{at}: changes the evidence without a {}: no snapshot may be recorded unhashed",
                evidence::MANIFEST
            ));
            continue;
        }
        let manifest = match snap.verify() {
            Ok(p) => {
                problems.extend(p.into_iter().map(|p| format!("{at}: {p}")));
                snap.manifest()
            }
            Err(e) => Err(e),
        };
        let manifest = match manifest {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        let parent_manifest = match (ec.parent, ec.parent_has_evidence) {
            (Some(p), true) => store.manifest_bytes_at(p)?,
            _ => None,
        };
        let previous = match (ec.parent_has_evidence, &parent_manifest) {
            (false, _) => Previous::NoEvidence,
            (true, Some(b)) => Previous::Manifest(b),
            (true, None) => Previous::NoManifest,
        };
        let link = chain::check_link(&manifest, previous);
        if link.is_empty() && !manifest.genesis {
            out.links += 1;
        }
        problems.extend(link.into_iter().map(|p| format!("{at}: {p}")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_safe_file_names() {
        assert_eq!(file_part("audit-2026-q1"), "audit-2026-q1");
        assert_eq!(file_part("audit/2026 q1+r"), "audit-2026-q1-r");
    }
}
