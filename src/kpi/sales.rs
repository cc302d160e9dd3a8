//! Order and sales KPIs: orders, sales, cost, margin, discount, active customers.

use polars::prelude::*;

use crate::kpi::date_lit;

use super::context::{GroupByRep, KpiContext};
use super::ratio;
use crate::money::{div_round_half_away_i128, line_cents};

/// True for a live order line: `status` is not `cancelled` (case-insensitive,
/// trimmed; rule 4).
pub(crate) fn is_live() -> Expr {
    crate::text::folded_eq(col("status"), "cancelled")
        .fill_null(lit(false))
        .not()
}

/// Live order lines dated ≤ as_of with exact line money (SPEC section 2, rule 5):
/// - `list_price_eff` / `unit_cost_eff` = the line's value, else the product's
///   (the line's own `list_price`, `unit_cost` and `status` are dropped);
/// - `line_amount = round(quantity × unit_price, 2)`,
///   `line_cost = round(quantity × unit_cost_eff, 2)`,
///   `line_list_amount = round(quantity × list_price_eff, 2)`, all in cents.
///
/// A plan, never held whole: every reader filters it to the dates it needs
/// (the period, twelve months, a window) and selects its columns, which
/// the scan of a stored orders table then reads alone. The period's lines
/// are [`period_order_lines`]. `None` when the orders table is absent.
pub(crate) fn order_lines(ctx: &KpiContext) -> Option<LazyFrame> {
    Some(priced_lines(ctx, live_lines(ctx)?))
}

/// Live order lines dated ≤ as_of with their `line_amount` (cents) and
/// `unit_price` (1/10000 units) filled in from each other (SPEC section 1),
/// before any product price or cost: what the customer view's sales and
/// the period-end-stuffing flag read, and (a slice of the table at a time,
/// [`live_lines_of`]) the order heads.
pub(crate) fn live_lines(ctx: &KpiContext) -> Option<LazyFrame> {
    Some(live_lines_of(
        ctx,
        ctx.table("orders", "order and sales KPIs")?,
    ))
}

/// [`live_lines`] of `orders` (rows of the orders table, all of them or a
/// slice): the order heads read the table a slice at a time.
pub(crate) fn live_lines_of(ctx: &KpiContext, orders: LazyFrame) -> LazyFrame {
    with_line_money(orders.filter(is_live().and(col("order_date").lt_eq(date_lit(ctx.as_of)))))
}

/// Every live line of `orders` whatever its date, with [`live_lines_of`]'s
/// money: what the order heads stored with a validated load are made of
/// (a fact of the data alone, cut at each run's as_of when read).
pub(crate) fn every_live_line(orders: LazyFrame) -> LazyFrame {
    with_line_money(orders.filter(is_live()))
}

/// `lines` with `line_amount` (cents) and `unit_price` (1/10000 units)
/// filled in from each other (SPEC section 1).
fn with_line_money(lines: LazyFrame) -> LazyFrame {
    // SPEC section 1: a given line amount is the line's amount; its unit
    // price, where a price is needed (discount checks), is line_amount /
    // quantity in 1/10000 units, rounded half away from zero.
    let derived_price = crate::money::int64_pairs(
        col("line_amount"),
        col("quantity"),
        unit_price_of_line_amount,
    );
    lines.with_columns([
        col("line_amount")
            .fill_null(line_cents(col("quantity"), col("unit_price")))
            .alias("line_amount"),
        col("unit_price")
            .fill_null(derived_price.cast(DataType::Int64))
            .alias("unit_price"),
    ])
}

/// [`order_lines`] dated in `[start, PE]`, computed once a period: what the
/// scorecard's sales parts at every level, the discount and region
/// judgement (its counts and flags), the targets and commission read.
pub(crate) fn period_order_lines(ctx: &KpiContext) -> Option<LazyFrame> {
    let lines = order_lines(ctx)?;
    Some(ctx.memo("period_order_lines", || {
        lines.filter(ctx.in_period(col("order_date")))
    }))
}

fn priced_lines(ctx: &KpiContext, lines: LazyFrame) -> LazyFrame {
    // Columns read only to make the priced ones; dropped, as this frame is
    // held for the whole run.
    let mut spent = vec!["status", "list_price", "unit_cost"];
    let lines = match ctx.data.lazy("products") {
        Some(products) => {
            spent.extend(["__p_list", "__p_cost"]);
            lines
                .join(
                    products.select([
                        col("product_id"),
                        col("list_price").alias("__p_list"),
                        col("unit_cost").alias("__p_cost"),
                    ]),
                    [col("product_id")],
                    [col("product_id")],
                    JoinArgs::new(JoinType::Left),
                )
                .with_columns([
                    col("list_price")
                        .fill_null(col("__p_list"))
                        .alias("list_price_eff"),
                    col("unit_cost")
                        .fill_null(col("__p_cost"))
                        .alias("unit_cost_eff"),
                ])
        }
        None => lines.with_columns([
            col("list_price").alias("list_price_eff"),
            col("unit_cost").alias("unit_cost_eff"),
        ]),
    };
    lines
        .with_columns([
            line_cents(col("quantity"), col("unit_cost_eff")).alias("line_cost"),
            line_cents(col("quantity"), col("list_price_eff")).alias("line_list_amount"),
        ])
        .drop(cols(spent))
}

