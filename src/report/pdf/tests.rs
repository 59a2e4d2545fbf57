//! Tests of the rendered PDF, read back with lopdf.

use super::*;
use crate::controls::Category;
use crate::report::model::tests::{identity, snapshot, snapshot_of};
use crate::report::model::{FindingRow, Waiver};
use crate::report::{ReportIdentity, ReportInput, render as render_snapshot, render_with};

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

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn report_shows_cover_scores_criteria_and_footers() {
    let s = snapshot();
    let r = render_with(&ReportInput::new(&s, &identity())).unwrap();
    assert!(r.pdf.starts_with(b"%PDF"));
    let x = extract(&r.pdf);
    let n = x.pages.len();
    assert_eq!(n, r.pages);
    let all = x.pages.join("\n");
    let all_lines = lines(&all);

    let model = ReportModel::build(&s, &identity()).unwrap();
    let sha = s.manifest_sha256().unwrap();
    let cover = &x.pages[0];
    for want in [
        "SOC 2 evidence report",
        "tenant-1",
        "2026-11-01T06:00:00Z",
        sha.as_str(),
        "Contoso Ltd",
        "sub-a, sub-b",
        "0123456789abcdef0123456789abcdef01234567",
    ] {
        assert!(cover.contains(want), "cover lacks {want}: {cover}");
    }

    // Scores: every category with its own numbers, in the executive summary.
    let summary = &x.pages[2];
    let l = lines(summary);
    for r in model.categories.iter().chain([&model.overall]) {
        let at = l
            .iter()
            .position(|t| *t == r.label)
            .unwrap_or_else(|| panic!("{} missing: {summary}", r.label));
        let row = &l[at..at + 7];
        assert_eq!(row[1], r.criteria_ratio(), "{row:?}");
        assert_eq!(row[2], r.criteria_percent(), "{row:?}");
        assert_eq!(row[6], r.findings_percent(), "{row:?}");
    }
    for cat in Category::ALL {
        assert!(summary.contains(cat.label()), "{}", cat.label());
    }

    assert_eq!(model.criteria.len(), 61);
    for c in &model.criteria {
        assert!(all_lines.contains(&c.id.as_str()), "{} missing", c.id);
    }
    // The coverage matrix spans pages and repeats its header on each.
    let with_header = x
        .pages
        .iter()
        .filter(|p| lines(p).contains(&"Coverage") && lines(p).contains(&"Checks"))
        .count();
    assert!(with_header >= 2, "{with_header}");

    assert!(all.contains("storage_secure_transfer_required"));
    for (i, page) in x.pages.iter().enumerate() {
        assert!(
            page.contains(&format!("page {} of {n}", i + 1)),
            "page {}: {page}",
            i + 1
        );
        assert!(page.contains(&format!("Report {} ", &sha[..12])));
        assert!(page.contains(&format!("manifest sha256 {sha}")));
    }
}

#[test]
fn metadata_dates_id_and_fonts_come_from_the_snapshot_and_the_binary() {
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
    // Only the embedded faces: no built-in (unembedded) font.
    assert!(!bytes.windows(9).any(|w| w == b"Helvetica"));
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
fn non_latin_text_renders_and_what_the_font_lacks_is_marked() {
    let s = snapshot_of("Zoë Ångström AB\nΩmega", "Склад данных \u{2014} 倉庫");
    let bytes = render_snapshot(&s, &ReportIdentity::default()).unwrap();
    let cover = &extract(&bytes).pages[0];
    assert!(cover.contains("Zoë Ångström AB Ωmega"), "{cover}");
    assert!(
        cover.contains("Склад данных \u{2014} \u{FFFD}\u{FFFD}"),
        "{cover}"
    );
    assert!(cover.contains("not recorded"), "{cover}");
}

#[test]
fn contents_name_the_pages_their_sections_start_on() {
    let s = snapshot();
    let r = render_with(&ReportInput::new(&s, &identity())).unwrap();
    let x = extract(&r.pdf);
    let l = lines(&x.pages[1]);
    let at = l.iter().rposition(|t| *t == "Contents").unwrap();
    let mut checked = 0;
    for pair in l[at + 1..].chunks(2) {
        let [title, page] = pair else { break };
        let Ok(page) = page.parse::<usize>() else {
            break;
        };
        let on_page = squash(&x.pages[page - 1]);
        assert!(
            on_page.contains(&squash(title.trim_end_matches('…'))),
            "{title} on {page}"
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}

#[test]
fn gaps_are_listed_with_their_reason() {
    let mut inv = crate::checks::testutil::inventory(vec![]);
    inv.sources[0].gaps.push(crate::model::Gap {
        scope: "/subscriptions/sub-b".into(),
        reason: "403 Forbidden: the identity lacks Reader on this subscription".into(),
        read: None,
    });
    let source = inv.sources[0].name.clone();
    let run = crate::evidence::RunMeta {
        run_id: "r".into(),
        started_at: inv.collected_at,
        finished_at: inv.collected_at,
    };
    let s = crate::evidence::test_snapshot(&inv, run);
    let x = extract(&render_snapshot(&s, &identity()).unwrap());
    assert!(x.pages[0].contains("1 inventory gap(s)"), "{}", x.pages[0]);
    let all = x.pages.join("\n");
    assert!(all.contains("Evidence gaps"), "{all}");
    assert!(
        squash(&all).contains(&squash(&format!("{source} (/subscriptions/sub-b)"))),
        "{all}"
    );
    assert!(all.contains("403 Forbidden"), "{all}");
}

#[test]
fn a_waived_finding_shows_its_waiver_with_owner_and_expiry() {
    // The model slot, as the check file's waiver fills it, renders owner and expiry.
    let s = snapshot();
    let mut model = ReportModel::build(&s, &identity()).unwrap();
    let check = model
        .checks
        .iter_mut()
        .find(|c| !c.findings.is_empty())
        .expect("the fixture has a failing finding");
    let f: &mut FindingRow = &mut check.findings[0];
    f.waiver = Some(Waiver {
        id: "W-7".into(),
        owner: "Zoë Ångström".into(),
        reason: "legacy client until migration".into(),
        expires: "2027-01-31".into(),
    });
    assert_eq!(f.status_text(), "waived");
    let r = render(&model).unwrap();
    let all = extract(&r.pdf).pages.join("\n");
    assert!(all.contains("waived"), "{all}");
    assert!(
        squash(&all).contains(&squash(
            "Waiver W-7: owner Zoë Ångström, expires 2027-01-31; legacy client until migration"
        )),
        "{all}"
    );

    // Without a waiver, nothing of the kind is shown.
    let plain = extract(&render_snapshot(&s, &identity()).unwrap())
        .pages
        .join("\n");
    assert!(!plain.contains("Waiver"), "{plain}");
}

#[test]
fn a_period_view_must_end_with_the_reported_snapshot() {
    use crate::report::period::{PeriodView, tests::run};
    let s = snapshot();
    let id = identity();
    let at = |d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, d, 0, 0, 0).unwrap();
    let view = PeriodView::build(
        at(1),
        at(3),
        vec![run(1, 6, crate::controls::ControlStatus::Pass)],
        36,
    )
    .unwrap();
    let input = ReportInput {
        period: Some(&view),
        ..ReportInput::new(&s, &id)
    };
    let e = render_with(&input).unwrap_err();
    assert!(matches!(e, ReportError::Inconsistent(_)), "{e}");
}
