//! Ingest: find each table's file in a data directory, read it, parse every
//! column into its canonical type and validate the rows (SPEC section 1).
//!
//! Each input file is read once; the validated, typed tables form a
//! [`Dataset`] and every KPI job plans lazily over them. A clean load can be
//! kept in the validated store (`store`), keyed by the files' SHA-256, so
//! unchanged inputs are not parsed and validated again; a dataset read from
//! the store (or just written to it) holds no table in memory: each plan
//! scans the stored Parquet files for the columns and rows it needs.

pub(crate) mod canonical;
mod chunked;
pub(crate) mod digest;
mod mapping;
pub(crate) mod numbers;
mod parse;
mod problems;
pub(crate) mod profile;
pub(crate) mod rawfile;
mod store;
pub(crate) mod structure;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::schema::{Table, TABLES};
use crate::{Error, Result};

pub use mapping::Origin;
pub use parse::{expected_form, typed_expr};
pub use problems::{Problem, ProblemKind, ValidationReport};
pub use profile::Profile;
pub(crate) use store::STORE_ROW_GROUP_ROWS;
pub use store::{
    load_on_disk, load_with_store, refuse_store_over, resolved, Facts, KeepFact, StoreUse,
};
pub(crate) use validate::strictly_increasing;

/// Name of the row-number column added while ingesting (1-based data row).
pub const ROW: &str = "__row";

/// File format of an input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// A raw export read through a mapping profile (CSV in any encoding, or a workbook).
    Export,
}

/// Where a table was read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: FileFormat,
}

/// How strictly bad rows are handled.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `None`: strict, any problem fails the load. `Some(x)`: bad rows are
    /// quarantined and the load fails only when a table's share of bad rows exceeds x.
    pub max_reject_share: Option<f64>,
}

/// One validated, typed table: in memory (after a validation, or built by
/// a test) or a file of the validated store, scanned by each plan that
/// reads it (projection and predicate pushdown: a plan decodes only the
/// columns and row groups it uses).
#[derive(Clone)]
enum TypedTable {
    Frame(DataFrame),
    Stored(Box<LazyFrame>),
}

impl std::fmt::Debug for TypedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypedTable::Frame(df) => df.fmt(f),
            TypedTable::Stored(_) => f.write_str("stored table (scanned)"),
        }
    }
}

/// Validated, typed input tables.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    tables: BTreeMap<&'static str, TypedTable>,
    /// Facts of the tables stored with a validated load, by name
    /// ([`store::load_with_store`]).
    facts: BTreeMap<String, TypedTable>,
    sources: BTreeMap<&'static str, Source>,
    files_read: Vec<PathBuf>,
    /// Every file read, with the size and SHA-256 of the bytes read.
    read_files: Vec<digest::ReadFile>,
}

impl Dataset {
    /// A lazy frame over the typed table, or `None` when the table was absent.
    pub fn lazy(&self, table: &str) -> Option<LazyFrame> {
        self.tables.get(table).map(|t| match t {
            TypedTable::Frame(df) => df.clone().lazy(),
            TypedTable::Stored(scan) => (**scan).clone(),
        })
    }

    /// The typed table whole, or `None` when absent; a stored table is read
    /// from its file (meant for the small tables: reps, calendar).
    ///
    /// Errors: a stored file that cannot be read any more.
    pub fn frame(&self, table: &str) -> Result<Option<DataFrame>> {
        Ok(match self.tables.get(table) {
            None => None,
            Some(TypedTable::Frame(df)) => Some(df.clone()),
            Some(TypedTable::Stored(scan)) => Some((**scan).clone().collect()?),
        })
    }

    /// A lazy frame over the fact `name` stored with this load's tables
    /// ([`load_with_store`]'s `facts`), or `None` when the load has no
    /// such fact (it was not loaded through the store, or the fact could
    /// not be worked out or written).
    pub fn stored_fact(&self, name: &str) -> Option<LazyFrame> {
        self.facts.get(name).map(|t| match t {
            TypedTable::Frame(df) => df.clone().lazy(),
            TypedTable::Stored(scan) => (**scan).clone(),
        })
    }

    /// Adds the fact `name`, as a load through the store would serve it.
    #[cfg(test)]
    pub(crate) fn insert_fact(&mut self, name: &str, frame: DataFrame) {
        self.facts
            .insert(name.to_string(), TypedTable::Frame(frame));
    }

