//! Command-line interface: argument parsing and the command handlers.

/// A line on stderr that never fails the command: `2>&1 | head -1` closes
/// the pipe, and a progress or warning line must not then kill a command
/// whose outputs are half written (as `eprintln!`'s panic did).
macro_rules! note {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod commission;
mod convert;
mod flags;
mod gap;
mod plan;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;

use crate::generate::{generate, GenFormat, GenerateOptions};
use crate::ingest::{self, Dataset, LoadOptions, ValidationReport};
use crate::kpi::scorecard::output_columns;
use crate::kpi::view::ScorecardView;
use crate::kpi::{Engine, Grouping, Settings};
use crate::output::{render_table, write_atomic, write_csv, write_table, FileFormat, TableFormat};
use crate::period::{default_as_of, Period};
use crate::pipeline::Config;
use crate::Error;

/// salesops: sales KPIs, reports and commission inputs from CRM exports.
#[derive(Debug, Parser)]
#[command(name = "salesops", version, about)]
pub(crate) struct Cli {
    /// Command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check a data directory against the contract and report every bad row.
    Validate(ValidateArgs),
    /// Write a deterministic, realistic synthetic dataset.
    Generate(GenerateArgs),
    /// Per-rep (or per-group) scorecard for a period.
    Scorecard(ScorecardArgs),
    /// Every KPI table of a period (scorecard, roll-ups, aging, customers, funnel, flags) to a folder.
    Kpi(KpiArgs),
    /// Commission inputs for finance from a plan (`commission explain` tells how).
    Commission(commission::CommissionCommand),
    /// Self-contained HTML report of a period, in Chinese and/or English.
    Report(ReportArgs),
    /// The scheduled run: validate, compute every configured period's KPI
    /// tables and commission, publish `OUT/<as_of>/` with a manifest.
    Run(RunArgs),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Convert a raw CRM export into contract tables through a mapping profile.
    Ingest(convert::IngestArgs),
    /// Process integrity flags of a period (SPEC section 9): made-up visits,
    /// period-end stuffing, orders to debtors, stale pipeline, discounts and
    /// cross-region lines; one row per case with the ids that prove it.
    Flags(flags::FlagsArgs),
    /// Each rep's gap to his team's standard (SPEC section 8), split into
    /// workdays, visits per workday, conversion and order value.
    Gap(gap::GapArgs),
    /// Next year's targets from history (SPEC section 8): a company total
    /// split company → region → team → rep → month, exact to the cent,
    /// written as the targets table with an explanation of every share.
    Plan(plan::PlanArgs),
    /// Print the KPI catalogue as Markdown: every column with its unit,
    /// formula, roll-up rule and SPEC rule (the source of docs/kpis.md).
    Catalog,
}

/// Where and how a command writes its one table.
#[derive(Debug, Args)]
pub(crate) struct TableOutArgs {
    /// Output format (default: from the `--out` file's extension — .csv,
    /// .json, .parquet, .xlsx — else the text table).
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The rows of `df` whose `column` is one of `values` (given with the
/// option `flag`, each trimmed); all rows when `values` is empty. A value
/// that `known`'s `column` does not hold is refused (a usage error naming
/// the nearest value), so a typo never prints an empty table that reads as
/// "nothing here".
pub(crate) fn rows_in(
    df: polars::prelude::DataFrame,
    (column, flag): (&str, &str),
    values: &[String],
    known: &polars::prelude::DataFrame,
) -> anyhow::Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    if values.is_empty() {
        return Ok(df);
    }
    let values: Vec<String> = values.iter().map(|v| v.trim().to_string()).collect();
    crate::kpi::view::check_filter_values(known, column, flag, &values)?;
    let values = Series::new("values".into(), values);
    Ok(df
        .lazy()
        .filter(col(column).is_in(lit(values).implode(false), false))
        .collect()?)
}

/// `salesops report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options.
    #[command(flatten)]
    pub when: PeriodArgs,
    /// Output folder: `report_<period>_<lang>.html` / `.pdf`, and
    /// `teams/<team>.<lang>.<ext>`, `regions/<region>.<lang>.<ext>`.
    #[arg(long)]
    pub out: PathBuf,
    /// Formats (comma-separated: `html`, `pdf`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "html,pdf")]
    pub format: Vec<crate::report::ReportFormat>,
    /// Languages (comma-separated: `zh`, `en`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "zh,en")]
    pub lang: Vec<crate::report::Lang>,
    /// Reports to write (comma-separated: `company`, `teams`, `regions`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "company")]
    pub audience: Vec<crate::report::AudienceKind>,
    /// Reps listed at the top and bottom of company and region reports.
    #[arg(long, default_value_t = 10)]
    pub top_n: usize,
    /// ISO 4217 code of the data's money (e.g. CNY), named on money axes.
    #[arg(long, value_parser = crate::report::parse_currency)]
    pub currency: Option<String>,
}

/// `salesops run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The pipeline config, e.g. pipelines/nightly.toml.
    pub config: PathBuf,
    /// Last day of data included (default: yesterday).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

/// `salesops config …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check a pipeline config (and the commission plan it names) without running it.
    Check {
        /// The config file.
        file: PathBuf,
    },
}

