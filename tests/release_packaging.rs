//! The tool's own release, locally: scripts/package.sh builds the archive and SHA256SUMS exactly
//! as .github/workflows/release.yml calls it, and the Action's installer
//! (scripts/action/install.sh, with scripts/action/verify-asset.sh) downloads it over `file://`,
//! accepts it, installs the very binary that was packaged, and rejects a tampered, unlisted or
//! unattested archive without installing anything.
//!
//! The workflow packages a `--profile dist` build for each target; here the binary cargo built
//! for these tests (debug, host target), stripped of its symbols as the dist profile strips, is
//! packaged under the host's release target name, since other targets cannot be built on this
//! machine and the packaging does not depend on the profile (a dist build takes too long for a
//! test). The `gh` the installer calls is a script standing in for the GitHub CLI (its
//! attestation check needs GitHub's API and Sigstore): it records the command line it was given
//! and answers as told, so the test checks what the installer asks and how it treats the answer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]
#![cfg(target_os = "linux")]

mod common;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{stderr, stdout};
use serde_yaml_ng::Value;
use soc2_evidence::evidence::sha256_hex;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const REPO: &str = "soc2-evidence/soc2-evidence";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The release target the installer picks on this machine (install.sh's `uname` table).
fn host_release_target() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x86_64-unknown-linux-musl",
        "aarch64" => "aarch64-unknown-linux-musl",
        other => panic!("no release target for linux/{other}"),
    }
}

fn asset_name() -> String {
    format!("soc2-evidence-{VERSION}-{}.tar.gz", host_release_target())
}

/// The test binary, stripped into `dir` (the debug symbols would make every gzip run slow).
fn binary(dir: &Path) -> PathBuf {
    let bin = dir.join("built/soc2-evidence");
    if !bin.exists() {
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_soc2-evidence"), &bin).unwrap();
        let stripped = Command::new("strip")
            .arg(&bin)
            .status()
            .is_ok_and(|s| s.success());
        if !stripped {
            eprintln!("note: no `strip`; packaging the binary with its debug symbols (slower)");
        }
    }
    bin
}

fn both(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// `scripts/package.sh VERSION OUT TARGET=BINARY`, as the release workflow's Package step runs it.
fn package(out: &Path, bin: &Path) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .arg(VERSION)
        .arg(out)
        .arg(format!("{}={}", host_release_target(), bin.display()))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .current_dir(root())
        .output()
        .unwrap()
}

/// The archive's entries: (path, mode, uid, gid, bytes).
fn entries(archive: &[u8]) -> Vec<(String, u32, u64, u64, Vec<u8>)> {
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mut bytes = vec![];
            e.read_to_end(&mut bytes).unwrap();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                bytes,
            )
        })
        .collect()
}

/// A stand-in `gh` that appends its arguments to `calls` and exits with `code`.
fn fake_gh(dir: &Path, code: i32) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let gh = dir.join("gh");
    let calls = dir.join("calls");
    let script = format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{}'\n\
         [[ {code} -eq 0 ]] && echo 'Loaded 1 attestation from GitHub API' \
         || echo 'Error: no attestations found for subject' >&2\nexit {code}\n",
        calls.display()
    );
    std::fs::write(&gh, script).unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    (gh, calls)
}

struct Install {
    out: Output,
    runner: PathBuf,
    github_output: String,
}

impl Install {
    fn installed(&self) -> PathBuf {
        self.runner.join("soc2-evidence/bin/soc2-evidence")
    }
}

