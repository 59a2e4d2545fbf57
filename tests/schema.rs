//! The checked-in JSON Schemas match the Rust types, and real evidence validates against them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use common::*;
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::{self, RunMeta};

#[test]
fn checked_in_schemas_are_fresh() {
    let mut stale = Vec::new();
    for (name, bytes) in soc2_evidence::cli::schema::all() {
        match std::fs::read(schema_dir().join(&name)) {
            Ok(on_disk) if on_disk == bytes => {}
            _ => stale.push(name),
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `cargo run -- schema --out evidence-schema` and commit"
    );
}

#[test]
fn demo_evidence_and_inventory_validate() {
    for state in [DemoState::Baseline, DemoState::Drifted] {
        let inv = demo::inventory(state);
        let run = RunMeta {
            run_id: "t".into(),
            started_at: inv.collected_at,
            finished_at: inv.collected_at,
        };
        let snap = evidence::assess(&inv, &Default::default(), run, None).unwrap();
        assert!(validate_snapshot(&snap) > 61);

        let schema: serde_json::Value = serde_json::from_slice(
            &std::fs::read(schema_dir().join("inventory.schema.json")).unwrap(),
        )
        .unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        assert!(v.is_valid(&serde_json::to_value(&inv).unwrap()));
    }
}

#[test]
fn schemas_reject_broken_evidence() {
    let inv = demo::inventory(DemoState::Baseline);
    let run = RunMeta {
        run_id: "t".into(),
        started_at: inv.collected_at,
        finished_at: inv.collected_at,
    };
    let snap = evidence::assess(&inv, &Default::default(), run, None).unwrap();
    let mut summary: serde_json::Value =
        serde_json::from_slice(&snap.files["summary.json"]).unwrap();
    summary["criteria"][0]["status"] = serde_json::json!("green");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(schema_dir().join("summary.schema.json")).unwrap())
            .unwrap();
    assert!(
        !jsonschema::validator_for(&schema)
            .unwrap()
            .is_valid(&summary)
    );
}

/// The configuration's schema accepts a full config (as TOML turns into JSON) and rejects an
/// unknown key, as the strict parser does.
#[test]
fn config_schema_matches_the_strict_parser() {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(schema_dir().join("soc2-evidence.toml.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let text = "[organisation]\nname = \"Contoso\"\n[evidence]\nbase_branch = \"main\"\n\
                [azure]\ncloud = \"usgov\"\nauth = \"oidc\"\n[collect]\nsubscriptions = [\"s\"]\n\
                [github]\nno_drift = \"nothing\"\nlabels = [\"soc2\"]\n";
    soc2_evidence::config::Config::parse("x.toml", text).unwrap();
    let json: serde_json::Value = toml::from_str(text).unwrap();
    assert!(
        v.is_valid(&json),
        "{:?}",
        v.iter_errors(&json)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let bad: serde_json::Value = toml::from_str("[evidence]\nbase_brnch = \"main\"\n").unwrap();
    assert!(!v.is_valid(&bad));
    let bad: serde_json::Value = toml::from_str("[azure]\ncloud = \"mars\"\n").unwrap();
    assert!(!v.is_valid(&bad));
}
