//! SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per failing or erroring
//! finding, located on the finding's line in its evidence file.
//!
//! - Rule id = check id (never reused, so alerts keep their identity across catalogue versions);
//!   `security-severity` from the check's severity, so GitHub ranks alerts as it does CodeQL's.
//! - `fail` → `level: error`; `error` (data missing) → `level: note` saying what could not be
//!   read; `pass` and `not_applicable` are not results. A status added later (a waived failure)
//!   belongs here as a result with `suppressions: [{kind: "external", justification}]`, which
//!   GitHub shows as a dismissed alert.
//! - `partialFingerprints` hash the check id and resource id only, so an alert survives other
//!   findings shifting its line.
//! - GitHub accepts at most 25,000 results a run: beyond that the most severe are kept
//!   (critical first, failures before errors, then evidence order) and the rest counted in
//!   [`Export::omitted`] and in the run's properties.

use serde_json::{Value, json};

use super::{Export, ExportError, Options, Parsed, Row};
use crate::checks::{FindingStatus, Severity};
use crate::evidence::{CheckFile, Snapshot, check_path};

/// GitHub code scanning's limit on results per run.
pub const MAX_RESULTS: usize = 25_000;

/// The `$schema` GitHub's documentation and SARIF producers use for 2.1.0.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; versioned so a change of scheme never
/// silently re-identifies alerts.
pub const FINGERPRINT_KEY: &str = "soc2EvidenceFinding/v1";

/// GitHub's `security-severity` score of a severity (its bands: critical > 9.0, high 7.0–8.9,
/// medium 4.0–6.9, low 0.1–3.9).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// sha256 of `<check id>\n<resource id>`: the same finding gets the same fingerprint in every
/// run, whatever else changed.
pub fn fingerprint(check_id: &str, resource_id: &str) -> String {
    crate::digest::sha256_hex_parts([check_id.as_bytes(), b"\n", resource_id.as_bytes()])
}

/// How a finding status appears in SARIF: `None` when it is not a result.
fn level(status: FindingStatus) -> Option<&'static str> {
    match status {
        // A waived failure stays a result, suppressed with the waiver as justification, so
        // code scanning shows it as accepted rather than hiding it.
        FindingStatus::Fail | FindingStatus::Waived => Some("error"),
        FindingStatus::Error => Some("note"),
        FindingStatus::Pass | FindingStatus::NotApplicable => None,
    }
}

fn message(row: &Row) -> String {
    match row.status {
        FindingStatus::Error => format!(
            "Evidence incomplete: the data needed to decide could not be read, so this is not a \
             pass. {}",
            row.reason
        ),
        _ => row.reason.to_string(),
    }
}

/// Order of results when the cap cuts: most severe first, failures before missing data.
fn priority(row: &Row) -> (u8, u8) {
    let sev = match row.severity() {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    };
    let st = match row.status {
        FindingStatus::Fail => 0,
        _ => 1,
    };
    (sev, st)
}

/// `storage_secure_transfer_required` → `StorageSecureTransferRequired` (SARIF's rule `name`).
fn pascal(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(c: &CheckFile) -> Value {
    let mut tags = vec!["security".to_string(), "soc2".to_string()];
    tags.extend(c.criteria.iter().map(|cr| format!("soc2:{cr}")));
    tags.extend(c.cis.iter().map(|cis| format!("cis-azure:{cis}")));
    tags.push(format!("azure:{}", c.service));
    let refs = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let markdown = format!(
        "{}\n\n## Why it matters\n\n{}\n\n## Remediation\n\n{}\n\n**Trust Services Criteria:** {}  \n**CIS Microsoft Azure Foundations:** {}  \n**Target:** `{}`\n",
        c.description,
        c.rationale,
        c.remediation,
        refs(&c.criteria),
        refs(&c.cis),
        c.target,
    );
    let text = format!(
        "{}\n\nWhy it matters: {}\n\nRemediation: {}",
        c.description, c.rationale, c.remediation
    );
    json!({
        "id": c.id,
        "name": pascal(&c.id),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": c.description},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(c.severity),
            "precision": "very-high",
            "problem.severity": "error",
            "severity": c.severity.as_str(),
            "criteria": c.criteria,
            "cis": c.cis,
        },
    })
}

fn result(row: &Row, rule_index: usize, opts: &Options) -> Option<Value> {
    let level = level(row.status)?;
    let mut props = json!({
        "status": row.status.as_str(),
        "severity": row.severity().as_str(),
        "resourceId": row.resource_id,
    });
    if let Some(sub) = row.subscription() {
        props["subscriptionId"] = json!(sub);
    }
    let suppressions = match row.waiver {
        Some(w) => json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!(
                "waiver {} (owner {}, approved by {}, expires {}): {}",
                w.id, w.owner, w.approved_by, w.expires, w.reason
            ),
        }]),
        None => json!([]),
    };
    Some(json!({
        "suppressions": suppressions,
        "ruleId": row.check.id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message(row)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": opts.repo_path(&check_path(&row.check.id))},
                "region": {"startLine": row.line},
            },
            "logicalLocations": [{
                "fullyQualifiedName": row.resource_id,
                "kind": "resource",
            }],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(&row.check.id, row.resource_id)},
        "properties": props,
    }))
}

