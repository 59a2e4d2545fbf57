//! The audit PDF through the real binary, read back as text: its sections and contents, every
//! failing finding, page numbering, non-Latin names, byte-identical output across processes,
//! the drift since the previous release tag and the Type 2 period view.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::path::Path;

use chrono::{TimeZone, Utc};
use common::*;
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::Snapshot;
use soc2_evidence::model::Inventory;
use soc2_evidence::store::EvidenceStore;

/// `s` without any whitespace: wrapped text (a resource id over three lines) compares equal to
/// the original.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn write(dir: &Path, name: &str, inv: &Inventory) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(inv).unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

fn assess(dir: &Path, repo: &str, inv: &str) {
    assert_code(
        &run(dir, &["assess", "--inventory", inv, "--repo", repo]),
        0,
    );
}

fn report(dir: &Path, repo: &str, extra: &[&str], out: &str) -> Vec<u8> {
    let mut args = vec!["report", "--repo", repo, "--out", out];
    args.extend_from_slice(extra);
    let o = run(dir, &args);
    assert_code(&o, 0);
    assert!(stdout(&o).contains(" pages, "), "{}", stdout(&o));
    std::fs::read(dir.join(out)).unwrap()
}

/// The contents page(s): (title, page) per entry, in order. Each title and page number is
/// its own text object, so they extract as alternate lines.
fn contents(pages: &[String]) -> Vec<(String, usize)> {
    let mut entries = Vec::new();
    for page in pages.iter().skip(1) {
        let lines: Vec<&str> = page.lines().map(str::trim).collect();
        // "Contents" is both the running header's section name and the heading.
        let Some(start) = lines.iter().rposition(|l| *l == "Contents") else {
            break;
        };
        let mut i = start + 1;
        while i + 1 < lines.len() {
            match lines[i + 1].parse::<usize>() {
                Ok(n) if !lines[i].starts_with("Report ") => {
                    entries.push((lines[i].to_string(), n));
                    i += 2;
                }
                _ => break,
            }
        }
    }
    entries
}

fn page_of(toc: &[(String, usize)], title: &str) -> usize {
    toc.iter()
        .find(|(t, _)| t == title)
        .unwrap_or_else(|| panic!("{title} not in contents: {toc:?}"))
        .1
}

