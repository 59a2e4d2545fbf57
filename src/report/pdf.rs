//! Lays a [`ReportModel`] out on A4 pages with printpdf and serialises it deterministically.
//!
//! Text uses the PDF built-in Helvetica faces (no embedded font yet), which printpdf writes with
//! `/WinAnsiEncoding`: every string passes through [`latin1`] so what is drawn is what a text
//! extractor (an auditor's search) reads back. Layout is a simple cursor that moves down the
//! page and breaks to a new page when the next block would reach the footer; tables repeat
//! their header after a break. Footers need the page count, so pages are built first and
//! footers written once the count is known.
//!
//! Determinism: printpdf takes the trailer `/ID` (and XMP instance ids, and resource ids such as
//! `FontId`) from a process-wide counter, so two reports rendered in one process would differ.
//! We never create resource ids (built-in fonts need none), write no XMP (the custom
//! conformance below does not require it), set every Info date from the snapshot's `as_of`, and
//! overwrite the trailer `/ID` with one derived from the manifest sha256. Nothing
//! process-dependent remains: the bytes are a function of the model and this code (whose
//! version is the Info `/Creator`).

use printpdf::date::{Date, Offset, OffsetDateTime, Time};
use printpdf::{
    BuiltinFont, Color, CustomPdfConformance, Line, LinePoint, Mm, Op, PaintMode, PdfConformance,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb,
    TextItem, WindingOrder,
};

use chrono::{Datelike, Timelike};

use super::ReportError;
use super::model::{ReportModel, ScoreRow, coverage_text};
use crate::controls::{ControlStatus, Coverage};

/// Points per millimetre; layout is in points, the unit PDF coordinates use.
const MM: f32 = 72.0 / 25.4;
const PAGE_W_MM: f32 = 210.0;
const PAGE_H_MM: f32 = 297.0;
const LEFT: f32 = 18.0 * MM;
const RIGHT: f32 = (PAGE_W_MM - 18.0) * MM;
const TOP: f32 = (PAGE_H_MM - 18.0) * MM;
/// Content stops here so it never runs into the footer.
const BOTTOM: f32 = 22.0 * MM;
const FOOTER_Y: f32 = 12.0 * MM;
const ROW_H: f32 = 13.0;
const CELL_PAD: f32 = 3.0;
const TABLE_SIZE: f32 = 9.0;

const BLACK: Rgb = rgb(0.0, 0.0, 0.0);
const GREY: Rgb = rgb(0.4, 0.4, 0.4);
const RULE: Rgb = rgb(0.6, 0.6, 0.6);
const ZEBRA: Rgb = rgb(0.94, 0.94, 0.94);
const PASS: Rgb = rgb(0.18, 0.55, 0.24);
const FAIL: Rgb = rgb(0.80, 0.16, 0.16);
const INCOMPLETE: Rgb = rgb(0.93, 0.65, 0.10);

const fn rgb(r: f32, g: f32, b: f32) -> Rgb {
    Rgb {
        r,
        g,
        b,
        icc_profile: None,
    }
}

pub(super) fn render(model: &ReportModel) -> Result<Vec<u8>, ReportError> {
    let pages = layout(model);
    serialise(document(model, pages), &model.cover.manifest_sha256)
}

/// Every page's drawing operations, footers included.
fn layout(model: &ReportModel) -> Vec<PdfPage> {
    let cover = &model.cover;
    let running_header = format!(
        "SOC 2 evidence report - {} - {} - as of {}",
        cover.organisation,
        cover.system,
        cover.as_of_text()
    );
    let mut p = Pages::new(running_header);
    cover_page(&mut p, model);
    p.break_page();
    scores_section(&mut p, model);
    p.break_page();
    criteria_section(&mut p, model);
    failing_checks_section(&mut p, model);
    gaps_section(&mut p, model);

    // Second pass: only now is the page count known.
    let pages = p.finish();
    let total = pages.len();
    let sha12: String = cover.manifest_sha256.chars().take(12).collect();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, mut ops)| {
            let footer = format!("Report {sha12} \u{b7} page {} of {total}", i + 1);
            text(&mut ops, LEFT, FOOTER_Y, 8.0, Face::Regular, GREY, &footer);
            PdfPage::new(Mm(PAGE_W_MM), Mm(PAGE_H_MM), ops)
        })
        .collect()
}

