//! Invoice balances at PE: each invoice's payments dated ≤ PE summed once
//! per period and shared by the receivables at PE ([`super::receivables`])
//! and the debtor check of `orders_while_overdue` ([`super::flags`]), which
//! both need them and each used to group the whole payments table and join
//! it to the whole invoices table on its own.
//!
//! Only the invoices that can matter in `[start, PE]` are kept (most of a
//! long history was paid before the period and is left out here):
//! - still not covered by the payments dated before `start`
//!   (`amount − __paid_before > 0`): it may be outstanding at PE, or unpaid
//!   on a day of the period;
//! - or with a payment dated in `[start, PE]` (`__paid_in_period`): it
//!   may settle in the period, or a refund may reopen it;
//! - or dated in `[start, PE]`: it may settle in the period (a payment
//!   made before the invoice date settles it on its invoice date).
//!
//! An invoice left out is covered on every day of the period (its payments
//! before `start` reach its amount and none follows up to PE), was not
//! dated in it and has no payment in it: it is neither outstanding at PE,
//! nor settled in the period, nor unpaid on any day of it.

//!
//! Two plans give the same rows:
//! - from the validated store's invoice ledger (each invoice with the sum
//!   and latest date of all its payments, [`stored_invoice_ledger`]): an
//!   invoice none of whose payments is dated on or after `start` is
//!   settled by the ledger's columns alone, so only those payments are
//!   grouped (a month or so of them, against the whole history), and the
//!   ledger's scan reads just the invoices that can matter;
//! - otherwise from the payments, grouped by invoice (by the invoice's
//!   row in the stored invoices when the store numbers them, else by
//!   invoice_id).

use polars::prelude::*;

use crate::kpi::date_lit;

use super::context::KpiContext;
use super::stored_facts::{
    ledger_rep, stored_invoice_ledger, stored_payment_invoice_rows, INVOICE_ROW,
};

/// The columns of an invoice that the readers of [`invoice_balances`] use
/// (the store's invoice ledger holds them too): order_id and the
/// invoice's own rep_id are not among them (receivables attribute the
/// rep).
pub(crate) const INVOICE_COLUMNS: [&str; 5] = [
    "invoice_id",
    "customer_id",
    "invoice_date",
    "due_date",
    "amount",
];

/// Per invoice dated ≤ PE that can matter in the period (see the module
/// doc), memoized per period: `invoice_id`, `customer_id`, `invoice_date`,
/// `due_date`, `amount` (Int64 cents) and, over its payments dated ≤ PE,
/// `__paid_pe` (Σ amount, cents), `__paid_before` (Σ amount of those dated
/// before `start`, cents), both 0 without such a payment, and
/// `__paid_in_period` (Boolean: one is dated in `[start, PE]`). Refunds
/// (negative amounts) count in the sums. Every invoice of the table,
/// attributed to a rep or not. Read from the invoice ledger
/// ([`balances_carry_reps`]), they also carry `__rep`, the rep SPEC
/// section 2 attributes the invoice to as of as_of (null when none
/// resolves), and the invoice's row ([`INVOICE_ROW`]) by which
/// [`stored_payment_invoice_rows`] name it.
///
/// `None` when the invoices or the payments table is absent (the caller
/// warns, as it knows what the tables feed).
pub(crate) fn invoice_balances(ctx: &KpiContext) -> Option<LazyFrame> {
    let invoices = ctx.data.lazy("invoices")?;
    let payments = ctx.data.lazy("payments")?;
    Some(ctx.memo_streaming("invoice_balances", || {
        match (stored_invoice_ledger(ctx), stored_payment_invoice_rows(ctx)) {
            (Some(ledger), Some(rows)) => balances_from_ledger(ctx, ledger, rows),
            _ => balances_from_payments(ctx, invoices, payments),
        }
    }))
}

/// Whether [`invoice_balances`] come from the store's invoice ledger, with
/// each invoice's attributed `__rep` and its [`INVOICE_ROW`].
pub(crate) fn balances_carry_reps(ctx: &KpiContext) -> bool {
    stored_invoice_ledger(ctx).is_some() && stored_payment_invoice_rows(ctx).is_some()
}

/// The balances' columns, in order.
fn balance_columns() -> Vec<Expr> {
    INVOICE_COLUMNS
        .iter()
        .map(|c| col(*c))
        .chain([
            col("__paid_pe"),
            col("__paid_before"),
            col("__paid_in_period"),
        ])
        .collect()
}

/// Whether an invoice with the balance columns can matter in the period
/// (the module doc's three cases).
fn can_matter(start: chrono::NaiveDate) -> Expr {
    (col("amount") - col("__paid_before"))
        .gt(lit(0i64))
        .or(col("__paid_in_period"))
        .or(col("invoice_date").gt_eq(date_lit(start)))
}

