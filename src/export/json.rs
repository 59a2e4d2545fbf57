//! JSON: every finding with its check's metadata, as one canonical JSON document (sorted keys,
//! 2-space indent, `\n` at the end), in evidence order. For scripts that want findings without
//! walking `checks/`.

use serde_json::{Value, json};

use super::{Export, ExportError, Options, Parsed};
use crate::checks::Counts;
use crate::evidence::{Snapshot, canonical, check_path};

/// Version of this document's shape.
pub const FORMAT_VERSION: u32 = 1;

pub fn render(snapshot: &Snapshot, opts: &Options) -> Result<Export, ExportError> {
    let parsed = Parsed::new(snapshot)?;
    let m = &parsed.manifest;
    let rows = parsed.rows();
    let mut counts = Counts::default();
    let findings: Vec<Value> = rows
        .iter()
        .map(|r| {
            counts.add(r.status);
            json!({
                "check_id": r.check.id,
                "title": r.check.title,
                "service": r.check.service,
                "severity": r.severity(),
                "status": r.status,
                "resource_id": r.resource_id,
                "subscription_id": r.subscription(),
                "reason": r.reason,
                "observed": r.observed,
                "criteria": r.check.criteria,
                "cis": r.check.cis,
                "remediation": r.check.remediation,
                "evidence": {
                    "path": opts.repo_path(&check_path(&r.check.id)),
                    "line": r.line,
                },
            })
        })
        .collect();
    let doc = json!({
        "format_version": FORMAT_VERSION,
        "tool": m.tool,
        "tenant_id": m.tenant_id,
        "as_of": m.as_of,
        "catalogue_version": m.catalogue_version,
        "criteria_edition": m.criteria_edition,
        "manifest_sha256": parsed.manifest_sha256,
        "counts": counts,
        "findings": findings,
    });
    Ok(Export {
        bytes: canonical::value_to_bytes(&doc),
        items: rows.len(),
        omitted: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::DemoState;
    use crate::export::testutil;

    #[test]
    fn canonical_document_with_every_finding() {
        let snap = testutil::demo(DemoState::Baseline);
        let e = render(&snap, &Options::default()).unwrap();
        let v: Value = serde_json::from_slice(&e.bytes).unwrap();
        assert_eq!(canonical::value_to_bytes(&v), e.bytes, "already canonical");
        let summary = snap.summary().unwrap();
        assert_eq!(v["counts"], serde_json::to_value(summary.findings).unwrap());
        assert_eq!(v["findings"].as_array().unwrap().len(), e.items);
        assert_eq!(v["manifest_sha256"], snap.manifest_sha256().unwrap());
        let f = &v["findings"][0];
        assert!(
            f["evidence"]["path"]
                .as_str()
                .unwrap()
                .starts_with("evidence/checks/")
        );
    }
}
