//! Typed contract tables back into the contract's file forms, so a converted
//! export is an ordinary data directory: money with 2 decimals, prices and
//! quantities with 4, datetimes `YYYY-MM-DD HH:MM:SS` (CSV), or native
//! Parquet types with money as Decimal(18,2) and prices as Decimal(18,4).

use polars::prelude::*;

use crate::money::{cents_text, scaled_decimal, units_text, UNIT_DECIMALS};
use crate::schema::{Kind, Table};
use crate::Result;

/// The typed table `df` of `table` in the form written to a contract file.
/// Parquet's money and prices are Decimal(18,2) and Decimal(18,4) made
/// from the integers themselves ([`scaled_decimal`]); a value of 19 digits
/// is a usage error naming the table, column and value.
pub(crate) fn contract_form(table: &Table, df: &DataFrame, parquet: bool) -> Result<DataFrame> {
    let present = || {
        table
            .columns
            .iter()
            .filter(|c| df.schema().contains(c.name))
    };
    let exprs: Vec<Expr> = present()
        .map(|c| {
            let v = col(c.name);
            match (c.kind, parquet) {
                (Kind::Money, false) => cents_text(v),
                (Kind::Price | Kind::Quantity, false) => units_text(v),
                (Kind::Datetime, false) => v.dt().to_string("%Y-%m-%d %H:%M:%S"),
                _ => v,
            }
            .alias(c.name)
        })
        .collect();
    let mut out = df.clone().lazy().select(exprs).collect()?;
    if parquet {
        for c in present() {
            let decimals = match c.kind {
                Kind::Money => 2,
                Kind::Price | Kind::Quantity => UNIT_DECIMALS,
                _ => continue,
            };
            let decimal = scaled_decimal(out.column(c.name)?, decimals, table.name)?;
            out.replace(c.name, decimal)?;
        }
    }
    Ok(out)
}
