//! `completions`: shell completion scripts, generated from the commands themselves.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Outcome};

/// Print a shell completion script for soc2-evidence.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    soc2-evidence completions bash > ~/.local/share/bash-completion/completions/soc2-evidence\n  \
    soc2-evidence completions zsh > \"${fpath[1]}/_soc2-evidence\"\n  \
    soc2-evidence completions fish > ~/.config/fish/completions/soc2-evidence.fish\n  \
    soc2-evidence completions powershell >> $PROFILE")]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// The name the scripts complete.
const BIN: &str = "soc2-evidence";

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    match shell {
        Shell::Bash => fix_bash_branches(&String::from_utf8_lossy(&out), BIN).into_bytes(),
        _ => out,
    }
}

/// clap_complete's separator between the parts of a bash state name.
const BASH_SEP: &str = "__subcmd__";

/// Works around clap_complete's bash generator for a binary whose name has a hyphen: its word
/// loop sets the state `soc2__evidence__subcmd__assess`, but it names the `case` branch that
/// completes that subcommand `soc2__subcmd__evidence__subcmd__assess` (the hyphen turned into
/// the subcommand separator), so no branch matches and nothing after a subcommand completes.
/// Renames those branches to the state the loop sets. A generator without the bug has no such
/// branch, and the script is left as it is.
fn fix_bash_branches(script: &str, bin: &str) -> String {
    let wrong = format!("{}{BASH_SEP}", bin.replace('-', BASH_SEP));
    let right = format!("{}{BASH_SEP}", bin.replace('-', "__"));
    let mut out = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        let label = line.trim();
        if label.starts_with(&wrong) && label.ends_with(')') {
            out.push_str(&line.replacen(&wrong, &right, 1));
        } else {
            out.push_str(line);
        }
    }
    out
}

pub fn run(a: Args) -> Result<Outcome> {
    let script = script(a.shell);
    super::out!("{}", String::from_utf8_lossy(&script));
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_commands() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let s = String::from_utf8(script(shell)).unwrap();
            assert!(s.contains("soc2-evidence"), "{shell}");
            assert!(s.contains("export") && s.contains("completions"), "{shell}");
        }
    }

    /// Every branch of the bash script's `case "${cmd}"` is a state its word loop can set
    /// (`cmd="…"`), and every state has its branch: otherwise a subcommand's options never
    /// complete.
    #[test]
    fn bash_branches_match_the_states_the_word_loop_sets() {
        let s = String::from_utf8(script(Shell::Bash)).unwrap();
        let states: std::collections::BTreeSet<&str> = s
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|l| !l.is_empty())
            .collect();
        // Branch labels of the second `case`: lines of 8 spaces and a state name, then `)`.
        let branches: std::collections::BTreeSet<&str> = s
            .lines()
            .filter_map(|l| l.strip_prefix("        "))
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.strip_suffix(')'))
            .filter(|l| l.starts_with("soc2"))
            .collect();
        assert!(
            states.contains("soc2__evidence__subcmd__assess"),
            "{states:?}"
        );
        assert_eq!(branches, states);

        // The generator's own output has the mismatch this works around; if a new
        // clap_complete fixes it, the fix-up is a no-op and this part can go.
        let mut cmd = Cli::command();
        let mut raw = Vec::new();
        clap_complete::generate(Shell::Bash, &mut cmd, BIN, &mut raw);
        let raw = String::from_utf8(raw).unwrap();
        assert_eq!(fix_bash_branches(&raw, BIN), s);
        assert_eq!(fix_bash_branches(&s, BIN), s, "the fix-up is idempotent");
    }
}
