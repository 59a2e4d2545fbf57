//! Text renderings of a snapshot's summary shared by the commands and the GitOps outcomes: the
//! commit message of an evidence commit, the scores as terminal lines and as a markdown table.
//! Pure functions of a [`Summary`].

use std::fmt::Write as _;

use crate::controls::{ControlStatus, Score};
use crate::evidence::Summary;
use crate::waivers::WaiverState;

/// The message of an evidence commit: when it was collected and the counts by status.
pub fn commit_message(s: &Summary) -> String {
    let count = |st: ControlStatus| s.criteria.iter().filter(|c| c.status == st).count();
    format!(
        "SOC 2 evidence as of {}\n\nCriteria: {} pass, {} fail, {} incomplete.\nFindings: {} pass, {} fail, {} error.\n",
        s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        count(ControlStatus::Pass),
        count(ControlStatus::Fail),
        count(ControlStatus::Incomplete),
        s.findings.pass,
        s.findings.fail,
        s.findings.error,
    )
}

/// A share as a percentage with one decimal, or `n/a` when nothing was evaluated.
pub fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "n/a".into())
}

/// Human-readable scores, one line overall and one per category.
pub fn format_scores(s: &Summary) -> String {
    let line = |label: &str, sc: &Score| {
        format!(
            "  {label:<22} criteria {}/{} pass ({}), {} fail, {} incomplete; findings {}/{} pass ({})\n",
            sc.criteria_passing,
            sc.criteria_evaluated,
            pct(sc.criteria_score),
            sc.criteria_failing,
            sc.criteria_incomplete,
            sc.findings_passing,
            sc.findings_evaluated,
            pct(sc.findings_score),
        )
    };
    let mut out = line("Overall", &s.overall);
    for c in &s.categories {
        out.push_str(&line(&c.label, &c.score));
    }
    if s.findings.waived > 0 || !s.waivers.is_empty() {
        let state = |st: WaiverState| s.waivers.iter().filter(|w| w.state == st).count();
        let _ = writeln!(
            out,
            "  Waivers: {} finding(s) waived; {} waiver(s) applied, {} unused, {} expired",
            s.findings.waived,
            state(WaiverState::Applied),
            state(WaiverState::Unused),
            state(WaiverState::Expired),
        );
    }
    let _ = writeln!(
        out,
        "  Manual criteria: {} attested, {} stale, {} unattested",
        s.manual.attested, s.manual.stale, s.manual.unattested
    );
    if !s.gaps.is_empty() {
        let _ = writeln!(
            out,
            "  Incomplete evidence: {} collection gap(s); see summary.json `gaps`",
            s.gaps.len()
        );
    }
    out
}

/// The scores as a markdown table for the Actions step summary, with the gaps called out.
pub fn scores_markdown(s: &Summary) -> String {
    let mut out = format!(
        "\nEvidence as of {} (tenant `{}`).\n\n| | criteria pass | fail | incomplete | \
         findings pass |\n|---|---|---|---|---|\n",
        s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        s.tenant_id
    );
    let row = |label: &str, sc: &Score| {
        format!(
            "| {label} | {}/{} ({}) | {} | {} | {}/{} ({}) |\n",
            sc.criteria_passing,
            sc.criteria_evaluated,
            pct(sc.criteria_score),
            sc.criteria_failing,
            sc.criteria_incomplete,
            sc.findings_passing,
            sc.findings_evaluated,
            pct(sc.findings_score),
        )
    };
    out.push_str(&row("**Overall**", &s.overall));
    for c in &s.categories {
        out.push_str(&row(&c.label, &c.score));
    }
    if !s.gaps.is_empty() {
        let _ = writeln!(
            out,
            "\n:warning: {} collection gap(s): the affected criteria are incomplete, never \
             passed. See `summary.json` → `gaps`.",
            s.gaps.len()
        );
    }
    out
}