/// The document with metadata taken from the evidence only.
fn document(model: &ReportModel, pages: Vec<PdfPage>) -> PdfDocument {
    let cover = &model.cover;
    let mut doc = PdfDocument::new(&format!(
        "SOC 2 evidence report: {}, {}",
        cover.organisation, cover.system
    ));
    let info = &mut doc.metadata.info;
    // Dates come from the evidence, never the wall clock, so re-rendering gives the same bytes.
    let as_of = pdf_date(cover.as_of);
    info.creation_date = as_of;
    info.modification_date = as_of;
    info.metadata_date = as_of;
    info.identifier = cover.manifest_sha256.clone();
    info.author = cover.organisation.clone();
    info.creator = format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    info.producer = "printpdf 0.12".to_string();
    info.subject = format!(
        "Evidence of tenant {} as of {}, manifest sha256 {}",
        cover.tenant_id,
        cover.as_of_text(),
        cover.manifest_sha256
    );
    info.keywords = vec!["SOC 2".to_string(), cover.tenant_id.clone()];
    // No PDF/A or PDF/X profile is claimed: those require XMP metadata, whose instance id
    // printpdf draws from its counter, and forbid the built-in fonts this first report uses.
    info.conformance = PdfConformance::Custom(CustomPdfConformance {
        requires_xmp_metadata: false,
        requires_icc_profile: false,
        allows_default_fonts: true,
        ..Default::default()
    });
    doc.metadata.xmp = None;
    doc.pages = pages;
    doc
}

/// PDF bytes, with the process-dependent parts printpdf writes replaced by evidence-derived ones.
fn serialise(doc: PdfDocument, manifest_sha256: &str) -> Result<Vec<u8>, ReportError> {
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    let errors: Vec<String> = warnings
        .iter()
        .filter(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        .map(|w| w.msg.clone())
        .collect();
    if !errors.is_empty() {
        return Err(ReportError::Pdf(errors.join("; ")));
    }
    // printpdf takes the trailer /ID pair from its process-wide counter. Derive it from the
    // manifest sha256 instead: the first element identifies the evidence, and as a snapshot
    // always renders to the same bytes there is no separate instance, so both are equal.
    // printpdf does not re-export lopdf, so its `Object` cannot be named here: the strings it
    // wrote are rewritten in place.
    let id: Vec<u8> = manifest_sha256.bytes().take(32).collect();
    let mut rewritten = 0;
    if let Ok(ids) = lo.trailer.get_mut(b"ID").and_then(|o| o.as_array_mut()) {
        for s in ids.iter_mut().filter_map(|o| o.as_str_mut().ok()) {
            s.clone_from(&id);
            rewritten += 1;
        }
    }
    if rewritten != 2 {
        return Err(ReportError::Pdf(
            "printpdf wrote no trailer /ID pair to make deterministic".into(),
        ));
    }
    // printpdf always writes `/GTS_PDFXVersion`, empty for a custom conformance; readers then
    // report the file as PDF/X, which it does not claim to be.
    let info_id = lo.trailer.get(b"Info").and_then(|o| o.as_reference());
    if let Some(info) = info_id
        .ok()
        .and_then(|id| lo.get_object_mut(id).ok())
        .and_then(|o| o.as_dict_mut().ok())
    {
        info.remove(b"GTS_PDFXVersion");
    }
    // What `PdfDocument::save` does after building the lopdf document.
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| ReportError::Pdf(e.to_string()))?;
    Ok(bytes)
}