/// Input options shared by every command that reads data.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// Directory holding `<table>.csv` or `<table>.parquet` files (with
    /// `--profile`: the folder of the raw export).
    #[arg(long)]
    pub data: PathBuf,
    /// Mapping profile (TOML) to read a raw CRM export directly, e.g.
    /// pipelines/profiles/maven_crm.toml.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Quarantine bad rows instead of failing, as long as each table's share of
    /// bad rows stays at or below this fraction (e.g. 0.01).
    #[arg(long, value_name = "SHARE")]
    pub max_reject_share: Option<f64>,
    /// Folder for the rejects files written when rows are quarantined.
    #[arg(long, value_name = "DIR", default_value = "rejects")]
    pub rejects: PathBuf,
    /// Validated store: keep a clean load's typed tables in this folder and,
    /// while every input file's SHA-256 is unchanged, read them from it
    /// instead of validating again (repeated ad-hoc runs on one export).
    /// Not used with `--profile`.
    #[arg(long, value_name = "DIR", conflicts_with = "profile")]
    pub store: Option<PathBuf>,
}

/// `salesops validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
}

/// `salesops generate`.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Size: 1 ≈ 40 reps, 2,000 customers, 60k visits, 40k order lines.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Random seed; the same seed gives byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// File format.
    #[arg(long, value_enum, default_value_t = GenFormat::Csv)]
    pub format: GenFormat,
    /// Last day of generated history (default 2026-10-31).
    #[arg(long, default_value = "2026-10-31")]
    pub end_date: NaiveDate,
    /// Add known cases of every integrity flag (SPEC section 9) in the
    /// latest month whose 5 workdays after lie within the history; ids
    /// carry `PLANT` (sample_data/README.md lists them). Without it the
    /// files are unchanged.
    #[arg(long)]
    pub plant_anomalies: bool,
}

/// Period options shared by every command that computes KPIs.
#[derive(Debug, Args)]
pub(crate) struct PeriodArgs {
    /// Period: `2026-10`, `2026-Q4`, `2026`, ISO week `2026-W44` or `2026-01-05..2026-02-10`.
    #[arg(long)]
    pub period: String,
    /// Last day of data included (default: yesterday).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Pipeline config file (TOML) whose `[kpi]` section sets churn_days,
    /// legacy_days, stages, stage probabilities and discount authority, and
    /// whose `[flags]` section sets the integrity flags' thresholds.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `salesops scorecard`.
#[derive(Debug, Args)]
pub(crate) struct ScorecardArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options.
    #[command(flatten)]
    pub when: PeriodArgs,
    /// Level of the rows.
    #[arg(long, value_enum, default_value_t = Grouping::Rep)]
    pub by: Grouping,
    /// Keep only these reps (comma-separated rep_ids; rep rows only).
    #[arg(long, value_delimiter = ',')]
    pub rep: Vec<String>,
    /// Keep only these teams (rep or team rows).
    #[arg(long, value_delimiter = ',')]
    pub team: Vec<String>,
    /// Keep only these regions (rep or region rows).
    #[arg(long, value_delimiter = ',')]
    pub region: Vec<String>,
    /// Sort by a column: `COLUMN`, `COLUMN:asc` or `COLUMN:desc` (numbers sort
    /// descending and text ascending by default; nulls last).
    #[arg(long)]
    pub sort: Option<String>,
    /// Show only these columns, in this order (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Output format (default: from the `--out` file's extension — .csv,
    /// .json, .parquet, .xlsx — else the text table).
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `salesops kpi`.
#[derive(Debug, Args)]
pub(crate) struct KpiArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options.
    #[command(flatten)]
    pub when: PeriodArgs,
    /// Output folder; each table is written as `<table>.<format>`.
    #[arg(long)]
    pub out: PathBuf,
    /// File formats (comma-separated: `csv`, `parquet`, `xlsx`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "csv")]
    pub format: Vec<FileFormat>,
    /// CSV for people opening it in Excel: a UTF-8 byte order mark (Chinese
    /// names open intact) and formula-like text made inert.
    #[arg(long)]
    pub excel: bool,
}

