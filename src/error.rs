//! Library error type.

use std::path::PathBuf;

/// Errors raised by the salesops library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Polars failed while planning or executing a query.
    #[error("query engine: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    /// The input data failed validation; the report lists every problem.
    #[error("{0}")]
    Invalid(String),
    /// A command-line or configuration value is not usable.
    #[error("{0}")]
    Usage(String),
    /// Another run holds the output folder's lock.
    #[error("{0}")]
    Locked(String),
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
