//! The pipeline: its config file, and the runs that turn a data directory
//! into KPI tables and other outputs.

mod checks;
pub mod config;
mod manifest;
pub mod publish;
pub mod run;

pub use config::Config;
