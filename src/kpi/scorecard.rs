//! The scorecard (SPEC section 3): every family's parts joined per group, then
//! the ratios recomputed from summed parts, never averaged (rule 11).

use polars::prelude::*;

use super::activity::{visit_parts, workday_parts};
use super::context::GroupByRep;
use super::context::{Grouping, KpiContext, GROUP};
use super::discipline::{discipline_parts, DISCIPLINE_COLUMNS};
use super::flags::period_flags;
use super::sales::{line_parts, order_count_parts, order_lines, period_order_lines};
use super::{activity, catalog, customers, expenses, opportunities, receivables, sales, targets};
use crate::column_type::ColumnType;
use crate::Result;

/// Leading identity columns for a grouping.
pub(crate) fn identity_columns(grouping: Grouping) -> Vec<(&'static str, ColumnType)> {
    match grouping {
        Grouping::Rep => vec![
            ("period", ColumnType::Text),
            ("rep_id", ColumnType::Text),
            ("rep_name", ColumnType::Text),
            ("team", ColumnType::Text),
            ("region", ColumnType::Text),
            ("role", ColumnType::Text),
        ],
        g => vec![
            ("period", ColumnType::Text),
            (g.key(), ColumnType::Text),
            ("reps", ColumnType::Count),
        ],
    }
}

/// One row per group of the grouping, over every rep in `reps`.
fn base(ctx: &KpiContext, grouping: Grouping) -> Result<LazyFrame> {
    let period = lit(ctx.period.to_string()).alias("period");
    let reps = ctx.reps()?;
    Ok(match grouping {
        Grouping::Rep => reps.select([
            period,
            col("rep_id"),
            col("rep_name"),
            col("team"),
            col("region"),
            crate::text::folded(col("role"))
                .fill_null(lit("rep"))
                .alias("role"),
            col("rep_id").alias(GROUP),
        ]),
        g => ctx
            .rep_groups(g)?
            .group_by([col(GROUP)])
            .agg([len().cast(DataType::Int64).alias("reps")])
            .select([period, col(GROUP).alias(g.key()), col("reps"), col(GROUP)]),
    })
}

fn left_join(frame: LazyFrame, parts: LazyFrame) -> LazyFrame {
    frame.join(
        parts,
        [col(GROUP)],
        [col(GROUP)],
        JoinArgs::new(JoinType::Left),
    )
}

