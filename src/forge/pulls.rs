//! The drift pull request: find the open one by head branch (and label), open it, converge it to
//! its desired state, and close one with a comment.
//!
//! Title, body, labels and requested reviewers are the desired state of the pull request. Every
//! run reads what the pull request has and fixes only the difference: a title edited or a label
//! removed by hand is put back, and a reviewer request that failed once is made by the next run.
//! A reviewer who has already reviewed is no longer "requested" on GitHub; they count as done
//! and are not asked again.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Forge, ForgeError};

/// GitHub's limit on a pull request title.
const TITLE_LIMIT: usize = 256;
/// Pages of open pull requests looked through (100 each).
const MAX_PAGES: u32 = 10;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    pub state: String,
    pub head: Branch,
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Users whose review is requested and who have not reviewed since.
    #[serde(default)]
    pub requested_reviewers: Vec<User>,
    /// Teams whose review is requested and not yet given.
    #[serde(default)]
    pub requested_teams: Vec<Team>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct User {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Team {
    pub slug: String,
}

/// One review of a pull request, as `GET /pulls/{n}/reviews` lists it.
#[derive(Debug, Clone, Deserialize)]
struct Review {
    /// `null` for a deleted account.
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    state: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Branch {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub sha: String,
    #[serde(default)]
    pub repo: Option<RepoRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RepoRef {
    pub full_name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Label {
    pub name: String,
}

impl PullRequest {
    pub fn has_label(&self, name: &str) -> bool {
        self.labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
    }
}

/// What the drift pull request should say.
#[derive(Debug, Clone)]
pub struct DriftPr {
    /// The base branch (approved evidence).
    pub base: String,
    pub title: String,
    pub body: String,
    /// Applied to the pull request; the first one finds it again.
    pub labels: Vec<String>,
    /// Requested until they review: logins, or `org/team`.
    pub reviewers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrAction {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct PrOutcome {
    pub action: PrAction,
    pub pr: PullRequest,
}

/// Cuts a title to GitHub's limit on a character boundary, marking the cut.
pub fn bounded_title(title: &str) -> String {
    let title = title.trim();
    if title.chars().count() <= TITLE_LIMIT {
        return title.to_string();
    }
    let mut t: String = title.chars().take(TITLE_LIMIT - 1).collect();
    t.push('…');
    t
}

/// Line endings as GitHub may hand them back (`\r\n` after a web edit) do not make a change.
fn same_text(a: Option<&str>, b: &str) -> bool {
    a.unwrap_or_default().replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

impl Forge {
    /// Open pull requests into `base` whose head is `bot_branch` or `bot_branch-<suffix>` in this
    /// repository (not a fork): labelled ones first, then oldest first.
    pub async fn open_drift_prs(
        &self,
        base: &str,
        bot_branch: &str,
        label: &str,
    ) -> Result<Vec<PullRequest>, ForgeError> {
        let mut found = Vec::new();
        let prefix = format!("{bot_branch}-");
        for page in 1..=MAX_PAGES {
            let batch: Vec<PullRequest> = self
                .client
                .get(
                    "list open pull requests",
                    &self.route("/pulls"),
                    &[
                        ("state", "open".into()),
                        ("base", base.into()),
                        ("per_page", "100".into()),
                        ("page", page.to_string()),
                    ],
                )
                .await?;
            let n = batch.len();
            found.extend(batch.into_iter().filter(|pr| {
                (pr.head.ref_name == bot_branch || pr.head.ref_name.starts_with(&prefix))
                    && pr
                        .head
                        .repo
                        .as_ref()
                        .is_some_and(|r| r.full_name.eq_ignore_ascii_case(&self.full_name()))
            }));
            if n < 100 {
                break;
            }
        }
        found.sort_by_key(|pr| (!pr.has_label(label), pr.number));
        Ok(found)
    }

    /// Opens the drift pull request from `head`, labels it and requests reviewers. When GitHub
    /// answers that one already exists for `head` (a concurrent run won the race), that one is
    /// found and updated instead.
    pub async fn open_drift_pr(&self, head: &str, spec: &DriftPr) -> Result<PrOutcome, ForgeError> {
        let title = bounded_title(&spec.title);
        let created: Result<PullRequest, ForgeError> = self
            .client
            .post(
                &format!("open a pull request from {head} into {}", spec.base),
                &self.route("/pulls"),
                &json!({
                    "title": title,
                    "head": head,
                    "base": spec.base,
                    "body": spec.body,
                    "maintainer_can_modify": false,
                }),
            )
            .await;
        let pr = match created {
            Ok(pr) => pr,
            Err(e) if e.is_pr_already_exists() => {
                let label = spec.labels.first().map(String::as_str).unwrap_or_default();
                let existing = self
                    .open_drift_prs(&spec.base, head, label)
                    .await?
                    .into_iter()
                    .find(|pr| pr.head.ref_name == head)
                    .ok_or(e)?;
                return self.update_drift_pr(&existing, spec).await;
            }
            Err(e) => return Err(e),
        };
        let (pr, _) = self.converge(pr, spec).await?;
        Ok(PrOutcome {
            action: PrAction::Created,
            pr,
        })
    }

    /// Brings an open pull request to `spec`: reads it afresh (a person may have edited it since
    /// it was listed) and fixes only what differs. The same drift twice makes no edit at all.
    pub async fn update_drift_pr(
        &self,
        pr: &PullRequest,
        spec: &DriftPr,
    ) -> Result<PrOutcome, ForgeError> {
        let pr: PullRequest = self
            .client
            .get(
                &format!("read pull request #{}", pr.number),
                &self.route(&format!("/pulls/{}", pr.number)),
                &[],
            )
            .await?;
        let (pr, changed) = self.converge(pr, spec).await?;
        let action = if changed {
            PrAction::Updated
        } else {
            PrAction::Unchanged
        };
        Ok(PrOutcome { action, pr })
    }

    /// Fixes what `pr` lacks of `spec` (title, body, labels, reviewers); says whether anything
    /// was fixed.
    async fn converge(
        &self,
        mut pr: PullRequest,
        spec: &DriftPr,
    ) -> Result<(PullRequest, bool), ForgeError> {
        let mut changed = false;
        let title = bounded_title(&spec.title);
        let mut edit = serde_json::Map::new();
        if pr.title.as_deref() != Some(title.as_str()) {
            edit.insert("title".into(), json!(title));
        }
        if !same_text(pr.body.as_deref(), &spec.body) {
            edit.insert("body".into(), json!(spec.body));
        }
        if !edit.is_empty() {
            pr = self
                .client
                .patch(
                    &format!("update pull request #{}", pr.number),
                    &self.route(&format!("/pulls/{}", pr.number)),
                    &edit,
                )
                .await?;
            changed = true;
        }
        let before = pr.labels.len();
        pr = self.ensure_labels(pr, &spec.labels).await?;
        changed |= pr.labels.len() != before;
        let (users, teams) = self.missing_reviewers(&pr, &spec.reviewers).await?;
        if !users.is_empty() || !teams.is_empty() {
            let now: PullRequest = self
                .client
                .post(
                    &format!("request reviewers on pull request #{}", pr.number),
                    &self.route(&format!("/pulls/{}/requested_reviewers", pr.number)),
                    &json!({ "reviewers": users, "team_reviewers": teams }),
                )
                .await?;
            pr.requested_reviewers = now.requested_reviewers;
            pr.requested_teams = now.requested_teams;
            changed = true;
        }
        Ok((pr, changed))
    }

    /// The configured reviewers (logins, team slugs) neither requested on `pr` nor done
    /// reviewing. The reviews are read only when something is not requested.
    async fn missing_reviewers(
        &self,
        pr: &PullRequest,
        reviewers: &[String],
    ) -> Result<(Vec<String>, Vec<String>), ForgeError> {
        let (users, teams) = not_requested(pr, reviewers);
        if users.is_empty() && teams.is_empty() {
            return Ok((users, teams));
        }
        let mut reviewed = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: Vec<Review> = self
                .client
                .get(
                    &format!("list reviews of pull request #{}", pr.number),
                    &self.route(&format!("/pulls/{}/reviews", pr.number)),
                    &[("per_page", "100".into()), ("page", page.to_string())],
                )
                .await?;
            let n = batch.len();
            // A pending review is a draft only its author sees: not given yet.
            reviewed.extend(
                batch
                    .into_iter()
                    .filter(|r| !r.state.eq_ignore_ascii_case("PENDING"))
                    .filter_map(|r| r.user.map(|u| u.login)),
            );
            if n < 100 {
                break;
            }
        }
        Ok(still_missing(users, teams, reviewers, &reviewed))
    }

    /// Adds the labels the pull request lacks (GitHub creates a label that does not exist yet).
    /// Labels a person added are kept.
    async fn ensure_labels(
        &self,
        mut pr: PullRequest,
        labels: &[String],
    ) -> Result<PullRequest, ForgeError> {
        let missing: Vec<&String> = labels.iter().filter(|l| !pr.has_label(l)).collect();
        if missing.is_empty() {
            return Ok(pr);
        }
        let now: Vec<Label> = self
            .client
            .post(
                &format!("label pull request #{}", pr.number),
                &self.route(&format!("/issues/{}/labels", pr.number)),
                &json!({ "labels": missing }),
            )
            .await?;
        pr.labels = now;
        Ok(pr)
    }

    /// Comments on a pull request, then closes it.
    pub async fn close_with_comment(&self, number: u64, comment: &str) -> Result<(), ForgeError> {
        let _: serde_json::Value = self
            .client
            .post(
                &format!("comment on pull request #{number}"),
                &self.route(&format!("/issues/{number}/comments")),
                &json!({ "body": comment }),
            )
            .await?;
        let _: PullRequest = self
            .client
            .patch(
                &format!("close pull request #{number}"),
                &self.route(&format!("/pulls/{number}")),
                &json!({ "state": "closed" }),
            )
            .await?;
        Ok(())
    }
}

/// The configured reviewers `pr` does not request: user logins and team slugs (`org/team`
/// names the team by its slug; GitHub takes the repository owner as the organisation).
fn not_requested(pr: &PullRequest, reviewers: &[String]) -> (Vec<String>, Vec<String>) {
    let mut users = Vec::new();
    let mut teams = Vec::new();
    for r in reviewers {
        match r.split_once('/') {
            Some((_, slug)) => {
                if !pr
                    .requested_teams
                    .iter()
                    .any(|t| t.slug.eq_ignore_ascii_case(slug))
                {
                    teams.push(slug.to_string());
                }
            }
            None => {
                if !pr
                    .requested_reviewers
                    .iter()
                    .any(|u| u.login.eq_ignore_ascii_case(r))
                {
                    users.push(r.clone());
                }
            }
        }
    }
    (users, teams)
}

/// Of the reviewers not requested, those who still have to be: a user who reviewed is done
/// (GitHub drops a reviewer from the requests once they review). A team is done once anyone
/// but the configured users reviewed: a member's review fulfils the team's request, and a
/// review does not say which team it was given for, so any such review counts rather than
/// asking the team again.
fn still_missing(
    users: Vec<String>,
    teams: Vec<String>,
    reviewers: &[String],
    reviewed: &[String],
) -> (Vec<String>, Vec<String>) {
    let has = |list: &[String], login: &str| list.iter().any(|l| l.eq_ignore_ascii_case(login));
    let users = users.into_iter().filter(|u| !has(reviewed, u)).collect();
    let configured: Vec<String> = reviewers
        .iter()
        .filter(|r| !r.contains('/'))
        .cloned()
        .collect();
    let team_member_reviewed = reviewed.iter().any(|l| !has(&configured, l));
    let teams = if team_member_reviewed {
        Vec::new()
    } else {
        teams
    };
    (users, teams)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_bounded_on_char_boundaries() {
        assert_eq!(bounded_title("  short "), "short");
        let long = "→".repeat(300);
        let t = bounded_title(&long);
        assert_eq!(t.chars().count(), 256);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn crlf_and_trailing_newlines_are_not_a_change() {
        assert!(same_text(Some("a\r\nb\r\n"), "a\nb\n"));
        assert!(same_text(Some("a"), "a\n"));
        assert!(!same_text(None, "a"));
        assert!(same_text(None, ""));
    }

    fn pr(users: &[&str], teams: &[&str]) -> PullRequest {
        PullRequest {
            number: 1,
            html_url: String::new(),
            title: None,
            body: None,
            state: "open".into(),
            head: Branch {
                ref_name: "b".into(),
                sha: String::new(),
                repo: None,
            },
            labels: vec![],
            requested_reviewers: users
                .iter()
                .map(|l| User {
                    login: l.to_string(),
                })
                .collect(),
            requested_teams: teams
                .iter()
                .map(|s| Team {
                    slug: s.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn only_reviewers_neither_requested_nor_done_are_requested() {
        let want: Vec<String> = ["alice", "bob", "contoso/security"]
            .map(String::from)
            .to_vec();
        // Nothing requested yet (the request failed): everyone.
        let (u, t) = not_requested(&pr(&[], &[]), &want);
        assert_eq!(
            (&u, &t),
            (
                &vec!["alice".into(), "bob".into()],
                &vec!["security".into()]
            )
        );
        let (u, t) = still_missing(u, t, &want, &[]);
        assert_eq!((u.len(), t.len()), (2, 1));
        // Requested (logins compare without case): nothing.
        let (u, t) = not_requested(&pr(&["Alice", "bob"], &["security"]), &want);
        assert!(u.is_empty() && t.is_empty());
        // Alice reviewed, so GitHub no longer lists her: not asked again; the team still is.
        let (u, t) = not_requested(&pr(&["bob"], &[]), &want);
        let (u, t) = still_missing(u, t, &want, &["alice".into()]);
        assert!(u.is_empty(), "{u:?}");
        assert_eq!(t, ["security"]);
        // A team member (not a configured user) reviewed: the team's request is fulfilled.
        let (u, t) = not_requested(&pr(&["alice", "bob"], &[]), &want);
        let (u, t) = still_missing(u, t, &want, &["carol".into()]);
        assert!(u.is_empty() && t.is_empty(), "{u:?} {t:?}");
    }
}
