//! A loopback fake of the Azure APIs the collector reads: the Entra token endpoint (client
//! secret and federated client assertions), a GitHub Actions OIDC token endpoint, Azure
//! Resource Manager (subscriptions, per-subscription and per-resource reads, the Activity Log),
//! Azure Resource Graph (a KQL subset, `$skipToken` paging) and Microsoft Graph v1.0
//! (`@odata.nextLink` paging). HTTPS from a test CA generated at start (plain HTTP optional),
//! the documented quotas (time-scaled), latency, fault injection per route and request counters.
//!
//! Used by the integration tests (`mod support;`) and written to be `#[path]`-included by a
//! benchmark (examples/bench.rs): it refers to nothing outside this directory but the crate's
//! model and, for the synthetic tenant's templates, the embedded demo tenant.
//!
//! ```ignore
//! let fake = FakeAzure::start(FakeTenant::from_inventory(&inv), FakeOptions::default());
//! fake.inject(FaultRule::new(Target::source("arm.blob_services"), Fault::Forbidden));
//! Command::new(bin).envs(fake.env()).args(["collect", "--out", "inventory.json"]);
//! assert_eq!(fake.counters().resource_graph, 2);
//! ```

// Tests and benches each use part of the API.
#![allow(dead_code, unused_imports)]

mod jwt;
mod kql;
mod quota;
mod routes;
mod server;
mod tenant;
mod tls;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub use quota::Quotas;
pub use tenant::{
    ACTIVITY_LOG_API, CHILD_ROUTES, ChildRoute, FakeResource, FakeSubscription, FakeTenant,
    GRAPH_ROUTES, Missing, RESOURCE_GRAPH_API, SUBSCRIPTION_SOURCES, SUBSCRIPTIONS_API, Synthetic,
    event_data, event_data_with_category, resource_row, table_for,
};

/// What a request is, for counters and fault targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `POST /{tenant}/oauth2/v2.0/token`.
    Token,
    /// The GitHub Actions OIDC token request.
    Oidc,
    /// OpenID configuration and instance discovery.
    Metadata,
    /// `POST /providers/Microsoft.ResourceGraph/resources`.
    ResourceGraph,
    /// `GET /subscriptions`.
    Subscriptions,
    /// A per-subscription ARM list (diagnostic settings, pricings, contacts, …).
    ArmSubscription,
    /// The Activity Log of a subscription.
    ActivityLog,
    /// A per-resource ARM read (blob services, SQL auditing, diagnostic settings, …).
    ArmResource,
    /// Microsoft Graph v1.0.
    Graph,
    /// Anything the fake does not serve (answered 404 and logged).
    Unknown,
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Any,
    Kind(Kind),
    /// A source name from docs/SOURCES.md (`arm.blob_services`, `resource_graph.resources`,
    /// `graph.users`, …), or `token` / `oidc`.
    Source(String),
    /// A case-insensitive substring of the request path.
    Path(String),
}

impl Target {
    pub fn source(name: &str) -> Self {
        Self::Source(name.to_string())
    }
    pub fn kind(kind: Kind) -> Self {
        Self::Kind(kind)
    }
    pub fn path(part: &str) -> Self {
        Self::Path(part.to_string())
    }
}