pub(crate) use crate::error::{EXIT_INTERNAL, EXIT_OK, EXIT_USAGE};

/// Maps an error to its documented exit code ([`Error::exit_code`]); a
/// write to a closed pipe (`salesops scorecard … | head`) is success, since
/// the reader took all it wanted; an error that is not ours is internal.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if is_broken_pipe(err) {
        return EXIT_OK;
    }
    match err.downcast_ref::<Error>() {
        Some(e) => e.exit_code(),
        None => EXIT_INTERNAL,
    }
}

/// Whether the error is a write to a closed pipe, at any depth.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            match cause.downcast_ref::<Error>() {
                Some(Error::Io { error, .. }) => Some(error),
                _ => None,
            }
        });
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The binary's whole life: parses the arguments, runs the command, prints
/// an error and returns the exit code (README, "Exit codes"). A usage error
/// of the command line exits 3, like every other usage or configuration
/// error; `--help` and `--version` exit 0.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            // Printing help to a closed pipe is not worth a panic.
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => EXIT_OK,
        Err(err) => {
            if !is_broken_pipe(&err) {
                note!("error: {err:#}");
            }
            exit_code(&err)
        }
    }
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Validate(a) => validate(a),
        Command::Generate(a) => run_generate(a),
        Command::Scorecard(a) => run_scorecard(a),
        Command::Kpi(a) => run_kpi(a),
        Command::Commission(a) => commission::run_commission(a),
        Command::Report(a) => run_report(a),
        Command::Run(a) => run_pipeline(a),
        Command::Config(ConfigCommand::Check { file }) => check_config(&file),
        Command::Ingest(a) => convert::run_ingest(a),
        Command::Flags(a) => flags::run_flags(a),
        Command::Gap(a) => gap::run_gap(a),
        Command::Plan(a) => plan::run_plan(a),
        Command::Catalog => {
            std::io::stdout().write_all(crate::kpi::catalog::markdown().as_bytes())?;
            Ok(())
        }
    }
}

pub(crate) fn print_warnings(warnings: &[String]) {
    for w in warnings {
        note!(
            "warning: {}",
            crate::ingest::clip(w, crate::kpi::context::WARNING_LIMIT)
        );
    }
}

/// The reject policy of `--max-reject-share`, refused outside 0..=1.
pub(crate) fn load_options(max_reject_share: Option<f64>) -> anyhow::Result<LoadOptions> {
    if let Some(x) = max_reject_share {
        if !(0.0..=1.0).contains(&x) {
            return Err(
                Error::Usage(format!("--max-reject-share {x} must be between 0 and 1")).into(),
            );
        }
    }
    Ok(LoadOptions { max_reject_share })
}

/// Loads a data directory; writes rejects files when rows were quarantined.
pub(crate) fn load_data(input: &DataArgs) -> anyhow::Result<(Dataset, ValidationReport)> {
    let opts = load_options(input.max_reject_share)?;
    let (data, report) = match &input.profile {
        Some(profile) => {
            let profile = ingest::Profile::load(profile)?;
            ingest::load_with_profile(&profile, &input.data, &opts)?
        }
        None => match &input.store {
            Some(store) => {
                let (data, report, used) =
                    ingest::load_with_store(&input.data, &opts, store, crate::kpi::stored_facts())?;
                if let Some(line) = used.hit_line(store) {
                    note!("{line}");
                }
                if let Some(w) = used.warning() {
                    note!("warning: {w}");
                }
                (data, report)
            }
            None => ingest::load_on_disk(&input.data, &opts)?,
        },
    };
    print_warnings(&report.warnings);
    write_rejects(&report, &input.rejects)?;
    Ok((data, report))
}

