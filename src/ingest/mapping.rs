//! Applies a mapping [`Profile`] to a raw export: reads each named file once,
//! turns the export's conventions (null tokens, value maps, date formats,
//! decimal commas, percentages, discounts) into the contract's text forms and
//! hands canonical-named, all-text frames to the usual validation. Values that
//! a rule cannot convert stay as they were, so validation reports them with
//! their original text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::numbers::{number_expr, number_or_null, rounded_expr};
use super::parse::{strptime, CONTRACT_DATETIME_FORMATS, CONTRACT_DATE_FORMAT};
use super::profile::FileSpec;
use super::profile::{has_time, ColumnSpec, Defaults, PeriodOf, Profile, TableSpec};
use super::rawfile::{read_raw_file, ReadSpec};
use super::validate::MALFORMED;
use super::ROW;
use crate::money::{div_round_half_away, parse_units, units_text, UNITS_PER_ONE};
use crate::schema::{Kind, Table, TABLES};
use crate::suggest::suggestion;
use crate::{Error, Result};

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
pub struct MappedExport {
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

/// A raw source read once and shared by every table and lookup that names
/// it: one file, or every file a glob pattern matches, stacked in name order.
struct RawFile {
    frame: DataFrame,
    label: String,
    segments: Vec<Segment>,
    reads: Vec<super::digest::ReadFile>,
    /// What the reader skipped on purpose (blank lines, a footer).
    notes: Vec<String>,
}

/// Whether a profile path is a pattern (`orders_*.csv`).
fn is_pattern(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Reads the file, or every file the pattern matches, into one frame whose
/// row numbers continue from file to file.
fn read_source(from: &Path, file: &FileSpec, spec: &ReadSpec) -> Result<RawFile> {
    let paths: Vec<PathBuf> = if is_pattern(&file.path) {
        let pattern = from.join(&file.path);
        let mut found: Vec<PathBuf> = glob::glob(&pattern.to_string_lossy())
            .map_err(|e| Error::Usage(format!("path pattern `{}`: {e}", file.path)))?
            .filter_map(std::result::Result::ok)
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "no file in {} matches `{}`",
                from.display(),
                file.path
            )));
        }
        found
    } else {
        vec![from.join(&file.path)]
    };
    let mut frames = Vec::new();
    let mut segments = Vec::new();
    let mut reads = Vec::new();
    let mut notes = Vec::new();
    let mut offset = 0u64;
    let mut malformed: Vec<Column> = Vec::new();
    for path in &paths {
        let raw = read_raw_file(path, spec)?;
        let (mut frame, label) = (raw.frame, raw.label);
        reads.push(raw.read);
        notes.extend(raw.notes);
        // The malformed-record marker is set aside while files are stacked
        // (only some files may have one) and put back for all rows after.
        let marker = MALFORMED;
        malformed.push(match frame.drop_in_place(marker) {
            Ok(c) => c,
            Err(_) => Column::full_null(marker.into(), frame.height(), &DataType::String),
        });
        if let Some((first, first_label)) = frames.first().zip(segments.first()) {
            same_columns(first, &frame, first_label, &label)?;
            frame = frame.select(first.get_column_names_owned())?;
        }
        let rows = frame.height() as u64;
        let row = (frame.column(ROW)?.as_materialized_series().clone() + offset as IdxSize)
            .with_name(ROW.into());
        frame.with_column(row.into_column())?;
        segments.push(Segment {
            label,
            offset,
            rows,
        });
        frames.push(frame);
        offset += rows;
    }
    let label = if segments.len() == 1 {
        segments[0].label.clone()
    } else {
        format!("{} ({} files)", file.path, segments.len())
    };
    let mut frames = frames.into_iter();
    let mut frame = frames.next().expect("at least one file");
    for f in frames {
        frame.vstack_mut(&f)?;
    }
    if malformed.iter().any(|c| c.null_count() < c.len()) {
        let mut all = malformed.remove(0);
        for c in &malformed {
            all.append(c)?;
        }
        frame.with_column(all)?;
    }
    Ok(RawFile {
        frame,
        label,
        segments,
        reads,
        notes,
    })
}

/// Refuses a file of a multi-file source whose header differs from the first's.
fn same_columns(
    first: &DataFrame,
    other: &DataFrame,
    first_label: &Segment,
    label: &str,
) -> Result<()> {
    let names = |df: &DataFrame| -> std::collections::BTreeSet<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    };
    let (a, b) = (names(first), names(other));
    if a == b {
        return Ok(());
    }
    let missing: Vec<&String> = a.difference(&b).collect();
    let extra: Vec<&String> = b.difference(&a).collect();
    Err(Error::Invalid(format!(
        "{label}: its columns differ from {} (missing: {missing:?}, extra: {extra:?}); files read together must share one header",
        first_label.label
    )))
}

