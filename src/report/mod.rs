//! Reports (HTML so far): a self-contained page per period that reads the KPI
//! tables of the engine — it never recomputes a KPI, so every number agrees
//! with `salesops kpi`. Labels come from the message catalogue
//! `reports/messages.toml`, the page from the template `reports/report.html.j2`.

pub mod charts;
pub mod pdf;

use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::NaiveDate;

use polars::prelude::*;
use serde::Serialize;

use crate::column_type::ColumnType;
use crate::kpi::catalog::Direction;
use crate::kpi::tables::KpiTable;
use crate::kpi::{Engine, Grouping, Settings};
use crate::money::format_cents_grouped;
use crate::period::{Period, PeriodKind};
use crate::{Error, Result};

/// The page template.
const TEMPLATE: &str = include_str!("../../reports/report.html.j2");
/// The message catalogue.
const MESSAGES: &str = include_str!("../../reports/messages.toml");

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The catalogue key and file-name suffix.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// File format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// One self-contained HTML file (inline SVG and CSS).
    Html,
    /// A4 PDF typeset by typst (needs the fonts-noto-cjk package).
    Pdf,
}

impl ReportFormat {
    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }
}

/// Renders the report of the data's period in one language and format.
pub fn render(
    data: &ReportData,
    lang: Lang,
    format: ReportFormat,
    input_rows: &[(String, usize)],
) -> Result<Vec<u8>> {
    let ctx = &data.scope;
    let rendered = match format {
        ReportFormat::Html => render_html(data, lang, input_rows).map(String::into_bytes),
        ReportFormat::Pdf => pdf::render_pdf(data, lang, input_rows),
    };
    rendered.map_err(|e| {
        e.in_report(
            &ctx.period.to_string(),
            lang.code(),
            &format.extension().to_uppercase(),
        )
    })
}

/// Every label of the catalogue in one language.
pub fn catalogue(lang: Lang) -> Result<BTreeMap<String, String>> {
    let all: BTreeMap<String, BTreeMap<String, String>> = toml::from_str(MESSAGES)
        .map_err(|e| Error::Internal(format!("reports/messages.toml: {e}")))?;
    all.into_iter()
        .map(|(key, texts)| {
            texts
                .get(lang.code())
                .cloned()
                .map(|t| (key.clone(), t))
                .ok_or_else(|| {
                    Error::Internal(format!(
                        "reports/messages.toml: `{key}` has no {} text",
                        lang.code()
                    ))
                })
        })
        .collect()
}

/// Null shown as an em dash (explained by a footnote on the page).
const NULL: &str = "—";

/// A value formatted for reading: money with thousands separators and 2
/// decimals, the catalogue's percent columns as percentages, other ratios
/// with 1 decimal, counts as integers.
fn formatted(column: &str, kind: ColumnType, value: &AnyValue) -> String {
    if value.is_null() {
        return NULL.into();
    }
    match kind {
        ColumnType::Money => value
            .extract::<i64>()
            .map_or(NULL.into(), format_cents_grouped),
        ColumnType::Ratio => {
            let v = value.extract::<f64>().unwrap_or(f64::NAN);
            if is_percentage(column) {
                format!("{:.1} %", v * 100.0)
            } else {
                format!("{v:.1}")
            }
        }
        ColumnType::Count => value.extract::<i64>().map_or(NULL.into(), group_thousands),
        ColumnType::Text => value
            .get_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string()),
    }
}

/// Percentages are the columns the catalogue gives the percent unit.
fn is_percentage(column: &str) -> bool {
    crate::kpi::catalog::is_percent(column)
}

fn group_thousands(n: i64) -> String {
    let grouped = format_cents_grouped(n.saturating_mul(100));
    grouped.trim_end_matches(".00").to_string()
}

/// A table ready for the template: headers and formatted cells.
#[derive(Debug, Serialize)]
pub struct HtmlTable {
    /// Column labels.
    pub headers: Vec<String>,
    /// Rows of formatted cells.
    pub rows: Vec<Vec<String>>,
    /// Per column: right-aligned (a number) or not (text).
    pub numeric: Vec<bool>,
    /// Shown instead of the table when it has no rows: "none this period",
    /// or which absent table would fill it.
    pub empty: String,
    /// Shown after the rows when the list was cut ("… and 12 more."), else empty.
    pub more: String,
}

