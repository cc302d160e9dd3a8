//! The KPI tables of SPEC section 7, computed together for one period.

use polars::prelude::*;

use super::context::{Grouping, KpiContext};
use super::scorecard::{full_frame, output_columns, select_sorted};
use super::{customers, flags, funnel};
use crate::column_type::ColumnType;
use crate::Result;

/// One named output table with the type of each column.
#[derive(Debug, Clone)]
pub struct KpiTable {
    /// File stem (`scorecard`, `rollup_team`, …).
    pub name: &'static str,
    /// The rows.
    pub frame: DataFrame,
    /// Column name and type, in output order.
    pub types: Vec<(String, ColumnType)>,
}

impl KpiTable {
    fn new(name: &'static str, frame: DataFrame, types: Vec<(String, ColumnType)>) -> Self {
        KpiTable { name, frame, types }
    }

    /// Column types as borrowed pairs, as the writers take them.
    pub fn type_refs(&self) -> Vec<(&str, ColumnType)> {
        self.types.iter().map(|(n, t)| (n.as_str(), *t)).collect()
    }
}

fn owned(types: Vec<(&'static str, ColumnType)>) -> Vec<(String, ColumnType)> {
    types.into_iter().map(|(n, t)| (n.to_string(), t)).collect()
}

/// Column types from the frame's dtypes, with the named Int64 columns as money.
fn infer_types(df: &DataFrame, money: &[&str]) -> Vec<(String, ColumnType)> {
    df.schema()
        .iter()
        .map(|(name, dtype)| {
            let t = if money.contains(&name.as_str()) {
                ColumnType::Money
            } else if dtype.is_float() {
                ColumnType::Ratio
            } else if dtype.is_integer() {
                ColumnType::Count
            } else {
                ColumnType::Text
            };
            (name.to_string(), t)
        })
        .collect()
}

/// Columns of the aging table (SPEC section 7).
pub(crate) const AGING_TABLE_COLUMNS: &[(&str, ColumnType)] = &[
    ("period", ColumnType::Text),
    ("rep_id", ColumnType::Text),
    ("rep_name", ColumnType::Text),
    ("team", ColumnType::Text),
    ("region", ColumnType::Text),
    ("not_due", ColumnType::Money),
    ("1_30", ColumnType::Money),
    ("31_60", ColumnType::Money),
    ("61_90", ColumnType::Money),
    ("91_plus", ColumnType::Money),
    ("total", ColumnType::Money),
];

/// Aging per rep at `PE` from the rep-level frame:
/// `total = not_due + 1_30 + 31_60 + 61_90 + 91_plus` (= receivables_end).
fn aging_table(rep_frame: &DataFrame) -> Result<DataFrame> {
    let buckets = ["not_due", "1_30", "31_60", "61_90", "91_plus"];
    let mut exprs: Vec<Expr> = ["period", "rep_id", "rep_name", "team", "region"]
        .iter()
        .map(|c| col(*c))
        .collect();
    exprs.extend(buckets.iter().map(|b| col(format!("aging_{b}")).alias(*b)));
    let total = buckets
        .iter()
        .map(|b| col(format!("aging_{b}")))
        .reduce(|a, b| a + b)
        .expect("five buckets");
    exprs.push(total.alias("total"));
    Ok(rep_frame
        .clone()
        .lazy()
        .sort(["rep_id"], SortMultipleOptions::default())
        .select(exprs)
        .collect()?)
}

/// Computes every KPI table of SPEC section 7 for the context's period, and
/// the `flags` table of section 9 last. Tables
/// whose source is absent (customers without a customers table, the funnel
/// without opportunity stages) are left out, with the context's warning.
pub(crate) fn compute_all(ctx: &KpiContext) -> Result<Vec<KpiTable>> {
    let mut tables = Vec::new();
    let rep_frame = full_frame(ctx, Grouping::Rep)?;
    let aging = aging_table(&rep_frame)?;
    tables.push(KpiTable::new(
        "scorecard",
        select_sorted(rep_frame, Grouping::Rep)?,
        owned(output_columns(Grouping::Rep)),
    ));
    for (name, grouping) in [
        ("rollup_team", Grouping::Team),
        ("rollup_region", Grouping::Region),
        ("company", Grouping::Company),
    ] {
        let frame = select_sorted(full_frame(ctx, grouping)?, grouping)?;
        tables.push(KpiTable::new(name, frame, owned(output_columns(grouping))));
    }
    tables.push(KpiTable::new(
        "aging",
        aging,
        owned(AGING_TABLE_COLUMNS.to_vec()),
    ));
    if let Some(view) = customers::customer_view(ctx)? {
        let types = infer_types(&view, customers::CUSTOMER_VIEW_MONEY);
        tables.push(KpiTable::new("customers", view, types));
    }
    if let Some(f) = funnel::funnel(ctx)? {
        let types = infer_types(&f, &[]);
        tables.push(KpiTable::new("funnel", f, types));
    }
    tables.push(flags::flags_table(ctx)?);
    Ok(tables)
}
