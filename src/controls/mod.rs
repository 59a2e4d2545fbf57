//! The AICPA 2017 Trust Services Criteria catalogue (all 61), the coverage kind of each
//! criterion, the reverse index criterion → checks (derived from the check registry, never kept
//! by hand), criterion status and scores. Pure: no I/O.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{Check, CheckResult, Counts, FindingStatus};

/// The criteria edition every file and report names.
pub const EDITION: &str = "AICPA 2017 Trust Services Criteria (2022 revised points of focus)";

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Security,
    Availability,
    Confidentiality,
    ProcessingIntegrity,
    Privacy,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Self::Security,
        Self::Availability,
        Self::Confidentiality,
        Self::ProcessingIntegrity,
        Self::Privacy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Availability => "availability",
            Self::Confidentiality => "confidentiality",
            Self::ProcessingIntegrity => "processing_integrity",
            Self::Privacy => "privacy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Security => "Security (common criteria)",
            Self::Availability => "Availability",
            Self::Confidentiality => "Confidentiality",
            Self::ProcessingIntegrity => "Processing Integrity",
            Self::Privacy => "Privacy",
        }
    }

    fn from_csv(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.label() == s)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Has at least one mapped check.
    Automated,
    /// Needs a person's attestation; listed, never scored as pass.
    Manual,
    /// Azure's responsibility under the shared model; cites Microsoft's own SOC 2 report.
    Inherited,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Pass,
    Fail,
    /// No mapped check fails, but at least one could not be evaluated.
    Incomplete,
    /// Automated, but no mapped check had anything in scope.
    NotApplicable,
    Manual,
    Inherited,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Incomplete => "incomplete",
            Self::NotApplicable => "not_applicable",
            Self::Manual => "manual",
            Self::Inherited => "inherited",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub id: String,
    pub category: Category,
    pub title: String,
}

/// Criteria that are Azure's responsibility, with the reason shown wherever they appear.
const INHERITED: &[(&str, &str)] = &[(
    "CC6.4",
    "Physical access to Azure datacenters is Microsoft's responsibility under the shared \
     responsibility model; evidence is Microsoft's own SOC 2 Type 2 report for Azure (Service \
     Trust Portal), reviewed as a complementary subservice organisation control.",
)];

/// All 61 criteria in catalogue order, parsed once from the embedded CSV.
pub fn catalogue() -> &'static [Criterion] {
    static CATALOGUE: OnceLock<Vec<Criterion>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(include_str!("../../data/tsc-2017.csv").as_bytes());
        rdr.records()
            .map(|rec| {
                // The CSV is compiled in and covered by tests; a bad row is a build defect.
                #[allow(clippy::expect_used, reason = "compiled-in CSV, read by the tests")]
                let rec = rec.expect("embedded tsc-2017.csv is valid CSV");
                Criterion {
                    id: rec[0].to_string(),
                    category: Category::from_csv(&rec[1])
                        .unwrap_or_else(|| panic!("unknown category {:?}", &rec[1])),
                    title: rec[2].to_string(),
                }
            })
            .collect()
    })
}

pub fn criterion(id: &str) -> Option<&'static Criterion> {
    catalogue().iter().find(|c| c.id == id)
}

pub fn inherited_reason(id: &str) -> Option<&'static str> {
    INHERITED.iter().find(|(c, _)| *c == id).map(|(_, r)| *r)
}

/// Reverse index criterion → check ids, built from the checks' own mappings.
pub fn index(checks: &[Check]) -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut idx: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for c in checks {
        for crit in c.meta.criteria {
            idx.entry(crit).or_default().push(c.meta.id);
        }
    }
    for v in idx.values_mut() {
        v.sort();
    }
    idx
}

pub fn coverage(id: &str, index: &BTreeMap<&'static str, Vec<&'static str>>) -> Coverage {
    if inherited_reason(id).is_some() {
        Coverage::Inherited
    } else if index.get(id).is_some_and(|v| !v.is_empty()) {
        Coverage::Automated
    } else {
        Coverage::Manual
    }
}

