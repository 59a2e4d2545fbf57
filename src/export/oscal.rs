//! OSCAL assessment-results (JSON, OSCAL 1.2.3): the snapshot as one result with an observation
//! per finding and a finding per automated criterion.
//!
//! - Every `uuid` is a UUID v5 in a namespace derived from the manifest's sha256, so the same
//!   snapshot always gives byte-identical output and two snapshots never share an element id.
//! - `import-ap` must name an assessment plan. The plan here is the check catalogue itself, not
//!   a separate OSCAL document: `href` points at a back-matter resource (`#<uuid>`) that says so
//!   and names the catalogue version. A GRC tool that holds a real assessment plan replaces it.
//! - An observation carries the check, resource, status and each observed value as props
//!   (values as compact JSON, the one form OSCAL's single-line strings accept for any value)
//!   and `relevant-evidence` pointing at `checks/<id>.json` in the evidence repository.
//! - Findings target each automated criterion (`objective-id` = criterion id): `pass` and
//!   `not_applicable` are `satisfied`; `fail` is `not-satisfied` (reason `fail`); `incomplete`
//!   is `not-satisfied` (reason `other`): missing data is never a pass. Manual and inherited
//!   criteria were not assessed by automation and get no finding; the result's remarks say so.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Export, ExportError, Options, Parsed, Row};
use crate::checks::FindingStatus;
use crate::controls::{ControlStatus, Coverage};
use crate::evidence::{Snapshot, canonical, check_path};

/// The OSCAL version the output declares and is validated against (NIST's published schema,
/// `tests/fixtures/schemas/oscal_assessment-results_schema.json`).
pub const OSCAL_VERSION: &str = "1.2.3";

/// Namespace of our own prop names (OSCAL reserves props without `ns` for its own names).
pub const NS: &str = "urn:soc2-evidence";

/// Deterministic ids for one snapshot.
struct Ids(Uuid);

impl Ids {
    fn new(manifest_sha256: &str) -> Self {
        Self(Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("urn:soc2-evidence:manifest:{manifest_sha256}").as_bytes(),
        ))
    }
    fn of(&self, name: &str) -> String {
        Uuid::new_v5(&self.0, name.as_bytes()).to_string()
    }
}

/// OSCAL strings are single-line, non-empty and unpadded.
fn one_line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        "(none)".to_string()
    } else {
        joined
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": one_line(value)})
}

/// A token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`) from a criterion id, for `control-id`.
fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out.insert(0, '_');
    }
    out
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn observation(row: &Row, ids: &Ids, collected: &str, opts: &Options) -> Value {
    let mut props = vec![
        prop("check-id", &row.check.id),
        prop("resource-id", row.resource_id),
        prop("status", row.status.as_str()),
        prop("severity", row.severity().as_str()),
    ];
    if let Some(sub) = row.subscription() {
        props.push(prop("subscription-id", sub));
    }
    for (k, v) in row.observed {
        let mut p = prop("observed", &serde_json::to_string(v).unwrap_or_default());
        p["class"] = json!(token(k));
        p["remarks"] = json!(k);
        props.push(p);
    }
    let types = match row.status {
        // A waived failure is still a finding; the waiver is an accepted risk, not a fix.
        FindingStatus::Fail | FindingStatus::Error | FindingStatus::Waived => "finding",
        FindingStatus::Pass | FindingStatus::NotApplicable => "control-objective",
    };
    json!({
        "uuid": ids.of(&format!("observation:{}:{}", row.check.id, row.resource_id)),
        "title": one_line(&format!("{}: {}", row.check.id, row.resource_id)),
        "description": one_line(&format!("{} — {}: {}", row.check.title, row.status.as_str(), row.reason)),
        "props": props,
        "methods": ["TEST"],
        "types": [types],
        "relevant-evidence": [{
            "href": opts.repo_path(&check_path(&row.check.id)),
            "description": format!(
                "Canonical JSON evidence of check {} (line {}: this resource's result).",
                row.check.id, row.line
            ),
        }],
        "collected": collected,
    })
}

