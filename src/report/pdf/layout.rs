//! The layout engine: a cursor that moves down A4 pages, breaking to a new page when the next
//! block would reach the footer, plus the drawing primitives (text, rules, boxes) and the
//! blocks built on them (headings, paragraphs, label/value fields, tables whose cells wrap and
//! whose header repeats after a break, and rows taller than a page split line by line).
//!
//! Every string is passed through [`fonts::clean`] once, where it enters a block, and then
//! measured with the same metrics the PDF viewer will use, so nothing overflows its column.

use printpdf::{
    Actions, BorderArray, Color, ColorArray, Destination, FontId, HighlightingMode, Line,
    LinePoint, LinkAnnotation, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt, Rect,
    Rgb, TextItem, WindingOrder,
};

use super::super::fonts::{self, Face};
use crate::checks::FindingStatus;
use crate::controls::ControlStatus;

/// Points per millimetre; layout is in points, the unit PDF coordinates use.
pub(super) const MM: f32 = 72.0 / 25.4;
pub(super) const PAGE_W_MM: f32 = 210.0;
pub(super) const PAGE_H_MM: f32 = 297.0;
pub(super) const LEFT: f32 = 18.0 * MM;
pub(super) const RIGHT: f32 = (PAGE_W_MM - 18.0) * MM;
pub(super) const WIDTH: f32 = RIGHT - LEFT;
pub(super) const TOP: f32 = (PAGE_H_MM - 14.0) * MM;
/// Content stops here so it never runs into the footer.
pub(super) const BOTTOM: f32 = 20.0 * MM;
pub(super) const FOOTER_Y: f32 = 10.0 * MM;
/// Where content starts below the running header.
const BODY_TOP: f32 = TOP - 16.0;

pub(super) const BODY: f32 = 9.0;
pub(super) const SMALL: f32 = 7.5;

pub(super) const BLACK: Rgb = rgb(0.0, 0.0, 0.0);
pub(super) const TEXT: Rgb = rgb(0.12, 0.12, 0.14);
pub(super) const GREY: Rgb = rgb(0.40, 0.40, 0.42);
pub(super) const RULE: Rgb = rgb(0.70, 0.70, 0.72);
pub(super) const ZEBRA: Rgb = rgb(0.955, 0.955, 0.96);
pub(super) const ACCENT: Rgb = rgb(0.10, 0.25, 0.45);
pub(super) const PASS: Rgb = rgb(0.18, 0.55, 0.24);
pub(super) const FAIL: Rgb = rgb(0.80, 0.16, 0.16);
pub(super) const INCOMPLETE: Rgb = rgb(0.90, 0.60, 0.05);
pub(super) const NOT_APPLICABLE: Rgb = rgb(0.62, 0.66, 0.72);
pub(super) const MANUAL: Rgb = rgb(0.55, 0.45, 0.70);
pub(super) const INHERITED: Rgb = rgb(0.30, 0.55, 0.80);
pub(super) const WAIVED: Rgb = rgb(0.45, 0.45, 0.45);

pub(super) const fn rgb(r: f32, g: f32, b: f32) -> Rgb {
    Rgb {
        r,
        g,
        b,
        icc_profile: None,
    }
}

/// A lighter version of `c`, for days without a run.
pub(super) fn tint(c: &Rgb, amount: f32) -> Rgb {
    rgb(
        c.r + (1.0 - c.r) * amount,
        c.g + (1.0 - c.g) * amount,
        c.b + (1.0 - c.b) * amount,
    )
}

pub(super) fn status_colour(s: ControlStatus) -> Rgb {
    match s {
        ControlStatus::Pass => PASS,
        ControlStatus::Fail => FAIL,
        ControlStatus::Incomplete => INCOMPLETE,
        ControlStatus::NotApplicable => NOT_APPLICABLE,
        ControlStatus::Manual => MANUAL,
        ControlStatus::Inherited => INHERITED,
    }
}