/// One mapped check's contribution to a criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MappedCheck {
    pub check_id: String,
    pub status: FindingStatus,
    pub counts: Counts,
}

/// A criterion's evaluated state.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlResult {
    pub criterion: &'static Criterion,
    pub coverage: Coverage,
    pub status: ControlStatus,
    pub checks: Vec<MappedCheck>,
    pub counts: Counts,
}

/// Evaluates every criterion from the check results.
pub fn evaluate(results: &[CheckResult]) -> Vec<ControlResult> {
    let checks: Vec<Check> = results.iter().map(|r| *r.check).collect();
    let idx = index(&checks);
    catalogue()
        .iter()
        .map(|crit| {
            let cov = coverage(&crit.id, &idx);
            let mapped: Vec<MappedCheck> = idx
                .get(crit.id.as_str())
                .into_iter()
                .flatten()
                .filter_map(|id| results.iter().find(|r| r.check.meta.id == *id))
                .map(|r| MappedCheck {
                    check_id: r.check.meta.id.to_string(),
                    status: r.status,
                    counts: r.counts,
                })
                .collect();
            let mut counts = Counts::default();
            for m in &mapped {
                counts.merge(&m.counts);
            }
            let status = match cov {
                Coverage::Inherited => ControlStatus::Inherited,
                Coverage::Manual => ControlStatus::Manual,
                Coverage::Automated => automated_status(&mapped),
            };
            ControlResult {
                criterion: crit,
                coverage: cov,
                status,
                checks: mapped,
                counts,
            }
        })
        .collect()
}

/// `fail` if any mapped check fails; else `incomplete` if any errors; else `pass` if any passes
/// or is waived. A criterion whose only failures are waived passes (the risk was accepted), and
/// its counts still show every waived finding.
fn automated_status(mapped: &[MappedCheck]) -> ControlStatus {
    let any = |s: FindingStatus| mapped.iter().any(|m| m.status == s);
    if any(FindingStatus::Fail) {
        ControlStatus::Fail
    } else if any(FindingStatus::Error) {
        ControlStatus::Incomplete
    } else if any(FindingStatus::Pass) || any(FindingStatus::Waived) {
        ControlStatus::Pass
    } else {
        ControlStatus::NotApplicable
    }
}

