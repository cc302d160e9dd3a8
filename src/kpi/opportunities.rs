//! Opportunity KPIs (SPEC section 3, rule 9): opportunities created, won and
//! lost, win rate, sales cycle, open and weighted pipeline.
//!
//! Only opportunities created ≤ as_of are seen. The current `stage` is compared
//! trimmed and lower-cased; an opportunity is closed by `PE` when its stage is
//! `won` or `lost` and its close_date ≤ PE.

use polars::prelude::*;

use crate::kpi::date_lit;

use super::context::{GroupByRep, KpiContext};
use super::ratio;
use crate::money::div_round_half_away;
use crate::Result;

/// Columns of [`pipeline_parts`] besides `__group`, all Int64 (counts, days
/// or cents).
pub(crate) const PIPELINE_COLUMNS: &[&str] = &[
    "opps_created",
    "opps_won",
    "opps_lost",
    "__won_cycle_days_sum",
    "open_pipeline",
    "weighted_pipeline",
];

/// Probabilities are applied in millionths so that the weighted amount is
/// rounded once, exactly, in integers.
const PPM: i64 = 1_000_000;

/// The current stage, trimmed and lower-cased.
pub(crate) fn stage_norm() -> Expr {
    crate::text::folded(col("stage"))
}

/// The column [`opportunities`] adds with [`stage_norm`], so the stage is
/// folded once per row, not once per comparison.
const STAGE: &str = "__stage";

/// The stage's default probability in millionths (null for a stage without one).
fn stage_default_ppm(ctx: &KpiContext) -> Expr {
    let mut expr = lit(NULL).cast(DataType::Int64);
    for (stage, p) in &ctx.settings.stage_probabilities {
        expr = when(col(STAGE).eq(lit(stage.as_str())))
            .then(lit((p * PPM as f64).round() as i64))
            .otherwise(expr);
    }
    expr
}

/// Probability in millionths: the opportunity's own (validated in 0..1),
/// else its stage's default.
fn probability_ppm(ctx: &KpiContext) -> Expr {
    ((col("probability") * lit(PPM as f64)) + lit(0.5))
        .floor()
        .cast(DataType::Int64)
        .fill_null(stage_default_ppm(ctx))
}

/// Opportunities created ≤ as_of, with the folded stage (`__stage`) and
/// `__closed_by_pe`; computed once per period.
fn opportunities(ctx: &KpiContext) -> Option<LazyFrame> {
    let opps = ctx.table("opportunities", "opportunity and pipeline KPIs")?;
    let closed = col(STAGE)
        .is_in(
            lit(Series::new("s".into(), ["won", "lost"])).implode(false),
            false,
        )
        .and(col("close_date").lt_eq(date_lit(ctx.pe)))
        .fill_null(lit(false));
    Some(ctx.memo("period_opportunities", || {
        opps.filter(col("created_date").lt_eq(date_lit(ctx.as_of)))
            .with_column(stage_norm().alias(STAGE))
            .with_column(closed.alias("__closed_by_pe"))
    }))
}

/// An opportunity is open at PE when it was created by PE and is not
/// closed by PE (the pipeline's set).
fn open_by_pe(ctx: &KpiContext) -> Expr {
    col("created_date")
        .lt_eq(date_lit(ctx.pe))
        .and(col("__closed_by_pe").not())
}

/// The opportunities open at PE (created ≤ as_of and ≤ PE, not won or lost
/// by PE); `None` without the opportunities table.
pub(crate) fn open_at_pe(ctx: &KpiContext) -> Option<LazyFrame> {
    Some(opportunities(ctx)?.filter(open_by_pe(ctx)))
}

/// Warns about open opportunities without a probability whose stage has no
/// default: they weigh 0.
fn warn_unknown_stages(ctx: &KpiContext, open: LazyFrame) -> Result<()> {
    let unknown = open
        .filter(
            col("probability")
                .is_null()
                .and(stage_default_ppm(ctx).is_null()),
        )
        .select([col(STAGE)
            .unique()
            .sort(SortOptions::default())
            .alias("stage")])
        .collect()?;
    let stages: Vec<String> = unknown
        .column("stage")?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    if !stages.is_empty() {
        ctx.warn(format!(
            "opportunities: stage(s) {} have no default probability in [kpi.stage_probabilities], so open opportunities in them without a probability weigh 0",
            stages.join(", ")
        ));
    }
    Ok(())
}

