//! What a report reads, all of it from the KPI engine: the period's tables,
//! the previous period's, the trailing months' scorecards and the two customer
//! lists; and small readers of KPI table cells.

use super::audience::Audience;
use super::format::{kind_of, DASH};
use crate::column_type::ColumnType;
use crate::kpi::flags::NotJudged;
use crate::kpi::tables::KpiTable;
use crate::kpi::{Engine, Grouping, Settings};
use crate::lang::Lang;
use crate::period::{Period, PeriodKind};
use crate::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::sync::Arc;

/// What a report knows of its period besides the KPI tables: the period,
/// the as_of cut, the settings shown in the appendix and which input tables
/// were present (to say which absent table would fill an empty section).
#[derive(Clone)]
pub(super) struct Scope {
    pub(super) period: Period,
    pub(super) as_of: NaiveDate,
    pub(super) pe: NaiveDate,
    pub(super) settings: Settings,
    pub(super) present: Vec<&'static str>,
    /// The ISO 4217 code of the data's money, named on money axes; `None`
    /// when not configured (the axes then say "Amount" alone).
    pub(super) currency: Option<String>,
}

impl Scope {
    pub(super) fn has(&self, table: &str) -> bool {
        self.present.contains(&table)
    }
}

/// How reports are set, from `[output]` or the `report` command's flags.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportOptions {
    /// Reps listed at the top and at the bottom of a company or region
    /// report, and teams at each end of its charts.
    pub(crate) top_n: usize,
    /// The ISO 4217 code of the data's money (`CNY`), named on money axes.
    pub(crate) currency: Option<String>,
}

/// A currency as configured: an ISO 4217 code, three capital letters
/// (`CNY`, `USD`); anything else is refused with how to write it.
pub(crate) fn parse_currency(text: &str) -> std::result::Result<String, String> {
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "currency `{text}` is not an ISO 4217 code; write three capital letters, e.g. CNY or USD"
        ))
    }
}

/// Everything a report shows, read from the engine: the period's KPI
/// tables, the previous period's, the 12 trailing months' scorecards, the
/// customers lost in the period and the most overdue customers. Computed
/// once per period and shared by every language and format; the report
/// itself calls no KPI code.
#[derive(Clone)]
pub(crate) struct ReportData {
    pub(super) scope: Scope,
    /// Who the report is for; the tables below hold only what it may see.
    pub(super) audience: Audience,
    /// Reps listed at the top and at the bottom of a company or region
    /// report's leaderboard.
    pub(super) top_n: usize,
    pub(super) tables: Arc<Vec<KpiTable>>,
    pub(super) before: Arc<Vec<KpiTable>>,
    pub(super) months: Vec<Month>,
    pub(super) lost: Option<DataFrame>,
    /// Overdue receivables per customer and credited rep, largest first.
    pub(super) overdue: Option<DataFrame>,
    /// The period's flags table with its sentences in Chinese: the rows
    /// and order of the English `flags` table among `tables`.
    pub(super) flags_zh: DataFrame,
    /// The flag rules that could not be judged for the period.
    pub(super) not_judged: Vec<NotJudged>,
    /// Each rep's gap to his team's standard (`kpi::gap`; the reading is
    /// rewritten in the report's language).
    pub(super) gap: DataFrame,
}