/// An injected failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 403 with the service's authorization error (ARM `AuthorizationFailed` naming the action,
    /// Graph `Authorization_RequestDenied`, Entra `AADSTS` error on the token endpoint).
    Forbidden,
    /// 404 with the service's not-found error.
    NotFound,
    /// 429 with `Retry-After` (and `retry-after-ms`); combine with [`FaultRule::times`] for a
    /// storm that ends.
    Throttle { retry_after: Duration },
    /// 500 with the service's internal error body.
    ServerError,
    /// Answers only after `hang` (longer than the client's timeout).
    Timeout { hang: Duration },
    /// 200 with a body that is not JSON.
    Malformed,
    /// `Content-Length` of the full body, half of it sent, then the connection is cut.
    Truncated,
    /// A complete HTTP response whose JSON body stops mid-way.
    CutJson,
    /// List responses whose `nextLink` / `$skipToken` / `@odata.nextLink` points back at the
    /// same page, forever.
    RepeatNextLink,
    /// Any status with this JSON body (e.g. an error message that echoes a secret).
    Respond { status: u16, body: String },
    /// 200 with a list page, `{"value": [], "nextLink": null}` (`@odata.nextLink` on Graph),
    /// whatever the endpoint documents: the wrong shape where one object (or a Resource Graph
    /// result) is documented.
    PageShaped,
    /// 200 with a bare JSON array: the real answer's items (`value` or `data`), or the one
    /// object it is, wrapped in an array.
    ListBody,
    /// 200 with one object where a page is documented: the real answer's first item (an
    /// object without `value`), or a stand-in resource when the page is empty.
    ObjectBody,
    /// 200 with the real answer whose `value` (`data` on Resource Graph) is one object instead
    /// of an array; a singleton comes back as `{"value": <object>}`.
    ValueNotArray,
    /// 200 with the real answer whose items (`value` or `data`) are strings and numbers, not
    /// objects; a singleton comes back as `{"value": ["x", 1]}`.
    ScalarItems,
    /// A slow drip that never ends: the page is answered after `delay`, and its `nextLink` /
    /// `@odata.nextLink` (ARM and Graph lists) leads to the same page under a URL never seen
    /// before, so neither repeated-link detection nor anything but the page cap or a deadline
    /// stops the paging.
    EndlessPages { delay: Duration },
}

impl Fault {
    pub fn throttle_secs(secs: u64) -> Self {
        Self::Throttle {
            retry_after: Duration::from_secs(secs),
        }
    }
}

/// A fault, the requests it hits, and how often.
#[derive(Debug, Clone)]
pub struct FaultRule {
    pub target: Target,
    /// Only requests whose scope (resource id, `/subscriptions/{id}`, `/tenants/{id}`, the
    /// Resource Graph subscriptions) contains this, case-insensitively.
    pub scope: Option<String>,
    pub fault: Fault,
    /// Fire this many times, then let requests through; `None` = forever.
    pub times: Option<u32>,
    /// Let this many matching requests through before firing (e.g. fault the second page).
    pub skip: u32,
}

impl FaultRule {
    pub fn new(target: Target, fault: Fault) -> Self {
        Self {
            target,
            scope: None,
            fault,
            times: None,
            skip: 0,
        }
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = n;
        self
    }
    pub fn scope(mut self, s: &str) -> Self {
        self.scope = Some(s.to_string());
        self
    }
}

/// The federated credential trusted for client assertions, and the GitHub side minting them.
#[derive(Debug, Clone)]
pub struct Oidc {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
    /// The `ACTIONS_ID_TOKEN_REQUEST_TOKEN` the OIDC endpoint requires as its bearer.
    pub request_token: String,
}

