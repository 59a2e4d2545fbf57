//! CLI conventions across commands: shell completions, NO_COLOR and --color, --quiet and
//! --verbose, examples in help, and a quiet exit when stdout is a closed pipe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod common;

use std::io::Read;
use std::process::Stdio;

use common::{assert_code, bin, run, stderr, stdout};

const ESC: char = '\u{1b}';

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef soc2-evidence"),
        ("fish", "complete -c soc2-evidence"),
    ] {
        let o = run(dir.path(), &["completions", shell]);
        assert_code(&o, 0);
        let s = stdout(&o);
        assert!(s.contains(marker), "{shell}:\n{s}");
        assert!(s.contains("export") && s.contains("verify"), "{shell}");
    }
    let o = run(dir.path(), &["completions", "tcsh"]);
    assert_code(&o, 2);
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), where clap colours help unless
/// told not to. `None` when `script` is not installed.
fn on_a_terminal(args: &str, no_color: bool) -> Option<String> {
    let which = std::process::Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .ok()?;
    if !which.status.success() {
        eprintln!("skipping the terminal half: `script` (util-linux) is not installed");
        return None;
    }
    let exe = env!("CARGO_BIN_EXE_soc2-evidence");
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &format!("{exe} {args}"), "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let o = c.output().unwrap();
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn no_color_help_has_no_escape_codes() {
    let dir = tempfile::tempdir().unwrap();
    // Piped: never colour.
    for args in [vec!["--help"], vec!["export", "--help"], vec!["nonsense"]] {
        let o = bin()
            .current_dir(dir.path())
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            !stdout(&o).contains(ESC) && !stderr(&o).contains(ESC),
            "{args:?}"
        );
    }
    // On a terminal: coloured by default, plain with NO_COLOR or --color never.
    let Some(coloured) = on_a_terminal("--help", false) else {
        return;
    };
    assert!(
        coloured.contains(ESC),
        "a terminal gets colour:\n{coloured}"
    );
    for (args, no_color) in [
        ("--help", true),
        ("export --help", true),
        ("--color never --help", false),
        ("checks list --help", true),
    ] {
        let out = on_a_terminal(args, no_color).unwrap();
        assert!(out.contains("Usage"), "{args}: {out}");
        assert!(!out.contains(ESC), "{args} (NO_COLOR={no_color}):\n{out:?}");
    }
    // --color always wins over NO_COLOR, as an explicit choice should.
    let forced = bin()
        .args(["--color", "always", "--help"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(stdout(&forced).contains(ESC));
}

#[test]
fn every_command_shows_examples_in_help() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        "demo",
        "collect",
        "assess",
        "run",
        "release",
        "verify",
        "diff",
        "report",
        "export",
        "checks",
        "controls",
        "schema",
        "completions",
    ] {
        for flag in ["-h", "--help"] {
            let o = run(dir.path(), &[cmd, flag]);
            assert_code(&o, 0);
            let s = stdout(&o);
            assert!(
                s.contains("Examples:\n  ") && s.contains(&format!("soc2-evidence {cmd}")),
                "{cmd} {flag}:\n{s}"
            );
        }
    }
}

#[test]
fn quiet_silences_status_lines_and_keeps_requested_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schemas");
    let loud = run(dir.path(), &["schema", "--out", out.to_str().unwrap()]);
    assert_code(&loud, 0);
    assert!(stdout(&loud).contains("wrote "));
    let quiet = run(
        dir.path(),
        &["--quiet", "schema", "--out", out.to_str().unwrap()],
    );
    assert_code(&quiet, 0);
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{}",
        stdout(&quiet)
    );
    // -q after the subcommand works too (global flag).
    let quiet = run(
        dir.path(),
        &["schema", "-q", "--out", out.to_str().unwrap()],
    );
    assert!(quiet.stdout.is_empty());

    // Requested output stays.
    let listed = run(dir.path(), &["-q", "checks", "list", "--format", "json"]);
    assert_code(&listed, 0);
    assert!(stdout(&listed).starts_with('['));
    // Errors stay.
    let failed = run(
        dir.path(),
        &["-q", "export", "--format", "csv", "--repo", "missing"],
    );
    assert_code(&failed, 2);
    assert!(stderr(&failed).starts_with("error:"));
    // --quiet and --verbose contradict each other.
    assert_code(&run(dir.path(), &["-q", "-v", "checks", "list"]), 2);
}

