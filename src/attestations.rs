//! Manual attestations: `attestations/<criterion>.md` in the evidence repository, a markdown
//! statement by a person under a small front matter block:
//!
//! ```text
//! ---
//! owner: Jane Doe (CISO)
//! date: 2026-10-15
//! period: 2026-01-01 to 2026-12-31
//! evidence:
//!   - https://contoso.sharepoint.example/sites/isms/code-of-conduct.pdf
//! ---
//! The board approved the code of conduct …
//! ```
//!
//! `owner`, `date` (YYYY-MM-DD) and `period` are required, `evidence` (a list of links) is
//! optional; any other key is an error. Parsed here by hand: the block is flat `key: value` with
//! one list, which needs no YAML library. Pure: no I/O, no clock; staleness is measured against
//! the snapshot's `as_of`.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::controls::Coverage;

/// Default directory, at the evidence repository's root.
pub const DIR: &str = "attestations";
/// Default `[attestations] max_age_days`: an attestation older than a year is stale.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 365;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}: invalid attestation:\n  - {}", problems.join("\n  - "))]
pub struct AttestationError {
    pub file: String,
    pub problems: Vec<String>,
}

/// A parsed attestation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The criterion id, from the file name.
    pub criterion: String,
    /// Path in the repository, e.g. `attestations/CC1.1.md`.
    pub file: String,
    pub sha256: String,
    pub owner: String,
    pub date: NaiveDate,
    pub period: String,
    pub evidence: Vec<String>,
    /// The markdown after the front matter, trimmed.
    pub statement: String,
}

/// A manual criterion's attestation state at a snapshot's `as_of`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    /// Attested within `max_age_days` of `as_of`.
    Attested,
    /// Attested, but longer ago than `max_age_days`.
    Stale,
    /// No attestation file.
    Unattested,
}

impl AttestationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attested => "attested",
            Self::Stale => "stale",
            Self::Unattested => "unattested",
        }
    }
}

/// The `attestation` block of a manual criterion's `controls/<id>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlAttestation {
    pub state: AttestationState,
    /// The interval after which an attestation is stale, as configured.
    pub max_age_days: u32,
    /// Days from the attestation's date to the snapshot's `as_of` (0 when dated later).
    pub age_days: Option<u32>,
    pub file: Option<String>,
    /// sha256 of the attestation file's bytes.
    pub sha256: Option<String>,
    pub owner: Option<String>,
    pub date: Option<NaiveDate>,
    pub period: Option<String>,
    pub evidence: Vec<String>,
    /// The attestation's text (markdown), copied so the snapshot is self-contained.
    pub statement: Option<String>,
}

/// Counts of manual criteria by attestation state, in `summary.json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualCounts {
    pub attested: u32,
    pub stale: u32,
    pub unattested: u32,
}

impl ManualCounts {
    pub fn add(&mut self, s: AttestationState) {
        match s {
            AttestationState::Attested => self.attested += 1,
            AttestationState::Stale => self.stale += 1,
            AttestationState::Unattested => self.unattested += 1,
        }
    }
}

