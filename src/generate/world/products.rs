//! Products: the catalogue with list prices, costs and mid-window price
//! changes, the popularity weights orders draw from, and the `products` table.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::random::Weighted;
use super::{add_days, World};
use crate::generate::names::CATEGORIES;
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

pub(super) struct Product {
    pub(super) id: String,
    name: String,
    category: Option<&'static str>,
    pub(super) list: i64,
    cost: i64,
    /// Before this date the product had the older (lower) price pair.
    old: Option<(NaiveDate, i64, i64)>,
    pub(super) fractional: bool,
    pub(super) service: bool,
}

impl Product {
    pub(super) fn prices_at(&self, d: NaiveDate) -> (i64, i64) {
        match self.old {
            Some((until, list, cost)) if d < until => (list, cost),
            _ => (self.list, self.cost),
        }
    }
}

impl World {
    pub(super) fn make_products(&mut self, rng: &mut ChaCha8Rng, n: usize) {
        let span = self.span_days();
        let n_cat = CATEGORIES.len();
        let mut weights = Vec::with_capacity(n);
        for i in 0..n {
            let cat = i % n_cat;
            let (category, items, lo, hi, fractional) = CATEGORIES[cat];
            let k = i / n_cat;
            let item = if k < items.len() {
                items[k]
            } else {
                items.choose(rng).expect("non-empty")
            };
            let name = if k < items.len() {
                item.to_string()
            } else {
                format!("{item} 型号{:02}", k)
            };
            let yuan = (lo.ln() + rng.gen::<f64>() * (hi.ln() - lo.ln())).exp();
            let raw = (yuan * 10_000.0).round() as i64;
            let list = match rng.gen_range(0..100) {
                // 4 decimals (cheap consumables priced per piece).
                x if x < 15 || (hi < 100.0 && x < 40) => raw.max(1),
                x if x < 40 => (raw / 10_000).max(1) * 10_000,
                _ => (raw / 100).max(1) * 100,
            };
            let cost_raw = (list as f64 * rng.gen_range(0.45..0.78)).round() as i64;
            let cost = if rng.gen_bool(0.5) {
                (cost_raw / 100).max(1) * 100
            } else {
                cost_raw.max(1)
            };
            let old = rng.gen_bool(0.3).then(|| {
                let f = rng.gen_range(0.92..0.97);
                (
                    add_days(self.start, rng.gen_range(60..(span - 30).max(61))),
                    ((list as f64 * f) / 100.0).round() as i64 * 100,
                    (cost as f64 * f).round() as i64,
                )
            });
            weights.push(1.0 / ((rng.gen_range(1..=n) as f64).powf(0.8)));
            self.products.push(Product {
                id: format!("{:04}", i + 1),
                name,
                category: (!rng.gen_bool(0.03)).then_some(category),
                list,
                cost,
                old,
                fractional,
                service: category == "服务",
            });
        }
        self.product_pick = Weighted::new(weights);
    }

    pub(super) fn write_products(&self, out: &mut Out) -> Result<()> {
        for p in &self.products {
            out.push(
                T::Products,
                &[
                    V::t(&p.id),
                    V::t(&p.name),
                    V::opt_t(p.category),
                    V::Units(p.list),
                    V::Units(p.cost),
                ],
            )?;
        }
        Ok(())
    }
}
