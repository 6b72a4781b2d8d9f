//! The `tally` binary: parse the command line, run, exit with the code.

fn main() -> std::process::ExitCode {
    tally::cli::main()
}