/// Joins optional family parts: zero-filled counts when the source table is
/// present, typed nulls when it is absent.
fn join_parts(
    frame: LazyFrame,
    parts: Option<LazyFrame>,
    columns: &[(&'static str, DataType)],
) -> LazyFrame {
    match parts {
        Some(p) => left_join(frame, p).with_columns(
            columns
                .iter()
                .map(|(c, dt)| col(*c).fill_null(lit(0).cast(dt.clone())).alias(*c))
                .collect::<Vec<_>>(),
        ),
        None => frame.with_columns(
            columns
                .iter()
                .map(|(c, dt)| lit(NULL).cast(dt.clone()).alias(*c))
                .collect::<Vec<_>>(),
        ),
    }
}

/// A family's parts at `grouping`, for a family whose every part is a sum
/// or count over facts that are each credited to one rep: a group's parts
/// are then the sums of its reps' parts (rule 11). They are worked out from
/// the facts once per period, at the rep level (memoized under `key`), and
/// a roll-up sums those rows instead of reading the facts again (the four
/// groupings read them four times: 0.35 s of a run at scale 100). `build`
/// makes the parts from a `rep_id → __group` frame; `None` when the
/// family's source is absent. The sums are Int64, like the parts.
///
/// Not for parts counting distinct things that several reps can share
/// (visited or active customers: a customer seen by two reps of a team
/// counts once for the team); orders are fine, each is credited to one rep.
fn additive_parts(
    ctx: &KpiContext,
    grouping: Grouping,
    key: &'static str,
    build: impl FnOnce(LazyFrame) -> Result<Option<LazyFrame>>,
) -> Result<Option<LazyFrame>> {
    let rep_parts = if ctx.has_memo(key) {
        // Present: the builder is not called.
        ctx.memo(key, LazyFrame::default)
    } else {
        match build(ctx.rep_groups(Grouping::Rep)?)? {
            Some(plan) => ctx.memo(key, || plan),
            None => return Ok(None),
        }
    };
    if grouping == Grouping::Rep {
        return Ok(Some(rep_parts));
    }
    let sums: Vec<Expr> = rep_parts
        .clone()
        .collect_schema()?
        .iter_names()
        .filter(|name| name.as_str() != GROUP)
        .map(|name| col(name.clone()).sum().cast(DataType::Int64))
        .collect();
    Ok(Some(
        rep_parts
            .rename([GROUP], ["rep_id"], true)
            .join_groups(ctx.rep_groups(grouping)?)
            .agg(sums),
    ))
}

/// Output columns of the scorecard at a grouping level, in order: identity,
/// then every KPI column of the [catalogue](super::catalog) (aging buckets in
/// roll-ups only, the workday trailer last).
pub(crate) fn output_columns(grouping: Grouping) -> Vec<(&'static str, ColumnType)> {
    identity_columns(grouping)
        .into_iter()
        .chain(catalog::kpi_columns(grouping))
        .collect()
}

fn int_columns(names: &[&'static str]) -> Vec<(&'static str, DataType)> {
    names.iter().map(|n| (*n, DataType::Int64)).collect()
}

/// Joins the activity, sales, discipline and integrity-flag parts.
fn join_activity_and_sales(
    ctx: &KpiContext,
    grouping: Grouping,
    groups: &LazyFrame,
) -> Result<LazyFrame> {
    let mut frame = left_join(base(ctx, grouping)?, workday_parts(ctx, grouping)?)
        .with_column(col("workdays").fill_null(lit(0i64)));
    frame = join_parts(
        frame,
        visit_parts(ctx, groups.clone())?,
        &int_columns(&[
            "visits",
            "visited_customers",
            "__duration_sum",
            "__duration_n",
            "__visit_cost",
        ]),
    );
    let lines = order_lines(ctx);
    frame = join_parts(
        frame,
        period_order_lines(ctx).map(|l| line_parts(ctx, l, groups.clone())),
        &int_columns(&[
            "sales_amount",
            "__cost_sum",
            "__list_amount",
            "active_customers",
        ]),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_order_counts", |g| {
            Ok(order_count_parts(ctx, g))
        })?,
        &int_columns(&["orders"]),
    );
    let discipline = additive_parts(
        ctx,
        grouping,
        "rep_discipline",
        |g| match period_order_lines(ctx) {
            Some(l) => Ok(Some(discipline_parts(ctx, l, g)?)),
            None => Ok(None),
        },
    )?;
    frame = join_parts(frame, discipline, &int_columns(DISCIPLINE_COLUMNS));
    let flagged = additive_parts(ctx, grouping, "rep_flag_counts", |g| {
        Ok(period_flags(ctx)?.map(|f| {
            f.join_groups(g)
                .agg([len().cast(DataType::Int64).alias("flags_count")])
        }))
    })?;
    frame = join_parts(frame, flagged, &int_columns(&["flags_count"]));
    // Without orders there is no cost to speak of: cost and discount are null.
    Ok(if lines.is_some() {
        frame.with_columns([
            col("__cost_missing").fill_null(lit(false)),
            col("__list_missing").fill_null(lit(false)),
        ])
    } else {
        frame.with_columns([
            lit(true).alias("__cost_missing"),
            lit(true).alias("__list_missing"),
        ])
    })
}

/// Joins the customer, receivable, pipeline, expense and target parts.
fn join_other_families(
    ctx: &KpiContext,
    grouping: Grouping,
    frame: LazyFrame,
    groups: &LazyFrame,
) -> Result<LazyFrame> {
    let mut frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_customer_parts", |g| {
            customers::customer_parts(ctx, g)
        })?,
        &int_columns(customers::CUSTOMER_COLUMNS),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_invoice_parts", |g| {
            receivables::invoice_parts(ctx, g)
        })?,
        &int_columns(receivables::INVOICE_COLUMNS),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_payment_parts", |g| {
            receivables::payment_parts(ctx, g)
        })?,
        &int_columns(receivables::PAYMENT_COLUMNS),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_pipeline_parts", |g| {
            opportunities::pipeline_parts(ctx, g)
        })?,
        &int_columns(opportunities::PIPELINE_COLUMNS),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_closing_parts", |g| {
            Ok(opportunities::closing_parts(ctx, g))
        })?,
        &int_columns(&["__closing_weighted"]),
    );
    frame = join_parts(
        frame,
        additive_parts(ctx, grouping, "rep_expense_parts", |g| {
            expenses::expense_parts(ctx, g)
        })?,
        &int_columns(expenses::EXPENSE_COLUMNS),
    );
    // Targets are not zero-filled: a group without any target row has no
    // target (rule 3), which is not a target of 0.
    let frame = match targets::target_parts(ctx, groups.clone())? {
        Some(t) => left_join(frame, t),
        None => frame.with_columns(
            targets::TARGET_COLUMNS
                .iter()
                .map(|c| lit(NULL).cast(DataType::Int64).alias(*c))
                .collect::<Vec<_>>(),
        ),
    };
    if grouping == Grouping::Rep {
        return Ok(frame);
    }
    // Worked out once per period for the reps with a target, and summed.
    let targeted = additive_parts(ctx, grouping, "rep_targeted_parts", |g| {
        targets::targeted_parts(ctx, g)
    })?;
    Ok(match targeted {
        Some(t) => left_join(frame, t),
        None => frame.with_columns([
            lit(NULL).cast(DataType::Int64).alias("__targeted_sales"),
            lit(NULL)
                .cast(DataType::Int64)
                .alias("__targeted_collected"),
            lit(NULL).cast(DataType::Int64).alias("__targeted_closing"),
        ]),
    })
}

