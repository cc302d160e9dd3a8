//! Row validation: every problem names table, 1-based data row, column and
//! value, with a hint. Checks run column-wise over the whole table.

use polars::prelude::*;

use super::numbers::{as_written_expr, split_why, why_expr};
use super::parse::{expected_form, present_expr, typed_expr};
use super::problems::{Problem, ProblemKind, TableCounts, ValidationReport, EXAMPLES_PER_KIND};
use super::{Dataset, ROW};
use std::collections::BTreeMap;

use crate::schema::{Kind, Table};
use crate::Result;

/// Column a reader adds to a raw table to mark records whose structure is
/// wrong (fewer or more fields than the header), holding the reason.
pub(super) const MALFORMED: &str = "__malformed";

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
    let schema = raw.schema().as_ref().clone();
    let references = reference_rows(table, &schema, accepted, report, |column| {
        Ok(raw.clone().lazy().select([col(ROW), col(column)]))
    })?;
    let Some(plan) = plan_table(table, &schema, report, Duplicates::InFrame, &references)? else {
        return Ok(None);
    };
    Ok(Some(validate_rows(&plan, raw, report)?))
}

/// Per referencing column, the [`ROW`] numbers of its unknown references
/// and, when the target table has rejected rows, of its references to
/// those: found beforehand over the whole column, so a table validated
/// chunk by chunk and one validated whole are checked the same way.
pub(super) type ReferenceRows = BTreeMap<&'static str, (Series, Option<Series>)>;

/// The [`ReferenceRows`] of `table`, from `column_of(name)`: a plan of the
/// raw column `name` of the whole table with [`ROW`]. One anti join per
/// reference against the target's keys, instead of a set of every key
/// built again for each chunk, run on polars' streaming engine so the
/// column is read as it is joined, not held whole.
pub(super) fn reference_rows(
    table: &Table,
    schema: &Schema,
    accepted: &Dataset,
    report: &ValidationReport,
    mut column_of: impl FnMut(&str) -> Result<LazyFrame>,
) -> Result<ReferenceRows> {
    let mut found = ReferenceRows::new();
    for r in table.references {
        let (Some(dtype), Some(target)) = (schema.get(r.column), accepted.lazy(r.table)) else {
            continue;
        };
        let kind = table.column(r.column).map_or(Kind::Id, |c| c.kind);
        let value = typed_expr(r.column, kind, dtype).alias("__value");
        let keys = target
            .select([col(r.key).alias("__value")])
            .unique(None, UniqueKeepStrategy::Any);
        let unknown = column_of(r.column)?
            .select([col(ROW), value])
            .filter(col("__value").is_not_null())
            .join(
                keys,
                [col("__value")],
                [col("__value")],
                JoinArgs::new(JoinType::Anti),
            );
        let rows_of = |frame: LazyFrame| -> Result<Series> {
            let df = frame
                .select([col(ROW)])
                .sort([ROW], SortMultipleOptions::default())
                .collect_with_engine(Engine::Streaming)?
                .unwrap_single();
            Ok(df.column(ROW)?.as_materialized_series().clone())
        };
        let entry = match report.rejected_values.get(r.table) {
            Some(df) => {
                let rejected = df
                    .clone()
                    .lazy()
                    .select([col(r.key).alias("__value")])
                    .unique(None, UniqueKeepStrategy::Any);
                let among = |how| {
                    unknown.clone().join(
                        rejected.clone(),
                        [col("__value")],
                        [col("__value")],
                        JoinArgs::new(how),
                    )
                };
                (
                    rows_of(among(JoinType::Anti))?,
                    Some(rows_of(among(JoinType::Semi))?),
                )
            }
            None => (rows_of(unknown)?, None),
        };
        found.insert(r.column, entry);
    }
    Ok(found)
}

/// How duplicate keys are told.
pub(super) enum Duplicates {
    /// Within the rows validated together (the whole table): a row whose
    /// complete key an earlier row has.
    InFrame,
    /// The [`ROW`] numbers of such rows, found beforehand over the whole
    /// table's keys, for a table validated chunk by chunk.
    Rows(Series),
}

/// The checks of one table, built once from its columns (as `schema` has
/// them, names trimmed) and the tables it refers to; [`validate_rows`]
/// runs them over the whole table or over each chunk of it.
pub(super) struct TablePlan {
    table: &'static Table,
    schema: Schema,
    present: Vec<&'static crate::schema::Column>,
    checks: Vec<Check>,
}

