//! Each customer's first-ever and last order (SPEC rule 7), from the order
//! heads (rule 4: date, rep and customer of an order's lowest live line,
//! over all data ≤ as_of, any rep): new and lost customers, legacy sales and
//! the customer view read them.
//!
//! Ties on the date go to the lowest order_id (first order) or the highest
//! (last order). When the heads are in ascending order_id, as the heads
//! found by runs are, that is simply the first or last row of the date in
//! row order, and one group-by finds it; otherwise the extreme date is
//! grouped first and the orders on that date are then ordered by order_id.

use polars::prelude::*;

use crate::kpi::date_lit;

use super::context::KpiContext;
use super::heads::ascend_by_order_id;
use super::stored_facts::{stored_first_orders, stored_last_orders};

/// Per customer: `__first_date` and `__first_rep` of its first-ever order
/// (earliest date, then lowest order_id).
/// Read from the validated store when it holds them
/// ([`super::stored_facts`]).
pub(crate) fn first_orders(ctx: &KpiContext, heads: LazyFrame) -> LazyFrame {
    ctx.fact("first_orders", || {
        stored_first_orders(ctx).unwrap_or_else(|| first_orders_of(heads))
    })
}

/// [`first_orders`] of `heads` (any [`super::heads::order_heads`]-shaped
/// frame: the heads as of a day, or of all the data).
pub(crate) fn first_orders_of(heads: LazyFrame) -> LazyFrame {
    let in_order = ascend_by_order_id(&heads);
    extreme_orders(
        heads,
        Extreme::First,
        "__first_date",
        "__first_rep",
        in_order,
    )
}

/// Per customer: `__last_date` and `__last_rep` of its last order dated ≤ PE
/// (latest date, then highest order_id). Taken from the validated store's
/// customers' orders when it holds them ([`super::stored_facts`]).
pub(crate) fn last_orders(ctx: &KpiContext, heads: LazyFrame) -> LazyFrame {
    if let Some(last) = stored_last_orders(ctx) {
        // A filter of a stored file, row by row: streamed, it holds a row
        // group at a time.
        return ctx.memo_streaming("last_orders", || last);
    }
    ctx.memo("last_orders", || {
        let in_order = ascend_by_order_id(&heads);
        extreme_orders(
            heads.filter(col("order_date").lt_eq(date_lit(ctx.pe))),
            Extreme::Last,
            "__last_date",
            "__last_rep",
            in_order,
        )
    })
}

/// Which order of a customer [`extreme_orders`] picks.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Extreme {
    /// Earliest date, then lowest order_id.
    First,
    /// Latest date, then highest order_id.
    Last,
}

impl Extreme {
    /// The customer's extreme `order_date`: the earliest or the latest.
    fn date(self) -> Expr {
        match self {
            Extreme::First => col("order_date").min(),
            Extreme::Last => col("order_date").max(),
        }
    }
}

/// Per customer of `heads` (orders without a customer are one group): the
/// date (`date_name`) and rep (`rep_name`) of its first or last order.
/// `in_order_id_order`: the heads' rows ascend by order_id
/// ([`ascend_by_order_id`]).
fn extreme_orders(
    heads: LazyFrame,
    which: Extreme,
    date_name: &str,
    rep_name: &str,
    in_order_id_order: bool,
) -> LazyFrame {
    if in_order_id_order {
        extreme_orders_in_row_order(heads, which, date_name, rep_name)
    } else {
        extreme_orders_by_date_then_id(heads, which, date_name, rep_name)
    }
}

/// [`extreme_orders`] of heads in ascending order_id: of the rows holding
/// the customer's earliest (latest) date, the first (last) in row order.
/// Picked by position, so no sortedness flag on the dates changes which of
/// equal dates is taken (polars' `arg_min`/`arg_max` read such flags).
fn extreme_orders_in_row_order(
    heads: LazyFrame,
    which: Extreme,
    date_name: &str,
    rep_name: &str,
) -> LazyFrame {
    let date = which.date();
    let on_that_date = col("rep_id").filter(col("order_date").eq(date.clone()));
    let rep = match which {
        Extreme::First => on_that_date.first(),
        Extreme::Last => on_that_date.last(),
    };
    heads
        .group_by([col("customer_id")])
        .agg([date.alias(date_name), rep.alias(rep_name)])
}

