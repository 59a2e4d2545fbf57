//! The check registry: metadata and a pure function per check, and the runner that turns an
//! [`Inventory`] into findings. No I/O, no clock: the same inventory gives the same findings.
//!
//! Missing data is never a pass: a source the check needs that was not collected, or a gap the
//! collector recorded for a scope, becomes an `error` finding naming the gap.

mod acr;
mod aks;
mod appservice;
mod backup;
mod ca_coverage;
mod cache;
mod changes;
mod compute;
mod cosmos;
mod defender;
mod entra;
mod keyvault;
mod locks;
mod messaging;
mod monitor;
mod mysql;
mod netset;
mod network;
mod policy;
mod postgres;
pub mod props;
mod rbac;
mod sql;
mod storage;
mod tags;
#[cfg(test)]
pub(crate) mod testutil;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Identity, Inventory, Resource, Subscription};

/// Version of the check catalogue; bumped whenever a check is added, retired or changes logic.
pub const CATALOGUE_VERSION: &str = "2026.12.0";

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// Status of one finding (one check on one resource) and, as the worst of them, of a check.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Pass,
    Fail,
    /// The data needed to decide could not be read; never counted as a pass.
    Error,
    NotApplicable,
    /// A `fail` covered by a valid waiver (accepted risk): not failing, never hidden. Only a
    /// `fail` can be waived; an `error` (missing data) never is.
    Waived,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Error => "error",
            Self::NotApplicable => "not_applicable",
            Self::Waived => "waived",
        }
    }

    /// Rank for "worst of": fail > error > waived > pass > not_applicable. A check whose
    /// failures are all waived is `waived` (visible, not failing); missing data outranks it.
    pub fn rank(self) -> u8 {
        match self {
            Self::Fail => 4,
            Self::Error => 3,
            Self::Waived => 2,
            Self::Pass => 1,
            Self::NotApplicable => 0,
        }
    }
}

/// What a check evaluates, one finding per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every resource of this (lower-case) ARM type.
    Resource(&'static str),
    /// Every subscription in scope.
    Subscription,
    /// The tenant's identity configuration (one finding).
    Tenant,
}

impl Target {
    pub fn describe(self) -> String {
        match self {
            Self::Resource(t) => t.to_string(),
            Self::Subscription => "subscription".to_string(),
            Self::Tenant => "tenant".to_string(),
        }
    }
}

/// The pure evaluation function of a check.
#[derive(Clone, Copy)]
pub enum Eval {
    /// Every resource of this lower-case ARM type, judged on its own.
    Resource(&'static str, fn(&Resource) -> Verdict),
    /// Every resource of this type, judged with the rest of the inventory and the settings
    /// (e.g. an NSG and the flow logs that target it).
    ResourceCtx(&'static str, fn(&Resource, &Ctx) -> Verdict),
    /// Every subscription in scope, on its own settings.
    Subscription(fn(&Subscription) -> Verdict),
    /// Every subscription, with the resources in it (role assignments, alerts, policies…).
    SubscriptionCtx(fn(&Subscription, &Ctx) -> Verdict),
    /// The tenant's identity configuration alone.
    Tenant(fn(&Identity) -> Verdict),
    /// The tenant, with the whole inventory and the settings.
    TenantCtx(fn(&Ctx) -> Verdict),
}

/// Tunables an organisation sets in `[checks]` of `soc2-evidence.toml`. Each default is the
/// recommendation the affected checks cite. Recorded in `summary.json`, because the verdicts
/// depend on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Callers (UPN, object id or application id) allowed to change Azure resources: the
    /// deployment pipelines. Changes by anyone else are flagged for CC8.1. Empty: not
    /// configured, and the change-management check reports that as an error, not a pass.
    pub approved_deployers: Vec<String>,
    /// Tags every resource must carry to say how its data is classified (C1.1).
    pub required_tags: Vec<String>,
    /// Most Global Administrators allowed (CIS: fewer than 5).
    pub max_global_admins: u32,
    /// Most Owners allowed on a subscription (CIS: at most 3).
    pub max_subscription_owners: u32,
    /// Days without a sign-in after which an enabled account counts as stale.
    pub stale_account_days: u32,
    /// Longest lifetime allowed for an app registration secret or certificate.
    pub max_credential_days: u32,
    /// Shortest log retention accepted, in days.
    pub min_log_retention_days: u32,
    /// Emergency-access accounts (UPN or object id) expected to be excluded from conditional
    /// access; their exclusion is not a finding, anyone else's is.
    pub break_glass_accounts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            approved_deployers: Vec::new(),
            required_tags: vec!["data-classification".into()],
            max_global_admins: 4,
            max_subscription_owners: 3,
            stale_account_days: 90,
            max_credential_days: 365,
            min_log_retention_days: 90,
            break_glass_accounts: Vec::new(),
        }
    }
}

