//! The `salesops` binary: everything is in the library's `cli::main`, which
//! parses the arguments, runs the command and maps errors to exit codes
//! (README, "Exit codes").

/// On Linux, jemalloc instead of glibc's malloc, with one arena per CPU
/// (`percpu_arena:percpu`, set at build time in `.cargo/config.toml`):
/// polars' plans and the PDF typesetting allocate small objects by the
/// million from a dozen threads. Measured side by side (warm `salesops
/// kpi`, one month; `run pipelines/nightly.toml`, scale 20):
/// - glibc spent about a sixth of a report run's time in malloc and free;
///   with two arenas it held the least memory but the nightly run took
///   15 % longer;
/// - mimalloc (v3, then v2) was as fast but held the most: its freed
///   pages stay resident, 520 MB at scale 20 against 275 MB here, and
///   1.07 GB against 0.83 GB at scale 100;
/// - jemalloc with its default four arenas per CPU held 320 MB at scale 20.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    std::process::exit(salesops::cli::main());
}