/// [`extreme_orders`] of heads in any order. The extreme date is a plain
/// group-by; only the orders on that date are then ordered by order_id
/// (about one per customer), instead of sorting every customer's orders
/// group by group.
fn extreme_orders_by_date_then_id(
    heads: LazyFrame,
    which: Extreme,
    date_name: &str,
    rep_name: &str,
) -> LazyFrame {
    let date = which.date();
    let dates = heads
        .clone()
        .group_by([col("customer_id")])
        .agg([date.alias(date_name)]);
    // Orders without a customer are one group in the group-by: matched
    // again here (null keys equal), as a group-by over all heads would.
    let mut args = JoinArgs::new(JoinType::Inner);
    args.nulls_equal = true;
    let on_that_date = heads.join(
        dates,
        [col("customer_id"), col("order_date")],
        [col("customer_id"), col(date_name)],
        args,
    );
    let rep = match which {
        Extreme::First => col("rep_id").get(col("order_id").arg_min(), false),
        Extreme::Last => col("rep_id").get(col("order_id").arg_max(), false),
    };
    on_that_date.group_by([col("customer_id")]).agg([
        col("order_date").first().alias(date_name),
        rep.alias(rep_name),
    ])
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::{extreme_orders, Extreme};
    use crate::kpi::testing::{owned_texts, texts};

    /// C1 has two orders on its first date (O1 and O2, R1 and R2) and two
    /// on its last (O3 and O4, R3 and R4); C2 one order; O5 no customer.
    fn heads() -> DataFrame {
        df!(
            "order_id" => ["O2", "O1", "O3", "O4", "O9", "O5"],
            "order_date" => ["2026-10-01", "2026-10-01", "2026-10-05", "2026-10-05", "2026-10-03", "2026-10-02"],
            "rep_id" => ["R2", "R1", "R3", "R4", "R9", "R5"],
            "customer_id" => [Some("C1"), Some("C1"), Some("C1"), Some("C1"), Some("C2"), None],
        )
        .unwrap()
        .lazy()
        .with_column(col("order_date").cast(DataType::Date))
        .collect()
        .unwrap()
    }

    fn pick(heads: &DataFrame, which: Extreme, in_order: bool) -> DataFrame {
        extreme_orders(heads.clone().lazy(), which, "d", "r", in_order)
            .sort(
                ["customer_id"],
                SortMultipleOptions::default().with_nulls_last(true),
            )
            .with_column(col("d").cast(DataType::String))
            .collect()
            .unwrap()
    }

    #[test]
    fn first_and_last_orders_break_date_ties_by_order_id() {
        let shuffled = heads();
        let ascending = shuffled
            .sort(["order_id"], SortMultipleOptions::default())
            .unwrap();
        // Either way: rows in any order, and rows in ascending order_id
        // (also taken the other way, where the ties are what tells them).
        for (rows, in_order) in [(&shuffled, false), (&ascending, false), (&ascending, true)] {
            let first = pick(rows, Extreme::First, in_order);
            assert_eq!(
                texts(&first, "d"),
                owned_texts(&["2026-10-01", "2026-10-03", "2026-10-02"])
            );
            assert_eq!(
                texts(&first, "r"),
                owned_texts(&["R1", "R9", "R5"]),
                "{in_order}"
            );
            let last = pick(rows, Extreme::Last, in_order);
            assert_eq!(
                texts(&last, "d"),
                owned_texts(&["2026-10-05", "2026-10-03", "2026-10-02"])
            );
            assert_eq!(
                texts(&last, "r"),
                owned_texts(&["R4", "R9", "R5"]),
                "{in_order}"
            );
        }
    }
}
