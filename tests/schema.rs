//! The checked-in JSON Schemas match the Rust types, and real evidence validates against them.

mod common;

use common::*;
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::{self, RunMeta};

#[test]
fn checked_in_schemas_are_fresh() {
    let mut stale = Vec::new();
    for (name, bytes) in evidence::schema::all() {
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
