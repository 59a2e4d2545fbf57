//! The evidence repository: the only git2 code. Opens or initialises a repository, writes a
//! snapshot onto a branch as one commit with a fixed bot signature (no commit when the evidence
//! is unchanged), reads a snapshot back at any ref, walks the snapshot history, finds commits on
//! the bot branch that a person made, writes annotated tags, and fetches and pushes
//! ([`remote`]).
//!
//! Crash safety: objects are written before any ref moves, and a ref moves last, so a process
//! killed at any point leaves every ref at a complete commit; what it leaves behind is
//! unreferenced objects, which git ignores (and `git gc` removes).

mod chain;
mod history;
mod remote;

pub use chain::EvidenceCommit;

pub use remote::{
    CredentialDecision, GitAuth, MAX_AUTH_ATTEMPTS, PushUpdate, TOKEN_USER, credential_decision,
};

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Signature, Time, TreeBuilder};

use crate::evidence::{EvidenceError, Snapshot};

pub const BOT_NAME: &str = "soc2-evidence";
pub const BOT_EMAIL: &str = "soc2-evidence@users.noreply.github.com";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("git: {0}")]
    Git(#[from] git2::Error),
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

    /// Opens an existing repository.
    pub fn open(path: &Path, root: &str) -> Result<Self, StoreError> {
        Self::with_repo(Repository::open(path)?, root)
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
            .ok_or_else(|| StoreError::RefNotFound(refname.to_string()))?;
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
            .ok_or_else(|| StoreError::RefNotFound(refname.to_string()))?;
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
            let name = names.last().cloned().expect("a tagged commit has a name");
            return Ok(Some((name, oid)));
        }
        Ok(None)
    }

    /// Commits `snapshot` onto `branch` with `parent` as its parent, keeping every file outside
    /// the evidence root as it is in the parent. Makes no commit when the evidence files equal
    /// the parent's; the manifest alone (run metadata, hash link) never makes a commit.
    pub fn commit_snapshot(
        &self,
        branch: &str,
        parent: Option<Oid>,
        snapshot: &Snapshot,
        message: &str,
    ) -> Result<CommitOutcome, StoreError> {
        let outcome = self.write_commit(parent, snapshot, message)?;
        if let CommitOutcome::Created(oid) = outcome {
            // The commit object exists before the ref moves, so a process killed mid-way
            // leaves the branch at its old commit.
            self.repo.reference(
                &format!("refs/heads/{branch}"),
                oid,
                true,
                &format!(
                    "soc2-evidence: {}",
                    message.lines().next().unwrap_or_default()
                ),
            )?;
        }
        Ok(outcome)
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
            let (name, dirs) = parts.split_last().expect("split yields one part");
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
        self.repo
            .reference(&format!("refs/heads/{branch}"), oid, true, message)?;
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

    /// Every commit reachable from `head` (all parents), newest first by topology, with the
    /// snapshot it holds (commits without evidence are left out).
    pub fn snapshot_history(&self, head: Oid) -> Result<Vec<(Oid, Snapshot)>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
        walk.push(head)?;
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid?;
            if let Some(s) = self.read_snapshot_at(oid)? {
                out.push((oid, s));
            }
        }
        Ok(out)
    }

    /// Moves `refs/heads/<branch>` to `oid` after a push, keeping a checked-out working tree in
    /// step when it has no local changes in the way (a safe checkout); never discards changes.
    pub fn advance_branch(&self, branch: &str, oid: Oid) -> Result<(), StoreError> {
        let refname = format!("refs/heads/{branch}");
        let checked_out = !self.repo.is_bare()
            && self
                .repo
                .head()
                .ok()
                .and_then(|h| h.name().ok().map(str::to_string))
                .as_deref()
                == Some(refname.as_str());
        if checked_out {
            let tree = self.repo.find_commit(oid)?.into_object();
            let mut opts = git2::build::CheckoutBuilder::new();
            opts.safe();
            if self.repo.checkout_tree(&tree, Some(&mut opts)).is_err() {
                // Local changes conflict: leave the branch for the person to update.
                return Ok(());
            }
        }
        self.repo
            .reference(&refname, oid, true, "soc2-evidence: follow the remote")?;
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
            let (name, dirs) = parts.split_last().expect("split yields one part");
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
        let (first, rest) = path.split_first().expect("root has at least one component");
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
        let mut r = testutil::fixture_resource("storage/storage_account_create.2025-06-01.json", 0);
        testutil::set_prop(&mut r, "/minimumTlsVersion", serde_json::json!(tls));
        let inv = testutil::inventory(vec![r]);
        testutil::snapshot(
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
}