/// Every column of every family at a grouping level, hidden parts (`__…`)
/// included, unsorted. [`scorecard`] selects the output columns from it.
///
/// Derived columns are computed from summed parts by each family's
/// `derived` functions (their docs give the formulas; the catalogue lists them).
pub(crate) fn full_frame(ctx: &KpiContext, grouping: Grouping) -> Result<DataFrame> {
    let groups = ctx.rep_groups(grouping)?;
    let frame = join_activity_and_sales(ctx, grouping, &groups)?;
    let frame = join_other_families(ctx, grouping, frame, &groups)?;
    let frame = frame
        .with_columns(activity::derived())
        .with_columns(sales::derived())
        .with_columns(sales::ratios())
        .with_columns([
            lit(ctx.elapsed_workdays()).alias("elapsed_workdays"),
            lit(ctx.total_workdays()).alias("total_workdays"),
        ])
        .with_columns(customers::derived())
        .with_columns(receivables::derived())
        .with_columns(opportunities::derived())
        .with_columns(expenses::derived())
        .with_columns(expenses::ratios())
        .with_columns(targets::derived(ctx, grouping));
    let df = frame.collect()?;
    warn_missing_costs(ctx, &df, grouping)?;
    Ok(df)
}

/// Computes the scorecard at a grouping level (rep, team, region or company),
/// sorted by its key, with the columns of [`output_columns`].
pub fn scorecard(ctx: &KpiContext, grouping: Grouping) -> Result<DataFrame> {
    let df = full_frame(ctx, grouping)?;
    select_sorted(df, grouping)
}

/// Sorts a full frame by the grouping key and keeps the output columns.
pub(crate) fn select_sorted(df: DataFrame, grouping: Grouping) -> Result<DataFrame> {
    let order: Vec<Expr> = output_columns(grouping)
        .iter()
        .map(|(c, _)| col(*c))
        .collect();
    Ok(df
        .lazy()
        .sort([grouping.key()], SortMultipleOptions::default())
        .select(order)
        .collect()?)
}