pub(super) fn finding_colour(s: FindingStatus) -> Rgb {
    match s {
        FindingStatus::Pass => PASS,
        FindingStatus::Fail => FAIL,
        FindingStatus::Error => INCOMPLETE,
        FindingStatus::NotApplicable => NOT_APPLICABLE,
        FindingStatus::Waived => WAIVED,
    }
}

/// A heading recorded for the table of contents.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Anchor {
    pub level: u8,
    pub title: String,
    /// 1-based page number.
    pub page: usize,
    /// Top of the heading on its page, for the link target.
    pub y: f32,
}

/// The pages built so far and the cursor on the current one.
pub(super) struct Doc {
    done: Vec<Vec<Op>>,
    pub ops: Vec<Op>,
    /// Top of the free space on the current page; blocks draw below it and move it down.
    pub y: f32,
    running_header: String,
    /// The current level-1 section, named in the running header.
    section: String,
    pub anchors: Vec<Anchor>,
    /// The last heading drawn, so a block that has to start a new page can take it along.
    last_heading: Option<LastHeading>,
}

struct LastHeading {
    page: usize,
    /// Its drawing operations are `ops[start..end]`.
    start: usize,
    end: usize,
    level: u8,
    title: String,
    y_before: f32,
}

impl Doc {
    /// A document whose first page (the cover) has no running header.
    pub fn new(running_header: String) -> Self {
        Doc {
            done: Vec::new(),
            ops: Vec::new(),
            y: TOP,
            running_header: fonts::clean(&running_header),
            section: String::new(),
            anchors: Vec::new(),
            last_heading: None,
        }
    }

    /// 1-based number of the current page.
    pub fn page(&self) -> usize {
        self.done.len() + 1
    }

