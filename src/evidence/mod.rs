//! Evidence: the canonical JSON files of one snapshot, their layout under the evidence root,
//! the manifest with the sha256 of every file and of the previous manifest (hash chain), and the
//! JSON Schemas of every file kind. Pure: no git, no clock.

pub mod bundle;
pub mod canonical;
pub mod chain;
mod files;
pub mod schema;

pub use files::*;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::digest::sha256_hex;
use crate::checks::{CATALOGUE_VERSION, CheckResult, Counts, Settings};
use crate::controls::{self, Category, ControlResult};
use crate::model::{ChangeEvent, Inventory, InventoryPart};

pub const MANIFEST: &str = "manifest.json";
pub const SUMMARY: &str = "summary.json";
pub const WAIVERS: &str = "waivers.json";

/// What the evidence repository itself declares, read at the commit a snapshot is built on:
/// accepted risks and manual attestations. Part of the evidence input, like the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoInputs {
    /// `None` when the repository has no waiver file.
    pub waivers: Option<crate::waivers::Waivers>,
    /// By file path.
    pub attestations: Vec<crate::attestations::Attestation>,
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
            attestation_max_age_days: crate::attestations::DEFAULT_MAX_AGE_DAYS,
            organisation: OrganisationInfo::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("{file}: missing from the snapshot")]
    Missing { file: String },
    #[error("{file}: invalid at `{path}`: {message}")]
    Invalid {
        file: String,
        path: String,
        message: String,
    },
}

/// The files of one snapshot, keyed by path relative to the evidence root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub files: BTreeMap<String, Vec<u8>>,
}


/// Parses `bytes` as `T`, naming the file and the JSON path of the first problem.
pub fn parse_json<T: DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, EvidenceError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| EvidenceError::Invalid {
        file: file.to_string(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

impl Snapshot {
    pub(crate) fn parse<T: DeserializeOwned>(&self, file: &str) -> Result<T, EvidenceError> {
        let bytes = self.files.get(file).ok_or_else(|| EvidenceError::Missing {
            file: file.to_string(),
        })?;
        parse_json(file, bytes)
    }

    fn parse_dir<T: DeserializeOwned>(&self, dir: &str) -> Result<Vec<T>, EvidenceError> {
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with(dir) && p.ends_with(".json"))
            .map(|(p, b)| parse_json(p, b))
            .collect()
    }

    pub fn manifest(&self) -> Result<Manifest, EvidenceError> {
        self.parse(MANIFEST)
    }
    pub fn summary(&self) -> Result<Summary, EvidenceError> {
        self.parse(SUMMARY)
    }
    /// Control files, in path order.
    pub fn controls(&self) -> Result<Vec<ControlFile>, EvidenceError> {
        self.parse_dir("controls/")
    }
    /// Check files, sorted by check id.
    pub fn checks(&self) -> Result<Vec<CheckFile>, EvidenceError> {
        self.parse_dir("checks/")
    }

    /// `f` of every check file, in path order, each parsed and dropped once `f`
    /// has kept what it needs: at tenant scale every check file parsed at once is GiBs of
    /// observed values.
    pub fn map_checks<R>(&self, f: impl Fn(CheckFile) -> R) -> Result<Vec<R>, EvidenceError> {
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with("checks/") && p.ends_with(".json"))
            .map(|(p, b)| parse_json(p, b).map(&f))
            .collect()
    }
    /// Every change event in `changes/`, in time order.
    pub fn change_events(&self) -> Result<Vec<ChangeEvent>, EvidenceError> {
        let files: Vec<ChangesFile> = self.parse_dir("changes/")?;
        Ok(files.into_iter().flat_map(|f| f.events).collect())
    }

    pub fn resources(&self) -> Result<ResourcesFile, EvidenceError> {
        self.parse(&inventory_path(InventoryPart::Resources))
    }

    /// sha256 of `manifest.json`, the link the next snapshot's manifest points back to.
    pub fn manifest_sha256(&self) -> Option<String> {
        self.files.get(MANIFEST).map(|b| sha256_hex(b))
    }

    /// Every way the files disagree with the manifest, and the manifest's fields with the files
    /// (see [`chain`]); empty when the snapshot is intact. `Err` when there is no readable
    /// manifest to check against.
    pub fn verify(&self) -> Result<Vec<String>, EvidenceError> {
        let m = self.manifest()?;
        let mut problems = Vec::new();
        for (path, want) in &m.files {
            match self.files.get(path) {
                None => problems.push(format!("{path}: listed in the manifest but missing")),
                Some(b) if &sha256_hex(b) != want => problems.push(format!(
                    "{path}: sha256 {} does not match the manifest's {want}",
                    sha256_hex(b)
                )),
                Some(_) => {}
            }
        }
        for path in self.files.keys() {
            if path != MANIFEST && !m.files.contains_key(path) {
                problems.push(format!("{path}: present but not listed in the manifest"));
            }
        }
        problems.extend(chain::bound_fields(self, &m));
        Ok(problems)
    }

    /// The files other than the manifest: what decides whether evidence changed.
    pub fn evidence_files(&self) -> impl Iterator<Item = (&String, &Vec<u8>)> {
        self.files.iter().filter(|(p, _)| p.as_str() != MANIFEST)
    }
}

