//! `generate --plant-anomalies`: known cases of each integrity flag (SPEC
//! section 9), added after the normal data so that the tests and the demo
//! show every rule firing. Without the option nothing here runs and the
//! files are exactly those of the same seed without it; with it, the
//! planted rows follow the normal rows of each file, so each normal file is
//! a prefix of its planted twin (CSV).
//!
//! Every planted id carries `PLANT` and the rule's tag, so a reader sees at
//! once what was planted and why (`sample_data/README.md` lists them):
//!
//! | rule | case |
//! |---|---|
//! | `duplicate_visit_time` | `V-PLANT-DUP-1`, `-2`: one rep at two customers at 09:00 |
//! | `overlapping_visits` | `V-PLANT-OVL-1` 10:00 for 60 minutes, `-2` at 10:30 |
//! | `too_many_visits_per_day` | `V-PLANT-MANY-01` … `-16`: 16 visits of 20 minutes in one day |
//! | `period_end_stuffing` | `SO-PLANT-STUFF` on the month's last workday, large enough that the rep's last 2 workdays hold ≥ 40 % of his month; `SO-PLANT-STUFF-R` takes ≥ 30 % of his end sales back on the 2nd workday after |
//! | `orders_while_overdue` | `SO-PLANT-OVERDUE` for a customer whose `INV-PLANT-OVERDUE` fell due 120 days before the month and was never paid |
//! | `stale_opportunity` | `OPP-PLANT-STALE`, in negotiation, expected to close 40 days before the month |
//! | `discount_violation` | `SO-PLANT-DISC` line 1 at half the list price |
//! | `cross_region_line` | `SO-PLANT-XREG` line 1 shipped to another region |
//!
//! The cases fall in the *plant month*: the latest month whose 5 workdays
//! after its end lie within the history, so stuffing can be judged. Each
//! case goes to a plain rep active through the month and its return window
//! (spread over the staff; a small company's few reps serve more than one
//! case) and to its own new customer `C-PLANT-<n>` in that rep's region,
//! without invoices, so no case raises another rule's flag. The planted
//! visits fall on a day off, when the simulation logs none. The amounts
//! are sized against the SPEC's default thresholds.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::orders::line_cents;
use super::staff::Role;
use super::{add_days, month_end, World};
use crate::generate::sink::V;
use crate::generate::{month_start, Out, T};
use crate::period::{last_workdays_from, nth_workday_after};
use crate::Result;

/// Workdays after the month in which returns are looked for (SPEC default).
const RETURN_WORKDAYS: i64 = 5;
/// Workdays at the month's end that count as its end (SPEC default).
const STUFFING_WORKDAYS: i64 = 2;

/// The plant month and the windows of `period_end_stuffing` on the
/// generator's calendar, with each rep's sales in them as the simulation
/// wrote them (cents; live lines only).
pub(super) struct PlantWindow {
    /// First day of the plant month.
    start: NaiveDate,
    /// Last day of the plant month.
    end: NaiveDate,
    /// First day of the month's last [`STUFFING_WORKDAYS`] workdays.
    end_from: NaiveDate,
    /// The [`RETURN_WORKDAYS`]-th workday after the month.
    returns_to: NaiveDate,
    /// Per rep: net sales in the month.
    period_sales: Vec<i64>,
    /// Per rep: net sales in `[end_from, end]`.
    end_sales: Vec<i64>,
    /// Per rep: returned amount (positive) in `(end, returns_to]`.
    returned: Vec<i64>,
}

impl PlantWindow {
    /// Records a live line amount of rep `r` dated `d` (negative for a
    /// return).
    pub(super) fn record(&mut self, r: usize, d: NaiveDate, cents: i64) {
        if (self.start..=self.end).contains(&d) {
            self.period_sales[r] += cents;
        }
        if (self.end_from..=self.end).contains(&d) {
            self.end_sales[r] += cents;
        }
        if d > self.end && d <= self.returns_to && cents < 0 {
            self.returned[r] -= cents;
        }
    }
}

