//! The summary: headline KPIs against target and the previous period, with
//! arrows whose colour follows the catalogue's direction.

use super::data::number;
use super::format::{formatted, group_thousands, is_percentage, kind_of, DASH};
use super::i18n::label;
use crate::column_type::ColumnType;
use crate::kpi::catalog::Direction;
use crate::kpi::tables::KpiTable;
use crate::money::format_cents_grouped;
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of the summary: this period against target and the previous period.
#[derive(Debug, Serialize)]
pub(crate) struct SummaryLine {
    pub(super) label: String,
    pub(super) value: String,
    pub(super) target: String,
    pub(super) attainment: String,
    pub(super) previous: String,
    pub(super) delta: String,
    pub(super) arrow: String,
    /// `good`, `bad` or empty: whether the change is an improvement.
    pub(super) tone: String,
}

/// KPIs of the summary with their target column, if any.
pub(super) const SUMMARY: &[(&str, Option<&str>, Option<&str>)] = &[
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

/// The forecast line, shown under sales while the period is still running
/// (PE before its last day; SPEC section 8).
const FORECAST: (&str, Option<&str>, Option<&str>) = (
    "forecast_sales",
    Some("sales_target"),
    Some("forecast_attainment"),
);

/// The summary lines of [`SUMMARY`], with the [`FORECAST`] line after
/// sales when `running` (the period has not ended at PE).
pub(super) fn summary(
    now: &KpiTable,
    before: &KpiTable,
    running: bool,
    t: &BTreeMap<String, String>,
) -> Result<Vec<SummaryLine>> {
    let mut lines = Vec::new();
    let rows: Vec<&(&str, Option<&str>, Option<&str>)> = SUMMARY
        .iter()
        .take(1)
        .chain(running.then_some(&FORECAST))
        .chain(SUMMARY.iter().skip(1))
        .collect();
    for (column, target, attainment) in rows {
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
            _ => (DASH.into(), String::new()),
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
pub(super) fn attainment_note(reps: &KpiTable, t: &BTreeMap<String, String>) -> Result<String> {
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
