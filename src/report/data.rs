//! What a report reads, all of it from the KPI engine: the period's tables,
//! the previous period's, the trailing months' scorecards and the two customer
//! lists; and small readers of KPI table cells.

use super::format::{kind_of, DASH};
use crate::column_type::ColumnType;
use crate::kpi::tables::KpiTable;
use crate::kpi::{Engine, Grouping, Settings};
use crate::period::{Period, PeriodKind};
use crate::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::rc::Rc;

/// What a report knows of its period besides the KPI tables: the period,
/// the as_of cut, the settings shown in the appendix and which input tables
/// were present (to say which absent table would fill an empty section).
pub(super) struct Scope {
    pub(super) period: Period,
    pub(super) as_of: NaiveDate,
    pub(super) pe: NaiveDate,
    pub(super) settings: Settings,
    pub(super) present: Vec<&'static str>,
}

impl Scope {
    pub(super) fn has(&self, table: &str) -> bool {
        self.present.contains(&table)
    }
}

/// Everything a report shows, read from the engine: the period's KPI
/// tables, the previous period's, the 12 trailing months' scorecards, the
/// customers lost in the period and the most overdue customers. Computed
/// once per period and shared by every language and format; the report
/// itself calls no KPI code.
pub(crate) struct ReportData {
    pub(super) scope: Scope,
    pub(super) tables: Rc<Vec<KpiTable>>,
    pub(super) before: Rc<Vec<KpiTable>>,
    pub(super) months: Vec<Month>,
    pub(super) lost: Option<DataFrame>,
    pub(super) overdue: Option<DataFrame>,
}

impl ReportData {
    /// Asks the engine for everything a report of `period` reads (its
    /// tables are memoised, so a run that wrote them computes nothing again).
    pub(crate) fn compute(engine: &Engine, period: &Period) -> Result<ReportData> {
        let pe = engine.period_end(period)?;
        Ok(ReportData {
            scope: Scope {
                period: period.clone(),
                as_of: engine.as_of(),
                pe,
                settings: engine.settings().clone(),
                present: crate::schema::TABLES
                    .iter()
                    .map(|t| t.name)
                    .filter(|n| engine.has_table(n))
                    .collect(),
            },
            tables: engine.tables(period)?,
            before: engine.tables(&period.previous())?,
            months: trailing_months(engine, pe)?,
            lost: engine.lost_customers(period)?,
            overdue: engine.top_overdue_customers(period, OVERDUE_LIST)?,
        })
    }
}

/// Customers listed in the overdue section.
pub(super) const OVERDUE_LIST: usize = 10;

/// One month of the trailing year: its label, company and rep scorecards.
pub(super) struct Month {
    pub(super) label: String,
    pub(super) company: DataFrame,
    pub(super) reps: DataFrame,
}

/// The 12 months ending with the month of the report's PE, each read from
/// the engine (company and rep scorecards, memoised: a nightly run's
/// periods share their months).
pub(super) fn trailing_months(engine: &Engine, pe: NaiveDate) -> Result<Vec<Month>> {
    let mut month = Period::containing(PeriodKind::Month, pe);
    let mut months = Vec::with_capacity(12);
    for _ in 0..12 {
        months.push(Month {
            label: month.to_string(),
            company: engine.scorecard(&month, Grouping::Company)?,
            reps: engine.scorecard(&month, Grouping::Rep)?,
        });
        month = month.previous();
    }
    months.reverse();
    Ok(months)
}

pub(super) fn table<'a>(tables: &'a [KpiTable], name: &str) -> Result<&'a KpiTable> {
    tables
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| Error::Internal(format!("report: the {name} table was not computed")))
}

pub(super) fn number(table: &KpiTable, column: &str, row: usize) -> Result<Option<f64>> {
    let v = table.frame.column(column)?.get(row)?;
    Ok(match kind_of(table, column) {
        ColumnType::Money => v.extract::<i64>().map(|c| c as f64 / 100.0),
        _ => v.extract::<f64>(),
    })
}

/// Rows of a table sorted by a numeric column, descending, nulls last.
pub(super) fn ranked(table: &KpiTable, column: &str) -> Result<Vec<usize>> {
    let values: Vec<Option<f64>> = (0..table.frame.height())
        .map(|r| number(table, column, r))
        .collect::<Result<_>>()?;
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| match (values[a], values[b]) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    Ok(idx)
}

pub(super) fn rows_where(
    table: &KpiTable,
    keep: impl Fn(usize) -> Result<bool>,
) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for r in 0..table.frame.height() {
        if keep(r)? {
            out.push(r);
        }
    }
    Ok(out)
}

pub(super) fn text_cells(table: &KpiTable, column: &str) -> Result<Vec<String>> {
    Ok(table
        .frame
        .column(column)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or(DASH).to_string())
        .collect())
}

/// A column as chart values; null stays null (not drawn, never 0).
pub(super) fn values(table: &KpiTable, column: &str) -> Result<Vec<Option<f64>>> {
    (0..table.frame.height())
        .map(|r| number(table, column, r))
        .collect()
}

/// Money of `column` in row `row` of a frame, in currency units (null stays null).
pub(super) fn units_at(df: &DataFrame, column: &str, row: usize) -> Result<Option<f64>> {
    Ok(df
        .column(column)?
        .get(row)?
        .extract::<i64>()
        .map(|c| c as f64 / 100.0))
}