#[test]
fn verbose_raises_the_log_level() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.json");
    std::fs::write(
        &inv,
        soc2_evidence::evidence::canonical::to_bytes(&soc2_evidence::collect::demo::inventory(
            soc2_evidence::collect::demo::DemoState::Baseline,
        )),
    )
    .unwrap();
    let repo = dir.path().join("repo");
    assert_code(
        &run(
            dir.path(),
            &[
                "assess",
                "--inventory",
                inv.to_str().unwrap(),
                "--repo",
                repo.to_str().unwrap(),
            ],
        ),
        0,
    );
    let o = bin()
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .args([
            "-v",
            "export",
            "--format",
            "json",
            "--repo",
            repo.to_str().unwrap(),
            "--out",
            "x.json",
        ])
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("exported the evidence at `HEAD`"),
        "{}",
        stderr(&o)
    );
    let plain = run(
        dir.path(),
        &[
            "export",
            "--format",
            "json",
            "--repo",
            repo.to_str().unwrap(),
            "--out",
            "y.json",
        ],
    );
    assert!(plain.stderr.is_empty(), "{}", stderr(&plain));
}

#[test]
fn closed_stdout_pipe_exits_quietly() {
    for args in [
        // Outputs larger than a pipe's buffer (64 KiB), so a write must meet the closed end.
        vec!["checks", "list", "--format", "json"],
        vec!["checks", "list", "--format", "json", "--quiet"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, as `head -c1` would, then hang up.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
    // Through a real shell pipeline, as users write it.
    let exe = env!("CARGO_BIN_EXE_soc2-evidence");
    let o = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("'{exe}' checks list --format json | head -1"),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("[\n"));
}

/// Writes the demo's baseline inventory and assesses it into `dir/repo`; returns the repo.
fn assessed_repo(dir: &std::path::Path) -> std::path::PathBuf {
    use soc2_evidence::collect::demo::{self, DemoState};
    let inv = dir.join("inventory.json");
    std::fs::write(
        &inv,
        soc2_evidence::evidence::canonical::to_bytes(&demo::inventory(DemoState::Baseline)),
    )
    .unwrap();
    let repo = dir.join("repo");
    let o = run(
        dir,
        &[
            "assess",
            "--inventory",
            inv.to_str().unwrap(),
            "--repo",
            repo.to_str().unwrap(),
        ],
    );
    assert_code(&o, 0);
    repo
}

#[test]
fn git_errors_are_plain_words_printed_once() {
    let dir = tempfile::tempdir().unwrap();

    // A directory that is not a repository: one line, the path once, what to do.
    let plain = dir.path().join("evidence");
    std::fs::create_dir(&plain).unwrap();
    let o = run(
        dir.path(),
        &["export", "--format", "csv", "--repo", "evidence"],
    );
    assert_code(&o, 2);
    assert_eq!(
        stderr(&o),
        "error: not a git repository: evidence; run `git init` there or pass --repo\n"
    );
    // A path that does not exist at all says the same.
    let o = run(dir.path(), &["diff", "--repo", "nowhere", "main", "HEAD"]);
    assert_code(&o, 2);
    assert_eq!(
        stderr(&o),
        "error: not a git repository: nowhere; run `git init` there or pass --repo\n"
    );

    // A repository without a single commit has no evidence yet, whatever the ref.
    git2::Repository::init(&plain).unwrap();
    for args in [
        &["export", "--format", "json", "--repo", "evidence"][..],
        &["report", "--repo", "evidence", "--out", "r.pdf"][..],
        &["verify", "--repo", "evidence"][..],
    ] {
        let o = run(dir.path(), args);
        assert_code(&o, 2);
        let e = stderr(&o);
        assert!(
            e.contains("has no commits yet, so it holds no evidence")
                && e.contains("`soc2-evidence assess` or `run` commits the first snapshot"),
            "{args:?}: {e}"
        );
        assert!(!e.contains("ref `HEAD` not found"), "{e}");
    }

    // Any other libgit2 error: its message once, without libgit2's class and code numbers.
    let repo = assessed_repo(dir.path());
    let o = run(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "--repo",
            repo.to_str().unwrap(),
            "--ref",
            "main@{",
        ],
    );
    assert_code(&o, 2);
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("error: git: "), "{e}");
    assert!(!e.contains("class=") && !e.contains("code="), "{e}");
    let message = e.trim_start_matches("error: git: ").trim_end();
    assert_eq!(e.matches(message).count(), 1, "printed twice: {e}");
}

