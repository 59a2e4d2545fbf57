//! What moving a branch would drop: the commits reachable from its current head but not from
//! the commit it would move to, and which of them the bot did not make. Asked before every
//! forced update of a remote branch, so a person's commit is never made unreachable.

use git2::{Oid, Signature};

use super::{BOT_EMAIL, BOT_NAME, EvidenceStore, StoreError};

/// Whether a signature is the bot's own (name and email both; either alone is not enough,
/// since anyone can write either).
pub(crate) fn is_bot(s: &Signature) -> bool {
    s.email().ok() == Some(BOT_EMAIL) && s.name().ok() == Some(BOT_NAME)
}

impl EvidenceStore {
    /// Commits reachable from `old` but not from `new`: what moving a ref from `old` to `new`
    /// makes unreachable from that ref. Empty for a fast-forward.
    pub fn dropped_commits(&self, old: Oid, new: Oid) -> Result<Vec<Oid>, StoreError> {
        let mut walk = self.repo.revwalk()?;
        walk.push(old)?;
        walk.hide(new)?;
        walk.map(|o| o.map_err(StoreError::from)).collect()
    }

    /// The commits moving a ref from `old` to `new` would drop that were not both authored and
    /// committed by the bot (a person's commit, or the bot's commit amended or rebased by a
    /// person), each as `<short sha> <author>: <subject>`. A forced update may go ahead only
    /// when this is empty.
    pub fn foreign_dropped(&self, old: Oid, new: Oid) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for oid in self.dropped_commits(old, new)? {
            let c = self.repo.find_commit(oid)?;
            if !is_bot(&c.author()) || !is_bot(&c.committer()) {
                out.push(format!(
                    "{} {}: {}",
                    &oid.to_string()[..8],
                    c.author().name().unwrap_or("?"),
                    c.summary().ok().flatten().unwrap_or_default()
                ));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit with an empty tree; `msg` keeps otherwise equal commits apart.
    fn commit(
        repo: &git2::Repository,
        msg: &str,
        parents: &[Oid],
        who: (&str, &str),
        by: (&str, &str),
    ) -> Oid {
        let tree = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let author = Signature::new(who.0, who.1, &git2::Time::new(0, 0)).unwrap();
        let committer = Signature::new(by.0, by.1, &git2::Time::new(0, 0)).unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &author, &committer, msg, &tree, &refs)
            .unwrap()
    }

    const BOT: (&str, &str) = (BOT_NAME, BOT_EMAIL);
    const ALICE: (&str, &str) = ("Alice Admin", "alice@contoso.example");

    #[test]
    fn only_commits_the_new_head_cannot_reach_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let repo = store.repo();
        let base = commit(repo, "base", &[], ALICE, ALICE);
        let bot1 = commit(repo, "bot1", &[base], BOT, BOT);
        let human = commit(repo, "human", &[bot1], ALICE, ALICE);
        let bot2 = commit(repo, "bot2", &[base], BOT, BOT);

        // Replacing the bot's own commit drops only it, and it is the bot's.
        assert_eq!(store.dropped_commits(bot1, bot2).unwrap(), [bot1]);
        assert!(store.foreign_dropped(bot1, bot2).unwrap().is_empty());
        // A person's commit on top would be dropped too: named, with its author and subject.
        let foreign = store.foreign_dropped(human, bot2).unwrap();
        assert_eq!(foreign.len(), 1, "{foreign:?}");
        assert!(
            foreign[0].starts_with(&human.to_string()[..8]) && foreign[0].contains("Alice Admin"),
            "{foreign:?}"
        );
        // A fast-forward drops nothing; neither does a new head that keeps the person's commit.
        assert!(store.dropped_commits(bot1, human).unwrap().is_empty());
        let merged = commit(repo, "merged", &[human], BOT, BOT);
        assert!(store.foreign_dropped(human, merged).unwrap().is_empty());
    }

    #[test]
    fn the_bots_commit_rewritten_by_a_person_is_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        let repo = store.repo();
        let base = commit(repo, "base", &[], ALICE, ALICE);
        // Authored by the bot, committed by a person (an amend or a rebase).
        let amended = commit(repo, "amended", &[base], BOT, ALICE);
        // The bot's name with another address is not the bot.
        let lookalike = commit(
            repo,
            "lookalike",
            &[base],
            (BOT_NAME, "mallory@example.com"),
            BOT,
        );
        let bot = commit(repo, "bot", &[base], BOT, BOT);
        assert_eq!(store.foreign_dropped(amended, bot).unwrap().len(), 1);
        assert_eq!(store.foreign_dropped(lookalike, bot).unwrap().len(), 1);
    }
}
