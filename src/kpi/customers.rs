//! Customer KPIs: new, lost and legacy customers on the scorecard (SPEC
//! section 3, rule 7) and the per-customer view (section 4, rule 12).
//!
//! "First-ever" and "last" orders are order heads (rule 4: date, rep and
//! customer of the lowest live line) over all data ≤ as_of, any rep.

use chrono::{Days, Months};
use polars::prelude::*;

use crate::kpi::{date_lit, day_number, days_since_epoch};

use super::context::{collect_streaming, GroupByRep, KpiContext, GROUP};
use super::customer_orders::{first_orders, last_orders};
use super::heads::order_heads;
use super::ratio;
use super::sales::{live_lines, period_order_lines};
use super::stored_facts::heads_hold_their_lines;
use crate::Result;

/// Columns of [`customer_parts`] besides `__group`, all Int64.
pub(crate) const CUSTOMER_COLUMNS: &[&str] = &["new_customers", "lost_customers", "__legacy_sales"];

/// Money columns of the customer view (Int64 cents).
pub(crate) const CUSTOMER_VIEW_MONEY: &[&str] = &["sales_t12m"];

fn count_by_group(facts: LazyFrame, rep: &str, groups: LazyFrame, name: &str) -> LazyFrame {
    facts
        .join(
            groups,
            [col(rep)],
            [col("rep_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(GROUP)])
        .agg([len().cast(DataType::Int64).alias(name)])
}

/// Customers lost in the period (rule 7): per customer whose last live
/// order dated ≤ PE, plus `churn_days`, falls in `[start, PE]`, the
/// `__last_date` of that order and `__last_rep` who placed it (credited).
fn lost_in_period_plan(ctx: &KpiContext, heads: LazyFrame) -> LazyFrame {
    // last + churn_days ∈ [start, PE] ⇔ last ∈ [start − churn_days, PE − churn_days].
    let churn = Days::new(ctx.settings.churn_days.max(0) as u64);
    let lost_from = ctx
        .period
        .start
        .checked_sub_days(churn)
        .unwrap_or(chrono::NaiveDate::MIN);
    let lost_to = ctx
        .pe
        .checked_sub_days(churn)
        .unwrap_or(chrono::NaiveDate::MIN);
    let last = col("__last_date");
    last_orders(ctx, heads).filter(
        last.clone()
            .gt_eq(date_lit(lost_from))
            .and(last.lt_eq(date_lit(lost_to))),
    )
}

/// The customers counted by the scorecard's `lost_customers` in the
/// context's period: `customer_id`, `last_order_date` (Date) and `rep_id`
/// (the rep of that last order, who is credited), one row per customer,
/// unsorted. `None` when the orders table is absent.
pub(crate) fn lost_customers_in_period(ctx: &KpiContext) -> Option<LazyFrame> {
    let heads = order_heads(ctx)?;
    Some(lost_in_period_plan(ctx, heads).select([
        col("customer_id"),
        col("__last_date").alias("last_order_date"),
        col("__last_rep").alias("rep_id"),
    ]))
}

/// Per group (orders are order heads of live lines dated ≤ as_of, rule 7):
/// - `new_customers` = customers whose first-ever order is dated in
///   `[start, PE]`, credited to the rep of that first order;
/// - `lost_customers` = customers whose last order dated ≤ PE, plus
///   `churn_days`, falls in `[start, PE]`, credited to the rep of that last order;
/// - `__legacy_sales` = Σ line_amount (cents) of live lines dated in
///   `[start, PE]`, credited to the line's rep, whose customer's first-ever
///   order is dated ≤ start − legacy_days.
///
/// Counts are per customer, so summing rep rows into a team is exact (rule 11).
///
/// `None` when the orders table is absent.
pub(crate) fn customer_parts(ctx: &KpiContext, groups: LazyFrame) -> Result<Option<LazyFrame>> {
    let (Some(lines), Some(heads)) = (period_order_lines(ctx), order_heads(ctx)) else {
        return Ok(None);
    };
    let first = first_orders(ctx, heads.clone());
    let new = count_by_group(
        first.clone().filter(ctx.in_period(col("__first_date"))),
        "__first_rep",
        groups.clone(),
        "new_customers",
    );
    let lost = count_by_group(
        lost_in_period_plan(ctx, heads),
        "__last_rep",
        groups.clone(),
        "lost_customers",
    );
    let legacy_cut = ctx
        .period
        .start
        .checked_sub_days(Days::new(ctx.settings.legacy_days.max(0) as u64))
        .unwrap_or(chrono::NaiveDate::MIN);
    let legacy = lines
        .filter(ctx.in_period(col("order_date")))
        .join(
            first.filter(col("__first_date").lt_eq(date_lit(legacy_cut))),
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join_groups(groups.clone())
        .agg([col("line_amount").sum().alias("__legacy_sales")]);
    let outer = |a: LazyFrame, b: LazyFrame| {
        a.join(
            b,
            [col(GROUP)],
            [col(GROUP)],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
    };
    Ok(Some(outer(outer(new, lost), legacy)))
}

/// Derived: `legacy_sales_share = __legacy_sales / sales_amount`.
pub(crate) fn derived() -> Vec<Expr> {
    vec![ratio(col("__legacy_sales"), col("sales_amount")).alias("legacy_sales_share")]
}

/// ABC class from T12M sales (rule 12): customers with positive sales ranked
/// descending (ties by customer_id); A while the cumulative share before the
/// customer is < 80 %, B while < 95 %, else C; sales ≤ 0 is C. Compared in
/// integer cents: `100 × before < 80 × total`.
fn abc_class(view: LazyFrame) -> LazyFrame {
    let positive = col("sales_t12m").gt(lit(0i64)).fill_null(lit(false));
    let ranked_sales = when(positive.clone())
        .then(col("sales_t12m"))
        .otherwise(lit(0i64));
    let view = view
        .with_column(ranked_sales.alias("__ranked"))
        .sort_by_exprs(
            [col("__ranked"), col("customer_id")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        );
    let before = (col("__ranked").cum_sum(false) - col("__ranked")).cast(DataType::Int128)
        * lit(100i64).cast(DataType::Int128);
    let total = col("__ranked").sum().cast(DataType::Int128);
    view.with_column(
        when(positive.not())
            .then(lit("C"))
            .when(
                before
                    .clone()
                    .lt(total.clone() * lit(80i64).cast(DataType::Int128)),
            )
            .then(lit("A"))
            .when(before.lt(total * lit(95i64).cast(DataType::Int128)))
            .then(lit("B"))
            .otherwise(lit("C"))
            .alias("abc_class"),
    )
}

/// Status (rule 12), by precedence: null if never ordered ≤ PE; `lost` if
/// days since the last order ≥ churn_days; `at_risk` if > churn_days / 2;
/// `new` if the first-ever order is in `[start, PE]`; else `active`.
fn status(ctx: &KpiContext) -> Expr {
    let days = col("days_since_last_order");
    let churn = ctx.settings.churn_days;
    when(days.clone().is_null())
        .then(lit(NULL).cast(DataType::String))
        .when(days.clone().gt_eq(lit(churn)))
        .then(lit("lost"))
        .when((days * lit(2i64)).gt(lit(churn)))
        .then(lit("at_risk"))
        .when(ctx.in_period(col("__first_date")).fill_null(lit(false)))
        .then(lit("new"))
        .otherwise(lit("active"))
}

/// Per customer of `customers` with visits in `[PE − 89, PE]`: `__visits_90d`.
fn recent_visits(ctx: &KpiContext, from: chrono::NaiveDate) -> Option<LazyFrame> {
    let visits = ctx.table("visits", "low_conversion flags")?;
    Some(
        visits
            .filter(super::on_days(col("visit_start"), from, ctx.pe))
            .group_by([col("customer_id")])
            .agg([len().cast(DataType::Int64).alias("__visits_90d")]),
    )
}

/// `plan` (a group-by of a big table down to one row per customer)
/// collected on its own on the streaming engine: the in-memory engine holds
/// every row read at once (1 GB more at scale 300), and in one plan with
/// the view's other group-bys the streaming engine holds the rows of all
/// of them at once (at scale 100 the 12 months of order lines, 90 days of
/// visits and the heads added 180, 70 and 50 MB to the peak).
fn streamed(plan: LazyFrame) -> Result<LazyFrame> {
    Ok(collect_streaming(plan)?.lazy())
}

fn left(a: LazyFrame, b: LazyFrame) -> LazyFrame {
    a.join(
        b,
        [col("customer_id")],
        [col("customer_id")],
        JoinArgs::new(JoinType::Left),
    )
}

/// The customer view at `PE` (SPEC section 4, rule 12), one row per customer
/// sorted by customer_id:
/// - `owner` = owner_rep_id;
/// - `sales_t12m` = Σ line_amount (cents) of the customer's live lines dated in
///   `(PE − 12 months, PE]`; `orders_t12m` = its orders dated in that window;
/// - `last_order_date` = its last order ≤ PE; `days_since_last_order = PE − last`;
/// - `abc_class` and `status` as [`abc_class`] and [`status`] say;
/// - `low_conversion` = ≥ 3 visits to the customer (any rep) dated in
///   `[PE − 89, PE]` and no order of it dated in that window (null without visits).
///
/// `None` without a customers table; order columns are null without orders.
pub(crate) fn customer_view(ctx: &KpiContext) -> Result<Option<DataFrame>> {
    let Some(customers) = ctx.table("customers", "the customer view") else {
        return Ok(None);
    };
    let base = customers.select([
        col("customer_id"),
        col("customer_name"),
        col("owner_rep_id").alias("owner"),
    ]);
    let t12m_from = ctx
        .pe
        .checked_sub_months(Months::new(12))
        .unwrap_or(chrono::NaiveDate::MIN);
    let from_90 = ctx.pe - Days::new(89);
    let in_t12m = |d: Expr| {
        d.clone()
            .gt(date_lit(t12m_from))
            .and(d.lt_eq(date_lit(ctx.pe)))
    };
    let in_90 = |d: Expr| {
        d.clone()
            .gt_eq(date_lit(from_90))
            .and(d.lt_eq(date_lit(ctx.pe)))
    };
    let null_i64 = || lit(NULL).cast(DataType::Int64);
    let pe_day = days_since_epoch(ctx.pe);
    // Live lines without product prices (no join with products): sales
    // need only each line's amount.
    let view = match (live_lines(ctx), order_heads(ctx)) {
        (Some(lines), Some(heads)) => {
            // Each order's counts are worked out row by row first, so the
            // group-by only sums columns (its fast path) instead of
            // evaluating the date windows group by group.
            let mut per_order = vec![
                col("customer_id"),
                in_t12m(col("order_date"))
                    .cast(DataType::Int64)
                    .alias("orders_t12m"),
                in_90(col("order_date"))
                    .cast(DataType::Int64)
                    .alias("__orders_90d"),
            ];
            let mut sums = vec![col("orders_t12m").sum(), col("__orders_90d").sum()];
            // When every order's live lines share its head's date and
            // customer, the sales are the heads' amounts (at scale 100,
            // 1.7 M heads summed with the counts instead of 2 M lines
            // priced and grouped on their own: 0.17 s).
            let sales = if heads_hold_their_lines(ctx) {
                per_order.push(
                    when(in_t12m(col("order_date")))
                        .then(col("order_amount"))
                        .otherwise(lit(0i64))
                        .alias("sales_t12m"),
                );
                sums.push(col("sales_t12m").sum());
                None
            } else {
                Some(streamed(
                    lines
                        .filter(in_t12m(col("order_date")))
                        .group_by([col("customer_id")])
                        .agg([col("line_amount").sum().alias("sales_t12m")]),
                )?)
            };
            // Only the heads of the 12 months count (the 90 days are among
            // them); a customer without one is filled with zeros below.
            let orders = heads
                .clone()
                .filter(in_t12m(col("order_date")))
                .select(per_order)
                .group_by([col("customer_id")])
                .agg(sums);
            let base = match sales {
                Some(sales) => left(base, sales),
                None => base,
            };
            let v = left(left(base, orders), first_orders(ctx, heads.clone()));
            left(v, last_orders(ctx, heads))
                .with_columns([
                    col("sales_t12m").fill_null(lit(0i64)),
                    col("orders_t12m").fill_null(lit(0i64)),
                    col("__orders_90d").fill_null(lit(0i64)),
                    col("__last_date").alias("last_order_date"),
                    (lit(pe_day) - day_number(col("__last_date"))).alias("days_since_last_order"),
                ])
                .with_column(status(ctx).alias("status"))
        }
        _ => base.with_columns([
            null_i64().alias("sales_t12m"),
            null_i64().alias("orders_t12m"),
            null_i64().alias("__orders_90d"),
            lit(NULL).cast(DataType::Date).alias("last_order_date"),
            null_i64().alias("days_since_last_order"),
            lit(NULL).cast(DataType::String).alias("status"),
        ]),
    };
    let has_orders = ctx.data.has("orders");
    let view = match (recent_visits(ctx, from_90), has_orders) {
        (Some(visits), true) => left(view, streamed(visits)?).with_column(
            col("__visits_90d")
                .fill_null(lit(0i64))
                .gt_eq(lit(3i64))
                .and(col("__orders_90d").eq(lit(0i64)))
                .alias("low_conversion"),
        ),
        _ => view.with_column(lit(NULL).cast(DataType::Boolean).alias("low_conversion")),
    };
    let view = if has_orders {
        abc_class(view)
    } else {
        view.with_column(lit(NULL).cast(DataType::String).alias("abc_class"))
    };
    Ok(Some(collect_streaming(
        view.sort(["customer_id"], SortMultipleOptions::default())
            .select([
                col("customer_id"),
                col("customer_name"),
                col("owner"),
                col("sales_t12m"),
                col("orders_t12m"),
                col("last_order_date"),
                col("days_since_last_order"),
                col("abc_class"),
                col("status"),
                col("low_conversion"),
            ]), // Streaming: its group-by of the order heads reads every head,
                // which the in-memory engine holds at once.
    )?))
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::{customer_view, heads_hold_their_lines};
    use crate::kpi::scorecard::scorecard;
    use crate::kpi::testing::{context, dataset, texts, with_stored_facts, REPS};
    use crate::kpi::Grouping;

    const CUSTOMERS: &str = "customer_id,customer_name,region,owner_rep_id
C1,One,N,R1
C2,Two,N,R1
C3,Three,S,R3
C4,Four,N,R2
C5,Five,N,R1
C6,Six,N,
";
    // October 2026 cut at 2026-10-15; legacy cut = 2026-10-01 − 365 days = 2025-10-01.
    const ORDERS: &str = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost,status
O1,1,2025-10-01,R2,C1,P1,1,10.00,0,
O2,1,2026-10-03,R1,C1,P1,1,100.00,0,
O3,1,2025-10-02,R1,C2,P1,1,5.00,0,
O4,1,2026-10-04,R1,C2,P1,1,50.00,0,
O5,1,2026-10-05,R3,C3,P1,1,20.00,0,
O6,1,2026-10-06,R1,C3,P1,1,30.00,0,
O7,1,2026-07-10,R2,C4,P1,1,40.00,0,
O8,1,2026-07-20,R1,C5,P1,1,7.00,0,
O9,1,2026-10-07,R2,C5,P1,1,1.00,0,cancelled
O10,1,2026-10-20,R1,C6,P1,1,9.00,0,
";
    const VISITS: &str = "visit_id,rep_id,customer_id,visit_start
V1,R1,C2,2026-10-01 09:00
V2,R1,C2,2026-10-02 09:00
V3,R1,C2,2026-10-05 09:00
V4,R1,C6,2026-10-01 09:00
V5,R1,C6,2026-10-02 09:00
V6,R2,C6,2026-10-05 09:00
V7,R1,C5,2026-10-01 09:00
V8,R1,C5,2026-10-02 09:00
V9,R2,C4,2026-07-18 09:00
V10,R2,C4,2026-09-02 09:00
V11,R2,C4,2026-10-15 18:00
V12,R1,C1,2026-07-17 09:00
V13,R1,C1,2026-10-01 09:00
V14,R1,C1,2026-10-02 09:00
";

    fn data() -> crate::ingest::Dataset {
        dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", ORDERS),
            ("visits", VISITS),
        ])
    }

    fn ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
        df.column(c).unwrap().i64().unwrap().iter().collect()
    }

    #[test]
    fn new_lost_and_legacy_are_credited_to_the_right_rep() {
        let data = data();
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        // New: C3's first order O5 (R3) is in period; R1's O6 is its second.
        // C6's first order is after as_of.
        assert_eq!(ints(&df, "new_customers"), [Some(0), Some(0), Some(1)]);
        // Lost: C4's last order 2026-07-10 (R2) + 90 = 2026-10-08, in period;
        // C5's 2026-07-20 + 90 = 2026-10-18 is after PE (its O9 is cancelled).
        assert_eq!(ints(&df, "lost_customers"), [Some(0), Some(1), Some(0)]);
        // Legacy: C1's first order is exactly on 2025-10-01, so O2 100.00 is
        // legacy; C2's first order a day later is not. R1 sales 180.00.
        let share: Vec<Option<f64>> = df
            .column("legacy_sales_share")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(share, [Some(10_000.0 / 18_000.0), None, Some(0.0)]);
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        assert_eq!(ints(&team, "new_customers"), [Some(0), Some(1)]);
        assert_eq!(ints(&team, "lost_customers"), [Some(1), Some(0)]);
    }

    #[test]
    fn twelve_month_sales_from_stored_heads_are_those_of_the_lines() {
        // O1 two lines; O2 its line 1 cancelled; O3 before the 12 months;
        // O4 a return; O5 after as_of.
        let orders = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost,status
O1,1,2026-10-03,R1,C1,P1,1,10.00,0,
O1,2,2026-10-03,R1,C1,P1,2,2.50,0,
O2,1,2026-09-03,R1,C1,P1,1,7.00,0,cancelled
O2,2,2026-09-03,R1,C1,P1,1,3.00,0,
O3,1,2025-10-15,R2,C2,P1,1,50.00,0,
O4,1,2026-10-05,R2,C2,P1,-1,2.00,0,
O5,1,2026-10-16,R2,C2,P1,1,9.00,0,
";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", orders),
        ]);
        let stored = with_stored_facts(&data);
        let view = |data: &crate::ingest::Dataset, stored: bool| {
            let ctx = context(data, "2026-10", "2026-10-15");
            assert_eq!(heads_hold_their_lines(&ctx), stored);
            customer_view(&ctx).unwrap().unwrap()
        };
        let from_lines = view(&data, false);
        assert_eq!(
            ints(&from_lines, "sales_t12m"),
            [Some(1_800), Some(-200), Some(0), Some(0), Some(0), Some(0)]
        );
        assert_eq!(view(&stored, true), from_lines);
    }

    #[test]
    fn customer_view_sales_status_abc_and_low_conversion() {
        let data = data();
        let ctx = context(&data, "2026-10", "2026-10-15");
        let v = customer_view(&ctx).unwrap().unwrap();
        // T12M = (2025-10-15, 2026-10-15]: O1 and O3 fall before it.
        assert_eq!(
            ints(&v, "sales_t12m"),
            [
                Some(10_000),
                Some(5_000),
                Some(5_000),
                Some(4_000),
                Some(700),
                Some(0)
            ]
        );
        assert_eq!(
            ints(&v, "orders_t12m"),
            [Some(1), Some(1), Some(2), Some(1), Some(1), Some(0)]
        );
        // Days since last order at PE: C4 2026-07-10 → 97, C5 2026-07-20 → 87.
        assert_eq!(
            ints(&v, "days_since_last_order"),
            [Some(12), Some(11), Some(9), Some(97), Some(87), None]
        );
        let s = |x: &str| Some(x.to_string());
        // C4 97 ≥ 90 lost; C5 87 > 45 at risk; C3's first order is in period; C6 never ordered.
        assert_eq!(
            texts(&v, "status"),
            [
                s("active"),
                s("active"),
                s("new"),
                s("lost"),
                s("at_risk"),
                None
            ]
        );
        // Total 247.00: C1 (before 0) A, C2 (before 100.00 = 40 %) A, C3 (before
        // 150.00 = 60.7 %) A, C4 (before 200.00 = 81.0 %) B, C5 (before 240.00 =
        // 97.2 %) C, C6 no sales C.
        assert_eq!(
            texts(&v, "abc_class"),
            [s("A"), s("A"), s("A"), s("B"), s("C"), s("C")]
        );
        // Window [2026-07-18, 2026-10-15]: C1 has 2 visits in it (V12 is a day
        // early); C2 3 visits but an order; C4 3 visits (both window ends), its
        // order before; C5 2 visits; C6 3 visits by two reps, no order ≤ PE.
        let low: Vec<Option<bool>> = v
            .column("low_conversion")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            low,
            [
                Some(false),
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true)
            ]
        );
    }

    #[test]
    fn abc_boundaries_are_strict_and_ties_go_by_customer_id() {
        let orders = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost
O1,1,2026-10-01,R1,C1,P1,1,10.00,0
O2,1,2026-10-01,R1,C2,P1,1,10.00,0
O3,1,2026-10-01,R1,C3,P1,1,70.00,0
O4,1,2026-10-01,R1,C4,P1,1,5.00,0
O5,1,2026-10-01,R1,C5,P1,1,5.00,0
O6,1,2026-10-01,R1,C6,P1,1,-2.00,0
";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", orders),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let v = customer_view(&ctx).unwrap().unwrap();
        let s = |x: &str| Some(x.to_string());
        // Positive total 100.00, ranked C3 70, C1 10, C2 10, C4 5, C5 5 (ties
        // by customer_id). Share before: C3 0 → A, C1 70 % → A, C2 exactly
        // 80 % → B, C4 90 % → B, C5 exactly 95 % → C; C6 net negative → C.
        assert_eq!(
            texts(&v, "abc_class"),
            [s("A"), s("B"), s("A"), s("B"), s("C"), s("C")]
        );
        // No visits table → low_conversion null.
        assert_eq!(v.column("low_conversion").unwrap().null_count(), 6);
    }

    #[test]
    fn lost_window_and_status_boundaries() {
        let customers = "customer_id,customer_name,region,owner_rep_id
C1,A,N,R1
C2,B,N,R1
C3,C,N,R1
C4,D,N,R1
C5,E,N,R1
C6,F,N,R1
C7,G,N,R1
C8,H,N,R1
";
        // Lost ⇔ last ∈ [2026-10-01 − 90, 2026-10-15 − 90] = [07-03, 07-17].
        let orders = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,unit_cost,status
O1,1,2026-07-02,R1,C1,P1,1,1.00,0,
O2,1,2026-06-01,R1,C2,P1,1,1.00,0,
O3,1,2026-07-03,R2,C2,P1,1,1.00,0,
O5,1,2026-07-17,R1,C3,P1,1,1.00,0,
O6,1,2026-07-17,R3,C3,P1,1,1.00,0,
O7,1,2026-06-01,R2,C4,P1,1,1.00,0,
O8,1,2026-07-10,R1,C4,P1,-1,1.00,0,
O9,1,2026-10-10,R2,C4,P1,1,1.00,0, Cancelled
O10,1,2026-07-18,R1,C5,P1,1,1.00,0,
O11,1,2026-08-30,R1,C6,P1,1,1.00,0,
O12,1,2026-08-31,R1,C7,P1,1,1.00,0,
O13,1,2026-10-05,R1,C8,P1,1,1.00,0,
";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", customers),
            ("products", "product_id,product_name\nP1,Bolt\n"),
            ("orders", orders),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let df = scorecard(&ctx, Grouping::Rep).unwrap();
        // C1 07-02 + 90 = 09-30, before start: not lost. C2 07-03 + 90 =
        // 10-01: lost, credited to R2 (its last order, not its first). C3:
        // two orders on 07-17 (+90 = PE), the higher id O6 is R3's. C4's last
        // live order is R1's return-only O8 (07-10; O9 is cancelled). C5
        // 07-18 + 90 = 10-16, after PE.
        assert_eq!(ints(&df, "lost_customers"), [Some(1), Some(1), Some(1)]);
        // Only C8's first order is in period.
        assert_eq!(ints(&df, "new_customers"), [Some(1), Some(0), Some(0)]);
        // Teams sum their reps: T1 = R1 + R2, T2 = R3.
        let team = scorecard(&ctx, Grouping::Team).unwrap();
        assert_eq!(ints(&team, "lost_customers"), [Some(2), Some(1)]);
        assert_eq!(ints(&team, "new_customers"), [Some(1), Some(0)]);
        let v = customer_view(&ctx).unwrap().unwrap();
        assert_eq!(
            ints(&v, "days_since_last_order"),
            [
                Some(105),
                Some(104),
                Some(90),
                Some(97),
                Some(89),
                Some(46),
                Some(45),
                Some(10)
            ]
        );
        let s = |x: &str| Some(x.to_string());
        // ≥ 90 lost; 2 × days > 90 (46, 89) at risk; 45 active; C8 new.
        assert_eq!(
            texts(&v, "status"),
            [
                s("lost"),
                s("lost"),
                s("lost"),
                s("lost"),
                s("at_risk"),
                s("at_risk"),
                s("active"),
                s("new")
            ]
        );
        // C4: the return and the 06-01 order are both in the T12M window.
        assert_eq!(ints(&v, "orders_t12m")[3], Some(2));
        assert_eq!(ints(&v, "sales_t12m")[3], Some(0));
    }

    #[test]
    fn view_without_orders_has_null_order_metrics() {
        let data = dataset(&[("reps", REPS), ("customers", CUSTOMERS)]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let v = customer_view(&ctx).unwrap().unwrap();
        assert_eq!(v.height(), 6);
        for c in [
            "sales_t12m",
            "orders_t12m",
            "last_order_date",
            "days_since_last_order",
            "abc_class",
            "status",
            "low_conversion",
        ] {
            assert_eq!(v.column(c).unwrap().null_count(), 6, "{c}");
        }
        assert!(ctx.warnings().iter().any(|w| w.starts_with("orders:")));
        assert_eq!(ints(&v, "sales_t12m").len(), 6);
        assert_eq!(texts(&v, "owner")[0], Some("R1".to_string()));
        let none = dataset(&[("reps", REPS)]);
        let ctx = context(&none, "2026-10", "2026-10-15");
        assert!(customer_view(&ctx).unwrap().is_none());
        assert!(
            super::customer_parts(&ctx, ctx.rep_groups(Grouping::Rep).unwrap())
                .unwrap()
                .is_none()
        );
    }
}
