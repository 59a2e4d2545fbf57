//! Evidence: an [`Assessment`](crate::assess::Assessment) laid out as the canonical JSON files
//! of one snapshot (one builder per file kind, `write`), their paths under the evidence root
//! ([`layout`]), the manifest with the sha256 of every file and of the previous manifest (hash
//! chain), reading a snapshot back, and the JSON Schemas of every file kind. Pure: no git, no
//! clock. It decides nothing about compliance: that is done by `assess`, one layer down.

pub mod bundle;
pub mod canonical;
pub mod chain;
mod files;
pub mod layout;
pub mod schema;
mod write;

pub use files::*;
pub use layout::*;
pub use write::build;

/// The input [`assess_with`] takes, declared by `assess`.
pub use crate::assess::RepoInputs;
/// The hash every manifest entry is, declared by `digest`.
pub use crate::digest::sha256_hex;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::checks::Settings;
use crate::model::{ChangeEvent, Inventory, InventoryPart};

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

/// Assesses an inventory ([`crate::assess::assess`], without waivers or attestations) and
/// builds its snapshot on top of `previous`: the whole pure middle of the pipeline in one call.
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
    build(
        &crate::assess::assess(inventory, settings, inputs),
        run,
        previous,
    )
}

/// The snapshot of an inventory with default settings and no parent, for tests.
#[cfg(test)]
pub(crate) fn test_snapshot(inv: &Inventory, run: RunMeta) -> Snapshot {
    assess(inv, &Settings::default(), run, None).expect("a fresh snapshot builds")
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
        test_snapshot(inv, run)
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
