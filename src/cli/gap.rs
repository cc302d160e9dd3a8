//! `salesops gap`: each rep's gap to his team's standard (SPEC section 8).

use clap::Args;

use super::{
    emit_table, load_data, print_warnings, resolve_period, rows_in, DataArgs, PeriodArgs,
    TableOutArgs,
};
use crate::column_type::ColumnType;
use crate::kpi::gap::GAP_MONEY_COLUMNS;
use crate::kpi::Engine;
use crate::lang::Lang;
use crate::output::TableFormat;

/// `salesops gap`.
#[derive(Debug, Args)]
pub(crate) struct GapArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options.
    #[command(flatten)]
    pub when: PeriodArgs,
    /// Only these reps (comma-separated rep_ids).
    #[arg(long, value_delimiter = ',')]
    pub rep: Vec<String>,
    /// Only the reps of these teams (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub team: Vec<String>,
    /// Language of the `reading` column (`en` or `zh`).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Output options.
    #[command(flatten)]
    pub output: TableOutArgs,
}

/// The gap table's columns and their types (money in cents).
fn gap_columns() -> Vec<(&'static str, ColumnType)> {
    ["period", "rep_id", "rep_name", "team"]
        .iter()
        .map(|c| (*c, ColumnType::Text))
        .chain(GAP_MONEY_COLUMNS.iter().map(|c| (*c, ColumnType::Money)))
        .chain([("reading", ColumnType::Text)])
        .collect()
}

/// Writes the gap table of the period, one row per rep in rep_id order.
pub(crate) fn run_gap(args: GapArgs) -> anyhow::Result<()> {
    let (period, as_of, settings) = resolve_period(&args.when)?;
    let format = TableFormat::resolve(args.output.format, args.output.out.as_deref())?;
    let (data, _) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    let pe = engine.period_end(&period)?;
    let all = engine.gap(&period, args.lang)?;
    let reps = rows_in(all.clone(), ("rep_id", "--rep"), &args.rep, &all)?;
    let df = rows_in(reps, ("team", "--team"), &args.team, &all)?;
    print_warnings(&engine.all_warnings());
    emit_table(
        &df,
        &gap_columns(),
        format,
        args.output.out.as_deref(),
        (
            "gap",
            &format!("gap to the team standard {period} (as_of {as_of}, data through {pe})"),
        ),
    )
}
