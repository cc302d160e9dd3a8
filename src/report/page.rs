//! The whole page the templates render: every section assembled from the
//! report data, with the exception lists bounded and explained.

use super::audience::Audience;
use super::data::{ranked, rows_where, table, text_cells, values, ReportData, Scope};
use super::figures::{chart_list, Chart};
use super::format::{group_thousands, html_table, more_text, HtmlTable, DASH};
use super::gaps::{below_target_table, why_lines};
use super::i18n::{catalogue, label, Lang};
use super::integrity::{integrity, Integrity};
use super::rep_page::{rep_pages, RepPage};
use super::summary::{attainment_note, summary, SummaryLine};
use crate::column_type::ColumnType;
use crate::kpi::tables::KpiTable;
use crate::money::format_cents_grouped;
use crate::Result;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the template shows.
#[derive(Debug, Serialize)]
pub(super) struct Page {
    pub(super) lang: &'static str,
    /// "Team · North", "Region · East", empty for the company report.
    pub(super) audience: String,
    pub(super) t: BTreeMap<String, String>,
    pub(super) period: String,
    pub(super) as_of: String,
    pub(super) pe: String,
    pub(super) previous_period: String,
    pub(super) summary: Vec<SummaryLine>,
    /// Under the summary: sales of reps without a target, which the
    /// headline attainment leaves out (SPEC rule 11); empty when none.
    pub(super) attainment_note: String,
    /// Company and region reports: the top N reps by sales attainment; team
    /// reports: every rep of the team, ranked.
    pub(super) leaderboard: HtmlTable,
    /// Heading of the leaderboard.
    pub(super) leaderboard_title: String,
    /// The bottom N reps (company and region reports with more than 2N
    /// reps), else no rows.
    pub(super) bottom: HtmlTable,
    /// Heading of the bottom list.
    pub(super) bottom_title: String,
    pub(super) teams: HtmlTable,
    pub(super) regions: HtmlTable,
    /// Whether the regions table is shown (not in a team report: a region's
    /// totals hold other teams' sales).
    pub(super) show_regions: bool,
    pub(super) charts: Vec<Chart>,
    pub(super) rep_pages: Vec<RepPage>,
    pub(super) below_80: HtmlTable,
    /// Reps below their sales target with their gap to the team standard
    /// by driver (SPEC section 8).
    pub(super) below_target: HtmlTable,
    pub(super) discount: HtmlTable,
    pub(super) low_conversion: HtmlTable,
    pub(super) lost: HtmlTable,
    pub(super) overdue: HtmlTable,
    /// The process integrity flags (SPEC section 9) the reader may see.
    pub(super) integrity: Integrity,
    pub(super) definitions: Vec<(String, String, String)>,
    pub(super) settings: Vec<(String, String)>,
    pub(super) inputs: Vec<(String, usize)>,
}