/// What a context-aware check sees: the inventory, the settings, and an index by type.
pub struct Ctx<'a> {
    pub inventory: &'a Inventory,
    pub settings: &'a Settings,
    by_type: std::collections::HashMap<&'a str, Vec<&'a Resource>>,
    /// By (type, lower-case subscription id), for [`Ctx::resources_in`].
    by_type_sub:
        std::collections::HashMap<&'a str, std::collections::HashMap<String, Vec<&'a Resource>>>,
    /// By lower-case resource id, for [`Ctx::resource`].
    by_id: std::collections::HashMap<String, &'a Resource>,
    /// Graph users by object id, built on first use (see [`rbac::Users`]).
    users: std::sync::OnceLock<Option<rbac::Users<'a>>>,
    /// [`Lookup`]s by name, built on first use.
    lookups: std::sync::Mutex<std::collections::HashMap<&'static str, std::sync::Arc<Lookup<'a>>>>,
}

/// Resources of one type found by key (a subscription id, a target resource id, …) instead of
/// by a scan per item checked: per-subscription or per-resource scans of another type's
/// resources are quadratic in tenant size. Keys are lower-case. Results keep inventory order.
pub struct Lookup<'a> {
    by_key: std::collections::HashMap<String, Vec<(usize, &'a Resource)>>,
    /// Rows whose key function gave `None`: they match every key.
    everywhere: Vec<(usize, &'a Resource)>,
    len: usize,
}

impl<'a> Lookup<'a> {
    fn new(rows: &[&'a Resource], keys: fn(&Resource) -> Option<Vec<String>>) -> Self {
        let mut by_key: std::collections::HashMap<String, Vec<(usize, &'a Resource)>> =
            Default::default();
        let mut everywhere = Vec::new();
        for (i, &r) in rows.iter().enumerate() {
            match keys(r) {
                None => everywhere.push((i, r)),
                Some(mut ks) => {
                    ks.sort();
                    ks.dedup();
                    for k in ks {
                        by_key.entry(k).or_default().push((i, r));
                    }
                }
            }
        }
        Self {
            by_key,
            everywhere,
            len: rows.len(),
        }
    }

    /// Rows under any of `keys` or under every key, once each, in inventory order.
    pub fn get<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Vec<&'a Resource> {
        let mut hits: Vec<(usize, &'a Resource)> = self.everywhere.clone();
        for k in keys {
            if let Some(v) = self.by_key.get(&k.to_ascii_lowercase()) {
                hits.extend_from_slice(v);
            }
        }
        hits.sort_by_key(|(i, _)| *i);
        hits.dedup_by_key(|(i, _)| *i);
        hits.into_iter().map(|(_, r)| r).collect()
    }

    /// How many rows of the type there are in all.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<'a> Ctx<'a> {
    pub fn new(inventory: &'a Inventory, settings: &'a Settings) -> Self {
        let mut by_type: std::collections::HashMap<&str, Vec<&Resource>> = Default::default();
        let mut by_type_sub: std::collections::HashMap<
            &str,
            std::collections::HashMap<String, Vec<&Resource>>,
        > = Default::default();
        let mut by_id = std::collections::HashMap::with_capacity(inventory.resources.len());
        for r in &inventory.resources {
            by_type.entry(r.r#type.as_str()).or_default().push(r);
            by_type_sub
                .entry(r.r#type.as_str())
                .or_default()
                .entry(r.subscription_id.to_ascii_lowercase())
                .or_default()
                .push(r);
            // Ids are unique once normalised; should two differ only in case, the first wins,
            // as a scan in inventory order would find it.
            by_id.entry(r.id.to_ascii_lowercase()).or_insert(r);
        }
        Self {
            inventory,
            settings,
            by_type,
            by_type_sub,
            by_id,
            users: Default::default(),
            lookups: Default::default(),
        }
    }

    /// The [`Lookup`] of type `ty` named `name`, keyed by `keys`, built on first use. One
    /// name, one type and key function.
    pub(crate) fn lookup(
        &self,
        name: &'static str,
        ty: &str,
        keys: fn(&Resource) -> Option<Vec<String>>,
    ) -> std::sync::Arc<Lookup<'a>> {
        let mut all = self.lookups.lock().unwrap_or_else(|e| e.into_inner());
        all.entry(name)
            .or_insert_with(|| std::sync::Arc::new(Lookup::new(self.resources_of(ty), keys)))
            .clone()
    }

    /// Graph users by object id; `None` when users were not collected.
    pub(crate) fn users(&self) -> Option<&rbac::Users<'a>> {
        self.users
            .get_or_init(|| rbac::Users::new(self.inventory))
            .as_ref()
    }

    /// Every resource of a (lower-case) type.
    pub fn resources_of(&self, ty: &str) -> &[&'a Resource] {
        self.by_type.get(ty).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resources of a type in one subscription.
    pub fn resources_in(
        &self,
        subscription_id: &str,
        ty: &str,
    ) -> std::iter::Copied<std::slice::Iter<'_, &'a Resource>> {
        self.by_type_sub
            .get(ty)
            .and_then(|m| m.get(&subscription_id.to_ascii_lowercase()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
    }

    /// The resource with this id (any case, no trailing `/`), if it was collected.
    pub fn resource(&self, id: &str) -> Option<&'a Resource> {
        self.by_id
            .get(&id.trim_end_matches('/').to_ascii_lowercase())
            .copied()
    }

    /// "Now" for checks that measure age: the inventory's collection time, never the clock.
    pub fn as_of(&self) -> chrono::DateTime<chrono::Utc> {
        self.inventory.collected_at
    }
}

/// Everything an auditor needs to read a check without reading its code.
#[derive(Debug, Clone, Copy)]
pub struct CheckMeta {
    /// `<service>_<what>`; never reused, never changes meaning.
    pub id: &'static str,
    pub title: &'static str,
    pub service: &'static str,
    pub severity: Severity,
    /// TSC criteria this check gives automated evidence for.
    pub criteria: &'static [&'static str],
    /// CIS Microsoft Azure Foundations cross-references, `<version>:<rec id>`.
    pub cis: &'static [&'static str],
    /// Built-in Azure Policy definitions (GUIDs) of Microsoft's "SOC 2 Type 2" initiative that
    /// test the same setting; the check maps to at least the criteria Microsoft maps them to.
    pub policies: &'static [&'static str],
    /// What is tested, precisely.
    pub description: &'static str,
    /// Why it matters for the mapped criteria.
    pub rationale: &'static str,
    /// Portal steps and an `az` command.
    pub remediation: &'static str,
    /// Inventory sources the check reads; a gap in any of them is an `error` finding. An
    /// entry `source:read` says the check needs only that read of a multi-read source (a
    /// per-resource `children` key such as `arm.sql_server_settings:administrators`, or
    /// `graph.directory_roles:directoryRoles/roleTemplateId=<id>/members`): a gap the collector
    /// recorded for another read of the source does not concern it (see [`gap_concerns`]).
    pub sources: &'static [&'static str],
}

#[derive(Clone, Copy)]
pub struct Check {
    pub meta: CheckMeta,
    pub eval: Eval,
}

impl Check {
    pub fn target(&self) -> Target {
        match self.eval {
            Eval::Resource(ty, _) | Eval::ResourceCtx(ty, _) => Target::Resource(ty),
            Eval::Subscription(_) | Eval::SubscriptionCtx(_) => Target::Subscription,
            Eval::Tenant(_) | Eval::TenantCtx(_) => Target::Tenant,
        }
    }
}

/// The outcome of evaluating one item: status, a reason in words, and the observed values.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: FindingStatus,
    pub reason: String,
    pub observed: BTreeMap<String, Value>,
}

