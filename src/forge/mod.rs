//! The forge: the only GitHub API code (octocrab over our own HTTP stack, see [`client`]). Finds,
//! opens, updates and closes the drift pull request; creates releases, lists, checks and uploads
//! their assets. It never touches git objects: the caller says which branch holds what, and
//! whether a person pushed to it.
//!
//! Every failure is a [`ForgeError`] naming the operation, GitHub's status and message, and what
//! to do about it; the CLI turns it into exit code 2.

pub mod client;
mod error;
mod pulls;
mod releases;

pub use client::{Client, ClientConfig, encode_component};
pub use error::{ErrorKind, ForgeError};
pub use pulls::{DriftPr, PrAction, PrOutcome, PullRequest};
pub use releases::{Asset, AssetOutcome, AssetSpec, Release};

use serde::Deserialize;

/// One GitHub repository reached through one [`Client`].
pub struct Forge {
    client: Client,
    owner: String,
    repo: String,
}

/// What the repository endpoint tells us.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoInfo {
    pub html_url: String,
    #[serde(default)]
    pub default_branch: Option<String>,
    /// What the token's user may do here. GitHub sends it for user tokens; an installation
    /// token (a workflow's `GITHUB_TOKEN`) may get none, and then only a push can tell.
    #[serde(default)]
    pub permissions: Option<RepoPermissions>,
}

/// The `permissions` object of a repository.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoPermissions {
    /// May push (write contents, tags and releases).
    #[serde(default)]
    pub push: Option<bool>,
}

impl Forge {
    /// Must be called inside a tokio runtime.
    pub fn new(cfg: &ClientConfig, owner: &str, repo: &str) -> Result<Self, ForgeError> {
        Ok(Self {
            client: Client::new(cfg)?,
            owner: owner.to_string(),
            repo: repo.to_string(),
        })
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    fn route(&self, rest: &str) -> String {
        format!(
            "/repos/{}/{}{rest}",
            encode_component(&self.owner),
            encode_component(&self.repo)
        )
    }

    /// The repository: checks early that it exists and the token can see it.
    pub async fn repository(&self) -> Result<RepoInfo, ForgeError> {
        self.client
            .get(
                &format!("read repository {}", self.full_name()),
                &self.route(""),
                &[],
            )
            .await
    }
}
