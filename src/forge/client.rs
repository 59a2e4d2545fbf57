//! The HTTP stack under octocrab and the calls it makes: our own header middleware, auth bound
//! to the API and upload hosts, one bounded retry policy, and the mapping of every GitHub error
//! to a [`ForgeError`] that says what to do.
//!
//! Why a hand-built stack rather than `OctocrabBuilder::build()`: octocrab appends extra headers
//! (so `Accept` set for a download would be sent twice), builds uploads without the
//! `X-GitHub-Api-Version` header, and its default stack retries 5xx blindly, POSTs included. Here
//! every request gets exactly one `Accept` (ours unless the call set one), exactly one
//! `X-GitHub-Api-Version: 2022-11-28`, and only requests GitHub did not act on are retried.

use std::future::Future;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};
use http::{Request, Uri};
use http_body_util::BodyExt;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::{AuthState, FromResponse, Octocrab, OctocrabBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ErrorKind, ForgeError};

/// The media type GitHub documents for every REST call.
pub const ACCEPT_GITHUB_JSON: &str = "application/vnd.github+json";
/// The REST API version this client is written against.
pub const API_VERSION: &str = "2022-11-28";
pub const API_VERSION_HEADER: &str = "x-github-api-version";

/// Longest a single request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts of one call in all (the first included).
const MAX_ATTEMPTS: u32 = 4;

/// Where and as whom to talk to GitHub.
pub struct ClientConfig {
    /// REST base, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub api_url: String,
    pub token: SecretString,
    /// Total time all retries of one call may wait (secondary rate limits, 5xx on reads).
    pub max_wait: Duration,
}

/// A GitHub REST client for one API host.
pub struct Client {
    crab: Octocrab,
    api: Uri,
    /// Hosts that receive the token: the API host, and `uploads.github.com` for github.com.
    token_hosts: Vec<String>,
    max_wait: Duration,
}

impl Client {
    /// Builds the client. Must be called inside a tokio runtime (octocrab spawns a worker).
    pub fn new(cfg: &ClientConfig) -> Result<Self, ForgeError> {
        let api: Uri = cfg
            .api_url
            .trim_end_matches('/')
            .parse()
            .map_err(|e| ForgeError::config(format!("API URL {:?}: {e}", cfg.api_url)))?;
        let host = api
            .authority()
            .ok_or_else(|| ForgeError::config(format!("API URL {:?} has no host", cfg.api_url)))?
            .to_string();
        // github.com serves uploads from a second host; GitHub Enterprise Server serves them
        // from its own host under /api/uploads.
        let upload: Uri = if host == "api.github.com" {
            Uri::from_static("https://uploads.github.com")
        } else {
            api.clone()
        };
        let mut token_hosts = vec![host];
        if let Some(a) = upload.authority()
            && !token_hosts.contains(&a.to_string())
        {
            token_hosts.push(a.to_string());
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", cfg.token.expose_secret()))
            .map_err(|_| {
                ForgeError::config("the GitHub token holds characters a header cannot carry")
            })?;
        auth.set_sensitive(true);

        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| ForgeError::config(format!("no TLS root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        let crab = OctocrabBuilder::new_empty()
            .with_service(http)
            .with_layer(&BaseUriLayer::new(api.clone()))
            .with_layer(&AuthHeaderLayer::new(Some(auth), api.clone(), upload))
            .with_layer(&GithubHeadersLayer)
            .with_auth(AuthState::None)
            .build()
            .map_err(|e| ForgeError::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            crab,
            api,
            token_hosts,
            max_wait: cfg.max_wait,
        })
    }

    /// The path prefix of the API (`/api/v3` on GitHub Enterprise Server, else empty).
    pub fn api_base(&self) -> &Uri {
        &self.api
    }

    pub async fn get<R: DeserializeOwned>(
        &self,
        op: &str,
        route: &str,
        query: &[(&str, String)],
    ) -> Result<R, ForgeError> {
        let uri = with_query(route, query);
        self.retrying(op, true, || async {
            let resp = self.crab._get(uri.as_str()).await?;
            R::from_response(octocrab::map_github_error(resp).await?).await
        })
        .await
    }

    pub async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        op: &str,
        route: &str,
        body: &B,
    ) -> Result<R, ForgeError> {
        self.retrying(op, false, || async {
            let resp = self.crab._post(route, Some(body)).await?;
            R::from_response(octocrab::map_github_error(resp).await?).await
        })
        .await
    }

    pub async fn patch<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        op: &str,
        route: &str,
        body: &B,
    ) -> Result<R, ForgeError> {
        self.retrying(op, false, || async {
            let resp = self.crab._patch(route, Some(body)).await?;
            R::from_response(octocrab::map_github_error(resp).await?).await
        })
        .await
    }

    pub async fn delete(&self, op: &str, route: &str) -> Result<(), ForgeError> {
        self.retrying(op, true, || async {
            let resp = self.crab._delete(route, None::<&()>).await?;
            octocrab::map_github_error(resp).await?;
            Ok(())
        })
        .await
    }

