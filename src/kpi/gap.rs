//! Gap to the standard (SPEC section 8): why a rep's sales differ from
//! what his team's way of working would have given him.
//!
//! Sales are a product of drivers: `workdays × visits per workday × orders
//! per visit × average order value`. The *team standard* is the rep's own
//! workdays times his team's roll-up drivers, i.e. `standard_sales =
//! round(team sales × rep workdays / team workdays, 2)`: a rep who joined
//! mid-month is not blamed for the days he was not employed, so
//! `contrib_workdays` is 0 by construction and stays in the table to say
//! so. `gap = sales_amount − standard_sales` (cents) is split into one
//! contribution per driver:
//!
//! - **log-mean Divisia (LMDI)** when the rep's and the standard's sales and
//!   every driver are positive: `contrib_i = L(sales, standard) ×
//!   ln(driver_i,rep / driver_i,standard)` with the log mean `L(a, b) = (a −
//!   b) / (ln a − ln b)` (`L(a, a) = a`); the contributions add up to the gap
//!   with no residual and do not depend on the drivers' order;
//! - **chained substitution**, the documented fallback, when a driver or
//!   either sales figure is zero or negative (no orders, returns above
//!   sales) and LMDI's logarithms do not exist: the drivers are swapped from
//!   the standard's to the rep's one at a time, in the order above, and each
//!   contribution is the change in sales that swap makes (it telescopes to
//!   the gap). A rep without orders takes the standard's order value, so
//!   the missing orders are conversion, not order value.
//!
//! Reps without visits (inside sales), or in a team without visits, use
//! `workdays × orders per workday × order value`; their orders-per-workday
//! effect is reported as `contrib_conversion` and `contrib_visits_per_workday`
//! is 0. Each contribution is rounded to the cent, half away from zero, and
//! the cents the rounding leaves over go to the largest contribution, so
//! the four sum to `gap` exactly. `target_gap = sales_amount − sales_target`
//! (null without a target). A rep without a team has no standard: his gap
//! columns are null.

use std::collections::HashMap;

use polars::prelude::*;

use crate::lang::Lang;
use crate::money::{div_round_half_away_i128, format_cents_grouped};
use crate::Result;

/// The columns of the gap table after the identity columns (`period`,
/// `rep_id`, `rep_name`, `team`), all money in cents but `reading`.
pub(crate) const GAP_MONEY_COLUMNS: [&str; 8] = [
    "sales_amount",
    "standard_sales",
    "gap",
    "contrib_workdays",
    "contrib_visits_per_workday",
    "contrib_conversion",
    "contrib_order_value",
    "target_gap",
];

/// The summed parts a standard is built from: one rep's or one team's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parts {
    /// Sales in cents.
    pub(crate) sales: i64,
    /// Workdays employed in the period.
    pub(crate) workdays: i64,
    /// Visits.
    pub(crate) visits: i64,
    /// Orders.
    pub(crate) orders: i64,
}

/// The gap of one rep against his team's standard, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gap {
    /// `round(team sales × rep workdays / team workdays, 2)`; 0 when the team
    /// has no workday.
    pub(crate) standard: i64,
    /// `rep sales − standard`.
    pub(crate) gap: i64,
    /// Contributions of workdays, visits per workday, conversion and order
    /// value; they sum to `gap`.
    pub(crate) contrib: [i64; 4],
}

/// The four drivers of `p` in the order workdays, visits per workday, orders
/// per visit, order value (cents per order); `order_value` stands in when
/// there is no order. Without visits: workdays, 1, orders per workday,
/// order value.
fn drivers(p: &Parts, with_visits: bool, order_value: Option<f64>) -> [f64; 4] {
    let w = p.workdays as f64;
    let value = if p.orders != 0 {
        p.sales as f64 / p.orders as f64
    } else {
        order_value.unwrap_or(0.0)
    };
    if with_visits {
        let per_day = if w > 0.0 { p.visits as f64 / w } else { 0.0 };
        let conversion = p.orders as f64 / p.visits as f64;
        [w, per_day, conversion, value]
    } else {
        let per_day = if w > 0.0 { p.orders as f64 / w } else { 0.0 };
        [w, 1.0, per_day, value]
    }
}

/// The logarithmic mean of two positive numbers.
fn log_mean(a: f64, b: f64) -> f64 {
    if (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs()) {
        a
    } else {
        (a - b) / (a.ln() - b.ln())
    }
}