/// Runs the Action's install step (install.sh) with `version`, downloading from `release` (a
/// directory served as `file://`), with `gh` as the GitHub CLI (a path that does not exist:
/// none installed).
fn install(work: &Path, release: &Path, gh: &Path, extra: &[(&str, &str)]) -> Install {
    let runner = work.join("runner");
    let _ = std::fs::remove_dir_all(&runner);
    std::fs::create_dir_all(&runner).unwrap();
    let github_output = runner.join("github_output");
    std::fs::write(&github_output, "").unwrap();
    let mut c = Command::new("bash");
    c.arg(root().join("scripts/action/install.sh"))
        .env("INPUT_VERSION", format!("v{VERSION}"))
        .env("ACTION_PATH", root())
        .env("ACTION_REPOSITORY", REPO)
        .env(
            "SOC2_EVIDENCE_DOWNLOAD_BASE",
            format!("file://{}", release.display()),
        )
        .env("SOC2_EVIDENCE_GH", gh)
        .env("RUNNER_TEMP", &runner)
        .env("GITHUB_OUTPUT", &github_output)
        .env_remove("SOC2_EVIDENCE_BIN")
        .env_remove("SOC2_EVIDENCE_REQUIRE_ATTESTATION")
        .env_remove("GITHUB_PATH");
    for (k, v) in extra {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let github_output = std::fs::read_to_string(&github_output).unwrap();
    Install {
        out,
        runner,
        github_output,
    }
}

/// A release directory holding the packaged archive and SHA256SUMS.
fn release(work: &Path) -> PathBuf {
    let dir = work.join("release");
    let out = package(&dir, &binary(work));
    assert!(out.status.success(), "package.sh failed: {}", both(&out));
    dir
}

fn copy_release(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn assert_rejected(i: &Install, why: &str) {
    let text = both(&i.out);
    assert_eq!(i.out.status.code(), Some(1), "not rejected: {text}");
    assert!(text.contains(why), "no `{why}` in: {text}");
    assert!(
        text.contains("::error title=soc2-evidence download rejected::")
            && text.contains("the binary was NOT installed"),
        "{text}"
    );
    assert!(!i.installed().exists(), "a rejected archive was unpacked");
    assert!(!i.github_output.contains("bin="), "{}", i.github_output);
}

#[test]
fn package_sh_builds_the_archive_the_installer_names_reproducibly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = release(tmp.path());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["SHA256SUMS".to_string(), asset_name()]);

    let archive = std::fs::read(dir.join(asset_name())).unwrap();
    // SHA256SUMS in `sha256sum -c` format, naming the archive by its file name.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(
        sums,
        format!("{}  {}\n", sha256_hex(&archive), asset_name())
    );
    // One entry at the root: the executable, owned by root, mode 0755, byte for byte the binary.
    let e = entries(&archive);
    assert_eq!(
        e.len(),
        1,
        "{:?}",
        e.iter().map(|e| &e.0).collect::<Vec<_>>()
    );
    let (path, mode, uid, gid, bytes) = &e[0];
    assert_eq!(path, "soc2-evidence");
    assert_eq!((mode & 0o7777, *uid, *gid), (0o755, 0, 0));
    assert!(
        *bytes == std::fs::read(binary(tmp.path())).unwrap(),
        "archived binary differs"
    );

    // Same input, same bytes, anyone can repackage a released binary and compare; even from a
    // binary without the executable bit (artifacts lose it in transit): packaged executable.
    let plain = tmp.path().join("plain-binary");
    std::fs::copy(binary(tmp.path()), &plain).unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    let third = tmp.path().join("third");
    assert!(package(&third, &plain).status.success());
    assert!(std::fs::read(third.join(asset_name())).unwrap() == archive);

    // Bad input is refused, naming it.
    let out = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .args(["v0.1.0", tmp.path().join("x").to_str().unwrap(), "t=b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a semantic version"),
        "{}",
        both(&out)
    );
    let out = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .args([VERSION, tmp.path().join("x").to_str().unwrap()])
        .arg(format!(
            "{}=/nonexistent/soc2-evidence",
            host_release_target()
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", both(&out));
}

#[test]
fn the_installer_accepts_the_packaged_release_and_installs_that_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = release(tmp.path());

    // Without gh: the checksum is verified and the missing attestation check is a warning.
    let i = install(tmp.path(), &dir, Path::new("/nonexistent/gh"), &[]);
    let text = both(&i.out);
    assert!(i.out.status.success(), "{text}");
    assert!(
        text.contains(&format!("ok: {} matches SHA256SUMS", asset_name())),
        "{text}"
    );
    assert!(
        text.contains("::warning title=soc2-evidence attestation not checked::")
            && text.contains(&format!(
                "gh attestation verify {} --repo {REPO}",
                asset_name()
            )),
        "{text}"
    );
    assert!(text.contains(&format!("soc2-evidence {VERSION}")), "{text}");
    assert!(std::fs::read(i.installed()).unwrap() == std::fs::read(binary(tmp.path())).unwrap());
    assert_eq!(
        i.github_output,
        format!("bin={}\n", i.installed().display())
    );

    // With gh: the attestation is checked against the action's repository, and passes.
    let (gh, calls) = fake_gh(&tmp.path().join("gh-ok"), 0);
    let i = install(tmp.path(), &dir, &gh, &[]);
    let text = both(&i.out);
    assert!(i.out.status.success(), "{text}");
    let download = i.runner.join("soc2-evidence/download").join(asset_name());
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap(),
        format!("attestation verify {} --repo {REPO}\n", download.display())
    );
    assert!(
        text.contains(&format!(
            "ok: {} has a valid build provenance attestation from {REPO}",
            asset_name()
        )),
        "{text}"
    );
    assert!(!text.contains("attestation not checked"), "{text}");
    assert!(i.installed().is_file());
}