impl HtmlTable {
    /// The table of a section whose source tables are absent: no rows, and
    /// the note saying which tables would fill it.
    fn unavailable(note: String) -> HtmlTable {
        HtmlTable {
            headers: Vec::new(),
            rows: Vec::new(),
            numeric: Vec::new(),
            empty: note,
            more: String::new(),
        }
    }
}

fn kind_of(table: &KpiTable, column: &str) -> ColumnType {
    table
        .types
        .iter()
        .find(|(n, _)| n == column)
        .map_or(ColumnType::Text, |(_, t)| *t)
}

/// Picks and formats `columns` of `rows` (row indices) of a KPI table.
fn html_table(
    table: &KpiTable,
    rows: &[usize],
    columns: &[&str],
    t: &BTreeMap<String, String>,
) -> Result<HtmlTable> {
    let mut out = Vec::new();
    for &r in rows {
        let mut cells = Vec::new();
        for c in columns {
            let v = table.frame.column(c)?.get(r)?;
            cells.push(formatted(c, kind_of(table, c), &v));
        }
        out.push(cells);
    }
    Ok(HtmlTable {
        headers: columns.iter().map(|c| label(t, c)).collect(),
        rows: out,
        numeric: columns
            .iter()
            .map(|c| kind_of(table, c) != ColumnType::Text)
            .collect(),
        empty: label(t, "none"),
        more: String::new(),
    })
}

fn label(t: &BTreeMap<String, String>, key: &str) -> String {
    t.get(key).cloned().unwrap_or_else(|| key.to_string())
}

/// Lists of the exception section show at most this many rows, then a count
/// of the rest.
const LIST_LIMIT: usize = 10;

/// "Not available: needs the X table" when any of `tables` is absent from
/// the data, naming the absent ones; `None` when all are present.
fn needs(ctx: &Scope, tables: &[&str], t: &BTreeMap<String, String>) -> Option<String> {
    let absent: Vec<&str> = tables.iter().copied().filter(|n| !ctx.has(n)).collect();
    (!absent.is_empty()).then(|| label(t, "needs_tables").replace("{tables}", &absent.join(", ")))
}

/// "… and N more." for a list cut at [`LIST_LIMIT`] out of `total` rows.
fn more_text(total: usize, shown: usize, t: &BTreeMap<String, String>) -> String {
    if total > shown {
        label(t, "and_more").replace("{n}", &group_thousands((total - shown) as i64))
    } else {
        String::new()
    }
}

fn table<'a>(tables: &'a [KpiTable], name: &str) -> Result<&'a KpiTable> {
    tables
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| Error::Internal(format!("report: the {name} table was not computed")))
}

fn number(table: &KpiTable, column: &str, row: usize) -> Result<Option<f64>> {
    let v = table.frame.column(column)?.get(row)?;
    Ok(match kind_of(table, column) {
        ColumnType::Money => v.extract::<i64>().map(|c| c as f64 / 100.0),
        _ => v.extract::<f64>(),
    })
}

/// One line of the summary: this period against target and the previous period.
#[derive(Debug, Serialize)]
pub struct SummaryLine {
    label: String,
    value: String,
    target: String,
    attainment: String,
    previous: String,
    delta: String,
    arrow: String,
    /// `good`, `bad` or empty: whether the change is an improvement.
    tone: String,
}

/// KPIs of the summary with their target column, if any.
const SUMMARY: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "sales_amount",
        Some("sales_target"),
        Some("sales_attainment"),
    ),
    ("gross_margin", None, None),
    ("gross_margin_pct", None, None),
    (
        "collected_amount",
        Some("collection_target"),
        Some("collection_attainment"),
    ),
    ("orders", None, None),
    ("visits", None, None),
    ("orders_per_100_visits", None, None),
    ("receivables_end", None, None),
    ("dso_days", None, None),
    ("new_customers", None, None),
    ("lost_customers", None, None),
    ("win_rate", None, None),
];

