//! The report's charts with their captions, or the note saying why one is
//! not drawn (drawing itself is in `charts`).

use super::charts::{self, AxisUnit, Size, ValueAxis, NARROW, WIDE};
use super::data::{
    ranked, ranked_values, rows_where, table, text_cells, units_at, values, Month, Scope,
};
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
    /// The same chart drawn for a phone's width (HTML only), with its own
    /// note (a scatter labels other points at that size); empty when the
    /// chart has no drawing or none was made at that size.
    pub(super) svg_narrow: String,
    pub(super) note_narrow: String,
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
                svg_narrow: String::new(),
                note_narrow: String::new(),
            },
            None => Chart {
                title,
                svg: String::new(),
                note: needs(ctx, needed, t).unwrap_or_else(|| label(t, "no_chart_data")),
                svg_narrow: String::new(),
                note_narrow: String::new(),
            },
        }
    }

    /// The chart with `note` under its drawing (what it leaves out), at
    /// both sizes.
    fn noted(mut self, note: &Option<String>) -> Chart {
        if let (false, Some(note)) = (self.svg.is_empty(), note) {
            self.note = note.clone();
            self.note_narrow = note.clone();
        }
        self
    }

    /// The chart with its drawing for a phone's width, and the note under
    /// that drawing when it differs from the full-width one's.
    pub(super) fn with_narrow(mut self, svg: Option<String>, note: Option<String>) -> Chart {
        if !self.svg.is_empty() {
            self.svg_narrow = svg.unwrap_or_default();
            if let Some(note) = note {
                self.note_narrow = note;
            }
        }
        self
    }
}

/// A chart drawn by `draw` at full width and at a phone's width, with
/// `note` under both drawings (see [`Chart::new`] for `needed`).
fn drawn_both(
    ctx: &Scope,
    title: String,
    draw: impl Fn(Size) -> Result<Option<String>>,
    needed: &[&str],
    t: &BTreeMap<String, String>,
    note: &Option<String>,
) -> Result<Chart> {
    Ok(Chart::new(ctx, title, draw(WIDE)?, needed, t)
        .noted(note)
        .with_narrow(draw(NARROW)?, None))
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
    let money = money_axis(ctx, t, chinese);
    drawn_both(
        ctx,
        label(t, "chart_trend"),
        |size| charts::lines_sized(size, &labels, &series, &money),
        &["orders", "payments"],
        t,
        &None,
    )
}

/// The units a chart compares, in the order drawn: the team's reps in a
/// team report (every one, by sales), else the teams — at most `2n` when
/// there are more, chosen by the chart's own measure, so a chart of 200
/// teams stays readable and still shows what it is about.
struct Units<'a> {
    table: &'a KpiTable,
    key: &'static str,
    rows: Vec<usize>,
    /// The index of the first unit after a cut ranking's top (its bottom
    /// follows), where the chart marks the gap.
    gap: Option<usize>,
    /// What the chart leaves out, said under it.
    note: Option<String>,
}

impl<'a> Units<'a> {
    /// Every row, in `order`.
    fn all(table: &'a KpiTable, key: &'static str, order: Vec<usize>) -> Units<'a> {
        Units {
            table,
            key,
            rows: order,
            gap: None,
            note: None,
        }
    }

    /// The rows with a `measure` (a unit without one has nothing to show in
    /// the chart, and would read as 0 at the bottom of a ranking): all when
    /// at most `2n`, else the top `n` and the bottom `n`, descending, with
    /// the gap between them marked; `cut_note` (a message with `{n}` and
    /// `{total}`, the units with a measure) says so.
    fn top_and_bottom(
        table: &'a KpiTable,
        key: &'static str,
        measure: &[Option<f64>],
        n: usize,
        cut_note: &str,
    ) -> Units<'a> {
        let order = with_values(measure);
        if order.len() <= 2 * n {
            return Units::all(table, key, order);
        }
        let mut rows: Vec<usize> = order[..n].to_vec();
        rows.extend_from_slice(&order[order.len() - n..]);
        Units {
            table,
            key,
            rows,
            gap: Some(n),
            note: Some(
                cut_note
                    .replace("{n}", &n.to_string())
                    .replace("{total}", &order.len().to_string()),
            ),
        }
    }

    /// The rows with a `measure`: all when at most `k`, else the `k`
    /// highest; `cut_note` (a message with `{k}` and `{total}`, the units
    /// with a measure) says so.
    fn top(
        table: &'a KpiTable,
        key: &'static str,
        measure: &[Option<f64>],
        k: usize,
        cut_note: &str,
    ) -> Units<'a> {
        let mut order = with_values(measure);
        let total = order.len();
        if total <= k {
            return Units::all(table, key, order);
        }
        order.truncate(k);
        Units {
            note: Some(
                cut_note
                    .replace("{k}", &k.to_string())
                    .replace("{total}", &total.to_string()),
            ),
            ..Units::all(table, key, order)
        }
    }

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

    fn values(&self, column: &str) -> Result<Vec<Option<f64>>> {
        let all = values(self.table, column)?;
        Ok(self.rows.iter().map(|&r| all[r]).collect())
    }
}

