//! Exports: SARIF 2.1.0 (GitHub code scanning), OSCAL assessment-results, CSV and JSON, each a
//! pure rendering of one committed [`Snapshot`]. No I/O, no clock: the same snapshot gives the
//! same bytes, so an export can be re-derived from a commit by anyone.
//!
//! Every format reads the findings through [`rows`], so they agree on what a finding is and on
//! its order (check id, then resource id: the order of the evidence files).

pub mod csv;
pub mod json;
pub mod oscal;
pub mod sarif;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::checks::{FindingStatus, Severity};
use crate::evidence::{CheckFile, EvidenceError, Manifest, Snapshot};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sarif,
    Oscal,
    Csv,
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sarif => "sarif",
            Self::Oscal => "oscal",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// Where the snapshot lives in its repository; exports point at evidence files through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The evidence root, relative to the repository root (configured `evidence.root`).
    pub evidence_root: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            evidence_root: "evidence".to_string(),
        }
    }
}

impl Options {
    /// Path of a snapshot file relative to the repository root, with `/` separators.
    pub fn repo_path(&self, snapshot_path: &str) -> String {
        let root = self.evidence_root.trim_matches('/');
        if root.is_empty() || root == "." {
            snapshot_path.to_string()
        } else {
            format!("{root}/{snapshot_path}")
        }
    }
}

/// A rendered export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub bytes: Vec<u8>,
    /// Findings the format holds (SARIF: results; OSCAL: observations; CSV and JSON: rows).
    pub items: usize,
    /// Findings left out because the format's consumer has a limit (SARIF: 25,000 results).
    pub omitted: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
}

/// Renders `snapshot` in `format`.
pub fn render(snapshot: &Snapshot, format: Format, opts: &Options) -> Result<Export, ExportError> {
    match format {
        Format::Sarif => sarif::render(snapshot, opts),
        Format::Oscal => oscal::render(snapshot, opts),
        Format::Csv => csv::render(snapshot),
        Format::Json => json::render(snapshot, opts),
    }
}

/// One finding with the metadata of its check: the unit every export renders.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub check: &'a CheckFile,
    pub resource_id: &'a str,
    pub status: FindingStatus,
    pub reason: &'a str,
    pub observed: &'a BTreeMap<String, Value>,
    /// 1-based line of the finding (its `resource_id`) in the check's canonical evidence file.
    pub line: usize,
    /// The waiver covering a `waived` finding.
    pub waiver: Option<&'a crate::checks::AppliedWaiver>,
}

impl Row<'_> {
    pub fn severity(&self) -> Severity {
        self.check.severity
    }
    /// The subscription the resource is in; `None` for tenant-level findings.
    pub fn subscription(&self) -> Option<&str> {
        subscription_of(self.resource_id)
    }
}

/// What every export needs from a snapshot: its manifest, its check files and the manifest's
/// sha256 (the namespace of OSCAL ids).
pub struct Parsed {
    pub manifest: Manifest,
    pub manifest_sha256: String,
    pub checks: Vec<CheckFile>,
    /// The canonical bytes of each check file, keyed by check id, for line numbers.
    texts: BTreeMap<String, Vec<u8>>,
}

impl Parsed {
    pub fn new(snapshot: &Snapshot) -> Result<Self, EvidenceError> {
        let manifest = snapshot.manifest()?;
        let manifest_sha256 = snapshot
            .manifest_sha256()
            .ok_or_else(|| EvidenceError::Missing {
                file: crate::evidence::MANIFEST.to_string(),
            })?;
        let mut checks = snapshot.checks()?;
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let texts = checks
            .iter()
            .filter_map(|c| {
                snapshot
                    .files
                    .get(&crate::evidence::check_path(&c.id))
                    .map(|b| (c.id.clone(), b.clone()))
            })
            .collect();
        Ok(Self {
            manifest,
            manifest_sha256,
            checks,
            texts,
        })
    }

    /// Every finding, by check id then resource id.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let mut out = Vec::new();
        for c in &self.checks {
            let lines = self
                .texts
                .get(&c.id)
                .map(|t| resource_lines(t))
                .unwrap_or_default();
            let mut results: Vec<_> = c.results.iter().collect();
            results.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
            for r in results {
                out.push(Row {
                    check: c,
                    resource_id: &r.resource_id,
                    status: r.status,
                    reason: &r.reason,
                    observed: &r.observed,
                    line: lines.get(&r.resource_id).copied().unwrap_or(1),
                    waiver: r.waiver.as_ref(),
                });
            }
        }
        out
    }
}

/// Line (1-based) of each `"resource_id": "<id>"` in a canonical check file. The key occurs
/// only in `results`, one per finding, so the line identifies the finding.
fn resource_lines(text: &[u8]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::str::from_utf8(text) else {
        return out;
    };
    const KEY: &str = "\"resource_id\": ";
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(KEY) {
            let rest = rest.trim_end().trim_end_matches(',');
            if let Ok(id) = serde_json::from_str::<String>(rest) {
                out.entry(id).or_insert(i + 1);
            }
        }
    }
    out
}

/// `/subscriptions/<id>/…` → `<id>` (ASCII case-insensitive prefix, as ARM ids are).
pub fn subscription_of(resource_id: &str) -> Option<&str> {
    const P: &str = "/subscriptions/";
    if resource_id.len() > P.len() && resource_id[..P.len()].eq_ignore_ascii_case(P) {
        let rest = &resource_id[P.len()..];
        let id = rest.split('/').next().unwrap_or(rest);
        (!id.is_empty()).then_some(id)
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Snapshots for the export tests: the demo tenant, assessed.
    use crate::checks::Settings;
    use crate::collect::demo::{self, DemoState};
    use crate::evidence::{self, RunMeta, Snapshot};
    use chrono::{TimeZone, Utc};

    pub fn run() -> RunMeta {
        RunMeta {
            run_id: "test".into(),
            started_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
            finished_at: Utc.timestamp_opt(1_800_000_060, 0).unwrap(),
        }
    }

    pub fn demo(state: DemoState) -> Snapshot {
        evidence::assess(&demo::inventory(state), &Settings::default(), run(), None).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::DemoState;

    #[test]
    fn subscription_is_parsed_from_arm_ids() {
        assert_eq!(
            subscription_of("/subscriptions/abc/resourceGroups/rg/providers/x/y/z"),
            Some("abc")
        );
        assert_eq!(subscription_of("/SUBSCRIPTIONS/abc"), Some("abc"));
        assert_eq!(subscription_of("/tenants/t"), None);
        assert_eq!(subscription_of("/subscriptions/"), None);
    }

    #[test]
    fn rows_are_ordered_and_located_on_their_evidence_line() {
        let snap = testutil::demo(DemoState::Baseline);
        let parsed = Parsed::new(&snap).unwrap();
        let rows = parsed.rows();
        assert!(!rows.is_empty());
        let keys: Vec<_> = rows.iter().map(|r| (&r.check.id, r.resource_id)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        for r in &rows {
            let text = std::str::from_utf8(&snap.files[&crate::evidence::check_path(&r.check.id)])
                .unwrap();
            let line = text.lines().nth(r.line - 1).unwrap();
            assert!(
                line.contains("\"resource_id\"")
                    && line.contains(&serde_json::to_string(r.resource_id).unwrap()),
                "{}: line {} is {line}",
                r.check.id,
                r.line
            );
        }
    }
}