impl World {
    /// The plant month's window: the latest month whose return window ends
    /// by the last day of history; `None` when no month fits.
    pub(super) fn plant_window(&self) -> Option<PlantWindow> {
        let mut month = month_start(self.end);
        while month >= self.start {
            let end = month_end(month);
            let returns_to = self.workdays_after(end, RETURN_WORKDAYS);
            if returns_to <= self.end {
                let end_from = self.last_workdays(month, end, STUFFING_WORKDAYS);
                let n = self.reps.len();
                return Some(PlantWindow {
                    start: month,
                    end,
                    end_from,
                    returns_to,
                    period_sales: vec![0; n],
                    end_sales: vec![0; n],
                    returned: vec![0; n],
                });
            }
            month = month.checked_sub_months(chrono::Months::new(1))?;
        }
        None
    }

    /// The `n`-th workday after `d` on the generator's calendar (the same
    /// walk the KPIs use, `period::nth_workday_after`).
    fn workdays_after(&self, d: NaiveDate, n: i64) -> NaiveDate {
        nth_workday_after(|x| self.holidays.is_workday(x), d, n)
    }

    /// The first day of the last `n` workdays of `[from, to]` on the
    /// generator's calendar (`period::last_workdays_from`).
    fn last_workdays(&self, from: NaiveDate, to: NaiveDate, n: i64) -> NaiveDate {
        last_workdays_from(|x| self.holidays.is_workday(x), from, to, n)
    }

    /// The `n`-th workday from the start of `w`'s month (1-based).
    fn workday_of_month(&self, w: &PlantWindow, n: i64) -> NaiveDate {
        self.workdays_after(w.start.pred_opt().expect("date in range"), n)
    }

