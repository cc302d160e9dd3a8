//! `salesops plan`: next year's targets from history (SPEC section 8).

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{ArgGroup, Args};

use super::{load_data, print_warnings, DataArgs};
use crate::kpi::{Engine, Settings};
use crate::money::{format_cents_grouped, parse_cents_text, parse_units_text};
use crate::output::{render_table, write_atomic, write_table, TableFormat};
use crate::period::default_as_of;
use crate::pipeline::Config;
use crate::plan::settings::{check_collection_ratio, PlanSettings};
use crate::plan::tree::Level;
use crate::plan::{explain, CollectionRatio, PlanRequest, PlanTotal};
use crate::Error;

/// `salesops plan`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("company_total").required(true).args(["total", "growth"])))]
pub(crate) struct PlanArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// The plan year, e.g. 2027.
    #[arg(long)]
    pub year: i32,
    /// The year's company sales target (money, e.g. 120000000 or 1.2e8).
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub total: Option<String>,
    /// Growth over the base year's sales (e.g. 0.12 for +12 %, -0.05 for
    /// −5 %); the base year is the twelve full months up to --as-of.
    #[arg(long, value_name = "RATE", allow_hyphen_values = true)]
    pub growth: Option<String>,
    /// Last day of history read (default: yesterday).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Pipeline config whose `[plan]` section sets history_weight,
    /// ramp_months, collection_ratio and roles (and `[kpi]` the sales rules).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Collection targets as this share of the sales targets (e.g. 0.95);
    /// overrides `[plan] collection_ratio`.
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true)]
    pub collection_ratio: Option<String>,
    /// CSV of fixed annual sales targets (`level,id,sales_target`, level
    /// `region`, `team` or `rep`); the rest is spread over the other units.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// The targets file (.csv or .parquet, the contract's targets table:
    /// monthly rows per rep).
    #[arg(long)]
    pub out: PathBuf,
    /// `--out` is an existing targets CSV (the data directory's, say): keep
    /// its rows for other years as written and replace the plan year's.
    #[arg(long)]
    pub merge: bool,
    /// Also write each unit's shares and why (.csv, .json, .parquet, .xlsx
    /// or .txt).
    #[arg(long, value_name = "FILE")]
    pub explain: Option<PathBuf>,
}

/// Years a plan may be for: those a calendar month can be built in.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Runs `salesops plan`: reads the data, decomposes, writes the targets
/// (and the explanation) once everything is computed.
pub(crate) fn run_plan(args: PlanArgs) -> anyhow::Result<()> {
    if !YEARS.contains(&args.year) {
        return Err(Error::Usage(format!(
            "--year {} must be between 1900 and 9999",
            args.year
        ))
        .into());
    }
    let targets_format = TableFormat::resolve(None, Some(&args.out))?;
    if !matches!(targets_format, TableFormat::Csv | TableFormat::Parquet) {
        return Err(Error::Usage(format!(
            "--out {}: the targets are read back as the targets table, so name the file .csv or .parquet",
            args.out.display()
        ))
        .into());
    }
    if args.merge && targets_format != TableFormat::Csv {
        return Err(Error::Usage(
            "--merge works on a .csv targets file; write Parquet targets without it".into(),
        )
        .into());
    }
    if args
        .explain
        .as_deref()
        .is_some_and(|e| same_file(e, &args.out))
    {
        return Err(Error::Usage(format!(
            "--explain and --out name the same file {}: give the explanation its own file",
            args.out.display()
        ))
        .into());
    }
    if !args.merge {
        refuse_overwriting_other_years(&args.out, args.year)?;
    }
    refuse_a_second_targets_file(&args.out)?;
    let explain_format = args
        .explain
        .as_deref()
        .map(|p| TableFormat::resolve(None, Some(p)))
        .transpose()?;
    let (kpi, mut settings) = match &args.config {
        Some(path) => {
            let c = Config::load(path)?;
            (c.kpi, c.plan)
        }
        None => (Settings::default(), PlanSettings::default()),
    };
    let collection_ratio = match args.collection_ratio.as_deref() {
        Some(text) => Some(ratio_of(text)?),
        None => settings
            .collection_ratio
            .map(|r| ratio_of(&r.to_string()))
            .transpose()?,
    };
    settings.collection_ratio = None;
    let total = company_total(&args)?;
    let as_of = args.as_of.unwrap_or_else(default_as_of);
    let (data, _) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, kpi)?;
    let request = PlanRequest {
        year: args.year,
        total,
        collection_ratio,
        overrides: args.overrides.clone(),
        settings,
    };
    let plan = crate::plan::plan(&engine, &request)?;
    print_warnings(&engine.all_warnings());
    print_warnings(&plan.warnings);
    if args.merge && args.out.exists() {
        let planned = render_table(
            &plan.targets,
            &explain::TARGET_COLUMNS,
            targets_format,
            "targets",
        )?;
        let merged = crate::plan::merge::merge_targets(&args.out, &planned, args.year)?;
        write_atomic(&args.out, |f| {
            f.write_all(&merged).map_err(|e| Error::io(&args.out, e))
        })?;
    } else {
        write_table(
            &plan.targets,
            &explain::TARGET_COLUMNS,
            targets_format,
            "targets",
            &args.out,
        )?;
    }
    if let (Some(path), Some(format)) = (&args.explain, explain_format) {
        write_table(
            &plan.explain,
            &explain::EXPLAIN_COLUMNS,
            format,
            "plan",
            path,
        )?;
    }
    let count = |level| plan.tree.at(level).count();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "plan {}: {} to {} rep(s) in {} team(s), {} region(s); base year {}..{}; {}",
        args.year,
        format_cents_grouped(plan.basis.total),
        count(Level::Rep),
        count(Level::Team),
        count(Level::Region),
        plan.basis.base.start,
        plan.basis.base.end,
        explain::shape_summary(&plan.basis.shape)
    )?;
    writeln!(
        out,
        "targets: {} ({} row(s))",
        args.out.display(),
        plan.targets.height()
    )?;
    if let Some(path) = &args.explain {
        writeln!(out, "explanation: {}", path.display())?;
    }
    Ok(())
}