/// Raw contributions (currency cents as floats) of each driver.
fn contributions(rep: [f64; 4], std: [f64; 4]) -> [f64; 4] {
    let product = |x: &[f64; 4]| x.iter().product::<f64>();
    let (a, b) = (product(&rep), product(&std));
    if a > 0.0 && b > 0.0 && rep.iter().chain(&std).all(|x| *x > 0.0) {
        let l = log_mean(a, b);
        return std::array::from_fn(|i| l * (rep[i] / std[i]).ln());
    }
    let mut mixed = std;
    let mut before = b;
    std::array::from_fn(|i| {
        mixed[i] = rep[i];
        let after = product(&mixed);
        let c = after - before;
        before = after;
        c
    })
}

/// Rounds each contribution to the cent (half away from zero) and gives the
/// cents left over to the largest one, so they sum to `total` exactly.
fn rounded_to(total: i64, raw: [f64; 4]) -> [i64; 4] {
    let mut out = raw.map(|c| c.round() as i64);
    let left = total - out.iter().sum::<i64>();
    let largest = (0..4)
        .max_by(|&i, &j| raw[i].abs().total_cmp(&raw[j].abs()).then(j.cmp(&i)))
        .unwrap_or(0);
    out[largest] += left;
    out
}

/// The gap of `rep` against the standard of `team` (module doc).
pub(crate) fn gap_to_standard(rep: &Parts, team: &Parts) -> Gap {
    let standard = if team.workdays > 0 {
        div_round_half_away_i128(
            i128::from(team.sales) * i128::from(rep.workdays),
            i128::from(team.workdays),
        ) as i64
    } else {
        0
    };
    let gap = rep.sales - standard;
    let with_visits = rep.visits > 0 && team.visits > 0;
    let team_drivers = drivers(team, with_visits, None);
    let team_value = (team.orders != 0).then_some(team_drivers[3]);
    let rep_drivers = drivers(rep, with_visits, team_value);
    let rep_value = (rep.orders != 0).then_some(rep_drivers[3]);
    // The standard: the rep's own workdays at the team's drivers.
    let mut std = team_drivers;
    std[0] = rep.workdays as f64;
    if team.orders == 0 {
        std[3] = rep_value.unwrap_or(0.0);
    }
    Gap {
        standard,
        gap,
        contrib: rounded_to(gap, contributions(rep_drivers, std)),
    }
}

/// The driver names in the reader's language, for [`reading`].
fn driver_names(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::En => [
            "workdays",
            "visits per workday",
            "conversion",
            "order value",
        ],
        Lang::Zh => ["工作日", "日均拜访", "转化率", "客单价"],
    }
}

/// One plain line on a gap: "below the team standard by 12,400.00: visits
/// per workday −9,800.00, conversion −4,100.00, order value +1,500.00" —
/// the non-zero contributions, largest first.
pub(crate) fn reading(g: &Gap, lang: Lang) -> String {
    let names = driver_names(lang);
    let mut parts: Vec<(usize, i64)> = g
        .contrib
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c != 0)
        .collect();
    parts.sort_by_key(|(i, c)| (std::cmp::Reverse(c.abs()), *i));
    let signed = |c: i64| {
        let text = format_cents_grouped(c.abs());
        if c < 0 {
            format!("−{text}")
        } else {
            format!("+{text}")
        }
    };
    let drivers = parts
        .iter()
        .map(|(i, c)| format!("{} {}", names[*i], signed(*c)))
        .collect::<Vec<_>>();
    let amount = format_cents_grouped(g.gap.abs());
    let (head, sep) = match (lang, g.gap.signum()) {
        (Lang::En, 0) => return "at the team standard".into(),
        (Lang::Zh, 0) => return "与团队标准持平".into(),
        (Lang::En, -1) => (format!("below the team standard by {amount}"), ", "),
        (Lang::En, _) => (format!("above the team standard by {amount}"), ", "),
        (Lang::Zh, -1) => (format!("低于团队标准 {amount}"), "，"),
        (Lang::Zh, _) => (format!("高于团队标准 {amount}"), "，"),
    };
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    format!("{head}{colon}{}", drivers.join(sep))
}

/// Reads `column` of `df` as Int64 values (nulls as `None`).
fn ints(df: &DataFrame, column: &str) -> Result<Vec<Option<i64>>> {
    Ok(df
        .column(column)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

/// Reads `column` of `df` as text values.
fn texts(df: &DataFrame, column: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(column)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.map(String::from))
        .collect())
}

