//! The `soc2-evidence` binary: a thin shell over the library's CLI.

fn main() {
    std::process::exit(soc2_evidence::cli::main());
}
