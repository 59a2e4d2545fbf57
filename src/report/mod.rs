//! The audit report: a PDF rendered from one committed evidence [`Snapshot`] and the report
//! identity (organisation, system, commit). [`model`] turns the snapshot into plain report data
//! without reading anything else; `pdf` lays that data out on A4 pages with printpdf. The PDF is
//! a pure function of its inputs: the same snapshot gives byte-identical PDFs in any process, so
//! an auditor can re-derive a release asset and compare it byte for byte.

pub mod model;
mod pdf;

pub use model::ReportModel;

use crate::evidence::{EvidenceError, Snapshot};

/// Who and what the report is about; from configuration, not from the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportIdentity {
    pub organisation: String,
    pub system: String,
    /// The evidence repository commit the snapshot was read from, when known.
    pub commit: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// A report names the manifest's sha256 as its identity; rendering files that do not match
    /// that manifest would attest to evidence the report does not show.
    #[error("the snapshot does not match its manifest: {}", .0.join("; "))]
    Unverified(Vec<String>),
    #[error("PDF serialisation failed: {0}")]
    Pdf(String),
}

/// Renders the audit PDF for `snapshot`.
pub fn render(snapshot: &Snapshot, identity: &ReportIdentity) -> Result<Vec<u8>, ReportError> {
    let model = ReportModel::build(snapshot, identity)?;
    pdf::render(&model)
}