fn pdf_date(t: chrono::DateTime<chrono::Utc>) -> OffsetDateTime {
    OffsetDateTime::new_in_offset(
        Date {
            year: t.year(),
            month: t.month() as u8,
            day: t.day() as u8,
        },
        Time {
            hour: t.hour() as u8,
            minute: t.minute() as u8,
            second: t.second() as u8,
            millisecond: 0,
        },
        Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Sections

fn cover_page(p: &mut Pages, model: &ReportModel) {
    let c = &model.cover;
    p.y = TOP - 40.0;
    text(
        &mut p.ops,
        LEFT,
        p.y,
        24.0,
        Face::Bold,
        BLACK,
        "SOC 2 evidence report",
    );
    p.y -= 10.0;
    for line in wrap(
        &format!("{} - {}", c.organisation, c.system),
        RIGHT - LEFT,
        14.0,
        Face::Regular,
    ) {
        p.y -= 20.0;
        text(&mut p.ops, LEFT, p.y, 14.0, Face::Regular, BLACK, &line);
    }
    p.y -= 24.0;

    field(p, "Organisation", &c.organisation);
    field(p, "System", &c.system);
    field(p, "Tenant", &c.tenant_id);
    let subs = if c.subscriptions.is_empty() {
        "none".to_string()
    } else {
        c.subscriptions.join(" ")
    };
    field(
        p,
        &format!("Subscriptions ({})", c.subscriptions.len()),
        &subs,
    );
    field(
        p,
        "Evidence as of",
        &format!("{} (inventory collection time)", c.as_of_text()),
    );
    field(p, "Manifest sha256", &c.manifest_sha256);
    field(
        p,
        "Previous manifest",
        c.previous_manifest_sha256
            .as_deref()
            .unwrap_or("none (first snapshot of the chain)"),
    );
    field(
        p,
        "Evidence commit",
        c.commit.as_deref().unwrap_or("not recorded"),
    );
    field(
        p,
        "Assessed by",
        &format!("{} {}", c.tool_name, c.tool_version),
    );
    field(p, "Criteria", &c.criteria_edition);
    field(p, "Check catalogue", &c.catalogue_version);
    let gaps = match model.gaps.len() {
        0 => "none".to_string(),
        n => format!("{n} inventory gap(s): affected checks report errors (see Evidence gaps)"),
    };
    field(p, "Data gaps", &gaps);

    p.y -= 12.0;
    heading(p, "Overall score");
    let s = &model.overall;
    field(
        p,
        "Criteria",
        &format!(
            "{} automated criteria passing ({}); {} failing, {} incomplete",
            s.criteria_ratio(),
            s.criteria_percent(),
            s.score.criteria_failing,
            s.score.criteria_incomplete
        ),
    );
    field(
        p,
        "Findings",
        &format!(
            "{} findings passing ({})",
            s.findings_ratio(),
            s.findings_percent()
        ),
    );
    p.y -= 8.0;
    paragraph(
        p,
        "Scores count automated criteria only: manual criteria need a person's attestation and \
         inherited criteria are Azure's responsibility, so neither is ever scored as passing. \
         Incomplete means a mapped check could not read the data it needs; it never counts as \
         passing. This report is a rendering of the evidence snapshot identified by the manifest \
         sha256 above: rendering the same snapshot again gives the same bytes.",
    );
}

fn scores_section(p: &mut Pages, model: &ReportModel) {
    heading(p, "Scores by category");
    let cols = [
        col("Category", 50.0, Align::Left),
        col("Criteria", 20.0, Align::Right),
        col("Crit. score", 21.0, Align::Right),
        col("Incomplete", 20.0, Align::Right),
        col("Failing", 17.0, Align::Right),
        col("Findings", 24.0, Align::Right),
        col("Find. score", 22.0, Align::Right),
    ];
    let row = |r: &ScoreRow| {
        vec![
            r.label.clone(),
            r.criteria_ratio(),
            r.criteria_percent(),
            r.score.criteria_incomplete.to_string(),
            r.score.criteria_failing.to_string(),
            r.findings_ratio(),
            r.findings_percent(),
        ]
    };
    let mut rows: Vec<Vec<String>> = model.categories.iter().map(row).collect();
    rows.push(row(&model.overall));
    table(p, &cols, &rows, true);
    p.y -= 6.0;
    paragraph(
        p,
        "Criteria: automated criteria passing / evaluated (pass, fail or incomplete). Findings: \
         findings passing / evaluated (pass, fail or error) of the checks mapped to those \
         criteria, each finding counted once. n/a: nothing was evaluated.",
    );

    p.y -= 10.0;
    heading(p, "Automated criteria by status");
    for r in &model.categories {
        status_bar(p, r);
    }
    p.y -= 6.0;
    legend(p);
}

/// One horizontal bar: the evaluated automated criteria of a category split into pass, fail and
/// incomplete, so an incomplete share is visible rather than folded into the score.
fn status_bar(p: &mut Pages, r: &ScoreRow) {
    const BAR_X: f32 = LEFT + 52.0 * MM;
    const BAR_W: f32 = 70.0 * MM;
    const BAR_H: f32 = 9.0;
    p.ensure(18.0);
    p.y -= 18.0;
    let label = fit(&r.label, BAR_X - LEFT - CELL_PAD, TABLE_SIZE, Face::Regular);
    text(
        &mut p.ops,
        LEFT,
        p.y + 1.5,
        TABLE_SIZE,
        Face::Regular,
        BLACK,
        &label,
    );
    let s = &r.score;
    let caption = if s.criteria_evaluated == 0 {
        rect(
            &mut p.ops,
            BAR_X,
            p.y,
            BAR_W,
            BAR_H,
            RULE,
            PaintMode::Stroke,
        );
        "n/a: no automated criterion evaluated".to_string()
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
                rect(&mut p.ops, x, p.y, w, BAR_H, colour, PaintMode::Fill);
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
        &mut p.ops,
        cx,
        p.y + 1.5,
        8.0,
        Face::Regular,
        BLACK,
        &caption,
    );
}

fn legend(p: &mut Pages) {
    p.ensure(14.0);
    p.y -= 14.0;
    let mut x = LEFT;
    for (label, colour) in [("pass", PASS), ("fail", FAIL), ("incomplete", INCOMPLETE)] {
        rect(&mut p.ops, x, p.y, 8.0, 8.0, colour, PaintMode::Fill);
        text(
            &mut p.ops,
            x + 11.0,
            p.y + 1.0,
            8.0,
            Face::Regular,
            GREY,
            label,
        );
        x += 11.0 + width(label, 8.0, Face::Regular) + 14.0;
    }
}

fn criteria_section(p: &mut Pages, model: &ReportModel) {
    heading(p, "Criteria");
    let count = |c: Coverage| model.criteria.iter().filter(|r| r.coverage == c).count();
    let status = |s: ControlStatus| model.criteria.iter().filter(|r| r.status == s).count();
    paragraph(
        p,
        &format!(
            "{} criteria: {} {}, {} {}, {} {}. Automated criteria: {} pass, {} fail, {} \
             incomplete, {} not applicable. Checks: mapped checks; Fail, Error, Pass: their \
             findings.",
            model.criteria.len(),
            count(Coverage::Automated),
            coverage_text(Coverage::Automated),
            count(Coverage::Manual),
            coverage_text(Coverage::Manual),
            count(Coverage::Inherited),
            coverage_text(Coverage::Inherited),
            status(ControlStatus::Pass),
            status(ControlStatus::Fail),
            status(ControlStatus::Incomplete),
            status(ControlStatus::NotApplicable),
        ),
    );
    p.y -= 4.0;
    let cols = [
        col("ID", 18.0, Align::Left),
        col("Category", 48.0, Align::Left),
        col("Coverage", 24.0, Align::Left),
        col("Status", 26.0, Align::Left),
        col("Checks", 15.0, Align::Right),
        col("Fail", 14.0, Align::Right),
        col("Error", 14.0, Align::Right),
        col("Pass", 14.0, Align::Right),
    ];
    let rows: Vec<Vec<String>> = model
        .criteria
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.category_label().to_string(),
                c.coverage_text().to_string(),
                c.status_text().to_string(),
                c.mapped_checks.to_string(),
                c.findings.fail.to_string(),
                c.findings.error.to_string(),
                c.findings.pass.to_string(),
            ]
        })
        .collect();
    table(p, &cols, &rows, false);
}