/// [`invoice_balances`] from the payments: every payment dated ≤ PE
/// grouped by its invoice, joined to the invoices dated ≤ PE.
fn balances_from_payments(ctx: &KpiContext, invoices: LazyFrame, payments: LazyFrame) -> LazyFrame {
    let start = date_lit(ctx.period.start);
    let pe = date_lit(ctx.pe);
    // Each payment's invoice: by the invoice's row in the stored table when
    // the store holds that fact (an integer key, grouped and joined far
    // faster than the invoice_id text), else by invoice_id.
    let (payments, invoices, key) = match stored_payment_invoice_rows(ctx) {
        Some(keyed) => (
            keyed,
            invoices.with_row_index(INVOICE_ROW, None),
            INVOICE_ROW,
        ),
        None => (payments, invoices, "invoice_id"),
    };
    // Plain sums only: a filter inside the aggregation would take polars'
    // per-group path, several times slower over every invoice.
    let paid = payments
        .filter(col("payment_date").lt_eq(pe.clone()))
        .select([
            col(key),
            col("amount"),
            when(col("payment_date").lt(start.clone()))
                .then(col("amount"))
                .otherwise(lit(0i64))
                .alias("__before"),
            col("payment_date").gt_eq(start).alias("__in_period"),
        ])
        .group_by([col(key)])
        .agg([
            col("amount").sum().alias("__paid_pe"),
            col("__before").sum().alias("__paid_before"),
            col("__in_period").any(true).alias("__paid_in_period"),
        ]);
    let mut keyed: Vec<Expr> = INVOICE_COLUMNS.iter().map(|c| col(*c)).collect();
    if key != "invoice_id" {
        keyed.push(col(key));
    }
    invoices
        .filter(col("invoice_date").lt_eq(pe))
        .select(keyed)
        .join(paid, [col(key)], [col(key)], JoinArgs::new(JoinType::Left))
        .with_columns([
            col("__paid_pe").fill_null(lit(0i64)),
            col("__paid_before").fill_null(lit(0i64)),
            col("__paid_in_period").fill_null(lit(false)),
        ])
        .filter(can_matter(ctx.period.start))
        .select(balance_columns())
}