/// Reads every file the profile names under `from` and maps each table.
pub fn map_export(profile: &Profile, from: &Path) -> Result<MappedExport> {
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

/// The files a table reads: its `from` and every lookup's file.
fn files_of(spec: &TableSpec) -> Vec<&str> {
    let mut names: Vec<&str> = spec.from.iter().map(String::as_str).collect();
    for rule in spec.columns.values() {
        for l in rule.lookup.iter().flat_map(|l| l.chain()) {
            names.push(&l.file);
        }
    }
    names
}

/// A source cell as the rules see it: trimmed, and null when it is one of
/// the export's null tokens. Applied only to the columns a rule reads.
fn cell(name: &str, tokens: &[String]) -> Expr {
    let text = col(name).str().strip_chars(lit(NULL));
    let list = lit(Series::new("tokens".into(), tokens)).implode(false);
    when(text.clone().is_in(list, false))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(text)
}

/// Names every source column the table's rules use that its file lacks.
fn missing_source_columns(
    table: &Table,
    spec: &TableSpec,
    files: &BTreeMap<String, RawFile>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(from) = &spec.from else {
        return out;
    };
    let mut need = |file: &str, column: &str, at: String| {
        let raw = &files[file];
        let listed: Vec<&str> = raw
            .frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .filter(|n| *n != ROW)
            .collect();
        if !listed.contains(&column) {
            out.push(format!(
                "{at}: column `{column}` not found in {} (its columns: {}){}",
                raw.label,
                listed.join(", "),
                suggestion(column, listed.iter().copied())
            ));
        }
    };
    let at = |rest: &str| format!("tables.{}.{rest}", table.name);
    for (name, rule) in &spec.columns {
        if let Some(c) = &rule.column {
            need(from, c, at(&format!("columns.{name}")));
        }
        if let Some(d) = &rule.discount {
            need(from, d, at(&format!("columns.{name}.discount")));
        }
        if let Some(f) = &rule.fallback {
            need(from, f, at(&format!("columns.{name}.fallback")));
        }
        for part in &rule.concat {
            need(from, part, at(&format!("columns.{name}.concat")));
        }
        for l in rule.lookup.iter().flat_map(|l| l.chain()) {
            need(&l.file, &l.key, at(&format!("columns.{name}.lookup.key")));
            need(
                &l.file,
                &l.value,
                at(&format!("columns.{name}.lookup.value")),
            );
        }
    }
    // A key that names a mapped contract column tests its value after the
    // rule ran (lookup, map, default); any other key is a source column.
    for column in spec
        .skip_when
        .keys()
        .filter(|c| !spec.columns.contains_key(*c))
    {
        need(from, column, at(&format!("skip_when.{column}")));
    }
    out
}

fn lookup_key(i: usize) -> String {
    format!("__lk{i}_key")
}

fn lookup_value(i: usize) -> String {
    format!("__lk{i}_value")
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

/// Removes the rows `skip_when` names, recording them with the rule as reason.
/// `column` with its workbook date-formatted number cells as their numbers,
/// when the file has such cells in it.
fn as_number(frame: &DataFrame, column: &str) -> Option<Expr> {
    let serial = super::rawfile::serial_column(column);
    frame
        .schema()
        .contains(&serial)
        .then(|| coalesce(&[col(serial), col(column)]).alias(column))
}

/// Workbook cells formatted as dates that hold numbers are read as numbers
/// wherever the contract column is not a date (ids, codes, amounts: a
/// column of order numbers formatted as dates reads `50001`, not
/// `2036-11-22`), and as dates only for date and datetime columns.
fn date_cells_as_numbers(frame: &DataFrame, table: &Table, spec: &TableSpec) -> Vec<Expr> {
    let used_as_date = |c: &str| {
        spec.columns.iter().any(|(name, rule)| {
            let kind = table.column(name).map(|col| col.kind);
            matches!(kind, Some(Kind::Date | Kind::Datetime))
                && (rule.column.as_deref() == Some(c) || rule.fallback.as_deref() == Some(c))
        })
    };
    let mut sources: Vec<&str> = spec
        .columns
        .values()
        .flat_map(|r| {
            r.column
                .iter()
                .chain(r.fallback.iter())
                .chain(r.concat.iter())
                .map(String::as_str)
        })
        .collect();
    sources.sort();
    sources.dedup();
    sources
        .into_iter()
        .filter(|c| !used_as_date(c))
        .filter_map(|c| as_number(frame, c))
        .collect()
}

/// A boolean expression evaluated once over a frame, as a filter mask.
fn mask_of(frame: &DataFrame, mask: Expr) -> Result<BooleanChunked> {
    Ok(frame
        .clone()
        .lazy()
        .select([mask])
        .collect()?
        .select_at_idx(0)
        .expect("one column")
        .bool()?
        .clone())
}

/// The `skip_when` keys that name mapped contract columns of the table (and
/// not a column of its file): tested on the mapped values.
fn mapped_skip_keys<'a>(spec: &'a TableSpec, raw: &RawFile) -> Vec<&'a String> {
    spec.skip_when
        .keys()
        .filter(|k| spec.columns.contains_key(*k) && !raw.frame.schema().contains(k))
        .collect()
}

