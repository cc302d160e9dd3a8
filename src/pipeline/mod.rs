//! The pipeline: its config file, and the runs that turn a data directory
//! into KPI tables and other outputs.

mod checks;
pub(crate) mod config;
pub(crate) mod delivery;
mod manifest;
pub(crate) mod publish;
pub(crate) mod run;

pub(crate) use config::Config;
