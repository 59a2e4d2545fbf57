//! The command line: clap commands (one file each), config loading, wiring of the pipeline
//! stages, progress output and exit codes (0 done, 1 policy failed, 2 could not do the job).
//!
//! Output goes through [`outln!`]/[`out!`] (what the user asked for: a listing, markdown, an
//! export) and [`status!`] (progress and status lines, silenced by `--quiet`). Both end the
//! process quietly when stdout is a closed pipe (`soc2-evidence checks list | head -1`).

/// Writes requested output to stdout; a closed pipe ends the process quietly.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!($($arg)*)) };
}
/// [`out!`] with a newline.
macro_rules! outln {
    () => { $crate::cli::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}
/// A status or progress line on stdout; nothing under `--quiet`.
macro_rules! status {
    ($($arg:tt)*) => {
        if !$crate::cli::quiet() {
            $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
        }
    };
}
/// A status block that already ends in newlines; nothing under `--quiet`.
macro_rules! status_block {
    ($($arg:tt)*) => {
        if !$crate::cli::quiet() {
            $crate::cli::write_stdout(format_args!($($arg)*))
        }
    };
}
pub(crate) use {out, outln, status, status_block};

mod assess;
mod checks;
mod collect;
mod completions;
mod controls;
mod demo;
mod diff;
mod export;
mod github;
mod release;
mod report;
mod run;
pub mod schema;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::controls::ControlStatus;
use crate::evidence::{self, RepoInputs, RunMeta, Snapshot, Summary};
pub(crate) use crate::gitops::text::{commit_message, format_scores};
use crate::model::{INVENTORY_SCHEMA_VERSION, Inventory};
use crate::store::{CommitOutcome, EvidenceStore, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "soc2-evidence",
    version,
    about = "SOC 2 evidence for Microsoft Azure: checks mapped to the AICPA 2017 Trust Services \
             Criteria, canonical JSON evidence in git, drift reports and an audit PDF.",
    after_help = "Examples:\n  \
        soc2-evidence demo --dir /tmp/soc2-demo        # no Azure, no network\n  \
        soc2-evidence collect --out inventory.json\n  \
        soc2-evidence assess --inventory inventory.json --repo ./evidence-repo\n  \
        soc2-evidence export --format sarif --out soc2.sarif\n  \
        soc2-evidence completions bash > /etc/bash_completion.d/soc2-evidence\n\n\
        Exit codes: 0 done; 1 done, but the --fail-on policy failed; 2 could not do the job.\n\
        NO_COLOR (any value) turns colour off, as does --color never."
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
struct Global {
    /// Print only errors and the output asked for: no progress bars or status lines.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// More detail on stderr: -v logs each stage and Azure call (info), -vv debug. RUST_LOG,
    /// when set, takes precedence.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// When to use colour: `auto` (a terminal, and NO_COLOR unset), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether a stream that is (or is not) a terminal gets colour.
    fn enabled(self, terminal: bool, no_color: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => terminal && !no_color,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::Args),
    Collect(collect::Args),
    Assess(assess::Args),
    Run(run::Args),
    Release(release::Args),
    Verify(verify::Args),
    Diff(diff::Args),
    Report(report::Args),
    Export(export::Args),
    Checks(checks::Args),
    Controls(controls::Args),
    Schema(schema::Args),
    Completions(completions::Args),
}

/// What a finished command reports to the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The job was done, but the `--fail-on` policy was not met.
    PolicyFailed,
}

/// When to exit 1 after a successful assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    #[default]
    Never,
    /// Any criterion fails.
    Fail,
    /// Any criterion fails or is incomplete (missing data).
    Incomplete,
}

impl FailOn {
    fn violated(self, summary: &Summary) -> bool {
        summary.criteria.iter().any(|c| match self {
            FailOn::Never => false,
            FailOn::Fail => c.status == ControlStatus::Fail,
            FailOn::Incomplete => {
                matches!(c.status, ControlStatus::Fail | ControlStatus::Incomplete)
            }
        })
    }
}

static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicU8 = AtomicU8::new(0);

/// `--quiet` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// How many `-v` were given.
pub(crate) fn verbosity() -> u8 {
    VERBOSE.load(Ordering::Relaxed)
}

/// Writes to stdout. A closed pipe (the reader went away, as `head` does) ends the process
/// quietly with 0: the reader has what it wanted. Any other write error ends it with 2.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(2);
    }
}

