//! Row validation: every problem names table, 1-based data row, column and
//! value, with a hint. Checks run column-wise over the whole table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use polars::prelude::*;

use super::mapping::Origin;
use super::parse::{expected_form, present_expr, typed_expr};
use super::{Dataset, ROW};
use crate::schema::{Kind, Table};
use crate::{Error, Result};

/// Examples kept per (table, column, kind); the rest are counted.
pub const EXAMPLES_PER_KIND: usize = 20;

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

/// Column a reader adds to a raw table to mark records whose structure is
/// wrong (fewer or more fields than the header), holding the reason.
pub const MALFORMED: &str = "__malformed";

impl ProblemKind {
    fn label(self) -> &'static str {
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
            return Err(Error::Invalid(format!(
                "the input was not loaded:\n{}",
                self.render().trim_end()
            )));
        }
        if self.problem_total() == 0 {
            return Ok(());
        }
        let Some(limit) = max_reject_share else {
            return Err(Error::Invalid(format!(
                "the input was not loaded: {} problem(s) found; nothing was written (fix the rows below, or allow quarantining with --max-reject-share)\n{}",
                self.problem_total(),
                self.render().trim_end()
            )));
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
        Err(Error::Invalid(format!(
            "the input was not loaded: bad-row share above --max-reject-share {limit}: {}; nothing was written\n{}",
            over.join("; "),
            self.render().trim_end()
        )))
    }
}

/// One check: a boolean mask over the table marking bad rows.
struct Check {
    column: String,
    kind: ProblemKind,
    mask: Expr,
    hint: String,
}

fn tmp(name: &str) -> String {
    format!("__t_{name}")
}

