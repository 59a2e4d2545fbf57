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

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "soc2-evidence", &mut out);
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
}
