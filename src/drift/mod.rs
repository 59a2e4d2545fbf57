//! Drift: the pure difference between two evidence snapshots (the approved base and a new head)
//! and its markdown rendering, which becomes the drift pull request's title and body.
//!
//! It owns what "changed" means for a reviewer: criteria whose status moved, findings that
//! started failing or erroring or were resolved, resources added or removed, score deltas, and a
//! unified diff of every evidence file whose bytes differ (the manifest excepted, since it always
//! differs by run metadata). No I/O and no clock: the same two snapshots always give the same
//! [`Drift`] and the same markdown.

mod markdown;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::attestations::AttestationState;
use crate::checks::{AppliedWaiver, FindingStatus, Severity};
use crate::controls::{self, ControlStatus, Score};
use crate::evidence::{EvidenceError, MANIFEST, Snapshot, Summary, inventory_path, parse_json};
use crate::model::InventoryPart;
use crate::waivers::{WaiverState, WaiverStatus};

/// Lines of context around each hunk of a file diff.
const CONTEXT_LINES: usize = 3;

/// Upper bound on the line-diff work for one file, as (lines in both versions) × (lines that
/// must change). Myers' algorithm costs about that much; past it a file is reported as changed
/// without a line diff. A size bound, not a timeout, so the result never depends on the clock
/// or the machine.
const MAX_DIFF_WORK: u64 = 200_000_000;

/// Everything that changed between two snapshots, in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// Collection time of the base (approved) evidence.
    pub base_as_of: DateTime<Utc>,
    /// Collection time of the new evidence.
    pub head_as_of: DateTime<Utc>,
    /// Criteria whose status changed, in catalogue order (unknown ids last, by id).
    pub criteria: Vec<CriterionChange>,
    /// Findings that are `fail` now and were not before (new resources included).
    pub newly_failing: Vec<FindingChange>,
    /// Findings that are `error` now and were not before: missing data is never a pass.
    pub newly_erroring: Vec<FindingChange>,
    /// Findings that were `fail` or `error` and now pass, are not applicable, or are gone.
    pub resolved: Vec<FindingChange>,
    /// Resource ids in the head inventory only, sorted.
    pub resources_added: Vec<String>,
    /// Resource ids in the base inventory only, sorted.
    pub resources_removed: Vec<String>,
    /// Scores that changed: overall first, then each category in catalogue order.
    pub scores: Vec<ScoreDelta>,
    /// Every evidence file except the manifest whose bytes differ, sorted by path.
    pub files: Vec<FileDiff>,
    /// Waivers that cover findings now and did not before, by id.
    pub waivers_applied: Vec<WaiverChange>,
    /// Waivers that have expired since the base (their findings fail again), by id.
    pub waivers_expired: Vec<WaiverChange>,
    /// Manual criteria whose attestation state changed (attested, stale, unattested), or whose
    /// attestation file changed, in catalogue order.
    pub attestations: Vec<AttestationChange>,
}

/// A waiver whose state changed between the snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverChange {
    pub id: String,
    pub check: String,
    /// The resource glob.
    pub resource: String,
    pub owner: String,
    pub expires: chrono::NaiveDate,
    /// `None` when the waiver was not in the base's waiver file.
    pub from: Option<WaiverState>,
    pub to: WaiverState,
    /// Findings the waiver covers in the head.
    pub findings: u64,
}

/// A manual criterion whose attestation changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationChange {
    pub id: String,
    pub title: String,
    pub from: Option<AttestationState>,
    pub to: Option<AttestationState>,
    /// The head's attestation date, owner and file, when it has one.
    pub date: Option<chrono::NaiveDate>,
    pub owner: Option<String>,
}

/// A criterion whose status changed; `None` on the side where it is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionChange {
    pub id: String,
    /// Short title from the catalogue; empty for an id the catalogue does not know.
    pub title: String,
    pub from: Option<ControlStatus>,
    pub to: Option<ControlStatus>,
}

