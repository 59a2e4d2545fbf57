//! Waivers: accepted risks declared in `waivers.toml` at the evidence repository's root. Strict
//! parse (unknown keys rejected), validation that names every bad entry at once, and the pure
//! application of valid waivers to findings. No I/O and no clock: whether a waiver is in force is
//! decided at the snapshot's `as_of`, never the wall clock, so re-assessing an inventory gives
//! the same evidence.
//!
//! Semantics:
//! - Only a `fail` finding can be waived; it becomes `waived` and carries the waiver's id, owner,
//!   approver, reason and expiry. An `error` (missing data) is never waived into anything.
//! - A waiver is in force from its `created` date (inclusive) until its `expires` date
//!   (exclusive): from 00:00 UTC on `expires` it has expired, stops applying, and the finding is
//!   `fail` again.
//! - `resource` is a glob on the ARM resource id, case-insensitive (ARM ids are): `*` and `?`
//!   stay within one `/`-separated segment, `**` crosses segments.
//! - When several waivers match one finding, the one with the smallest id applies.

use chrono::{DateTime, NaiveDate, Utc};
use globset::{GlobBuilder, GlobMatcher};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{CheckResult, FindingStatus};

/// What a waived finding records; declared beside `Finding` in `checks`, which carries it.
pub use crate::checks::AppliedWaiver;

/// Default file name, at the evidence repository's root.
pub const FILE_NAME: &str = "waivers.toml";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WaiverError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: invalid waivers:\n  - {}", problems.join("\n  - "))]
    Invalid { file: String, problems: Vec<String> },
}

/// One accepted risk, as declared and validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Stable identifier, e.g. `W-001`; unique in the file.
    pub id: String,
    /// The check id the waiver covers.
    pub check: String,
    /// Glob on the resource id (case-insensitive; `*` within a segment, `**` across segments).
    pub resource: String,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who owns the risk and its remediation.
    pub owner: String,
    /// Who approved the exception.
    pub approved_by: String,
    /// First day the waiver is in force.
    pub created: NaiveDate,
    /// First day the waiver no longer applies (00:00 UTC).
    pub expires: NaiveDate,
}

/// A waiver's state at a snapshot's `as_of`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force and covering at least one failing finding.
    Applied,
    /// In force, but no failing finding matches it (fixed, or the pattern is wrong).
    Unused,
    /// Past its expiry: it applies to nothing and its findings fail again.
    Expired,
    /// Created after the snapshot's time: not yet in force.
    NotYetEffective,
}

impl WaiverState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Unused => "unused",
            Self::Expired => "expired",
            Self::NotYetEffective => "not_yet_effective",
        }
    }
}

/// A waiver's state in one snapshot, as `summary.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverStatus {
    pub id: String,
    pub check: String,
    pub resource: String,
    pub owner: String,
    pub expires: NaiveDate,
    pub state: WaiverState,
    /// Findings the waiver turned from `fail` into `waived`.
    pub findings: u64,
}

/// A parsed and validated waiver file.
#[derive(Debug, Clone)]
pub struct Waivers {
    /// Where the file was read from (for messages and evidence), e.g. `waivers.toml`.
    pub source: String,
    /// sha256 of the file's bytes, so the evidence ties back to the exact file.
    pub sha256: String,
    /// Sorted by id.
    pub entries: Vec<Waiver>,
    matchers: Vec<GlobMatcher>,
}

impl PartialEq for Waivers {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.sha256 == other.sha256 && self.entries == other.entries
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waivers: Vec<RawWaiver>,
}

/// Every field optional, so that a missing one is reported with its entry beside every other
/// problem, rather than as the first serde error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    id: Option<String>,
    check: Option<String>,
    resource: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    approved_by: Option<String>,
    created: Option<toml::Value>,
    expires: Option<toml::Value>,
}

fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// A TOML date (`2026-12-31`) or a string holding one.
fn date(v: &toml::Value) -> Result<NaiveDate, String> {
    let text = match v {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| format!("{text} is not a date (YYYY-MM-DD)"))
}