pub fn control_path(id: &str) -> String {
    format!("controls/{id}.json")
}
pub fn check_path(id: &str) -> String {
    format!("checks/{id}.json")
}
pub fn changes_path(month: &str) -> String {
    format!("changes/{month}.json")
}
pub fn inventory_path(part: InventoryPart) -> String {
    format!("inventory/{}.json", part.name())
}

/// Builds a snapshot on top of `previous` (the snapshot its parent commit holds, if any).
/// Evidence bytes are a pure function of the inventory, the settings, the results (waivers
/// already applied, see [`assess_with`]), the repository inputs and the previous change
/// population; `run` and the previous manifest's hash reach only the manifest.
pub fn build(
    inventory: &Inventory,
    settings: &Settings,
    results: &[CheckResult],
    controls: &[ControlResult],
    inputs: &RepoInputs,
    run: RunMeta,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, EvidenceError> {
    let inv = if inventory.is_normalised() {
        std::borrow::Cow::Borrowed(inventory)
    } else {
        let mut inv = inventory.clone();
        inv.normalise();
        std::borrow::Cow::Owned(inv)
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let as_of = inv.collected_at;

    let change_events = merge_changes(&inv, previous, &mut files)?;

    use rayon::prelude::*;
    let check_files: Vec<(String, Vec<u8>)> = results
        .par_iter()
        .map(|r| {
            let m = &r.check.meta;
            let file = CheckFile {
                schema_version: SCHEMA_VERSION,
                id: m.id.to_string(),
                title: m.title.to_string(),
                service: m.service.to_string(),
                severity: m.severity,
                target: r.check.target().describe(),
                criteria: m.criteria.iter().map(|s| s.to_string()).collect(),
                cis: m.cis.iter().map(|s| s.to_string()).collect(),
                description: m.description.to_string(),
                rationale: m.rationale.to_string(),
                remediation: m.remediation.to_string(),
                sources: m.sources.iter().map(|s| s.to_string()).collect(),
                status: r.status,
                counts: r.counts,
                results: Vec::new(),
            };
            // One result at a time: the file's results as one JSON tree would be a second copy of
            // every finding.
            let bytes = canonical::to_bytes_with(&file, "results", &r.findings, |f| {
                canonical::json(&ResourceResult {
                    resource_id: f.resource_id.clone(),
                    status: f.status,
                    reason: f.reason.clone(),
                    observed: f.observed.clone(),
                    waiver: f.waiver.clone(),
                })
            });
            (check_path(m.id), bytes)
        })
        .collect();
    files.extend(check_files);

    let mut manual = crate::attestations::ManualCounts::default();
    let mut attestation_of = BTreeMap::new();
    for c in controls
        .iter()
        .filter(|c| c.coverage == controls::Coverage::Manual)
    {
        let a = inputs
            .attestations
            .iter()
            .find(|a| a.criterion == c.criterion.id);
        let block = crate::attestations::assess(a, as_of, inputs.attestation_max_age_days);
        manual.add(block.state);
        attestation_of.insert(c.criterion.id.clone(), block);
    }
    for c in controls {
        let file = ControlFile {
            schema_version: SCHEMA_VERSION,
            id: c.criterion.id.clone(),
            category: c.criterion.category,
            title: c.criterion.title.clone(),
            coverage: c.coverage,
            inherited_reason: controls::inherited_reason(&c.criterion.id).map(str::to_string),
            status: c.status,
            checks: c.checks.clone(),
            counts: c.counts,
            attestation: attestation_of.get(&c.criterion.id).cloned(),
        };
        files.insert(control_path(&c.criterion.id), canonical::to_bytes(&file));
    }

    let mut findings = Counts::default();
    for r in results {
        findings.merge(&r.counts);
    }
    let mut gaps: Vec<SourceGap> = inv
        .sources
        .iter()
        .flat_map(|s| {
            s.gaps.iter().map(|g| SourceGap {
                source: s.name.clone(),
                scope: g.scope.clone(),
                reason: g.reason.clone(),
                read: g.read.clone(),
            })
        })
        .collect();
    gaps.sort_by(|a, b| (&a.source, &a.scope).cmp(&(&b.source, &b.scope)));
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        tenant_id: inv.tenant_id.clone(),
        organisation: inputs.organisation.clone(),
        as_of,
        catalogue_version: CATALOGUE_VERSION.to_string(),
        criteria_edition: controls::EDITION.to_string(),
        overall: controls::score(controls, results),
        categories: Category::ALL
            .iter()
            .map(|cat| CategoryScore {
                category: *cat,
                label: cat.label().to_string(),
                score: controls::score(
                    controls.iter().filter(|c| c.criterion.category == *cat),
                    results,
                ),
            })
            .collect(),
        findings,
        criteria: controls
            .iter()
            .map(|c| CriterionSummary {
                id: c.criterion.id.clone(),
                category: c.criterion.category,
                coverage: c.coverage,
                status: c.status,
                attestation: attestation_of.get(&c.criterion.id).map(|a| a.state),
            })
            .collect(),
        checks: results
            .iter()
            .map(|r| CheckSummary {
                id: r.check.meta.id.to_string(),
                severity: r.check.meta.severity,
                status: r.status,
                counts: r.counts,
            })
            .collect(),
        gaps,
        settings: settings.clone(),
        change_events,
        manual,
        waivers: inputs
            .waivers
            .as_ref()
            .map(|w| w.states(results, as_of))
            .unwrap_or_default(),
    };
    if let Some(w) = &inputs.waivers {
        let file = WaiversFile {
            schema_version: SCHEMA_VERSION,
            source: w.source.clone(),
            source_sha256: w.sha256.clone(),
            waivers: w.entries.clone(),
        };
        files.insert(WAIVERS.to_string(), canonical::to_bytes(&file));
    }
    files.insert(SUMMARY.to_string(), canonical::to_bytes(&summary));

    // Every inventory file's header, with the data to come.
    fn part_file<T>(inv: &Inventory, part: InventoryPart, data: T) -> InventoryFile<T> {
        InventoryFile {
            schema_version: SCHEMA_VERSION,
            part,
            tenant_id: inv.tenant_id.clone(),
            as_of: inv.collected_at,
            provenance: inv
                .sources
                .iter()
                .filter(|s| s.part == part)
                .cloned()
                .collect(),
            data,
        }
    }
    // The lists are written item by item (`to_bytes_with`), and the identity part borrowed:
    // the inventory is the largest thing a run holds, and is held once.
    let subscriptions = part_file(&inv, InventoryPart::Subscriptions, ());
    files.insert(
        inventory_path(InventoryPart::Subscriptions),
        canonical::to_bytes_with(&subscriptions, "data", &inv.subscriptions, canonical::json),
    );
    let resources = part_file(&inv, InventoryPart::Resources, ());
    files.insert(
        inventory_path(InventoryPart::Resources),
        canonical::to_bytes_with(&resources, "data", &inv.resources, canonical::json),
    );
    files.insert(
        inventory_path(InventoryPart::Identity),
        canonical::to_bytes(&part_file(&inv, InventoryPart::Identity, &inv.identity)),
    );

    // A parent that holds evidence but no manifest is a broken chain: building on it would
    // start a new chain silently, hiding whatever removed the manifest.
    let previous_link = match previous {
        Some(p) => Some(p.manifest_sha256().ok_or_else(|| EvidenceError::Missing {
            file: MANIFEST.to_string(),
        })?),
        None => None,
    };
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        catalogue_version: CATALOGUE_VERSION.to_string(),
        criteria_edition: controls::EDITION.to_string(),
        tenant_id: inv.tenant_id.clone(),
        as_of,
        subscriptions: inv.subscriptions.iter().map(|s| s.id.clone()).collect(),
        run,
        files: files
            .iter()
            .map(|(p, b)| (p.clone(), sha256_hex(b)))
            .collect(),
        genesis: previous.is_none(),
        previous_manifest_sha256: previous_link,
    };
    files.insert(MANIFEST.to_string(), canonical::to_bytes(&manifest));
    Ok(Snapshot { files })
}

