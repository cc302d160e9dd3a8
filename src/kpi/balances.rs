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
//! - or with a payment dated in `[start, PE]` (`__last_paid ≥ start`): it
//!   may settle in the period, or a refund may reopen it;
//! - or dated in `[start, PE]`: it may settle in the period (a payment
//!   made before the invoice date settles it on its invoice date).
//!
//! An invoice left out is covered on every day of the period (its payments
//! before `start` reach its amount and none follows up to PE), was not
//! dated in it and has no payment in it: it is neither outstanding at PE,
//! nor settled in the period, nor unpaid on any day of it.

use polars::prelude::*;

use super::context::KpiContext;
use super::stored_facts::{stored_payment_invoice_rows, INVOICE_ROW};

/// Per invoice dated ≤ PE that can matter in the period (see the module
/// doc), memoized per period: `invoice_id`, `customer_id`, `invoice_date`,
/// `due_date`, `amount` (Int64 cents) and, over its payments dated ≤ PE, `__paid_pe` (Σ amount, cents),
/// `__paid_before` (Σ amount of those dated before `start`, cents) and
/// `__last_paid` (the latest payment_date, Date); the three are null for an
/// invoice without such a payment. Refunds (negative amounts) count in the
/// sums. Every invoice of the table, attributed to a rep or not.
///
/// `None` when the invoices or the payments table is absent (the caller
/// warns, as it knows what the tables feed).
pub(crate) fn invoice_balances(ctx: &KpiContext) -> Option<LazyFrame> {
    let invoices = ctx.data.lazy("invoices")?;
    let payments = ctx.data.lazy("payments")?;
    let start = lit(ctx.period.start);
    let pe = lit(ctx.pe);
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
    Some(ctx.memo_streaming("invoice_balances", || {
        // Plain sums only: a filter inside the aggregation would take
        // polars' per-group path, several times slower over every invoice.
        let paid = payments
            .filter(col("payment_date").lt_eq(pe.clone()))
            .select([
                col(key),
                col("payment_date"),
                col("amount"),
                when(col("payment_date").lt(start.clone()))
                    .then(col("amount"))
                    .otherwise(lit(0i64))
                    .alias("__before"),
            ])
            .group_by([col(key)])
            .agg([
                col("amount").sum().alias("__paid_pe"),
                col("__before").sum().alias("__paid_before"),
                col("payment_date").max().alias("__last_paid"),
            ]);
        // The columns its readers use: order_id and the invoice's own
        // rep_id are not among them (receivables attribute the rep).
        let columns = [
            col("invoice_id"),
            col("customer_id"),
            col("invoice_date"),
            col("due_date"),
            col("amount"),
        ];
        let mut keyed = columns.to_vec();
        if key != "invoice_id" {
            keyed.push(col(key));
        }
        invoices
            .filter(col("invoice_date").lt_eq(pe))
            .select(keyed)
            .join(paid, [col(key)], [col(key)], JoinArgs::new(JoinType::Left))
            .filter(
                (col("amount") - col("__paid_before").fill_null(lit(0i64)))
                    .gt(lit(0i64))
                    .or(col("__last_paid")
                        .gt_eq(start.clone())
                        .fill_null(lit(false)))
                    .or(col("invoice_date").gt_eq(start)),
            )
            .select(
                columns
                    .into_iter()
                    .chain([col("__paid_pe"), col("__paid_before"), col("__last_paid")])
                    .collect::<Vec<_>>(),
            )
    }))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::kpi::testing::{context, dataset, day, owned_texts, texts, CUSTOMERS, REPS};

    /// Invoice balances of October 2026 (PE = as_of = 31 Oct), the same
    /// whether payments name their invoice by invoice_id or, as with the
    /// validated store's facts, by its row.
    fn balances(invoices: &str, payments: &str) -> DataFrame {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("invoices", invoices),
            ("payments", payments),
        ]);
        let mut stored = data.clone();
        for (name, frame) in crate::kpi::stored_facts::all_facts_of(&data) {
            stored.insert_fact(name, frame);
        }
        let of = |data: &crate::ingest::Dataset| {
            let ctx = context(data, "2026-10", "2026-10-31");
            invoice_balances(&ctx)
                .expect("both tables present")
                .sort(["invoice_id"], SortMultipleOptions::default())
                .collect()
                .expect("plan runs")
        };
        let by_id = of(&data);
        let ctx = context(&stored, "2026-10", "2026-10-31");
        assert!(stored_payment_invoice_rows(&ctx).is_some());
        assert_eq!(of(&stored), by_id);
        by_id
    }

    #[test]
    fn keeps_only_invoices_that_can_matter_in_the_period() {
        let df = balances(
            "invoice_id,customer_id,invoice_date,due_date,amount,order_id,rep_id\n\
             PAID,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             OPEN,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             PART,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             LATE,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             REFUND,C1,2026-08-01,2026-08-31,100.00,,R1\n\
             PREPAID,C1,2026-10-05,2026-11-04,100.00,,R1\n\
             AFTER,C1,2026-11-01,2026-12-01,100.00,,R1\n\
             CREDIT,C1,2026-08-01,2026-08-31,-50.00,,R1\n",
            "payment_id,invoice_id,payment_date,amount\n\
             P1,PAID,2026-09-01,100.00\n\
             P2,PART,2026-09-01,40.00\n\
             P3,LATE,2026-10-10,100.00\n\
             P4,REFUND,2026-09-01,100.00\n\
             P5,REFUND,2026-10-20,-30.00\n\
             P6,PREPAID,2026-09-20,100.00\n\
             P7,AFTER,2026-09-20,100.00\n\
             P8,PART,2026-11-02,60.00\n",
        );
        let ids: Vec<Option<String>> = texts(&df, "invoice_id");
        // PAID: covered in September, nothing in October. AFTER: dated after
        // PE. CREDIT: nothing to cover.
        let want = ["LATE", "OPEN", "PART", "PREPAID", "REFUND"];
        assert_eq!(ids, owned_texts(&want));
        let int =
            |c: &str| -> Vec<Option<i64>> { df.column(c).unwrap().i64().unwrap().iter().collect() };
        // P8 is after PE, so PART has paid 40.00 of 100.00.
        assert_eq!(
            int("__paid_pe"),
            [Some(10_000), None, Some(4_000), Some(10_000), Some(7_000)]
        );
        assert_eq!(
            int("__paid_before"),
            [Some(0), None, Some(4_000), Some(10_000), Some(10_000)]
        );
        let last: Vec<Option<NaiveDate>> = df
            .column("__last_paid")
            .unwrap()
            .date()
            .unwrap()
            .as_date_iter()
            .collect();
        assert_eq!(
            last,
            [
                Some(day("2026-10-10")),
                None,
                Some(day("2026-09-01")),
                Some(day("2026-09-20")),
                Some(day("2026-10-20"))
            ]
        );
    }
}
