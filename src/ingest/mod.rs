//! Ingest: find each table's file in a data directory, read it, parse every
//! column into its canonical type and validate the rows (SPEC section 1).
//!
//! Each input file is read once; the validated, typed tables are kept in
//! memory as [`Dataset`] and every KPI job plans lazily over them.

pub mod canonical;
mod mapping;
mod parse;
pub mod profile;
pub mod rawfile;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::schema::{Table, TABLES};
use crate::{Error, Result};

pub use mapping::Origin;
pub use parse::{expected_form, typed_expr};
pub use profile::Profile;
pub use validate::{Problem, ProblemKind, ValidationReport};

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

/// Validated, typed input tables.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    tables: BTreeMap<&'static str, DataFrame>,
    sources: BTreeMap<&'static str, Source>,
    files_read: Vec<PathBuf>,
}

impl Dataset {
    /// A lazy frame over the typed table, or `None` when the table was absent.
    pub fn lazy(&self, table: &str) -> Option<LazyFrame> {
        self.tables.get(table).map(|df| df.clone().lazy())
    }

    /// The typed table, or `None` when absent.
    pub fn frame(&self, table: &str) -> Option<&DataFrame> {
        self.tables.get(table)
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

    /// Builds a dataset from typed frames (used by tests and by converters).
    pub fn from_frames(frames: Vec<(&'static str, DataFrame)>) -> Self {
        Dataset {
            tables: frames.into_iter().collect(),
            ..Dataset::default()
        }
    }
}

/// Finds `<table>.csv` or `<table>.parquet` in `dir`; both present is an error.
pub fn find_source(dir: &Path, table: &str) -> Result<Option<Source>> {
    let csv = dir.join(format!("{table}.csv"));
    let parquet = dir.join(format!("{table}.parquet"));
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

/// Reads a whole table file as it is, with a 1-based row column [`ROW`]:
/// CSV columns all as text (so nothing is lost before validation), Parquet
/// columns in their stored types.
pub fn read_raw(source: &Source) -> Result<DataFrame> {
    let path = PlRefPath::try_from_path(&source.path)?;
    let lf = match source.format {
        FileFormat::Csv => LazyCsvReader::new(path)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_missing_is_null(true)
            .finish()?,
        FileFormat::Parquet => LazyFrame::scan_parquet(path, ScanArgsParquet::default())?,
        FileFormat::Export => {
            return Err(Error::Usage(format!(
                "{}: a raw export is read through its mapping profile (--profile)",
                source.path.display()
            )))
        }
    };
    let df = lf.with_row_index(ROW, Some(1)).collect().map_err(|e| {
        let why = match source.format {
            FileFormat::Csv => std::fs::read(&source.path)
                .ok()
                .and_then(|bytes| rawfile::diagnose_csv(&bytes, b',', 0)),
            _ => None,
        }
        .unwrap_or_else(|| e.to_string());
        Error::Invalid(format!("{}: cannot be read: {why}", source.path.display()))
    })?;
    Ok(df)
}

/// Loads and validates every table of the contract found in `dir`.
///
/// Strict mode fails with the full problem report when any row is bad;
/// quarantine mode (`max_reject_share`) removes bad rows into the report's
/// rejects and fails only when a table's share of them exceeds the limit.
pub fn load(dir: &Path, opts: &LoadOptions) -> Result<(Dataset, ValidationReport)> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "data directory {} does not exist or is not a directory",
            dir.display()
        )));
    }
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
    validate_all(
        sources,
        |_, s| read_raw(s),
        absent,
        ValidationReport::default(),
        opts,
    )
}

/// Loads a raw export through a mapping profile, then validates it exactly
/// like a data directory. Rows the profile skips are in the report's `skipped`.
pub fn load_with_profile(
    profile: &Profile,
    from: &Path,
    opts: &LoadOptions,
) -> Result<(Dataset, ValidationReport)> {
    let mapped = mapping::map_export(profile, from)?;
    let files_read = mapped.files_read;
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
                .ok_or_else(|| Error::Invalid(format!("{name}: mapped frame missing")))
        },
        absent,
        report,
        opts,
    )?;
    dataset.files_read = files_read;
    for (table, rejects) in report.rejects.iter_mut() {
        if let Some(raw) = raw_rows.get(table) {
            *rejects = mapping::rejects_as_exported(rejects, raw)?;
        }
    }
    Ok((dataset, report))
}

/// Validates each present table in contract order (references need their
/// targets first) and applies the reject policy.
fn validate_all(
    sources: BTreeMap<&'static str, Source>,
    mut raw_of: impl FnMut(&'static str, &Source) -> Result<DataFrame>,
    absent: impl Fn(&str) -> String,
    mut report: ValidationReport,
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
        let typed = validate::validate_table(table, raw, &dataset, &mut report)?;
        if let Some(typed) = typed {
            dataset.tables.insert(table.name, typed);
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