impl Verdict {
    fn new(status: FindingStatus, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            observed: BTreeMap::new(),
        }
    }
    pub fn pass(reason: impl Into<String>) -> Self {
        Self::new(FindingStatus::Pass, reason)
    }
    pub fn fail(reason: impl Into<String>) -> Self {
        Self::new(FindingStatus::Fail, reason)
    }
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(FindingStatus::Error, reason)
    }
    pub fn not_applicable(reason: impl Into<String>) -> Self {
        Self::new(FindingStatus::NotApplicable, reason)
    }
    /// Records an observed value; `null` is recorded too, since "absent" is itself evidence.
    pub fn observe(mut self, key: &str, value: Option<&Value>) -> Self {
        self.observed
            .insert(key.to_string(), value.cloned().unwrap_or(Value::Null));
        self
    }
    /// Records a property as collected (`null` when absent) and, when its absence was read as
    /// a value by its row in [`props::ROWS`], says so in the reason.
    pub(crate) fn observe_prop(mut self, key: &str, r: &Resource, pointer: &str) -> Self {
        if let Some(note) = props::absent_note(r, pointer)
            && !self.reason.contains(&note)
        {
            self.reason = format!("{} ({note})", self.reason);
        }
        self.observe(key, r.prop(pointer))
    }
    pub fn observe_value(mut self, key: &str, value: Value) -> Self {
        self.observed.insert(key.to_string(), value);
        self
    }
}

/// One check evaluated on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub check_id: String,
    /// ARM id of the resource, `/subscriptions/<id>`, or `/tenants/<id>`.
    pub resource_id: String,
    pub status: FindingStatus,
    pub reason: String,
    /// The values the verdict was based on, so an auditor sees why.
    pub observed: BTreeMap<String, Value>,
    /// The waiver that turned this `fail` into `waived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

// Declared beside `Finding`, which carries it, so `checks` needs nothing from `waivers` (which
// applies waivers, one layer up). The doc comment is the evidence schema's description.
/// What a waived finding records about the waiver that covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliedWaiver {
    pub id: String,
    pub owner: String,
    pub approved_by: String,
    pub reason: String,
    pub expires: chrono::NaiveDate,
}

/// Counts of findings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub pass: u64,
    pub fail: u64,
    pub error: u64,
    pub not_applicable: u64,
    /// Failures covered by a valid waiver (absent in evidence written before waivers existed).
    #[serde(default)]
    pub waived: u64,
}

impl Counts {
    pub fn add(&mut self, status: FindingStatus) {
        match status {
            FindingStatus::Pass => self.pass += 1,
            FindingStatus::Fail => self.fail += 1,
            FindingStatus::Error => self.error += 1,
            FindingStatus::NotApplicable => self.not_applicable += 1,
            FindingStatus::Waived => self.waived += 1,
        }
    }
    pub fn merge(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.not_applicable += other.not_applicable;
        self.waived += other.waived;
    }
    pub fn total(&self) -> u64 {
        self.pass + self.fail + self.error + self.not_applicable + self.waived
    }
    /// Findings with a verdict: pass, fail, error or waived (a waived finding was evaluated and
    /// did not pass).
    pub fn evaluated(&self) -> u64 {
        self.pass + self.fail + self.error + self.waived
    }
}

