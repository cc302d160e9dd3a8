//! The simulated sales organisation: staff, customers and products, then a
//! day-by-day walk over 18 months that emits visits, orders, invoices,
//! payments, opportunities and expenses as they happen.
//!
//! This file holds the `World`, its construction and the daily walk; each
//! child module adds the `impl World` methods of one concept or table.

mod anomalies;
mod customers;
mod expenses;
mod opportunities;
mod orders;
mod products;
mod random;
mod receivables;
mod staff;
mod targets;
mod visits;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::Holidays;
use super::names::REGIONS;
use super::sink::V;
use super::{month_start, GenerateOptions, Out, T};
use crate::Result;
use customers::Customer;
use orders::ReturnSpec;
use products::Product;
use random::{
    poisson, stream, Weighted, SEASON_ORDERS, SEASON_VISITS, STREAM_CUSTOMERS, STREAM_DAYS,
    STREAM_PRODUCTS, STREAM_STAFF,
};
use staff::{Rep, Role};

/// Months of history ending at `end_date`.
const MONTHS: i32 = 18;

/// Calibration of visits per workday (scale 1 ≈ 60k visits).
const VISIT_LEVEL: f64 = 1.18;
/// Calibration of visit→order conversion (scale 1 ≈ 40k order lines).
const ORDER_LEVEL: f64 = 1.2;

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d + TimeDelta::days(n)
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|x| x.pred_opt())
        .expect("month end exists")
}

/// A rep's customers as the walk picks them: rebuilt after each day with
/// hires or leaves, so ownership changes of one day take effect the next.
#[derive(Default)]
struct Book {
    custs: Vec<usize>,
    pick: Weighted,
}

enum Event {
    Hire(usize),
    Leave(usize),
}

struct World {
    start: NaiveDate,
    end: NaiveDate,
    regions: Vec<&'static str>,
    teams: Vec<String>,
    reps: Vec<Rep>,
    customers: Vec<Customer>,
    products: Vec<Product>,
    product_pick: Weighted,
    holidays: Holidays,
    books: Vec<Book>,
    /// Customers of each rep as of now (unordered); `books` catches up at
    /// the end of an event day for the reps in `moved`.
    owned: Vec<Vec<usize>>,
    /// Reps whose `owned` changed since their book was built.
    moved: Vec<bool>,
    /// Reps of each team, in index order.
    team_members: Vec<Vec<usize>>,
    rng: ChaCha8Rng,
    /// Live sales (cents) per rep per month index.
    sales: Vec<Vec<i64>>,
    /// On-site visits per rep in the current month (drives travel expenses).
    onsite: Vec<u32>,
    returns: BTreeMap<NaiveDate, Vec<ReturnSpec>>,
    /// With `--plant-anomalies`: the plant month and each rep's sales in
    /// its stuffing windows, recorded as the simulation writes them.
    plant: Option<anomalies::PlantWindow>,
    seq_visit: u64,
    seq_order: u64,
    seq_invoice: u64,
    seq_payment: u64,
    seq_opp: u64,
    seq_expense: u64,
}

/// Generates every table into `out`.
pub(super) fn run(opts: &GenerateOptions, out: &mut Out) -> Result<()> {
    let mut w = World::new(opts);
    if opts.plant_anomalies {
        w.plant = w.plant_window();
    }
    w.write_reps(out)?;
    w.write_products(out)?;
    w.write_calendar(out)?;
    w.simulate(out)?;
    w.write_customers(out)?;
    w.write_targets(opts.seed, out)?;
    // After every normal row, so the normal files are unchanged.
    w.plant_anomalies(out)
}