fn summary(
    now: &KpiTable,
    before: &KpiTable,
    t: &BTreeMap<String, String>,
) -> Result<Vec<SummaryLine>> {
    let mut lines = Vec::new();
    for (column, target, attainment) in SUMMARY {
        let kind = kind_of(now, column);
        let cell = |tab: &KpiTable, c: &str| -> Result<String> {
            Ok(formatted(c, kind_of(tab, c), &tab.frame.column(c)?.get(0)?))
        };
        let (a, b) = (number(now, column, 0)?, number(before, column, 0)?);
        let (delta, arrow) = match (a, b) {
            (Some(a), Some(b)) => {
                let d = a - b;
                let text = match kind {
                    ColumnType::Money => format_cents_grouped((d * 100.0).round() as i64),
                    ColumnType::Ratio if is_percentage(column) => format!("{:.1} pt", d * 100.0),
                    ColumnType::Ratio => format!("{d:.1}"),
                    _ => group_thousands(d.round() as i64),
                };
                let arrow = if d > 0.0 {
                    "▲"
                } else if d < 0.0 {
                    "▼"
                } else {
                    "＝"
                };
                (text, arrow.to_string())
            }
            _ => (NULL.into(), String::new()),
        };
        let direction = crate::kpi::catalog::lookup(column).map(|k| k.direction);
        let rising_is_good = direction != Some(Direction::LowerIsBetter);
        let neutral = direction == Some(Direction::Neutral);
        let tone = match arrow.as_str() {
            _ if neutral => "",
            "▲" if rising_is_good => "good",
            "▼" if !rising_is_good => "good",
            "▲" | "▼" => "bad",
            _ => "",
        };
        lines.push(SummaryLine {
            label: label(t, column),
            value: cell(now, column)?,
            target: target
                .map(|c| cell(now, c))
                .transpose()?
                .unwrap_or_default(),
            attainment: attainment
                .map(|c| cell(now, c))
                .transpose()?
                .unwrap_or_default(),
            previous: cell(before, column)?,
            delta,
            arrow,
            tone: tone.into(),
        });
    }
    Ok(lines)
}

/// "Attainment counts reps with a target only; 5,000.00 of sales are by
/// reps without one" when some rep without a sales target sold anything.
fn attainment_note(reps: &KpiTable, t: &BTreeMap<String, String>) -> Result<String> {
    let mut cents = 0i64;
    for r in 0..reps.frame.height() {
        let target = reps.frame.column("sales_target")?.get(r)?;
        if target.is_null() {
            cents += reps
                .frame
                .column("sales_amount")?
                .get(r)?
                .extract::<i64>()
                .unwrap_or(0);
        }
    }
    Ok(if cents == 0 {
        String::new()
    } else {
        label(t, "attainment_note").replace("{amount}", &format_cents_grouped(cents))
    })
}

/// Rows of a table sorted by a numeric column, descending, nulls last.
fn ranked(table: &KpiTable, column: &str) -> Result<Vec<usize>> {
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

fn rows_where(table: &KpiTable, keep: impl Fn(usize) -> Result<bool>) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for r in 0..table.frame.height() {
        if keep(r)? {
            out.push(r);
        }
    }
    Ok(out)
}

fn text_cells(table: &KpiTable, column: &str) -> Result<Vec<String>> {
    Ok(table
        .frame
        .column(column)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or(NULL).to_string())
        .collect())
}

/// A column as chart values; null stays null (not drawn, never 0).
fn values(table: &KpiTable, column: &str) -> Result<Vec<Option<f64>>> {
    (0..table.frame.height())
        .map(|r| number(table, column, r))
        .collect()
}

/// A chart with its caption; without anything to plot, `svg` is empty and
/// `note` says why (no data this period, or which table is absent).
#[derive(Debug, Serialize)]
pub struct Chart {
    title: String,
    svg: String,
    note: String,
}

impl Chart {
    /// A chart from a drawing that may have had nothing to plot; `needed`
    /// are the tables whose absence explains an empty chart.
    fn new(
        ctx: &Scope,
        title: String,
        svg: Option<String>,
        needed: &[&str],
        t: &BTreeMap<String, String>,
    ) -> Chart {
        match svg {
            Some(svg) => Chart {
                title,
                svg,
                note: String::new(),
            },
            None => Chart {
                title,
                svg: String::new(),
                note: needs(ctx, needed, t).unwrap_or_else(|| label(t, "no_chart_data")),
            },
        }
    }
}

/// One month of the trailing year: its label, company and rep scorecards.
struct Month {
    label: String,
    company: DataFrame,
    reps: DataFrame,
}

