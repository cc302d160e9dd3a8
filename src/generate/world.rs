//! The simulated sales organisation: staff, customers and products, then a
//! day-by-day walk over 18 months that emits visits, orders, invoices,
//! payments, opportunities and expenses as they happen.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calendar::Holidays;
use super::names::*;
use super::sink::V;
use super::{month_start, GenerateOptions, Out, T};
use crate::Result;

/// Months of history ending at `end_date`.
const MONTHS: i32 = 18;

/// Seasonality of visits, January..December (Spring Festival, National Day).
const SEASON_VISITS: [f64; 12] = [
    0.95, 0.75, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 1.0, 0.9, 1.05, 1.05,
];
/// Seasonality of buying, January..December (year-end push).
const SEASON_ORDERS: [f64; 12] = [
    0.95, 0.8, 1.0, 1.0, 1.05, 1.1, 0.95, 0.95, 1.05, 1.0, 1.1, 1.25,
];

/// Opportunity stages in pipeline order (before won / lost).
const OPEN_STAGES: [&str; 5] = ["lead", "contact", "needs_analysis", "demo", "negotiation"];
/// Default probability (percent) of each open stage.
const STAGE_PERCENT: [i64; 5] = [10, 20, 30, 50, 70];
/// Chance of moving on from each open stage (negotiation: of winning).
const STAGE_PASS: [f64; 5] = [0.85, 0.8, 0.75, 0.75, 0.6];

/// Calibration of visits per workday (scale 1 ≈ 60k visits).
const VISIT_LEVEL: f64 = 1.18;
/// Calibration of visit→order conversion (scale 1 ≈ 40k order lines).
const ORDER_LEVEL: f64 = 1.2;

// Independent random streams, one per concern.
const STREAM_STAFF: u64 = 1;
const STREAM_CUSTOMERS: u64 = 2;
const STREAM_PRODUCTS: u64 = 3;
const STREAM_DAYS: u64 = 4;
const STREAM_TARGETS: u64 = 5;

fn stream(seed: u64, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(id);
    rng
}

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

/// Poisson draw (Knuth; rates here are small).
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda).exp();
    let mut k = 0;
    let mut p = rng.gen::<f64>();
    while p > limit {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// Standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.gen::<f64>();
    let u2 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal draw with the given median.
fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Cumulative weights for weighted choice.
#[derive(Default)]
struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cum }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let total = *self.cum.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.gen::<f64>() * total;
        Some(
            self.cum
                .partition_point(|&c| c <= x)
                .min(self.cum.len() - 1),
        )
    }
}

