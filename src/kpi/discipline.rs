//! Sales-discipline KPIs: discount_violations and cross_region_lines (SPEC
//! section 3, rule 6).

use polars::prelude::*;

use super::context::{GroupByRep, KpiContext};
use crate::Result;

/// Columns of [`discipline_parts`] besides `__group` (Int64 counts).
pub(crate) const DISCIPLINE_COLUMNS: &[&str] = &["discount_violations", "cross_region_lines"];

/// Authority scale: discount authorities are compared in millionths so the
/// test `unit_price < list_price × (1 − authority)` is exact integer math.
pub(crate) const PPM: i64 = 1_000_000;

/// The rep's discount authority in millionths, from the role (empty or unknown
/// role = `rep`, rule 6).
fn authority_ppm(ctx: &KpiContext) -> Expr {
    let rep_default = ctx
        .settings
        .discount_authority
        .get("rep")
        .copied()
        .unwrap_or(0.0);
    let role = crate::text::folded(col("__role"));
    let mut expr = lit((rep_default * PPM as f64).round() as i64);
    for (name, share) in &ctx.settings.discount_authority {
        expr = when(role.clone().eq(lit(name.as_str())))
            .then(lit((share * PPM as f64).round() as i64))
            .otherwise(expr);
    }
    expr
}

/// The live order lines with `order_date` in `[start, PE]` (`lines`, the
/// period's [`period_order_lines`](super::sales::period_order_lines),
/// held once a period, so judging them reads no order line again), each judged
/// against its rep (rule 6), with:
/// - `__violation`: `list_price_eff > 0` and `unit_price < list_price_eff ×
///   (1 − authority(role))` (exactly the authority off is allowed); the
///   list price is the line's, else the product's;
/// - `__authority`: the rep's authority in millionths ([`PPM`]);
/// - `__crossed`: `coalesce(ship_region, customer region)` differs from the
///   rep's region (a line with neither region is not crossed);
/// - `__line_region`, `__rep_region`.
///
/// Lines of reps missing from the reps table are dropped (they have no role
/// or region to judge by). `lines` must be the period order lines of the
/// same context: the result is memoised per period, and both the scorecard
/// counts and the evidence rows of the flags read it.
pub(crate) fn judged_lines(ctx: &KpiContext, lines: LazyFrame) -> Result<LazyFrame> {
    let reps = ctx.reps()?.select([
        col("rep_id"),
        col("role").alias("__role"),
        col("region").alias("__rep_region"),
    ]);
    let lines = match ctx.data.lazy("customers") {
        Some(customers) => lines
            .join(
                customers.select([col("customer_id"), col("region").alias("__cust_region")]),
                [col("customer_id")],
                [col("customer_id")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(
                col("ship_region")
                    .fill_null(col("__cust_region"))
                    .alias("__line_region"),
            ),
        None => lines.with_column(col("ship_region").alias("__line_region")),
    };
    let price = col("unit_price").cast(DataType::Int128) * lit(PPM).cast(DataType::Int128);
    let floor = col("list_price_eff").cast(DataType::Int128)
        * (lit(PPM) - col("__authority")).cast(DataType::Int128);
    let violation = col("list_price_eff")
        .gt(lit(0i64))
        .and(price.lt(floor))
        .fill_null(lit(false));
    let crossed = col("__line_region")
        .neq(col("__rep_region"))
        .fill_null(lit(false));
    let judged = lines
        .join(
            reps,
            [col("rep_id")],
            [col("rep_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(authority_ppm(ctx).alias("__authority"))
        .with_columns([violation.alias("__violation"), crossed.alias("__crossed")]);
    // Four roll-up levels and two flag rules read it: judged once a period.
    Ok(ctx.memo("judged_lines", || judged))
}

/// Per group, over [`judged_lines`], credited to the line's rep:
/// - `discount_violations` = lines beyond the rep's discount authority;
/// - `cross_region_lines` = lines shipped outside the rep's region.
pub(crate) fn discipline_parts(
    ctx: &KpiContext,
    lines: LazyFrame,
    groups: LazyFrame,
) -> Result<LazyFrame> {
    Ok(judged_lines(ctx, lines)?.join_groups(groups).agg([
        col("__violation")
            .sum()
            .cast(DataType::Int64)
            .alias("discount_violations"),
        col("__crossed")
            .sum()
            .cast(DataType::Int64)
            .alias("cross_region_lines"),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset, DISCIPLINE_ORDERS, PRICED_PRODUCTS};
    use crate::kpi::Grouping;

    const REPS: &str =
        "rep_id,rep_name,region,team,role\nR1,Ann,N,T1,rep\nR2,Bo,N,T1, Manager \nR3,Cy,S,T2,\n";
    const CUSTOMERS: &str = "customer_id,customer_name,region\nC1,One,N\nC2,Two,N\nC3,Three,S\n";
    fn counts(by: Grouping) -> Vec<(String, i64, i64)> {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", PRICED_PRODUCTS),
            ("orders", DISCIPLINE_ORDERS),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, by).unwrap();
        let key = df.column(by.key()).unwrap().str().unwrap().clone();
        let v = df
            .column("discount_violations")
            .unwrap()
            .i64()
            .unwrap()
            .clone();
        let c = df
            .column("cross_region_lines")
            .unwrap()
            .i64()
            .unwrap()
            .clone();
        key.iter()
            .zip(v.iter())
            .zip(c.iter())
            .map(|((k, v), c)| (k.unwrap().to_string(), v.unwrap(), c.unwrap()))
            .collect()
    }

    #[test]
    fn discounts_beyond_role_authority_and_cross_region_lines() {
        // R1 (rep, 10 %): O1 exactly 10 % off is allowed; O2 10.0001 % off is a
        // violation; O7 has no list price anywhere; O8's own list price 50 makes
        // 44 a 12 % discount. O9 is after as_of.
        // R2 (" Manager " → manager, 20 %): O3 is exactly 20 % off, allowed; it
        // ships to S while R2 is in N: one cross-region line.
        // R3 (empty role → rep): O4 11 % off, a violation; O5 is cancelled; O6
        // goes to C1 in N while R3 is in S: cross-region.
        assert_eq!(
            counts(Grouping::Rep),
            vec![
                ("R1".to_string(), 2, 0),
                ("R2".to_string(), 0, 1),
                ("R3".to_string(), 1, 1),
            ]
        );
        assert_eq!(
            counts(Grouping::Team),
            vec![("T1".to_string(), 2, 1), ("T2".to_string(), 1, 1)]
        );
    }
}
