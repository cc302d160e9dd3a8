//! Library error type and the one mapping from error kind to exit code.
//!
//! Exit codes (README, "Exit codes"): 0 ok; 1 an internal error — a bug of
//! ours, not of the data (template, typesetting, chart, serialisation, an
//! imbalance check, a query-engine failure); 2 invalid input data (a bad
//! value, a rejected validation, a failed data-quality gate); 3 a usage or
//! configuration error; 4 another run holds the lock. No internal failure
//! exits 2: code that finds its own invariant broken raises `Internal`.

use std::path::PathBuf;

/// Errors raised by the salesops library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written. The OS error is part of the
    /// message, not a separate cause, so `{:#}` never prints it twice.
    #[error("{path}: {error}", path = path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying I/O error.
        error: std::io::Error,
    },
    /// Polars failed while planning or executing a query.
    #[error("query engine: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    /// One input value or file is not usable as data (an unreadable CSV
    /// line, a lookup that matches too little), named with table, row,
    /// column and the value as written.
    #[error("{0}")]
    Invalid(String),
    /// Validation refused the input: what was refused and why, then the
    /// validation report listing every problem (table, row, column, value).
    #[error("{summary}{}{report}", if report.is_empty() { "" } else { "\n" })]
    Rejected {
        /// One line: what was refused and what to do.
        summary: String,
        /// The rendered validation report (problems by table and kind).
        report: String,
    },
    /// The nightly run's data-quality gate failed on data that is valid row
    /// by row: a required table absent, an input in the wrong format.
    /// The message starts with "data-quality gate".
    #[error("{0}")]
    Gate(String),
    /// A command-line or configuration value is not usable.
    #[error("{0}")]
    Usage(String),
    /// Another run holds the output folder's lock.
    #[error("{0}")]
    Locked(String),
    /// A bug of ours: a broken template, a failed chart or serialisation, an
    /// imbalance that the arithmetic should make impossible. Never bad data.
    #[error("internal error: {0}")]
    Internal(String),
    /// Rendering a report failed; says which report (period, language, format).
    #[error("rendering the {format} report of {period} ({lang}): {message}")]
    Render {
        /// The report's period label.
        period: String,
        /// The report's language code.
        lang: String,
        /// `HTML` or `PDF`.
        format: String,
        /// What went wrong.
        message: String,
    },
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit code: success.
pub(crate) const EXIT_OK: i32 = 0;
/// Exit code: an internal error (a bug of ours).
pub(crate) const EXIT_INTERNAL: i32 = 1;
/// Exit code: invalid input data.
pub(crate) const EXIT_INVALID_DATA: i32 = 2;
/// Exit code: a usage or configuration error.
pub(crate) const EXIT_USAGE: i32 = 3;
/// Exit code: another run holds the output folder's lock.
pub(crate) const EXIT_LOCKED: i32 = 4;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// The documented exit code of this kind of error. A file that cannot
    /// be read or written is an environment problem the user fixes (a
    /// missing path, a permission), so it counts as usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Rejected { .. } | Error::Gate(_) => EXIT_INVALID_DATA,
            Error::Usage(_) | Error::Io { .. } => EXIT_USAGE,
            Error::Locked(_) => EXIT_LOCKED,
            Error::Internal(_) | Error::Render { .. } | Error::Polars(_) => EXIT_INTERNAL,
        }
    }

    /// Adds the report's period, language and format to an error raised
    /// while rendering it; bad-data and usage errors keep their kind.
    pub fn in_report(self, period: &str, lang: &str, format: &str) -> Error {
        let render = |message: String| Error::Render {
            period: period.to_string(),
            lang: lang.to_string(),
            format: format.to_string(),
            message,
        };
        match self {
            Error::Internal(m) => render(m),
            Error::Polars(e) => render(format!("query engine: {e}")),
            Error::Usage(m) => Error::Usage(format!("{format} report of {period} ({lang}): {m}")),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_documented_exit_code() {
        assert_eq!(Error::Invalid("bad row".into()).exit_code(), 2);
        let rejected = Error::Rejected {
            summary: "the input was not loaded: 1 problem(s) found".into(),
            report: "error: orders row 2 column quantity: `x`".into(),
        };
        assert_eq!(rejected.exit_code(), 2);
        assert_eq!(
            rejected.to_string(),
            "the input was not loaded: 1 problem(s) found\nerror: orders row 2 column quantity: `x`"
        );
        assert_eq!(Error::Gate("orders absent".into()).exit_code(), 2);
        assert_eq!(Error::Usage("bad flag".into()).exit_code(), 3);
        assert_eq!(
            Error::io("x.toml", std::io::ErrorKind::NotFound.into()).exit_code(),
            3
        );
        assert_eq!(Error::Locked("held".into()).exit_code(), 4);
        assert_eq!(Error::Internal("template".into()).exit_code(), 1);
        let polars = polars::prelude::PolarsError::ComputeError("x".into());
        assert_eq!(Error::Polars(polars).exit_code(), 1);
        let render =
            Error::Internal("typst: unexpected comma".into()).in_report("2026-10", "en", "PDF");
        assert_eq!(render.exit_code(), 1);
        assert_eq!(
            render.to_string(),
            "rendering the PDF report of 2026-10 (en): typst: unexpected comma"
        );
        assert_eq!(
            Error::Invalid("x".into())
                .in_report("2026-10", "en", "PDF")
                .exit_code(),
            2
        );
    }
}
