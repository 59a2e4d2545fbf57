//! The evidence repository: the only git2 code. Opens or initialises a repository, writes a
//! snapshot onto a branch as one commit with a fixed bot signature (no commit when the evidence
//! is unchanged), reads a snapshot back at any ref, walks the snapshot history, finds commits on
//! the bot branch that a person made, writes annotated tags, and fetches and pushes
//! ([`remote`]).
//!
//! Crash safety: objects are written before any ref moves, and a ref moves last, so a process
//! killed at any point leaves every ref at a complete commit; what it leaves behind is
//! unreferenced objects, which git ignores (and `git gc` removes).
//!
//! Integrity of local branches: a branch moves only by compare-and-swap from the commit the
//! writer built on, so a run that lost a race learns it ([`StoreError::RefMoved`]) instead of
//! orphaning the winner's commit; a snapshot is never committed on top of newer evidence
//! ([`StoreError::OlderSnapshot`]); and when the branch is the one checked out, index and work
//! tree follow it as they would after `git commit`, without touching anyone's local changes.

mod chain;
mod history;
mod remote;

pub use chain::EvidenceCommit;

pub use remote::{
    CredentialDecision, GitAuth, MAX_AUTH_ATTEMPTS, PushUpdate, TOKEN_USER, credential_decision,
};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use git2::{ObjectType, Oid, Repository, Signature, Time, TreeBuilder};

use crate::evidence::{EvidenceError, Snapshot};

pub const BOT_NAME: &str = "soc2-evidence";
pub const BOT_EMAIL: &str = "soc2-evidence@users.noreply.github.com";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Any other libgit2 failure, in libgit2's own words (without its class and code numbers).
    /// Not a `#[source]`: the message is the whole story, and a chained source would print it
    /// a second time.
    #[error("git: {}", git_words(.0))]
    Git(git2::Error),
    /// The path is not inside a git repository.
    #[error("not a git repository: {path}; run `git init` there or pass --repo")]
    NotARepository { path: String },
    /// The repository has no commits at all, so no evidence either.
    #[error(
        "the evidence repository {path} has no commits yet, so it holds no evidence; \
         `soc2-evidence assess` or `run` commits the first snapshot"
    )]
    EmptyRepository { path: String },
    #[error("{0}")]
    Evidence(#[from] EvidenceError),
    #[error("ref `{0}` not found in the evidence repository")]
    RefNotFound(String),
    #[error("`{refname}` has no evidence under `{root}/`")]
    NoEvidence { refname: String, root: String },
    #[error("evidence path `{0}` is not a valid relative path")]
    BadPath(String),
    #[error("the evidence repository has no remote `{0}`")]
    NoRemote(String),
    #[error("git authentication failed: {0}")]
    Auth(String),
    #[error("cannot {op} `{remote}`: {message}")]
    Remote {
        op: &'static str,
        remote: String,
        message: String,
    },
    /// The remote moved since our fetch, or refused the update.
    #[error("push rejected: {0}")]
    PushRejected(String),
    #[error("tag `{0}`: {1}")]
    Tag(String, String),
    /// The branch is no longer where this writer found it: another run or a person committed
    /// first. Nothing was committed; building again on the new head is safe.
    #[error(
        "lost a race for `{branch}`: it moved from {expected} to {actual} while this run was \
         committing (another run or a person committed first); nothing was committed"
    )]
    RefMoved {
        branch: String,
        expected: String,
        actual: String,
    },
    /// The snapshot is older than the evidence at the head it would be committed on.
    #[error(
        "refusing to commit evidence collected at {as_of} on `{branch}`: its head {head} holds \
         newer evidence, collected at {head_as_of}; a snapshot never replaces a newer one"
    )]
    OlderSnapshot {
        branch: String,
        head: Oid,
        as_of: String,
        head_as_of: String,
    },
    /// The branch is checked out and the files the commit changes have local changes.
    #[error(
        "`{branch}` is checked out and these files have local changes that the new evidence \
         would overwrite: {}; commit, stash or discard them and run again (`{branch}` was not \
         moved)",
        list_files(.files)
    )]
    LocalChanges { branch: String, files: Vec<String> },
    #[error("cannot lock the evidence repository ({path}): {message}")]
    Lock { path: String, message: String },
    #[error("cannot update the work tree at {path}: {source}")]
    WorkTree {
        path: String,
        source: std::io::Error,
    },
}

impl From<git2::Error> for StoreError {
    fn from(e: git2::Error) -> Self {
        Self::Git(e)
    }
}

/// A libgit2 error in plain words: its message, without the `; class=…; code=…` suffix that
/// its `Display` adds (numbers that mean nothing to a person reading an error).
pub fn git_words(e: &git2::Error) -> String {
    let m = e.message().trim_end_matches(['.', ' ']);
    if m.is_empty() {
        format!("libgit2 error {:?}", e.code())
    } else {
        m.to_string()
    }
}

/// Display of a branch position in messages: a commit id, or `nothing` for an absent branch.
fn position(oid: Option<Oid>) -> String {
    oid.map_or_else(|| "nothing (no branch)".to_string(), |o| o.to_string())
}

/// The first few of `files` and how many more: a repository left with every evidence file
/// deleted would otherwise make a message of thousands of lines.
fn list_files(files: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = files
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        out.push_str(&format!(" and {} more", files.len() - SHOWN));
    }
    out
}

/// How long a writer waits for another soc2-evidence process to finish moving a branch.
const LOCK_WAIT: Duration = Duration::from_secs(120);
/// Attempts of [`EvidenceStore::advance_branch`] when the branch moves under it.
const ADVANCE_ATTEMPTS: u32 = 3;

/// Outcome of [`EvidenceStore::advance_branch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advance {
    /// The branch now points at the commit.
    Moved,
    /// The branch already pointed at the commit.
    UpToDate,
    /// The branch has commits the new commit does not contain: it is left where it is, since
    /// moving it would drop them.
    Diverged { local: Oid, remote: Oid },
    /// The branch is checked out and these files have local changes the commit would
    /// overwrite: it is left where it is.
    LocalChanges(Vec<String>),
}

impl Advance {
    /// What a person should know when the branch was left behind; `None` when it followed.
    pub fn describe(&self, branch: &str) -> Option<String> {
        match self {
            Self::Moved | Self::UpToDate => None,
            Self::Diverged { local, remote } => Some(format!(
                "local `{branch}` has commits that {remote} does not contain; it stays at \
                 {local} (merge or rebase it onto the remote)"
            )),
            Self::LocalChanges(files) => Some(format!(
                "local `{branch}` is checked out with local changes to {}; it stays where it \
                 was (update it with `git pull` once they are committed or stashed)",
                list_files(files)
            )),
        }
    }
}

/// Outcome of [`EvidenceStore::commit_snapshot`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitOutcome {
    Created(Oid),
    /// The evidence equals the parent's (the manifest aside): no commit was made.
    Unchanged(Oid),
}

impl CommitOutcome {
    pub fn oid(self) -> Oid {
        match self {
            Self::Created(o) | Self::Unchanged(o) => o,
        }
    }
}

pub struct EvidenceStore {
    repo: Repository,
    /// Directory of the evidence inside the repository, e.g. `evidence`.
    root: String,
}

