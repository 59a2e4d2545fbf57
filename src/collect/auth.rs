//! Credentials through `azure_identity`, and the tokens the collector sends.
//!
//! Methods: GitHub Actions OIDC workload identity federation (a `ClientAssertionCredential`
//! whose assertion is GitHub's ID token for the audience `api://AzureADTokenExchange`), a
//! federated token file (`AZURE_FEDERATED_TOKEN_FILE`, e.g. AKS workload identity), a client
//! secret, managed identity, and the Azure CLI. `auto` picks the first that applies, in this
//! order (documented in the README):
//!
//! 1. OIDC when `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN` are set (a
//!    GitHub Actions job with `id-token: write`);
//! 2. federated token file when `AZURE_FEDERATED_TOKEN_FILE` is set;
//! 3. client secret when `AZURE_CLIENT_SECRET` is set;
//! 4. managed identity when `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` is set;
//! 5. the Azure CLI.
//!
//! Token requests go through the collector's own reqwest client (so an extra root CA applies)
//! and are counted. Tokens live only in [`SecretString`]s and are never logged; the identity
//! recorded in provenance is `tenant <id>, client <id>, via <method>`.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{
    AsyncRawResponse, ClientMethodOptions, ClientOptions, ExponentialRetryOptions, HttpClient,
    Request, RetryOptions, Transport,
};
use azure_core::time::OffsetDateTime;
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::endpoints;
use super::redact::redact_str;
use super::retry::{Counters, RetryPolicy};

/// The audience GitHub's ID token is requested for; Entra's federated credentials expect it.
pub const GITHUB_OIDC_AUDIENCE: &str = "api://AzureADTokenExchange";

