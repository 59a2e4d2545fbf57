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

/// CHANGELOG.md (git-cliff, cliff.toml) follows Keep a Changelog: an `[Unreleased]` heading on
/// top and a heading for the version in Cargo.toml, so a version bump without its changelog
/// section fails here.
#[test]
fn changelog_has_unreleased_and_current_version() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("CHANGELOG.md");
    let text = std::fs::read_to_string(&path).expect("CHANGELOG.md exists at the repo root");
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings.first(),
        Some(&"## [Unreleased]"),
        "CHANGELOG.md must start with an `## [Unreleased]` section; headings: {headings:?}"
    );
    let version = format!("## [{}] - ", env!("CARGO_PKG_VERSION"));
    assert!(
        headings.iter().any(|h| h.starts_with(&version)),
        "CHANGELOG.md has no `{version}<date>` heading: run `git-cliff --tag v{} -o CHANGELOG.md`",
        env!("CARGO_PKG_VERSION")
    );
}
