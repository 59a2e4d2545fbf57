//! Collection: where inventories come from, and the only Azure I/O of the crate.
//!
//! - [`demo`]: the embedded demo tenant (no network, no credentials).
//! - [`collect`]: a real tenant, read-only: Resource Graph first for the bulk inventory, ARM only
//!   for what Resource Graph lacks, Microsoft Graph for identity, and the Activity Log for the
//!   change population, as catalogued in `docs/SOURCES.md`. Gaps are data: every source that
//!   could not be read (fully or for one scope) is recorded with its reason, and the run goes
//!   on; an `Err` means nothing useful could be collected (authentication failed, no
//!   subscription in scope, invalid options).
//!
//! Every source has a deadline and so has the run (`deadline`): what a deadline stops is a gap
//! that names it, and the run still ends with an inventory.
//!
//! Module map: [`auth`] (credentials), `http` (client, throttling, paging), `retry` (retry
//! policy, backoff, pacing quotas, call counters),
//! `deadline` (the per-source and per-run bounds), [`endpoints`] (clouds), [`scope`],
//! `resource_graph`, `arm`, `graph`, `activity_log`, [`redact`] (normalisation and
//! redaction); this file orchestrates and keeps provenance.

pub mod demo;

mod activity_log;
mod arm;
pub mod auth;
mod deadline;
pub mod endpoints;
mod graph;
mod http;
pub mod redact;
mod resource_graph;
mod retry;
pub mod scope;
mod shape;
pub mod shard;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::info;

pub use auth::{AuthError, AuthMethod, AuthOptions};
pub use endpoints::{Cloud, EndpointError, EndpointOverrides, Endpoints};
pub use retry::{CallKind, CallStats, Jitter, RetryPolicy};
pub use scope::ScopeSpec;
pub use shard::Shard;

use crate::model::{Gap, INVENTORY_SCHEMA_VERSION, Inventory, InventoryPart, Source, Subscription};
use http::{Http, Meter};
use retry::Counters;

/// Default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Default upper bound on pages per source and scope.
pub const DEFAULT_PAGE_CAP: u32 = 1000;
/// Default timeout of one HTTP request (connect, send, whole body).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default deadline of one source, from its first request. A source that hangs then costs at
/// most a third of the run's deadline, leaving the others time; the largest benchmarked tenant
/// (100,000 resources, 200 subscriptions) reads every source in under a minute, and one
/// subscription's ARM read quota (25 a second) allows 22,500 reads in 15 minutes.
pub const DEFAULT_SOURCE_DEADLINE: Duration = Duration::from_secs(15 * 60);
/// Default deadline of the whole collection: the example workflows give a job 60 minutes, and
/// assessment, commit, push and the pull request need well under the 15 left.
pub const DEFAULT_RUN_DEADLINE: Duration = Duration::from_secs(45 * 60);
/// How far back the Activity Log reaches by default, and at most.
pub const MAX_ACTIVITY_LOG_DAYS: u32 = activity_log::MAX_DAYS;

/// Everything one collection needs. [`CollectOptions::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub endpoints: Endpoints,
    pub auth: AuthOptions,
    pub scope: ScopeSpec,
    /// Requests in flight at once (all kinds together).
    pub concurrency: usize,
    /// Timeout of every HTTP request, token requests included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Deadline of each source, from its first request: what is not read by then is a gap.
    pub source_deadline: Duration,
    /// Deadline of the whole collection, from its start: what is not read by then is a gap
    /// (or, before the first token and the subscription list, the collection fails).
    pub run_deadline: Duration,
    /// Pages read at most per source and scope; reaching it is a gap.
    pub page_cap: u32,
    /// Start of the Activity Log window (the previous run's high-water mark).
    pub changes_since: Option<DateTime<Utc>>,
    /// Look-back when `changes_since` is not given (1 to 90 days).
    pub activity_log_days: u32,
    /// A PEM file of root certificates trusted in addition to the system's (test CAs).
    pub extra_root_ca: Option<PathBuf>,
    /// Draw progress bars (only ever drawn when stderr is a terminal).
    pub progress: bool,
    /// Pins the collection time (Activity Log window end and `collected_at`); tests and
    /// benchmarks. `None`: the wall clock.
    pub now: Option<DateTime<Utc>>,
    /// Collect only the subscriptions of this shard (see [`shard`]); tenant-wide sources only
    /// in shard 1. `None`: everything in scope.
    pub shard: Option<Shard>,
}