/// `NO_COLOR` set to anything non-empty (no-color.org).
fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `--color` as given on the command line, read before clap parses, so that clap's own help
/// and errors honour it. The last occurrence wins, as clap's would.
fn color_from_args(args: &[std::ffi::OsString]) -> ColorWhen {
    let mut when = ColorWhen::Auto;
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = if a == "--color" {
            it.next().map(|v| v.into_owned())
        } else {
            a.strip_prefix("--color=").map(str::to_string)
        };
        match value.as_deref() {
            Some("always") => when = ColorWhen::Always,
            Some("never") => when = ColorWhen::Never,
            Some("auto") => when = ColorWhen::Auto,
            _ => {}
        }
    }
    when
}

/// The clap command with colour set from `--color` and `NO_COLOR`.
pub fn command_for(args: &[std::ffi::OsString]) -> clap::Command {
    let choice = match color_from_args(args) {
        ColorWhen::Always => clap::ColorChoice::Always,
        ColorWhen::Never => clap::ColorChoice::Never,
        ColorWhen::Auto if no_color_env() => clap::ColorChoice::Never,
        ColorWhen::Auto => clap::ColorChoice::Auto,
    };
    Cli::command().color(choice)
}

/// Entry point used by `main`: parses arguments, runs, maps the result to an exit code.
pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap prints usage errors itself and exits 2, which is our "could not do the job" code;
    // help and version exit 0 (and quietly on a closed pipe: clap ignores the write error).
    let matches = command_for(&args).get_matches_from(&args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    QUIET.store(cli.global.quiet, Ordering::Relaxed);
    VERBOSE.store(cli.global.verbose, Ordering::Relaxed);
    init_logs(&cli.global);
    match run(cli) {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::PolicyFailed) => 1,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` when set, else by `-v` (default `warn`; `-v`
/// info, `-vv` debug; `--quiet` error). Colour only on a terminal, never with NO_COLOR. The
/// collector never logs tokens, secrets or response bodies.
fn init_logs(g: &Global) {
    let default = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = g
        .color
        .enabled(std::io::stderr().is_terminal(), no_color_env());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Collect(a) => collect::run(a),
        Command::Assess(a) => assess::run(a),
        Command::Run(a) => run::run(a),
        Command::Release(a) => release::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Report(a) => report::run(a),
        Command::Export(a) => export::run(a),
        Command::Checks(a) => checks::run(a),
        Command::Controls(a) => controls::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Completions(a) => completions::run(a),
    }
}

/// Opens the evidence repository at `path`. A path that is not a repository says so in its
/// own words (naming the path once); any other failure names the path it was opening.
pub(crate) fn open_store(path: &Path, root: &str) -> Result<EvidenceStore> {
    match EvidenceStore::open(path, root) {
        Ok(store) => Ok(store),
        Err(e @ StoreError::NotARepository { .. }) => Err(e.into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "cannot open evidence repository {}",
            path.display()
        ))),
    }
}

/// Reads `inventory.json`, naming the file and field of any problem.
pub(crate) fn load_inventory(path: &Path) -> Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let inv: Inventory = evidence::parse_json(&path.display().to_string(), &bytes)?;
    if inv.schema_version != INVENTORY_SCHEMA_VERSION {
        bail!(
            "{}: schema_version {} is not supported (expected {INVENTORY_SCHEMA_VERSION})",
            path.display(),
            inv.schema_version
        );
    }
    Ok(inv)
}

/// The waivers and attestations the evidence repository declares at commit `at`
/// ([`crate::gitops::repo_inputs`]).
pub(crate) fn repo_inputs(
    store: &EvidenceStore,
    config: &Config,
    at: Option<git2::Oid>,
) -> Result<RepoInputs> {
    Ok(crate::gitops::repo_inputs(store, config, at)?)
}

/// Reads one or more inventory parts (e.g. the shards of a sharded collection) and merges them
/// (`Inventory::merge`: same tenant, no conflicting overlap, every part's provenance kept).
pub(crate) fn load_inventories(paths: &[std::path::PathBuf]) -> Result<Inventory> {
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        parts.push((p.display().to_string(), load_inventory(p)?));
    }
    if parts.len() > 1 {
        status!("merging {} inventory parts", parts.len());
    }
    Inventory::merge(parts).context("cannot merge the inventory parts")
}

/// How often `assess` builds again on a branch that another writer moved under it.
const COMMIT_ATTEMPTS: u32 = 5;

/// Assesses `inventory` and commits the snapshot on `branch` (parent: `parent`, or the branch
/// head), linking the manifest to the parent's. Waivers and attestations are read from the
/// parent commit. Returns the outcome and the snapshot.
///
/// The branch moves by compare-and-swap. Following the branch head (`parent` `None`), a run
/// that lost the race reads the winner's head and builds the snapshot again on top of it, a
/// bounded number of times; with an explicit `parent` a lost race is an error. Either way a
/// commit is reported only once it is on the branch, and a snapshot older than the head's is
/// refused (both errors exit 2).
pub(crate) fn assess_and_commit(
    store: &EvidenceStore,
    branch: &str,
    parent: Option<git2::Oid>,
    inventory: &Inventory,
    config: &Config,
    run: RunMeta,
) -> Result<(CommitOutcome, Snapshot)> {
    let follow_head = parent.is_none();
    let mut attempt = 1;
    loop {
        let parent = match parent {
            Some(p) => Some(p),
            None => store.branch_head(branch)?,
        };
        let previous = match parent {
            Some(p) => store.read_snapshot_where(p, evidence::read_from_previous)?,
            None => None,
        };
        let inputs = repo_inputs(store, config, parent)?;
        let snapshot = evidence::assess_with(
            inventory,
            &config.checks,
            &inputs,
            run.clone(),
            previous.as_ref(),
        )?;
        let summary = snapshot.summary()?;
        let message = commit_message(&summary);
        match store.commit_snapshot(branch, parent, &snapshot, &message) {
            Ok(outcome) => return Ok((outcome, snapshot)),
            Err(e @ StoreError::RefMoved { .. }) if follow_head && attempt < COMMIT_ATTEMPTS => {
                if !quiet() {
                    eprintln!(
                        "{e}; building again on the new head (attempt {})",
                        attempt + 1
                    );
                }
                attempt += 1;
            }
            Err(e @ StoreError::RefMoved { .. }) if follow_head => {
                return Err(anyhow::Error::new(e).context(format!(
                    "gave up after {COMMIT_ATTEMPTS} attempts on `{branch}`"
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The run identity: `GITHUB_RUN_ID` in Actions, else `local`.
pub(crate) fn run_meta(started: chrono::DateTime<chrono::Utc>) -> RunMeta {
    let id = std::env::var("GITHUB_RUN_ID")
        .map(|id| format!("github-{id}"))
        .unwrap_or_else(|_| format!("local-{}", started.format("%Y%m%dT%H%M%SZ")));
    RunMeta {
        run_id: id,
        started_at: started,
        finished_at: chrono::Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(Into::into).collect()
    }

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn color_is_read_before_parsing_and_the_last_wins() {
        assert_eq!(color_from_args(&args(&["x", "--help"])), ColorWhen::Auto);
        assert_eq!(
            color_from_args(&args(&["x", "--color", "never", "checks"])),
            ColorWhen::Never
        );
        assert_eq!(
            color_from_args(&args(&["x", "--color=never", "--color=always"])),
            ColorWhen::Always
        );
        assert_eq!(
            color_from_args(&args(&["x", "--", "--color=never"])),
            ColorWhen::Auto
        );
        assert!(!ColorWhen::Auto.enabled(true, true));
        assert!(ColorWhen::Auto.enabled(true, false));
        assert!(!ColorWhen::Auto.enabled(false, false));
        assert!(ColorWhen::Always.enabled(false, true));
    }

    #[test]
    fn every_argument_has_help_text() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let help = arg
                    .get_help()
                    .or(arg.get_long_help())
                    .map(|h| h.to_string());
                if help.is_none_or(|h| h.trim().is_empty()) {
                    missing.push(format!("{path}: {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        // Built as the binary shows it, with clap's own --help/--version and `help` added.
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "soc2-evidence", &mut missing);
        assert!(
            missing.is_empty(),
            "arguments without help text:\n{}",
            missing.join("\n")
        );
        // The walk sees the arguments at every level, e.g. `export --bom`.
        let export = cmd.find_subcommand("export").unwrap();
        assert!(export.get_arguments().any(|a| a.get_id() == "bom"));
    }

    #[test]
    fn every_command_has_examples_in_its_help() {
        fn walk(cmd: &clap::Command, path: &str) {
            if cmd.get_name() != "help" {
                let after = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(
                    after.contains("soc2-evidence "),
                    "`{path}` has no example in its help"
                );
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        walk(&Cli::command(), "soc2-evidence");
    }
}
