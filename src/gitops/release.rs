//! Releasing approved evidence: tag it and publish it as a GitHub release an auditor can verify.
//!
//! First a preflight, so that a run that cannot finish fails before it pushes anything: the
//! token works against the API (the repository and the release by tag are read), the repository
//! exists, the token may write to it (`permissions.push` when GitHub says, and a connection to
//! the git remote for a push, which git servers refuse without write access), and the assets
//! and notes are built. Then the steps, each skipped when already done, so a re-run completes
//! whatever a later failure left: an annotated tag whose message carries the manifest sha256,
//! pushed; a draft release whose notes give the scores and the drift since the previous release
//! tag; three assets (the PDF built from the tagged commit, the evidence bundle, `SHA256SUMS`);
//! then the release is published. An existing asset with other bytes is never replaced.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use git2::Oid;

use super::GitopsError;
use super::assets::{Assets, build_assets, verify_history};
use super::text::pct;
use crate::controls::Score;
use crate::evidence::{Snapshot, sha256_hex};
use crate::forge::{AssetOutcome, AssetSpec, Forge, ForgeError, Release};
use crate::store::{EvidenceStore, GitAuth, PushUpdate, TAG_MANIFEST_PREFIX, manifest_hash_in};

/// Room for the drift section of the notes (GitHub's release body holds 125,000 characters).
const NOTES_DRIFT_LIMIT: usize = 60_000;

/// What to release, and where.
pub struct ReleaseRequest<'a> {
    pub store: &'a EvidenceStore,
    pub forge: &'a Forge,
    /// Drives the forge's calls; the git work runs on the calling thread.
    pub rt: &'a tokio::runtime::Runtime,
    pub auth: &'a GitAuth,
    /// The git remote the tag is pushed to.
    pub remote: &'a str,
    /// The tag to create (or complete).
    pub tag: &'a str,
    /// The ref to release: a branch as the remote has it, or any ref or sha.
    pub refname: &'a str,
}

/// One thing a release did, in order. Its [`fmt::Display`] is the line `release` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseStep {
    CreatedTag {
        tag: String,
        commit: Oid,
    },
    PushedTag {
        tag: String,
    },
    CreatedDraft {
        tag: String,
    },
    Uploaded {
        name: String,
    },
    /// Already attached with the same bytes.
    Present {
        name: String,
    },
    Published {
        tag: String,
    },
}

impl fmt::Display for ReleaseStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreatedTag { tag, commit } => write!(f, "created tag {tag} on {commit}"),
            Self::PushedTag { tag } => write!(f, "pushed tag {tag}"),
            Self::CreatedDraft { tag } => write!(f, "created draft release {tag}"),
            Self::Uploaded { name } => write!(f, "uploaded {name}"),
            Self::Present { name } => write!(f, "{name} already attached with the same bytes"),
            Self::Published { tag } => write!(f, "published release {tag}"),
        }
    }
}

/// What a release did and what it stands for.
#[derive(Debug, Clone)]
pub struct ReleaseOutcome {
    pub tag: String,
    /// The tagged commit.
    pub commit: Oid,
    pub manifest_sha256: String,
    /// The release's web page.
    pub url: String,
    /// What this run did, in order (empty when everything was already done).
    pub steps: Vec<ReleaseStep>,
    /// The release notes, as built for a new release (an existing release keeps its own).
    pub notes: String,
    /// `SHA256SUMS`, as attached.
    pub sums: String,
    /// The asset names, in upload order.
    pub assets: Vec<String>,
}

impl ReleaseOutcome {
    /// One line per step, as `release` prints them.
    pub fn text(&self) -> String {
        self.steps.iter().map(|s| format!("{s}\n")).collect()
    }

    /// The Actions step summary.
    pub fn step_summary(&self) -> String {
        format!(
            "### soc2-evidence release\n\n[{}]({}) — manifest sha256 `{}`\n",
            self.tag, self.url, self.manifest_sha256
        )
    }
}

/// Refuses a tag name git would not accept, before anything else is done.
pub fn check_tag_name(tag: &str) -> Result<(), GitopsError> {
    if git2::Reference::is_valid_name(&format!("refs/tags/{tag}")) {
        Ok(())
    } else {
        Err(GitopsError::InvalidTag(tag.to_string()))
    }
}

/// What the preflight learnt, used by the steps after it.
struct Preflight {
    /// The release for the tag, if there is one (a draft left by an earlier run included).
    release: Option<Release>,
    /// The remote's refs, as listed to a pusher.
    remote_refs: BTreeMap<String, Oid>,
}

