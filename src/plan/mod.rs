//! Target decomposition (`salesops plan`, SPEC section 8): a company's
//! sales target for a year, given or grown from the base year, split
//! company → region → team → rep → month, exact to the cent at every
//! level, written as the contract's `targets` table so the next run reads
//! it unchanged, with an explanation of every share.
//!
//! - **History** ([`history`]): the base year is the twelve full months up
//!   to as_of; its sales (the scorecard's `sales_amount`) give the shares
//!   and the month shape.
//! - **Who carries a target** ([`staffing`], [`tree`]): reps of the
//!   `[plan] roles` employed in the plan year; a new hire ramps up over
//!   `ramp_months`; a leaver carries nothing after leave_date.
//! - **The split** ([`decompose`]): blended shares, overrides, largest
//!   remainder; [`allocate`] is the exact arithmetic.
//! - **Month shape**: the base year's company sales per calendar month when
//!   the data cover the whole base year and every month sold; else the plan
//!   year's workdays per month (said in the explanation and a warning).
//!   Refused when neither exists.

pub(crate) mod allocate;
pub(crate) mod decompose;
pub(crate) mod explain;
pub(crate) mod history;
pub(crate) mod merge;
pub(crate) mod overrides;
pub(crate) mod settings;
pub(crate) mod staffing;
pub(crate) mod tree;

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use crate::kpi::Engine;
use crate::money::{div_round_half_away_i128, format_cents_grouped, UNITS_PER_ONE};
use crate::period::{Period, PeriodKind, WorkCalendar};
use crate::{Error, Result};

use history::{read_history, BaseYear, History};
use settings::PlanSettings;
use staffing::{months_of, Employment};
use tree::{StaffRow, Tree, TreeInputs};

/// The year's company total, as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PlanTotal {
    /// A sales target in cents (> 0).
    Given(i64),
    /// Growth over the base year's sales, in 1/10000 (0.12 → 1200), with
    /// the text as written for the explanation.
    Growth(i64, String),
}

/// A collection ratio in 1/10000 (0.95 → 9500) and as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CollectionRatio {
    /// The ratio in 1/10000.
    pub(crate) units: i64,
    /// As written.
    pub(crate) text: String,
}

impl std::fmt::Display for CollectionRatio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// What `salesops plan` was asked.
#[derive(Debug, Clone)]
pub(crate) struct PlanRequest {
    /// The plan year.
    pub(crate) year: i32,
    /// The company total.
    pub(crate) total: PlanTotal,
    /// Collection targets as this share of sales targets.
    pub(crate) collection_ratio: Option<CollectionRatio>,
    /// Fixed targets for some units.
    pub(crate) overrides: Option<PathBuf>,
    /// `[plan]` settings.
    pub(crate) settings: PlanSettings,
}

/// Where the month shape came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ShapeSource {
    /// The base year's company sales per calendar month.
    History,
    /// The plan year's workdays per month, and why history was not used.
    Workdays(String),
}

/// The weight of each month of the plan year.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MonthShape {
    /// Weights, January first (≥ 0, some > 0).
    pub(crate) weights: [f64; 12],
    /// The base year's sales per calendar month (cents).
    pub(crate) history: [i64; 12],
    /// Their source.
    pub(crate) source: ShapeSource,
}

/// What the explanation says about the plan as a whole.
#[derive(Debug, Clone)]
pub(crate) struct PlanBasis {
    /// The plan year.
    pub(crate) year: i32,
    /// The base year.
    pub(crate) base: BaseYear,
    /// The company total (cents).
    pub(crate) total: i64,
    /// The growth as written and the base-year sales it grew, if asked.
    pub(crate) growth: Option<(String, i64)>,
    /// The collection ratio, if asked.
    pub(crate) collection_ratio: Option<CollectionRatio>,
    /// The month shape.
    pub(crate) shape: MonthShape,
    /// `[plan] history_weight`.
    pub(crate) history_weight: f64,
}

/// A finished plan.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The decomposed tree.
    pub(crate) tree: Tree,
    /// The contract's targets table (monthly rows).
    pub(crate) targets: DataFrame,
    /// The explanation table.
    pub(crate) explain: DataFrame,
    /// What the plan rests on.
    pub(crate) basis: PlanBasis,
    /// Things the user should know (a fallback taken).
    pub(crate) warnings: Vec<String>,
}

