//! The evidence file kinds, one type per file. JSON Schemas in `evidence-schema/` are generated
//! from these types.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attestations::{AttestationState, ControlAttestation, ManualCounts};
use crate::checks::{AppliedWaiver, Counts, FindingStatus, Settings, Severity};
use crate::controls::{Category, ControlStatus, Coverage, MappedCheck, Score};
use crate::model::{ChangeEvent, Identity, InventoryPart, Resource, Source, Subscription};
use crate::waivers::{Waiver, WaiverStatus};

/// Version of the evidence file formats; in every file.
pub const SCHEMA_VERSION: u32 = 1;

/// Volatile data about one run. Lives only in the manifest, so it never makes evidence differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunMeta {
    /// Identifies the run (e.g. the GitHub Actions run id, or `local-<time>`).
    pub run_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// `manifest.json`: what the snapshot is, and the sha256 of every other file in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool: Tool,
    pub catalogue_version: String,
    pub criteria_edition: String,
    pub tenant_id: String,
    /// The inventory's collection time: the snapshot's time.
    pub as_of: DateTime<Utc>,
    pub subscriptions: Vec<String>,
    pub run: RunMeta,
    /// Path (relative to the evidence root) → lower-case hex sha256 of the file's bytes.
    pub files: BTreeMap<String, String>,
    /// True only for the first snapshot of a chain: the commit it was built on held no
    /// evidence. Explicit, so that a `null` link is never taken for a genesis by itself:
    /// `verify` requires `genesis` exactly when the commit's first parent holds no evidence.
    pub genesis: bool,
    /// sha256 of the `manifest.json` of the commit this snapshot was built on (its first
    /// parent's evidence, the nearest earlier snapshot on the first-parent path); `null`
    /// exactly when `genesis` is true.
    pub previous_manifest_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryScore {
    pub category: Category,
    pub label: String,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionSummary {
    pub id: String,
    pub category: Category,
    pub coverage: Coverage,
    pub status: ControlStatus,
    /// For manual criteria: attested, stale or unattested (the status stays `manual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSummary {
    pub id: String,
    pub severity: Severity,
    pub status: FindingStatus,
    pub counts: Counts,
}

/// `summary.json`'s `organisation`, declared by the assessment that records it.
pub use crate::assess::OrganisationInfo;

/// `summary.json`: scores, counts and the status of every criterion and check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub schema_version: u32,
    pub tenant_id: String,
    /// The organisation and system the report names; empty in evidence made before it was
    /// recorded.
    #[serde(default)]
    pub organisation: OrganisationInfo,
    pub as_of: DateTime<Utc>,
    pub catalogue_version: String,
    pub criteria_edition: String,
    pub overall: Score,
    pub categories: Vec<CategoryScore>,
    /// All findings by status.
    pub findings: Counts,
    pub criteria: Vec<CriterionSummary>,
    pub checks: Vec<CheckSummary>,
    /// Every inventory gap, so the summary says when evidence is incomplete.
    pub gaps: Vec<SourceGap>,
    /// The check settings the verdicts depend on.
    pub settings: Settings,
    /// Size of the change population (`changes/`).
    pub change_events: ChangeCounts,
    /// Manual criteria by attestation state.
    #[serde(default)]
    pub manual: ManualCounts,
    /// Every waiver of `waivers.toml` and its state at `as_of` (applied, unused, expired, not
    /// yet effective), by id; empty without a waiver file.
    #[serde(default)]
    pub waivers: Vec<WaiverStatus>,
}

/// `waivers.json`: the waiver file the snapshot was assessed with, so the snapshot is
/// self-contained. Present only when the repository has a waiver file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiversFile {
    pub schema_version: u32,
    /// Path of the waiver file in the repository.
    pub source: String,
    /// sha256 of the waiver file's bytes.
    pub source_sha256: String,
    /// The waivers as declared, by id.
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeCounts {
    /// Events in the population: this inventory's, plus every earlier run's. (How many a run
    /// added is not recorded here: assessing the same inventory twice must give the same bytes.)
    pub total: u64,
    /// False when this run could not read the Activity Log (see `gaps`).
    pub collected: bool,
}

/// `changes/<yyyy-mm>.json`: one month of the administrative change population. Events are
/// immutable, so files only grow: each run appends what it collected, deduplicated by event id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesFile {
    pub schema_version: u32,
    /// `YYYY-MM` (UTC) of every event in the file.
    pub month: String,
    /// Sorted by event time, then event id.
    pub events: Vec<ChangeEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceGap {
    pub source: String,
    pub scope: String,
    pub reason: String,
    /// The one read of a multi-read source that failed (e.g. `administrators`), when the gap
    /// concerns only that read; absent when the whole source is incomplete for the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
}

/// `controls/<id>.json`: one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlFile {
    pub schema_version: u32,
    pub id: String,
    pub category: Category,
    pub title: String,
    pub coverage: Coverage,
    /// Why the criterion is Azure's responsibility, for inherited criteria.
    pub inherited_reason: Option<String>,
    pub status: ControlStatus,
    pub checks: Vec<MappedCheck>,
    pub counts: Counts,
    /// For manual criteria: the attestation, or that there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<ControlAttestation>,
}

/// One check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceResult {
    pub resource_id: String,
    pub status: FindingStatus,
    pub reason: String,
    pub observed: BTreeMap<String, Value>,
    /// For a `waived` result: the waiver that covers the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

/// `checks/<id>.json`: a check's metadata and one result per resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    pub schema_version: u32,
    pub id: String,
    pub title: String,
    pub service: String,
    pub severity: Severity,
    /// Lower-case ARM type, `subscription` or `tenant`.
    pub target: String,
    pub criteria: Vec<String>,
    pub cis: Vec<String>,
    pub description: String,
    pub rationale: String,
    pub remediation: String,
    pub sources: Vec<String>,
    pub status: FindingStatus,
    pub counts: Counts,
    /// Sorted by resource id.
    pub results: Vec<ResourceResult>,
}

/// `inventory/<part>.json`: what was collected, with the provenance of every source feeding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryFile<T> {
    pub schema_version: u32,
    pub part: InventoryPart,
    pub tenant_id: String,
    pub as_of: DateTime<Utc>,
    pub provenance: Vec<Source>,
    pub data: T,
}

pub type SubscriptionsFile = InventoryFile<Vec<Subscription>>;
pub type ResourcesFile = InventoryFile<Vec<Resource>>;
pub type IdentityFile = InventoryFile<Identity>;
