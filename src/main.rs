//! The `salesops` binary: parses arguments and maps errors to exit codes.

use clap::Parser;

fn main() {
    let cli = salesops::cli::Cli::parse();
    if let Err(err) = salesops::cli::run(cli) {
        let message = format!("{err:#}");
        // Validation reports already start every line with "error: ".
        if message.starts_with("error: ") {
            eprintln!("{message}");
        } else {
            eprintln!("error: {message}");
        }
        std::process::exit(salesops::cli::exit_code(&err));
    }
}
