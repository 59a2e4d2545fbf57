//! Lays a [`ReportModel`] out on A4 pages with printpdf and serialises it deterministically.
//!
//! Layout ([`layout`]) is a cursor moving down the page; the sections ([`sections`]) are built
//! on it. Two things need the finished layout: the table of contents (page numbers) and the
//! footers ("page x of y"). The contents are laid out from the previous pass's headings until
//! the headings stop moving (the second pass fixes the contents' length, the third confirms
//! it); the footers are drawn once the page count is known.
//!
//! Text is set in the embedded DejaVu faces (see `fonts`), subset to the glyphs used.
//!
//! Determinism: printpdf takes the trailer `/ID` (and XMP instance ids, and resource ids such as
//! `FontId`) from a process-wide counter, so two reports rendered in one process would differ.
//! We name the fonts ourselves, subset them deterministically, write no XMP (the custom
//! conformance below does not require it), set every Info date from the snapshot's `as_of`, and
//! overwrite the trailer `/ID` with one derived from the manifest sha256. Nothing
//! process-dependent remains: the bytes are a function of the model and this code (whose
//! version is the Info `/Creator`).

mod layout;
mod sections;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::{Datelike, Timelike};
use printpdf::date::{Date, Offset, OffsetDateTime, Time};
use printpdf::{
    CustomPdfConformance, FontId, Mm, Op, PdfConformance, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, TextItem,
};

use super::fonts::{self, Face};
use super::model::ReportModel;
use super::{Rendered, ReportError};
use layout::*;

/// Passes after which the contents must have settled; each pass only changes page numbers
/// after the second, so a third that still moves headings is a layout defect.
const MAX_PASSES: usize = 4;

pub(super) fn render(model: &ReportModel) -> Result<Rendered, ReportError> {
    let pages = layout(model)?;
    let count = pages.len();
    let doc = document(model, pages)?;
    let pdf = serialise(doc, &model.cover.manifest_sha256)?;
    Ok(Rendered { pdf, pages: count })
}

/// Every page's drawing operations, footers included.
fn layout(model: &ReportModel) -> Result<Vec<PdfPage>, ReportError> {
    let mut toc: Vec<Anchor> = Vec::new();
    let mut settled = None;
    for _ in 0..MAX_PASSES {
        let (pages, anchors) = sections::build(model, &toc).finish();
        if anchors == toc {
            settled = Some(pages);
            break;
        }
        toc = anchors;
    }
    let pages = settled.ok_or_else(|| {
        ReportError::Pdf(format!(
            "the table of contents did not settle in {MAX_PASSES} layout passes"
        ))
    })?;

    let total = pages.len();
    let sha = &model.cover.manifest_sha256;
    let left = fonts::clean(&format!(
        "Report {} \u{b7} manifest sha256 {sha}",
        model.report_id()
    ));
    Ok(pages
        .into_iter()
        .enumerate()
        .map(|(i, mut ops)| {
            hline(&mut ops, LEFT, RIGHT, FOOTER_Y + 9.0, RULE, 0.4);
            text(&mut ops, LEFT, FOOTER_Y, 6.5, Face::Regular, GREY, &left);
            let right = format!("page {} of {total}", i + 1);
            let w = fonts::width(&right, SMALL, Face::Bold);
            text(
                &mut ops,
                RIGHT - w,
                FOOTER_Y,
                SMALL,
                Face::Bold,
                GREY,
                &right,
            );
            PdfPage::new(Mm(PAGE_W_MM), Mm(PAGE_H_MM), ops)
        })
        .collect())
}

/// The characters drawn in each face, for subsetting.
fn used_chars(pages: &[PdfPage]) -> [BTreeSet<char>; 2] {
    let mut used = [BTreeSet::new(), BTreeSet::new()];
    for page in pages {
        let mut face = None;
        for op in &page.ops {
            match op {
                Op::SetFont {
                    font: PdfFontHandle::External(FontId(id)),
                    ..
                } => face = Face::ALL.iter().position(|f| f.resource_id() == id),
                Op::ShowText { items } => {
                    if let Some(f) = face {
                        for item in items {
                            if let TextItem::Text(s) = item {
                                used[f].extend(s.chars());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    used
}

/// The document with metadata taken from the evidence only.
fn document(model: &ReportModel, pages: Vec<PdfPage>) -> Result<PdfDocument, ReportError> {
    let cover = &model.cover;
    let mut doc = PdfDocument::new(&fonts::clean(&format!(
        "SOC 2 evidence report: {}, {}",
        cover.organisation, cover.system
    )));
    let used = used_chars(&pages);
    for (i, face) in Face::ALL.iter().enumerate() {
        if used[i].is_empty() {
            continue;
        }
        let font = fonts::subset(*face, &used[i]).map_err(ReportError::Pdf)?;
        doc.resources.fonts.map.insert(
            FontId(face.resource_id().to_string()),
            printpdf::font::PdfFont::new(font),
        );
    }
    let info = &mut doc.metadata.info;
    // Dates come from the evidence, never the wall clock, so re-rendering gives the same bytes.
    let as_of = pdf_date(cover.as_of);
    info.creation_date = as_of;
    info.modification_date = as_of;
    info.metadata_date = as_of;
    info.identifier = cover.manifest_sha256.clone();
    info.author = fonts::clean(&cover.organisation);
    info.creator = format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    info.producer = "printpdf 0.12".to_string();
    let when = match &cover.period {
        Some(p) => format!("over the period {p}, last run as of {}", cover.as_of_text()),
        None => format!("as of {}", cover.as_of_text()),
    };
    info.subject = format!(
        "Evidence of tenant {} {when}, manifest sha256 {}",
        cover.tenant_id, cover.manifest_sha256
    );
    info.keywords = vec!["SOC 2".to_string(), cover.tenant_id.clone()];
    // No PDF/A or PDF/X profile is claimed: those require XMP metadata, whose instance id
    // printpdf draws from its counter.
    info.conformance = PdfConformance::Custom(CustomPdfConformance {
        requires_xmp_metadata: false,
        requires_icc_profile: false,
        allows_default_fonts: false,
        ..Default::default()
    });
    doc.metadata.xmp = None;
    doc.pages = pages;
    Ok(doc)
}

/// PDF bytes, with the process-dependent parts printpdf writes replaced by evidence-derived ones.
fn serialise(doc: PdfDocument, manifest_sha256: &str) -> Result<Vec<u8>, ReportError> {
    let opts = PdfSaveOptions {
        optimize: true,
        // The fonts are subset already (see `fonts::subset`); printpdf embeds them as given.
        subset_fonts: false,
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
