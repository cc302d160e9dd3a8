//! Receivables: invoices (from orders, returns, credit notes and service fees)
//! and the payments each customer's habit makes on them.

use chrono::NaiveDate;
use rand::Rng;

use super::customers::Pay;
use super::{add_days, World};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

impl World {
    /// Writes an invoice and the payments made on it up to the end date.
    pub(super) fn invoice(
        &mut self,
        out: &mut Out,
        ci: usize,
        date: NaiveDate,
        amount: i64,
        order_id: Option<&str>,
        rep: Option<usize>,
    ) -> Result<()> {
        self.seq_invoice += 1;
        let invoice_id = format!("INV{:08}", self.seq_invoice);
        let c = &self.customers[ci];
        let due = add_days(date, c.terms);
        out.push(
            T::Invoices,
            &[
                V::t(&invoice_id),
                V::t(&c.id),
                V::Date(date),
                V::Date(due),
                V::Cents(amount),
                V::opt_t(order_id),
                V::opt_t(rep.map(|r| self.reps[r].id.clone())),
            ],
        )?;
        let plan = self.payment_plan(ci, date, due, amount);
        for (pd, pa) in plan {
            if pd > self.end {
                break;
            }
            self.seq_payment += 1;
            out.push(
                T::Payments,
                &[
                    V::t(format!("PM{:08}", self.seq_payment)),
                    V::t(&invoice_id),
                    V::Date(pd),
                    V::Cents(pa),
                ],
            )?;
        }
        Ok(())
    }

    /// Payments (date, cents) on one invoice, in date order.
    fn payment_plan(
        &mut self,
        ci: usize,
        date: NaiveDate,
        due: NaiveDate,
        amount: i64,
    ) -> Vec<(NaiveDate, i64)> {
        let rng = &mut self.rng;
        let c = &self.customers[ci];
        let mut plan = Vec::new();
        if amount <= 0 {
            // Credit note: refunded in cash about half the time.
            if amount < 0 && rng.gen_bool(0.5) {
                plan.push((add_days(date, rng.gen_range(5..=30)), amount));
            }
            return plan;
        }
        match c.pay {
            Pay::Prompt => {
                if rng.gen_bool(0.93) {
                    plan.push((add_days(date, rng.gen_range(2..=c.terms)), amount));
                } else {
                    plan.push((add_days(due, rng.gen_range(1..=20)), amount));
                }
            }
            Pay::Normal => plan.push((add_days(due, rng.gen_range(-5..=30)), amount)),
            Pay::Late => {
                let x: f64 = rng.gen();
                if x < 0.12 {
                    // Never pays.
                } else if x < 0.35 {
                    let half = amount / 2;
                    plan.push((add_days(due, rng.gen_range(15..=60)), half));
                    plan.push((add_days(due, rng.gen_range(61..=180)), amount - half));
                } else {
                    plan.push((add_days(due, rng.gen_range(30..=170)), amount));
                }
            }
            Pay::Installments => {
                let k = rng.gen_range(2..=3i64);
                let part = amount / k;
                let mut pd = add_days(due, -10);
                for j in 0..k {
                    pd = add_days(pd, rng.gen_range(if j == 0 { 0..=5 } else { 20..=40 }));
                    let a = if j == k - 1 {
                        amount - part * (k - 1)
                    } else {
                        part
                    };
                    plan.push((pd, a));
                }
                if rng.gen_bool(0.2) {
                    plan.pop();
                }
            }
        }
        if let Some(last) = plan.last_mut() {
            if rng.gen_bool(0.015) {
                // Overpayment, sometimes refunded.
                let extra = rng.gen_range(100..50_000);
                last.1 += extra;
                let refund_date = add_days(last.0, rng.gen_range(7..=45));
                if rng.gen_bool(0.6) {
                    plan.push((refund_date, -extra));
                }
            }
        }
        plan
    }
}
