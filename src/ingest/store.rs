//! The validated store: the typed tables of a clean load of a data
//! directory, kept as Parquet under a key made of the input files' SHA-256,
//! so a run on unchanged inputs (the next night, a rerun) reads typed
//! columns instead of parsing and validating every file again.
//!
//! Rules:
//! - The key is the SHA-256 of the store format, the salesops version, the
//!   load options, the version of the facts stored with the tables, the
//!   data folder's absolute path and, per table, its name,
//!   file format and the SHA-256 of its file. Validation checks references across tables (an order's
//!   customer must exist), so the key covers every file: one changed file
//!   validates everything again.
//! - Only a clean load is stored: no problem, no quarantined row. A load
//!   with problems is validated on every run, so its report (examples,
//!   rejects files) is always the one validation writes.
//! - An entry is written to a temporary folder and renamed into place; a
//!   run never reads a half-written entry. Each table goes there as soon as
//!   it is validated and is scanned from there (`staging`), so a load holds
//!   one table's rows at a time. Should another run replace the entries
//!   meanwhile, this one keeps reading its open files and is not stored
//!   (a warning says why). The newest entry replaces the
//!   other entries (folders named by a key, nothing else), so the store
//!   holds one dataset. A store that is, or holds, the data folder or the
//!   output folder is refused.
//! - Each stored file's BLAKE3 checksum is recorded and checked on read,
//!   so a file damaged in a way that still parses is never served (BLAKE3
//!   rather than SHA-256: the check reads the whole store on every run,
//!   and BLAKE3 reads it about three times as fast). A dataset read
//!   from the store holds no table: it keeps each checked file open and
//!   every plan scans it for the columns and rows it needs. Files are never
//!   rewritten in place, so an open file's bytes are the ones checked.
//! - An entry that cannot be read (deleted file, damaged Parquet) is not an
//!   error: the inputs are validated again and a warning says why.
//! - The files are hashed as they are read for the key; on a hit the
//!   manifest's sizes and SHA-256 are those bytes', as after a validation.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::digest::{blake3_open_file, hash_file, sha256_hex, ReadFile};
use super::problems::TableCounts;
use super::{
    find_source, load, load_keeping, Dataset, FileFormat, LoadOptions, Source, TypedTable,
    ValidationReport,
};
use crate::schema::TABLES;
use crate::{Error, Result};
use staging::Staging;
pub(crate) use staging::STORE_ROW_GROUP_ROWS;

mod staging;

/// Bumped whenever what an entry holds, or how validation types a table,
/// changes in a way the salesops version does not show.
const STORE_FORMAT: &str = "salesops-validated-store-3";
/// The file of a stored fact named `name`.
fn fact_file(name: &str) -> String {
    format!("fact-{name}.parquet")
}

/// Facts of a clean load's tables that the caller works out and stores
/// with them (salesops' KPI engine stores its order heads, first orders,
/// customers' orders and payments' invoice rows: `kpi::stored_facts`).
#[derive(Clone, Copy)]
pub struct Facts<'a> {
    /// Names the facts and their layout; part of the entry key, so facts
    /// worked out another way are never read from an older entry.
    pub version: &'a str,
    /// Works out the facts of a dataset and hands each, a name and a
    /// frame, to the callback as soon as it is worked out (the store writes
    /// it and the frame goes, so the facts are not held all at once).
    pub of: &'a dyn Fn(&Dataset, &mut KeepFact<'_>),
}

/// Takes a fact worked out by [`Facts::of`]: its name and its frame.
pub type KeepFact<'k> = dyn FnMut(&'static str, DataFrame) + 'k;

/// The file that marks an entry complete; written last.
const META: &str = "meta.json";

/// Whether a load came from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUse {
    /// The inputs were unchanged: typed tables read from the entry.
    Hit {
        /// The entry's key (hex SHA-256).
        key: String,
    },
    /// Validated from the files and stored under the key.
    Stored {
        /// The entry's key (hex SHA-256).
        key: String,
    },
    /// Validated from the files and not stored, as the rules say: the load
    /// had rows with problems, which are validated on every run.
    NotClean,
    /// Validated from the files; the store could not be written.
    NotStored {
        /// Why, for the run's log.
        reason: String,
    },
}

impl StoreUse {
    /// The line a command logs on a hit, naming the store and the entry.
    pub fn hit_line(&self, store: &Path) -> Option<String> {
        match self {
            StoreUse::Hit { key } => Some(format!(
                "inputs unchanged: read from the validated store {} (entry {})",
                store.display(),
                &key[..12]
            )),
            _ => None,
        }
    }