#[test]
fn demo_report_has_every_section_finding_and_page_number() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert_code(
        &run(tmp.path(), &["demo", "--dir", dir.to_str().unwrap()]),
        0,
    );
    let pdf = std::fs::read(dir.join("report.pdf")).unwrap();
    let store = EvidenceStore::open(&dir, "evidence").unwrap();
    let snap: Snapshot = store.read_snapshot("soc2-evidence/assessment").unwrap();
    let sha = snap.manifest_sha256().unwrap();
    let pages = pdf_text(&pdf);
    let n = pages.len();
    println!("demo report: {n} pages, {} bytes", pdf.len());

    // Footer on every page: report id, full manifest hash, page x of y.
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains(&format!("page {} of {n}", i + 1)),
            "page {}: {p}",
            i + 1
        );
        assert!(
            p.contains(&format!("Report {} ", &sha[..12])),
            "page {}",
            i + 1
        );
        assert!(p.contains(&sha), "page {}", i + 1);
    }

    // Contents: every section, in order, each on the page it names.
    let toc = contents(&pages);
    let sections = [
        "Executive summary",
        "Coverage matrix",
        "Criteria in detail",
        "Methodology",
        "Appendix: evidence manifest",
    ];
    let at: Vec<usize> = sections.iter().map(|s| page_of(&toc, s)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert_eq!(at[0], 3, "cover, contents, then the summary");
    for (title, page) in &toc {
        let title = title.trim_end_matches('\u{2026}');
        assert!(*page <= n, "{title}: {page}");
        assert!(
            squash(&pages[page - 1]).contains(&squash(title)),
            "{title} is not on page {page}"
        );
    }
    // The demo has no release tag and is not a period report.
    assert!(!toc.iter().any(|(t, _)| t.starts_with("Drift since")));
    assert!(!toc.iter().any(|(t, _)| t == "Type 2 period view"));

    let cover = &pages[0];
    for s in [
        "SOC 2 evidence report",
        "Contoso Ltd (demo)",
        demo::TENANT_ID,
        "2026-11-09T06:00:00Z",
        "AICPA 2017 Trust Services Criteria",
        sha.as_str(),
    ] {
        assert!(cover.contains(s), "cover lacks {s}: {cover}");
    }
    let commit = store
        .resolve("soc2-evidence/assessment")
        .unwrap()
        .unwrap()
        .to_string();
    assert!(cover.contains(&commit), "cover lacks the commit");

    let between = |a: usize, b: usize| pages[a - 1..b - 1].join("\n");
    let summary = between(at[0], at[1]);
    for s in [
        "Scores by category",
        "Failing checks by severity",
        "critical",
    ] {
        assert!(summary.contains(s), "summary lacks {s}");
    }

    // Coverage matrix: all 61 criteria.
    let matrix = between(at[1], at[2]);
    let summ = snap.summary().unwrap();
    assert_eq!(summ.criteria.len(), 61);
    let matrix_lines: Vec<&str> = matrix.lines().map(str::trim).collect();
    for c in &summ.criteria {
        assert!(
            matrix_lines.contains(&c.id.as_str()),
            "{} not in matrix",
            c.id
        );
    }

    // Criteria in detail: every failing and erroring finding under each criterion it bears on.
    let detail = between(at[2], at[3]);
    let checks = snap.checks().unwrap();
    let controls = snap.controls().unwrap();
    // In catalogue order (the summary's), not file order.
    let automated: Vec<_> = summ
        .criteria
        .iter()
        .filter(|c| c.coverage == soc2_evidence::controls::Coverage::Automated)
        .map(|c| controls.iter().find(|f| f.id == c.id).unwrap())
        .collect();
    let headings: Vec<usize> = automated
        .iter()
        .map(|c| {
            detail
                .find(&format!("{} \u{b7} ", c.id))
                .unwrap_or_else(|| panic!("no section for {}", c.id))
        })
        .collect();
    assert!(headings.windows(2).all(|w| w[0] < w[1]), "catalogue order");
    let mut listed = 0;
    for (i, c) in automated.iter().enumerate() {
        let end = headings.get(i + 1).copied().unwrap_or(detail.len());
        let section = squash(&detail[headings[i]..end]);
        for m in &c.checks {
            let file = checks.iter().find(|k| k.id == m.check_id).unwrap();
            assert!(section.contains(&squash(&file.id)), "{}: {}", c.id, file.id);
            for r in file.results.iter().filter(|r| {
                matches!(
                    r.status,
                    soc2_evidence::checks::FindingStatus::Fail
                        | soc2_evidence::checks::FindingStatus::Error
                )
            }) {
                assert!(
                    section.contains(&squash(&r.resource_id)),
                    "{} / {}: {} not listed",
                    c.id,
                    file.id,
                    r.resource_id
                );
                assert!(section.contains(&squash(&r.reason)), "{}", r.reason);
                listed += 1;
            }
        }
    }
    let failing = summ.findings.fail;
    assert!(
        failing > 0 && listed as u64 >= failing,
        "{listed} < {failing}"
    );

    // Methodology: every source's provenance and the limits.
    let method = squash(&between(at[3], at[4]));
    let resources = snap.resources().unwrap();
    for s in &resources.provenance {
        assert!(method.contains(&squash(&s.name)), "{}", s.name);
        assert!(method.contains(&squash(&s.query)), "{}", s.query);
        assert!(
            method.contains(&squash(&s.api_version)),
            "{}",
            s.api_version
        );
    }
    for s in [
        "Identityused",
        "Checksettings",
        "approved_deployers",
        "Limits",
        "CC6.4",
    ] {
        assert!(method.contains(s), "methodology lacks {s}");
    }
    assert!(method.contains(&squash(demo::DEPLOYER_APP_ID)));

    // Appendix: every evidence file with its sha256.
    let appendix = squash(&pages[at[4] - 1..].join("\n"));
    let manifest = snap.manifest().unwrap();
    for (path, hash) in &manifest.files {
        assert!(appendix.contains(&squash(path)), "{path}");
        assert!(appendix.contains(hash), "{path} sha256");
    }
}

