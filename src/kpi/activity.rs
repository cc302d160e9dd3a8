//! Visit activity KPIs: visits, workdays, visit rate, visit length, customers visited.

use polars::prelude::*;

use super::context::{GroupByRep, Grouping, KpiContext};
use super::ratio;
use crate::Result;

/// Per group, from visits with `visit_start` date in `[start, PE]`:
/// - `visits` = count of visits;
/// - `visited_customers` = distinct `customer_id` (recounted per group);
/// - `__duration_sum` / `__duration_n` = Σ and count of non-null
///   `duration_minutes`, so `avg_visit_minutes = Σ / n` at any level;
/// - `__visit_cost` = Σ visit `cost` in cents (part of expenses_amount).
///
/// `None` when the visits table is absent.
pub(crate) fn visit_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    // `table` names the absent table in the period's warnings.
    let Some(visits) = ctx.table("visits", "visit KPIs").and(period_visits(ctx)) else {
        return Ok(None);
    };
    let parts = visits.join_groups(groups).agg([
        len().cast(DataType::Int64).alias("visits"),
        col("customer_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("visited_customers"),
        col("duration_minutes").sum().alias("__duration_sum"),
        col("duration_minutes")
            .count()
            .cast(DataType::Int64)
            .alias("__duration_n"),
        col("cost").sum().alias("__visit_cost"),
    ]);
    Ok(Some(parts))
}

/// The visits with `visit_start` date in `[start, PE]`, every column;
/// `None` without a visits table (no warning: callers name what is missing).
/// Filtered once per period and shared by every roll-up and the visit flags.
pub(crate) fn period_visits(ctx: &KpiContext) -> Option<LazyFrame> {
    let visits = ctx.data.lazy("visits")?;
    Some(ctx.memo("period_visits", || {
        visits.filter(super::on_days(col("visit_start"), ctx.period.start, ctx.pe))
    }))
}

/// Per group: `workdays` = Σ over its reps of the rep's workdays in
/// `[max(start, hire_date), min(PE, leave_date)]` (calendar-aware).
pub(crate) fn workday_parts(ctx: &KpiContext, grouping: Grouping) -> Result<LazyFrame> {
    let reps = ctx
        .reps()?
        .select([col("rep_id"), col("hire_date"), col("leave_date")])
        .collect()?;
    let ids = reps.column("rep_id")?.str()?;
    let hires = reps
        .column("hire_date")?
        .date()?
        .as_date_iter()
        .collect::<Vec<_>>();
    let leaves = reps
        .column("leave_date")?
        .date()?
        .as_date_iter()
        .collect::<Vec<_>>();
    let days: Vec<i64> = hires
        .iter()
        .zip(leaves.iter())
        .map(|(hire, leave)| {
            let from = hire.map_or(ctx.period.start, |h| h.max(ctx.period.start));
            let to = leave.map_or(ctx.pe, |l| l.min(ctx.pe));
            ctx.calendar.workdays(from, to)
        })
        .collect();
    let per_rep = DataFrame::new(
        ids.len(),
        vec![
            Column::new("rep_id".into(), ids.clone().into_series()),
            Column::new("workdays".into(), days),
        ],
    )?;
    Ok(per_rep
        .lazy()
        .join_groups(ctx.rep_groups(grouping)?)
        .agg([col("workdays").sum()]))
}

/// Activity ratios from summed parts, at any level (rule 11):
/// - `visits_per_workday = visits / workdays` (a rate; 0 visits over
///   positive workdays is 0, no workdays is null);
/// - `avg_visit_minutes = __duration_sum / __duration_n` (minutes);
/// - `visits_per_active_customer = visits / active_customers` (how many
///   visits each ordering customer took; null without active customers).
///
/// Needs the visit, workday and order-line parts joined first.
pub(crate) fn derived() -> Vec<Expr> {
    vec![
        ratio(col("visits"), col("workdays")).alias("visits_per_workday"),
        ratio(col("__duration_sum"), col("__duration_n")).alias("avg_visit_minutes"),
        ratio(col("visits"), col("active_customers")).alias("visits_per_active_customer"),
    ]
}
