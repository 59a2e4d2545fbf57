//! The generated catalogue docs are checked in and fresh.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use common::*;

fn fresh(args: &[&str], file: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), args);
    assert_code(&out, 0);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == stdout(&out),
        "{file} is stale: run `cargo run -- {} > {file}` and commit",
        args.join(" ")
    );
}

#[test]
fn checks_md_is_fresh() {
    fresh(&["checks", "list", "--format", "md"], "docs/CHECKS.md");
}

#[test]
fn coverage_md_is_fresh() {
    fresh(&["controls", "list", "--format", "md"], "docs/COVERAGE.md");
}

#[test]
fn absent_fields_md_is_fresh() {
    fresh(
        &["checks", "fields", "--format", "md"],
        "docs/ABSENT_FIELDS.md",
    );
}
