//! `verify`: what an auditor runs. At a ref, walks every commit in its history that touches the
//! evidence root and checks each: it has a manifest, its files match the manifest's hashes, the
//! manifest's fields match the hashed files they describe, and its link names exactly its first
//! parent's manifest (or it is an explicit genesis on a parent without evidence), never
//! replacing newer evidence. Checks a release tag's manifest hash, a bundle against
//! `SHA256SUMS` and against the ref's snapshot (or a manifest hash given from a trusted
//! channel), and rebuilds the PDF (and bundle) from the commit to compare byte for byte. Any
//! mismatch is named and exits 1; what could only be checked in part is said in a NOTE; not
//! being able to check at all exits 2. With a bundle it ends by printing the `gh attestation
//! verify` commands that check the release assets' build provenance, which it cannot check itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Outcome;
use crate::config::Config;
use crate::evidence::{Snapshot, bundle, sha256_hex};
use crate::gitops::assets::{build_assets, verify_history};
use crate::store::manifest_hash_in;

/// Verify evidence in a repository, a release bundle, or both.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  soc2-evidence verify --ref audit-2026-q1\n  soc2-evidence verify --bundle soc2-evidence-audit-2026-q1.tar.gz --sums SHA256SUMS\n  soc2-evidence verify --ref audit-2026-q1 --bundle … --sums SHA256SUMS --pdf soc2-report-….pdf"
)]
pub struct Args {
    /// The ref to verify (branch, tag, sha). Default: HEAD, unless only a bundle is given.
    #[arg(long = "ref")]
    refname: Option<String>,
    /// The evidence repository.
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Config file; default: `<repo>/soc2-evidence.toml` if present.
    #[arg(long)]
    config: Option<PathBuf>,
    /// An evidence bundle (`.tar.gz`) from a release.
    #[arg(long, requires = "sums")]
    bundle: Option<PathBuf>,
    /// The release's `SHA256SUMS`.
    #[arg(long)]
    sums: Option<PathBuf>,
    /// A report PDF to compare with the one rebuilt from the ref's commit.
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// The manifest sha256 you received from a channel you trust (the release notes, the
    /// annotated tag's message): the ref's or the bundle's manifest must be this one. Without
    /// --ref, the only thing that ties a bundle to the evidence it claims to be.
    #[arg(long, value_name = "HASH")]
    manifest_sha256: Option<String>,
}