/// How the collector authenticates.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// The first method that applies (see the module documentation for the order).
    #[default]
    Auto,
    /// GitHub Actions OIDC workload identity federation (no secret at all).
    Oidc,
    /// A federated token in a file (`AZURE_FEDERATED_TOKEN_FILE`).
    FederatedTokenFile,
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`.
    ClientSecret,
    /// The managed identity of the Azure host (system-assigned, or `AZURE_CLIENT_ID`).
    ManagedIdentity,
    /// The account logged in to `az`.
    AzureCli,
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Auto => "auto",
            AuthMethod::Oidc => "GitHub Actions OIDC federation",
            AuthMethod::FederatedTokenFile => "federated token file",
            AuthMethod::ClientSecret => "client secret",
            AuthMethod::ManagedIdentity => "managed identity",
            AuthMethod::AzureCli => "Azure CLI",
        }
    }
}

/// Everything a credential may need. [`AuthOptions::from_env`] fills it from the usual
/// variables; tests fill it directly so the process environment is never touched.
#[derive(Clone, Default)]
pub struct AuthOptions {
    pub method: AuthMethod,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub federated_token_file: Option<PathBuf>,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub oidc_request_url: Option<String>,
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub oidc_request_token: Option<SecretString>,
    /// `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` is set (the host offers a managed identity).
    pub managed_identity: bool,
    /// A ready credential (library users, benchmarks); wins over `method`.
    pub credential: Option<Arc<dyn TokenCredential>>,
}

impl fmt::Debug for AuthOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthOptions")
            .field("method", &self.method)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[set]"),
            )
            .field("federated_token_file", &self.federated_token_file)
            .field(
                "oidc_request_url",
                &self.oidc_request_url.as_ref().map(|_| "[set]"),
            )
            .field(
                "oidc_request_token",
                &self.oidc_request_token.as_ref().map(|_| "[set]"),
            )
            .field("managed_identity", &self.managed_identity)
            .field("credential", &self.credential.as_ref().map(|_| "[custom]"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("{method}: {what} is not set")]
    Missing { method: &'static str, what: String },
    #[error(
        "{method}: the authority host {host} must use https (azure_identity refuses plain http; \
         serve the token endpoint over https and pass its CA)"
    )]
    InsecureAuthority { method: &'static str, host: String },
    #[error("{method}: {message}")]
    Setup {
        method: &'static str,
        message: String,
    },
    #[error("could not get a token for {scope} via {method}: {message}")]
    Token {
        method: &'static str,
        scope: String,
        message: String,
    },
}

/// `message`, followed by `hint` when there is one.
fn with_hint(message: String, hint: Option<&str>) -> String {
    match hint {
        Some(h) => format!("{message} ({h})"),
        None => message,
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl AuthOptions {
    /// Reads `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
    /// `AZURE_FEDERATED_TOKEN_FILE`, `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`,
    /// `IDENTITY_ENDPOINT`/`MSI_ENDPOINT` from the process environment.
    pub fn from_env(method: AuthMethod) -> Self {
        Self::from_vars(method, |k| std::env::var(k).ok())
    }

    /// As [`AuthOptions::from_env`], reading variables through `env`.
    pub fn from_vars(method: AuthMethod, env: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| non_empty(env(k));
        Self {
            method,
            tenant_id: get("AZURE_TENANT_ID"),
            client_id: get("AZURE_CLIENT_ID"),
            client_secret: get("AZURE_CLIENT_SECRET").map(SecretString::from),
            federated_token_file: get("AZURE_FEDERATED_TOKEN_FILE").map(PathBuf::from),
            oidc_request_url: get("ACTIONS_ID_TOKEN_REQUEST_URL"),
            oidc_request_token: get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").map(SecretString::from),
            managed_identity: get("IDENTITY_ENDPOINT").is_some() || get("MSI_ENDPOINT").is_some(),
            credential: None,
        }
    }

    /// Why `auto` fell through to the Azure CLI although `AZURE_TENANT_ID` or
    /// `AZURE_CLIENT_ID` is set: those variables say a service principal or federated identity
    /// was meant, and a bare "az failed" would hide which inputs were missing. `None` when the
    /// method was chosen explicitly or nothing suggests another credential was meant.
    pub fn fallthrough_hint(&self) -> Option<String> {
        if self.method != AuthMethod::Auto
            || self.credential.is_some()
            || self.chosen_method() != AuthMethod::AzureCli
            || (self.tenant_id.is_none() && self.client_id.is_none())
        {
            return None;
        }
        let set: Vec<&str> = [
            ("AZURE_TENANT_ID", self.tenant_id.is_some()),
            ("AZURE_CLIENT_ID", self.client_id.is_some()),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        Some(format!(
            "{} {} set, but no credential that uses {} applies; tried, in order: \
             GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set: a GitHub job \
             needs `permissions: id-token: write`), federated token file \
             (AZURE_FEDERATED_TOKEN_FILE not set), client secret (AZURE_CLIENT_SECRET not set), \
             managed identity (IDENTITY_ENDPOINT/MSI_ENDPOINT not set), then the Azure CLI, \
             which failed",
            set.join(" and "),
            if set.len() > 1 { "are" } else { "is" },
            if set.len() > 1 { "them" } else { "it" },
        ))
    }

    /// The method `auto` resolves to (or the explicit one).
    pub fn chosen_method(&self) -> AuthMethod {
        if self.method != AuthMethod::Auto {
            return self.method;
        }
        if self.oidc_request_url.is_some() && self.oidc_request_token.is_some() {
            AuthMethod::Oidc
        } else if self.federated_token_file.is_some() {
            AuthMethod::FederatedTokenFile
        } else if self.client_secret.is_some() {
            AuthMethod::ClientSecret
        } else if self.managed_identity {
            AuthMethod::ManagedIdentity
        } else {
            AuthMethod::AzureCli
        }
    }
}

/// Counts the token requests azure_identity sends through the collector's client.
#[derive(Debug)]
struct CountingTransport {
    inner: reqwest::Client,
    counters: Arc<Counters>,
}

