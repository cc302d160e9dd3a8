//! The plan's two tables: the targets (the contract's `targets` table,
//! monthly rows) and the explanation of every unit's share.

use polars::prelude::*;

use crate::column_type::ColumnType;
use crate::money::format_cents_grouped;
use crate::Result;

use super::staffing::months_of;
use super::tree::{Level, Tree, Unit};
use super::{MonthShape, PlanBasis};

/// The targets table's columns, as the contract's `targets` table has them
/// (SPEC section 1): money in cents, counts whole.
pub(crate) const TARGET_COLUMNS: [(&str, ColumnType); 6] = [
    ("period", ColumnType::Text),
    ("rep_id", ColumnType::Text),
    ("sales_target", ColumnType::Money),
    ("collection_target", ColumnType::Money),
    ("visit_target", ColumnType::Count),
    ("new_customer_target", ColumnType::Count),
];

/// One row per rep and month he carries (employed on some day of it), in
/// rep_id then month order: `period` `YYYY-MM`, the sales target, the
/// collection target when asked for, and empty visit and new-customer
/// targets (the plan does not set them, so their attainment stays null
/// rather than measured against a made-up 0).
pub(crate) fn targets_frame(tree: &Tree, year: i32) -> Result<DataFrame> {
    let months = months_of(year);
    let mut reps: Vec<&Unit> = tree
        .units
        .iter()
        .filter(|u| u.level == Level::Rep)
        .collect();
    reps.sort_by(|a, b| a.id.cmp(&b.id));
    let (mut period, mut rep_id, mut sales, mut collection) = (vec![], vec![], vec![], vec![]);
    for rep in reps {
        for (m, month) in months.iter().enumerate() {
            if rep.month_weights[m] <= 0.0 {
                continue;
            }
            period.push(month.to_string());
            rep_id.push(rep.id.clone());
            sales.push(rep.outcome.month_sales[m]);
            collection.push(rep.outcome.month_collection.map(|c| c[m]));
        }
    }
    let n = period.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("period".into(), period),
        Column::new("rep_id".into(), rep_id),
        Column::new("sales_target".into(), sales),
        Column::new("collection_target".into(), collection),
        Column::new("visit_target".into(), vec![None::<i64>; n]),
        Column::new("new_customer_target".into(), vec![None::<i64>; n]),
    ])?)
}

/// The explanation table's columns (shares are ratios in [0, 1]).
pub(crate) const EXPLAIN_COLUMNS: [(&str, ColumnType); 15] = [
    ("level", ColumnType::Text),
    ("unit", ColumnType::Text),
    ("name", ColumnType::Text),
    ("parent", ColumnType::Text),
    ("history_sales", ColumnType::Money),
    ("history_workdays", ColumnType::Count),
    ("history_share", ColumnType::Ratio),
    ("equal_share", ColumnType::Ratio),
    ("blended_share", ColumnType::Ratio),
    ("base_rep_years", ColumnType::Ratio),
    ("rep_years", ColumnType::Ratio),
    ("share_of_parent", ColumnType::Ratio),
    ("sales_target", ColumnType::Money),
    ("collection_target", ColumnType::Money),
    ("why", ColumnType::Text),
];

/// One row per unit (company, regions, teams, reps, in tree order) and
/// one per month of the company: its history, shares, targets and a
/// sentence saying why it got what it got.
pub(crate) fn explain_frame(tree: &Tree, basis: &PlanBasis) -> Result<DataFrame> {
    let mut rows: Vec<ExplainRow> = tree
        .units
        .iter()
        .map(|u| unit_row(tree, u, basis))
        .collect();
    rows.extend(tree.unstaffed.iter().map(|u| unstaffed_row(u, basis.year)));
    rows.extend(month_rows(tree, basis));
    let col_text = |name: &str, f: &dyn Fn(&ExplainRow) -> Option<String>| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    let col_i64 = |name: &str, f: &dyn Fn(&ExplainRow) -> Option<i64>| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    let col_f64 = |name: &str, f: &dyn Fn(&ExplainRow) -> Option<f64>| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new_infer_height(vec![
        col_text("level", &|r| Some(r.level.clone())),
        col_text("unit", &|r| Some(r.unit.clone())),
        col_text("name", &|r| Some(r.name.clone())),
        col_text("parent", &|r| r.parent.clone()),
        col_i64("history_sales", &|r| r.history_sales),
        col_i64("history_workdays", &|r| r.history_workdays),
        col_f64("history_share", &|r| r.history_share),
        col_f64("equal_share", &|r| r.equal_share),
        col_f64("blended_share", &|r| r.blended_share),
        col_f64("base_rep_years", &|r| r.base_rep_years),
        col_f64("rep_years", &|r| r.rep_years),
        col_f64("share_of_parent", &|r| r.share_of_parent),
        col_i64("sales_target", &|r| Some(r.sales_target)),
        col_i64("collection_target", &|r| r.collection_target),
        col_text("why", &|r| Some(r.why.clone())),
    ])?)
}

