//! The `salesops` binary: everything is in the library's `cli::main`, which
//! parses the arguments, runs the command and maps errors to exit codes
//! (README, "Exit codes").

/// On Linux, jemalloc instead of glibc's malloc, with one arena per CPU
/// and no eagerly purged arena for large buffers
/// (`percpu_arena:percpu,oversize_threshold:0`, set at build time in
/// `.cargo/config.toml`, which gives the figures and why transparent huge
/// pages are off): polars' plans and the PDF typesetting
/// allocate small objects by the million from a dozen threads. Measured
/// side by side (`salesops kpi` for one month; `run pipelines/nightly.toml`;
/// scale 20 and 100):
/// - glibc spent about a sixth of a report run's time in malloc and free;
///   with two arenas it held the least memory but the nightly run took
///   15 % longer;
/// - mimalloc (v3, then v2) was as fast but held the most: its freed
///   pages stay resident (warm, 520 MB at scale 20 against 290–310 MB here,
///   1.07 GB at scale 100 against 0.78 GB);
/// - jemalloc without huge pages held 10–15 % less than here but validated
///   18 % slower (page faults); with its default four arenas per CPU it
///   held 320 MB at scale 20.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    std::process::exit(salesops::cli::main());
}
