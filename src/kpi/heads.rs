//! Order heads (SPEC rule 4): one row per order, dated, credited and
//! addressed by its lowest live line.
//!
//! The heads are an as_of-only fact, read by the order counts, the
//! invoice attribution, first and last orders and the customer view. They
//! are the one group-by over every order line of the history, so how they
//! are found matters: exports are nearly always written order by order
//! with ascending line numbers, and then each order's head is simply its
//! first row, found by comparing each row with the one before it instead
//! of hashing millions of order ids. Only the key columns (order_id,
//! line_no, line_amount) are held whole for that; the first rows' other
//! columns are then picked out of a second, streaming read. Lines in any
//! other order take the group-by; both give the same heads.

use polars::prelude::*;

use super::context::KpiContext;
use super::sales::live_lines;
use crate::ingest::strictly_increasing;

/// The columns of the lines a head is made of.
const LINE_COLUMNS: [&str; 6] = [
    "order_id",
    "line_no",
    "order_date",
    "rep_id",
    "customer_id",
    "line_amount",
];

/// One row per order (an `order_id` with at least one live line dated ≤
/// as_of; rule 4): `order_id`, and the `order_date`, `rep_id` and
/// `customer_id` of its lowest live `line_no`; `order_amount` is Σ
/// line_amount (cents) of its live lines dated ≤ as_of. Row order is
/// unspecified. Computed once per engine, from the lines without their
/// product prices (a head needs none). `None` when the orders table is
/// absent.
pub(crate) fn order_heads(ctx: &KpiContext) -> Option<LazyFrame> {
    let lines = live_lines(ctx)?;
    Some(ctx.fact("order_heads", || heads_of(lines)))
}

/// The [`order_heads`] dated in `[start, PE]` (same columns), memoized per
/// period: every grouping's order count and the period's order flags read
/// this slice instead of filtering every head of the history again.
/// `None` when the orders table is absent.
pub(crate) fn period_order_heads(ctx: &KpiContext) -> Option<LazyFrame> {
    let heads = order_heads(ctx)?;
    Some(ctx.memo("period_order_heads", || {
        heads.filter(ctx.in_period(col("order_date")))
    }))
}

/// The heads of `lines` (columns [`LINE_COLUMNS`] at least), by the rows'
/// order when each order's lines are one run with ascending `line_no`, by a
/// group-by otherwise. Should reading the lines fail, the group-by plan is
/// returned, so the error surfaces where the heads are used.
fn heads_of(lines: LazyFrame) -> LazyFrame {
    let keys = lines.clone().select(KEY_COLUMNS.map(col)).collect();
    let by_runs = match keys {
        Ok(keys) if runs_by_order(&keys) => heads_of_runs(lines.clone(), keys).ok(),
        _ => None,
    };
    match by_runs {
        Some(heads) => heads.lazy(),
        None => heads_by_group(lines.select(LINE_COLUMNS.map(col))),
    }
}

/// The columns read whole to find the heads by runs.
const KEY_COLUMNS: [&str; 3] = ["order_id", "line_no", "line_amount"];

/// Position of a line in the lines' plan, while heads are found by runs.
const LINE_INDEX: &str = "__line";

/// True when every order's rows are consecutive and its first row has its
/// lowest `line_no`: (order_id, line_no) increases strictly from row to
/// row. A null key anywhere answers false.
fn runs_by_order(lines: &DataFrame) -> bool {
    strictly_increasing(lines, &["order_id", "line_no"]).unwrap_or(false)
}

/// Heads of lines that run by order ([`runs_by_order`]), from `keys` (the
/// lines' [`KEY_COLUMNS`], in the lines' order): each order's first row,
/// with Σ line_amount taken from a running total as the total at its last
/// row less the total before its first (nulls add nothing, as in a group
/// sum; Int128, so no Int64 sum can overflow it). The lines are then read
/// once more, streaming, keeping only the first rows' date, rep and
/// customer, so no other column of every line is ever held.
///
/// Errors: the lines cannot be read again, or gave another row count
/// (the caller then takes the group-by).
fn heads_of_runs(lines: LazyFrame, keys: DataFrame) -> PolarsResult<DataFrame> {
    let amount = col("line_amount")
        .fill_null(lit(0i64))
        .cast(DataType::Int128);
    let first = col("order_id").neq_missing(col("order_id").shift(lit(1)));
    let last = col("order_id").neq_missing(col("order_id").shift(lit(-1)));
    let firsts = keys
        .lazy()
        .with_row_index(LINE_INDEX, None)
        .with_columns([
            first.alias("__first"),
            last.alias("__last"),
            amount.clone().alias("__amount"),
            amount.cum_sum(false).alias("__running"),
        ])
        // An order's first and last rows are adjacent once the rows between
        // them are gone (a one-line order's first row is also its last).
        .filter(col("__first").or(col("__last")))
        .with_column(
            (when(col("__last"))
                .then(col("__running"))
                .otherwise(col("__running").shift(lit(-1)))
                - (col("__running") - col("__amount")))
            .cast(DataType::Int64)
            .alias("order_amount"),
        )
        .filter(col("__first"))
        .select([col(LINE_INDEX), col("order_amount")])
        .collect()?;
    let first_rows = firsts.column(LINE_INDEX)?.as_materialized_series().clone();
    let mut heads = lines
        .with_row_index(LINE_INDEX, None)
        .filter(col(LINE_INDEX).is_in(lit(first_rows).implode(false), false))
        .select([
            col("order_id"),
            col("order_date"),
            col("rep_id"),
            col("customer_id"),
        ])
        .collect_with_engine(Engine::Streaming)?
        .unwrap_single();
    if heads.height() != firsts.height() {
        polars_bail!(ComputeError: "order lines changed between two reads");
    }
    // Both in the lines' order, one row per order: side by side.
    heads.with_column(firsts.column("order_amount")?.clone())?;
    Ok(heads)
}