fn failing_checks_section(p: &mut Pages, model: &ReportModel) {
    p.y -= 12.0;
    heading(p, "Failing checks");
    if model.failing_checks.is_empty() {
        paragraph(p, "No check has a failing finding.");
        return;
    }
    paragraph(
        p,
        "Checks with at least one failing finding, most severe first. Evaluated: findings that \
         pass, fail or error.",
    );
    p.y -= 4.0;
    let cols = [
        col("Check", 104.0, Align::Left),
        col("Severity", 24.0, Align::Left),
        col("Failing", 23.0, Align::Right),
        col("Evaluated", 23.0, Align::Right),
    ];
    let rows: Vec<Vec<String>> = model
        .failing_checks
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.severity.as_str().to_string(),
                c.failing.to_string(),
                c.evaluated.to_string(),
            ]
        })
        .collect();
    table(p, &cols, &rows, false);
}

fn gaps_section(p: &mut Pages, model: &ReportModel) {
    if model.gaps.is_empty() {
        return;
    }
    p.y -= 12.0;
    heading(p, "Evidence gaps");
    paragraph(
        p,
        "Inventory sources that could not be read in full. Checks that depend on them report \
         error findings and their criteria are incomplete, never passing.",
    );
    for g in &model.gaps {
        p.y -= 4.0;
        let title = format!("{} ({})", g.source, g.scope);
        for line in wrap(&title, RIGHT - LEFT, TABLE_SIZE, Face::Bold) {
            p.ensure(ROW_H);
            p.y -= ROW_H;
            text(&mut p.ops, LEFT, p.y, TABLE_SIZE, Face::Bold, BLACK, &line);
        }
        paragraph(p, &g.reason);
    }
}

