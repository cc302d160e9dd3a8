//! salesops: batch analytics and KPI reporting for sales-team management.
//!
//! The modules follow the data's path: [`ingest`] (read, map, validate) →
//! [`kpi`] (one module per KPI family) → [`output`], with [`cli`] at the edge.

pub mod cli;
pub mod column_type;
pub mod commission;
pub mod error;
pub mod generate;
pub mod ingest;
pub mod kpi;
pub mod money;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod report;
pub mod schema;
pub mod suggest;

pub use error::{Error, Result};