/// A check's overall result: worst of its findings.
#[derive(Clone)]
pub struct CheckResult {
    pub check: &'static Check,
    pub status: FindingStatus,
    pub counts: Counts,
    /// Sorted by resource id.
    pub findings: Vec<Finding>,
}

/// Retired check ids with the reason. An id here is never registered again, so an id keeps
/// one meaning for ever.
pub const DEPRECATED: &[(&str, &str)] = &[];

/// All registered checks, sorted by id.
pub fn registry() -> &'static [Check] {
    use std::sync::OnceLock;
    static REGISTRY: OnceLock<Vec<Check>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut all: Vec<Check> = [
            acr::CHECKS,
            aks::CHECKS,
            appservice::CHECKS,
            backup::CHECKS,
            cache::CHECKS,
            changes::CHECKS,
            compute::CHECKS,
            cosmos::CHECKS,
            defender::CHECKS,
            entra::CHECKS,
            keyvault::CHECKS,
            locks::CHECKS,
            messaging::CHECKS,
            monitor::CHECKS,
            mysql::CHECKS,
            network::CHECKS,
            policy::CHECKS,
            postgres::CHECKS,
            rbac::CHECKS,
            sql::CHECKS,
            storage::CHECKS,
            tags::CHECKS,
        ]
        .concat();
        all.sort_by_key(|c| c.meta.id);
        all
    })
}

pub fn find(id: &str) -> Option<&'static Check> {
    registry().iter().find(|c| c.meta.id == id)
}

/// Runs every registered check on the inventory.
pub fn run_all(inv: &Inventory, settings: &Settings) -> Vec<CheckResult> {
    use rayon::prelude::*;
    let ctx = Ctx::new(inv, settings);
    // Checks are pure functions of the inventory; `collect` keeps registry order.
    registry().par_iter().map(|c| run(c, &ctx)).collect()
}

/// Runs one check: gaps in its sources first, then one verdict per item in scope.
pub fn run(check: &'static Check, ctx: &Ctx) -> CheckResult {
    let inv = ctx.inventory;
    let id = check.meta.id;
    let mut findings: BTreeMap<String, Finding> = BTreeMap::new();
    let mut put = |resource_id: String, v: Verdict| {
        let f = Finding {
            check_id: id.to_string(),
            resource_id: resource_id.clone(),
            status: v.status,
            reason: v.reason,
            observed: v.observed,
            waiver: None,
        };
        // A gap and an evaluation can meet on one resource: keep the worse, never lose it.
        match findings.get_mut(&resource_id) {
            Some(existing) if existing.status.rank() >= f.status.rank() => {
                existing.reason = format!("{}; {}", existing.reason, f.reason);
            }
            Some(existing) => {
                let older = std::mem::replace(existing, f);
                existing.reason = format!("{}; {}", existing.reason, older.reason);
            }
            None => {
                findings.insert(resource_id, f);
            }
        }
    };

    for name in source_names(check) {
        match inv.source(name) {
            None => put(
                format!("/tenants/{}", inv.tenant_id),
                Verdict::error(format!("source {name} was not collected")),
            ),
            Some(src) => {
                for gap in src.gaps.iter().filter(|g| gap_concerns(check, name, g)) {
                    if let Some(at) = gap_finding(check, &gap.scope, ctx) {
                        put(
                            at,
                            Verdict::error(format!("source {name} incomplete: {}", gap.reason)),
                        );
                    }
                }
            }
        }
    }

    match check.eval {
        Eval::Resource(ty, f) => {
            for r in ctx.resources_of(ty) {
                put(r.id.clone(), f(r));
            }
        }
        Eval::ResourceCtx(ty, f) => {
            for r in ctx.resources_of(ty) {
                put(r.id.clone(), f(r, ctx));
            }
        }
        Eval::Subscription(f) => {
            for s in &inv.subscriptions {
                put(s.arm_id(), f(s));
            }
        }
        Eval::SubscriptionCtx(f) => {
            for s in &inv.subscriptions {
                put(s.arm_id(), f(s, ctx));
            }
        }
        Eval::Tenant(f) => put(format!("/tenants/{}", inv.tenant_id), f(&inv.identity)),
        Eval::TenantCtx(f) => put(format!("/tenants/{}", inv.tenant_id), f(ctx)),
    }

    CheckResult::new(check, findings.into_values().collect())
}

impl CheckResult {
    /// A result from its findings (sorted by resource id): counts and the worst status.
    pub fn new(check: &'static Check, findings: Vec<Finding>) -> Self {
        let mut r = CheckResult {
            check,
            status: FindingStatus::NotApplicable,
            counts: Counts::default(),
            findings,
        };
        r.recount();
        r
    }

    /// Recomputes counts and status after findings changed (a waiver applied).
    pub fn recount(&mut self) {
        let mut counts = Counts::default();
        for f in &self.findings {
            counts.add(f.status);
        }
        self.counts = counts;
        self.status = self
            .findings
            .iter()
            .map(|f| f.status)
            .max_by_key(|s| s.rank())
            .unwrap_or(FindingStatus::NotApplicable);
    }
}

/// A `sources` entry as (source name, the one read of it the check needs): `None` when the
/// check reads the whole source.
pub fn source_entry(entry: &str) -> (&str, Option<&str>) {
    match entry.split_once(':') {
        Some((source, read)) => (source, Some(read)),
        None => (entry, None),
    }
}

