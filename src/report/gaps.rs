//! The gap to the standard in a report (SPEC section 8, `kpi::gap`): a
//! "why" line on each rep page and, in the exceptions, the reps below
//! target with their gap to the team standard split by driver. The numbers
//! come from the engine's gap table; only the sentence is written here, in
//! the report's language.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::data::ReportData;
use super::format::{more_text, HtmlTable, DASH};
use super::i18n::{label, Lang};
use super::page::LIST_LIMIT;
use crate::kpi::gap::{reading, Gap};
use crate::money::format_cents_grouped;
use crate::Result;

/// The columns of the below-target table.
const BELOW_TARGET: [&str; 8] = [
    "rep_id",
    "rep_name",
    "team",
    "target_gap",
    "gap",
    "contrib_visits_per_workday",
    "contrib_conversion",
    "contrib_order_value",
];

/// An Int64 column's value in row `r`.
fn cents(df: &DataFrame, column: &str, r: usize) -> Result<Option<i64>> {
    Ok(df.column(column)?.i64()?.get(r))
}

/// The gap of row `r` of the gap table, when the rep has one.
fn gap_at(df: &DataFrame, r: usize) -> Result<Option<Gap>> {
    let (standard, gap) = (cents(df, "standard_sales", r)?, cents(df, "gap", r)?);
    let contrib = [
        cents(df, "contrib_workdays", r)?,
        cents(df, "contrib_visits_per_workday", r)?,
        cents(df, "contrib_conversion", r)?,
        cents(df, "contrib_order_value", r)?,
    ];
    Ok(match (standard, gap, contrib) {
        (Some(standard), Some(gap), [Some(a), Some(b), Some(c), Some(d)]) => Some(Gap {
            standard,
            gap,
            contrib: [a, b, c, d],
        }),
        _ => None,
    })
}

/// Each rep's "why" line in `lang`: his gap to the team standard by driver;
/// reps without one (no team, no orders table) are absent.
pub(super) fn why_lines(data: &ReportData, lang: Lang) -> Result<BTreeMap<String, String>> {
    let df = &data.gap;
    let ids = df.column("rep_id")?.str()?;
    let mut out = BTreeMap::new();
    for r in 0..df.height() {
        if let (Some(id), Some(g)) = (ids.get(r), gap_at(df, r)?) {
            out.insert(id.to_string(), reading(&g, lang));
        }
    }
    Ok(out)
}

/// The reps below their sales target (`target_gap < 0`), furthest behind
/// first, at most [`LIST_LIMIT`]: how far behind target and how their gap to
/// the team standard splits by driver.
pub(super) fn below_target_table(
    data: &ReportData,
    t: &BTreeMap<String, String>,
) -> Result<HtmlTable> {
    let below = data
        .gap
        .clone()
        .lazy()
        .filter(col("target_gap").lt(lit(0i64)))
        .sort(["target_gap", "rep_id"], SortMultipleOptions::default())
        .collect()?;
    let shown = below.height().min(LIST_LIMIT);
    let mut rows = Vec::with_capacity(shown);
    for r in 0..shown {
        let row = BELOW_TARGET
            .iter()
            .map(|c| {
                let column = below.column(c)?;
                Ok(match column.dtype() {
                    DataType::Int64 => column
                        .i64()?
                        .get(r)
                        .map_or(DASH.into(), format_cents_grouped),
                    _ => column.str()?.get(r).unwrap_or(DASH).to_string(),
                })
            })
            .collect::<Result<Vec<String>>>()?;
        rows.push(row);
    }
    Ok(HtmlTable {
        headers: BELOW_TARGET.iter().map(|c| label(t, c)).collect(),
        rows,
        numeric: BELOW_TARGET
            .iter()
            .map(|c| !c.starts_with("rep_") && *c != "team")
            .collect(),
        empty: label(t, "none"),
        more: more_text(below.height(), shown, t),
    })
}
