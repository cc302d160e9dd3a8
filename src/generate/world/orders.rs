//! Orders: lines with quantities, discounts, cancellations and ship regions,
//! the invoices they raise, and returns booked for a later day. Order lines
//! are the largest table and carry most of the pricing rules.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;

use super::random::{lognormal, pick_w};
use super::staff::Role;
use super::{add_days, World};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

/// `round(q × p)` in cents, half away from zero, from 1/10000 units.
pub(super) fn line_cents(qty: i64, price: i64) -> i64 {
    let prod = i128::from(qty) * i128::from(price);
    let div = 1_000_000i128;
    let r = if prod >= 0 {
        (prod + div / 2) / div
    } else {
        -((-prod + div / 2) / div)
    };
    r as i64
}

/// A live order line: (product, quantity units, price units, written list
/// price, written unit cost).
type LiveLine = (usize, i64, i64, Option<i64>, Option<i64>);

/// A return booked for a later day.
pub(super) struct ReturnSpec {
    rep: usize,
    cust: usize,
    product: usize,
    qty: i64,
    price: i64,
    list: Option<i64>,
    cost: Option<i64>,
}

impl World {
    /// Discount in basis points for one line.
    fn discount_bp(&mut self, r: usize, ci: usize) -> i64 {
        let rep = &self.reps[r];
        let rng = &mut self.rng;
        let key_account = self.customers[ci].segment == Some("KA");
        let mut bp = match rep.role {
            Role::Director if rng.gen_bool(0.4) => rng.gen_range(10..=30) * 100,
            Role::Manager if rng.gen_bool(0.35) => rng.gen_range(5..=20) * 100,
            Role::Manager if rng.gen_bool(0.04) => rng.gen_range(21..=26) * 100,
            Role::Rep if rep.discounter && rng.gen_bool(0.4) => rng.gen_range(1200..=3500),
            _ => match rng.gen_range(0..100) {
                0..=59 => 0,
                60..=94 => rng.gen_range(2..=8) * 100,
                95..=97 => 1000,
                _ => rng.gen_range(1001..=1300),
            },
        };
        if key_account && bp > 0 {
            bp += 200;
        }
        bp
    }

