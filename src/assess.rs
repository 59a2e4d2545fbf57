//! Assessment: the pure middle of the pipeline. Runs every check on an inventory, applies the
//! repository's waivers to the findings, evaluates the criteria, records the attestation of every
//! manual criterion and scores the result, all into one [`Assessment`] value. Knows nothing of
//! files or git: `evidence` lays an `Assessment` out as files, and nothing here reads the clock
//! (whether a waiver is in force or an attestation stale is decided at the inventory's
//! collection time).
//!
//! Sits between `evidence` (above) and `controls` / `waivers` / `attestations` (below).

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::attestations::{self, Attestation, ControlAttestation, ManualCounts};
use crate::checks::{self, CheckResult, Counts, Settings};
use crate::controls::{self, Category, ControlResult, Coverage, Score};
use crate::model::Inventory;
use crate::waivers::{WaiverStatus, Waivers};

/// What the evidence repository itself declares, read at the commit a snapshot is built on:
/// accepted risks and manual attestations. Part of the evidence input, like the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoInputs {
    /// `None` when the repository has no waiver file.
    pub waivers: Option<Waivers>,
    /// By file path.
    pub attestations: Vec<Attestation>,
    /// `[attestations] max_age_days`.
    pub attestation_max_age_days: u32,
    /// `[organisation]`: recorded in `summary.json` for the report's cover.
    pub organisation: OrganisationInfo,
}

impl Default for RepoInputs {
    fn default() -> Self {
        Self {
            waivers: None,
            attestations: Vec::new(),
            attestation_max_age_days: attestations::DEFAULT_MAX_AGE_DAYS,
            organisation: OrganisationInfo::default(),
        }
    }
}

/// Who and what the evidence is about, as configured in `[organisation]` when the snapshot was
/// made. Recorded in the evidence so that a report (whose cover shows it) is a function of the
/// commit alone, never of a working tree's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInfo {
    /// The organisation's name (`[organisation] name`).
    pub name: String,
    /// The system under audit (`[organisation] system`).
    pub system: String,
}

/// One inventory assessed: everything the evidence files say, before it is laid out as files.
pub struct Assessment<'a> {
    /// The inventory, normalised (sorted) as the evidence records it.
    pub inventory: Cow<'a, Inventory>,
    pub settings: &'a Settings,
    /// One result per check, in registry order, waivers applied.
    pub results: Vec<CheckResult>,
    /// One result per criterion, in catalogue order.
    pub controls: Vec<ControlResult>,
    /// The attestation block of every manual criterion, by criterion id.
    pub attestations: BTreeMap<String, ControlAttestation>,
    /// Manual criteria counted by attestation state.
    pub manual: ManualCounts,
    /// The waiver file the findings were waived by, if the repository has one.
    pub waivers: Option<&'a Waivers>,
    /// Every waiver's state at the inventory's collection time.
    pub waiver_states: Vec<WaiverStatus>,
    pub organisation: &'a OrganisationInfo,
    /// Findings of every check counted by status.
    pub findings: Counts,
    /// The scores over every criterion.
    pub overall: Score,
    /// The scores of each TSC category, in [`Category::ALL`] order.
    pub categories: Vec<(Category, Score)>,
}

impl Assessment<'_> {
    /// The inventory's collection time: the snapshot's time, never the wall clock.
    pub fn as_of(&self) -> DateTime<Utc> {
        self.inventory.collected_at
    }
}

/// Runs checks and controls on an inventory, with the repository's waivers applied to the
/// findings (at the inventory's collection time) and its attestations recorded for the manual
/// criteria.
pub fn assess<'a>(
    inventory: &'a Inventory,
    settings: &'a Settings,
    inputs: &'a RepoInputs,
) -> Assessment<'a> {
    let results = checks::run_all(inventory, settings);
    from_results(inventory, settings, inputs, results)
}

/// As [`assess`], from check results already run on `inventory` (e.g. a chosen few checks):
/// the waivers, controls, attestations and scores.
pub fn from_results<'a>(
    inventory: &'a Inventory,
    settings: &'a Settings,
    inputs: &'a RepoInputs,
    mut results: Vec<CheckResult>,
) -> Assessment<'a> {
    if let Some(w) = &inputs.waivers {
        w.apply(&mut results, inventory.collected_at);
    }
    let controls = controls::evaluate(&results);

    let inventory = if inventory.is_normalised() {
        Cow::Borrowed(inventory)
    } else {
        let mut inv = inventory.clone();
        inv.normalise();
        Cow::Owned(inv)
    };
    let as_of = inventory.collected_at;

    let mut manual = ManualCounts::default();
    let mut attestation_of = BTreeMap::new();
    for c in controls.iter().filter(|c| c.coverage == Coverage::Manual) {
        let a = inputs
            .attestations
            .iter()
            .find(|a| a.criterion == c.criterion.id);
        let block = attestations::assess(a, as_of, inputs.attestation_max_age_days);
        manual.add(block.state);
        attestation_of.insert(c.criterion.id.clone(), block);
    }

    let mut findings = Counts::default();
    for r in &results {
        findings.merge(&r.counts);
    }
    let overall = controls::score(&controls, &results);
    let categories = Category::ALL
        .iter()
        .map(|cat| {
            let score = controls::score(
                controls.iter().filter(|c| c.criterion.category == *cat),
                &results,
            );
            (*cat, score)
        })
        .collect();
    let waiver_states = inputs
        .waivers
        .as_ref()
        .map(|w| w.states(&results, as_of))
        .unwrap_or_default();

    Assessment {
        inventory,
        settings,
        results,
        controls,
        attestations: attestation_of,
        manual,
        waivers: inputs.waivers.as_ref(),
        waiver_states,
        organisation: &inputs.organisation,
        findings,
        overall,
        categories,
    }
}