pub(super) const BOARD: &[&str] = &[
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

pub(super) const GROUP_COLUMNS: &[&str] = &[
    "reps",
    "sales_amount",
    "sales_target",
    "sales_attainment",
    "gross_margin_pct",
    "orders_per_100_visits",
    "collected_amount",
    "dso_days",
];

/// Lists of the exception section show at most this many rows, then a count
/// of the rest.
pub(super) const LIST_LIMIT: usize = 10;

/// "Not available: needs the X table" when any of `tables` is absent from
/// the data, naming the absent ones; `None` when all are present.
pub(super) fn needs(ctx: &Scope, tables: &[&str], t: &BTreeMap<String, String>) -> Option<String> {
    let absent: Vec<&str> = tables.iter().copied().filter(|n| !ctx.has(n)).collect();
    (!absent.is_empty()).then(|| label(t, "needs_tables").replace("{tables}", &absent.join(", ")))
}

/// The customers lost in the period — exactly those the scorecard's
/// `lost_customers` counts (rule 7), not every customer whose status is
/// `lost` — ranked by trailing-12-month sales (then customer_id), at most
/// [`LIST_LIMIT`] with the count of the rest. `None` without orders.
pub(super) fn lost_table(
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

/// The customers with the largest overdue receivables at PE (summed over
/// the reps the report covers), at most [`LIST_LIMIT`] with the count of the
/// rest, with their names from the customer view.
pub(super) fn overdue_table(
    by_rep: Option<&DataFrame>,
    customers: Option<&KpiTable>,
    t: &BTreeMap<String, String>,
) -> Result<Option<HtmlTable>> {
    let Some(by_rep) = by_rep else {
        return Ok(None);
    };
    let all = by_rep
        .clone()
        .lazy()
        .group_by([col("customer_id")])
        .agg([col("overdue").sum(), col("max_days_past_due").max()])
        .sort_by_exprs(
            [col("overdue"), col("customer_id")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let top = all.head(Some(LIST_LIMIT));
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
                names.get(&id).cloned().unwrap_or_else(|| DASH.into()),
                overdue.get(r).map_or(DASH.into(), format_cents_grouped),
                late.get(r).map_or(DASH.into(), group_thousands),
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
        more: more_text(all.height(), top.height(), t),
    }))
}

/// The `[flags]` thresholds in force, as `key = value` pairs in the
/// config's own words (serialised, so a new threshold shows by itself).
fn flag_thresholds(f: &crate::kpi::flags::FlagSettings) -> Result<String> {
    let text = toml::to_string(f)
        .map_err(|e| crate::Error::Internal(format!("writing the [flags] thresholds: {e}")))?;
    Ok(text.lines().collect::<Vec<_>>().join(", "))
}

pub(super) fn build_page(
    data: &ReportData,
    lang: Lang,
    input_rows: &[(String, usize)],
) -> Result<Page> {
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
    // Ranked by attainment, highest first, nulls last; read once.
    let order = ranked(reps, "sales_attainment")?;
    let attainment = values(reps, "sales_attainment")?;
    // Lowest attainment first, so a cut list names the worst cases.
    let below: Vec<usize> = order
        .iter()
        .rev()
        .copied()
        .filter(|&r| attainment[r].is_some_and(|a| a < 0.8))
        .collect();
    let violations = values(reps, "discount_violations")?;
    let discount: Vec<usize> = ranked(reps, "discount_violations")?
        .into_iter()
        .filter(|&r| violations[r].is_some_and(|v| v > 0.0))
        .collect();
    let bounded = |html: Result<HtmlTable>, total: usize| -> Result<HtmlTable> {
        let mut html = html?;
        html.more = more_text(total, html.rows.len(), &t);
        Ok(html)
    };
    let audience = &data.audience;
    let n = data.top_n;
    let (top, bottom): (Vec<usize>, Vec<usize>) =
        if audience.has_rep_pages() || order.len() <= 2 * n {
            (order, Vec::new())
        } else {
            let bottom: Vec<usize> = order
                .iter()
                .rev()
                .copied()
                .filter(|&r| attainment[r].is_some())
                .take(n)
                .collect();
            (order.into_iter().take(n).collect(), bottom)
        };
    let (leaderboard_title, bottom_title) = if bottom.is_empty() {
        (label(&t, "leaderboard"), String::new())
    } else {
        (
            label(&t, "top_reps").replace("{n}", &n.to_string()),
            label(&t, "bottom_reps").replace("{n}", &n.to_string()),
        )
    };
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
        audience: match audience {
            Audience::Company => String::new(),
            a => format!("{} · {}", label(&t, a.label_key()), a.name()),
        },
        period: ctx.period.to_string(),
        as_of: ctx.as_of.to_string(),
        pe: ctx.pe.to_string(),
        previous_period: previous.to_string(),
        summary: summary(
            table(tables, "company")?,
            table(before, "company")?,
            ctx.pe < ctx.period.end,
            &t,
        )?,
        attainment_note: attainment_note(reps, &t)?,
        leaderboard: html_table(reps, &top, BOARD, &t)?,
        leaderboard_title,
        bottom: html_table(reps, &bottom, BOARD, &t)?,
        bottom_title,
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
        show_regions: !audience.has_rep_pages(),
        charts: chart_list(
            ctx,
            months,
            tables,
            audience.has_rep_pages(),
            n,
            lang == Lang::Zh,
            &t,
        )?,
        rep_pages: if audience.has_rep_pages() {
            rep_pages(
                ctx,
                reps,
                table(before, "scorecard")?,
                months,
                &why_lines(data, lang)?,
                lang == Lang::Zh,
                &t,
            )?
        } else {
            Vec::new()
        },
        below_80: section(
            bounded(
                html_table(
                    reps,
                    &below[..below.len().min(LIST_LIMIT)],
                    &[
                        "rep_id",
                        "rep_name",
                        "team",
                        "sales_amount",
                        "sales_target",
                        "sales_attainment",
                    ],
                    &t,
                ),
                below.len(),
            )?,
            &["orders", "targets"],
        ),
        below_target: section(below_target_table(data, &t)?, &["orders", "targets"]),
        discount: section(
            bounded(
                html_table(
                    reps,
                    &discount[..discount.len().min(LIST_LIMIT)],
                    &["rep_id", "rep_name", "team", "discount_violations"],
                    &t,
                ),
                discount.len(),
            )?,
            &["orders"],
        ),
        low_conversion,
        lost,
        overdue,
        integrity: integrity(data, lang, &t)?,
        definitions: crate::kpi::catalog::CATALOG
            .iter()
            .map(|k| (label(&t, k.name), k.name.to_string(), k.formula.to_string()))
            .collect(),
        settings: vec![
            ("churn_days".into(), ctx.settings.churn_days.to_string()),
            ("legacy_days".into(), ctx.settings.legacy_days.to_string()),
            ("stages".into(), ctx.settings.stages.join(" → ")),
            ("as_of".into(), ctx.as_of.to_string()),
            (
                label(&t, "flags_thresholds"),
                flag_thresholds(&ctx.settings.flags)?,
            ),
        ],
        inputs: input_rows.to_vec(),
        t,
    };
    Ok(page)
}
