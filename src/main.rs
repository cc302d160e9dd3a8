//! The `salesops` binary: everything is in the library's `cli::main`, which
//! parses the arguments, runs the command and maps errors to exit codes
//! (README, "Exit codes").

/// mimalloc instead of glibc's malloc: typesetting a PDF per team and the
/// polars plans both allocate small objects by the million, and glibc's
/// allocator spent about a sixth of a report run's time (perf, scale 20).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(salesops::cli::main());
}