/// The 12 months ending with the month of the report's PE, each read from
/// the engine (company and rep scorecards, memoised: a nightly run's
/// periods share their months).
fn trailing_months(engine: &Engine, pe: NaiveDate) -> Result<Vec<Month>> {
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

/// Money of `column` in row `row` of a frame, in currency units (null stays null).
fn units_at(df: &DataFrame, column: &str, row: usize) -> Result<Option<f64>> {
    Ok(df
        .column(column)?
        .get(row)?
        .extract::<i64>()
        .map(|c| c as f64 / 100.0))
}

fn trend(ctx: &Scope, months: &[Month], t: &BTreeMap<String, String>) -> Result<Chart> {
    let labels: Vec<String> = months.iter().map(|m| m.label.clone()).collect();
    let series = ["sales_amount", "gross_margin", "collected_amount"]
        .iter()
        .map(|c| {
            let values = months
                .iter()
                .map(|m| units_at(&m.company, c, 0))
                .collect::<Result<Vec<_>>>()?;
            Ok((label(t, c), values))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Chart::new(
        ctx,
        label(t, "chart_trend"),
        charts::lines(&labels, &series)?,
        &["orders", "payments"],
        t,
    ))
}

/// One rep's page: the scorecard against target, team median and previous period.
#[derive(Debug, Serialize)]
struct RepPage {
    rep_id: String,
    rep_name: String,
    team: String,
    rows: Vec<Vec<String>>,
    /// The rep's sales trend, empty when there is nothing to plot.
    svg: String,
    /// Why the trend is not drawn, else empty.
    note: String,
}

/// KPIs of a rep page with their target column.
const REP_PAGE: &[(&str, Option<&str>)] = &[
    ("sales_amount", Some("sales_target")),
    ("sales_attainment", None),
    ("gross_margin_pct", None),
    ("visits", None),
    ("orders", None),
    ("orders_per_100_visits", None),
    ("collected_amount", Some("collection_target")),
    ("dso_days", None),
    ("new_customers", None),
    ("legacy_sales_share", None),
    ("discount_violations", None),
];

/// Median of the non-null values, formatted like the column.
fn median_text(column: &str, kind: ColumnType, mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return NULL.into();
    }
    let m = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    match kind {
        ColumnType::Money => format_cents_grouped((m * 100.0).round() as i64),
        ColumnType::Count if m.fract() != 0.0 => format!("{m:.1}"),
        ColumnType::Count => group_thousands(m as i64),
        _ => formatted(column, kind, &AnyValue::Float64(m)),
    }
}

fn rep_pages(
    ctx: &Scope,
    reps: &KpiTable,
    before: &KpiTable,
    months: &[Month],
    t: &BTreeMap<String, String>,
) -> Result<Vec<RepPage>> {
    let ids = text_cells(reps, "rep_id")?;
    let teams = text_cells(reps, "team")?;
    let names = text_cells(reps, "rep_name")?;
    let before_ids = text_cells(before, "rep_id")?;
    let labels: Vec<String> = months.iter().map(|m| m.label.clone()).collect();
    let mut pages = Vec::new();
    for (r, id) in ids.iter().enumerate() {
        let mates: Vec<usize> = (0..ids.len()).filter(|&i| teams[i] == teams[r]).collect();
        let prev = before_ids.iter().position(|b| b == id);
        let mut rows = Vec::new();
        for (column, target) in REP_PAGE {
            let kind = kind_of(reps, column);
            let cell = |tab: &KpiTable, c: &str, row: usize| -> Result<String> {
                Ok(formatted(
                    c,
                    kind_of(tab, c),
                    &tab.frame.column(c)?.get(row)?,
                ))
            };
            let mate_values = mates
                .iter()
                .map(|&i| number(reps, column, i))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            rows.push(vec![
                label(t, column),
                cell(reps, column, r)?,
                target
                    .map(|c| cell(reps, c, r))
                    .transpose()?
                    .unwrap_or_default(),
                median_text(column, kind, mate_values),
                prev.map(|p| cell(before, column, p))
                    .transpose()?
                    .unwrap_or_else(|| NULL.into()),
            ]);
        }
        let sales = months
            .iter()
            .map(|m| {
                let row = m
                    .reps
                    .column("rep_id")?
                    .str()?
                    .iter()
                    .position(|v| v == Some(id.as_str()));
                row.map_or(Ok(None), |row| units_at(&m.reps, "sales_amount", row))
            })
            .collect::<Result<Vec<_>>>()?;
        let trend = Chart::new(
            ctx,
            String::new(),
            charts::lines_sized((560, 200), &labels, &[(label(t, "sales_amount"), sales)])?,
            &["orders"],
            t,
        );
        pages.push(RepPage {
            rep_id: id.clone(),
            rep_name: names[r].clone(),
            team: teams[r].clone(),
            rows,
            svg: trend.svg,
            note: trend.note,
        });
    }
    Ok(pages)
}

fn chart_list(
    ctx: &Scope,
    months: &[Month],
    tables: &[KpiTable],
    t: &BTreeMap<String, String>,
) -> Result<Vec<Chart>> {
    let teams = table(tables, "rollup_team")?;
    let reps = table(tables, "scorecard")?;
    let mut out = vec![Chart::new(
        ctx,
        label(t, "chart_team_target"),
        charts::grouped_bars(
            &text_cells(teams, "team")?,
            &[
                (label(t, "sales_amount"), values(teams, "sales_amount")?),
                (label(t, "target"), values(teams, "sales_target")?),
            ],
            Some((
                label(t, "sales_attainment"),
                (0..teams.frame.height())
                    .map(|r| number(teams, "sales_attainment", r))
                    .collect::<Result<_>>()?,
            )),
        )?,
        &["orders", "targets"],
        t,
    )];
    out.push(trend(ctx, months, t)?);
    let funnel_chart = match table(tables, "funnel") {
        Ok(funnel) => {
            let all = rows_where(funnel, |r| Ok(text_cells(funnel, "rep_id")?[r] == "ALL"))?;
            match all.first() {
                Some(&row) => {
                    let stages: Vec<String> = funnel
                        .frame
                        .get_column_names()
                        .iter()
                        .filter_map(|c| c.strip_prefix("reached_").map(str::to_string))
                        .collect();
                    let reached: Vec<Option<f64>> = stages
                        .iter()
                        .map(|s| number(funnel, &format!("reached_{s}"), row))
                        .collect::<Result<_>>()?;
                    charts::grouped_bars(&stages, &[(label(t, "chart_funnel"), reached)], None)?
                }
                None => None,
            }
        }
        Err(_) => None,
    };
    out.push(Chart::new(
        ctx,
        label(t, "chart_funnel"),
        funnel_chart,
        &["opportunities", "opportunity_stages"],
        t,
    ));
    let buckets = ["not_due", "1_30", "31_60", "61_90", "91_plus"];
    out.push(Chart::new(
        ctx,
        label(t, "chart_aging"),
        charts::stacked_bars(
            &text_cells(teams, "team")?,
            &buckets
                .iter()
                .map(|b| Ok((b.to_string(), values(teams, &format!("aging_{b}"))?)))
                .collect::<Result<Vec<_>>>()?,
        )?,
        &["invoices"],
        t,
    ));
    let ids = text_cells(reps, "rep_id")?;
    let visits = values(reps, "visits")?;
    let orders = values(reps, "orders")?;
    out.push(Chart::new(
        ctx,
        label(t, "chart_quadrant"),
        charts::quadrant(
            &ids.iter()
                .zip(visits.iter().zip(&orders))
                .filter_map(|(i, (v, o))| Some((i.clone(), (*v)?, (*o)?)))
                .collect::<Vec<_>>(),
            &label(t, "visits"),
            &label(t, "orders"),
        )?,
        &["visits", "orders"],
        t,
    ));
    out.push(Chart::new(
        ctx,
        label(t, "chart_legacy"),
        charts::grouped_bars(
            &ids,
            &[(
                label(t, "legacy_sales_share"),
                values(reps, "legacy_sales_share")?
                    .iter()
                    .map(|v| v.map(|v| v * 100.0))
                    .collect(),
            )],
            None,
        )?,
        &["orders"],
        t,
    ));
    Ok(out)
}

/// The customers lost in the period — exactly those the scorecard's
/// `lost_customers` counts (rule 7), not every customer whose status is
/// `lost` — ranked by trailing-12-month sales (then customer_id), at most
/// [`LIST_LIMIT`] with the count of the rest. `None` without orders.
fn lost_table(
    lost: Option<&DataFrame>,
    customers: Option<&KpiTable>,
    t: &BTreeMap<String, String>,
) -> Result<Option<HtmlTable>> {
    let Some(lost) = lost.map(|l| l.clone().lazy()) else {
        return Ok(None);
    };
    let view = match customers {
        Some(c) => c.frame.clone().lazy().select([
            col("customer_id"),
            col("customer_name"),
            col("sales_t12m"),
        ]),
        None => DataFrame::new(
            0,
            vec![
                Column::new("customer_id".into(), Vec::<String>::new()),
                Column::new("customer_name".into(), Vec::<String>::new()),
                Column::new("sales_t12m".into(), Vec::<i64>::new()),
            ],
        )?
        .lazy(),
    };
    let ranked = lost
        .join(
            view,
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Left),
        )
        .sort_by_exprs(
            [col("sales_t12m"), col("customer_id")],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_nulls_last(true),
        )
        .select([
            col("customer_id"),
            col("customer_name"),
            col("rep_id"),
            col("last_order_date").cast(DataType::String),
            col("sales_t12m"),
        ])
        .collect()?;
    let total = ranked.height();
    let shown = ranked.head(Some(LIST_LIMIT));
    let columns = [
        ("customer_id", ColumnType::Text),
        ("customer_name", ColumnType::Text),
        ("rep_id", ColumnType::Text),
        ("last_order_date", ColumnType::Text),
        ("sales_t12m", ColumnType::Money),
    ];
    let as_table = KpiTable {
        name: "lost_customers",
        types: columns.iter().map(|(c, k)| (c.to_string(), *k)).collect(),
        frame: shown,
    };
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let mut html = html_table(
        &as_table,
        &(0..as_table.frame.height()).collect::<Vec<_>>(),
        &names,
        t,
    )?;
    html.more = more_text(total, as_table.frame.height(), t);
    Ok(Some(html))
}

