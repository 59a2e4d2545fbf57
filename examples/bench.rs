//! Benchmarks at tenant scale (issue 8): collection against the loopback fake Azure with the
//! documented quotas and per-request latency, the offline pipeline (assess, commit, drift, PDF)
//! stage by stage, and the evidence commit against the git CLI. Numbers go into BENCHMARKS.md.
//!
//! An example rather than a `[[bin]]` because the fake Azure (tests/support/fake_azure) needs
//! dev-dependencies (hyper, rcgen, tokio-rustls, …), which only tests and examples may use:
//!
//!   cargo run --release --example bench -- all
//!   cargo run --release --example bench -- collect --resources 10000 --subscriptions 20 --users 2000
//!   cargo run --release --example bench -- offline --sizes 10000,100000
//!   cargo run --release --example bench -- commit --resources 10000
//!   cargo run --example bench -- serve-azure [demo|synthetic]
//!
//! `serve-azure` is not a benchmark: it starts the fake Azure (the demo tenant, or the synthetic
//! tenant sized by the options below) and prints the `export` lines that point the CLI at it,
//! then serves until interrupted, for running `soc2-evidence collect` against it by hand.
//!
//! Options: `--resources N` (100000), `--subscriptions S` (200), `--users U` (20000),
//! `--seed X` (8), `--latency-ms L` (20), `--concurrency C` (collector requests in flight, 128),
//! `--sizes A,B` (offline sizes, 10000,100000), `--runs R` (repetitions; medians, 3),
//! `--dir D` (work directory, a temp dir by default).
//!
//! Per-stage peak RSS: every offline stage runs in a fresh child process (this program with
//! the hidden `stage` command), which reports its own `VmHWM` from /proc/self/status when the
//! stage is done; the stage's wall time is measured inside the child around the stage, input
//! parsing from disk included, process start and output writing excluded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark harness over the test fixtures: a panic stops it with its message"
)]

#[path = "../tests/support/fake_azure/mod.rs"]
mod fake_azure;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use soc2_evidence::checks::Settings;
use soc2_evidence::collect::{AuthMethod, AuthOptions, CollectOptions, Endpoints};
use soc2_evidence::evidence::{self, RunMeta, Snapshot};
use soc2_evidence::model::Inventory;
use soc2_evidence::report::{self, ReportIdentity};
use soc2_evidence::store::EvidenceStore;

use fake_azure::{FakeAzure, FakeOptions, FakeTenant, Kind, Missing, Quotas, Synthetic};

const ROOT: &str = "evidence";
const BRANCH: &str = "main";

#[derive(Debug, Clone)]
struct Opts {
    cmd: String,
    resources: usize,
    subscriptions: usize,
    users: usize,
    seed: u64,
    latency_ms: u64,
    concurrency: usize,
    sizes: Vec<usize>,
    runs: usize,
    dir: Option<PathBuf>,
    rest: Vec<String>,
}

fn parse() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_else(|| "all".into());
    let mut o = Opts {
        cmd,
        resources: 100_000,
        subscriptions: 200,
        users: 20_000,
        seed: 8,
        latency_ms: 20,
        concurrency: 128,
        sizes: vec![10_000, 100_000],
        runs: 3,
        dir: None,
        rest: vec![],
    };
    while let Some(a) = args.next() {
        let mut v = || args.next().ok_or(format!("{a} needs a value"));
        let num = |s: String| s.parse::<u64>().map_err(|e| format!("{a}: {e}"));
        match a.as_str() {
            "--resources" => o.resources = num(v()?)? as usize,
            "--subscriptions" => o.subscriptions = num(v()?)? as usize,
            "--users" => o.users = num(v()?)? as usize,
            "--seed" => o.seed = num(v()?)?,
            "--latency-ms" => o.latency_ms = num(v()?)?,
            "--concurrency" => o.concurrency = num(v()?)? as usize,
            "--runs" => o.runs = num(v()?)?.max(1) as usize,
            "--dir" => o.dir = Some(PathBuf::from(v()?)),
            "--sizes" => {
                o.sizes = v()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|e| format!("--sizes: {e}")))
                    .collect::<Result<_, _>>()?
            }
            _ if o.cmd == "stage" || o.cmd == "serve-azure" => o.rest.push(a.clone()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// Fixed collection times: the base run and the run after it.
fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap() // 2026-01-01T00:00:00Z
}
fn t1() -> DateTime<Utc> {
    t0() + chrono::Duration::days(1)
}

