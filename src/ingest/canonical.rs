//! Typed contract tables back into the contract's file forms, so a converted
//! export is an ordinary data directory: money with 2 decimals, prices and
//! quantities with 4, datetimes `YYYY-MM-DD HH:MM:SS` (CSV), or native
//! Parquet types with money as Decimal(18,2) and prices as Decimal(18,4).

use polars::prelude::*;

use crate::money::cents_text;
use crate::money::units_text;
use crate::schema::{Kind, Table};
use crate::Result;

/// The typed table `df` of `table` in the form written to a contract file.
pub(crate) fn contract_form(table: &Table, df: &DataFrame, parquet: bool) -> Result<DataFrame> {
    let exprs: Vec<Expr> = table
        .columns
        .iter()
        .filter(|c| df.schema().contains(c.name))
        .map(|c| {
            let v = col(c.name);
            match (c.kind, parquet) {
                (Kind::Money, false) => cents_text(v),
                (Kind::Money, true) => cents_text(v).cast(DataType::Decimal(18, 2)),
                (Kind::Price | Kind::Quantity, false) => units_text(v),
                (Kind::Price | Kind::Quantity, true) => {
                    units_text(v).cast(DataType::Decimal(18, 4))
                }
                (Kind::Datetime, false) => v.dt().to_string("%Y-%m-%d %H:%M:%S"),
                _ => v,
            }
            .alias(c.name)
        })
        .collect();
    Ok(df.clone().lazy().select(exprs).collect()?)
}
