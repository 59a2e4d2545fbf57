//! The audit report: a PDF rendered from one committed evidence [`Snapshot`] and the commit it
//! was read from, optionally with the drift since the previous
//! release tag and a Type 2 period view built from the snapshots of a period.
//!
//! [`model`] turns the inputs into plain report data without reading anything else; [`period`]
//! computes the period view from a list of runs; `pdf` lays the model out on A4 pages with
//! printpdf and the embedded DejaVu fonts (`fonts`). The PDF is a pure function of its inputs:
//! the same snapshot gives byte-identical PDFs in any process, so an auditor can re-derive a
//! release asset and compare it byte for byte.

mod fonts;
pub mod model;
mod pdf;
pub mod period;

pub use model::ReportModel;
pub use period::{PeriodError, PeriodRun, PeriodView};

use crate::drift::Drift;
use crate::evidence::{EvidenceError, Snapshot};

/// Where the snapshot was read from. Who and what the report is about (organisation and system)
/// is not here: it comes from the snapshot's `summary.json`, so that a PDF is a function of the
/// commit it names and never of a working tree's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportIdentity {
    /// The evidence repository commit the snapshot was read from, when known.
    pub commit: Option<String>,
}

impl ReportIdentity {
    /// The identity of a snapshot read from `commit`.
    pub fn at(commit: impl Into<String>) -> Self {
        Self {
            commit: Some(commit.into()),
        }
    }
}

/// Everything a report can show. [`render`] is the common case: a snapshot and its identity.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub snapshot: &'a Snapshot,
    pub identity: &'a ReportIdentity,
    /// The drift from the previous release tag (its name) to `snapshot`, when there is one.
    pub drift: Option<(&'a str, &'a Drift)>,
    /// The Type 2 period view; `snapshot` is then the last run of the period.
    pub period: Option<&'a PeriodView>,
}

impl<'a> ReportInput<'a> {
    pub fn new(snapshot: &'a Snapshot, identity: &'a ReportIdentity) -> Self {
        Self {
            snapshot,
            identity,
            drift: None,
            period: None,
        }
    }
}

/// A rendered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// A report names the manifest's sha256 as its identity; rendering files that do not match
    /// that manifest would attest to evidence the report does not show.
    #[error("the snapshot does not match its manifest: {}", .0.join("; "))]
    Unverified(Vec<String>),
    /// The inputs disagree with each other (e.g. a period view that does not end with the
    /// snapshot being reported).
    #[error("{0}")]
    Inconsistent(String),
    #[error("PDF serialisation failed: {0}")]
    Pdf(String),
}

/// Renders the audit PDF for `snapshot`.
pub fn render(snapshot: &Snapshot, identity: &ReportIdentity) -> Result<Vec<u8>, ReportError> {
    Ok(render_with(&ReportInput::new(snapshot, identity))?.pdf)
}

/// Renders the audit PDF with every optional section the input carries.
pub fn render_with(input: &ReportInput<'_>) -> Result<Rendered, ReportError> {
    let model = ReportModel::build_with(input)?;
    pdf::render(&model)
}
