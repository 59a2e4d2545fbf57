//! What `run` and `release` share to reach GitHub: the token (never printed), the repository's
//! `owner/name`, the async runtime, the forge client, and the Actions step summary.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use secrecy::SecretString;

use crate::config::{self, Config};
use crate::forge::{ClientConfig, Forge};
use crate::store::EvidenceStore;

/// Longest total wait for GitHub's secondary rate limit or 5xx retries in one call.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// The token: `--token-file`, else `GITHUB_TOKEN`, else `GH_TOKEN`.
pub(crate) fn token(token_file: Option<&Path>) -> Result<SecretString> {
    if let Some(p) = token_file {
        let text = std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the token file {}", p.display()))?;
        let t = text.trim();
        if t.is_empty() {
            bail!("the token file {} is empty", p.display());
        }
        return Ok(SecretString::from(t.to_string()));
    }
    for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return Ok(SecretString::from(v.trim().to_string()));
        }
    }
    bail!(
        "no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or pass --token-file (in GitHub Actions: \
         `env: GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}`)"
    )
}

/// `owner/name`: `github.repository`, else `GITHUB_REPOSITORY` (Actions), else the remote's URL.
pub(crate) fn repository(config: &Config, store: &EvidenceStore) -> Result<(String, String)> {
    let g = &config.github;
    if !g.repository.is_empty() {
        return config::parse_repository(&g.repository)
            .with_context(|| format!("github.repository {:?} is not owner/name", g.repository));
    }
    if let Ok(v) = std::env::var("GITHUB_REPOSITORY")
        && let Some(r) = config::parse_repository(&v)
    {
        return Ok(r);
    }
    if let Some(url) = store.remote_url(&g.remote)?
        && let Some(r) = repository_from_url(&url)
    {
        return Ok(r);
    }
    bail!(
        "cannot tell which GitHub repository to use: set github.repository = \"owner/name\" in \
         soc2-evidence.toml (or GITHUB_REPOSITORY)"
    )
}

/// `owner/name` from `https://host/owner/name(.git)` or `git@host:owner/name(.git)`.
fn repository_from_url(url: &str) -> Option<(String, String)> {
    let path = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        rest.split_once('/')?.1
    } else {
        url.split_once(':')?.1
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = path.rsplitn(3, '/');
    let name = parts.next()?;
    let owner = parts.next()?;
    config::parse_repository(&format!("{owner}/{name}"))
}

/// One current-thread runtime for the whole command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The forge for the configured repository; validates the API URL (env override included).
pub(crate) fn forge(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    owner: &str,
    name: &str,
    token: SecretString,
) -> Result<Forge> {
    let api_url = config.github.effective_api_url();
    if let Some(problem) = config::api_url_problem(&api_url) {
        bail!("GitHub API URL: {problem}");
    }
    let _guard = rt.enter();
    Ok(Forge::new(
        &ClientConfig {
            api_url,
            token,
            max_wait: MAX_WAIT,
        },
        owner,
        name,
    )?)
}

/// Appends `markdown` to `$GITHUB_STEP_SUMMARY` when Actions sets it.
pub(crate) fn step_summary(markdown: &str) -> Result<()> {
    let Ok(path) = std::env::var("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    if path.is_empty() {
        return Ok(());
    }
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot write the step summary {path}"))?;
    f.write_all(markdown.as_bytes())
        .with_context(|| format!("cannot write the step summary {path}"))
}

/// Appends `key=value` lines to `$GITHUB_OUTPUT` when Actions sets it (the step's outputs);
/// without it, nothing (the scores are printed anyway).
pub(crate) fn outputs(lines: &str) -> Result<()> {
    match std::env::var("GITHUB_OUTPUT") {
        Ok(path) if !path.is_empty() => append(&path, lines, "outputs"),
        _ => Ok(()),
    }
}

fn append(path: &str, text: &str, what: &str) -> Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write the step {what} {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_from_remote_urls() {
        let want = Some(("contoso".to_string(), "evidence".to_string()));
        assert_eq!(
            repository_from_url("https://github.com/contoso/evidence.git"),
            want
        );
        assert_eq!(
            repository_from_url("https://github.com/contoso/evidence"),
            want
        );
        assert_eq!(
            repository_from_url("git@github.com:contoso/evidence.git"),
            want
        );
        assert_eq!(
            repository_from_url("https://ghe.example.com/contoso/evidence/"),
            want
        );
        assert_eq!(repository_from_url("/tmp/remote.git"), None);
        assert_eq!(repository_from_url("file:///tmp/x/remote.git"), None);
    }
}