struct ExplainRow {
    level: String,
    unit: String,
    name: String,
    parent: Option<String>,
    history_sales: Option<i64>,
    history_workdays: Option<i64>,
    history_share: Option<f64>,
    equal_share: Option<f64>,
    blended_share: Option<f64>,
    base_rep_years: Option<f64>,
    rep_years: Option<f64>,
    share_of_parent: Option<f64>,
    sales_target: i64,
    collection_target: Option<i64>,
    why: String,
}

/// `62.5%`: a ratio as a percentage with one decimal.
fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn unit_row(tree: &Tree, u: &Unit, basis: &PlanBasis) -> ExplainRow {
    let parent = u.parent.map(|p| &tree.units[p]);
    let o = &u.outcome;
    let share_of_parent = parent.and_then(|p| {
        (p.outcome.sales_target > 0).then(|| o.sales_target as f64 / p.outcome.sales_target as f64)
    });
    let why = match parent {
        None => company_why(basis),
        Some(p) => unit_why(tree, u, p, basis),
    };
    ExplainRow {
        level: u.level.name().into(),
        unit: u.id.clone(),
        name: u.name.clone(),
        parent: parent.map(|p| p.id.clone()),
        history_sales: u.history_sales,
        history_workdays: u.history_workdays,
        history_share: parent.and(o.history_share),
        equal_share: parent.map(|_| o.equal_share),
        blended_share: parent.map(|_| o.blended_share),
        base_rep_years: u.base_capacity,
        rep_years: Some(u.capacity),
        share_of_parent,
        sales_target: o.sales_target,
        collection_target: o.collection_target,
        why,
    }
}

fn company_why(basis: &PlanBasis) -> String {
    let mut why = match &basis.growth {
        None => format!("the total given: {}", format_cents_grouped(basis.total)),
        Some((g, base_sales)) => format!(
            "base-year sales {} ({}..{}) × (1 + {g}) = {}",
            format_cents_grouped(*base_sales),
            basis.base.start,
            basis.base.end,
            format_cents_grouped(basis.total)
        ),
    };
    if let Some(r) = &basis.collection_ratio {
        why.push_str(&format!("; collections {r} of sales"));
    }
    why
}

fn unit_why(tree: &Tree, u: &Unit, parent: &Unit, basis: &PlanBasis) -> String {
    let (w, year) = (basis.history_weight, basis.year);
    let o = &u.outcome;
    let of_parent = format!(
        "{} of {} `{}`'s {}",
        pct(if parent.outcome.sales_target > 0 {
            o.sales_target as f64 / parent.outcome.sales_target as f64
        } else {
            0.0
        }),
        parent.level.name(),
        parent.id,
        format_cents_grouped(parent.outcome.sales_target)
    );
    if u.fixed.is_some() {
        return format!("fixed by the overrides file: {of_parent}");
    }
    let siblings = match u.level {
        Level::Region => "the company",
        Level::Team => "the region",
        _ => "the team",
    };
    let mut parts = vec![history_clause(u, siblings)];
    parts.push(capacity_clause(u, year));
    let blended = match o.history_share {
        Some(h) => format!(
            "{} of {siblings} at last year's pace; blended {w} × {} + {} × {} (its share of the rep-years) = {}",
            pct(h),
            pct(h),
            round_weight(1.0 - w),
            pct(o.equal_share),
            pct(o.blended_share)
        ),
        None => format!(
            "no history anywhere: its share of the rep-years, {}",
            pct(o.equal_share)
        ),
    };
    parts.push(blended);
    if fixed_under(tree, parent) {
        parts.push(
            "the fixed targets of the overrides under its parent taken out first, the rest spread by these shares"
                .into(),
        );
    }
    parts.push(of_parent);
    parts.join("; ")
}

/// Whether any unit under `unit` has a fixed target.
fn fixed_under(tree: &Tree, unit: &Unit) -> bool {
    unit.children
        .iter()
        .any(|c| tree.units[*c].fixed.is_some() || fixed_under(tree, &tree.units[*c]))
}

