//! The evidence commits of a history, for `verify`: every commit that touches the evidence root
//! (its evidence tree differs from its first parent's), with what the first parent holds there.
//! The rules applied to them live in [`crate::evidence::chain`]; this is the git side.

use git2::Oid;

use super::{EvidenceStore, StoreError};
use crate::evidence::MANIFEST;

/// One commit that touches the evidence root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceCommit {
    pub oid: Oid,
    /// The first parent, `None` for a root commit.
    pub parent: Option<Oid>,
    /// The commit holds no evidence tree while its first parent did: the evidence was removed.
    pub removes_evidence: bool,
    /// The first parent holds an evidence tree.
    pub parent_has_evidence: bool,
}

impl EvidenceStore {
    /// Every commit reachable from `head` (through all parents, so merged branches count too)
    /// that touches the evidence root, newest first (topological, then time).
    pub fn evidence_commits(&self, head: Oid) -> Result<Vec<EvidenceCommit>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(head)?;
        let mut out = Vec::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let parent = match commit.parent(0) {
                Ok(p) => Some(p),
                Err(e) if e.code() == git2::ErrorCode::NotFound => None,
                Err(e) => return Err(e.into()),
            };
            let tree = self.evidence_tree(&commit)?;
            let parent_tree = match &parent {
                Some(p) => self.evidence_tree(p)?,
                None => None,
            };
            if tree != parent_tree {
                out.push(EvidenceCommit {
                    oid: commit.id(),
                    parent: parent.map(|p| p.id()),
                    removes_evidence: tree.is_none(),
                    parent_has_evidence: parent_tree.is_some(),
                });
            }
        }
        Ok(out)
    }

    /// The bytes of the evidence root's `manifest.json` in commit `oid`, if it has one.
    pub fn manifest_bytes_at(&self, oid: Oid) -> Result<Option<Vec<u8>>, StoreError> {
        self.read_file_at(oid, &format!("{}/{MANIFEST}", self.root()))
    }
}
