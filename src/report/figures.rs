//! The report's charts with their captions, or the note saying why one is
//! not drawn (drawing itself is in `charts`).

use super::charts::{self, AxisUnit, ValueAxis};
use super::data::{ranked, rows_where, table, text_cells, units_at, values, Month, Scope};
use super::i18n::label;
use super::page::needs;
use crate::kpi::tables::KpiTable;
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// A chart with its caption; without anything to plot, `svg` is empty and
/// `note` says why (no data this period, or which table is absent); with a
/// drawing, `note` says what it leaves out (the middle of a ranking), or is
/// empty.
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

    /// The chart with `note` under its drawing (what it leaves out).
    fn noted(mut self, note: &Option<String>) -> Chart {
        if let (false, Some(note)) = (self.svg.is_empty(), note) {
            self.note = note.clone();
        }
        self
    }
}

/// The money axis of a chart: "Amount (CNY)" with the configured
/// currency, in 万/亿 in a Chinese report ("金额（万元）").
pub(super) fn money_axis(ctx: &Scope, t: &BTreeMap<String, String>, chinese: bool) -> ValueAxis {
    ValueAxis {
        title: label(t, "axis_amount"),
        unit: AxisUnit::Money { chinese },
        currency: ctx.currency.clone(),
    }
}

pub(super) fn trend(
    ctx: &Scope,
    months: &[Month],
    chinese: bool,
    t: &BTreeMap<String, String>,
) -> Result<Chart> {
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
        charts::lines_sized((760, 320), &labels, &series, &money_axis(ctx, t, chinese))?,
        &["orders", "payments"],
        t,
    ))
}

/// The units a chart compares: the team's reps in a team report, else the
/// teams — at most the top and bottom `n` by sales when there are more than
/// 2n, so a chart of 800 reps or 200 teams stays readable.
struct Units<'a> {
    table: &'a KpiTable,
    key: &'static str,
    rows: Vec<usize>,
    /// How many units there are in all (more than `rows` when cut).
    total: usize,
}

impl Units<'_> {
    fn keys(&self) -> Result<Vec<String>> {
        let all = text_cells(self.table, self.key)?;
        Ok(self.rows.iter().map(|&r| all[r].clone()).collect())
    }

    /// What a chart calls each unit: a team by its name, a rep by name (a
    /// manager knows their reps by name, not id), with the id added where
    /// two reps share a name, and the id alone where the name is blank.
    fn labels(&self) -> Result<Vec<String>> {
        let keys = self.keys()?;
        if self.key != "rep_id" {
            return Ok(keys);
        }
        let all = text_cells(self.table, "rep_name")?;
        let names: Vec<&str> = self.rows.iter().map(|&r| all[r].trim()).collect();
        Ok(names
            .iter()
            .zip(&keys)
            .map(|(name, id)| {
                let shared = names.iter().filter(|n| *n == name).count() > 1;
                match (name.is_empty(), shared) {
                    (true, _) => id.clone(),
                    (false, true) => format!("{name} ({id})"),
                    (false, false) => name.to_string(),
                }
            })
            .collect())
    }

    /// The note under a chart of a cut ranking: "top 10 and bottom 10 of
    /// 123 teams by sales"; `None` when every unit is drawn.
    fn cut_note(&self, t: &BTreeMap<String, String>) -> Option<String> {
        (self.rows.len() < self.total).then(|| {
            label(t, "chart_cut")
                .replace("{n}", &(self.rows.len() / 2).to_string())
                .replace("{total}", &self.total.to_string())
        })
    }

    fn values(&self, column: &str) -> Result<Vec<Option<f64>>> {
        let all = values(self.table, column)?;
        Ok(self.rows.iter().map(|&r| all[r]).collect())
    }
}

/// Row indices of `table`: all when at most `2n`, else the top `n` and the
/// bottom `n` by `column` (descending, nulls last).
fn top_and_bottom(table: &KpiTable, column: &str, n: usize) -> Result<Vec<usize>> {
    let order = ranked(table, column)?;
    if order.len() <= 2 * n {
        return Ok(order);
    }
    let mut rows: Vec<usize> = order[..n].to_vec();
    rows.extend_from_slice(&order[order.len() - n..]);
    Ok(rows)
}