/// The sources a check reads, each once, in declaration order.
pub fn source_names(check: &Check) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::with_capacity(check.meta.sources.len());
    for e in check.meta.sources {
        let (name, _) = source_entry(e);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Whether a gap of `source` concerns the check: the check reads the source, and the gap is
/// on the whole source (no `read`), or the check needs the whole source, or it declares the
/// gap's read. A failed read of one SQL server's `administrators` makes the Entra-admin checks
/// of that server incomplete, not its auditing check, which read what it needs.
pub fn gap_concerns(check: &Check, source: &str, gap: &crate::model::Gap) -> bool {
    let mut needed = check
        .meta
        .sources
        .iter()
        .map(|e| source_entry(e))
        .filter(|(s, _)| *s == source)
        .peekable();
    if needed.peek().is_none() {
        return false;
    }
    match gap.read.as_deref() {
        None => true,
        Some(read) => needed.any(|(_, r)| r.is_none_or(|r| r == read)),
    }
}

/// The finding a collection gap makes incomplete, or `None` when the gap concerns nothing the
/// check evaluates. A gap on a container (tenant, subscription, resource group) may hide any
/// resource in it, so it always counts; a gap on one resource counts only for checks of that
/// resource (or of resources below it). Subscription and tenant checks see every gap inside
/// their scope as a gap in their own finding.
pub fn gap_finding(check: &Check, scope: &str, ctx: &Ctx) -> Option<String> {
    let lower = scope.trim_end_matches('/').to_ascii_lowercase();
    let subscription = lower
        .strip_prefix("/subscriptions/")
        .map(|rest| rest.split('/').next().unwrap_or_default().to_string());
    match check.eval {
        Eval::Resource(ty, _) | Eval::ResourceCtx(ty, _) => {
            if !lower.contains("/providers/") {
                return Some(scope.to_string());
            }
            ctx.resources_of(ty)
                .iter()
                .find(|r| {
                    let id = r.id.to_ascii_lowercase();
                    id == lower || id.starts_with(&format!("{lower}/"))
                })
                .map(|r| {
                    if r.id.eq_ignore_ascii_case(scope) {
                        r.id.clone()
                    } else {
                        scope.to_string()
                    }
                })
        }
        Eval::Subscription(_) | Eval::SubscriptionCtx(_) => match subscription {
            Some(sub) => ctx
                .inventory
                .subscriptions
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(&sub))
                .map(|s| s.arm_id())
                .or(Some(scope.to_string())),
            None => Some(scope.to_string()),
        },
        Eval::Tenant(_) | Eval::TenantCtx(_) => {
            Some(format!("/tenants/{}", ctx.inventory.tenant_id))
        }
    }
}

/// Reads a boolean property, turning "absent" and "wrong type" into an `error` verdict that
/// names the property, so a missing field can never pass. What "absent" means is decided by the
/// property's row in [`props::ROWS`]: an `Off` or `Default` property reads as its value.
pub(crate) fn require_bool(r: &Resource, pointer: &str) -> Result<bool, Verdict> {
    match props::value(r, pointer) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Verdict::error(format!(
            "properties{pointer} has unexpected value {other}"
        ))
        .observe(&format!("properties{pointer}"), Some(other))),
        None => Err(Verdict::error(props::absent_reason(r, pointer))
            .observe(&format!("properties{pointer}"), None)),
    }
}