    /// Starts a new page with the running header, which says what a loose page belongs to.
    pub fn break_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        let right = fit(&self.section, WIDTH * 0.4, SMALL, Face::Bold);
        let rw = fonts::width(&right, SMALL, Face::Bold);
        let left = fit(
            &self.running_header,
            WIDTH - rw - 12.0,
            SMALL,
            Face::Regular,
        );
        text(&mut self.ops, LEFT, TOP, SMALL, Face::Regular, GREY, &left);
        text(
            &mut self.ops,
            RIGHT - rw,
            TOP,
            SMALL,
            Face::Bold,
            GREY,
            &right,
        );
        hline(&mut self.ops, LEFT, RIGHT, TOP - 4.0, RULE, 0.5);
        self.y = BODY_TOP;
    }

    /// Breaks the page unless `h` points fit above the footer.
    pub fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.break_page();
        }
    }

    /// Like [`Doc::ensure`], but when the page ends with a heading, the heading moves to the
    /// new page too: a heading never ends a page without what it introduces.
    pub fn ensure_with_heading(&mut self, h: f32) {
        if self.y - h >= BOTTOM {
            return;
        }
        let page = self.page();
        match self.last_heading.take() {
            Some(lh) if lh.page == page && lh.end == self.ops.len() && lh.y_before < BODY_TOP => {
                self.ops.truncate(lh.start);
                if lh.level <= 2 {
                    self.anchors.pop();
                }
                self.break_page();
                self.heading_keep(lh.level, &lh.title, 0.0);
            }
            _ => self.break_page(),
        }
    }

    /// Space left on the current page.
    pub fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    pub fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    pub fn finish(mut self) -> (Vec<Vec<Op>>, Vec<Anchor>) {
        self.done.push(self.ops);
        (self.done, self.anchors)
    }

    /// A level-1 section: a new page, named in the running header and the contents.
    pub fn section(&mut self, title: &str) {
        self.section = fonts::clean(title);
        self.break_page();
        self.heading(1, title);
    }

    /// A heading, kept together with room for a few lines after it, and listed in the
    /// contents when `level` is 1 or 2.
    pub fn heading(&mut self, level: u8, title: &str) {
        self.heading_keep(level, title, 3.0 * 13.0);
    }

    /// A heading kept on the same page as the next `keep` points.
    pub fn heading_keep(&mut self, level: u8, title: &str, keep: f32) {
        let (size, before, after) = match level {
            1 => (16.0, 4.0, 8.0),
            2 => (12.0, 14.0, 5.0),
            _ => (9.5, 9.0, 3.0),
        };
        let title = fonts::clean(title);
        let lines = wrap(&title, WIDTH, size, Face::Bold);
        let h = before + lines.len() as f32 * size * 1.25 + after;
        self.ensure(h + keep.min(BODY_TOP - BOTTOM - h));
        let start = self.ops.len();
        let y_before = self.y;
        self.y -= before;
        let top = self.y;
        for line in &lines {
            self.y -= size * 1.25;
            let colour = if level == 1 { ACCENT } else { BLACK };
            text(
                &mut self.ops,
                LEFT,
                self.y + size * 0.25,
                size,
                Face::Bold,
                colour,
                line,
            );
        }
        if level == 1 {
            hline(&mut self.ops, LEFT, RIGHT, self.y - 3.0, ACCENT, 0.8);
        }
        self.y -= after;
        if level <= 2 {
            self.anchors.push(Anchor {
                level,
                title: title.clone(),
                page: self.page(),
                y: top,
            });
        }
        self.last_heading = Some(LastHeading {
            page: self.page(),
            start,
            end: self.ops.len(),
            level,
            title,
            y_before,
        });
    }

    /// Wrapped text over the full width.
    pub fn paragraph(&mut self, s: &str) {
        self.paragraph_styled(s, BODY, Face::Regular, TEXT);
    }

    pub fn paragraph_styled(&mut self, s: &str, size: f32, face: Face, colour: Rgb) {
        self.paragraph_at(LEFT, s, size, face, colour);
    }

    /// Wrapped text from `x` to the right margin.
    pub fn paragraph_at(&mut self, x: f32, s: &str, size: f32, face: Face, colour: Rgb) {
        let line_h = size * 1.35;
        for line in wrap(&fonts::clean(s), RIGHT - x, size, face) {
            self.ensure(line_h);
            self.y -= line_h;
            text(
                &mut self.ops,
                x,
                self.y + size * 0.3,
                size,
                face,
                colour.clone(),
                &line,
            );
        }
    }

    /// A bulleted item.
    pub fn bullet(&mut self, s: &str) {
        let line_h = BODY * 1.35;
        let indent = 4.0 * MM;
        for (i, line) in wrap_breaking(&fonts::clean(s), WIDTH - indent, BODY, Face::Regular)
            .iter()
            .enumerate()
        {
            self.ensure(line_h);
            self.y -= line_h;
            if i == 0 {
                text(
                    &mut self.ops,
                    LEFT + 1.0,
                    self.y + 2.7,
                    BODY,
                    Face::Regular,
                    GREY,
                    "\u{2022}",
                );
            }
            text(
                &mut self.ops,
                LEFT + indent,
                self.y + 2.7,
                BODY,
                Face::Regular,
                TEXT,
                line,
            );
        }
    }

    /// A label and its value, the value wrapped beside the label.
    pub fn field(&mut self, label: &str, value: &str) {
        self.field_sized(label, value, 9.5, 42.0 * MM);
    }

    pub fn field_sized(&mut self, label: &str, value: &str, size: f32, label_w: f32) {
        let value_x = LEFT + label_w;
        let line_h = size * 1.45;
        let label = fit(&fonts::clean(label), label_w - 6.0, size, Face::Bold);
        let lines = wrap_breaking(&fonts::clean(value), RIGHT - value_x, size, Face::Regular);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(line_h);
            self.y -= line_h;
            if i == 0 {
                text(
                    &mut self.ops,
                    LEFT,
                    self.y + size * 0.3,
                    size,
                    Face::Bold,
                    BLACK,
                    &label,
                );
            }
            text(
                &mut self.ops,
                value_x,
                self.y + size * 0.3,
                size,
                Face::Regular,
                TEXT,
                line,
            );
        }
    }

    /// A clickable area on the current page that jumps to `page` at height `top`.
    pub fn link(&mut self, x: f32, y: f32, w: f32, h: f32, page: usize, top: f32) {
        self.ops.push(Op::LinkAnnotation {
            link: LinkAnnotation::new(
                Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: None,
                    winding_order: None,
                },
                Actions::Goto(Destination::Xyz {
                    page,
                    left: Some(0.0),
                    top: Some(top + 20.0),
                    zoom: None,
                }),
                Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                Some(ColorArray::Transparent),
                Some(HighlightingMode::None),
            ),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Tables

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
}

pub(super) struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
    /// Wrap long cells onto more lines; otherwise cut them with "…".
    pub wrap: bool,
}