/// Picks from `(value, weight)` pairs.
fn pick_w<X: Copy>(rng: &mut ChaCha8Rng, items: &[(X, u32)]) -> X {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.gen_range(0..total);
    for &(v, w) in items {
        if x < w {
            return v;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// `round(q × p)` in cents, half away from zero, from 1/10000 units.
fn line_cents(qty: i64, price: i64) -> i64 {
    let prod = i128::from(qty) * i128::from(price);
    let div = 1_000_000i128;
    let r = if prod >= 0 {
        (prod + div / 2) / div
    } else {
        -((-prod + div / 2) / div)
    };
    r as i64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Rep,
    Manager,
    Director,
}

impl Role {
    fn text(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Director => "director",
        }
    }
}

struct Rep {
    id: String,
    name: String,
    region: usize,
    team: usize,
    role: Role,
    role_written: bool,
    manager: Option<usize>,
    hire: Option<NaiveDate>,
    /// Hire date as written (a few long-serving reps have none).
    hire_written: bool,
    leave: Option<NaiveDate>,
    hired_in_window: bool,
    visit_rate: f64,
    conv: f64,
    reorder_rate: f64,
    legacy: bool,
    hunter: f64,
    discounter: bool,
    win_skill: f64,
    opp_rate: f64,
    target_factor: f64,
    spend: f64,
}

impl Rep {
    fn active(&self, d: NaiveDate) -> bool {
        self.hire.is_none_or(|h| h <= d) && self.leave.is_none_or(|l| d <= l)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pay {
    Prompt,
    Normal,
    Late,
    Installments,
}

struct Customer {
    id: String,
    name: String,
    region: usize,
    owner: usize,
    owner_written: bool,
    segment: Option<&'static str>,
    created: Option<NaiveDate>,
    available: NaiveDate,
    churn: Option<NaiveDate>,
    weight: f64,
    pay: Pay,
    terms: i64,
    prospect: bool,
    ordered: bool,
}

struct Product {
    id: String,
    name: String,
    category: Option<&'static str>,
    list: i64,
    cost: i64,
    /// Before this date the product had the older (lower) price pair.
    old: Option<(NaiveDate, i64, i64)>,
    fractional: bool,
    service: bool,
}

impl Product {
    fn prices_at(&self, d: NaiveDate) -> (i64, i64) {
        match self.old {
            Some((until, list, cost)) if d < until => (list, cost),
            _ => (self.list, self.cost),
        }
    }
}

#[derive(Default)]
struct Book {
    custs: Vec<usize>,
    pick: Weighted,
}

/// A live order line: (product, quantity units, price units, written list
/// price, written unit cost).
type LiveLine = (usize, i64, i64, Option<i64>, Option<i64>);

/// A return booked for a later day.
struct ReturnSpec {
    rep: usize,
    cust: usize,
    product: usize,
    qty: i64,
    price: i64,
    list: Option<i64>,
    cost: Option<i64>,
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
    rng: ChaCha8Rng,
    /// Live sales (cents) per rep per month index.
    sales: Vec<Vec<i64>>,
    /// On-site visits per rep in the current month (drives travel expenses).
    onsite: Vec<u32>,
    returns: BTreeMap<NaiveDate, Vec<ReturnSpec>>,
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
    w.write_reps(out)?;
    w.write_products(out)?;
    w.write_calendar(out)?;
    w.simulate(out)?;
    w.write_customers(out)?;
    w.write_targets(opts.seed, out)?;
    Ok(())
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
            rng: stream(opts.seed, STREAM_DAYS),
            sales: Vec::new(),
            onsite: Vec::new(),
            returns: BTreeMap::new(),
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
        w
    }

    fn span_days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    fn month_index(&self, d: NaiveDate) -> usize {
        ((d.year() - self.start.year()) * 12 + d.month() as i32 - self.start.month() as i32)
            as usize
    }

    // ----- setup -------------------------------------------------------------

    fn person_name(rng: &mut ChaCha8Rng) -> String {
        if rng.gen_bool(0.3) {
            format!(
                "{} {}",
                EN_GIVEN.choose(rng).expect("non-empty"),
                EN_SURNAMES.choose(rng).expect("non-empty")
            )
        } else {
            format!(
                "{}{}",
                SURNAMES.choose(rng).expect("non-empty"),
                GIVEN.choose(rng).expect("non-empty")
            )
        }
    }

    fn make_staff(&mut self, rng: &mut ChaCha8Rng, n_reps: usize, n_teams: usize, n_dirs: usize) {
        let n_regions = self.regions.len();
        let span = self.span_days();
        // Team t sits in region t mod n_regions; its director covers the region.
        let team_region = |t: usize| t % n_regions;
        let team_director = |t: usize| {
            if n_dirs <= n_regions {
                team_region(t) % n_dirs
            } else {
                t % n_dirs
            }
        };
        let mut per_region_count = vec![0usize; n_regions];
        for t in 0..n_teams {
            let r = team_region(t);
            let k = per_region_count[r];
            per_region_count[r] += 1;
            let numeral = TEAM_NUMERALS
                .get(k)
                .map_or_else(|| format!("{}", k + 1), |s| (*s).to_string());
            self.teams.push(format!("{}{}组", self.regions[r], numeral));
        }
        let n_plain = n_reps.saturating_sub(n_dirs + n_teams);
        // (role, team) in id order: directors, then each team's manager and reps.
        let mut layout: Vec<(Role, usize)> = Vec::with_capacity(n_reps);
        for k in 0..n_dirs {
            layout.push((Role::Director, k % n_teams));
        }
        for t in 0..n_teams {
            layout.push((Role::Manager, t));
            let members = n_plain / n_teams + usize::from(t < n_plain % n_teams);
            for _ in 0..members {
                layout.push((Role::Rep, t));
            }
        }
        let fixed_names = ["张伟", "李娜", "Emily Chen"];
        // Profiles of plain reps in fixed shares (20 % hustlers, 20 % closers,
        // 15 % weak, the rest solid), shuffled, so the mix does not swing
        // with the seed.
        let quota = |share: f64| (n_plain as f64 * share).round() as usize;
        let mut profiles: Vec<u8> = [(0u8, quota(0.2)), (1, quota(0.2)), (3, quota(0.15))]
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect();
        profiles.resize(n_plain.max(profiles.len()), 2);
        profiles.shuffle(rng);
        let mut profiles = profiles.into_iter();
        let mut manager_of_team = vec![0usize; n_teams];
        for (i, &(role, team)) in layout.iter().enumerate() {
            if role == Role::Manager {
                manager_of_team[team] = i;
            }
        }
        for (i, &(role, team)) in layout.iter().enumerate() {
            let name = fixed_names
                .get(i)
                .map_or_else(|| Self::person_name(rng), |s| (*s).to_string());
            let (region, manager) = match role {
                Role::Director => (team_region(i % n_teams.max(1)) % n_regions, None),
                Role::Manager => (team_region(team), Some(team_director(team))),
                Role::Rep => (team_region(team), Some(manager_of_team[team])),
            };
            // Profile: (visits per workday, visit→order conversion, win skill).
            let (visit_rate, conv, win_skill) = match role {
                Role::Director => (0.5, 0.35, 1.1),
                Role::Manager => (
                    rng.gen_range(1.5..2.5),
                    rng.gen_range(0.2..0.3),
                    rng.gen_range(0.95..1.15),
                ),
                Role::Rep => match profiles.next().unwrap_or(2) {
                    // Hustler: many visits, few orders.
                    0 => (
                        rng.gen_range(6.5..8.5),
                        rng.gen_range(0.06..0.11),
                        rng.gen_range(0.75..0.9),
                    ),
                    // Closer: few visits, high conversion.
                    1 => (
                        rng.gen_range(2.0..3.0),
                        rng.gen_range(0.4..0.55),
                        rng.gen_range(1.15..1.3),
                    ),
                    // Solid.
                    2 => (
                        rng.gen_range(4.0..5.5),
                        rng.gen_range(0.17..0.26),
                        rng.gen_range(0.95..1.1),
                    ),
                    // Weak.
                    _ => (
                        rng.gen_range(2.2..3.4),
                        rng.gen_range(0.06..0.1),
                        rng.gen_range(0.7..0.85),
                    ),
                },
            };
            let hire = Some(add_days(self.start, -rng.gen_range(60..3000)));
            let hire_written = !(role == Role::Rep && rng.gen_bool(0.05));
            self.reps.push(Rep {
                id: format!("R{:04}", i + 1),
                name,
                region,
                team,
                role,
                role_written: !(role == Role::Rep && rng.gen_bool(0.1)),
                manager,
                hire,
                hire_written,
                leave: None,
                hired_in_window: false,
                visit_rate,
                conv,
                reorder_rate: 0.2,
                legacy: false,
                hunter: match role {
                    Role::Director => 0.0,
                    Role::Manager => 0.3,
                    Role::Rep => 1.0,
                },
                discounter: false,
                win_skill,
                opp_rate: match role {
                    Role::Director => 0.04,
                    Role::Manager => 0.1,
                    Role::Rep => 0.18,
                },
                target_factor: rng.gen_range(0.85..1.35),
                spend: if rng.gen_bool(0.1) {
                    3.0
                } else {
                    rng.gen_range(0.6..1.6)
                },
            });
        }
        // Hires and leavers among plain reps; then legacy reps, hunters and
        // discounters among the rest.
        let mut plain: Vec<usize> = (0..self.reps.len())
            .filter(|&i| self.reps[i].role == Role::Rep)
            .collect();
        plain.shuffle(rng);
        let n_hire = ((plain.len() as f64 * 0.12).round() as usize)
            .max(1)
            .min(plain.len());
        let n_leave = ((plain.len() as f64 * 0.1).round() as usize)
            .max(1)
            .min(plain.len() - n_hire);
        for (k, &i) in plain.iter().enumerate() {
            let rep = &mut self.reps[i];
            if k < n_hire {
                rep.hire = Some(add_days(self.start, rng.gen_range(45..(span - 60).max(46))));
                rep.hire_written = true;
                rep.hired_in_window = true;
            } else if k < n_hire + n_leave {
                rep.leave = Some(add_days(self.start, rng.gen_range(90..(span - 10).max(91))));
            }
            if !rep.hired_in_window {
                if rng.gen_bool(0.25) {
                    rep.legacy = true;
                    rep.hunter = 0.1;
                    rep.reorder_rate = 0.45;
                    rep.opp_rate = 0.07;
                } else if rng.gen_bool(0.3) {
                    rep.hunter = 2.5;
                    rep.opp_rate = 0.32;
                }
            } else {
                rep.hunter = 2.0;
            }
            rep.discounter = rng.gen_bool(0.15);
        }
        // At least one of each behaviour, whatever the seed.
        if let Some(&i) = plain.get(n_hire + n_leave) {
            let rep = &mut self.reps[i];
            rep.legacy = true;
            rep.hunter = 0.1;
            rep.reorder_rate = 0.45;
            rep.opp_rate = 0.07;
        }
        if let Some(&i) = plain.last() {
            self.reps[i].discounter = true;
        }
    }

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

    fn make_customers(&mut self, rng: &mut ChaCha8Rng, n: usize) {
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
        for i in 0..n {
            let kind = pick_w(rng, &[(0u8, 60), (1, 30), (2, 10)]);
            let (owner, created, available) = if kind == 0 {
                let owner = old_pick.pick(rng).expect("some rep is active at start");
                let created =
                    (!rng.gen_bool(0.12)).then(|| add_days(start, -rng.gen_range(30..2900)));
                (owner, created, start)
            } else {
                let c = add_days(start, rng.gen_range(0..(span - 3).max(1)));
                let pick = Weighted::new(self.reps.iter().map(|r| {
                    let stays = r.leave.is_none_or(|l| l > add_days(c, 20));
                    if r.active(c) && stays {
                        r.hunter
                    } else {
                        0.0
                    }
                }));
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

    fn make_products(&mut self, rng: &mut ChaCha8Rng, n: usize) {
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

    // ----- static tables -----------------------------------------------------

    fn write_reps(&self, out: &mut Out) -> Result<()> {
        for r in &self.reps {
            out.push(
                T::Reps,
                &[
                    V::t(&r.id),
                    V::t(&r.name),
                    V::t(self.regions[r.region]),
                    V::t(&self.teams[r.team]),
                    V::opt_t(r.manager.map(|m| self.reps[m].id.clone())),
                    V::opt_t(r.role_written.then_some(r.role.text())),
                    V::opt_date(r.hire.filter(|_| r.hire_written)),
                    V::opt_date(r.leave),
                ],
            )?;
        }
        Ok(())
    }

    fn write_products(&self, out: &mut Out) -> Result<()> {
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

    fn write_customers(&self, out: &mut Out) -> Result<()> {
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

    fn write_targets(&self, seed: u64, out: &mut Out) -> Result<()> {
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

    // ----- simulation --------------------------------------------------------

    fn rebuild_books(&mut self) {
        for b in &mut self.books {
            b.custs.clear();
        }
        for (i, c) in self.customers.iter().enumerate() {
            self.books[c.owner].custs.push(i);
        }
        for b in &mut self.books {
            b.pick = Weighted::new(b.custs.iter().map(|&c| {
                let c = &self.customers[c];
                if c.prospect {
                    0.6
                } else {
                    c.weight
                }
            }));
        }
    }

    fn apply_event(&mut self, d: NaiveDate, ev: &Event) {
        match *ev {
            Event::Leave(r) => {
                let team = self.reps[r].team;
                let successor = (0..self.reps.len())
                    .filter(|&i| {
                        let x = &self.reps[i];
                        i != r
                            && x.team == team
                            && x.role == Role::Rep
                            && x.active(d)
                            && x.leave.is_none_or(|l| l > add_days(d, 30))
                    })
                    .min_by_key(|&i| (self.books[i].custs.len(), i))
                    .or_else(|| {
                        (0..self.reps.len()).find(|&i| {
                            self.reps[i].team == team && self.reps[i].role == Role::Manager
                        })
                    });
                if let Some(s) = successor {
                    for c in &mut self.customers {
                        if c.owner == r {
                            c.owner = s;
                        }
                    }
                }
            }
            Event::Hire(r) => {
                let team = self.reps[r].team;
                for ci in 0..self.customers.len() {
                    let owner = self.customers[ci].owner;
                    let o = &self.reps[owner];
                    if owner != r && o.team == team && o.role == Role::Rep && o.active(d) {
                        let p = if o.legacy { 0.08 } else { 0.25 };
                        if self.rng.gen_bool(p) {
                            self.customers[ci].owner = r;
                        }
                    }
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
        self.rebuild_books();
        let mut d = self.start;
        while d <= self.end {
            if let Some(evs) = events.remove(&d) {
                for ev in &evs {
                    self.apply_event(d, ev);
                }
                self.rebuild_books();
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

    fn visit(
        &mut self,
        out: &mut Out,
        r: usize,
        ci: usize,
        d: NaiveDate,
        minute: u32,
    ) -> Result<()> {
        let rng = &mut self.rng;
        self.seq_visit += 1;
        let kind = pick_w(
            rng,
            &[
                (Some("onsite"), 60),
                (Some("phone"), 25),
                (Some("video"), 8),
                (Some("event"), 2),
                (None, 5),
            ],
        );
        let duration = match kind {
            _ if rng.gen_bool(0.07) => None,
            Some("phone") => Some(rng.gen_range(3..30)),
            Some("video") => Some(rng.gen_range(15..60)),
            Some("event") => Some(rng.gen_range(60..240)),
            _ => Some(lognormal(rng, 45.0, 0.45).clamp(10.0, 240.0).round() as i64),
        };
        let cost = match kind {
            Some("onsite") | None if rng.gen_bool(0.65) => Some(rng.gen_range(1_500..25_000)),
            Some("event") if rng.gen_bool(0.4) => Some(rng.gen_range(20_000..200_000)),
            _ => None,
        };
        if kind == Some("onsite") {
            self.onsite[r] += 1;
        }
        let start = NaiveDateTime::new(
            d,
            NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).expect("valid time"),
        );
        out.push(
            T::Visits,
            &[
                V::t(format!("V{:08}", self.seq_visit)),
                V::t(&self.reps[r].id),
                V::t(&self.customers[ci].id),
                V::Dt(start),
                duration.map_or(V::Null, V::Int),
                V::opt_t(kind),
                cost.map_or(V::Null, V::Cents),
            ],
        )
    }

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

    fn order(&mut self, out: &mut Out, r: usize, ci: usize, d: NaiveDate) -> Result<()> {
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

    fn return_order(&mut self, out: &mut Out, d: NaiveDate, s: ReturnSpec) -> Result<()> {
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
        let date = add_days(d, self.rng.gen_range(0..=2));
        if date <= self.end && amount < 0 {
            let rep = (!self.rng.gen_bool(0.15)).then_some(s.rep);
            self.invoice(out, s.cust, date, amount, Some(&order_id), rep)?;
        }
        Ok(())
    }

    /// Writes an invoice and the payments made on it up to the end date.
    fn invoice(
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

    fn opportunity(&mut self, out: &mut Out, r: usize, ci: usize, d: NaiveDate) -> Result<()> {
        self.seq_opp += 1;
        let opp_id = format!("OP{:07}", self.seq_opp);
        let rep = &self.reps[r];
        let (skill, leave) = (rep.win_skill, rep.leave);
        let rng = &mut self.rng;
        let yuan = lognormal(rng, 60_000.0, 1.0).clamp(2_000.0, 2_000_000.0);
        let amount = if rng.gen_bool(0.75) {
            (yuan / 100.0).round() as i64 * 10_000
        } else {
            yuan.round() as i64 * 100
        };
        let at = |day: NaiveDate, rng: &mut ChaCha8Rng| {
            NaiveDateTime::new(
                day,
                NaiveTime::from_hms_opt(
                    rng.gen_range(8..19),
                    rng.gen_range(0..60),
                    rng.gen_range(0..60),
                )
                .expect("valid time"),
            )
        };
        // Stage index 0..5 = open stages, 5 = won, 6 = lost.
        let mut entries: Vec<(usize, NaiveDateTime)> = vec![(0, at(d, rng))];
        let mut k = 0usize;
        let mut day = d;
        loop {
            if k == 4 {
                day = add_days(day, rng.gen_range(5..=30));
                let won = rng.gen_bool((STAGE_PASS[4] * skill).clamp(0.05, 0.95));
                entries.push((if won { 5 } else { 6 }, at(day, rng)));
                break;
            }
            if rng.gen_bool(0.06) {
                break; // stalls, stays open
            }
            day = add_days(day, rng.gen_range(2..=25));
            if rng.gen_bool((STAGE_PASS[k] * skill).clamp(0.05, 0.95)) {
                let mut next = k + 1;
                if next < 4 && rng.gen_bool(0.08) {
                    next += 1; // skipped a stage
                }
                entries.push((next, at(day, rng)));
                k = next;
            } else {
                entries.push((6, at(day, rng)));
                break;
            }
        }
        let cutoff = leave.map_or(self.end, |l| l.min(self.end));
        entries.retain(|e| e.1.date() <= cutoff);
        let &(current, last_at) = entries.last().expect("lead entry is on d");
        let stage = match current {
            5 => "won",
            6 => "lost",
            s => OPEN_STAGES[s],
        };
        let close = (current >= 5).then(|| last_at.date());
        let probability = if rng.gen_bool(0.3) {
            None
        } else {
            Some(match current {
                5 => 100,
                6 => 0,
                s => {
                    (STAGE_PERCENT[s] + [-10, -5, 0, 0, 0, 5, 10][rng.gen_range(0..7)]).clamp(5, 95)
                }
            })
        };
        let history = match rng.gen_range(0..100) {
            0..=4 => 0..0,                                  // no history exported
            5..=9 if entries.len() > 1 => 1..entries.len(), // lead not recorded
            _ => 0..entries.len(),
        };
        out.push(
            T::Opportunities,
            &[
                V::t(&opp_id),
                V::t(&self.reps[r].id),
                V::t(&self.customers[ci].id),
                V::Date(d),
                V::t(stage),
                V::Cents(amount),
                V::opt_date(close),
                probability.map_or(V::Null, |p| V::Ratio(p as f64 / 100.0)),
            ],
        )?;
        for &(s, t) in &entries[history] {
            let name = match s {
                5 => "won",
                6 => "lost",
                s => OPEN_STAGES[s],
            };
            out.push(T::Stages, &[V::t(&opp_id), V::t(name), V::Dt(t)])?;
        }
        Ok(())
    }

    fn month_expenses(&mut self, out: &mut Out, d: NaiveDate) -> Result<()> {
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
