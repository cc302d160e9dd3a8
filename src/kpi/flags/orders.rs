//! The order rules of SPEC section 9: `period_end_stuffing` (压货: goods
//! pushed onto customers in the last workdays and taken back just after)
//! and `orders_while_overdue` (goods for a customer whose old invoices are
//! still unpaid).

use chrono::NaiveDate;
use polars::prelude::*;

use crate::kpi::{date_lit, day_number};

use super::{as_flags, money_text, pct_text, say, sentence, text, FlagSettings, Rule};
use crate::kpi::balances::invoice_balances;
use crate::kpi::context::KpiContext;
use crate::kpi::discipline::PPM;
use crate::kpi::heads::period_order_heads;
use crate::kpi::sales::live_lines;
use crate::lang::Lang;

/// The days `period_end_stuffing` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StuffingWindows {
    /// First day of the period's last `stuffing_workdays` workdays.
    pub(super) end_from: NaiveDate,
    /// The nominal period's last day.
    pub(super) end: NaiveDate,
    /// The `return_workdays`-th workday after `end`: returns are looked for
    /// in `(end, returns_to]`.
    pub(super) returns_to: NaiveDate,
}

impl StuffingWindows {
    /// The windows of the context's nominal period on its work calendar.
    pub(super) fn of(ctx: &KpiContext, settings: &FlagSettings) -> Self {
        let end = ctx.period.end;
        StuffingWindows {
            end_from: ctx.calendar.last_workdays_from(
                ctx.period.start,
                end,
                settings.stuffing_workdays,
            ),
            end,
            returns_to: ctx
                .calendar
                .nth_workday_after(end, settings.return_workdays),
        }
    }
}

/// Per rep over `lines`: `<prefix>_orders` (the distinct order ids, sorted,
/// `;`-separated), `<prefix>_customers` (how many customers) and
/// `<prefix>_customer` (one of them).
fn orders_by_rep(lines: LazyFrame, prefix: &str) -> LazyFrame {
    lines.group_by([col("rep_id")]).agg([
        col("order_id")
            .unique()
            .sort(SortOptions::default())
            .str()
            .join(";", true)
            .alias(format!("{prefix}_orders")),
        col("customer_id")
            .n_unique()
            .alias(format!("{prefix}_customers")),
        col("customer_id").min().alias(format!("{prefix}_customer")),
    ])
}

/// `a × b ≥ c × d` in exact integer arithmetic (shares in millionths).
fn at_least(a: Expr, b: i64, c: Expr, d: i64) -> Expr {
    let wide = |e: Expr| e.cast(DataType::Int128);
    (wide(a) * wide(lit(b))).gt_eq(wide(c) * wide(lit(d)))
}