#[async_trait::async_trait]
impl HttpClient for CountingTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        self.counters.token.fetch_add(1, Ordering::Relaxed);
        let resp = self.inner.execute_request(request).await;
        if let Ok(r) = &resp
            && u16::from(r.status()) == 429
        {
            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
        }
        resp
    }
}

/// The GitHub Actions ID token, requested for [`GITHUB_OIDC_AUDIENCE`], as a client assertion.
#[derive(Debug)]
struct GithubOidc {
    url: Url,
    token: SecretString,
    client: reqwest::Client,
    counters: Arc<Counters>,
}

fn credential_error(message: String) -> azure_core::Error {
    azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
}

#[async_trait::async_trait]
impl ClientAssertion for GithubOidc {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.counters.token.fetch_add(1, Ordering::Relaxed);
        let resp = self
            .client
            .get(self.url.clone())
            .bearer_auth(self.token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                credential_error(format!(
                    "the GitHub OIDC token request failed: {}",
                    e.without_url()
                ))
            })?;
        let status = resp.status();
        if status.as_u16() == 429 {
            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
        }
        let body = resp.bytes().await.map_err(|e| {
            credential_error(format!(
                "the GitHub OIDC token response broke off: {}",
                e.without_url()
            ))
        })?;
        if !status.is_success() {
            return Err(credential_error(format!(
                "the GitHub OIDC token request returned HTTP {}",
                status.as_u16()
            )));
        }
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            credential_error(format!("the GitHub OIDC token response is not JSON: {e}"))
        })?;
        match v.get("value").and_then(Value::as_str) {
            Some(t) if !t.is_empty() => Ok(t.to_string()),
            _ => Err(credential_error(
                "the GitHub OIDC token response has no `value`".to_string(),
            )),
        }
    }
}

/// The GitHub ID token URL with the Entra audience appended.
pub(crate) fn oidc_url(request_url: &str) -> Result<Url, String> {
    let mut u = Url::parse(request_url.trim())
        .map_err(|e| format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}"))?;
    let mut base = u.clone();
    base.set_query(None);
    endpoints::validate("ACTIONS_ID_TOKEN_REQUEST_URL", base.as_str())
        .map_err(|e| e.to_string())?;
    u.query_pairs_mut()
        .append_pair("audience", GITHUB_OIDC_AUDIENCE);
    Ok(u)
}

/// An error and its causes on one line (azure_core puts the transport's reason in a source).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![];
    let mut cur = Some(e);
    while let Some(err) = cur {
        let text = err
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    redact_str(&parts.join(": "))
}

fn to_azure_duration(d: std::time::Duration) -> azure_core::time::Duration {
    azure_core::time::Duration::milliseconds(d.as_millis().min(i64::MAX as u128) as i64)
}

/// A token and its expiry, or the final failure for a scope.
type Cached = Result<(SecretString, OffsetDateTime), AuthError>;

/// The token source of one collection: the credential, a per-scope cache (the Azure CLI
/// credential does not cache), and what is known of the identity for provenance.
pub(crate) struct Tokens {
    credential: Arc<dyn TokenCredential>,
    method_label: &'static str,
    /// Appended to a failure: which credentials `auto` tried ([`AuthOptions::fallthrough_hint`]).
    hint: Option<String>,
    /// One slot per scope, each behind its own lock: a token request that hangs for one API
    /// (until a deadline cuts it) never holds back requests for another whose token is cached.
    cache: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
    who: std::sync::Mutex<(Option<String>, Option<String>)>,
}

