//! Expense KPIs: expenses_amount and expense_ratio (SPEC section 3).

use polars::prelude::*;

use super::context::{GroupByRep, KpiContext};
use super::ratio;
use crate::Result;

/// Columns of [`expense_parts`] besides `__group` (Int64 cents).
pub(crate) const EXPENSE_COLUMNS: &[&str] = &["__expense_sum"];

/// Per group: `__expense_sum` = Σ `amount` (cents) of expenses with
/// `expense_date` in `[start, PE]`, credited to the expense's rep.
///
/// `None` when the expenses table is absent: then expenses_amount and
/// expense_ratio are null rather than visit cost alone, because a partial
/// expense total would read as a real one.
pub(crate) fn expense_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let Some(expenses) = ctx.table("expenses", "expenses_amount and expense_ratio") else {
        return Ok(None);
    };
    Ok(Some(
        expenses
            .filter(ctx.in_period(col("expense_date")))
            .join_groups(groups)
            .agg([col("amount").sum().alias("__expense_sum")]),
    ))
}

/// Derived columns, applied after the visit parts (`__visit_cost`) and sales
/// (`sales_amount`) are joined:
/// - `expenses_amount = __expense_sum + Σ visit cost in period` (a missing visits
///   table adds nothing to it);
/// - `expense_ratio = expenses_amount / sales_amount`.
pub(crate) fn derived() -> Vec<Expr> {
    vec![(col("__expense_sum") + col("__visit_cost").fill_null(lit(0i64))).alias("expenses_amount")]
}

/// Ratio columns computed from [`derived`]'s output.
pub(crate) fn ratios() -> Vec<Expr> {
    vec![ratio(col("expenses_amount"), col("sales_amount")).alias("expense_ratio")]
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset, CUSTOMERS, REPS};
    use crate::kpi::Grouping;

    const EXPENSES: &str = "expense_id,rep_id,expense_date,category,amount
E1,R1,2026-10-03,travel,100.505
E2,R1,2026-09-30,travel,50.00
E3,R2,2026-10-20,meals,70.00
E4,R2,2026-10-15,meals,-5.00
";
    const VISITS: &str = "visit_id,rep_id,customer_id,visit_start,cost
V1,R1,C1,2026-10-02 09:00,20.00
V2,R1,C1,2026-10-16 09:00,30.00
V3,R3,C3,2026-10-02 10:00,
";
    const ORDERS: &str =
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost
O1,1,2026-10-01,R1,C1,P1,2,241.255,1
";

    fn money(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
        df.column(name).unwrap().i64().unwrap().iter().collect()
    }

    #[test]
    fn expenses_add_visit_cost_and_divide_by_sales() {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", ORDERS),
            ("visits", VISITS),
            ("expenses", EXPENSES),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        // R1: E1 100.505 → 100.51 (E2 September) + V1 20.00 (V2 after as_of) = 120.51.
        // R2: E4 −5.00 (a reversal; E3 after as_of). R3: no expense rows → 0.00,
        // V3 has no cost.
        assert_eq!(
            money(&df, "expenses_amount"),
            [Some(12_051), Some(-500), Some(0)]
        );
        // R1 sales: round(2 × 241.255, 2) = 482.51 → 120.51 / 482.51; others no sales → null.
        let ratio: Vec<Option<f64>> = df
            .column("expense_ratio")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ratio, [Some(12_051.0 / 48_251.0), None, None]);
    }

    #[test]
    fn without_an_expenses_table_the_columns_are_null() {
        let data = dataset(&[("reps", REPS), ("visits", VISITS)]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        assert_eq!(df.column("expenses_amount").unwrap().null_count(), 3);
        assert!(ctx
            .warnings()
            .iter()
            .any(|w| w.starts_with("expenses: table absent")));
    }
}