/// `period_end_stuffing`, per rep over live lines (each credited to its
/// line's rep, like `sales_amount`):
/// - the rep's period sales (Σ line_amount in `[start, PE]`) are positive;
/// - his end sales (Σ line_amount dated in `[end_from, end]`, the last
///   `stuffing_workdays` workdays of the nominal period and any later
///   non-workday) are ≥ `stuffing_share` of the period sales;
/// - his returns (−Σ line_amount of negative-quantity lines dated in
///   `(end, returns_to]`, the first `return_workdays` workdays after) are ≥
///   `return_share` of the end sales.
///
/// The caller judges it only once `returns_to` ≤ as_of (SPEC: judged once
/// the window has passed; before, the rule is *not flagged yet* — neither
/// flagged nor clean — and named as pending). Evidence: the end-of-period orders with a
/// positive line, then the return orders (each sorted); customer_id: the
/// one customer of all of them, else null; amount: the end sales (cents).
pub(super) fn period_end_stuffing(
    ctx: &KpiContext,
    settings: &FlagSettings,
    w: &StuffingWindows,
    lang: Lang,
) -> Option<LazyFrame> {
    // Live lines without product prices: only amounts and dates are read.
    let lines = live_lines(ctx)?;
    let share = |s: f64| (s * PPM as f64).round() as i64;
    let period_sales = lines
        .clone()
        .filter(ctx.in_period(col("order_date")))
        .group_by([col("rep_id")])
        .agg([col("line_amount").sum().alias("__period_sales")]);
    let in_end =
        col("order_date").is_between(date_lit(w.end_from), date_lit(w.end), ClosedInterval::Both);
    let end_sales = lines
        .clone()
        .filter(in_end.clone())
        .group_by([col("rep_id")])
        .agg([col("line_amount").sum().alias("__end_sales")]);
    let end_orders = orders_by_rep(
        lines
            .clone()
            .filter(in_end.and(col("line_amount").gt(lit(0i64)))),
        "__end",
    );
    let return_lines = lines.filter(
        col("order_date")
            .gt(date_lit(w.end))
            .and(col("order_date").lt_eq(date_lit(w.returns_to)))
            .and(col("quantity").lt(lit(0))),
    );
    let returned = return_lines
        .clone()
        .group_by([col("rep_id")])
        .agg([(lit(0i64) - col("line_amount").sum()).alias("__returned")]);
    let return_orders = orders_by_rep(return_lines, "__ret");
    let on_rep = || JoinArgs::new(JoinType::Inner);
    let one_customer = col("__end_customers")
        .eq(lit(1))
        .and(col("__ret_customers").eq(lit(1)))
        .and(col("__end_customer").eq(col("__ret_customer")));
    let (from, to, by) = (
        lit(w.end_from.to_string()),
        lit(w.end.to_string()),
        lit(w.returns_to.to_string()),
    );
    let k = settings.stuffing_workdays;
    let detail = match lang {
        Lang::En => sentence([
            lit("sales of "),
            money_text(col("__end_sales")),
            lit(format!(" in the last {k} workdays (")),
            from,
            lit(" to "),
            to,
            lit(") are "),
            pct_text(col("__end_sales"), col("__period_sales")),
            lit(" of the period's "),
            money_text(col("__period_sales")),
            lit("; "),
            money_text(col("__returned")),
            lit(" returned by "),
            by,
        ]),
        Lang::Zh => sentence([
            lit(format!("期末最后 {k} 个工作日（")),
            from,
            lit(" 至 "),
            to,
            lit("）销售 "),
            money_text(col("__end_sales")),
            lit("，占本期销售 "),
            money_text(col("__period_sales")),
            lit(" 的 "),
            pct_text(col("__end_sales"), col("__period_sales")),
            lit("；至 "),
            by,
            lit(" 退货 "),
            money_text(col("__returned")),
        ]),
    };
    let flagged = period_sales
        .join(end_sales, [col("rep_id")], [col("rep_id")], on_rep())
        .join(end_orders, [col("rep_id")], [col("rep_id")], on_rep())
        .join(returned, [col("rep_id")], [col("rep_id")], on_rep())
        .join(return_orders, [col("rep_id")], [col("rep_id")], on_rep())
        .filter(
            col("__period_sales")
                .gt(lit(0i64))
                .and(at_least(
                    col("__end_sales"),
                    PPM,
                    col("__period_sales"),
                    share(settings.stuffing_share),
                ))
                .and(at_least(
                    col("__returned"),
                    PPM,
                    col("__end_sales"),
                    share(settings.return_share),
                )),
        )
        .with_columns([
            when(one_customer)
                .then(col("__end_customer"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("customer_id"),
            concat_str([col("__end_orders"), col("__ret_orders")], ";", false).alias("evidence"),
            col("__end_sales").alias("amount"),
            detail,
        ]);
    Some(as_flags(flagged, ctx, Rule::PeriodEndStuffing))
}

/// The invoices dated ≤ PE and due before `due_by` that may be unpaid on
/// some day of `[start, PE]`: those with a payment dated in it, or not
/// covered by the payments dated before it. An invoice with no payment in
/// the period is covered on every day of it exactly when it is covered on
/// its first day, so the rest can never be open on an order's date and are
/// left out before the join by customer (most of a long history is paid).
/// Read from the period's [`invoice_balances`], shared with the receivables;
/// each keeps `__paid_before`, the sum of its payments dated before
/// `start` (cents), so only the period's payments are joined to orders.
fn still_open_in_period(balances: LazyFrame, due_by: NaiveDate) -> LazyFrame {
    balances
        .filter(col("due_date").lt(date_lit(due_by)))
        .filter(col("__paid_in_period").or((col("amount") - col("__paid_before")).gt(lit(0i64))))
}

/// `orders_while_overdue`: a live order with positive sales (not a return)
/// dated in `[start, PE]` for a customer who, on the order date, has an
/// invoice (dated by then) more than `overdue_days` past its due_date whose
/// amount is not covered by the payments dated on or before the order date.
/// An order's date, rep and customer are its head's (rule 4: lowest live
/// line); evidence: the order id, then the overdue invoice ids; amount: the
/// order's sales (Σ line_amount, cents). Without a payments table every
/// invoice counts as unpaid.
pub(super) fn orders_while_overdue(
    ctx: &KpiContext,
    settings: &FlagSettings,
    lang: Lang,
) -> Option<LazyFrame> {
    let invoices = ctx.data.lazy("invoices")?;
    let orders = period_order_heads(ctx)?
        // Goods going out: an order that only takes goods back (a return)
        // gives a debtor nothing more.
        .filter(col("order_amount").gt(lit(0i64)));
    // An order is dated ≤ PE, so only an invoice dated ≤ PE and due more
    // than overdue_days before PE can be overdue on an order's date; the
    // rest are left out before the join by customer.
    // (A threshold reaching past the calendar's first date leaves none.)
    let due_by = chrono::TimeDelta::try_days(settings.overdue_days)
        .and_then(|d| ctx.pe.checked_sub_signed(d))
        .unwrap_or(chrono::NaiveDate::MIN);
    // With payments, each invoice's payments dated before `start` are
    // summed in the balances already (an order is dated on or after it), so
    // only the period's payments are joined to the pairs, not the history.
    let (invoices, period_payments) = match (invoice_balances(ctx), ctx.data.lazy("payments")) {
        (Some(balances), Some(payments)) => (
            still_open_in_period(balances, due_by),
            Some(payments.filter(ctx.in_period(col("payment_date")))),
        ),
        _ => (
            invoices
                .filter(
                    col("invoice_date")
                        .lt_eq(date_lit(ctx.pe))
                        .and(col("due_date").lt(date_lit(due_by))),
                )
                .with_column(lit(0i64).alias("__paid_before")),
            None,
        ),
    };
    let pairs = orders
        .join(
            invoices.select([
                col("invoice_id"),
                col("customer_id"),
                col("invoice_date"),
                col("due_date"),
                // Still open at the period's start.
                (col("amount") - col("__paid_before")).alias("__invoiced"),
            ]),
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("invoice_date").lt_eq(col("order_date")).and(
                (day_number(col("order_date")) - day_number(col("due_date")))
                    .gt(lit(settings.overdue_days)),
            ),
        );
    // Paid by the order date: in the period up to that day (what was paid
    // before it is off `__invoiced` already).
    let with_paid = match period_payments {
        Some(payments) => {
            let paid = pairs
                .clone()
                .select([col("order_id"), col("invoice_id"), col("order_date")])
                .join(
                    payments.select([
                        col("invoice_id"),
                        col("payment_date"),
                        col("amount").alias("__paid"),
                    ]),
                    [col("invoice_id")],
                    [col("invoice_id")],
                    JoinArgs::new(JoinType::Inner),
                )
                .filter(col("payment_date").lt_eq(col("order_date")))
                .group_by([col("order_id"), col("invoice_id")])
                .agg([col("__paid").sum()]);
            pairs.join(
                paid,
                [col("order_id"), col("invoice_id")],
                [col("order_id"), col("invoice_id")],
                JoinArgs::new(JoinType::Left),
            )
        }
        None => pairs.with_column(lit(NULL).cast(DataType::Int64).alias("__paid")),
    };
    let days_over = settings.overdue_days;
    let detail = sentence([
        say(lang, "order ", "订单 "),
        col("order_id"),
        say(lang, " on ", " 于 "),
        text(col("order_date")),
        say(lang, " while ", " 下单时，有 "),
        text(col("__overdue")),
        say(
            lang,
            &format!(" invoice(s) more than {days_over} days past due were still open"),
            &format!(" 张发票已逾期超过 {days_over} 天且仍未结清"),
        ),
    ]);
    let flagged = with_paid
        .filter((col("__invoiced") - col("__paid").fill_null(lit(0i64))).gt(lit(0i64)))
        .group_by([col("order_id")])
        .agg([
            col("order_date").first(),
            col("rep_id").first(),
            col("customer_id").first(),
            col("order_amount").first(),
            col("invoice_id")
                .sort(SortOptions::default())
                .str()
                .join(";", true)
                .alias("__invoices"),
            col("invoice_id").count().alias("__overdue"),
        ])
        .with_columns([
            concat_str([col("order_id"), col("__invoices")], ";", false).alias("evidence"),
            col("order_amount").alias("amount"),
            detail,
        ]);
    Some(as_flags(flagged, ctx, Rule::OrdersWhileOverdue))
}

#[cfg(test)]
mod tests;
