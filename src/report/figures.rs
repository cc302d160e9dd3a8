//! The report's charts with their captions, or the note saying why one is
//! not drawn (drawing itself is in `charts`).

use super::charts;
use super::data::{number, rows_where, table, text_cells, units_at, values, Month, Scope};
use super::i18n::label;
use super::page::needs;
use crate::kpi::tables::KpiTable;
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// A chart with its caption; without anything to plot, `svg` is empty and
/// `note` says why (no data this period, or which table is absent).
#[derive(Debug, Serialize)]
pub(crate) struct Chart {
    pub(super) title: String,
    pub(super) svg: String,
    pub(super) note: String,
}

impl Chart {
    /// A chart from a drawing that may have had nothing to plot; `needed`
    /// are the tables whose absence explains an empty chart.
    pub(super) fn new(
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

pub(super) fn trend(ctx: &Scope, months: &[Month], t: &BTreeMap<String, String>) -> Result<Chart> {
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

pub(super) fn chart_list(
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
