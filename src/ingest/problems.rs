//! The validation report: what is wrong with a value ([`ProblemKind`],
//! [`Problem`]), counts per table, and the report's rendering and reject policy.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use polars::prelude::*;

use super::mapping::Origin;
use super::validate::excerpt;
use crate::{Error, Result};

/// Examples kept per (table, column, kind); the rest are counted.
pub(super) const EXAMPLES_PER_KIND: usize = 20;

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// The value does not parse as the column's type.
    Unparsable,
    /// A required value is empty.
    Empty,
    /// The value is outside the allowed range.
    OutOfRange,
    /// The key repeats an earlier row's key.
    DuplicateKey,
    /// The id does not exist in the referenced table.
    UnknownReference,
    /// A won or lost opportunity has no close_date.
    MissingCloseDate,
    /// The id exists only on a row of the referenced table that was rejected.
    RejectedReference,
    /// The CSV record has fewer or more fields than the header.
    Malformed,
}

impl ProblemKind {
    pub(super) fn label(self) -> &'static str {
        match self {
            ProblemKind::Unparsable => "unparsable value",
            ProblemKind::Empty => "empty required value",
            ProblemKind::OutOfRange => "value out of range",
            ProblemKind::DuplicateKey => "duplicate key",
            ProblemKind::UnknownReference => "unknown reference",
            ProblemKind::MissingCloseDate => "closed opportunity without close_date",
            ProblemKind::RejectedReference => "reference to a rejected row",
            ProblemKind::Malformed => "malformed record",
        }
    }
}

/// One bad value.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Table name.
    pub table: &'static str,
    /// 1-based data row (the header is not counted).
    pub row: u64,
    /// Column name.
    pub column: String,
    /// The value as found (empty for a missing value).
    pub value: String,
    /// What is wrong.
    pub kind: ProblemKind,
    /// How to fix it.
    pub hint: String,
}

/// Per-table counts of rows read and rows rejected.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableCounts {
    /// Data rows read.
    pub rows: usize,
    /// Rows with at least one problem.
    pub bad_rows: usize,
}

/// Everything validation found.
#[derive(Debug, Default)]
pub struct ValidationReport {
    /// Problems that stop the load whatever the policy (missing table or column).
    pub fatal: Vec<String>,
    /// Example problems, at most [`EXAMPLES_PER_KIND`] per (table, column, kind).
    pub problems: Vec<Problem>,
    /// Number of problems per (table, column, kind), examples included.
    pub problem_counts: BTreeMap<(&'static str, String, ProblemKind), usize>,
    /// Non-fatal notes (unknown columns, absent optional tables).
    pub warnings: Vec<String>,
    /// Rows read and rejected per table.
    pub counts: BTreeMap<&'static str, TableCounts>,
    /// Rejected rows per table: the original columns plus `reason`.
    pub rejects: BTreeMap<&'static str, DataFrame>,
    /// Source rows a mapping profile left out on purpose, with `reason`.
    pub skipped: BTreeMap<&'static str, DataFrame>,
    /// Where each table came from when a mapping profile was used.
    pub origins: BTreeMap<&'static str, Origin>,
    /// Typed values of rejected rows per table (the columns other tables
    /// refer to), so rows that refer to them are reported as such rather than
    /// as unknown ids.
    pub rejected_values: BTreeMap<&'static str, DataFrame>,
}

impl ValidationReport {
    /// Total number of problems found.
    pub fn problem_total(&self) -> usize {
        self.problem_counts.values().sum()
    }

    /// Data rows read per table, in table-name order (for report appendices).
    pub fn rows_read(&self) -> Vec<(String, usize)> {
        self.counts
            .iter()
            .map(|(t, c)| (t.to_string(), c.rows))
            .collect()
    }

    /// Human-readable report of every problem kind with its examples.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.fatal {
            let _ = writeln!(out, "error: {f}");
        }
        // Causes first, then the rows that only fail because they refer to them.
        let mut ordered: Vec<_> = self.problem_counts.iter().collect();
        ordered.sort_by_key(|((_, _, k), _)| *k == ProblemKind::RejectedReference);
        for ((table, column, kind), n) in ordered {
            if *kind == ProblemKind::RejectedReference {
                // Follow-on problems: one line, the cause is reported above.
                let target = crate::schema::table(table)
                    .and_then(|t| t.references.iter().find(|r| r.column == column))
                    .map_or("referenced", |r| r.table);
                let _ = writeln!(
                    out,
                    "error: {table} column {column}: {n} row(s) refer to {target} rows that were rejected (see the {target} errors); they are rejected with them"
                );
                continue;
            }
            let examples: Vec<&Problem> = self
                .problems
                .iter()
                .filter(|p| p.table == *table && &p.column == column && p.kind == *kind)
                .collect();
            for p in &examples {
                let source = self.origins.get(p.table);
                let origin = source
                    .map(|o| format!(" {}", o.describe(p.row, &p.column)))
                    .unwrap_or_default();
                let hint = source
                    .filter(|_| p.kind == ProblemKind::Unparsable)
                    .and_then(|o| o.format_hint(&p.column))
                    .unwrap_or_else(|| p.hint.clone());
                if p.kind == ProblemKind::Malformed {
                    let _ = writeln!(out, "error: {} row {}{origin}: {}", p.table, p.row, p.value);
                    continue;
                }
                let _ = writeln!(
                    out,
                    "error: {} row {} column {}{origin}: {} `{}`: {hint}",
                    p.table,
                    p.row,
                    p.column,
                    p.kind.label(),
                    excerpt(&p.value),
                );
            }
            if *n > examples.len() {
                let _ = writeln!(
                    out,
                    "error: {table} column {column}: … and {} more {}",
                    n - examples.len(),
                    kind.label()
                );
            }
        }
        out
    }

    /// Applies the reject policy: strict fails on any problem; quarantine fails
    /// when a table's bad-row share exceeds the limit.
    pub(super) fn decide(&mut self, max_reject_share: Option<f64>) -> Result<()> {
        // The summary comes first: every line of the rendered report below
        // starts with "error: ", and the binary puts that before the summary.
        if !self.fatal.is_empty() {
            return Err(Error::Rejected {
                summary: "the input was not loaded:".into(),
                report: self.render().trim_end().to_string(),
            });
        }
        if self.problem_total() == 0 {
            return Ok(());
        }
        let Some(limit) = max_reject_share else {
            return Err(Error::Rejected {
                summary: format!(
                    "the input was not loaded: {} problem(s) found; nothing was written (fix the rows below, or allow quarantining with --max-reject-share)",
                    self.problem_total()
                ),
                report: self.render().trim_end().to_string(),
            });
        };
        let over: Vec<String> = self
            .counts
            .iter()
            .filter(|(_, c)| c.rows > 0 && c.bad_rows as f64 / c.rows as f64 > limit)
            .map(|(t, c)| {
                format!(
                    "{t}: {} of {} rows bad ({:.2} %)",
                    c.bad_rows,
                    c.rows,
                    100.0 * c.bad_rows as f64 / c.rows as f64
                )
            })
            .collect();
        if over.is_empty() {
            return Ok(());
        }
        Err(Error::Rejected {
            summary: format!(
                "the input was not loaded: bad-row share above --max-reject-share {limit}: {}; nothing was written",
                over.join("; ")
            ),
            report: self.render().trim_end().to_string(),
        })
    }
}