impl CollectOptions {
    pub fn new(endpoints: Endpoints, auth: AuthOptions) -> Self {
        Self {
            endpoints,
            auth,
            scope: ScopeSpec::default(),
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
            source_deadline: DEFAULT_SOURCE_DEADLINE,
            run_deadline: DEFAULT_RUN_DEADLINE,
            page_cap: DEFAULT_PAGE_CAP,
            changes_since: None,
            activity_log_days: MAX_ACTIVITY_LOG_DAYS,
            extra_root_ca: None,
            progress: false,
            now: None,
            shard: None,
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut p = vec![];
        if self.concurrency == 0 {
            p.push("concurrency must be at least 1".to_string());
        }
        if self.request_timeout.is_zero() {
            p.push("the request timeout must be above zero".to_string());
        }
        if self.source_deadline.is_zero() {
            p.push("the per-source deadline must be above zero".to_string());
        }
        if self.run_deadline.is_zero() {
            p.push("the per-run deadline must be above zero".to_string());
        }
        if self.retry.max_attempts == 0 {
            p.push("retry.max_attempts must be at least 1".to_string());
        }
        if self.page_cap == 0 {
            p.push("the page cap must be at least 1".to_string());
        }
        if !(1..=MAX_ACTIVITY_LOG_DAYS).contains(&self.activity_log_days) {
            p.push(format!(
                "the Activity Log look-back must be 1 to {MAX_ACTIVITY_LOG_DAYS} days, not {}",
                self.activity_log_days
            ));
        }
        for (what, list) in [
            ("subscription", &self.scope.subscriptions),
            ("excluded subscription", &self.scope.exclude),
            (
                "included delegated subscription",
                &self.scope.include_delegated,
            ),
        ] {
            if list.iter().any(|s| s.trim().is_empty()) {
                p.push(format!("an {what} id is empty"));
            }
        }
        if self
            .scope
            .management_group
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            p.push("the management group id is empty".to_string());
        }
        p
    }
}

/// A collected inventory and what it cost.
#[derive(Debug, Clone)]
pub struct Collected {
    pub inventory: Inventory,
    pub calls: CallStats,
}

