//! The GitHub Action: `action.yml` and the example workflows are well-formed (every input used,
//! every output mapped to what the binary writes), the action's shell steps run end to end
//! against the fake Azure (OIDC) and the fake GitHub, and a sharded collection assesses to the
//! same findings as an unsharded one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;
#[path = "support/fake_github.rs"]
mod fake_github;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml_ng::Value;
use support::collector::{self, FAST_CONFIG};
use support::fake_azure::FakeAzure;
use support::scenario::{PROD, SHARED, STAGING, demo_with_changes, serve};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The keys `run` writes to `$GITHUB_OUTPUT` (src/cli/run.rs `output_lines`).
const RUN_OUTPUTS: [&str; 9] = [
    "criteria_score",
    "findings_score",
    "criteria_failing",
    "criteria_incomplete",
    "gaps",
    "pr_url",
    "drift",
    "evidence_commit",
    "evidence_ref",
];

/// Every `${{ … }}` expression of a string.
fn expressions(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let after = &rest[i + 3..];
        let j = after.find("}}").expect("closed expression");
        out.push(after[..j].trim().to_string());
        rest = &after[j + 2..];
    }
    out
}

/// Structure shared by both composite actions: every step has an id and a shell and runs an
/// existing script; every input is used by a step; every output maps to a step's output.
fn check_composite(path: &str) -> Value {
    let a = yaml(path);
    for key in ["name", "description", "inputs", "outputs", "runs"] {
        assert!(a.get(key).is_some(), "{path}: no `{key}`");
    }
    assert_eq!(s(&a["runs"]["using"]), "composite", "{path}");
    let steps = a["runs"]["steps"].as_sequence().unwrap();
    let mut used = String::new();
    let mut ids = vec![];
    for st in steps {
        let id = s(&st["id"]).to_string();
        assert!(!id.is_empty(), "{path}: a step without id");
        assert_eq!(s(&st["shell"]), "bash", "{path}: step {id}");
        let run = s(&st["run"]);
        let script = run
            .split('"')
            .find(|p| p.contains("scripts/action/"))
            .unwrap_or_else(|| panic!("{path}: step {id} runs no script: {run}"));
        let script = &script[script.find("scripts/action/").unwrap()..];
        assert!(root().join(script).is_file(), "{path}: {script} is missing");
        // Every INPUT_* the script reads is given by the step.
        let body = std::fs::read_to_string(root().join(script)).unwrap();
        let env = st["env"].as_mapping().cloned().unwrap_or_default();
        for word in body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("INPUT_") {
                assert!(
                    env.contains_key(word),
                    "{path}: {script} reads {word} but step {id} does not set it"
                );
            }
        }
        used.push_str(&serde_yaml_ng::to_string(st).unwrap());
        ids.push(id);
    }
    for (name, spec) in a["inputs"].as_mapping().unwrap() {
        let name = s(name);
        assert!(
            spec.get("description").is_some(),
            "{path}: input {name} undocumented"
        );
        assert!(
            used.contains(&format!("inputs.{name} ")) || used.contains(&format!("inputs.{name}\n")),
            "{path}: input {name} is not used by any step"
        );
    }
    for (name, spec) in a["outputs"].as_mapping().unwrap() {
        let e = expressions(s(&spec["value"]));
        assert_eq!(e.len(), 1, "{path}: output {}", s(name));
        let parts: Vec<&str> = e[0].split('.').collect();
        assert!(
            parts.len() == 4 && parts[0] == "steps" && parts[2] == "outputs",
            "{path}: output {} maps to {}",
            s(name),
            e[0]
        );
        assert!(
            ids.iter().any(|i| i == parts[1]),
            "{path}: no step {}",
            parts[1]
        );
        if parts[1] == "run" {
            assert!(
                RUN_OUTPUTS.contains(&parts[3]),
                "{path}: run writes no {}",
                parts[3]
            );
        }
    }
    a
}

