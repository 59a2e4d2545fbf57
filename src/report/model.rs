//! The report's content as plain data, built only from a [`Snapshot`] and the
//! [`ReportIdentity`]: no clock, no environment, no catalogue lookups beyond what the snapshot
//! records. Whatever the PDF shows comes from here, so the report can never say more (or less)
//! than the evidence it names by manifest sha256.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{ReportError, ReportIdentity};
use crate::checks::{Counts, Severity};
use crate::controls::{Category, ControlStatus, Coverage, Score};
use crate::evidence::{self, EvidenceError, MANIFEST, SUMMARY, Snapshot, SourceGap};

/// What the cover page states: which evidence, about what, as of when, made by what.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub organisation: String,
    pub system: String,
    pub tenant_id: String,
    pub subscriptions: Vec<String>,
    /// The inventory's collection time (the manifest's and summary's `as_of`).
    pub as_of: DateTime<Utc>,
    pub manifest_sha256: String,
    /// The hash-chain link to the snapshot this one was built on; `None` for the first.
    pub previous_manifest_sha256: Option<String>,
    pub commit: Option<String>,
    pub tool_name: String,
    pub tool_version: String,
    pub criteria_edition: String,
    pub catalogue_version: String,
}

impl Cover {
    /// `as_of` as RFC 3339 in UTC to the second, the form the evidence files use.
    pub fn as_of_text(&self) -> String {
        self.as_of.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// One line of the scores table: a category (or the overall row) and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    pub label: String,
    pub score: Score,
}

impl ScoreRow {
    /// Automated criteria passing / evaluated, e.g. `3/5`.
    pub fn criteria_ratio(&self) -> String {
        format!(
            "{}/{}",
            self.score.criteria_passing, self.score.criteria_evaluated
        )
    }
    pub fn criteria_percent(&self) -> String {
        percent(self.score.criteria_score)
    }
    /// Findings passing / evaluated (pass, fail or error), e.g. `30/40`.
    pub fn findings_ratio(&self) -> String {
        format!(
            "{}/{}",
            self.score.findings_passing, self.score.findings_evaluated
        )
    }
    pub fn findings_percent(&self) -> String {
        percent(self.score.findings_score)
    }
}

/// A score as the report prints it: one decimal, or `n/a` when nothing was evaluated (a
/// missing score must never read as 0% or 100%).
pub fn percent(score: Option<f64>) -> String {
    match score {
        Some(p) => format!("{p:.1}%"),
        None => "n/a".to_string(),
    }
}

/// One criterion, as listed in the criteria table.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRow {
    pub id: String,
    pub category: Category,
    pub coverage: Coverage,
    pub status: ControlStatus,
    /// Checks mapped to the criterion.
    pub mapped_checks: usize,
    /// Findings of the mapped checks, by status.
    pub findings: Counts,
}

impl CriterionRow {
    pub fn category_label(&self) -> &'static str {
        self.category.label()
    }
    pub fn coverage_text(&self) -> &'static str {
        coverage_text(self.coverage)
    }
    pub fn status_text(&self) -> &'static str {
        self.status.as_str()
    }
}

/// The spelling the evidence files use, so a reader can search the JSON for what the PDF says.
pub fn coverage_text(c: Coverage) -> &'static str {
    match c {
        Coverage::Automated => "automated",
        Coverage::Manual => "manual",
        Coverage::Inherited => "inherited",
    }
}

/// A check with at least one failing finding.
#[derive(Debug, Clone, PartialEq)]
pub struct FailingCheck {
    pub id: String,
    pub severity: Severity,
    pub failing: u64,
    /// Findings that pass, fail or error: what `failing` is a share of.
    pub evaluated: u64,
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportModel {
    pub cover: Cover,
    pub overall: ScoreRow,
    /// In the summary's order (the catalogue's category order).
    pub categories: Vec<ScoreRow>,
    /// Every criterion in the summary, in catalogue order.
    pub criteria: Vec<CriterionRow>,
    /// Most severe first, then by check id.
    pub failing_checks: Vec<FailingCheck>,
    /// Inventory sources that could not be read in full; their checks show `error` findings.
    pub gaps: Vec<SourceGap>,
}

impl ReportModel {
    /// Builds the model from a snapshot. Fails when a file is missing or invalid, when the files
    /// do not match the manifest, or when the summary contradicts the manifest.
    pub fn build(snapshot: &Snapshot, identity: &ReportIdentity) -> Result<Self, ReportError> {
        let manifest = snapshot.manifest()?;
        let summary = snapshot.summary()?;
        let problems = snapshot.verify()?;
        if !problems.is_empty() {
            return Err(ReportError::Unverified(problems));
        }
        let manifest_sha256 = snapshot
            .manifest_sha256()
            .ok_or_else(|| EvidenceError::Missing {
                file: MANIFEST.to_string(),
            })?;
        // The cover states one tenant and one time; both files must agree on them.
        if summary.as_of != manifest.as_of {
            return Err(contradiction(
                "as_of",
                summary.as_of.to_rfc3339(),
                manifest.as_of.to_rfc3339(),
            )
            .into());
        }
        if summary.tenant_id != manifest.tenant_id {
            return Err(contradiction(
                "tenant_id",
                summary.tenant_id.clone(),
                manifest.tenant_id.clone(),
            )
            .into());
        }

        let controls = snapshot.controls()?;
        let criteria = summary
            .criteria
            .iter()
            .map(|c| {
                let file = controls.iter().find(|f| f.id == c.id).ok_or_else(|| {
                    EvidenceError::Missing {
                        file: evidence::control_path(&c.id),
                    }
                })?;
                Ok(CriterionRow {
                    id: c.id.clone(),
                    category: c.category,
                    coverage: c.coverage,
                    status: c.status,
                    mapped_checks: file.checks.len(),
                    findings: file.counts,
                })
            })
            .collect::<Result<Vec<_>, EvidenceError>>()?;

        let mut failing_checks: Vec<FailingCheck> = summary
            .checks
            .iter()
            .filter(|c| c.counts.fail > 0)
            .map(|c| FailingCheck {
                id: c.id.clone(),
                severity: c.severity,
                failing: c.counts.fail,
                evaluated: c.counts.pass + c.counts.fail + c.counts.error,
            })
            .collect();
        failing_checks.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));

