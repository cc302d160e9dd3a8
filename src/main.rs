//! The `salesops` binary: parses arguments and maps errors to exit codes
//! (README, "Exit codes"): a usage error of the command line exits 3, like
//! every other usage or configuration error; `--help` and `--version` exit 0.

use clap::Parser;

fn main() {
    let cli = match salesops::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                salesops::cli::EXIT_USAGE
            } else {
                salesops::cli::EXIT_OK
            };
            // Printing help to a closed pipe is not worth a panic.
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(err) = salesops::cli::run(cli) {
        if !salesops::cli::is_broken_pipe(&err) {
            eprintln!("error: {err:#}");
        }
        std::process::exit(salesops::cli::exit_code(&err));
    }
}
