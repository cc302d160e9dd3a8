//! salesops: batch analytics and KPI reporting for sales-team management.
//!
//! The modules follow the data's path: [`ingest`] (read, map, validate) →
//! [`kpi`] (one module per KPI family) → [`output`], with [`cli`] at the edge.

pub mod cli;
pub(crate) mod column_type;
pub(crate) mod commission;
pub(crate) mod error;
pub(crate) mod generate;
pub mod ingest;
pub mod kpi;
pub(crate) mod lang;
pub(crate) mod money;
pub(crate) mod output;
pub(crate) mod period;
pub(crate) mod pipeline;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod suggest;
pub(crate) mod text;

pub use error::{Error, Result};
