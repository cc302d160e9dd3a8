//! The monthly trend a report charts: sales, gross margin and collections
//! per month over the trailing months, per rep and rolled up to team,
//! region and company — in one plan over the order lines and payments
//! instead of one full scorecard per month and level (48 of them per
//! report). The values are exactly the scorecard's (the tests compare
//! them): all three are summable (rule 11), and a group's gross margin is
//! null when any of its lines in the month lacks a cost (rule 5).

use polars::prelude::*;

use crate::kpi::date_lit;

use super::context::{Grouping, KpiContext};
use super::receivables::attributed_payments;
use super::sales::order_lines;
use crate::period::Period;
use crate::Result;

/// The trend of `months` (consecutive calendar months, oldest first) at one
/// grouping level: `month` (`YYYY-MM`), the grouping's key column, and
/// (for reps also `team` and `region`), and `sales_amount`, `gross_margin`,
/// `collected_amount` in cents — one row per
/// month and group of the reps table, 0 when nothing happened, null when the
/// source table is absent (or, for margin, when a line lacks a cost). Each
/// month is cut at as_of like its scorecard.
pub(crate) fn monthly_trend(
    ctx: &KpiContext,
    months: &[Period],
    grouping: Grouping,
) -> Result<DataFrame> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(DataFrame::empty());
    };
    let (from, to) = (first.start, last.end.min(ctx.as_of));
    let within = |c: &str| col(c).gt_eq(date_lit(from)).and(col(c).lt_eq(date_lit(to)));
    let month = |c: &str| col(c).dt().to_string("%Y-%m").alias("month");
    let key = grouping.key();
    let group = grouping.group_of_rep().alias(key);
    // A rep row carries its team and region, so a report can narrow it.
    let carried: Vec<&str> = if grouping == Grouping::Rep {
        vec!["team", "region"]
    } else {
        Vec::new()
    };
    let reps = match grouping {
        Grouping::Rep => ctx
            .reps()?
            .select([col("rep_id"), col("team"), col("region")]),
        _ => ctx.reps()?.select([col("rep_id"), group]),
    };
    let labels = Series::new(
        "month".into(),
        months.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
    );
    let identity: Vec<Expr> = std::iter::once(col(key))
        .chain(carried.iter().map(|c| col(*c)))
        .collect();
    let mut frame = reps
        .clone()
        .select(identity.clone())
        .unique_stable(None, UniqueKeepStrategy::First)
        .cross_join(
            DataFrame::new(labels.len(), vec![labels.into()])?.lazy(),
            None,
        );
    let per_group = |facts: LazyFrame, aggs: Vec<Expr>| {
        facts
            .join(
                reps.clone(),
                [col("rep_id")],
                [col("rep_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .group_by([col("month"), col(key)])
            .agg(aggs)
    };
    let join = |frame: LazyFrame, parts: LazyFrame| {
        frame.join(
            parts,
            [col("month"), col(key)],
            [col("month"), col(key)],
            JoinArgs::new(JoinType::Left),
        )
    };
    let null = || lit(NULL).cast(DataType::Int64);
    frame = match order_lines(ctx) {
        Some(lines) => join(
            frame,
            per_group(
                lines
                    .filter(within("order_date"))
                    .with_column(month("order_date")),
                vec![
                    col("line_amount").sum().alias("sales_amount"),
                    col("line_cost").sum().alias("__cost_sum"),
                    col("line_cost")
                        .null_count()
                        .gt(lit(0))
                        .alias("__cost_missing"),
                ],
            ),
        )
        .with_columns([
            col("sales_amount").fill_null(lit(0i64)),
            when(col("__cost_missing").fill_null(lit(false)))
                .then(null())
                .otherwise(
                    col("sales_amount").fill_null(lit(0i64))
                        - col("__cost_sum").fill_null(lit(0i64)),
                )
                .alias("gross_margin"),
        ]),
        None => frame.with_columns([null().alias("sales_amount"), null().alias("gross_margin")]),
    };
    frame = match attributed_payments(ctx) {
        Some(payments) => join(
            frame,
            per_group(
                payments
                    .filter(within("payment_date"))
                    .with_column(month("payment_date")),
                vec![col("amount").sum().alias("collected_amount")],
            ),
        )
        .with_column(col("collected_amount").fill_null(lit(0i64))),
        None => frame.with_column(null().alias("collected_amount")),
    };
    let columns: Vec<Expr> = std::iter::once(col("month"))
        .chain(identity)
        .chain([
            col("sales_amount").cast(DataType::Int64),
            col("gross_margin").cast(DataType::Int64),
            col("collected_amount").cast(DataType::Int64),
        ])
        .collect();
    Ok(frame
        .select(columns)
        .sort([key, "month"], SortMultipleOptions::default())
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset};

    /// The sample data's own tables, so every family is present.
    fn sample() -> crate::ingest::Dataset {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
        let (data, _) =
            crate::ingest::load(&root, &crate::ingest::LoadOptions::default()).expect("sample");
        data
    }

    #[test]
    fn the_trend_is_the_scorecard_of_each_month_at_every_level() {
        let data = sample();
        let ctx = context(&data, "2026-10", "2026-10-20");
        let mut months = vec![Period::parse("2026-10").unwrap()];
        for _ in 0..11 {
            let before = months.last().unwrap().previous();
            months.push(before);
        }
        months.reverse();
        for grouping in [
            Grouping::Rep,
            Grouping::Team,
            Grouping::Region,
            Grouping::Company,
        ] {
            let trend = monthly_trend(&ctx, &months, grouping).unwrap();
            assert_eq!(trend.height() % months.len(), 0);
            for m in &months {
                let card =
                    scorecard(&context(&data, &m.to_string(), "2026-10-20"), grouping).unwrap();
                let rows = trend
                    .clone()
                    .lazy()
                    .filter(col("month").eq(lit(m.to_string())))
                    .sort([grouping.key()], SortMultipleOptions::default())
                    .collect()
                    .unwrap();
                assert_eq!(rows.height(), card.height(), "{m} {grouping:?}");
                for c in ["sales_amount", "gross_margin", "collected_amount"] {
                    let want: Vec<Option<i64>> =
                        card.column(c).unwrap().i64().unwrap().iter().collect();
                    let got: Vec<Option<i64>> =
                        rows.column(c).unwrap().i64().unwrap().iter().collect();
                    assert_eq!(got, want, "{m} {grouping:?} {c}");
                }
            }
        }
    }

    #[test]
    fn absent_tables_give_null_and_quiet_months_zero() {
        let data = dataset(&[("reps", crate::kpi::testing::REPS)]);
        let ctx = context(&data, "2026-10", "2026-10-31");
        let months = [Period::parse("2026-10").unwrap()];
        let trend = monthly_trend(&ctx, &months, Grouping::Company).unwrap();
        assert_eq!(trend.height(), 1);
        assert!(trend
            .column("sales_amount")
            .unwrap()
            .i64()
            .unwrap()
            .get(0)
            .is_none());
        assert!(trend
            .column("collected_amount")
            .unwrap()
            .i64()
            .unwrap()
            .get(0)
            .is_none());
    }
}