fn write_rejects(report: &ValidationReport, dir: &Path) -> anyhow::Result<()> {
    if report.rejects.is_empty() {
        return Ok(());
    }
    let _ = write!(std::io::stderr(), "{}", report.render());
    for (table, df) in &report.rejects {
        let path = dir.join(format!("{table}_rejects.csv"));
        write_csv(df, &path)?;
        note!(
            "warning: {table}: {} row(s) quarantined to {}",
            df.height(),
            path.display()
        );
    }
    Ok(())
}

fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let (_, report) = load_data(&args.input)?;
    let mut out = std::io::stdout().lock();
    for (table, c) in &report.counts {
        writeln!(out, "{table}: {} rows, {} rejected", c.rows, c.bad_rows)?;
    }
    writeln!(
        out,
        "ok: {} problem(s), {} warning(s)",
        report.problem_total(),
        report.warnings.len()
    )?;
    Ok(())
}

fn run_generate(args: GenerateArgs) -> anyhow::Result<()> {
    if args.scale.is_nan() || args.scale <= 0.0 {
        return Err(Error::Usage("--scale must be a positive number".into()).into());
    }
    let opts = GenerateOptions {
        out: args.out.clone(),
        scale: args.scale,
        seed: args.seed,
        format: args.format,
        end_date: args.end_date,
        plant_anomalies: args.plant_anomalies,
    };
    let summary =
        generate(&opts).with_context(|| format!("generating into {}", args.out.display()))?;
    for (table, rows) in summary.rows {
        note!("{table}: {rows} rows");
    }
    Ok(())
}

/// Period, as_of and KPI settings from the command line.
pub(crate) fn resolve_period(args: &PeriodArgs) -> anyhow::Result<(Period, NaiveDate, Settings)> {
    let period = Period::parse(&args.period)?;
    let as_of = args.as_of.unwrap_or_else(default_as_of);
    let settings = match &args.config {
        Some(path) => Config::load(path)?.kpi,
        None => Settings::default(),
    };
    Ok((period, as_of, settings))
}

fn run_scorecard(args: ScorecardArgs) -> anyhow::Result<()> {
    let (period, as_of, settings) = resolve_period(&args.when)?;
    let format = TableFormat::resolve(args.format, args.out.as_deref())?;
    let (data, _) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    let pe = engine.period_end(&period)?;
    let view = ScorecardView {
        by: Some(args.by),
        reps: args.rep.clone(),
        teams: args.team.clone(),
        regions: args.region.clone(),
        sort: args.sort.clone(),
        columns: args.columns.clone(),
    };
    view.check()?;
    let df = engine.scorecard(&period, args.by)?;
    print_warnings(&engine.all_warnings());
    let (df, types) = view.apply(df, output_columns(args.by))?;
    emit_table(
        &df,
        &types,
        format,
        args.out.as_deref(),
        (
            "scorecard",
            &format!("period {period} (as_of {as_of}, data through {pe})"),
        ),
    )
}

/// Writes a table to the file `out`, or to stdout (the text table under
/// its `heading`); an XLSX workbook's sheet is named `sheet`.
pub(crate) fn emit_table(
    df: &polars::prelude::DataFrame,
    types: &[(&str, crate::column_type::ColumnType)],
    format: TableFormat,
    out: Option<&Path>,
    (sheet, heading): (&str, &str),
) -> anyhow::Result<()> {
    match out {
        Some(path) => write_table(df, types, format, sheet, path)?,
        None => {
            let bytes = render_table(df, types, format, sheet)?;
            let mut stdout = std::io::stdout().lock();
            if format == TableFormat::Table {
                writeln!(stdout, "{heading}")?;
            }
            stdout.write_all(&bytes)?;
        }
    }
    Ok(())
}

