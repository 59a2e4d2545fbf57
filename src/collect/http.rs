//! The collector's HTTP layer: one reqwest client (rustls, system roots plus an optional extra
//! root CA), a timeout on every request, bounded concurrency, bounded retries with exponential
//! backoff and jitter on 5xx, 408, timeouts and connection errors, `Retry-After` on 429/503,
//! proactive slow-down from the quota headers (Resource Graph `x-ms-user-quota-*`, ARM
//! `x-ms-ratelimit-remaining-subscription-reads`), per-kind call counts, and list paging
//! (`nextLink`, `@odata.nextLink`) with a page cap and repeated-link detection. Bodies are
//! checked against the shape the call documents (`shape`): `get_object` for one object,
//! `get_list`/`get_list_of` for pages.
//!
//! Every failure comes back as a [`Failure`] the caller turns into a named gap; nothing here
//! panics on a response, and no body or token is ever logged.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::{debug, info};
use url::Url;

use super::auth::Tokens;
use super::deadline::{Bound, Deadline};
use super::endpoints::{Endpoints, origin, same_origin};
use super::redact::redact_str;
use super::retry::{
    ARM_BURST, ARM_REFILL_INTERVAL, CallKind, Counters, Decision, Jitter, Outcome, RG_LOW_WATER,
    RetryPolicy, Rng, decide, parse_hms, parse_retry_after,
};
use super::shape::{self, Field};

/// Calls made on behalf of one source (its provenance `calls`), and when its first request was
/// sent (the start of its deadline).
#[derive(Debug, Default)]
pub(crate) struct Meter {
    calls: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

impl Meter {
    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Starts the source's deadline (its first request is being sent, or queued in the
    /// source's own pipeline); later calls keep the first start.
    pub(crate) fn start(&self) {
        self.started.get_or_init(Instant::now);
    }

    /// The source's deadline, `limit` after its first request; `None` before that request.
    /// Time spent queued behind other sources' requests (the in-flight limit is shared) does
    /// not count against a source that has not started: only the run's deadline bounds it.
    fn source_deadline(&self, limit: Duration) -> Option<Deadline> {
        let started = self.started.get()?;
        Some(Deadline::new(Bound::Source, *started, limit))
    }
}

/// Why a request or a paged read did not give its data. Rendered into gap reasons.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    Status {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        attempts: u32,
    },
    Timeout {
        attempts: u32,
        each: Duration,
    },
    Connection {
        attempts: u32,
        detail: String,
    },
    Truncated {
        attempts: u32,
        detail: String,
    },
    Malformed {
        detail: String,
    },
    Token {
        detail: String,
    },
    PageCap {
        cap: u32,
    },
    RepeatedLink {
        page: u32,
    },
    ForeignLink {
        origin: String,
    },
    BadLink {
        link: String,
    },
    /// A 2xx body whose shape is not the one the endpoint documents (see `shape`).
    Shape {
        /// `GET /path` (no query string) or `POST /path`.
        endpoint: String,
        expected: String,
        got: String,
    },
    Invalid {
        detail: String,
    },
    /// A deadline passed before the read was done: no request was started after it, and a
    /// request or wait in progress was cut at it.
    Deadline {
        deadline: Deadline,
        /// Attempts sent before it passed (0: the read never started).
        attempts: u32,
        /// What the last attempt ended with, when it ended before the deadline.
        last: Option<Box<Failure>>,
    },
}

impl Failure {
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The gap reason, without a permission hint.
    pub(crate) fn describe(&self) -> String {
        let tries = |n: &u32| {
            if *n == 1 {
                String::new()
            } else {
                format!(" after {n} attempts")
            }
        };
        let text = match self {
            Failure::Status {
                status,
                code,
                message,
                attempts,
            } => {
                let mut s = format!("HTTP {status}");
                if let Some(c) = code {
                    s.push(' ');
                    s.push_str(c);
                }
                s.push_str(&tries(attempts));
                if let Some(m) = message {
                    s.push_str(": ");
                    s.push_str(m);
                }
                s
            }
            Failure::Timeout { attempts, each } => format!(
                "timed out{} ({} s per attempt)",
                tries(attempts),
                each.as_secs_f64()
            ),
            Failure::Connection { attempts, detail } => {
                format!("connection failed{}: {detail}", tries(attempts))
            }
            Failure::Truncated { attempts, detail } => {
                format!("truncated response body{}: {detail}", tries(attempts))
            }
            Failure::Malformed { detail } => format!("malformed JSON in the response: {detail}"),
            Failure::Token { detail } => format!("could not get an access token: {detail}"),
            Failure::PageCap { cap } => {
                format!("stopped at the page cap of {cap} pages; more results exist")
            }
            Failure::RepeatedLink { page } => format!(
                "the service repeated a paging link after page {page}; results are incomplete"
            ),
            Failure::ForeignLink { origin } => {
                format!("paging link points to another host ({origin}); not followed")
            }
            Failure::BadLink { link } => {
                let short: String = link.chars().take(80).collect();
                format!("paging link is not a usable URL ({short:?}); not followed")
            }
            Failure::Shape {
                endpoint,
                expected,
                got,
            } => {
                format!("unexpected response shape from {endpoint}: expected {expected}, got {got}")
            }
            Failure::Invalid { detail } => detail.clone(),
            Failure::Deadline {
                deadline,
                attempts,
                last,
            } => {
                let mut s = format!("{} reached before this was read", deadline.describe());
                match (attempts, last) {
                    (0, _) => {}
                    (n, Some(f)) => s.push_str(&format!(
                        "; {n} attempt(s) made, the last: {}",
                        f.describe()
                    )),
                    (n, None) => s.push_str(&format!(
                        "; {n} attempt(s) made, the last still unanswered when it passed"
                    )),
                }
                s
            }
        };
        redact_str(&text)
    }
}

