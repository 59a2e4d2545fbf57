//! The GitOps core: publish policy and release steps, as library functions that return what
//! they did. [`publish`] decides which branch a snapshot goes to, whose commits may be replaced
//! (only the bot's), and converges the one drift pull request; [`release`] tags approved
//! evidence and completes a GitHub release with its assets. [`assets`] derives the PDF and the
//! bundle from a commit, and checks a history's manifest chain, as `release` and `verify` need.
//!
//! Nothing here prints or exits: every function returns an outcome value (or a
//! [`GitopsError`]) and the CLI renders it. The text renderings that the CLI prints and GitHub
//! shows (step summaries, PR and release bodies, scores) are built here too, as pure functions
//! of the outcome, so they are tested without a terminal.
//!
//! Sits just below `cli`: it may use `report`, `export`, `drift`, `store`, `forge` and what is
//! below them, never `cli`.

pub mod assets;
pub mod publish;
pub mod release;
pub mod text;

pub use assets::{Assets, DriftBase, HistoryCheck, ReportRequest};
pub use publish::{PublishOutcome, PublishRequest, Published, Retry, Step};
pub use release::{ReleaseOutcome, ReleaseRequest, ReleaseStep};

use git2::Oid;

use crate::config::Config;
use crate::evidence::{self, EvidenceError, RepoInputs};
use crate::forge::ForgeError;
use crate::store::{EvidenceStore, StoreError};

/// Why a GitOps step could not be done. Each message says what was (or was not) pushed, so a
/// person knows whether a re-run completes it.
#[derive(Debug, thiserror::Error)]
pub enum GitopsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forge(#[from] ForgeError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Period(#[from] crate::report::period::PeriodError),
    /// In plain words and not a `#[source]`, so the message is printed once
    /// ([`crate::store::git_words`]).
    #[error("git: {}", crate::store::git_words(.0))]
    Git(git2::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),

    // Reading the repository's inputs (waivers, attestations).
    #[error("the evidence repository has no working tree")]
    NoWorkTree,
    #[error("cannot read {path}")]
    ReadInput {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8")]
    NotUtf8 {
        path: String,
        #[source]
        source: std::string::FromUtf8Error,
    },
    #[error("invalid waiver file {path}")]
    Waivers {
        path: String,
        #[source]
        source: Box<crate::waivers::WaiverError>,
    },
    #[error("invalid attestation in {dir}/{origin}")]
    Attestations {
        dir: String,
        origin: String,
        #[source]
        source: Box<crate::attestations::AttestationError>,
    },

    // Reading evidence at a ref.
    #[error("--since: ref `{0}` not found")]
    SinceNotFound(String),
    #[error("commit {0} holds no evidence")]
    NoEvidenceAt(Oid),
    #[error("`{0}` holds no evidence to compare with")]
    NoEvidenceToCompare(String),
    #[error("cannot compare with the evidence of `{tag}`")]
    Compare {
        tag: String,
        #[source]
        source: EvidenceError,
    },
    #[error("cannot read the evidence of commit {commit}")]
    PeriodRun {
        commit: Oid,
        #[source]
        source: EvidenceError,
    },

    // Publishing.
    #[error(
        "the remote `{remote}` has no branch `{base}`: push an initial commit to it first (for \
         example soc2-evidence.toml)"
    )]
    NoBaseBranch { remote: String, base: String },
    #[error("the remote kept moving; gave up after {passes} passes (last: {last})")]
    RemoteKeptMoving { passes: u32, last: String },
    #[error(
        "{} branches in a row have commits by a person ({}); none of them is replaced. Merge \
         or delete the ones no longer needed and run again",
        .0.len(),
        .0.join(", ")
    )]
    TooManyPersonBranches(Vec<String>),
    #[error("refusing to replace {branch}: it would drop commits not made by the bot ({})", .foreign.join("; "))]
    WouldDropForeign {
        branch: String,
        foreign: Vec<String>,
    },
    /// The commit is on the remote; only the pull request is behind. A re-run completes it.
    #[error(
        "the evidence commit {commit} is pushed to {branch}, but the pull request is not up to \
         date; run again to complete it"
    )]
    AfterPush {
        commit: Oid,
        branch: String,
        #[source]
        source: Box<ForgeError>,
    },

    // Releasing.
    #[error("`{0}` is not a valid tag name")]
    InvalidTag(String),
    #[error("cannot fetch from `{remote}`; nothing was pushed")]
    Fetch {
        remote: String,
        #[source]
        source: Box<StoreError>,
    },
    #[error("`{refname}` ({commit}) holds no evidence to release")]
    NothingToRelease { refname: String, commit: Oid },
    #[error(
        "the evidence at `{refname}` fails verification, refusing to release it (nothing was \
         pushed):\n  - {}",
        .problems.join("\n  - ")
    )]
    Unverified {
        refname: String,
        problems: Vec<String>,
    },
    #[error("release preflight failed; nothing was pushed")]
    Preflight(#[source] Box<ForgeError>),
    #[error(
        "release preflight failed; nothing was pushed: the token may read {repository} but not \
         push to it (GitHub reports `permissions.push: false`); a release needs `contents: \
         write`"
    )]
    NoPushPermission { repository: String },
    #[error(
        "release preflight failed; nothing was pushed: the token cannot push to the remote `{remote}`"
    )]
    PreflightRemote {
        remote: String,
        #[source]
        source: Box<StoreError>,
    },
    #[error(
        "tag `{tag}` already exists on {on}, not on {commit} (`{refname}`); choose another tag"
    )]
    TagElsewhere {
        tag: String,
        on: Oid,
        commit: Oid,
        refname: String,
    },
    #[error("tag `{tag}` names manifest {named}, but the commit's manifest is {actual}")]
    TagManifestMismatch {
        tag: String,
        named: String,
        actual: String,
    },
    #[error(
        "tag `{0}` exists but is not an annotated release tag carrying the manifest hash; delete \
         it or choose another tag"
    )]
    NotAReleaseTag(String),
    #[error("the remote's tag `{tag}` is {remote}, not the local {local}; fetch and check it")]
    RemoteTagDiffers {
        tag: String,
        remote: Oid,
        local: Oid,
    },
    /// The tag is pushed; the release lacks an asset or is still a draft. A re-run completes it.
    #[error(
        "tag {tag} is pushed but the release is not complete; run the same command again to \
         complete it"
    )]
    ReleaseIncomplete {
        tag: String,
        #[source]
        source: Box<ForgeError>,
    },
}