#[test]
fn action_yml_is_a_complete_composite_action() {
    let a = check_composite("action.yml");
    let inputs: Vec<&str> = a["inputs"].as_mapping().unwrap().keys().map(s).collect();
    for want in [
        "version",
        "config",
        "tenant-id",
        "client-id",
        "subscriptions",
        "management-group",
        "evidence-repository",
        "token",
        "fail-on",
        "exports",
    ] {
        assert!(inputs.contains(&want), "no input {want}");
    }
    assert_eq!(s(&a["inputs"]["token"]["default"]), "${{ github.token }}");
    let outputs: Vec<&str> = a["outputs"].as_mapping().unwrap().keys().map(s).collect();
    for want in [
        "criteria-score",
        "findings-score",
        "pr-url",
        "drift",
        "evidence-commit",
        "evidence-ref",
    ] {
        assert!(outputs.contains(&want), "no output {want}");
    }
    // The export step is guarded on its input.
    let export = a["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|st| s(&st["id"]) == "export")
        .unwrap();
    assert!(s(&export["if"]).contains("inputs.exports != ''"));
    // The export is of the commit the action reports: the same run output feeds both.
    assert_eq!(
        s(&a["outputs"]["evidence-commit"]["value"]),
        "${{ steps.run.outputs.evidence_commit }}"
    );
    assert_eq!(
        s(&a["outputs"]["evidence-ref"]["value"]),
        "${{ steps.run.outputs.evidence_ref }}"
    );
    assert_eq!(
        s(&export["env"]["EVIDENCE_COMMIT"]),
        "${{ steps.run.outputs.evidence_commit }}"
    );
    assert_eq!(
        s(&export["env"]["EVIDENCE_REF"]),
        "${{ steps.run.outputs.evidence_ref }}"
    );
    let script = std::fs::read_to_string(root().join("scripts/action/export.sh")).unwrap();
    assert!(
        script.contains("commit=\"${EVIDENCE_COMMIT:-}\"")
            && script.contains("--ref \"$commit\" --out \"$repo/soc2-evidence.$f\""),
        "export.sh does not export exactly EVIDENCE_COMMIT:\n{script}"
    );
    assert!(
        !script.contains("for-each-ref"),
        "export.sh still guesses the newest branch"
    );
    check_composite("install/action.yml");
}

/// Every SARIF upload in the example workflows names the commit the action exported (its
/// `evidence-commit` and `evidence-ref` outputs as `sha` and `ref`), so code scanning reads
/// each alert's file and line at the commit the SARIF came from; the README's snippets, the
/// Action path and the manual one, pass `sha` and `ref` too.
#[test]
fn sarif_uploads_name_the_exported_commit() {
    let mut uploads = 0;
    let dir = root().join("docs/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    for path in files {
        let name = format!(
            "docs/workflows/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let w = yaml(&name);
        for (job_name, job) in w["jobs"].as_mapping().unwrap() {
            let steps = job["steps"].as_sequence().cloned().unwrap_or_default();
            for up in steps
                .iter()
                .filter(|st| s(&st["uses"]).starts_with("github/codeql-action/upload-sarif@"))
            {
                uploads += 1;
                let at = format!("{name} job {}", s(job_name));
                // The step that exported the SARIF: the action with `exports: sarif`.
                let action = steps
                    .iter()
                    .find(|st| {
                        s(&st["uses"]).starts_with("soc2-evidence/soc2-evidence@")
                            && s(&st["with"]["exports"]).contains("sarif")
                    })
                    .unwrap_or_else(|| panic!("{at}: uploads SARIF nothing exported"));
                let id = s(&action["id"]);
                assert!(!id.is_empty(), "{at}: the exporting step has no id");
                assert_eq!(
                    s(&up["with"]["sha"]),
                    format!("${{{{ steps.{id}.outputs.evidence-commit }}}}"),
                    "{at}: the upload's sha is not the exported commit"
                );
                assert_eq!(
                    s(&up["with"]["ref"]),
                    format!("${{{{ steps.{id}.outputs.evidence-ref }}}}"),
                    "{at}: the upload's ref is not the exported commit's branch"
                );
                // What export.sh writes with the default evidence-repository `.`.
                assert_eq!(s(&up["with"]["sarif_file"]), "soc2-evidence.sarif", "{at}");
                assert!(
                    s(&up["if"]).contains(&format!("steps.{id}.outputs.evidence-commit != ''")),
                    "{at}: uploads even when no commit was exported"
                );
                let perms = &job["permissions"];
                assert_eq!(s(&perms["security-events"]), "write", "{at}");
            }
        }
    }
    assert!(uploads >= 1, "no example workflow uploads SARIF");

    // README: every snippet that uploads SARIF names a commit and a ref, and the manual path
    // exports the very commit it uploads.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```")
        .skip(1)
        .step_by(2)
        .filter(|b| b.contains("upload-sarif"))
        .collect();
    assert!(
        blocks.len() >= 2,
        "README shows the Action and the manual path"
    );
    for b in &blocks {
        let has = |key: &str| b.lines().any(|l| l.trim_start().starts_with(key));
        assert!(has("sha: ${{ steps."), "no upload sha in README's {b}");
        assert!(has("ref: "), "no upload ref in README's {b}");
    }
    let manual = blocks
        .iter()
        .find(|b| b.contains("soc2-evidence export --format sarif"))
        .expect("README's manual path exports SARIF");
    assert!(
        manual.contains("--ref \"$sha\""),
        "the manual path exports something else than the commit it uploads: {manual}"
    );
}

#[test]
fn example_workflows_grant_least_privilege() {
    let perms = |w: &Value| -> BTreeMap<String, String> {
        w["permissions"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (s(k).to_string(), s(v).to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let nightly = yaml("docs/workflows/nightly.yml");
    let want: BTreeMap<String, String> = [
        ("contents", "write"),
        ("pull-requests", "write"),
        ("id-token", "write"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // Nothing at workflow level; the one job asks for what it uses.
    assert!(perms(&nightly).is_empty());
    assert_eq!(perms(&nightly["jobs"]["evidence"]), want);
    assert!(nightly["concurrency"]["group"].as_str().is_some());
    let on = &nightly[&Value::Bool(true)]; // YAML 1.1 reads the key `on` as `true`
    let on = if on.is_null() { &nightly["on"] } else { on };
    assert!(on.get("schedule").is_some() && on.get("workflow_dispatch").is_some());

    let release = yaml("docs/workflows/audit-release.yml");
    let want: BTreeMap<String, String> = [
        ("contents", "write"),
        ("id-token", "write"),
        ("attestations", "write"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(perms(&release["jobs"]["release"]), want);
    let text = std::fs::read_to_string(root().join("docs/workflows/audit-release.yml")).unwrap();
    assert!(text.contains("soc2-evidence release --tag \"$TAG\""));

    let sharded = std::fs::read_to_string(root().join("docs/workflows/sharded.yml")).unwrap();
    assert!(sharded.contains("collect --shard \"$SHARD\""));
    assert!(
        sharded.contains("actions/upload-artifact")
            && sharded.contains("actions/download-artifact")
    );
    let w = yaml("docs/workflows/sharded.yml");
    assert_eq!(
        perms(&w["jobs"]["collect"])
            .get("id-token")
            .map(String::as_str),
        Some("write")
    );
    assert_eq!(
        perms(&w["jobs"]["assess"])
            .get("pull-requests")
            .map(String::as_str),
        Some("write")
    );
    assert!(!perms(&w["jobs"]["assess"]).contains_key("id-token"));
}

/// The audit release attests the three assets it published (after verifying the downloaded
/// bytes against the tag), so an auditor can check them with `gh attestation verify`.
#[test]
fn audit_release_attests_the_pdf_the_bundle_and_the_sums() {
    let w = yaml("docs/workflows/audit-release.yml");
    let steps = w["jobs"]["release"]["steps"].as_sequence().unwrap();
    let at = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred);
    let release = at(&|st| s(&st["run"]).contains("soc2-evidence release --tag")).unwrap();
    let check = at(&|st| {
        s(&st["run"]).contains("gh release download")
            && s(&st["run"]).contains("soc2-evidence verify")
    })
    .expect("the published assets are downloaded and verified");
    let attest = at(&|st| s(&st["uses"]).starts_with("actions/attest-build-provenance@"))
        .expect("an attest-build-provenance step");
    assert!(
        release < check && check < attest,
        "release, verify, then attest"
    );
    let verify = s(&steps[check]["run"]);
    for arg in ["--ref \"$TAG\"", "--bundle", "--sums SHA256SUMS", "--pdf"] {
        assert!(verify.contains(arg), "verify without {arg}: {verify}");
    }
    let subjects: Vec<&str> = s(&steps[attest]["with"]["subject-path"]).lines().collect();
    assert_eq!(
        subjects,
        [
            "${{ runner.temp }}/assets/soc2-report-*.pdf",
            "${{ runner.temp }}/assets/soc2-evidence-*.tar.gz",
            "${{ runner.temp }}/assets/SHA256SUMS"
        ]
    );
}

/// Every workflow (this repository's and the examples users copy): nothing granted at workflow
/// level, every job named, time-limited and given its own permissions, every action pinned by a
/// full commit sha with its version in a comment (this project's own action, which has no
/// release to pin yet, by the release tag matching the `version:` it downloads), and no
/// checkout leaves its credential in .git/config. zizmor checks much of this too; this holds
/// even where zizmor cannot be installed.
#[test]
fn workflows_pin_actions_and_grant_per_job() {
    let version = env!("CARGO_PKG_VERSION");
    let mut files = vec![];
    for dir in [".github/workflows", "docs/workflows"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yml") {
                files.push(format!(
                    "{dir}/{}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let mut pinned = 0;
    for file in &files {
        let w = yaml(file);
        let perms = &w["permissions"];
        assert!(
            perms.as_mapping().is_some_and(|m| m.is_empty()),
            "{file}: workflow-level permissions must be {{}}"
        );
        for (id, job) in w["jobs"].as_mapping().unwrap() {
            let at = format!("{file} job {}", s(id));
            assert!(!s(&job["name"]).is_empty(), "{at}: no name");
            assert!(
                job["timeout-minutes"].as_u64().is_some(),
                "{at}: no timeout"
            );
            assert!(
                job["permissions"].as_mapping().is_some(),
                "{at}: no permissions"
            );
            for st in job["steps"].as_sequence().unwrap() {
                if s(&st["uses"]).starts_with("actions/checkout@") {
                    assert_eq!(
                        st["with"]["persist-credentials"].as_bool(),
                        Some(false),
                        "{at}: checkout persists its credential"
                    );
                }
            }
        }
        // `uses:` lines, with their comments (which the YAML parser drops).
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for line in text.lines() {
            let Some((_, rest)) = line.split_once("uses: ") else {
                continue;
            };
            let (reference, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            let (action, at) = reference.trim().split_once('@').expect(line);
            if action.starts_with("soc2-evidence/soc2-evidence") {
                assert_eq!(at, format!("v{version}"), "{file}: {line}");
                assert!(
                    text.contains(&format!("version: {version}")),
                    "{file}: the action's tag and the downloaded version differ"
                );
                continue;
            }
            assert!(
                at.len() == 40 && at.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: {action} not pinned by a full commit sha: {line}"
            );
            assert!(
                comment.starts_with('v') && comment[1..].starts_with(|c: char| c.is_ascii_digit()),
                "{file}: {action} has no version comment: {line}"
            );
            pinned += 1;
        }
    }
    assert!(pinned >= 10, "only {pinned} pinned actions found");
}

/// A bare remote whose `main` holds the config, a clone of it, and a fake GitHub.
struct World {
    tmp: tempfile::TempDir,
    clone: PathBuf,
    gh: fake_github::FakeGithub,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let mut opts = git2::RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    let repo = git2::Repository::init_opts(&remote, &opts).unwrap();
    let config = format!(
        "[organisation]\nname = \"Contoso Ltd\"\n[github]\nrepository = \"contoso/evidence\"\n\
         {FAST_CONFIG}"
    );
    let blob = repo.blob(config.as_bytes()).unwrap();
    let mut tb = repo.treebuilder(None).unwrap();
    tb.insert("soc2-evidence.toml", blob, 0o100644).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = git2::Signature::now("Alice Admin", "alice@contoso.example").unwrap();
    repo.commit(Some("refs/heads/main"), &sig, &sig, "Configure", &tree, &[])
        .unwrap();
    let clone = tmp.path().join("evidence");
    git2::build::RepoBuilder::new()
        .clone(&format!("file://{}", remote.display()), &clone)
        .unwrap();
    let gh = fake_github::FakeGithub::start(Some(remote));
    World { tmp, clone, gh }
}

struct ActionRun {
    ok: bool,
    log: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

/// Runs `action.yml`'s steps as the runner would: each step's `if`, its `env` with the
/// `${{ }}` expressions the action uses resolved, `bash -c` of its `run`, a `$GITHUB_OUTPUT`
/// file per step and one `$GITHUB_STEP_SUMMARY`; stops at the first failing step. Then resolves
/// the action's outputs.
fn run_action(inputs: &[(&str, &str)], env: &[(String, String)], dir: &Path) -> ActionRun {
    let a = yaml("action.yml");
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in a["inputs"].as_mapping().unwrap() {
        values.insert(s(name).to_string(), s(&spec["default"]).to_string());
    }
    let token = fake_github::TOKEN.to_string();
    for (k, v) in inputs {
        assert!(values.contains_key(*k), "action.yml has no input {k}");
        values.insert(k.to_string(), v.to_string());
    }
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let resolve = |expr: &str, step_outputs: &BTreeMap<String, BTreeMap<String, String>>| {
        let e = expr.trim();
        if let Some(name) = e.strip_prefix("inputs.") {
            let v = values[name].clone();
            return if v == "${{ github.token }}" {
                token.clone()
            } else {
                v
            };
        }
        match e {
            "github.action_path" => return root().display().to_string(),
            "github.action_repository" => return "soc2-evidence/soc2-evidence".into(),
            "github.token" => return token.clone(),
            _ => {}
        }
        let p: Vec<&str> = e.split('.').collect();
        if p.len() == 4 && p[0] == "steps" && p[2] == "outputs" {
            return step_outputs
                .get(p[1])
                .and_then(|o| o.get(p[3]))
                .cloned()
                .unwrap_or_default();
        }
        panic!("the test runner does not know the expression {e}")
    };
    let subst = |text: &str, so: &BTreeMap<String, BTreeMap<String, String>>| {
        let mut out = text.to_string();
        for e in expressions(text) {
            out = out.replace(&format!("${{{{ {e} }}}}"), &resolve(&e, so));
        }
        out
    };
    let summary = dir.join("step-summary.md");
    let mut log = String::new();
    let mut ok = true;
    for st in a["runs"]["steps"].as_sequence().unwrap() {
        let id = s(&st["id"]).to_string();
        if let Some(cond) = st["if"].as_str() {
            // The only condition the action uses: `!cancelled() && inputs.X != ''`.
            let name = cond
                .split("inputs.")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .expect("a condition on an input");
            if resolve(&format!("inputs.{name}"), &step_outputs).is_empty() {
                log.push_str(&format!("--- step {id}: skipped\n"));
                continue;
            }
        }
        let out_file = dir.join(format!("output-{id}"));
        std::fs::write(&out_file, "").unwrap();
        let mut c = Command::new("bash");
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("RUNNER_TEMP", dir)
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(dir);
        for (k, v) in st["env"].as_mapping().cloned().unwrap_or_default() {
            c.env(s(&k), subst(s(&v), &step_outputs));
        }
        let o = c.arg("-c").arg(s(&st["run"])).output().unwrap();
        log.push_str(&format!(
            "--- step {id}: exit {:?}\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
        let written = std::fs::read_to_string(&out_file).unwrap();
        step_outputs.insert(
            id,
            written
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        if !o.status.success() {
            ok = false;
            break;
        }
    }
    let outputs = a["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (s(k).to_string(), subst(s(&v["value"]), &step_outputs)))
        .collect();
    ActionRun {
        ok,
        log,
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

#[test]
fn the_action_collects_with_oidc_commits_and_opens_the_drift_pull_request() {
    let fake = serve(&demo_with_changes());
    let w = world();
    let o = fake.options();
    // Tenant and client id come from the action's inputs, not the job's environment.
    let mut env: Vec<(String, String)> = fake
        .env_oidc()
        .into_iter()
        .filter(|(k, _)| k != "AZURE_TENANT_ID" && k != "AZURE_CLIENT_ID")
        .collect();
    env.push(("SOC2_EVIDENCE_GITHUB_API_URL".into(), w.gh.url.clone()));
    env.push((
        "SOC2_EVIDENCE_BIN".into(),
        env!("CARGO_BIN_EXE_soc2-evidence").into(),
    ));
    let subs = format!("{PROD},\n{STAGING}\n  {SHARED}\n");
    let repo = w.clone.display().to_string();
    let tenant = fake.tenant_id();
    let run = run_action(
        &[
            ("tenant-id", &tenant),
            ("client-id", &o.client_id),
            ("subscriptions", &subs),
            ("evidence-repository", &repo),
            ("config", "soc2-evidence.toml"),
            ("exports", "sarif"),
        ],
        &env,
        w.tmp.path(),
    );
    assert!(run.ok, "{}", run.log);
    assert!(
        fake.counters().oidc >= 1,
        "OIDC federation was used\n{}",
        run.log
    );
    assert!(
        run.log
            .contains(&format!("--subscription {STAGING} --subscription {SHARED}")),
        "{}",
        run.log
    );
    let prs = w.gh.open_prs();
    assert_eq!(prs.len(), 1, "{}", run.log);
    assert!(
        prs[0].title.starts_with("Initial SOC 2 evidence"),
        "{}",
        prs[0].title
    );
    assert_eq!(run.outputs["drift"], "true", "{:?}", run.outputs);
    assert!(
        run.outputs["pr-url"].ends_with(&format!("/pull/{}", prs[0].number)),
        "{:?}",
        run.outputs
    );
    let score: f64 = run.outputs["criteria-score"].parse().unwrap();
    assert!((0.0..=100.0).contains(&score));
    let _: f64 = run.outputs["findings-score"].parse().unwrap();
    assert!(run.outputs["criteria-failing"].parse::<u32>().unwrap() > 0);
    assert!(run.summary.contains("### soc2-evidence"), "{}", run.summary);
    assert!(
        run.summary.contains("Drift pull request: [#"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("| **Overall** |"), "{}", run.summary);
    // The run names the commit it pushed and its branch: the drift branch's head.
    let remote = git2::Repository::open_bare(w.tmp.path().join("remote.git")).unwrap();
    let head_ref = format!("refs/heads/{}", prs[0].head);
    let pushed = remote.refname_to_id(&head_ref).unwrap().to_string();
    assert_eq!(run.outputs["evidence-commit"], pushed, "{:?}", run.outputs);
    assert_eq!(run.outputs["evidence-ref"], head_ref, "{:?}", run.outputs);
    // The export step exported exactly that commit: the SARIF it wrote is the one exported at
    // the commit by hand.
    assert!(
        run.log.contains(&format!(
            "exported {repo}/soc2-evidence.sarif from {pushed} ({head_ref})"
        )),
        "{}",
        run.log
    );
    let by_hand = common::bin()
        .args([
            "export", "--format", "sarif", "--repo", &repo, "--ref", &pushed,
        ])
        .output()
        .unwrap();
    common::assert_code(&by_hand, 0);
    assert!(
        std::fs::read(w.clone.join("soc2-evidence.sarif")).unwrap() == by_hand.stdout,
        "the action's SARIF is not the evidence commit's"
    );
}

/// Without drift the run records its evidence on the base branch: the action then reports that
/// commit (not the workflow's, not the older drift branch) and exports exactly it.
#[test]
fn without_drift_the_action_reports_and_exports_the_recorded_base_commit() {
    let w = world();
    let remote = git2::Repository::open_bare(w.tmp.path().join("remote.git")).unwrap();
    let env = vec![
        ("SOC2_EVIDENCE_GITHUB_API_URL".to_string(), w.gh.url.clone()),
        (
            "SOC2_EVIDENCE_BIN".to_string(),
            env!("CARGO_BIN_EXE_soc2-evidence").to_string(),
        ),
    ];
    let repo = w.clone.display().to_string();
    let inventory = |days: i64| {
        let mut inv = soc2_evidence::collect::demo::inventory(
            soc2_evidence::collect::demo::DemoState::Baseline,
        );
        inv.collected_at += chrono::Duration::days(days);
        let p = w.tmp.path().join(format!("inventory-{days}.json"));
        std::fs::write(&p, serde_json::to_vec(&inv).unwrap()).unwrap();
        p.display().to_string()
    };

    // The initial evidence: drift, on the bot branch; a reviewer merges it.
    let first = inventory(0);
    let run = run_action(
        &[("evidence-repository", &repo), ("inventory", &first)],
        &env,
        w.tmp.path(),
    );
    assert!(run.ok, "{}", run.log);
    let pr = w.gh.open_prs()[0].clone();
    let bot_head = remote
        .refname_to_id(&format!("refs/heads/{}", pr.head))
        .unwrap();
    assert_eq!(run.outputs["evidence-commit"], bot_head.to_string());
    remote
        .reference("refs/heads/main", bot_head, true, "merge")
        .unwrap();
    w.gh.merge(pr.number);

    // A day later, the same state: no material drift, the run is recorded on main.
    let later = inventory(1);
    let run = run_action(
        &[
            ("evidence-repository", &repo),
            ("inventory", &later),
            ("exports", "sarif,json"),
        ],
        &env,
        w.tmp.path(),
    );
    assert!(run.ok, "{}", run.log);
    assert_eq!(run.outputs["drift"], "false", "{:?}", run.outputs);
    let main = remote.refname_to_id("refs/heads/main").unwrap();
    assert_ne!(
        main, bot_head,
        "the run was recorded as a new commit on main"
    );
    assert_eq!(run.outputs["evidence-commit"], main.to_string());
    assert_eq!(run.outputs["evidence-ref"], "refs/heads/main");
    for f in ["sarif", "json"] {
        assert!(
            run.log.contains(&format!(
                "exported {repo}/soc2-evidence.{f} from {main} (refs/heads/main)"
            )),
            "{}",
            run.log
        );
    }
}

#[test]
fn fail_on_fails_the_action_after_writing_its_outputs() {
    let w = world();
    let inv = w.tmp.path().join("inventory.json");
    let demo =
        soc2_evidence::collect::demo::inventory(soc2_evidence::collect::demo::DemoState::Baseline);
    std::fs::write(&inv, serde_json::to_vec(&demo).unwrap()).unwrap();
    let env = vec![
        ("SOC2_EVIDENCE_GITHUB_API_URL".to_string(), w.gh.url.clone()),
        (
            "SOC2_EVIDENCE_BIN".to_string(),
            env!("CARGO_BIN_EXE_soc2-evidence").to_string(),
        ),
    ];
    let repo = w.clone.display().to_string();
    let inv = inv.display().to_string();
    let run = run_action(
        &[
            ("evidence-repository", &repo),
            ("inventory", &inv),
            ("fail-on", "fail"),
        ],
        &env,
        w.tmp.path(),
    );
    assert!(!run.ok, "{}", run.log);
    assert!(
        run.log.contains("--- step run: exit Some(1)"),
        "{}",
        run.log
    );
    assert_eq!(run.outputs["drift"], "true");
    assert!(run.summary.contains("Policy failed"), "{}", run.summary);
}

fn collect_part(fake: &FakeAzure, dir: &Path, extra: &[&str], out: &str) {
    let cfg = collector::fast_config(dir);
    let mut args = vec!["collect", "--config", cfg.to_str().unwrap(), "--out", out];
    args.extend(extra);
    let o = collector::cli(&fake.env(), dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", collector::streams(&o));
}

fn findings(dir: &Path, repo: &str) -> Vec<(String, String, String)> {
    let store = soc2_evidence::store::EvidenceStore::open(&dir.join(repo), "evidence").unwrap();
    let snap = store.read_snapshot("refs/heads/main").unwrap();
    let mut out = vec![];
    for c in snap.checks().unwrap() {
        for r in c.results {
            out.push((c.id.clone(), r.resource_id, format!("{:?}", r.status)));
        }
    }
    out
}

#[test]
fn sharded_collection_assesses_like_one_collection() {
    let fake = serve(&demo_with_changes());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    collect_part(&fake, d, &["--shard", "1/2"], "part-1.json");
    collect_part(&fake, d, &["--shard", "2/2"], "part-2.json");
    collect_part(&fake, d, &[], "full.json");

    let read = |p: &str| -> soc2_evidence::model::Inventory {
        serde_json::from_slice(&std::fs::read(d.join(p)).unwrap()).unwrap()
    };
    let (p1, p2) = (read("part-1.json"), read("part-2.json"));
    // Every subscription in exactly one part; identity only in shard 1.
    let mut subs: Vec<String> = p1
        .subscriptions
        .iter()
        .chain(&p2.subscriptions)
        .map(|s| s.id.clone())
        .collect();
    subs.sort();
    let mut want = vec![PROD.to_string(), STAGING.to_string(), SHARED.to_string()];
    want.sort();
    assert_eq!(subs, want);
    assert!(p1.identity.users.is_some() && p2.identity.users.is_none());
    assert!(
        p2.source("arm.subscriptions")
            .unwrap()
            .notes
            .iter()
            .any(|n| n.contains("collected by shard 1/2 only")),
        "{:?}",
        p2.source("arm.subscriptions").unwrap().notes
    );

    let assess = |parts: &[&str], repo: &str| {
        let mut args = vec!["assess", "--repo", repo];
        for p in parts {
            args.extend(["--inventory", p]);
        }
        let o = collector::cli(&[], d, &args);
        assert_eq!(o.status.code(), Some(0), "{}", collector::streams(&o));
    };
    assess(&["part-1.json", "part-2.json"], "sharded");
    assess(&["full.json"], "whole");
    let (a, b) = (findings(d, "sharded"), findings(d, "whole"));
    assert!(!a.is_empty());
    assert_eq!(a, b, "sharded and unsharded findings differ");

    // Every part's provenance survives in the evidence.
    let store = soc2_evidence::store::EvidenceStore::open(&d.join("sharded"), "evidence").unwrap();
    let snap = store.read_snapshot("refs/heads/main").unwrap();
    let resources = String::from_utf8(snap.files["inventory/resources.json"].clone()).unwrap();
    assert!(
        resources.contains("part 1/2 (part-1.json)"),
        "provenance of part 1"
    );
    assert!(
        resources.contains("part 2/2 (part-2.json)"),
        "provenance of part 2"
    );

    // A part of another tenant is refused: exit 2, naming the tenant.
    let mut other = p2.clone();
    other.tenant_id = "00000000-0000-4000-8000-0000000000ff".into();
    std::fs::write(d.join("other.json"), serde_json::to_vec(&other).unwrap()).unwrap();
    let o = collector::cli(
        &[],
        d,
        &[
            "assess",
            "--repo",
            "x",
            "--inventory",
            "part-1.json",
            "--inventory",
            "other.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", collector::streams(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("00000000-0000-4000-8000-0000000000ff"),
        "{}",
        collector::streams(&o)
    );
}