/// Renders the snapshot as a SARIF log with at most [`MAX_RESULTS`] results.
pub fn render(snapshot: &Snapshot, opts: &Options) -> Result<Export, ExportError> {
    render_capped(snapshot, opts, MAX_RESULTS)
}

/// [`render`] with another cap (tests).
pub fn render_capped(
    snapshot: &Snapshot,
    opts: &Options,
    cap: usize,
) -> Result<Export, ExportError> {
    let parsed = Parsed::new(snapshot)?;
    let m = &parsed.manifest;
    let rules: Vec<Value> = parsed.checks.iter().map(rule).collect();
    let index: std::collections::BTreeMap<&str, usize> = parsed
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();

    let mut candidates: Vec<Row> = parsed
        .rows()
        .into_iter()
        .filter(|r| level(r.status).is_some())
        .collect();
    let total = candidates.len();
    let omitted = total.saturating_sub(cap);
    if omitted > 0 {
        // Stable sort: within a priority, evidence order stays.
        candidates.sort_by_key(priority);
        candidates.truncate(cap);
    }
    let results: Vec<Value> = candidates
        .iter()
        .filter_map(|r| result(r, index[r.check.id.as_str()], opts))
        .collect();

    let mut run_props = json!({
        "tenantId": m.tenant_id,
        "asOf": m.as_of,
        "catalogueVersion": m.catalogue_version,
        "criteriaEdition": m.criteria_edition,
        "manifestSha256": parsed.manifest_sha256,
    });
    if omitted > 0 {
        run_props["omittedResults"] = json!(omitted);
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": m.tool.name,
                "version": m.tool.version,
                "semanticVersion": m.tool.version,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("soc2-evidence/{}/", m.tenant_id)},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": run_props,
        }],
    });
    Ok(Export {
        bytes: crate::evidence::canonical::value_to_bytes(&log),
        items: results.len(),
        omitted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::DemoState;
    use crate::export::testutil;

    fn parse(e: &Export) -> Value {
        serde_json::from_slice(&e.bytes).unwrap()
    }

    #[test]
    fn one_rule_per_check_and_a_result_per_failing_or_erroring_finding() {
        let snap = testutil::demo(DemoState::Baseline);
        let e = render(&snap, &Options::default()).unwrap();
        let v = parse(&e);
        let run = &v["runs"][0];
        let checks = snap.checks().unwrap();
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            checks.len()
        );
        let want: usize = checks
            .iter()
            .map(|c| (c.counts.fail + c.counts.error) as usize)
            .sum();
        assert!(want > 0);
        assert_eq!(run["results"].as_array().unwrap().len(), want);
        assert_eq!(e.items, want);
        assert_eq!(e.omitted, 0);
        for r in run["results"].as_array().unwrap() {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert_eq!(
                uri,
                format!("evidence/checks/{}.json", r["ruleId"].as_str().unwrap())
            );
            assert!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() > Some(1)
            );
        }
    }

    #[test]
    fn errors_are_notes_that_say_data_was_missing() {
        let snap = testutil::demo(DemoState::Baseline);
        let v = parse(&render(&snap, &Options::default()).unwrap());
        let notes: Vec<&Value> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "note")
            .collect();
        assert!(!notes.is_empty(), "the demo has findings with missing data");
        for n in notes {
            assert_eq!(n["properties"]["status"], "error");
            assert!(
                n["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Evidence incomplete")
            );
        }
    }

    #[test]
    fn severities_map_to_github_bands() {
        assert_eq!(security_severity(Severity::Critical), "9.5");
        assert_eq!(security_severity(Severity::High), "8.0");
        assert_eq!(security_severity(Severity::Medium), "5.5");
        assert_eq!(security_severity(Severity::Low), "3.0");
        assert_eq!(
            pascal("storage_secure_transfer_required"),
            "StorageSecureTransferRequired"
        );
    }

    #[test]
    fn cap_keeps_the_most_severe_and_counts_the_rest() {
        let snap = testutil::demo(DemoState::Baseline);
        let full = render(&snap, &Options::default()).unwrap();
        let cut = render_capped(&snap, &Options::default(), 3).unwrap();
        assert_eq!(cut.items, 3);
        assert_eq!(cut.omitted, full.items - 3);
        let v = parse(&cut);
        assert_eq!(v["runs"][0]["properties"]["omittedResults"], full.items - 3);
        let sev = |r: &Value| r["properties"]["severity"].as_str().unwrap().to_string();
        let kept: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(sev)
            .collect();
        let all = parse(&full);
        let best = all["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(sev)
            .min_by_key(|s| match s.as_str() {
                "critical" => 0,
                "high" => 1,
                "medium" => 2,
                _ => 3,
            })
            .unwrap();
        assert_eq!(kept[0], best);
    }

    #[test]
    fn evidence_root_prefixes_locations() {
        let snap = testutil::demo(DemoState::Baseline);
        let opts = Options {
            evidence_root: "audit/evidence/".into(),
        };
        let v = parse(&render(&snap, &opts).unwrap());
        let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("audit/evidence/checks/"), "{uri}");
    }
}