/// The unit price (1/10000 units) of a line given as `line_amount` cents
/// for `quantity` 1/10000 units: cents / (units / 10^4) × 10^4 / 100 =
/// cents × 10^6 / units, rounded half away from zero; `None` for a zero
/// quantity or a price beyond Int64.
fn unit_price_of_line_amount(line_amount: i64, quantity: i64) -> Option<i64> {
    if quantity == 0 {
        return None;
    }
    let quantity = i128::from(quantity);
    // Rounding half away from zero is symmetric, so dividing by |quantity|
    // and restoring its sign rounds the quotient itself.
    let price = div_round_half_away_i128(i128::from(line_amount) * 1_000_000, quantity.abs());
    i64::try_from(price * quantity.signum()).ok()
}

/// Per group, over live lines with `order_date` in `[start, PE]` (`lines`:
/// [`period_order_lines`], or any [`order_lines`] plan), each credited
/// to its line's rep:
/// - `sales_amount = Σ line_amount`, `cost_amount = Σ line_cost`;
/// - `active_customers` = distinct customers with a line (recounted per group);
/// - `__list_amount = Σ line_list_amount`;
/// - `__cost_missing` / `__list_missing`: some line had no cost / list price
///   on the line or the product, which nulls cost, margin and discount (rule 5).
pub(crate) fn line_parts(ctx: &KpiContext, lines: LazyFrame, groups: LazyFrame) -> LazyFrame {
    lines
        .filter(ctx.in_period(col("order_date")))
        .join_groups(groups)
        .agg([
            col("line_amount").sum().alias("sales_amount"),
            col("line_cost").sum().alias("__cost_sum"),
            col("line_list_amount").sum().alias("__list_amount"),
            col("line_cost")
                .null_count()
                .gt(lit(0))
                .alias("__cost_missing"),
            col("line_list_amount")
                .null_count()
                .gt(lit(0))
                .alias("__list_missing"),
            col("customer_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("active_customers"),
        ])
}

/// Per group: `orders` = distinct orders whose date (lowest live line) is in
/// `[start, PE]`, credited to the order's rep.
/// `None` when the orders table is absent.
pub(crate) fn order_count_parts(ctx: &KpiContext, groups: LazyFrame) -> Option<LazyFrame> {
    Some(
        super::heads::period_order_heads(ctx)?
            .join_groups(groups)
            .agg([col("order_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("orders")]),
    )
}

/// Cost and margin from summed parts (SPEC section 3, rule 5), in cents:
/// - `cost_amount = __cost_sum`, null when some in-period line has no cost;
/// - `gross_margin = sales_amount − cost_amount` (null with the cost).
pub(crate) fn derived() -> Vec<Expr> {
    vec![when(col("__cost_missing"))
        .then(lit(NULL).cast(DataType::Int64))
        .otherwise(col("__cost_sum"))
        .alias("cost_amount")]
}

/// Sales ratios from summed parts, at any level (rule 11); null when the
/// denominator is 0 or null:
/// - `gross_margin = sales_amount − cost_amount` (cents);
/// - `gross_margin_pct = gross_margin / sales_amount`;
/// - `discount_pct = 1 − sales_amount / Σ line_list_amount`, null when a
///   line has no list price;
/// - `avg_order_value = sales_amount / orders`, `sales_per_visit =
///   sales_amount / visits` (currency units, not cents);
/// - `orders_per_100_visits = orders / visits × 100`.
pub(crate) fn ratios() -> Vec<Expr> {
    vec![
        (col("sales_amount") - col("cost_amount")).alias("gross_margin"),
        ratio(
            col("sales_amount") - col("cost_amount"),
            col("sales_amount"),
        )
        .alias("gross_margin_pct"),
        when(col("__list_missing"))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(lit(1.0) - ratio(col("sales_amount"), col("__list_amount")))
            .alias("discount_pct"),
        (ratio(col("sales_amount"), col("orders")) / lit(100.0)).alias("avg_order_value"),
        (ratio(col("orders"), col("visits")) * lit(100.0)).alias("orders_per_100_visits"),
        (ratio(col("sales_amount"), col("visits")) / lit(100.0)).alias("sales_per_visit"),
    ]
}