/// Indices of the non-null `measure` values, highest first.
fn with_values(measure: &[Option<f64>]) -> Vec<usize> {
    let mut order = ranked_values(measure);
    order.retain(|&r| measure[r].is_some());
    order
}

/// Aging buckets in the order stacked, the overdue ones after `not_due`.
const AGING_BUCKETS: [&str; 5] = ["not_due", "1_30", "31_60", "61_90", "91_plus"];

/// Overdue receivables per row of a roll-up: the sum of its overdue aging
/// buckets; null where every bucket is.
fn overdue_of(table: &KpiTable) -> Result<Vec<Option<f64>>> {
    let buckets = AGING_BUCKETS[1..]
        .iter()
        .map(|b| values(table, &format!("aging_{b}")))
        .collect::<Result<Vec<_>>>()?;
    Ok((0..table.frame.height())
        .map(|r| {
            let cells: Vec<f64> = buckets.iter().filter_map(|b| b[r]).collect();
            (!cells.is_empty()).then(|| cells.iter().sum())
        })
        .collect())
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
    let (table_of_units, key) = if by_rep {
        (table(tables, "scorecard")?, "rep_id")
    } else {
        (table(tables, "rollup_team")?, "team")
    };
    // A team report shows every rep of the team, by sales; a company or
    // region report picks its teams per chart by the chart's measure.
    let pick = |measure: &[Option<f64>], cut_note: &str| {
        if by_rep {
            Units::all(table_of_units, key, ranked_values(measure))
        } else {
            Units::top_and_bottom(table_of_units, key, measure, n, cut_note)
        }
    };
    let by_sales = pick(
        &values(table_of_units, "sales_amount")?,
        &label(t, "chart_cut_sales"),
    );
    let names = by_sales.labels()?;
    let bars = [
        (label(t, "sales_amount"), by_sales.values("sales_amount")?),
        (label(t, "target"), by_sales.values("sales_target")?),
    ];
    let attainment = (
        label(t, "sales_attainment"),
        by_sales.values("sales_attainment")?,
    );
    let mut out = vec![drawn_both(
        ctx,
        label(
            t,
            if by_rep {
                "chart_rep_target"
            } else {
                "chart_team_target"
            },
        ),
        |size| {
            charts::grouped_bars_on(
                size,
                &names,
                &bars,
                Some(attainment.clone()),
                &money,
                by_sales.gap,
            )
        },
        &["orders", "targets"],
        t,
        &by_sales.note,
    )?];
    out.push(trend(ctx, months, chinese, t)?);
    out.push(funnel_chart(ctx, tables, t)?);
    out.push(aging_chart(ctx, tables, &by_sales, by_rep, n, &money, t)?);
    out.push(quadrant_chart(ctx, table_of_units, key, by_rep, t)?);
    let by_legacy = pick(
        &values(table_of_units, "legacy_sales_share")?,
        &label(t, "chart_cut_legacy"),
    );
    let names = by_legacy.labels()?;
    let shares = [(
        label(t, "legacy_sales_share"),
        by_legacy
            .values("legacy_sales_share")?
            .iter()
            .map(|v| v.map(|v| v * 100.0))
            .collect(),
    )];
    let share_axis = ValueAxis {
        title: label(t, "axis_share"),
        unit: AxisUnit::Percent,
        currency: None,
    };
    out.push(drawn_both(
        ctx,
        label(
            t,
            if by_rep {
                "chart_legacy"
            } else {
                "chart_legacy_team"
            },
        ),
        |size| charts::grouped_bars_on(size, &names, &shares, None, &share_axis, by_legacy.gap),
        &["orders"],
        t,
        &by_legacy.note,
    )?);
    Ok(out)
}

/// The funnel of the reps covered: reached counts add up over reps (each
/// opportunity has one rep), so the sum of the rep rows is the funnel.
fn funnel_chart(ctx: &Scope, tables: &[KpiTable], t: &BTreeMap<String, String>) -> Result<Chart> {
    let drawing = match table(tables, "funnel") {
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
                let series = [(label(t, "chart_funnel"), reached)];
                Some((names, series, axis))
            }
        }
        Err(_) => None,
    };
    drawn_both(
        ctx,
        label(t, "chart_funnel"),
        |size| match &drawing {
            Some((names, series, axis)) => {
                charts::grouped_bars_on(size, names, series, None, axis, None)
            }
            None => Ok(None),
        },
        &["opportunities", "opportunity_stages"],
        t,
        &None,
    )
}