/// The ten customers with the largest overdue receivables at PE, from the
/// receivables engine, with their names from the customer view.
fn overdue_table(
    top: Option<&DataFrame>,
    customers: Option<&KpiTable>,
    t: &BTreeMap<String, String>,
) -> Result<Option<HtmlTable>> {
    let Some(top) = top else {
        return Ok(None);
    };
    let names: BTreeMap<String, String> = match customers {
        Some(c) => text_cells(c, "customer_id")?
            .into_iter()
            .zip(text_cells(c, "customer_name")?)
            .collect(),
        None => BTreeMap::new(),
    };
    let ids = top.column("customer_id")?.str()?;
    let overdue = top.column("overdue")?.i64()?;
    let late = top.column("max_days_past_due")?.i64()?;
    let rows = (0..top.height())
        .map(|r| {
            let id = ids.get(r).unwrap_or_default().to_string();
            vec![
                names.get(&id).cloned().unwrap_or_else(|| NULL.into()),
                overdue.get(r).map_or(NULL.into(), format_cents_grouped),
                late.get(r).map_or(NULL.into(), group_thousands),
                id,
            ]
        })
        .map(|mut row| {
            row.rotate_right(1);
            row
        })
        .collect();
    Ok(Some(HtmlTable {
        headers: [
            "customer_id",
            "customer_name",
            "overdue_end",
            "max_days_past_due",
        ]
        .iter()
        .map(|c| label(t, c))
        .collect(),
        rows,
        numeric: vec![false, false, true, true],
        empty: label(t, "none"),
        more: String::new(),
    }))
}

