//! Shared helpers for the integration tests: run the real binary, read real git repositories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_soc2-evidence"));
    c.env_remove("GITHUB_RUN_ID");
    c
}

/// Runs the binary with `args` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("evidence-schema")
}

/// Validates every evidence file of a snapshot against the checked-in schemas; returns how
/// many files were validated.
pub fn validate_snapshot(snapshot: &soc2_evidence::evidence::Snapshot) -> usize {
    let mut n = 0;
    for (path, bytes) in &snapshot.files {
        let schema_name = soc2_evidence::evidence::schema::schema_for_path(path)
            .unwrap_or_else(|| panic!("no schema for evidence file {path}"));
        let schema: serde_json::Value = serde_json::from_slice(
            &std::fs::read(schema_dir().join(schema_name)).expect("schema file exists"),
        )
        .unwrap();
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let instance: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{path} violates {schema_name}: {errors:#?}"
        );
        n += 1;
    }
    n
}

/// All text of a PDF, page by page.
pub fn pdf_text(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|p| doc.extract_text(&[*p]).expect("text extracts"))
        .collect()
}

/// A bare repository at `path` whose `main` holds one commit by a person: `soc2-evidence.toml`
/// with `config`, as a team configures its evidence repository. Returns that commit.
pub fn bare_remote_with_config(path: &Path, config: &str) -> git2::Oid {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    let repo = git2::Repository::init_opts(path, &opts).unwrap();
    let blob = repo.blob(config.as_bytes()).unwrap();
    let mut tb = repo.treebuilder(None).unwrap();
    tb.insert("soc2-evidence.toml", blob, 0o100644).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = git2::Signature::now("Alice Admin", "alice@contoso.example").unwrap();
    repo.commit(
        Some("refs/heads/main"),
        &sig,
        &sig,
        "Configure soc2-evidence",
        &tree,
        &[],
    )
    .unwrap()
}

/// The binary as the Action runs it against a (fake) GitHub API at `api_url` with `token`,
/// in `cwd`; no repository or step summary from the environment.
pub fn github_bot(api_url: &str, token: &str, cwd: &Path) -> Command {
    let mut c = bin();
    c.current_dir(cwd)
        .env("SOC2_EVIDENCE_GITHUB_API_URL", api_url)
        .env("GITHUB_TOKEN", token)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}