/// Receivable aging, stacked by bucket: per rep of a team report (from the
/// aging table, in the order of `reps`), else the `2n` teams with the most
/// overdue receivables, most first.
fn aging_chart(
    ctx: &Scope,
    tables: &[KpiTable],
    reps: &Units,
    by_rep: bool,
    n: usize,
    money: &ValueAxis,
    t: &BTreeMap<String, String>,
) -> Result<Chart> {
    let bucket_label = |b: &str| label(t, &format!("aging_{b}"));
    let (names, series, note) = if by_rep {
        let aging = table(tables, "aging")?;
        let ids = text_cells(aging, "rep_id")?;
        let by_id: BTreeMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(r, id)| (id.as_str(), r))
            .collect();
        let rows: Vec<Option<usize>> = reps
            .keys()?
            .iter()
            .map(|id| by_id.get(id.as_str()).copied())
            .collect();
        let series = AGING_BUCKETS
            .iter()
            .map(|b| {
                let column = values(aging, b)?;
                Ok((
                    bucket_label(b),
                    rows.iter().map(|r| r.and_then(|r| column[r])).collect(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        (reps.labels()?, series, None)
    } else {
        let teams = table(tables, "rollup_team")?;
        let units = Units::top(
            teams,
            "team",
            &overdue_of(teams)?,
            2 * n,
            &label(t, "chart_cut_overdue"),
        );
        let series = AGING_BUCKETS
            .iter()
            .map(|b| Ok((bucket_label(b), units.values(&format!("aging_{b}"))?)))
            .collect::<Result<Vec<_>>>()?;
        (units.labels()?, series, units.note)
    };
    drawn_both(
        ctx,
        label(
            t,
            if by_rep {
                "chart_aging_rep"
            } else {
                "chart_aging"
            },
        ),
        |size| charts::stacked_bars_on(size, &names, &series, money),
        &["invoices"],
        t,
        &note,
    )
}

/// Visits against orders, one point per rep or team — every one, since a
/// scatter shows the whole spread; labels go where they can be read
/// unambiguously, and the caption names the points left unlabelled (or
/// counts them when there are many).
fn quadrant_chart(
    ctx: &Scope,
    units_table: &KpiTable,
    key: &'static str,
    by_rep: bool,
    t: &BTreeMap<String, String>,
) -> Result<Chart> {
    let units = Units::all(units_table, key, ranked(units_table, "sales_amount")?);
    let names = units.labels()?;
    let visits = units.values("visits")?;
    let orders = units.values("orders")?;
    let points: Vec<(String, f64, f64)> = names
        .iter()
        .zip(visits.iter().zip(&orders))
        .filter_map(|(name, (v, o))| Some((name.clone(), (*v)?, (*o)?)))
        .collect();
    // A scatter labels other points at a phone's width: each drawing has
    // its own note.
    let draw = |size| charts::quadrant(size, &points, &label(t, "visits"), &label(t, "orders"));
    let (wide, narrow) = (draw(WIDE)?, draw(NARROW)?);
    let title = label(
        t,
        if by_rep {
            "chart_quadrant"
        } else {
            "chart_quadrant_team"
        },
    );
    let note_of = |scatter: &Option<charts::Scatter>| unlabelled_note(scatter, &points, t);
    let (wide_note, narrow_note) = (note_of(&wide), note_of(&narrow));
    Ok(
        Chart::new(ctx, title, wide.map(|s| s.svg), &["visits", "orders"], t)
            .noted(&wide_note)
            .with_narrow(narrow.map(|s| s.svg), Some(narrow_note.unwrap_or_default())),
    )
}

/// The note under a scatter naming its unlabelled points, or counting
/// them when there are many; `None` when every point is labelled.
fn unlabelled_note(
    scatter: &Option<charts::Scatter>,
    points: &[(String, f64, f64)],
    t: &BTreeMap<String, String>,
) -> Option<String> {
    let left_out: Vec<&str> = scatter
        .as_ref()?
        .unlabelled
        .iter()
        .map(|&i| points[i].0.as_str())
        .collect();
    match left_out.len() {
        0 => None,
        1..=12 => {
            let separator = label(t, "list_separator");
            Some(label(t, "chart_labels_left_out").replace("{names}", &left_out.join(&separator)))
        }
        k => Some(
            label(t, "chart_labels_left_out_count")
                .replace("{k}", &k.to_string())
                .replace("{total}", &points.len().to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit without the chart's measure (a team with no sales has no
    /// legacy share) is left out of the ranking, not shown as 0 at its end.
    #[test]
    fn units_without_the_measure_are_not_ranked() {
        let measure = [Some(0.2), None, Some(0.9), None, Some(0.5)];
        assert_eq!(with_values(&measure), vec![2, 4, 0]);
        assert!(with_values(&[None, None]).is_empty());
    }
}
