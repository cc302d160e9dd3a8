//! Applies a mapping [`Profile`] to a raw export: reads each named file once,
//! turns the export's conventions (null tokens, value maps, date formats,
//! decimal commas, percentages, discounts) into the contract's text forms and
//! hands canonical-named, all-text frames to the usual validation. Values that
//! a rule cannot convert stay as they were, so validation reports them with
//! their original text.
//!
//! The work is split by concept: `files` (which files and sheets are read,
//! stacked and checked against the rules), `lookups` (joins with lookup files
//! and their checks), `conversion` (a rule's value in the contract's text form)
//! and `rows` (which rows are kept: `skip_when`, distinct keys, literal rows).

mod conversion;
pub(crate) use conversion::constant_refusal;
mod files;
mod lookups;
mod rows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::profile::{ColumnSpec, Defaults, Profile, TableSpec};
use super::validate::MALFORMED;
use super::ROW;
use crate::schema::{Kind, Table, TABLES};
use crate::{Error, Result};
use conversion::{
    cell, column_expr, date_cells_as_numbers, date_formats, defaulted_flag, source_value,
};
use files::{files_of, missing_source_columns, read_source, RawFile};
use lookups::{check_lookup, lookup_frame, lookup_key, lookup_value, LookupUse};
use rows::{first_of_each_key, skip_mapped_rows, skip_rows, with_literal_rows};

/// One file of a (possibly multi-file) source: its rows are numbered
/// `offset + 1 ..= offset + rows` in the combined frame.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The file (and sheet).
    pub label: String,
    /// Rows of the files before it.
    pub offset: u64,
    /// Its data rows.
    pub rows: u64,
}

/// Where a mapped table's rows and columns came from, for messages.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The source file(s), e.g. `orders.csv` or `orders_*.csv (3 files)`.
    pub label: String,
    /// The files in reading order.
    pub segments: Vec<Segment>,
    /// Contract column → how it was obtained (`close_value`, `constant "x"`, …).
    pub columns: BTreeMap<String, String>,
    /// Date and datetime columns → the formats the profile reads them with.
    pub formats: BTreeMap<String, Vec<String>>,
}

impl Origin {
    /// "(sales_pipeline.csv row 7, column close_value)" for a problem's row and column.
    pub fn describe(&self, row: u64, column: &str) -> String {
        let how: Vec<&str> = column
            .split('+')
            .filter_map(|c| self.columns.get(c).map(String::as_str))
            .collect();
        let place = self.place(row);
        if how.is_empty() {
            format!("({place})")
        } else {
            format!("({place}, {})", how.join(" + "))
        }
    }

    /// The hint for a value of `column` no format read, naming the formats.
    pub fn format_hint(&self, column: &str) -> Option<String> {
        self.formats.get(column).map(|f| {
            format!(
                "expected a date written as {} (or in the contract's form YYYY-MM-DD)",
                f.join(" or ")
            )
        })
    }

    /// Rows taken from the files; higher row numbers are the profile's `rows`.
    pub fn file_rows(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.offset + s.rows)
    }

    /// "orders_2026-10.csv row 5": the file and its own data row for a row
    /// number of the combined table.
    pub fn place(&self, row: u64) -> String {
        let file_rows = self.file_rows();
        if row > file_rows {
            return format!("profile `rows` entry {}", row - file_rows);
        }
        match self
            .segments
            .iter()
            .find(|s| row > s.offset && row <= s.offset + s.rows)
        {
            Some(s) => format!("{} row {}", s.label, row - s.offset),
            None => format!("{} row {row}", self.label),
        }
    }
}

/// The export mapped onto the contract, before validation.
#[derive(Debug, Default)]
pub(super) struct MappedExport {
    /// Canonical all-text frames with [`ROW`], by table.
    pub frames: BTreeMap<&'static str, DataFrame>,
    /// Where each table came from.
    pub origins: BTreeMap<&'static str, Origin>,
    /// Source rows left out by `skip_when`, with a `reason`, by table.
    pub skipped: BTreeMap<&'static str, DataFrame>,
    /// The main source file of each table.
    pub paths: BTreeMap<&'static str, PathBuf>,
    /// Every file read (main files, every file of a pattern, lookup files),
    /// sorted, with the size and SHA-256 of the bytes read.
    pub files_read: Vec<super::digest::ReadFile>,
    /// The source rows each table was mapped from (after `skip_when`), with [`ROW`].
    pub raw_rows: BTreeMap<&'static str, DataFrame>,
    /// Notes for the user (rows skipped, files read).
    pub notes: Vec<String>,
}