/// Validates one raw table against the contract. Returns the typed table
/// (good rows only; `None` when the table cannot be used at all).
pub(super) fn validate_table(
    table: &'static Table,
    raw: DataFrame,
    accepted: &Dataset,
    report: &mut ValidationReport,
) -> Result<Option<DataFrame>> {
    let raw = trim_header(raw)?;
    let schema = raw.schema().clone();
    let missing: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.required && !schema.contains(c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        let found: Vec<&str> = schema
            .iter_names()
            .filter(|n| n.as_str() != ROW)
            .map(|n| n.as_str())
            .collect();
        report.fatal.push(format!(
            "{}: required column(s) {} missing (found: {}); rename the export's columns to the contract's names",
            table.name,
            missing.join(", "),
            found.join(", ")
        ));
        return Ok(None);
    }
    for name in schema.iter_names() {
        if name.as_str() != ROW && name.as_str() != MALFORMED && table.column(name).is_none() {
            report.warnings.push(format!(
                "{}: unknown column `{}` ignored (contract columns: {})",
                table.name,
                excerpt(name),
                table
                    .columns
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let present: Vec<_> = table
        .columns
        .iter()
        .filter(|c| schema.contains(c.name))
        .collect();
    let typed_cols: Vec<Expr> = present
        .iter()
        .map(|c| {
            typed_expr(c.name, c.kind, schema.get(c.name).expect("present")).alias(tmp(c.name))
        })
        .collect();
    let df = raw.lazy().with_columns(typed_cols).collect()?;

    let mut checks = Vec::new();
    if schema.contains(MALFORMED) {
        // First, so a malformed record is reported as such, not by the
        // values that its missing or extra fields made wrong.
        checks.push(Check {
            column: MALFORMED.into(),
            kind: ProblemKind::Malformed,
            mask: col(MALFORMED).is_not_null(),
            hint: "every record needs the header's number of fields".into(),
        });
    }
    for c in &present {
        let dtype = schema.get(c.name).expect("present");
        let has_value = present_expr(c.name, dtype);
        if c.required {
            checks.push(Check {
                column: c.name.into(),
                kind: ProblemKind::Empty,
                mask: has_value.clone().not(),
                hint: format!("{} is required; fill it in or remove the row", c.name),
            });
        }
        if !matches!(c.kind, Kind::Text) {
            checks.push(Check {
                column: c.name.into(),
                kind: ProblemKind::Unparsable,
                mask: has_value.and(col(tmp(c.name)).is_null()),
                hint: format!("expected {}", expected_form(c.kind)),
            });
        }
        if c.kind == Kind::Ratio {
            let t = col(tmp(c.name));
            checks.push(Check {
                column: c.name.into(),
                kind: ProblemKind::OutOfRange,
                mask: t.clone().lt(lit(0.0)).or(t.gt(lit(1.0))),
                hint: "write probabilities as a fraction between 0 and 1 (0.4, not 40)".into(),
            });
        }
    }
    checks.push(duplicate_check(table)?);
    for r in table.references {
        if !schema.contains(r.column) {
            continue;
        }
        let Some(target) = accepted.frame(r.table) else {
            continue;
        };
        let keys = target.column(r.key)?.as_materialized_series().unique()?;
        let value = col(tmp(r.column));
        let unknown = value
            .clone()
            .is_not_null()
            .and(value.clone().is_in(lit(keys).implode(false), false).not());
        let rejected = match report.rejected_values.get(r.table) {
            Some(df) => Some(df.column(r.key)?.as_materialized_series().unique()?),
            None => None,
        };
        let in_rejected = match &rejected {
            Some(k) => value.is_in(lit(k.clone()).implode(false), false),
            None => lit(false),
        };
        checks.push(Check {
            column: r.column.into(),
            kind: ProblemKind::UnknownReference,
            mask: unknown.clone().and(in_rejected.clone().not()),
            hint: format!(
                "no {} with this {} in {}; add it there or correct the id",
                r.table, r.key, r.table
            ),
        });
        if rejected.is_some() {
            checks.push(Check {
                column: r.column.into(),
                kind: ProblemKind::RejectedReference,
                mask: unknown.and(in_rejected),
                hint: format!("the {} row with this {} was rejected", r.table, r.key),
            });
        }
    }
    if table.name == "orders" {
        // SPEC section 1: the net price, or the line's net amount.
        let given = |c: &str| {
            if schema.contains(c) {
                col(tmp(c)).is_not_null()
            } else {
                lit(false)
            }
        };
        let unparsed = |c: &str| {
            if schema.contains(c) {
                present_expr(c, schema.get(c).expect("present"))
            } else {
                lit(false)
            }
        };
        checks.push(Check {
            column: "unit_price".into(),
            kind: ProblemKind::Empty,
            // A value that does not parse is reported as such, not as missing.
            mask: given("unit_price")
                .or(given("line_amount"))
                .or(unparsed("unit_price"))
                .or(unparsed("line_amount"))
                .not(),
            hint: "a line needs its net unit_price or its line_amount".into(),
        });
    }
    if table.name == "opportunities" && schema.contains("close_date") {
        let stage = col(tmp("stage"))
            .str()
            .strip_chars(lit(NULL))
            .str()
            .to_lowercase();
        checks.push(Check {
            column: "close_date".into(),
            kind: ProblemKind::MissingCloseDate,
            mask: stage
                .clone()
                .eq(lit("won"))
                .or(stage.eq(lit("lost")))
                .and(col(tmp("close_date")).is_null()),
            hint: "a won or lost opportunity needs the date it closed".into(),
        });
    }
    if table.name == "opportunities" && !schema.contains("close_date") {
        report
            .warnings
            .push("opportunities: no close_date column; won/lost KPIs are null".into());
    }

    let df = with_check_flags(df, &checks)?;
    let bad = collect_problems(table, &df, &checks, report)?;
    let reason =
        checks
            .iter()
            .enumerate()
            .rev()
            .fold(lit(NULL).cast(DataType::String), |acc, (i, c)| {
                let why = if c.kind == ProblemKind::Malformed {
                    col(MALFORMED)
                } else {
                    lit(format!("{}: {} ({})", c.column, c.kind.label(), c.hint))
                };
                when(col(flag(i))).then(why).otherwise(acc)
            });
    let rows = df.height();
    report.counts.insert(
        table.name,
        TableCounts {
            rows,
            bad_rows: bad,
        },
    );
    let flagged = df.lazy().with_column(reason.alias("__reason"));
    if bad > 0 {
        let mut raw_cols: Vec<Expr> = schema
            .iter_names()
            .filter(|n| n.as_str() != ROW && n.as_str() != MALFORMED)
            .map(|n| col(n.clone()).cast(DataType::String))
            .collect();
        raw_cols.insert(0, col(ROW).alias("row"));
        raw_cols.push(col("__reason").alias("reason"));
        // The bad rows are filtered once; both views below select from them.
        let bad_rows = flagged
            .clone()
            .filter(col("__reason").is_not_null())
            .collect()?;
        let rejects = bad_rows.clone().lazy().select(raw_cols).collect()?;
        report.rejects.insert(table.name, rejects);
        let typed_bad = bad_rows
            .lazy()
            .select(
                present
                    .iter()
                    .filter(|c| is_referenced(table.name, c.name))
                    .map(|c| col(tmp(c.name)).alias(c.name))
                    .collect::<Vec<_>>(),
            )
            .collect()?;
        report.rejected_values.insert(table.name, typed_bad);
    }
    let keep: Vec<Expr> = present
        .iter()
        .map(|c| col(tmp(c.name)).alias(c.name))
        .collect();
    let typed = flagged
        .filter(col("__reason").is_null())
        .select(keep)
        .collect()?;
    Ok(Some(add_absent_columns(table, typed)?))
}

/// Whether another table refers to `column` of `table` (only those values of
/// rejected rows are kept, to tell follow-on problems from unknown ids).
fn is_referenced(table: &str, column: &str) -> bool {
    crate::schema::TABLES
        .iter()
        .flat_map(|t| t.references)
        .any(|r| r.table == table && r.key == column)
}

/// Adds contract columns the file lacks as typed nulls, so jobs can rely on them.
fn add_absent_columns(table: &Table, df: DataFrame) -> Result<DataFrame> {
    let absent: Vec<Expr> = table
        .columns
        .iter()
        .filter(|c| !df.schema().contains(c.name))
        .map(|c| typed_expr(c.name, c.kind, &DataType::String).alias(c.name))
        .collect();
    if absent.is_empty() {
        return Ok(df);
    }
    let nulls: Vec<Expr> = table
        .columns
        .iter()
        .filter(|c| !df.schema().contains(c.name))
        .map(|c| lit(NULL).cast(DataType::String).alias(c.name))
        .collect();
    Ok(df
        .lazy()
        .with_columns(nulls)
        .with_columns(absent)
        .collect()?)
}

/// For key columns `parts`: (every part present, the key as one expression).
pub(super) fn key_parts(parts: Vec<Expr>) -> (Expr, Expr) {
    let complete = parts
        .iter()
        .map(|p| p.clone().is_not_null())
        .reduce(|a, b| a.and(b))
        .expect("every table has a key");
    let key = match parts.as_slice() {
        [one] => one.clone(),
        _ => as_struct(parts),
    };
    (complete, key)
}

fn duplicate_check(table: &Table) -> Result<Check> {
    // Rows keep file order, so the first occurrence is the earliest row.
    let (complete, key) = key_parts(table.key.iter().map(|k| col(tmp(k))).collect());
    Ok(Check {
        column: table.key.join("+"),
        kind: ProblemKind::DuplicateKey,
        mask: complete.and(key.is_first_distinct().not()),
        hint: format!(
            "({}) must be unique; an earlier row has the same key",
            table.key.join(", ")
        ),
    })
}

/// Trims surrounding spaces from every column name.
pub(super) fn trim_header(mut df: DataFrame) -> Result<DataFrame> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.trim().to_string())
        .collect();
    df.set_column_names(&names)?;
    Ok(df)
}

/// Name of the boolean column holding check `i`'s verdict per row.
fn flag(i: usize) -> String {
    format!("__m{i}")
}

/// Evaluates every check once, in parallel, into boolean flag columns (null
/// counts as fine), so later steps read flags instead of re-running checks.
fn with_check_flags(df: DataFrame, checks: &[Check]) -> Result<DataFrame> {
    let flags: Vec<Expr> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| c.mask.clone().fill_null(lit(false)).alias(flag(i)))
        .collect();
    Ok(df.lazy().with_columns(flags).collect()?)
}

/// Records counts and examples of every check from its flag column; returns
/// the number of bad rows.
fn collect_problems(
    table: &'static Table,
    df: &DataFrame,
    checks: &[Check],
    report: &mut ValidationReport,
) -> Result<usize> {
    let Some(any) = (0..checks.len())
        .map(|i| col(flag(i)))
        .reduce(|a, b| a.or(b))
    else {
        return Ok(0);
    };
    let bad_rows = df.clone().lazy().select([any.alias("a")]).collect()?;
    let bad = bad_rows.column("a")?.bool()?.sum().unwrap_or(0) as usize;
    for (i, c) in checks.iter().enumerate() {
        let n = df.column(&flag(i))?.bool()?.sum().unwrap_or(0) as usize;
        if n == 0 {
            continue;
        }
        report
            .problem_counts
            .insert((table.name, c.column.clone(), c.kind), n);
        let value_col = c
            .column
            .split('+')
            .map(|s| col(s).cast(DataType::String))
            .collect::<Vec<_>>();
        let examples = df
            .clone()
            .lazy()
            .filter(col(flag(i)))
            .limit(EXAMPLES_PER_KIND as IdxSize)
            .select([
                col(ROW).cast(DataType::UInt64).alias("row"),
                concat_str(value_col, ", ", true).alias("value"),
            ])
            .collect()?;
        let rows = examples.column("row")?.u64()?;
        let values = examples.column("value")?.str()?;
        for (row, value) in rows.iter().zip(values.iter()) {
            report.problems.push(Problem {
                table: table.name,
                row: row.unwrap_or(0),
                column: c.column.clone(),
                value: value.unwrap_or("").to_string(),
                kind: c.kind,
                hint: c.hint.clone(),
            });
        }
    }
    Ok(bad)
}

/// A value as messages quote it: whole up to 200 characters, else its first
/// 200 and a count of the rest (a 50 MB field is not echoed to the terminal).
pub(crate) fn excerpt(value: &str) -> String {
    clip(value, 200)
}

/// `text` whole up to `limit` characters, else its first `limit` and a
/// count of the rest.
pub fn clip(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} more characters)",
            &text[..cut],
            text[cut..].chars().count()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(250);
        let cut = excerpt(&long);
        assert!(cut.starts_with(&"é".repeat(200)));
        assert!(cut.ends_with("… (50 more characters)"), "{cut}");
    }
}
