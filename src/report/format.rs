//! Numbers and cells formatted for reading: money with thousands separators,
//! the catalogue's percent columns as percentages, null as an em dash.

use super::i18n::label;
use crate::column_type::ColumnType;
use crate::kpi::tables::KpiTable;
use crate::money::format_cents_grouped;
use crate::Result;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Null shown as an em dash (explained by a footnote on the page).
pub(super) const DASH: &str = "—";

/// A value formatted for reading: money with thousands separators and 2
/// decimals, the catalogue's percent columns as percentages, other ratios
/// with 1 decimal, counts as integers.
pub(super) fn formatted(column: &str, kind: ColumnType, value: &AnyValue) -> String {
    if value.is_null() {
        return DASH.into();
    }
    match kind {
        ColumnType::Money => value
            .extract::<i64>()
            .map_or(DASH.into(), format_cents_grouped),
        ColumnType::Ratio => {
            let v = value.extract::<f64>().unwrap_or(f64::NAN);
            if is_percentage(column) {
                format!("{:.1} %", v * 100.0)
            } else {
                format!("{v:.1}")
            }
        }
        ColumnType::Count => value.extract::<i64>().map_or(DASH.into(), group_thousands),
        ColumnType::Text => value
            .get_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string()),
    }
}

/// Percentages are the columns the catalogue gives the percent unit.
pub(super) fn is_percentage(column: &str) -> bool {
    crate::kpi::catalog::is_percent(column)
}

pub(super) fn group_thousands(n: i64) -> String {
    let grouped = format_cents_grouped(n.saturating_mul(100));
    grouped.trim_end_matches(".00").to_string()
}

/// Median of the non-null values, formatted like the column.
pub(super) fn median_text(column: &str, kind: ColumnType, mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return DASH.into();
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

/// A table ready for the template: headers and formatted cells.
#[derive(Debug, Serialize)]
pub(crate) struct HtmlTable {
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
    pub(super) fn unavailable(note: String) -> HtmlTable {
        HtmlTable {
            headers: Vec::new(),
            rows: Vec::new(),
            numeric: Vec::new(),
            empty: note,
            more: String::new(),
        }
    }
}

pub(super) fn kind_of(table: &KpiTable, column: &str) -> ColumnType {
    table
        .types
        .iter()
        .find(|(n, _)| n == column)
        .map_or(ColumnType::Text, |(_, t)| *t)
}

/// Picks and formats `columns` of `rows` (row indices) of a KPI table.
pub(super) fn html_table(
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

/// "… and N more." for a list cut at [`LIST_LIMIT`] out of `total` rows.
pub(super) fn more_text(total: usize, shown: usize, t: &BTreeMap<String, String>) -> String {
    if total > shown {
        label(t, "and_more").replace("{n}", &group_thousands((total - shown) as i64))
    } else {
        String::new()
    }
}