impl Default for Oidc {
    fn default() -> Self {
        Self {
            issuer: "https://token.actions.githubusercontent.com".into(),
            subject: "repo:contoso/soc2-evidence:ref:refs/heads/main".into(),
            audience: "api://AzureADTokenExchange".into(),
            request_token: "fake-actions-request-token-5a1d".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FakeOptions {
    pub client_id: String,
    pub client_secret: String,
    /// Object id of the service principal (the `oid` of issued tokens; quotas are per it).
    pub principal_id: String,
    pub oidc: Oidc,
    pub quotas: Quotas,
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// Also listen on plain HTTP (ARM and Graph; the token endpoint is HTTPS only, as
    /// azure_identity requires).
    pub plain_http: bool,
    /// ARM list page size (`nextLink` paging); `None` = one page.
    pub arm_page_size: Option<usize>,
    /// Graph page size (`@odata.nextLink`), unless the request's `$top` is smaller.
    pub graph_page_size: usize,
    /// Resource Graph page size when the request names no `$top`.
    pub arg_default_top: usize,
    /// The most rows a Resource Graph page holds, whatever `$top` asks (the service's is 1000).
    pub arg_page_cap: usize,
    /// Activity Log page size.
    pub activity_page_size: usize,
    /// Refuse api-versions other than the ones docs/SOURCES.md documents.
    pub strict_api_versions: bool,
    /// Add what the collector must strip (`etag`, `systemData`) to ARM child payloads.
    pub volatile_fields: bool,
    pub token_lifetime: Duration,
    /// Answer `GET /directoryRoles?$expand=members` without `members` on any role, as Graph
    /// does when it does not honour the expansion; `GET /directoryRoles/{id}/members` still
    /// serves them.
    pub graph_ignores_role_expand: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            client_id: "0f5c2a1e-7b3d-4e6f-9a8b-1c2d3e4f5a6b".into(),
            client_secret: "fake-client-secret~Q8s.9vLmP2xZ".into(),
            principal_id: "6d1f2e3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a".into(),
            oidc: Oidc::default(),
            quotas: Quotas::default(),
            latency: Duration::ZERO,
            plain_http: false,
            arm_page_size: None,
            graph_page_size: 100,
            arg_default_top: 100,
            arg_page_cap: 1000,
            activity_page_size: 200,
            strict_api_versions: true,
            volatile_fields: true,
            token_lifetime: Duration::from_secs(3599),
            graph_ignores_role_expand: false,
        }
    }
}

/// Requests seen, by kind and source, and what was sent back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub token: u64,
    pub oidc: u64,
    pub metadata: u64,
    pub resource_graph: u64,
    pub subscriptions: u64,
    pub arm_subscription: u64,
    pub activity_log: u64,
    pub arm_resource: u64,
    pub graph: u64,
    pub unknown: u64,
    /// 429s sent (quota and injected).
    pub throttled: u64,
    /// 429s sent because a quota ran out.
    pub quota_throttled: u64,
    /// Requests a fault rule fired on.
    pub faults: u64,
    /// Requests per source name (`token`, `resource_graph.resources`, `arm.locks`, …).
    pub by_source: BTreeMap<String, u64>,
    /// Responses per HTTP status.
    pub by_status: BTreeMap<u16, u64>,
}

impl Counters {
    /// Requests to ARM, Resource Graph and Graph (everything but tokens and metadata).
    pub fn api_calls(&self) -> u64 {
        self.resource_graph
            + self.subscriptions
            + self.arm_subscription
            + self.activity_log
            + self.arm_resource
            + self.graph
    }
}

/// One request as the fake saw and answered it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub method: String,
    /// Path and query as received.
    pub target: String,
    pub kind: Kind,
    pub source: String,
    pub scope: String,
    pub status: u16,
    pub fault: Option<Fault>,
    /// When the response was ready, from the fake's start (timelines in the bench).
    pub at: Duration,
}

pub(crate) struct RuleState {
    rule: FaultRule,
    seen: u32,
    fired: u32,
}

pub(crate) struct State {
    pub opts: RwLock<FakeOptions>,
    pub tenant: RwLock<FakeTenant>,
    pub faults: Mutex<Vec<RuleState>>,
    pub counters: Mutex<Counters>,
    pub log: Mutex<Vec<RequestRecord>>,
    /// Resource Graph results by query and scope, so that paging through a large result
    /// evaluates the query once, not once per page (quadratic at tenant scale); cleared when
    /// the tenant changes.
    pub query_cache: Mutex<HashMap<String, Arc<Vec<serde_json::Value>>>>,
    pub quotas: Mutex<quota::QuotaState>,
    pub issued: Mutex<Vec<String>>,
    pub key: Vec<u8>,
    pub seq: AtomicU64,
    pub urls: Urls,
    pub started: std::time::Instant,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Urls {
    pub login: String,
    pub arm: String,
    pub graph: String,
    pub arm_http: Option<String>,
    pub graph_http: Option<String>,
}

impl State {
    /// The first fault rule that matches, counting it as seen/fired.
    pub fn take_fault(&self, kind: Kind, source: &str, scope: &str, path: &str) -> Option<Fault> {
        let mut rules = self.faults.lock().unwrap();
        for rs in rules.iter_mut() {
            let r = &rs.rule;
            let hit = match &r.target {
                Target::Any => true,
                Target::Kind(k) => *k == kind,
                Target::Source(s) => s == source,
                Target::Path(p) => path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()),
            } && r
                .scope
                .as_ref()
                .is_none_or(|s| scope.to_ascii_lowercase().contains(&s.to_ascii_lowercase()));
            if !hit {
                continue;
            }
            rs.seen += 1;
            if rs.seen <= r.skip {
                continue;
            }
            if r.times.is_some_and(|n| rs.fired >= n) {
                continue;
            }
            rs.fired += 1;
            return Some(r.fault.clone());
        }
        None
    }