/// The report's charts: sales against target, the trailing trend, the
/// funnel, receivable aging, visits against orders and legacy sales share,
/// per rep in a team report (`by_rep`), else per team.
pub(super) fn chart_list(
    ctx: &Scope,
    months: &[Month],
    tables: &[KpiTable],
    by_rep: bool,
    n: usize,
    chinese: bool,
    t: &BTreeMap<String, String>,
) -> Result<Vec<Chart>> {
    let money = money_axis(ctx, t, chinese);
    let units = if by_rep {
        let reps = table(tables, "scorecard")?;
        Units {
            table: reps,
            key: "rep_id",
            // A team report shows every rep of the team.
            rows: ranked(reps, "sales_amount")?,
            total: reps.frame.height(),
        }
    } else {
        let teams = table(tables, "rollup_team")?;
        Units {
            table: teams,
            key: "team",
            rows: top_and_bottom(teams, "sales_amount", n)?,
            total: teams.frame.height(),
        }
    };
    let names = units.labels()?;
    let cut = units.cut_note(t);
    let mut out = vec![Chart::new(
        ctx,
        label(
            t,
            if by_rep {
                "chart_rep_target"
            } else {
                "chart_team_target"
            },
        ),
        charts::grouped_bars_on(
            &names,
            &[
                (label(t, "sales_amount"), units.values("sales_amount")?),
                (label(t, "target"), units.values("sales_target")?),
            ],
            Some((
                label(t, "sales_attainment"),
                units.values("sales_attainment")?,
            )),
            &money,
        )?,
        &["orders", "targets"],
        t,
    )
    .noted(&cut)];
    out.push(trend(ctx, months, chinese, t)?);
    // The funnel of the reps covered: reached counts add up over reps (each
    // opportunity has one rep), so the sum of the rep rows is the funnel.
    let funnel_chart = match table(tables, "funnel") {
        Ok(funnel) => {
            let rows = rows_where(funnel, |r| Ok(text_cells(funnel, "rep_id")?[r] != "ALL"))?;
            let stages: Vec<String> = funnel
                .frame
                .get_column_names()
                .iter()
                .filter_map(|c| c.strip_prefix("reached_").map(str::to_string))
                .collect();
            let reached: Vec<Option<f64>> = stages
                .iter()
                .map(|s| {
                    let column = values(funnel, &format!("reached_{s}"))?;
                    Ok(Some(rows.iter().filter_map(|&r| column[r]).sum::<f64>()))
                })
                .collect::<Result<_>>()?;
            if rows.is_empty() {
                None
            } else {
                // Stage names read as words ("Needs analysis"), unknown ones as configured.
                let names: Vec<String> = stages
                    .iter()
                    .map(|s| {
                        t.get(&format!("stage_{s}"))
                            .cloned()
                            .unwrap_or_else(|| s.clone())
                    })
                    .collect();
                let axis = ValueAxis {
                    title: label(t, "axis_opportunities"),
                    unit: AxisUnit::Count,
                    currency: None,
                };
                charts::grouped_bars_on(
                    &names,
                    &[(label(t, "chart_funnel"), reached)],
                    None,
                    &axis,
                )?
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
    let aging = if by_rep {
        let aging = table(tables, "aging")?;
        let ids = text_cells(aging, "rep_id")?;
        let by_id: BTreeMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(r, id)| (id.as_str(), r))
            .collect();
        let rows: Vec<Option<usize>> = units
            .keys()?
            .iter()
            .map(|n| by_id.get(n.as_str()).copied())
            .collect();
        buckets
            .iter()
            .map(|b| {
                let column = values(aging, b)?;
                Ok((
                    label(t, &format!("aging_{b}")),
                    rows.iter().map(|r| r.and_then(|r| column[r])).collect(),
                ))
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        buckets
            .iter()
            .map(|b| {
                Ok((
                    label(t, &format!("aging_{b}")),
                    units.values(&format!("aging_{b}"))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?
    };
    out.push(
        Chart::new(
            ctx,
            label(
                t,
                if by_rep {
                    "chart_aging_rep"
                } else {
                    "chart_aging"
                },
            ),
            charts::stacked_bars_on(&names, &aging, &money)?,
            &["invoices"],
            t,
        )
        .noted(&cut),
    );
    let visits = units.values("visits")?;
    let orders = units.values("orders")?;
    out.push(
        Chart::new(
            ctx,
            label(
                t,
                if by_rep {
                    "chart_quadrant"
                } else {
                    "chart_quadrant_team"
                },
            ),
            charts::quadrant(
                &names
                    .iter()
                    .zip(visits.iter().zip(&orders))
                    .filter_map(|(i, (v, o))| Some((i.clone(), (*v)?, (*o)?)))
                    .collect::<Vec<_>>(),
                &label(t, "visits"),
                &label(t, "orders"),
                &label(t, "chart_labels_left_out"),
            )?,
            &["visits", "orders"],
            t,
        )
        .noted(&cut),
    );
    out.push(
        Chart::new(
            ctx,
            label(
                t,
                if by_rep {
                    "chart_legacy"
                } else {
                    "chart_legacy_team"
                },
            ),
            charts::grouped_bars_on(
                &names,
                &[(
                    label(t, "legacy_sales_share"),
                    units
                        .values("legacy_sales_share")?
                        .iter()
                        .map(|v| v.map(|v| v * 100.0))
                        .collect(),
                )],
                None,
                &ValueAxis {
                    title: label(t, "axis_share"),
                    unit: AxisUnit::Percent,
                    currency: None,
                },
            )?,
            &["orders"],
            t,
        )
        .noted(&cut),
    );
    Ok(out)
}
