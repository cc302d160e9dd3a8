//! The `salesops` binary: parses arguments and maps errors to exit codes.

use clap::Parser;

fn main() {
    let cli = salesops::cli::Cli::parse();
    if let Err(err) = salesops::cli::run(cli) {
        eprintln!("error: {err:#}");
        std::process::exit(salesops::cli::exit_code(&err));
    }
}