/// Reads every file the profile names under `from` and maps each table.
pub(super) fn map_export(profile: &Profile, from: &Path) -> Result<MappedExport> {
    if !from.exists() {
        return Err(Error::Usage(format!(
            "export {} does not exist; --from (or --data with --profile) names the folder holding the export's files",
            from.display()
        )));
    }
    let mut files: BTreeMap<String, RawFile> = BTreeMap::new();
    let mut out = MappedExport::default();
    let mut errors = Vec::new();
    for table in TABLES {
        let Some(spec) = profile.tables.get(table.name) else {
            continue;
        };
        for name in files_of(spec) {
            if files.contains_key(name) {
                continue;
            }
            let file = &profile.files[name];
            files.insert(
                name.to_string(),
                read_source(from, file, &profile.read_spec(file))?,
            );
        }
        errors.extend(missing_source_columns(table, spec, &files));
        if !errors.is_empty() {
            continue;
        }
        map_table(table, spec, &profile.defaults, &files, &mut out)?;
    }
    if !errors.is_empty() {
        return Err(Error::Usage(format!(
            "the profile does not match the export:\n  {}",
            errors.join("\n  ")
        )));
    }
    out.notes
        .extend(files.values().flat_map(|f| f.notes.clone()));
    out.files_read = files.values().flat_map(|f| f.reads.clone()).collect();
    out.files_read.sort_by(|a, b| a.path.cmp(&b.path));
    out.files_read.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

/// Maps one table: skip rules, lookups, every column rule, distinct keys and
/// the profile's literal rows.
fn map_table(
    table: &'static Table,
    spec: &TableSpec,
    defaults: &Defaults,
    files: &BTreeMap<String, RawFile>,
    out: &mut MappedExport,
) -> Result<()> {
    let mut origin = Origin {
        label: "the profile".into(),
        segments: Vec::new(),
        formats: BTreeMap::new(),
        columns: BTreeMap::new(),
    };
    let mut frame = match &spec.from {
        None => DataFrame::new_infer_height(vec![Column::new(ROW.into(), Vec::<IdxSize>::new())])?,
        Some(from) => {
            let raw = &files[from];
            origin.label = raw.label.clone();
            origin.segments = raw.segments.clone();
            out.paths.insert(table.name, raw.reads[0].path.clone());
            let kept = skip_rows(table, spec, raw, out)?;
            // Shares the file's buffers; used to show rejected rows as exported.
            let mut as_exported = kept.clone();
            let _ = as_exported.drop_in_place(MALFORMED);
            out.raw_rows.insert(table.name, as_exported);
            let mut lf = kept
                .clone()
                .lazy()
                .with_columns(date_cells_as_numbers(&kept, table, spec));
            for (i, (name, rule)) in spec.columns.iter().enumerate() {
                if let Some(l) = &rule.lookup {
                    let kind = table.column(name).expect("checked").kind;
                    let target = lookup_frame(
                        &files[&l.file],
                        l,
                        i,
                        &defaults.null_tokens,
                        !matches!(kind, Kind::Date | Kind::Datetime),
                    )?;
                    let source = rule
                        .column
                        .as_deref()
                        .expect("checked: lookup needs column");
                    lf = lf
                        .with_column(cell(source, &defaults.null_tokens).alias(lookup_key(i)))
                        .join(
                            target.clone(),
                            [col(lookup_key(i))],
                            [col(lookup_key(i))],
                            JoinArgs::new(JoinType::Left),
                        );
                    let name = spec.columns.keys().nth(i).expect("rule i");
                    let used = LookupUse {
                        what: format!("{}.{name}", table.name),
                        lookup: l,
                        i,
                        label: &raw.label,
                        source_column: source,
                        target: &files[&l.file],
                        target_keys: &target,
                    };
                    check_lookup(&lf, &used, out)?;
                    // Each `then` looks the value found so far up in its file.
                    let mut previous = l;
                    for (step, next) in l.chain().into_iter().enumerate().skip(1) {
                        let j = i + 1000 * step;
                        let target = lookup_frame(
                            &files[&next.file],
                            next,
                            j,
                            &defaults.null_tokens,
                            !matches!(kind, Kind::Date | Kind::Datetime),
                        )?;
                        lf = lf
                            .with_column(col(lookup_value(i)).alias(lookup_key(j)))
                            .join(
                                target.clone(),
                                [col(lookup_key(j))],
                                [col(lookup_key(j))],
                                JoinArgs::new(JoinType::Left),
                            );
                        let used = LookupUse {
                            what: format!("{}.{name}", table.name),
                            lookup: next,
                            i: j,
                            label: &files[&previous.file].label,
                            source_column: &previous.value,
                            target: &files[&next.file],
                            target_keys: &target,
                        };
                        check_lookup(&lf, &used, out)?;
                        lf = lf.with_column(col(lookup_value(j)).alias(lookup_value(i)));
                        previous = next;
                    }
                }
            }
            // A record the reader found malformed stays marked, so
            // validation refuses or quarantines it.
            let malformed = raw
                .frame
                .schema()
                .contains(MALFORMED)
                .then(|| col(MALFORMED));
            let exprs: Vec<Expr> = std::iter::once(col(ROW))
                .chain(malformed)
                .chain(spec.columns.iter().enumerate().map(|(i, (name, rule))| {
                    let kind = table.column(name).expect("checked").kind;
                    origin
                        .columns
                        .insert(name.clone(), describe_rule(rule, files));
                    if let Some(f) = date_formats(kind, rule, defaults) {
                        origin.formats.insert(name.clone(), f);
                    }
                    column_expr(name, kind, rule, defaults, i)
                }))
                .chain(spec.columns.values().enumerate().filter_map(|(i, rule)| {
                    rule.default.as_ref().map(|_| {
                        source_value(rule, &defaults.null_tokens, i)
                            .is_null()
                            .alias(defaulted_flag(i))
                    })
                }))
                .collect();
            let mapped = lf
                .sort([ROW], SortMultipleOptions::default())
                .select(exprs)
                .collect()?;
            let mapped = note_defaults_used(table, spec, files, &raw.label, mapped, out)?;
            skip_mapped_rows(table, spec, raw, mapped, out)?
        }
    };
    if spec.distinct {
        frame = first_of_each_key(table, frame)?;
    }
    if !spec.rows.is_empty() {
        frame = with_literal_rows(frame, spec, origin.file_rows())?;
    }
    out.frames.insert(table.name, frame);
    out.origins.insert(table.name, origin);
    Ok(())
}

/// Says how many rows took each column's `default` because the export had no
/// value (a default amount of 0 is then summed as 0, so the user must know),
/// and drops the marker columns.
fn note_defaults_used(
    table: &Table,
    spec: &TableSpec,
    files: &BTreeMap<String, RawFile>,
    label: &str,
    mut mapped: DataFrame,
    out: &mut MappedExport,
) -> Result<DataFrame> {
    for (i, (name, rule)) in spec.columns.iter().enumerate() {
        let Some(default) = &rule.default else {
            continue;
        };
        let flag = defaulted_flag(i);
        let used = mapped.column(&flag)?.bool()?.sum().unwrap_or(0);
        if used > 0 {
            out.notes.push(format!(
                "{}.{name}: {used} row(s) of {label} have no value ({}); the profile's default \"{default}\" stands in for them",
                table.name,
                describe_source(rule, files)
            ));
        }
        mapped = mapped.drop(&flag)?;
    }
    Ok(mapped)
}

/// Rejected rows as the export wrote them: the source row's own columns,
/// `row` and the validation `reason`, in place of the mapped values.
pub(super) fn rejects_as_exported(rejects: &DataFrame, raw: &DataFrame) -> Result<DataFrame> {
    // Left join from the rejects: a rejected profile `rows` entry has no source row.
    let source = raw
        .clone()
        .lazy()
        .with_column(col(ROW).cast(DataType::UInt64))
        .rename([ROW], ["row"], true);
    Ok(rejects
        .clone()
        .lazy()
        .select([col("row").cast(DataType::UInt64), col("reason")])
        .join(
            source,
            [col("row")],
            [col("row")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["row"], SortMultipleOptions::default())
        .collect()?)
}

/// How a column was obtained, for messages.
fn describe_rule(rule: &ColumnSpec, files: &BTreeMap<String, RawFile>) -> String {
    let mut text = describe_source(rule, files);
    if let Some(f) = &rule.format {
        text.push_str(&format!(" as {}", f.join(" or ")));
    }
    if let Some(d) = &rule.default {
        text.push_str(&format!(", default \"{d}\""));
    }
    text
}

/// Where a rule reads its value: `column close_value`, a lookup, a constant.
fn describe_source(rule: &ColumnSpec, files: &BTreeMap<String, RawFile>) -> String {
    match (&rule.column, &rule.value, &rule.lookup) {
        (Some(c), _, Some(l)) => format!(
            "{c} looked up in {}{}",
            l.chain()
                .iter()
                .map(|step| format!("{} {} → {}", files[&step.file].label, step.key, step.value))
                .collect::<Vec<_>>()
                .join(", then in "),
            rule.fallback
                .as_ref()
                .map(|f| format!(" (else column {f})"))
                .unwrap_or_default()
        ),
        (Some(c), _, None) => match &rule.fallback {
            Some(f) => format!("column {c} (else {f})"),
            None => format!("column {c}"),
        },
        (None, Some(v), _) => format!("constant \"{v}\""),
        (None, None, _) if !rule.concat.is_empty() => {
            format!("columns {} joined", rule.concat.join(" + "))
        }
        (None, None, _) => String::new(),
    }
}
