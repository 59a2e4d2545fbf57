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
