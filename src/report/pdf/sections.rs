//! The report's sections, in reading order: cover, contents, executive summary, the Type 2
//! period view (for a period report), coverage matrix, criteria in detail, drift since the
//! previous release, methodology, and the manifest appendix.

use chrono::SecondsFormat;
use printpdf::PaintMode;

use super::super::fonts::{self, Face};
use super::super::model::{
    CheckDetail, CriterionSection, DriftSince, FindingRow, ReportModel, ScoreRow, percent,
};
use super::super::period::PeriodView;
use super::layout::*;
use crate::controls::ControlStatus;

/// A day on which nothing is known about a criterion.
const UNKNOWN: printpdf::Rgb = rgb(0.86, 0.86, 0.87);

/// Observed values longer than this are cut in the PDF; the evidence file has them in full.
const OBSERVED_MAX_CHARS: usize = 320;

pub(super) fn build(model: &ReportModel, toc: &[Anchor]) -> Doc {
    let c = &model.cover;
    let when = match &c.period {
        Some(p) => format!("period {p}"),
        None => format!("as of {}", c.as_of_text()),
    };
    let mut d = Doc::new(format!(
        "SOC 2 evidence report \u{b7} {} \u{b7} {} \u{b7} {when}",
        c.organisation, c.system
    ));
    cover(&mut d, model);
    contents(&mut d, toc);
    executive_summary(&mut d, model);
    if let Some(p) = &model.period {
        period(&mut d, p);
    }
    coverage_matrix(&mut d, model);
    criteria(&mut d, model);
    if let Some(drift) = &model.drift {
        drift_section(&mut d, drift);
    }
    methodology(&mut d, model);
    appendix(&mut d, model);
    d
}

fn status_text(s: ControlStatus) -> &'static str {
    match s {
        ControlStatus::NotApplicable => "not applicable",
        other => other.as_str(),
    }
}

fn status_cell(s: ControlStatus) -> Cell {
    Cell::coloured(status_text(s), status_colour(s))
}

// ---------------------------------------------------------------------------------------------
// Cover

fn cover(d: &mut Doc, model: &ReportModel) {
    let c = &model.cover;
    d.y = TOP - 40.0;
    text(
        &mut d.ops,
        LEFT,
        d.y,
        26.0,
        Face::Bold,
        ACCENT,
        "SOC 2 evidence report",
    );
    d.gap(20.0);
    let kind = if c.period.is_some() {
        "Type 2 period report: criteria status over a period, from the evidence history"
    } else {
        "Point-in-time report: criteria status from one evidence snapshot"
    };
    text(&mut d.ops, LEFT, d.y, 11.0, Face::Regular, GREY, kind);
    d.gap(8.0);
    for line in wrap(
        &fonts::clean(&format!("{} \u{2014} {}", c.organisation, c.system)),
        WIDTH,
        15.0,
        Face::Bold,
    ) {
        d.gap(21.0);
        text(&mut d.ops, LEFT, d.y, 15.0, Face::Bold, BLACK, &line);
    }
    d.gap(10.0);
    hline(&mut d.ops, LEFT, RIGHT, d.y, ACCENT, 1.0);
    d.gap(6.0);

    d.field("Organisation", &c.organisation);
    d.field("System", &c.system);
    d.field("Tenant", &c.tenant_id);
    let subs = if c.subscriptions.is_empty() {
        "none".to_string()
    } else {
        c.subscriptions.join(", ")
    };
    d.field(&format!("Subscriptions ({})", c.subscriptions.len()), &subs);
    d.field("Criteria", &c.criteria_edition);
    d.field("Categories assessed", &c.categories.join(", "));
    if let Some(p) = &c.period {
        d.field("Period", p);
        d.field(
            "Last run",
            &format!(
                "{} (collection time of the period's last run)",
                c.as_of_text()
            ),
        );
    } else {
        d.field(
            "Evidence as of",
            &format!("{} (inventory collection time)", c.as_of_text()),
        );
    }
    d.field(
        "Evidence commit",
        c.commit.as_deref().unwrap_or("not recorded"),
    );
    d.field("Manifest sha256", &c.manifest_sha256);
    d.field(
        "Previous manifest",
        c.previous_manifest_sha256
            .as_deref()
            .unwrap_or("none (first snapshot of the chain)"),
    );
    d.field("Report id", model.report_id());
    d.field(
        "Assessed by",
        &format!("{} {}", c.tool_name, c.tool_version),
    );
    d.field("Check catalogue", &c.catalogue_version);
    let gaps = match model.gaps.len() {
        0 => "none".to_string(),
        n => format!(
            "{n} inventory gap(s): the affected checks report errors and their criteria are \
             incomplete (see Methodology)"
        ),
    };
    d.field("Data gaps", &gaps);

    d.gap(14.0);
    let s = &model.overall;
    let sc = &model.status_counts;
    let lines = [
        format!(
            "Automated criteria passing: {} ({}); {} failing, {} incomplete",
            s.criteria_ratio(),
            s.criteria_percent(),
            s.score.criteria_failing,
            s.score.criteria_incomplete
        ),
        format!(
            "Findings passing: {} ({})",
            s.findings_ratio(),
            s.findings_percent()
        ),
        format!(
            "{} criteria: {} automated, {} manual ({} attested, {} stale, {} unattested), {} \
             inherited",
            sc.total(),
            model.methodology.automated,
            sc.manual,
            model.manual.attested,
            model.manual.stale,
            model.manual.unattested,
            sc.inherited
        ),
    ];
    let mut lines = lines.to_vec();
    if model.findings.waived > 0 {
        lines.push(format!(
            "Findings waived: {} (accepted risks with an owner and an expiry; counted as not \
             passing)",
            model.findings.waived
        ));
    }
    if let Some(p) = &model.period {
        lines.push(format!(
            "Period: {} runs, {} day(s) without a run, {} cadence gap(s) over {} hours",
            p.runs.len(),
            p.days_without_run,
            p.gaps.len(),
            p.max_gap_hours
        ));
    }
    let box_h = 18.0 + lines.len() as f32 * 15.0;
    d.ensure(box_h);
    let top = d.y;
    rect(
        &mut d.ops,
        LEFT,
        top - box_h,
        WIDTH,
        box_h,
        rgb(0.94, 0.96, 0.99),
        PaintMode::Fill,
    );
    rect(
        &mut d.ops,
        LEFT,
        top - box_h,
        3.0,
        box_h,
        ACCENT,
        PaintMode::Fill,
    );
    d.gap(6.0);
    for (i, l) in lines.iter().enumerate() {
        d.gap(15.0);
        let face = if i == 0 { Face::Bold } else { Face::Regular };
        text(
            &mut d.ops,
            LEFT + 12.0,
            d.y,
            10.5,
            face,
            BLACK,
            &fonts::clean(l),
        );
    }
    d.y = top - box_h;
    d.gap(14.0);
    d.paragraph_styled(
        "This report is a rendering of the evidence snapshot identified by the manifest sha256 \
         above, committed to the evidence repository. Every page names that manifest in its \
         footer; the appendix lists the sha256 of every evidence file. Rendering the same commit \
         again with the same tool version gives a byte-identical PDF, so the report can be \
         re-derived and compared by anyone holding the evidence.",
        8.0,
        Face::Regular,
        GREY,
    );
}

