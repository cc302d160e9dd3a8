//! The scorecard (SPEC section 3): every family's parts joined per group, then
//! the ratios recomputed from summed parts, never averaged (rule 11).

use polars::prelude::*;

use super::activity::{visit_parts, workday_parts};
use super::context::{Grouping, KpiContext, GROUP};
use super::ratio;
use super::sales::{line_parts, order_count_parts, order_lines};
use crate::Result;

/// How a scorecard column is stored and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (ids, names).
    Text,
    /// Whole count (Int64).
    Count,
    /// Money held as Int64 cents, written with 2 decimals.
    Money,
    /// Float ratio, mean or rate.
    Ratio,
}

/// KPI columns of the scorecard in output order, with their types. Columns of
/// SPEC section 3 not listed here are not implemented yet and are absent.
pub const SCORECARD_COLUMNS: &[(&str, ColumnType)] = &[
    ("visits", ColumnType::Count),
    ("workdays", ColumnType::Count),
    ("visits_per_workday", ColumnType::Ratio),
    ("avg_visit_minutes", ColumnType::Ratio),
    ("visited_customers", ColumnType::Count),
    ("orders", ColumnType::Count),
    ("sales_amount", ColumnType::Money),
    ("cost_amount", ColumnType::Money),
    ("gross_margin", ColumnType::Money),
    ("gross_margin_pct", ColumnType::Ratio),
    ("discount_pct", ColumnType::Ratio),
    ("avg_order_value", ColumnType::Ratio),
    ("orders_per_100_visits", ColumnType::Ratio),
    ("sales_per_visit", ColumnType::Ratio),
    ("active_customers", ColumnType::Count),
];

/// Trailing columns of every scorecard.
pub const TRAILING_COLUMNS: &[(&str, ColumnType)] = &[
    ("elapsed_workdays", ColumnType::Count),
    ("total_workdays", ColumnType::Count),
];

/// Leading identity columns for a grouping.
pub fn identity_columns(grouping: Grouping) -> Vec<(&'static str, ColumnType)> {
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
    let period = lit(ctx.period.label.clone()).alias("period");
    let reps = ctx.reps()?;
    Ok(match grouping {
        Grouping::Rep => reps.select([
            period,
            col("rep_id"),
            col("rep_name"),
            col("team"),
            col("region"),
            col("role")
                .str()
                .strip_chars(lit(NULL))
                .str()
                .to_lowercase()
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
    columns: &[(&str, DataType)],
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

/// Computes the scorecard at a grouping level (rep, team, region or company).
///
/// Derived columns, from summed parts:
/// - `visits_per_workday = visits / workdays`
/// - `avg_visit_minutes = Σ duration / count(non-null duration)`
/// - `cost_amount` null when some in-period line lacks a cost (rule 5)
/// - `gross_margin = sales_amount − cost_amount`, `gross_margin_pct = gross_margin / sales_amount`
/// - `discount_pct = 1 − sales_amount / Σ line_list_amount`
/// - `avg_order_value = sales_amount / orders`
/// - `orders_per_100_visits = orders / visits × 100`, `sales_per_visit = sales_amount / visits`
pub fn scorecard(ctx: &KpiContext, grouping: Grouping) -> Result<DataFrame> {
    let groups = ctx.rep_groups(grouping)?;
    let mut frame = left_join(base(ctx, grouping)?, workday_parts(ctx, grouping)?)
        .with_column(col("workdays").fill_null(lit(0i64)));
    frame = join_parts(
        frame,
        visit_parts(ctx, groups.clone())?,
        &[
            ("visits", DataType::Int64),
            ("visited_customers", DataType::Int64),
            ("__duration_sum", DataType::Int64),
            ("__duration_n", DataType::Int64),
            ("__visit_cost", DataType::Int64),
        ],
    );
    let lines = order_lines(ctx);
    let sales_cols = [
        ("sales_amount", DataType::Int64),
        ("__cost_sum", DataType::Int64),
        ("__list_amount", DataType::Int64),
        ("active_customers", DataType::Int64),
    ];
    frame = join_parts(
        frame,
        lines.clone().map(|l| line_parts(ctx, l, groups.clone())),
        &sales_cols,
    );
    frame = join_parts(
        frame,
        lines
            .clone()
            .map(|l| order_count_parts(ctx, l, groups.clone())),
        &[("orders", DataType::Int64)],
    );
    if lines.is_some() {
        frame = frame.with_columns([
            col("__cost_missing").fill_null(lit(false)),
            col("__list_missing").fill_null(lit(false)),
        ]);
    } else {
        frame = frame.with_columns([
            lit(true).alias("__cost_missing"),
            lit(true).alias("__list_missing"),
        ]);
    }
    let null_money = || lit(NULL).cast(DataType::Int64);
    let frame = frame
        .with_columns([
            ratio(col("visits"), col("workdays")).alias("visits_per_workday"),
            ratio(col("__duration_sum"), col("__duration_n")).alias("avg_visit_minutes"),
            when(col("__cost_missing"))
                .then(null_money())
                .otherwise(col("__cost_sum"))
                .alias("cost_amount"),
        ])
        .with_columns([(col("sales_amount") - col("cost_amount")).alias("gross_margin")])
        .with_columns([
            ratio(col("gross_margin"), col("sales_amount")).alias("gross_margin_pct"),
            when(col("__list_missing"))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(lit(1.0) - ratio(col("sales_amount"), col("__list_amount")))
                .alias("discount_pct"),
            (ratio(col("sales_amount"), col("orders")) / lit(100.0)).alias("avg_order_value"),
            (ratio(col("orders"), col("visits")) * lit(100.0)).alias("orders_per_100_visits"),
            (ratio(col("sales_amount"), col("visits")) / lit(100.0)).alias("sales_per_visit"),
            lit(ctx.elapsed_workdays()).alias("elapsed_workdays"),
            lit(ctx.total_workdays()).alias("total_workdays"),
        ]);
    let df = frame.collect()?;
    warn_missing_costs(ctx, &df, grouping)?;
    let order: Vec<Expr> = identity_columns(grouping)
        .iter()
        .chain(SCORECARD_COLUMNS)
        .chain(TRAILING_COLUMNS)
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