/// The demo's drifted inventory with non-Latin names where the report shows them: a failing
/// storage account named in Cyrillic, a failing NSG with a CJK name (which DejaVu cannot draw),
/// and a conditional access policy named after a user, which the failing MFA findings quote.
fn non_latin_inventory() -> Inventory {
    let mut inv = demo::inventory(DemoState::Drifted);
    for (from, to) in [
        ("stprodorders", "склад-данных"),
        ("nsg-stg-jump", "倉庫-jump"),
    ] {
        let r = inv
            .resources
            .iter_mut()
            .find(|r| r.name == from)
            .unwrap_or_else(|| panic!("demo has {from}"));
        r.id = r.id.replace(from, to);
        r.name = to.to_string();
    }
    let policies = inv.identity.conditional_access_policies.as_mut().unwrap();
    policies[0].display_name = Some("MFA for Zoë Ångström".into());
    inv
}

#[test]
fn non_latin_names_extract_and_the_pdf_is_identical_across_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let r = repo.to_str().unwrap();
    let inv = write(tmp.path(), "inv.json", &non_latin_inventory());
    assess(tmp.path(), r, &inv);

    let a = report(tmp.path(), r, &["--ref", "main"], "a.pdf");
    let b = report(tmp.path(), r, &["--ref", "main"], "b.pdf");
    assert!(a == b, "same commit, different PDF bytes in two processes");

    let text = pdf_text(&a).join("\n");
    let flat = squash(&text);
    assert!(flat.contains("склад-данных"), "Cyrillic resource name");
    assert!(flat.contains("storageAccounts/склад-данных"));
    assert!(
        text.contains("Zoë Ångström"),
        "user name in the MFA findings"
    );
    // No CJK glyphs: a visible marker in their place, never nothing.
    assert!(!text.contains("倉庫"));
    assert!(
        flat.contains("networkSecurityGroups/\u{FFFD}\u{FFFD}-jump"),
        "marker"
    );

    // The embedded fonts are subsets (a few kilobytes, not the 1.5 MB of the two faces).
    assert!(a.len() < 400_000, "{} bytes", a.len());
    let doc = lopdf::Document::load_mem(&a).unwrap();
    let names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .map(|d| String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap()).into())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for n in &names {
        assert!(n.len() > 7 && n.as_bytes()[6] == b'+', "subset tag: {n}");
        assert!(n.contains("DejaVuSans"), "{n}");
    }
}

fn at_day(inv: &mut Inventory, day: u32) {
    inv.collected_at = Utc.with_ymd_and_hms(2026, 11, day, 6, 0, 0).unwrap();
}