/// Everything the template shows.
#[derive(Debug, Serialize)]
struct Page {
    lang: &'static str,
    t: BTreeMap<String, String>,
    period: String,
    as_of: String,
    pe: String,
    previous_period: String,
    summary: Vec<SummaryLine>,
    /// Under the summary: sales of reps without a target, which the
    /// headline attainment leaves out (SPEC rule 11); empty when none.
    attainment_note: String,
    leaderboard: HtmlTable,
    teams: HtmlTable,
    regions: HtmlTable,
    charts: Vec<Chart>,
    rep_pages: Vec<RepPage>,
    below_80: HtmlTable,
    discount: HtmlTable,
    low_conversion: HtmlTable,
    lost: HtmlTable,
    overdue: HtmlTable,
    definitions: Vec<(String, String, String)>,
    settings: Vec<(String, String)>,
    inputs: Vec<(String, usize)>,
}

const BOARD: &[&str] = &[
    "rep_id",
    "rep_name",
    "team",
    "sales_amount",
    "sales_attainment",
    "gross_margin_pct",
    "orders_per_100_visits",
    "collected_amount",
    "dso_days",
];
const GROUP_COLUMNS: &[&str] = &[
    "reps",
    "sales_amount",
    "sales_target",
    "sales_attainment",
    "gross_margin_pct",
    "orders_per_100_visits",
    "collected_amount",
    "dso_days",
];