/// One finding (check × resource) whose status changed in a way a reviewer must see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingChange {
    pub check_id: String,
    pub resource_id: String,
    pub severity: Severity,
    /// `None` when the finding did not exist in the base (e.g. a new resource).
    pub from: Option<FindingStatus>,
    /// `None` when the finding no longer exists (resource removed, check retired).
    pub to: Option<FindingStatus>,
    /// Why the finding is in its new state: the check's reason, or why it disappeared.
    pub reason: String,
    /// The base's reason, so a resolved finding says what used to be wrong.
    pub previous_reason: Option<String>,
}

/// Which score a [`ScoreDelta`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMetric {
    /// Share of evaluated automated criteria that pass.
    Criteria,
    /// Share of evaluated findings that pass.
    Findings,
}

impl ScoreMetric {
    pub fn label(self) -> &'static str {
        match self {
            Self::Criteria => "criteria score",
            Self::Findings => "findings score",
        }
    }
}

/// A score that changed, in percent (`None` when nothing was evaluated).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreDelta {
    /// `overall`, or a category label such as `Security (common criteria)`.
    pub scope: String,
    pub metric: ScoreMetric,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChangeKind {
    Added,
    Removed,
    Modified,
}

impl FileChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Modified => "modified",
        }
    }
}

/// One evidence file whose bytes differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileDiff {
    /// Path relative to the evidence root.
    pub path: String,
    pub kind: FileChangeKind,
    pub insertions: usize,
    pub deletions: usize,
    /// True when the only change is the collection time (`as_of`, provenance start/finish):
    /// evidence of a new collection, not of drift.
    pub time_only: bool,
    /// Unified diff (3 lines of context, `a/<path>` and `b/<path>` headers; `/dev/null` for the
    /// missing side of an added or removed file, as git writes it). Empty when
    /// `unified_omitted`.
    pub unified: String,
    /// True when the file changed too much for a line diff within [`MAX_DIFF_WORK`]; the
    /// insertion and deletion counts are then lower bounds.
    pub unified_omitted: bool,
}

impl Drift {
    /// No criterion, finding, resource, score or file changed.
    pub fn is_empty(&self) -> bool {
        self.criteria.is_empty()
            && self.newly_failing.is_empty()
            && self.newly_erroring.is_empty()
            && self.resolved.is_empty()
            && self.resources_added.is_empty()
            && self.resources_removed.is_empty()
            && self.scores.is_empty()
            && self.files.is_empty()
            && self.waivers_applied.is_empty()
            && self.waivers_expired.is_empty()
            && self.attestations.is_empty()
    }

    /// The control state changed: a criterion, a finding's status, the resources in scope or a
    /// score. That warrants a reviewer; anything else is a new collection that found the estate
    /// as it was. File changes alone are not material: observed values such as an account's
    /// days since sign-in move with every collection while its verdict stands, and such a run
    /// is still recorded (by default as a commit on the base branch), never lost.
    pub fn is_material(&self) -> bool {
        !self.criteria.is_empty()
            || self.findings_changed() > 0
            || !self.resources_added.is_empty()
            || !self.resources_removed.is_empty()
            || !self.scores.is_empty()
            || !self.waivers_applied.is_empty()
            || !self.waivers_expired.is_empty()
            || !self.attestations.is_empty()
    }

    /// Findings listed as newly failing, newly erroring or resolved.
    pub fn findings_changed(&self) -> usize {
        self.newly_failing.len() + self.newly_erroring.len() + self.resolved.len()
    }