fn run_kpi(args: KpiArgs) -> anyhow::Result<()> {
    let (period, as_of, settings) = resolve_period(&args.when)?;
    if args.format.is_empty() {
        return Err(
            Error::Usage("--format needs at least one of csv, parquet, xlsx".into()).into(),
        );
    }
    if let Some(store) = &args.input.store {
        // The store replaces its entries: never the KPI folder's files.
        if ingest::resolved(&args.out).starts_with(ingest::resolved(store)) {
            return Err(Error::Usage(format!(
                "the validated store {} is the output folder {} or holds it; give the store a folder of its own beside the output (e.g. --store {}.store)",
                store.display(),
                args.out.display(),
                args.out.display()
            ))
            .into());
        }
    }
    let (data, _) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    // Everything is computed before the first file is written, so a failure
    // leaves the folder as it was.
    let tables = engine.tables(&period)?;
    print_warnings(&engine.all_warnings());
    // Rendered in parallel (the customer view and the flags take most of
    // it), all before the first file is written.
    let rendered = tables
        .par_iter()
        .flat_map_iter(|table| args.format.iter().map(move |format| (table, *format)))
        .map(|(table, format)| {
            let path = args
                .out
                .join(format!("{}.{}", table.name, format.extension()));
            Ok((
                path,
                crate::output::render_kpi_table(table, format, args.excel)?,
            ))
        })
        .collect::<Vec<crate::Result<_>>>();
    // The first failure in table order, whichever thread met it first.
    let rendered = rendered.into_iter().collect::<crate::Result<Vec<_>>>()?;
    for (path, bytes) in rendered {
        write_atomic(&path, |f| {
            f.write_all(&bytes).map_err(|e| Error::io(&path, e))
        })?;
    }
    for table in tables.iter() {
        note!("{}: {} row(s)", table.name, table.frame.height());
    }
    Ok(())
}

fn run_pipeline(args: RunArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(default_as_of);
    let summary = crate::pipeline::run::run(&args.config, as_of)?;
    print_warnings(&summary.manifest.warnings);
    for p in &summary.manifest.periods {
        note!("{}: {} ({}..{})", p.rule, p.period, p.start, p.end);
    }
    writeln!(
        std::io::stdout(),
        "published {} ({} file(s), manifest.json){}",
        summary.folder.display(),
        summary.manifest.outputs.len(),
        if summary.latest_moved {
            ""
        } else {
            "; latest unchanged (backfill)"
        }
    )?;
    Ok(())
}

fn check_config(path: &Path) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    if let Some(plan) = &config.commission.plan {
        let plan_path = base.join(plan);
        crate::commission::plan::Plan::load(&plan_path)?;
        writeln!(std::io::stdout(), "plan {}: ok", plan_path.display())?;
    }
    if let Some(profile) = &config.input.profile {
        let profile_path = base.join(profile);
        ingest::Profile::load(&profile_path)?;
        writeln!(std::io::stdout(), "profile {}: ok", profile_path.display())?;
    }
    match &config.input.data {
        Some(d) if !base.join(d).is_dir() => {
            note!(
                "warning: [input] data {} is not a directory (yet)",
                base.join(d).display()
            )
        }
        None => note!("warning: [input] data is not set; `salesops run` needs it"),
        _ => {}
    }
    if config.output.dir.is_none() {
        note!("warning: [output] dir is not set; `salesops run` needs it");
    }
    writeln!(std::io::stdout(), "config {}: ok", path.display())?;
    Ok(())
}

fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let (period, as_of, settings) = resolve_period(&args.when)?;
    let (data, report) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    let rows = report.rows_read();
    let report_data = crate::report::ReportData::compute(
        &engine,
        &period,
        &crate::report::ReportOptions {
            top_n: args.top_n,
            currency: args.currency.clone(),
        },
    )?;
    // Render every report before writing any file.
    let files = crate::report::render_all(
        &report_data,
        &args.audience,
        &args.lang,
        &args.format,
        &format!("report_{period}"),
        &rows,
        &|| {},
    )?;
    print_warnings(&engine.all_warnings());
    for (name, bytes) in files {
        let path = args.out.join(name);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        write_atomic(&path, |f| {
            f.write_all(&bytes).map_err(|e| Error::io(&path, e))
        })?;
        note!("report: {}", path.display());
    }
    Ok(())
}