#[test]
fn csv_export_with_a_bom_for_excel() {
    let dir = tempfile::tempdir().unwrap();
    let repo = assessed_repo(dir.path());
    let r = repo.to_str().unwrap();

    let plain = run(dir.path(), &["export", "--format", "csv", "--repo", r]);
    assert_code(&plain, 0);
    assert!(plain.stdout.starts_with(b"check_id,"), "{}", stdout(&plain));

    // To stdout and to a file: the same rows after the three bytes Excel looks for.
    let bom = run(
        dir.path(),
        &["export", "--format", "csv", "--bom", "--repo", r],
    );
    assert_code(&bom, 0);
    assert_eq!(&bom.stdout[..3], b"\xEF\xBB\xBF");
    assert_eq!(&bom.stdout[3..], &plain.stdout[..]);
    let out = dir.path().join("findings.csv");
    let o = run(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "--bom",
            "--repo",
            r,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_code(&o, 0);
    assert_eq!(std::fs::read(&out).unwrap(), bom.stdout);

    // A BOM would break JSON readers: refused, and said why.
    let o = run(
        dir.path(),
        &["export", "--format", "json", "--bom", "--repo", r],
    );
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("--bom applies to --format csv only"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());

    // Documented in the help.
    let help = stdout(&run(dir.path(), &["export", "--help"]));
    assert!(help.contains("--bom") && help.contains("Excel"), "{help}");
}

/// Sources the bash completion script and calls its completion function as bash does on
/// <TAB> after `words` (the last being the word under the cursor); returns what it offers.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let program = format!(
        "source '{}' || exit 9\n\
         spec=$(complete -p soc2-evidence) || exit 8\n\
         fn=$(sed -E 's/.* -F ([^ ]+) .*/\\1/' <<<\"$spec\")\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={cword}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         \"$fn\" soc2-evidence '{}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words[cword],
    );
    let o = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        o.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommand_options() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["completions", "bash"]);
    assert_code(&o, 0);
    let script = dir.path().join("soc2-evidence.bash");
    std::fs::write(&script, &o.stdout).unwrap();

    // The subcommands, at the top.
    let top = bash_complete(&script, &["soc2-evidence", ""]);
    for c in ["assess", "export", "completions"] {
        assert!(top.contains(&c.to_string()), "{c} not in {top:?}");
    }
    // The options of the subcommand on the line, not the top level's.
    let assess = bash_complete(&script, &["soc2-evidence", "assess", "--"]);
    for opt in ["--inventory", "--repo", "--fail-on", "--quiet"] {
        assert!(assess.contains(&opt.to_string()), "{opt} not in {assess:?}");
    }
    assert!(!assess.contains(&"--dir".to_string()), "{assess:?}");
    let export = bash_complete(&script, &["soc2-evidence", "export", "--b"]);
    assert_eq!(export, ["--bom"]);
    // A value of an option, and an option of a nested subcommand.
    let formats = bash_complete(&script, &["soc2-evidence", "export", "--format", ""]);
    for f in ["sarif", "oscal", "csv", "json"] {
        assert!(formats.contains(&f.to_string()), "{f} not in {formats:?}");
    }
    let nested = bash_complete(&script, &["soc2-evidence", "checks", "list", "--f"]);
    assert_eq!(nested, ["--format"]);
}