#[test]
fn the_installer_rejects_a_tampered_unlisted_or_unattested_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let good = release(tmp.path());
    let (gh, calls) = fake_gh(&tmp.path().join("gh-ok"), 0);

    // One byte of the archive changed after SHA256SUMS was written.
    let tampered = tmp.path().join("tampered");
    copy_release(&good, &tampered);
    let path = tampered.join(asset_name());
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let i = install(tmp.path(), &tampered, &gh, &[]);
    assert_rejected(&i, "does not match SHA256SUMS");
    assert!(
        both(&i.out).contains("the download is corrupt or was tampered with"),
        "{}",
        both(&i.out)
    );
    // Nothing else is asked once the checksum fails.
    assert!(!calls.exists(), "gh was called for a corrupt archive");

    // A different, well-formed archive swapped in under the same name.
    let swapped = tmp.path().join("swapped");
    copy_release(&good, &swapped);
    let other = tmp.path().join("other");
    let fake_bin = tmp.path().join("fake-soc2-evidence");
    std::fs::write(&fake_bin, "#!/bin/sh\necho soc2-evidence 0.1.0\n").unwrap();
    assert!(package(&other, &fake_bin).status.success());
    std::fs::copy(other.join(asset_name()), swapped.join(asset_name())).unwrap();
    assert_rejected(
        &install(tmp.path(), &swapped, &gh, &[]),
        "does not match SHA256SUMS",
    );

    // SHA256SUMS that does not list this archive, or lists it twice.
    let unlisted = tmp.path().join("unlisted");
    copy_release(&good, &unlisted);
    let sums = std::fs::read_to_string(unlisted.join("SHA256SUMS")).unwrap();
    std::fs::write(
        unlisted.join("SHA256SUMS"),
        sums.replace(host_release_target(), "riscv64gc-unknown-linux-musl"),
    )
    .unwrap();
    assert_rejected(
        &install(tmp.path(), &unlisted, &gh, &[]),
        "not listed in SHA256SUMS",
    );
    std::fs::write(unlisted.join("SHA256SUMS"), format!("{sums}{sums}")).unwrap();
    assert_rejected(
        &install(tmp.path(), &unlisted, &gh, &[]),
        "listed 2 times in SHA256SUMS",
    );

    // The checksum matches but gh finds no build provenance from this repository.
    let (gh_no, no_calls) = fake_gh(&tmp.path().join("gh-no"), 1);
    let i = install(tmp.path(), &good, &gh_no, &[]);
    assert_rejected(
        &i,
        &format!("gh attestation verify --repo {REPO} failed: no valid build provenance"),
    );
    assert!(
        both(&i.out).contains("no attestations found for subject"),
        "gh's own message is not shown: {}",
        both(&i.out)
    );
    assert_eq!(
        std::fs::read_to_string(no_calls).unwrap().lines().count(),
        1
    );

    // Required attestation and no gh to check it: rejected, not warned about.
    assert_rejected(
        &install(
            tmp.path(),
            &good,
            Path::new("/nonexistent/gh"),
            &[("SOC2_EVIDENCE_REQUIRE_ATTESTATION", "true")],
        ),
        "the GitHub CLI (gh) is not installed",
    );
}