impl Tokens {
    /// Builds the credential of the chosen method. Fails without any network call when a
    /// required input is missing.
    pub(crate) fn build(
        opts: &AuthOptions,
        authority: &Url,
        client: reqwest::Client,
        counters: Arc<Counters>,
        retry: &RetryPolicy,
        request_timeout: std::time::Duration,
    ) -> Result<Self, AuthError> {
        let method = opts.chosen_method();
        let label = if opts.credential.is_some() {
            "custom credential"
        } else {
            method.label()
        };
        let who = (opts.tenant_id.clone(), opts.client_id.clone());
        let make = |credential: Arc<dyn TokenCredential>| Tokens {
            credential,
            method_label: label,
            hint: opts.fallthrough_hint(),
            cache: Default::default(),
            who: std::sync::Mutex::new(who.clone()),
        };
        if let Some(c) = &opts.credential {
            return Ok(make(c.clone()));
        }

        let client_options = || {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = authority.as_str().trim_end_matches('/').to_string();
            let retry_options = ExponentialRetryOptions {
                initial_delay: to_azure_duration(retry.backoff_base),
                max_delay: to_azure_duration(retry.backoff_cap),
                max_retries: retry.max_attempts.saturating_sub(1),
                // The attempts bound the retries; the elapsed bound must never cut them
                // short, whatever the machine's load.
                // (azure_core adds up to 256 ms of jitter per sleep and honours Retry-After.)
                max_total_elapsed: to_azure_duration(
                    (request_timeout
                        + retry.backoff_cap.max(retry.retry_after_cap)
                        + std::time::Duration::from_millis(256))
                    .saturating_mul(retry.max_attempts.max(1)),
                ),
            };
            ClientOptions {
                transport: Some(Transport::new(Arc::new(CountingTransport {
                    inner: client.clone(),
                    counters: counters.clone(),
                }))),
                retry: if retry.max_attempts <= 1 {
                    RetryOptions::none()
                } else {
                    RetryOptions::exponential(retry_options)
                },
                cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
                ..Default::default()
            }
        };
        let need = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| AuthError::Missing {
                method: label,
                what: what.to_string(),
            })
        };
        let https_authority = || {
            if authority.scheme() == "https" {
                Ok(())
            } else {
                Err(AuthError::InsecureAuthority {
                    method: label,
                    host: authority.to_string(),
                })
            }
        };
        let setup = |e: azure_core::Error| AuthError::Setup {
            method: label,
            message: with_hint(error_chain(&e), opts.fallthrough_hint().as_deref()),
        };

        let credential: Arc<dyn TokenCredential> = match method {
            AuthMethod::Oidc => {
                https_authority()?;
                let tenant = need(&opts.tenant_id, "AZURE_TENANT_ID")?;
                let client_id = need(&opts.client_id, "AZURE_CLIENT_ID")?;
                let url = need(
                    &opts.oidc_request_url,
                    "ACTIONS_ID_TOKEN_REQUEST_URL (grant the job `id-token: write`)",
                )?;
                let token = opts
                    .oidc_request_token
                    .clone()
                    .ok_or_else(|| AuthError::Missing {
                        method: label,
                        what: "ACTIONS_ID_TOKEN_REQUEST_TOKEN (grant the job `id-token: write`)"
                            .into(),
                    })?;
                let url = oidc_url(&url).map_err(|message| AuthError::Setup {
                    method: label,
                    message,
                })?;
                let assertion = GithubOidc {
                    url,
                    token,
                    client: client.clone(),
                    counters: counters.clone(),
                };
                let o = ClientAssertionCredentialOptions {
                    client_options: client_options(),
                };
                ClientAssertionCredential::new(tenant, client_id, assertion, Some(o))
                    .map_err(setup)?
            }
            AuthMethod::FederatedTokenFile => {
                https_authority()?;
                let tenant = need(&opts.tenant_id, "AZURE_TENANT_ID")?;
                let client_id = need(&opts.client_id, "AZURE_CLIENT_ID")?;
                let file = opts
                    .federated_token_file
                    .clone()
                    .ok_or_else(|| AuthError::Missing {
                        method: label,
                        what: "AZURE_FEDERATED_TOKEN_FILE".into(),
                    })?;
                let o = WorkloadIdentityCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: client_options(),
                    },
                    tenant_id: Some(tenant),
                    client_id: Some(client_id),
                    token_file_path: Some(file),
                };
                WorkloadIdentityCredential::new(Some(o)).map_err(setup)?
            }
            AuthMethod::ClientSecret => {
                https_authority()?;
                let tenant = need(&opts.tenant_id, "AZURE_TENANT_ID")?;
                let client_id = need(&opts.client_id, "AZURE_CLIENT_ID")?;
                let secret = opts
                    .client_secret
                    .as_ref()
                    .ok_or_else(|| AuthError::Missing {
                        method: label,
                        what: "AZURE_CLIENT_SECRET".into(),
                    })?;
                let o = ClientSecretCredentialOptions {
                    client_options: client_options(),
                };
                ClientSecretCredential::new(
                    &tenant,
                    client_id,
                    Secret::new(secret.expose_secret().to_string()),
                    Some(o),
                )
                .map_err(setup)?
            }
            AuthMethod::ManagedIdentity => {
                let o = ManagedIdentityCredentialOptions {
                    client_options: client_options(),
                    user_assigned_id: opts.client_id.clone().map(UserAssignedId::ClientId),
                };
                ManagedIdentityCredential::new(Some(o)).map_err(setup)?
            }
            AuthMethod::AzureCli | AuthMethod::Auto => {
                let o = AzureCliCredentialOptions {
                    tenant_id: opts.tenant_id.clone(),
                    ..Default::default()
                };
                AzureCliCredential::new(Some(o)).map_err(setup)?
            }
        };
        Ok(make(credential))
    }

    /// A valid token for `scope` (`<endpoint>/.default`), from the cache when it has more than
    /// five minutes left.
    pub(crate) async fn token(&self, scope: &str) -> Result<SecretString, AuthError> {
        let slot = {
            let mut slots = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(slots.entry(scope.to_string()).or_default())
        };
        let mut cache = slot.lock().await;
        let fresh = OffsetDateTime::now_utc() + azure_core::time::Duration::minutes(5);
        match &*cache {
            Some(Ok((t, exp))) if *exp > fresh => return Ok(t.clone()),
            // The credential already retried; asking again per request would only multiply
            // the wait. The failure is final for this collection.
            Some(Err(e)) => return Err(e.clone()),
            _ => {}
        }
        let got = self.credential.get_token(&[scope], None).await;
        // A token response of another shape (no `access_token`) can come back from the
        // credential as an empty token; sent, it would turn every read into a misleading 401.
        let got = got.and_then(|t| {
            if t.token.secret().trim().is_empty() {
                Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "the token endpoint's answer has no access token (expected an object with \
                     `access_token`)",
                ))
            } else {
                Ok(t)
            }
        });
        let got = match got {
            Ok(t) => t,
            Err(e) => {
                let err = AuthError::Token {
                    method: self.method_label,
                    scope: scope.to_string(),
                    message: with_hint(error_chain(&e), self.hint.as_deref()),
                };
                *cache = Some(Err(err.clone()));
                return Err(err);
            }
        };
        let secret = SecretString::from(got.token.secret().to_string());
        self.learn(secret.expose_secret());
        *cache = Some(Ok((secret.clone(), got.expires_on)));
        Ok(secret)
    }

    /// Fills the unknown tenant and client ids from the token's claims (`tid`, `appid`/`azp`).
    fn learn(&self, token: &str) {
        let Some(claims) = jwt_claims(token) else {
            return;
        };
        let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
        if let Ok(mut who) = self.who.lock() {
            if who.0.is_none() {
                who.0 = text("tid");
            }
            if who.1.is_none() {
                who.1 = text("appid").or_else(|| text("azp"));
            }
        }
    }

    /// How the credential was chosen (`client secret`, `GitHub Actions OIDC federation`, …).
    pub(crate) fn method_label(&self) -> &'static str {
        self.method_label
    }

    pub(crate) fn tenant_id(&self) -> Option<String> {
        self.who.lock().ok().and_then(|w| w.0.clone())
    }

    /// `tenant <id>, client <id>, via <method>`: never a secret.
    pub(crate) fn identity(&self) -> String {
        let (t, c) = self.who.lock().map(|w| w.clone()).unwrap_or((None, None));
        format!(
            "tenant {}, client {}, via {}",
            t.as_deref().unwrap_or("unknown"),
            c.as_deref().unwrap_or("unknown"),
            self.method_label
        )
    }
}