/// Renders the HTML report of the context's period in `lang`; `input_rows`
/// are the row counts of the inputs, for the appendix.
pub fn render_html(
    data: &ReportData,
    lang: Lang,
    input_rows: &[(String, usize)],
) -> Result<String> {
    let page = build_page(data, lang, input_rows)?;
    let mut env = minijinja::Environment::new();
    // Every value is HTML-escaped, whatever the template's name: text from
    // the data (a rep named `<img onerror=…>`) never becomes markup. The
    // charts are the one `safe` input: plotters escapes their text.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report", TEMPLATE)
        .map_err(|e| Error::Internal(format!("reports/report.html.j2: {e}")))?;
    env.get_template("report")
        .and_then(|tpl| tpl.render(minijinja::Value::from_serialize(&page)))
        .map_err(|e| Error::Internal(format!("rendering the report: {e}")))
}

/// What a report knows of its period besides the KPI tables: the period,
/// the as_of cut, the settings shown in the appendix and which input tables
/// were present (to say which absent table would fill an empty section).
pub(crate) struct Scope {
    period: Period,
    as_of: NaiveDate,
    pe: NaiveDate,
    settings: Settings,
    present: Vec<&'static str>,
}

impl Scope {
    fn has(&self, table: &str) -> bool {
        self.present.contains(&table)
    }
}

/// Everything a report shows, read from the engine: the period's KPI
/// tables, the previous period's, the 12 trailing months' scorecards, the
/// customers lost in the period and the most overdue customers. Computed
/// once per period and shared by every language and format; the report
/// itself calls no KPI code.
pub struct ReportData {
    scope: Scope,
    tables: Rc<Vec<KpiTable>>,
    before: Rc<Vec<KpiTable>>,
    months: Vec<Month>,
    lost: Option<DataFrame>,
    overdue: Option<DataFrame>,
}

/// Customers listed in the overdue section.
const OVERDUE_LIST: usize = 10;