impl EvidenceStore {
    /// Opens the repository at `path`, or initialises one whose first branch is
    /// `initial_branch`.
    pub fn open_or_init(path: &Path, root: &str, initial_branch: &str) -> Result<Self, StoreError> {
        let repo = match Repository::open(path) {
            Ok(r) => r,
            Err(_) => {
                let mut opts = git2::RepositoryInitOptions::new();
                opts.initial_head(initial_branch);
                Repository::init_opts(path, &opts)?
            }
        };
        Self::with_repo(repo, root)
    }

    /// Opens an existing repository; a path that is not one is [`StoreError::NotARepository`].
    pub fn open(path: &Path, root: &str) -> Result<Self, StoreError> {
        let repo = Repository::open(path).map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => StoreError::NotARepository {
                path: path.display().to_string(),
            },
            _ => StoreError::Git(e),
        })?;
        Self::with_repo(repo, root)
    }

    /// The error for a ref that does not resolve: in a repository without a single commit the
    /// ref is not the problem, so that says so ([`StoreError::EmptyRepository`]).
    pub fn missing_ref(&self, refname: &str) -> StoreError {
        if self.repo.is_empty().unwrap_or(false) {
            let path = self.repo.workdir().unwrap_or_else(|| self.repo.path());
            StoreError::EmptyRepository {
                path: path.display().to_string(),
            }
        } else {
            StoreError::RefNotFound(refname.to_string())
        }
    }

    fn with_repo(repo: Repository, root: &str) -> Result<Self, StoreError> {
        let root = root.trim_matches('/').to_string();
        if root.is_empty()
            || root
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(StoreError::BadPath(root));
        }
        Ok(Self { repo, root })
    }

    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// The commit a ref (branch, tag, sha, `HEAD~1`…) points at, or `None` if it does not exist.
    pub fn resolve(&self, refname: &str) -> Result<Option<Oid>, StoreError> {
        match self.repo.revparse_single(refname) {
            Ok(obj) => Ok(Some(obj.peel_to_commit()?.id())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn branch_head(&self, branch: &str) -> Result<Option<Oid>, StoreError> {
        self.resolve(&format!("refs/heads/{branch}"))
    }

    /// The snapshot stored at `refname`.
    pub fn read_snapshot(&self, refname: &str) -> Result<Snapshot, StoreError> {
        let oid = self
            .resolve(refname)?
            .ok_or_else(|| self.missing_ref(refname))?;
        self.read_snapshot_at(oid)?.ok_or(StoreError::NoEvidence {
            refname: refname.to_string(),
            root: self.root.clone(),
        })
    }

    /// The snapshot in commit `oid`, or `None` when the commit holds no evidence yet.
    pub fn read_snapshot_at(&self, oid: Oid) -> Result<Option<Snapshot>, StoreError> {
        self.read_snapshot_where(oid, |_| true)
    }

    /// The files of the snapshot in commit `oid` whose paths (relative to the evidence root)
    /// `keep` accepts; blobs of the others are never read. `None` when the commit holds no
    /// evidence yet.
    pub fn read_snapshot_where(
        &self,
        oid: Oid,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Option<Snapshot>, StoreError> {
        let tree = self.repo.find_commit(oid)?.tree()?;
        let entry = match tree.get_path(Path::new(&self.root)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut files = BTreeMap::new();
        let sub = self.repo.find_tree(entry.id())?;
        let mut failure = None;
        sub.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            let path = format!("{dir}{}", e.name().unwrap_or_default());
            if e.kind() == Some(ObjectType::Blob) && keep(&path) {
                match self.repo.find_blob(e.id()) {
                    Ok(b) => {
                        files.insert(path, b.content().to_vec());
                    }
                    Err(err) => {
                        failure = Some(err);
                        return git2::TreeWalkResult::Abort;
                    }
                }
            }
            git2::TreeWalkResult::Ok
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        Ok(Some(Snapshot { files }))
    }

    /// Id of the evidence root's tree in `commit`, or `None` when it holds no evidence.
    fn evidence_tree(&self, commit: &git2::Commit) -> Result<Option<Oid>, StoreError> {
        match commit.tree()?.get_path(Path::new(&self.root)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(e.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Walks the first-parent history of `refname`, newest first, and calls `visit` with every
    /// commit whose evidence differs from its first parent's (each recorded run) and its
    /// snapshot. First-parent: on a base branch that merges drift pull requests, the merge
    /// commits are the runs, not the commits of the merged branches. `visit` returns `false`
    /// to stop the walk.
    pub fn walk_evidence<E: From<StoreError>>(
        &self,
        refname: &str,
        mut visit: impl FnMut(Oid, Snapshot) -> Result<bool, E>,
    ) -> Result<(), E> {
        let oid = self
            .resolve(refname)?
            .ok_or_else(|| self.missing_ref(refname))?;
        let mut commit = self.repo.find_commit(oid).map_err(StoreError::from)?;
        loop {
            let parent = match commit.parent(0) {
                Ok(p) => Some(p),
                Err(e) if e.code() == git2::ErrorCode::NotFound => None,
                Err(e) => return Err(StoreError::from(e).into()),
            };
            let tree = self.evidence_tree(&commit)?;
            let parent_tree = match &parent {
                Some(p) => self.evidence_tree(p)?,
                None => None,
            };
            if tree.is_some() && tree != parent_tree {
                let snapshot =
                    self.read_snapshot_at(commit.id())?
                        .ok_or_else(|| StoreError::NoEvidence {
                            refname: commit.id().to_string(),
                            root: self.root.clone(),
                        })?;
                if !visit(commit.id(), snapshot)? {
                    return Ok(());
                }
            }
            match parent {
                Some(p) => commit = p,
                None => return Ok(()),
            }
        }
    }

    /// The previous release of the evidence at `commit`: the nearest tagged commit in its
    /// history (the commit itself excluded) whose tree holds evidence. Of several tags on that
    /// commit, one named `v*` is preferred, then the greatest name.
    pub fn previous_tag(&self, commit: Oid) -> Result<Option<(String, Oid)>, StoreError> {
        let mut tagged: BTreeMap<Oid, Vec<String>> = BTreeMap::new();
        let names = self.repo.tag_names(None)?;
        // Names that are not UTF-8 cannot be shown or passed back; git2 yields them as `None`.
        for name in names.iter().filter_map(|n| n.ok().flatten()) {
            let target = self
                .repo
                .revparse_single(&format!("refs/tags/{name}"))
                .and_then(|o| o.peel_to_commit());
            // A tag of a tree or blob names no release of the evidence.
            if let Ok(c) = target {
                tagged.entry(c.id()).or_default().push(name.to_string());
            }
        }
        if tagged.is_empty() {
            return Ok(None);
        }
        let mut walk = self.repo.revwalk()?;
        walk.push(commit)?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        for oid in walk {
            let oid = oid?;
            if oid == commit {
                continue;
            }
            let Some(names) = tagged.get_mut(&oid) else {
                continue;
            };
            if self.evidence_tree(&self.repo.find_commit(oid)?)?.is_none() {
                continue;
            }
            names.sort_by_key(|n| (n.starts_with('v'), n.clone()));
            let Some(name) = names.last().cloned() else {
                continue;
            };
            return Ok(Some((name, oid)));
        }
        Ok(None)
    }

    /// Commits `snapshot` onto `branch` with `parent` as its parent, keeping every file outside
    /// the evidence root as it is in the parent. Makes no commit when the evidence files equal
    /// the parent's; the manifest alone (run metadata, hash link) never makes a commit.
    ///
    /// The branch must be at `parent` (or not exist yet, to be created there): it moves by
    /// compare-and-swap, and a branch that moved since the caller read it gives
    /// [`StoreError::RefMoved`] with no ref changed. A snapshot collected before the parent's
    /// gives [`StoreError::OlderSnapshot`]. When the branch is checked out, index and work tree
    /// are brought along (see [`Self::advance_branch`] for the safe checkout).
    pub fn commit_snapshot(
        &self,
        branch: &str,
        parent: Option<Oid>,
        snapshot: &Snapshot,
        message: &str,
    ) -> Result<CommitOutcome, StoreError> {
        if let Some(p) = parent {
            self.ensure_not_older(branch, p, snapshot)?;
        }
        let outcome = self.write_commit(parent, snapshot, message)?;
        if let CommitOutcome::Created(oid) = outcome {
            // The commit object exists before the ref moves, so a process killed mid-way
            // leaves the branch at its old commit.
            let expected = self.expected_head(branch, parent)?;
            self.move_branch(branch, expected, oid, &reflog_message(message))?;
        }
        Ok(outcome)
    }

    /// Where `branch` must be for a commit on `parent` to move it: at `parent`, or absent (a
    /// new branch starting there).
    fn expected_head(&self, branch: &str, parent: Option<Oid>) -> Result<Option<Oid>, StoreError> {
        Ok(match self.ref_target(&format!("refs/heads/{branch}"))? {
            Some(_) => parent,
            None => None,
        })
    }

    /// Refuses to put `snapshot` on top of commit `head` of `branch` when `head` holds evidence
    /// collected after the snapshot's: a snapshot never replaces a newer one. Equal times are
    /// allowed (the same collection assessed again).
    pub fn ensure_not_older(
        &self,
        branch: &str,
        head: Oid,
        snapshot: &Snapshot,
    ) -> Result<(), StoreError> {
        let Some(head_as_of) = self.snapshot_as_of(head)? else {
            return Ok(());
        };
        let as_of = snapshot.manifest()?.as_of;
        if as_of < head_as_of {
            let show = |t: chrono::DateTime<chrono::Utc>| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            return Err(StoreError::OlderSnapshot {
                branch: branch.to_string(),
                head,
                as_of: show(as_of),
                head_as_of: show(head_as_of),
            });
        }
        Ok(())
    }

    /// The collection time (`as_of`) of the evidence in commit `oid`, from its manifest (else
    /// its summary); `None` when the commit holds no evidence. Only that field is read, so
    /// manifests of other tool versions are understood.
    pub fn snapshot_as_of(
        &self,
        oid: Oid,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
        #[derive(serde::Deserialize)]
        struct AsOf {
            as_of: chrono::DateTime<chrono::Utc>,
        }
        if self.evidence_tree(&self.repo.find_commit(oid)?)?.is_none() {
            return Ok(None);
        }
        for file in [crate::evidence::MANIFEST, crate::evidence::SUMMARY] {
            let path = format!("{}/{file}", self.root);
            if let Some(bytes) = self.read_file_at(oid, &path)?
                && let Ok(t) = serde_json::from_slice::<AsOf>(&bytes)
            {
                return Ok(Some(t.as_of));
            }
        }
        Err(StoreError::Evidence(EvidenceError::Missing {
            file: format!(
                "{}/{} with an `as_of` in commit {oid}",
                self.root,
                crate::evidence::MANIFEST
            ),
        }))
    }

    /// Writes the commit [`Self::commit_snapshot`] would make, without moving any ref: the
    /// commit is pushed first and refs follow only once the remote took it.
    pub fn write_commit(
        &self,
        parent: Option<Oid>,
        snapshot: &Snapshot,
        message: &str,
    ) -> Result<CommitOutcome, StoreError> {
        // The tree is written first and compared with the parent's after: each file is hashed
        // once, by the write (libgit2 skips objects the database already holds).
        let evidence_tree = self.write_files(&snapshot.files)?;
        if let Some(p) = parent
            && self.same_as_commit(p, evidence_tree)?
        {
            return Ok(CommitOutcome::Unchanged(p));
        }
        let parent_commit = parent.map(|p| self.repo.find_commit(p)).transpose()?;
        let base_tree = parent_commit.as_ref().map(|c| c.tree()).transpose()?;
        let components: Vec<&str> = self.root.split('/').collect();
        let tree = self.graft(base_tree.as_ref(), &components, evidence_tree)?;
        let tree = self.repo.find_tree(tree)?;
        let sig = bot_signature(snapshot)?;
        let parents: Vec<&git2::Commit> = parent_commit.iter().collect();
        let oid = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parents)?;
        Ok(CommitOutcome::Created(oid))
    }

    /// The evidence tree `tree` holds the files of commit `oid`'s evidence, the top-level
    /// manifest aside. Git trees are content-addressed, so equal entry ids (blob or subtree)
    /// mean equal files: no blob is read or hashed.
    fn same_as_commit(&self, oid: Oid, tree: Oid) -> Result<bool, StoreError> {
        let Some(old) = self.evidence_tree(&self.repo.find_commit(oid)?)? else {
            return Ok(false);
        };
        let entries = |t: Oid| -> Result<Vec<(Vec<u8>, Oid, i32)>, StoreError> {
            Ok(self
                .repo
                .find_tree(t)?
                .iter()
                .filter(|e| e.name_bytes() != crate::evidence::MANIFEST.as_bytes())
                .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode()))
                .collect())
        };
        Ok(entries(old)? == entries(tree)?)
    }

    /// The first parent of a commit.
    pub fn parent_of(&self, oid: Oid) -> Result<Option<Oid>, StoreError> {
        let c = self.repo.find_commit(oid)?;
        Ok(c.parent_ids().next())
    }

    /// Commits reachable from `head` but not from `base` that the bot did not author or commit:
    /// a person pushed to the bot branch. Each as `<short sha> <author>: <subject>`.
    pub fn foreign_commits(&self, head: Oid, base: Option<Oid>) -> Result<Vec<String>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        walk.push(head)?;
        if let Some(b) = base {
            walk.hide(b)?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let c = self.repo.find_commit(oid?)?;
            let is_bot = |s: &Signature| {
                s.email().ok() == Some(BOT_EMAIL) && s.name().ok() == Some(BOT_NAME)
            };
            if !is_bot(&c.author()) || !is_bot(&c.committer()) {
                out.push(format!(
                    "{} {}: {}",
                    &c.id().to_string()[..8],
                    c.author().name().unwrap_or("?"),
                    c.summary().ok().flatten().unwrap_or_default()
                ));
            }
        }
        Ok(out)
    }

    /// The bytes of `path` (relative to the repository root) in commit `oid`.
    pub fn read_file_at(&self, oid: Oid, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tree = self.repo.find_commit(oid)?.tree()?;
        match tree.get_path(Path::new(path)) {
            Ok(e) => Ok(Some(self.repo.find_blob(e.id())?.content().to_vec())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The files directly in directory `dir` (relative to the repository root) in commit `oid`,
    /// as `(path, bytes)` sorted by path; empty when the directory does not exist.
    pub fn read_dir_at(&self, oid: Oid, dir: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let tree = self.repo.find_commit(oid)?.tree()?;
        let entry = match tree.get_path(Path::new(dir)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(Vec::new());
        }
        let sub = self.repo.find_tree(entry.id())?;
        let mut out = Vec::new();
        for e in sub.iter() {
            if e.kind() == Some(ObjectType::Blob) {
                let name = e.name().unwrap_or_default();
                let blob = self.repo.find_blob(e.id())?;
                out.push((format!("{dir}/{name}"), blob.content().to_vec()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Commits `files` (path relative to the repository root → bytes) on `branch` on top of
    /// `parent`, keeping every other file of the parent: how the demo lays down the files a user
    /// would commit by hand. `time` (seconds since the epoch) makes the commit reproducible.
    pub fn commit_files(
        &self,
        branch: &str,
        parent: Option<Oid>,
        files: &BTreeMap<String, Vec<u8>>,
        message: &str,
        time: i64,
    ) -> Result<Oid, StoreError> {
        let parent_commit = parent.map(|p| self.repo.find_commit(p)).transpose()?;
        let mut tree = parent_commit.as_ref().map(|c| c.tree()).transpose()?;
        for (path, bytes) in files {
            let parts: Vec<&str> = path.split('/').collect();
            if parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
            {
                return Err(StoreError::BadPath(path.clone()));
            }
            let Some((name, dirs)) = parts.split_last() else {
                return Err(StoreError::BadPath(path.clone()));
            };
            let blob = self.repo.blob(bytes)?;
            let oid = self.put(tree.as_ref(), dirs, name, blob)?;
            tree = Some(self.repo.find_tree(oid)?);
        }
        let tree = match tree {
            Some(t) => t,
            None => self.repo.find_tree(self.repo.treebuilder(None)?.write()?)?,
        };
        let sig = Signature::new(BOT_NAME, BOT_EMAIL, &Time::new(time, 0))?;
        let parents: Vec<&git2::Commit> = parent_commit.iter().collect();
        let oid = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parents)?;
        let expected = self.expected_head(branch, parent)?;
        self.move_branch(branch, expected, oid, &reflog_message(message))?;
        Ok(oid)
    }

    /// Inserts blob `blob` as `name` in directory `dirs` of `base`.
    fn put(
        &self,
        base: Option<&git2::Tree>,
        dirs: &[&str],
        name: &str,
        blob: Oid,
    ) -> Result<Oid, StoreError> {
        let mut tb: TreeBuilder = self.repo.treebuilder(base)?;
        match dirs.split_first() {
            None => {
                tb.insert(name, blob, 0o100644)?;
            }
            Some((first, rest)) => {
                let existing = base
                    .and_then(|t| t.get_name(first))
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| self.repo.find_tree(e.id()))
                    .transpose()?;
                let child = self.put(existing.as_ref(), rest, name, blob)?;
                tb.insert(first, child, 0o040000)?;
            }
        }
        Ok(tb.write()?)
    }

    /// Fast-forwards `refs/heads/<branch>` to `oid` after a push, by compare-and-swap, keeping
    /// a checked-out index and work tree in step. Never drops a local commit: a branch with
    /// commits `oid` does not contain stays where it is ([`Advance::Diverged`]), as does a
    /// checked-out branch whose files in the way have local changes
    /// ([`Advance::LocalChanges`]); local changes are never discarded.
    pub fn advance_branch(&self, branch: &str, oid: Oid) -> Result<Advance, StoreError> {
        let refname = format!("refs/heads/{branch}");
        let mut attempt = 1;
        loop {
            let current = self.ref_target(&refname)?;
            match current {
                Some(c) if c == oid => return Ok(Advance::UpToDate),
                Some(c) if !self.is_ancestor(c, oid)? => {
                    return Ok(Advance::Diverged {
                        local: c,
                        remote: oid,
                    });
                }
                _ => {}
            }
            match self.move_branch(branch, current, oid, "soc2-evidence: follow the remote") {
                Ok(()) => return Ok(Advance::Moved),
                Err(StoreError::LocalChanges { files, .. }) => {
                    return Ok(Advance::LocalChanges(files));
                }
                // Someone else moved it meanwhile: judge the new position afresh.
                Err(StoreError::RefMoved { .. }) if attempt < ADVANCE_ATTEMPTS => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// The commit a ref points at (following a symbolic ref), `None` when it does not exist.
    fn ref_target(&self, refname: &str) -> Result<Option<Oid>, StoreError> {
        match self.repo.find_reference(refname) {
            Ok(r) => Ok(r.resolve()?.target()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// `refname` is the branch HEAD points at in a repository with a work tree (HEAD may be
    /// unborn: the first commit on a fresh repository's branch also fills its work tree).
    fn is_checked_out(&self, refname: &str) -> Result<bool, StoreError> {
        if self.repo.is_bare() || self.repo.workdir().is_none() {
            return Ok(false);
        }
        match self.repo.find_reference("HEAD") {
            Ok(h) => Ok(h.symbolic_target().ok().flatten() == Some(refname)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Holds the repository's writer lock (an OS file lock, released when the file is closed,
    /// also by a killed process): two soc2-evidence processes never interleave a check of the
    /// branch, a checkout and the ref update. Other git tools are kept out by the
    /// compare-and-swap and by git's own index lock.
    fn lock(&self) -> Result<std::fs::File, StoreError> {
        let path = self.repo.commondir().join("soc2-evidence.lock");
        let fail = |message: String| StoreError::Lock {
            path: path.display().to_string(),
            message,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(e.to_string()))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(fail(format!(
                        "another soc2-evidence process held it for over {}s",
                        LOCK_WAIT.as_secs()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(fail(e.to_string())),
            }
        }
    }

    /// Moves `refs/heads/<branch>` from `expected` (`None`: it must not exist yet) to `new` by
    /// compare-and-swap, as `git commit` would when the branch is checked out: index and work
    /// tree are first brought to `new` for the files that differ (a safe checkout, which
    /// refuses to overwrite local changes and leaves every other file, staged or not, as it
    /// is), and put back if the ref then cannot move.
    fn move_branch(
        &self,
        branch: &str,
        expected: Option<Oid>,
        new: Oid,
        log: &str,
    ) -> Result<(), StoreError> {
        self.move_branch_with(branch, expected, new, log, || {})
    }

    /// [`Self::move_branch`] with a hook between the checkout and the ref update, where
    /// another writer may strike.
    fn move_branch_with(
        &self,
        branch: &str,
        expected: Option<Oid>,
        new: Oid,
        log: &str,
        before_swap: impl FnOnce(),
    ) -> Result<(), StoreError> {
        let refname = format!("refs/heads/{branch}");
        let moved = |actual: Option<Oid>| StoreError::RefMoved {
            branch: branch.to_string(),
            expected: position(expected),
            actual: position(actual),
        };
        let _lock = self.lock()?;
        let current = self.ref_target(&refname)?;
        if current != expected {
            return Err(moved(current));
        }
        let changed = if self.is_checked_out(&refname)? {
            Some(self.checkout_for_commit(branch, expected, new)?)
        } else {
            None
        };
        before_swap();
        let swapped = match expected {
            Some(old) => self.repo.reference_matching(&refname, new, true, old, log),
            None => self.repo.reference(&refname, new, false, log),
        };
        if let Err(e) = swapped {
            if let Some(paths) = &changed {
                self.restore_paths(expected, paths)?;
            }
            let now = self.ref_target(&refname)?;
            return Err(if now != expected {
                moved(now)
            } else {
                e.into()
            });
        }
        Ok(())
    }

    /// Brings index and work tree from commit `old` (HEAD's, checked by the caller) to `new`
    /// for the files that differ between them; returns those paths. A file among them with
    /// local changes (in the work tree or the index) stops it before anything is written.
    fn checkout_for_commit(
        &self,
        branch: &str,
        old: Option<Oid>,
        new: Oid,
    ) -> Result<Vec<String>, StoreError> {
        let old_tree = old
            .map(|o| self.repo.find_commit(o).and_then(|c| c.tree()))
            .transpose()?;
        let new_commit = self.repo.find_commit(new)?;
        let new_tree = new_commit.tree()?;
        let diff = self
            .repo
            .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)?;
        let mut paths = Vec::new();
        for d in diff.deltas() {
            for f in [d.old_file(), d.new_file()] {
                if let Some(p) = f.path().and_then(Path::to_str)
                    && paths.last().is_none_or(|l: &String| l != p)
                {
                    paths.push(p.to_string());
                }
            }
        }
        if paths.is_empty() {
            return Ok(paths);
        }
        let conflicts = RefCell::new(Vec::new());
        let mut opts = git2::build::CheckoutBuilder::new();
        // The baseline is HEAD's tree, which is `old`'s: the caller holds the lock and saw the
        // branch there. Safe: only files equal to the baseline are replaced.
        opts.safe()
            .notify_on(git2::CheckoutNotificationType::CONFLICT)
            .notify(|_, path, _, _, _| {
                if let Some(p) = path {
                    conflicts.borrow_mut().push(p.display().to_string());
                }
                true
            });
        let result = self
            .repo
            .checkout_tree(new_tree.as_object(), Some(&mut opts));
        drop(opts);
        match result {
            Ok(()) => Ok(paths),
            Err(e) if e.code() == git2::ErrorCode::Conflict => {
                let mut files = conflicts.into_inner();
                files.sort();
                files.dedup();
                if files.is_empty() {
                    files.push(e.message().to_string());
                }
                Err(StoreError::LocalChanges {
                    branch: branch.to_string(),
                    files,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Puts `paths` back, in work tree and index, as they are in commit `old` (absent when it
    /// lacks them): undoes [`Self::checkout_for_commit`] when the ref could not move.
    fn restore_paths(&self, old: Option<Oid>, paths: &[String]) -> Result<(), StoreError> {
        let workdir = self
            .repo
            .workdir()
            .ok_or_else(|| StoreError::BadPath("(no work tree)".into()))?;
        let old_tree = old
            .map(|o| self.repo.find_commit(o).and_then(|c| c.tree()))
            .transpose()?;
        let mut index = self.repo.index()?;
        for p in paths {
            let file = workdir.join(p);
            let entry = old_tree
                .as_ref()
                .and_then(|t| t.get_path(Path::new(p)).ok());
            match entry {
                Some(e) if e.kind() == Some(ObjectType::Blob) => {
                    let blob = self.repo.find_blob(e.id())?;
                    if let Some(dir) = file.parent() {
                        std::fs::create_dir_all(dir).map_err(|source| work_tree(p, source))?;
                    }
                    std::fs::write(&file, blob.content()).map_err(|source| work_tree(p, source))?;
                    index.add_path(Path::new(p))?;
                }
                _ => {
                    match std::fs::remove_file(&file) {
                        Ok(()) => {}
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(err) => return Err(work_tree(p, err)),
                    }
                    // Directories the checkout created and that are now empty go too.
                    let mut dir = file.parent();
                    while let Some(d) = dir.filter(|d| *d != workdir) {
                        if std::fs::remove_dir(d).is_err() {
                            break;
                        }
                        dir = d.parent();
                    }
                    index.remove_path(Path::new(p))?;
                }
            }
        }
        index.write()?;
        Ok(())
    }

    /// An annotated tag `name` on `target`, signed by the bot at `time` (seconds since the
    /// epoch). Returns the tag object id; an existing tag is an error unless it is this one.
    pub fn create_tag(
        &self,
        name: &str,
        target: Oid,
        message: &str,
        time: i64,
    ) -> Result<Oid, StoreError> {
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(StoreError::Tag(name.into(), "not a valid tag name".into()));
        }
        let sig = Signature::new(BOT_NAME, BOT_EMAIL, &Time::new(time, 0))?;
        let obj = self.repo.find_object(target, Some(ObjectType::Commit))?;
        Ok(self.repo.tag(name, &obj, &sig, message, false)?)
    }

    /// The tag `name`: its object id (the tag object for an annotated tag), the commit it
    /// points at, and its message (`None` for a lightweight tag).
    pub fn tag_info(&self, name: &str) -> Result<Option<TagInfo>, StoreError> {
        let r = match self.repo.find_reference(&format!("refs/tags/{name}")) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let oid = r
            .target()
            .ok_or_else(|| StoreError::Tag(name.into(), "is a symbolic reference".into()))?;
        let commit = r.peel_to_commit()?.id();
        let message = self
            .repo
            .find_tag(oid)
            .ok()
            .map(|t| t.message().ok().flatten().unwrap_or_default().to_string());
        Ok(Some(TagInfo {
            object: oid,
            commit,
            message,
        }))
    }

    /// Tags whose message carries a manifest hash (this tool's release tags), as
    /// `(name, info)`, in name order.
    pub fn release_tags(&self) -> Result<Vec<(String, TagInfo)>, StoreError> {
        let mut out = Vec::new();
        for name in self.repo.tag_names(None)?.iter().flatten().flatten() {
            if let Some(info) = self.tag_info(name)?
                && info
                    .message
                    .as_deref()
                    .is_some_and(|m| manifest_hash_in(m).is_some())
            {
                out.push((name.to_string(), info));
            }
        }
        Ok(out)
    }

    /// `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool, StoreError> {
        Ok(ancestor == descendant || self.repo.graph_descendant_of(descendant, ancestor)?)
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    /// Points HEAD at `branch` and makes the working tree match it.
    pub fn checkout(&self, branch: &str) -> Result<(), StoreError> {
        let refname = format!("refs/heads/{branch}");
        self.repo.set_head(&refname)?;
        let mut opts = git2::build::CheckoutBuilder::new();
        opts.force();
        self.repo.checkout_head(Some(&mut opts))?;
        Ok(())
    }

    /// Writes nested trees for a flat map of relative paths.
    fn write_files(&self, files: &BTreeMap<String, Vec<u8>>) -> Result<Oid, StoreError> {
        #[derive(Default)]
        struct Dir<'a> {
            blobs: Vec<(&'a str, &'a [u8])>,
            dirs: BTreeMap<&'a str, Dir<'a>>,
        }
        let mut top = Dir::default();
        for (path, bytes) in files {
            let parts: Vec<&str> = path.split('/').collect();
            if parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
            {
                return Err(StoreError::BadPath(path.clone()));
            }
            let Some((name, dirs)) = parts.split_last() else {
                return Err(StoreError::BadPath(path.clone()));
            };
            let mut d = &mut top;
            for part in dirs {
                d = d.dirs.entry(part).or_default();
            }
            d.blobs.push((name, bytes));
        }
        fn write(repo: &Repository, d: &Dir) -> Result<Oid, git2::Error> {
            let mut tb = repo.treebuilder(None)?;
            for (name, bytes) in &d.blobs {
                tb.insert(name, repo.blob(bytes)?, 0o100644)?;
            }
            for (name, sub) in &d.dirs {
                tb.insert(name, write(repo, sub)?, 0o040000)?;
            }
            tb.write()
        }
        Ok(write(&self.repo, &top)?)
    }

    /// Replaces the subtree at `path` inside `base` with `subtree`.
    fn graft(
        &self,
        base: Option<&git2::Tree>,
        path: &[&str],
        subtree: Oid,
    ) -> Result<Oid, StoreError> {
        let Some((first, rest)) = path.split_first() else {
            return Err(StoreError::BadPath(String::new()));
        };
        let mut tb: TreeBuilder = self.repo.treebuilder(base)?;
        let child = if rest.is_empty() {
            subtree
        } else {
            let existing = base
                .and_then(|t| t.get_name(first))
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| self.repo.find_tree(e.id()))
                .transpose()?;
            self.graft(existing.as_ref(), rest, subtree)?
        };
        tb.insert(first, child, 0o040000)?;
        Ok(tb.write()?)
    }
}

/// An existing tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    pub object: Oid,
    pub commit: Oid,
    pub message: Option<String>,
}

/// The line of a release tag's message that carries the manifest hash.
pub const TAG_MANIFEST_PREFIX: &str = "manifest sha256: ";

/// The manifest hash a release tag's message carries.
pub fn manifest_hash_in(message: &str) -> Option<&str> {
    message.lines().find_map(|l| {
        l.trim()
            .strip_prefix(TAG_MANIFEST_PREFIX)
            .map(str::trim)
            .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
    })
}

fn work_tree(path: &str, source: std::io::Error) -> StoreError {
    StoreError::WorkTree {
        path: path.to_string(),
        source,
    }
}

/// The reflog line of a ref move for a commit with `message`.
fn reflog_message(message: &str) -> String {
    format!(
        "soc2-evidence: {}",
        message.lines().next().unwrap_or_default()
    )
}

/// The bot's signature at the snapshot's collection time: the same evidence gives the same
/// commit whatever the wall clock.
fn bot_signature(snapshot: &Snapshot) -> Result<Signature<'static>, StoreError> {
    let time = snapshot
        .manifest()
        .map(|m| m.as_of.timestamp())
        .unwrap_or_default();
    Ok(Signature::new(BOT_NAME, BOT_EMAIL, &Time::new(time, 0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil;
    use crate::evidence::RunMeta;
    use chrono::{TimeZone, Utc};

    fn snapshot(run_secs: i64, tls: &str) -> Snapshot {
        snapshot_days(0, run_secs, tls)
    }

    /// A snapshot collected `days` after the fixture inventory's time.
    fn snapshot_days(days: i64, run_secs: i64, tls: &str) -> Snapshot {
        let mut r = testutil::fixture_resource("storage/storage_account_create.2025-06-01.json", 0);
        testutil::set_prop(&mut r, "/minimumTlsVersion", serde_json::json!(tls));
        let mut inv = testutil::inventory(vec![r]);
        inv.collected_at += chrono::Duration::days(days);
        crate::evidence::test_snapshot(
            &inv,
            RunMeta {
                run_id: "t".into(),
                started_at: Utc.timestamp_opt(run_secs, 0).unwrap(),
                finished_at: Utc.timestamp_opt(run_secs, 0).unwrap(),
            },
        )
    }

    #[test]
    fn commit_read_back_and_no_commit_when_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        assert_eq!(store.branch_head("main").unwrap(), None);

        let s1 = snapshot(0, "TLS1_2");
        let c1 = store
            .commit_snapshot("main", None, &s1, "evidence 1")
            .unwrap();
        let CommitOutcome::Created(oid1) = c1 else {
            panic!("{c1:?}")
        };
        assert_eq!(store.read_snapshot("main").unwrap(), s1);

        // Same evidence, different run metadata: no commit.
        let s1b = snapshot(500, "TLS1_2");
        assert_ne!(s1b.files["manifest.json"], s1.files["manifest.json"]);
        let again = store
            .commit_snapshot("main", Some(oid1), &s1b, "evidence 1b")
            .unwrap();
        assert_eq!(again, CommitOutcome::Unchanged(oid1));

        let s2 = snapshot(0, "TLS1_0");
        let CommitOutcome::Created(oid2) = store
            .commit_snapshot("main", Some(oid1), &s2, "evidence 2")
            .unwrap()
        else {
            panic!()
        };
        let commit = store.repo().find_commit(oid2).unwrap();
        assert_eq!(commit.parent_id(0).unwrap(), oid1);
        assert_eq!(commit.author().name().unwrap(), BOT_NAME);
        assert_eq!(commit.author().email().unwrap(), BOT_EMAIL);
        assert_eq!(store.read_snapshot("main~1").unwrap(), s1);
        assert_eq!(store.read_snapshot("main").unwrap(), s2);
    }

    #[test]
    fn files_outside_the_root_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "audit/evidence", "main").unwrap();
        // A human-authored config file committed first.
        let repo = store.repo();
        let blob = repo.blob(b"[organisation]\n").unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("soc2-evidence.toml", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = Signature::now("a", "a@example.com").unwrap();
        let base = repo
            .commit(Some("HEAD"), &sig, &sig, "config", &tree, &[])
            .unwrap();

        let s = snapshot(0, "TLS1_2");
        let oid = store
            .commit_snapshot("main", Some(base), &s, "e")
            .unwrap()
            .oid();
        let t = repo.find_commit(oid).unwrap().tree().unwrap();
        assert!(t.get_name("soc2-evidence.toml").is_some());
        assert!(
            t.get_path(Path::new("audit/evidence/manifest.json"))
                .is_ok()
        );
        assert_eq!(store.read_snapshot("main").unwrap(), s);
    }

    /// A lightweight tag `name` on `oid`.
    fn tag(store: &EvidenceStore, name: &str, oid: Oid) {
        let obj = store.repo().find_object(oid, None).unwrap();
        store.repo().tag_lightweight(name, &obj, false).unwrap();
    }

    #[test]
    fn walk_visits_runs_first_parent_newest_first_and_stops_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let c1 = store
            .commit_snapshot("main", None, &snapshot(0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        // A commit that changes only a file outside the evidence root is not a run.
        let repo = store.repo();
        let parent = repo.find_commit(c1).unwrap();
        let mut tb = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
        tb.insert("README.md", repo.blob(b"hi").unwrap(), 0o100644)
            .unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = Signature::now("a", "a@example.com").unwrap();
        let c2 = repo
            .commit(
                Some("refs/heads/main"),
                &sig,
                &sig,
                "docs",
                &tree,
                &[&parent],
            )
            .unwrap();
        let c3 = store
            .commit_snapshot("main", Some(c2), &snapshot(0, "TLS1_0"), "3")
            .unwrap()
            .oid();

        let mut seen = Vec::new();
        store
            .walk_evidence::<StoreError>("main", |oid, s| {
                assert!(s.manifest().is_ok());
                seen.push(oid);
                Ok(true)
            })
            .unwrap();
        assert_eq!(seen, vec![c3, c1]);

        let mut seen = Vec::new();
        store
            .walk_evidence::<StoreError>("main", |oid, _| {
                seen.push(oid);
                Ok(false)
            })
            .unwrap();
        assert_eq!(seen, vec![c3]);
        assert!(
            store
                .walk_evidence::<StoreError>("nope", |_, _| Ok(true))
                .is_err()
        );
    }

    #[test]
    fn previous_tag_is_the_nearest_earlier_tag_with_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let c1 = store
            .commit_snapshot("main", None, &snapshot(0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        let c2 = store
            .commit_snapshot("main", Some(c1), &snapshot(0, "TLS1_0"), "2")
            .unwrap()
            .oid();
        let c3 = store
            .commit_snapshot("main", Some(c2), &snapshot(0, "TLS1_1"), "3")
            .unwrap()
            .oid();
        assert_eq!(store.previous_tag(c3).unwrap(), None);
        tag(&store, "v1", c1);
        assert_eq!(store.previous_tag(c3).unwrap(), Some(("v1".into(), c1)));
        tag(&store, "audit-2026", c2);
        tag(&store, "v2", c2);
        assert_eq!(store.previous_tag(c3).unwrap(), Some(("v2".into(), c2)));
        // The commit's own tag is not its previous release.
        tag(&store, "v3", c3);
        assert_eq!(store.previous_tag(c3).unwrap(), Some(("v2".into(), c2)));
        assert_eq!(store.previous_tag(c1).unwrap(), None);
    }

    #[test]
    fn missing_ref_and_missing_evidence_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let e = store.read_snapshot("nope").unwrap_err().to_string();
        assert!(e.contains("`nope` not found"), "{e}");
        assert!(EvidenceStore::open_or_init(dir.path(), "../x", "main").is_err());
    }

    /// A bare repository: no work tree, so only the ref moves.
    fn bare() -> (tempfile::TempDir, EvidenceStore) {
        let dir = tempfile::tempdir().unwrap();
        Repository::init_bare(dir.path()).unwrap();
        let store = EvidenceStore::open(dir.path(), "evidence").unwrap();
        (dir, store)
    }

    fn head(store: &EvidenceStore, branch: &str) -> Option<Oid> {
        store.branch_head(branch).unwrap()
    }

    #[test]
    fn a_branch_that_moved_since_it_was_read_is_not_overwritten() {
        let (_d, store) = bare();
        let c1 = store
            .commit_snapshot("main", None, &snapshot_days(0, 0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        // The winner commits on c1.
        let c2 = store
            .commit_snapshot("main", Some(c1), &snapshot_days(1, 0, "TLS1_0"), "2")
            .unwrap()
            .oid();
        // The loser also built on c1: its commit must not replace c2.
        let e = store
            .commit_snapshot("main", Some(c1), &snapshot_days(2, 0, "TLS1_1"), "3")
            .unwrap_err();
        match &e {
            StoreError::RefMoved {
                branch,
                expected,
                actual,
            } => {
                assert_eq!(branch, "main");
                assert_eq!(expected, &c1.to_string());
                assert_eq!(actual, &c2.to_string());
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("lost a race for `main`"), "{e}");
        assert_eq!(head(&store, "main"), Some(c2));
        // Creating a branch that someone else created meanwhile is a lost race too.
        let e = store
            .commit_snapshot("main", None, &snapshot_days(3, 0, "TLS1_1"), "4")
            .unwrap_err();
        assert!(matches!(e, StoreError::RefMoved { .. }), "{e:?}");
        assert_eq!(head(&store, "main"), Some(c2));
        // A new branch from a given parent is created when absent.
        let c3 = store
            .commit_snapshot("bot", Some(c2), &snapshot_days(3, 0, "TLS1_1"), "5")
            .unwrap()
            .oid();
        assert_eq!(head(&store, "bot"), Some(c3));
    }

    #[test]
    fn an_older_snapshot_is_never_committed_on_a_newer_one() {
        let (_d, store) = bare();
        let newer = store
            .commit_snapshot("main", None, &snapshot_days(5, 0, "TLS1_2"), "new")
            .unwrap()
            .oid();
        let e = store
            .commit_snapshot("main", Some(newer), &snapshot_days(4, 0, "TLS1_0"), "old")
            .unwrap_err();
        let StoreError::OlderSnapshot {
            branch,
            head: h,
            as_of,
            head_as_of,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((branch.as_str(), *h), ("main", newer));
        assert_eq!(as_of, "2026-11-05T06:00:00Z");
        assert_eq!(head_as_of, "2026-11-06T06:00:00Z");
        assert_eq!(head(&store, "main"), Some(newer));
        // The same collection time with other evidence is allowed.
        let same = store
            .commit_snapshot("main", Some(newer), &snapshot_days(5, 9, "TLS1_0"), "same")
            .unwrap();
        assert!(matches!(same, CommitOutcome::Created(_)), "{same:?}");
        assert_eq!(
            store.snapshot_as_of(same.oid()).unwrap(),
            Some(testutil::inventory(vec![]).collected_at + chrono::Duration::days(5))
        );
    }

    /// A non-bare repository with `README.md` committed on checked-out `main`.
    fn work_tree() -> (tempfile::TempDir, EvidenceStore, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let readme: BTreeMap<String, Vec<u8>> =
            [("README.md".to_string(), b"hello\n".to_vec())].into();
        let c0 = store
            .commit_files("main", None, &readme, "readme", 0)
            .unwrap();
        (dir, store, c0)
    }

    /// Paths whose index or work tree differ from HEAD (untracked files aside).
    fn dirty(store: &EvidenceStore) -> Vec<(String, git2::Status)> {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(false);
        store
            .repo()
            .statuses(Some(&mut opts))
            .unwrap()
            .iter()
            .map(|e| (e.path().unwrap().to_string(), e.status()))
            .collect()
    }

    #[test]
    fn a_commit_on_the_checked_out_branch_updates_index_and_work_tree_only_where_it_changes() {
        let (dir, store, c0) = work_tree();
        assert_eq!(dirty(&store), vec![]);
        assert_eq!(
            std::fs::read(dir.path().join("README.md")).unwrap(),
            b"hello\n"
        );
        let c1 = store
            .commit_snapshot("main", Some(c0), &snapshot_days(0, 0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        assert_eq!(dirty(&store), vec![]);
        let manifest = dir.path().join("evidence/manifest.json");
        assert_eq!(
            std::fs::read(&manifest).unwrap(),
            store.read_snapshot("main").unwrap().files["manifest.json"]
        );

        // A person's unstaged change elsewhere survives.
        std::fs::write(dir.path().join("README.md"), "mine\n").unwrap();
        let c2 = store
            .commit_snapshot("main", Some(c1), &snapshot_days(1, 0, "TLS1_0"), "2")
            .unwrap()
            .oid();
        assert_eq!(
            dirty(&store),
            vec![("README.md".to_string(), git2::Status::WT_MODIFIED)]
        );
        assert_eq!(
            std::fs::read(dir.path().join("README.md")).unwrap(),
            b"mine\n"
        );

        // A local change to a file the commit changes: refused before anything moves.
        std::fs::write(&manifest, "tampered\n").unwrap();
        let e = store
            .commit_snapshot("main", Some(c2), &snapshot_days(2, 0, "TLS1_1"), "3")
            .unwrap_err();
        match &e {
            StoreError::LocalChanges { branch, files } => {
                assert_eq!(branch, "main");
                assert!(
                    files.contains(&"evidence/manifest.json".to_string()),
                    "{files:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(head(&store, "main"), Some(c2));
        assert_eq!(std::fs::read(&manifest).unwrap(), b"tampered\n");
        assert_eq!(
            std::fs::read(dir.path().join("README.md")).unwrap(),
            b"mine\n"
        );

        // Staged, the change stops it too, and stays staged.
        let mut index = store.repo().index().unwrap();
        index.add_path(Path::new("evidence/manifest.json")).unwrap();
        index.write().unwrap();
        let e = store
            .commit_snapshot("main", Some(c2), &snapshot_days(2, 0, "TLS1_1"), "3")
            .unwrap_err();
        assert!(matches!(e, StoreError::LocalChanges { .. }), "{e:?}");
        assert_eq!(head(&store, "main"), Some(c2));
        assert_eq!(
            dirty(&store),
            vec![
                ("README.md".to_string(), git2::Status::WT_MODIFIED),
                (
                    "evidence/manifest.json".to_string(),
                    git2::Status::INDEX_MODIFIED
                ),
            ]
        );
    }

    #[test]
    fn evidence_deleted_from_index_and_work_tree_is_a_local_change_never_committed_over() {
        // The state an older version left behind: the branch moved, index and work tree not,
        // so every evidence file shows as a staged deletion.
        let (dir, store, c0) = work_tree();
        let c1 = store
            .commit_snapshot("main", Some(c0), &snapshot_days(0, 0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        std::fs::remove_dir_all(dir.path().join("evidence")).unwrap();
        let mut index = store.repo().index().unwrap();
        index.remove_all(["evidence"].iter(), None).unwrap();
        index.write().unwrap();
        let e = store
            .commit_snapshot("main", Some(c1), &snapshot_days(1, 0, "TLS1_0"), "2")
            .unwrap_err();
        let StoreError::LocalChanges { files, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(
            files.contains(&"evidence/summary.json".to_string()),
            "{files:?}"
        );
        assert_eq!(head(&store, "main"), Some(c1));
        assert!(!dir.path().join("evidence").exists());
    }

    #[test]
    fn a_long_list_of_changed_files_is_cut_short() {
        let files: Vec<String> = (0..25).map(|i| format!("f{i}")).collect();
        let e = StoreError::LocalChanges {
            branch: "main".into(),
            files,
        }
        .to_string();
        assert!(e.contains("f0, f1,"), "{e}");
        assert!(e.contains("f9 and 15 more;"), "{e}");
        assert!(!e.contains("f10"), "{e}");
    }

    #[test]
    fn a_failed_swap_after_the_checkout_puts_the_old_files_back() {
        let (dir, store, c0) = work_tree();
        let c1 = store
            .commit_snapshot("main", Some(c0), &snapshot_days(0, 0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        let before = store.read_snapshot_at(c1).unwrap().unwrap();
        let index_before: Vec<(Vec<u8>, Oid)> = store
            .repo()
            .index()
            .unwrap()
            .iter()
            .map(|e| (e.path, e.id))
            .collect();
        let new = store
            .write_commit(Some(c1), &snapshot_days(1, 0, "TLS1_0"), "2")
            .unwrap()
            .oid();
        // Another git tool moves the branch between the checkout and the swap.
        let e = store
            .move_branch_with("main", Some(c1), new, "test", || {
                store
                    .repo()
                    .reference("refs/heads/main", c0, true, "someone else")
                    .unwrap();
            })
            .unwrap_err();
        assert!(matches!(e, StoreError::RefMoved { .. }), "{e:?}");
        assert_eq!(head(&store, "main"), Some(c0));
        for (path, bytes) in &before.files {
            let on_disk = std::fs::read(dir.path().join("evidence").join(path)).unwrap();
            assert_eq!(&on_disk, bytes, "{path}");
        }
        let index_after: Vec<(Vec<u8>, Oid)> = store
            .repo()
            .index()
            .unwrap()
            .iter()
            .map(|e| (e.path, e.id))
            .collect();
        assert_eq!(index_after, index_before);
    }

    #[test]
    fn advance_branch_only_fast_forwards_and_never_drops_a_local_commit() {
        let (dir, store, c0) = work_tree();
        let c1 = store
            .commit_snapshot("main", Some(c0), &snapshot_days(0, 0, "TLS1_2"), "1")
            .unwrap()
            .oid();
        // The remote took a commit on c1 while main holds a local commit on c1.
        let remote = store
            .write_commit(Some(c1), &snapshot_days(1, 0, "TLS1_0"), "remote")
            .unwrap()
            .oid();
        let notes: BTreeMap<String, Vec<u8>> =
            [("NOTES.md".to_string(), b"local\n".to_vec())].into();
        let local = store
            .commit_files("main", Some(c1), &notes, "local", 1)
            .unwrap();
        let out = store.advance_branch("main", remote).unwrap();
        assert_eq!(out, Advance::Diverged { local, remote });
        assert!(out.describe("main").unwrap().contains(&local.to_string()));
        assert_eq!(head(&store, "main"), Some(local));
        assert_eq!(dirty(&store), vec![]);

        // A descendant of the local head: fast-forward, work tree along.
        let ahead = store
            .write_commit(Some(local), &snapshot_days(2, 0, "TLS1_1"), "ahead")
            .unwrap()
            .oid();
        assert_eq!(store.advance_branch("main", ahead).unwrap(), Advance::Moved);
        assert_eq!(head(&store, "main"), Some(ahead));
        assert_eq!(dirty(&store), vec![]);
        assert_eq!(
            store.advance_branch("main", ahead).unwrap(),
            Advance::UpToDate
        );
        // An ancestor is behind the branch: never a move backwards.
        assert!(matches!(
            store.advance_branch("main", c1).unwrap(),
            Advance::Diverged { .. }
        ));
        assert_eq!(head(&store, "main"), Some(ahead));

        // Local changes in the way: the branch stays, the changes too.
        let next = store
            .write_commit(Some(ahead), &snapshot_days(3, 0, "TLS1_2"), "next")
            .unwrap()
            .oid();
        let summary = dir.path().join("evidence/summary.json");
        std::fs::write(&summary, "mine\n").unwrap();
        let out = store.advance_branch("main", next).unwrap();
        assert_eq!(
            out,
            Advance::LocalChanges(vec!["evidence/summary.json".to_string()])
        );
        assert_eq!(head(&store, "main"), Some(ahead));
        assert_eq!(std::fs::read(&summary).unwrap(), b"mine\n");

        // A branch that does not exist yet is created.
        assert_eq!(store.advance_branch("other", next).unwrap(), Advance::Moved);
        assert_eq!(head(&store, "other"), Some(next));
    }
}