/// Leaves out the mapped rows whose contract columns named in `skip_when`
/// hold a listed value after their rules ran (`""` matches an empty value):
/// web orders whose looked-up seller is empty. Counted in a note and listed
/// with the source row in the skipped rows, like source-column skips.
fn skip_mapped_rows(
    table: &'static Table,
    spec: &TableSpec,
    raw: &RawFile,
    mapped: DataFrame,
    out: &mut MappedExport,
) -> Result<DataFrame> {
    let keys = mapped_skip_keys(spec, raw);
    let Some(mask) = keys
        .iter()
        .map(|k| {
            let values = &spec.skip_when[*k];
            let list = Series::new("values".into(), values);
            let value = col(k.as_str()).str().strip_chars(lit(NULL));
            let listed = value
                .clone()
                .is_in(lit(list).implode(false), false)
                .fill_null(lit(false));
            if values.iter().any(String::is_empty) {
                listed
                    .or(value.clone().is_null())
                    .or(value.eq(lit("")).fill_null(lit(false)))
            } else {
                listed
            }
        })
        .reduce(|a, b| a.or(b))
    else {
        return Ok(mapped);
    };
    let skip = mask_of(&mapped, mask)?;
    let gone = mapped.filter(&skip)?;
    if gone.height() == 0 {
        return Ok(mapped);
    }
    let rule = keys
        .iter()
        .map(|k| format!("{k} (mapped) in {:?}", spec.skip_when[*k]))
        .collect::<Vec<_>>()
        .join(" or ");
    out.notes.push(format!(
        "{}: {} row(s) of {} skipped by the profile ({rule}); `salesops ingest` lists them in rejects.csv",
        table.name,
        gone.height(),
        raw.label,
    ));
    let rows = gone.column(ROW)?.as_materialized_series().clone();
    let mut source = raw
        .frame
        .clone()
        .lazy()
        .filter(col(ROW).is_in(lit(rows).implode(false), false))
        .rename([ROW], ["row"], true)
        .with_column(lit(format!("skipped by the profile: {rule}")).alias("reason"))
        .collect()?;
    let _ = source.drop_in_place(MALFORMED);
    match out.skipped.get_mut(table.name) {
        Some(before) => {
            let merged = concat(
                [before.clone().lazy(), source.lazy()],
                UnionArgs {
                    rechunk: true,
                    ..Default::default()
                },
            )?
            .collect()?;
            *before = merged;
        }
        None => {
            out.skipped.insert(table.name, source);
        }
    }
    Ok(mapped.filter(&!&skip)?)
}

fn skip_rows(
    table: &'static Table,
    spec: &TableSpec,
    raw: &RawFile,
    out: &mut MappedExport,
) -> Result<DataFrame> {
    let mapped_keys = mapped_skip_keys(spec, raw);
    let Some(mask) = spec
        .skip_when
        .iter()
        .filter(|(column, _)| !mapped_keys.contains(column))
        .map(|(column, values)| {
            let list = Series::new("values".into(), values);
            col(column.as_str())
                .str()
                .strip_chars(lit(NULL))
                .is_in(lit(list).implode(false), false)
                .fill_null(lit(false))
        })
        .reduce(|a, b| a.or(b))
    else {
        return Ok(raw.frame.clone());
    };
    let rule = spec
        .skip_when
        .iter()
        .filter(|(column, _)| !mapped_keys.contains(column))
        .map(|(c, v)| format!("{c} in [{}]", v.join(", ")))
        .collect::<Vec<_>>()
        .join(" or ");
    // The mask is evaluated once; both halves are filtered from it.
    let skip = mask_of(&raw.frame, mask)?;
    let skipped = raw.frame.filter(&skip)?;
    if skipped.height() > 0 {
        out.notes.push(format!(
            "{}: {} row(s) of {} skipped by the profile ({rule}); `salesops ingest` lists them in rejects.csv",
            table.name,
            skipped.height(),
            raw.label,
        ));
        let mut skipped = skipped
            .lazy()
            .rename([ROW], ["row"], true)
            .with_column(lit(format!("skipped by the profile: {rule}")).alias("reason"))
            .collect()?;
        let _ = skipped.drop_in_place(MALFORMED);
        out.skipped.insert(table.name, skipped);
    }
    Ok(raw.frame.filter(&!&skip)?)
}