/// Per group, credited to the opportunity's rep:
/// - `opps_created` = opportunities with created_date in `[start, PE]`;
/// - `opps_won` / `opps_lost` = stage `won` / `lost` with close_date in `[start, PE]`;
/// - `__won_cycle_days_sum` = Σ (close_date − created_date) in days over opps_won;
/// - `open_pipeline` = Σ amount (cents) of opportunities created ≤ PE and not
///   closed by PE;
/// - `weighted_pipeline` = Σ over the same set of `round(amount × probability, 2)`
///   per opportunity, half away from zero; probability = the column, else the
///   stage default of the config (taken to 6 decimals, so the product is exact).
pub(crate) fn pipeline_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let Some(opps) = opportunities(ctx) else {
        return Ok(None);
    };
    let open = open_by_pe(ctx);
    warn_unknown_stages(ctx, opps.clone().filter(open.clone()))?;
    let closed_in = |stage: &str| {
        col(STAGE)
            .eq(lit(stage))
            .and(ctx.in_period(col("close_date")))
            .fill_null(lit(false))
    };
    let cycle_days = (col("close_date").cast(DataType::Int32)
        - col("created_date").cast(DataType::Int32))
    .cast(DataType::Int64);
    let count = |flag: &str| col(flag).sum().cast(DataType::Int64);
    // Each opportunity's contribution is worked out row by row first, so the
    // group-by only sums columns (its fast path) instead of evaluating
    // filters group by group.
    let contributions = opps.select([
        col("rep_id"),
        ctx.in_period(col("created_date"))
            .fill_null(lit(false))
            .alias("__created_in"),
        closed_in("won").alias("__won_in"),
        closed_in("lost").alias("__lost_in"),
        when(closed_in("won"))
            .then(cycle_days)
            .otherwise(lit(NULL).cast(DataType::Int64))
            .alias("__won_cycle"),
        when(open.clone())
            .then(col("amount"))
            .otherwise(lit(NULL).cast(DataType::Int64))
            .alias("__open_amount"),
        when(open)
            .then(weighted_amount(ctx))
            .otherwise(lit(NULL).cast(DataType::Int64))
            .alias("__open_weighted"),
    ]);
    Ok(Some(
        contributions.join_groups(groups).agg([
            count("__created_in").alias("opps_created"),
            count("__won_in").alias("opps_won"),
            count("__lost_in").alias("opps_lost"),
            col("__won_cycle")
                .sum()
                .cast(DataType::Int64)
                .alias("__won_cycle_days_sum"),
            col("__open_amount")
                .sum()
                .cast(DataType::Int64)
                .alias("open_pipeline"),
            col("__open_weighted")
                .sum()
                .cast(DataType::Int64)
                .alias("weighted_pipeline"),
        ]),
    ))
}

/// `round(amount × probability, 2)` in cents, half away from zero;
/// probability = the column, else the stage default (0 when neither).
fn weighted_amount(ctx: &KpiContext) -> Expr {
    div_round_half_away(
        col("amount").cast(DataType::Int128)
            * probability_ppm(ctx)
                .fill_null(lit(0i64))
                .cast(DataType::Int128),
        PPM,
    )
    .cast(DataType::Int64)
}

/// Per group, credited to the opportunity's rep: `__closing_weighted` = Σ
/// weighted amount ([`weighted_amount`]) of the opportunities open at PE
/// whose close_date falls after PE and within the nominal period — the
/// pipeline expected to land before the period ends (SPEC section 8,
/// forecast). `None` without the opportunities table; 0 for a group
/// without such an opportunity once joined.
pub(crate) fn closing_parts(ctx: &KpiContext, groups: LazyFrame) -> Option<LazyFrame> {
    let closing = col("close_date")
        .gt(date_lit(ctx.pe))
        .and(col("close_date").lt_eq(date_lit(ctx.period.end)))
        .fill_null(lit(false));
    Some(
        open_at_pe(ctx)?
            .filter(closing)
            .select([col("rep_id"), weighted_amount(ctx).alias("__weighted")])
            .join_groups(groups)
            .agg([col("__weighted")
                .sum()
                .cast(DataType::Int64)
                .alias("__closing_weighted")]),
    )
}