/// Whether two paths name the same file (the same path, or the same file
/// reached two ways).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let folder = |p: &std::path::Path| {
        let parent = p.parent().filter(|f| !f.as_os_str().is_empty());
        parent
            .unwrap_or(std::path::Path::new("."))
            .canonicalize()
            .ok()
    };
    a == b || (a.file_name() == b.file_name() && folder(a).is_some() && folder(a) == folder(b))
}

/// A targets CSV at `out` that holds rows of other years would lose them:
/// refused, pointing at `--merge`.
fn refuse_overwriting_other_years(out: &std::path::Path, year: i32) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let others = crate::plan::merge::other_year_periods(out, year)?;
    if let Some(first) = others.first() {
        return Err(Error::Usage(format!(
            "{} holds targets of other years ({} row(s), e.g. {first}) that this would overwrite: add --merge to keep them and replace {year}, or write elsewhere",
            out.display(),
            others.len()
        ))
        .into());
    }
    Ok(())
}

/// `DATA/targets.parquet` written beside `DATA/targets.csv` (or the other
/// way round) would leave a data folder that no run can read: refused.
fn refuse_a_second_targets_file(out: &std::path::Path) -> anyhow::Result<()> {
    if out.file_stem().and_then(|s| s.to_str()) != Some("targets") {
        return Ok(());
    }
    for other in ["csv", "parquet"] {
        let twin = out.with_extension(other);
        if twin != out && twin.exists() {
            return Err(Error::Usage(format!(
                "{} exists beside {}: a data folder holds either targets.csv or targets.parquet, never both; write the same format, or remove the other first",
                twin.display(),
                out.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// `--total` or `--growth` as asked.
fn company_total(args: &PlanArgs) -> anyhow::Result<PlanTotal> {
    if let Some(text) = &args.total {
        let cents = parse_cents_text(text).ok_or_else(|| {
            Error::Usage(format!(
                "--total `{text}` is not an amount of money (write e.g. 120000000 or 1.2e8, at most 4 decimals)"
            ))
        })?;
        if cents <= 0 {
            return Err(Error::Usage(format!("--total {text} must be above 0")).into());
        }
        return Ok(PlanTotal::Given(cents));
    }
    let text = args.growth.as_deref().unwrap_or_default();
    let units = parse_units_text(text).ok_or_else(|| {
        Error::Usage(format!(
            "--growth `{text}` is not a rate (write e.g. 0.12 for +12 %, at most 4 decimals)"
        ))
    })?;
    Ok(PlanTotal::Growth(units, text.trim().to_string()))
}

/// A collection ratio read exactly (at most 4 decimals) and checked.
fn ratio_of(text: &str) -> anyhow::Result<CollectionRatio> {
    let units = parse_units_text(text).ok_or_else(|| {
        Error::Usage(format!(
            "collection ratio `{text}` is not a number with at most 4 decimals (e.g. 0.95)"
        ))
    })?;
    check_collection_ratio(units as f64 / 10_000.0).map_err(Error::Usage)?;
    Ok(CollectionRatio {
        units,
        text: text.trim().to_string(),
    })
}
