//! Column parsing: one polars expression per [`Kind`] turns a raw column (text
//! from CSV, or a native Parquet type) into its canonical type.

use polars::prelude::*;

use crate::money::{native_units, parse_units, units_to_cents};
use crate::schema::Kind;

/// Non-strict, exact chrono parsing with `format` (unparsable text → null).
pub(super) fn strptime(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

use crate::text::trimmed;

/// The date form of the contract (SPEC section 1).
pub(super) const CONTRACT_DATE_FORMAT: &str = "%Y-%m-%d";

/// The datetime forms of the contract (SPEC section 1), tried in order.
pub(super) const CONTRACT_DATETIME_FORMATS: [&str; 3] =
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"];

fn datetime_from_text(raw: Expr) -> Expr {
    let t = trimmed(raw);
    let parse = |fmt: &str| {
        t.clone().str().to_datetime(
            Some(TimeUnit::Milliseconds),
            None,
            strptime(fmt),
            lit("raise"),
        )
    };
    let parsed: Vec<Expr> = CONTRACT_DATETIME_FORMATS.iter().map(|f| parse(f)).collect();
    coalesce(&parsed)
}

fn bool_from_text(raw: Expr) -> Expr {
    let t = trimmed(raw).str().to_lowercase();
    let is = |words: &[&str]| {
        words
            .iter()
            .map(|w| t.clone().eq(lit(*w)))
            .reduce(|a, b| a.or(b))
            .expect("non-empty")
    };
    when(is(&["true", "1", "yes", "y", "t"]))
        .then(lit(true))
        .when(is(&["false", "0", "no", "n", "f"]))
        .then(lit(false))
        .otherwise(lit(NULL).cast(DataType::Boolean))
}

/// Expression turning the raw column `name` of dtype `source` into its
/// canonical type: Id → trimmed String, Date → Date, Datetime → Datetime(ms),
/// Money → Int64 cents (rounded half away from zero), Price/Quantity → Int64
/// 1/10000 units, Int → Int64, Ratio → Float64, Bool → Boolean. Values that do
/// not parse become null; validation reports them.
pub fn typed_expr(name: &str, kind: Kind, source: &DataType) -> Expr {
    let raw = col(name);
    let is_text = matches!(source, DataType::String);
    match kind {
        Kind::Id if is_text => trimmed(raw),
        Kind::Id => raw.cast(DataType::String),
        Kind::Text if !is_text => raw.cast(DataType::String),
        Kind::Text => raw,
        Kind::Date if is_text => trimmed(raw).str().to_date(strptime(CONTRACT_DATE_FORMAT)),
        Kind::Date => raw.cast(DataType::Date),
        Kind::Datetime if is_text => datetime_from_text(raw),
        Kind::Datetime => raw.cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
        Kind::Money => units_to_cents(units(raw, source)),
        Kind::Price | Kind::Quantity => units(raw, source),
        Kind::Int if is_text => trimmed(raw).cast(DataType::Int64),
        Kind::Int => raw.cast(DataType::Int64),
        Kind::Ratio if is_text => trimmed(raw).cast(DataType::Float64),
        Kind::Ratio => raw.cast(DataType::Float64),
        Kind::Bool if is_text => bool_from_text(raw),
        Kind::Bool => raw.cast(DataType::Boolean),
        Kind::Period => {
            let t = trimmed(raw.cast(DataType::String));
            when(t.clone().str().contains(lit(PERIOD_PATTERN), false))
                .then(t)
                .otherwise(lit(NULL).cast(DataType::String))
        }
    }
    .alias(name)
}

fn units(raw: Expr, source: &DataType) -> Expr {
    if matches!(source, DataType::String) {
        parse_units(raw)
    } else {
        native_units(raw, source)
    }
}

/// True where the raw column holds a value (not null, not blank text).
pub(super) fn present_expr(name: &str, source: &DataType) -> Expr {
    if matches!(source, DataType::String) {
        col(name).is_not_null().and(trimmed(col(name)).neq(lit("")))
    } else {
        col(name).is_not_null()
    }
}

/// A target period: `2026-10`, `2026-Q4` or `2026`.
pub(super) const PERIOD_PATTERN: &str = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$";

/// What a value of this kind must look like, for error hints.
pub fn expected_form(kind: Kind) -> &'static str {
    match kind {
        Kind::Id | Kind::Text => "text",
        Kind::Date => "a date YYYY-MM-DD",
        Kind::Datetime => "a datetime YYYY-MM-DD HH:MM[:SS]",
        Kind::Money => "a decimal amount with at most 4 decimals, e.g. 1234.50",
        Kind::Price => "a decimal price with at most 4 decimals, e.g. 12.3456",
        Kind::Quantity => "a decimal quantity with at most 4 decimals, e.g. 3 or -1.5",
        Kind::Int => "a whole number",
        Kind::Ratio => "a number between 0 and 1",
        Kind::Bool => "true/false (or 1/0, yes/no)",
        Kind::Period => "a month YYYY-MM, a quarter YYYY-Qn or a year YYYY (a spreadsheet turns 2026-10 into a date such as 2026-10-01 or Oct-26: write it back as 2026-10, or read the export through a profile with `to_period = \"month\"` on the period column)",
    }
}
