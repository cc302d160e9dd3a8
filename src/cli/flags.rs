//! `salesops flags`: the process integrity flags of a period (SPEC section 9).

use clap::Args;

use super::{
    emit_table, load_data, print_warnings, resolve_period, rows_in, DataArgs, PeriodArgs,
    TableOutArgs,
};
use crate::kpi::flags::{flags, Rule, FLAG_COLUMNS};
use crate::kpi::Engine;
use crate::lang::Lang;
use crate::output::TableFormat;

/// `salesops flags`.
#[derive(Debug, Args)]
pub(crate) struct FlagsArgs {
    /// Input options.
    #[command(flatten)]
    pub input: DataArgs,
    /// Period options (`--config` also sets the thresholds of `[flags]`).
    #[command(flatten)]
    pub when: PeriodArgs,
    /// Only these rules (comma-separated; default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub rule: Vec<Rule>,
    /// Only the flags credited to these reps (comma-separated rep_ids).
    #[arg(long, value_delimiter = ',')]
    pub rep: Vec<String>,
    /// Language of the `detail` sentences (`en` or `zh`).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Output options.
    #[command(flatten)]
    pub output: TableOutArgs,
}

/// Writes the `flags` table; a rule that could not be judged (not computed
/// yet, or its table absent) is a warning on stderr, never an empty result.
pub(crate) fn run_flags(args: FlagsArgs) -> anyhow::Result<()> {
    let (period, as_of, settings) = resolve_period(&args.when)?;
    let format = TableFormat::resolve(args.output.format, args.output.out.as_deref())?;
    let (data, _) = load_data(&args.input)?;
    let engine = Engine::new(&data, as_of, settings)?;
    let ctx = engine.context(&period)?;
    // Each rule once, in the table's order, however often it is named.
    let rules: Vec<Rule> = if args.rule.is_empty() {
        Rule::ALL.to_vec()
    } else {
        let named: std::collections::BTreeSet<Rule> = args.rule.iter().copied().collect();
        named.into_iter().collect()
    };
    let (df, missing) = flags(&ctx, &ctx.settings.flags, &rules, args.lang)?;
    let df = rows_in(df, ("rep_id", "--rep"), &args.rep, &ctx.reps()?.collect()?)?;
    print_warnings(&engine.all_warnings());
    for rule in &missing {
        eprintln!("warning: not judged, so absent from the table: {rule}");
    }
    emit_table(
        &df,
        &FLAG_COLUMNS,
        format,
        args.output.out.as_deref(),
        (
            "flags",
            &format!("flags {period} (as_of {as_of}, data through {})", ctx.pe),
        ),
    )
}