    /// Whether the table was present in the input.
    pub fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// The source file of each loaded table.
    pub fn sources(&self) -> &BTreeMap<&'static str, Source> {
        &self.sources
    }

    /// Every file of a raw export read through a profile (empty for a data
    /// directory, whose files are the sources).
    pub fn files_read(&self) -> &[PathBuf] {
        &self.files_read
    }

    /// Size and SHA-256 of the bytes read from `path`, if it was read.
    pub fn read_file(&self, path: &Path) -> Option<&digest::ReadFile> {
        self.read_files.iter().find(|f| f.path == path)
    }

    /// Builds a dataset from typed frames (used by tests and by converters).
    pub fn from_frames(frames: Vec<(&'static str, DataFrame)>) -> Self {
        Dataset {
            tables: frames
                .into_iter()
                .map(|(name, df)| (name, TypedTable::Frame(df)))
                .collect(),
            ..Dataset::default()
        }
    }
}

/// Finds `<table>.csv` or `<table>.parquet` in `dir`; both present is an error.
pub fn find_source(dir: &Path, table: &str) -> Result<Option<Source>> {
    let csv = dir.join(format!("{table}.csv"));
    let parquet = dir.join(format!("{table}.parquet"));
    // A folder (or anything else) under a table's name is not "absent": its
    // KPIs would silently be null.
    for path in [&csv, &parquet] {
        if path.symlink_metadata().is_ok() && !path.exists() {
            return Err(Error::Usage(format!(
                "{}: is a link to a file that does not exist",
                path.display()
            )));
        }
        if path.exists() && !path.is_file() {
            return Err(Error::Usage(format!(
                "{}: is not a file; the {table} table must be a file named {table}.csv or {table}.parquet",
                path.display()
            )));
        }
    }
    match (csv.is_file(), parquet.is_file()) {
        (true, true) => Err(Error::Invalid(format!(
            "{table}: both {} and {} exist; keep one so the input is unambiguous",
            csv.display(),
            parquet.display()
        ))),
        (true, false) => Ok(Some(Source {
            path: csv,
            format: FileFormat::Csv,
        })),
        (false, true) => Ok(Some(Source {
            path: parquet,
            format: FileFormat::Parquet,
        })),
        (false, false) => Ok(None),
    }
}

pub use validate::clip;

/// The pattern a target period matches (`2026-10`, `2026-Q4`, `2026`).
pub fn parse_period_pattern() -> &'static str {
    parse::PERIOD_PATTERN
}

/// A raw table as read from its file.
pub struct RawTable {
    /// All-text (CSV) or stored-type (Parquet) columns, with [`ROW`] and,
    /// when some CSV records have the wrong number of fields,
    /// [`validate::MALFORMED`] holding why.
    pub frame: DataFrame,
    /// Size and SHA-256 of the bytes read.
    pub read: digest::ReadFile,
    /// What the reader skipped on purpose (blank lines, a footer).
    pub notes: Vec<String>,
}

/// Adds [`validate::MALFORMED`] to a frame read from `scanned`'s records
/// (in the same order) when any record has the wrong width.
pub(crate) fn mark_malformed(frame: DataFrame, scanned: &structure::Scanned) -> Result<DataFrame> {
    if scanned.is_clean() {
        return Ok(frame);
    }
    let reasons: Vec<Option<String>> = scanned
        .records()
        .iter()
        .map(|r| scanned.ragged(r))
        .collect();
    if reasons.iter().all(Option::is_none) {
        return Ok(frame);
    }
    let mut frame = frame;
    frame.with_column(Column::new(validate::MALFORMED.into(), reasons))?;
    Ok(frame)
}

/// Where CSV bytes stop being UTF-8, as a message naming the line.
pub(crate) fn invalid_utf8(bytes: &[u8]) -> Option<String> {
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    Some(format!(
        "line {line} is not valid UTF-8 (byte {at}); save the file as UTF-8, or read it through a mapping profile that names its encoding"
    ))
}