/// The lookup file's key and value columns, renamed for the join; a key that
/// repeats with different values is refused (the lookup would be ambiguous).
fn lookup_frame(
    raw: &RawFile,
    l: &super::profile::Lookup,
    i: usize,
    null_tokens: &[String],
    value_as_number: bool,
) -> Result<LazyFrame> {
    // A key is an id: a date-formatted number cell is its number; the
    // value too, unless it feeds a date column.
    let mut numbered = vec![as_number(&raw.frame, &l.key)];
    if value_as_number && l.value != l.key {
        numbered.push(as_number(&raw.frame, &l.value));
    }
    let pairs = raw
        .frame
        .clone()
        .lazy()
        .with_columns(numbered.into_iter().flatten().collect::<Vec<_>>())
        .select([
            cell(&l.key, null_tokens).alias(lookup_key(i)),
            cell(&l.value, null_tokens).alias(lookup_value(i)),
            col(ROW),
        ])
        .filter(col(lookup_key(i)).is_not_null())
        .collect()?;
    let clashes = pairs
        .clone()
        .lazy()
        .group_by([col(lookup_key(i))])
        .agg([
            col(lookup_value(i)).n_unique().alias("n"),
            col(ROW).first().alias("first"),
            col(ROW).last().alias("last"),
        ])
        .filter(col("n").gt(lit(1)))
        .sort(["first"], SortMultipleOptions::default())
        .limit(1)
        .collect()?;
    if clashes.height() > 0 {
        let key = clashes
            .column(&lookup_key(i))?
            .str()?
            .get(0)
            .unwrap_or("")
            .to_string();
        let row = |name: &str| -> Result<u64> {
            Ok(clashes
                .column(name)?
                .cast(&DataType::UInt64)?
                .u64()?
                .get(0)
                .unwrap_or(0))
        };
        let (first, last) = (row("first")?, row("last")?);
        return Err(Error::Invalid(format!(
            "{}: lookup key {} `{key}` appears on rows {first} and {last} with different {} values; the lookup is ambiguous",
            raw.label, l.key, l.value
        )));
    }
    Ok(pairs
        .lazy()
        .unique_stable(Some(cols([lookup_key(i)])), UniqueKeepStrategy::First)
        .select([
            col(lookup_key(i)),
            col(lookup_value(i)),
            lit(true).alias(lookup_matched(i)),
        ]))
}

/// Marks a row whose lookup found its key (the value may still be empty).
fn lookup_matched(i: usize) -> String {
    format!("__lkm{i}")
}

/// A lookup is strict: when none of the table's keys is found in the
/// lookup file, the load stops, naming both files and columns with example
/// keys from each side (a date-formatted id column reads `2036-11-17` where
/// the other file has `50001`). Keys not found, and keys found on a row
/// whose value is empty, are two different warnings.
/// One lookup rule as [`check_lookup`] reports on it.
struct LookupUse<'a> {
    /// `orders.rep_id`.
    what: String,
    /// The rule's lookup.
    lookup: &'a super::profile::Lookup,
    /// Its index among the table's rules (names its joined columns).
    i: usize,
    /// The table's file label.
    label: &'a str,
    /// The source column looked up.
    source_column: &'a str,
    /// The lookup file.
    target: &'a RawFile,
    /// Its key/value pairs.
    target_keys: &'a LazyFrame,
}

fn check_lookup(looked_up: &LazyFrame, u: &LookupUse, out: &mut MappedExport) -> Result<()> {
    let (label, source_column, l, i, target) = (u.label, u.source_column, u.lookup, u.i, u.target);
    let key = col(lookup_key(i));
    let found = col(lookup_matched(i)).is_not_null();
    let counts = looked_up
        .clone()
        .select([
            key.clone()
                .is_not_null()
                .sum()
                .cast(DataType::Int64)
                .alias("keys"),
            found.clone().sum().cast(DataType::Int64).alias("found"),
            found
                .and(col(lookup_value(i)).is_null())
                .sum()
                .cast(DataType::Int64)
                .alias("empty"),
        ])
        .collect()?;
    let n = |c: &str| -> Result<i64> { Ok(counts.column(c)?.i64()?.get(0).unwrap_or(0)) };
    let (keys, found, empty) = (n("keys")?, n("found")?, n("empty")?);
    let examples = |lf: LazyFrame, c: Expr| -> Result<String> {
        let df = lf
            .select([c.alias("k")])
            .filter(col("k").is_not_null())
            .unique(None, UniqueKeepStrategy::Any)
            .sort(["k"], SortMultipleOptions::default())
            .limit(3)
            .collect()?;
        Ok(df
            .column("k")?
            .str()?
            .iter()
            .flatten()
            .map(|v| format!("`{}`", super::validate::excerpt(v)))
            .collect::<Vec<_>>()
            .join(", "))
    };
    let what = format!(
        "{}: {source_column} of {label} looked up in {} {}",
        u.what, target.label, l.key
    );
    if keys > 0 && found == 0 {
        return Err(Error::Invalid(format!(
            "{what}: none of the {keys} value(s) is found ({label} has {}; {} {} has {}); check that both columns hold the same ids (a workbook column formatted as dates turns ids into dates)",
            examples(looked_up.clone(), key.clone())?,
            target.label,
            l.key,
            examples(u.target_keys.clone(), col(lookup_key(i)))?,
        )));
    }
    if let Some(limit) = l.max_unmatched_share {
        let share = (keys - found) as f64 / keys.max(1) as f64;
        if share > limit {
            return Err(Error::Invalid(format!(
                "{what}: {} of {keys} value(s) are not found there ({:.1} %), more than max_unmatched_share = {limit}",
                keys - found,
                share * 100.0
            )));
        }
    }
    if keys > found {
        let missing = looked_up.clone().filter(
            key.clone()
                .is_not_null()
                .and(col(lookup_matched(i)).is_null()),
        );
        out.notes.push(format!(
            "{what}: {} of {keys} row(s) have a value not found there (e.g. {}); they get no value",
            keys - found,
            examples(missing, key.clone())?
        ));
    }
    if empty > 0 {
        out.notes.push(format!(
            "{what}: {empty} row(s) found their key on a row whose {} is empty; they get no value",
            l.value
        ));
    }
    Ok(())
}

