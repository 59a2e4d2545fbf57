//! `release`: tag the approved evidence and publish it as a GitHub release an auditor can verify.
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
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use git2::Oid;

use super::{Outcome, github, pct, resolve_published};
use crate::config::Config;
use crate::evidence::{Snapshot, bundle};
use crate::forge::{AssetOutcome, AssetSpec, Forge, Release};
use crate::store::{EvidenceStore, GitAuth, PushUpdate, TAG_MANIFEST_PREFIX, manifest_hash_in};

/// Room for the drift section of the notes (GitHub's release body holds 125,000 characters).
const NOTES_DRIFT_LIMIT: usize = 60_000;

/// Tag the evidence at a ref and publish it as a GitHub release with its PDF, bundle and sums.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  GITHUB_TOKEN=… soc2-evidence release --tag audit-2026-q1 --ref main"
)]
pub struct Args {
    /// The tag to create (or complete), e.g. `audit-2026-q1`.
    #[arg(long)]
    tag: String,
    /// What to release; default: the configured base branch as the remote has it.
    #[arg(long = "ref")]
    refname: Option<String>,
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read the GitHub token from this file instead of GITHUB_TOKEN / GH_TOKEN.
    #[arg(long)]
    token_file: Option<PathBuf>,
}

/// The release's three assets, derived from one commit.
pub(crate) struct Assets {
    pub pdf_name: String,
    pub pdf: Vec<u8>,
    pub bundle_name: String,
    pub bundle: Vec<u8>,
    pub sums: String,
}