/// Reads a whole table file as it is, with a 1-based row column [`ROW`]:
/// CSV columns all as text (so nothing is lost before validation), Parquet
/// columns in their stored types (opened and hashed as validation reads
/// them, [`chunked::ParquetInput`]); with the size and SHA-256 of the bytes
/// parsed ([`digest::read_hashed`]). CSV structure follows
/// [`structure`]: a repeated header name is refused, records of the wrong
/// width are marked bad, blank lines and a report footer are skipped.
pub fn read_raw(source: &Source) -> Result<RawTable> {
    if source.format == FileFormat::Export {
        return Err(Error::Usage(format!(
            "{}: a raw export is read through its mapping profile (--profile)",
            source.path.display()
        )));
    }
    if source.format == FileFormat::Parquet {
        let (input, read) = chunked::ParquetInput::open(&source.path)?;
        return Ok(RawTable {
            frame: input.read_all()?,
            read,
            notes: Vec::new(),
        });
    }
    let label = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (bytes, read) = digest::read_hashed(&source.path)?;
    let cannot = |e: PolarsError, bytes: &[u8]| {
        let why = invalid_utf8(bytes).unwrap_or_else(|| e.to_string());
        Error::Invalid(format!("{}: cannot be read: {why}", source.path.display()))
    };
    // CSV: a raw export was refused above, and Parquet read.
    let (frame, notes) = {
        let parse = |csv: &[u8]| {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_parse_options(CsvParseOptions::default().with_missing_is_null(true))
                .into_reader_with_file_handle(std::io::Cursor::new(csv))
                .finish()
                .and_then(|df| df.with_row_index(ROW.into(), Some(1)))
        };
        // The structure scan is serial; polars parses the same bytes
        // meanwhile, and its frame is kept when the file is clean (the
        // usual case), else the cleaned bytes are parsed again.
        let (scanned, parsed) = rayon::join(
            || structure::scan(&bytes, b',', 0, &structure::DataEnd::default(), &label),
            || parse(&bytes),
        );
        let scanned = scanned?;
        let df = if scanned.is_clean() {
            parsed
        } else {
            parse(&structure::rewritten(&bytes, b',', 0, &scanned)?)
        }
        .map_err(|e| cannot(e, &bytes))?;
        (mark_malformed(df, &scanned)?, scanned.notes(&label))
    };
    Ok(RawTable { frame, read, notes })
}

/// Loads and validates every table of the contract found in `dir`.
///
/// Strict mode fails with the full problem report when any row is bad;
/// quarantine mode (`max_reject_share`) removes bad rows into the report's
/// rejects and fails only when a table's share of them exceeds the limit.
pub fn load(dir: &Path, opts: &LoadOptions) -> Result<(Dataset, ValidationReport)> {
    load_keeping(dir, opts, &mut in_memory)
}

/// A table's good rows as validation gives them: whole, or chunk by chunk
/// (a Parquet file, validated as the chunks are pulled; see [`chunked`]).
pub(crate) enum Validated<'a> {
    /// The whole table.
    Whole(DataFrame),
    /// The table's chunks in file order; at least one, possibly empty.
    Chunks(Box<dyn Iterator<Item = Result<DataFrame>> + 'a>),
}

impl Validated<'_> {
    /// The whole table in one frame.
    ///
    /// Errors: a chunk that failed to read or validate.
    pub(crate) fn into_frame(self) -> Result<DataFrame> {
        match self {
            Validated::Whole(df) => Ok(df),
            Validated::Chunks(chunks) => chunked::concat_chunks(chunks),
        }
    }
}

/// Where a validated table goes as soon as it is validated: held in
/// memory, or written to the validated store's staging folder (or a
/// temporary file) and scanned from there, so a load holds one table's
/// rows at a time, or one chunk's for a big Parquet table.
///
/// Errors: validation of a chunk failed, or a table validated chunk by
/// chunk could not be written (its earlier chunks are not in memory).
type Keep<'a> = dyn FnMut(&'static str, Validated<'_>) -> Result<TypedTable> + 'a;

/// Keeps a validated table in memory.
fn in_memory(_: &'static str, table: Validated<'_>) -> Result<TypedTable> {
    Ok(TypedTable::Frame(table.into_frame()?))
}

/// A table as read for validation.
enum RawInput {
    /// Read whole (CSV, an export's mapped frame).
    Whole(DataFrame),
    /// A Parquet file, read chunk by chunk.
    Parquet(chunked::ParquetInput),
}

/// [`load`], handing each validated table to `keep`.
fn load_keeping(
    dir: &Path,
    opts: &LoadOptions,
    keep: &mut Keep<'_>,
) -> Result<(Dataset, ValidationReport)> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "data directory {} does not exist or is not a directory",
            dir.display()
        )));
    }
    // A folder that cannot be listed would look empty ("reps missing").
    std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut sources = BTreeMap::new();
    for table in TABLES {
        if let Some(source) = find_source(dir, table.name)? {
            sources.insert(table.name, source);
        }
    }
    let absent = |name: &str| {
        if name == "reps" {
            format!(
                "reps: required table missing: put reps.csv or reps.parquet in {}",
                dir.display()
            )
        } else {
            format!("{name}: table absent ({name}.csv / {name}.parquet not found); KPIs computed from it are null")
        }
    };
    let mut read_files = Vec::new();
    let mut notes = Vec::new();
    let (mut dataset, mut report) = validate_all(
        sources,
        |_, s| {
            if s.format == FileFormat::Parquet {
                let (input, read) = chunked::ParquetInput::open(&s.path)?;
                read_files.push(read);
                return Ok(RawInput::Parquet(input));
            }
            let raw = read_raw(s)?;
            read_files.push(raw.read);
            notes.extend(raw.notes);
            Ok(RawInput::Whole(raw.frame))
        },
        absent,
        ValidationReport::default(),
        keep,
        opts,
    )?;
    dataset.read_files = read_files;
    report.warnings.extend(notes);
    Ok((dataset, report))
}

