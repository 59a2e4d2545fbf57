//! The report's content as plain data, built only from a [`Snapshot`] (organisation and system
//! included: `summary.json` records them), the [`ReportIdentity`] (the commit read) and the
//! optional drift and period view: no clock, no environment, no
//! catalogue lookups beyond what the snapshot records. Whatever the PDF shows comes from here,
//! so the report can never say more (or less) than the evidence it names by manifest sha256.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{PeriodView, ReportError, ReportIdentity, ReportInput};
use crate::attestations::{ControlAttestation, ManualCounts};
use crate::checks::{Counts, FindingStatus, Severity};
use crate::controls::{Category, ControlStatus, Coverage, Score};
use crate::drift::Drift;
use crate::evidence::{
    self, ChangeCounts, CheckFile, ControlFile, EvidenceError, MANIFEST, Manifest, SUMMARY,
    Snapshot, SourceGap, Summary,
};
use crate::model::{InventoryPart, Source};

/// What the cover page states: which evidence, about what, as of when, made by what.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub organisation: String,
    pub system: String,
    pub tenant_id: String,
    pub subscriptions: Vec<String>,
    /// Labels of the TSC categories assessed.
    pub categories: Vec<String>,
    /// The inventory's collection time (the manifest's and summary's `as_of`).
    pub as_of: DateTime<Utc>,
    /// The Type 2 period, when the report covers one (`as_of` is then its last run).
    pub period: Option<String>,
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

/// What the cover shows for an identity field: the value the evidence records, or that it
/// records none (evidence made before the organisation was recorded, or none configured).
fn recorded(value: &str) -> String {
    if value.trim().is_empty() {
        NOT_RECORDED.to_string()
    } else {
        value.to_string()
    }
}

/// The cover's text for an organisation or system the evidence does not name.
pub const NOT_RECORDED: &str = "(not recorded in the evidence)";

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
    /// Short title, from the criterion's evidence file.
    pub title: String,
    pub category: Category,
    pub coverage: Coverage,
    pub status: ControlStatus,
    /// Checks mapped to the criterion.
    pub mapped_checks: usize,
    /// Findings of the mapped checks, by status.
    pub findings: Counts,
    /// For manual criteria: the attestation block (attested, stale or unattested).
    pub attestation: Option<ControlAttestation>,
}

impl CriterionRow {
    /// The coverage matrix's status word: for a manual criterion its attestation state
    /// (`attested`, `stale`, `unattested`; the coverage column says `manual`), else the status.
    pub fn status_label(&self) -> &'static str {
        match (&self.attestation, self.status) {
            (Some(a), ControlStatus::Manual) => a.state.as_str(),
            (_, ControlStatus::NotApplicable) => "not applicable",
            (_, s) => s.as_str(),
        }
    }
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
    pub title: String,
    pub severity: Severity,
    pub failing: u64,
    /// Findings that pass, fail or error: what `failing` is a share of.
    pub evaluated: u64,
    /// Criteria the check is mapped to.
    pub criteria: Vec<String>,
}

/// Failing checks and findings of one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityCount {
    pub severity: Severity,
    pub checks: usize,
    pub findings: u64,
}

/// Criteria counted by status, over all 61.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub incomplete: usize,
    pub not_applicable: usize,
    pub manual: usize,
    pub inherited: usize,
}

impl StatusCounts {
    fn add(&mut self, s: ControlStatus) {
        match s {
            ControlStatus::Pass => self.pass += 1,
            ControlStatus::Fail => self.fail += 1,
            ControlStatus::Incomplete => self.incomplete += 1,
            ControlStatus::NotApplicable => self.not_applicable += 1,
            ControlStatus::Manual => self.manual += 1,
            ControlStatus::Inherited => self.inherited += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.incomplete + self.not_applicable + self.manual + self.inherited
    }

    /// (status, count) in the order the report shows them.
    pub fn parts(&self) -> [(ControlStatus, usize); 6] {
        [
            (ControlStatus::Pass, self.pass),
            (ControlStatus::Fail, self.fail),
            (ControlStatus::Incomplete, self.incomplete),
            (ControlStatus::NotApplicable, self.not_applicable),
            (ControlStatus::Manual, self.manual),
            (ControlStatus::Inherited, self.inherited),
        ]
    }
}

/// An accepted risk that turned a failing finding into a waived one, as the check file records
/// it; the report lists it, with owner and expiry, beside the finding it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub id: String,
    pub owner: String,
    pub reason: String,
    /// Expiry date as recorded (`YYYY-MM-DD`).
    pub expires: String,
}