/// A share with its parts, so a reader sees what the percentage hides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Automated criteria that pass / automated criteria evaluated (pass, fail, incomplete).
    pub criteria_passing: u32,
    pub criteria_evaluated: u32,
    pub criteria_failing: u32,
    pub criteria_incomplete: u32,
    /// Percentage of evaluated automated criteria that pass, one decimal; `null` when none.
    pub criteria_score: Option<f64>,
    /// Findings that pass / findings that are pass, fail, error or waived (a waived finding did
    /// not pass, so waivers never raise this score).
    pub findings_passing: u64,
    pub findings_evaluated: u64,
    pub findings_score: Option<f64>,
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Scores over a set of criteria; each finding counted once even when mapped to many criteria.
pub fn score<'a>(
    controls: impl IntoIterator<Item = &'a ControlResult>,
    results: &[CheckResult],
) -> Score {
    let mut s = Score::default();
    let mut check_ids: Vec<&str> = Vec::new();
    for c in controls {
        match c.status {
            ControlStatus::Pass => s.criteria_passing += 1,
            ControlStatus::Fail => s.criteria_failing += 1,
            ControlStatus::Incomplete => s.criteria_incomplete += 1,
            _ => continue,
        }
        s.criteria_evaluated += 1;
        check_ids.extend(c.checks.iter().map(|m| m.check_id.as_str()));
    }
    check_ids.sort();
    check_ids.dedup();
    let mut counts = Counts::default();
    for r in results
        .iter()
        .filter(|r| check_ids.contains(&r.check.meta.id))
    {
        counts.merge(&r.counts);
    }
    s.findings_passing = counts.pass;
    s.findings_evaluated = counts.evaluated();
    s.criteria_score = pct(s.criteria_passing as u64, s.criteria_evaluated as u64);
    s.findings_score = pct(s.findings_passing, s.findings_evaluated);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{self, testutil};

    #[test]
    fn sixty_one_criteria_in_five_categories() {
        assert_eq!(catalogue().len(), 61);
        for cat in Category::ALL {
            assert!(catalogue().iter().any(|c| c.category == cat), "{cat:?}");
        }
        let mut ids: Vec<&str> = catalogue().iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 61);
    }

    /// Every criterion a check maps to is in the catalogue, and none is Azure's (inherited).
    #[test]
    fn every_criterion_exists_and_none_is_inherited() {
        for c in crate::checks::registry() {
            assert!(!c.meta.criteria.is_empty(), "{} maps to nothing", c.meta.id);
            for id in c.meta.criteria {
                let crit = criterion(id)
                    .unwrap_or_else(|| panic!("{} maps to unknown criterion {id}", c.meta.id));
                assert!(
                    inherited_reason(&crit.id).is_none(),
                    "{} maps to inherited {id}",
                    c.meta.id
                );
            }
        }
    }

    #[test]
    fn index_is_derived_from_checks() {
        let idx = index(checks::registry());
        for c in checks::registry() {
            for crit in c.meta.criteria {
                assert!(idx[crit].contains(&c.meta.id));
            }
        }
        assert_eq!(coverage("CC6.4", &idx), Coverage::Inherited);
        assert_eq!(coverage("CC1.1", &idx), Coverage::Manual);
        assert_eq!(coverage("CC6.1", &idx), Coverage::Automated);
    }

    fn mapped(statuses: &[FindingStatus]) -> Vec<MappedCheck> {
        statuses
            .iter()
            .map(|s| MappedCheck {
                check_id: "x".into(),
                status: *s,
                counts: Counts::default(),
            })
            .collect()
    }

    #[test]
    fn status_rules() {
        use FindingStatus as F;
        assert_eq!(
            automated_status(&mapped(&[F::Pass, F::Fail, F::Error])),
            ControlStatus::Fail
        );
        assert_eq!(
            automated_status(&mapped(&[F::Pass, F::Error])),
            ControlStatus::Incomplete
        );
        assert_eq!(
            automated_status(&mapped(&[F::Pass, F::NotApplicable])),
            ControlStatus::Pass
        );
        assert_eq!(
            automated_status(&mapped(&[F::NotApplicable])),
            ControlStatus::NotApplicable
        );
        assert_eq!(
            automated_status(&mapped(&[F::Waived, F::NotApplicable])),
            ControlStatus::Pass
        );
        assert_eq!(
            automated_status(&mapped(&[F::Waived, F::Error])),
            ControlStatus::Incomplete
        );
        assert_eq!(
            automated_status(&mapped(&[F::Waived, F::Fail])),
            ControlStatus::Fail
        );
    }

    #[test]
    fn missing_data_never_scores_as_pass() {
        // An inventory where nothing could be read: every automated criterion is incomplete.
        let mut inv = testutil::inventory(vec![]);
        inv.sources.clear();
        let results = checks::run_all(&inv, &checks::Settings::default());
        let controls = evaluate(&results);
        for c in controls
            .iter()
            .filter(|c| c.coverage == Coverage::Automated)
        {
            assert_eq!(c.status, ControlStatus::Incomplete, "{}", c.criterion.id);
        }
        let s = score(&controls, &results);
        assert_eq!(s.criteria_passing, 0);
        assert_eq!(s.criteria_score, Some(0.0));
        assert_eq!(s.findings_score, Some(0.0));
    }
}