/// A shape mismatch of the answer to `method url`, naming the endpoint by its path (the
/// query string, with its filters and tokens, stays out of gap reasons).
pub(crate) fn shape_failure(method: &str, url: &Url, m: shape::Mismatch) -> Failure {
    Failure::Shape {
        endpoint: format!("{method} {}", url.path()),
        expected: m.expected,
        got: m.got,
    }
}

/// The result of a paged list read: what was read, and why it stopped early if it did.
#[derive(Debug, Default)]
pub(crate) struct Paged {
    pub items: Vec<Value>,
    pub pages: u32,
    pub failure: Option<Failure>,
}

/// Builds the one reqwest client of a collection (also used for token requests).
pub(crate) fn build_client(
    timeout: Duration,
    extra_root_ca: Option<&Path>,
) -> Result<reqwest::Client, String> {
    // reqwest is built without a default crypto provider: install ring once per process (an
    // already-installed provider, e.g. a test server's, is kept).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        // Paging links are followed explicitly; a redirect must never carry a token elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("soc2-evidence/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = extra_root_ca {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the root CA file {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("{}: not a PEM certificate bundle: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!("{}: no certificate in the file", path.display()));
        }
        b = b.tls_certs_merge(certs);
    }
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Shared state of one collection's HTTP traffic.
pub(crate) struct Http {
    client: reqwest::Client,
    policy: RetryPolicy,
    timeout: Duration,
    permits: Semaphore,
    /// Held by ARM fan-out reads (per subscription, per resource) before `permits`: they may
    /// take all but an eighth (at least one) of the in-flight slots, so Resource Graph and
    /// Graph pages, each a serial chain that the fan-out depends on or runs beside, never
    /// queue behind thousands of ARM reads.
    fanout: Semaphore,
    counters: Arc<Counters>,
    rng: std::sync::Mutex<Rng>,
    gates: std::sync::Mutex<HashMap<Gate, Instant>>,
    /// A client-side estimate of each subscription's ARM read bucket (documented 250 burst,
    /// 25/s refill): every read reserves a token before it is sent, so requests in flight
    /// together never overrun the quota, whatever the concurrency.
    buckets: std::sync::Mutex<HashMap<Gate, (f64, Instant)>>,
    tokens: Arc<Tokens>,
    pub(crate) endpoints: Endpoints,
    pub(crate) concurrency: usize,
    /// The collection's deadline (see [`super::deadline`]).
    run_deadline: Deadline,
    /// Each source's deadline, from its first request.
    source_limit: Duration,
}

/// The budget a request waits on before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Gate {
    ResourceGraph,
    Graph,
    Tenant,
    Subscription(String),
}

/// The subscription id in an ARM path (`/subscriptions/{id}/…`, any case).
fn subscription_of(url: &Url) -> Option<String> {
    let mut segs = url.path_segments()?;
    while let Some(s) = segs.next() {
        if s.eq_ignore_ascii_case("subscriptions") {
            return segs
                .next()
                .filter(|id| !id.is_empty())
                .map(str::to_ascii_lowercase);
        }
    }
    None
}

fn gate_of(kind: CallKind, url: &Url) -> Gate {
    match kind {
        CallKind::ResourceGraph => Gate::ResourceGraph,
        CallKind::Graph => Gate::Graph,
        CallKind::ArmSubscription | CallKind::ArmResource => {
            subscription_of(url).map_or(Gate::Tenant, Gate::Subscription)
        }
    }
}

enum Attempt {
    Done {
        status: u16,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
    },
    SendError(reqwest::Error),
    BodyError(reqwest::Error),
}

/// The error and its sources, without the URL, on one line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = vec![];
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = err.source();
    }
    // reqwest's own line names the URL; the URL is in the gap's scope already.
    parts
        .into_iter()
        .map(|p| match p.find(" for url (") {
            Some(i) => p[..i].to_string(),
            None => p,
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn header_u64(h: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn header_str<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)?.to_str().ok()
}

/// `{"error": {"code", "message"}}` (ARM and Graph), tolerating anything else.
fn error_of(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return (None, None);
    };
    let e = v.get("error").unwrap_or(&v);
    let text = |k: &str| {
        e.get(k).and_then(Value::as_str).map(|s| {
            let short: String = s.chars().take(400).collect();
            redact_str(&short)
        })
    };
    (text("code"), text("message"))
}

impl Http {
    pub(crate) fn new(
        client: reqwest::Client,
        endpoints: Endpoints,
        policy: RetryPolicy,
        timeout: Duration,
        concurrency: usize,
        counters: Arc<Counters>,
        tokens: Arc<Tokens>,
    ) -> Self {
        let seed = match policy.jitter {
            Jitter::Seeded(s) => s,
            Jitter::None => 0,
        };
        Self {
            client,
            timeout,
            permits: Semaphore::new(concurrency.max(1)),
            fanout: Semaphore::new(concurrency.saturating_sub((concurrency / 8).max(1)).max(1)),
            counters,
            rng: std::sync::Mutex::new(Rng::new(seed)),
            gates: std::sync::Mutex::new(HashMap::new()),
            buckets: std::sync::Mutex::new(HashMap::new()),
            tokens,
            endpoints,
            concurrency: concurrency.max(1),
            policy,
            run_deadline: Deadline::new(Bound::Run, Instant::now(), super::DEFAULT_RUN_DEADLINE),
            source_limit: super::DEFAULT_SOURCE_DEADLINE,
        }
    }

    /// Bounds every request by `run` and by a deadline of `source_limit` per source.
    pub(crate) fn with_deadlines(mut self, run: Deadline, source_limit: Duration) -> Self {
        self.run_deadline = run;
        self.source_limit = source_limit;
        self
    }

