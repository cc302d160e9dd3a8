//! One page per rep: the rep's KPIs against target, team median and the
//! previous period, with the rep's sales trend.

use super::charts;
use super::data::{number, text_cells, units_at, Month, Scope};
use super::figures::{money_axis, Chart};
use super::format::{formatted, kind_of, median_text, DASH};
use super::i18n::label;
use crate::kpi::tables::KpiTable;
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// One rep's page: the scorecard against target, team median and previous period.
#[derive(Debug, Serialize)]
pub(super) struct RepPage {
    pub(super) rep_id: String,
    pub(super) rep_name: String,
    pub(super) team: String,
    pub(super) rows: Vec<Vec<String>>,
    /// The rep's sales trend, empty when there is nothing to plot.
    pub(super) svg: String,
    /// Why the trend is not drawn, else empty.
    pub(super) note: String,
    /// The same trend drawn for a phone's width (HTML only).
    pub(super) svg_narrow: String,
    /// The rep's gap to his team's standard by driver, in one line; empty
    /// when he has none.
    pub(super) why: String,
}

/// KPIs of a rep page with their target column.
pub(super) const REP_PAGE: &[(&str, Option<&str>)] = &[
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

pub(super) fn rep_pages(
    ctx: &Scope,
    reps: &KpiTable,
    before: &KpiTable,
    months: &[Month],
    why: &BTreeMap<String, String>,
    chinese: bool,
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
                    .unwrap_or_else(|| DASH.into()),
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
        let series = [(label(t, "sales_amount"), sales)];
        let money = money_axis(ctx, t, chinese);
        let draw = |size| charts::lines_sized(size, &labels, &series, &money);
        let trend = Chart::new(ctx, String::new(), draw((560, 200))?, &["orders"], t)
            .with_narrow(draw((charts::NARROW.0, 200))?, None);
        pages.push(RepPage {
            rep_id: id.clone(),
            rep_name: names[r].clone(),
            team: teams[r].clone(),
            rows,
            svg: trend.svg,
            note: trend.note,
            svg_narrow: trend.svg_narrow,
            why: why.get(id).cloned().unwrap_or_default(),
        });
    }
    Ok(pages)
}