/// Loads a raw export through a mapping profile, then validates it exactly
/// like a data directory. Rows the profile skips are in the report's `skipped`.
pub fn load_with_profile(
    profile: &Profile,
    from: &Path,
    opts: &LoadOptions,
) -> Result<(Dataset, ValidationReport)> {
    let mapped = mapping::map_export(profile, from)?;
    let files_read: Vec<PathBuf> = mapped.files_read.iter().map(|f| f.path.clone()).collect();
    let read_files = mapped.files_read;
    let raw_rows = mapped.raw_rows;
    let report = ValidationReport {
        origins: mapped.origins,
        skipped: mapped.skipped,
        warnings: mapped.notes,
        ..ValidationReport::default()
    };
    let mut frames = mapped.frames;
    let sources: BTreeMap<&'static str, Source> = frames
        .keys()
        .map(|t| {
            let path = mapped
                .paths
                .get(t)
                .cloned()
                .or_else(|| profile.path.clone())
                .unwrap_or_default();
            (
                *t,
                Source {
                    path,
                    format: FileFormat::Export,
                },
            )
        })
        .collect();
    let absent = |name: &str| {
        if name == "reps" {
            "reps: required table missing: the profile must map [tables.reps]".to_string()
        } else {
            format!("{name}: not mapped by the profile; KPIs computed from it are null")
        }
    };
    let (mut dataset, mut report) = validate_all(
        sources,
        |name, _| {
            frames
                .remove(name)
                .map(RawInput::Whole)
                .ok_or_else(|| Error::Internal(format!("{name}: mapped frame missing")))
        },
        absent,
        report,
        &mut in_memory,
        opts,
    )?;
    dataset.files_read = files_read;
    dataset.read_files = read_files;
    for (table, rejects) in report.rejects.iter_mut() {
        if let Some(raw) = raw_rows.get(table) {
            *rejects = mapping::rejects_as_exported(rejects, raw)?;
        }
    }
    Ok((dataset, report))
}

/// Validates each present table in contract order (references need their
/// targets first), hands each typed table to `keep`, and applies the reject
/// policy.
fn validate_all(
    sources: BTreeMap<&'static str, Source>,
    mut raw_of: impl FnMut(&'static str, &Source) -> Result<RawInput>,
    absent: impl Fn(&str) -> String,
    mut report: ValidationReport,
    keep: &mut Keep<'_>,
    opts: &LoadOptions,
) -> Result<(Dataset, ValidationReport)> {
    let mut dataset = Dataset::default();
    for table in TABLES {
        let Some(source) = sources.get(table.name) else {
            if table.name == "reps" {
                report.fatal.push(absent(table.name));
                break;
            }
            report.warnings.push(absent(table.name));
            continue;
        };
        let raw = raw_of(table.name, source)?;
        let rows = match &raw {
            RawInput::Whole(df) => df.height(),
            RawInput::Parquet(input) => input.rows(),
        };
        if table.name == "reps" && rows == 0 {
            // Nothing can be computed for nobody: a header-only reps file is
            // as good as absent, and is refused as such.
            report.fatal.push(format!(
                "reps: {} has a header but no rows; at least one rep is needed",
                source.path.display()
            ));
            break;
        }
        let kept = match raw {
            RawInput::Whole(raw) => {
                match validate::validate_table(table, raw, &dataset, &mut report)? {
                    Some(typed) => Some(keep(table.name, Validated::Whole(typed))?),
                    None => None,
                }
            }
            RawInput::Parquet(input) => {
                match chunked::validate_chunked(
                    table,
                    input,
                    &dataset,
                    &mut report,
                    chunked::CHUNK_ROWS,
                )? {
                    Some(chunks) => Some(keep(table.name, Validated::Chunks(Box::new(chunks)))?),
                    None => None,
                }
            }
        };
        if let Some(kept) = kept {
            dataset.tables.insert(table.name, kept);
            dataset.sources.insert(table.name, source.clone());
        }
    }
    report.decide(opts.max_reject_share)?;
    Ok((dataset, report))
}

/// The contract table with this name; panics on an unknown name (a programming error).
pub fn contract(name: &str) -> &'static Table {
    crate::schema::table(name).expect("table of the contract")
}
