//! Facts of the data alone, stored with a validated load: the order heads
//! of every live line (rule 4), each customer's first-ever order and
//! each customer's orders ranked (rule 7). A run on unchanged inputs (the
//! next night's rerun, an analyst's scorecard after the nightly run)
//! reads them from the store instead of working them out from every order
//! line of the history again: at scale 100 (4.2 M lines, 1.7 M orders)
//! that was 0.4 s of a 4 s run for the heads and 0.3 s for the last
//! orders.
//!
//! Rules:
//! - They are stored only when the heads depend on as_of through a cut
//!   alone: the lines run by order (as exports are written, see
//!   [`super::heads`]) and every order's live lines share one date. Then
//!   an order's lines are all dated ≤ as_of or none is, so the heads as of
//!   a day are the stored heads dated ≤ that day, with the same amounts.
//!   The lines must also share one customer, so that whenever the heads
//!   are stored a customer's sales over any dates are its heads' amounts
//!   ([`heads_hold_their_lines`]; the customer view's 12 months).
//! - The first orders as of a day are the stored first orders dated ≤ that
//!   day: a customer's first-ever order is the first of every set of its
//!   orders that holds it, and one dated after the day means the customer
//!   had no order by then.
//! - The customers' orders are the heads' customer, date and rep, each
//!   with the date of the customer's next order in rule 7's ranking (date,
//!   then order_id; null for the last): the last order dated ≤ PE is the
//!   one dated ≤ PE whose next order is not, a filter row by row instead
//!   of grouping every head by customer.
//! - Otherwise no order fact is stored and every run works the heads out.
//! - Each payment's invoice is also stored as the invoice's row in the
//!   stored invoices table: the invoice balances group and join payments
//!   by that integer instead of the invoice_id text (1.7 M payments and
//!   invoices at scale 100).
//! - The invoice ledger holds each invoice's columns that the balances
//!   read, with the sum and the latest date of all its payments: the
//!   payments of a period's balances are then only those dated on or
//!   after its start, and every invoice paid before it is settled from
//!   the ledger alone ([`super::balances`]). It also holds what attributes
//!   an invoice without its own rep (its order head's rep and date, its
//!   customer's owner), so the rep as of any day is a row's own choice
//!   ([`ledger_rep`]) instead of joins over every invoice; so it is stored
//!   only with the order heads, or without an orders table.

use polars::prelude::*;

use crate::kpi::date_lit;

use super::balances::INVOICE_COLUMNS as BALANCE_INVOICE_COLUMNS;
use super::context::KpiContext;
use super::customer_orders::first_orders_of;
use super::heads::heads_of_every_live_line;
use super::receivables::with_owner_rep;
use crate::ingest::{Dataset, Facts, KeepFact};

/// The stored fact of the order heads of every live line.
const ORDER_HEADS: &str = "order_heads";
/// The stored fact of each customer's first-ever order.
const FIRST_ORDERS: &str = "first_orders";
/// The stored fact of each customer's orders, ranked.
const CUSTOMER_ORDERS: &str = "customer_orders";
/// The stored fact of each payment's invoice by row.
const PAYMENT_INVOICE_ROWS: &str = "payment_invoice_rows";
/// The stored fact of each invoice with the sum and latest date of its
/// payments.
const INVOICE_LEDGER: &str = "invoice_ledger";
/// An invoice's row in the stored invoices table (0 first): the key by
/// which [`stored_payment_invoice_rows`] name their invoice.
pub(crate) const INVOICE_ROW: &str = "__invoice_row";
/// The order of the customers' orders: each customer's by rule 7's ranking
/// (date, then order_id).
const BY_CUSTOMER: [&str; 3] = ["customer_id", "order_date", "order_id"];

