//! `salesops commission` and `salesops commission explain`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{load_data, print_warnings, resolve_period, DataArgs, PeriodArgs};
use crate::commission::compute::{compute, CommissionRun};
use crate::commission::explain::explain;
use crate::commission::plan::Plan;
use crate::commission::{
    check_detail_foots, check_validity, commission_table, detail, rep_inputs, table_columns,
    DETAIL_COLUMNS,
};
use crate::kpi::{ColumnType, KpiContext};
use crate::output::{render_table, render_xlsx, write_atomic, TableFormat, UTF8_BOM};
use crate::Error;

/// `salesops commission [explain]`: the commission table, or an explanation.
#[derive(Debug, Args)]
pub struct CommissionCommand {
    /// `explain`: tell how each tier, the cap and the pool made the payout of
    /// the reps given with `--rep`, instead of writing the table.
    #[arg(value_enum)]
    pub action: Option<CommissionAction>,
    /// What is read.
    #[command(flatten)]
    pub common: CommissionInput,
    /// The commission table file.
    #[arg(long, required_unless_present = "action")]
    pub out: Option<PathBuf>,
    /// Its format.
    #[arg(long, value_enum, default_value_t = CommissionFormat::Csv)]
    pub format: CommissionFormat,
    /// CSV for Excel: UTF-8 with a byte order mark so Chinese names open intact.
    #[arg(long)]
    pub excel: bool,
    /// Also write one row per contributing payment or order line (same format).
    #[arg(long)]
    pub detail: Option<PathBuf>,
    /// With `explain`: the reps to explain (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub rep: Vec<String>,
}

/// What `salesops commission` does besides writing the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommissionAction {
    /// Explain the payout of the reps given with `--rep`, in words and numbers.
    Explain,
}

/// What every commission command reads.
#[derive(Debug, Args)]
pub struct CommissionInput {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options.
    #[command(flatten)]
    pub when: PeriodArgs,
    /// The commission plan (TOML), e.g. pipelines/commission.toml.
    #[arg(long)]
    pub plan: PathBuf,
}

/// File format of the commission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommissionFormat {
    /// CSV, money with 2 decimals (add `--excel` for a byte order mark).
    Csv,
    /// Parquet, money as Decimal(18,2).
    Parquet,
    /// Excel workbook: number formats, frozen header, bold total row.
    Xlsx,
}

/// Runs `salesops commission`.
pub fn run_commission(cmd: CommissionCommand) -> anyhow::Result<()> {
    match cmd.action {
        Some(CommissionAction::Explain) if cmd.rep.is_empty() => Err(Error::Usage(
            "commission explain needs --rep ID (comma-separated for several)".into(),
        )
        .into()),
        Some(CommissionAction::Explain) => run_explain(&cmd),
        None if !cmd.rep.is_empty() => Err(Error::Usage(
            "--rep selects reps to explain: use `salesops commission explain --rep …`".into(),
        )
        .into()),
        None => write_commission(&cmd),
    }
}

/// Loads plan and data and computes the balanced commission run.
fn computed(
    common: &CommissionInput,
    with_detail: bool,
) -> anyhow::Result<(
    Plan,
    String,
    CommissionRun,
    Option<polars::prelude::DataFrame>,
)> {
    let plan = Plan::load(&common.plan)?;
    let (period, as_of, settings) = resolve_period(&common.when)?;
    let (data, _) = load_data(&common.input)?;
    let ctx = KpiContext::new(&data, period, as_of, settings)?;
    check_validity(&plan, &ctx)?;
    let run = compute(&plan, rep_inputs(&ctx, &plan)?);
    if run.imbalance() != 0 {
        return Err(Error::Invalid(format!(
            "internal error: Σ final payable + Σ discretionary pools differs from Σ capped commission by {} cents; nothing was written",
            run.imbalance()
        ))
        .into());
    }
    let detail = if with_detail {
        let d = detail(&ctx, &plan)?;
        check_detail_foots(&d, &run)?;
        Some(d)
    } else {
        None
    };
    print_warnings(&ctx.warnings());
    Ok((plan, ctx.period.to_string(), run, detail))
}

fn render(
    df: &polars::prelude::DataFrame,
    types: &[(&str, ColumnType)],
    args: &CommissionCommand,
    sheet: &str,
    bold_rows: &[usize],
) -> anyhow::Result<Vec<u8>> {
    Ok(match args.format {
        CommissionFormat::Csv => {
            let body = render_table(df, types, TableFormat::Csv)?;
            if args.excel {
                [UTF8_BOM, &body].concat()
            } else {
                body
            }
        }
        CommissionFormat::Parquet => render_table(df, types, TableFormat::Parquet)?,
        CommissionFormat::Xlsx => render_xlsx(df, types, sheet, bold_rows)?,
    })
}

fn write_commission(args: &CommissionCommand) -> anyhow::Result<()> {
    let out = args
        .out
        .as_ref()
        .ok_or_else(|| Error::Usage("commission needs --out FILE".into()))?;
    if args.excel && args.format != CommissionFormat::Csv {
        return Err(Error::Usage("--excel applies to --format csv only".into()).into());
    }
    let (_, period, run, detail) = computed(&args.common, args.detail.is_some())?;
    let table = commission_table(&run, &period)?;
    let columns = table_columns(run.reps.first().map_or(0, |r| r.tiers.len()));
    let types: Vec<(&str, ColumnType)> = columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let bytes = render(&table, &types, args, "commission", &[table.height() - 1])?;
    // Render everything before writing anything, so a failure writes nothing.
    let detail_bytes = match &detail {
        Some(d) => Some(render(d, DETAIL_COLUMNS, args, "detail", &[])?),
        None => None,
    };
    if let (Some(path), Some(b)) = (&args.detail, &detail_bytes) {
        write_atomic(path, |f| f.write_all(b).map_err(|e| Error::io(path, e)))?;
    }
    write_atomic(out, |f| f.write_all(&bytes).map_err(|e| Error::io(out, e)))?;
    eprintln!(
        "commission: {} rep row(s), {} team pool(s), control total {} written to {}",
        run.reps.len(),
        run.pools.len(),
        crate::money::format_cents_grouped(run.control_total),
        out.display()
    );
    Ok(())
}

fn run_explain(args: &CommissionCommand) -> anyhow::Result<()> {
    let (plan, period, run, _) = computed(&args.common, false)?;
    let text = explain(&plan, &run, &period, &args.rep)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