/// The payload claims of a JWT, or `None` for an opaque token.
fn jwt_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = azure_core::base64::decode_url_safe(payload).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn auto_order() {
        let all = AuthOptions::from_vars(
            AuthMethod::Auto,
            vars(&[
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://gh.test/token?api-version=2.0",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
                ("AZURE_CLIENT_SECRET", "s"),
                ("IDENTITY_ENDPOINT", "http://169.254.169.254"),
            ]),
        );
        assert_eq!(all.chosen_method(), AuthMethod::Oidc);
        let file = AuthOptions::from_vars(
            AuthMethod::Auto,
            vars(&[
                ("AZURE_FEDERATED_TOKEN_FILE", "/t"),
                ("AZURE_CLIENT_SECRET", "s"),
            ]),
        );
        assert_eq!(file.chosen_method(), AuthMethod::FederatedTokenFile);
        let secret = AuthOptions::from_vars(
            AuthMethod::Auto,
            vars(&[("AZURE_CLIENT_SECRET", "s"), ("MSI_ENDPOINT", "x")]),
        );
        assert_eq!(secret.chosen_method(), AuthMethod::ClientSecret);
        let mi = AuthOptions::from_vars(AuthMethod::Auto, vars(&[("MSI_ENDPOINT", "x")]));
        assert_eq!(mi.chosen_method(), AuthMethod::ManagedIdentity);
        let none = AuthOptions::from_vars(AuthMethod::Auto, vars(&[("AZURE_CLIENT_SECRET", " ")]));
        assert_eq!(none.chosen_method(), AuthMethod::AzureCli);
        // An explicit choice wins.
        let explicit =
            AuthOptions::from_vars(AuthMethod::AzureCli, vars(&[("AZURE_CLIENT_SECRET", "s")]));
        assert_eq!(explicit.chosen_method(), AuthMethod::AzureCli);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let o = AuthOptions::from_vars(
            AuthMethod::ClientSecret,
            vars(&[
                ("AZURE_CLIENT_SECRET", "hunter2"),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-tok"),
            ]),
        );
        let d = format!("{o:?}");
        assert!(!d.contains("hunter2") && !d.contains("gh-tok"), "{d}");
    }

    #[test]
    fn oidc_url_appends_the_audience() {
        let u = oidc_url("https://pipelines.actions.test/idtoken?api-version=2.0").unwrap();
        assert_eq!(
            u.as_str(),
            "https://pipelines.actions.test/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
        );
        let bare = oidc_url("http://127.0.0.1:9/id").unwrap();
        assert_eq!(
            bare.query(),
            Some("audience=api%3A%2F%2FAzureADTokenExchange")
        );
        assert!(oidc_url("http://example.test/id").is_err());
    }

    fn build(opts: &AuthOptions, authority: &str) -> Result<Tokens, AuthError> {
        // A plain client (ring provider, as the collector installs it): these tests send
        // nothing, and `auth` does not reach into `http` for one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap();
        Tokens::build(
            opts,
            &Url::parse(authority).unwrap(),
            client,
            Arc::default(),
            &RetryPolicy::default(),
            std::time::Duration::from_secs(5),
        )
    }

    /// A credential that always fails, as `az` does when it is missing or logged out.
    #[derive(Debug)]
    struct Refusing;

    #[async_trait::async_trait]
    impl TokenCredential for Refusing {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            Err(credential_error("az: command not found".into()))
        }
    }

    #[test]
    fn auto_falling_through_to_the_cli_says_what_it_tried() {
        let o = AuthOptions::from_vars(
            AuthMethod::Auto,
            vars(&[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")]),
        );
        assert_eq!(o.chosen_method(), AuthMethod::AzureCli);
        let mut tokens = build(&o, "https://login.test").unwrap();
        // The credential azure_identity built would run `az`; this one fails the same way
        // without depending on what the machine has installed.
        tokens.credential = Arc::new(Refusing);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let e = rt
            .block_on(tokens.token("https://management.test/.default"))
            .unwrap_err()
            .to_string();
        for want in [
            "az: command not found",
            "AZURE_TENANT_ID and AZURE_CLIENT_ID are set",
            "GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set",
            "`permissions: id-token: write`",
            "AZURE_FEDERATED_TOKEN_FILE not set",
            "AZURE_CLIENT_SECRET not set",
            "IDENTITY_ENDPOINT/MSI_ENDPOINT not set",
            "then the Azure CLI",
        ] {
            assert!(e.contains(want), "missing {want:?} in: {e}");
        }

        // Nothing to hint at: no Azure ids, or the CLI chosen on purpose, or another method
        // applied.
        let plain = AuthOptions::from_vars(AuthMethod::Auto, vars(&[]));
        assert_eq!(plain.fallthrough_hint(), None);
        let explicit = AuthOptions::from_vars(
            AuthMethod::AzureCli,
            vars(&[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")]),
        );
        assert_eq!(explicit.fallthrough_hint(), None);
        let secret = AuthOptions::from_vars(
            AuthMethod::Auto,
            vars(&[("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")]),
        );
        assert_eq!(secret.fallthrough_hint(), None);
        let one = AuthOptions::from_vars(AuthMethod::Auto, vars(&[("AZURE_CLIENT_ID", "c")]));
        assert!(
            one.fallthrough_hint()
                .unwrap()
                .starts_with("AZURE_CLIENT_ID is set, but no credential that uses it applies"),
        );
    }

    #[test]
    fn missing_inputs_are_named() {
        let o = AuthOptions {
            method: AuthMethod::ClientSecret,
            client_id: Some("c".into()),
            ..Default::default()
        };
        let e = build(&o, "https://login.test").err().unwrap();
        assert_eq!(e.to_string(), "client secret: AZURE_TENANT_ID is not set");
        let o = AuthOptions {
            method: AuthMethod::Oidc,
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            ..Default::default()
        };
        let e = build(&o, "https://login.test").err().unwrap();
        assert!(
            e.to_string().contains("ACTIONS_ID_TOKEN_REQUEST_URL"),
            "{e}"
        );
    }

    #[test]
    fn plain_http_authority_is_refused_with_a_reason() {
        let o = AuthOptions {
            method: AuthMethod::ClientSecret,
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            client_secret: Some("s".to_string().into()),
            ..Default::default()
        };
        let e = build(&o, "http://127.0.0.1:1").err().unwrap();
        assert!(matches!(e, AuthError::InsecureAuthority { .. }), "{e}");
        assert!(build(&o, "https://127.0.0.1:1").is_ok());
    }

    #[test]
    fn identity_from_claims() {
        let claims = azure_core::base64::encode_url_safe(br#"{"tid":"tenant-1","appid":"app-1"}"#);
        let token = format!("eyJhbGciOiJub25lIn0.{claims}.sig");
        let t = build(
            &AuthOptions {
                method: AuthMethod::AzureCli,
                ..Default::default()
            },
            "https://login.test",
        )
        .unwrap();
        assert_eq!(
            t.identity(),
            "tenant unknown, client unknown, via Azure CLI"
        );
        t.learn(&token);
        assert_eq!(t.identity(), "tenant tenant-1, client app-1, via Azure CLI");
        assert_eq!(t.tenant_id().as_deref(), Some("tenant-1"));
    }
}