fn read(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn run(a: Args) -> Result<Outcome> {
    let mut problems: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    // What was verified only partly, and why: printed, never a mismatch.
    let mut notes: Vec<String> = Vec::new();
    if let Some(h) = &a.manifest_sha256
        && !(h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
    {
        bail!("--manifest-sha256 `{h}` is not a sha256 (64 hex digits)");
    }
    let sums = match &a.sums {
        Some(p) => Some(
            bundle::parse_sha256sums(&String::from_utf8_lossy(&read(p)?))
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        ),
        None => None,
    };
    // Every file given that SHA256SUMS lists is checked against it.
    let check_sum =
        |p: &Path, bytes: &[u8], problems: &mut Vec<String>, checked: &mut Vec<String>| {
            let Some(sums) = &sums else { return };
            let name = file_name(p);
            match sums.get(&name) {
                None => problems.push(format!("{name}: not listed in SHA256SUMS")),
                Some(want) if *want != sha256_hex(bytes) => problems.push(format!(
                    "{name}: sha256 {} does not match SHA256SUMS ({want})",
                    sha256_hex(bytes)
                )),
                Some(_) => checked.push(format!("{name} matches SHA256SUMS")),
            }
        };

    let mut repo_snapshot: Option<Snapshot> = None;
    let mut rebuilt_bundle: Option<Vec<u8>> = None;
    // `owner/name` of the evidence repository on GitHub, for the attestation commands.
    let mut github_repo: Option<String> = None;
    if a.refname.is_some() || a.bundle.is_none() {
        let config = Config::discover(a.config.as_deref(), &a.repo)?;
        let store = super::open_store(&a.repo, &config.evidence.root)?;
        // A shallow clone cuts the history short: its oldest commit would look like a root, and
        // a true link like a broken one. Refuse rather than report a false break (or check less).
        if store.repo().is_shallow() {
            bail!(
                "{} is a shallow clone: verify walks the whole history; fetch it all first \
                 (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
                a.repo.display()
            );
        }
        github_repo = super::github::repository(&config, &store)
            .ok()
            .map(|(owner, name)| format!("{owner}/{name}"));
        let refname = a.refname.clone().unwrap_or_else(|| "HEAD".into());
        let commit = store
            .resolve(&refname)?
            .ok_or_else(|| store.missing_ref(&refname))?;
        let Some(snapshot) = store.read_snapshot_at(commit)? else {
            // No evidence at the ref: a mismatch if its history held evidence (something
            // removed it), else nothing to verify.
            let history = verify_history(&store, commit, &refname)?;
            problems.extend(history.problems);
            if history.snapshots == 0 && problems.is_empty() {
                bail!("`{refname}` ({commit}) holds no evidence");
            }
            return finish(&checked, &notes, &problems);
        };
        let Some(manifest_hash) = snapshot.manifest_sha256() else {
            // Evidence without a manifest: the whole history is still walked, so every break is
            // named, but there is no manifest to anchor anything to.
            problems.extend(verify_history(&store, commit, &refname)?.problems);
            return finish(&checked, &notes, &problems);
        };

        let history = verify_history(&store, commit, &refname)?;
        let (snapshots, links) = (history.snapshots, history.links);
        problems.extend(history.problems);
        checked.push(format!(
            "{snapshots} snapshot(s) in the history of `{refname}` against their manifests and \
             the files their fields describe; {links} manifest chain link(s), each naming its \
             first parent's manifest"
        ));

        // A release tag names the manifest it was made for.
        let tag_hash = store.tag_info(&refname)?.and_then(|info| {
            info.message
                .as_deref()
                .and_then(manifest_hash_in)
                .map(str::to_string)
        });
        match tag_hash {
            Some(h) if h == manifest_hash => {
                checked.push(format!("tag `{refname}` names this manifest ({h})"));
            }
            Some(h) => problems.push(format!(
                "tag `{refname}` names manifest {h}, but the tagged commit's manifest is \
                 {manifest_hash}"
            )),
            // A full commit id given by the verifier binds the commit's tree, manifest included.
            None if refname.eq_ignore_ascii_case(&commit.to_string()) => checked.push(format!(
                "`{refname}` is a full commit id: its hash binds the manifest, run metadata \
                 included"
            )),
            None => notes.push(format!(
                "`{refname}` is not a release tag: the newest manifest's run metadata (run id, \
                 times, tool version) is bound by no later link; its evidence files and \
                 described fields are checked. Verify a release tag, or the commit id you were \
                 given, to anchor it."
            )),
        }
        if let Some(want) = &a.manifest_sha256 {
            anchor(
                want,
                &manifest_hash,
                &format!("`{refname}`"),
                &mut problems,
                &mut checked,
            );
        }

        // Built once: the PDF render is the slow part.
        let rebuilt = if a.pdf.is_some() || a.bundle.is_some() {
            Some(build_assets(&store, commit, &snapshot, &refname)?)
        } else {
            None
        };
        if let (Some(pdf_path), Some(rebuilt)) = (&a.pdf, &rebuilt) {
            let given = read(pdf_path)?;
            check_sum(pdf_path, &given, &mut problems, &mut checked);
            if rebuilt.pdf == given {
                checked.push(format!(
                    "{} is byte-identical to the PDF rebuilt from {commit}",
                    pdf_path.display()
                ));
            } else {
                problems.push(format!(
                    "{}: differs from the PDF rebuilt from {commit} (sha256 {} vs {})",
                    file_name(pdf_path),
                    sha256_hex(&given),
                    sha256_hex(&rebuilt.pdf)
                ));
            }
        }
        rebuilt_bundle = rebuilt.map(|r| r.bundle);
        repo_snapshot = Some(snapshot);
    } else if a.pdf.is_some() {
        bail!("--pdf needs --ref: the PDF is rebuilt from the commit and compared");
    }

    if let Some(bundle_path) = &a.bundle {
        let bytes = read(bundle_path)?;
        check_sum(bundle_path, &bytes, &mut problems, &mut checked);
        match bundle::read(&bytes) {
            Err(e) => problems.push(format!("{}: {e}", file_name(bundle_path))),
            Ok((root, snap)) => {
                match snap.verify() {
                    Ok(p) if p.is_empty() => checked.push(format!(
                        "{} files in the bundle under {root}/ match its manifest",
                        snap.files.len()
                    )),
                    Ok(p) => problems.extend(
                        p.into_iter()
                            .map(|p| format!("{} ({root}/): {p}", file_name(bundle_path))),
                    ),
                    Err(e) => problems.push(format!("{}: {e}", file_name(bundle_path))),
                }
                if rebuilt_bundle.as_deref() == Some(bytes.as_slice()) {
                    checked.push(format!(
                        "{} is byte-identical to the bundle rebuilt from the ref",
                        file_name(bundle_path)
                    ));
                }
                if let Some(repo) = &repo_snapshot {
                    if repo.files == snap.files {
                        checked.push("the bundle holds exactly the ref's snapshot".into());
                    } else {
                        let diff = differing(&repo.files, &snap.files);
                        problems.push(format!(
                            "{}: differs from the ref's snapshot in {}",
                            file_name(bundle_path),
                            diff.join(", ")
                        ));
                    }
                } else if let Some(want) = &a.manifest_sha256 {
                    let got = snap.manifest_sha256().unwrap_or_default();
                    anchor(
                        want,
                        &got,
                        &file_name(bundle_path),
                        &mut problems,
                        &mut checked,
                    );
                } else {
                    notes.push(format!(
                        "UNANCHORED: {} is only self-consistent (its files match the manifest \
                         and SHA256SUMS inside the release). Anyone can forge a bundle that is; \
                         nothing here ties it to the evidence repository. Verify it against the \
                         release tag (--ref TAG, in a clone of the evidence repository) or \
                         against the manifest sha256 you received separately \
                         (--manifest-sha256 HASH).",
                        file_name(bundle_path)
                    ));
                }
            }
        }
    }

    let outcome = finish(&checked, &notes, &problems)?;
    if let Some(bundle_path) = &a.bundle {
        let mut assets = vec![bundle_path.as_path()];
        assets.extend(a.pdf.as_deref());
        assets.extend(a.sums.as_deref());
        attestation_commands(&assets, github_repo.as_deref());
    }
    Ok(outcome)
}

/// Prints how to check the release assets' build provenance (GitHub artifact attestations, made
/// by docs/workflows/audit-release.yml): that the evidence repository's workflow produced these
/// exact bytes. Sigstore and GitHub's API are needed for that, so `verify` only names the commands.
fn attestation_commands(assets: &[&Path], github_repo: Option<&str>) {
    let repo = github_repo.unwrap_or("OWNER/EVIDENCE-REPO");
    super::status!(
        "attestations: check that the evidence repository's release workflow built these files \
         (GitHub CLI; not checked by soc2-evidence verify):"
    );
    for asset in assets {
        super::status!(
            "  gh attestation verify {} --repo {repo}",
            shell_word(&asset.display().to_string())
        );
    }
    if github_repo.is_none() {
        super::status!(
            "  (OWNER/EVIDENCE-REPO: the evidence repository on GitHub; give --ref in a clone of it \
             to have it filled in)"
        );
    }
}

/// `s` quoted for a POSIX shell when it holds anything but plain path characters.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Prints what was checked, what could not be, and every mismatch; the outcome follows the
/// mismatches alone.
fn finish(checked: &[String], notes: &[String], problems: &[String]) -> Result<Outcome> {
    for c in checked {
        super::status!("ok: {c}");
    }
    for n in notes {
        super::outln!("NOTE: {n}");
    }
    if problems.is_empty() {
        if notes.is_empty() {
            super::status!("verified: no mismatch");
        } else if notes.iter().any(|n| n.starts_with("UNANCHORED")) {
            // Never "verified": a self-consistent bundle is what a forger would hand over too.
            super::status!(
                "NOT verified as released evidence: no mismatch found, but nothing anchors the \
                 bundle (see NOTE: UNANCHORED)"
            );
        } else {
            super::status!("no mismatch; verified in part (see NOTE)");
        }
        Ok(Outcome::Done)
    } else {
        for p in problems {
            super::outln!("MISMATCH: {p}");
        }
        eprintln!("verification failed: {} mismatch(es)", problems.len());
        Ok(Outcome::PolicyFailed)
    }
}

/// Compares a manifest hash with the one the auditor was given (`--manifest-sha256`).
fn anchor(
    want: &str,
    got: &str,
    what: &str,
    problems: &mut Vec<String>,
    checked: &mut Vec<String>,
) {
    if want.eq_ignore_ascii_case(got) {
        checked.push(format!("{what}: manifest sha256 is the one given ({got})"));
    } else {
        problems.push(format!(
            "{what}: manifest sha256 {got} is not the one given with --manifest-sha256 ({want})"
        ));
    }
}

fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .take(10)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn attestation_command_paths_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(
            shell_word("dl/soc2-evidence-audit-2026-q4.tar.gz"),
            "dl/soc2-evidence-audit-2026-q4.tar.gz"
        );
        assert_eq!(shell_word("my assets/SHA256SUMS"), "'my assets/SHA256SUMS'");
        assert_eq!(shell_word("it's.pdf"), "'it'\\''s.pdf'");
        assert_eq!(shell_word("$(rm -rf ~).pdf"), "'$(rm -rf ~).pdf'");
        assert_eq!(shell_word(""), "''");
    }
}