/// The parts of every row of a scorecard frame (nulls as 0: a missing
/// visits or orders table gives no visits or orders).
fn parts_of(df: &DataFrame) -> Result<Vec<Parts>> {
    let (s, w, v, o) = (
        ints(df, "sales_amount")?,
        ints(df, "workdays")?,
        ints(df, "visits")?,
        ints(df, "orders")?,
    );
    Ok((0..df.height())
        .map(|i| Parts {
            sales: s[i].unwrap_or(0),
            workdays: w[i].unwrap_or(0),
            visits: v[i].unwrap_or(0),
            orders: o[i].unwrap_or(0),
        })
        .collect())
}

/// The reading of a rep without a workday, a sale, a visit or an order in
/// the period.
fn not_employed(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "not employed in the period (no workday, visit or order)",
        Lang::Zh => "本期未在职（无工作日、拜访或订单）",
    }
}

/// The gap table of a period from its rep and team scorecards: `period,
/// rep_id, rep_name, team`, the [`GAP_MONEY_COLUMNS`] and `reading` (in
/// `lang`), one row per rep in the rep scorecard's order. Null gap columns
/// for a rep without a team or without sales (no orders table), and for a
/// rep not employed in the period, whose reading says so.
pub(crate) fn gap_table(reps: &DataFrame, teams: &DataFrame, lang: Lang) -> Result<DataFrame> {
    let team_names = texts(teams, "team")?;
    let team_parts = parts_of(teams)?;
    let by_team: HashMap<String, Parts> = team_names
        .into_iter()
        .zip(team_parts)
        .filter_map(|(name, p)| name.map(|n| (n, p)))
        .collect();
    let rep_team = texts(reps, "team")?;
    let rep_parts = parts_of(reps)?;
    let sales = ints(reps, "sales_amount")?;
    let targets = ints(reps, "sales_target")?;
    let n = reps.height();
    let mut money: Vec<Vec<Option<i64>>> = vec![Vec::with_capacity(n); GAP_MONEY_COLUMNS.len()];
    let mut readings: Vec<Option<String>> = Vec::with_capacity(n);
    for i in 0..n {
        let team = rep_team[i].as_ref().and_then(|t| by_team.get(t));
        let p = &rep_parts[i];
        // Someone who neither worked nor sold in the period (left before
        // it, hired after) has no standard to be measured against: saying
        // "at the team standard" with zeros would read as a verdict.
        let absent = p.workdays == 0 && p.sales == 0 && p.visits == 0 && p.orders == 0;
        let g = match (team, sales[i]) {
            (Some(team), Some(_)) if !absent => Some(gap_to_standard(p, team)),
            _ => None,
        };
        let values = [
            sales[i],
            g.map(|g| g.standard),
            g.map(|g| g.gap),
            g.map(|g| g.contrib[0]),
            g.map(|g| g.contrib[1]),
            g.map(|g| g.contrib[2]),
            g.map(|g| g.contrib[3]),
            sales[i].zip(targets[i]).map(|(s, t)| s - t),
        ];
        for (column, v) in money.iter_mut().zip(values) {
            column.push(v);
        }
        readings.push(match (g, absent) {
            (Some(g), _) => Some(reading(&g, lang)),
            (None, true) => Some(not_employed(lang).to_string()),
            (None, false) => None,
        });
    }
    let mut columns: Vec<Column> = ["period", "rep_id", "rep_name", "team"]
        .iter()
        .map(|c| reps.column(c).cloned())
        .collect::<std::result::Result<_, _>>()?;
    for (name, values) in GAP_MONEY_COLUMNS.iter().zip(money) {
        columns.push(Column::new((*name).into(), values));
    }
    columns.push(Column::new("reading".into(), readings));
    Ok(DataFrame::new(n, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(sales: i64, workdays: i64, visits: i64, orders: i64) -> Parts {
        Parts {
            sales,
            workdays,
            visits,
            orders,
        }
    }

    /// Team: 20 workdays, 100 visits, 20 orders, 100,000.00 → per workday 5
    /// visits, conversion 0.2, order value 5,000.00. A rep with 10 workdays
    /// has a standard of 50,000.00.
    const TEAM: Parts = Parts {
        sales: 10_000_000,
        workdays: 20,
        visits: 100,
        orders: 20,
    };

    /// Each driver moving alone takes the whole gap.
    #[test]
    fn a_driver_that_moves_alone_takes_the_whole_gap() {
        // Half the visits (25 instead of 50), same conversion and value:
        // 5 orders × 5,000.00 = 25,000.00, gap −25,000.00, all visits.
        let g = gap_to_standard(&parts(2_500_000, 10, 25, 5), &TEAM);
        assert_eq!(g.standard, 5_000_000);
        assert_eq!(g.gap, -2_500_000);
        assert_eq!(g.contrib, [0, -2_500_000, 0, 0]);
        // Conversion 0.3 on 50 visits: 15 orders × 5,000.00.
        let g = gap_to_standard(&parts(7_500_000, 10, 50, 15), &TEAM);
        assert_eq!(g.contrib, [0, 0, 2_500_000, 0]);
        // Order value 4,000.00 on 10 orders.
        let g = gap_to_standard(&parts(4_000_000, 10, 50, 10), &TEAM);
        assert_eq!(g.contrib, [0, 0, 0, -1_000_000]);
    }

    /// All drivers move: 40 visits (4 a day, −20 %), 12 orders (conversion
    /// 0.3, +50 %), 4,500.00 each (−10 %): 54,000.00 against 50,000.00.
    /// LMDI: L(54,000, 50,000) = 4,000 / ln 1.08 = 51,974.35; visits
    /// L·ln 0.8 = −11,597.74, conversion L·ln 1.5 = +21,073.78, value
    /// L·ln 0.9 = −5,476.04; rounded they sum to 4,000.00 exactly.
    #[test]
    fn every_driver_moving_is_split_by_the_log_mean() {
        let g = gap_to_standard(&parts(5_400_000, 10, 40, 12), &TEAM);
        assert_eq!((g.standard, g.gap), (5_000_000, 400_000));
        let l = 4_000.0 / 1.08f64.ln();
        let expect = [0.0, l * 0.8f64.ln(), l * 1.5f64.ln(), l * 0.9f64.ln()];
        for (got, want) in g.contrib.iter().zip(expect) {
            assert!(
                (*got as f64 / 100.0 - want).abs() <= 0.011,
                "{got} vs {want}"
            );
        }
        assert_eq!(g.contrib.iter().sum::<i64>(), g.gap);
        assert_eq!(
            reading(&g, Lang::En),
            "above the team standard by 4,000.00: conversion +21,073.78, \
             visits per workday −11,597.74, order value −5,476.04"
        );
    }

    /// No order at all: LMDI has no logarithm of 0, so the drivers are
    /// substituted one by one; the missing orders are conversion (order
    /// value takes the team's). Fewer visits first: 30 visits at the team's
    /// conversion and value would sell 30,000.00 (−20,000.00), then no
    /// order (−30,000.00).
    #[test]
    fn without_orders_the_drivers_are_substituted_in_turn() {
        let g = gap_to_standard(&parts(0, 10, 30, 0), &TEAM);
        assert_eq!(g.gap, -5_000_000);
        assert_eq!(g.contrib, [0, -2_000_000, -3_000_000, 0]);
        assert_eq!(
            reading(&g, Lang::Zh),
            "低于团队标准 50,000.00：转化率 −30,000.00，日均拜访 −20,000.00"
        );
    }

    /// Inside sales: no visits, so orders per workday stand for conversion.
    /// 8 orders in 10 days (0.8 a day against the team's 1.0) at 5,000.00.
    #[test]
    fn reps_without_visits_use_orders_per_workday() {
        let g = gap_to_standard(&parts(4_000_000, 10, 0, 8), &TEAM);
        assert_eq!(g.contrib, [0, 0, -1_000_000, 0]);
        // At the standard exactly.
        let g = gap_to_standard(&parts(5_000_000, 10, 0, 10), &TEAM);
        assert_eq!(reading(&g, Lang::En), "at the team standard");
    }

    /// Rounding leaves no cent over: three contributions of a third each.
    #[test]
    fn rounded_contributions_sum_to_the_gap() {
        assert_eq!(rounded_to(100, [33.4, 33.3, 33.3, 0.0]), [34, 33, 33, 0]);
        assert_eq!(rounded_to(-1, [-0.4, -0.4, 0.0, -0.2]), [-1, 0, 0, 0]);
    }
}