/// Everything about GitHub and the remote that can be checked before anything is pushed: the
/// token reads the repository and its releases, and may push to it.
fn preflight(req: &ReleaseRequest<'_>) -> Result<Preflight, GitopsError> {
    let (info, release) = req
        .rt
        .block_on(async {
            let info = req.forge.repository().await?;
            let release = req.forge.find_release(req.tag).await?;
            Ok::<_, ForgeError>((info, release))
        })
        .map_err(|e| GitopsError::Preflight(Box::new(e)))?;
    if info.permissions.as_ref().and_then(|p| p.push) == Some(false) {
        return Err(GitopsError::NoPushPermission {
            repository: req.forge.full_name(),
        });
    }
    let remote_refs = req
        .store
        .remote_refs_for_push(req.remote, req.auth)
        .map_err(|source| GitopsError::PreflightRemote {
            remote: req.remote.to_string(),
            source: Box::new(source),
        })?;
    Ok(Preflight {
        release,
        remote_refs,
    })
}

/// Tags the evidence at the request's ref and completes its GitHub release: whatever an earlier
/// run left undone is done, and nothing already done is done again.
pub fn release(req: &ReleaseRequest<'_>) -> Result<ReleaseOutcome, GitopsError> {
    let (store, tag, refname) = (req.store, req.tag, req.refname);
    check_tag_name(tag)?;
    store
        .fetch_all(req.remote, req.auth)
        .map_err(|source| GitopsError::Fetch {
            remote: req.remote.to_string(),
            source: Box::new(source),
        })?;
    let commit = super::resolve_published(store, req.remote, refname)?;
    let snapshot =
        store
            .read_snapshot_at(commit)?
            .ok_or_else(|| GitopsError::NothingToRelease {
                refname: refname.to_string(),
                commit,
            })?;
    // What an auditor's `verify` would name must stop the release: the snapshot against its
    // manifest and, with the full history at hand, the whole manifest chain up to it. A shallow
    // clone has only the snapshot to check.
    let problems = if store.repo().is_shallow() {
        snapshot.verify()?
    } else {
        verify_history(store, commit, refname)?.problems
    };
    if !problems.is_empty() {
        return Err(GitopsError::Unverified {
            refname: refname.to_string(),
            problems,
        });
    }
    let manifest = snapshot.manifest()?;
    let manifest_hash = snapshot.manifest_sha256().unwrap_or_default();
    let as_of = manifest
        .as_of
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut steps = Vec::new();

    // 0. Preflight: token, repository, write permission, assets and notes; nothing pushed yet.
    let pre = preflight(req)?;
    let assets = build_assets(store, commit, &snapshot, tag)?;
    let notes = release_notes(store, tag, commit, &snapshot, &assets, &manifest_hash)?;
    let specs = vec![
        AssetSpec {
            name: assets.pdf_name.clone(),
            content_type: "application/pdf".into(),
            bytes: assets.pdf.clone(),
        },
        AssetSpec {
            name: assets.bundle_name.clone(),
            content_type: "application/gzip".into(),
            bytes: assets.bundle.clone(),
        },
        AssetSpec {
            name: "SHA256SUMS".into(),
            content_type: "text/plain".into(),
            bytes: assets.sums.clone().into_bytes(),
        },
    ];

    // 1. The annotated tag, pushed.
    let tag_ref = format!("refs/tags/{tag}");
    let tag_object = match store.tag_info(tag)? {
        Some(info) => {
            if info.commit != commit {
                return Err(GitopsError::TagElsewhere {
                    tag: tag.to_string(),
                    on: info.commit,
                    commit,
                    refname: refname.to_string(),
                });
            }
            match info.message.as_deref().and_then(manifest_hash_in) {
                Some(h) if h == manifest_hash => {}
                Some(h) => {
                    return Err(GitopsError::TagManifestMismatch {
                        tag: tag.to_string(),
                        named: h.to_string(),
                        actual: manifest_hash,
                    });
                }
                None => return Err(GitopsError::NotAReleaseTag(tag.to_string())),
            }
            info.object
        }
        None => {
            let message = format!(
                "SOC 2 evidence {tag}\n\n{TAG_MANIFEST_PREFIX}{manifest_hash}\nevidence collected \
                 at: {as_of}\ntenant: {}\n",
                manifest.tenant_id
            );
            let oid = store.create_tag(tag, commit, &message, manifest.as_of.timestamp())?;
            steps.push(ReleaseStep::CreatedTag {
                tag: tag.to_string(),
                commit,
            });
            oid
        }
    };
    match pre.remote_refs.get(&tag_ref) {
        Some(o) if *o == tag_object => {}
        Some(o) => {
            return Err(GitopsError::RemoteTagDiffers {
                tag: tag.to_string(),
                remote: *o,
                local: tag_object,
            });
        }
        None => {
            store.push(
                req.remote,
                &[PushUpdate {
                    oid: tag_object,
                    remote_ref: tag_ref.clone(),
                    expect: None,
                    force: false,
                }],
                req.auth,
            )?;
            steps.push(ReleaseStep::PushedTag {
                tag: tag.to_string(),
            });
        }
    }

    // 2. The release: a draft until every asset is in place.
    let forge = req.forge;
    let done = req.rt.block_on(async {
        let release = match pre.release {
            Some(r) => r,
            None => {
                let r = forge
                    .create_draft_release(
                        tag,
                        &commit.to_string(),
                        &format!("SOC 2 evidence {tag}"),
                        &notes,
                    )
                    .await?;
                steps.push(ReleaseStep::CreatedDraft {
                    tag: tag.to_string(),
                });
                r
            }
        };
        for o in forge.ensure_assets(&release, &specs).await? {
            steps.push(match o {
                AssetOutcome::Uploaded(name) => ReleaseStep::Uploaded { name },
                AssetOutcome::Present(name) => ReleaseStep::Present { name },
            });
        }
        let release = if release.draft {
            let r = forge.publish_release(&release).await?;
            steps.push(ReleaseStep::Published {
                tag: tag.to_string(),
            });
            r
        } else {
            release
        };
        Ok::<_, ForgeError>(release)
    });
    let release = done.map_err(|source| GitopsError::ReleaseIncomplete {
        tag: tag.to_string(),
        source: Box::new(source),
    })?;
    Ok(ReleaseOutcome {
        tag: tag.to_string(),
        commit,
        manifest_sha256: manifest_hash,
        url: release.html_url,
        steps,
        notes,
        sums: assets.sums,
        assets: specs.into_iter().map(|s| s.name).collect(),
    })
}