    /// The warning of a store that could not be written, if any.
    pub fn warning(&self) -> Option<String> {
        match self {
            StoreUse::NotStored { reason } => Some(format!("validated store: {reason}")),
            _ => None,
        }
    }
}

/// What an entry records besides the tables.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format: String,
    /// Per table: the stored file's digest and the data rows read.
    tables: Vec<StoredTable>,
    /// Per fact of the tables (see [`load_with_store`]): its file's digest
    /// and rows.
    facts: Vec<StoredTable>,
    /// Validation's warnings (unknown columns, absent optional tables).
    warnings: Vec<String>,
    /// SHA-256 of this record with `digest` empty: row counts and warnings
    /// reach the manifest, so a damaged record is never served either.
    digest: String,
}

impl Meta {
    /// SHA-256 of everything but `digest` itself.
    fn computed_digest(&self) -> Result<String> {
        let json = serde_json::to_vec(&(&self.format, &self.tables, &self.facts, &self.warnings))
            .map_err(|e| Error::Internal(format!("store: {e}")))?;
        Ok(sha256_hex(&json))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredTable {
    name: String,
    /// BLAKE3 checksum of the stored Parquet file (lower-case hex),
    /// checked on every read: a file damaged in a way that still parses is
    /// never served.
    blake3: String,
    rows: usize,
}

/// Loads `dir` like [`load`], through the validated store in `store`: on
/// unchanged inputs the typed tables are read from the store, otherwise the
/// inputs are validated and a clean load is stored. Errors are [`load`]'s
/// (a damaged or unwritable store is never one: see [`StoreUse`]).
///
/// `facts` works out facts of a clean load's tables that depend on
/// nothing else (no run's as_of or period): they are stored with the entry,
/// checked like its tables and served with them
/// ([`Dataset::stored_fact`]), so a run on unchanged inputs reads them
/// instead of working them out again. A fact that cannot be written is
/// left out.
pub fn load_with_store(
    dir: &Path,
    opts: &LoadOptions,
    store: &Path,
    facts: Facts<'_>,
) -> Result<(Dataset, ValidationReport, StoreUse)> {
    refuse_store_over(store, dir, "the data folder")?;
    let mut problem = None;
    let mut key_before = None;
    if dir.is_dir() {
        let sources = sources_of(dir)?;
        // Files are hashed in parallel (SHA-256 runs on one core per file).
        let hashed = sources
            .par_iter()
            .map(|(_, s)| hash_file(&s.path))
            .collect::<Result<Vec<_>>>();
        if let Ok(read_files) = hashed {
            let key = key_of(&sources, &read_files, opts, facts.version);
            key_before = Some(key.clone());
            let entry = store.join(&key);
            if entry.join(META).is_file() {
                match read_entry(&entry, &sources, read_files) {
                    Ok((dataset, report)) => return Ok((dataset, report, StoreUse::Hit { key })),
                    Err(e) => {
                        // A damaged entry is the disk's or a user's doing,
                        // not a fault of salesops: said without "internal".
                        let why = match e {
                            Error::Internal(m) => m,
                            other => other.to_string(),
                        };
                        problem = Some(format!(
                            "validated store: the entry {} could not be read ({why}); validated the inputs again",
                            entry.display()
                        ))
                    }
                }
            }
        }
    }
    // Each table goes to the entry's staging folder as it is validated.
    let mut staging = Staging::create(store, key_before.as_deref().unwrap_or(&"0".repeat(64)))
        .map_err(|e| format!("{} could not be written: {e}", store.display()));
    let (mut dataset, report) = match &mut staging {
        Ok(staging) => load_keeping(dir, opts, &mut |name, table| staging.keep(name, table))?,
        Err(_) => load(dir, opts)?,
    };
    let clean = report.problems.is_empty()
        && report.problem_counts.is_empty()
        && report.rejects.values().all(|r| r.height() == 0);
    if let (true, Ok(staging)) = (clean, &mut staging) {
        // (An entry that will not be stored gets none: see `keep_fact`.)
        let mut kept = Vec::new();
        (facts.of)(&dataset, &mut |name, frame| {
            if let Some(scan) = staging.keep_fact(name, frame) {
                kept.push((name, scan));
            }
        });
        for (name, scan) in kept {
            dataset
                .facts
                .insert(name.to_string(), TypedTable::Stored(Box::new(scan)));
        }
    }
    let outcome = match staging {
        // Dropped: the folder goes, the dataset's open files stay readable.
        _ if !clean => StoreUse::NotClean,
        Err(reason) => StoreUse::NotStored { reason },
        Ok(staging) => {
            let sources: Vec<(&'static str, Source)> = dataset
                .sources
                .iter()
                .map(|(n, s)| (*n, s.clone()))
                .collect();
            let read_files: Vec<ReadFile> = sources
                .iter()
                .filter_map(|(_, s)| dataset.read_file(&s.path).cloned())
                .collect();
            let key = key_of(&sources, &read_files, opts, facts.version);
            match staging.commit(store, &key, &report) {
                Ok(()) => StoreUse::Stored { key },
                Err(reason) => StoreUse::NotStored { reason },
            }
        }
    };
    let mut report = report;
    report.warnings.extend(problem);
    Ok((dataset, report, outcome))
}

/// Loads `dir` like [`load`] without a store: each validated table is
/// written to an unnamed temporary file (in the system's temporary
/// directory, `TMPDIR`) and scanned from there, so the load holds one
/// table's rows at a time and the KPI plans read only the columns and rows
/// they need. The files have no name, so nothing is left behind however
/// the process ends. A table read whole that cannot be written stays in
/// memory. Errors are [`load`]'s, and a table validated chunk by chunk
/// that cannot be written (its earlier chunks are gone from memory).
pub fn load_on_disk(dir: &Path, opts: &LoadOptions) -> Result<(Dataset, ValidationReport)> {
    load_keeping(dir, opts, &mut |_, table| {
        staging::keep_in_temporary_file(table)
    })
}

/// Refuses a store folder that is `other` (the data folder, the output
/// root) or holds it: the store replaces its entries, and a user's folder
/// must never be taken for one.
pub fn refuse_store_over(store: &Path, other: &Path, what: &str) -> Result<()> {
    let (store_abs, other_abs) = (resolved(store), resolved(other));
    if other_abs.starts_with(&store_abs) {
        return Err(Error::Usage(format!(
            "the validated store {} is {what} ({}) or a folder holding it; give the store a folder of its own (e.g. {})",
            store.display(),
            other.display(),
            other_abs.join(".store").display()
        )));
    }
    Ok(())
}

/// `path` with `..` and symlinks resolved, also when its last parts do not
/// exist yet (a store folder is created on first use).
pub fn resolved(path: &Path) -> std::path::PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => absolute,
    }
}

/// Whether a name in the store folder is one of the store's own: an entry
/// (a 64-digit hex key) or the staging folder of one.
fn is_store_entry(name: &str) -> bool {
    let hex = |k: &str| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit());
    match name.strip_prefix(".tmp-") {
        Some(rest) => rest.split('-').next().is_some_and(hex),
        None => hex(name),
    }
}

