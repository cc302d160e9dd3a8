//! Expenses: each rep's claims for a month, written at month end (travel
//! follows the month's on-site visits).

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;

use super::random::{pick_w, poisson};
use super::World;
use crate::generate::sink::V;
use crate::generate::{month_start, Out, T};
use crate::Result;

impl World {
    pub(super) fn month_expenses(&mut self, out: &mut Out, d: NaiveDate) -> Result<()> {
        let first = month_start(d);
        for r in 0..self.reps.len() {
            let rep = &self.reps[r];
            let days: Vec<NaiveDate> = first
                .iter_days()
                .take_while(|x| *x <= d)
                .filter(|x| rep.active(*x) && self.holidays.is_workday(*x))
                .collect();
            let onsite = std::mem::take(&mut self.onsite[r]);
            if days.is_empty() {
                continue;
            }
            let spend = rep.spend;
            let rng = &mut self.rng;
            let n = poisson(rng, 1.5 + f64::from(onsite) / 12.0).min(40);
            let mut items: Vec<(NaiveDate, Option<&'static str>, i64)> = (0..n)
                .map(|_| {
                    let date = *days.choose(rng).expect("non-empty");
                    let category = pick_w(
                        rng,
                        &[
                            (Some("travel"), 40),
                            (Some("meals"), 25),
                            (Some("entertainment"), 15),
                            (Some("lodging"), 10),
                            (Some("samples"), 5),
                            (Some("training"), 3),
                            (None, 2),
                        ],
                    );
                    let (lo, hi, scaled) = match category {
                        Some("travel") => (20, 800, false),
                        Some("meals") => (30, 600, true),
                        Some("entertainment") => (300, 5_000, true),
                        Some("lodging") => (200, 900, false),
                        Some("samples") => (100, 3_000, false),
                        Some("training") => (500, 5_000, false),
                        _ => (50, 1_000, false),
                    };
                    let mut cents = rng.gen_range(lo * 100..hi * 100);
                    if scaled {
                        cents = (cents as f64 * spend).round() as i64;
                    }
                    if rng.gen_bool(0.01) {
                        cents = -cents; // reversal
                    }
                    (date, category, cents)
                })
                .collect();
            items.sort_by_key(|x| x.0);
            for (date, category, cents) in items {
                self.seq_expense += 1;
                out.push(
                    T::Expenses,
                    &[
                        V::t(format!("EX{:07}", self.seq_expense)),
                        V::t(&self.reps[r].id),
                        V::Date(date),
                        V::opt_t(category),
                        V::Cents(cents),
                    ],
                )?;
            }
        }
        Ok(())
    }
}
