//! Target KPIs: targets summed over the period, attainment and run rate
//! (SPEC section 3, rules 2, 3 and 11).
//!
//! Attainment of a roll-up (rule 11) is Σ sales (collections) of the
//! members that have a target / Σ their targets: the sales of reps or house
//! accounts without a target still count in `sales_amount` but never
//! inflate the attainment (a web shop selling 5,000 without a target beside
//! a rep at 800 of 1,000 leaves the team at 0.8, not 5.8).

use polars::prelude::*;

use super::context::{GroupByRep, Grouping, KpiContext, GROUP};
use super::opportunities::closing_parts;
use super::ratio;
use super::receivables::payment_parts;
use super::sales::{line_parts, period_order_lines};
use crate::money::div_round_half_away;
use crate::period::{Period, PeriodKind};
use crate::Result;

/// Target columns summed over the period's months, all Int64 (money targets in
/// cents, visit and new-customer targets as counts).
pub(crate) const TARGET_COLUMNS: &[&str] = &[
    "sales_target",
    "collection_target",
    "visit_target",
    "new_customer_target",
];

/// Per group, over target rows whose `period` is one of the months the nominal
/// period touches (rule 3: a period cut by as_of still takes every month):
/// `<x>_target = Σ <x>_target`; null when the group has no non-empty value for
/// that target at all (months with no row add nothing).
///
/// Groups without any target row are absent, so after the left join their
/// targets stay null, never 0.
pub(crate) fn target_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let Some(targets) = ctx.table("targets", "targets, attainment and run rates vs target") else {
        return Ok(None);
    };
    let sums: Vec<Expr> = TARGET_COLUMNS
        .iter()
        .map(|c| {
            when(col(*c).count().gt(lit(0)))
                .then(col(*c).cast(DataType::Int64).sum())
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(*c)
        })
        .collect();
    Ok(Some(
        period_targets(ctx, targets)?.join_groups(groups).agg(sums),
    ))
}

/// Target rows spread to months (SPEC section 1): a quarter row `2026-Q4`
/// becomes 3 month rows and a year row `2026` 12, each target split in
/// equal parts with the leftover cents (counts likewise) one each to the
/// earliest months: 1,000.00 over a quarter is 333.34, 333.33, 333.33.
/// Month rows pass unchanged; a null target stays null in every month.
pub(crate) fn monthly_targets(targets: LazyFrame) -> Result<LazyFrame> {
    let period = col("period");
    let is_quarter = period.clone().str().contains(lit("Q"), true);
    let is_year = period.clone().str().len_chars().eq(lit(4u32));
    let year = period
        .clone()
        .str()
        .slice(lit(0), lit(4))
        .cast(DataType::Int64);
    let n = when(is_quarter.clone())
        .then(lit(3i64))
        .when(is_year.clone())
        .then(lit(12i64))
        .otherwise(lit(1i64));
    let first_month = when(is_quarter)
        .then(
            (period
                .clone()
                .str()
                .slice(lit(6), lit(1))
                .cast(DataType::Int64)
                - lit(1i64))
                * lit(3i64)
                + lit(1i64),
        )
        .when(is_year)
        .then(lit(1i64))
        .otherwise(period.str().slice(lit(5), lit(2)).cast(DataType::Int64));
    let offsets = DataFrame::new(
        12,
        vec![Column::new("__i".into(), (0i64..12).collect::<Vec<_>>())],
    )?
    .lazy();
    let month = col("__m0") + col("__i");
    let share = |c: &str| {
        let total = col(c).cast(DataType::Int64);
        let base = total.clone().floor_div(col("__n"));
        let leftover = total - base.clone() * col("__n");
        (base + col("__i").lt(leftover).cast(DataType::Int64)).alias(c)
    };
    Ok(targets
        .with_columns([n.alias("__n"), year.alias("__y"), first_month.alias("__m0")])
        .cross_join(offsets, None)
        .filter(col("__i").lt(col("__n")))
        .with_columns(TARGET_COLUMNS.iter().map(|c| share(c)).collect::<Vec<_>>())
        .with_column(
            concat_str(
                [
                    col("__y").cast(DataType::String),
                    lit("-"),
                    month.cast(DataType::String).str().zfill(lit(2)),
                ],
                "",
                false,
            )
            .alias("period"),
        ))
}