/// A finding the report lists: failing, in error, or waived.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub resource_id: String,
    pub status: FindingStatus,
    pub reason: String,
    /// Observed values as `key = json`, in key order.
    pub observed: Vec<(String, String)>,
    /// `Some` when a valid waiver covers the failing finding.
    pub waiver: Option<Waiver>,
}

impl FindingRow {
    /// The status word shown: `waived` for a waived failure.
    pub fn status_text(&self) -> &'static str {
        if self.waiver.is_some() {
            "waived"
        } else {
            self.status.as_str()
        }
    }
}

/// A check as the per-criterion sections show it, with its listed findings.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDetail {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub status: FindingStatus,
    pub counts: Counts,
    /// Failing findings first, then erroring, then waived ones; each by resource id. No cap.
    pub findings: Vec<FindingRow>,
}

/// One automated criterion in detail.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionSection {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub status: ControlStatus,
    pub counts: Counts,
    /// Ids of the mapped checks (details in [`ReportModel::checks`]), by id.
    pub checks: Vec<String>,
}

/// What the methodology section states about how the evidence was produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Methodology {
    /// Every inventory source with its provenance, in evidence order (part, then name).
    pub sources: Vec<Source>,
    /// Distinct identities the sources were read with.
    pub identities: Vec<String>,
    /// The check settings recorded in `summary.json`, as `key = value`.
    pub settings: Vec<(String, String)>,
    pub change_events: ChangeCounts,
    pub automated: usize,
    /// Manual criteria: id and title.
    pub manual: Vec<(String, String)>,
    /// Inherited criteria: id, title and the reason they are Azure's.
    pub inherited: Vec<(String, String, String)>,
}

/// The evidence manifest, as the appendix lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Appendix {
    pub manifest_sha256: String,
    /// Manifest fields other than the file list, as label and value.
    pub fields: Vec<(String, String)>,
    /// Every evidence file and its sha256, by path.
    pub files: Vec<(String, String)>,
}

/// The drift from a previous release tag to this snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSince {
    pub tag: String,
    pub drift: Drift,
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
    pub status_counts: StatusCounts,
    /// Manual criteria by attestation state.
    pub manual: ManualCounts,
    /// Findings of all checks by status.
    pub findings: Counts,
    /// Most severe first, then by check id.
    pub failing_checks: Vec<FailingCheck>,
    /// Critical to low, every severity listed.
    pub by_severity: Vec<SeverityCount>,
    /// Automated criteria in catalogue order.
    pub sections: Vec<CriterionSection>,
    /// Every check with its listed findings, by id.
    pub checks: Vec<CheckDetail>,
    /// Inventory sources that could not be read in full; their checks show `error` findings.
    pub gaps: Vec<SourceGap>,
    pub methodology: Methodology,
    pub drift: Option<DriftSince>,
    pub period: Option<PeriodView>,
    pub appendix: Appendix,
}

impl ReportModel {
    /// Builds the model from a snapshot. Fails when a file is missing or invalid, when the files
    /// do not match the manifest, or when the summary contradicts the manifest.
    pub fn build(snapshot: &Snapshot, identity: &ReportIdentity) -> Result<Self, ReportError> {
        Self::build_with(&ReportInput::new(snapshot, identity))
    }