#[cfg(test)]
mod tests {
    //! The assessment of the demo tenant; the demo lives in `collect`, below everything here.

    use super::*;
    use crate::checks::FindingStatus;
    use crate::collect::demo::{self, DemoState, inventory};
    use crate::controls::ControlStatus;
    use crate::waivers::WaiverState;

    /// The demo repository's waivers and attestations, as the CLI reads them from a commit.
    fn demo_inputs() -> RepoInputs {
        let files = demo::repository_files();
        let text = std::str::from_utf8(&files["waivers.toml"]).unwrap();
        let waivers = Waivers::parse("waivers.toml", text).unwrap();
        let att: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter(|(p, _)| p.starts_with("attestations/"))
            .collect();
        RepoInputs {
            waivers: Some(waivers),
            attestations: attestations::parse_all(&att).unwrap(),
            ..RepoInputs::default()
        }
    }

    #[test]
    fn demo_repository_files_are_valid() {
        let inputs = demo_inputs();
        assert_eq!(inputs.waivers.unwrap().entries.len(), 2);
        assert_eq!(inputs.attestations.len(), 2);
    }

    #[test]
    fn every_source_a_check_reads_is_present() {
        let inv = inventory(DemoState::Baseline);
        for c in checks::registry() {
            for s in checks::source_names(c) {
                assert!(inv.source(s).is_some(), "{} reads {s}", c.meta.id);
            }
        }
    }

    #[test]
    fn baseline_has_passes_failures_and_a_gap() {
        let results = checks::run_all(&inventory(DemoState::Baseline), &Default::default());
        let all: Vec<FindingStatus> = results
            .iter()
            .flat_map(|r| r.findings.iter().map(|f| f.status))
            .collect();
        for s in [
            FindingStatus::Pass,
            FindingStatus::Fail,
            FindingStatus::Error,
        ] {
            assert!(all.contains(&s), "{s:?}");
        }
    }

    /// One value holds what every evidence file kind says: findings waived at the inventory's
    /// time, every criterion evaluated, manual criteria attested, the counts and scores.
    #[test]
    fn assessment_of_the_demo_applies_waivers_and_attestations() {
        let inv = inventory(DemoState::Baseline);
        let settings = Settings::default();
        let inputs = demo_inputs();
        let a = assess(&inv, &settings, &inputs);
        assert_eq!(a.as_of(), inv.collected_at);
        assert_eq!(a.results.len(), checks::registry().len());
        assert_eq!(a.controls.len(), 61);

        // Both waivers are in force at the baseline: their failures are waived, and say by what.
        assert_eq!(a.findings.waived, 2);
        let waived: Vec<_> = a
            .results
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.status == FindingStatus::Waived)
            .collect();
        assert_eq!(waived.len(), 2);
        assert!(waived.iter().all(|f| f.waiver.is_some()));
        assert!(
            a.waiver_states
                .iter()
                .all(|s| s.state == WaiverState::Applied && s.findings == 1),
            "{:?}",
            a.waiver_states
        );

        // One attestation block per manual criterion; the demo attests two of them.
        let manual = a
            .controls
            .iter()
            .filter(|c| c.coverage == Coverage::Manual)
            .count();
        assert_eq!(a.attestations.len(), manual);
        let m = a.manual;
        assert_eq!((m.attested + m.stale) as usize, 2);
        assert_eq!((m.attested + m.stale + m.unattested) as usize, manual);

        // Counts and scores agree with the results they summarise.
        let mut sum = Counts::default();
        for r in &a.results {
            sum.merge(&r.counts);
        }
        assert_eq!(a.findings, sum);
        assert_eq!(a.categories.len(), Category::ALL.len());
        let passing = a
            .controls
            .iter()
            .filter(|c| c.status == ControlStatus::Pass)
            .count();
        assert_eq!(a.overall.criteria_passing as usize, passing);
    }

    /// Without repository inputs nothing is waived and every manual criterion is unattested.
    #[test]
    fn without_inputs_nothing_is_waived_or_attested() {
        let inv = inventory(DemoState::Baseline);
        let settings = Settings::default();
        let inputs = RepoInputs::default();
        let a = assess(&inv, &settings, &inputs);
        assert_eq!(a.findings.waived, 0);
        assert!(a.waivers.is_none() && a.waiver_states.is_empty());
        assert_eq!(a.manual.attested + a.manual.stale, 0);
        assert!(a.findings.fail > 0);
    }
}
