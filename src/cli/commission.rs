//! `salesops commission` and `salesops commission explain`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{load_data, print_warnings, resolve_period, DataArgs, PeriodArgs};
use crate::commission::explain::explain;
use crate::commission::plan::Plan;
use crate::commission::{commission_for, CommissionOutput};
use crate::kpi::Engine;
use crate::output::{write_atomic, FileFormat};
use crate::Error;

/// `salesops commission [explain]`: the commission table, or an explanation.
#[derive(Debug, Args)]
pub(crate) struct CommissionCommand {
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
    /// Its format (default: from the `--out` file's extension — .csv,
    /// .parquet, .xlsx — else csv).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
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
pub(crate) enum CommissionAction {
    /// Explain the payout of the reps given with `--rep`, in words and numbers.
    Explain,
}

/// What every commission command reads.
#[derive(Debug, Args)]
pub(crate) struct CommissionInput {
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

/// Runs `salesops commission`.
pub(crate) fn run_commission(cmd: CommissionCommand) -> anyhow::Result<()> {
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

/// Loads plan and data and computes the balanced commission.
fn computed(
    common: &CommissionInput,
    with_detail: bool,
) -> anyhow::Result<(Plan, String, CommissionOutput)> {
    let plan = Plan::load(&common.plan)?;
    let (period, as_of, settings) = resolve_period(&common.when)?;
    let (data, _) = load_data(&common.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    let output = commission_for(&engine, &period, &plan, with_detail)?;
    print_warnings(&engine.all_warnings());
    Ok((plan, period.to_string(), output))
}

fn write_commission(args: &CommissionCommand) -> anyhow::Result<()> {
    let out = args
        .out
        .as_ref()
        .ok_or_else(|| Error::Usage("commission needs --out FILE".into()))?;
    let format = FileFormat::resolve(args.format, out, "--out")?;
    if let Some(detail) = &args.detail {
        if FileFormat::resolve(None, detail, "--detail").ok() != Some(format) {
            return Err(Error::Usage(format!(
                "--detail {} must be a .{} file: the detail is written in the commission table's format ({} for --out {})",
                detail.display(),
                format.extension(),
                format.extension(),
                out.display()
            ))
            .into());
        }
    }
    if args.excel && format != FileFormat::Csv {
        return Err(Error::Usage("--excel applies to --format csv only".into()).into());
    }
    let (_, _, output) = computed(&args.common, args.detail.is_some())?;
    // Render everything before writing anything, so a failure writes nothing.
    let bytes = output.table_bytes(format, args.excel)?;
    let detail_bytes = output.detail_bytes(format, args.excel)?;
    if let (Some(path), Some(b)) = (&args.detail, &detail_bytes) {
        write_atomic(path, |f| f.write_all(b).map_err(|e| Error::io(path, e)))?;
    }
    write_atomic(out, |f| f.write_all(&bytes).map_err(|e| Error::io(out, e)))?;
    for n in &output.without_row {
        eprintln!(
            "commission: {} ({}) has no payout: {}",
            n.rep_id, n.rep_name, n.reason
        );
    }
    eprintln!(
        "commission: {} rep row(s), {} team pool(s), control total {} written to {}",
        output.run.reps.len(),
        output.run.pools.len(),
        crate::money::format_cents_grouped(output.run.control_total),
        out.display()
    );
    Ok(())
}

fn run_explain(args: &CommissionCommand) -> anyhow::Result<()> {
    let (plan, period, output) = computed(&args.common, false)?;
    let text = explain(&plan, &output.run, &output.without_row, &period, &args.rep)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