    fn cancel_text(&mut self) -> &'static str {
        pick_w(
            &mut self.rng,
            &[("cancelled", 80), (" Cancelled ", 12), ("CANCELLED", 8)],
        )
    }

    pub(super) fn order(&mut self, out: &mut Out, r: usize, ci: usize, d: NaiveDate) -> Result<()> {
        self.seq_order += 1;
        let order_id = format!("SO{:08}", self.seq_order);
        let n_lines = pick_w(
            &mut self.rng,
            &[
                (1usize, 35),
                (2, 25),
                (3, 17),
                (4, 10),
                (5, 6),
                (6, 4),
                (7, 2),
                (8, 1),
            ],
        );
        let mut products: Vec<usize> = Vec::with_capacity(n_lines);
        for _ in 0..n_lines * 2 {
            if products.len() == n_lines {
                break;
            }
            let p = self
                .product_pick
                .pick(&mut self.rng)
                .expect("products exist");
            if !products.contains(&p) {
                products.push(p);
            }
        }
        let cancelled_order = self.rng.gen_bool(0.02);
        let recent = add_days(d, 14) > self.end;
        let cust_weight = self.customers[ci].weight;
        let cust_region = self.customers[ci].region;
        let mut total = 0i64;
        let mut live: Vec<LiveLine> = Vec::new();
        for (ln, &pi) in products.iter().enumerate() {
            let (list, cost) = self.products[pi].prices_at(d);
            let p = &self.products[pi];
            let (fractional, service) = (p.fractional, p.service);
            let rng = &mut self.rng;
            let mut qty = if service {
                1
            } else {
                lognormal(rng, 2.0 + 2.5 * cust_weight.min(10.0), 0.8)
                    .clamp(1.0, 5000.0)
                    .round() as i64
            };
            if list < 50_000 {
                qty *= 10;
            }
            let mut qty_units = qty * 10_000;
            if fractional && rng.gen_bool(0.6) {
                qty_units += if rng.gen_bool(0.2) {
                    rng.gen_range(1..10_000)
                } else {
                    rng.gen_range(1..40) * 250
                };
            }
            let bp = self.discount_bp(r, ci);
            let rng = &mut self.rng;
            let mut price = (list * (10_000 - bp) + 5_000) / 10_000;
            if bp > 0 && rng.gen_bool(0.65) {
                price = (price + 50) / 100 * 100;
            }
            let (list_w, cost_w) = match rng.gen_range(0..100) {
                0..=83 => (Some(list), Some(cost)),
                84..=89 => (None, Some(cost)),
                90..=93 => (Some(list), None),
                _ => (None, None),
            };
            let ship_region = match rng.gen_range(0..100) {
                0..=64 => None,
                65..=94 => Some(cust_region),
                _ => {
                    let other = rng.gen_range(0..self.regions.len() - 1);
                    Some(if other >= cust_region {
                        other + 1
                    } else {
                        other
                    })
                }
            };
            let status = if cancelled_order || self.rng.gen_bool(0.02) {
                Some(self.cancel_text())
            } else if recent && self.rng.gen_bool(0.5) {
                Some("open")
            } else {
                pick_w(
                    &mut self.rng,
                    &[(Some("shipped"), 70), (Some("completed"), 25), (None, 5)],
                )
            };
            let is_live = !matches!(status, Some(s) if s.trim().eq_ignore_ascii_case("cancelled"));
            if is_live {
                total += line_cents(qty_units, price);
                live.push((pi, qty_units, price, list_w, cost_w));
            }
            out.push(
                T::Orders,
                &[
                    V::t(&order_id),
                    V::Int(ln as i64 + 1),
                    V::Date(d),
                    V::t(&self.reps[r].id),
                    V::t(&self.customers[ci].id),
                    V::t(&self.products[pi].id),
                    V::Units(qty_units),
                    V::Units(price),
                    list_w.map_or(V::Null, V::Units),
                    cost_w.map_or(V::Null, V::Units),
                    V::opt_t(ship_region.map(|x| self.regions[x])),
                    V::opt_t(status),
                    // The generator writes the net unit price, not the line amount.
                    V::Null,
                ],
            )?;
        }
        if live.is_empty() {
            return Ok(());
        }
        self.customers[ci].ordered = true;
        let m = self.month_index(d);
        self.sales[r][m] += total;
        if let Some(plant) = &mut self.plant {
            plant.record(r, d, total);
        }
        // Invoices: mostly one per order, a few split in two.
        let inv_date = add_days(d, self.rng.gen_range(0..=3));
        if inv_date <= self.end {
            let rep = (!self.rng.gen_bool(0.15)).then_some(r);
            if total >= 200 && self.rng.gen_bool(0.05) {
                let first = total * self.rng.gen_range(30..=70) / 100;
                self.invoice(out, ci, inv_date, first, Some(&order_id), rep)?;
                let later = add_days(inv_date, self.rng.gen_range(7..=25));
                if later <= self.end {
                    self.invoice(out, ci, later, total - first, Some(&order_id), rep)?;
                }
            } else {
                self.invoice(out, ci, inv_date, total, Some(&order_id), rep)?;
            }
            if self.rng.gen_bool(0.01) {
                // Price-adjustment credit note.
                let credit = -(total * self.rng.gen_range(3..=10) / 100).max(1);
                let date = add_days(inv_date, self.rng.gen_range(10..=60));
                if date <= self.end {
                    self.invoice(out, ci, date, credit, Some(&order_id), rep)?;
                }
            }
        }
        // Some goods come back later.
        if self.rng.gen_bool(0.035) {
            let rd = add_days(d, self.rng.gen_range(5..=45));
            if rd <= self.end {
                let &(pi, qty, price, list, cost) = live.choose(&mut self.rng).expect("non-empty");
                let back = if qty % 10_000 == 0 {
                    self.rng.gen_range(1..=qty / 10_000) * 10_000
                } else {
                    qty
                };
                self.returns.entry(rd).or_default().push(ReturnSpec {
                    rep: r,
                    cust: ci,
                    product: pi,
                    qty: back,
                    price,
                    list,
                    cost,
                });
            }
        }
        Ok(())
    }

    pub(super) fn return_order(
        &mut self,
        out: &mut Out,
        d: NaiveDate,
        s: ReturnSpec,
    ) -> Result<()> {
        self.seq_order += 1;
        let order_id = format!("SO{:08}", self.seq_order);
        let status = pick_w(&mut self.rng, &[(Some("returned"), 80), (None, 20)]);
        out.push(
            T::Orders,
            &[
                V::t(&order_id),
                V::Int(1),
                V::Date(d),
                V::t(&self.reps[s.rep].id),
                V::t(&self.customers[s.cust].id),
                V::t(&self.products[s.product].id),
                V::Units(-s.qty),
                V::Units(s.price),
                s.list.map_or(V::Null, V::Units),
                s.cost.map_or(V::Null, V::Units),
                V::Null,
                V::opt_t(status),
                V::Null,
            ],
        )?;
        let amount = line_cents(-s.qty, s.price);
        let m = self.month_index(d);
        self.sales[s.rep][m] += amount;
        if let Some(plant) = &mut self.plant {
            plant.record(s.rep, d, amount);
        }
        let date = add_days(d, self.rng.gen_range(0..=2));
        if date <= self.end && amount < 0 {
            let rep = (!self.rng.gen_bool(0.15)).then_some(s.rep);
            self.invoice(out, s.cust, date, amount, Some(&order_id), rep)?;
        }
        Ok(())
    }
}