    /// Builds the model with the optional drift and period sections. A period view must end
    /// with the snapshot reported, so the cover, the detail and the timeline agree.
    pub fn build_with(input: &ReportInput<'_>) -> Result<Self, ReportError> {
        let snapshot = input.snapshot;
        let identity = input.identity;
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
        if let Some(p) = input.period {
            let last = p.runs.last().map(|r| r.manifest_sha256.as_str());
            if last != Some(manifest_sha256.as_str()) {
                return Err(ReportError::Inconsistent(format!(
                    "the period view ends with manifest {} but the report is of manifest \
                     {manifest_sha256}",
                    last.unwrap_or("(none)")
                )));
            }
        }
        if let Some((tag, d)) = input.drift
            && d.head_as_of != manifest.as_of
        {
            return Err(ReportError::Inconsistent(format!(
                "the drift since {tag} ends at {} but the report is as of {}",
                d.head_as_of.to_rfc3339(),
                manifest.as_of.to_rfc3339()
            )));
        }

        let controls = snapshot.controls()?;
        // Each check file reduced to what the report shows of it (failing, erroring and
        // waived findings), and its title and criteria.
        let check_files: Vec<(CheckDetail, Vec<String>)> =
            snapshot.map_checks(|f| (check_detail(&f), f.criteria))?;
        let control = |id: &str| {
            controls
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| EvidenceError::Missing {
                    file: evidence::control_path(id),
                })
        };

        let mut criteria = Vec::new();
        let mut sections = Vec::new();
        let mut status_counts = StatusCounts::default();
        for c in &summary.criteria {
            let file = control(&c.id)?;
            status_counts.add(c.status);
            criteria.push(CriterionRow {
                id: c.id.clone(),
                title: file.title.clone(),
                category: c.category,
                coverage: c.coverage,
                status: c.status,
                mapped_checks: file.checks.len(),
                findings: file.counts,
                attestation: file.attestation.clone(),
            });
            if c.coverage == Coverage::Automated {
                let mut checks: Vec<String> =
                    file.checks.iter().map(|m| m.check_id.clone()).collect();
                checks.sort();
                sections.push(CriterionSection {
                    id: c.id.clone(),
                    title: file.title.clone(),
                    category: c.category,
                    status: c.status,
                    counts: file.counts,
                    checks,
                });
            }
        }

        let (checks, criteria_of): (Vec<CheckDetail>, Vec<Vec<String>>) =
            check_files.into_iter().unzip();
        for s in &sections {
            for id in &s.checks {
                if !checks.iter().any(|c| &c.id == id) {
                    return Err(EvidenceError::Missing {
                        file: evidence::check_path(id),
                    }
                    .into());
                }
            }
        }

        let mut failing_checks: Vec<FailingCheck> = summary
            .checks
            .iter()
            .filter(|c| c.counts.fail > 0)
            .map(|c| {
                let file = checks.iter().position(|f| f.id == c.id);
                FailingCheck {
                    id: c.id.clone(),
                    title: file.map(|i| checks[i].title.clone()).unwrap_or_default(),
                    severity: c.severity,
                    failing: c.counts.fail,
                    evaluated: c.counts.pass + c.counts.fail + c.counts.error,
                    criteria: file.map(|i| criteria_of[i].clone()).unwrap_or_default(),
                }
            })
            .collect();
        failing_checks.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
        let by_severity = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .into_iter()
        .map(|severity| {
            let of = failing_checks.iter().filter(|c| c.severity == severity);
            SeverityCount {
                severity,
                checks: of.clone().count(),
                findings: of.map(|c| c.failing).sum(),
            }
        })
        .collect();

        let methodology = methodology(snapshot, &summary, &criteria, &controls)?;
        let categories_in_scope = summary.categories.iter().map(|c| c.label.clone()).collect();

        Ok(ReportModel {
            cover: Cover {
                organisation: recorded(&summary.organisation.name),
                system: recorded(&summary.organisation.system),
                tenant_id: manifest.tenant_id.clone(),
                subscriptions: manifest.subscriptions.clone(),
                categories: categories_in_scope,
                as_of: manifest.as_of,
                period: input.period.map(PeriodView::label),
                manifest_sha256: manifest_sha256.clone(),
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
            status_counts,
            manual: summary.manual,
            findings: summary.findings,
            failing_checks,
            by_severity,
            sections,
            checks,
            gaps: summary.gaps.clone(),
            methodology,
            drift: input.drift.map(|(tag, d)| DriftSince {
                tag: tag.to_string(),
                drift: d.clone(),
            }),
            period: input.period.cloned(),
            appendix: appendix(&manifest, manifest_sha256),
        })
    }

