//! CSV: one row per finding (every status), for spreadsheets and GRC imports. RFC 4180 quoting,
//! a header row, `\n` line ends, rows by check id then resource id. Lists (criteria, CIS) are
//! `;`-joined. A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed
//! with `'`, the OWASP guard against CSV injection: evidence text comes from the tenant.

use super::{Export, ExportError, Parsed};
use crate::evidence::Snapshot;

pub const HEADER: [&str; 10] = [
    "check_id",
    "title",
    "severity",
    "status",
    "resource_id",
    "subscription_id",
    "reason",
    "criteria",
    "cis",
    "remediation",
];

/// Neutralises a leading formula character.
fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

pub fn render(snapshot: &Snapshot) -> Result<Export, ExportError> {
    let parsed = Parsed::new(snapshot)?;
    let rows = parsed.rows();
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(HEADER)?;
    for r in &rows {
        w.write_record([
            cell(&r.check.id),
            cell(&r.check.title),
            r.severity().as_str().to_string(),
            r.status.as_str().to_string(),
            cell(r.resource_id),
            r.subscription().map(cell).unwrap_or_default(),
            cell(r.reason),
            cell(&r.check.criteria.join(";")),
            cell(&r.check.cis.join(";")),
            cell(&r.check.remediation),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))?;
    Ok(Export {
        bytes,
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
    fn header_and_one_row_per_finding_with_remediation_and_criteria() {
        let snap = testutil::demo(DemoState::Baseline);
        let e = render(&snap).unwrap();
        let mut r = ::csv::Reader::from_reader(e.bytes.as_slice());
        assert_eq!(
            r.headers().unwrap(),
            &::csv::StringRecord::from(HEADER.to_vec())
        );
        let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        let total: u64 = snap
            .checks()
            .unwrap()
            .iter()
            .map(|c| c.counts.total())
            .sum();
        assert_eq!(rows.len() as u64, total);
        assert_eq!(e.items, rows.len());
        let fail = rows.iter().find(|r| &r[3] == "fail").unwrap();
        assert!(!fail[9].is_empty(), "remediation");
        assert!(fail[7].starts_with("CC") || fail[7].contains(';') || !fail[7].is_empty());
        let sub = rows
            .iter()
            .find(|r| r[4].starts_with("/subscriptions/"))
            .unwrap();
        assert!(sub[4].contains(&sub[5]));
        assert!(
            rows.iter()
                .any(|r| r[4].starts_with("/tenants/") && r[5].is_empty())
        );
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("/subscriptions/x"), "/subscriptions/x");
    }
}
