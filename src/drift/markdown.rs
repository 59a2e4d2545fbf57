//! Markdown rendering of a [`Drift`] as a pull-request body of bounded size.
//!
//! Structured sections (summary, criteria, findings, resources) come first because they are what
//! a reviewer approves; file diffs follow while they fit. Size is counted in UTF-8 bytes, which
//! are never fewer than characters, so the character limit holds whatever the text. Nothing is
//! ever cut inside a table row or a fenced block: an item either fits whole or is left out and
//! named in a closing note.

use std::fmt::Write as _;

use chrono::SecondsFormat;

use super::{
    Drift, FileDiff, FindingChange, ScoreDelta, ScoreMetric, WaiverChange, plural, status_str,
};
use crate::checks::FindingStatus;
use crate::waivers::WaiverState;

/// Most items shown in a findings or resources list; the rest are counted.
const LIST_LIMIT: usize = 50;
/// Bytes held back for the closing note while sections and diffs are written.
const NOTE_RESERVE: usize = 400;

struct Out {
    buf: String,
    max: usize,
    reserve: usize,
    /// Sections that did not fit at all, by heading.
    omitted_sections: Vec<String>,
    /// Files whose diff did not fit.
    omitted_files: Vec<String>,
    /// Base URL of the evidence files, when ids should link to them.
    link: Option<String>,
}

impl Out {
    /// `id` as a code span, linked to `<link>/<dir>/<id>.json` when links are on and the id is
    /// a plain identifier (nothing a URL or link text would need escaped).
    fn linked(&self, dir: &str, id: &str) -> String {
        match &self.link {
            Some(base)
                if !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
            {
                format!("[`{id}`]({base}/{dir}/{id}.json)")
            }
            _ => code(id),
        }
    }
}

impl Out {
    fn room(&self) -> usize {
        self.max
            .saturating_sub(self.reserve)
            .saturating_sub(self.buf.len())
    }
    fn fits(&self, len: usize) -> bool {
        len <= self.room()
    }
    fn push(&mut self, s: &str) {
        self.buf.push_str(s);
    }
}

pub(super) fn render(d: &Drift, max: usize, link: Option<&str>) -> String {
    let heading = format!("## {}\n", cell(&d.title()));
    if heading.len() > max {
        // Only when the caller's limit cannot hold even the title: better a cut title than
        // an over-long body that the forge rejects.
        return cut(&heading, max);
    }
    let mut out = Out {
        buf: heading,
        max,
        reserve: NOTE_RESERVE.min(max / 4),
        omitted_sections: Vec::new(),
        omitted_files: Vec::new(),
        link: link.map(str::to_string),
    };

    let intro = format!(
        "\nEvidence collected at {} compared with the approved evidence collected at {}.\n",
        d.head_as_of.to_rfc3339_opts(SecondsFormat::Secs, true),
        d.base_as_of.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    if out.fits(intro.len()) {
        out.push(&intro);
    }

    let summary = summary_rows(d);
    let n = summary.len();
    section(
        &mut out,
        "Summary",
        "| Change | Value |\n|---|---|\n",
        summary,
        n,
    );

    let criteria: Vec<String> = d
        .criteria
        .iter()
        .map(|c| {
            format!(
                "| {} | {} | {} | {} |\n",
                out.linked("controls", &c.id),
                cell(&c.title),
                status_str(c.from),
                status_str(c.to)
            )
        })
        .collect();
    let n = criteria.len();
    section(
        &mut out,
        &format!("Criteria with a changed status ({n})"),
        "| Criterion | Title | Before | After |\n|---|---|---|---|\n",
        criteria,
        n,
    );

    waivers_section(
        &mut out,
        "Waivers expired",
        "Expired on",
        &d.waivers_expired,
    );
    waivers_section(
        &mut out,
        "Waivers newly applied",
        "Expires",
        &d.waivers_applied,
    );
    let attestations: Vec<String> = d
        .attestations
        .iter()
        .map(|a| {
            format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                out.linked("controls", &a.id),
                cell(&a.title),
                a.from.map_or("absent", |s| s.as_str()),
                a.to.map_or("absent", |s| s.as_str()),
                a.date.map_or_else(|| "—".to_string(), |d| d.to_string()),
                a.owner.as_deref().map_or_else(|| "—".to_string(), cell),
            )
        })
        .collect();
    let n = attestations.len();
    section(
        &mut out,
        &format!("Manual attestations changed ({n})"),
        "| Criterion | Title | Before | After | Dated | Owner |\n|---|---|---|---|---|---|\n",
        attestations,
        n,
    );

    for (name, list) in [
        ("Newly failing findings", &d.newly_failing),
        (
            "Newly erroring findings (data could not be read)",
            &d.newly_erroring,
        ),
        ("Resolved findings", &d.resolved),
    ] {
        findings_section(&mut out, name, list);
    }

    for (name, list) in [
        ("Resources added", &d.resources_added),
        ("Resources removed", &d.resources_removed),
    ] {
        let rows = list
            .iter()
            .take(LIST_LIMIT)
            .map(|id| format!("- {}\n", code(id)))
            .collect();
        section(
            &mut out,
            &format!("{name} ({})", list.len()),
            "",
            rows,
            list.len(),
        );
    }

    files_section(&mut out, &d.files);
    closing_note(&mut out);
    debug_assert!(out.buf.len() <= max);
    out.buf
}