/// The release workflow, the packaging script and the installer agree on the targets and the
/// archive names, the workflow builds with the `dist` profile, and that profile is the
/// stripped, LTO, one-codegen-unit build README describes.
#[test]
fn release_workflow_packages_every_target_the_installer_downloads() {
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let w: Value = serde_yaml_ng::from_str(&text).unwrap();
    let install = std::fs::read_to_string(root().join("scripts/action/install.sh")).unwrap();
    let package = std::fs::read_to_string(root().join("scripts/package.sh")).unwrap();

    let include = w["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let targets: Vec<(&str, &str)> = include
        .iter()
        .map(|m| (m["target"].as_str().unwrap(), m["exe"].as_str().unwrap()))
        .collect();
    assert_eq!(
        targets.iter().map(|t| t.0).collect::<Vec<_>>(),
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let steps = w["jobs"]["publish"]["steps"].as_sequence().unwrap();
    let step = |name: &str| -> &Value {
        steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    let pkg = step("Package")["run"].as_str().unwrap();
    assert!(
        pkg.contains("bash scripts/package.sh \"$version\" dist"),
        "{pkg}"
    );
    for (target, exe) in &targets {
        assert!(
            pkg.contains(&format!("{target}=bins/bin-{target}/{exe}")),
            "the Package step does not package {target}"
        );
        assert!(
            install.contains(&format!("target={target}")),
            "install.sh never downloads {target}"
        );
    }
    // The installer downloads exactly the name package.sh writes.
    let pattern = "soc2-evidence-$version-$target.tar.gz";
    assert!(
        install.contains(&format!("asset=\"{pattern}\"")),
        "{install}"
    );
    assert!(
        package.contains(&format!("asset=\"{pattern}\"")),
        "{package}"
    );
    // The release tag is v<version>, where the installer looks.
    assert!(install.contains("releases/download/v$version"));

    // Attested: every archive and SHA256SUMS, then verified as the installer does.
    let attest = step("Attest build provenance");
    assert!(
        attest["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/attest-build-provenance@")
    );
    let subjects = attest["with"]["subject-path"].as_str().unwrap();
    assert!(
        subjects.contains("dist/soc2-evidence-*.tar.gz") && subjects.contains("dist/SHA256SUMS")
    );
    let check = step("Verify as the installer does")["run"]
        .as_str()
        .unwrap();
    assert!(
        check.contains("SOC2_EVIDENCE_REQUIRE_ATTESTATION=true")
            && check.contains("scripts/action/verify-asset.sh"),
        "{check}"
    );
    let perms = &w["jobs"]["publish"]["permissions"];
    for (k, v) in [
        ("contents", "write"),
        ("id-token", "write"),
        ("attestations", "write"),
    ] {
        assert_eq!(perms[k].as_str(), Some(v), "publish needs {k}: {v}");
    }
    // Every build uses the dist profile.
    assert_eq!(
        text.matches("cargo build --profile dist --locked").count(),
        2
    );

    let cargo: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let dist = cargo["profile"]["dist"].as_table().unwrap();
    assert_eq!(dist["inherits"].as_str(), Some("release"));
    assert_eq!(dist["strip"].as_bool(), Some(true));
    assert_eq!(dist["lto"].as_str(), Some("fat"));
    assert_eq!(dist["codegen-units"].as_integer(), Some(1));
}