impl World {
    fn new(opts: &GenerateOptions) -> World {
        let end = opts.end_date;
        let start = month_start(end)
            .checked_sub_months(chrono::Months::new((MONTHS - 1) as u32))
            .expect("start date exists");
        let scale = opts.scale;
        let n_reps = ((40.0 * scale).round() as usize).max(8);
        let n_regions = (n_reps / 10).clamp(2, REGIONS.len());
        let n_teams = ((n_reps as f64 / 6.5).round() as usize).max(3);
        let n_dirs = (n_regions / 2).max(n_teams / 40).max(1);
        let n_customers = ((2000.0 * scale).round() as usize).max(40);
        let n_products = ((150.0 * scale.sqrt()).round() as usize).clamp(24, 3000);

        let mut w = World {
            start,
            end,
            regions: REGIONS[..n_regions].to_vec(),
            teams: Vec::new(),
            reps: Vec::new(),
            customers: Vec::new(),
            products: Vec::new(),
            product_pick: Weighted::default(),
            holidays: Holidays::new(start.year(), end.year()),
            books: Vec::new(),
            owned: Vec::new(),
            moved: Vec::new(),
            team_members: Vec::new(),
            rng: stream(opts.seed, STREAM_DAYS),
            sales: Vec::new(),
            onsite: Vec::new(),
            returns: BTreeMap::new(),
            plant: None,
            seq_visit: 0,
            seq_order: 0,
            seq_invoice: 0,
            seq_payment: 0,
            seq_opp: 0,
            seq_expense: 0,
        };
        w.make_staff(
            &mut stream(opts.seed, STREAM_STAFF),
            n_reps,
            n_teams,
            n_dirs,
        );
        w.make_customers(&mut stream(opts.seed, STREAM_CUSTOMERS), n_customers);
        w.make_products(&mut stream(opts.seed, STREAM_PRODUCTS), n_products);
        w.sales = vec![vec![0; MONTHS as usize]; w.reps.len()];
        w.onsite = vec![0; w.reps.len()];
        w.books = (0..w.reps.len()).map(|_| Book::default()).collect();
        w.team_members = vec![Vec::new(); w.teams.len()];
        for (i, r) in w.reps.iter().enumerate() {
            w.team_members[r.team].push(i);
        }
        w
    }

    fn span_days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    fn month_index(&self, d: NaiveDate) -> usize {
        ((d.year() - self.start.year()) * 12 + d.month() as i32 - self.start.month() as i32)
            as usize
    }

    // ----- static tables -----------------------------------------------------

    fn write_calendar(&self, out: &mut Out) -> Result<()> {
        let first = NaiveDate::from_ymd_opt(self.start.year(), 1, 1).expect("valid");
        let last = NaiveDate::from_ymd_opt(self.end.year(), 12, 31).expect("valid");
        for d in first.iter_days().take_while(|d| *d <= last) {
            out.push(
                T::Calendar,
                &[V::Date(d), V::Bool(self.holidays.is_workday(d))],
            )?;
        }
        Ok(())
    }

    // ----- simulation --------------------------------------------------------

    /// Every rep's book from the customers' owners (before the walk).
    fn build_books(&mut self) {
        self.owned = vec![Vec::new(); self.reps.len()];
        for (i, c) in self.customers.iter().enumerate() {
            self.owned[c.owner].push(i);
        }
        self.moved = vec![true; self.reps.len()];
        self.rebuild_moved_books();
    }

    /// The books of the reps whose customers changed. A book lists its
    /// customers in index order, as the picks' weights are laid out.
    fn rebuild_moved_books(&mut self) {
        for r in 0..self.reps.len() {
            if !std::mem::take(&mut self.moved[r]) {
                continue;
            }
            self.owned[r].sort_unstable();
            let custs = self.owned[r].clone();
            let pick = Weighted::new(custs.iter().map(|&c| {
                let c = &self.customers[c];
                if c.prospect {
                    0.6
                } else {
                    c.weight
                }
            }));
            self.books[r] = Book { custs, pick };
        }
    }

    /// A leaver's customers go to the rep of his team with the smallest book
    /// (as of the last rebuild), else to the team's manager.
    fn successor(&self, r: usize, d: NaiveDate) -> Option<usize> {
        let members = &self.team_members[self.reps[r].team];
        members
            .iter()
            .copied()
            .filter(|&i| {
                let x = &self.reps[i];
                i != r
                    && x.role == Role::Rep
                    && x.active(d)
                    && x.leave.is_none_or(|l| l > add_days(d, 30))
            })
            .min_by_key(|&i| (self.books[i].custs.len(), i))
            .or_else(|| {
                members
                    .iter()
                    .copied()
                    .find(|&i| self.reps[i].role == Role::Manager)
            })
    }

    fn apply_event(&mut self, d: NaiveDate, ev: &Event) {
        match *ev {
            Event::Leave(r) => {
                if let Some(s) = self.successor(r, d) {
                    let custs = std::mem::take(&mut self.owned[r]);
                    for &c in &custs {
                        self.customers[c].owner = s;
                    }
                    self.owned[s].extend(custs);
                    self.moved[r] = true;
                    self.moved[s] = true;
                }
            }
            Event::Hire(r) => {
                // A hire takes over some customers of the active reps of
                // his team, drawn in customer order.
                let team = self.reps[r].team;
                let givers: Vec<usize> = self.team_members[team]
                    .iter()
                    .copied()
                    .filter(|&o| {
                        let x = &self.reps[o];
                        o != r && x.role == Role::Rep && x.active(d)
                    })
                    .collect();
                let mut candidates: Vec<usize> = givers
                    .iter()
                    .flat_map(|&o| self.owned[o].iter().copied())
                    .collect();
                candidates.sort_unstable();
                for ci in candidates {
                    let o = self.customers[ci].owner;
                    let p = if self.reps[o].legacy { 0.08 } else { 0.25 };
                    if self.rng.gen_bool(p) {
                        self.customers[ci].owner = r;
                        self.owned[r].push(ci);
                        self.moved[o] = true;
                        self.moved[r] = true;
                    }
                }
                for o in givers {
                    let customers = &self.customers;
                    self.owned[o].retain(|&ci| customers[ci].owner == o);
                }
            }
        }
    }