fn summary_rows(d: &Drift) -> Vec<String> {
    let count = |label: &str, n: usize| format!("| {label} | {n} |\n");
    let mut rows = vec![
        count("Criteria changed", d.criteria.len()),
        count("Findings newly failing", d.newly_failing.len()),
        count("Findings newly erroring", d.newly_erroring.len()),
        count("Findings resolved", d.resolved.len()),
        count("Resources added", d.resources_added.len()),
        count("Resources removed", d.resources_removed.len()),
        count("Evidence files changed", d.files.len()),
    ];
    for (label, n) in [
        ("Waivers expired", d.waivers_expired.len()),
        ("Waivers newly applied", d.waivers_applied.len()),
        ("Manual attestations changed", d.attestations.len()),
    ] {
        if n > 0 {
            rows.push(count(label, n));
        }
    }
    if d.scores.is_empty() {
        rows.push("| Scores | unchanged |\n".to_string());
    }
    rows.extend(d.scores.iter().map(score_row));
    rows
}

fn score_row(s: &ScoreDelta) -> String {
    let label = if s.scope == "overall" {
        match s.metric {
            ScoreMetric::Criteria => "Overall criteria score".to_string(),
            ScoreMetric::Findings => "Overall findings score".to_string(),
        }
    } else {
        format!("{}: {}", cell(&s.scope), s.metric.label())
    };
    let delta = match (s.before, s.after) {
        (Some(b), Some(a)) => format!(" ({:+.1} pts)", a - b),
        _ => String::new(),
    };
    format!(
        "| {label} | {} → {}{delta} |\n",
        pct(s.before),
        pct(s.after)
    )
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}%"))
}

fn finding_status(s: Option<FindingStatus>) -> &'static str {
    s.map_or("absent", FindingStatus::as_str)
}

fn waivers_section(out: &mut Out, name: &str, date_label: &str, list: &[WaiverChange]) {
    let expired = list.first().is_some_and(|w| w.to == WaiverState::Expired);
    let rows = list
        .iter()
        .take(LIST_LIMIT)
        .map(|w| {
            format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                code(&w.id),
                out.linked("checks", &w.check),
                code(&w.resource),
                cell(&w.owner),
                w.expires,
                if expired {
                    "no longer applies: its findings fail again".to_string()
                } else {
                    format!(
                        "{} {} waived",
                        w.findings,
                        plural(w.findings as usize, "finding", "findings")
                    )
                },
            )
        })
        .collect();
    section(
        out,
        &format!("{name} ({})", list.len()),
        &format!(
            "| Waiver | Check | Resource pattern | Owner | {date_label} | Effect |\n|---|---|---|---|---|---|\n"
        ),
        rows,
        list.len(),
    );
}