/// Plans `request` on the engine's data and as_of (see the module doc).
///
/// Errors: usage — `--growth` without a full base year of sales, a total
/// not above 0, no month shape (no history and no workday), nobody to plan
/// for, overrides naming units the plan lacks or not adding up; invalid
/// data — an overrides file that is not readable as documented, a team in
/// two regions.
pub(crate) fn plan(engine: &Engine<'_>, request: &PlanRequest) -> Result<Plan> {
    let history = read_history(engine)?;
    let mut warnings = Vec::new();
    let (total, growth) = company_total(&request.total, &history)?;
    let shape = month_shape(&history, request.year, engine.calendar())?;
    if let ShapeSource::Workdays(reason) = &shape.source {
        warnings.push(format!(
            "months of {} are shaped by workdays, not sales: {reason}",
            request.year
        ));
    }
    let staff = staff_rows(engine)?;
    let mut tree = Tree::build(&TreeInputs {
        staff: &staff,
        history: &history,
        shape: &shape.weights,
        year: request.year,
        calendar: engine.calendar(),
        settings: &request.settings,
    })?;
    if let Some(path) = &request.overrides {
        let list = overrides::read_overrides(path)?;
        overrides::apply_overrides(
            &mut tree,
            &list,
            path,
            (&staff, request.year, &request.settings.roles),
        )?;
    }
    let collection_total = request.collection_ratio.as_ref().map(|r| {
        let c = div_round_half_away_i128(
            i128::from(total) * i128::from(r.units),
            i128::from(UNITS_PER_ONE),
        );
        i64::try_from(c).unwrap_or(i64::MAX)
    });
    decompose::decompose(
        &mut tree,
        total,
        collection_total,
        request.settings.history_weight,
    )?;
    warnings.extend(staffing_warnings(
        &tree,
        request.year,
        request.overrides.is_some(),
    ));
    if let PlanTotal::Growth(units, text) = &request.total {
        if *units <= -UNITS_PER_ONE / 2 {
            warnings.push(format!(
                "--growth {text}: the plan is {}% below the base year's sales",
                -units / 100
            ));
        }
    }
    if let Some(note) = calendar_note(engine, request.year)? {
        warnings.push(note);
    }
    if history.base.end.year() >= request.year {
        warnings.push(format!(
            "the base year {}..{} reaches into {} itself: a plan is meant for a year after its history (check --year and --as-of)",
            history.base.start, history.base.end, request.year
        ));
    }
    if let Some(r) = request
        .collection_ratio
        .as_ref()
        .filter(|r| r.units > UNITS_PER_ONE)
    {
        warnings.push(format!(
            "collection ratio {r}: the collection targets exceed the sales targets (collecting old receivables too?)"
        ));
    }
    let basis = PlanBasis {
        year: request.year,
        base: history.base,
        total,
        growth: growth.map(|g| (g, history.total())),
        collection_ratio: request.collection_ratio.clone(),
        shape,
        history_weight: request.settings.history_weight,
    };
    Ok(Plan {
        targets: explain::targets_frame(&tree, request.year)?,
        explain: explain::explain_frame(&tree, &basis)?,
        tree,
        basis,
        warnings,
    })
}

/// A calendar table with no day of the plan year leaves its workdays at
/// Monday–Friday, without holidays: said, since months and ramps follow
/// workdays.
fn calendar_note(engine: &Engine<'_>, year: i32) -> Result<Option<String>> {
    let Some(calendar) = engine.data().frame("calendar")? else {
        return Ok(None);
    };
    let dates = calendar.column("date")?.date()?;
    if dates.as_date_iter().flatten().any(|d| d.year() == year) {
        return Ok(None);
    }
    Ok(Some(format!(
        "the calendar table has no day of {year}: its workdays are Monday to Friday, without holidays or make-up days; add {year} to the calendar for holiday-aware months"
    )))
}

/// What a reader of the plan must not miss about who carries it: teams or
/// regions that sold in the base year and have nobody now, and reps left
/// with a target of 0 (overrides that took everything).
fn staffing_warnings(tree: &Tree, year: i32, overridden: bool) -> Vec<String> {
    let mut out: Vec<String> = tree
        .unstaffed
        .iter()
        .map(|u| {
            format!(
                "{} `{}` sold {} in the base year but has nobody to carry a target in {year}: its share goes to the others",
                u.level.name(),
                u.id,
                format_cents_grouped(u.sales)
            )
        })
        .collect();
    let zero: Vec<&str> = tree
        .units
        .iter()
        .filter(|u| u.level == tree::Level::Rep && u.outcome.sales_target == 0)
        .map(|u| u.id.as_str())
        .collect();
    if !zero.is_empty() {
        out.push(format!(
            "{} rep(s) get a sales target of 0.00 ({}{}): {}",
            zero.len(),
            zero.iter().take(5).copied().collect::<Vec<_>>().join(", "),
            if zero.len() > 5 { ", …" } else { "" },
            if overridden {
                "the overrides leave nothing for them"
            } else {
                "the total is too small to give them a cent"
            }
        ));
    }
    out
}