fn warn_missing_costs(ctx: &KpiContext, df: &DataFrame, grouping: Grouping) -> Result<()> {
    if grouping != Grouping::Rep || !ctx.data.has("orders") {
        return Ok(());
    }
    let missing = df
        .clone()
        .lazy()
        .filter(col("__cost_missing"))
        .select([col("rep_id")])
        .collect()?;
    let ids: Vec<String> = missing
        .column("rep_id")?
        .str()?
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    if !ids.is_empty() {
        ctx.warn(format!(
            "orders: some in-period lines have no unit_cost on the line or the product, so cost, margin and margin % are null for rep(s) {}",
            ids.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::testing::{context, dataset, CUSTOMERS, REPS};

    const PRODUCTS: &str = "product_id,product_name,list_price,unit_cost\nP1,Bolt,10,4\n";
    // R1 visits C1 in July and August and C2 in September; orders from C1 in
    // July and August. R2 has one order and no visit; R3 has nothing.
    const VISITS: &str = "visit_id,rep_id,customer_id,visit_start\n\
V1,R1,C1,2026-07-06 09:00:00\n\
V2,R1,C1,2026-08-03 09:00:00\n\
V3,R1,C2,2026-09-07 09:00:00\n";
    const ORDERS: &str =
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
O1,1,2026-07-10,R1,C1,P1,1,10\n\
O2,1,2026-08-10,R1,C1,P1,2,10\n\
O3,1,2026-09-10,R2,C2,P1,1,8\n";

    fn rep_value(df: &DataFrame, rep: &str, column: &str) -> AnyValue<'static> {
        let at = df
            .column("rep_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .position(|r| r == Some(rep))
            .expect("rep row");
        df.column(column).unwrap().get(at).unwrap().into_static()
    }

    /// Reps, customers, products, visits and orders of the tests above.
    fn data() -> crate::ingest::Dataset {
        dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", PRODUCTS),
            ("visits", VISITS),
            ("orders", ORDERS),
        ])
    }

    fn rep_scorecard(period: &str, as_of: &str) -> DataFrame {
        scorecard(&context(&data(), period, as_of), Grouping::Rep).unwrap()
    }

    #[test]
    fn quarter_distinct_counts_are_not_sums_of_months() {
        let quarter = rep_scorecard("2026-Q3", "2026-09-30");
        // C1 twice and C2 once: 2 distinct in the quarter, 1 + 1 + 1 = 3 by month.
        assert_eq!(
            rep_value(&quarter, "R1", "visited_customers"),
            AnyValue::Int64(2)
        );
        // C1 ordered in July and August: 1 distinct, 1 + 1 + 0 = 2 by month.
        assert_eq!(
            rep_value(&quarter, "R1", "active_customers"),
            AnyValue::Int64(1)
        );
        let month_sum = |column: &str| -> i64 {
            ["2026-07", "2026-08", "2026-09"]
                .iter()
                .zip(["2026-07-31", "2026-08-31", "2026-09-30"])
                .map(
                    |(p, a)| match rep_value(&rep_scorecard(p, a), "R1", column) {
                        AnyValue::Int64(v) => v,
                        other => panic!("{column}: {other:?}"),
                    },
                )
                .sum()
        };
        assert_eq!(month_sum("visited_customers"), 3);
        assert_eq!(month_sum("active_customers"), 2);
        // Summable columns do add up: 3 visits, 2 orders, 10.00 + 20.00 sales.
        assert_eq!(rep_value(&quarter, "R1", "visits"), AnyValue::Int64(3));
        assert_eq!(rep_value(&quarter, "R1", "orders"), AnyValue::Int64(2));
        assert_eq!(
            rep_value(&quarter, "R1", "sales_amount"),
            AnyValue::Int64(3_000)
        );
        // 2 orders / 3 visits × 100.
        assert_eq!(
            rep_value(&quarter, "R1", "orders_per_100_visits"),
            AnyValue::Float64(2.0 / 3.0 * 100.0)
        );
    }

    #[test]
    fn every_computed_column_is_in_the_catalogue() {
        let data = data();
        for grouping in [Grouping::Rep, Grouping::Team] {
            let df = full_frame(&context(&data, "2026-Q3", "2026-09-30"), grouping).unwrap();
            let identity: Vec<&str> = identity_columns(grouping).iter().map(|(c, _)| *c).collect();
            for name in df.get_column_names() {
                let name = name.as_str();
                if name.starts_with("__") || identity.contains(&name) {
                    continue;
                }
                assert!(
                    catalog::lookup(name).is_some(),
                    "{name} is computed but has no catalogue entry"
                );
            }
        }
    }

    #[test]
    fn visits_per_active_customer_is_visits_over_ordering_customers() {
        let quarter = rep_scorecard("2026-Q3", "2026-09-30");
        // R1: 3 visits, 1 active customer (C1 ordered twice).
        assert_eq!(
            rep_value(&quarter, "R1", "visits_per_active_customer"),
            AnyValue::Float64(3.0)
        );
        // R2: an active customer but no visit: 0 / 1.
        assert_eq!(
            rep_value(&quarter, "R2", "visits_per_active_customer"),
            AnyValue::Float64(0.0)
        );
        // R3: no active customer: null, not 0.
        assert_eq!(
            rep_value(&quarter, "R3", "visits_per_active_customer"),
            AnyValue::Null
        );
    }

    #[test]
    fn zero_denominators_give_null_not_zero() {
        let quarter = rep_scorecard("2026-Q3", "2026-09-30");
        // R2: an order but no visit.
        assert_eq!(rep_value(&quarter, "R2", "visits"), AnyValue::Int64(0));
        assert_eq!(
            rep_value(&quarter, "R2", "orders_per_100_visits"),
            AnyValue::Null
        );
        assert_eq!(rep_value(&quarter, "R2", "sales_per_visit"), AnyValue::Null);
        // 1 − 8.00 / 10.00 list.
        assert_eq!(
            rep_value(&quarter, "R2", "discount_pct"),
            AnyValue::Float64(1.0 - 0.8)
        );
        // R3: no orders at all: counts 0, ratios null.
        assert_eq!(rep_value(&quarter, "R3", "orders"), AnyValue::Int64(0));
        assert_eq!(
            rep_value(&quarter, "R3", "sales_amount"),
            AnyValue::Int64(0)
        );
        assert_eq!(rep_value(&quarter, "R3", "avg_order_value"), AnyValue::Null);
        assert_eq!(
            rep_value(&quarter, "R3", "gross_margin_pct"),
            AnyValue::Null
        );
        // 0 visits over a positive number of workdays is a rate of 0, not null.
        assert_eq!(
            rep_value(&quarter, "R3", "visits_per_workday"),
            AnyValue::Float64(0.0)
        );
    }
}