/// The previous release tag: the newest (by evidence time) of this tool's tags on an ancestor
/// of `commit`, other than `tag` itself.
fn previous_release(
    store: &EvidenceStore,
    tag: &str,
    commit: Oid,
) -> Result<Option<(String, Oid, Snapshot)>, GitopsError> {
    let mut best: Option<(chrono::DateTime<chrono::Utc>, String, Oid, Snapshot)> = None;
    for (name, info) in store.release_tags()? {
        if name == tag || info.commit == commit || !store.is_ancestor(info.commit, commit)? {
            continue;
        }
        let Some(snap) = store.read_snapshot_at(info.commit)? else {
            continue;
        };
        let at = snap.manifest()?.as_of;
        if best.as_ref().is_none_or(|(t, n, ..)| (at, &name) > (*t, n)) {
            best = Some((at, name, info.commit, snap));
        }
    }
    Ok(best.map(|(_, n, c, s)| (n, c, s)))
}

/// The release notes of `tag` on `commit`: what and when, the scores, the drift since the
/// previous release tag, the assets' hashes and how to verify them.
pub fn release_notes(
    store: &EvidenceStore,
    tag: &str,
    commit: Oid,
    snapshot: &Snapshot,
    assets: &Assets,
    manifest_hash: &str,
) -> Result<String, GitopsError> {
    let s = snapshot.summary()?;
    let mut n = String::new();
    let _ = writeln!(
        n,
        "Evidence collected at {} for tenant `{}`, commit `{commit}`.\n\nManifest sha256: \
         `{manifest_hash}` (also in the message of the annotated tag `{tag}`).\n",
        s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        s.tenant_id
    );
    n.push_str("### Scores\n\n| Scope | Criteria passing | Findings passing |\n|---|---|---|\n");
    let row = |label: &str, sc: &Score| {
        format!(
            "| {label} | {}/{} ({}); {} fail, {} incomplete | {}/{} ({}) |\n",
            sc.criteria_passing,
            sc.criteria_evaluated,
            pct(sc.criteria_score),
            sc.criteria_failing,
            sc.criteria_incomplete,
            sc.findings_passing,
            sc.findings_evaluated,
            pct(sc.findings_score)
        )
    };
    n.push_str(&row("Overall", &s.overall));
    for c in &s.categories {
        n.push_str(&row(&c.label, &c.score));
    }
    match previous_release(store, tag, commit)? {
        Some((prev, _, prev_snap)) => {
            let d = crate::drift::diff(&prev_snap, snapshot)?;
            let _ = writeln!(n, "\n### Drift since `{prev}`\n");
            // The drift body has its own `##`/`###` headings; demote them under this section.
            let md = d.to_markdown(NOTES_DRIFT_LIMIT);
            let md = md.replace("\n### ", "\n##### ");
            n.push_str(&md.replacen("## ", "#### ", 1));
        }
        None => {
            n.push_str("\n### Drift\n\nThe first release of this evidence: nothing to compare.\n")
        }
    }
    let _ = write!(
        n,
        "\n### Assets\n\n| File | sha256 |\n|---|---|\n| `{}` | `{}` |\n| `{}` | `{}` |\n| \
         `SHA256SUMS` | `{}` |\n",
        assets.pdf_name,
        sha256_hex(&assets.pdf),
        assets.bundle_name,
        sha256_hex(&assets.bundle),
        sha256_hex(assets.sums.as_bytes()),
    );
    let _ = write!(
        n,
        "\n### Verify\n\n```sh\nsha256sum -c SHA256SUMS\nsoc2-evidence verify --ref {tag} --bundle {} \
         --sums SHA256SUMS --pdf {}\n```\n\nThe PDF and the bundle are pure functions of the tagged \
         commit: `verify` rebuilds them and compares byte for byte.\n",
        assets.bundle_name, assets.pdf_name
    );
    Ok(n)
}