/// `0.3` rather than `0.30000000000000004`.
fn round_weight(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `1.5 rep-years`.
fn rep_years(x: f64) -> String {
    format!("{x:.2} rep-years")
}

fn history_clause(u: &Unit, siblings: &str) -> String {
    match (u.history_sales, u.base_capacity, u.outcome.history_share) {
        (_, _, None) => "no base-year sales".into(),
        (Some(s), _, Some(_)) if u.level == Level::Rep => {
            let days = u.history_workdays.unwrap_or(0);
            format!(
                "base-year sales {} over {days} workdays ({} a workday)",
                format_cents_grouped(s),
                format_cents_grouped(if days > 0 {
                    crate::money::div_round_half_away_i128(i128::from(s), i128::from(days)) as i64
                } else {
                    0
                }),
            )
        }
        (Some(s), Some(years), Some(_)) => {
            let departed = if u.departed_sales != 0 {
                format!(
                    ", {} of it by reps who carry nothing now",
                    format_cents_grouped(u.departed_sales)
                )
            } else {
                String::new()
            };
            format!(
                "base-year sales {} by {}{departed} ({} a rep-year)",
                format_cents_grouped(s),
                rep_years(years),
                format_cents_grouped(if years > 0.0 {
                    (s.max(0) as f64 / years).round() as i64
                } else {
                    0
                })
            )
        }
        _ => {
            let what = match (u.level, u.history_workdays) {
                (Level::Rep, Some(days)) => {
                    format!("only {days} workdays in the base year, too few to measure")
                }
                (Level::Rep, None) => "no workday in the base year".into(),
                _ => "nobody in the base year".into(),
            };
            format!("{what}: counted at the mean pace of {siblings}")
        }
    }
}

fn capacity_clause(u: &Unit, year: i32) -> String {
    if u.level != Level::Rep {
        return format!("{} in {year}", rep_years(u.capacity));
    }
    let job = u.employment.unwrap_or(super::staffing::Employment {
        hire: None,
        leave: None,
    });
    let mut why = Vec::new();
    if let (Some(h), true) = (job.hire, u.hired_into_year) {
        why.push(format!("hired {h}"));
    }
    if let Some(l) = job.leave {
        why.push(format!("leaves {l}"));
    }
    if u.capacity >= 1.0 - 1e-12 {
        format!("carries all of {year}")
    } else if why.is_empty() {
        format!("carries {} of {year}", pct(u.capacity))
    } else {
        format!("{}: carries {} of {year}", why.join(", "), pct(u.capacity))
    }
}

/// A team or region that sold in the base year and has nobody now: listed
/// with its base-year sales and a target of 0, so the explanation accounts
/// for all of the base year's sales.
fn unstaffed_row(u: &super::tree::Unstaffed, year: i32) -> ExplainRow {
    ExplainRow {
        level: u.level.name().into(),
        unit: u.id.clone(),
        name: u.id.clone(),
        parent: Some(u.parent.clone()),
        history_sales: Some(u.sales),
        history_workdays: None,
        history_share: None,
        equal_share: None,
        blended_share: None,
        base_rep_years: None,
        rep_years: Some(0.0),
        share_of_parent: Some(0.0),
        sales_target: 0,
        collection_target: None,
        why: format!(
            "base-year sales {} but nobody to carry a target in {year}: its share went to the others",
            format_cents_grouped(u.sales)
        ),
    }
}

fn month_rows(tree: &Tree, basis: &PlanBasis) -> Vec<ExplainRow> {
    let months = months_of(basis.year);
    let reps: Vec<&Unit> = tree
        .units
        .iter()
        .filter(|u| u.level == Level::Rep)
        .collect();
    let total = tree.units[0].outcome.sales_target;
    let shape_sum: f64 = basis.shape.weights.iter().sum();
    months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let sales: i64 = reps.iter().map(|r| r.outcome.month_sales[m]).sum();
            let collection = basis.collection_ratio.as_ref().map(|_| {
                reps.iter()
                    .map(|r| r.outcome.month_collection.map_or(0, |c| c[m]))
                    .sum()
            });
            let weight = basis.shape.weights[m] / shape_sum;
            let why = match &basis.shape.source {
                super::ShapeSource::History => format!(
                    "month shape: base-year sales of month {:02} = {} of the base year",
                    m + 1,
                    pct(weight)
                ),
                super::ShapeSource::Workdays(reason) => format!(
                    "month shape: {} workdays = {} of the year's ({reason})",
                    basis.shape.weights[m],
                    pct(weight)
                ),
            };
            ExplainRow {
                level: "month".into(),
                unit: month.to_string(),
                name: month.to_string(),
                parent: Some("company".into()),
                history_sales: match basis.shape.source {
                    super::ShapeSource::History => Some(basis.shape.history[m]),
                    super::ShapeSource::Workdays(_) => None,
                },
                history_workdays: None,
                history_share: None,
                equal_share: None,
                blended_share: Some(weight),
                base_rep_years: None,
                rep_years: None,
                share_of_parent: (total > 0).then(|| sales as f64 / total as f64),
                sales_target: sales,
                collection_target: collection,
                why,
            }
        })
        .collect()
}

/// The shape's description for the summary line.
pub(crate) fn shape_summary(shape: &MonthShape) -> String {
    match &shape.source {
        super::ShapeSource::History => "months shaped by the base year's sales".into(),
        super::ShapeSource::Workdays(reason) => format!("months shaped by workdays ({reason})"),
    }
}
