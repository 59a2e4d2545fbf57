//! Exports of real demo snapshots: schema validation (NIST OSCAL, SARIF 2.1.0), determinism,
//! the SARIF result cap, fingerprint stability, and the `export` command end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;
use soc2_evidence::checks::{FindingStatus, Settings};
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::{self, CheckFile, ResourceResult, RunMeta, Snapshot, canonical};
use soc2_evidence::export::{self, Format, Options, sarif};

fn run_meta(secs: i64) -> RunMeta {
    RunMeta {
        run_id: format!("r{secs}"),
        started_at: Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap(),
        finished_at: Utc.timestamp_opt(1_800_000_060 + secs, 0).unwrap(),
    }
}

fn snapshot(state: DemoState) -> Snapshot {
    evidence::assess(
        &demo::inventory(state),
        &Settings::default(),
        run_meta(0),
        None,
    )
    .unwrap()
}

fn schema(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/schemas")
        .join(name);
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

fn validate(schema_name: &str, bytes: &[u8]) {
    let schema = schema(schema_name);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{schema_name} compiles: {e}"));
    let instance: Value = serde_json::from_slice(bytes).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{schema_name}:\n{}", errors.join("\n"));
}

fn render(s: &Snapshot, f: Format) -> export::Export {
    export::render(s, f, &Options::default()).unwrap()
}

#[test]
fn oscal_validates_against_nists_assessment_results_schema() {
    for state in [DemoState::Baseline, DemoState::Drifted] {
        let e = render(&snapshot(state), Format::Oscal);
        assert!(e.items > 0);
        validate("oscal_assessment-results_schema.json", &e.bytes);
    }
}

#[test]
fn the_oscal_schema_really_rejects_what_it_should() {
    // Guards against a validator that accepts everything (e.g. patterns it could not compile).
    let e = render(&snapshot(DemoState::Baseline), Format::Oscal);
    let mut v: Value = serde_json::from_slice(&e.bytes).unwrap();
    let validator =
        jsonschema::validator_for(&schema("oscal_assessment-results_schema.json")).unwrap();
    assert!(validator.is_valid(&v));
    let obs = "/assessment-results/results/0/observations/0";
    *v.pointer_mut(&format!("{obs}/uuid")).unwrap() = Value::from("not-a-uuid");
    assert!(!validator.is_valid(&v));
    *v.pointer_mut(&format!("{obs}/uuid")).unwrap() =
        Value::from("0b1e6a36-2f4c-4d3b-9a1e-3b5c7d9e1f20");
    assert!(validator.is_valid(&v));
    *v.pointer_mut(&format!("{obs}/props/0/name")).unwrap() = Value::from("9 starts with a digit");
    assert!(
        !validator.is_valid(&v),
        "the TokenDatatype pattern is enforced"
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    for state in [DemoState::Baseline, DemoState::Drifted] {
        let e = render(&snapshot(state), Format::Sarif);
        assert!(e.items > 0);
        validate("sarif-2.1.0-rtm.5.json", &e.bytes);
    }
    // The schema really constrains results (guards against a validator that accepts anything).
    let e = render(&snapshot(DemoState::Baseline), Format::Sarif);
    let mut v: Value = serde_json::from_slice(&e.bytes).unwrap();
    let validator = jsonschema::validator_for(&schema("sarif-2.1.0-rtm.5.json")).unwrap();
    assert!(validator.is_valid(&v));
    *v.pointer_mut("/runs/0/results/0/level").unwrap() = Value::from("critical");
    assert!(!validator.is_valid(&v), "level is an enum");
}

/// A waived failure stays a SARIF result, suppressed with the waiver as justification, and a
/// `finding` observation in OSCAL; the output still validates.
#[test]
fn waived_findings_are_suppressed_results_with_their_waiver() {
    let mut s = with_failures(2);
    let path = "checks/storage_secure_transfer_required.json";
    let mut c: CheckFile = evidence::parse_json(path, &s.files[path]).unwrap();
    c.results[0].status = FindingStatus::Waived;
    c.results[0].waiver = Some(soc2_evidence::waivers::AppliedWaiver {
        id: "W-7".into(),
        owner: "platform@contoso.example".into(),
        approved_by: "ciso@contoso.example".into(),
        reason: "legacy partner endpoint until migration".into(),
        expires: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
    });
    s.files.insert(path.into(), canonical::to_bytes(&c));
    let e = render(&s, Format::Sarif);
    validate("sarif-2.1.0-rtm.5.json", &e.bytes);
    let v: Value = serde_json::from_slice(&e.bytes).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let waived = results
        .iter()
        .find(|r| r["properties"]["status"] == "waived")
        .expect("the waived finding is a result");
    let just = waived["suppressions"][0]["justification"].as_str().unwrap();
    assert!(
        just.contains("W-7") && just.contains("2027-03-31"),
        "{just}"
    );
    let failing = results
        .iter()
        .find(|r| r["properties"]["status"] == "fail")
        .unwrap();
    assert_eq!(failing["suppressions"], serde_json::json!([]));
    let csv = String::from_utf8(render(&s, Format::Csv).bytes).unwrap();
    assert!(csv.contains(",waived,"), "{csv}");
}

#[test]
fn every_format_is_byte_identical_for_the_same_snapshot() {
    let a = snapshot(DemoState::Baseline);
    let b = snapshot(DemoState::Baseline);
    assert_eq!(a, b);
    for f in [Format::Sarif, Format::Oscal, Format::Csv, Format::Json] {
        let x = render(&a, f);
        let y = render(&b, f);
        assert_eq!(x.bytes, y.bytes, "{}", f.name());
        assert!(x.bytes.ends_with(b"\n"), "{}", f.name());
    }
}

fn fingerprints(s: &Snapshot) -> BTreeSet<(String, String, String)> {
    let v: Value = serde_json::from_slice(&render(s, Format::Sarif).bytes).unwrap();
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_are_stable_across_two_collections_of_the_same_estate() {
    let first = snapshot(DemoState::Baseline);
    // A day later, same estate: a new collection time, a new manifest, the same findings.
    let mut inv = demo::inventory(DemoState::Baseline);
    inv.collected_at += Duration::days(1);
    let second =
        evidence::assess(&inv, &Settings::default(), run_meta(86_400), Some(&first)).unwrap();
    assert_ne!(first.manifest_sha256(), second.manifest_sha256());
    let (a, b) = (fingerprints(&first), fingerprints(&second));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // The drifted estate: every finding both runs share keeps its fingerprint.
    let drifted = snapshot(DemoState::Drifted);
    let c = fingerprints(&drifted);
    let shared: Vec<_> = a
        .iter()
        .filter(|(r, id, _)| c.iter().any(|(r2, id2, _)| r == r2 && id == id2))
        .collect();
    assert!(!shared.is_empty());
    for x in shared {
        assert!(c.contains(x), "{x:?}");
    }
    // Fingerprints are unique within a run.
    let fps: BTreeSet<_> = a.iter().map(|(_, _, f)| f).collect();
    assert_eq!(fps.len(), a.len());
}

/// The demo snapshot with one check rewritten to fail on `n` synthetic resources.
fn with_failures(n: usize) -> Snapshot {
    let mut s = snapshot(DemoState::Baseline);
    let path = "checks/storage_secure_transfer_required.json";
    let mut c: CheckFile = evidence::parse_json(path, &s.files[path]).unwrap();
    c.results = (0..n)
        .map(|i| ResourceResult {
            resource_id: format!(
                "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/microsoft.storage/storageaccounts/sa{i:06}"
            ),
            status: FindingStatus::Fail,
            reason: "supportsHttpsTrafficOnly is false".into(),
            observed: Default::default(),
            waiver: None,
        })
        .collect();
    c.counts.fail = n as u64;
    s.files.insert(path.into(), canonical::to_bytes(&c));
    s
}

#[test]
fn sarif_is_capped_at_25000_results_and_says_how_many_were_cut() {
    let s = with_failures(sarif::MAX_RESULTS + 37);
    let others = render(&snapshot(DemoState::Baseline), Format::Sarif).items
        - snapshot(DemoState::Baseline)
            .checks()
            .unwrap()
            .iter()
            .find(|c| c.id == "storage_secure_transfer_required")
            .map(|c| (c.counts.fail + c.counts.error) as usize)
            .unwrap();
    let e = render(&s, Format::Sarif);
    assert_eq!(e.items, sarif::MAX_RESULTS);
    assert_eq!(e.omitted, 37 + others);
    let v: Value = serde_json::from_slice(&e.bytes).unwrap();
    assert_eq!(
        v["runs"][0]["results"].as_array().unwrap().len(),
        sarif::MAX_RESULTS
    );
    assert_eq!(v["runs"][0]["properties"]["omittedResults"], e.omitted);
    // Below the cap nothing is cut.
    assert_eq!(render(&with_failures(100), Format::Sarif).omitted, 0);
}

#[test]
fn export_command_writes_every_format_from_a_committed_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.json");
    std::fs::write(
        &inv,
        canonical::to_bytes(&demo::inventory(DemoState::Baseline)),
    )
    .unwrap();
    let repo = dir.path().join("repo");
    let o = common::run(
        dir.path(),
        &[
            "assess",
            "--inventory",
            inv.to_str().unwrap(),
            "--repo",
            repo.to_str().unwrap(),
        ],
    );
    common::assert_code(&o, 0);
    let repo_s = repo.to_str().unwrap();

    for f in ["sarif", "oscal", "csv", "json"] {
        let out = dir.path().join(format!("out.{f}"));
        let o = common::run(
            dir.path(),
            &[
                "export",
                "--format",
                f,
                "--repo",
                repo_s,
                "--ref",
                "HEAD",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        common::assert_code(&o, 0);
        assert!(
            common::stdout(&o).starts_with("wrote "),
            "{}",
            common::stdout(&o)
        );
        let bytes = std::fs::read(&out).unwrap();
        // Stdout gives the same bytes, and so does a second run.
        let o2 = common::run(dir.path(), &["export", "--format", f, "--repo", repo_s]);
        common::assert_code(&o2, 0);
        assert_eq!(o2.stdout, bytes, "{f}");
        match f {
            "sarif" => validate("sarif-2.1.0-rtm.5.json", &bytes),
            "oscal" => validate("oscal_assessment-results_schema.json", &bytes),
            "csv" => assert!(bytes.starts_with(b"check_id,title,severity,status,resource_id")),
            _ => {
                let _: Value = serde_json::from_slice(&bytes).unwrap();
            }
        }
    }
    // --quiet leaves only the requested output.
    let out = dir.path().join("q.csv");
    let o = common::run(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "--repo",
            repo_s,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    common::assert_code(&o, 0);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());

    let o = common::run(
        dir.path(),
        &[
            "export", "--format", "sarif", "--repo", repo_s, "--ref", "nope",
        ],
    );
    common::assert_code(&o, 2);
    assert!(
        common::stderr(&o).contains("nope"),
        "{}",
        common::stderr(&o)
    );
}
