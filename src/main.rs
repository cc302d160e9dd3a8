//! The `salesops` binary: everything is in the library's `cli::main`, which
//! parses the arguments, runs the command and maps errors to exit codes
//! (README, "Exit codes").

fn main() {
    std::process::exit(salesops::cli::main());
}