/// Derived columns:
/// - `win_rate = opps_won / (opps_won + opps_lost)`;
/// - `avg_sales_cycle_days = __won_cycle_days_sum / opps_won`.
pub(crate) fn derived() -> Vec<Expr> {
    vec![
        ratio(col("opps_won"), col("opps_won") + col("opps_lost")).alias("win_rate"),
        ratio(col("__won_cycle_days_sum"), col("opps_won")).alias("avg_sales_cycle_days"),
    ]
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset, CUSTOMERS, REPS};
    use crate::kpi::Grouping;

    /// Opportunities for October 2026 cut at 2026-10-15.
    pub(super) const OPPS: &str =
        "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date,probability
A1,R1,C1,2026-09-01,won,1000.00,2026-10-05,
A2,R1,C1,2026-10-02,lost,500.00,2026-10-10,
A3,R1,C1,2026-10-03, Won ,200.00,2026-10-20,
A4,R1,C1,2026-08-01,negotiation,1234.50,,0.5
A5,R2,C2,2026-10-04,demo,0.05,,0.5
A6,R2,C2,2026-10-05,demo,100.01,,
A7,R2,C2,2026-10-20,lead,999.00,,
A8,R2,C2,2026-09-10,lost,300.00,2026-09-30,
A9,R3,C3,2026-10-06,mystery,100.00,,
";

    fn ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
        df.column(c).unwrap().i64().unwrap().iter().collect()
    }
    fn floats(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
        df.column(c).unwrap().f64().unwrap().iter().collect()
    }

    #[test]
    fn won_lost_cycle_and_pipelines() {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("opportunities", OPPS),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        // R1: created A2, A3 (A1 September, A4 August); won A1, lost A2; A3 is
        // won only after as_of, so it is still open.
        // R2: created A5, A6 (A7 after as_of); A8 closed in September.
        assert_eq!(ints(&df, "opps_created"), [Some(2), Some(2), Some(1)]);
        assert_eq!(ints(&df, "opps_won"), [Some(1), Some(0), Some(0)]);
        assert_eq!(ints(&df, "opps_lost"), [Some(1), Some(0), Some(0)]);
        assert_eq!(floats(&df, "win_rate"), [Some(0.5), None, None]);
        // A1: 2026-09-01 → 2026-10-05 = 34 days.
        assert_eq!(
            floats(&df, "avg_sales_cycle_days"),
            [Some(34.0), None, None]
        );
        // Open: R1 A3 200.00 + A4 1234.50; R2 A5 0.05 + A6 100.01; R3 A9 100.00.
        assert_eq!(
            ints(&df, "open_pipeline"),
            [Some(143_450), Some(10_006), Some(10_000)]
        );
        // Weighted: A3 200.00 × 1.0 (won default) + A4 1234.50 × 0.5 = 617.25;
        // A5 0.05 × 0.5 = 0.025 → 0.03 (half away from zero), A6 100.01 × 0.40
        // (demo default) = 40.004 → 40.00; A9's stage has no default → 0.
        assert_eq!(
            ints(&df, "weighted_pipeline"),
            [Some(81_725), Some(4_003), Some(0)]
        );
        assert!(
            ctx.warnings().iter().any(|w| w.contains("mystery")),
            "{:?}",
            ctx.warnings()
        );
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        assert_eq!(ints(&team, "opps_created"), [Some(4), Some(1)]);
        assert_eq!(ints(&team, "weighted_pipeline"), [Some(85_728), Some(0)]);
        assert_eq!(floats(&team, "win_rate"), [Some(0.5), None]);
    }

    #[test]
    fn without_opportunities_the_columns_are_null() {
        let data = dataset(&[("reps", REPS)]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        assert_eq!(df.column("opps_won").unwrap().null_count(), 3);
        assert_eq!(df.column("win_rate").unwrap().null_count(), 3);
    }
}
