//! Order heads (SPEC rule 4): one row per order, dated, credited and
//! addressed by its lowest live line.
//!
//! The heads are an as_of-only fact, read by the order counts, the
//! invoice attribution, first and last orders and the customer view. They
//! are the one group-by over every order line of the history, so how they
//! are found matters: exports are nearly always written order by order
//! with ascending line numbers, and then each order's head is simply its
//! first row, found by comparing each row with the one before it instead
//! of hashing millions of order ids. The orders table is read a slice of
//! a quarter million rows (a stored row group) at a time, a slice per
//! thread (at most four at once), so only those slices of lines are held
//! besides the heads (an order straddling two
//! slices is joined up). Lines in any other order
//! take the group-by; both give the same heads.

use polars::prelude::*;
use polars::series::IsSorted;
use rayon::prelude::*;

use super::context::KpiContext;
use super::sales::{every_live_line, live_lines_of};
use super::stored_facts::stored_order_heads;
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
/// line_amount (cents) of its live lines dated ≤ as_of. Heads found by
/// runs ascend by order_id and say so ([`ascend_by_order_id`]); otherwise
/// the row order is unspecified. Computed once per engine, from the lines
/// without their product prices (a head needs none), or scanned from the
/// validated store when it holds them ([`super::stored_facts`]). `None`
/// when the orders table is absent.
pub(crate) fn order_heads(ctx: &KpiContext) -> Option<LazyFrame> {
    let orders = ctx.table("orders", "order and sales KPIs")?;
    // Stored heads are scanned where they are read, for that reader's
    // dates and columns (a period's heads, the customer view's 12 months),
    // instead of all being read and held for the run (1.7 M heads at
    // scale 100).
    if let Some(stored) = stored_order_heads(ctx) {
        return Some(stored);
    }
    Some(ctx.fact("order_heads", || {
        heads_of(orders, |rows| live_lines_of(ctx, rows))
    }))
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

/// The heads of the lines `live` makes of the rows of `orders` (columns
/// [`LINE_COLUMNS`] at least), by the rows' order when each order's lines
/// are one run with ascending `line_no`, by a group-by otherwise. Should
/// reading the lines fail, the group-by plan is returned, so the error
/// surfaces where the heads are used.
fn heads_of(orders: LazyFrame, live: impl Fn(LazyFrame) -> LazyFrame) -> LazyFrame {
    match heads_of_runs(&orders, &live, RUNS_BATCH_ROWS) {
        Ok(Some(runs)) => runs.heads.lazy(),
        _ => heads_by_group(live(orders).select(LINE_COLUMNS.map(col))),
    }
}

/// The heads of every live line of `orders`, whatever its date, when they
/// are a fact of the data alone: the lines run by order and every order's
/// live lines share one date (and one customer, so that a customer's
/// sales over dates are its heads' amounts, see [`super::stored_facts`]).
/// Then the heads as of any day are these
/// heads dated ≤ that day (an order's lines are all in or all out), with
/// the same amounts. `None` otherwise (the lines
/// do not run by order, an order's live lines differ in date or customer, the table
/// holds no line, an order's amount overflows 64 bits where it is joined
/// up across two slices, or the lines cannot be read: a run then works
/// the heads out, and meets the error itself). In ascending order_id.
pub(crate) fn heads_of_every_live_line(orders: LazyFrame) -> Option<DataFrame> {
    match heads_of_runs(&orders, &every_live_line, RUNS_BATCH_ROWS) {
        Ok(Some(runs)) if !runs.lines_vary => Some(runs.heads),
        _ => None,
    }
}

/// Heads found by runs ([`heads_of_runs`]).
struct RunHeads {
    /// In ascending order_id, flagged so.
    heads: DataFrame,
    /// Some order's lines are not all of one date.
    lines_vary: bool,
}

/// Rows of the orders table per slice while heads are found by runs: a
/// stored table's row group (so a slice decodes one group), about 20 MB of
/// line columns, so holding a slice costs little next to the heads.
const RUNS_BATCH_ROWS: usize = crate::ingest::STORE_ROW_GROUP_ROWS;

/// Slices read and made into heads at the same time, one per thread: a
/// slice alone keeps one core busy, since most of its work (checking the
/// runs, picking each order's first row) is serial. The cap bounds the
/// lines held at once on a machine of many cores.
const MAX_SLICES_AT_ONCE: usize = 4;

/// Position of a line in its batch, while heads are found by runs.
const LINE_INDEX: &str = "__line";

/// True when every order's rows are consecutive and its first row has its
/// lowest `line_no`: (order_id, line_no) increases strictly from row to
/// row. A null key anywhere answers false.
fn runs_by_order(lines: &DataFrame) -> bool {
    strictly_increasing(lines, &["order_id", "line_no"]).unwrap_or(false)
}

/// Heads of lines that run by order ([`runs_by_order`]), read in batches:
/// the lines `live` makes of each slice of `batch_rows` rows of `orders`,
/// in order, one slice per thread at a time ([`MAX_SLICES_AT_ONCE`] at
/// most), so that only those slices are held. A stored table's
/// scan reads just the slice's row groups; polars' streaming engine, by
/// contrast, read ahead some 300 MB of lines at scale 100. Each batch's
/// heads are its orders' first rows ([`batch_heads`]), and an order whose
/// lines straddle two batches is joined up with the head its first batch
/// gave. `None` once a batch shows the lines do not run by order (no
/// slice after the ones read alongside it is read), and when there are no
/// lines (the caller then takes the group-by). The heads come in ascending
/// order_id, flagged so on the column ([`ascend_by_order_id`]), and say
/// whether some order's lines differ in date.
///
/// Errors: the lines cannot be read.
fn heads_of_runs(
    orders: &LazyFrame,
    live: &dyn Fn(LazyFrame) -> LazyFrame,
    batch_rows: usize,
) -> PolarsResult<Option<RunHeads>> {
    let rows = row_count(orders)?;
    let slice_rows = IdxSize::try_from(batch_rows.max(1)).unwrap_or(IdxSize::MAX);
    let wave = rayon::current_num_threads().clamp(1, MAX_SLICES_AT_ONCE);
    let mut runs = Runs::default();
    let mut offset = 0;
    // Stop reading once the lines are known not to run by order.
    while offset < rows && !runs.broken {
        // The plans are made here (`live` may read the context, which stays
        // on this thread); only their collection runs in parallel.
        let mut plans = Vec::with_capacity(wave);
        while plans.len() < wave && offset < rows {
            let slice = orders.clone().slice(offset as i64, slice_rows);
            plans.push(live(slice).select(LINE_COLUMNS.map(col)));
            offset += u64::from(slice_rows);
        }
        let parts: Vec<PolarsResult<SliceHeads>> = plans
            .into_par_iter()
            .map(|plan| slice_heads(plan.collect()?))
            .collect();
        for part in parts {
            runs.add(part?)?;
        }
    }
    let Runs {
        mut done,
        open,
        broken,
        lines_vary,
        ..
    } = runs;
    done.extend(open);
    if broken {
        return Ok(None);
    }
    // No lines: `None`, and the group-by gives the empty heads with their types.
    let Some(mut heads) = stacked(done)? else {
        return Ok(None);
    };
    // (order_id, line_no) increased from line to line, so each order's head
    // comes after the one before it: flagged, for readers that pick among
    // orders by order_id ([`ascend_by_order_id`]).
    flag_ascending(&mut heads, "order_id")?;
    Ok(Some(RunHeads { heads, lines_vary }))
}

/// Flags the column `name` of `frame` ascending (for
/// [`ascend_by_order_id`]): only for a column known to be in that order.
///
/// Errors: `frame` has no such column.
pub(crate) fn flag_ascending(frame: &mut DataFrame, name: &str) -> PolarsResult<()> {
    frame.apply(name, |values| {
        let mut values = values.clone();
        values.set_sorted_flag(IsSorted::Ascending);
        values
    })?;
    Ok(())
}

/// Whether `heads` (the [`order_heads`]) are in ascending `order_id`, as
/// flagged on the column: the heads found by runs are, those found by the
/// group-by are in no order. False when they cannot be read.
pub(crate) fn ascend_by_order_id(heads: &LazyFrame) -> bool {
    heads
        .clone()
        .select([col("order_id")])
        .collect()
        .map(|ids| ids.columns()[0].is_sorted_flag() == IsSorted::Ascending)
        .unwrap_or(false)
}

/// `parts` one below the other, in one chunk; `None` without parts.
fn stacked(parts: Vec<DataFrame>) -> PolarsResult<Option<DataFrame>> {
    let mut parts = parts.into_iter();
    let Some(mut all) = parts.next() else {
        return Ok(None);
    };
    for part in parts {
        all.vstack_mut_owned(part)?;
    }
    all.rechunk_mut();
    Ok(Some(all))
}

/// Rows of `frame` (a stored table's scan counts them from its metadata).
fn row_count(frame: &LazyFrame) -> PolarsResult<u64> {
    let counted = frame
        .clone()
        .select([len().cast(DataType::UInt64)])
        .collect()?;
    Ok(counted.columns()[0].u64()?.get(0).unwrap_or(0))
}

/// What the batches of [`heads_of_runs`] have given so far.
#[derive(Default)]
struct Runs {
    /// Heads whose orders are complete.
    done: Vec<DataFrame>,
    /// The last batch's last head (one row): its order may go on in the
    /// next batch.
    open: Option<DataFrame>,
    /// The last batch's last key (order_id, line_no; one row).
    last_key: Option<DataFrame>,
    /// The lines were found not to run by order.
    broken: bool,
    /// Some order's lines differ in date or customer.
    lines_vary: bool,
}

/// One batch of lines made into heads on its own, so that batches can be
/// worked on in parallel; [`Runs::add`] joins them up in order.
enum SliceHeads {
    /// The batch holds no line.
    Empty,
    /// The batch's own lines do not run by order.
    Unordered,
    /// The batch runs by order: its heads ([`batch_heads`]) and its first
    /// and last keys (order_id, line_no; one row each).
    Heads {
        heads: DataFrame,
        first_key: DataFrame,
        last_key: DataFrame,
        /// Some order's lines in the batch differ in date or customer.
        lines_vary: bool,
    },
}

/// The heads of one batch of lines, when its lines run by order.
fn slice_heads(batch: DataFrame) -> PolarsResult<SliceHeads> {
    if batch.height() == 0 {
        return Ok(SliceHeads::Empty);
    }
    let keys = batch.select(["order_id", "line_no"])?;
    if !runs_by_order(&keys) {
        return Ok(SliceHeads::Unordered);
    }
    let (heads, lines_vary) = batch_heads(batch)?;
    Ok(SliceHeads::Heads {
        first_key: keys.head(Some(1)),
        last_key: keys.tail(Some(1)),
        heads,
        lines_vary,
    })
}

impl Runs {
    /// Takes the next batch's heads (batches in the lines' order).
    fn add(&mut self, part: SliceHeads) -> PolarsResult<()> {
        if self.broken {
            return Ok(());
        }
        let (mut heads, first_key, last_key) = match part {
            SliceHeads::Empty => return Ok(()),
            SliceHeads::Unordered => {
                self.broken = true;
                return Ok(());
            }
            SliceHeads::Heads {
                heads,
                first_key,
                last_key,
                lines_vary,
            } => {
                self.lines_vary |= lines_vary;
                (heads, first_key, last_key)
            }
        };
        // The batch's keys must go on increasing from the last batch's.
        if let Some(mut joined) = self.last_key.take() {
            joined.vstack_mut(&first_key)?;
            if !runs_by_order(&joined) {
                self.broken = true;
                return Ok(());
            }
        }
        self.last_key = Some(last_key);
        if let Some(open) = self.open.take() {
            let first_order = heads.column("order_id")?.str()?.get(0).map(str::to_string);
            let open_order = open.column("order_id")?.str()?.get(0).map(str::to_string);
            if first_order.is_some() && first_order == open_order {
                // The open order went on into this batch: its head is the
                // open row (its lowest line), its amount both parts' sum.
                // A part is null only where its Int128 sum overflowed Int64;
                // the error sends the caller to the group-by.
                let overflow = || polars_err!(ComputeError: "an order's amount overflows 64 bits");
                // Its head's date and customer are its first line's, and
                // each batch's lines of one order share them unless
                // `lines_vary` says so.
                for name in ["order_date", "customer_id"] {
                    self.lines_vary |= heads.column(name)?.get(0)? != open.column(name)?.get(0)?;
                }
                let more = heads
                    .column("order_amount")?
                    .i64()?
                    .get(0)
                    .ok_or_else(overflow)?;
                heads = heads.slice(1, heads.height() - 1);
                let mut merged = open;
                let total = merged
                    .column("order_amount")?
                    .i64()?
                    .get(0)
                    .ok_or_else(overflow)?
                    .checked_add(more)
                    .ok_or_else(overflow)?;
                merged.with_column(Column::new("order_amount".into(), [total]))?;
                if heads.height() == 0 {
                    self.open = Some(merged);
                    return Ok(());
                }
                self.done.push(merged);
            } else {
                self.done.push(open);
            }
        }
        let n = heads.height();
        self.open = Some(heads.slice(n as i64 - 1, 1));
        self.done.push(heads.slice(0, n - 1));
        Ok(())
    }
}

/// Heads of one batch of lines that runs by order: each order's first row,
/// with Σ line_amount taken from a running total as the total at its last
/// row less the total before its first (nulls add nothing, as in a group
/// sum; Int128, so no Int64 sum can overflow it); and whether some order's
/// lines in the batch differ in date or customer (a line dated or
/// addressed unlike the one before it in the same order).
fn batch_heads(batch: DataFrame) -> PolarsResult<(DataFrame, bool)> {
    let amount = col("line_amount")
        .fill_null(lit(0i64))
        .cast(DataType::Int128);
    let first = col("order_id").neq_missing(col("order_id").shift(lit(1)));
    let last = col("order_id").neq_missing(col("order_id").shift(lit(-1)));
    let changes = |name: &str| col(name).neq_missing(col(name).shift(lit(1)));
    let lines_vary = first
        .clone()
        .not()
        .and(changes("order_date").or(changes("customer_id")))
        .any(true);
    let firsts = batch
        .select(["order_id", "line_amount", "order_date", "customer_id"])?
        .lazy()
        .with_row_index(LINE_INDEX, None)
        .with_columns([
            first.alias("__first"),
            last.alias("__last"),
            amount.clone().alias("__amount"),
            amount.cum_sum(false).alias("__running"),
            lines_vary.alias("__vary"),
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
        .select([col(LINE_INDEX), col("order_amount"), col("__vary")])
        .collect()?;
    let lines_vary = firsts.column("__vary")?.bool()?.any();
    let first_rows = firsts.column(LINE_INDEX)?.idx()?;
    let mut heads = batch
        .select(["order_id", "order_date", "rep_id", "customer_id"])?
        .take(first_rows)?;
    heads.with_column(firsts.column("order_amount")?.clone())?;
    Ok((heads, lines_vary))
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
mod tests;