/// What salesops stores with a validated load: [`facts_of`], under a
/// version that changes whenever they are worked out or laid out
/// differently (it is part of the entry's key).
pub fn stored_facts() -> Facts<'static> {
    Facts {
        version: "order_heads by order_id, lines of one date and customer; first_orders; customer_orders with __next_date; payment_invoice_rows and invoice_ledger with attribution (8)",
        of: &facts_of,
    }
}

/// The facts of `data` to store with its validated load
/// ([`crate::ingest::load_with_store`]):
/// - `order_heads`: the columns of [`super::heads::order_heads`], every
///   live line whatever its date, in ascending order_id;
/// - `first_orders`: those of [`super::customer_orders::first_orders`]
///   over them;
/// - `customer_orders`: their `customer_id`, `order_date`, `rep_id` and
///   `__next_date`, the order_date of the customer's next order by
///   order_date then order_id (null for its last; orders without a
///   customer are one customer);
/// - `payment_invoice_rows`: [`stored_payment_invoice_rows`];
/// - `invoice_ledger`: [`stored_invoice_ledger`].
///
/// The order facts are left out when the heads are not a fact of the data
/// alone (see the module doc), when there is no orders table or no line,
/// and when the lines cannot be read (the runs then work the heads out
/// and meet the error there); a fact whose tables are absent is left out.
pub(crate) fn facts_of(data: &Dataset, keep: &mut KeepFact<'_>) {
    let heads = order_facts(data, keep);
    if let Some(mut rows) = payment_invoice_rows(data) {
        // The ledger attributes invoices through the heads: without them
        // (an orders table whose heads are not a fact of the data alone)
        // the runs attribute invoices themselves.
        if heads.is_some() || !data.has("orders") {
            if let Some(ledger) = invoice_ledger(data, &rows, heads.as_ref()) {
                // Each payment carries its invoice's attribution too, so a
                // period's collections are credited without a join.
                if let Ok(attributed) = with_attribution(&rows, &ledger) {
                    rows = attributed;
                }
                keep(INVOICE_LEDGER, ledger);
            }
        }
        keep(PAYMENT_INVOICE_ROWS, rows);
    }
}

/// The attribution columns of the invoice ledger ([`ledger_rep`] reads).
const ATTRIBUTION: [&str; 4] = ["rep_id", "__order_rep", "__order_date", "__owner_rep"];

/// `rows` (payments by invoice row) with their invoice's attribution
/// columns from `ledger` ([`ATTRIBUTION`]), in no particular order.
fn with_attribution(rows: &DataFrame, ledger: &DataFrame) -> PolarsResult<DataFrame> {
    let attribution = ledger.clone().lazy().select(
        std::iter::once(col(INVOICE_ROW))
            .chain(ATTRIBUTION.map(col))
            .collect::<Vec<_>>(),
    );
    rows.clone()
        .lazy()
        .join(
            attribution,
            [col(INVOICE_ROW)],
            [col(INVOICE_ROW)],
            JoinArgs::new(JoinType::Left),
        )
        .collect()
}

/// Whether the stored payments carry their invoice's attribution
/// ([`ledger_rep`] can read them): stored with the invoice ledger.
pub(crate) fn payments_carry_reps(ctx: &KpiContext) -> bool {
    stored_payment_invoice_rows(ctx).is_some_and(|mut rows| {
        rows.collect_schema()
            .is_ok_and(|schema| ATTRIBUTION.iter().all(|c| schema.contains(c)))
    })
}

