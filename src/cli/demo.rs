//! `demo`: the whole pipeline on the embedded demo tenant, offline and without credentials.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Outcome, assess_and_commit, format_scores};
use crate::checks::Settings;
use crate::collect::demo::{self, DemoState};
use crate::config::{Config, Organisation};
use crate::evidence::RunMeta;
use crate::store::EvidenceStore;

/// Marks a directory as made by `demo`, so a re-run may replace it and nothing else.
const MARKER: &str = ".soc2-evidence-demo";

/// Run the embedded demo tenant twice (baseline, then drifted) into a fresh evidence repo and
/// leave the drift markdown, the PDF report and the drifted inventory beside it. No network, no
/// credentials.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  soc2-evidence demo --dir /tmp/soc2-demo")]
pub struct Args {
    /// Where to create the demo evidence repository.
    #[arg(long, default_value = "soc2-evidence-demo")]
    dir: PathBuf,
}

pub fn run(a: Args) -> Result<Outcome> {
    prepare_dir(&a.dir)?;
    let config = Config {
        organisation: Organisation {
            name: "Contoso Ltd (demo)".into(),
            system: "Contoso Payments Platform".into(),
        },
        checks: Settings {
            approved_deployers: vec![demo::DEPLOYER_APP_ID.into()],
            break_glass_accounts: vec![demo::BREAK_GLASS_UPN.into(), demo::BREAK_GLASS.into()],
            ..Settings::default()
        },
        ..Config::default()
    };
    let ev = &config.evidence;
    let store = EvidenceStore::open_or_init(&a.dir, &ev.root, &ev.base_branch)
        .with_context(|| format!("cannot create a repository in {}", a.dir.display()))?;

    // What a user commits first: the accepted risks and the manual attestations, which every
    // assessment then reads from the commit it builds on.
    let setup_time = demo::collected_at(DemoState::Baseline).timestamp() - 86_400;
    let setup = store.commit_files(
        &ev.base_branch,
        None,
        &demo::repository_files(),
        "Add waivers and manual attestations",
        setup_time,
    )?;

    let mut summaries = Vec::new();
    let mut base = Some(setup);
    // The drifted run builds on the baseline commit; the baseline on the setup commit.
    for (state, branch, run_id) in [
        (DemoState::Baseline, &ev.base_branch, "demo-baseline"),
        (DemoState::Drifted, &ev.bot_branch, "demo-drifted"),
    ] {
        let inventory = demo::inventory(state);
        // The demo's run metadata is fixed too, so two demo runs give identical repositories.
        let at = demo::collected_at(state);
        let run = RunMeta {
            run_id: run_id.into(),
            started_at: at,
            finished_at: at,
        };
        let (outcome, snapshot) =
            assess_and_commit(&store, branch, base, &inventory, &config, run)?;
        base = Some(outcome.oid());
        summaries.push((state, branch.clone(), outcome.oid(), snapshot.summary()?));
    }
    store.checkout(&ev.bot_branch)?;

    let base_snap = store.read_snapshot(&ev.base_branch)?;
    let head_snap = store.read_snapshot(&ev.bot_branch)?;
    let drift = crate::drift::diff(&base_snap, &head_snap)?;
    let drift_path = a.dir.join("drift.md");
    std::fs::write(&drift_path, drift.to_markdown(65_536))
        .with_context(|| format!("cannot write {}", drift_path.display()))?;
    let pdf_path = a.dir.join("report.pdf");
    let pdf = crate::gitops::assets::render(&store, &ev.bot_branch)?;
    std::fs::write(&pdf_path, pdf)
        .with_context(|| format!("cannot write {}", pdf_path.display()))?;
    // The drifted tenant's inventory, as `collect --out` writes one: something to try
    // `assess --inventory` on (the help's example) without an Azure tenant. Written after the
    // assessments, from the same data, so the evidence does not depend on it.
    let inventory_path = a.dir.join("inventory.json");
    std::fs::write(
        &inventory_path,
        crate::evidence::canonical::to_bytes(&demo::inventory(DemoState::Drifted)),
    )
    .with_context(|| format!("cannot write {}", inventory_path.display()))?;
    let head = summaries
        .last()
        .map(|(.., oid, _)| *oid)
        .context("the demo recorded no run")?;

    // Keep the demo's own outputs out of `git status`.
    let exclude = a.dir.join(".git/info/exclude");
    std::fs::create_dir_all(a.dir.join(".git/info"))?;
    std::fs::write(
        &exclude,
        format!("{MARKER}\ndrift.md\nreport.pdf\ninventory.json\n"),
    )
    .with_context(|| format!("cannot write {}", exclude.display()))?;
    std::fs::write(a.dir.join(MARKER), "created by soc2-evidence demo\n")?;

    for (state, branch, oid, summary) in &summaries {
        super::status!("{state:?} evidence committed on {branch} ({oid}):");
        super::status_block!("{}", format_scores(summary));
    }
    super::status!("drift: {}", drift.title());
    super::status!("evidence repository: {}", a.dir.display());
    super::status!("drift report:        {}", drift_path.display());
    super::status!("PDF report:          {}", pdf_path.display());
    super::status!("inventory (drifted): {}", inventory_path.display());
    super::status!(
        "checking the PDF as an auditor would: soc2-evidence verify --repo {} --ref {head} --pdf {}",
        a.dir.display(),
        pdf_path.display()
    );
    verify_own_report(&a.dir, head, &pdf_path)?;
    Ok(Outcome::Done)
}

/// Runs `verify --repo <dir> --ref <commit> --pdf <report.pdf>` itself: the very command an
/// auditor runs (its history, chain and PDF checks, with the configuration it finds, i.e. none
/// in the demo directory), printing what it prints. The demo vouches for its report only as far
/// as `verify` does; a mismatch fails the demo.
fn verify_own_report(dir: &Path, commit: git2::Oid, pdf: &Path) -> Result<()> {
    let args: Vec<std::ffi::OsString> = vec![
        "soc2-evidence".into(),
        "verify".into(),
        "--repo".into(),
        dir.into(),
        "--ref".into(),
        commit.to_string().into(),
        "--pdf".into(),
        pdf.into(),
    ];
    let cli = <super::Cli as clap::Parser>::try_parse_from(&args)
        .context("cannot build the verify command")?;
    let super::Command::Verify(v) = cli.command else {
        bail!("the verify command did not parse as `verify`");
    };
    match super::verify::run(v)? {
        Outcome::Done => Ok(()),
        Outcome::PolicyFailed => bail!(
            "the demo's own {} does not verify against {commit} (see the MISMATCH lines above)",
            pdf.display()
        ),
    }
}

/// Creates `dir`, or empties it if an earlier demo made it; refuses anything else.
fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} exists and is not a directory", dir.display());
        }
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).is_file() {
                bail!(
                    "refusing to overwrite {}: it is not empty and was not made by `soc2-evidence demo` \
                     (no {MARKER} marker); choose another --dir",
                    dir.display()
                );
            }
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot remove the earlier demo in {}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}