#[test]
fn period_view_over_three_runs_with_a_cadence_gap() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let r = repo.to_str().unwrap();
    // Runs on the 1st (baseline), 2nd (drifted: CC4.1 fails) and 5th (baseline again): no run
    // on the 3rd and 4th, a 72-hour gap.
    for (day, state) in [
        (1, DemoState::Baseline),
        (2, DemoState::Drifted),
        (5, DemoState::Baseline),
    ] {
        let mut inv = demo::inventory(state);
        at_day(&mut inv, day);
        let p = write(tmp.path(), &format!("day{day}.json"), &inv);
        assess(tmp.path(), r, &p);
    }
    let out = run(
        tmp.path(),
        &[
            "report",
            "--repo",
            r,
            "--ref",
            "main",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-05",
            "--out",
            "period.pdf",
        ],
    );
    assert_code(&out, 0);
    let said = stdout(&out);
    assert!(said.contains("3 run(s)"), "{said}");
    assert!(said.contains("1 cadence gap(s)"), "{said}");
    let pdf = std::fs::read(tmp.path().join("period.pdf")).unwrap();
    let pages = pdf_text(&pdf);
    let toc = contents(&pages);
    let p = page_of(&toc, "Type 2 period view");
    // Right after the summary, before the matrix.
    let next = page_of(&toc, "Coverage matrix");
    assert!(
        page_of(&toc, "Executive summary") < p && p < next,
        "{toc:?}"
    );
    let view = pages[p - 1..next - 1].join("\n");
    let lines: Vec<&str> = view.lines().map(str::trim).collect();

    assert!(pages[0].contains("Type 2 period report"), "{}", pages[0]);
    assert!(
        pages[0].contains("2026-11-01 to 2026-11-05 (UTC, 5 days)"),
        "{}",
        pages[0]
    );
    assert!(view.contains("Days without a run"));
    assert!(view.contains("2 of 5"), "3rd and 4th: {view}");
    // The gap: from the run of the 2nd to the run of the 5th, 72 hours.
    let gap = lines
        .iter()
        .position(|l| *l == "2026-11-02T06:00:00Z")
        .expect("gap start");
    assert_eq!(lines[gap + 1], "2026-11-05T06:00:00Z");
    assert_eq!(lines[gap + 2], "72");
    // CC4.1 (non-compliant policy states in the drifted week) failed from the 2nd until the run
    // on the 5th: four days, passing at the end.
    let row = lines.iter().position(|l| *l == "CC4.1").expect("CC4.1 row");
    assert_eq!(
        &lines[row + 1..row + 3],
        ["4", "pass"],
        "{:?}",
        &lines[row..row + 3]
    );
    // Every run is listed with its time.
    for d in [
        "2026-11-01T06:00:00Z",
        "2026-11-02T06:00:00Z",
        "2026-11-05T06:00:00Z",
    ] {
        assert!(view.contains(d), "{d}");
    }
    // The detail shows the last run of the period.
    assert!(pages[0].contains("2026-11-05T06:00:00Z"));

    // A period with no run is an error that says so; --from alone is a usage error.
    let out = run(
        tmp.path(),
        &[
            "report",
            "--repo",
            r,
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
        ],
    );
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no evidence was recorded"),
        "{}",
        stderr(&out)
    );
    assert_code(
        &run(tmp.path(), &["report", "--repo", r, "--from", "2026-10-01"]),
        2,
    );
}

#[test]
fn drift_since_the_previous_release_tag() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let r = repo.to_str().unwrap();
    for state in [DemoState::Baseline, DemoState::Drifted] {
        let p = write(tmp.path(), "inv.json", &demo::inventory(state));
        assess(tmp.path(), r, &p);
    }
    let git = git2::Repository::open(&repo).unwrap();
    let first = git.revparse_single("main~1").unwrap();
    git.tag_lightweight("v2026.11.02", &first, false).unwrap();

    let pdf = report(tmp.path(), r, &["--ref", "main"], "r.pdf");
    let pages = pdf_text(&pdf);
    let toc = contents(&pages);
    let p = page_of(&toc, "Drift since v2026.11.02");
    let text = pages[p - 1..].join("\n");
    assert!(text.contains("Criteria whose status changed"), "{text}");
    assert!(text.contains("CC6.7"));
    assert!(squash(&text).contains("stprodexportstmp"), "added resource");

    // --no-drift leaves it out; a tag on the reported commit itself is not its previous release.
    let pdf = report(tmp.path(), r, &["--ref", "main", "--no-drift"], "n.pdf");
    assert!(!pdf_text(&pdf).join("\n").contains("Drift since"));
    let pdf = report(tmp.path(), r, &["--ref", "main~1"], "o.pdf");
    assert!(!pdf_text(&pdf).join("\n").contains("Drift since"));
}