/// The tables found in `dir`, in contract order.
fn sources_of(dir: &Path) -> Result<Vec<(&'static str, Source)>> {
    let mut sources = Vec::new();
    for table in TABLES {
        if let Some(source) = find_source(dir, table.name)? {
            sources.push((table.name, source));
        }
    }
    Ok(sources)
}

fn format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Csv => "csv",
        FileFormat::Parquet => "parquet",
        FileFormat::Export => "export",
    }
}

/// The entry key: SHA-256 over the store format, the version, the load
/// options, the facts' version, the data folder and every table's name,
/// format and file digest.
fn key_of(
    sources: &[(&'static str, Source)],
    files: &[ReadFile],
    opts: &LoadOptions,
    facts_version: &str,
) -> String {
    let mut hasher = Sha256::new();
    let mut line = |s: &str| {
        hasher.update(s.as_bytes());
        hasher.update(b"\n");
    };
    line(STORE_FORMAT);
    line(env!("CARGO_PKG_VERSION"));
    line(&format!("max_reject_share={:?}", opts.max_reject_share));
    line(&format!("facts={facts_version}"));
    // The folder too: warnings name it, so a moved copy is validated again.
    if let Some((_, first)) = sources.first() {
        let folder = first.path.parent().unwrap_or(Path::new(""));
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        line(&folder.display().to_string());
    }
    // In table-name order, whichever order the caller found them in.
    let mut tables: Vec<String> = sources
        .iter()
        .zip(files)
        .map(|((name, source), file)| {
            format!("{name} {} {}", format_name(source.format), file.sha256)
        })
        .collect();
    tables.sort();
    for table in &tables {
        line(table);
    }
    format!("{:x}", hasher.finalize())
}

/// A scan of a stored table's open file. The file stays open with the
/// dataset, so another run replacing the store's entry meanwhile (its old
/// files deleted) changes nothing for this one. Resolving the schema reads
/// the footer: a file that is not Parquet fails here, where the entry is
/// validated again, not in a KPI plan.
fn scan_of(file: File, path: &Path) -> Result<LazyFrame> {
    let sources = ScanSources::Files(Arc::from(vec![file]));
    let args = ScanArgsParquet {
        hive_options: HiveOptions::new_disabled(),
        ..ScanArgsParquet::default()
    };
    let mut scan = LazyFrame::scan_parquet_sources(sources, args)
        .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
    scan.collect_schema()
        .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
    Ok(scan)
}

/// Reads an entry back as the dataset and the report a clean validation
/// gives (its warnings and row counts); `read_files` are the digests the
/// key was made of.
fn read_entry(
    entry: &Path,
    found: &[(&'static str, Source)],
    read_files: Vec<ReadFile>,
) -> Result<(Dataset, ValidationReport)> {
    let path = entry.join(META);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let meta: Meta = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
    if meta.computed_digest()? != meta.digest {
        return Err(Error::Internal(format!(
            "{}: its digest does not match its contents",
            path.display()
        )));
    }
    if meta.format != STORE_FORMAT {
        return Err(Error::Internal(format!(
            "{}: format {}",
            path.display(),
            meta.format
        )));
    }
    let mut tables = BTreeMap::new();
    let mut report = ValidationReport {
        warnings: meta.warnings,
        ..ValidationReport::default()
    };
    let mut named = Vec::with_capacity(meta.tables.len());
    for t in meta.tables {
        let name = found
            .iter()
            .map(|(n, _)| *n)
            .find(|n| *n == t.name)
            .ok_or_else(|| {
                Error::Internal(format!(
                    "{}: table {} is not among the inputs",
                    path.display(),
                    t.name
                ))
            })?;
        named.push((name, t));
    }
    // Each stored file is checked through the handle its scan then reads,
    // the files in parallel.
    let files: Vec<(Stored, StoredTable)> = named
        .into_iter()
        .map(|(name, t)| (Stored::Table(name), t))
        .chain(meta.facts.into_iter().map(|f| (Stored::Fact, f)))
        .collect();
    let opened = files
        .into_par_iter()
        .map(|(stored, t)| {
            let file_path = entry.join(match stored {
                Stored::Table(name) => format!("{name}.parquet"),
                Stored::Fact => fact_file(&t.name),
            });
            let mut file = File::open(&file_path).map_err(|e| Error::io(&file_path, e))?;
            let checksum = blake3_open_file(&mut file).map_err(|e| Error::io(&file_path, e))?;
            Ok((stored, t, file_path, file, checksum))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut facts = BTreeMap::new();
    for (stored, t, file_path, file, checksum) in opened {
        if checksum != t.blake3 {
            return Err(Error::Internal(format!(
                "{}: its BLAKE3 checksum differs from the one recorded when it was stored",
                file_path.display()
            )));
        }
        let scan = TypedTable::Stored(Box::new(scan_of(file, &file_path)?));
        match stored {
            Stored::Table(name) => {
                tables.insert(name, scan);
                report.counts.insert(
                    name,
                    TableCounts {
                        rows: t.rows,
                        bad_rows: 0,
                    },
                );
            }
            Stored::Fact => {
                facts.insert(t.name, scan);
            }
        }
    }
    if tables.len() != found.len() {
        return Err(Error::Internal(format!(
            "{}: holds {} table(s), the inputs {}",
            path.display(),
            tables.len(),
            found.len()
        )));
    }
    // The sources are the files found now (the key covers their bytes).
    let sources = found.iter().map(|(n, s)| (*n, s.clone())).collect();
    let dataset = Dataset {
        tables,
        facts,
        sources,
        files_read: Vec::new(),
        read_files,
    };
    Ok((dataset, report))
}

/// What a file of an entry holds.
enum Stored {
    /// A validated table.
    Table(&'static str),
    /// A fact of the tables, named by its record.
    Fact,
}

#[cfg(test)]
mod tests;
