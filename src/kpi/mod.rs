//! KPI jobs (SPEC sections 3, 4 and 6): one module per KPI family, each a
//! polars lazy plan over the validated tables, aggregated per group.
//!
//! Every family computes its columns for a [`Grouping`] directly from the
//! facts (so distinct counts are recounted at group level, rule 11) and money
//! is summed as integer cents. The formula of each column is in the doc
//! comment of the function that computes it.

pub(crate) mod activity;
pub(crate) mod balances;
pub mod catalog;
pub(crate) mod context;
pub(crate) mod customer_orders;
pub(crate) mod customers;
pub(crate) mod discipline;
pub(crate) mod engine;
pub(crate) mod expenses;
pub(crate) mod flags;
pub(crate) mod funnel;
pub(crate) mod gap;
pub(crate) mod heads;
pub(crate) mod opportunities;
pub(crate) mod receivables;
pub(crate) mod sales;
pub(crate) mod scorecard;
pub(crate) mod stored_facts;
pub(crate) mod tables;
pub(crate) mod targets;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod trend;
pub(crate) mod view;

pub use context::{Grouping, KpiContext, Settings};
pub use engine::Engine;
pub use scorecard::scorecard;
pub use stored_facts::stored_facts;

use polars::prelude::*;

/// `numerator / denominator` as Float64, null when the denominator is 0 or null
/// (SPEC section 2: a ratio with a zero denominator is null).
pub fn ratio(numerator: Expr, denominator: Expr) -> Expr {
    when(
        denominator
            .clone()
            .eq(lit(0))
            .or(denominator.clone().is_null()),
    )
    .then(lit(NULL).cast(DataType::Float64))
    .otherwise(numerator.cast(DataType::Float64) / denominator.cast(DataType::Float64))
}

/// Date literal for plans.
pub fn date_lit(d: chrono::NaiveDate) -> Expr {
    lit(d)
}
