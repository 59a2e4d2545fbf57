//! Benchmark of the audit PDF on a large synthetic snapshot: how long rendering takes, how big
//! the PDF is and how many pages it has, for a given number of findings. Numbers go into
//! BENCHMARKS.md ("PDF report"); run it with `--release`:
//!
//!   cargo run --release --bin bench_report -- [--findings N] [--runs R] [--out FILE]
//!
//! The synthetic tenant is the embedded demo tenant with its resources copied (each copy gets
//! new resource ids) until the assessment has at least N findings. Two scenarios:
//!
//! - `mix`: every demo resource is copied, so the share of failing findings is the demo's
//!   (about one in eight);
//! - `failing`: only resources with a failing finding are copied, until N findings *fail*:
//!   the worst case for the report, which lists every failing finding under each criterion it
//!   bears on.
//!
//! Rendering time is the median of R renders in this process (the model build, layout, font
//! subsetting, serialisation and compression, i.e. `report::render_with`); assessment and
//! snapshot building are not timed.

use std::time::{Duration, Instant};

use soc2_evidence::checks::{FindingStatus, Settings};
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::evidence::{self, RunMeta, Snapshot};
use soc2_evidence::model::{Inventory, Resource};
use soc2_evidence::report::{self, ReportIdentity, ReportInput};

/// A step that failed: the benchmark stops with its message.
type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Options {
    findings: u64,
    runs: usize,
    out: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        findings: 10_000,
        runs: 3,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--findings" => o.findings = value()?.parse().map_err(|e| format!("{e}"))?,
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("{e}"))?,
            "--out" => o.out = Some(value()?),
            "-h" | "--help" => {
                return Err("usage: bench_report [--findings N] [--runs R] [--out FILE]".into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn settings() -> Settings {
    Settings {
        approved_deployers: vec![demo::DEPLOYER_APP_ID.into()],
        break_glass_accounts: vec![demo::BREAK_GLASS_UPN.into(), demo::BREAK_GLASS.into()],
        ..Settings::default()
    }
}

fn assess(inv: &Inventory) -> Res<Snapshot> {
    let run = RunMeta {
        run_id: "bench".into(),
        started_at: inv.collected_at,
        finished_at: inv.collected_at,
    };
    Ok(evidence::assess(inv, &settings(), run, None)?)
}

/// (all findings, failing findings) of a snapshot.
fn counts(s: &Snapshot) -> Res<(u64, u64)> {
    let f = s.summary()?.findings;
    Ok((f.pass + f.fail + f.error + f.not_applicable, f.fail))
}

/// `base` with `copies` more copies of `template`, each with its own ids.
fn with_copies(base: &Inventory, template: &[Resource], copies: usize) -> Inventory {
    let mut inv = base.clone();
    for n in 1..=copies {
        inv.resources.extend(template.iter().map(|r| {
            let mut r = r.clone();
            r.id = format!("{}-{n:05}", r.id);
            r.name = format!("{}-{n:05}", r.name);
            r
        }));
    }
    inv
}

/// The smallest number of copies for which `measure` reaches `target`, found by growing the
/// copy count from the per-copy increment.
fn scale(
    base: &Inventory,
    template: &[Resource],
    target: u64,
    measure: fn(&Snapshot) -> Res<u64>,
) -> Res<Snapshot> {
    let zero = measure(&assess(base)?)?;
    let one = measure(&assess(&with_copies(base, template, 1))?)?;
    let per_copy = (one - zero).max(1);
    let mut copies = target.saturating_sub(zero).div_ceil(per_copy) as usize;
    loop {
        let s = assess(&with_copies(base, template, copies))?;
        if measure(&s)? >= target {
            return Ok(s);
        }
        copies += 1;
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn bench(name: &str, snapshot: &Snapshot, o: &Options) -> Res<()> {
    let identity = ReportIdentity::default();
    let (total, failing) = counts(snapshot)?;
    let errors: usize = snapshot
        .checks()?
        .iter()
        .flat_map(|c| c.results.iter())
        .filter(|r| r.status == FindingStatus::Error)
        .count();
    let mut times: Vec<Duration> = Vec::new();
    let mut rendered = None;
    for _ in 0..o.runs.max(1) {
        let t = Instant::now();
        let r = report::render_with(&ReportInput::new(snapshot, &identity))?;
        times.push(t.elapsed());
        if let Some(prev) = &rendered {
            assert!(prev == &r, "renders of one snapshot differ");
        }
        rendered = Some(r);
    }
    times.sort();
    let r = rendered.ok_or("no render ran")?;
    let median = times[times.len() / 2];
    println!(
        "{name:<8} findings {total:>6}  failing {failing:>6}  error {errors:>4}  resources {:>5}  \
         pages {:>5}  bytes {:>9}  ({:.1} KiB/page)  render median {:>7.2} s  (min {:.2} s, max {:.2} s)",
        snapshot.resources().map(|r| r.data.len()).unwrap_or(0),
        r.pages,
        r.pdf.len(),
        r.pdf.len() as f64 / 1024.0 / r.pages as f64,
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
    );
    if let Some(out) = &o.out {
        let path = format!("{out}.{name}.pdf");
        std::fs::write(&path, &r.pdf).map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("         wrote {path}");
    }
    Ok(())
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&o) {
        eprintln!("bench_report: {e}");
        std::process::exit(1);
    }
}

fn run(o: &Options) -> Res<()> {
    let base = demo::inventory(DemoState::Drifted);
    println!(
        "bench_report: target {} findings, {} render(s) each, {} build",
        o.findings,
        o.runs,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );

    let all = scale(&base, &base.resources, o.findings, |s| Ok(counts(s)?.0))?;
    bench("mix", &all, o)?;
    drop(all);

    let failing_ids: Vec<String> = assess(&base)?
        .checks()?
        .iter()
        .flat_map(|c| c.results.iter())
        .filter(|r| r.status == FindingStatus::Fail)
        .map(|r| r.resource_id.clone())
        .collect();
    let template: Vec<Resource> = base
        .resources
        .iter()
        .filter(|r| failing_ids.contains(&r.id))
        .cloned()
        .collect();
    let failing = scale(&base, &template, o.findings, |s| Ok(counts(s)?.1))?;
    bench("failing", &failing, o)?;

    if let Some(kib) = peak_rss_kib() {
        println!("peak resident memory {:.0} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}
