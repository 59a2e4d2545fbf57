//! GitHub errors, classified so the retry policy can branch and the message can say what to do.

use std::time::Duration;

use http::StatusCode;

/// What kind of failure a GitHub call met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401: the token is missing, malformed, expired or revoked.
    Unauthorized,
    /// 403 (not a rate limit): the token lacks a permission.
    Forbidden,
    /// 404: the repository or object does not exist, or the token cannot see it.
    NotFound,
    /// 422: GitHub understood the request and refused it (validation).
    Validation,
    /// Primary rate limit exhausted.
    RateLimited,
    /// Secondary (abuse) rate limit, with how long GitHub asked us to wait.
    SecondaryRateLimit { retry_after: Duration },
    /// 5xx.
    Server,
    /// No usable HTTP answer: connection, TLS, timeout.
    Transport,
    /// Anything else: bad configuration, an answer we could not read.
    Other,
}

#[derive(Debug, thiserror::Error)]
#[error("GitHub: cannot {operation}: {detail}{hint}")]
pub struct ForgeError {
    pub operation: String,
    pub kind: ErrorKind,
    pub status: Option<StatusCode>,
    /// GitHub's message and validation errors, or what went wrong locally.
    pub detail: String,
    hint: String,
}

impl ForgeError {
    pub fn new(
        operation: &str,
        kind: ErrorKind,
        status: Option<StatusCode>,
        detail: String,
    ) -> Self {
        let hint = hint(&kind);
        Self {
            operation: operation.to_string(),
            kind,
            status,
            detail,
            hint,
        }
    }

    pub fn config(detail: impl Into<String>) -> Self {
        Self::new("connect to the API", ErrorKind::Other, None, detail.into())
    }

    pub fn other(operation: &str, detail: impl Into<String>) -> Self {
        Self::new(operation, ErrorKind::Other, None, detail.into())
    }

    /// GitHub's `422` message mentions an existing pull request for the same head.
    pub fn is_pr_already_exists(&self) -> bool {
        self.kind == ErrorKind::Validation && self.detail.contains("already exists")
    }

    /// The retry policy gave up: say how often and why.
    pub(crate) fn gave_up(mut self, attempts: u32, next_wait: Duration, budget: Duration) -> Self {
        if let ErrorKind::SecondaryRateLimit { retry_after } = self.kind {
            self.detail = format!(
                "{}; GitHub asks to wait {} s more, beyond the {} s this run may wait \
                 ({attempts} attempt(s) made)",
                self.detail,
                retry_after.as_secs(),
                budget.as_secs()
            );
        } else if attempts > 1 {
            self.detail = format!(
                "{} (gave up after {attempts} attempts; next wait {} s)",
                self.detail,
                next_wait.as_secs()
            );
        }
        self
    }

    pub(crate) fn from_octocrab(operation: &str, e: octocrab::Error) -> Self {
        match e {
            octocrab::Error::GitHub { source, .. } => {
                let status = source.status_code;
                let headers = source.headers.clone().unwrap_or_default();
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let mut detail = format!(
                    "{} {}: {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or(""),
                    source.message
                );
                if let Some(errors) = &source.errors {
                    let list: Vec<String> = errors
                        .iter()
                        .map(|e| {
                            e.get("message")
                                .and_then(|m| m.as_str())
                                .map(str::to_string)
                                .unwrap_or_else(|| e.to_string())
                        })
                        .collect();
                    if !list.is_empty() {
                        detail.push_str(&format!(" ({})", list.join("; ")));
                    }
                }
                let lower = source.message.to_lowercase();
                let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
                let kind = match status.as_u16() {
                    401 => ErrorKind::Unauthorized,
                    403 | 429
                        if lower.contains("secondary rate limit")
                            || (retry_after.is_some() && !lower.contains("api rate limit")) =>
                    {
                        // GitHub documents waiting at least a minute when no Retry-After is sent.
                        ErrorKind::SecondaryRateLimit {
                            retry_after: Duration::from_secs(retry_after.unwrap_or(60)),
                        }
                    }
                    403 | 429
                        if header("x-ratelimit-remaining").as_deref() == Some("0")
                            || lower.contains("api rate limit") =>
                    {
                        if let Some(reset) = source.rate_limit_reset_at() {
                            detail.push_str(&format!(
                                " (the limit resets at {})",
                                reset.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                            ));
                        }
                        ErrorKind::RateLimited
                    }
                    403 => ErrorKind::Forbidden,
                    404 => ErrorKind::NotFound,
                    422 => ErrorKind::Validation,
                    500..=599 => ErrorKind::Server,
                    _ => ErrorKind::Other,
                };
                Self::new(operation, kind, Some(status), detail)
            }
            octocrab::Error::Json { source, .. } => Self::new(
                operation,
                ErrorKind::Other,
                None,
                format!(
                    "unexpected answer: at `{}`: {}",
                    source.path(),
                    source.inner()
                ),
            ),
            other => {
                // Transport errors: show the chain, never a request with headers.
                let mut detail = other.to_string();
                let mut src = std::error::Error::source(&other);
                while let Some(s) = src {
                    detail.push_str(&format!(": {s}"));
                    src = s.source();
                }
                Self::new(operation, ErrorKind::Transport, None, detail)
            }
        }
    }
}

fn hint(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::Unauthorized => {
            " — the token was rejected: set a valid GITHUB_TOKEN, GH_TOKEN or --token-file"
        }
        ErrorKind::Forbidden => {
            " — the token lacks a permission: the workflow needs `contents: write` and \
             `pull-requests: write`"
        }
        ErrorKind::NotFound => {
            " — check github.repository (owner/name) and that the token can see the repository"
        }
        ErrorKind::Validation => " — GitHub refused the request as invalid",
        ErrorKind::RateLimited => " — the API rate limit is used up; run again after it resets",
        ErrorKind::SecondaryRateLimit { .. } => " — GitHub's secondary rate limit; run again later",
        ErrorKind::Server => " — GitHub had a server error; run again later",
        ErrorKind::Transport => " — check the network and github.api_url",
        ErrorKind::Other => "",
    }
    .to_string()
}