impl From<git2::Error> for GitopsError {
    fn from(e: git2::Error) -> Self {
        Self::Git(e)
    }
}

/// The commit a ref names, preferring the remote-tracking branch when `refname` is a branch
/// the remote has (the published state), else any ref or sha git understands.
pub fn resolve_published(
    store: &EvidenceStore,
    remote: &str,
    refname: &str,
) -> Result<Oid, StoreError> {
    if let Some(oid) = store.remote_branch(remote, refname)? {
        return Ok(oid);
    }
    store
        .resolve(refname)?
        .ok_or_else(|| store.missing_ref(refname))
}

/// The waivers and attestations the evidence repository declares at commit `at`, the commit a
/// snapshot is built on, so that they are evidence input like the inventory. A repository
/// without commits yet has only its working tree to read them from.
pub fn repo_inputs(
    store: &EvidenceStore,
    config: &Config,
    at: Option<Oid>,
) -> Result<RepoInputs, GitopsError> {
    let waiver_path = &config.waivers.file;
    let dir = &config.attestations.dir;
    let (waiver_bytes, attestation_files, origin) = match at {
        Some(oid) => (
            store.read_file_at(oid, waiver_path)?,
            store.read_dir_at(oid, dir)?,
            format!("@{oid}"),
        ),
        None => {
            let root = store.repo().workdir().ok_or(GitopsError::NoWorkTree)?;
            let w = match std::fs::read(root.join(waiver_path)) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(GitopsError::ReadInput {
                        path: waiver_path.clone(),
                        source,
                    });
                }
            };
            let mut files = Vec::new();
            if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
                for e in entries {
                    let e = e?;
                    if e.file_type()?.is_file() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        files.push((format!("{dir}/{name}"), std::fs::read(e.path())?));
                    }
                }
            }
            files.sort();
            (w, files, String::new())
        }
    };
    let waivers = match waiver_bytes {
        None => None,
        Some(bytes) => {
            let text = String::from_utf8(bytes).map_err(|source| GitopsError::NotUtf8 {
                path: format!("{waiver_path}{origin}"),
                source,
            })?;
            let mut w = crate::waivers::Waivers::parse(waiver_path, &text).map_err(|source| {
                GitopsError::Waivers {
                    path: format!("{waiver_path}{origin}"),
                    source: Box::new(source),
                }
            })?;
            w.source = waiver_path.clone();
            Some(w)
        }
    };
    let attestations = crate::attestations::parse_all(&attestation_files).map_err(|source| {
        GitopsError::Attestations {
            dir: dir.clone(),
            origin: origin.clone(),
            source: Box::new(source),
        }
    })?;
    Ok(RepoInputs {
        waivers,
        attestations,
        attestation_max_age_days: config.attestations.max_age_days,
        organisation: evidence::OrganisationInfo {
            name: config.organisation.name.clone(),
            system: config.organisation.system.clone(),
        },
    })
}