    /// The run's deadline once it has passed: a source with nothing to request (its input was
    /// not collected) still reports the deadline that stopped the run.
    pub(crate) fn run_deadline_passed(&self) -> Option<Deadline> {
        self.run_deadline
            .passed(Instant::now())
            .then_some(self.run_deadline)
    }

    /// The deadline of a request made for the source `meter` counts: the earlier of the run's
    /// and, once the source has sent its first request, the source's.
    fn deadline_for(&self, meter: &Meter) -> Deadline {
        match meter.source_deadline(self.source_limit) {
            Some(source) => source.earliest(self.run_deadline),
            None => self.run_deadline,
        }
    }

    async fn wait_gate(&self, gate: &Gate) {
        loop {
            let until = self
                .gates
                .lock()
                .map(|g| g.get(gate).copied())
                .unwrap_or(None);
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    /// Reserves one ARM read of a subscription's bucket and waits until it is due.
    async fn reserve_read(&self, gate: &Gate) {
        if !matches!(gate, Gate::Subscription(_)) {
            return;
        }
        let wait = {
            let Ok(mut b) = self.buckets.lock() else {
                return;
            };
            let now = Instant::now();
            let e = b.entry(gate.clone()).or_insert((ARM_BURST, now));
            let refill = now.duration_since(e.1).as_secs_f64() / ARM_REFILL_INTERVAL.as_secs_f64();
            e.0 = (e.0 + refill).min(ARM_BURST) - 1.0;
            e.1 = now;
            (e.0 < 0.0).then(|| ARM_REFILL_INTERVAL.mul_f64(-e.0))
        };
        if let Some(w) = wait {
            tokio::time::sleep(w).await;
        }
    }

    /// Lowers a subscription's bucket estimate to what the service says is left.
    fn sync_bucket(&self, gate: &Gate, left: u64) {
        if let Ok(mut b) = self.buckets.lock()
            && let Some(e) = b.get_mut(gate)
            && (left as f64) < e.0
        {
            e.0 = left as f64;
        }
    }

    fn close_gate_for(&self, gate: &Gate, pause: Duration) {
        let pause = pause.min(self.policy.retry_after_cap);
        let Some(until) = Instant::now().checked_add(pause) else {
            return;
        };
        if let Ok(mut g) = self.gates.lock() {
            let e = g.entry(gate.clone()).or_insert(until);
            if *e < until {
                *e = until;
            }
        }
    }

    /// Slows down before a quota is gone, from the headers of a response.
    fn observe_quota(&self, gate: &Gate, h: &reqwest::header::HeaderMap) {
        match gate {
            Gate::ResourceGraph => {
                if let Some(left) = header_u64(h, "x-ms-user-quota-remaining")
                    && left <= RG_LOW_WATER
                {
                    let pause = header_str(h, "x-ms-user-quota-resets-after")
                        .and_then(parse_hms)
                        .unwrap_or(Duration::from_secs(1));
                    debug!(left, ?pause, "Resource Graph quota nearly used; pausing");
                    self.close_gate_for(gate, pause);
                }
            }
            Gate::Subscription(_) => {
                // The bucket estimate paces every read (see `reserve_read`); the service's count
                // only ever lowers it (another client on the same principal).
                if let Some(left) = header_u64(h, "x-ms-ratelimit-remaining-subscription-reads") {
                    self.sync_bucket(gate, left);
                }
            }
            Gate::Graph | Gate::Tenant => {}
        }
    }

    async fn attempt(
        &self,
        method: &reqwest::Method,
        url: &Url,
        body: Option<&[u8]>,
        token: &str,
    ) -> Attempt {
        let mut req = self
            .client
            .request(method.clone(), url.clone())
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::SendError(e),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        match resp.bytes().await {
            Ok(b) => Attempt::Done {
                status,
                headers,
                body: b.to_vec(),
            },
            Err(e) => Attempt::BodyError(e),
        }
    }

    /// Sends one request with retries and returns the JSON body of a 2xx response.
    ///
    /// Bounded by the deadline of the request's source (the one `meter` counts for) and of the
    /// run: no attempt starts once it has passed, every wait (a quota pause, the request
    /// limiter, a token, a backoff or `Retry-After`) and every attempt's timeout is cut to what
    /// is left, and the read then fails with [`Failure::Deadline`].
    pub(crate) async fn send(
        &self,
        kind: CallKind,
        method: reqwest::Method,
        url: &Url,
        body: Option<&Value>,
        meter: &Meter,
    ) -> Result<Value, Failure> {
        let gate = gate_of(kind, url);
        let scope = match kind {
            CallKind::Graph => self.endpoints.graph_scope(),
            _ => self.endpoints.arm_scope(),
        };
        let body = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        let mut attempts = 0u32;
        let mut last: Option<Failure> = None;
        loop {
            let deadline = self.deadline_for(meter);
            let (sent, last_failure) = (attempts, last.take());
            let cut = move |deadline: Deadline| {
                let f = Failure::Deadline {
                    deadline,
                    attempts: sent,
                    last: last_failure.map(Box::new),
                };
                info!(path = url.path(), reason = %f.describe(), "request stopped by a deadline");
                f
            };
            if deadline.passed(Instant::now()) {
                return Err(cut(deadline));
            }
            let ready = tokio::time::timeout_at(deadline.at, async {
                self.wait_gate(&gate).await;
                self.reserve_read(&gate).await;
            })
            .await;
            if ready.is_err() {
                return Err(cut(deadline));
            }
            let token = match tokio::time::timeout_at(deadline.at, self.tokens.token(&scope)).await
            {
                Ok(t) => t.map_err(|e| Failure::Token {
                    detail: e.to_string(),
                })?,
                Err(_) => return Err(cut(deadline)),
            };
            let outcome;
            let mut failure_detail = String::new();
            let mut error_body = (None, None);
            {
                let limiter_closed = || Failure::Invalid {
                    detail: "request limiter closed".into(),
                };
                let _fanout = match kind {
                    CallKind::ArmResource | CallKind::ArmSubscription => {
                        match tokio::time::timeout_at(deadline.at, self.fanout.acquire()).await {
                            Ok(p) => Some(p.map_err(|_| limiter_closed())?),
                            Err(_) => return Err(cut(deadline)),
                        }
                    }
                    CallKind::ResourceGraph | CallKind::Graph => None,
                };
                let _permit =
                    match tokio::time::timeout_at(deadline.at, self.permits.acquire()).await {
                        Ok(p) => p.map_err(|_| limiter_closed())?,
                        Err(_) => return Err(cut(deadline)),
                    };
                // The request goes out now: its source's deadline runs from here if it is the
                // source's first.
                meter.start();
                let deadline = self.deadline_for(meter);
                let (limit, cut_short) = deadline.attempt_timeout(self.timeout, Instant::now());
                if limit.is_zero() {
                    // The source's deadline passed while this request queued for a slot.
                    return Err(cut(deadline));
                }
                attempts += 1;
                self.counters.add(kind);
                meter.calls.fetch_add(1, Ordering::Relaxed);
                if attempts > 1 {
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                }
                debug!(method = %method, path = url.path(), attempt = attempts, "request");
                let result = tokio::time::timeout(
                    limit,
                    self.attempt(&method, url, body.as_deref(), token.expose_secret()),
                )
                .await;
                if result.is_err() && cut_short {
                    let f = Failure::Deadline {
                        deadline,
                        attempts,
                        last: None,
                    };
                    info!(path = url.path(), reason = %f.describe(), "request stopped by a deadline");
                    return Err(f);
                }
                outcome = match result {
                    Err(_) => Outcome::Timeout,
                    Ok(Attempt::SendError(e)) if e.is_timeout() => Outcome::Timeout,
                    Ok(Attempt::SendError(e)) => {
                        failure_detail = error_chain(&e);
                        Outcome::Connect
                    }
                    Ok(Attempt::BodyError(e)) if e.is_timeout() => Outcome::Timeout,
                    Ok(Attempt::BodyError(e)) => {
                        failure_detail = error_chain(&e);
                        Outcome::Body
                    }
                    Ok(Attempt::Done {
                        status,
                        headers,
                        body,
                    }) => {
                        self.observe_quota(&gate, &headers);
                        if (200..300).contains(&status) {
                            if body.iter().all(u8::is_ascii_whitespace) {
                                return Ok(Value::Null);
                            }
                            return serde_json::from_slice(&body).map_err(|e| Failure::Malformed {
                                detail: e.to_string(),
                            });
                        }
                        let retry_after = header_str(&headers, "retry-after")
                            .and_then(|v| parse_retry_after(v, Utc::now()));
                        if status == 429 {
                            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                            // Everyone on this budget waits, not only this request.
                            let pause = retry_after.unwrap_or(self.policy.backoff_base);
                            self.close_gate_for(&gate, pause);
                        }
                        error_body = error_of(&body);
                        Outcome::Status {
                            status,
                            retry_after,
                        }
                    }
                };
            }
            let decision = {
                let mut rng = match self.rng.lock() {
                    Ok(r) => r,
                    Err(p) => p.into_inner(),
                };
                decide(&self.policy, attempts, &outcome, &mut rng)
            };
            let failure = |attempts: u32| match &outcome {
                Outcome::Status { status, .. } => Failure::Status {
                    status: *status,
                    code: error_body.0.clone(),
                    message: error_body.1.clone(),
                    attempts,
                },
                Outcome::Timeout => Failure::Timeout {
                    attempts,
                    each: self.timeout,
                },
                Outcome::Connect => Failure::Connection {
                    attempts,
                    detail: failure_detail.clone(),
                },
                Outcome::Body => Failure::Truncated {
                    attempts,
                    detail: failure_detail.clone(),
                },
            };
            match decision {
                Decision::Retry(delay) => {
                    debug!(path = url.path(), ?outcome, ?delay, "retrying");
                    last = Some(failure(1));
                    // A wait into the deadline is cut at it; the loop then stops, naming it.
                    let deadline = self.deadline_for(meter);
                    tokio::time::sleep(deadline.cut_wait(delay, Instant::now())).await;
                }
                Decision::Stop => {
                    let f = failure(attempts);
                    info!(path = url.path(), reason = %f.describe(), "request failed");
                    return Err(f);
                }
            }
        }
    }

    pub(crate) async fn get(
        &self,
        kind: CallKind,
        url: &Url,
        meter: &Meter,
    ) -> Result<Value, Failure> {
        self.send(kind, reqwest::Method::GET, url, None, meter)
            .await
    }

    /// Reads one object: a body that is not one object with the `required` fields (a page,
    /// a list, an empty body) is a [`Failure::Shape`] naming the endpoint.
    pub(crate) async fn get_object(
        &self,
        kind: CallKind,
        url: &Url,
        required: &[Field],
        meter: &Meter,
    ) -> Result<Value, Failure> {
        let body = self.get(kind, url, meter).await?;
        shape::object(&body, required).map_err(|m| shape_failure("GET", url, m))?;
        Ok(body)
    }

    /// Reads every page of a list (`value` + `link_field`), following links only on the
    /// origin of `first`, at most `page_cap` pages, stopping at a repeated link.
    pub(crate) async fn get_list(
        &self,
        kind: CallKind,
        first: Url,
        link_field: &str,
        page_cap: u32,
        meter: &Meter,
    ) -> Paged {
        self.get_list_of(kind, first, link_field, &[], page_cap, meter)
            .await
    }

    /// [`Http::get_list`] whose items must each be an object with `item_fields`. A page of
    /// another shape (not an object, no `value` array, an item that is not such an object)
    /// stops the read with a [`Failure::Shape`]; the earlier pages are kept.
    pub(crate) async fn get_list_of(
        &self,
        kind: CallKind,
        first: Url,
        link_field: &str,
        item_fields: &[Field],
        page_cap: u32,
        meter: &Meter,
    ) -> Paged {
        let mut out = Paged::default();
        let mut seen = HashSet::new();
        let mut url = first.clone();
        seen.insert(url.to_string());
        loop {
            if out.pages >= page_cap {
                out.failure = Some(Failure::PageCap { cap: page_cap });
                return out;
            }
            let body = match self.get(kind, &url, meter).await {
                Ok(b) => b,
                Err(f) => {
                    out.failure = Some(f);
                    return out;
                }
            };
            out.pages += 1;
            let next = match shape::page(body, link_field, item_fields) {
                Ok((items, next)) => {
                    out.items.extend(items);
                    next
                }
                Err(m) => {
                    out.failure = Some(shape_failure("GET", &url, m));
                    return out;
                }
            };
            let next = match next {
                None | Some(Value::Null) => return out,
                Some(Value::String(s)) if s.trim().is_empty() => return out,
                Some(Value::String(s)) => s,
                Some(other) => {
                    out.failure = Some(Failure::BadLink {
                        link: other.to_string(),
                    });
                    return out;
                }
            };
            let next_url = match Url::parse(&next) {
                Ok(u) if u.scheme() == "https" || u.scheme() == "http" => u,
                _ => {
                    out.failure = Some(Failure::BadLink { link: next });
                    return out;
                }
            };
            if !same_origin(&first, &next_url) {
                out.failure = Some(Failure::ForeignLink {
                    origin: origin(&next_url),
                });
                return out;
            }
            if !seen.insert(next_url.to_string()) {
                out.failure = Some(Failure::RepeatedLink { page: out.pages });
                return out;
            }
            url = next_url;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    #[test]
    fn subscription_ids_in_paths_any_case() {
        let u = Url::parse("https://m.test/Subscriptions/ABC/resourceGroups/x").unwrap();
        assert_eq!(subscription_of(&u).as_deref(), Some("abc"));
        let t = Url::parse("https://m.test/subscriptions?api-version=1").unwrap();
        assert_eq!(subscription_of(&t), None);
        assert_eq!(gate_of(CallKind::ArmResource, &t), Gate::Tenant);
    }

    #[test]
    fn failures_read_as_gap_reasons() {
        let f = Failure::Status {
            status: 403,
            code: Some("AuthorizationFailed".into()),
            message: Some("no read".into()),
            attempts: 1,
        };
        assert_eq!(f.describe(), "HTTP 403 AuthorizationFailed: no read");
        let f = Failure::Status {
            status: 503,
            code: None,
            message: None,
            attempts: 4,
        };
        assert_eq!(f.describe(), "HTTP 503 after 4 attempts");
        let f = Failure::Timeout {
            attempts: 2,
            each: Duration::from_millis(1500),
        };
        assert_eq!(
            f.describe(),
            "timed out after 2 attempts (1.5 s per attempt)"
        );
    }

    /// A tiny loopback HTTP/1.1 server for the HTTP layer's own tests: each request is
    /// answered by `reply(method, path_and_query, nth_request)` and the connection closed.
    pub(crate) mod stub {
        use std::sync::{Arc, Mutex};

        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        pub(crate) struct Reply {
            pub status: u16,
            pub headers: Vec<(&'static str, String)>,
            pub body: String,
            /// Wait this long before answering (timeouts).
            pub delay: std::time::Duration,
        }

        pub(crate) fn ok(body: &str) -> Reply {
            status(200, body)
        }

        pub(crate) fn status(status: u16, body: &str) -> Reply {
            Reply {
                status,
                headers: vec![],
                body: body.to_string(),
                delay: std::time::Duration::ZERO,
            }
        }

        pub(crate) type Handler = dyn Fn(&str, &str, usize) -> Reply + Send + Sync;

        pub(crate) struct Stub {
            pub base: String,
            pub seen: Arc<Mutex<Vec<String>>>,
        }

        pub(crate) async fn serve(handler: Arc<Handler>) -> Stub {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let seen: Arc<Mutex<Vec<String>>> = Arc::default();
            let log = seen.clone();
            tokio::spawn(async move {
                while let Ok((mut sock, _)) = listener.accept().await {
                    let handler = handler.clone();
                    let log = log.clone();
                    tokio::spawn(async move {
                        let mut buf = vec![];
                        let mut chunk = [0u8; 4096];
                        let head_end = loop {
                            let Ok(n) = sock.read(&mut chunk).await else {
                                return;
                            };
                            if n == 0 {
                                return;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        while buf.len() < head_end + len {
                            let Ok(n) = sock.read(&mut chunk).await else {
                                return;
                            };
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        let mut first = head.lines().next().unwrap_or("").split(' ');
                        let method = first.next().unwrap_or("").to_string();
                        let target = first.next().unwrap_or("").to_string();
                        let nth = {
                            let mut l = log.lock().unwrap();
                            l.push(format!("{method} {target}"));
                            l.len() - 1
                        };
                        let r = handler(&method, &target, nth);
                        tokio::time::sleep(r.delay).await;
                        let mut out = format!(
                            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                            r.status,
                            r.body.len()
                        );
                        for (k, v) in &r.headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&r.body);
                        let _ = sock.write_all(out.as_bytes()).await;
                        let _ = sock.shutdown().await;
                    });
                }
            });
            Stub { base, seen }
        }
    }

    #[derive(Debug)]
    struct StaticToken;

    #[async_trait::async_trait]
    impl azure_core::credentials::TokenCredential for StaticToken {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            Ok(azure_core::credentials::AccessToken::new(
                "stub-token",
                azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
            ))
        }
    }

    /// An [`Http`] against a stub, with fast retries.
    async fn client(handler: Arc<stub::Handler>) -> (Http, stub::Stub, Arc<Counters>) {
        let stub = stub::serve(handler).await;
        let endpoints = Endpoints::new("https://login.test", &stub.base, &stub.base).unwrap();
        let policy = RetryPolicy {
            max_attempts: 3,
            backoff_base: Duration::from_millis(2),
            backoff_cap: Duration::from_millis(10),
            retry_after_cap: Duration::from_millis(300),
            jitter: Jitter::None,
        };
        let timeout = Duration::from_millis(300);
        let counters = Arc::new(Counters::default());
        let c = build_client(timeout, None).unwrap();
        let auth = super::super::AuthOptions {
            credential: Some(Arc::new(StaticToken)),
            ..Default::default()
        };
        let tokens = Arc::new(
            Tokens::build(
                &auth,
                &endpoints.authority_host,
                c.clone(),
                counters.clone(),
                &policy,
                timeout,
            )
            .unwrap(),
        );
        let http = Http::new(c, endpoints, policy, timeout, 4, counters.clone(), tokens);
        (http, stub, counters)
    }

    fn url(stub: &stub::Stub, path: &str) -> Url {
        Url::parse(&format!("{}{path}", stub.base)).unwrap()
    }

    #[tokio::test]
    async fn lists_follow_next_links_on_the_same_host() {
        let base = Arc::new(Mutex::new(String::new()));
        let b = base.clone();
        let (http, stub, counters) = client(Arc::new(move |_, target: &str, _| {
            let next = |p: &str| format!("{}/list?page={p}", b.lock().unwrap());
            match target {
                "/list" => stub::ok(&format!(
                    r#"{{"value":[{{"n":1}},{{"n":2}}],"nextLink":"{}"}}"#,
                    next("2")
                )),
                "/list?page=2" => stub::ok(&format!(
                    r#"{{"value":[{{"n":3}}],"nextLink":"{}"}}"#,
                    next("3")
                )),
                _ => stub::ok(r#"{"value":[{"n":4}],"nextLink":null}"#),
            }
        }))
        .await;
        *base.lock().unwrap() = stub.base.clone();
        let meter = Meter::default();
        let p = http
            .get_list(
                CallKind::ArmSubscription,
                url(&stub, "/list"),
                "nextLink",
                10,
                &meter,
            )
            .await;
        assert_eq!(p.failure, None);
        assert_eq!(
            p.items,
            vec![
                json!({"n": 1}),
                json!({"n": 2}),
                json!({"n": 3}),
                json!({"n": 4})
            ]
        );
        assert_eq!((p.pages, meter.calls()), (3, 3));
        assert_eq!(counters.snapshot().arm_subscription, 3);
        // The token went along, as a bearer.
        assert_eq!(stub.seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn paging_stops_with_a_named_reason() {
        let base = Arc::new(Mutex::new(String::new()));
        let b = base.clone();
        let (http, stub, _) = client(Arc::new(move |_, target: &str, _| {
            let me = format!("{}{target}", b.lock().unwrap());
            match target {
                "/repeat" => stub::ok(&format!(r#"{{"value":[{{}}],"nextLink":"{me}"}}"#)),
                "/foreign" => stub::ok(r#"{"value":[{}],"nextLink":"https://elsewhere.test/x"}"#),
                "/dots" => stub::ok(r#"{"value":[{}],"nextLink":"..."}"#),
                "/novalue" => stub::ok(r#"{"items":[]}"#),
                _ => stub::ok(&format!(r#"{{"value":[{{}}],"nextLink":"{me}x"}}"#)),
            }
        }))
        .await;
        *base.lock().unwrap() = stub.base.clone();
        let list = |path: &str, cap: u32| {
            let u = url(&stub, path);
            let http = &http;
            async move {
                http.get_list(CallKind::Graph, u, "nextLink", cap, &Meter::default())
                    .await
            }
        };
        let p = list("/repeat", 10).await;
        assert_eq!(p.failure, Some(Failure::RepeatedLink { page: 1 }));
        assert_eq!(p.items.len(), 1);
        let p = list("/grow", 3).await;
        assert_eq!(p.failure, Some(Failure::PageCap { cap: 3 }));
        assert_eq!(p.items.len(), 3);
        let p = list("/foreign", 10).await;
        assert!(
            matches!(p.failure, Some(Failure::ForeignLink { .. })),
            "{p:?}"
        );
        let p = list("/dots", 10).await;
        assert!(matches!(p.failure, Some(Failure::BadLink { .. })), "{p:?}");
        let f = list("/novalue", 10).await.failure.unwrap();
        assert_eq!(
            f.describe(),
            "unexpected response shape from GET /novalue: expected a page (an object with a \
             `value` array of objects), got an object with items"
        );
    }

    /// Bodies of another shape than the call documents are refused with a reason naming the
    /// endpoint; a later page of another shape keeps the pages read before it.
    #[tokio::test]
    async fn bodies_of_another_shape_are_refused() {
        let base = Arc::new(Mutex::new(String::new()));
        let b = base.clone();
        let (http, stub, counters) = client(Arc::new(move |_, target: &str, _| match target {
            "/sites/a/config/web" => stub::ok(r#"{"value":[],"nextLink":null}"#),
            "/sites/b/config/web" => stub::ok(r#"[{"name":"web","properties":{}}]"#),
            "/sites/c/config/web" => stub::ok(""),
            "/sites/d/config/web" => {
                stub::ok(r#"{"name":"web","properties":{"minTlsVersion":"1.2"}}"#)
            }
            "/list" => stub::ok(&format!(
                r#"{{"value":[{{"id":"a"}}],"nextLink":"{}/list2"}}"#,
                b.lock().unwrap()
            )),
            "/list2" => stub::ok(r#"{"value":[{"id":"b"}, 7]}"#),
            "/object" => stub::ok(r#"{"id":"a","name":"n"}"#),
            _ => stub::ok(r#"{"value":{"id":"a"}}"#),
        }))
        .await;
        *base.lock().unwrap() = stub.base.clone();
        let required = shape::ARM_SETTING;
        let one = |p: &str| {
            let u = url(&stub, p);
            let http = &http;
            async move {
                http.get_object(CallKind::ArmResource, &u, required, &Meter::default())
                    .await
            }
        };
        assert_eq!(
            one("/sites/a/config/web").await.unwrap_err().describe(),
            "unexpected response shape from GET /sites/a/config/web: expected one object with \
             `name` and `properties`, got a page-shaped body (`value` array of 0 items and \
             `nextLink`)"
        );
        assert!(
            one("/sites/b/config/web")
                .await
                .unwrap_err()
                .describe()
                .ends_with("got a list (a JSON array of 1 item)")
        );
        assert!(
            one("/sites/c/config/web")
                .await
                .unwrap_err()
                .describe()
                .ends_with("got an empty body")
        );
        assert_eq!(
            one("/sites/d/config/web").await.unwrap()["properties"]["minTlsVersion"],
            "1.2"
        );
        assert_eq!(
            counters.snapshot().arm_resource,
            4,
            "a shape is not retried"
        );
        let list = |p: &str| {
            let u = url(&stub, p);
            let http = &http;
            async move {
                http.get_list(CallKind::Graph, u, "nextLink", 10, &Meter::default())
                    .await
            }
        };
        let p = list("/list").await;
        assert_eq!(p.items, vec![json!({"id": "a"})], "page 1 is kept");
        assert_eq!(p.pages, 2);
        assert_eq!(
            p.failure.unwrap().describe(),
            "unexpected response shape from GET /list2: expected a page (an object with a \
             `value` array of objects), got a page whose item 2 is a number"
        );
        assert!(
            list("/object")
                .await
                .failure
                .unwrap()
                .describe()
                .ends_with("got an object with id, name")
        );
        assert!(
            list("/other")
                .await
                .failure
                .unwrap()
                .describe()
                .ends_with("got an object whose `value` is an object")
        );
    }

    #[tokio::test]
    async fn retries_on_5xx_and_429_but_not_on_4xx() {
        let (http, stub, counters) = client(Arc::new(|_, target: &str, nth| match target {
            "/flaky" if nth < 2 => stub::status(503, "{}"),
            "/flaky" => stub::ok(r#"{"ok":true}"#),
            "/throttled" if nth < 4 => {
                let mut r = stub::status(429, "{}");
                r.headers.push(("retry-after", "0".into()));
                r
            }
            "/throttled" => stub::ok("{}"),
            "/forbidden" => stub::status(
                403,
                r#"{"error":{"code":"AuthorizationFailed","message":"no Microsoft.Storage/storageAccounts/read"}}"#,
            ),
            "/broken" => stub::ok("{\"value\": [1,"),
            _ => stub::status(500, r#"{"error":{"code":"InternalServerError","message":"boom"}}"#),
        }))
        .await;
        let meter = Meter::default();
        let get = |p: &str| {
            let u = url(&stub, p);
            let (http, meter) = (&http, &meter);
            async move { http.get(CallKind::ArmResource, &u, meter).await }
        };
        assert_eq!(get("/flaky").await, Ok(json!({"ok": true})));
        assert_eq!(get("/throttled").await, Ok(json!({})));
        let c = counters.snapshot();
        assert_eq!((c.arm_resource, c.retries, c.throttled), (5, 3, 1));
        let f = get("/forbidden").await.unwrap_err();
        assert_eq!(
            f.describe(),
            "HTTP 403 AuthorizationFailed: no Microsoft.Storage/storageAccounts/read"
        );
        assert_eq!(counters.snapshot().arm_resource, 6, "a 403 is not retried");
        let f = get("/broken").await.unwrap_err();
        assert!(f.describe().starts_with("malformed JSON"), "{f:?}");
        assert_eq!(
            counters.snapshot().arm_resource,
            7,
            "malformed JSON is not retried"
        );
        let f = get("/down").await.unwrap_err();
        assert_eq!(
            f.describe(),
            "HTTP 500 InternalServerError after 3 attempts: boom"
        );
        assert_eq!(meter.calls(), 10);
    }

    #[tokio::test]
    async fn every_request_has_a_timeout() {
        let (http, stub, counters) = client(Arc::new(|_, _, _| {
            let mut r = stub::ok("{}");
            r.delay = Duration::from_secs(5);
            r
        }))
        .await;
        let started = std::time::Instant::now();
        let f = http
            .get(CallKind::Graph, &url(&stub, "/slow"), &Meter::default())
            .await
            .unwrap_err();
        assert!(matches!(f, Failure::Timeout { attempts: 3, .. }), "{f:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(counters.snapshot().graph, 3);
    }

    /// A run deadline `limit` from now, and a source deadline of `source` per meter.
    fn bounded(http: Http, run: Duration, source: Duration) -> Http {
        http.with_deadlines(Deadline::new(Bound::Run, Instant::now(), run), source)
    }

    fn hanging() -> Arc<stub::Handler> {
        Arc::new(|_, _, _| {
            let mut r = stub::ok("{}");
            r.delay = Duration::from_secs(5);
            r
        })
    }

    #[tokio::test]
    async fn a_hanging_request_is_cut_at_the_deadline() {
        let (http, stub, _) = client(hanging()).await;
        // A request timeout longer than the deadline: the deadline must cut the attempt.
        let mut http = bounded(http, Duration::from_millis(200), Duration::from_secs(60));
        http.timeout = Duration::from_secs(4);
        let started = std::time::Instant::now();
        let f = http
            .get(
                CallKind::ArmResource,
                &url(&stub, "/hang"),
                &Meter::default(),
            )
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(150) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert!(
            matches!(&f, Failure::Deadline { attempts: 1, last: None, deadline } if deadline.bound == Bound::Run),
            "{f:?}"
        );
        assert_eq!(
            f.describe(),
            "per-run deadline of 0.2 s reached before this was read; 1 attempt(s) made, the \
             last still unanswered when it passed"
        );
        // Nothing is sent once the deadline has passed.
        let f = http
            .get(CallKind::Graph, &url(&stub, "/later"), &Meter::default())
            .await
            .unwrap_err();
        assert_eq!(
            f.describe(),
            "per-run deadline of 0.2 s reached before this was read"
        );
        assert_eq!(stub.seen.lock().unwrap().len(), 1, "no request after it");
    }

    #[tokio::test]
    async fn a_source_deadline_runs_from_the_sources_first_request() {
        let (http, stub, _) = client(hanging()).await;
        let http = bounded(http, Duration::from_secs(60), Duration::from_millis(250));
        let meter = Meter::default();
        // Per attempt 300 ms (the stub client's timeout), three attempts: 900 ms without the
        // source's deadline.
        let started = std::time::Instant::now();
        let f = http
            .get(CallKind::Graph, &url(&stub, "/a"), &meter)
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(700),
            "{:?}",
            started.elapsed()
        );
        assert!(
            f.describe()
                .starts_with("per-source deadline of 0.25 s reached before this was read"),
            "{}",
            f.describe()
        );
        // The same source has nothing left; another source has its own deadline.
        let f = http
            .get(CallKind::Graph, &url(&stub, "/b"), &meter)
            .await
            .unwrap_err();
        assert!(matches!(f, Failure::Deadline { attempts: 0, .. }), "{f:?}");
        let other = Meter::default();
        let f = http
            .get(CallKind::Graph, &url(&stub, "/c"), &other)
            .await
            .unwrap_err();
        assert!(matches!(f, Failure::Deadline { attempts: 1, .. }), "{f:?}");
        assert_eq!((meter.calls(), other.calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_retry_after_beyond_the_deadline_ends_at_it_naming_the_429() {
        let (http, stub, counters) = client(Arc::new(|_, _, _| {
            let mut r = stub::status(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            );
            r.headers.push(("retry-after", "30".into()));
            r
        }))
        .await;
        // Retry-After is capped to 300 ms by the stub client's policy; 200 ms are left: the
        // wait is cut to them, and no retry follows.
        let http = bounded(http, Duration::from_millis(200), Duration::from_secs(60));
        let started = std::time::Instant::now();
        let f = http
            .get(
                CallKind::ArmSubscription,
                &url(&stub, "/busy"),
                &Meter::default(),
            )
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(150) && took < Duration::from_millis(280),
            "{took:?}"
        );
        assert_eq!(
            f.describe(),
            "per-run deadline of 0.2 s reached before this was read; 1 attempt(s) made, the \
             last: HTTP 429 TooManyRequests: slow down"
        );
        assert_eq!(
            counters.snapshot().arm_subscription,
            1,
            "no retry into the deadline"
        );
    }

    #[tokio::test]
    async fn a_slow_drip_of_pages_stops_at_the_deadline_and_keeps_what_was_read() {
        let base = Arc::new(Mutex::new(String::new()));
        let b = base.clone();
        let (http, stub, _) = client(Arc::new(move |_, _, nth| {
            // Every page a fresh link, so neither the repeat check nor a small cap stops it.
            let mut r = stub::ok(&format!(
                r#"{{"value":[{{"id":"{nth}"}}],"nextLink":"{}/drip?page={}"}}"#,
                b.lock().unwrap(),
                nth + 1
            ));
            r.delay = Duration::from_millis(60);
            r
        }))
        .await;
        *base.lock().unwrap() = stub.base.clone();
        let http = bounded(http, Duration::from_secs(60), Duration::from_millis(400));
        let started = std::time::Instant::now();
        let p = http
            .get_list(
                CallKind::Graph,
                url(&stub, "/drip"),
                "nextLink",
                1000,
                &Meter::default(),
            )
            .await;
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
        assert!(
            matches!(&p.failure, Some(Failure::Deadline { deadline, .. }) if deadline.bound == Bound::Source),
            "{:?}",
            p.failure
        );
        assert!(
            p.pages >= 2,
            "pages read before the deadline are kept: {}",
            p.pages
        );
        assert_eq!(p.items.len(), p.pages as usize);
    }

    #[tokio::test]
    async fn resource_graph_pauses_before_its_quota_is_gone() {
        let (http, stub, _) = client(Arc::new(|_, _, _| {
            let mut r = stub::ok("{}");
            r.headers.push(("x-ms-user-quota-remaining", "1".into()));
            r.headers
                .push(("x-ms-user-quota-resets-after", "00:00:00.25".into()));
            r
        }))
        .await;
        let m = Meter::default();
        let u = url(&stub, "/providers/Microsoft.ResourceGraph/resources");
        http.send(
            CallKind::ResourceGraph,
            reqwest::Method::POST,
            &u,
            Some(&json!({})),
            &m,
        )
        .await
        .unwrap();
        let started = std::time::Instant::now();
        http.send(
            CallKind::ResourceGraph,
            reqwest::Method::POST,
            &u,
            Some(&json!({})),
            &m,
        )
        .await
        .unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn error_bodies_of_arm_and_graph() {
        let (c, m) = error_of(br#"{"error":{"code":"AuthorizationFailed","message":"The client does not have authorization"}}"#);
        assert_eq!(c.as_deref(), Some("AuthorizationFailed"));
        assert_eq!(m.as_deref(), Some("The client does not have authorization"));
        assert_eq!(error_of(b"<html>"), (None, None));
    }
}