impl ReportData {
    /// Asks the engine for everything the company report of `period` reads
    /// (its tables are memoised, so a run that wrote them computes nothing
    /// again); [`ReportData::for_audience`] narrows it to a team or region.
    pub(crate) fn compute(
        engine: &Engine,
        period: &Period,
        options: &ReportOptions,
    ) -> Result<ReportData> {
        let pe = engine.period_end(period)?;
        let (flags_zh, not_judged) = engine.flags(period, Lang::Zh)?;
        Ok(ReportData {
            audience: Audience::Company,
            top_n: options.top_n,
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
                currency: options.currency.clone(),
            },
            tables: engine.tables(period)?,
            before: engine.tables(&period.previous())?,
            months: trailing_months(engine, pe)?,
            lost: engine.lost_customers(period)?,
            overdue: engine.overdue_by_customer(period)?,
            flags_zh,
            not_judged,
            gap: engine.gap(period, Lang::En)?,
        })
    }

    /// The same data as the audience may see it: the reps of the team or
    /// region and everything about them (their roll-up row as the summary,
    /// their teams and regions, customers they own, lost customers and
    /// overdue receivables credited to them). The company sees everything.
    pub(crate) fn for_audience(&self, audience: &Audience) -> Result<ReportData> {
        let Some(keep) = audience.rep_filter() else {
            return Ok(ReportData {
                audience: Audience::Company,
                ..self.clone()
            });
        };
        let reps = table(&self.tables, "scorecard")?
            .frame
            .clone()
            .lazy()
            .filter(keep.clone())
            .collect()?;
        let ids = reps.column("rep_id")?.as_materialized_series().clone();
        let members = |c: &str| col(c).is_in(lit(ids.clone()).implode(false), false);
        let distinct =
            |c: &str| -> Result<Series> { Ok(reps.column(c)?.as_materialized_series().unique()?) };
        let (teams, regions) = (distinct("team")?, distinct("region")?);
        let within =
            |c: &str, values: &Series| col(c).is_in(lit(values.clone()).implode(false), false);
        let own_row = match audience {
            Audience::Team(t) => ("rollup_team", col("team").eq(lit(t.clone()))),
            Audience::Region(r) => ("rollup_region", col("region").eq(lit(r.clone()))),
            Audience::Company => unreachable!("the company keeps every row"),
        };
        let narrow = |tables: &[KpiTable]| -> Result<Vec<KpiTable>> {
            tables
                .iter()
                .map(|t| {
                    let rows = match t.name {
                        "scorecard" | "aging" => Some(keep.clone()),
                        "rollup_team" => Some(within("team", &teams)),
                        "rollup_region" => Some(within("region", &regions)),
                        "customers" => Some(members("owner")),
                        "funnel" | "flags" => Some(members("rep_id")),
                        _ => None,
                    };
                    let frame = match (t.name, rows) {
                        ("company", _) => table(tables, own_row.0)?
                            .frame
                            .clone()
                            .lazy()
                            .filter(own_row.1.clone())
                            .collect()?,
                        (_, Some(rows)) => t.frame.clone().lazy().filter(rows).collect()?,
                        (_, None) => t.frame.clone(),
                    };
                    Ok(KpiTable {
                        name: t.name,
                        frame,
                        types: t.types.clone(),
                    })
                })
                .collect()
        };
        let months = self
            .months
            .iter()
            .map(|m| {
                let own = match audience {
                    Audience::Team(_) => &m.teams,
                    _ => &m.regions,
                };
                Ok(Month {
                    label: m.label.clone(),
                    company: own.clone().lazy().filter(own_row.1.clone()).collect()?,
                    teams: m
                        .teams
                        .clone()
                        .lazy()
                        .filter(within("team", &teams))
                        .collect()?,
                    regions: m.regions.clone(),
                    reps: m.reps.clone().lazy().filter(keep.clone()).collect()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let credited = |frame: &Option<DataFrame>| -> Result<Option<DataFrame>> {
            frame
                .as_ref()
                .map(|f| Ok(f.clone().lazy().filter(members("rep_id")).collect()?))
                .transpose()
        };
        Ok(ReportData {
            scope: self.scope.clone(),
            audience: audience.clone(),
            top_n: self.top_n,
            tables: Arc::new(narrow(&self.tables)?),
            before: Arc::new(narrow(&self.before)?),
            months,
            lost: credited(&self.lost)?,
            overdue: credited(&self.overdue)?,
            flags_zh: self
                .flags_zh
                .clone()
                .lazy()
                .filter(members("rep_id"))
                .collect()?,
            not_judged: self.not_judged.clone(),
            gap: self
                .gap
                .clone()
                .lazy()
                .filter(members("rep_id"))
                .collect()?,
        })
    }

    /// The rep scorecard of the report's period (the audiences' source).
    pub(crate) fn reps(&self) -> Result<&DataFrame> {
        Ok(&table(&self.tables, "scorecard")?.frame)
    }
}

/// One month of the trailing year: its label and scorecards. `company` is
/// the audience's own row (the company's, or its team's or region's).
#[derive(Clone)]
pub(super) struct Month {
    pub(super) label: String,
    pub(super) company: DataFrame,
    pub(super) teams: DataFrame,
    pub(super) regions: DataFrame,
    pub(super) reps: DataFrame,
}

/// The 12 months ending with the month of the report's PE, with the
/// company, team, region and rep rows of each (sales, gross margin,
/// collections), from the engine's monthly trend: one plan per level,
/// shared by every report of the run with the same months.
fn trailing_months(engine: &Engine, pe: NaiveDate) -> Result<Vec<Month>> {
    let mut month = Period::containing(PeriodKind::Month, pe);
    let mut periods = Vec::with_capacity(12);
    for _ in 0..12 {
        periods.push(month.clone());
        month = month.previous();
    }
    periods.reverse();
    let levels = [
        Grouping::Company,
        Grouping::Team,
        Grouping::Region,
        Grouping::Rep,
    ]
    .map(|g| engine.monthly_trend(&periods, g));
    let [company, teams, regions, reps] = levels;
    let (company, teams, regions, reps) = (company?, teams?, regions?, reps?);
    let of = |frame: &DataFrame, label: &str| -> Result<DataFrame> {
        Ok(frame
            .clone()
            .lazy()
            .filter(col("month").eq(lit(label.to_string())))
            .collect()?)
    };
    periods
        .iter()
        .map(|p| {
            let label = p.to_string();
            Ok(Month {
                company: of(&company, &label)?,
                teams: of(&teams, &label)?,
                regions: of(&regions, &label)?,
                reps: of(&reps, &label)?,
                label,
            })
        })
        .collect()
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
    Ok(ranked_values(&values(table, column)?))
}

/// Indices of `values` sorted descending, nulls last, ties in order.
pub(super) fn ranked_values(values: &[Option<f64>]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| match (values[a], values[b]) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    idx
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