    /// Reps for the planted cases: plain reps active through the window,
    /// spread evenly over the staff; with fewer than `k`, some serve twice.
    fn planted_reps(&self, w: &PlantWindow, k: usize) -> Vec<usize> {
        let mut eligible: Vec<usize> = (0..self.reps.len())
            .filter(|&r| {
                let rep = &self.reps[r];
                rep.active(w.start) && rep.active(w.returns_to)
            })
            .collect();
        let plain: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|&r| self.reps[r].role == Role::Rep)
            .collect();
        if !plain.is_empty() {
            eligible = plain;
        }
        if eligible.is_empty() {
            eligible = (0..self.reps.len()).collect();
        }
        let step = (eligible.len() / k).max(1);
        (0..k)
            .map(|i| eligible[(i * step) % eligible.len()])
            .collect()
    }

    /// Writes the planted cases after the normal rows.
    pub(super) fn plant_anomalies(&mut self, out: &mut Out) -> Result<()> {
        let Some(w) = self.plant.take() else {
            return Ok(());
        };
        let reps = self.planted_reps(&w, 8);
        let customers: Vec<String> = (1..=reps.len()).map(|i| format!("C-PLANT-{i}")).collect();
        for (i, &r) in reps.iter().enumerate() {
            let rep = &self.reps[r];
            out.push(
                T::Customers,
                &[
                    V::t(&customers[i]),
                    V::t(format!("Planted case {} customer", i + 1)),
                    V::t(self.regions[rep.region]),
                    V::t(&rep.id),
                    V::Null,
                    V::Date(add_days(w.start, -400)),
                ],
            )?;
        }
        // Visits on a day off of the plant month, when the simulation logs
        // none, so the planted visits meet no normal visit.
        let day_off = w
            .start
            .iter_days()
            .take_while(|d| *d <= w.end)
            .find(|d| !self.holidays.is_workday(*d))
            .unwrap_or(w.start);
        let visit = |id: String, r: usize, c: &str, minute: u32, duration: Option<i64>| {
            let at = NaiveDateTime::new(
                day_off,
                NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).expect("valid time"),
            );
            vec![
                V::t(id),
                V::t(&self.reps[r].id),
                V::t(c),
                V::Dt(at),
                duration.map_or(V::Null, V::Int),
                V::t("onsite"),
                V::Null,
            ]
        };
        let mut rows = vec![
            visit("V-PLANT-DUP-1".into(), reps[0], &customers[0], 540, None),
            visit("V-PLANT-DUP-2".into(), reps[0], &customers[1], 540, None),
            visit(
                "V-PLANT-OVL-1".into(),
                reps[1],
                &customers[1],
                600,
                Some(60),
            ),
            visit(
                "V-PLANT-OVL-2".into(),
                reps[1],
                &customers[1],
                630,
                Some(30),
            ),
        ];
        for i in 0..16u32 {
            rows.push(visit(
                format!("V-PLANT-MANY-{:02}", i + 1),
                reps[2],
                &customers[2],
                480 + 25 * i,
                Some(20),
            ));
        }
        for row in rows {
            out.push(T::Visits, &row)?;
        }
        self.plant_orders(out, &w, &reps, &customers)?;
        self.plant_stale_opportunity(out, &w, reps[5], &customers[5])
    }

    /// The order cases: stuffing and its return, the order to a debtor,
    /// the discount and the cross-region line.
    fn plant_orders(
        &mut self,
        out: &mut Out,
        w: &PlantWindow,
        reps: &[usize],
        customers: &[String],
    ) -> Result<()> {
        let product = self
            .products
            .iter()
            .position(|p| !p.fractional && !p.service)
            .unwrap_or(0);
        let price = self.products[product].list;
        let line = |id: &str, d: NaiveDate, r: usize, c: &str, qty: i64, unit: i64| {
            let status = if qty < 0 { "returned" } else { "shipped" };
            let ship = if id.contains("XREG") {
                let other = (self.reps[r].region + 1) % self.regions.len();
                V::t(self.regions[other])
            } else {
                V::Null
            };
            vec![
                V::t(id),
                V::Int(1),
                V::Date(d),
                V::t(&self.reps[r].id),
                V::t(c),
                V::t(&self.products[product].id),
                V::Units(qty * 10_000),
                V::Units(unit),
                V::Units(price),
                V::Null,
                ship,
                V::t(status),
                V::Null,
            ]
        };
        // Stuffing: P on the last workday with (end + P) ≥ 40 % of
        // (period + P), then R back with (returned + R) ≥ 30 % of (end + P);
        // P ≥ |end| makes P alone enough to give back.
        let s = reps[3];
        let (period, end, returned) = (w.period_sales[s], w.end_sales[s], w.returned[s]);
        let cents = |qty: i64| line_cents(qty * 10_000, price);
        let stuffs =
            |p: i64| p >= end.abs() && period + p > 0 && 10 * (end + p) >= 4 * (period + p);
        let mut qty = 10;
        while !stuffs(cents(qty)) {
            qty *= 2;
        }
        let stuffed = end + cents(qty);
        let mut back = 1;
        while 10 * (returned + cents(back)) < 3 * stuffed && back < qty {
            back += 1;
        }
        let last_workday = self.last_workdays(w.start, w.end, 1);
        let rows = [
            line("SO-PLANT-STUFF", last_workday, s, &customers[3], qty, price),
            line(
                "SO-PLANT-STUFF-R",
                self.workdays_after(w.end, 2),
                s,
                &customers[3],
                -back,
                price,
            ),
            line(
                "SO-PLANT-OVERDUE",
                self.workday_of_month(w, 10),
                reps[4],
                &customers[4],
                1,
                price,
            ),
            line(
                "SO-PLANT-DISC",
                self.workday_of_month(w, 12),
                reps[6],
                &customers[6],
                1,
                price / 2,
            ),
            line(
                "SO-PLANT-XREG",
                self.workday_of_month(w, 14),
                reps[7],
                &customers[7],
                1,
                price,
            ),
        ];
        for row in rows {
            out.push(T::Orders, &row)?;
        }
        let debtor = reps[4];
        out.push(
            T::Invoices,
            &[
                V::t("INV-PLANT-OVERDUE"),
                V::t(&customers[4]),
                V::Date(add_days(w.start, -150)),
                V::Date(add_days(w.start, -120)),
                V::Cents(100_000),
                V::Null,
                V::t(&self.reps[debtor].id),
            ],
        )
    }

    /// An opportunity in negotiation whose close date passed 40 days before
    /// the plant month, with its stage history.
    fn plant_stale_opportunity(
        &mut self,
        out: &mut Out,
        w: &PlantWindow,
        r: usize,
        customer: &str,
    ) -> Result<()> {
        let created = add_days(w.start, -120);
        out.push(
            T::Opportunities,
            &[
                V::t("OPP-PLANT-STALE"),
                V::t(&self.reps[r].id),
                V::t(customer),
                V::Date(created),
                V::t("negotiation"),
                V::Cents(8_000_000),
                V::Date(add_days(w.start, -40)),
                V::Null,
            ],
        )?;
        for (stage, day) in [("lead", 0), ("negotiation", 20)] {
            let at = add_days(created, day)
                .and_hms_opt(9, 0, 0)
                .expect("valid time");
            out.push(
                T::Stages,
                &[V::t("OPP-PLANT-STALE"), V::t(stage), V::Dt(at)],
            )?;
        }
        Ok(())
    }
}