// ---------------------------------------------------------------------------------------------
// Contents

fn contents(d: &mut Doc, toc: &[Anchor]) {
    d.section("Contents");
    d.gap(4.0);
    for a in toc.iter().filter(|a| a.title != "Contents") {
        let (size, face, indent, line_h) = match a.level {
            1 => (10.0, Face::Bold, 0.0, 17.0),
            _ => (9.0, Face::Regular, 6.0 * MM, 13.0),
        };
        d.ensure(line_h);
        d.gap(line_h);
        let num = a.page.to_string();
        let nw = fonts::width(&num, size, face);
        let x = LEFT + indent;
        let title = fit(&a.title, RIGHT - x - nw - 30.0, size, face);
        let tw = fonts::width(&title, size, face);
        text(&mut d.ops, x, d.y, size, face, BLACK, &title);
        text(&mut d.ops, RIGHT - nw, d.y, size, face, BLACK, &num);
        line(
            &mut d.ops,
            x + tw + 6.0,
            d.y + 1.0,
            RIGHT - nw - 6.0,
            d.y + 1.0,
            RULE,
            0.4,
        );
        d.link(x, d.y - 3.0, RIGHT - x, line_h, a.page, a.y);
    }
}

// ---------------------------------------------------------------------------------------------
// Executive summary

