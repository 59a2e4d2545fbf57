//! The drift pull request: find the open one by head branch (and label), open it, update its
//! title and body only when they differ, keep its labels, request reviewers when it is opened,
//! and close one with a comment.

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
    /// Requested when the pull request is opened: logins, or `org/team`.
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
        let pr = self.ensure_labels(pr, &spec.labels).await?;
        self.request_reviewers(pr.number, &spec.reviewers).await?;
        Ok(PrOutcome {
            action: PrAction::Created,
            pr,
        })
    }

    /// Brings an open pull request's title, body and labels to `spec`, editing only what
    /// differs: the same drift twice makes no edit at all.
    pub async fn update_drift_pr(
        &self,
        pr: &PullRequest,
        spec: &DriftPr,
    ) -> Result<PrOutcome, ForgeError> {
        let title = bounded_title(&spec.title);
        let mut action = PrAction::Unchanged;
        let mut pr = pr.clone();
        if pr.title.as_deref() != Some(title.as_str()) || !same_text(pr.body.as_deref(), &spec.body)
        {
            pr = self
                .client
                .patch(
                    &format!("update pull request #{}", pr.number),
                    &self.route(&format!("/pulls/{}", pr.number)),
                    &json!({ "title": title, "body": spec.body }),
                )
                .await?;
            action = PrAction::Updated;
        }
        let before = pr.labels.len();
        let pr = self.ensure_labels(pr, &spec.labels).await?;
        if pr.labels.len() != before && action == PrAction::Unchanged {
            action = PrAction::Updated;
        }
        Ok(PrOutcome { action, pr })
    }

    /// Adds the labels the pull request lacks (GitHub creates a label that does not exist yet).
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

    async fn request_reviewers(&self, number: u64, reviewers: &[String]) -> Result<(), ForgeError> {
        if reviewers.is_empty() {
            return Ok(());
        }
        let (teams, users): (Vec<&String>, Vec<&String>) =
            reviewers.iter().partition(|r| r.contains('/'));
        let teams: Vec<&str> = teams
            .iter()
            .filter_map(|t| t.split_once('/').map(|(_, slug)| slug))
            .collect();
        let _: serde_json::Value = self
            .client
            .post(
                &format!("request reviewers on pull request #{number}"),
                &self.route(&format!("/pulls/{number}/requested_reviewers")),
                &json!({ "reviewers": users, "team_reviewers": teams }),
            )
            .await?;
        Ok(())
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
}