    pub fn check(&self, id: &str) -> Option<&CheckDetail> {
        self.checks
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.checks[i])
    }

    /// The report id: the first 12 hex digits of the manifest sha256.
    pub fn report_id(&self) -> &str {
        let sha = &self.cover.manifest_sha256;
        &sha[..sha.len().min(12)]
    }
}

fn check_detail(f: &CheckFile) -> CheckDetail {
    let mut findings: Vec<FindingRow> = f
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                FindingStatus::Fail | FindingStatus::Error | FindingStatus::Waived
            )
        })
        .map(|r| FindingRow {
            resource_id: r.resource_id.clone(),
            status: r.status,
            reason: r.reason.clone(),
            observed: r
                .observed
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            waiver: r.waiver.as_ref().map(|w| Waiver {
                id: w.id.clone(),
                owner: w.owner.clone(),
                reason: w.reason.clone(),
                expires: w.expires.to_string(),
            }),
        })
        .collect();
    // Failures first, then errors, then waived; results are already sorted by resource id and
    // the sort is stable.
    findings.sort_by_key(|r| match r.status {
        FindingStatus::Fail => 0,
        FindingStatus::Error => 1,
        _ => 2,
    });
    CheckDetail {
        id: f.id.clone(),
        title: f.title.clone(),
        severity: f.severity,
        status: f.status,
        counts: f.counts,
        findings,
    }
}