impl ReportData {
    /// Asks the engine for everything a report of `period` reads (its
    /// tables are memoised, so a run that wrote them computes nothing again).
    pub fn compute(engine: &Engine, period: &Period) -> Result<ReportData> {
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

    /// The period's KPI tables.
    pub fn tables(&self) -> &[KpiTable] {
        &self.tables
    }
}

fn build_page(data: &ReportData, lang: Lang, input_rows: &[(String, usize)]) -> Result<Page> {
    let ctx = &data.scope;
    let t = catalogue(lang)?;
    let previous = ctx.period.previous();
    let (tables, before, months) = (&data.tables, &data.before, &data.months);
    let reps = table(tables, "scorecard")?;
    let teams = table(tables, "rollup_team")?;
    let regions = table(tables, "rollup_region")?;
    let with_columns = |cols: &[&str], first: &str| -> Vec<String> {
        std::iter::once(first.to_string())
            .chain(cols.iter().map(|c| c.to_string()))
            .collect()
    };
    let team_cols = with_columns(GROUP_COLUMNS, "team");
    let region_cols = with_columns(GROUP_COLUMNS, "region");
    let below = rows_where(reps, |r| {
        Ok(number(reps, "sales_attainment", r)?.is_some_and(|a| a < 0.8))
    })?;
    let discount = rows_where(reps, |r| {
        Ok(number(reps, "discount_violations", r)?.is_some_and(|v| v > 0.0))
    })?;
    let customers = table(tables, "customers").ok();
    // low_conversion is Boolean (null without visits or orders: not flagged).
    let low_conversion = match (
        needs(ctx, &["customers", "visits", "orders"], &t),
        customers,
    ) {
        (None, Some(c)) => {
            let rows = rows_where(c, |r| {
                Ok(c.frame.column("low_conversion")?.bool()?.get(r) == Some(true))
            })?;
            let mut html = html_table(
                c,
                &rows[..rows.len().min(LIST_LIMIT)],
                &[
                    "customer_id",
                    "customer_name",
                    "owner",
                    "sales_t12m",
                    "days_since_last_order",
                ],
                &t,
            )?;
            html.more = more_text(rows.len(), rows.len().min(LIST_LIMIT), &t);
            html
        }
        (note, _) => HtmlTable::unavailable(note.unwrap_or_else(|| label(&t, "none"))),
    };
    let or_needs = |html: Option<HtmlTable>, tables: &[&str]| {
        html.unwrap_or_else(|| {
            HtmlTable::unavailable(needs(ctx, tables, &t).unwrap_or_else(|| label(&t, "none")))
        })
    };
    let lost = or_needs(lost_table(data.lost.as_ref(), customers, &t)?, &["orders"]);
    let overdue = or_needs(
        overdue_table(data.overdue.as_ref(), customers, &t)?,
        &["invoices", "payments"],
    );
    let section = |html: HtmlTable, tables: &[&str]| match needs(ctx, tables, &t) {
        Some(note) => HtmlTable::unavailable(note),
        None => html,
    };
    let page = Page {
        lang: lang.code(),
        period: ctx.period.to_string(),
        as_of: ctx.as_of.to_string(),
        pe: ctx.pe.to_string(),
        previous_period: previous.to_string(),
        summary: summary(table(tables, "company")?, table(before, "company")?, &t)?,
        attainment_note: attainment_note(reps, &t)?,
        leaderboard: html_table(reps, &ranked(reps, "sales_attainment")?, BOARD, &t)?,
        teams: html_table(
            teams,
            &(0..teams.frame.height()).collect::<Vec<_>>(),
            &team_cols.iter().map(String::as_str).collect::<Vec<_>>(),
            &t,
        )?,
        regions: html_table(
            regions,
            &(0..regions.frame.height()).collect::<Vec<_>>(),
            &region_cols.iter().map(String::as_str).collect::<Vec<_>>(),
            &t,
        )?,
        charts: chart_list(ctx, months, tables, &t)?,
        rep_pages: rep_pages(ctx, reps, table(before, "scorecard")?, months, &t)?,
        below_80: section(
            html_table(
                reps,
                &below,
                &[
                    "rep_id",
                    "rep_name",
                    "team",
                    "sales_amount",
                    "sales_target",
                    "sales_attainment",
                ],
                &t,
            )?,
            &["orders", "targets"],
        ),
        discount: section(
            html_table(
                reps,
                &discount,
                &["rep_id", "rep_name", "team", "discount_violations"],
                &t,
            )?,
            &["orders"],
        ),
        low_conversion,
        lost,
        overdue,
        definitions: crate::kpi::catalog::CATALOG
            .iter()
            .map(|k| (label(&t, k.name), k.name.to_string(), k.formula.to_string()))
            .collect(),
        settings: vec![
            ("churn_days".into(), ctx.settings.churn_days.to_string()),
            ("legacy_days".into(), ctx.settings.legacy_days.to_string()),
            ("stages".into(), ctx.settings.stages.join(" → ")),
            ("as_of".into(), ctx.as_of.to_string()),
        ],
        inputs: input_rows.to_vec(),
        t,
    };
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_exists_in_both_languages() {
        let zh = catalogue(Lang::Zh).unwrap();
        let en = catalogue(Lang::En).unwrap();
        assert_eq!(zh.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        for (c, _, _) in SUMMARY {
            assert!(zh.contains_key(*c), "{c}");
        }
        for c in BOARD
            .iter()
            .chain(GROUP_COLUMNS)
            .filter(|c| **c != "sales_target")
        {
            assert!(zh.contains_key(*c), "{c}");
        }
    }

    #[test]
    fn every_catalogued_kpi_has_a_label_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let t = catalogue(lang).unwrap();
            for k in crate::kpi::catalog::CATALOG {
                assert!(
                    t.contains_key(k.name),
                    "reports/messages.toml: no {} label for `{}`",
                    lang.code(),
                    k.name
                );
            }
        }
    }

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(
            formatted(
                "sales_amount",
                ColumnType::Money,
                &AnyValue::Int64(123_456_789)
            ),
            "1,234,567.89"
        );
        assert_eq!(
            formatted(
                "sales_attainment",
                ColumnType::Ratio,
                &AnyValue::Float64(0.8125)
            ),
            "81.2 %"
        );
        assert_eq!(
            formatted("dso_days", ColumnType::Ratio, &AnyValue::Float64(45.06)),
            "45.1"
        );
        assert_eq!(
            formatted("visits", ColumnType::Count, &AnyValue::Int64(-1234567)),
            "-1,234,567"
        );
        assert_eq!(
            formatted("dso_days", ColumnType::Ratio, &AnyValue::Null),
            "—"
        );
    }
}