impl Waivers {
    /// Parses and validates `text` (the content of `file`): every problem at once, each naming
    /// its entry as `waivers[i]` with the entry's id.
    pub fn parse(file: &str, text: &str) -> Result<Self, WaiverError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| WaiverError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        let mut matchers = Vec::new();
        let mut seen = std::collections::BTreeMap::new();
        for (i, w) in raw.waivers.into_iter().enumerate() {
            let name = match w.id.as_deref() {
                Some(id) if !id.trim().is_empty() => format!("waivers[{i}] ({id})"),
                _ => format!("waivers[{i}]"),
            };
            let mut bad = |key: &str, msg: String| problems.push(format!("{name}.{key}: {msg}"));
            let text_field =
                |v: Option<String>, key: &str, bad: &mut dyn FnMut(&str, String)| match v {
                    Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Some(_) => {
                        bad(key, "must not be empty".into());
                        None
                    }
                    None => {
                        bad(key, "missing".into());
                        None
                    }
                };
            let id = text_field(w.id, "id", &mut bad);
            if let Some(id) = &id {
                if !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                {
                    bad(
                        "id",
                        format!("{id:?} may hold only letters, digits, `-`, `_` and `.`"),
                    );
                }
                if let Some(first) = seen.insert(id.clone(), i) {
                    bad("id", format!("duplicate id {id:?} (also waivers[{first}])"));
                }
            }
            let check = text_field(w.check, "check", &mut bad);
            if let Some(c) = &check
                && crate::checks::find(c).is_none()
            {
                bad("check", format!("unknown check id {c:?}"));
            }
            let resource = text_field(w.resource, "resource", &mut bad);
            let matcher = resource.as_deref().and_then(|r| match glob(r) {
                Ok(m) => Some(m),
                Err(e) => {
                    bad("resource", format!("invalid glob {r:?}: {}", e.kind()));
                    None
                }
            });
            let reason = text_field(w.reason, "reason", &mut bad);
            let owner = text_field(w.owner, "owner", &mut bad);
            let approved_by = text_field(w.approved_by, "approved_by", &mut bad);
            let mut day = |v: Option<toml::Value>, key: &str| match v {
                None => {
                    bad(key, "missing".into());
                    None
                }
                Some(v) => date(&v).map_err(|e| bad(key, e)).ok(),
            };
            let created = day(w.created, "created");
            let expires = day(w.expires, "expires");
            if let (Some(c), Some(e)) = (created, expires)
                && e <= c
            {
                problems.push(format!(
                    "{name}.expires: {e} is not after created {c}: the waiver would be expired \
                     when created"
                ));
            }
            if let (
                Some(id),
                Some(check),
                Some(resource),
                Some(matcher),
                Some(reason),
                Some(owner),
                Some(approved_by),
                Some(created),
                Some(expires),
            ) = (
                id,
                check,
                resource,
                matcher,
                reason,
                owner,
                approved_by,
                created,
                expires,
            ) {
                entries.push(Waiver {
                    id,
                    check,
                    resource,
                    reason,
                    owner,
                    approved_by,
                    created,
                    expires,
                });
                matchers.push(matcher);
            }
        }
        if !problems.is_empty() {
            return Err(WaiverError::Invalid {
                file: file.to_string(),
                problems,
            });
        }
        let mut paired: Vec<(Waiver, GlobMatcher)> = entries.into_iter().zip(matchers).collect();
        paired.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (entries, matchers) = paired.into_iter().unzip();
        Ok(Self {
            source: file.to_string(),
            sha256: crate::digest::sha256_hex(text.as_bytes()),
            entries,
            matchers,
        })
    }

    /// Whether waiver `i` is in force at `as_of` (before counting what it covers).
    fn in_force(&self, i: usize, as_of: DateTime<Utc>) -> Option<WaiverState> {
        let w = &self.entries[i];
        let day = as_of.date_naive();
        if day >= w.expires {
            Some(WaiverState::Expired)
        } else if day < w.created {
            Some(WaiverState::NotYetEffective)
        } else {
            None
        }
    }

    /// Turns every `fail` matched by a waiver in force at `as_of` into `waived`, recounts the
    /// affected checks, and returns every waiver's state, by id.
    pub fn apply(&self, results: &mut [CheckResult], as_of: DateTime<Utc>) -> Vec<WaiverStatus> {
        let active: Vec<usize> = (0..self.entries.len())
            .filter(|i| self.in_force(*i, as_of).is_none())
            .collect();
        for r in results.iter_mut() {
            let mut changed = false;
            for f in r
                .findings
                .iter_mut()
                .filter(|f| f.status == FindingStatus::Fail)
            {
                let hit = active.iter().copied().find(|i| {
                    self.entries[*i].check == f.check_id
                        && self.matchers[*i].is_match(&f.resource_id)
                });
                if let Some(i) = hit {
                    let w = &self.entries[i];
                    f.status = FindingStatus::Waived;
                    f.waiver = Some(AppliedWaiver {
                        id: w.id.clone(),
                        owner: w.owner.clone(),
                        approved_by: w.approved_by.clone(),
                        reason: w.reason.clone(),
                        expires: w.expires,
                    });
                    changed = true;
                }
            }
            if changed {
                r.recount();
            }
        }
        self.states(results, as_of)
    }

    /// Every waiver's state at `as_of`, counting the waived findings of `results` it covers.
    pub fn states(&self, results: &[CheckResult], as_of: DateTime<Utc>) -> Vec<WaiverStatus> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let findings = results
                    .iter()
                    .flat_map(|r| &r.findings)
                    .filter(|f| f.waiver.as_ref().is_some_and(|a| a.id == w.id))
                    .count() as u64;
                WaiverStatus {
                    id: w.id.clone(),
                    check: w.check.clone(),
                    resource: w.resource.clone(),
                    owner: w.owner.clone(),
                    expires: w.expires,
                    state: self.in_force(i, as_of).unwrap_or(if findings > 0 {
                        WaiverState::Applied
                    } else {
                        WaiverState::Unused
                    }),
                    findings,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{self, Finding};
    use chrono::TimeZone;

    const CHECK: &str = "storage_secure_transfer_required";
    const RID: &str = "/subscriptions/sub-a/resourceGroups/rg-staging/providers/Microsoft.Storage/storageAccounts/stjump";

    fn entry(id: &str, resource: &str, created: &str, expires: &str) -> String {
        format!(
            "[[waivers]]\nid = \"{id}\"\ncheck = \"{CHECK}\"\nresource = \"{resource}\"\n\
             reason = \"legacy client\"\nowner = \"alice@contoso.example\"\n\
             approved_by = \"ciso@contoso.example\"\ncreated = {created}\nexpires = {expires}\n"
        )
    }

    fn result(statuses: &[(&str, FindingStatus)]) -> CheckResult {
        let findings = statuses
            .iter()
            .map(|(rid, s)| Finding {
                check_id: CHECK.into(),
                resource_id: rid.to_string(),
                status: *s,
                reason: "r".into(),
                observed: Default::default(),
                waiver: None,
            })
            .collect();
        CheckResult::new(checks::find(CHECK).unwrap(), findings)
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 6, 0, 0).unwrap()
    }

    #[test]
    fn parses_and_sorts_by_id() {
        let text = entry("W-2", "/subscriptions/*/**", "2026-10-01", "2027-01-01")
            + &entry("W-1", RID, "\"2026-10-01\"", "\"2027-01-01\"");
        let w = Waivers::parse("waivers.toml", &text).unwrap();
        assert_eq!(w.entries.len(), 2);
        assert_eq!(w.entries[0].id, "W-1");
        assert_eq!(
            w.entries[1].expires,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(w.sha256.len(), 64);
        assert!(Waivers::parse("w.toml", "").unwrap().entries.is_empty());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = entry("W-1", RID, "2026-10-01", "2027-01-01") + "severity = \"low\"\n";
        let e = Waivers::parse("waivers.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("waivers.toml:"), "{e}");
        assert!(e.contains("severity"), "{e}");
        let e = Waivers::parse("waivers.toml", "[[waiver]]\nid = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("waiver"), "{e}");
    }

    #[test]
    fn validation_names_every_bad_entry() {
        let text = entry("W-1", RID, "2026-10-01", "2027-01-01")
            + &entry("W-1", RID, "2026-10-01", "2027-01-01")
            + &entry("W-3", "/subscriptions/[", "2026-10-01", "2026-10-01")
                .replace(CHECK, "no_such_check")
                .replace("alice@contoso.example", " ")
            + "[[waivers]]\nid = \"W-4\"\n";
        let WaiverError::Invalid { problems, file } =
            Waivers::parse("waivers.toml", &text).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(file, "waivers.toml");
        let joined = problems.join("\n");
        for want in [
            "waivers[1] (W-1).id: duplicate id \"W-1\" (also waivers[0])",
            "waivers[2] (W-3).check: unknown check id \"no_such_check\"",
            "waivers[2] (W-3).resource: invalid glob",
            "waivers[2] (W-3).owner: must not be empty",
            "waivers[2] (W-3).expires: 2026-10-01 is not after created 2026-10-01",
            "waivers[3] (W-4).reason: missing",
            "waivers[3] (W-4).expires: missing",
        ] {
            assert!(joined.contains(want), "{want}\n{joined}");
        }
        let e = Waivers::parse("w.toml", &entry("W-1", RID, "\"2026-13-01\"", "2027-01-01"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("waivers[0] (W-1).created: 2026-13-01 is not a date"),
            "{e}"
        );
    }

    #[test]
    fn globs_match_case_insensitively_within_segments() {
        let m = glob("/subscriptions/*/resourceGroups/rg-staging/providers/*/*/st*").unwrap();
        assert!(m.is_match(RID));
        assert!(m.is_match(RID.to_uppercase()));
        // `*` does not cross a `/`: a child resource is not matched by its parent's pattern.
        assert!(!m.is_match(format!("{RID}/blobServices/default")));
        assert!(glob("/subscriptions/sub-a/**").unwrap().is_match(RID));
        assert!(!glob("/subscriptions/sub-b/**").unwrap().is_match(RID));
    }

    #[test]
    fn applies_to_failures_only_and_never_to_errors() {
        let w = Waivers::parse(
            "w.toml",
            &entry("W-1", "/subscriptions/sub-a/**", "2026-10-01", "2027-01-01"),
        )
        .unwrap();
        let other =
            "/subscriptions/sub-b/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/y";
        let err =
            "/subscriptions/sub-a/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/e";
        let mut results = vec![result(&[
            (RID, FindingStatus::Fail),
            (err, FindingStatus::Error),
            (other, FindingStatus::Fail),
        ])];
        let states = w.apply(&mut results, at(2026, 11, 2));
        let f = &results[0].findings;
        assert_eq!(f[0].status, FindingStatus::Waived);
        assert_eq!(f[0].waiver.as_ref().unwrap().id, "W-1");
        assert_eq!(
            f[1].status,
            FindingStatus::Error,
            "missing data is never waived"
        );
        assert!(f[1].waiver.is_none());
        assert_eq!(f[2].status, FindingStatus::Fail);
        assert_eq!(results[0].counts.waived, 1);
        assert_eq!(results[0].counts.fail, 1);
        assert_eq!(results[0].status, FindingStatus::Fail);
        assert_eq!(states[0].state, WaiverState::Applied);
        assert_eq!(states[0].findings, 1);
    }

    #[test]
    fn only_waived_failures_make_the_check_waived_not_failing() {
        let w = Waivers::parse("w.toml", &entry("W-1", RID, "2026-10-01", "2027-01-01")).unwrap();
        let mut results = vec![result(&[(RID, FindingStatus::Fail)])];
        w.apply(&mut results, at(2026, 11, 2));
        assert_eq!(results[0].status, FindingStatus::Waived);
        let controls = crate::controls::evaluate(&results);
        for c in controls.iter().filter(|c| !c.checks.is_empty()) {
            assert_eq!(
                c.status,
                crate::controls::ControlStatus::Pass,
                "{}",
                c.criterion.id
            );
            assert_eq!(c.counts.waived, 1);
        }
    }

    #[test]
    fn expiry_is_decided_at_as_of() {
        let w = Waivers::parse("w.toml", &entry("W-1", RID, "2026-10-01", "2026-11-09")).unwrap();
        // The day before expiry: in force.
        let mut r = vec![result(&[(RID, FindingStatus::Fail)])];
        assert_eq!(
            w.apply(&mut r, at(2026, 11, 8))[0].state,
            WaiverState::Applied
        );
        assert_eq!(r[0].findings[0].status, FindingStatus::Waived);
        // On the expiry date: expired, the finding fails again.
        let mut r = vec![result(&[(RID, FindingStatus::Fail)])];
        let s = w.apply(&mut r, at(2026, 11, 9));
        assert_eq!(s[0].state, WaiverState::Expired);
        assert_eq!(s[0].findings, 0);
        assert_eq!(r[0].findings[0].status, FindingStatus::Fail);
        // Before it was created: not yet in force.
        let mut r = vec![result(&[(RID, FindingStatus::Fail)])];
        assert_eq!(
            w.apply(&mut r, at(2026, 9, 30))[0].state,
            WaiverState::NotYetEffective
        );
        // In force but matching nothing.
        let mut r = vec![result(&[(RID, FindingStatus::Pass)])];
        assert_eq!(
            w.apply(&mut r, at(2026, 11, 2))[0].state,
            WaiverState::Unused
        );
    }
}