/// Reads a string property; absent (and not `Off` or `Default` by its row) is an `error`
/// verdict naming it.
pub(crate) fn require_str<'a>(r: &'a Resource, pointer: &str) -> Result<&'a str, Verdict> {
    match props::value(r, pointer) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Verdict::error(format!(
            "properties{pointer} has unexpected value {other}"
        ))
        .observe(&format!("properties{pointer}"), Some(other))),
        None => Err(Verdict::error(props::absent_reason(r, pointer))
            .observe(&format!("properties{pointer}"), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexes give what the scans they replace gave: same rows, inventory order.
    #[test]
    fn lookups_and_indexes_match_scans() {
        let inv = crate::collect::demo::inventory(crate::collect::demo::DemoState::Baseline);
        let settings = Settings::default();
        let ctx = Ctx::new(&inv, &settings);
        // Keyed by subscription, with rows of no subscription matching every key.
        fn sub_key(r: &Resource) -> Option<Vec<String>> {
            Some(r.subscription_id.to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .map(|s| vec![s])
        }
        let ty = "microsoft.storage/storageaccounts";
        let lookup = ctx.lookup("test.storage", ty, sub_key);
        assert_eq!(lookup.len(), ctx.resources_of(ty).len());
        for s in &inv.subscriptions {
            let scan: Vec<&Resource> = ctx
                .resources_of(ty)
                .iter()
                .copied()
                .filter(|r| {
                    r.subscription_id.is_empty() || r.subscription_id.eq_ignore_ascii_case(&s.id)
                })
                .collect();
            let upper = s.id.to_ascii_uppercase();
            assert_eq!(lookup.get([upper.as_str()]), scan, "{}", s.id);
            let by_index: Vec<&Resource> = ctx.resources_in(&upper, ty).collect();
            let scan_in: Vec<&Resource> = scan
                .iter()
                .copied()
                .filter(|r| !r.subscription_id.is_empty())
                .collect();
            assert_eq!(by_index, scan_in);
        }
        // Several keys: each row once, in inventory order.
        let all: Vec<&str> = inv.subscriptions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            lookup.get(all.iter().copied().chain(all.iter().copied())),
            ctx.resources_of(ty)
        );
        assert!(lookup.get(["no-such-subscription"]).is_empty());
        // The same name gives the same lookup.
        assert!(std::sync::Arc::ptr_eq(
            &lookup,
            &ctx.lookup("test.storage", ty, sub_key)
        ));
        // By id, any case, trailing slash ignored.
        let r = &inv.resources[3];
        let id = format!("{}/", r.id.to_ascii_uppercase());
        assert_eq!(ctx.resource(&id).map(|x| &x.id), Some(&r.id));
        assert!(ctx.resource("/subscriptions/none").is_none());
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let ids: Vec<&str> = registry().iter().map(|c| c.meta.id).collect();
        let mut dedup = ids.clone();
        dedup.dedup();
        assert_eq!(ids, dedup, "duplicate check id");
        insta::assert_snapshot!(ids.join("\n"));
    }

    #[test]
    fn no_deprecated_id_is_registered() {
        for (id, reason) in DEPRECATED {
            assert!(
                find(id).is_none(),
                "{id} was retired ({reason}) and may not return"
            );
            assert!(!reason.is_empty());
        }
    }

    #[test]
    fn message_conventions() {
        for c in registry() {
            let m = &c.meta;
            assert!(
                m.title.chars().count() <= 100,
                "{}: title over 100 characters",
                m.id
            );
            assert!(
                !m.title.ends_with('.'),
                "{}: title ends with a period",
                m.id
            );
            for (field, text) in [
                ("description", m.description),
                ("rationale", m.rationale),
                ("remediation", m.remediation),
            ] {
                assert!(text.len() >= 20, "{}: {field} is too short to help", m.id);
            }
            assert!(
                m.remediation.contains("az "),
                "{}: remediation has no az command",
                m.id
            );
            assert!(!m.sources.is_empty(), "{}: reads no source", m.id);
        }
    }

    /// Where a check tests the same setting as a policy of Microsoft's SOC 2 Type 2 initiative,
    /// it maps to at least the criteria Microsoft maps that policy to.
    #[test]
    fn covers_microsoft_policy_criteria() {
        let mut rdr = csv::Reader::from_reader(
            include_str!("../../data/azure-policy-soc2-type2.csv").as_bytes(),
        );
        let mut by_policy: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            if &rec[3] == "yes" {
                let guid = rec[2].rsplit('/').next().unwrap().to_string();
                by_policy.entry(guid).or_default().push(rec[0].to_string());
            }
        }
        for c in registry() {
            for p in c.meta.policies {
                let crits = by_policy.get(*p).unwrap_or_else(|| {
                    panic!("{}: {p} is not an automated SOC 2 policy", c.meta.id)
                });
                for crit in crits {
                    assert!(
                        c.meta.criteria.contains(&crit.as_str()),
                        "{}: Microsoft maps policy {p} to {crit}, the check does not",
                        c.meta.id
                    );
                }
            }
        }
    }

    #[test]
    fn at_least_fifteen_checks() {
        assert!(registry().len() >= 15, "{} checks", registry().len());
    }

    #[test]
    fn ids_follow_service_what() {
        for c in registry() {
            assert!(
                c.meta.id.starts_with(&format!("{}_", c.meta.service)),
                "{} does not start with its service",
                c.meta.id
            );
            assert!(
                c.meta
                    .id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                "{}",
                c.meta.id
            );
        }
    }

    #[test]
    fn every_cis_reference_exists() {
        let csv = include_str!("../../data/cis-azure-foundations.csv");
        let known: Vec<String> = csv
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut p = l.split(',');
                Some(format!("{}:{}", p.next()?, p.next()?))
            })
            .collect();
        for c in registry() {
            for r in c.meta.cis {
                assert!(
                    known.iter().any(|k| k == r),
                    "{}: unknown CIS id {r}",
                    c.meta.id
                );
            }
        }
    }

    #[test]
    fn resource_checks_have_a_type() {
        for c in registry() {
            if let Eval::Resource(t, _) | Eval::ResourceCtx(t, _) = c.eval {
                assert!(!t.is_empty(), "{} has no resource type", c.meta.id);
                assert_eq!(t, t.to_ascii_lowercase());
            }
        }
    }

    /// Every check has pass, fail and missing-data tests beside it, by naming convention.
    #[test]
    fn every_check_has_pass_fail_and_missing_tests() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        let mut sources = String::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "rs") {
                sources.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
        for c in registry() {
            for suffix in ["pass", "fail", "missing"] {
                let name = format!("fn {}_{suffix}()", c.meta.id);
                assert!(sources.contains(&name), "missing test `{name}`");
            }
        }
    }

    #[test]
    fn missing_source_is_an_error_not_a_pass() {
        let mut inv = testutil::inventory(vec![]);
        inv.sources.clear();
        for c in registry() {
            let r = testutil::run_check(c, &inv);
            assert_eq!(r.status, FindingStatus::Error, "{}", c.meta.id);
        }
    }

    #[test]
    fn resource_gap_reaches_only_checks_of_that_resource() {
        let storage =
            testutil::fixture_resource("storage/storage_account_create.2025-06-01.json", 0);
        let mut inv = testutil::inventory(vec![storage.clone()]);
        for s in &mut inv.sources {
            s.gaps.push(crate::model::Gap {
                scope: storage.id.clone(),
                reason: "403 AuthorizationFailed".into(),
                read: None,
            });
        }
        let blob = testutil::run_check(find("storage_blob_soft_delete_enabled").unwrap(), &inv);
        let f = blob
            .findings
            .iter()
            .find(|f| f.resource_id == storage.id)
            .unwrap();
        assert_eq!(f.status, FindingStatus::Error);
        assert!(f.reason.contains("403 AuthorizationFailed"), "{}", f.reason);
        // A Key Vault check is not made incomplete by a storage account's gap.
        let kv = testutil::run_check(find("keyvault_logging_enabled").unwrap(), &inv);
        assert!(kv.findings.iter().all(|f| f.resource_id != storage.id));
    }

    /// Every `source:read` a check declares is a read the collector records gaps by, so a
    /// declared read can never silently match nothing.
    #[test]
    fn every_declared_sub_read_is_in_the_collectors_catalogue() {
        let mut declared = 0;
        for c in registry() {
            for e in c.meta.sources {
                if let (source, Some(read)) = source_entry(e) {
                    assert!(
                        crate::collect::is_sub_read(source, read),
                        "{}: {e} is not a read the collector makes",
                        c.meta.id
                    );
                    declared += 1;
                }
            }
        }
        assert!(declared >= 13, "{declared}");
        assert!(!crate::collect::is_sub_read(
            "arm.sql_server_settings",
            "administrator"
        ));
        assert!(!crate::collect::is_sub_read(
            "arm.web_config",
            "administrators"
        ));
        assert!(!crate::collect::is_sub_read(
            "graph.directory_roles",
            "directoryRoles/roleTemplateId=global-admin/members"
        ));
        // The Global Administrator checks name that role's template.
        for id in ["entra_global_admins_max", "entra_global_admins_min"] {
            let c = find(id).unwrap();
            assert!(
                c.meta.sources.iter().any(|e| source_entry(e)
                    == (
                        "graph.directory_roles",
                        Some("directoryRoles/roleTemplateId=62e90394-69f5-4237-9190-012177145e10/members")
                    )),
                "{id}"
            );
        }
    }

    fn gap(scope: &str, read: Option<&str>) -> crate::model::Gap {
        crate::model::Gap {
            scope: scope.into(),
            reason: "HTTP 403 AuthorizationFailed".into(),
            read: read.map(str::to_string),
        }
    }

    #[test]
    fn gaps_are_matched_by_the_reads_a_check_declares() {
        const SQL: &str = "arm.sql_server_settings";
        let admins = find("sql_entra_admin_configured").unwrap();
        let auditing = find("sql_auditing_enabled").unwrap();
        let whole = Check {
            meta: CheckMeta {
                sources: &["resource_graph.resources", "arm.sql_server_settings"],
                ..admins.meta
            },
            eval: admins.eval,
        };
        let two = Check {
            meta: CheckMeta {
                sources: &[
                    "arm.sql_server_settings:firewallRules",
                    "arm.sql_server_settings:administrators",
                ],
                ..admins.meta
            },
            eval: admins.eval,
        };
        let s = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/a";
        // A gap on the whole source concerns every reader of it.
        for c in [admins, auditing, &whole, &two] {
            assert!(gap_concerns(c, SQL, &gap(s, None)), "{}", c.meta.id);
        }
        // A gap on one read: the checks that need it, and those that need the whole source.
        let on_admins = gap(s, Some("administrators"));
        assert!(gap_concerns(admins, SQL, &on_admins));
        assert!(gap_concerns(&whole, SQL, &on_admins));
        assert!(gap_concerns(&two, SQL, &on_admins));
        assert!(!gap_concerns(auditing, SQL, &on_admins));
        let on_auditing = gap(s, Some("auditingSettings/default"));
        assert!(gap_concerns(auditing, SQL, &on_auditing));
        assert!(!gap_concerns(admins, SQL, &on_auditing));
        assert!(!gap_concerns(&two, SQL, &on_auditing));
        // Reads are matched exactly, and only within their own source.
        assert!(!gap_concerns(admins, SQL, &gap(s, Some("Administrators"))));
        assert!(!gap_concerns(
            admins,
            "arm.sql_database_settings",
            &gap(s, None)
        ));
        assert!(gap_concerns(
            admins,
            "resource_graph.resources",
            &gap(s, Some("anything"))
        ));
        assert_eq!(source_names(&two), ["arm.sql_server_settings"]);
        assert_eq!(
            source_entry("arm.sql_server_settings:securityAlertPolicies/Default"),
            (SQL, Some("securityAlertPolicies/Default"))
        );
    }

    /// A demo SQL server whose `administrators` read failed, as the collector records it: the
    /// child is absent and the gap names the read. Only the checks that need the administrators
    /// are in error for that server; the auditing check is judged on the auditing policy read.
    #[test]
    fn a_failed_sub_read_errors_only_the_checks_that_need_it() {
        let mut inv = crate::collect::demo::inventory(crate::collect::demo::DemoState::Baseline);
        let server = inv
            .resources
            .iter_mut()
            .find(|r| r.r#type == "microsoft.sql/servers")
            .unwrap();
        let id = server.id.clone();
        assert!(server.children.remove("administrators").is_some());
        let before: Vec<(String, FindingStatus)> = ["sql_auditing_enabled", "sql_defender_enabled"]
            .iter()
            .map(|c| {
                let r = testutil::run_check(find(c).unwrap(), &inv);
                let f = r.findings.iter().find(|f| f.resource_id == id).unwrap();
                (c.to_string(), f.status)
            })
            .collect();
        assert_eq!(before[0].1, FindingStatus::Pass, "the demo server audits");
        inv.sources
            .iter_mut()
            .find(|s| s.name == "arm.sql_server_settings")
            .unwrap()
            .gaps
            .push(crate::model::Gap {
                scope: id.clone(),
                reason: "administrators: HTTP 403 AuthorizationFailed".into(),
                read: Some("administrators".into()),
            });
        for c in [
            "sql_entra_admin_configured",
            "sql_entra_only_authentication",
        ] {
            let r = testutil::run_check(find(c).unwrap(), &inv);
            let f = r.findings.iter().find(|f| f.resource_id == id).unwrap();
            assert_eq!(f.status, FindingStatus::Error, "{c}: {}", f.reason);
            assert!(
                f.reason
                    .contains("source arm.sql_server_settings incomplete: administrators"),
                "{c}: {}",
                f.reason
            );
            assert_eq!(r.status, FindingStatus::Error, "{c}");
            // The other servers are judged on their own data.
            assert!(
                r.findings
                    .iter()
                    .filter(|f| f.resource_id != id)
                    .all(|f| f.status != FindingStatus::Error),
                "{c}"
            );
        }
        for (c, status) in before {
            let r = testutil::run_check(find(&c).unwrap(), &inv);
            let f = r.findings.iter().find(|f| f.resource_id == id).unwrap();
            assert_eq!(f.status, status, "{c}: {}", f.reason);
            assert!(!f.reason.contains("incomplete"), "{c}: {}", f.reason);
        }
        // Without the gap, the absent child alone still makes the admin check an error.
        inv.sources
            .iter_mut()
            .for_each(|s| s.gaps.retain(|g| g.read.is_none()));
        let r = testutil::run_check(find("sql_entra_admin_configured").unwrap(), &inv);
        let f = r.findings.iter().find(|f| f.resource_id == id).unwrap();
        assert_eq!(f.status, FindingStatus::Error, "{}", f.reason);
        assert!(f.reason.contains("not collected"), "{}", f.reason);
    }

    /// A failed members read of one directory role concerns only the checks that need that
    /// role's members: another role's gap leaves the Global Administrator checks as they were.
    #[test]
    fn a_failed_members_read_errors_only_checks_of_that_role() {
        const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
        const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
        let clean = crate::collect::demo::inventory(crate::collect::demo::DemoState::Baseline);
        let with_gap = |template: Option<&str>| {
            let mut inv = clean.clone();
            inv.sources
                .iter_mut()
                .find(|s| s.name == "graph.directory_roles")
                .unwrap()
                .gaps
                .push(crate::model::Gap {
                    scope: format!("/tenants/{}/directoryRoles/r1", inv.tenant_id),
                    reason: "members of directory role \"X\" are unknown".into(),
                    read: template.map(|t| format!("directoryRoles/roleTemplateId={t}/members")),
                });
            inv
        };
        for c in ["entra_global_admins_max", "entra_global_admins_min"] {
            let check = find(c).unwrap();
            let base = testutil::run_check(check, &clean).status;
            assert_ne!(base, FindingStatus::Error, "{c}");
            let other = testutil::run_check(check, &with_gap(Some(SECURITY_ADMIN)));
            assert_eq!(other.status, base, "{c}: {:?}", other.findings[0].reason);
            for inv in [with_gap(Some(GA)), with_gap(None)] {
                let r = testutil::run_check(check, &inv);
                assert_eq!(r.status, FindingStatus::Error, "{c}");
                assert!(
                    r.findings[0]
                        .reason
                        .contains("graph.directory_roles incomplete")
                );
            }
        }
    }

    #[test]
    fn gap_on_subscription_becomes_error_finding() {
        let mut inv = testutil::inventory(vec![]);
        for s in &mut inv.sources {
            s.gaps.push(crate::model::Gap {
                scope: "/subscriptions/sub-b".into(),
                reason: "403 AuthorizationFailed".into(),
                read: None,
            });
        }
        for c in registry() {
            let r = testutil::run_check(c, &inv);
            // Tenant checks carry every gap in their one finding.
            let at = match c.target() {
                Target::Tenant => "/tenants/tenant-1",
                _ => "/subscriptions/sub-b",
            };
            let f = r
                .findings
                .iter()
                .find(|f| f.resource_id == at)
                .unwrap_or_else(|| panic!("{}: gap lost", c.meta.id));
            assert_eq!(f.status, FindingStatus::Error);
            assert!(f.reason.contains("403 AuthorizationFailed"), "{}", f.reason);
        }
    }
}