/// The files of the previous snapshot that [`build`] reads: its manifest (hash chain) and the
/// change population it appends to. Callers may pass a snapshot holding only these.
pub fn read_from_previous(path: &str) -> bool {
    path == MANIFEST || path.starts_with("changes/")
}

/// Appends this run's change events to the previous population, month by month, deduplicated
/// by event id; months this run did not touch are carried over byte for byte.
fn merge_changes(
    inv: &Inventory,
    previous: Option<&Snapshot>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<ChangeCounts, EvidenceError> {
    let mut months: BTreeMap<
        String,
        BTreeMap<(chrono::DateTime<chrono::Utc>, String), ChangeEvent>,
    > = BTreeMap::new();
    let mut known = std::collections::HashSet::new();
    if let Some(prev) = previous {
        for (path, bytes) in prev.files.iter().filter(|(p, _)| p.starts_with("changes/")) {
            let f: ChangesFile = parse_json(path, bytes)?;
            let month = months.entry(f.month).or_default();
            for e in f.events {
                known.insert(e.event_id.clone());
                month.insert((e.event_time, e.event_id.clone()), e);
            }
        }
    }
    for e in inv.changes.iter().flatten() {
        if known.insert(e.event_id.clone()) {
            months
                .entry(e.event_time.format("%Y-%m").to_string())
                .or_default()
                .insert((e.event_time, e.event_id.clone()), e.clone());
        }
    }
    let mut total = 0;
    for (month, events) in months {
        total += events.len() as u64;
        let file = ChangesFile {
            schema_version: SCHEMA_VERSION,
            events: events.into_values().collect(),
            month,
        };
        files.insert(changes_path(&file.month), canonical::to_bytes(&file));
    }
    Ok(ChangeCounts {
        total,
        collected: inv.changes.is_some(),
    })
}

/// Runs checks and controls on an inventory and builds its snapshot on top of `previous`: the
/// whole pure middle of the pipeline, without waivers or attestations.
pub fn assess(
    inventory: &Inventory,
    settings: &Settings,
    run: RunMeta,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, EvidenceError> {
    assess_with(inventory, settings, &RepoInputs::default(), run, previous)
}

/// As [`assess`], with the repository's waivers applied to the findings (at the inventory's
/// collection time) and its attestations recorded for the manual criteria.
pub fn assess_with(
    inventory: &Inventory,
    settings: &Settings,
    inputs: &RepoInputs,
    run: RunMeta,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, EvidenceError> {
    let mut results = crate::checks::run_all(inventory, settings);
    if let Some(w) = &inputs.waivers {
        w.apply(&mut results, inventory.collected_at);
    }
    let controls = controls::evaluate(&results);
    build(
        inventory, settings, &results, &controls, inputs, run, previous,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil;
    use chrono::{TimeZone, Utc};

    fn run(secs: i64) -> RunMeta {
        RunMeta {
            run_id: format!("r{secs}"),
            started_at: Utc.timestamp_opt(secs, 0).unwrap(),
            finished_at: Utc.timestamp_opt(secs + 5, 0).unwrap(),
        }
    }

    fn snap(inv: &Inventory, run: RunMeta) -> Snapshot {
        testutil::snapshot(inv, run)
    }

    fn inventory() -> Inventory {
        testutil::inventory(vec![testutil::fixture_resource(
            "storage/storage_accounts_list.2025-06-01.json",
            0,
        )])
    }

    #[test]
    fn layout_has_every_file_kind() {
        let s = snap(&inventory(), run(0));
        for f in [
            MANIFEST,
            SUMMARY,
            "controls/CC6.1.json",
            "controls/P8.1.json",
        ] {
            assert!(s.files.contains_key(f), "{f}");
        }
        assert!(
            s.files
                .contains_key("checks/storage_secure_transfer_required.json")
        );
        for part in InventoryPart::ALL {
            assert!(s.files.contains_key(&inventory_path(part)));
        }
        assert_eq!(s.controls().unwrap().len(), 61);
        for (p, b) in &s.files {
            assert!(b.ends_with(b"\n"), "{p}");
            let v: serde_json::Value = serde_json::from_slice(b).unwrap();
            assert_eq!(v["schema_version"], 1, "{p}");
        }
    }

    /// What `read_from_previous` keeps is all `build` reads: the next snapshot is the same on
    /// the parent's whole snapshot and on those files alone.
    #[test]
    fn build_reads_only_the_manifest_and_changes_of_the_previous_snapshot() {
        let inv = crate::collect::demo::inventory(crate::collect::demo::DemoState::Baseline);
        let a = snap(&inv, run(0));
        let part = Snapshot {
            files: a
                .files
                .iter()
                .filter(|(p, _)| read_from_previous(p))
                .map(|(p, b)| (p.clone(), b.clone()))
                .collect(),
        };
        assert!(part.files.len() > 1 && part.files.len() < a.files.len());
        let drifted = crate::collect::demo::inventory(crate::collect::demo::DemoState::Drifted);
        let full = assess(&drifted, &Settings::default(), run(100), Some(&a)).unwrap();
        let reduced = assess(&drifted, &Settings::default(), run(100), Some(&part)).unwrap();
        assert_eq!(full, reduced);
    }

    #[test]
    fn same_inventory_same_evidence_bytes_only_manifest_differs() {
        let a = snap(&inventory(), run(0));
        let b = assess(&inventory(), &Settings::default(), run(100), Some(&a)).unwrap();
        let ev = |s: &Snapshot| {
            s.evidence_files()
                .map(|(p, b)| (p.clone(), b.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ev(&a), ev(&b));
        assert_ne!(a.files[MANIFEST], b.files[MANIFEST]);
        assert_eq!(
            b.manifest().unwrap().previous_manifest_sha256,
            a.manifest_sha256()
        );
    }

    #[test]
    fn manifest_hashes_every_file_and_verify_catches_tampering() {
        let mut s = snap(&inventory(), run(0));
        let m = s.manifest().unwrap();
        assert_eq!(m.files.len(), s.files.len() - 1);
        assert!(s.verify().unwrap().is_empty());
        s.files.get_mut(SUMMARY).unwrap().extend_from_slice(b" ");
        let problems = s.verify().unwrap();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("summary.json: sha256"));
    }

    #[test]
    fn invalid_file_names_file_and_field() {
        let mut s = snap(&inventory(), run(0));
        s.files
            .insert(SUMMARY.into(), br#"{"schema_version": "one"}"#.to_vec());
        let e = s.summary().unwrap_err().to_string();
        assert!(
            e.starts_with("summary.json: invalid at `schema_version`"),
            "{e}"
        );
    }

    fn event(id: &str, time: &str) -> ChangeEvent {
        ChangeEvent {
            event_id: id.into(),
            event_time: time.parse().unwrap(),
            subscription_id: "sub-a".into(),
            caller: Some("deployer@contoso.example".into()),
            operation: "Microsoft.Storage/storageAccounts/write".into(),
            resource_id: Some("/subscriptions/sub-a/x".into()),
            status: Some("Succeeded".into()),
            correlation_id: None,
        }
    }

    #[test]
    fn change_population_is_appended_deduplicated_and_split_by_month() {
        let mut inv = inventory();
        inv.changes = Some(vec![
            event("e2", "2026-10-31T23:00:00Z"),
            event("e1", "2026-10-01T08:00:00Z"),
        ]);
        let first = snap(&inv, run(0));
        let oct: ChangesFile = parse_json("x", &first.files["changes/2026-10.json"]).unwrap();
        assert_eq!(
            oct.events
                .iter()
                .map(|e| e.event_id.as_str())
                .collect::<Vec<_>>(),
            ["e1", "e2"]
        );

        // The next run overlaps (e2 again) and adds a November event.
        inv.changes = Some(vec![
            event("e2", "2026-10-31T23:00:00Z"),
            event("e3", "2026-11-01T01:00:00Z"),
        ]);
        let second = assess(&inv, &Settings::default(), run(10), Some(&first)).unwrap();
        assert_eq!(
            second.files["changes/2026-10.json"],
            first.files["changes/2026-10.json"]
        );
        let all = second.change_events().unwrap();
        assert_eq!(all.len(), 3);
        let s = second.summary().unwrap();
        assert_eq!(s.change_events.total, 3);

        // A run that could not read the Activity Log keeps the population and says so.
        inv.changes = None;
        let third = assess(&inv, &Settings::default(), run(20), Some(&second)).unwrap();
        assert_eq!(third.change_events().unwrap().len(), 3);
        assert!(!third.summary().unwrap().change_events.collected);
    }

    #[test]
    fn findings_record_observed_values() {
        let s = snap(&inventory(), run(0));
        let checks = s.checks().unwrap();
        let c = checks
            .iter()
            .find(|c| c.id == "storage_secure_transfer_required")
            .unwrap();
        assert_eq!(c.results.len(), 1);
        assert_eq!(
            c.results[0].observed["properties.supportsHttpsTrafficOnly"],
            serde_json::json!(false)
        );
    }
}