/// The block for a manual criterion, from its attestation if any.
pub fn assess(
    a: Option<&Attestation>,
    as_of: DateTime<Utc>,
    max_age_days: u32,
) -> ControlAttestation {
    match a {
        None => ControlAttestation {
            state: AttestationState::Unattested,
            max_age_days,
            age_days: None,
            file: None,
            sha256: None,
            owner: None,
            date: None,
            period: None,
            evidence: Vec::new(),
            statement: None,
        },
        Some(a) => {
            let age = (as_of.date_naive() - a.date).num_days().max(0);
            let age = u32::try_from(age).unwrap_or(u32::MAX);
            ControlAttestation {
                state: if age > max_age_days {
                    AttestationState::Stale
                } else {
                    AttestationState::Attested
                },
                max_age_days,
                age_days: Some(age),
                file: Some(a.file.clone()),
                sha256: Some(a.sha256.clone()),
                owner: Some(a.owner.clone()),
                date: Some(a.date),
                period: Some(a.period.clone()),
                evidence: a.evidence.clone(),
                statement: Some(a.statement.clone()),
            }
        }
    }
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Parses one attestation file. `file` is its path in the repository (`<dir>/<criterion>.md`):
/// the criterion id is the file name without `.md`, and must be a manual criterion.
pub fn parse(file: &str, text: &str) -> Result<Attestation, AttestationError> {
    let err = |problems: Vec<String>| AttestationError {
        file: file.to_string(),
        problems,
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    let criterion = name.strip_suffix(".md").unwrap_or(name).to_string();
    let mut problems = Vec::new();
    match crate::controls::criterion(&criterion) {
        None => problems.push(format!(
            "{criterion:?} (from the file name) is not a criterion of the catalogue"
        )),
        Some(_) => {
            let idx = crate::controls::index(crate::checks::registry());
            let cov = crate::controls::coverage(&criterion, &idx);
            if cov != Coverage::Manual {
                problems.push(format!(
                    "{criterion} is {} (checked by the tool or Azure's), not manual: only manual \
                     criteria take an attestation",
                    match cov {
                        Coverage::Automated => "automated",
                        _ => "inherited",
                    }
                ));
            }
        }
    }

    let text_nl = text.replace("\r\n", "\n");
    let Some(rest) = text_nl.strip_prefix("---\n") else {
        problems.push("must start with a `---` line opening the front matter".into());
        return Err(err(problems));
    };
    let (front, body) = match rest.find("\n---\n") {
        Some(i) => (&rest[..i], &rest[i + 5..]),
        None if rest.ends_with("\n---") => (&rest[..rest.len() - 4], ""),
        None => {
            problems.push("the front matter has no closing `---` line".into());
            return Err(err(problems));
        }
    };

    let mut owner = None;
    let mut date = None;
    let mut period = None;
    let mut evidence: Option<Vec<String>> = None;
    let mut in_list = false;
    for (n, line) in front.lines().enumerate() {
        let lineno = n + 2;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            if in_list {
                let item = unquote(item);
                if item.is_empty() {
                    problems.push(format!("evidence (line {lineno}): empty list item"));
                } else if let Some(list) = evidence.as_mut() {
                    list.push(item.to_string());
                }
            } else {
                problems.push(format!("line {lineno}: a list item outside `evidence:`"));
            }
            continue;
        }
        in_list = false;
        let Some((key, value)) = trimmed.split_once(':') else {
            problems.push(format!(
                "line {lineno}: expected `key: value`, found {trimmed:?}"
            ));
            continue;
        };
        let (key, value) = (key.trim(), unquote(value));
        let dup = |slot_set: bool, problems: &mut Vec<String>| {
            if slot_set {
                problems.push(format!("{key} (line {lineno}): given twice"));
            }
        };
        match key {
            "owner" | "period" => {
                let slot = if key == "owner" {
                    &mut owner
                } else {
                    &mut period
                };
                dup(slot.is_some(), &mut problems);
                if value.is_empty() {
                    problems.push(format!("{key} (line {lineno}): must not be empty"));
                }
                *slot = Some(value.to_string());
            }
            "date" => {
                dup(date.is_some(), &mut problems);
                match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    Ok(d) => date = Some(d),
                    Err(_) => problems.push(format!(
                        "date (line {lineno}): {value:?} is not a date (YYYY-MM-DD)"
                    )),
                }
            }
            "evidence" => {
                dup(evidence.is_some(), &mut problems);
                if value.is_empty() {
                    in_list = true;
                    evidence = Some(Vec::new());
                } else if let Some(inner) =
                    value.strip_prefix('[').and_then(|v| v.strip_suffix(']'))
                {
                    evidence = Some(
                        inner
                            .split(',')
                            .map(|s| unquote(s).to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    );
                } else {
                    evidence = Some(vec![value.to_string()]);
                }
            }
            other => problems.push(format!(
                "{other} (line {lineno}): unknown key (expected owner, date, period, evidence)"
            )),
        }
    }
    for (key, missing) in [
        ("owner", owner.is_none()),
        (
            "date",
            date.is_none() && !problems.iter().any(|p| p.starts_with("date")),
        ),
        ("period", period.is_none()),
    ] {
        if missing {
            problems.push(format!("{key}: missing from the front matter"));
        }
    }
    if !problems.is_empty() {
        return Err(err(problems));
    }
    Ok(Attestation {
        criterion,
        file: file.to_string(),
        sha256: crate::digest::sha256_hex(text.as_bytes()),
        owner: owner.unwrap_or_default(),
        date: date.unwrap_or_default(),
        period: period.unwrap_or_default(),
        evidence: evidence.unwrap_or_default(),
        statement: body.trim().to_string(),
    })
}

/// Parses every `*.md` file of the attestations directory (`(path, bytes)`), sorted by path.
/// Files of other kinds (a README without front matter is still `.md`: name it otherwise) are
/// ignored.
pub fn parse_all(files: &[(String, Vec<u8>)]) -> Result<Vec<Attestation>, AttestationError> {
    let mut out = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let text = std::str::from_utf8(bytes).map_err(|_| AttestationError {
            file: path.clone(),
            problems: vec!["not UTF-8 text".into()],
        })?;
        out.push(parse(path, text)?);
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const GOOD: &str = "---\nowner: Jane Doe (CISO)\ndate: 2026-10-15\nperiod: \"2026-01-01 to 2026-12-31\"\nevidence:\n  - https://example.test/a.pdf\n  - 'https://example.test/b'\n---\n\nThe board approved the code of conduct.\n";

    #[test]
    fn parses_front_matter_and_body() {
        let a = parse("attestations/CC1.1.md", GOOD).unwrap();
        assert_eq!(a.criterion, "CC1.1");
        assert_eq!(a.owner, "Jane Doe (CISO)");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2026, 10, 15).unwrap());
        assert_eq!(a.period, "2026-01-01 to 2026-12-31");
        assert_eq!(
            a.evidence,
            ["https://example.test/a.pdf", "https://example.test/b"]
        );
        assert_eq!(a.statement, "The board approved the code of conduct.");
        let inline = GOOD.replace(
            "evidence:\n  - https://example.test/a.pdf\n  - 'https://example.test/b'\n",
            "evidence: [https://x.test/1, \"https://x.test/2\"]\n",
        );
        assert_eq!(
            parse("attestations/CC1.1.md", &inline)
                .unwrap()
                .evidence
                .len(),
            2
        );
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let bad = GOOD
            .replace("date: 2026-10-15", "date: 15/10/2026")
            .replace("owner: Jane Doe (CISO)\n", "reviewer: x\n");
        let e = parse("attestations/CC1.1.md", &bad).unwrap_err();
        assert_eq!(e.file, "attestations/CC1.1.md");
        let all = e.to_string();
        assert!(
            all.starts_with("attestations/CC1.1.md: invalid attestation"),
            "{all}"
        );
        for want in [
            "reviewer (line 2): unknown key",
            "date (line 3): \"15/10/2026\" is not a date",
            "owner: missing",
        ] {
            assert!(all.contains(want), "{want}\n{all}");
        }
        assert!(!all.contains("date: missing"), "{all}");
        let e = parse("attestations/CC1.1.md", "no front matter").unwrap_err();
        assert!(e.to_string().contains("must start with a `---`"), "{e}");
        let e = parse("attestations/CC1.1.md", "---\nowner: x\n").unwrap_err();
        assert!(e.to_string().contains("no closing"), "{e}");
    }

    #[test]
    fn only_manual_criteria_of_the_catalogue() {
        let e = parse("attestations/CC6.1.md", GOOD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("CC6.1 is automated"), "{e}");
        let e = parse("attestations/CC6.4.md", GOOD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("inherited"), "{e}");
        let e = parse("attestations/XX9.9.md", GOOD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a criterion"), "{e}");
    }

    #[test]
    fn staleness_is_measured_at_as_of() {
        let a = parse("attestations/CC1.1.md", GOOD).unwrap();
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 6, 0, 0).unwrap();
        let fresh = assess(Some(&a), at(2026, 11, 2), 365);
        assert_eq!(fresh.state, AttestationState::Attested);
        assert_eq!(fresh.age_days, Some(18));
        assert_eq!(
            assess(Some(&a), at(2027, 10, 15), 365).state,
            AttestationState::Attested
        );
        assert_eq!(
            assess(Some(&a), at(2027, 10, 16), 365).state,
            AttestationState::Stale
        );
        assert_eq!(
            assess(Some(&a), at(2026, 11, 2), 10).state,
            AttestationState::Stale
        );
        assert_eq!(
            assess(None, at(2026, 11, 2), 365).state,
            AttestationState::Unattested
        );
        // Dated after the snapshot: attested, age 0.
        assert_eq!(assess(Some(&a), at(2026, 10, 1), 365).age_days, Some(0));
    }

    #[test]
    fn parse_all_ignores_other_files_and_sorts() {
        let files = vec![
            (
                "attestations/CC2.1.md".to_string(),
                GOOD.as_bytes().to_vec(),
            ),
            ("attestations/notes.txt".to_string(), b"x".to_vec()),
            (
                "attestations/CC1.1.md".to_string(),
                GOOD.as_bytes().to_vec(),
            ),
        ];
        let all = parse_all(&files).unwrap();
        assert_eq!(
            all.iter().map(|a| a.criterion.as_str()).collect::<Vec<_>>(),
            ["CC1.1", "CC2.1"]
        );
    }
}