/// Rejected rows as the export wrote them: the source row's own columns,
/// `row` and the validation `reason`, in place of the mapped values.
pub fn rejects_as_exported(rejects: &DataFrame, raw: &DataFrame) -> Result<DataFrame> {
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

/// The formats a date or datetime column is read with.
fn date_formats(kind: Kind, rule: &ColumnSpec, defaults: &Defaults) -> Option<Vec<String>> {
    let fallback = match kind {
        Kind::Date => &defaults.date_formats,
        Kind::Datetime => &defaults.datetime_formats,
        _ => return None,
    };
    Some(rule.format.clone().unwrap_or_else(|| fallback.clone()))
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

/// The value a rule reads before `map` and `default`: its constant, its
/// lookup's result, or its source cell (else the fallback cell); null when
/// the export has none.
fn source_value(rule: &ColumnSpec, tokens: &[String], i: usize) -> Expr {
    if !rule.concat.is_empty() {
        let parts: Vec<Expr> = rule.concat.iter().map(|c| cell(c, tokens)).collect();
        let joined = concat_str(parts, rule.separator.as_deref().unwrap_or(" "), true);
        return when(joined.clone().eq(lit("")))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(joined);
    }
    match (&rule.value, &rule.lookup, &rule.column) {
        (Some(v), _, _) => lit(v.trim().to_string()),
        // A key the lookup does not find (or finds empty) takes the
        // fallback column of the table's own file.
        (None, Some(_), _) => match &rule.fallback {
            Some(f) => coalesce(&[col(lookup_value(i)), cell(f, tokens)]),
            None => col(lookup_value(i)),
        },
        (None, None, Some(c)) => match &rule.fallback {
            Some(f) => coalesce(&[cell(c, tokens), cell(f, tokens)]),
            None => cell(c, tokens),
        },
        (None, None, None) => lit(NULL).cast(DataType::String),
    }
}

/// Marker column: the rule's `default` stood in for a missing source value.
fn defaulted_flag(i: usize) -> String {
    format!("__defaulted{i}")
}

/// The expression producing contract column `name` as canonical text.
fn column_expr(name: &str, kind: Kind, rule: &ColumnSpec, defaults: &Defaults, i: usize) -> Expr {
    let tokens = &defaults.null_tokens;
    let mut e = source_value(rule, tokens, i);
    if !rule.map.is_empty() {
        let old = Series::new("old".into(), rule.map.keys().cloned().collect::<Vec<_>>());
        let new = Series::new("new".into(), rule.map.values().cloned().collect::<Vec<_>>());
        let mapped = |v: Expr| {
            v.replace(
                lit(old.clone()).implode(false),
                lit(new.clone()).implode(false),
            )
        };
        e = mapped(e);
        // A value mapped to "" has no value: the fallback column is read
        // instead (mapped too) — a deal's status `won`/`lost`, else its stage.
        let none = || lit(NULL).cast(DataType::String);
        let instead = match &rule.fallback {
            Some(f) if rule.lookup.is_none() => mapped(cell(f, tokens)),
            _ => none(),
        };
        e = when(e.clone().eq(lit(""))).then(instead).otherwise(e);
    }
    if let Some(d) = &rule.default {
        e = e.fill_null(lit(d.clone()));
    }
    match kind {
        Kind::Date | Kind::Datetime => {
            let formats = date_formats(kind, rule, defaults).expect("a date kind");
            normalized_date(
                e,
                &formats,
                kind == Kind::Datetime,
                defaults.time_zone.as_deref(),
            )
        }
        // A source system's line total (often 4+ decimals: 23190.651792) is
        // the line's amount rounded to the cent (SPEC section 1).
        Kind::Money if name == "line_amount" => {
            rounded_expr(number_expr(e, &defaults.numbers(), true), 2)
        }
        Kind::Money => number_expr(e, &defaults.numbers(), true),
        Kind::Quantity => number_expr(e, &defaults.numbers(), false),
        Kind::Price => match &rule.discount {
            Some(d) => discounted_price(
                number_expr(e, &defaults.numbers(), true),
                percent_number(cell(d, tokens), defaults),
            ),
            None => number_expr(e, &defaults.numbers(), true),
        },
        Kind::Ratio if rule.percent => {
            let n = percent_number(e, defaults);
            // The contract reads ratios as floats: rounding the quotient to 10
            // decimals gives the float the fraction's own text would parse to
            // (14.3 % → 0.143, not 0.14300000000000002).
            (n.clone().cast(DataType::Float64) / lit(100.0))
                .round(10, RoundMode::HalfAwayFromZero)
                .cast(DataType::String)
                .fill_null(n)
        }
        Kind::Ratio | Kind::Int => number_expr(e, &defaults.numbers(), false),
        Kind::Bool => canonical_bool(e, defaults),
        Kind::Period => match rule.to_period {
            Some(of) => period_of_date(e, of, rule, defaults),
            None => e,
        },
        Kind::Id | Kind::Text => e,
    }
    .alias(name)
}

/// Text parsed as a timestamp (ms) with a chrono format; null where it does not parse.
fn timestamp(text: Expr, format: &str) -> Expr {
    text.str().to_datetime(
        Some(TimeUnit::Milliseconds),
        None,
        strptime(format),
        lit("raise"),
    )
}

/// Parses with each format in turn and writes the contract's form
/// (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`). A timestamp with a UTC offset
/// (`%z`) keeps the local date and time as written (SPEC section 1: an
/// evening deal in Chicago stays on its day), unless the profile names a
/// business time zone, to which it is converted (DST-correct, IANA rules).
/// Text no format reads is kept, so validation reports it as found.
fn normalized_date(text: Expr, formats: &[String], datetime: bool, zone: Option<&str>) -> Expr {
    // Formats the contract itself reads need no rewriting (and no second parse).
    let contract_form = |f: &String| {
        if datetime {
            CONTRACT_DATETIME_FORMATS.contains(&f.as_str())
        } else {
            f == CONTRACT_DATE_FORMAT
        }
    };
    if formats.iter().all(contract_form) {
        return text;
    }
    let mut parsed: Vec<Expr> = formats
        .iter()
        .map(|f| {
            let offset = f.contains("%z") || f.contains("%:z") || f.contains("%#z");
            // A literal `Z` at the end of a format (`…%SZ`) means UTC.
            let utc = !offset && f.ends_with('Z');
            let value = match (has_time(f), offset || utc, zone) {
                (true, true, Some(zone)) => {
                    let zone = TimeZone::opt_try_new(Some(zone))
                        .ok()
                        .flatten()
                        .unwrap_or(TimeZone::UTC);
                    let instant = if utc {
                        timestamp(text.clone(), f).dt().replace_time_zone(
                            Some(TimeZone::UTC),
                            lit("raise"),
                            NonExistent::Raise,
                        )
                    } else {
                        timestamp(text.clone(), f)
                    };
                    instant.dt().convert_time_zone(zone).dt().replace_time_zone(
                        None,
                        lit("raise"),
                        NonExistent::Raise,
                    )
                }
                (true, true, None) if utc => timestamp(text.clone(), f),
                (true, true, None) => {
                    // The wall-clock time as written: the offset is dropped
                    // from the text and from the format alike.
                    let local_format = f
                        .replace("%:z", "")
                        .replace("%#z", "")
                        .replace("%z", "")
                        .trim_end()
                        .to_string();
                    text.clone()
                        .str()
                        .replace(lit(r"\s*(Z|[+-]\d{2}:?\d{2})$"), lit(""), false)
                        .str()
                        .to_datetime(
                            Some(TimeUnit::Milliseconds),
                            None,
                            strptime(&local_format),
                            lit("raise"),
                        )
                }
                (true, false, _) => timestamp(text.clone(), f),
                (false, _, _) => text
                    .clone()
                    .str()
                    .to_date(strptime(f))
                    .cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
            };
            if datetime {
                value.dt().to_string("%Y-%m-%d %H:%M:%S")
            } else {
                value.dt().date().dt().to_string("%Y-%m-%d")
            }
        })
        .collect();
    parsed.push(text);
    coalesce(&parsed)
}

/// The month or quarter a date falls in (`2026-10-31 00:00:00` → `2026-10`
/// or `2026-Q4`), reading it with the rule's formats, else the profile's
/// date and datetime formats; text already in period form, or that no
/// format reads, is kept for validation to judge.
fn period_of_date(text: Expr, of: PeriodOf, rule: &ColumnSpec, defaults: &Defaults) -> Expr {
    let formats = rule.format.clone().unwrap_or_else(|| {
        defaults
            .date_formats
            .iter()
            .chain(&defaults.datetime_formats)
            .cloned()
            .collect()
    });
    let dates: Vec<Expr> = formats
        .iter()
        .map(|f| {
            if has_time(f) {
                timestamp(text.clone(), f).dt().date()
            } else {
                text.clone().str().to_date(strptime(f))
            }
        })
        .collect();
    let date = coalesce(&dates);
    let label = match of {
        PeriodOf::Month => date.dt().to_string("%Y-%m"),
        PeriodOf::Quarter => concat_str(
            [
                date.clone().dt().year().cast(DataType::String),
                lit("-Q"),
                date.dt().quarter().cast(DataType::String),
            ],
            "",
            false,
        ),
    };
    // Text already in the requested form passes; anything else (a month
    // under `to_period = "quarter"`) is marked so validation refuses it
    // instead of putting a quarter's quota into one month.
    let (requested, what) = match of {
        PeriodOf::Month => (r"^\s*\d{4}-(0[1-9]|1[0-2])\s*$", "month"),
        PeriodOf::Quarter => (r"^\s*\d{4}-Q[1-4]\s*$", "quarter"),
    };
    let kept = when(text.clone().str().contains(lit(requested), false))
        .then(text.clone())
        .otherwise(concat_str(
            [
                text,
                lit(format!(
                    " (not a date, and to_period = \"{what}\" takes a date or a {what})"
                )),
            ],
            "",
            false,
        ));
    label.fill_null(kept)
}

/// A number written with or without a trailing `%` (40 or 40 %), read in
/// the export's convention, without the sign.
fn percent_number(text: Expr, defaults: &Defaults) -> Expr {
    let bare = text
        .clone()
        .str()
        .strip_chars_end(lit("%"))
        .str()
        .strip_chars(lit(NULL));
    // Unreadable text stays as written, `%` included (and marked when the
    // contract's own form would read it).
    number_or_null(bare, &defaults.numbers(), false).fill_null(number_expr(
        text,
        &defaults.numbers(),
        false,
    ))
}

/// `price × (1 − discount)` rounded half away from zero to 4 decimals, as
/// text; left as the price text where either does not parse.
fn discounted_price(price: Expr, discount: Expr) -> Expr {
    let p = parse_units(price.clone()).cast(DataType::Int128);
    let d = parse_units(discount).cast(DataType::Int128);
    let net = div_round_half_away(p * (lit(UNITS_PER_ONE as i128) - d), UNITS_PER_ONE)
        .cast(DataType::Int64);
    units_text(net).fill_null(price)
}

fn canonical_bool(text: Expr, defaults: &Defaults) -> Expr {
    let list = |v: &[String]| lit(Series::new("t".into(), v)).implode(false);
    when(text.clone().is_in(list(&defaults.true_tokens), false))
        .then(lit("true"))
        .when(text.clone().is_in(list(&defaults.false_tokens), false))
        .then(lit("false"))
        .otherwise(text)
}

/// Keeps the first row of each complete key (rows without a full key stay,
/// for validation to report).
fn first_of_each_key(table: &Table, frame: DataFrame) -> Result<DataFrame> {
    let (complete, key) = super::validate::key_parts(table.key.iter().map(|k| col(*k)).collect());
    Ok(frame
        .lazy()
        .filter(complete.clone().not().or(key.is_first_distinct()))
        .collect()?)
}

/// Appends the profile's literal rows, numbered after the file's rows.
fn with_literal_rows(frame: DataFrame, spec: &TableSpec, file_rows: u64) -> Result<DataFrame> {
    let mut names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| n != ROW)
        .collect();
    for row in &spec.rows {
        for k in row.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let height = frame.height();
    let mut base: Vec<Column> = vec![frame.column(ROW)?.clone()];
    for n in &names {
        base.push(match frame.column(n) {
            Ok(c) => c.clone(),
            Err(_) => Column::full_null(n.as_str().into(), height, &DataType::String),
        });
    }
    let rows: Vec<IdxSize> = (0..spec.rows.len())
        .map(|i| (file_rows as usize + i + 1) as IdxSize)
        .collect();
    let mut extra: Vec<Column> = vec![Column::new(ROW.into(), rows)];
    for n in &names {
        let values: Vec<Option<String>> = spec.rows.iter().map(|r| r.get(n).cloned()).collect();
        extra.push(Column::new(n.as_str().into(), values));
    }
    let mut out = DataFrame::new_infer_height(base)?;
    out.vstack_mut(&DataFrame::new_infer_height(extra)?)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(
        values: &[Option<&str>],
        kind: Kind,
        rule: ColumnSpec,
        defaults: &Defaults,
    ) -> Vec<Option<String>> {
        let df = df!("src" => values, "disc" => vec![Some("0.15"); values.len()]).unwrap();
        let out = df
            .lazy()
            .select([column_expr("out", kind, &rule, defaults, 0)])
            .collect()
            .unwrap();
        crate::kpi::testing::texts(&out, "out")
    }

    fn rule(f: impl FnOnce(&mut ColumnSpec)) -> ColumnSpec {
        let mut r = ColumnSpec {
            column: Some("src".into()),
            ..ColumnSpec::default()
        };
        f(&mut r);
        r
    }

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn dates_are_rewritten_in_contract_form_and_unreadable_text_is_kept() {
        let d = Defaults {
            date_formats: vec!["%m/%d/%Y".into(), "%Y-%m-%dT%H:%M:%S%.f%z".into()],
            ..Defaults::default()
        };
        let got = apply(
            &[
                Some("1/2/2013"),
                Some("2024-01-22T23:14:25.000+0800"),
                Some("2013-02-01"),
                Some("13/13/2013"),
                None,
            ],
            Kind::Date,
            rule(|_| {}),
            &d,
        );
        // The zoned timestamp keeps its local date as written (SPEC section 1); ISO text passes as is.
        assert_eq!(
            got,
            vec![
                Some("2013-01-02".into()),
                Some("2024-01-22".into()),
                Some("2013-02-01".into()),
                Some("13/13/2013".into()),
                None
            ]
        );
        let got = apply(
            &[Some("02/23/26 08:55 PM")],
            Kind::Datetime,
            rule(|r| r.format = Some(vec!["%m/%d/%y %I:%M %p".into()])),
            &d,
        );
        assert_eq!(got, some(&["2026-02-23 20:55:00"]));
    }

    proptest::proptest! {
        /// Timestamps written in each supported shape read back as the
        /// local wall-clock time written, whatever their UTC offset.
        #[test]
        fn written_timestamps_read_back_as_written(
            days in 0u64..40_000,
            secs in 0u32..86_400,
            offset_minutes in -720i32..=840,
            shape in 0usize..4,
        ) {
            let day = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(days);
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap();
            let at = day.and_time(time);
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let (h, m) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
            let (text, format) = match shape {
                0 => (format!("{}{sign}{h:02}:{m:02}", at.format("%Y-%m-%dT%H:%M:%S")), "%Y-%m-%dT%H:%M:%S%:z"),
                1 => (format!("{}{sign}{h:02}{m:02}", at.format("%Y-%m-%dT%H:%M:%S%.3f")), "%Y-%m-%dT%H:%M:%S%.f%z"),
                2 => (at.format("%m/%d/%Y %I:%M:%S %p").to_string(), "%m/%d/%Y %I:%M:%S %p"),
                _ => (at.format("%d.%m.%Y %H:%M:%S").to_string(), "%d.%m.%Y %H:%M:%S"),
            };
            let got = apply(
                &[Some(&text)],
                Kind::Datetime,
                rule(|r| r.format = Some(vec![format.into()])),
                &Defaults::default(),
            );
            proptest::prop_assert_eq!(got, vec![Some(at.format("%Y-%m-%d %H:%M:%S").to_string())], "{}", text);
        }

        /// A date that does not exist is kept as written (validation refuses
        /// it), never read as another day.
        #[test]
        fn impossible_dates_are_kept_as_written(
            year in 1950i32..2100,
            month in 1u32..=14,
            day in 28u32..=35,
        ) {
            let text = format!("{month:02}/{day:02}/{year}");
            let exists = chrono::NaiveDate::from_ymd_opt(year, month, day).is_some();
            let got = apply(
                &[Some(&text)],
                Kind::Date,
                rule(|r| r.format = Some(vec!["%m/%d/%Y".into()])),
                &Defaults::default(),
            );
            let expected = if exists {
                chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap().to_string()
            } else {
                text.clone()
            };
            proptest::prop_assert_eq!(got, vec![Some(expected)]);
        }
    }

    #[test]
    fn numbers_lose_grouping_and_percent_becomes_a_fraction() {
        let comma = Defaults {
            decimal_comma: true,
            ..Defaults::default()
        };
        assert_eq!(
            apply(
                &[Some("1.234,56"), Some("-0,5")],
                Kind::Money,
                rule(|_| {}),
                &comma
            ),
            some(&["1234.56", "-0.5"])
        );
        let grouped = Defaults {
            thousands_separator: Some(",".into()),
            ..Defaults::default()
        };
        assert_eq!(
            apply(&[Some("1,150.00")], Kind::Money, rule(|_| {}), &grouped),
            some(&["1150.00"])
        );
        let got = apply(
            &[Some("40"), Some("100%"), Some("14.3 %"), Some("x")],
            Kind::Ratio,
            rule(|r| r.percent = true),
            &Defaults::default(),
        );
        assert_eq!(got, some(&["0.4", "1.0", "0.143", "x"]));
    }

    #[test]
    fn discount_gives_the_net_price_rounded_half_away_from_zero() {
        // 42.40 × 0.85 = 36.04; 0.0003 × 0.85 = 0.000255 → 0.0003; −10 × 0.85 = −8.5.
        let got = apply(
            &[Some("42.4"), Some("0.0003"), Some("-10"), Some("abc")],
            Kind::Price,
            rule(|r| r.discount = Some("disc".into())),
            &Defaults::default(),
        );
        assert_eq!(got, some(&["36.0400", "0.0003", "-8.5000", "abc"]));
    }

    #[test]
    fn map_then_default_then_constant() {
        let stage = rule(|r| {
            r.map = [("Closed Won".to_string(), "won".to_string())].into();
            r.default = Some("lead".into());
        });
        let got = apply(
            &[Some(" Closed Won "), Some("Other"), None],
            Kind::Text,
            stage,
            &Defaults::default(),
        );
        assert_eq!(got, some(&["won", "Other", "lead"]));
        let constant = ColumnSpec {
            value: Some("AR".into()),
            ..ColumnSpec::default()
        };
        assert_eq!(
            apply(&[Some("x")], Kind::Id, constant, &Defaults::default()),
            some(&["AR"])
        );
    }
}