/// [`invoice_balances`] from the store's invoice ledger (`__paid` and
/// `__last_paid` over every payment of the invoice, whatever its date)
/// and the payments dated on or after `start` (by invoice row):
/// - `__paid_pe = __paid − Σ` those dated after PE;
/// - `__paid_before = __paid − Σ` those dated on or after `start`;
/// - `__paid_in_period`: one of them is dated ≤ PE.
///
/// An invoice whose latest payment is before `start` has none of those,
/// so whether it can matter is known from the ledger alone: the scan's
/// filter keeps it only if `amount − __paid > 0` or it is dated on or
/// after `start`, and keeps every invoice with a later payment for the
/// exact test once they are summed.
fn balances_from_ledger(ctx: &KpiContext, ledger: LazyFrame, rows: LazyFrame) -> LazyFrame {
    let start = date_lit(ctx.period.start);
    let pe = date_lit(ctx.pe);
    let zero_unless = |cond: Expr| when(cond).then(col("amount")).otherwise(lit(0i64));
    let late = rows
        .filter(col("payment_date").gt_eq(start.clone()))
        .select([
            col(INVOICE_ROW),
            col("amount"),
            zero_unless(col("payment_date").gt(pe.clone())).alias("__after_pe"),
            col("payment_date").lt_eq(pe.clone()).alias("__in_period"),
        ])
        .group_by([col(INVOICE_ROW)])
        .agg([
            col("amount").sum().alias("__late"),
            col("__after_pe").sum(),
            col("__in_period").any(true),
        ]);
    ledger
        .filter(
            col("invoice_date").lt_eq(pe).and(
                (col("amount") - col("__paid"))
                    .gt(lit(0i64))
                    .or(col("__last_paid")
                        .gt_eq(start.clone())
                        .fill_null(lit(false)))
                    .or(col("invoice_date").gt_eq(start)),
            ),
        )
        .join(
            late,
            [col(INVOICE_ROW)],
            [col(INVOICE_ROW)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            (col("__paid") - col("__after_pe").fill_null(lit(0i64))).alias("__paid_pe"),
            (col("__paid") - col("__late").fill_null(lit(0i64))).alias("__paid_before"),
            col("__in_period")
                .fill_null(lit(false))
                .alias("__paid_in_period"),
        ])
        .filter(can_matter(ctx.period.start))
        .select(
            balance_columns()
                .into_iter()
                .chain([ledger_rep(ctx.as_of).alias("__rep"), col(INVOICE_ROW)])
                .collect::<Vec<_>>(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::testing::{context, dataset, owned_texts, texts, CUSTOMERS, REPS};

    /// Invoice balances of October 2026 cut at `as_of`, the same whether
    /// payments name their invoice by invoice_id, by its row (the
    /// validated store's payment facts) or come summed in the store's
    /// invoice ledger.
    fn balances(invoices: &str, payments: &str, as_of: &str) -> DataFrame {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("invoices", invoices),
            ("payments", payments),
        ]);
        let (mut by_rows, mut by_ledger) = (data.clone(), data.clone());
        for (name, frame) in crate::kpi::stored_facts::all_facts_of(&data) {
            if name != "invoice_ledger" {
                by_rows.insert_fact(name, frame.clone());
            }
            by_ledger.insert_fact(name, frame);
        }
        let of = |data: &crate::ingest::Dataset| {
            let ctx = context(data, "2026-10", as_of);
            invoice_balances(&ctx)
                .expect("both tables present")
                .sort(["invoice_id"], SortMultipleOptions::default())
                .collect()
                .expect("plan runs")
        };
        let by_id = of(&data);
        let ctx = context(&by_rows, "2026-10", as_of);
        assert!(stored_payment_invoice_rows(&ctx).is_some());
        assert!(stored_invoice_ledger(&ctx).is_none());
        assert_eq!(of(&by_rows), by_id, "by invoice row");
        let ctx = context(&by_ledger, "2026-10", as_of);
        assert!(balances_carry_reps(&ctx));
        let from_ledger = of(&by_ledger);
        // Every invoice carries R1, its own rep.
        let reps = texts(&from_ledger, "__rep");
        assert!(reps.iter().all(|r| r.as_deref() == Some("R1")), "{reps:?}");
        let same: Vec<String> = by_id
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(from_ledger.select(same).unwrap(), by_id, "from the ledger");
        by_id
    }

    const INVOICES: &str = "invoice_id,customer_id,invoice_date,due_date,amount,order_id,rep_id\n\
             PAID,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             OPEN,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             PART,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             LATE,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             REFUND,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             PREPAID,C1,2026-10-05,2026-11-04,100.00,,R1\n\
             AFTER,C1,2026-11-01,2026-12-01,100.00,,R1\n\
             CREDIT,C1,2026-08-01,2026-08-31,-50.00,,R1\n";
    const PAYMENTS: &str = "payment_id,invoice_id,payment_date,amount\n\
             P1,PAID,2026-09-01,100.00\n\
             P2,PART,2026-09-01,40.00\n\
             P3,LATE,2026-10-10,100.00\n\
             P4,REFUND,2026-09-01,100.00\n\
             P5,REFUND,2026-10-20,-30.00\n\
             P6,PREPAID,2026-09-20,100.00\n\
             P7,AFTER,2026-09-20,100.00\n\
             P8,PART,2026-11-02,60.00\n";

    fn ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
        df.column(c).unwrap().i64().unwrap().iter().collect()
    }

    fn bools(df: &DataFrame, c: &str) -> Vec<Option<bool>> {
        df.column(c).unwrap().bool().unwrap().iter().collect()
    }

    #[test]
    fn keeps_only_invoices_that_can_matter_in_the_period() {
        let df = balances(INVOICES, PAYMENTS, "2026-10-31");
        // PAID: covered in September, nothing in October. AFTER: dated after
        // PE. CREDIT: nothing to cover.
        let want = ["LATE", "OPEN", "PART", "PREPAID", "REFUND"];
        assert_eq!(texts(&df, "invoice_id"), owned_texts(&want));
        // P8 is after PE, so PART has paid 40.00 of 100.00.
        assert_eq!(
            ints(&df, "__paid_pe"),
            [
                Some(10_000),
                Some(0),
                Some(4_000),
                Some(10_000),
                Some(7_000)
            ]
        );
        assert_eq!(
            ints(&df, "__paid_before"),
            [Some(0), Some(0), Some(4_000), Some(10_000), Some(10_000)]
        );
        assert_eq!(
            bools(&df, "__paid_in_period"),
            [
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                Some(true)
            ]
        );
    }

    #[test]
    fn payments_after_a_cut_pe_are_left_out() {
        // PE 15 October: REFUND's P5 (20 October) comes after it, so REFUND
        // is covered by September's payment and has none in the period.
        let df = balances(INVOICES, PAYMENTS, "2026-10-15");
        let want = ["LATE", "OPEN", "PART", "PREPAID"];
        assert_eq!(texts(&df, "invoice_id"), owned_texts(&want));
        assert_eq!(
            ints(&df, "__paid_pe"),
            [Some(10_000), Some(0), Some(4_000), Some(10_000)]
        );
        assert_eq!(
            bools(&df, "__paid_in_period"),
            [Some(true), Some(false), Some(false), Some(false)]
        );
    }
}