// ---------------------------------------------------------------------------------------------
// Layout

/// The pages built so far and the cursor on the current one.
struct Pages {
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Baseline of the last thing drawn; blocks move it down before drawing.
    y: f32,
    running_header: String,
}

impl Pages {
    fn new(running_header: String) -> Self {
        Pages {
            done: Vec::new(),
            ops: Vec::new(),
            y: TOP,
            running_header,
        }
    }

    /// Starts a new page with the running header, which says what a loose page belongs to.
    fn break_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        let header = fit(&self.running_header, RIGHT - LEFT, 8.0, Face::Regular);
        text(&mut self.ops, LEFT, TOP, 8.0, Face::Regular, GREY, &header);
        hline(&mut self.ops, LEFT, RIGHT, TOP - 4.0, RULE);
        self.y = TOP - 10.0;
    }

    /// Breaks the page unless `h` points fit above the footer.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.break_page();
        }
    }

    fn finish(mut self) -> Vec<Vec<Op>> {
        self.done.push(self.ops);
        self.done
    }
}

fn heading(p: &mut Pages, s: &str) {
    // A heading alone at the bottom of a page helps nobody: keep room for a few lines after.
    p.ensure(22.0 + 3.0 * ROW_H);
    p.y -= 22.0;
    text(&mut p.ops, LEFT, p.y, 14.0, Face::Bold, BLACK, s);
    p.y -= 6.0;
}

fn paragraph(p: &mut Pages, s: &str) {
    for line in wrap(s, RIGHT - LEFT, TABLE_SIZE, Face::Regular) {
        p.ensure(12.0);
        p.y -= 12.0;
        text(
            &mut p.ops,
            LEFT,
            p.y,
            TABLE_SIZE,
            Face::Regular,
            BLACK,
            &line,
        );
    }
}