    pub fn next_id(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// A running fake Azure. Stops (and removes its CA file) when dropped.
pub struct FakeAzure {
    state: Arc<State>,
    server: Option<server::Handle>,
    dir: tempfile::TempDir,
    ca_pem: String,
}

impl FakeAzure {
    pub fn start(tenant: FakeTenant, opts: FakeOptions) -> Self {
        let pki = tls::generate();
        let dir = tempfile::tempdir().expect("temp dir for the fake's CA");
        std::fs::write(dir.path().join("fake-azure-ca.pem"), &pki.ca_pem).expect("write CA");
        let listeners = server::bind(opts.plain_http);
        let urls = server::urls(&listeners);
        let key: Vec<u8> = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(pki.ca_pem.as_bytes());
            h.finalize().to_vec()
        };
        let state = Arc::new(State {
            opts: RwLock::new(opts),
            tenant: RwLock::new(tenant),
            faults: Mutex::new(vec![]),
            counters: Mutex::new(Counters::default()),
            log: Mutex::new(vec![]),
            query_cache: Mutex::new(HashMap::new()),
            quotas: Mutex::new(quota::QuotaState::default()),
            issued: Mutex::new(vec![]),
            key,
            seq: AtomicU64::new(1),
            urls,
            started: std::time::Instant::now(),
        });
        let server = server::spawn(state.clone(), listeners, pki.server);
        Self {
            state,
            server: Some(server),
            dir,
            ca_pem: pki.ca_pem,
        }
    }

    /// Base URL of the Entra authority host (`AZURE_AUTHORITY_HOST`), with a trailing slash.
    pub fn authority_host(&self) -> String {
        format!("{}/", self.state.urls.login)
    }
    /// Base URL of ARM and Resource Graph (HTTPS).
    pub fn arm_url(&self) -> String {
        self.state.urls.arm.clone()
    }
    /// Base URL of Microsoft Graph (HTTPS); the API lives below `/v1.0`.
    pub fn graph_url(&self) -> String {
        self.state.urls.graph.clone()
    }
    /// Plain-HTTP ARM base, when started with `plain_http`.
    pub fn arm_http_url(&self) -> Option<String> {
        self.state.urls.arm_http.clone()
    }
    pub fn graph_http_url(&self) -> Option<String> {
        self.state.urls.graph_http.clone()
    }
    /// The GitHub Actions `ACTIONS_ID_TOKEN_REQUEST_URL` (the client appends `&audience=`).
    pub fn oidc_request_url(&self) -> String {
        format!("{}/_actions/idtoken?api-version=2.0", self.state.urls.login)
    }
    /// The test CA (PEM) the fake's certificates chain to.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
    pub fn ca_path(&self) -> PathBuf {
        self.dir.path().join("fake-azure-ca.pem")
    }
    pub fn tenant_id(&self) -> String {
        self.state.tenant.read().unwrap().tenant_id.clone()
    }
    pub fn options(&self) -> FakeOptions {
        self.state.opts.read().unwrap().clone()
    }

    /// Changes options while running (quotas, latency, page sizes, …).
    pub fn configure(&self, f: impl FnOnce(&mut FakeOptions)) {
        f(&mut self.state.opts.write().unwrap());
    }

    /// Changes the served tenant while running.
    pub fn update_tenant(&self, f: impl FnOnce(&mut FakeTenant)) {
        f(&mut self.state.tenant.write().unwrap());
        self.state.query_cache.lock().unwrap().clear();
    }

    /// The environment the CLI needs for the client secret credential.
    pub fn env(&self) -> Vec<(String, String)> {
        let o = self.options();
        let mut env = self.common_env();
        env.push(("AZURE_CLIENT_ID".into(), o.client_id));
        env.push(("AZURE_CLIENT_SECRET".into(), o.client_secret));
        env
    }

    /// The environment of a GitHub Actions job with `id-token: write` (no client secret).
    pub fn env_oidc(&self) -> Vec<(String, String)> {
        let o = self.options();
        let mut env = self.common_env();
        env.push(("AZURE_CLIENT_ID".into(), o.client_id));
        env.push(("GITHUB_ACTIONS".into(), "true".into()));
        env.push((
            "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
            self.oidc_request_url(),
        ));
        env.push((
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(),
            o.oidc.request_token.clone(),
        ));
        env
    }

    /// Writes a federated token (as a Kubernetes workload identity would) and returns the
    /// environment pointing at it (`AZURE_FEDERATED_TOKEN_FILE`).
    pub fn env_federated_file(&self) -> Vec<(String, String)> {
        let o = self.options();
        let token = self.mint_oidc_token(&o.oidc.audience);
        let path = self.dir.path().join("federated-token");
        std::fs::write(&path, token).expect("write federated token");
        let mut env = self.common_env();
        env.push(("AZURE_CLIENT_ID".into(), o.client_id));
        env.push((
            "AZURE_FEDERATED_TOKEN_FILE".into(),
            path.display().to_string(),
        ));
        env
    }

    /// The environment names `env()` and friends set: remove them from a child process's
    /// inherited environment first so an outer CI's real Azure settings never leak in.
    pub const ENV_NAMES: [&'static str; 12] = [
        "AZURE_AUTHORITY_HOST",
        "SOC2_EVIDENCE_ARM_ENDPOINT",
        "SOC2_EVIDENCE_GRAPH_ENDPOINT",
        "SSL_CERT_FILE",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "GITHUB_ACTIONS",
        "IDENTITY_ENDPOINT",
    ];

    fn common_env(&self) -> Vec<(String, String)> {
        vec![
            ("AZURE_AUTHORITY_HOST".into(), self.authority_host()),
            ("SOC2_EVIDENCE_ARM_ENDPOINT".into(), self.arm_url()),
            ("SOC2_EVIDENCE_GRAPH_ENDPOINT".into(), self.graph_url()),
            ("SSL_CERT_FILE".into(), self.ca_path().display().to_string()),
            ("AZURE_TENANT_ID".into(), self.tenant_id()),
        ]
    }

    /// A GitHub OIDC token as the Actions endpoint would mint it.
    pub fn mint_oidc_token(&self, audience: &str) -> String {
        routes::mint_oidc(&self.state, audience)
    }

    pub fn inject(&self, rule: FaultRule) {
        self.state.faults.lock().unwrap().push(RuleState {
            rule,
            seen: 0,
            fired: 0,
        });
    }

    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// How often each injected rule fired, in injection order.
    pub fn faults_fired(&self) -> Vec<u32> {
        self.state
            .faults
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.fired)
            .collect()
    }

    pub fn counters(&self) -> Counters {
        self.state.counters.lock().unwrap().clone()
    }

    pub fn reset_counters(&self) {
        *self.state.counters.lock().unwrap() = Counters::default();
        self.state.log.lock().unwrap().clear();
    }

    /// Resets the quota windows and buckets (a fresh principal, as it were).
    pub fn reset_quotas(&self) {
        *self.state.quotas.lock().unwrap() = quota::QuotaState::default();
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.lock().unwrap().clone()
    }

    /// Requests the fake does not serve (a path or method the collector should not use).
    pub fn unknown_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| r.kind == Kind::Unknown)
            .collect()
    }

    /// Every access token and GitHub OIDC token issued so far: none may appear in output, logs
    /// or evidence.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.issued.lock().unwrap().clone()
    }

    /// A plain-text dump of the request log, for assertion messages.
    pub fn dump_requests(&self) -> String {
        self.requests()
            .iter()
            .map(|r| {
                format!(
                    "{} {} -> {} [{:?} {}{}]",
                    r.method,
                    r.target,
                    r.status,
                    r.kind,
                    r.source,
                    r.fault
                        .as_ref()
                        .map(|f| format!(", fault {f:?}"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for FakeAzure {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}