pub fn render(snapshot: &Snapshot, opts: &Options) -> Result<Export, ExportError> {
    let parsed = Parsed::new(snapshot)?;
    let m = &parsed.manifest;
    let controls = snapshot.controls()?;
    let ids = Ids::new(&parsed.manifest_sha256);
    let as_of = rfc3339(m.as_of);
    let rows = parsed.rows();

    let observations: Vec<Value> = rows
        .iter()
        .map(|r| observation(r, &ids, &as_of, opts))
        .collect();
    // Observations of each check, for the findings of the criteria it maps to.
    let mut by_check: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (r, o) in rows.iter().zip(&observations) {
        by_check
            .entry(r.check.id.as_str())
            .or_default()
            .push(o["uuid"].as_str().unwrap_or_default().to_string());
    }

    let automated: Vec<_> = controls
        .iter()
        .filter(|c| c.coverage == Coverage::Automated)
        .collect();
    let not_automated: Vec<&str> = controls
        .iter()
        .filter(|c| c.coverage != Coverage::Automated)
        .map(|c| c.id.as_str())
        .collect();
    let findings: Vec<Value> = automated
        .iter()
        .map(|c| {
            let (state, reason, remark) = match c.status {
                ControlStatus::Pass => ("satisfied", "pass", None),
                ControlStatus::NotApplicable => (
                    "satisfied",
                    "other",
                    Some("No resource was in scope of the mapped checks."),
                ),
                ControlStatus::Fail => ("not-satisfied", "fail", None),
                ControlStatus::Incomplete => (
                    "not-satisfied",
                    "other",
                    Some("Incomplete: data a mapped check needs could not be read; missing data is never a pass."),
                ),
                ControlStatus::Manual | ControlStatus::Inherited => (
                    "not-satisfied",
                    "other",
                    Some("Not assessed by automation."),
                ),
            };
            let mut status = json!({"state": state, "reason": reason});
            if let Some(r) = remark {
                status["remarks"] = json!(r);
            }
            let related: Vec<Value> = c
                .checks
                .iter()
                .flat_map(|mc| by_check.get(mc.check_id.as_str()).into_iter().flatten())
                .map(|u| json!({"observation-uuid": u}))
                .collect();
            let mut f = json!({
                "uuid": ids.of(&format!("finding:{}", c.id)),
                "title": one_line(&format!("{}: {}", c.id, c.title)),
                "description": one_line(&format!(
                    "{} is {} on {} mapped check(s): {} pass, {} fail, {} error finding(s).",
                    c.id,
                    c.status.as_str(),
                    c.checks.len(),
                    c.counts.pass,
                    c.counts.fail,
                    c.counts.error
                )),
                "props": [prop("criterion-status", c.status.as_str())],
                "target": {
                    "type": "objective-id",
                    "target-id": token(&c.id),
                    "title": one_line(&c.title),
                    "status": status,
                },
            });
            if !related.is_empty() {
                f["related-observations"] = json!(related);
            }
            f
        })
        .collect();

    let plan_uuid = ids.of("back-matter:assessment-plan");
    let mut result = json!({
        "uuid": ids.of("result"),
        "title": format!("Automated SOC 2 assessment of Azure tenant {} as of {as_of}", m.tenant_id),
        "description": format!(
            "{} checks of the soc2-evidence catalogue {} evaluated on the inventory collected at \
             {as_of}, mapped to the {}.",
            parsed.checks.len(), m.catalogue_version, m.criteria_edition
        ),
        "start": as_of,
        "end": as_of,
        "props": [
            prop("tenant-id", &m.tenant_id),
            prop("manifest-sha256", &parsed.manifest_sha256),
        ],
        "reviewed-controls": {
            "control-selections": [{
                "include-controls": automated
                    .iter()
                    .map(|c| json!({"control-id": token(&c.id)}))
                    .collect::<Vec<_>>(),
            }],
        },
        "remarks": format!(
            "Criteria not assessed by automation (manual attestation or inherited from Microsoft \
             Azure): {}.",
            if not_automated.is_empty() { "none".to_string() } else { not_automated.join(", ") }
        ),
    });
    if !observations.is_empty() {
        result["observations"] = json!(observations);
    }
    if !findings.is_empty() {
        result["findings"] = json!(findings);
    }

    let doc = json!({
        "assessment-results": {
            "uuid": ids.of("assessment-results"),
            "metadata": {
                "title": format!("SOC 2 evidence: Azure tenant {} as of {as_of}", m.tenant_id),
                "last-modified": as_of,
                "version": format!("{as_of}+{}", &parsed.manifest_sha256[..12]),
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("tool", &format!("{} {}", m.tool.name, m.tool.version)),
                    prop("catalogue-version", &m.catalogue_version),
                    prop("criteria-edition", &m.criteria_edition),
                ],
            },
            "import-ap": {
                "href": format!("#{plan_uuid}"),
                "remarks": "Placeholder: soc2-evidence publishes no OSCAL assessment plan. The plan \
                            is its check catalogue (see the back-matter resource); replace this \
                            reference with your own assessment plan if you keep one.",
            },
            "results": [result],
            "back-matter": {
                "resources": [{
                    "uuid": plan_uuid,
                    "title": format!("soc2-evidence check catalogue {}", m.catalogue_version),
                    "description": "The assessment plan of this result: every check of the \
                                    catalogue, its criteria mapping and its test procedure, as \
                                    listed by `soc2-evidence checks list` and recorded in each \
                                    evidence file under checks/.",
                }],
            },
        }
    });
    Ok(Export {
        bytes: canonical::value_to_bytes(&doc),
        items: observations.len(),
        omitted: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::DemoState;
    use crate::export::testutil;

    #[test]
    fn uuids_are_v5_unique_and_tied_to_the_manifest() {
        let snap = testutil::demo(DemoState::Baseline);
        let e = render(&snap, &Options::default()).unwrap();
        let text = String::from_utf8(e.bytes.clone()).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut uuids = Vec::new();
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        if k == "uuid" {
                            out.push(x.as_str().unwrap().to_string());
                        }
                        walk(x, out);
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        walk(&v, &mut uuids);
        assert!(uuids.len() > e.items);
        let unique: std::collections::BTreeSet<_> = uuids.iter().collect();
        assert_eq!(unique.len(), uuids.len());
        for u in &uuids {
            assert_eq!(Uuid::parse_str(u).unwrap().get_version_num(), 5);
        }
        // Another run of the same estate: another manifest, other ids.
        let mut other = snap.clone();
        let mut manifest = snap.manifest().unwrap();
        manifest.run.run_id = "another".into();
        other.files.insert(
            crate::evidence::MANIFEST.into(),
            canonical::to_bytes(&manifest),
        );
        let v2: Value =
            serde_json::from_slice(&render(&other, &Options::default()).unwrap().bytes).unwrap();
        assert_ne!(
            v["assessment-results"]["uuid"],
            v2["assessment-results"]["uuid"]
        );
    }

    #[test]
    fn findings_per_automated_criterion_and_observations_per_finding() {
        let snap = testutil::demo(DemoState::Baseline);
        let e = render(&snap, &Options::default()).unwrap();
        let v: Value = serde_json::from_slice(&e.bytes).unwrap();
        let result = &v["assessment-results"]["results"][0];
        let total: u64 = snap
            .checks()
            .unwrap()
            .iter()
            .map(|c| c.counts.total())
            .sum();
        assert_eq!(
            result["observations"].as_array().unwrap().len() as u64,
            total
        );
        let summary = snap.summary().unwrap();
        let automated: Vec<_> = summary
            .criteria
            .iter()
            .filter(|c| c.coverage == Coverage::Automated)
            .collect();
        let findings = result["findings"].as_array().unwrap();
        assert_eq!(findings.len(), automated.len());
        for c in &automated {
            let f = findings
                .iter()
                .find(|f| f["target"]["target-id"] == c.id.as_str())
                .unwrap();
            let want = match c.status {
                ControlStatus::Pass | ControlStatus::NotApplicable => "satisfied",
                _ => "not-satisfied",
            };
            assert_eq!(f["target"]["status"]["state"], want, "{}", c.id);
        }
        assert!(
            findings
                .iter()
                .any(|f| f["target"]["status"]["state"] == "not-satisfied")
        );
        assert_eq!(
            v["assessment-results"]["metadata"]["last-modified"],
            rfc3339(summary.as_of)
        );
    }

    #[test]
    fn tokens_and_strings_fit_oscal_patterns() {
        assert_eq!(token("CC6.1"), "CC6.1");
        assert_eq!(token("1.2"), "_1.2");
        assert_eq!(token("a b"), "a_b");
        assert_eq!(one_line("  two\nlines "), "two lines");
        assert_eq!(one_line(" "), "(none)");
    }
}