fn executive_summary(d: &mut Doc, model: &ReportModel) {
    d.section("Executive summary");
    let s = &model.overall.score;
    let sc = &model.status_counts;
    let when = match &model.cover.period {
        Some(p) => format!(
            "At the end of the period {p} (last run {})",
            model.cover.as_of_text()
        ),
        None => format!("As of {}", model.cover.as_of_text()),
    };
    d.paragraph(&format!(
        "{when}, {} of {} evaluated automated criteria pass ({}); {} fail and {} are \
         incomplete because data could not be read. {} of {} findings pass ({}){}. {} criteria are \
         manual: they need a person's attestation, recorded from the evidence repository \
         ({} attested, {} stale, {} unattested), and are listed but never scored. {} inherited \
         from Microsoft Azure under the shared responsibility model.",
        s.criteria_passing,
        s.criteria_evaluated,
        percent(s.criteria_score),
        s.criteria_failing,
        s.criteria_incomplete,
        s.findings_passing,
        s.findings_evaluated,
        percent(s.findings_score),
        match model.findings.waived {
            0 => String::new(),
            n => format!(
                "; {n} failing {} waived as accepted risks, listed with owner and expiry",
                if n == 1 { "finding is" } else { "findings are" }
            ),
        },
        sc.manual,
        model.manual.attested,
        model.manual.stale,
        model.manual.unattested,
        match sc.inherited {
            1 => "1 criterion is".to_string(),
            n => format!("{n} criteria are"),
        },
    ));

    d.heading(2, "All criteria by status");
    criteria_bar(d, model);

    d.heading(2, "Scores by category");
    let cols = fill(vec![
        col("Category", 52.0, Align::Left),
        col("Criteria", 18.0, Align::Right),
        col("Criteria %", 20.0, Align::Right),
        col("Failing", 16.0, Align::Right),
        col("Incomplete", 20.0, Align::Right),
        col("Findings", 22.0, Align::Right),
        col("Findings %", 21.0, Align::Right),
    ]);
    let row = |r: &ScoreRow| -> Vec<Cell> {
        vec![
            r.label.as_str().into(),
            r.criteria_ratio().into(),
            r.criteria_percent().into(),
            r.score.criteria_failing.to_string().into(),
            r.score.criteria_incomplete.to_string().into(),
            r.findings_ratio().into(),
            r.findings_percent().into(),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = model.categories.iter().map(row).collect();
    rows.push(row(&model.overall));
    table(
        d,
        &cols,
        &rows,
        &TableStyle {
            total_row: true,
            ..PLAIN
        },
    );
    d.gap(4.0);
    d.paragraph_styled(
        "Criteria: automated criteria passing / evaluated (pass, fail or incomplete). Findings: \
         findings passing / evaluated (pass, fail or error) of the checks mapped to those \
         criteria, each finding counted once. n/a: nothing was evaluated, which is never read as \
         a pass.",
        SMALL,
        Face::Regular,
        GREY,
    );

    d.heading(2, "Automated criteria by category");
    for r in &model.categories {
        status_bar(d, r);
    }
    d.gap(4.0);
    legend(
        d,
        &[("pass", PASS), ("fail", FAIL), ("incomplete", INCOMPLETE)],
    );

    d.heading(2, "Failing checks by severity");
    if model.failing_checks.is_empty() {
        d.paragraph("No check has a failing finding.");
        return;
    }
    let cols = vec![
        col("Severity", 40.0, Align::Left),
        col("Failing checks", 30.0, Align::Right),
        col("Failing findings", 30.0, Align::Right),
    ];
    let rows: Vec<Vec<Cell>> = model
        .by_severity
        .iter()
        .map(|s| {
            vec![
                s.severity.as_str().into(),
                s.checks.to_string().into(),
                s.findings.to_string().into(),
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);
    d.gap(8.0);
    d.paragraph_styled(
        "Every check with at least one failing finding, most severe first. Evaluated: findings \
         that pass, fail or error. The findings themselves are listed under each criterion.",
        SMALL,
        Face::Regular,
        GREY,
    );
    d.gap(2.0);
    let cols = fill(vec![
        wcol("Check", 76.0),
        col("Severity", 18.0, Align::Left),
        col("Failing", 15.0, Align::Right),
        col("Evaluated", 19.0, Align::Right),
        col("", 4.0, Align::Left),
        wcol("Criteria", 42.0),
    ]);
    let rows: Vec<Vec<Cell>> = model
        .failing_checks
        .iter()
        .map(|c| {
            vec![
                Cell::bold(&c.id).then(&c.title, Face::Regular, SMALL, GREY),
                c.severity.as_str().into(),
                Cell::coloured(c.failing.to_string(), FAIL),
                c.evaluated.to_string().into(),
                Cell::default(),
                Cell::new(c.criteria.join(", ")),
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);
}

/// One bar of all criteria split by status, with its legend and counts.
fn criteria_bar(d: &mut Doc, model: &ReportModel) {
    let sc = &model.status_counts;
    let total = sc.total().max(1) as f32;
    let h = 14.0;
    d.ensure(h + 30.0);
    d.gap(h + 4.0);
    let mut x = LEFT;
    for (s, n) in sc.parts() {
        let w = WIDTH * n as f32 / total;
        if w > 0.0 {
            rect(&mut d.ops, x, d.y, w, h, status_colour(s), PaintMode::Fill);
            let label = n.to_string();
            let lw = fonts::width(&label, 8.0, Face::Bold);
            if lw + 4.0 < w {
                let white = rgb(1.0, 1.0, 1.0);
                text(
                    &mut d.ops,
                    x + (w - lw) / 2.0,
                    d.y + 4.2,
                    8.0,
                    Face::Bold,
                    white,
                    &label,
                );
            }
        }
        x += w;
    }
    d.gap(6.0);
    let items: Vec<(String, _)> = sc
        .parts()
        .iter()
        .map(|(s, n)| (format!("{} {n}", status_text(*s)), status_colour(*s)))
        .collect();
    let refs: Vec<(&str, _)> = items.iter().map(|(l, c)| (l.as_str(), c.clone())).collect();
    legend(d, &refs);
}

/// One horizontal bar: the evaluated automated criteria of a category split into pass, fail and
/// incomplete, so an incomplete share is visible rather than folded into the score.
fn status_bar(d: &mut Doc, r: &ScoreRow) {
    const BAR_X: f32 = LEFT + 52.0 * MM;
    const BAR_W: f32 = 70.0 * MM;
    const BAR_H: f32 = 9.0;
    d.ensure(18.0);
    d.gap(18.0);
    let label = fit(
        &fonts::clean(&r.label),
        BAR_X - LEFT - 6.0,
        BODY,
        Face::Regular,
    );
    text(
        &mut d.ops,
        LEFT,
        d.y + 1.5,
        BODY,
        Face::Regular,
        TEXT,
        &label,
    );
    let s = &r.score;
    let caption = if s.criteria_evaluated == 0 {
        rect(
            &mut d.ops,
            BAR_X,
            d.y,
            BAR_W,
            BAR_H,
            RULE,
            PaintMode::Stroke,
        );
        "n/a: none evaluated".to_string()
    } else {
        let total = s.criteria_evaluated as f32;
        let mut x = BAR_X;
        for (n, colour) in [
            (s.criteria_passing, PASS),
            (s.criteria_failing, FAIL),
            (s.criteria_incomplete, INCOMPLETE),
        ] {
            let w = BAR_W * n as f32 / total;
            if w > 0.0 {
                rect(&mut d.ops, x, d.y, w, BAR_H, colour, PaintMode::Fill);
            }
            x += w;
        }
        format!(
            "{} pass, {} fail, {} incomplete",
            s.criteria_passing, s.criteria_failing, s.criteria_incomplete
        )
    };
    let cx = BAR_X + BAR_W + 3.0 * MM;
    let caption = fit(&caption, RIGHT - cx, 8.0, Face::Regular);
    text(
        &mut d.ops,
        cx,
        d.y + 1.5,
        8.0,
        Face::Regular,
        TEXT,
        &caption,
    );
}

fn legend(d: &mut Doc, items: &[(&str, printpdf::Rgb)]) {
    d.ensure(14.0);
    d.gap(12.0);
    let mut x = LEFT;
    for (label, colour) in items {
        let w = 11.0 + fonts::width(label, 8.0, Face::Regular) + 14.0;
        if x + w > RIGHT {
            d.ensure(12.0);
            d.gap(12.0);
            x = LEFT;
        }
        rect(
            &mut d.ops,
            x,
            d.y,
            8.0,
            8.0,
            colour.clone(),
            PaintMode::Fill,
        );
        text(
            &mut d.ops,
            x + 11.0,
            d.y + 1.0,
            8.0,
            Face::Regular,
            GREY,
            label,
        );
        x += w;
    }
}

// ---------------------------------------------------------------------------------------------
// Type 2 period view

fn period(d: &mut Doc, p: &PeriodView) {
    d.section("Type 2 period view");
    let first = p.runs.first().map(|r| r.as_of_text()).unwrap_or_default();
    let last = p.runs.last().map(|r| r.as_of_text()).unwrap_or_default();
    d.paragraph(
        "Every evidence run recorded on the evidence branch in the period, read from the git \
         history (first-parent commits that changed the evidence), with each run's time taken \
         from its snapshot. A criterion's cell for a day shows the worst state it was in at any \
         moment of that day, counting the state carried in from the previous run: a failure \
         holds until a later run shows otherwise. Pale cells are days without a run. Days \
         failing counts the days with a red cell.",
    );
    d.gap(4.0);
    d.field("Period", &p.label());
    d.field(
        "Runs in the period",
        &format!("{} (first {first}, last {last})", p.runs.len()),
    );
    d.field(
        "State carried in",
        &match &p.carried_in {
            Some(r) => format!(
                "from the run of {} (commit {})",
                r.as_of_text(),
                short(&r.commit)
            ),
            None => "none: no run before the period".to_string(),
        },
    );
    d.field(
        "Days without a run",
        &format!("{} of {}", p.days_without_run, p.days.len()),
    );
    d.field(
        "Cadence gaps",
        &format!(
            "{} (stretches of more than {} hours without a run)",
            p.gaps.len(),
            p.max_gap_hours
        ),
    );

    d.heading(2, "Status timeline of automated criteria");
    timeline(d, p);
    if !p.not_automated.is_empty() {
        d.gap(6.0);
        let count = |s: ControlStatus| p.not_automated.iter().filter(|(_, st)| *st == s).count();
        d.paragraph_styled(
            &format!(
                "Not shown, as no check evaluates them: {} manual and {} inherited criteria (see \
                 the coverage matrix).",
                count(ControlStatus::Manual),
                count(ControlStatus::Inherited)
            ),
            SMALL,
            Face::Regular,
            GREY,
        );
    }

    d.heading(2, "Cadence gaps");
    if p.gaps.is_empty() {
        d.paragraph(&format!(
            "None: no stretch of more than {} hours without a run.",
            p.max_gap_hours
        ));
    } else {
        let cols = fill(vec![
            col("From", 50.0, Align::Left),
            col("To", 50.0, Align::Left),
            col("Hours", 20.0, Align::Right),
            col("Days", 20.0, Align::Right),
        ]);
        let t = |t: chrono::DateTime<chrono::Utc>, run: bool, what: &str| {
            let s = t.to_rfc3339_opts(SecondsFormat::Secs, true);
            if run { s } else { format!("{s} ({what})") }
        };
        let rows: Vec<Vec<Cell>> = p
            .gaps
            .iter()
            .map(|g| {
                vec![
                    t(g.from, g.from_run, "period start").into(),
                    t(g.to, g.to_run, "period end").into(),
                    Cell::coloured(g.hours().to_string(), FAIL),
                    format!("{:.1}", g.hours() as f64 / 24.0).into(),
                ]
            })
            .collect();
        table(d, &cols, &rows, &PLAIN);
    }

    d.heading(2, "Runs in the period");
    let cols = fill(vec![
        col("As of", 40.0, Align::Left),
        col("Commit", 28.0, Align::Left),
        col("Manifest", 28.0, Align::Left),
        col("Pass", 14.0, Align::Right),
        col("Fail", 14.0, Align::Right),
        col("Incomplete", 20.0, Align::Right),
    ]);
    let rows: Vec<Vec<Cell>> = p
        .runs
        .iter()
        .map(|r| {
            vec![
                r.as_of_text().into(),
                short(&r.commit).into(),
                short(&r.manifest_sha256).into(),
                r.count(ControlStatus::Pass).to_string().into(),
                Cell::new(r.count(ControlStatus::Fail).to_string()),
                r.count(ControlStatus::Incomplete).to_string().into(),
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);
}

fn short(s: &str) -> String {
    s.chars().take(12).collect()
}

/// The day grid: one row per automated criterion, one cell per day, with a row of run marks
/// and one of cadence gaps above.
fn timeline(d: &mut Doc, p: &PeriodView) {
    const ID_W: f32 = 17.0 * MM;
    const DAYS_W: f32 = 19.0 * MM;
    const LAST_W: f32 = 20.0 * MM;
    const ROW_H: f32 = 11.0;
    let gx = LEFT + ID_W + DAYS_W + LAST_W;
    let n = p.days.len().max(1);
    let cw = (RIGHT - gx) / n as f32;
    let runs_per_day = p.runs_per_day();
    let gap_days = p.gap_days();

    let header = |d: &mut Doc| {
        d.ensure(3.0 * ROW_H + 14.0);
        d.gap(ROW_H);
        let b = d.y + 3.0;
        text(
            &mut d.ops,
            LEFT + 2.0,
            b,
            SMALL,
            Face::Bold,
            BLACK,
            "Criterion",
        );
        let t = "Days failing";
        let tw = fonts::width(t, SMALL, Face::Bold);
        text(
            &mut d.ops,
            LEFT + ID_W + DAYS_W - 3.0 - tw,
            b,
            SMALL,
            Face::Bold,
            BLACK,
            t,
        );
        text(
            &mut d.ops,
            LEFT + ID_W + DAYS_W + 3.0,
            b,
            SMALL,
            Face::Bold,
            BLACK,
            "Last run",
        );
        // Date labels: the first day, then every week while they fit.
        let step = ((34.0 / cw).ceil() as usize).max(7).div_ceil(7) * 7;
        for (i, day) in p.days.iter().enumerate().step_by(step) {
            let label = day.format("%m-%d").to_string();
            if gx + i as f32 * cw + fonts::width(&label, 6.5, Face::Regular) <= RIGHT {
                text(
                    &mut d.ops,
                    gx + i as f32 * cw,
                    b,
                    6.5,
                    Face::Regular,
                    GREY,
                    &label,
                );
            }
        }
        // Runs: a mark per day with at least one run.
        d.gap(ROW_H);
        text(
            &mut d.ops,
            LEFT + 2.0,
            d.y + 3.0,
            SMALL,
            Face::Regular,
            GREY,
            "runs",
        );
        for (i, k) in runs_per_day.iter().enumerate() {
            if *k > 0 {
                let x = gx + i as f32 * cw;
                rect(
                    &mut d.ops,
                    x + cw * 0.2,
                    d.y + 2.5,
                    cw * 0.6,
                    5.0,
                    GREY,
                    PaintMode::Fill,
                );
            }
        }
        d.gap(ROW_H);
        text(
            &mut d.ops,
            LEFT + 2.0,
            d.y + 3.0,
            SMALL,
            Face::Regular,
            GREY,
            "cadence gap",
        );
        for (i, g) in gap_days.iter().enumerate() {
            if *g {
                let x = gx + i as f32 * cw;
                rect(&mut d.ops, x, d.y + 3.5, cw, 3.0, FAIL, PaintMode::Fill);
            }
        }
        hline(&mut d.ops, LEFT, RIGHT, d.y, BLACK, 0.5);
    };
    header(d);
    for c in &p.criteria {
        if d.room() < ROW_H {
            d.break_page();
            header(d);
        }
        d.gap(ROW_H);
        let y = d.y;
        text(
            &mut d.ops,
            LEFT + 2.0,
            y + 3.0,
            SMALL,
            Face::Bold,
            BLACK,
            &fonts::clean(&c.id),
        );
        let days = c.days_failing.to_string();
        let colour = if c.days_failing > 0 { FAIL } else { TEXT };
        let dw = fonts::width(&days, SMALL, Face::Bold);
        text(
            &mut d.ops,
            LEFT + ID_W + DAYS_W - 3.0 - dw,
            y + 3.0,
            SMALL,
            Face::Bold,
            colour,
            &days,
        );
        if let Some(s) = c.last {
            let last = status_text(s);
            text(
                &mut d.ops,
                LEFT + ID_W + DAYS_W + 3.0,
                y + 3.0,
                SMALL,
                Face::Regular,
                status_colour(s),
                last,
            );
        }
        for (i, cell) in c.days.iter().enumerate() {
            let x = gx + i as f32 * cw;
            match cell.status {
                Some(s) => {
                    let colour = status_colour(s);
                    let colour = if cell.observed {
                        colour
                    } else {
                        tint(&colour, 0.6)
                    };
                    rect(
                        &mut d.ops,
                        x,
                        y + 1.5,
                        cw,
                        ROW_H - 3.0,
                        colour,
                        PaintMode::Fill,
                    );
                }
                None => {
                    rect(
                        &mut d.ops,
                        x,
                        y + 1.5,
                        cw,
                        ROW_H - 3.0,
                        UNKNOWN,
                        PaintMode::Fill,
                    );
                }
            }
        }
        // Day separators, while cells are wide enough for them to read as a grid.
        if cw >= 4.0 {
            for i in 1..n {
                let x = gx + i as f32 * cw;
                line(
                    &mut d.ops,
                    x,
                    y + 1.5,
                    x,
                    y + ROW_H - 1.5,
                    rgb(1.0, 1.0, 1.0),
                    0.4,
                );
            }
        }
    }
    d.gap(4.0);
    legend(
        d,
        &[
            ("pass", PASS),
            ("fail", FAIL),
            ("incomplete", INCOMPLETE),
            ("not applicable", NOT_APPLICABLE),
            ("pale: no run that day", tint(&PASS, 0.6)),
            ("grey: not recorded", UNKNOWN),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Coverage matrix

fn coverage_matrix(d: &mut Doc, model: &ReportModel) {
    d.section("Coverage matrix");
    let sc = &model.status_counts;
    d.paragraph(&format!(
        "All {} criteria of the {}, one row each: how each is covered, its status, the checks \
         mapped to it and their findings. Automated: evaluated by the checks; manual: needs a \
         person's attestation, and its status is the attestation's (attested, stale or \
         unattested; never scored); inherited: Microsoft Azure's responsibility. Waived: failing \
         findings covered by an accepted risk, listed with owner and expiry in the detail.",
        sc.total(),
        model.cover.criteria_edition
    ));
    d.gap(4.0);
    let cols = fill(vec![
        col("ID", 12.0, Align::Left),
        wcol("Title", 67.0),
        col("Coverage", 18.0, Align::Left),
        col("Status", 20.0, Align::Left),
        col("Checks", 14.0, Align::Right),
        col("Pass", 10.0, Align::Right),
        col("Fail", 10.0, Align::Right),
        col("Error", 12.0, Align::Right),
        col("Waived", 14.0, Align::Right),
    ]);
    let rows: Vec<Vec<Cell>> = model
        .criteria
        .iter()
        .map(|c| {
            let small = |s: &str, face: Face, colour| Cell::default().then(s, face, 8.0, colour);
            let automated = c.coverage == crate::controls::Coverage::Automated;
            let n = |v: u64| -> Cell {
                if automated {
                    small(&v.to_string(), Face::Regular, TEXT)
                } else {
                    small("\u{2013}", Face::Regular, GREY)
                }
            };
            vec![
                small(&c.id, Face::Bold, TEXT),
                small(&c.title, Face::Regular, TEXT),
                small(c.coverage_text(), Face::Regular, TEXT),
                small(c.status_label(), Face::Bold, status_colour(c.status)),
                n(c.mapped_checks as u64),
                n(c.findings.pass),
                if c.findings.fail > 0 {
                    small(&c.findings.fail.to_string(), Face::Bold, FAIL)
                } else {
                    n(c.findings.fail)
                },
                n(c.findings.error),
                if c.findings.waived > 0 {
                    small(&c.findings.waived.to_string(), Face::Bold, WAIVED)
                } else {
                    n(c.findings.waived)
                },
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);
}

// ---------------------------------------------------------------------------------------------
// Criteria in detail

fn criteria(d: &mut Doc, model: &ReportModel) {
    d.section("Criteria in detail");
    d.paragraph(
        "Each automated criterion with its mapped checks and every failing, erroring or waived \
         finding of those checks: no finding is left out. A finding is one check's verdict on \
         one resource (or subscription, or the tenant), with the reason and the values observed. \
         A check mapped to several criteria lists its findings under each.",
    );
    if model.sections.is_empty() {
        d.paragraph("No criterion is evaluated by checks.");
    }
    for s in &model.sections {
        criterion(d, model, s);
    }
}

fn criterion(d: &mut Doc, model: &ReportModel, s: &CriterionSection) {
    d.heading(2, &format!("{} \u{b7} {}", s.id, s.title));
    let c = &s.counts;
    d.ensure(14.0);
    d.gap(12.0);
    let label = "Status: ";
    text(&mut d.ops, LEFT, d.y, BODY, Face::Regular, TEXT, label);
    let x = LEFT + fonts::width(label, BODY, Face::Regular);
    let st = status_text(s.status);
    text(
        &mut d.ops,
        x,
        d.y,
        BODY,
        Face::Bold,
        status_colour(s.status),
        st,
    );
    d.paragraph_styled(
        &format!(
            "{} \u{b7} {} mapped check(s) \u{b7} findings of those checks: {} pass, {} fail, {} \
             error, {} not applicable",
            s.category.label(),
            s.checks.len(),
            c.pass,
            c.fail,
            c.error,
            c.not_applicable
        ),
        BODY,
        Face::Regular,
        GREY,
    );
    d.gap(6.0);

    let checks: Vec<&CheckDetail> = s.checks.iter().filter_map(|id| model.check(id)).collect();
    let cols = fill(vec![
        wcol("Check", 88.0),
        col("Severity", 18.0, Align::Left),
        col("Status", 20.0, Align::Left),
        col("Pass", 12.0, Align::Right),
        col("Fail", 12.0, Align::Right),
        col("Error", 12.0, Align::Right),
        col("N/A", 12.0, Align::Right),
    ]);
    let rows: Vec<Vec<Cell>> = checks
        .iter()
        .map(|k| {
            vec![
                Cell::bold(&k.id).then(&k.title, Face::Regular, SMALL, GREY),
                k.severity.as_str().into(),
                Cell::coloured(k.status.as_str(), finding_colour(k.status)),
                k.counts.pass.to_string().into(),
                k.counts.fail.to_string().into(),
                k.counts.error.to_string().into(),
                k.counts.not_applicable.to_string().into(),
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);

    let listed: Vec<&&CheckDetail> = checks.iter().filter(|k| !k.findings.is_empty()).collect();
    if listed.is_empty() {
        d.gap(4.0);
        d.paragraph_styled(
            "No failing, erroring or waived findings.",
            BODY,
            Face::Regular,
            GREY,
        );
        return;
    }
    for k in listed {
        let fail = k
            .findings
            .iter()
            .filter(|f| f.status.as_str() == "fail")
            .count();
        let error = k.findings.len() - fail;
        let mut what = Vec::new();
        if fail > 0 {
            what.push(format!("{fail} failing"));
        }
        if error > 0 {
            what.push(format!("{error} in error"));
        }
        let cols = fill(vec![
            col("Status", 13.0, Align::Left),
            wcol("Resource", 82.0),
            wcol("Reason and observed values", 79.0),
        ]);
        let rows: Vec<Vec<Cell>> = k.findings.iter().map(|f| finding_row(k, f)).collect();
        d.heading_keep(
            3,
            &format!("{} \u{2014} {}", k.id, what.join(", ")),
            table_start_height(&cols, &rows),
        );
        findings_table(d, &cols, &rows);
    }
}

fn findings_table(d: &mut Doc, cols: &[Column], rows: &[Vec<Cell>]) {
    table(
        d,
        cols,
        rows,
        &TableStyle {
            zebra: false,
            total_row: false,
            rules: true,
        },
    );
}

fn finding_row(k: &CheckDetail, f: &FindingRow) -> Vec<Cell> {
    let colour = if f.waiver.is_some() {
        WAIVED
    } else {
        finding_colour(f.status)
    };
    let mut reason = Cell::default().then(&f.reason, Face::Regular, SMALL, TEXT);
    if let Some(w) = &f.waiver {
        reason = reason.then(
            format!(
                "Waiver {}: owner {}, expires {}; {}",
                w.id, w.owner, w.expires, w.reason
            ),
            Face::Bold,
            SMALL,
            WAIVED,
        );
    }
    if !f.observed.is_empty() {
        let all = f
            .observed
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let shown = if all.chars().count() > OBSERVED_MAX_CHARS {
            let cut: String = all.chars().take(OBSERVED_MAX_CHARS).collect();
            format!("{cut}\u{2026} (in full in checks/{}.json)", k.id)
        } else {
            all
        };
        reason = reason.then(format!("observed: {shown}"), Face::Regular, 6.5, GREY);
    }
    vec![
        Cell::coloured(f.status_text(), colour),
        Cell::small(&f.resource_id),
        reason,
    ]
}

// ---------------------------------------------------------------------------------------------
// Drift

fn drift_section(d: &mut Doc, ds: &DriftSince) {
    let dr = &ds.drift;
    d.section(&format!("Drift since {}", ds.tag));
    d.paragraph(&format!(
        "The evidence of release tag {} (as of {}) compared with this snapshot (as of {}). {}.",
        ds.tag,
        dr.base_as_of.to_rfc3339_opts(SecondsFormat::Secs, true),
        dr.head_as_of.to_rfc3339_opts(SecondsFormat::Secs, true),
        dr.title()
    ));
    if dr.is_empty() {
        return;
    }
    let st = |s: Option<ControlStatus>| match s {
        Some(s) => status_cell(s),
        None => Cell::coloured("absent", GREY),
    };
    if !dr.criteria.is_empty() {
        d.heading(2, "Criteria whose status changed");
        let cols = fill(vec![
            col("ID", 16.0, Align::Left),
            col("Title", 90.0, Align::Left),
            col("Before", 30.0, Align::Left),
            col("Now", 30.0, Align::Left),
        ]);
        let rows: Vec<Vec<Cell>> = dr
            .criteria
            .iter()
            .map(|c| {
                vec![
                    Cell::bold(&c.id),
                    c.title.as_str().into(),
                    st(c.from),
                    st(c.to),
                ]
            })
            .collect();
        table(d, &cols, &rows, &PLAIN);
    }
    let fs = |s: Option<crate::checks::FindingStatus>| match s {
        Some(s) => Cell::coloured(s.as_str(), finding_colour(s)),
        None => Cell::coloured("absent", GREY),
    };
    for (title, list) in [
        ("Findings newly failing", &dr.newly_failing),
        ("Findings newly in error", &dr.newly_erroring),
        ("Findings resolved", &dr.resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        d.heading(2, &format!("{title} ({})", list.len()));
        let cols = fill(vec![
            wcol("Check", 42.0),
            wcol("Resource", 56.0),
            col("Before", 16.0, Align::Left),
            col("Now", 16.0, Align::Left),
            wcol("Reason", 54.0),
        ]);
        let rows: Vec<Vec<Cell>> = list
            .iter()
            .map(|f| {
                let mut reason = Cell::small(&f.reason);
                if let Some(p) = &f.previous_reason {
                    reason = reason.then(format!("before: {p}"), Face::Regular, 6.5, GREY);
                }
                vec![
                    Cell::small(&f.check_id),
                    Cell::small(&f.resource_id),
                    fs(f.from),
                    fs(f.to),
                    reason,
                ]
            })
            .collect();
        table(
            d,
            &cols,
            &rows,
            &TableStyle {
                zebra: false,
                total_row: false,
                rules: true,
            },
        );
    }
    for (title, list) in [
        ("Resources added", &dr.resources_added),
        ("Resources removed", &dr.resources_removed),
    ] {
        if list.is_empty() {
            continue;
        }
        d.heading(2, &format!("{title} ({})", list.len()));
        for r in list {
            d.bullet(r);
        }
    }
    if !dr.scores.is_empty() {
        d.heading(2, "Scores that changed");
        let cols = fill(vec![
            col("Scope", 60.0, Align::Left),
            col("Score", 40.0, Align::Left),
            col("Before", 30.0, Align::Right),
            col("Now", 30.0, Align::Right),
        ]);
        let rows: Vec<Vec<Cell>> = dr
            .scores
            .iter()
            .map(|s| {
                vec![
                    s.scope.as_str().into(),
                    s.metric.label().into(),
                    percent(s.before).into(),
                    percent(s.after).into(),
                ]
            })
            .collect();
        table(d, &cols, &rows, &PLAIN);
    }
    if !dr.files.is_empty() {
        d.heading(2, &format!("Evidence files changed ({})", dr.files.len()));
        let cols = fill(vec![
            wcol("File", 90.0),
            col("Change", 22.0, Align::Left),
            col("+", 14.0, Align::Right),
            col("\u{2212}", 14.0, Align::Right),
            col("Note", 34.0, Align::Left),
        ]);
        let rows: Vec<Vec<Cell>> = dr
            .files
            .iter()
            .map(|f| {
                vec![
                    Cell::small(&f.path),
                    f.kind.as_str().into(),
                    f.insertions.to_string().into(),
                    f.deletions.to_string().into(),
                    Cell::small(if f.time_only {
                        "collection time only"
                    } else {
                        ""
                    }),
                ]
            })
            .collect();
        table(d, &cols, &rows, &PLAIN);
    }
}

// ---------------------------------------------------------------------------------------------
// Methodology

fn methodology(d: &mut Doc, model: &ReportModel) {
    let m = &model.methodology;
    d.section("Methodology");
    d.heading(2, "How the evidence was produced");
    d.paragraph(
        "The tool read the Azure tenant through read-only APIs (Azure Resource Graph, Azure \
         Resource Manager and Microsoft Graph), recorded what it read with the provenance below, \
         and evaluated each check as a pure function of that inventory and the check settings. \
         Each finding is one check's verdict on one resource: pass, fail, error (the data needed \
         could not be read, which is never counted as a pass) or not applicable. A check's status \
         is the worst of its findings; an automated criterion fails when a mapped check fails, is \
         incomplete when one errors, and passes otherwise. The results were written as canonical \
         JSON files, each hashed in the manifest, which links to the previous manifest (a hash \
         chain), and committed to the evidence repository.",
    );

    d.heading(2, "Identity used");
    if m.identities.is_empty() {
        d.paragraph("Not recorded by the sources.");
    } else {
        for i in &m.identities {
            d.bullet(i);
        }
    }

    d.heading(2, "Data sources");
    d.paragraph(&format!(
        "{} sources, each with the exact query, the API version, how many records it returned \
         and, where the API offers one, an independently obtained count to compare with.",
        m.sources.len()
    ));
    let common_scope = m
        .sources
        .first()
        .map(|s| &s.scope)
        .filter(|sc| m.sources.iter().all(|s| &s.scope == *sc));
    if let Some(sc) = common_scope {
        d.field("Scope of every source", &sc.join(", "));
    }
    let started = m.sources.iter().map(|s| s.started_at).min();
    let finished = m.sources.iter().map(|s| s.finished_at).max();
    if let (Some(a), Some(b)) = (started, finished) {
        d.field(
            "Collected",
            &format!(
                "{} to {}",
                a.to_rfc3339_opts(SecondsFormat::Secs, true),
                b.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        );
    }
    d.gap(4.0);
    let cols = fill(vec![
        wcol("Source", 46.0),
        wcol("API version", 20.0),
        wcol("Endpoint and query", 74.0),
        col("Records", 16.0, Align::Right),
        col("Ind. count", 18.0, Align::Right),
    ]);
    let rows: Vec<Vec<Cell>> = m
        .sources
        .iter()
        .map(|s| {
            let mut query = Cell::default()
                .then(&s.endpoint, Face::Regular, 6.5, GREY)
                .then(&s.query, Face::Regular, SMALL, TEXT);
            if common_scope.is_none() {
                query = query.then(
                    format!("scope: {}", s.scope.join(", ")),
                    Face::Regular,
                    6.5,
                    GREY,
                );
            }
            for g in &s.gaps {
                query = query.then(
                    format!("gap: {}: {}", g.scope, g.reason),
                    Face::Bold,
                    SMALL,
                    INCOMPLETE,
                );
            }
            let count = match s.independent_count {
                Some(n) if n == s.records => Cell::new(n.to_string()),
                Some(n) => Cell::coloured(format!("{n} (differs)"), FAIL),
                None => Cell::default().then("none", Face::Regular, SMALL, GREY),
            };
            vec![
                Cell::default().then(&s.name, Face::Bold, SMALL, TEXT).then(
                    format!("inventory/{}.json, {} page(s)", s.part.name(), s.pages),
                    Face::Regular,
                    6.5,
                    GREY,
                ),
                Cell::small(&s.api_version),
                query,
                s.records.to_string().into(),
                count,
            ]
        })
        .collect();
    table(
        d,
        &cols,
        &rows,
        &TableStyle {
            zebra: false,
            total_row: false,
            rules: true,
        },
    );
    d.gap(4.0);
    d.paragraph_styled(
        "Records: records the paged read returned. Ind. count: a count obtained separately \
         from the paged read (e.g. a Resource Graph count), where the API offers one; a \
         difference means the read may be incomplete. Full provenance, with each source's \
         collection times, is in the inventory files.",
        SMALL,
        Face::Regular,
        GREY,
    );

    d.heading(2, "Evidence gaps");
    if model.gaps.is_empty() {
        d.paragraph("None: every source was read in full.");
    } else {
        d.paragraph(
            "Sources that could not be read in full. Checks that depend on them report error \
             findings and their criteria are incomplete, never passing.",
        );
        for g in &model.gaps {
            d.bullet(&format!("{} ({}): {}", g.source, g.scope, g.reason));
        }
    }

    d.heading(2, "Check settings");
    d.paragraph("The settings the verdicts depend on, as recorded in summary.json.");
    d.gap(2.0);
    let cols = fill(vec![
        col("Setting", 55.0, Align::Left),
        wcol("Value", 119.0),
    ]);
    let rows: Vec<Vec<Cell>> = m
        .settings
        .iter()
        .map(|(k, v)| vec![Cell::bold(k), v.as_str().into()])
        .collect();
    table(d, &cols, &rows, &PLAIN);

    d.heading(2, "Change population");
    d.paragraph(&format!(
        "{} administrative change events from the Azure Activity Log are held in changes/ \
         (appended across runs, deduplicated). {}",
        m.change_events.total,
        if m.change_events.collected {
            "This run read the Activity Log."
        } else {
            "This run could not read the Activity Log; see the evidence gaps."
        }
    ));

    d.heading(2, "Limits");
    d.paragraph(&format!(
        "Automated checks test the configuration of the Azure estate at the moment of \
         collection. They cover part of each automated criterion, the part that Azure \
         configuration can evidence; policies, procedures and how people operate them need other \
         evidence. {} criteria are automated. Manual criteria need a person's attestation and are \
         never scored; inherited criteria are Microsoft's responsibility under the shared \
         responsibility model and are evidenced by Microsoft's own SOC 2 report. Glyphs the \
         embedded font lacks (CJK ideographs, for example) are shown as \u{FFFD}; the evidence \
         files hold the exact text.",
        m.automated
    ));
    d.heading(3, &format!("Manual criteria ({})", m.manual.len()));
    if !m.manual.is_empty() {
        let cols = fill(vec![
            col("ID", 16.0, Align::Left),
            wcol("Title", 88.0),
            wcol("Attestation", 70.0),
        ]);
        let rows: Vec<Vec<Cell>> = m
            .manual
            .iter()
            .map(|(id, t)| {
                let a = model
                    .criteria
                    .iter()
                    .find(|c| &c.id == id)
                    .and_then(|c| c.attestation.as_ref());
                let text = match a {
                    Some(a) if a.date.is_some() => format!(
                        "{}: {} on {} ({} days before the evidence; stale after {}), period {}{}",
                        a.state.as_str(),
                        a.owner.as_deref().unwrap_or("?"),
                        a.date.map(|d| d.to_string()).unwrap_or_default(),
                        a.age_days.unwrap_or_default(),
                        a.max_age_days,
                        a.period.as_deref().unwrap_or("?"),
                        match a.evidence.len() {
                            0 => String::new(),
                            n => format!(
                                "; {n} evidence link(s) in {}",
                                a.file.as_deref().unwrap_or("?")
                            ),
                        }
                    ),
                    _ => "unattested: no attestation file".to_string(),
                };
                let colour = match a.map(|a| a.state) {
                    Some(crate::attestations::AttestationState::Attested) => TEXT,
                    _ => FAIL,
                };
                vec![
                    Cell::bold(id),
                    t.as_str().into(),
                    Cell::default().then(&text, Face::Regular, SMALL, colour),
                ]
            })
            .collect();
        table(d, &cols, &rows, &PLAIN);
    }
    d.heading(3, &format!("Inherited criteria ({})", m.inherited.len()));
    if !m.inherited.is_empty() {
        let cols = fill(vec![
            col("ID", 16.0, Align::Left),
            wcol("Title", 50.0),
            wcol("Why it is inherited", 108.0),
        ]);
        let rows: Vec<Vec<Cell>> = m
            .inherited
            .iter()
            .map(|(id, t, r)| vec![Cell::bold(id), t.as_str().into(), Cell::small(r)])
            .collect();
        table(
            d,
            &cols,
            &rows,
            &TableStyle {
                zebra: false,
                total_row: false,
                rules: true,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Appendix

fn appendix(d: &mut Doc, model: &ReportModel) {
    let a = &model.appendix;
    d.section("Appendix: evidence manifest");
    d.paragraph(
        "The manifest of the snapshot this report renders. Its sha256 identifies the evidence; \
         it lists the sha256 of every other file, so any change to any file is detectable.",
    );
    d.gap(4.0);
    d.field("Manifest sha256", &a.manifest_sha256);
    for (k, v) in &a.fields {
        d.field(k, v);
    }
    d.heading(2, &format!("Evidence files ({})", a.files.len()));
    let cols = fill(vec![wcol("File", 70.0), col("sha256", 104.0, Align::Left)]);
    let rows: Vec<Vec<Cell>> = a
        .files
        .iter()
        .map(|(p, h)| {
            vec![
                Cell::small(p),
                Cell::default().then(h, Face::Regular, 7.0, TEXT),
            ]
        })
        .collect();
    table(d, &cols, &rows, &PLAIN);
}
