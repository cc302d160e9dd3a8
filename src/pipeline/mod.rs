//! The pipeline: its config file, and the runs that turn a data directory
//! into KPI tables and other outputs.

pub mod config;
pub mod publish;
pub mod run;

pub use config::Config;