    /// POSTs raw bytes to an absolute URL on a host that may receive the token.
    pub async fn upload<R: DeserializeOwned>(
        &self,
        op: &str,
        url: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<R, ForgeError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| ForgeError::other(op, format!("bad upload URL {url:?}: {e}")))?;
        let host = uri.authority().map(|a| a.to_string()).unwrap_or_default();
        if !self.token_hosts.contains(&host) {
            // octocrab would send the request without the token and GitHub would answer 401;
            // say what is actually wrong instead.
            return Err(ForgeError::other(
                op,
                format!(
                    "the release's upload URL is on {host:?}, which is neither the API host nor \
                     its upload host ({}); check github.api_url",
                    self.token_hosts.join(", ")
                ),
            ));
        }
        self.retrying(op, false, || {
            let req = Request::post(uri.clone())
                .header(http::header::CONTENT_TYPE, content_type)
                .header(http::header::CONTENT_LENGTH, bytes.len())
                .body(bytes.clone());
            async move {
                let req = req.map_err(|e| octocrab::Error::Other {
                    source: Box::new(e),
                    backtrace: std::backtrace::Backtrace::capture(),
                })?;
                let resp = self.crab.execute(req).await?;
                R::from_response(octocrab::map_github_error(resp).await?).await
            }
        })
        .await
    }

    /// GETs the bytes of a release asset, following GitHub's redirect to its storage host
    /// (which never receives the token).
    pub async fn download(&self, op: &str, route: &str) -> Result<Vec<u8>, ForgeError> {
        self.retrying(op, true, || async {
            let req = Request::get(route)
                .header(ACCEPT, "application/octet-stream")
                .body(Vec::new())
                .map_err(|e| octocrab::Error::Other {
                    source: Box::new(e),
                    backtrace: std::backtrace::Backtrace::capture(),
                })?;
            let mut resp = self.crab.execute(req).await?;
            for _ in 0..3 {
                if !resp.status().is_redirection() {
                    break;
                }
                let Some(location) = resp.headers().get(http::header::LOCATION) else {
                    break;
                };
                let location = location.to_str().unwrap_or_default().to_string();
                resp = self.crab._get(location.as_str()).await?;
            }
            let resp = octocrab::map_github_error(resp).await?;
            Ok(resp.into_body().collect().await?.to_bytes().to_vec())
        })
        .await
    }

    /// Runs `call` with a per-request timeout, retrying what GitHub did not act on: secondary
    /// rate limits (any method, after `Retry-After`) and 5xx/timeouts on idempotent requests.
    /// All waits together stay within `max_wait`.
    async fn retrying<T, F, Fut>(
        &self,
        op: &str,
        idempotent: bool,
        call: F,
    ) -> Result<T, ForgeError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = octocrab::Result<T>>,
    {
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let result = match tokio::time::timeout(REQUEST_TIMEOUT, call()).await {
                Ok(r) => r.map_err(|e| ForgeError::from_octocrab(op, e)),
                Err(_) => Err(ForgeError::new(
                    op,
                    ErrorKind::Transport,
                    None,
                    format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
                )),
            };
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let wait = match err.kind {
                ErrorKind::SecondaryRateLimit { retry_after } => retry_after,
                ErrorKind::Server | ErrorKind::Transport if idempotent => {
                    Duration::from_secs(1 << (attempt - 1))
                }
                _ => return Err(err),
            };
            if attempt >= MAX_ATTEMPTS || waited + wait > self.max_wait {
                return Err(err.gave_up(attempt, wait, self.max_wait));
            }
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }
}

fn with_query(route: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return route.to_string();
    }
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    format!("{route}?{}", q.join("&"))
}

/// Percent-encodes a query or path component: everything but RFC 3986 unreserved characters.
/// GitHub asset names such as `soc2-evidence-2026-q1+rev1.tar.gz` need it: an unencoded `+`
/// reads as a space.
pub fn encode_component(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Sets the headers GitHub asks every client to send, each exactly once.
#[derive(Clone, Copy)]
struct GithubHeadersLayer;

impl<S> tower::Layer<S> for GithubHeadersLayer {
    type Service = GithubHeaders<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GithubHeaders { inner }
    }
}

#[derive(Clone)]
struct GithubHeaders<S> {
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for GithubHeaders<S>
where
    S: tower::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let h = req.headers_mut();
        // A call that asked for another representation (an asset's bytes) keeps it.
        h.entry(ACCEPT)
            .or_insert(HeaderValue::from_static(ACCEPT_GITHUB_JSON));
        // `insert` replaces: octocrab adds this header to requests it builds, not to uploads.
        h.insert(
            HeaderName::from_static(API_VERSION_HEADER),
            HeaderValue::from_static(API_VERSION),
        );
        h.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("soc2-evidence/", env!("CARGO_PKG_VERSION"))),
        );
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(
            encode_component("soc2-evidence-2026-q1+rev1.tar.gz"),
            "soc2-evidence-2026-q1%2Brev1.tar.gz"
        );
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_component("SHA256SUMS"), "SHA256SUMS");
    }

    #[test]
    fn query_is_appended_encoded() {
        assert_eq!(
            with_query("/x", &[("head", "o:a/b".into()), ("page", "2".into())]),
            "/x?head=o%3Aa%2Fb&page=2"
        );
        assert_eq!(with_query("/x", &[]), "/x");
    }
}