/// Why nothing useful could be collected.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("invalid collection options: {}", .0.join("; "))]
    Options(Vec<String>),
    #[error("{0}")]
    Client(String),
    #[error("authentication failed: {0}")]
    Auth(AuthError),
    #[error("cannot list subscriptions (GET /subscriptions): {0}")]
    Subscriptions(String),
    #[error("cannot read management group {group}: {reason}")]
    ManagementGroup { group: String, reason: String },
    #[error("no subscription in scope: {0}")]
    NoSubscriptions(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

// Not `#[from]`: the message already carries the cause, and a source would print it twice.
impl From<AuthError> for CollectError {
    fn from(e: AuthError) -> Self {
        CollectError::Auth(e)
    }
}

/// Provenance of one source while it is being read.
pub(crate) struct SourceRecord {
    name: String,
    part: InventoryPart,
    endpoint: String,
    api_version: String,
    query: String,
    scope: Vec<String>,
    pub(crate) pages: u32,
    pub(crate) records: u64,
    pub(crate) independent_count: Option<u64>,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    gaps: Vec<Gap>,
    pub(crate) notes: Vec<String>,
    pub(crate) meter: Arc<Meter>,
}

impl SourceRecord {
    pub(crate) fn new(
        name: &str,
        part: InventoryPart,
        endpoint: &str,
        api_version: &str,
        query: &str,
        scope: Vec<String>,
    ) -> Self {
        Self {
            name: name.to_string(),
            part,
            endpoint: endpoint.to_string(),
            api_version: api_version.to_string(),
            query: query.to_string(),
            scope,
            pages: 0,
            records: 0,
            independent_count: None,
            started_at: Utc::now(),
            finished_at: None,
            gaps: vec![],
            notes: vec![],
            meter: Arc::default(),
        }
    }

    /// Records that `scope` (an ARM id) could not be read, and why.
    pub(crate) fn gap(&mut self, scope: &str, reason: String) {
        self.gaps.push(Gap::new(scope, redact::redact_str(&reason)));
    }

    /// Records that one read of a multi-read source (`read`, e.g. the `children` key
    /// `administrators`) could not be done for `scope`, while the source's other reads were:
    /// only checks that need that read are made incomplete by it.
    pub(crate) fn gap_in(&mut self, scope: &str, read: &str, reason: String) {
        let mut g = Gap::new(scope, redact::redact_str(&reason));
        g.read = Some(read.to_string());
        self.gaps.push(g);
    }

    /// Closes the record and takes its bar off the screen (the CLI prints the totals).
    pub(crate) fn finish(&mut self, bar: &ProgressBar) {
        self.finished_at = Some(Utc::now());
        bar.finish_and_clear();
    }

    /// The provenance of the finished source; `bound` (the deadlines it was read under) is
    /// added to its notes.
    fn into_source(mut self, identity: &str, bound: &str) -> Source {
        self.notes.push(bound.to_string());
        Source {
            calls: self.meter.calls(),
            name: self.name,
            part: self.part,
            endpoint: self.endpoint,
            api_version: self.api_version,
            query: self.query,
            scope: self.scope,
            pages: self.pages,
            records: self.records,
            independent_count: self.independent_count,
            started_at: self.started_at,
            finished_at: self.finished_at.unwrap_or_else(Utc::now),
            identity: Some(identity.to_string()),
            gaps: self.gaps,
            notes: self.notes,
        }
    }
}

/// Whether `read` is a sub-read the collector records gaps by for `source` (a check may
/// declare it needs only that read: `source:read`): a per-resource `children` key of the
/// source, or a directory role's members by template id.
#[cfg(test)]
pub(crate) fn is_sub_read(source: &str, read: &str) -> bool {
    if arm::child_reads().contains(&(source, read)) {
        return true;
    }
    source == "graph.directory_roles"
        && read
            .strip_prefix("directoryRoles/roleTemplateId=")
            .and_then(|r| r.strip_suffix("/members"))
            .is_some_and(|t| {
                t.len() == 36
                    && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
                    && graph::members_read(t) == read
            })
}

/// A progress bar per source, drawn on stderr when it is a terminal.
pub(crate) struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        Self {
            multi: enabled.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A bar of `len` steps, or a counter when the length is unknown; hidden when there is
    /// nothing to do.
    pub(crate) fn bar(&self, name: &str, len: Option<u64>) -> ProgressBar {
        let Some(multi) = self.multi.as_ref().filter(|_| len != Some(0)) else {
            return ProgressBar::hidden();
        };
        let (bar, template) = match len {
            Some(n) => (
                ProgressBar::new(n),
                "{prefix:<40} [{bar:25}] {pos}/{len} {msg}",
            ),
            None => (ProgressBar::no_length(), "{prefix:<40} {pos} rows {msg}"),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name.to_string());
        multi.add(bar)
    }
}

/// [`collect`] on a runtime of its own, for callers without one (the CLI).
pub fn collect_blocking(opts: &CollectOptions) -> Result<Collected, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))?;
    rt.block_on(collect(opts))
}

