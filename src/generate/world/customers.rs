//! Customers: names, owners, segments, payment habits and churn, and the
//! `customers` table (written after the walk, which reassigns owners).

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::random::{pick_w, Weighted};
use super::staff::Role;
use super::{add_days, World};
use crate::generate::names::{
    CITIES, EN_INDUSTRIES, EN_TRADE_NAMES, INDUSTRIES, SUFFIXES, TRADE_NAMES,
};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pay {
    Prompt,
    Normal,
    Late,
    Installments,
}

pub(super) struct Customer {
    pub(super) id: String,
    name: String,
    pub(super) region: usize,
    pub(super) owner: usize,
    owner_written: bool,
    pub(super) segment: Option<&'static str>,
    created: Option<NaiveDate>,
    pub(super) available: NaiveDate,
    pub(super) churn: Option<NaiveDate>,
    pub(super) weight: f64,
    pub(super) pay: Pay,
    pub(super) terms: i64,
    pub(super) prospect: bool,
    pub(super) ordered: bool,
}

impl World {
    fn customer_name(rng: &mut ChaCha8Rng, region: usize, i: usize) -> String {
        let cities = CITIES[region];
        let (city_cn, city_en) = *cities.choose(rng).expect("non-empty");
        let base = if rng.gen_bool(0.8) {
            format!(
                "{}{}{}{}",
                city_cn,
                TRADE_NAMES.choose(rng).expect("non-empty"),
                INDUSTRIES.choose(rng).expect("non-empty"),
                SUFFIXES.choose(rng).expect("non-empty")
            )
        } else {
            format!(
                "{} {} {} Co., Ltd.",
                city_en,
                EN_TRADE_NAMES.choose(rng).expect("non-empty"),
                EN_INDUSTRIES.choose(rng).expect("non-empty")
            )
        };
        // Real exports: quotes and line breaks inside names.
        if i % 41 == 7 {
            format!("{base} \"{}\"", ["总部", "Head Office", "旗舰店"][i % 3])
        } else if i % 97 == 5 {
            format!("{base}\n(Warehouse {})", i % 9 + 1)
        } else {
            base
        }
    }

    pub(super) fn make_customers(&mut self, rng: &mut ChaCha8Rng, n: usize) {
        let span = self.span_days();
        let start = self.start;
        let old_pick = Weighted::new(self.reps.iter().map(|r| {
            if r.hired_in_window || !r.active(start) {
                0.0
            } else {
                match r.role {
                    Role::Director => 0.5,
                    Role::Manager => 0.5,
                    Role::Rep if r.legacy => 2.0,
                    Role::Rep => 1.0,
                }
            }
        }));
        // The hunters' weights depend only on the creation day, so each
        // day's table is built once: one per customer was quadratic in the
        // scale (an hour at scale 1,700).
        let mut hunters_on: Vec<Option<Weighted>> = Vec::new();
        hunters_on.resize_with(span.max(1) as usize, || None);
        for i in 0..n {
            let kind = pick_w(rng, &[(0u8, 60), (1, 30), (2, 10)]);
            let (owner, created, available) = if kind == 0 {
                let owner = old_pick.pick(rng).expect("some rep is active at start");
                let created =
                    (!rng.gen_bool(0.12)).then(|| add_days(start, -rng.gen_range(30..2900)));
                (owner, created, start)
            } else {
                let offset = rng.gen_range(0..(span - 3).max(1));
                let c = add_days(start, offset);
                let pick = hunters_on[offset as usize].get_or_insert_with(|| {
                    Weighted::new(self.reps.iter().map(|r| {
                        let stays = r.leave.is_none_or(|l| l > add_days(c, 20));
                        if r.active(c) && stays {
                            r.hunter
                        } else {
                            0.0
                        }
                    }))
                });
                let owner = pick.pick(rng).unwrap_or(self.reps.len() - 1);
                (owner, Some(c), c)
            };
            let region = if rng.gen_bool(0.04) {
                rng.gen_range(0..self.regions.len())
            } else {
                self.reps[owner].region
            };
            let u: f64 = rng.gen();
            let weight = (1.0 - u).powf(-1.0 / 1.6).min(25.0);
            let segment = if rng.gen_bool(0.06) {
                None
            } else if weight > 4.0 {
                Some("KA")
            } else {
                Some(
                    *["SMB", "SMB", "Distributor", "Retail", "Government"]
                        .choose(rng)
                        .expect("non-empty"),
                )
            };
            let mut pay = pick_w(
                rng,
                &[
                    (Pay::Prompt, 55),
                    (Pay::Normal, 25),
                    (Pay::Late, 12),
                    (Pay::Installments, 8),
                ],
            );
            if segment == Some("Government") && rng.gen_bool(0.4) {
                pay = Pay::Late;
            }
            let terms = if rng.gen_bool(if weight > 4.0 { 0.6 } else { 0.3 }) {
                60
            } else {
                30
            };
            let churn = match kind {
                0 if rng.gen_bool(0.14) => Some(add_days(start, rng.gen_range(60..span.max(61)))),
                1 if rng.gen_bool(0.08) => Some(add_days(available, rng.gen_range(90..400))),
                _ => None,
            }
            .filter(|&d| d < self.end);
            let name = Self::customer_name(rng, region, i);
            self.customers.push(Customer {
                id: format!("C{:06}", i + 1),
                name,
                region,
                owner,
                owner_written: !rng.gen_bool(0.02),
                segment,
                created,
                available,
                churn,
                weight,
                pay,
                terms,
                prospect: kind == 2,
                ordered: false,
            });
        }
    }

    pub(super) fn write_customers(&self, out: &mut Out) -> Result<()> {
        for c in &self.customers {
            out.push(
                T::Customers,
                &[
                    V::t(&c.id),
                    V::t(&c.name),
                    V::t(self.regions[c.region]),
                    V::opt_t(c.owner_written.then(|| self.reps[c.owner].id.clone())),
                    V::opt_t(c.segment),
                    V::opt_date(c.created),
                ],
            )?;
        }
        Ok(())
    }
}