/// The target rows of the months the nominal period touches (rule 3),
/// quarter and year rows spread to their months first.
fn period_targets(ctx: &KpiContext, targets: LazyFrame) -> Result<LazyFrame> {
    let months = Series::new("months".into(), ctx.period.months());
    let plan =
        monthly_targets(targets)?.filter(col("period").is_in(lit(months).implode(false), false));
    let plan = if ctx.period.kind == PeriodKind::Week {
        plan.with_columns(week_shares(ctx))
    } else {
        plan
    };
    // Spread once per period: every grouping's targets and attainment
    // numerators read the same month rows, and the rows are checked once.
    let first = !ctx.has_memo("period_targets");
    let rows = ctx.memo("period_targets", || plan);
    if first {
        let collected = rows.clone().collect()?;
        warn_overlapping_targets(ctx, &collected)?;
        warn_partial_targets(ctx, &collected)?;
    }
    Ok(rows)
}

/// A rep with a sales target for some of the period's months but none for
/// other months he is employed in (targets loaded only through October,
/// asked for the quarter) gets the sum of the months given: his attainment
/// and forecast attainment then set a whole period's sales against part of
/// its target. Said once per period, naming reps and months.
fn warn_partial_targets(ctx: &KpiContext, monthly: &DataFrame) -> Result<()> {
    let months = ctx.period.months();
    if months.len() < 2 {
        return Ok(());
    }
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for m in &months {
        let p = Period::parse(m)?;
        starts.push(p.start);
        ends.push(p.end);
    }
    let month_frame = DataFrame::new_infer_height(vec![
        Column::new("period".into(), months.clone()),
        Column::new("__start".into(), starts),
        Column::new("__end".into(), ends),
    ])?;
    let given = monthly
        .clone()
        .lazy()
        .filter(col("sales_target").is_not_null())
        .select([col("rep_id"), col("period")])
        .unique(None, UniqueKeepStrategy::Any);
    let reps = given
        .clone()
        .select([col("rep_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .join(
            ctx.reps()?
                .select([col("rep_id"), col("hire_date"), col("leave_date")]),
            [col("rep_id")],
            [col("rep_id")],
            JoinArgs::new(JoinType::Left),
        );
    let missing = reps
        .cross_join(month_frame.lazy(), None)
        .filter(
            col("hire_date")
                .is_null()
                .or(col("hire_date").lt_eq(col("__end")))
                .and(
                    col("leave_date")
                        .is_null()
                        .or(col("leave_date").gt_eq(col("__start"))),
                ),
        )
        .join(
            given,
            [col("rep_id"), col("period")],
            [col("rep_id"), col("period")],
            JoinArgs::new(JoinType::Anti),
        )
        .sort(["rep_id", "period"], SortMultipleOptions::default())
        .collect()?;
    if missing.height() == 0 {
        return Ok(());
    }
    let reps = missing.column("rep_id")?.str()?;
    let periods = missing.column("period")?.str()?;
    let mut by_rep: Vec<(String, Vec<String>)> = Vec::new();
    for (r, p) in reps.iter().zip(periods.iter()) {
        let (r, p) = (
            r.unwrap_or_default().to_string(),
            p.unwrap_or_default().to_string(),
        );
        match by_rep.last_mut() {
            Some((last, ps)) if *last == r => ps.push(p),
            _ => by_rep.push((r, vec![p])),
        }
    }
    let examples: Vec<String> = by_rep
        .iter()
        .take(5)
        .map(|(r, ps)| format!("{r} has none for {}", ps.join(", ")))
        .collect();
    ctx.warn(format!(
        "targets: {} rep(s) have a sales target for only some of the months of {} they work in ({}{}), so their sales_target, attainment and forecast_attainment cover only the months given",
        by_rep.len(),
        ctx.period,
        examples.join("; "),
        if by_rep.len() > examples.len() { "; …" } else { "" }
    ));
    Ok(())
}

/// A week's share of its months' targets (SPEC section 8 makes a week a
/// period; targets are monthly): each touched month's target × the month's
/// workdays inside the week / the month's workdays, rounded half away from
/// zero per target row (money in cents, visit and new-customer targets in
/// whole counts). A month without workdays gives 0. Ranges keep rule 3 (every
/// month touched counts whole); weeks are pro-rated because a weekly review
/// against a whole month's target would read as a 20 % attainment.
fn week_shares(ctx: &KpiContext) -> Vec<Expr> {
    let week = &ctx.period;
    let mut month = Period::containing(PeriodKind::Month, week.start);
    let mut shares = Vec::new();
    while month.start <= week.end {
        let inside = ctx
            .calendar
            .workdays(week.start.max(month.start), week.end.min(month.end));
        let all = ctx.calendar.workdays(month.start, month.end);
        shares.push((month.to_string(), inside, all));
        month = month.next();
    }
    TARGET_COLUMNS
        .iter()
        .map(|c| {
            let share = |inside: i64, all: i64| {
                if all == 0 {
                    lit(0i64)
                } else {
                    div_round_half_away(col(*c).cast(DataType::Int128) * lit(inside), all)
                        .cast(DataType::Int64)
                }
            };
            let is = |m: &String| col("period").eq(lit(m.clone()));
            let null = lit(NULL).cast(DataType::Int64);
            // Seven days touch one month or two.
            match shares.as_slice() {
                [(m, i, a)] => when(is(m)).then(share(*i, *a)).otherwise(null),
                [(m1, i1, a1), (m2, i2, a2)] => when(is(m1))
                    .then(share(*i1, *a1))
                    .when(is(m2))
                    .then(share(*i2, *a2))
                    .otherwise(null),
                _ => unreachable!("a week touches one or two months"),
            }
            .alias(*c)
        })
        .collect()
}

/// A rep with two target rows for one month (`2026-08` and `2026-Q3`) gets
/// their sum; that is said, never silent.
fn warn_overlapping_targets(ctx: &KpiContext, monthly: &DataFrame) -> Result<()> {
    let overlaps = monthly
        .clone()
        .lazy()
        .group_by([col("rep_id"), col("period")])
        .agg([len().alias("n")])
        .filter(col("n").gt(lit(1)))
        .sort(["rep_id", "period"], SortMultipleOptions::default())
        .collect()?;
    if overlaps.height() == 0 {
        return Ok(());
    }
    let reps = overlaps.column("rep_id")?.str()?;
    let months = overlaps.column("period")?.str()?;
    let pairs: Vec<String> = reps
        .iter()
        .zip(months.iter())
        .take(10)
        .map(|(r, m)| format!("{} {}", r.unwrap_or_default(), m.unwrap_or_default()))
        .collect();
    ctx.warn(format!(
        "targets: {} rep-month(s) are covered by more than one target row (a month and its quarter or year), and their targets are added: {}{}",
        overlaps.height(),
        pairs.join(", "),
        if overlaps.height() > pairs.len() { ", …" } else { "" }
    ));
    Ok(())
}

/// The `rep_id → group` rows of the reps that have a non-empty `column`
/// target in the period.
fn targeted_members(groups: LazyFrame, targets: LazyFrame, column: &str) -> LazyFrame {
    let with_target = targets
        .filter(col(column).is_not_null())
        .select([col("rep_id")])
        .unique(None, UniqueKeepStrategy::Any);
    groups.join(
        with_target,
        [col("rep_id")],
        [col("rep_id")],
        JoinArgs::new(JoinType::Semi),
    )
}

/// Per group, the numerators of a roll-up's attainment (rule 11), in cents:
/// `__targeted_sales` = Σ sales_amount of the members with a sales target,
/// `__targeted_collected` = Σ collected_amount of the members with a
/// collection target, `__targeted_closing` = Σ `__closing_weighted` of the
/// members with a sales target (the forecast's pipeline part). A group none
/// of whose members has that target gets no row or a sum of 0; either way
/// [`derived`] makes its attainment null, its target being null.
///
/// Each part is a sum over reps, so the scorecard works it out once per
/// period with `groups` at rep level (a row per rep with that target) and a
/// roll-up sums its members' rows. `None` when the targets table is
/// absent. Not needed for a rep's own row, where its sales are the
/// numerator ([`derived`]).
pub(crate) fn targeted_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let Some(targets) = ctx.data.lazy("targets") else {
        return Ok(None);
    };
    let targets = period_targets(ctx, targets)?;
    let null = || lit(NULL).cast(DataType::Int64);
    let sales = period_order_lines(ctx)
        .map(|lines| {
            let members = targeted_members(groups.clone(), targets.clone(), "sales_target");
            line_parts(ctx, lines, members)
                .select([col(GROUP), col("sales_amount").alias("__targeted_sales")])
        })
        .unwrap_or_else(|| {
            groups
                .clone()
                .select([col(GROUP), null().alias("__targeted_sales")])
                .unique(None, UniqueKeepStrategy::Any)
        });
    let members = targeted_members(groups.clone(), targets.clone(), "sales_target");
    let closing = match closing_parts(ctx, members) {
        Some(p) => p.select([
            col(GROUP),
            col("__closing_weighted").alias("__targeted_closing"),
        ]),
        None => groups
            .clone()
            .select([col(GROUP), null().alias("__targeted_closing")])
            .unique(None, UniqueKeepStrategy::Any),
    };
    let members = targeted_members(groups.clone(), targets, "collection_target");
    let collected = match payment_parts(ctx, members)? {
        Some(p) => p.select([
            col(GROUP),
            col("collected_amount").alias("__targeted_collected"),
        ]),
        None => groups
            .select([col(GROUP), null().alias("__targeted_collected")])
            .unique(None, UniqueKeepStrategy::Any),
    };
    let full = || JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    Ok(Some(
        sales
            .join(collected, [col(GROUP)], [col(GROUP)], full())
            .join(closing, [col(GROUP)], [col(GROUP)], full()),
    ))
}

/// Derived target columns (needs `sales_amount`, `collected_amount` and,
/// above rep level, the [`targeted_parts`] columns):
/// - `sales_attainment = sales_amount / sales_target` for a rep; for a
///   roll-up `Σ sales of members with a sales target / sales_target` (rule 11);
/// - `collection_attainment` likewise with collections;
/// - `run_rate_sales = round(sales_amount × total_workdays / elapsed_workdays, 2)`
///   in cents, half away from zero; null when elapsed is 0 (rule 2);
/// - `forecast_sales = run_rate_sales + __closing_weighted` (SPEC section 8:
///   the weighted open pipeline expected to close after PE within the
///   nominal period), null where either part is (no workday elapsed, no
///   opportunities table);
/// - `forecast_attainment = forecast_sales / sales_target` for a rep; for a
///   roll-up, the forecast of the members with a sales target (their run
///   rate and closing pipeline) over sales_target, as rule 11 has it for
///   `sales_attainment`.
pub(crate) fn derived(ctx: &KpiContext, grouping: Grouping) -> Vec<Expr> {
    let elapsed = ctx.elapsed_workdays();
    let total = ctx.total_workdays();
    let run_rate_of = |sales: Expr| {
        if elapsed == 0 {
            lit(NULL).cast(DataType::Int64)
        } else {
            div_round_half_away(
                sales.cast(DataType::Int128) * lit(total).cast(DataType::Int128),
                elapsed,
            )
            .cast(DataType::Int64)
        }
    };
    let run_rate = run_rate_of(col("sales_amount"));
    let forecast = run_rate.clone() + col("__closing_weighted");
    let (sales, collected, forecast_of_targeted) = if grouping == Grouping::Rep {
        (
            col("sales_amount"),
            col("collected_amount"),
            forecast.clone(),
        )
    } else {
        // Members with a target but no sale add 0 to the numerator; without
        // the source table (sales null) the attainment stays null.
        let targeted = |c: &str, all: &str, target: &str| {
            when(col(target).is_null().or(col(all).is_null()))
                .then(lit(NULL).cast(DataType::Int64))
                .otherwise(col(c).fill_null(lit(0i64)))
        };
        let targeted_sales = targeted("__targeted_sales", "sales_amount", "sales_target");
        (
            targeted_sales.clone(),
            targeted(
                "__targeted_collected",
                "collected_amount",
                "collection_target",
            ),
            run_rate_of(targeted_sales)
                + targeted("__targeted_closing", "__closing_weighted", "sales_target"),
        )
    };
    vec![
        ratio(sales, col("sales_target")).alias("sales_attainment"),
        ratio(collected, col("collection_target")).alias("collection_attainment"),
        run_rate.alias("run_rate_sales"),
        forecast.alias("forecast_sales"),
        ratio(forecast_of_targeted, col("sales_target")).alias("forecast_attainment"),
    ]
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset, REPS};
    use crate::kpi::Grouping;

    const TARGETS: &str =
        "period,rep_id,sales_target,collection_target,visit_target,new_customer_target
2026-10,R1,1000.00,800.00,20,1
2026-11,R1,500.005,,10,
2026-12,R1,,,,
2026-09,R1,99999,,,
2026-10,R2,,,15,
";

    fn column(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
        df.column(name).unwrap().i64().unwrap().iter().collect()
    }

    #[test]
    fn targets_sum_over_the_nominal_quarter_and_stay_null_without_rows() {
        let data = dataset(&[("reps", REPS), ("targets", TARGETS)]);
        // Q4 cut at 2026-10-15 still takes October, November and December.
        let ctx = context(&data, "2026-Q4", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        // R1: 1000.00 + 500.01 (500.005 rounds half away) = 1500.01; September ignored.
        // R2: a row without a sales target → null; R3: no row at all → null.
        assert_eq!(column(&df, "sales_target"), [Some(150_001), None, None]);
        assert_eq!(column(&df, "collection_target"), [Some(80_000), None, None]);
        assert_eq!(column(&df, "visit_target"), [Some(30), Some(15), None]);
        assert_eq!(column(&df, "new_customer_target"), [Some(1), None, None]);
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        assert_eq!(column(&team, "sales_target"), [Some(150_001), None]);
        assert_eq!(column(&team, "visit_target"), [Some(45), None]);
        // December has a row but no sales target: said, since the quarter's
        // attainment then reads against two months of target.
        assert!(
            ctx.warnings().iter().any(|w| w.starts_with(
                "targets: 1 rep(s) have a sales target for only some of the months of 2026-Q4 they work in (R1 has none for 2026-12)"
            )),
            "{:?}",
            ctx.warnings()
        );
    }

    #[test]
    fn a_week_takes_its_workday_share_of_each_month() {
        // 2026-W53 runs Mon 28 Dec 2026 to Sun 3 Jan 2027: 4 of December's
        // 23 workdays (28–31) and 1 of January's 21 (Fri 1 Jan).
        let targets = "rep_id,period,sales_target,visit_target\n\
R1,2026-12,2300.00,46\n\
R1,2027-01,2100.00,21\n\
R2,2026-12,100.00,\n";
        let data = dataset(&[("reps", REPS), ("targets", targets)]);
        let df = scorecard(&context(&data, "2026-W53", "2027-01-03"), Grouping::Rep).unwrap();
        // R1: 2,300.00 × 4/23 = 400.00 plus 2,100.00 × 1/21 = 100.00.
        assert_eq!(column(&df, "sales_target")[0], Some(50_000));
        // 46 × 4/23 = 8 visits plus 21 × 1/21 = 1.
        assert_eq!(column(&df, "visit_target")[0], Some(9));
        // R2: 100.00 × 4/23 = 17.391… → 17.39; no visit target stays null.
        assert_eq!(column(&df, "sales_target")[1], Some(1_739));
        assert_eq!(column(&df, "visit_target")[1], None);
        // R3 has no target row: null, not 0.
        assert_eq!(column(&df, "sales_target")[2], None);
    }

    /// October 2026: 750.00 by R1, 0.01 by R2, a 0.01 return by R3.
    const ORDERS: &str =
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost
O1,1,2026-10-01,R1,C1,P1,1,750.00,1
O2,1,2026-10-02,R2,C2,P1,1,0.01,0
O3,1,2026-10-02,R3,C3,P1,-1,0.01,0
";

    #[test]
    fn attainment_and_run_rate() {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", crate::kpi::testing::CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", ORDERS),
            ("targets", TARGETS),
        ]);
        // October 2026 cut at Tue 10-06: elapsed workdays Thu 1, Fri 2, Mon 5,
        // Tue 6 = 4; total = 22 weekdays.
        let ctx = context(&data, "2026-10", "2026-10-06");
        assert_eq!((ctx.elapsed_workdays(), ctx.total_workdays()), (4, 22));
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        let att: Vec<Option<f64>> = df
            .column("sales_attainment")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        // R1: 750.00 / 1000.00; R2, R3: no sales target → null.
        assert_eq!(att, [Some(0.75), None, None]);
        // Run rate = round(sales × 22 / 4, 2): 750.00 → 4125.00; 0.01 → 0.055 →
        // 0.06 (half away from zero); −0.01 → −0.06.
        assert_eq!(
            column(&df, "run_rate_sales"),
            [Some(412_500), Some(6), Some(-6)]
        );
        // No payments table: collection attainment is null, not 0.
        let coll = df.column("collection_attainment").unwrap();
        assert_eq!(coll.null_count(), 3);
        // No opportunities table: the forecast lacks a part, so it is null.
        assert_eq!(column(&df, "forecast_sales"), [None, None, None]);
    }

    /// October 2026 cut at Tue 10-06 (4 of 22 workdays), the orders of
    /// [`attainment_and_run_rate`]. Open at PE and closing after PE within
    /// October: F1 (R1, 1,000.00 × 0.5 = 500.00) and F5 (R2, 100.01 at the
    /// demo default 0.40 = 40.004 → 40.00). Not counted: F2 closes in
    /// November, F3's close date (10-05) is before PE, F4 was lost by PE,
    /// F6 was created after as_of.
    #[test]
    fn forecast_adds_the_pipeline_closing_within_the_period() {
        let opps =
            "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date,probability
F1,R1,C1,2026-09-01,negotiation,1000.00,2026-10-20,0.5
F2,R1,C1,2026-09-01,demo,9999.00,2026-11-05,0.5
F3,R1,C1,2026-09-01,negotiation,300.00,2026-10-05,0.5
F4,R1,C1,2026-09-01,lost,700.00,2026-10-03,0.5
F5,R2,C2,2026-09-15,demo,100.01,2026-10-31,
F6,R2,C2,2026-10-07,demo,800.00,2026-10-30,0.9
";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", crate::kpi::testing::CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", ORDERS),
            ("targets", TARGETS),
            ("opportunities", opps),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-06");
        let reps = scorecard(&ctx, Grouping::Rep).unwrap();
        // R1: 4,125.00 + 500.00; R2: 0.06 + 40.00; R3: −0.06 + nothing.
        assert_eq!(
            column(&reps, "forecast_sales"),
            [Some(462_500), Some(4_006), Some(-6)]
        );
        assert_eq!(
            ratios(&reps, "forecast_attainment"),
            [Some(4.625), None, None]
        );
        // Team T1 (R1, R2): round(750.01 × 22 / 4) = 4,125.06 (412,505.5
        // cents, half away from zero) + 540.00. Its attainment counts R1
        // only, the one member with a sales target: (4,125.00 + 500.00) /
        // 1,000.00.
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        assert_eq!(column(&team, "forecast_sales")[0], Some(466_506));
        assert_eq!(ratios(&team, "forecast_attainment")[0], Some(4.625));
        // A closed period forecasts its sales: nothing closes after PE.
        let done = context(&data, "2026-09", "2026-10-06");
        let sep = scorecard(&done, Grouping::Rep).unwrap();
        assert_eq!(column(&sep, "forecast_sales"), column(&sep, "sales_amount"));
    }

    fn ratios(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
        df.column(name).unwrap().f64().unwrap().iter().collect()
    }

    /// ../shared/cases/rollup_attainment_untargeted_reps: R1 sells 800.00
    /// against 1,000.00; WEB (a web shop without a target) sells 5,000.00 in
    /// the same team. Rule 11: the team and the company are at 800 / 1,000 =
    /// 0.8, not 5,800 / 1,000 = 5.8; their sales are still 5,800.00.
    #[test]
    fn rollup_attainment_counts_only_members_with_a_target() {
        let data = dataset(&[
            ("reps", "rep_id,rep_name,region,team\nR1,Ann,North,Field\nWEB,Web shop,North,Field\nR9,Idle,South,Other\n"),
            ("customers", "customer_id,customer_name,region\nC1,Acme,North\n"),
            ("products", "product_id,product_name\nP1,Bike\n"),
            ("orders", "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
O1,1,2026-08-10,R1,C1,P1,8,100\nO2,1,2026-08-11,WEB,C1,P1,50,100\n"),
            ("targets", "period,rep_id,sales_target,collection_target\n2026-08,R1,1000,\n2026-08,R9,500,\n"),
        ]);
        let ctx = context(&data, "2026-08", "2026-08-31");
        let reps = scorecard(&ctx, Grouping::Rep).unwrap();
        assert_eq!(
            ratios(&reps, "sales_attainment"),
            [Some(0.8), Some(0.0), None]
        );
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        // Field: 800 / 1000. Other: R9 has a target of 500 and no sale: 0, not null.
        assert_eq!(ratios(&team, "sales_attainment"), [Some(0.8), Some(0.0)]);
        assert_eq!(column(&team, "sales_amount"), [Some(580_000), Some(0)]);
        let company = scorecard(&ctx, Grouping::Company).unwrap();
        assert_eq!(ratios(&company, "sales_attainment"), [Some(800.0 / 1500.0)]);
        assert_eq!(column(&company, "sales_target"), [Some(150_000)]);
        // No collection target anywhere, no payments table: null.
        assert_eq!(ratios(&company, "collection_attainment"), [None]);
    }

    /// SPEC section 1: quarter and year rows spread over their months in
    /// equal parts, leftover cents to the earliest months.
    #[test]
    fn quarter_and_year_targets_are_spread_over_their_months() {
        let data = dataset(&[
            ("reps", REPS),
            (
                "targets",
                "period,rep_id,sales_target,collection_target,visit_target\n\
2026-Q4,R1,1000.00,,10\n2026,R2,1200.05,120.00,\n2026-11,R3,50.00,,1\n",
            ),
        ]);
        let month = |p: &str| {
            let ctx = context(&data, p, "2026-12-31");
            let df = scorecard(&ctx, Grouping::Rep).unwrap();
            (column(&df, "sales_target"), column(&df, "visit_target"))
        };
        // R1: 1,000.00 / 3 = 333.34, 333.33, 333.33; 10 visits = 4, 3, 3.
        // R2: 1,200.05 / 12 = 100.01 for the first 5 months, 100.00 after.
        assert_eq!(
            month("2026-10"),
            (
                vec![Some(33_334), Some(10_000), None],
                vec![Some(4), None, None]
            )
        );
        assert_eq!(
            month("2026-11"),
            (
                vec![Some(33_333), Some(10_000), Some(5_000)],
                vec![Some(3), None, Some(1)]
            )
        );
        assert_eq!(
            month("2026-05"),
            (vec![None, Some(10_001), None], vec![None, None, None])
        );
        // The quarter and the year add back up exactly.
        assert_eq!(
            month("2026-Q4").0,
            vec![Some(100_000), Some(30_000), Some(5_000)]
        );
        assert_eq!(
            month("2026").0,
            vec![Some(100_000), Some(120_005), Some(5_000)]
        );
    }
}
