//! KPI jobs (SPEC sections 3, 4 and 6): one module per KPI family, each a
//! polars lazy plan over the validated tables, aggregated per group.
//!
//! Every family computes its columns for a [`Grouping`] directly from the
//! facts (so distinct counts are recounted at group level, rule 11) and money
//! is summed as integer cents. The formula of each column is in the doc
//! comment of the function that computes it.

pub(crate) mod activity;
pub(crate) mod balances;
pub mod catalog;
pub(crate) mod context;
pub(crate) mod customer_orders;
pub(crate) mod customers;
pub(crate) mod discipline;
pub(crate) mod engine;
pub(crate) mod expenses;
pub(crate) mod flags;
pub(crate) mod funnel;
pub(crate) mod gap;
pub(crate) mod heads;
pub(crate) mod opportunities;
pub(crate) mod receivables;
pub(crate) mod sales;
pub(crate) mod scorecard;
pub(crate) mod stored_facts;
pub(crate) mod tables;
pub(crate) mod targets;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod trend;
pub(crate) mod view;

pub use context::{Grouping, KpiContext, Settings};
pub use engine::Engine;
pub use scorecard::scorecard;
pub use stored_facts::stored_facts;

use polars::prelude::*;

/// `numerator / denominator` as Float64, null when the denominator is 0 or null
/// (SPEC section 2: a ratio with a zero denominator is null).
pub fn ratio(numerator: Expr, denominator: Expr) -> Expr {
    when(
        denominator
            .clone()
            .eq(lit(0))
            .or(denominator.clone().is_null()),
    )
    .then(lit(NULL).cast(DataType::Float64))
    .otherwise(numerator.cast(DataType::Float64) / denominator.cast(DataType::Float64))
}

/// A Date literal for plans. polars' own `lit` of a `NaiveDate` is a
/// Datetime(ns) at midnight: comparing it with a Date column casts the
/// whole column to Datetime row by row, and keeps a Parquet scan from
/// skipping the row groups whose date statistics fall outside the filter
/// (the period's order lines read all 17 row groups of the stored orders at
/// scale 100 instead of the last 2). Every date compared in a plan is one
/// of these.
pub fn date_lit(d: chrono::NaiveDate) -> Expr {
    let days =
        i32::try_from(days_since_epoch(d)).expect("chrono dates are within ±2^31 days of 1970");
    Expr::Literal(Scalar::new_date(days).into())
}

/// Days since 1970-01-01 of a date: the number a Date column holds, and
/// what [`day_number`] gives for a column (day arithmetic against PE).
pub(crate) fn days_since_epoch(d: chrono::NaiveDate) -> i64 {
    (d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days()
}

/// Days since 1970-01-01 of a Date expression, as Int64 (day arithmetic:
/// days past due, days since the last order, a settlement's days).
pub(crate) fn day_number(date: Expr) -> Expr {
    date.cast(DataType::Int32).cast(DataType::Int64)
}

/// The date a Date value holds (days since 1970-01-01); `None` out of
/// chrono's range.
pub(crate) fn date_of_days(days: i32) -> Option<chrono::NaiveDate> {
    chrono::DateTime::UNIX_EPOCH
        .date_naive()
        .checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
}

/// Filter: a Datetime column's day within `[from, to]`, written as
/// `from 00:00 ≤ value < (to + 1 day) 00:00` with millisecond literals (the
/// unit ingest gives every datetime), so no row is cast to a Date first
/// and a scan skips the row groups whose statistics fall outside (the
/// period's visits read 3 of the stored visits' 25 row groups at scale 100).
/// Same rows as `value.cast(Date)` within `[from, to]`.
pub fn on_days(datetime: Expr, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Expr {
    datetime
        .clone()
        .gt_eq(midnight_ms(from))
        .and(up_to_day(datetime, to))
}

/// Filter: a Datetime column's day on or before `to`, written as `value <
/// (to + 1 day) 00:00` (see [`on_days`]). Same rows as `value.cast(Date) ≤ to`.
pub fn up_to_day(datetime: Expr, to: chrono::NaiveDate) -> Expr {
    datetime.lt(midnight_ms(to.succ_opt().unwrap_or(chrono::NaiveDate::MAX)))
}

/// A Datetime(ms) literal at 00:00 of `day`.
fn midnight_ms(day: chrono::NaiveDate) -> Expr {
    let ms = day
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_millis();
    Expr::Literal(Scalar::new_datetime(ms, TimeUnit::Milliseconds, None).into())
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::date_lit;

    /// A Date column compared with `date_lit` stays a Date comparison (no
    /// cast of the column to Datetime, which would keep a scan from
    /// skipping row groups by their statistics), inclusive at the bound.
    #[test]
    fn date_literals_compare_as_dates() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let df = df!("d" => [day(30), day(31)]).unwrap();
        let plan = df.lazy().filter(col("d").lt_eq(date_lit(day(30))));
        let explained = plan.clone().explain(true).unwrap();
        assert!(!explained.contains("Datetime"), "{explained}");
        let kept = plan.collect().unwrap();
        assert_eq!(
            kept.column("d").unwrap().date().unwrap().physical().get(0),
            Some(20_756)
        );
        assert_eq!(kept.height(), 1);
        let lit_dtype = df!("x" => [1])
            .unwrap()
            .lazy()
            .select([date_lit(day(1)).alias("l")])
            .collect()
            .unwrap();
        assert_eq!(lit_dtype.column("l").unwrap().dtype(), &DataType::Date);
    }

    /// `on_days` keeps the rows whose day is within the bounds, the first
    /// and last millisecond of each included, and casts no row.
    #[test]
    fn on_days_keeps_whole_days_without_casting() {
        let at = |d: u32, h: u32, m: u32, s: u32, ms: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 10, d)
                .unwrap()
                .and_hms_milli_opt(h, m, s, ms)
                .unwrap()
        };
        let times = [
            at(1, 0, 0, 0, 0),
            at(1, 23, 59, 59, 999),
            at(2, 0, 0, 0, 0),
            at(3, 0, 0, 0, 0),
            at(3, 23, 59, 59, 999),
            at(4, 0, 0, 0, 0),
        ];
        let df = DataFrame::new(
            times.len(),
            vec![Column::new("t".into(), times)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()],
        )
        .unwrap();
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let plan = df
            .clone()
            .lazy()
            .filter(super::on_days(col("t"), day(2), day(3)));
        let explained = plan.clone().explain(true).unwrap();
        assert!(!explained.contains("cast"), "{explained}");
        let kept: Vec<_> = plan
            .collect()
            .unwrap()
            .column("t")
            .unwrap()
            .datetime()
            .unwrap()
            .as_datetime_iter()
            .collect();
        let expected = [at(2, 0, 0, 0, 0), at(3, 0, 0, 0, 0), at(3, 23, 59, 59, 999)];
        assert_eq!(kept, expected.map(Some));
        let up_to = df
            .clone()
            .lazy()
            .filter(super::up_to_day(col("t"), day(3)))
            .collect()
            .unwrap();
        assert_eq!(up_to.height(), 5, "every instant of the 1st to the 3rd");
    }
}