    fn simulate(&mut self, out: &mut Out) -> Result<()> {
        let mut events: BTreeMap<NaiveDate, Vec<Event>> = BTreeMap::new();
        for (i, r) in self.reps.iter().enumerate() {
            if let (true, Some(h)) = (r.hired_in_window, r.hire) {
                events.entry(h).or_default().push(Event::Hire(i));
            }
            if let Some(l) = r.leave {
                events
                    .entry(add_days(l, 1))
                    .or_default()
                    .push(Event::Leave(i));
            }
        }
        self.build_books();
        let mut d = self.start;
        while d <= self.end {
            if let Some(evs) = events.remove(&d) {
                for ev in &evs {
                    self.apply_event(d, ev);
                }
                self.rebuild_moved_books();
            }
            if let Some(rets) = self.returns.remove(&d) {
                for spec in rets {
                    self.return_order(out, d, spec)?;
                }
            }
            if self.holidays.is_workday(d) {
                for r in 0..self.reps.len() {
                    if self.reps[r].active(d) {
                        self.rep_day(out, r, d)?;
                    }
                }
            }
            if d == self.end || d == month_end(d) {
                self.month_expenses(out, d)?;
            }
            d = d.succ_opt().expect("date in range");
        }
        Ok(())
    }

    /// A customer from the rep's book that exists on `d`; churned customers
    /// are visited less.
    fn pick_customer(&mut self, r: usize, d: NaiveDate, buyers_only: bool) -> Option<usize> {
        for _ in 0..4 {
            let k = self.books[r].pick.pick(&mut self.rng)?;
            let ci = self.books[r].custs[k];
            let c = &self.customers[ci];
            if c.available > d {
                continue;
            }
            let churned = c.churn.is_some_and(|x| d > x);
            if buyers_only && (c.prospect || churned || !c.ordered) {
                continue;
            }
            if churned && !self.rng.gen_bool(0.3) {
                continue;
            }
            return Some(ci);
        }
        None
    }

    fn rep_day(&mut self, out: &mut Out, r: usize, d: NaiveDate) -> Result<()> {
        let rep = &self.reps[r];
        let lambda = VISIT_LEVEL * rep.visit_rate * SEASON_VISITS[d.month0() as usize];
        let conv = ORDER_LEVEL * rep.conv * SEASON_ORDERS[d.month0() as usize];
        let (reorder_rate, opp_rate) = (rep.reorder_rate, rep.opp_rate);
        let n = poisson(&mut self.rng, lambda);
        let mut minutes: Vec<u32> = (0..n).map(|_| self.rng.gen_range(510..1080)).collect();
        minutes.sort_unstable();
        for m in minutes {
            let Some(ci) = self.pick_customer(r, d, false) else {
                continue;
            };
            self.visit(out, r, ci, d, m)?;
            let c = &self.customers[ci];
            let buys = !c.prospect && c.churn.is_none_or(|x| d <= x);
            let p = if c.ordered { conv } else { conv * 0.6 };
            if buys && self.rng.gen_bool(p.min(0.95)) {
                self.order(out, r, ci, d)?;
            }
        }
        for _ in 0..poisson(&mut self.rng, reorder_rate) {
            if let Some(ci) = self.pick_customer(r, d, true) {
                self.order(out, r, ci, d)?;
            }
        }
        if self.rng.gen_bool(opp_rate) {
            if let Some(ci) = self.pick_customer(r, d, false) {
                self.opportunity(out, r, ci, d)?;
            }
        }
        if self.rng.gen_bool(0.004) {
            if let Some(ci) = self.pick_customer(r, d, true) {
                // Service fee invoiced without an order.
                let amount = self.rng.gen_range(500..20_000) * 100 + self.rng.gen_range(0..100);
                let rep = self.rng.gen_bool(0.5).then_some(r);
                self.invoice(out, ci, d, amount, None, rep)?;
            }
        }
        Ok(())
    }
}
