//! Monthly targets per rep, set after the walk from the sales it produced
//! (role averages, ramp-up of new hires, seasonality).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::Rng;

use super::random::{stream, SEASON_ORDERS, STREAM_TARGETS};
use super::staff::Role;
use super::{month_end, World, MONTHS};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

impl World {
    pub(super) fn write_targets(&self, seed: u64, out: &mut Out) -> Result<()> {
        let rng = &mut stream(seed, STREAM_TARGETS);
        let n_months = MONTHS as usize;
        let months: Vec<NaiveDate> = (0..n_months)
            .map(|m| {
                self.start
                    .checked_add_months(chrono::Months::new(m as u32))
                    .expect("month exists")
            })
            .collect();
        // Average monthly sales of each role, for reps without history.
        let mut role_avg = BTreeMap::new();
        for role in [Role::Rep, Role::Manager, Role::Director] {
            let (sum, cnt) = self
                .reps
                .iter()
                .enumerate()
                .filter(|(_, r)| r.role == role)
                .flat_map(|(i, _)| self.sales[i].iter())
                .filter(|&&s| s > 0)
                .fold((0i64, 0i64), |(s, c), &x| (s + x, c + 1));
            role_avg.insert(role.text(), if cnt > 0 { sum / cnt } else { 0 });
        }
        for (i, r) in self.reps.iter().enumerate() {
            let employed: Vec<usize> = (0..n_months)
                .filter(|&m| {
                    let (a, b) = (months[m], month_end(months[m]));
                    r.hire.is_none_or(|h| h <= b) && r.leave.is_none_or(|l| l >= a)
                })
                .collect();
            let full: Vec<i64> = employed
                .iter()
                .filter(|&&m| {
                    r.hire.is_none_or(|h| h <= months[m])
                        && r.leave.is_none_or(|l| l >= month_end(months[m]))
                })
                .map(|&m| self.sales[i][m])
                .collect();
            let avg = if full.iter().any(|&s| s > 0) {
                full.iter().sum::<i64>() / full.len() as i64
            } else {
                role_avg[r.role.text()]
            };
            for &m in &employed {
                let first = months[m];
                let ramp = match r.hire {
                    Some(h) if r.hired_in_window => {
                        let k = self.month_index(first) as i64 - self.month_index(h) as i64;
                        [0.3, 0.6, 0.85]
                            .get(k.max(0) as usize)
                            .copied()
                            .unwrap_or(1.0)
                    }
                    _ => 1.0,
                };
                let season = SEASON_ORDERS[first.month0() as usize];
                let raw = avg as f64 * r.target_factor * season * ramp;
                let sales = ((raw / 100_000.0).round() as i64) * 100_000;
                let sales_target = (sales > 0 && !rng.gen_bool(0.03)).then_some(sales);
                let collection = sales_target
                    .filter(|_| !rng.gen_bool(0.06))
                    .map(|s| ((s as f64 * 0.92 / 100_000.0).round() as i64) * 100_000);
                let workdays = first
                    .iter_days()
                    .take_while(|d| *d <= month_end(first))
                    .filter(|d| self.holidays.is_workday(*d) && r.active(*d))
                    .count() as i64;
                let visit_target = match r.role {
                    Role::Rep => Some(workdays * if r.visit_rate > 5.0 { 6 } else { 4 }),
                    Role::Manager => Some(workdays * 2),
                    Role::Director => None,
                };
                let new_customers = match r.role {
                    Role::Director => None,
                    Role::Manager => Some(1),
                    Role::Rep if r.legacy => Some(1),
                    Role::Rep if r.hunter > 1.5 => Some(3),
                    Role::Rep => Some(2),
                }
                .filter(|_| !rng.gen_bool(0.15));
                out.push(
                    T::Targets,
                    &[
                        V::t(format!("{:04}-{:02}", first.year(), first.month())),
                        V::t(&r.id),
                        sales_target.map_or(V::Null, V::Cents),
                        collection.map_or(V::Null, V::Cents),
                        visit_target.map_or(V::Null, V::Int),
                        new_customers.map_or(V::Null, V::Int),
                    ],
                )?;
            }
        }
        Ok(())
    }
}