    /// A one-line, PR-title-style statement of the drift.
    pub fn title(&self) -> String {
        const SHOWN: usize = 5;
        if !self.criteria.is_empty() {
            let n = self.criteria.len();
            let mut listed: Vec<String> = self
                .criteria
                .iter()
                .take(SHOWN)
                .map(|c| format!("{} {}→{}", c.id, status_str(c.from), status_str(c.to)))
                .collect();
            if n > SHOWN {
                listed.push("…".to_string());
            }
            return format!(
                "{n} {} changed: {}",
                plural(n, "criterion", "criteria"),
                listed.join(", ")
            );
        }
        let mut parts = Vec::new();
        let f = self.findings_changed();
        if f > 0 {
            parts.push(format!("{f} {} changed", plural(f, "finding", "findings")));
        }
        let a = self.resources_added.len();
        if a > 0 {
            parts.push(format!("{a} {} added", plural(a, "resource", "resources")));
        }
        let r = self.resources_removed.len();
        if r > 0 {
            parts.push(format!(
                "{r} {} removed",
                plural(r, "resource", "resources")
            ));
        }
        let e = self.waivers_expired.len();
        if e > 0 {
            parts.push(format!("{e} {} expired", plural(e, "waiver", "waivers")));
        }
        let w = self.waivers_applied.len();
        if w > 0 {
            parts.push(format!("{w} {} applied", plural(w, "waiver", "waivers")));
        }
        let t = self.attestations.len();
        if t > 0 {
            parts.push(format!(
                "{t} {} changed",
                plural(t, "attestation", "attestations")
            ));
        }
        if parts.is_empty() && !self.scores.is_empty() {
            let s = self.scores.len();
            parts.push(format!("{s} {} changed", plural(s, "score", "scores")));
        }
        let material_files = self.files.iter().filter(|f| !f.time_only).count();
        if parts.is_empty() && material_files > 0 {
            parts.push(format!(
                "{material_files} evidence {} changed",
                plural(material_files, "file", "files")
            ));
        }
        if !parts.is_empty() {
            format!("No criteria changed; {}", parts.join(", "))
        } else if !self.files.is_empty() {
            "No drift; only the collection time changed".to_string()
        } else {
            "No drift".to_string()
        }
    }

    /// The drift as a markdown PR body of at most `max_chars` characters (GitHub's limit is
    /// 65,536). Structured sections come first; file diffs follow while they fit, and a closing
    /// note names whatever was left out.
    pub fn to_markdown(&self, max_chars: usize) -> String {
        markdown::render(self, max_chars, None)
    }