/// The company total in cents and the growth text when grown.
fn company_total(asked: &PlanTotal, history: &History) -> Result<(i64, Option<String>)> {
    match asked {
        PlanTotal::Given(cents) if *cents > 0 => Ok((*cents, None)),
        PlanTotal::Given(cents) => Err(Error::Usage(format!(
            "--total {} must be above 0",
            format_cents_grouped(*cents)
        ))),
        PlanTotal::Growth(units, text) if *units > UNITS_PER_ONE => Err(Error::Usage(format!(
            "--growth {text} would be +{}%: write 0.12 for +12 %; to more than double, give --total",
            units / 100
        ))),
        PlanTotal::Growth(units, text) => {
            let base = history.total();
            let (start, end) = (history.base.start, history.base.end);
            if !history.covers_base_year() {
                let hint = as_of_hint(history);
                return Err(Error::Usage(format!(
                    "--growth needs a full base year of sales ({start}..{end}) but {}: give --total, or an --as-of whose last twelve full months the data cover{hint}",
                    history.span()
                )));
            }
            let grown = div_round_half_away_i128(
                i128::from(base) * i128::from(UNITS_PER_ONE + units),
                i128::from(UNITS_PER_ONE),
            );
            let total = i64::try_from(grown)
                .map_err(|_| Error::Usage(format!("--growth {text}: the total does not fit")))?;
            if total <= 0 {
                return Err(Error::Usage(format!(
                    "--growth {text} over base-year sales {} ({start}..{end}) gives a total of {}, not above 0",
                    format_cents_grouped(base),
                    format_cents_grouped(total)
                )));
            }
            Ok((total, Some(text.clone())))
        }
    }
}

/// ` (e.g. --as-of 2026-10-31)`: the month end of the last order, when the
/// data end before as_of's base year does.
fn as_of_hint(history: &History) -> String {
    history
        .last_order
        .map(|d| Period::containing(PeriodKind::Month, d).end)
        .filter(|d| *d < history.base.end)
        .map_or(String::new(), |d| format!(" (e.g. --as-of {d})"))
}

/// The month shape of `year`: the base year's sales per calendar month
/// when the data cover the base year and every month sold, else the
/// year's workdays per month. Errors (usage): neither exists.
fn month_shape(history: &History, year: i32, calendar: &WorkCalendar) -> Result<MonthShape> {
    let (start, end) = (history.base.start, history.base.end);
    let reason = match history.first_order {
        None => Some("there are no orders to learn the months from".to_string()),
        Some(_) if !history.covers_base_year() => Some(format!(
            "{}, not the whole base year {start}..{end}{}",
            history.span(),
            as_of_hint(history)
        )),
        Some(_) => history.month_sales.iter().position(|s| *s <= 0).map(|m| {
            format!(
                "month {:02} of the base year ({start}..{end}) has no net sales",
                m + 1
            )
        }),
    };
    let Some(reason) = reason else {
        let mut weights = [0.0; 12];
        for (w, s) in weights.iter_mut().zip(history.month_sales) {
            *w = s as f64;
        }
        return Ok(MonthShape {
            weights,
            history: history.month_sales,
            source: ShapeSource::History,
        });
    };
    let mut weights = [0.0; 12];
    for (w, m) in weights.iter_mut().zip(months_of(year)) {
        *w = calendar.workdays(m.start, m.end) as f64;
    }
    if weights.iter().all(|w| *w <= 0.0) {
        return Err(Error::Usage(format!(
            "{year} cannot be shaped into months: {reason}, and the calendar has no workday in {year}; add workdays to the calendar table or sales history"
        )));
    }
    Ok(MonthShape {
        weights,
        history: history.month_sales,
        source: ShapeSource::Workdays(reason),
    })
}

/// The reps table as the plan reads it.
fn staff_rows(engine: &Engine<'_>) -> Result<Vec<StaffRow>> {
    let reps = engine
        .data()
        .frame("reps")?
        .ok_or_else(|| Error::Internal("the reps table, required by ingest, is missing".into()))?;
    let text = |name: &str| -> Result<Vec<String>> {
        match reps.column(name) {
            Ok(c) => Ok(c
                .str()?
                .iter()
                .map(|v| v.unwrap_or("").trim().to_string())
                .collect()),
            Err(_) => Ok(vec![String::new(); reps.height()]),
        }
    };
    let date = |name: &str| -> Result<Vec<Option<NaiveDate>>> {
        match reps.column(name) {
            Ok(c) => Ok(c.date()?.as_date_iter().collect()),
            Err(_) => Ok(vec![None; reps.height()]),
        }
    };
    let (ids, names, regions, teams, roles) = (
        text("rep_id")?,
        text("rep_name")?,
        text("region")?,
        text("team")?,
        text("role")?,
    );
    let (hires, leaves) = (date("hire_date")?, date("leave_date")?);
    Ok((0..reps.height())
        .map(|i| StaffRow {
            rep_id: ids[i].clone(),
            rep_name: names[i].clone(),
            region: regions[i].clone(),
            team: teams[i].clone(),
            role: roles[i].clone(),
            job: Employment {
                hire: hires[i],
                leave: leaves[i],
            },
        })
        .collect())
}