/// Heads of lines in any order: per order_id, the row of the lowest
/// `line_no` ((order_id, line_no) is the key, so it is one row), picked
/// within each group instead of sorting every line first.
fn heads_by_group(lines: LazyFrame) -> LazyFrame {
    let lowest = col("line_no").arg_min();
    lines.group_by([col("order_id")]).agg([
        col("order_date").get(lowest.clone(), false),
        col("rep_id").get(lowest.clone(), false),
        col("customer_id").get(lowest, false),
        col("line_amount").sum().alias("order_amount"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of four orders: O1 two lines (the head is line 1), O2 one
    /// line with no amount, O3 three lines whose lowest line is dated and
    /// credited differently, O4 one line.
    fn lines() -> DataFrame {
        df!(
            "order_id" => ["O1", "O1", "O2", "O3", "O3", "O3", "O4"],
            "line_no" => [1i64, 2, 1, 2, 3, 5, 7],
            "order_date" => ["2026-10-01", "2026-10-02", "2026-10-03", "2026-09-30", "2026-10-04", "2026-10-05", "2026-10-06"],
            "rep_id" => ["R1", "R2", "R1", "R3", "R1", "R1", "R2"],
            "customer_id" => ["C1", "C1", "C2", "C3", "C4", "C3", "C5"],
            "line_amount" => [Some(100i64), Some(250), None, Some(-40), Some(1), Some(2), Some(9_000_000_000_000_000)],
        )
        .expect("frame")
    }

    fn sorted_heads(heads: LazyFrame) -> DataFrame {
        heads
            .sort(["order_id"], SortMultipleOptions::default())
            .collect()
            .expect("heads")
    }

    #[test]
    fn heads_are_the_lowest_line_with_the_order_total() {
        let want = df!(
            "order_id" => ["O1", "O2", "O3", "O4"],
            "order_date" => ["2026-10-01", "2026-10-03", "2026-09-30", "2026-10-06"],
            "rep_id" => ["R1", "R1", "R3", "R2"],
            "customer_id" => ["C1", "C2", "C3", "C5"],
            "order_amount" => [350i64, 0, -37, 9_000_000_000_000_000],
        )
        .expect("frame");
        assert!(runs_by_order(&lines()));
        let keys = lines().select(KEY_COLUMNS).unwrap();
        let by_runs = heads_of_runs(lines().lazy(), keys).unwrap();
        assert_eq!(sorted_heads(by_runs.lazy()), want);
        assert_eq!(sorted_heads(heads_by_group(lines().lazy())), want);
        assert_eq!(sorted_heads(heads_of(lines().lazy())), want);
    }

    #[test]
    fn lines_out_of_order_take_the_group_by_and_give_the_same_heads() {
        let ordered = sorted_heads(heads_of(lines().lazy()));
        // Reversed: every order's lowest line comes last.
        let reversed = lines().reverse();
        assert!(!runs_by_order(&reversed));
        assert_eq!(sorted_heads(heads_of(reversed.lazy())), ordered);
        // O1's lines split by another order's line: O1 is not one run.
        let split = lines()
            .take(&IdxCa::from_vec("i".into(), vec![0, 2, 1, 3, 4, 5, 6]))
            .expect("take");
        assert!(!runs_by_order(&split));
        assert_eq!(sorted_heads(heads_of(split.lazy())), ordered);
        // A repeated (order_id, line_no) is not a run of ascending lines.
        let repeated = lines()
            .take(&IdxCa::from_vec("i".into(), vec![0, 0, 1, 2, 3, 4, 5, 6]))
            .expect("take");
        assert!(!runs_by_order(&repeated));
    }

    #[test]
    fn a_null_key_is_not_a_run() {
        let mut df = lines();
        df.with_column(Column::new(
            "line_no".into(),
            [
                Some(1i64),
                None,
                Some(1),
                Some(2),
                Some(3),
                Some(5),
                Some(7),
            ],
        ))
        .expect("column");
        assert!(!runs_by_order(&df));
    }
}