        Ok(ReportModel {
            cover: Cover {
                organisation: identity.organisation.clone(),
                system: identity.system.clone(),
                tenant_id: manifest.tenant_id.clone(),
                subscriptions: manifest.subscriptions.clone(),
                as_of: manifest.as_of,
                manifest_sha256,
                previous_manifest_sha256: manifest.previous_manifest_sha256.clone(),
                commit: identity.commit.clone(),
                tool_name: manifest.tool.name.clone(),
                tool_version: manifest.tool.version.clone(),
                criteria_edition: manifest.criteria_edition.clone(),
                catalogue_version: manifest.catalogue_version.clone(),
            },
            overall: ScoreRow {
                label: "Overall".to_string(),
                score: summary.overall,
            },
            categories: summary
                .categories
                .iter()
                .map(|c| ScoreRow {
                    label: c.label.clone(),
                    score: c.score,
                })
                .collect(),
            criteria,
            failing_checks,
            gaps: summary.gaps,
        })
    }
}

fn contradiction(field: &str, summary: String, manifest: String) -> EvidenceError {
    EvidenceError::Invalid {
        file: SUMMARY.to_string(),
        path: field.to_string(),
        message: format!("{summary} contradicts the manifest's {manifest}"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checks::testutil;
    use crate::evidence::RunMeta;
    use chrono::TimeZone;

    pub(crate) fn snapshot() -> Snapshot {
        let inv = testutil::inventory(vec![testutil::fixture_resource(
            "storage/storage_accounts_list.2025-06-01.json",
            0,
        )]);
        let run = RunMeta {
            run_id: "r1".into(),
            started_at: Utc.with_ymd_and_hms(2026, 11, 1, 6, 5, 0).unwrap(),
            finished_at: Utc.with_ymd_and_hms(2026, 11, 1, 6, 6, 0).unwrap(),
        };
        crate::checks::testutil::snapshot(&inv, run)
    }

    pub(crate) fn identity() -> ReportIdentity {
        ReportIdentity {
            organisation: "Contoso Ltd".into(),
            system: "Payments platform".into(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        }
    }

    #[test]
    fn model_mirrors_the_snapshot() {
        let s = snapshot();
        let m = ReportModel::build(&s, &identity()).unwrap();
        let summary = s.summary().unwrap();
        assert_eq!(m.cover.tenant_id, "tenant-1");
        assert_eq!(m.cover.subscriptions, vec!["sub-a", "sub-b"]);
        assert_eq!(m.cover.as_of_text(), "2026-11-01T06:00:00Z");
        assert_eq!(m.cover.manifest_sha256, s.manifest_sha256().unwrap());
        assert_eq!(m.criteria.len(), 61);
        assert_eq!(m.criteria[0].id, summary.criteria[0].id);
        assert_eq!(m.categories.len(), Category::ALL.len());
        assert_eq!(m.overall.score, summary.overall);
        let cc64 = m.criteria.iter().find(|c| c.id == "CC6.4").unwrap();
        assert_eq!(cc64.status_text(), "inherited");
        // The fixture account allows plain HTTP, so its check fails and is listed.
        assert!(
            m.failing_checks
                .iter()
                .any(|c| c.id == "storage_secure_transfer_required" && c.failing == 1)
        );
        let sev: Vec<Severity> = m.failing_checks.iter().map(|c| c.severity).collect();
        let mut sorted = sev.clone();
        sorted.sort();
        assert_eq!(sev, sorted);
    }

    #[test]
    fn missing_scores_read_na_not_zero() {
        assert_eq!(percent(None), "n/a");
        assert_eq!(percent(Some(0.0)), "0.0%");
        assert_eq!(percent(Some(66.7)), "66.7%");
    }

    #[test]
    fn tampered_or_incomplete_snapshots_are_errors() {
        let mut s = snapshot();
        s.files.remove("controls/CC6.1.json");
        let e = ReportModel::build(&s, &identity()).unwrap_err();
        assert!(matches!(e, ReportError::Unverified(_)), "{e}");

        let mut s = snapshot();
        s.files.remove(MANIFEST);
        let e = ReportModel::build(&s, &identity()).unwrap_err();
        assert!(
            matches!(e, ReportError::Evidence(EvidenceError::Missing { .. })),
            "{e}"
        );
    }
}
