//! `verify`: what an auditor runs. Recomputes every evidence hash against its manifest at a ref
//! and at every snapshot in its history, follows the manifest hash chain, checks a release tag's
//! manifest hash, checks a bundle against `SHA256SUMS` and its contents against the manifest
//! inside it, and rebuilds the PDF (and bundle) from the commit to compare byte for byte. Any
//! mismatch is named and exits 1; not being able to check at all exits 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Outcome;
use super::release::build_assets;
use crate::config::Config;
use crate::evidence::{Snapshot, bundle, sha256_hex};
use crate::store::{EvidenceStore, manifest_hash_in};

/// Verify evidence in a repository, a release bundle, or both.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  soc2-evidence verify --ref audit-2026-q1\n  soc2-evidence verify --bundle soc2-evidence-audit-2026-q1.tar.gz --sums SHA256SUMS\n  soc2-evidence verify --ref audit-2026-q1 --bundle … --sums SHA256SUMS --pdf soc2-report-….pdf"
)]
pub struct Args {
    /// The ref to verify (branch, tag, sha). Default: HEAD, unless only a bundle is given.
    #[arg(long = "ref")]
    refname: Option<String>,
    #[arg(long, default_value = ".")]
    repo: PathBuf,
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
    if a.refname.is_some() || a.bundle.is_none() {
        let config = Config::discover(a.config.as_deref(), &a.repo)?;
        let store = EvidenceStore::open(&a.repo, &config.evidence.root)
            .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
        let refname = a.refname.clone().unwrap_or_else(|| "HEAD".into());
        let commit = store
            .resolve(&refname)?
            .with_context(|| format!("ref `{refname}` not found in the evidence repository"))?;
        let snapshot = store
            .read_snapshot_at(commit)?
            .with_context(|| format!("`{refname}` ({commit}) holds no evidence"))?;
        let manifest_hash = snapshot.manifest_sha256().unwrap_or_default();

        // The ref's own snapshot, and every snapshot in its history, against their manifests;
        // then each manifest's link to the one before it.
        let history = store.snapshot_history(commit)?;
        let known: BTreeSet<String> = history
            .iter()
            .filter_map(|(_, s)| s.manifest_sha256())
            .collect();
        let mut seen_manifests = BTreeSet::new();
        let mut links = 0;
        for (oid, snap) in &history {
            let Some(hash) = snap.manifest_sha256() else {
                continue;
            };
            if !seen_manifests.insert(hash.clone()) {
                continue;
            }
            let at = if *oid == commit {
                format!("`{refname}`")
            } else {
                format!("commit {}", &oid.to_string()[..12])
            };
            match snap.verify() {
                Ok(p) => problems.extend(p.into_iter().map(|p| format!("{at}: {p}"))),
                Err(e) => problems.push(format!("{at}: {e}")),
            }
            match snap.manifest().map(|m| m.previous_manifest_sha256) {
                Ok(Some(prev)) if known.contains(&prev) => links += 1,
                Ok(Some(prev)) => problems.push(format!(
                    "{at}: manifest chain broken: previous_manifest_sha256 {prev} matches no \
                     manifest in its history"
                )),
                Ok(None) => {}
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
        checked.push(format!(
            "{} snapshot(s) in the history of `{refname}` against their manifests; {links} \
             manifest chain link(s)",
            seen_manifests.len()
        ));

        // A release tag names the manifest it was made for.
        if let Some(info) = store.tag_info(&refname)?
            && let Some(h) = info.message.as_deref().and_then(manifest_hash_in)
        {
            if h == manifest_hash {
                checked.push(format!("tag `{refname}` names this manifest ({h})"));
            } else {
                problems.push(format!(
                    "tag `{refname}` names manifest {h}, but the tagged commit's manifest is \
                     {manifest_hash}"
                ));
            }
        }

        if a.pdf.is_some() || a.bundle.is_some() {
            rebuilt_bundle =
                Some(build_assets(&store, commit, &snapshot, &refname, &config)?.bundle);
        }
        if let Some(pdf_path) = &a.pdf {
            let given = read(pdf_path)?;
            check_sum(pdf_path, &given, &mut problems, &mut checked);
            let rebuilt = build_assets(&store, commit, &snapshot, &refname, &config)?;
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
                }
            }
        }
    }

    for c in &checked {
        super::status!("ok: {c}");
    }
    if problems.is_empty() {
        super::status!("verified: no mismatch");
        Ok(Outcome::Done)
    } else {
        for p in &problems {
            super::outln!("MISMATCH: {p}");
        }
        eprintln!("verification failed: {} mismatch(es)", problems.len());
        Ok(Outcome::PolicyFailed)
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