/// Collects the tenant `opts` points at. Needs a tokio runtime (timers and I/O enabled).
pub async fn collect(opts: &CollectOptions) -> Result<Collected, CollectError> {
    let problems = opts.problems();
    if !problems.is_empty() {
        return Err(CollectError::Options(problems));
    }
    let started = opts.now.unwrap_or_else(Utc::now);
    let run_deadline = deadline::Deadline::new(
        deadline::Bound::Run,
        tokio::time::Instant::now(),
        opts.run_deadline,
    );
    let counters = Arc::new(Counters::default());
    let client = http::build_client(opts.request_timeout, opts.extra_root_ca.as_deref())
        .map_err(CollectError::Client)?;
    let tokens = Arc::new(auth::Tokens::build(
        &opts.auth,
        &opts.endpoints.authority_host,
        client.clone(),
        counters.clone(),
        &opts.retry,
        opts.request_timeout,
    )?);
    // Without an ARM token nothing can be read: fail before any other call.
    let arm_scope = opts.endpoints.arm_scope();
    match tokio::time::timeout_at(run_deadline.at, tokens.token(&arm_scope)).await {
        Ok(t) => {
            t?;
        }
        Err(_) => {
            return Err(CollectError::Auth(AuthError::Token {
                method: tokens.method_label(),
                scope: arm_scope,
                message: format!("no token before the {} passed", run_deadline.describe()),
            }));
        }
    }
    info!(identity = %tokens.identity(), "authenticated");
    let http = Http::new(
        client,
        opts.endpoints.clone(),
        opts.retry.clone(),
        opts.request_timeout,
        opts.concurrency,
        counters.clone(),
        tokens.clone(),
    )
    .with_deadlines(run_deadline, opts.source_deadline);
    let bound_note = deadline::note(opts.source_deadline, opts.run_deadline);
    let progress = Progress::new(opts.progress);

    // Subscriptions and scope.
    let (listed, mut subs_rec) = arm::list_subscriptions(&http, opts.page_cap).await;
    let (visible, list_failure) = listed.map_err(|f| {
        let why = arm::reason(
            &f,
            "the identity needs Reader on at least one subscription or management group",
        );
        CollectError::Subscriptions(why)
    })?;
    if visible.is_empty() {
        return Err(CollectError::NoSubscriptions(format!(
            "the identity ({}) can see no subscription; grant it Reader on the subscriptions \
             or a management group",
            tokens.identity()
        )));
    }
    // The assessed tenant: the token's. Without it, the one tenant every listed subscription
    // names; several tenants (delegations) leave it unknown rather than picking one at random.
    let home_tenant = tokens.tenant_id().or_else(|| {
        let tenants: std::collections::BTreeSet<String> = visible
            .iter()
            .filter_map(|v| v.tenant_id.as_deref())
            .map(str::to_ascii_lowercase)
            .collect();
        (tenants.len() == 1).then(|| tenants.into_iter().next().unwrap_or_default())
    });
    let tenant_id = home_tenant.clone().unwrap_or_else(|| "unknown".to_string());
    let members = match &opts.scope.management_group {
        Some(mg) => {
            subs_rec.notes.push(format!(
                "management group {mg} members: {}",
                resource_graph::MANAGEMENT_GROUP_QUERY
            ));
            let meter = Arc::clone(&subs_rec.meter);
            let m =
                resource_graph::management_group_subscriptions(&http, mg, opts.page_cap, &meter)
                    .await
                    .map_err(|f| CollectError::ManagementGroup {
                        group: mg.clone(),
                        reason: arm::reason(
                            &f,
                            "the identity needs Reader on the management group",
                        ),
                    })?;
            Some(m)
        }
        None => None,
    };
    let mut resolved = scope::resolve(
        &opts.scope,
        &visible,
        members.as_ref(),
        home_tenant.as_deref(),
    );
    if let Some(shard) = opts.shard {
        let before = resolved.subscriptions.len();
        resolved.subscriptions.retain(|v| shard.owns(&v.id));
        resolved.notes.push(format!(
            "shard {shard}: {} of the {before} subscription(s) in scope (assigned by a stable \
             FNV-1a hash of the lower-case subscription id); the other shards collect the rest",
            resolved.subscriptions.len()
        ));
        resolved.notes.push(if shard.collects_tenant_sources() {
            format!("shard {shard} collects the tenant-wide Microsoft Graph identity sources")
        } else {
            format!(
                "Microsoft Graph identity is tenant-wide and collected by shard 1/{} only",
                shard.count
            )
        });
    }
    if let Some(f) = list_failure {
        subs_rec.gap(
            &format!("/tenants/{tenant_id}"),
            format!("the subscription list is incomplete: {}", f.describe()),
        );
    }
    for id in &resolved.not_visible {
        subs_rec.gap(
            &format!("/subscriptions/{id}"),
            "requested but not visible to the identity (missing, or no Reader role on it)".into(),
        );
    }
    subs_rec.notes.extend(resolved.notes.iter().cloned());
    if resolved.subscriptions.is_empty() && opts.shard.is_none() {
        return Err(CollectError::NoSubscriptions(format!(
            "{} subscription(s) visible, none left after scoping{}{}",
            visible.len(),
            if resolved.not_visible.is_empty() {
                String::new()
            } else {
                format!("; not visible: {}", resolved.not_visible.join(", "))
            },
            if resolved.other_tenant.is_empty() {
                String::new()
            } else {
                format!(
                    "; of another tenant (list them in include_delegated_subscriptions to \
                     assess them): {}",
                    resolved.other_tenant.join(", ")
                )
            }
        )));
    }
    // Sharded: the visible subscriptions this shard owns, so the parts' counts add up.
    subs_rec.independent_count = Some(match opts.shard {
        Some(shard) => visible.iter().filter(|v| shard.owns(&v.id)).count(),
        None => visible.len(),
    } as u64);
    subs_rec.records = resolved.subscriptions.len() as u64;
    let in_scope: Vec<String> = resolved
        .subscriptions
        .iter()
        .map(|s| s.id.clone())
        .collect();
    subs_rec.scope = match &opts.scope.management_group {
        Some(mg) if opts.shard.is_none() => vec![resource_graph::management_group_id(mg)],
        _ => in_scope.clone(),
    };
    subs_rec.finish(&ProgressBar::hidden());
    let mut subscriptions: Vec<Subscription> = resolved
        .subscriptions
        .iter()
        .map(|v| Subscription {
            id: v.id.clone(),
            display_name: v.display_name.clone(),
            state: v.state.clone(),
            // Labelled only when it is not the assessed tenant's (an included delegation).
            tenant_id: v
                .tenant_id
                .clone()
                .filter(|t| !t.trim().eq_ignore_ascii_case(tenant_id.trim())),
            ..Subscription::default()
        })
        .collect();

    let who = tokens.identity();
    if in_scope.is_empty() {
        // Only a shard can get here: the hash gave it no subscription. Its part records that.
        let mut inventory = Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            tenant_id,
            collected_at: started,
            subscriptions: vec![],
            resources: vec![],
            identity: Default::default(),
            changes: None,
            sources: vec![subs_rec.into_source(&who, &bound_note)],
        };
        inventory.normalise();
        return Ok(Collected {
            inventory,
            calls: counters.snapshot(),
        });
    }
    // A shard names its subscriptions: a management group query would read the other shards'.
    let target = match &opts.scope.management_group {
        Some(mg) if opts.shard.is_none() => resource_graph::Target::ManagementGroup(mg.clone()),
        _ => resource_graph::Target::Subscriptions(in_scope.clone()),
    };
    // Below a management group, leave out what scoping removed (excluded, disabled, not
    // included).
    let extra = match &members {
        Some(m) if opts.shard.is_none() => {
            let keep: std::collections::BTreeSet<String> =
                in_scope.iter().map(|s| s.to_ascii_lowercase()).collect();
            let out: Vec<String> = m.iter().filter(|s| !keep.contains(*s)).cloned().collect();
            resource_graph::exclusion_clause(&out)
        }
        _ => String::new(),
    };
    let (since, until, window_note) =
        activity_log::window(started, opts.changes_since, opts.activity_log_days);

    let inventory_part = async {
        // Per-resource reads start as Resource Graph pages arrive, not after the last one.
        let (listed_tx, listed_rx) = futures::channel::mpsc::unbounded();
        let listing = async {
            let listed_tx = listed_tx;
            let mut resources = vec![];
            let mut recs = vec![];
            // The tables are read side by side: they share the query quota, and a small table
            // need not wait for the large one's last page.
            let tables = resource_graph::tables();
            let reads = tables.iter().map(|table| {
                resource_graph::collect_table(
                    &http,
                    table,
                    &target,
                    &extra,
                    opts.page_cap,
                    &progress,
                    &listed_tx,
                )
            });
            for (r, rec) in futures::future::join_all(reads).await {
                resources.extend(r);
                recs.push(rec);
            }
            drop(listed_tx);
            (resources, recs)
        };
        let scope = target.scope();
        let children = arm::resource_children(&http, listed_rx, &scope, opts.page_cap, &progress);
        let ((mut resources, mut recs), (reads, child_recs)) = tokio::join!(listing, children);
        // Resource Graph and ARM disagree on nothing once ids are unique; keep the first.
        resources.sort_by(|a: &crate::model::Resource, b| a.id.cmp(&b.id));
        resources.dedup_by(|a, b| a.id == b.id);
        arm::attach_children(&mut resources, reads);
        recs.extend(child_recs);
        (resources, recs)
    };
    let subscription_part =
        arm::subscription_settings(&http, &mut subscriptions, opts.page_cap, &progress);
    let tenant_sources = opts.shard.is_none_or(|s| s.collects_tenant_sources());
    let identity_part = async {
        if tenant_sources {
            graph::collect(&http, &tenant_id, opts.page_cap, &progress).await
        } else {
            (crate::model::Identity::default(), vec![])
        }
    };
    let changes_part =
        activity_log::collect(&http, &in_scope, since, until, opts.page_cap, &progress);
    let ((resources, mut recs), sub_recs, (identity, graph_recs), (changes, mut change_rec)) = tokio::join!(
        inventory_part,
        subscription_part,
        identity_part,
        changes_part
    );
    if let Some(n) = window_note {
        change_rec.notes.push(n);
    }
    recs.extend(sub_recs);
    recs.extend(graph_recs);
    recs.push(change_rec);
    recs.push(subs_rec);

    let finished = if opts.now.is_some() {
        started
    } else {
        Utc::now()
    };
    let mut inventory = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tenant_id,
        collected_at: finished,
        subscriptions,
        resources,
        identity,
        changes,
        sources: recs
            .into_iter()
            .map(|r| r.into_source(&who, &bound_note))
            .collect(),
    };
    inventory.normalise();
    let calls = counters.snapshot();
    info!(calls = %calls.summary(), "collection finished");
    Ok(Collected { inventory, calls })
}