/// A label and its value, the value wrapped beside the label.
fn field(p: &mut Pages, label: &str, value: &str) {
    const VALUE_X: f32 = LEFT + 40.0 * MM;
    let lines = wrap(value, RIGHT - VALUE_X, 10.0, Face::Regular);
    for (i, line) in lines.iter().enumerate() {
        p.ensure(15.0);
        p.y -= 15.0;
        if i == 0 {
            text(&mut p.ops, LEFT, p.y, 10.0, Face::Bold, BLACK, label);
        }
        text(&mut p.ops, VALUE_X, p.y, 10.0, Face::Regular, BLACK, line);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

struct Column {
    title: &'static str,
    width: f32,
    align: Align,
}

fn col(title: &'static str, width_mm: f32, align: Align) -> Column {
    Column {
        title,
        width: width_mm * MM,
        align,
    }
}

/// Draws a table, breaking pages between rows and repeating the header on each new page.
/// Cells too wide for their column are cut with "...". With `emphasise_last`, the last row (a
/// total) is bold and set off by a rule.
fn table(p: &mut Pages, cols: &[Column], rows: &[Vec<String>], emphasise_last: bool) {
    p.ensure(2.0 * ROW_H);
    table_header(p, cols);
    for (i, row) in rows.iter().enumerate() {
        if p.y - ROW_H < BOTTOM {
            p.break_page();
            table_header(p, cols);
        }
        p.y -= ROW_H;
        let last = emphasise_last && i + 1 == rows.len();
        if last {
            hline(&mut p.ops, LEFT, RIGHT, p.y + ROW_H, BLACK);
        } else if i % 2 == 1 {
            rect(
                &mut p.ops,
                LEFT,
                p.y,
                RIGHT - LEFT,
                ROW_H,
                ZEBRA,
                PaintMode::Fill,
            );
        }
        let face = if last { Face::Bold } else { Face::Regular };
        let mut x = LEFT;
        for (c, cell) in cols.iter().zip(row) {
            cell_text(&mut p.ops, x, p.y, c, cell, face);
            x += c.width;
        }
    }
}

fn table_header(p: &mut Pages, cols: &[Column]) {
    p.y -= ROW_H;
    let mut x = LEFT;
    for c in cols {
        cell_text(&mut p.ops, x, p.y, c, c.title, Face::Bold);
        x += c.width;
    }
    hline(&mut p.ops, LEFT, RIGHT, p.y - 1.0, BLACK);
    p.y -= 1.0;
}

/// One cell whose row's bottom edge is at `y`.
fn cell_text(ops: &mut Vec<Op>, x: f32, y: f32, c: &Column, s: &str, face: Face) {
    let s = fit(s, c.width - 2.0 * CELL_PAD, TABLE_SIZE, face);
    let tx = match c.align {
        Align::Left => x + CELL_PAD,
        Align::Right => x + c.width - CELL_PAD - width(&s, TABLE_SIZE, face),
    };
    text(ops, tx, y + 3.5, TABLE_SIZE, face, BLACK, &s);
}

// ---------------------------------------------------------------------------------------------
// Drawing primitives

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn font(self) -> BuiltinFont {
        match self {
            Face::Regular => BuiltinFont::Helvetica,
            Face::Bold => BuiltinFont::HelveticaBold,
        }
    }
}

/// Draws `s` with its baseline starting at (`x`, `y`). Each string gets its own text object:
/// `Td` is relative to the line start, so a fresh object makes the position absolute.
fn text(ops: &mut Vec<Op>, x: f32, y: f32, size: f32, face: Face, colour: Rgb, s: &str) {
    ops.extend([
        Op::SaveGraphicsState,
        Op::StartTextSection,
        Op::SetFillColor {
            col: Color::Rgb(colour),
        },
        Op::SetFont {
            font: PdfFontHandle::Builtin(face.font()),
            size: Pt(size),
        },
        Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        },
        Op::ShowText {
            items: vec![TextItem::Text(latin1(s))],
        },
        Op::EndTextSection,
        Op::RestoreGraphicsState,
    ]);
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

fn rect(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32, colour: Rgb, mode: PaintMode) {
    let col = Color::Rgb(colour);
    ops.extend([
        Op::SaveGraphicsState,
        Op::SetFillColor { col: col.clone() },
        Op::SetOutlineColor { col },
        Op::SetOutlineThickness { pt: Pt(0.75) },
        Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: vec![
                        point(x, y),
                        point(x + w, y),
                        point(x + w, y + h),
                        point(x, y + h),
                    ],
                }],
                mode,
                winding_order: WindingOrder::NonZero,
            },
        },
        Op::RestoreGraphicsState,
    ]);
}

fn hline(ops: &mut Vec<Op>, x1: f32, x2: f32, y: f32, colour: Rgb) {
    ops.extend([
        Op::SaveGraphicsState,
        Op::SetOutlineColor {
            col: Color::Rgb(colour),
        },
        Op::SetOutlineThickness { pt: Pt(0.5) },
        Op::DrawLine {
            line: Line {
                points: vec![point(x1, y), point(x2, y)],
                is_closed: false,
            },
        },
        Op::RestoreGraphicsState,
    ]);
}

// ---------------------------------------------------------------------------------------------
// Text

/// The one place text is made safe for the built-in fonts: they only have Latin-1 glyphs here,
/// so anything else becomes `?` (visibly, rather than as mojibake) and control characters,
/// which have no glyph, become spaces.
fn latin1(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E | 0xA0..=0xFF => c,
            0x00..=0x1F | 0x7F => ' ',
            _ => '?',
        })
        .collect()
}

/// Advance widths of ASCII 32..=126 in 1/1000 em, from Adobe's Helvetica AFM.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// The same for Helvetica-Bold.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584,
    611, // '0'..'?'
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584,
    556, // 'P'..'_'
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611,
    611, // '`'..'o'
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // 'p'..'~'
];