fn findings_section(out: &mut Out, name: &str, list: &[FindingChange]) {
    let rows = list
        .iter()
        .take(LIST_LIMIT)
        .map(|f| {
            let reason = match &f.previous_reason {
                // A resolved finding says what used to be wrong, so the fix can be checked.
                Some(prev)
                    if f.to.is_none_or(|s| {
                        s == FindingStatus::Pass || s == FindingStatus::NotApplicable
                    }) =>
                {
                    format!("{} (was: {})", cell(&f.reason), cell(prev))
                }
                _ => cell(&f.reason),
            };
            format!(
                "| {} | {} | {} | {} → {} | {reason} |\n",
                out.linked("checks", &f.check_id),
                code(&f.resource_id),
                f.severity.as_str(),
                finding_status(f.from),
                finding_status(f.to),
            )
        })
        .collect();
    section(
        out,
        &format!("{name} ({})", list.len()),
        "| Check | Resource | Severity | Status | Reason |\n|---|---|---|---|---|\n",
        rows,
        list.len(),
    );
}

/// Writes a heading, a header (table head or nothing) and rows while they fit, then a line
/// counting the rows not shown. `rows` may be fewer than `total` (a list limit). Empty
/// sections are not written: the summary table already says zero.
fn section(out: &mut Out, title: &str, header: &str, rows: Vec<String>, total: usize) {
    if total == 0 {
        return;
    }
    let more = |n: usize| format!("\n_… and {n} more._\n");
    // The longest "more" line this section can need, held back until the last row is placed.
    let more_max = more(total).len();
    let head = format!("\n### {title}\n\n{header}");
    // A heading with no row under it tells the reader nothing: write the section only when its
    // first row fits too.
    let first = rows.first().map_or(0, String::len);
    let first_more = if total > 1 { more_max } else { 0 };
    if !out.fits(head.len() + first + first_more) {
        out.omitted_sections.push(title.to_string());
        return;
    }
    out.push(&head);
    let mut shown = 0;
    for row in rows {
        let need = row.len() + if shown + 1 < total { more_max } else { 0 };
        if !out.fits(need) {
            break;
        }
        out.push(&row);
        shown += 1;
    }
    if shown < total {
        // Fits: `more_max` was kept free by every check above.
        out.push(&more(total - shown));
    }
}

fn files_section(out: &mut Out, files: &[FileDiff]) {
    if files.is_empty() {
        return;
    }
    // The heading is written with the first piece that fits, so a section whose every diff was
    // left out does not leave an empty heading behind.
    let mut head = Some(format!("\n### Evidence files changed ({})\n", files.len()));
    let mut put = |out: &mut Out, piece: &str| -> bool {
        let head_len = head.as_ref().map_or(0, String::len);
        if !out.fits(head_len + piece.len()) {
            return false;
        }
        if let Some(h) = head.take() {
            out.push(&h);
        }
        out.push(piece);
        true
    };

    let (times, real): (Vec<&FileDiff>, Vec<&FileDiff>) = files.iter().partition(|f| f.time_only);
    if !times.is_empty() {
        // A new collection rewrites its timestamps; naming those files is enough.
        let names: Vec<String> = times.iter().map(|f| code(&f.path)).collect();
        let line = format!(
            "\nOnly the collection time changed in: {}.\n",
            names.join(", ")
        );
        if !put(out, &line) {
            out.omitted_files
                .extend(times.iter().map(|f| f.path.clone()));
        }
    }
    // Greedy in path order: a diff too large to fit does not stop a later, smaller one.
    for f in real {
        if !put(out, &file_block(f)) {
            out.omitted_files.push(f.path.clone());
        }
    }
}