    /// As [`Drift::to_markdown`], with criteria and check ids linking to their evidence files
    /// under `evidence_url` (e.g. `https://github.com/o/r/blob/<sha>/evidence`).
    pub fn to_markdown_linked(&self, max_chars: usize, evidence_url: &str) -> String {
        markdown::render(self, max_chars, Some(evidence_url.trim_end_matches('/')))
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Status word for titles and tables; `absent` where a side lacks the item.
fn status_str(s: Option<ControlStatus>) -> &'static str {
    s.map_or("absent", ControlStatus::as_str)
}

/// Compares two snapshots. `Err` only when either snapshot is missing or has malformed
/// evidence: drift computed from evidence that could not be read would hide changes.
pub fn diff(base: &Snapshot, head: &Snapshot) -> Result<Drift, EvidenceError> {
    let base_summary = base.summary()?;
    let head_summary = head.summary()?;
    // The two snapshots are read side by side: at tenant scale each is hundreds of MiB.
    let read = |s: &Snapshot| -> Result<_, EvidenceError> { Ok((resource_ids(s)?, findings(s)?)) };
    let (b, h) = rayon::join(|| read(base), || read(head));
    let ((base_resources, base_findings), (head_resources, head_findings)) = (b?, h?);

    let (newly_failing, newly_erroring, resolved) = finding_changes(
        &base_findings,
        &head_findings,
        &base_resources,
        &head_resources,
    );

    Ok(Drift {
        base_as_of: base_summary.as_of,
        head_as_of: head_summary.as_of,
        criteria: criteria_changes(&base_summary, &head_summary)?,
        newly_failing,
        newly_erroring,
        resolved,
        resources_added: head_resources
            .difference(&base_resources)
            .cloned()
            .collect(),
        resources_removed: base_resources
            .difference(&head_resources)
            .cloned()
            .collect(),
        scores: score_deltas(&base_summary, &head_summary),
        files: file_diffs(base, head)?,
        waivers_applied: waiver_changes(&base_summary, &head_summary, WaiverState::Applied),
        waivers_expired: waiver_changes(&base_summary, &head_summary, WaiverState::Expired),
        attestations: attestation_changes(base, head, &base_summary, &head_summary)?,
    })
}

/// Waivers in state `to` in the head that were in another state (or absent) in the base.
fn waiver_changes(base: &Summary, head: &Summary, to: WaiverState) -> Vec<WaiverChange> {
    let before = |id: &str| -> Option<&WaiverStatus> { base.waivers.iter().find(|w| w.id == id) };
    let mut out: Vec<WaiverChange> = head
        .waivers
        .iter()
        .filter(|w| w.state == to)
        .filter_map(|w| {
            let from = before(&w.id).map(|b| b.state);
            (from != Some(to)).then(|| WaiverChange {
                id: w.id.clone(),
                check: w.check.clone(),
                resource: w.resource.clone(),
                owner: w.owner.clone(),
                expires: w.expires,
                from,
                to,
                findings: w.findings,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Manual criteria whose attestation state or attestation file changed.
fn attestation_changes(
    base: &Snapshot,
    head: &Snapshot,
    base_summary: &Summary,
    head_summary: &Summary,
) -> Result<Vec<AttestationChange>, EvidenceError> {
    let blocks = |s: &Snapshot| -> Result<
        BTreeMap<String, crate::attestations::ControlAttestation>,
        EvidenceError,
    > {
        Ok(s.controls()?
            .into_iter()
            .filter_map(|c| c.attestation.map(|a| (c.id, a)))
            .collect())
    };
    let (b, h) = (blocks(base)?, blocks(head)?);
    let mut out = Vec::new();
    for crit in controls::catalogue() {
        let (from, to) = (b.get(&crit.id), h.get(&crit.id));
        let state = |s: &Summary| {
            s.criteria
                .iter()
                .find(|c| c.id == crit.id)
                .and_then(|c| c.attestation)
        };
        let (fs, ts) = (state(base_summary), state(head_summary));
        let file_changed =
            from.and_then(|a| a.sha256.as_ref()) != to.and_then(|a| a.sha256.as_ref());
        if fs != ts || file_changed {
            out.push(AttestationChange {
                id: crit.id.clone(),
                title: crit.title.clone(),
                from: fs,
                to: ts,
                date: to.and_then(|a| a.date),
                owner: to.and_then(|a| a.owner.clone()),
            });
        }
    }
    Ok(out)
}

/// What drift reads of `inventory/resources.json`: the ids. The rest of each resource is
/// skipped by the parser rather than built into JSON trees, which at tenant scale would cost
/// GiBs for two snapshots. (`verify` is what checks every file against its schema.)
#[derive(Deserialize)]
struct ResourceIds {
    data: Vec<ResourceId>,
}

#[derive(Deserialize)]
struct ResourceId {
    id: String,
}

fn resource_ids(s: &Snapshot) -> Result<BTreeSet<String>, EvidenceError> {
    let file: ResourceIds = s.parse(&inventory_path(InventoryPart::Resources))?;
    Ok(file.data.into_iter().map(|r| r.id).collect())
}

/// What drift reads of a check file: observed values are skipped, not parsed.
#[derive(Deserialize)]
struct CheckView {
    id: String,
    severity: Severity,
    results: Vec<ResultView>,
}

#[derive(Deserialize)]
struct ResultView {
    resource_id: String,
    status: FindingStatus,
    reason: String,
    #[serde(default)]
    waiver: Option<AppliedWaiver>,
}

/// A finding as read back from a check file.
struct Observed {
    status: FindingStatus,
    severity: Severity,
    reason: String,
}

/// Every finding of a snapshot keyed by (check id, resource id), plus the set of check ids.
struct Findings {
    checks: BTreeSet<String>,
    by_key: BTreeMap<(String, String), Observed>,
}

fn findings(s: &Snapshot) -> Result<Findings, EvidenceError> {
    let mut out = Findings {
        checks: BTreeSet::new(),
        by_key: BTreeMap::new(),
    };
    for (path, bytes) in s
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("checks/") && p.ends_with(".json"))
    {
        let file: CheckView = parse_json(path, bytes)?;
        // Two files claiming one check, or one resource twice, would make one of the verdicts
        // silently win; refuse rather than risk hiding a failure.
        if !out.checks.insert(file.id.clone()) {
            return Err(invalid(
                path,
                "id",
                format!("check {} appears twice", file.id),
            ));
        }
        for (i, r) in file.results.into_iter().enumerate() {
            let key = (file.id.clone(), r.resource_id);
            if out.by_key.contains_key(&key) {
                return Err(invalid(
                    path,
                    &format!("results[{i}].resource_id"),
                    format!("resource {} appears twice", key.1),
                ));
            }
            let reason = match &r.waiver {
                Some(w) => format!(
                    "{} (waived by {}, owner {}, expires {})",
                    r.reason, w.id, w.owner, w.expires
                ),
                None => r.reason,
            };
            out.by_key.insert(
                key,
                Observed {
                    status: r.status,
                    severity: file.severity,
                    reason,
                },
            );
        }
    }
    Ok(out)
}

fn invalid(file: &str, path: &str, message: String) -> EvidenceError {
    EvidenceError::Invalid {
        file: file.to_string(),
        path: path.to_string(),
        message,
    }
}

fn is_bad(s: FindingStatus) -> bool {
    matches!(s, FindingStatus::Fail | FindingStatus::Error)
}

type FindingLists = (Vec<FindingChange>, Vec<FindingChange>, Vec<FindingChange>);

fn finding_changes(
    base: &Findings,
    head: &Findings,
    base_resources: &BTreeSet<String>,
    head_resources: &BTreeSet<String>,
) -> FindingLists {
    let (mut failing, mut erroring, mut resolved) = (Vec::new(), Vec::new(), Vec::new());
    let keys: BTreeSet<&(String, String)> = base.by_key.keys().chain(head.by_key.keys()).collect();
    for key in keys {
        let (check_id, resource_id) = key;
        let b = base.by_key.get(key);
        let h = head.by_key.get(key);
        let from = b.map(|o| o.status);
        let to = h.map(|o| o.status);
        let Some(severity) = h.or(b).map(|o| o.severity) else {
            continue;
        };
        let change = |reason: String| FindingChange {
            check_id: check_id.clone(),
            resource_id: resource_id.clone(),
            severity,
            from,
            to,
            reason,
            previous_reason: b.map(|o| o.reason.clone()),
        };
        match (from, h) {
            (_, Some(h)) if h.status == FindingStatus::Fail && from != to => {
                failing.push(change(h.reason.clone()))
            }
            (_, Some(h)) if h.status == FindingStatus::Error && from != to => {
                erroring.push(change(h.reason.clone()))
            }
            (Some(f), Some(h)) if is_bad(f) && !is_bad(h.status) => {
                resolved.push(change(h.reason.clone()))
            }
            (Some(f), None) if is_bad(f) => {
                let why = if base_resources.contains(resource_id)
                    && !head_resources.contains(resource_id)
                {
                    "resource removed from the inventory"
                } else if !head.checks.contains(check_id) {
                    "check no longer in the catalogue"
                } else {
                    "no longer evaluated: the resource is out of the check's scope"
                };
                resolved.push(change(why.to_string()))
            }
            _ => {}
        }
    }
    (failing, erroring, resolved)
}

fn criteria_changes(base: &Summary, head: &Summary) -> Result<Vec<CriterionChange>, EvidenceError> {
    let index = |s: &Summary| -> Result<BTreeMap<String, ControlStatus>, EvidenceError> {
        let mut m = BTreeMap::new();
        for (i, c) in s.criteria.iter().enumerate() {
            if m.insert(c.id.clone(), c.status).is_some() {
                return Err(invalid(
                    crate::evidence::SUMMARY,
                    &format!("criteria[{i}].id"),
                    format!("criterion {} appears twice", c.id),
                ));
            }
        }
        Ok(m)
    };
    let b = index(base)?;
    let h = index(head)?;
    let ids: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    let mut changes: Vec<CriterionChange> = ids
        .into_iter()
        .filter_map(|id| {
            let (from, to) = (b.get(id).copied(), h.get(id).copied());
            (from != to).then(|| CriterionChange {
                id: id.clone(),
                title: controls::criterion(id)
                    .map(|c| c.title.clone())
                    .unwrap_or_default(),
                from,
                to,
            })
        })
        .collect();
    // Catalogue order reads the way the TSC are published (CC1 … CC9, A, C, PI, P).
    let position = |id: &str| {
        controls::catalogue()
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    changes.sort_by(|x, y| (position(&x.id), &x.id).cmp(&(position(&y.id), &y.id)));
    Ok(changes)
}

fn score_deltas(base: &Summary, head: &Summary) -> Vec<ScoreDelta> {
    let mut scopes: Vec<(String, Option<&Score>, Option<&Score>)> = vec![(
        "overall".to_string(),
        Some(&base.overall),
        Some(&head.overall),
    )];
    for cat in controls::Category::ALL {
        let b = base.categories.iter().find(|c| c.category == cat);
        let h = head.categories.iter().find(|c| c.category == cat);
        if let Some(label) = h.or(b).map(|c| c.label.clone()) {
            scopes.push((label, b.map(|c| &c.score), h.map(|c| &c.score)));
        }
    }
    let mut out = Vec::new();
    for (scope, b, h) in scopes {
        for metric in [ScoreMetric::Criteria, ScoreMetric::Findings] {
            let pick = |s: Option<&Score>| {
                s.and_then(|s| match metric {
                    ScoreMetric::Criteria => s.criteria_score,
                    ScoreMetric::Findings => s.findings_score,
                })
            };
            let (before, after) = (pick(b), pick(h));
            if before != after {
                out.push(ScoreDelta {
                    scope: scope.clone(),
                    metric,
                    before,
                    after,
                });
            }
        }
    }
    out
}

fn file_diffs(base: &Snapshot, head: &Snapshot) -> Result<Vec<FileDiff>, EvidenceError> {
    let paths: BTreeSet<&String> = base
        .evidence_files()
        .chain(head.evidence_files())
        .map(|(p, _)| p)
        .filter(|p| p.as_str() != MANIFEST)
        .collect();
    let mut out = Vec::new();
    for path in paths {
        let (b, h) = (base.files.get(path), head.files.get(path));
        if b == h {
            continue;
        }
        let kind = match (b, h) {
            (None, _) => FileChangeKind::Added,
            (_, None) => FileChangeKind::Removed,
            _ => FileChangeKind::Modified,
        };
        let old = text(path, b)?;
        let new = text(path, h)?;
        let time_only = kind == FileChangeKind::Modified && only_times_differ(old, new);
        let (a_name, b_name) = (
            if b.is_some() {
                format!("a/{path}")
            } else {
                "/dev/null".to_string()
            },
            if h.is_some() {
                format!("b/{path}")
            } else {
                "/dev/null".to_string()
            },
        );
        out.push(file_diff(path, kind, old, new, time_only, &a_name, &b_name));
    }
    Ok(out)
}

/// Evidence is UTF-8 JSON; anything else is malformed, not something to diff as bytes.
fn text<'a>(path: &str, bytes: Option<&'a Vec<u8>>) -> Result<&'a str, EvidenceError> {
    match bytes {
        None => Ok(""),
        Some(b) => {
            std::str::from_utf8(b).map_err(|e| invalid(path, "", format!("not UTF-8 text: {e}")))
        }
    }
}

fn file_diff(
    path: &str,
    kind: FileChangeKind,
    old: &str,
    new: &str,
    time_only: bool,
    a_name: &str,
    b_name: &str,
) -> FileDiff {
    let (lower_ins, lower_del) = changed_lines_lower_bound(old, new);
    let lines = (old.lines().count() + new.lines().count()) as u64;
    if lines.saturating_mul((lower_ins + lower_del) as u64) > MAX_DIFF_WORK {
        return FileDiff {
            path: path.to_string(),
            kind,
            insertions: lower_ins,
            deletions: lower_del,
            time_only,
            unified: String::new(),
            unified_omitted: true,
        };
    }
    let diff = TextDiff::from_lines(old, new);
    let (mut insertions, mut deletions) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => insertions += 1,
            ChangeTag::Delete => deletions += 1,
            ChangeTag::Equal => {}
        }
    }
    let unified = diff
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header(a_name, b_name)
        .to_string();
    FileDiff {
        path: path.to_string(),
        kind,
        insertions,
        deletions,
        time_only,
        unified,
        unified_omitted: false,
    }
}

/// Lines that must be inserted and deleted whatever the alignment: the multiset difference of
/// the two files' lines. Cheap, and a lower bound on the work Myers' algorithm will do.
fn changed_lines_lower_bound(old: &str, new: &str) -> (usize, usize) {
    let balance = line_balance(old, new);
    let ins = balance
        .values()
        .filter(|v| **v > 0)
        .map(|v| *v as usize)
        .sum();
    let del = balance
        .values()
        .filter(|v| **v < 0)
        .map(|v| (-*v) as usize)
        .sum();
    (ins, del)
}

/// How many more times each line occurs in `new` than in `old`.
fn line_balance<'a>(old: &'a str, new: &'a str) -> HashMap<&'a str, i64> {
    // A HashMap is fine here: only counts and membership leave, never the iteration order.
    let mut balance: HashMap<&str, i64> = HashMap::new();
    for l in old.lines() {
        *balance.entry(l).or_default() -= 1;
    }
    for l in new.lines() {
        *balance.entry(l).or_default() += 1;
    }
    balance
}

/// Lines in one file that the other does not match one for one.
fn unmatched_lines<'a>(old: &'a str, new: &'a str) -> impl Iterator<Item = &'a str> {
    line_balance(old, new)
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(l, _)| l)
}

/// True when two JSON evidence files differ only in collection times: the top-level `as_of` and
/// the `started_at`/`finished_at` of each provenance source.
fn only_times_differ(old: &str, new: &str) -> bool {
    // Cheap test first: every line one file has and the other lacks must be a time field.
    // Only then are both files parsed, which for an inventory file at tenant scale is the
    // expensive part of a diff.
    let time_line = |l: &str| {
        let l = l.trim_start();
        ["\"as_of\": ", "\"started_at\": ", "\"finished_at\": "]
            .iter()
            .any(|k| l.starts_with(k))
    };
    if !unmatched_lines(old, new).all(time_line) {
        return false;
    }
    fn strip(text: &str) -> Option<Value> {
        let mut v: Value = serde_json::from_str(text).ok()?;
        let obj = v.as_object_mut()?;
        obj.remove("as_of");
        if let Some(Value::Array(sources)) = obj.get_mut("provenance") {
            for s in sources.iter_mut().filter_map(Value::as_object_mut) {
                s.remove("started_at");
                s.remove("finished_at");
            }
        }
        Some(v)
    }
    match (strip(old), strip(new)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