/// Width of `s` in points as the built-in font will set it. Latin-1 letters beyond ASCII are
/// taken as a wide lowercase letter, which errs towards cutting early rather than overflowing.
fn width(s: &str, size: f32, face: Face) -> f32 {
    let (table, other) = match face {
        Face::Regular => (&HELVETICA, 611),
        Face::Bold => (&HELVETICA_BOLD, 667),
    };
    let units: u32 = latin1(s)
        .chars()
        .map(|c| {
            (c as usize)
                .checked_sub(32)
                .and_then(|i| table.get(i))
                .map_or(other, |w| u32::from(*w))
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `s` cut to fit `max` points, ending in "..." when cut.
fn fit(s: &str, max: f32, size: f32, face: Face) -> String {
    if width(s, size, face) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if width(&out, size, face) + width("...", size, face) > max {
            out.pop();
            break;
        }
    }
    out.push_str("...");
    out
}

/// Greedy word wrap to `max` points; a word wider than a line is split by characters.
fn wrap(s: &str, max: f32, size: f32, face: Face) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, size, face) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if width(&line, size, face) > max {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::Category;
    use crate::report::model::tests::{identity, snapshot};
    use crate::report::{ReportIdentity, render as render_snapshot};

    struct Extracted {
        pages: Vec<String>,
        doc: lopdf::Document,
    }

    fn extract(bytes: &[u8]) -> Extracted {
        let doc = lopdf::Document::load_mem(bytes).unwrap();
        let pages = doc
            .get_pages()
            .keys()
            .map(|n| doc.extract_text(&[*n]).unwrap())
            .collect();
        Extracted { pages, doc }
    }

    /// Each drawn string is its own text object, which extraction ends with a newline.
    fn lines(text: &str) -> Vec<&str> {
        text.lines().map(str::trim).collect()
    }

    #[test]
    fn report_shows_cover_scores_criteria_and_footers() {
        let s = snapshot();
        let bytes = render_snapshot(&s, &identity()).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let x = extract(&bytes);
        let n = x.pages.len();
        let all = x.pages.join("\n");
        let all_lines = lines(&all);

        let model = ReportModel::build(&s, &identity()).unwrap();
        let sha = s.manifest_sha256().unwrap();
        let cover = &x.pages[0];
        assert!(cover.contains("SOC 2 evidence report"), "{cover}");
        assert!(cover.contains("tenant-1"), "{cover}");
        assert!(cover.contains("2026-11-01T06:00:00Z"), "{cover}");
        assert!(cover.contains(&sha), "{cover}");
        assert!(cover.contains("Contoso Ltd"), "{cover}");
        assert!(cover.contains("sub-a sub-b"), "{cover}");

        // Scores: every category on one page with its own numbers.
        let scores = &x.pages[1];
        for r in model.categories.iter().chain([&model.overall]) {
            let l = lines(scores);
            let at = l
                .iter()
                .position(|t| *t == r.label)
                .unwrap_or_else(|| panic!("{} missing: {scores}", r.label));
            let row = &l[at..at + 7];
            assert_eq!(row[1], r.criteria_ratio(), "{row:?}");
            assert_eq!(row[2], r.criteria_percent(), "{row:?}");
            assert_eq!(row[6], r.findings_percent(), "{row:?}");
        }
        for cat in Category::ALL {
            assert!(scores.contains(cat.label()), "{}", cat.label());
        }

        assert_eq!(model.criteria.len(), 61);
        for c in &model.criteria {
            assert!(all_lines.contains(&c.id.as_str()), "{} missing", c.id);
        }
        // The criteria table spans pages and repeats its header on each.
        let with_header = x
            .pages
            .iter()
            .filter(|p| lines(p).contains(&"Coverage"))
            .count();
        assert!(with_header >= 2, "{with_header}");

        assert!(all.contains("storage_secure_transfer_required"));
        let sha12 = &sha[..12];
        for (i, page) in x.pages.iter().enumerate() {
            let footer = format!("Report {sha12} \u{b7} page {} of {n}", i + 1);
            assert!(page.contains(&footer), "page {}: {page}", i + 1);
        }
        assert!(all.contains(&format!("page 1 of {n}")));
        assert!(all.contains(&format!("page {n} of {n}")));
    }

    #[test]
    fn metadata_dates_and_id_come_from_the_snapshot() {
        let s = snapshot();
        let bytes = render_snapshot(&s, &identity()).unwrap();
        let x = extract(&bytes);
        let info = x
            .doc
            .trailer
            .get(b"Info")
            .and_then(|o| o.as_reference())
            .and_then(|r| x.doc.get_dictionary(r))
            .unwrap();
        for key in [&b"CreationDate"[..], b"ModDate"] {
            let date = info.get(key).and_then(|o| o.as_str()).unwrap();
            assert_eq!(date, b"D:20261101060000+00'00'", "{key:?}");
        }
        let sha = s.manifest_sha256().unwrap();
        assert_eq!(
            info.get(b"Identifier").and_then(|o| o.as_str()).unwrap(),
            sha.as_bytes()
        );
        let ids = x.doc.trailer.get(b"ID").and_then(|o| o.as_array()).unwrap();
        for id in ids {
            assert_eq!(id.as_str().unwrap(), &sha.as_bytes()[..32]);
        }
        assert!(!info.has(b"GTS_PDFXVersion"));
        // No XMP stream, whose instance id printpdf would draw from its counter.
        assert!(!bytes.windows(8).any(|w| w == b"Metadata"));
    }

    #[test]
    fn same_snapshot_same_bytes_in_one_process() {
        // printpdf's id counter advances with every document; the bytes must not.
        let s = snapshot();
        let a = render_snapshot(&s, &identity()).unwrap();
        let b = render_snapshot(&s, &identity()).unwrap();
        assert!(a == b, "renders differ");
    }

    #[test]
    fn text_outside_latin1_is_replaced_and_still_extractable() {
        let id = ReportIdentity {
            organisation: "Z\u{fc}rich \u{3a9}mega\nLtd".into(),
            system: "Syst\u{e8}me \u{2014} core".into(),
            commit: None,
        };
        let bytes = render_snapshot(&snapshot(), &id).unwrap();
        let cover = &extract(&bytes).pages[0];
        assert!(cover.contains("Z\u{fc}rich ?mega Ltd"), "{cover}");
        assert!(cover.contains("Syst\u{e8}me ? core"), "{cover}");
        assert!(cover.contains("not recorded"), "{cover}");
    }

    #[test]
    fn gaps_are_listed_with_their_reason() {
        let mut inv = crate::checks::testutil::inventory(vec![]);
        inv.sources[0].gaps.push(crate::model::Gap {
            scope: "/subscriptions/sub-b".into(),
            reason: "403 Forbidden: the identity lacks Reader on this subscription".into(),
        });
        let source = inv.sources[0].name.clone();
        let run = crate::evidence::RunMeta {
            run_id: "r".into(),
            started_at: inv.collected_at,
            finished_at: inv.collected_at,
        };
        let s = crate::checks::testutil::snapshot(&inv, run);
        let x = extract(&render_snapshot(&s, &identity()).unwrap());
        assert!(x.pages[0].contains("1 inventory gap(s)"), "{}", x.pages[0]);
        let last = x.pages.last().unwrap();
        assert!(last.contains("Evidence gaps"), "{last}");
        assert!(
            last.contains(&format!("{source} (/subscriptions/sub-b)")),
            "{last}"
        );
        assert!(last.contains("403 Forbidden"), "{last}");
    }

    #[test]
    fn text_helpers() {
        assert_eq!(latin1("a\u{e9}\u{20ac}\t"), "a\u{e9}? ");
        assert_eq!(width("0", 10.0, Face::Regular), 5.56);
        let cut = fit(
            "storage_blob_public_access_disabled",
            60.0,
            9.0,
            Face::Regular,
        );
        assert!(cut.ends_with("...") && width(&cut, 9.0, Face::Regular) <= 60.0);
        let lines = wrap(
            "aaaa bbbb cccc",
            width("aaaa bbbb", 9.0, Face::Regular),
            9.0,
            Face::Regular,
        );
        assert_eq!(lines, vec!["aaaa bbbb", "cccc"]);
        assert_eq!(wrap("", 100.0, 9.0, Face::Regular), vec![""]);
        let long = wrap(&"f".repeat(40), 20.0, 10.0, Face::Regular);
        assert!(long.len() > 1 && long.concat() == "f".repeat(40));
    }
}
