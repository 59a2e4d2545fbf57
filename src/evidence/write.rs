//! An [`Assessment`] laid out as files: one builder per file kind (check, control, summary,
//! waivers, inventory, changes, manifest), each returning `(path, canonical bytes)`, and
//! [`build`], which puts them together into a [`Snapshot`]. Decides nothing: every status,
//! count and score comes from the assessment.

use std::collections::BTreeMap;

use super::layout::{
    MANIFEST, SUMMARY, WAIVERS, changes_path, check_path, control_path, inventory_path,
};
use super::{
    CategoryScore, ChangeCounts, ChangesFile, CheckFile, CheckSummary, ControlFile,
    CriterionSummary, EvidenceError, InventoryFile, Manifest, ResourceResult, RunMeta,
    SCHEMA_VERSION, Snapshot, SourceGap, Summary, Tool, WaiversFile, canonical, parse_json,
};
use crate::assess::Assessment;
use crate::checks::{CATALOGUE_VERSION, CheckResult};
use crate::controls;
use crate::digest::sha256_hex;
use crate::model::{ChangeEvent, Inventory, InventoryPart};
use crate::waivers::Waivers;

/// A file of the snapshot: its path under the evidence root and its canonical bytes.
type File = (String, Vec<u8>);

/// Builds a snapshot of `a` on top of `previous` (the snapshot its parent commit holds, if
/// any). Evidence bytes are a pure function of the assessment and the previous change
/// population; `run` and the previous manifest's hash reach only the manifest.
pub fn build(
    a: &Assessment<'_>,
    run: RunMeta,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, EvidenceError> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let (change_files, change_events) = change_files(&a.inventory, previous)?;
    files.extend(change_files);
    files.extend(check_files(&a.results));
    files.extend(control_files(a));
    if let Some(w) = a.waivers {
        files.extend([waivers_file(w)]);
    }
    files.extend([summary_file(a, change_events)]);
    files.extend(inventory_files(&a.inventory));
    let manifest = manifest_file(&a.inventory, run, &files, previous)?;
    files.extend([manifest]);
    Ok(Snapshot { files })
}

/// `checks/<id>.json`: one file per check, its metadata and one result per resource.
pub fn check_files(results: &[CheckResult]) -> Vec<File> {
    use rayon::prelude::*;
    results
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
        .collect()
}

/// `controls/<id>.json`: one file per criterion, with the attestation of a manual one.
pub fn control_files(a: &Assessment<'_>) -> Vec<File> {
    a.controls
        .iter()
        .map(|c| {
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
                attestation: a.attestations.get(&c.criterion.id).cloned(),
            };
            (control_path(&c.criterion.id), canonical::to_bytes(&file))
        })
        .collect()
}

/// `summary.json`: scores, counts, the status of every criterion and check, the sources' gaps.
pub fn summary_file(a: &Assessment<'_>, change_events: ChangeCounts) -> File {
    let inv = &a.inventory;
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
        organisation: a.organisation.clone(),
        as_of: a.as_of(),
        catalogue_version: CATALOGUE_VERSION.to_string(),
        criteria_edition: controls::EDITION.to_string(),
        overall: a.overall,
        categories: a
            .categories
            .iter()
            .map(|(cat, score)| CategoryScore {
                category: *cat,
                label: cat.label().to_string(),
                score: *score,
            })
            .collect(),
        findings: a.findings,
        criteria: a
            .controls
            .iter()
            .map(|c| CriterionSummary {
                id: c.criterion.id.clone(),
                category: c.criterion.category,
                coverage: c.coverage,
                status: c.status,
                attestation: a.attestations.get(&c.criterion.id).map(|a| a.state),
            })
            .collect(),
        checks: a
            .results
            .iter()
            .map(|r| CheckSummary {
                id: r.check.meta.id.to_string(),
                severity: r.check.meta.severity,
                status: r.status,
                counts: r.counts,
            })
            .collect(),
        gaps,
        settings: a.settings.clone(),
        change_events,
        manual: a.manual,
        waivers: a.waiver_states.clone(),
    };
    (SUMMARY.to_string(), canonical::to_bytes(&summary))
}

/// `waivers.json`: the waiver file the findings were waived by, tied to it by its sha256.
pub fn waivers_file(w: &Waivers) -> File {
    let file = WaiversFile {
        schema_version: SCHEMA_VERSION,
        source: w.source.clone(),
        source_sha256: w.sha256.clone(),
        waivers: w.entries.clone(),
    };
    (WAIVERS.to_string(), canonical::to_bytes(&file))
}

/// `inventory/<part>.json`: what was collected, part by part, with each source's provenance.
pub fn inventory_files(inv: &Inventory) -> Vec<File> {
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
    let subscriptions = part_file(inv, InventoryPart::Subscriptions, ());
    let resources = part_file(inv, InventoryPart::Resources, ());
    vec![
        (
            inventory_path(InventoryPart::Subscriptions),
            canonical::to_bytes_with(&subscriptions, "data", &inv.subscriptions, canonical::json),
        ),
        (
            inventory_path(InventoryPart::Resources),
            canonical::to_bytes_with(&resources, "data", &inv.resources, canonical::json),
        ),
        (
            inventory_path(InventoryPart::Identity),
            canonical::to_bytes(&part_file(inv, InventoryPart::Identity, &inv.identity)),
        ),
    ]
}

/// `changes/<yyyy-mm>.json`: this run's change events appended to the previous population,
/// month by month, deduplicated by event id; months this run did not touch are carried over
/// byte for byte. Returns the files and the counts `summary.json` records.
pub fn change_files(
    inv: &Inventory,
    previous: Option<&Snapshot>,
) -> Result<(Vec<File>, ChangeCounts), EvidenceError> {
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
    let mut files = Vec::with_capacity(months.len());
    for (month, events) in months {
        total += events.len() as u64;
        let file = ChangesFile {
            schema_version: SCHEMA_VERSION,
            events: events.into_values().collect(),
            month,
        };
        files.push((changes_path(&file.month), canonical::to_bytes(&file)));
    }
    let counts = ChangeCounts {
        total,
        collected: inv.changes.is_some(),
    };
    Ok((files, counts))
}

/// `manifest.json`: run metadata, tool and catalogue versions, the sha256 of every other file
/// (`files`) and of the previous manifest.
pub fn manifest_file(
    inv: &Inventory,
    run: RunMeta,
    files: &BTreeMap<String, Vec<u8>>,
    previous: Option<&Snapshot>,
) -> Result<File, EvidenceError> {
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
        as_of: inv.collected_at,
        subscriptions: inv.subscriptions.iter().map(|s| s.id.clone()).collect(),
        run,
        files: files
            .iter()
            .map(|(p, b)| (p.clone(), sha256_hex(b)))
            .collect(),
        genesis: previous.is_none(),
        previous_manifest_sha256: previous_link,
    };
    Ok((MANIFEST.to_string(), canonical::to_bytes(&manifest)))
}