/// File-name-safe form of a tag: anything but `[A-Za-z0-9._-]` becomes `-` (GitHub renames
/// asset names with other characters).
fn file_part(tag: &str) -> String {
    tag.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Builds the assets of `commit` exactly as a release does; `verify` rebuilds them the same way.
/// They are a function of the commit (and the tags before it) alone, no configuration read, so
/// whoever rebuilds them gets the same bytes.
pub(crate) fn build_assets(
    store: &EvidenceStore,
    commit: Oid,
    snapshot: &Snapshot,
    tag: &str,
) -> Result<Assets> {
    // Exactly what `report --ref <commit>` renders (drift since the previous release tag
    // included), so anyone can re-derive the asset with the public command.
    let commit_ref = commit.to_string();
    let request = super::report::Request {
        refname: &commit_ref,
        period: None,
        drift: super::report::DriftBase::PreviousTag,
    };
    let pdf = super::report::build(store, &request)?.0.pdf;
    let bundle = bundle::build(snapshot, store.root());
    let pdf_name = format!("soc2-report-{}.pdf", file_part(tag));
    let bundle_name = format!("soc2-evidence-{}.tar.gz", file_part(tag));
    let sums = bundle::sha256sums(&[(&pdf_name, &pdf), (&bundle_name, &bundle)]);
    Ok(Assets {
        pdf_name,
        pdf,
        bundle_name,
        bundle,
        sums,
    })
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
fn preflight(
    rt: &tokio::runtime::Runtime,
    forge: &Forge,
    store: &EvidenceStore,
    remote: &str,
    auth: &GitAuth,
    tag: &str,
) -> Result<Preflight> {
    const NOTHING: &str = "release preflight failed; nothing was pushed";
    let (info, release) = rt
        .block_on(async {
            let info = forge.repository().await?;
            let release = forge.find_release(tag).await?;
            Ok::<_, crate::forge::ForgeError>((info, release))
        })
        .context(NOTHING)?;
    if info.permissions.as_ref().and_then(|p| p.push) == Some(false) {
        bail!(
            "{NOTHING}: the token may read {} but not push to it (GitHub reports \
             `permissions.push: false`); a release needs `contents: write`",
            forge.full_name()
        );
    }
    let remote_refs = store
        .remote_refs_for_push(remote, auth)
        .with_context(|| format!("{NOTHING}: the token cannot push to the remote `{remote}`"))?;
    Ok(Preflight {
        release,
        remote_refs,
    })
}

pub fn run(a: Args) -> Result<Outcome> {
    let config = Config::discover(a.config.as_deref(), &a.repo)?;
    let store = EvidenceStore::open(&a.repo, &config.evidence.root)
        .with_context(|| format!("cannot open evidence repository {}", a.repo.display()))?;
    if !git2::Reference::is_valid_name(&format!("refs/tags/{}", a.tag)) {
        bail!("`{}` is not a valid tag name", a.tag);
    }
    let token = github::token(a.token_file.as_deref())?;
    let (owner, name) = github::repository(&config, &store)?;
    let rt = github::runtime()?;
    let forge = github::forge(&rt, &config, &owner, &name, token.clone())?;
    let remote = config.github.remote.as_str();
    let auth = GitAuth::new(Some(token));

    store
        .fetch_all(remote, &auth)
        .with_context(|| format!("cannot fetch from `{remote}`; nothing was pushed"))?;
    let refname = a
        .refname
        .clone()
        .unwrap_or_else(|| config.evidence.base_branch.clone());
    let commit = resolve_published(&store, remote, &refname)?;
    let snapshot = store
        .read_snapshot_at(commit)?
        .with_context(|| format!("`{refname}` ({commit}) holds no evidence to release"))?;
    // What an auditor's `verify` would name must stop the release: the snapshot against its
    // manifest and, with the full history at hand, the whole manifest chain up to it. A shallow
    // clone has only the snapshot to check.
    let mut problems = Vec::new();
    if store.repo().is_shallow() {
        problems = snapshot.verify()?;
    } else {
        super::verify::verify_history(&store, commit, &refname, &mut problems)?;
    }
    if !problems.is_empty() {
        bail!(
            "the evidence at `{refname}` fails verification, refusing to release it (nothing \
             was pushed):\n  - {}",
            problems.join("\n  - ")
        );
    }
    let manifest = snapshot.manifest()?;
    let manifest_hash = snapshot.manifest_sha256().unwrap_or_default();
    let as_of = manifest
        .as_of
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut text = String::new();

    // 0. Preflight: token, repository, write permission, assets and notes; nothing pushed yet.
    let pre = preflight(&rt, &forge, &store, remote, &auth, &a.tag)?;
    let assets = build_assets(&store, commit, &snapshot, &a.tag)?;
    let notes = release_notes(&store, &a.tag, commit, &snapshot, &assets, &manifest_hash)?;
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
    let tag_ref = format!("refs/tags/{}", a.tag);
    let tag_object = match store.tag_info(&a.tag)? {
        Some(info) => {
            if info.commit != commit {
                bail!(
                    "tag `{}` already exists on {}, not on {commit} (`{refname}`); choose another \
                     tag",
                    a.tag,
                    info.commit
                );
            }
            match info.message.as_deref().and_then(manifest_hash_in) {
                Some(h) if h == manifest_hash => {}
                Some(h) => bail!(
                    "tag `{}` names manifest {h}, but the commit's manifest is {manifest_hash}",
                    a.tag
                ),
                None => bail!(
                    "tag `{}` exists but is not an annotated release tag carrying the manifest \
                     hash; delete it or choose another tag",
                    a.tag
                ),
            }
            info.object
        }
        None => {
            let message = format!(
                "SOC 2 evidence {}\n\n{TAG_MANIFEST_PREFIX}{manifest_hash}\nevidence collected at: \
                 {as_of}\ntenant: {}\n",
                a.tag, manifest.tenant_id
            );
            let oid = store.create_tag(&a.tag, commit, &message, manifest.as_of.timestamp())?;
            let _ = writeln!(text, "created tag {} on {commit}", a.tag);
            oid
        }
    };
    match pre.remote_refs.get(&tag_ref) {
        Some(o) if *o == tag_object => {}
        Some(o) => bail!(
            "the remote's tag `{}` is {o}, not the local {tag_object}; fetch and check it",
            a.tag
        ),
        None => {
            store.push(
                remote,
                &[PushUpdate {
                    oid: tag_object,
                    remote_ref: tag_ref.clone(),
                    expect: None,
                    force: false,
                }],
                &auth,
            )?;
            let _ = writeln!(text, "pushed tag {}", a.tag);
        }
    }

    // 2. The release: a draft until every asset is in place.
    let done = rt.block_on(async {
        let release = match pre.release {
            Some(r) => r,
            None => {
                let r = forge
                    .create_draft_release(
                        &a.tag,
                        &commit.to_string(),
                        &format!("SOC 2 evidence {}", a.tag),
                        &notes,
                    )
                    .await?;
                let _ = writeln!(text, "created draft release {}", a.tag);
                r
            }
        };
        let outcomes = forge.ensure_assets(&release, &specs).await?;
        for o in &outcomes {
            match o {
                AssetOutcome::Uploaded(n) => {
                    let _ = writeln!(text, "uploaded {n}");
                }
                AssetOutcome::Present(n) => {
                    let _ = writeln!(text, "{n} already attached with the same bytes");
                }
            }
        }
        let release = if release.draft {
            let r = forge.publish_release(&release).await?;
            let _ = writeln!(text, "published release {}", a.tag);
            r
        } else {
            release
        };
        Ok::<_, crate::forge::ForgeError>(release)
    });
    let release = done.with_context(|| {
        format!(
            "tag {} is pushed but the release is not complete; run the same command again to \
             complete it",
            a.tag
        )
    })?;
    super::status_block!("{text}");
    super::outln!("release {} {}", a.tag, release.html_url);
    super::status_block!("{}", assets.sums);
    github::step_summary(&format!(
        "### soc2-evidence release\n\n[{}]({}) — manifest sha256 `{manifest_hash}`\n",
        a.tag, release.html_url
    ))?;
    Ok(Outcome::Done)
}

/// The previous release tag: the newest (by evidence time) of this tool's tags on an ancestor
/// of `commit`, other than `tag` itself.
fn previous_release(
    store: &EvidenceStore,
    tag: &str,
    commit: Oid,
) -> Result<Option<(String, Oid, Snapshot)>> {
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

fn release_notes(
    store: &EvidenceStore,
    tag: &str,
    commit: Oid,
    snapshot: &Snapshot,
    assets: &Assets,
    manifest_hash: &str,
) -> Result<String> {
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
    let row = |label: &str, sc: &crate::controls::Score| {
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
        crate::evidence::sha256_hex(&assets.pdf),
        assets.bundle_name,
        crate::evidence::sha256_hex(&assets.bundle),
        crate::evidence::sha256_hex(assets.sums.as_bytes()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_safe_file_names() {
        assert_eq!(file_part("audit-2026-q1"), "audit-2026-q1");
        assert_eq!(file_part("audit/2026 q1+r"), "audit-2026-q1-r");
    }
}