/// The plan of `table` for raw columns `schema`: `None` (with the report's
/// fatal problem) when a required column is missing; warns about unknown
/// columns and, for opportunities, a missing close_date column. The row
/// counts of the table start at zero here. `references` are the table's
/// [`reference_rows`], found beforehand.
pub(super) fn plan_table(
    table: &'static Table,
    schema: &Schema,
    report: &mut ValidationReport,
    duplicates: Duplicates,
    references: &ReferenceRows,
) -> Result<Option<TablePlan>> {
    let schema = schema.clone();
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
    checks.push(duplicate_check(table, duplicates)?);
    for r in table.references {
        if !schema.contains(r.column) {
            continue;
        }
        // Absent when the target table is.
        let Some((unknown, rejected)) = references.get(r.column) else {
            continue;
        };
        let among = |rows: &Series| col(ROW).is_in(lit(rows.clone()).implode(false), false);
        let (unknown, rejected) = (among(unknown), rejected.as_ref().map(among));
        checks.push(Check {
            column: r.column.into(),
            kind: ProblemKind::UnknownReference,
            mask: unknown,
            hint: format!(
                "no {} with this {} in {}; add it there or correct the id",
                r.table, r.key, r.table
            ),
        });
        if let Some(rejected) = rejected {
            checks.push(Check {
                column: r.column.into(),
                kind: ProblemKind::RejectedReference,
                mask: rejected,
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
        let stage = crate::text::folded(col(tmp("stage")));
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

    report.counts.insert(table.name, TableCounts::default());
    Ok(Some(TablePlan {
        table,
        schema,
        present,
        checks,
    }))
}

/// Runs `plan`'s checks over `raw` (the whole table, or one chunk of it
/// with its file's [`ROW`] numbers): adds its rows, bad rows, problems and
/// rejects to the report, and returns its good rows typed, with the
/// contract's absent columns as typed nulls.
pub(super) fn validate_rows(
    plan: &TablePlan,
    raw: DataFrame,
    report: &mut ValidationReport,
) -> Result<DataFrame> {
    let TablePlan {
        table,
        schema,
        present,
        checks,
    } = plan;
    let table = *table;
    let raw = trim_header(raw)?;
    let typed_cols: Vec<Expr> = present
        .iter()
        .map(|c| {
            typed_expr(c.name, c.kind, schema.get(c.name).expect("present")).alias(tmp(c.name))
        })
        .collect();
    let df = raw.lazy().with_columns(typed_cols).collect()?;
    let df = with_check_flags(df, checks)?;
    let bad = collect_problems(table, &df, checks, report)?;
    let reason =
        checks
            .iter()
            .enumerate()
            .rev()
            .fold(lit(NULL).cast(DataType::String), |acc, (i, c)| {
                let why = match c.kind {
                    ProblemKind::Malformed => col(MALFORMED),
                    // A mapped number says why it does not read (numbers.rs).
                    ProblemKind::Unparsable => concat_str(
                        [
                            lit(format!("{}: {} (", c.column, c.kind.label())),
                            coalesce(&[
                                why_expr(col(c.column.as_str()).cast(DataType::String)),
                                lit(c.hint.clone()),
                            ]),
                            lit(")"),
                        ],
                        "",
                        false,
                    ),
                    _ => lit(format!("{}: {} ({})", c.column, c.kind.label(), c.hint)),
                };
                when(col(flag(i))).then(why).otherwise(acc)
            });
    let counts = report.counts.entry(table.name).or_default();
    counts.rows += df.height();
    counts.bad_rows += bad;
    // The reason text is built for the bad rows only: a chain of
    // when/then over every row of a million-row table was a third of the
    // validation time on clean data.
    let any_flag = any_check_flag(checks).unwrap_or(lit(false));
    if bad > 0 {
        let flagged = df
            .clone()
            .lazy()
            .filter(any_flag.clone())
            .with_column(reason.alias("__reason"));
        let mut raw_cols: Vec<Expr> = schema
            .iter_names()
            .filter(|n| n.as_str() != ROW && n.as_str() != MALFORMED)
            .map(|n| as_written_expr(col(n.clone()).cast(DataType::String)))
            .collect();
        raw_cols.insert(0, col(ROW).alias("row"));
        raw_cols.push(col("__reason").alias("reason"));
        // The bad rows are filtered once; both views below select from them.
        let bad_rows = flagged.collect()?;
        let rejects = bad_rows.clone().lazy().select(raw_cols).collect()?;
        append(&mut report.rejects, table.name, rejects)?;
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
        append(&mut report.rejected_values, table.name, typed_bad)?;
    }
    let keep: Vec<Expr> = present
        .iter()
        .map(|c| col(tmp(c.name)).alias(c.name))
        .collect();
    let typed = if bad > 0 {
        df.lazy().filter(any_flag.not()).select(keep).collect()?
    } else {
        df.lazy().select(keep).collect()?
    };
    add_absent_columns(table, typed)
}

/// Puts the problems of `plan`'s table in the order a whole-table
/// validation gives them, check by check, each check's in row order:
/// chunk by chunk they came interleaved. The table's problems are the
/// report's last (tables are validated one after the other).
pub(super) fn order_problems(plan: &TablePlan, report: &mut ValidationReport) {
    let check_of = |p: &Problem| {
        plan.checks
            .iter()
            .position(|c| c.column == p.column && c.kind == p.kind)
            .unwrap_or(usize::MAX)
    };
    let first = report
        .problems
        .iter()
        .position(|p| p.table == plan.table.name)
        .unwrap_or(report.problems.len());
    // Stable: rows stay in order within a check.
    report.problems[first..].sort_by_key(check_of);
}

/// Adds `rows` to the frame kept for `table` (the rows of a later chunk
/// below those of the earlier ones).
fn append(
    frames: &mut std::collections::BTreeMap<&'static str, DataFrame>,
    table: &'static str,
    rows: DataFrame,
) -> Result<()> {
    match frames.get_mut(table) {
        Some(kept) => {
            kept.vstack_mut(&rows)?;
        }
        None => {
            frames.insert(table, rows);
        }
    }
    Ok(())
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

/// The rows (by [`ROW`]) of `keys` (the raw key columns of a whole table,
/// with [`ROW`]) whose complete typed key an earlier row has.
pub(super) fn duplicate_rows(table: &Table, keys: DataFrame) -> Result<Series> {
    let schema = keys.schema().clone();
    let typed: Vec<Expr> = table
        .key
        .iter()
        .map(|k| {
            let kind = table.column(k).map_or(Kind::Text, |c| c.kind);
            let dtype = schema.get(k).cloned().unwrap_or(DataType::String);
            typed_expr(k, kind, &dtype).alias(tmp(k))
        })
        .collect();
    let keys = keys.lazy().with_columns(typed).collect()?;
    let columns: Vec<String> = table.key.iter().map(|k| tmp(k)).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    if strictly_increasing(&keys, &columns)? {
        // Sorted keys (the usual export) repeat nothing: no hashing needed.
        return Ok(Series::new_empty(ROW.into(), keys.column(ROW)?.dtype()));
    }
    let mask = first_occurrence_mask(table).not();
    let rows = keys
        .lazy()
        .filter(mask.fill_null(lit(false)))
        .select([col(ROW)])
        .collect()?;
    Ok(rows.column(ROW)?.as_materialized_series().clone())
}

/// Whether the key `columns` of `frame`, none null, increase strictly from
/// row to row (compared column by column, the first deciding): then no
/// key repeats. Validation tells duplicate keys this way before hashing
/// them; the KPI engine tells order lines that run order by order.
///
/// Errors: a column missing from `frame`.
pub(crate) fn strictly_increasing(frame: &DataFrame, columns: &[&str]) -> Result<bool> {
    for c in columns {
        if frame.column(c)?.null_count() > 0 {
            return Ok(false);
        }
    }
    if frame.height() < 2 {
        return Ok(true);
    }
    // Each row against the row before it, the last column deciding ties.
    let Some(after) = columns.iter().rev().fold(None, |rest: Option<Expr>, c| {
        let before = col(*c).shift(lit(1));
        let greater = col(*c).gt(before.clone());
        Some(match rest {
            None => greater,
            Some(rest) => greater.or(col(*c).eq(before).and(rest)),
        })
    }) else {
        return Ok(false);
    };
    let verdict = frame
        .clone()
        .lazy()
        .select([after
            .slice(lit(1i64), lit(frame.height() as u64 - 1))
            .fill_null(lit(false))
            .all(false)
            .alias("ok")])
        .collect()?;
    Ok(verdict.column("ok")?.bool()?.get(0).unwrap_or(false))
}

/// True on a row with an incomplete key or the first row of its key.
fn first_occurrence_mask(table: &Table) -> Expr {
    // Rows keep file order, so the first occurrence is the earliest row.
    let (complete, key) = key_parts(table.key.iter().map(|k| col(tmp(k))).collect());
    complete.not().or(key.is_first_distinct())
}

fn duplicate_check(table: &Table, duplicates: Duplicates) -> Result<Check> {
    let mask = match duplicates {
        Duplicates::InFrame => first_occurrence_mask(table).not(),
        Duplicates::Rows(rows) => col(ROW).is_in(lit(rows).implode(false), false),
    };
    Ok(Check {
        column: table.key.join("+"),
        kind: ProblemKind::DuplicateKey,
        mask,
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

/// True where any check's flag column is set (none without checks).
fn any_check_flag(checks: &[Check]) -> Option<Expr> {
    (0..checks.len())
        .map(|i| col(flag(i)))
        .reduce(|a, b| a.or(b))
}

/// Records counts and examples of every check from its flag column; returns
/// the number of bad rows.
fn collect_problems(
    table: &'static Table,
    df: &DataFrame,
    checks: &[Check],
    report: &mut ValidationReport,
) -> Result<usize> {
    let Some(any) = any_check_flag(checks) else {
        return Ok(0);
    };
    let bad_rows = df.clone().lazy().select([any.alias("a")]).collect()?;
    let bad = bad_rows.column("a")?.bool()?.sum().unwrap_or(0) as usize;
    for (i, c) in checks.iter().enumerate() {
        let n = df.column(&flag(i))?.bool()?.sum().unwrap_or(0) as usize;
        if n == 0 {
            continue;
        }
        let key = (table.name, c.column.clone(), c.kind);
        let found_before = report.problem_counts.get(&key).copied().unwrap_or(0);
        report.problem_counts.insert(key, found_before + n);
        // An earlier chunk may have given some of the examples already.
        let room = EXAMPLES_PER_KIND.saturating_sub(found_before);
        if room == 0 {
            continue;
        }
        let value_col = c
            .column
            .split('+')
            .map(|s| col(s).cast(DataType::String))
            .collect::<Vec<_>>();
        let examples = df
            .clone()
            .lazy()
            .filter(col(flag(i)))
            .limit(room as IdxSize)
            .select([
                col(ROW).cast(DataType::UInt64).alias("row"),
                concat_str(value_col, ", ", true).alias("value"),
            ])
            .collect()?;
        let rows = examples.column("row")?.u64()?;
        let values = examples.column("value")?.str()?;
        for (row, value) in rows.iter().zip(values.iter()) {
            let (written, why) = split_why(value.unwrap_or(""));
            report.problems.push(Problem {
                table: table.name,
                row: row.unwrap_or(0),
                column: c.column.clone(),
                value: written.to_string(),
                kind: c.kind,
                hint: why.map_or_else(|| c.hint.clone(), str::to_string),
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
    fn sorted_keys_are_told_without_hashing_and_anything_else_is_not() {
        let one = |ids: Vec<Option<&str>>| df!("k" => ids).unwrap();
        assert!(
            strictly_increasing(&one(vec![Some("A1"), Some("A2"), Some("B")]), &["k"]).unwrap()
        );
        // A repeat, a step back, a null: not strictly increasing.
        assert!(!strictly_increasing(&one(vec![Some("A1"), Some("A1")]), &["k"]).unwrap());
        assert!(!strictly_increasing(&one(vec![Some("B"), Some("A")]), &["k"]).unwrap());
        assert!(!strictly_increasing(&one(vec![Some("A"), None, Some("C")]), &["k"]).unwrap());
        assert!(strictly_increasing(&one(vec![]), &["k"]).unwrap());
        let two = df!("o" => ["O1", "O1", "O2", "O3"], "n" => [1i64, 2, 1, 7]).unwrap();
        assert!(strictly_increasing(&two, &["o", "n"]).unwrap());
        let back = df!("o" => ["O1", "O1"], "n" => [2i64, 1]).unwrap();
        assert!(!strictly_increasing(&back, &["o", "n"]).unwrap());
        let same = df!("o" => ["O1", "O2", "O2"], "n" => [1i64, 1, 1]).unwrap();
        assert!(!strictly_increasing(&same, &["o", "n"]).unwrap());
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(250);
        let cut = excerpt(&long);
        assert!(cut.starts_with(&"é".repeat(200)));
        assert!(cut.ends_with("… (50 more characters)"), "{cut}");
    }
}