fn spec(o: &Opts, resources: usize) -> Synthetic {
    // Keep the tenant's shape at smaller sizes: 500 resources and 100 users per subscription.
    let scale = resources as f64 / o.resources.max(1) as f64;
    Synthetic {
        subscriptions: ((o.subscriptions as f64 * scale).round() as usize).max(1),
        resources,
        seed: o.seed,
        users: ((o.users as f64 * scale).round() as usize).max(1),
        events_per_subscription: 20,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn settings() -> Settings {
    use soc2_evidence::collect::demo;
    Settings {
        approved_deployers: vec![demo::DEPLOYER_APP_ID.into()],
        break_glass_accounts: vec![demo::BREAK_GLASS_UPN.into(), demo::BREAK_GLASS.into()],
        ..Settings::default()
    }
}

fn run_meta(at: DateTime<Utc>) -> RunMeta {
    RunMeta {
        run_id: format!("bench-{}", at.timestamp()),
        started_at: at,
        finished_at: at,
    }
}

// ---------------------------------------------------------------- snapshot files on disk

fn write_snapshot(s: &Snapshot, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    for (path, bytes) in &s.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn read_snapshot(dir: &Path) -> Snapshot {
    read_snapshot_where(dir, |_| true)
}

fn read_snapshot_where(dir: &Path, keep: fn(&str) -> bool) -> Snapshot {
    fn walk(
        base: &Path,
        dir: &Path,
        keep: fn(&str) -> bool,
        files: &mut BTreeMap<String, Vec<u8>>,
    ) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, keep, files);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if keep(&rel) {
                    files.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, keep, &mut files);
    Snapshot { files }
}

fn read_inventory(p: &Path) -> Inventory {
    let bytes = std::fs::read(p).unwrap();
    evidence::parse_json("inventory.json", &bytes).expect("inventory parses")
}

// ---------------------------------------------------------------- offline stages (children)

/// The next run's inventory: the same tenant a day later, with about 1 % of the resources
/// changed (storage accounts opened to public blob access, key vaults without purge
/// protection, NSGs losing their diagnostic settings), so drift has something to show.
fn drifted(base: &Inventory) -> Inventory {
    let mut inv = base.clone();
    inv.collected_at = t1();
    for (i, r) in inv.resources.iter_mut().enumerate() {
        if i % 97 != 0 {
            continue;
        }
        match r.r#type.as_str() {
            "microsoft.storage/storageaccounts" => {
                r.properties["allowBlobPublicAccess"] = serde_json::json!(true)
            }
            "microsoft.keyvault/vaults" => {
                r.properties["enablePurgeProtection"] = serde_json::json!(false)
            }
            _ => {
                r.tags.insert("costCenter".into(), "drifted".into());
            }
        }
    }
    inv
}

/// `stage <name> <dir>`: one offline stage in this process; prints `STAGE <secs> <kib>`.
fn stage(name: &str, dir: &Path) {
    let started;
    match name {
        // Preparation (not reported): the base evidence committed, the next inventory on disk.
        "prepare" => {
            let spec: Synthetic = {
                let t = std::fs::read_to_string(dir.join("spec")).unwrap();
                let v: Vec<u64> = t.split_whitespace().map(|x| x.parse().unwrap()).collect();
                Synthetic {
                    subscriptions: v[0] as usize,
                    resources: v[1] as usize,
                    users: v[2] as usize,
                    seed: v[3],
                    events_per_subscription: v[4] as usize,
                }
            };
            started = Instant::now();
            let base = spec.inventory(t0());
            let head = drifted(&base);
            let snap = evidence::assess(&base, &settings(), run_meta(t0()), None).unwrap();
            write_snapshot(&snap, &dir.join("base"));
            let store = EvidenceStore::open_or_init(&dir.join("repo"), ROOT, BRANCH).unwrap();
            store
                .commit_snapshot(BRANCH, None, &snap, "Evidence: base")
                .unwrap();
            std::fs::write(
                dir.join("inventory.json"),
                serde_json::to_vec_pretty(&head).unwrap(),
            )
            .unwrap();
        }
        // Not a pipeline stage: what parsing inventory.json alone costs, for the memory
        // breakdown in BENCHMARKS.md.
        "parse" => {
            started = Instant::now();
            let inv = read_inventory(&dir.join("inventory.json"));
            assert!(!inv.resources.is_empty());
        }
        "assess" => {
            started = Instant::now();
            let inv = read_inventory(&dir.join("inventory.json"));
            // What `assess_and_commit` reads of the parent: its manifest and change population.
            let base = read_snapshot_where(&dir.join("base"), evidence::read_from_previous);
            let snap = evidence::assess(&inv, &settings(), run_meta(t1()), Some(&base)).unwrap();
            let took = started.elapsed();
            write_snapshot(&snap, &dir.join("head"));
            return report_stage(took);
        }
        "commit" => {
            started = Instant::now();
            let snap = read_snapshot(&dir.join("head"));
            let store = EvidenceStore::open(&dir.join("repo"), ROOT).unwrap();
            let parent = store.branch_head(BRANCH).unwrap();
            let out = store
                .commit_snapshot(BRANCH, parent, &snap, "Evidence: next run")
                .unwrap();
            assert!(matches!(
                out,
                soc2_evidence::store::CommitOutcome::Created(_)
            ));
        }
        "drift" => {
            started = Instant::now();
            let base = read_snapshot(&dir.join("base"));
            let head = read_snapshot(&dir.join("head"));
            let d = soc2_evidence::drift::diff(&base, &head).unwrap();
            let md = d.to_markdown(65_000);
            assert!(!md.is_empty());
        }
        "pdf" => {
            started = Instant::now();
            let head = read_snapshot(&dir.join("head"));
            let id = ReportIdentity::default();
            let pdf = report::render(&head, &id).unwrap();
            let took = started.elapsed();
            std::fs::write(dir.join("report.pdf"), pdf).unwrap();
            return report_stage(took);
        }
        other => panic!("unknown stage {other}"),
    }
    report_stage(started.elapsed());
}

fn report_stage(took: Duration) {
    println!("STAGE {:.6} {}", took.as_secs_f64(), peak_rss_kib());
}

fn child_stage(name: &str, dir: &Path) -> (f64, u64) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["stage", name, dir.to_str().unwrap()])
        .output()
        .expect("stage runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("STAGE "))
        .unwrap_or_else(|| {
            panic!(
                "stage {name} failed: {}\n{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let mut it = line.split_whitespace().skip(1);
    let secs: f64 = it.next().unwrap().parse().unwrap();
    let kib: u64 = it.next().unwrap().parse().unwrap();
    (secs, kib)
}

const STAGES: [&str; 4] = ["assess", "commit", "drift", "pdf"];

/// Median (wall seconds, peak RSS KiB) per stage.
type StageMedians = BTreeMap<&'static str, (f64, u64)>;

fn offline(o: &Opts, work: &Path) -> Vec<(usize, StageMedians)> {
    let mut all = vec![];
    for &n in &o.sizes {
        let sp = spec(o, n);
        let mut per: BTreeMap<&str, Vec<(f64, u64)>> = BTreeMap::new();
        for run in 0..o.runs {
            let dir = work.join(format!("offline-{n}-{run}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("spec"),
                format!(
                    "{} {} {} {} {}",
                    sp.subscriptions, sp.resources, sp.users, sp.seed, sp.events_per_subscription
                ),
            )
            .unwrap();
            child_stage("prepare", &dir);
            for s in STAGES {
                let r = child_stage(s, &dir);
                eprintln!(
                    "  offline n={n} run={run} {s}: {:.2} s, {} MiB",
                    r.0,
                    r.1 / 1024
                );
                per.entry(s).or_default().push(r);
            }
            if run == 0 {
                let inv = std::fs::metadata(dir.join("inventory.json"))
                    .map(|m| m.len())
                    .unwrap_or(0);
                let pdf = std::fs::metadata(dir.join("report.pdf"))
                    .map(|m| m.len())
                    .unwrap_or(0);
                let files = read_snapshot(&dir.join("head")).files.len();
                println!(
                    "offline n={n}: subscriptions {} users {}; inventory.json {:.1} MiB; {files} evidence files; PDF {:.1} MiB",
                    sp.subscriptions,
                    sp.users,
                    inv as f64 / 1048576.0,
                    pdf as f64 / 1048576.0
                );
            }
            if run + 1 < o.runs {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
        let med: StageMedians = STAGES
            .iter()
            .map(|s| {
                let v = &per[s];
                (
                    *s,
                    (
                        median(v.iter().map(|x| x.0).collect()),
                        median(v.iter().map(|x| x.1 as f64).collect()) as u64,
                    ),
                )
            })
            .collect();
        let total: f64 = med.values().map(|x| x.0).sum();
        let peak = med.values().map(|x| x.1).max().unwrap_or(0);
        println!("offline n={n} (median of {} runs):", o.runs);
        for s in STAGES {
            println!(
                "  {s:<7} {:>8.2} s  peak RSS {:>6} MiB",
                med[s].0,
                med[s].1 / 1024
            );
        }
        println!(
            "  total   {total:>8.2} s  peak RSS {:>6} MiB (largest stage)",
            peak / 1024
        );
        all.push((n, med));
    }
    if all.len() >= 2 {
        let t = |i: usize| all[i].1.values().map(|x| x.0).sum::<f64>();
        let first = t(0);
        let last = t(all.len() - 1);
        println!(
            "growth {} -> {}: {:.2}x wall for {:.0}x resources",
            all[0].0,
            all[all.len() - 1].0,
            last / first,
            all[all.len() - 1].0 as f64 / all[0].0 as f64
        );
    }
    all
}

// ---------------------------------------------------------------- commit vs git CLI

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

fn commit_vs_git(o: &Opts, work: &Path) {
    let n = o.resources;
    let sp = spec(o, n);
    let base_inv = sp.inventory(t0());
    let head_inv = drifted(&base_inv);
    let base = evidence::assess(&base_inv, &settings(), run_meta(t0()), None).unwrap();
    let head = evidence::assess(&head_inv, &settings(), run_meta(t1()), Some(&base)).unwrap();
    drop((base_inv, head_inv));
    let bytes: usize = head.files.values().map(Vec::len).sum();
    println!(
        "commit n={n}: {} files, {:.1} MiB of evidence",
        head.files.len(),
        bytes as f64 / 1048576.0
    );
    let (mut ours, mut cli) = (vec![], vec![]);
    for run in 0..o.runs {
        // git2: the store commits the head snapshot on top of the base commit.
        let repo = work.join(format!("commit-git2-{run}"));
        let _ = std::fs::remove_dir_all(&repo);
        let store = EvidenceStore::open_or_init(&repo, ROOT, BRANCH).unwrap();
        store.commit_snapshot(BRANCH, None, &base, "base").unwrap();
        let parent = store.branch_head(BRANCH).unwrap();
        let t = Instant::now();
        store
            .commit_snapshot(BRANCH, parent, &head, "head")
            .unwrap();
        ours.push(t.elapsed().as_secs_f64());
        drop(store);
        let _ = std::fs::remove_dir_all(&repo);

        // git CLI: the same files in a work tree, base committed, then head written over it.
        let repo = work.join(format!("commit-cli-{run}"));
        let _ = std::fs::remove_dir_all(&repo);
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", BRANCH]);
        write_snapshot(&base, &repo.join(ROOT));
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);
        write_snapshot(&head, &repo.join(ROOT));
        let t = Instant::now();
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "head"]);
        cli.push(t.elapsed().as_secs_f64());
        let _ = std::fs::remove_dir_all(&repo);
        eprintln!(
            "  commit run {run}: git2 {:.3} s, git CLI {:.3} s",
            ours[run], cli[run]
        );
    }
    let (a, b) = (median(ours), median(cli));
    println!(
        "commit n={n} (median of {}): store::commit_snapshot {a:.3} s, git add -A && git commit {b:.3} s, ratio {:.2}x (target <= 1.5x)",
        o.runs,
        a / b
    );
}

// ---------------------------------------------------------------- collection

/// Serves the demo tenant (or, with `synthetic`, the synthetic tenant of the options) from the
/// fake Azure until the process is stopped; stdout is only the `export` lines, so
/// `eval "$(…)"`-style use works, and everything else goes to stderr.
fn serve_azure(o: &Opts) {
    let which = o.rest.first().map(String::as_str).unwrap_or("demo");
    let tenant = match which {
        "demo" => FakeTenant::from_inventory(&soc2_evidence::collect::demo::inventory(
            soc2_evidence::collect::demo::DemoState::Baseline,
        )),
        "synthetic" => {
            let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
            let mut t = FakeTenant::from_inventory(&spec(o, o.resources).inventory(now));
            t.missing = Missing::Empty;
            t
        }
        other => {
            eprintln!("serve-azure serves `demo` or `synthetic`, not {other}");
            std::process::exit(2);
        }
    };
    let fake = FakeAzure::start(
        tenant,
        FakeOptions {
            latency: Duration::from_millis(o.latency_ms),
            quotas: Quotas::default(),
            ..FakeOptions::default()
        },
    );
    for (k, v) in fake.env() {
        println!("export {k}='{v}'");
    }
    eprintln!(
        "fake Azure ({which} tenant) on {}; stop with Ctrl-C",
        fake.arm_url()
    );
    loop {
        std::thread::park();
    }
}

fn collect(o: &Opts) {
    let sp = spec(o, o.resources);
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let t = Instant::now();
    let inv = sp.inventory(now);
    let mut tenant = FakeTenant::from_inventory(&inv);
    tenant.missing = Missing::Empty;
    drop(inv);
    eprintln!(
        "  generated {} resources / {} subscriptions / {} users in {:.1} s",
        sp.resources,
        sp.subscriptions,
        sp.users,
        t.elapsed().as_secs_f64()
    );
    let latency = Duration::from_millis(o.latency_ms);
    let fo = FakeOptions {
        latency,
        quotas: Quotas::default(),
        ..FakeOptions::default()
    };
    let fake = FakeAzure::start(tenant, fo);
    let endpoints =
        Endpoints::new(&fake.authority_host(), &fake.arm_url(), &fake.graph_url()).unwrap();
    let vars: BTreeMap<String, String> = fake.env().into_iter().collect();
    let auth = AuthOptions::from_vars(AuthMethod::ClientSecret, |k| vars.get(k).cloned());
    let mut co = CollectOptions::new(endpoints, auth);
    co.extra_root_ca = Some(fake.ca_path());
    co.concurrency = o.concurrency;
    co.progress = false;
    let started = Instant::now();
    let c = soc2_evidence::collect::collect_blocking(&co).expect("collection succeeds");
    let wall = started.elapsed().as_secs_f64();
    let k = fake.counters();
    let gaps: usize = c.inventory.sources.iter().map(|s| s.gaps.len()).sum();

    // Per-bucket demand from the fake's request log: Resource Graph per user, ARM per
    // subscription (every ARM read below /subscriptions/{id}, Activity Log included).
    let log = fake.requests();
    let mut per_sub: HashMap<String, u64> = HashMap::new();
    let mut answered = 0u64;
    for r in &log {
        if matches!(
            r.kind,
            Kind::ArmSubscription | Kind::ArmResource | Kind::ActivityLog
        ) {
            let sub = r
                .scope
                .trim_start_matches('/')
                .split('/')
                .nth(1)
                .unwrap_or("")
                .to_ascii_lowercase();
            if !sub.is_empty() && r.status != 429 {
                *per_sub.entry(sub).or_default() += 1;
            }
        }
        if r.status != 429 {
            answered += 1;
        }
    }
    // Timeline: when each kind of call was first and last answered, and how many each second
    // of the run saw in flight on average (calls x latency), to show what the run waited on.
    let mut spans: BTreeMap<String, (f64, f64, u64, u64)> = BTreeMap::new();
    for r in &log {
        let t = r.at.as_secs_f64();
        let e = spans
            .entry(format!("{:?}", r.kind))
            .or_insert((f64::MAX, 0.0, 0, 0));
        e.0 = e.0.min(t);
        e.1 = e.1.max(t);
        e.2 += 1;
        e.3 += u64::from(r.status == 429);
    }
    for (kind, (first, last, n, throttled)) in &spans {
        println!(
            "  timeline {kind:<16} {n:>7} calls ({throttled} 429s), first {first:>6.1} s, last \
             {last:>6.1} s"
        );
    }
    let secs = log.iter().map(|r| r.at.as_secs()).max().unwrap_or(0) as usize + 1;
    let mut per_sec = vec![0u64; secs];
    for r in &log {
        per_sec[r.at.as_secs() as usize] += 1;
    }
    let line: Vec<String> = per_sec
        .chunks(5)
        .map(|c| format!("{}", c.iter().sum::<u64>() / c.len() as u64))
        .collect();
    println!("  calls/s by 5 s window: {}", line.join(" "));
    let q = Quotas::default();
    let lat = latency.as_secs_f64();
    let rg_ok = k.resource_graph.saturating_sub(
        log.iter()
            .filter(|r| r.kind == Kind::ResourceGraph && r.status == 429)
            .count() as u64,
    );
    // Resource Graph: 15 queries per 5 s window; the n-th query cannot start before window
    // floor((n-1)/15) opens.
    let rg_bound =
        ((rg_ok.max(1) - 1) / q.arg_queries as u64) as f64 * q.arg_window.as_secs_f64() + lat;
    let (max_sub, max_sub_calls) = per_sub
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(s, n)| (s.clone(), *n))
        .unwrap_or_default();
    let arm_bound =
        max_sub_calls.saturating_sub(q.arm_burst as u64) as f64 / q.arm_refill_per_sec + lat;
    let latency_bound = answered as f64 * lat / o.concurrency as f64;
    let bound = rg_bound.max(arm_bound).max(latency_bound);
    let rg_rows = k
        .by_source
        .get("resource_graph.resources")
        .copied()
        .unwrap_or(0);
    println!(
        "collect: {} resources / {} subscriptions / {} users, latency {} ms, concurrency {}",
        sp.resources, sp.subscriptions, sp.users, o.latency_ms, o.concurrency
    );
    println!(
        "  wall {wall:.1} s; gaps {gaps}; inventory resources {}",
        c.inventory.resources.len()
    );
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for s in &c.inventory.sources {
        for g in &s.gaps {
            let why: String = g.reason.chars().take(80).collect();
            *reasons.entry(format!("{}: {why}", s.name)).or_default() += 1;
        }
    }
    for (why, n) in reasons.iter().take(5) {
        println!("    gap x{n}: {why}");
    }
    println!(
        "  calls: Resource Graph {} ({} on resources; {:.2} per 1000 resources), subscriptions list {}, ARM per-subscription {}, Activity Log {}, ARM per-resource {}, Graph {}, token {}",
        k.resource_graph,
        rg_rows,
        k.resource_graph as f64 * 1000.0 / sp.resources as f64,
        k.subscriptions,
        k.arm_subscription,
        k.activity_log,
        k.arm_resource,
        k.graph,
        k.token
    );
    let per_res: Vec<String> = k
        .by_source
        .iter()
        .filter(|(s, _)| s.starts_with("arm.") || s.starts_with("graph."))
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    println!("  by source: {}", per_res.join(", "));
    println!(
        "  429s received: {} (quota {}); collector saw {} throttled",
        k.throttled, k.quota_throttled, c.calls.throttled
    );
    println!(
        "  bounds: Resource Graph {rg_bound:.1} s ({rg_ok} queries at 15/5 s), ARM {arm_bound:.1} s (busiest subscription {max_sub}: {max_sub_calls} reads, 250 burst + 25/s), latency {latency_bound:.1} s ({answered} calls x {} ms / {})",
        o.latency_ms, o.concurrency
    );
    println!(
        "  lower bound {bound:.1} s; wall / bound = {:.2} (target <= 1.2)",
        wall / bound
    );
    // RG then ARM per resource is a dependency: a resource's settings can only be read once
    // its row is known. The serial bound of the two phases, for reference.
    println!(
        "  (Resource Graph then per-resource ARM in sequence: {:.1} s; wall / that = {:.2})",
        rg_bound + arm_bound.max(latency_bound),
        wall / (rg_bound + arm_bound.max(latency_bound))
    );
}

fn machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_default();
    println!(
        "machine: {} cores ({cpu}); {mem}; {} build",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if o.cmd == "stage" {
        stage(&o.rest[0], Path::new(&o.rest[1]));
        return;
    }
    if o.cmd == "serve-azure" {
        serve_azure(&o);
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let work = o.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work).unwrap();
    machine();
    match o.cmd.as_str() {
        "collect" => collect(&o),
        "offline" => {
            offline(&o, &work);
        }
        "commit" => commit_vs_git(&o, &work),
        "inventory" => {
            let inv = spec(&o, o.resources).inventory(t0());
            let p = work.join("inventory.json");
            std::fs::write(&p, serde_json::to_vec_pretty(&inv).unwrap()).unwrap();
            println!("wrote {}", p.display());
        }
        "all" => {
            offline(&o, &work);
            commit_vs_git(&o, &work);
            collect(&o);
        }
        other => {
            eprintln!(
                "unknown command {other}: all | collect | offline | commit | inventory | serve-azure"
            );
            std::process::exit(2);
        }
    }
}