fn methodology(
    snapshot: &Snapshot,
    summary: &Summary,
    criteria: &[CriterionRow],
    controls: &[ControlFile],
) -> Result<Methodology, ReportError> {
    let mut sources: Vec<Source> = Vec::new();
    for part in InventoryPart::ALL {
        let path = evidence::inventory_path(part);
        let bytes = snapshot
            .files
            .get(&path)
            .ok_or_else(|| EvidenceError::Missing { file: path.clone() })?;
        let header: InventoryHeader = evidence::parse_json(&path, bytes)?;
        sources.extend(header.provenance);
    }
    let mut identities: Vec<String> = sources.iter().filter_map(|s| s.identity.clone()).collect();
    identities.sort();
    identities.dedup();

    let settings = match serde_json::to_value(&summary.settings) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, setting_text(&v)))
            .collect(),
        _ => Vec::new(),
    };

    let title = |id: &str| {
        criteria
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title.clone())
            .unwrap_or_default()
    };
    let manual = criteria
        .iter()
        .filter(|c| c.coverage == Coverage::Manual)
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    let inherited = controls
        .iter()
        .filter(|c| c.coverage == Coverage::Inherited)
        .map(|c| {
            (
                c.id.clone(),
                title(&c.id),
                c.inherited_reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(Methodology {
        sources,
        identities,
        settings,
        change_events: summary.change_events,
        automated: criteria
            .iter()
            .filter(|c| c.coverage == Coverage::Automated)
            .count(),
        manual,
        inherited,
    })
}

/// Just the provenance of an inventory file; its data is not needed for the methodology.
#[derive(serde::Deserialize)]
struct InventoryHeader {
    provenance: Vec<Source>,
}

fn setting_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) if items.is_empty() => "(none)".to_string(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn appendix(m: &Manifest, manifest_sha256: String) -> Appendix {
    let t = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let fields = [
        ("Schema version", m.schema_version.to_string()),
        ("Tool", format!("{} {}", m.tool.name, m.tool.version)),
        ("Check catalogue", m.catalogue_version.clone()),
        ("Criteria", m.criteria_edition.clone()),
        ("Tenant", m.tenant_id.clone()),
        ("As of", t(&m.as_of)),
        ("Subscriptions", m.subscriptions.join(", ")),
        ("Run id", m.run.run_id.clone()),
        ("Run started", t(&m.run.started_at)),
        ("Run finished", t(&m.run.finished_at)),
        (
            "Previous manifest",
            m.previous_manifest_sha256
                .clone()
                .unwrap_or_else(|| "none (first snapshot of the chain)".to_string()),
        ),
        ("Files", m.files.len().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Appendix {
        manifest_sha256,
        fields,
        files: m
            .files
            .iter()
            .map(|(p, h)| (p.clone(), h.clone()))
            .collect(),
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
        snapshot_of("Contoso Ltd", "Payments platform")
    }

    /// The test snapshot, with `organisation` and `system` recorded in its summary.
    pub(crate) fn snapshot_of(organisation: &str, system: &str) -> Snapshot {
        let inv = testutil::inventory(vec![testutil::fixture_resource(
            "storage/storage_accounts_list.2025-06-01.json",
            0,
        )]);
        let run = RunMeta {
            run_id: "r1".into(),
            started_at: Utc.with_ymd_and_hms(2026, 11, 1, 6, 5, 0).unwrap(),
            finished_at: Utc.with_ymd_and_hms(2026, 11, 1, 6, 6, 0).unwrap(),
        };
        let inputs = crate::assess::RepoInputs {
            organisation: crate::evidence::OrganisationInfo {
                name: organisation.into(),
                system: system.into(),
            },
            ..Default::default()
        };
        crate::evidence::assess_with(&inv, &Default::default(), &inputs, run, None).unwrap()
    }

    pub(crate) fn identity() -> ReportIdentity {
        ReportIdentity::at("0123456789abcdef0123456789abcdef01234567")
    }

    #[test]
    fn the_cover_names_what_the_summary_records() {
        let m = ReportModel::build(&snapshot(), &identity()).unwrap();
        assert_eq!(m.cover.organisation, "Contoso Ltd");
        assert_eq!(m.cover.system, "Payments platform");
        let m = ReportModel::build(&snapshot_of("", " "), &ReportIdentity::default()).unwrap();
        assert_eq!(m.cover.organisation, NOT_RECORDED);
        assert_eq!(m.cover.system, NOT_RECORDED);
        assert_eq!(m.cover.commit, None);
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
        assert_eq!(
            m.by_severity.iter().map(|s| s.findings).sum::<u64>(),
            summary.findings.fail
        );
        assert_eq!(m.status_counts.total(), 61);

        // Detail: one section per automated criterion, and every failing or erroring result
        // of every check, with no waiver invented.
        let automated = m
            .criteria
            .iter()
            .filter(|c| c.coverage == Coverage::Automated)
            .count();
        assert_eq!(m.sections.len(), automated);
        for f in s.checks().unwrap() {
            let d = m.check(&f.id).unwrap();
            let listed = f
                .results
                .iter()
                .filter(|r| {
                    matches!(
                        r.status,
                        FindingStatus::Fail | FindingStatus::Error | FindingStatus::Waived
                    )
                })
                .count();
            assert_eq!(d.findings.len(), listed, "{}", f.id);
            assert!(d.findings.iter().all(|r| r.waiver.is_none()));
        }

        // Methodology and appendix come from the inventory files and the manifest.
        assert!(!m.methodology.sources.is_empty());
        assert_eq!(
            m.methodology
                .inherited
                .iter()
                .map(|i| i.0.as_str())
                .collect::<Vec<_>>(),
            ["CC6.4"]
        );
        assert!(m.methodology.inherited[0].2.contains("Microsoft"));
        assert!(
            m.methodology
                .settings
                .iter()
                .any(|(k, v)| k == "required_tags" && v == "data-classification")
        );
        let manifest = s.manifest().unwrap();
        assert_eq!(m.appendix.files.len(), manifest.files.len());
        assert_eq!(m.report_id(), &m.cover.manifest_sha256[..12]);
    }

    #[test]
    fn drift_must_end_at_the_reported_snapshot() {
        let s = snapshot();
        let id = identity();
        let mut drift = crate::drift::diff(&s, &s).unwrap();
        drift.head_as_of -= chrono::Duration::days(1);
        let input = ReportInput {
            drift: Some(("v1", &drift)),
            ..ReportInput::new(&s, &id)
        };
        let e = ReportModel::build_with(&input).unwrap_err();
        assert!(matches!(e, ReportError::Inconsistent(_)), "{e}");
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
