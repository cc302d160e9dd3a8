//! Target KPIs: targets summed over the period, attainment and run rate
//! (SPEC section 3, rules 2 and 3).

use polars::prelude::*;

use super::context::{GroupByRep, KpiContext};
use super::ratio;
use crate::money::div_round_half_away;
use crate::Result;

/// Target columns summed over the period's months, all Int64 (money targets in
/// cents, visit and new-customer targets as counts).
pub const TARGET_COLUMNS: &[&str] = &[
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
pub fn target_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let Some(targets) = ctx.table("targets", "targets, attainment and run rates vs target") else {
        return Ok(None);
    };
    let months = Series::new("months".into(), ctx.period.months());
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
        targets
            .filter(col("period").is_in(lit(months).implode(false), false))
            .join_groups(groups)
            .agg(sums),
    ))
}

/// Derived target columns (needs `sales_amount` and `collected_amount`):
/// - `sales_attainment = sales_amount / sales_target`;
/// - `collection_attainment = collected_amount / collection_target`;
/// - `run_rate_sales = round(sales_amount × total_workdays / elapsed_workdays, 2)`
///   in cents, half away from zero; null when elapsed is 0 (rule 2).
pub fn derived(ctx: &KpiContext) -> Vec<Expr> {
    let elapsed = ctx.elapsed_workdays();
    let total = ctx.total_workdays();
    let run_rate = if elapsed == 0 {
        lit(NULL).cast(DataType::Int64)
    } else {
        div_round_half_away(
            col("sales_amount").cast(DataType::Int128) * lit(total).cast(DataType::Int128),
            elapsed,
        )
        .cast(DataType::Int64)
    };
    vec![
        ratio(col("sales_amount"), col("sales_target")).alias("sales_attainment"),
        ratio(col("collected_amount"), col("collection_target")).alias("collection_attainment"),
        run_rate.alias("run_rate_sales"),
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
    }

    #[test]
    fn attainment_and_run_rate() {
        let orders = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost
O1,1,2026-10-01,R1,C1,P1,1,750.00,1
O2,1,2026-10-02,R2,C2,P1,1,0.01,0
O3,1,2026-10-02,R3,C3,P1,-1,0.01,0
";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", crate::kpi::testing::CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", orders),
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
    }
}