/// Each invoice's row ([`INVOICE_ROW`]), `invoice_id`, `customer_id`,
/// `invoice_date`, `due_date`, `amount` (cents) and its own `rep_id`,
/// with:
/// - over all its `rows` (payments by invoice row, whatever their date)
///   `__paid` (Σ amount, cents; 0 without payments) and `__last_paid`
///   (the latest payment_date; null without);
/// - for an invoice without its own rep_id, what SPEC section 2 attributes
///   it by: `__order_rep` and `__order_date`, the rep and date of its
///   order's head among `heads` (of every live line, whatever its date),
///   and `__owner_rep`, its customer's owner_rep_id (all null otherwise);
///   [`ledger_rep`] picks the rep as of a day.
///
/// `None` without invoices, or when they cannot be read.
fn invoice_ledger(
    data: &Dataset,
    rows: &DataFrame,
    heads: Option<&DataFrame>,
) -> Option<DataFrame> {
    let paid = rows.clone().lazy().group_by([col(INVOICE_ROW)]).agg([
        col("amount").sum().alias("__paid"),
        col("payment_date").max().alias("__last_paid"),
    ]);
    // The columns the balances read, and what attributes the invoice.
    let columns: Vec<Expr> = BALANCE_INVOICE_COLUMNS
        .iter()
        .chain(&["rep_id", "order_id"])
        .map(|c| col(*c))
        .collect();
    let invoices = data
        .lazy("invoices")?
        .select(columns)
        .with_row_index(INVOICE_ROW, None);
    let null_rep = || lit(NULL).cast(DataType::String);
    // Only invoices without their own rep look up an order and an owner.
    let mut others = invoices.clone().filter(col("rep_id").is_null()).select([
        col(INVOICE_ROW),
        col("order_id"),
        col("customer_id"),
    ]);
    others = match heads {
        Some(heads) => others.join(
            heads.clone().lazy().select([
                col("order_id"),
                col("rep_id").alias("__order_rep"),
                col("order_date").alias("__order_date"),
            ]),
            [col("order_id")],
            [col("order_id")],
            JoinArgs::new(JoinType::Left),
        ),
        None => others.with_columns([
            null_rep().alias("__order_rep"),
            lit(NULL).cast(DataType::Date).alias("__order_date"),
        ]),
    };
    let others = with_owner_rep(data, others).select([
        col(INVOICE_ROW),
        col("__order_rep"),
        col("__order_date"),
        col("__owner_rep"),
    ]);
    invoices
        .drop(cols(["order_id"]))
        .join(
            paid,
            [col(INVOICE_ROW)],
            [col(INVOICE_ROW)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            others,
            [col(INVOICE_ROW)],
            [col(INVOICE_ROW)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("__paid").fill_null(lit(0i64)))
        .collect()
        .ok()
}

/// The rep SPEC section 2 attributes a row of the invoice ledger to as of
/// `as_of`: its own rep_id, else the rep of its order's head when the
/// head is dated ≤ as_of (an order counts only with a live line by then,
/// and a stored head's lines all share its date), else its customer's
/// owner; null when none resolves.
pub(crate) fn ledger_rep(as_of: chrono::NaiveDate) -> Expr {
    coalesce(&[
        col("rep_id"),
        when(col("__order_date").lt_eq(date_lit(as_of)))
            .then(col("__order_rep"))
            .otherwise(lit(NULL).cast(DataType::String)),
        col("__owner_rep"),
    ])
}

/// [`facts_of`] collected, in the order they are worked out.
#[cfg(test)]
pub(crate) fn all_facts_of(data: &Dataset) -> Vec<(&'static str, DataFrame)> {
    let mut facts = Vec::new();
    facts_of(data, &mut |name, frame| facts.push((name, frame)));
    facts
}

/// Each payment's `payment_date` and `amount` (cents) with its invoice's
/// row in the invoices table ([`INVOICE_ROW`], UInt32) (and, stored with
/// the invoice ledger, its invoice's attribution: [`payments_carry_reps`]), for every payment
/// whose invoice is there (in a clean load, every payment with an
/// invoice_id); in no particular order. `None` without invoices or
/// payments, or when they cannot be read.
fn payment_invoice_rows(data: &Dataset) -> Option<DataFrame> {
    let rows = data
        .lazy("invoices")?
        .select([col("invoice_id")])
        .with_row_index(INVOICE_ROW, None);
    data.lazy("payments")?
        .select([col("invoice_id"), col("payment_date"), col("amount")])
        .join(
            rows,
            [col("invoice_id")],
            [col("invoice_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col(INVOICE_ROW), col("payment_date"), col("amount")])
        .collect()
        .ok()
}

/// The order facts of [`facts_of`] (first orders, customers' orders,
/// heads), each handed to `keep` as soon as it is worked out; none when the
/// heads are not a fact of the data alone. Each is right on its own, so
/// one that fails to be worked out leaves the others. Gives the heads
/// (for the invoice ledger's attribution), `None` when there are none.
fn order_facts(data: &Dataset, keep: &mut KeepFact<'_>) -> Option<DataFrame> {
    let orders = data.lazy("orders")?;
    let heads = heads_of_every_live_line(orders)?;
    if let Ok(first) = first_orders_of(heads.clone().lazy()).collect() {
        keep(FIRST_ORDERS, first);
    }
    let customer = col("customer_id");
    let next_date = when(customer.clone().eq_missing(customer.shift(lit(-1))))
        .then(col("order_date").shift(lit(-1)))
        .otherwise(lit(NULL).cast(DataType::Date));
    let ranked = heads
        .clone()
        .lazy()
        .sort(BY_CUSTOMER, SortMultipleOptions::default())
        .select([
            col("customer_id"),
            col("order_date"),
            col("rep_id"),
            next_date.alias("__next_date"),
        ])
        .collect();
    if let Ok(ranked) = ranked {
        keep(CUSTOMER_ORDERS, ranked);
    }
    keep(ORDER_HEADS, heads.clone());
    Some(heads)
}

/// The order heads as of `ctx.as_of` from the validated store: a scan of
/// the stored heads dated ≤ as_of, in no order a reader may count on
/// (Parquet does not keep polars' sorted flag, so readers that pick among
/// orders by order_id take their general plan; in a run from the store
/// those readers take the stored first and last orders instead). `None`
/// when the store holds none.
pub(crate) fn stored_order_heads(ctx: &KpiContext) -> Option<LazyFrame> {
    let stored = ctx.data.stored_fact(ORDER_HEADS)?;
    Some(stored.filter(col("order_date").lt_eq(date_lit(ctx.as_of))))
}

/// Whether the validated store holds the order heads: then every order's
/// live lines share its head's date and customer (see the module doc), so
/// a customer's Σ line_amount over lines dated in any window is the Σ
/// order_amount of its heads dated in it.
pub(crate) fn heads_hold_their_lines(ctx: &KpiContext) -> bool {
    ctx.data.stored_fact(ORDER_HEADS).is_some()
}

/// Each customer's last order dated ≤ PE from the validated store
/// (`customer_id`, `__last_date`, `__last_rep`; see
/// [`super::customer_orders::last_orders`]): the stored customers' orders
/// dated ≤ PE whose next order is not (orders without a customer are one
/// customer, as they are one group there). `None` when the store holds
/// none.
pub(crate) fn stored_last_orders(ctx: &KpiContext) -> Option<LazyFrame> {
    let stored = ctx.data.stored_fact(CUSTOMER_ORDERS)?;
    let pe = date_lit(ctx.pe);
    let next = col("__next_date");
    Some(
        stored
            .filter(
                col("order_date")
                    .lt_eq(pe.clone())
                    .and(next.clone().is_null().or(next.gt(pe))),
            )
            .select([
                col("customer_id"),
                col("order_date").alias("__last_date"),
                col("rep_id").alias("__last_rep"),
            ]),
    )
}

/// Each payment's `payment_date`, `amount` and its invoice's row
/// ([`INVOICE_ROW`]) in the stored invoices table, whose scan numbers its
/// rows the same way (`with_row_index`), from the validated store. `None`
/// when the store holds none.
pub(crate) fn stored_payment_invoice_rows(ctx: &KpiContext) -> Option<LazyFrame> {
    ctx.data.stored_fact(PAYMENT_INVOICE_ROWS)
}

/// The invoice ledger from the validated store (see [`facts_of`]): every
/// invoice with the sum and latest date of all its payments. `None` when
/// the store holds none.
pub(crate) fn stored_invoice_ledger(ctx: &KpiContext) -> Option<LazyFrame> {
    ctx.data.stored_fact(INVOICE_LEDGER)
}

/// Each customer's first order as of `ctx.as_of` from the validated store:
/// the stored first orders dated ≤ as_of. `None` when the store holds none.
pub(crate) fn stored_first_orders(ctx: &KpiContext) -> Option<LazyFrame> {
    let stored = ctx.data.stored_fact(FIRST_ORDERS)?;
    Some(stored.filter(col("__first_date").lt_eq(date_lit(ctx.as_of))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::customer_orders::{first_orders, last_orders};
    use crate::kpi::heads::order_heads;
    use crate::kpi::testing::{
        context, dataset, owned_texts, texts, with_stored_facts, CUSTOMERS, REPS,
    };

    const HEADER: &str = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,line_amount,status\n";

    /// Orders over September and October 2026, by runs, one date each: O1
    /// (C1, two lines), O2 (its line 1 cancelled, so line 2 heads it: C2,
    /// R1), O3 (C2, dated after the October cut), O4 (all cancelled), O5
    /// (C2, R3, the same day as O2: the tie goes to O2 first, O5 last).
    const ORDERS: &str = "O1,1,2026-09-03,R1,C1,P1,2,10.00,,\n\
        O1,2,2026-09-03,R1,C1,P1,1,5.00,,\n\
        O2,1,2026-09-20,R2,C1,P1,1,7.00,,cancelled\n\
        O2,2,2026-09-20,R1,C2,P1,1,8.00,,\n\
        O3,1,2026-10-25,R2,C2,P1,3,1.00,,\n\
        O4,1,2026-10-02,R2,C3,P1,1,9.00,,Cancelled\n\
        O5,1,2026-09-20,R3,C2,P1,1,2.00,,\n";

    fn orders_data(lines: &str) -> Dataset {
        dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("orders", &format!("{HEADER}{lines}")),
        ])
    }

    fn sorted(frame: LazyFrame, by: &str) -> DataFrame {
        frame
            .sort([by], SortMultipleOptions::default().with_nulls_last(true))
            .collect()
            .unwrap()
    }

    #[test]
    fn stored_heads_cut_at_any_as_of_equal_the_heads_worked_out() {
        let data = orders_data(ORDERS);
        let stored = with_stored_facts(&data);
        let facts = all_facts_of(&data);
        assert_eq!(facts.len(), 3);
        let heads = facts.iter().find(|(name, _)| *name == ORDER_HEADS).unwrap();
        assert_eq!(heads.1.height(), 4, "O4 has no live line");
        for (period, as_of) in [
            ("2026-09", "2026-09-10"),
            ("2026-10", "2026-10-10"),
            ("2026-10", "2026-10-31"),
            ("2026-08", "2026-08-01"),
        ] {
            let plain = context(&data, period, as_of);
            let from_store = context(&stored, period, as_of);
            assert!(stored_order_heads(&from_store).is_some());
            let worked_out = sorted(order_heads(&plain).unwrap(), "order_id");
            assert_eq!(
                sorted(order_heads(&from_store).unwrap(), "order_id"),
                worked_out,
                "{as_of}"
            );
            let heads = order_heads(&plain).unwrap();
            assert_eq!(
                sorted(
                    first_orders(&from_store, order_heads(&from_store).unwrap()),
                    "customer_id"
                ),
                sorted(first_orders(&plain, heads.clone()), "customer_id"),
                "{as_of}"
            );
            assert!(stored_last_orders(&from_store).is_some());
            assert_eq!(
                sorted(
                    last_orders(&from_store, order_heads(&from_store).unwrap()),
                    "customer_id"
                ),
                sorted(last_orders(&plain, heads), "customer_id"),
                "{as_of}"
            );
        }
        // By hand, as of 10 Oct: O1 25.00 (R1, C1), O2 8.00 (R1, C2), O5
        // 2.00 (R3, C2); C2's first order is O2 (R1), its last O5 (R3).
        let ctx = context(&stored, "2026-10", "2026-10-10");
        let heads = sorted(order_heads(&ctx).unwrap(), "order_id");
        assert_eq!(
            heads
                .column("order_amount")
                .unwrap()
                .i64()
                .unwrap()
                .to_vec(),
            vec![Some(2500), Some(800), Some(200)]
        );
        let first = sorted(
            first_orders(&ctx, order_heads(&ctx).unwrap()),
            "customer_id",
        );
        assert_eq!(texts(&first, "__first_rep"), owned_texts(&["R1", "R1"]));
        let last = sorted(last_orders(&ctx, order_heads(&ctx).unwrap()), "customer_id");
        assert_eq!(texts(&last, "__last_rep"), owned_texts(&["R1", "R3"]));
    }

    #[test]
    fn a_filtered_parquet_scan_numbers_its_rows_as_the_file_does() {
        // Invoice rows in row groups of 3, dated so that a cut skips whole
        // groups and halves others: the row numbers the invoice balances
        // join payments by are still each row's place in the file.
        let ids: Vec<String> = (0..20).map(|i| format!("I{i:02}")).collect();
        // Every other group after the cut, the others across it.
        let days: Vec<i32> = (0..20)
            .map(|i| {
                if (i / 3) % 2 == 1 {
                    20_009
                } else {
                    20_000 + i % 5
                }
            })
            .collect();
        let mut frame = df!("invoice_id" => ids, "invoice_date" => days)
            .unwrap()
            .lazy()
            .with_column(col("invoice_date").cast(DataType::Date))
            .collect()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("invoices.parquet");
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .with_row_group_size(Some(3))
            .finish(&mut frame)
            .unwrap();
        let scan = LazyFrame::scan_parquet_sources(
            ScanSources::Files(std::sync::Arc::from(vec![
                std::fs::File::open(&path).unwrap()
            ])),
            ScanArgsParquet {
                hive_options: HiveOptions::new_disabled(),
                ..ScanArgsParquet::default()
            },
        )
        .unwrap();
        let cut = |rows: LazyFrame| {
            rows.with_row_index(INVOICE_ROW, None)
                .filter(col("invoice_date").cast(DataType::Int32).lt_eq(lit(20_003)))
        };
        let want = cut(frame.lazy()).collect().unwrap();
        assert!(want.height() > 0 && want.height() < 20);
        for engine in [Engine::InMemory, Engine::Streaming] {
            let got = cut(scan.clone())
                .collect_with_engine(engine)
                .unwrap()
                .unwrap_single();
            assert_eq!(got, want, "{engine:?}");
        }
    }

    #[test]
    fn no_fact_is_stored_when_an_orders_lines_differ_in_date() {
        // O1's second line a day later: as of 3 Sep only its first counts.
        let lines = ORDERS.replacen("O1,2,2026-09-03", "O1,2,2026-09-04", 1);
        assert!(all_facts_of(&orders_data(&lines)).is_empty());
        // The difference on a cancelled line does not matter.
        let lines = ORDERS.replacen("O2,1,2026-09-20", "O2,1,2026-09-19", 1);
        assert_eq!(all_facts_of(&orders_data(&lines)).len(), 3);
    }

    #[test]
    fn no_fact_is_stored_when_the_lines_do_not_run_by_order() {
        let mut rows: Vec<&str> = ORDERS.lines().collect();
        rows.swap(0, 3);
        let lines = rows.join("\n") + "\n";
        assert!(all_facts_of(&orders_data(&lines)).is_empty());
    }
}