pub(super) fn col(title: &str, width_mm: f32, align: Align) -> Column {
    Column {
        title: title.to_string(),
        width: width_mm * MM,
        align,
        wrap: false,
    }
}

/// A column that wraps its cells.
pub(super) fn wcol(title: &str, width_mm: f32) -> Column {
    Column {
        wrap: true,
        ..col(title, width_mm, Align::Left)
    }
}

/// Scales the columns so they fill the text width exactly.
pub(super) fn fill(mut cols: Vec<Column>) -> Vec<Column> {
    let total: f32 = cols.iter().map(|c| c.width).sum();
    for c in &mut cols {
        c.width *= WIDTH / total;
    }
    cols
}

/// One piece of a cell: its own line(s), face, size and colour.
#[derive(Clone)]
pub(super) struct Span {
    pub text: String,
    pub face: Face,
    pub size: f32,
    pub colour: Rgb,
}

#[derive(Clone, Default)]
pub(super) struct Cell {
    pub spans: Vec<Span>,
}

impl Cell {
    pub fn new(s: impl AsRef<str>) -> Self {
        Cell::default().then(s, Face::Regular, BODY, TEXT)
    }
    pub fn bold(s: impl AsRef<str>) -> Self {
        Cell::default().then(s, Face::Bold, BODY, TEXT)
    }
    pub fn coloured(s: impl AsRef<str>, colour: Rgb) -> Self {
        Cell::default().then(s, Face::Bold, BODY, colour)
    }
    pub fn small(s: impl AsRef<str>) -> Self {
        Cell::default().then(s, Face::Regular, SMALL, TEXT)
    }
    /// Adds a span below what the cell holds.
    pub fn then(mut self, s: impl AsRef<str>, face: Face, size: f32, colour: Rgb) -> Self {
        self.spans.push(Span {
            text: fonts::clean(s.as_ref()),
            face,
            size,
            colour,
        });
        self
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::new(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::new(s)
    }
}

pub(super) struct TableStyle {
    pub zebra: bool,
    /// The last row is a total: bold and set off by a rule.
    pub total_row: bool,
    /// Thin rules between rows (for tables whose rows wrap).
    pub rules: bool,
}

pub(super) const PLAIN: TableStyle = TableStyle {
    zebra: true,
    total_row: false,
    rules: false,
};

const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.4;

/// One laid-out line inside a cell.
struct CellLine {
    text: String,
    face: Face,
    size: f32,
    colour: Rgb,
}

fn line_height(size: f32) -> f32 {
    size * 1.28
}

/// The lines of each cell of a row, and the row's height.
fn lay_out_row(cols: &[Column], row: &[Cell], bold: bool) -> (Vec<Vec<CellLine>>, f32) {
    let mut cells = Vec::with_capacity(cols.len());
    let mut h: f32 = 0.0;
    for (c, cell) in cols.iter().zip(row) {
        let max = c.width - 2.0 * PAD_X;
        let mut lines = Vec::new();
        for span in &cell.spans {
            let face = if bold { Face::Bold } else { span.face };
            let texts = if c.wrap {
                wrap_breaking(&span.text, max, span.size, face)
            } else {
                vec![fit(&span.text, max, span.size, face)]
            };
            lines.extend(texts.into_iter().map(|text| CellLine {
                text,
                face,
                size: span.size,
                colour: span.colour.clone(),
            }));
        }
        h = h.max(lines.iter().map(|l| line_height(l.size)).sum());
        cells.push(lines);
    }
    (cells, h + 2.0 * PAD_Y)
}

/// Draws a table, breaking pages between rows (or inside a row taller than a page) and
/// repeating the header on each new page.
pub(super) fn table(doc: &mut Doc, cols: &[Column], rows: &[Vec<Cell>], style: &TableStyle) {
    let header_h = line_height(BODY) + 2.0 * PAD_Y;
    let right = LEFT + cols.iter().map(|c| c.width).sum::<f32>();
    // Never a header alone at the foot of a page: keep it with the first row (and the
    // heading before it with both).
    doc.ensure_with_heading(table_start_height(cols, rows));
    table_header(doc, cols, right);
    for (i, row) in rows.iter().enumerate() {
        let total = style.total_row && i + 1 == rows.len();
        let (cells, h) = lay_out_row(cols, row, total);
        if h > doc.room() {
            let full = BODY_TOP - BOTTOM - header_h;
            if h <= full {
                doc.break_page();
                table_header(doc, cols, right);
            } else {
                tall_row(doc, cols, &cells, right);
                continue;
            }
        }
        let top = doc.y;
        if total {
            hline(&mut doc.ops, LEFT, right, top, BLACK, 0.6);
        } else if style.zebra && i % 2 == 1 {
            rect(
                &mut doc.ops,
                LEFT,
                top - h,
                right - LEFT,
                h,
                ZEBRA,
                PaintMode::Fill,
            );
        }
        let mut x = LEFT;
        for (c, lines) in cols.iter().zip(&cells) {
            let mut y = top - PAD_Y;
            for l in lines {
                y -= line_height(l.size);
                cell_line(&mut doc.ops, x, y, c, l);
            }
            x += c.width;
        }
        doc.y = top - h;
        if style.rules {
            hline(&mut doc.ops, LEFT, right, doc.y, RULE, 0.3);
        }
    }
}

/// Height of a table's header and first row, capped at a page: what a block placed before
/// the table must keep room for so that it does not end a page alone.
pub(super) fn table_start_height(cols: &[Column], rows: &[Vec<Cell>]) -> f32 {
    let header_h = line_height(BODY) + 2.0 * PAD_Y;
    header_h + first_row_height(cols, rows).min(BODY_TOP - BOTTOM - header_h)
}

fn first_row_height(cols: &[Column], rows: &[Vec<Cell>]) -> f32 {
    rows.first()
        .map(|r| lay_out_row(cols, r, false).1)
        .unwrap_or(0.0)
}

/// A row taller than a page: drawn line by line, each cell's lines side by side, breaking the
/// page (and repeating the header) wherever the next line does not fit.
fn tall_row(doc: &mut Doc, cols: &[Column], cells: &[Vec<CellLine>], right: f32) {
    let n = cells.iter().map(Vec::len).max().unwrap_or(0);
    doc.y -= PAD_Y;
    for k in 0..n {
        let h = cells
            .iter()
            .filter_map(|c| c.get(k))
            .map(|l| line_height(l.size))
            .fold(0.0, f32::max);
        if h > doc.room() {
            doc.break_page();
            table_header(doc, cols, right);
        }
        doc.y -= h;
        let mut x = LEFT;
        for (c, lines) in cols.iter().zip(cells) {
            if let Some(l) = lines.get(k) {
                cell_line(&mut doc.ops, x, doc.y, c, l);
            }
            x += c.width;
        }
    }
    doc.y -= PAD_Y;
    hline(&mut doc.ops, LEFT, right, doc.y, RULE, 0.3);
}

fn cell_line(ops: &mut Vec<Op>, x: f32, line_bottom: f32, c: &Column, l: &CellLine) {
    let tx = match c.align {
        Align::Left => x + PAD_X,
        Align::Right => x + c.width - PAD_X - fonts::width(&l.text, l.size, l.face),
    };
    // Baseline a quarter of the line height above its bottom leaves room for descenders.
    let baseline = line_bottom + line_height(l.size) * 0.24;
    text(ops, tx, baseline, l.size, l.face, l.colour.clone(), &l.text);
}

/// Column titles are a little smaller than the cells, so short numeric columns keep their names.
const HEAD: f32 = 8.0;

fn table_header(doc: &mut Doc, cols: &[Column], right: f32) {
    let h = line_height(BODY) + 2.0 * PAD_Y;
    let top = doc.y;
    let mut x = LEFT;
    for c in cols {
        let title = fit(
            &fonts::clean(&c.title),
            c.width - 2.0 * PAD_X,
            HEAD,
            Face::Bold,
        );
        let l = CellLine {
            text: title,
            face: Face::Bold,
            size: HEAD,
            colour: BLACK,
        };
        cell_line(&mut doc.ops, x, top - PAD_Y - line_height(BODY), c, &l);
        x += c.width;
    }
    doc.y = top - h;
    hline(&mut doc.ops, LEFT, right, doc.y, BLACK, 0.6);
}

// ---------------------------------------------------------------------------------------------
// Drawing primitives

fn font_handle(face: Face) -> PdfFontHandle {
    PdfFontHandle::External(FontId(face.resource_id().to_string()))
}

/// Draws `s` (already [`fonts::clean`]ed) with its baseline starting at (`x`, `y`). Each
/// string gets its own text object: `Td` is relative to the line start, so a fresh object
/// makes the position absolute.
pub(super) fn text(ops: &mut Vec<Op>, x: f32, y: f32, size: f32, face: Face, colour: Rgb, s: &str) {
    if s.is_empty() {
        return;
    }
    // No save/restore of the graphics state around it: every string sets its own colour and
    // font, and rectangles and lines set theirs inside their own save/restore, so nothing
    // relies on what a string leaves behind. (A report of 100k resources draws millions of
    // strings; two operations fewer each is a quarter of its drawing operations.)
    ops.extend([
        Op::StartTextSection,
        Op::SetFillColor {
            col: Color::Rgb(colour),
        },
        Op::SetFont {
            font: font_handle(face),
            size: Pt(size),
        },
        Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        },
        Op::ShowText {
            items: vec![TextItem::Text(s.to_string())],
        },
        Op::EndTextSection,
    ]);
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

/// A rectangle with its lower-left corner at (`x`, `y`).
pub(super) fn rect(
    ops: &mut Vec<Op>,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    colour: Rgb,
    mode: PaintMode,
) {
    let col = Color::Rgb(colour);
    ops.extend([
        Op::SaveGraphicsState,
        Op::SetFillColor { col: col.clone() },
        Op::SetOutlineColor { col },
        Op::SetOutlineThickness { pt: Pt(0.6) },
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

pub(super) fn hline(ops: &mut Vec<Op>, x1: f32, x2: f32, y: f32, colour: Rgb, width: f32) {
    line(ops, x1, y, x2, y, colour, width);
}

pub(super) fn line(ops: &mut Vec<Op>, x1: f32, y1: f32, x2: f32, y2: f32, colour: Rgb, width: f32) {
    ops.extend([
        Op::SaveGraphicsState,
        Op::SetOutlineColor {
            col: Color::Rgb(colour),
        },
        Op::SetOutlineThickness { pt: Pt(width) },
        Op::DrawLine {
            line: Line {
                points: vec![point(x1, y1), point(x2, y2)],
                is_closed: false,
            },
        },
        Op::RestoreGraphicsState,
    ]);
}

// ---------------------------------------------------------------------------------------------
// Text measurement

/// `s` cut to fit `max` points, ending in "…" when cut.
pub(super) fn fit(s: &str, max: f32, size: f32, face: Face) -> String {
    if fonts::width(s, size, face) <= max {
        return s.to_string();
    }
    let ell = fonts::width("\u{2026}", size, face);
    let mut w = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        let cw = fonts::advance(c, face) * size;
        if w + cw + ell > max {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('\u{2026}');
    out
}

/// Greedy word wrap to `max` points; a word wider than a line is split by characters.
pub(super) fn wrap(s: &str, max: f32, size: f32, face: Face) -> Vec<String> {
    wrap_impl(s, max, size, face, false)
}

/// Like [`wrap`], but a word wider than a line (a resource id, a query) is first broken after
/// `/`, `,`, `&`, `=` or `.`, and only then by characters.
pub(super) fn wrap_breaking(s: &str, max: f32, size: f32, face: Face) -> Vec<String> {
    wrap_impl(s, max, size, face, true)
}

fn wrap_impl(s: &str, max: f32, size: f32, face: Face, breaking: bool) -> Vec<String> {
    let space = fonts::advance(' ', face) * size;
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    for word in s.split_whitespace() {
        let ww = fonts::width(word, size, face);
        if line.is_empty() && ww <= max {
            line.push_str(word);
            w = ww;
            continue;
        }
        if !line.is_empty() && w + space + ww <= max {
            line.push(' ');
            line.push_str(word);
            w += space + ww;
            continue;
        }
        if ww <= max {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
            w = ww;
            continue;
        }
        // A word longer than a line: continue the current line with its pieces.
        let pieces: Vec<&str> = if breaking {
            word.split_inclusive(['/', ',', '&', '=', '.']).collect()
        } else {
            vec![word]
        };
        if !line.is_empty() {
            line.push(' ');
            w += space;
        }
        // A piece longer than a line (a GUID, a preview api-version, a check id) is broken
        // after its hyphens or underscores before it is broken anywhere.
        let pieces: Vec<&str> = pieces
            .into_iter()
            .flat_map(|p| {
                if breaking && fonts::width(p, size, face) > max {
                    p.split_inclusive(['-', '_']).collect()
                } else {
                    vec![p]
                }
            })
            .collect();
        for piece in pieces {
            let pw = fonts::width(piece, size, face);
            if w + pw <= max {
                line.push_str(piece);
                w += pw;
                continue;
            }
            if pw <= max && !line.trim().is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line.push_str(piece);
                w = pw;
                continue;
            }
            for c in piece.chars() {
                let cw = fonts::advance(c, face) * size;
                if w + cw > max && !line.trim().is_empty() {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    w = 0.0;
                }
                line.push(c);
                w += cw;
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

    #[test]
    fn fit_and_wrap() {
        let cut = fit(
            "storage_blob_public_access_disabled",
            60.0,
            9.0,
            Face::Regular,
        );
        assert!(cut.ends_with('\u{2026}'), "{cut}");
        assert!(fonts::width(&cut, 9.0, Face::Regular) <= 60.0);
        assert_eq!(fit("short", 60.0, 9.0, Face::Regular), "short");

        let w = fonts::width("aaaa bbbb", 9.0, Face::Regular);
        assert_eq!(
            wrap("aaaa bbbb cccc", w, 9.0, Face::Regular),
            vec!["aaaa bbbb", "cccc"]
        );
        assert_eq!(wrap("", 100.0, 9.0, Face::Regular), vec![""]);
        let long = wrap(&"f".repeat(40), 20.0, 10.0, Face::Regular);
        assert!(long.len() > 1 && long.concat() == "f".repeat(40));
    }

    #[test]
    fn long_ids_break_after_slashes_and_lose_nothing() {
        let id = "/subscriptions/3f2b9a10-0c4e-4d8b-a1f5-6e7d8c9b0a11/resourceGroups/rg-prod/\
                  providers/Microsoft.Storage/storageAccounts/stprodorders";
        let max = 180.0;
        let lines = wrap_breaking(id, max, SMALL, Face::Regular);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat(), id);
        for l in &lines {
            assert!(fonts::width(l, SMALL, Face::Regular) <= max, "{l}");
        }
        assert!(lines[0].ends_with('/'), "{lines:?}");
        // Words stay whole when they fit.
        let text = format!("reason: {id} is public");
        let lines = wrap_breaking(&text, max, SMALL, Face::Regular);
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        assert!(lines[0].starts_with("reason: /subscriptions/"), "{lines:?}");
    }
}