fn file_block(f: &FileDiff) -> String {
    let mut s = format!(
        "\n<details>\n<summary><code>{}</code> {}, +{} −{}</summary>\n\n",
        html(&f.path),
        f.kind.as_str(),
        f.insertions,
        f.deletions
    );
    if f.unified_omitted {
        s.push_str(
            "The file changed too much for a line diff here; compare the two commits with git.\n",
        );
    } else {
        let fence = fence_for(&f.unified);
        let nl = if f.unified.ends_with('\n') { "" } else { "\n" };
        let _ = write!(s, "{fence}diff\n{}{nl}{fence}\n", f.unified);
    }
    s.push_str("\n</details>\n");
    s
}

/// A backtick fence longer than any backtick run in `text`, so content can never close it.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Names what was left out, as many names as fit in the space that remains.
fn closing_note(out: &mut Out) {
    if out.omitted_sections.is_empty() && out.omitted_files.is_empty() {
        return;
    }
    // Each item carries its own leading separator, so any prefix of the list reads well.
    let mut items: Vec<String> = Vec::new();
    for s in &out.omitted_sections {
        let sep = if items.is_empty() { "" } else { ", " };
        items.push(format!("{sep}the “{}” section", cell(s)));
    }
    let n_files = out.omitted_files.len();
    for (i, p) in out.omitted_files.iter().enumerate() {
        let item = match (i, items.is_empty()) {
            (0, first) => format!(
                "{}the {} of {}",
                if first { "" } else { "; " },
                plural(n_files, "diff", "diffs"),
                code(p)
            ),
            _ => format!(", {}", code(p)),
        };
        items.push(item);
    }
    let room = out.max.saturating_sub(out.buf.len());
    let prefix = format!(
        "\n---\n\n_Omitted to keep this body within {} characters (a pull request body holds at \
         most 65,536): ",
        out.max
    );
    let suffix = ". Run `soc2-evidence diff` to see everything._\n";
    let more = |n: usize| format!(" … and {n} more");
    let total = items.len();
    let mut note = prefix;
    let mut shown = 0;
    for item in &items {
        let rest = if shown + 1 < total {
            more(total).len()
        } else {
            0
        };
        if note.len() + item.len() + rest + suffix.len() > room {
            break;
        }
        note.push_str(item);
        shown += 1;
    }
    if shown < total {
        note.push_str(&more(total - shown));
    }
    note.push_str(suffix);
    if note.len() <= room {
        out.push(&note);
        return;
    }
    let short = "\n_Some content was omitted to fit the size limit._\n";
    if short.len() <= room {
        out.push(short);
    }
}

/// Text for a table cell or inline prose: nothing in it can end the cell, start HTML or open a
/// code span.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An identifier as a code span, or as escaped text when it holds characters a code span in a
/// table cannot carry safely.
fn code(s: &str) -> String {
    if s.contains(['`', '\\', '\n', '\r']) || s.is_empty() {
        cell(s)
    } else {
        format!("`{}`", s.replace('|', "\\|"))
    }
}

/// Text inside HTML (`<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
fn cut(s: &str, max: usize) -> String {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_escapes_pipes_html_and_backticks() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(cell("<details>"), "&lt;details&gt;");
        assert_eq!(cell("x`y\nz"), "x\\`y z");
        assert_eq!(code("/subscriptions/a|b"), "`/subscriptions/a\\|b`");
        assert_eq!(code("a`b"), "a\\`b");
    }

    #[test]
    fn fence_outgrows_backticks_in_content() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("+ \"reason\": \"```\"\n"), "````");
    }

    #[test]
    fn cut_respects_char_boundaries() {
        assert_eq!(cut("a→b", 2), "a");
        assert_eq!(cut("abc", 10), "abc");
    }
}
