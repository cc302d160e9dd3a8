//! The validated store: the typed tables of a clean load of a data
//! directory, kept as Parquet under a key made of the input files' SHA-256,
//! so a run on unchanged inputs (the next night, a rerun) reads typed
//! columns instead of parsing and validating every file again.
//!
//! Rules:
//! - The key is the SHA-256 of the store format, the salesops version, the
//!   load options, the data folder's absolute path and, per table, its name,
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
//! - Each stored file's SHA-256 is recorded and checked on read, so a file
//!   damaged in a way that still parses is never served. A dataset read
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

use super::digest::{hash_file, hash_open_file, sha256_hex, ReadFile};
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
const STORE_FORMAT: &str = "salesops-validated-store-1";
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
    /// Validation's warnings (unknown columns, absent optional tables).
    warnings: Vec<String>,
    /// SHA-256 of this record with `digest` empty: row counts and warnings
    /// reach the manifest, so a damaged record is never served either.
    digest: String,
}

impl Meta {
    /// SHA-256 of everything but `digest` itself.
    fn computed_digest(&self) -> Result<String> {
        let json = serde_json::to_vec(&(&self.format, &self.tables, &self.warnings))
            .map_err(|e| Error::Internal(format!("store: {e}")))?;
        Ok(sha256_hex(&json))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredTable {
    name: String,
    /// SHA-256 of the stored Parquet file, checked on every read: a file
    /// damaged in a way that still parses is never served.
    sha256: String,
    rows: usize,
}

/// Loads `dir` like [`load`], through the validated store in `store`: on
/// unchanged inputs the typed tables are read from the store, otherwise the
/// inputs are validated and a clean load is stored. Errors are [`load`]'s
/// (a damaged or unwritable store is never one: see [`StoreUse`]).
pub fn load_with_store(
    dir: &Path,
    opts: &LoadOptions,
    store: &Path,
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
            let key = key_of(&sources, &read_files, opts);
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
    let (dataset, report) = match &mut staging {
        Ok(staging) => load_keeping(dir, opts, &mut |name, table| staging.keep(name, table))?,
        Err(_) => load(dir, opts)?,
    };
    let clean = report.problems.is_empty()
        && report.problem_counts.is_empty()
        && report.rejects.values().all(|r| r.height() == 0);
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
            let key = key_of(&sources, &read_files, opts);
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
/// options and every table's name, format and file digest.
fn key_of(sources: &[(&'static str, Source)], files: &[ReadFile], opts: &LoadOptions) -> String {
    let mut hasher = Sha256::new();
    let mut line = |s: &str| {
        hasher.update(s.as_bytes());
        hasher.update(b"\n");
    };
    line(STORE_FORMAT);
    line(env!("CARGO_PKG_VERSION"));
    line(&format!("max_reject_share={:?}", opts.max_reject_share));
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
    let opened = named
        .into_par_iter()
        .map(|(name, t)| {
            let file_path = entry.join(format!("{name}.parquet"));
            let mut file = File::open(&file_path).map_err(|e| Error::io(&file_path, e))?;
            let (_, sha256) = hash_open_file(&mut file).map_err(|e| Error::io(&file_path, e))?;
            Ok((name, t, file_path, file, sha256))
        })
        .collect::<Result<Vec<_>>>()?;
    for (name, t, file_path, file, sha256) in opened {
        if sha256 != t.sha256 {
            return Err(Error::Internal(format!(
                "{}: its SHA-256 differs from the one recorded when it was stored",
                file_path.display()
            )));
        }
        tables.insert(
            name,
            TypedTable::Stored(Box::new(scan_of(file, &file_path)?)),
        );
        report.counts.insert(
            name,
            TableCounts {
                rows: t.rows,
                bad_rows: 0,
            },
        );
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
        sources,
        files_read: Vec::new(),
        read_files,
    };
    Ok((dataset, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_sample(to: &Path) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
        for e in std::fs::read_dir(from).unwrap().flatten() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }

    #[test]
    fn unchanged_inputs_are_read_from_the_store_and_equal_a_validation() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let (validated, report, first) = load_with_store(data.path(), &opts, store.path()).unwrap();
        let StoreUse::Stored { key } = first else {
            panic!("a clean load is stored, got {first:?}");
        };
        let (stored, stored_report, second) =
            load_with_store(data.path(), &opts, store.path()).unwrap();
        assert_eq!(second, StoreUse::Hit { key: key.clone() });
        // Both loads scan the stored files now; each equals a validation
        // held in memory.
        let (in_memory, _) = load(data.path(), &opts).unwrap();
        for (table, loaded) in TABLES.iter().flat_map(|t| [(t, &validated), (t, &stored)]) {
            match (
                in_memory.frame(table.name).unwrap(),
                loaded.frame(table.name).unwrap(),
            ) {
                (Some(a), Some(b)) => {
                    assert!(a.equals_missing(&b), "{}", table.name);
                    assert_eq!(a.schema(), b.schema(), "{}", table.name);
                }
                (None, None) => {}
                _ => panic!("{}: present in one load only", table.name),
            }
        }
        assert_eq!(report.rows_read(), stored_report.rows_read());
        assert_eq!(report.warnings, stored_report.warnings);
        let orders = data.path().join("orders.csv");
        assert_eq!(stored.read_file(&orders), validated.read_file(&orders));

        // One changed name in one file validates everything again.
        let reps = data.path().join("reps.csv");
        let text = std::fs::read_to_string(&reps).unwrap();
        let renamed = text.replacen("张伟", "张玮", 1);
        assert_ne!(renamed, text);
        std::fs::write(&reps, renamed).unwrap();
        let (_, _, third) = load_with_store(data.path(), &opts, store.path()).unwrap();
        let StoreUse::Stored { key: new_key } = third else {
            panic!("a changed input is validated again, got {third:?}");
        };
        assert_ne!(new_key, key);
        // The store keeps the newest entry only.
        let entries: Vec<_> = std::fs::read_dir(store.path()).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_damaged_entry_is_validated_again_with_a_warning() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let (_, _, first) = load_with_store(data.path(), &opts, store.path()).unwrap();
        let StoreUse::Stored { key } = first else {
            panic!("{first:?}");
        };
        std::fs::write(
            store.path().join(&key).join("orders.parquet"),
            b"not parquet",
        )
        .unwrap();
        let (dataset, report, second) = load_with_store(data.path(), &opts, store.path()).unwrap();
        assert_eq!(second, StoreUse::Stored { key });
        assert!(dataset.has("orders"));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("could not be read")),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn a_stored_file_damaged_yet_readable_is_never_served() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let (_, _, first) = load_with_store(data.path(), &opts, store.path()).unwrap();
        let StoreUse::Stored { key } = first else {
            panic!("{first:?}");
        };
        // One flipped bit inside the stored orders, rewritten in place (the
        // store itself never does that: the first load's dataset, which
        // scans that very file, would read the damage): the digest catches
        // it on the next load.
        let orders = store.path().join(&key).join("orders.parquet");
        let mut bytes = std::fs::read(&orders).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&orders, bytes).unwrap();
        let (dataset, report, second) = load_with_store(data.path(), &opts, store.path()).unwrap();
        assert_eq!(second, StoreUse::Stored { key });
        let orders = |d: &Dataset| d.frame("orders").unwrap().unwrap();
        let (validated, _) = load(data.path(), &opts).unwrap();
        assert!(orders(&dataset).equals_missing(&orders(&validated)));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.starts_with("validated store:") && w.contains("SHA-256")),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn a_damaged_record_of_row_counts_is_never_served() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let (_, report, first) = load_with_store(data.path(), &opts, store.path()).unwrap();
        let StoreUse::Stored { key } = first else {
            panic!("{first:?}");
        };
        let meta = store.path().join(&key).join(META);
        let text = std::fs::read_to_string(&meta).unwrap();
        let rows = report.counts["calendar"].rows;
        let damaged = text.replacen(
            &format!("\"rows\": {rows}"),
            &format!("\"rows\": {}", rows + 1),
            1,
        );
        assert_ne!(damaged, text);
        std::fs::write(&meta, damaged).unwrap();
        let (_, again, second) = load_with_store(data.path(), &opts, store.path()).unwrap();
        assert_eq!(second, StoreUse::Stored { key });
        assert_eq!(again.counts["calendar"].rows, rows);
        assert!(
            again.warnings.iter().any(|w| w.contains("digest")),
            "{:?}",
            again.warnings
        );
    }

    #[test]
    fn only_the_stores_own_entries_are_replaced_and_a_store_over_the_data_is_refused() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let store = tempfile::tempdir().unwrap();
        // A user's folders in the store folder stay.
        std::fs::create_dir_all(store.path().join("reports/q3")).unwrap();
        std::fs::write(store.path().join("reports/q3/a.xlsx"), "x").unwrap();
        let opts = LoadOptions::default();
        load_with_store(data.path(), &opts, store.path()).unwrap();
        assert!(store.path().join("reports/q3/a.xlsx").is_file());
        assert!(is_store_entry(&"ab".repeat(32)));
        assert!(is_store_entry(&format!(".tmp-{}-123", "0f".repeat(32))));
        assert!(!is_store_entry("reports"));
        // The data folder itself, or a folder holding it, is refused, however
        // it is spelled.
        let dotdot = data.path().join("..");
        for over in [data.path(), data.path().parent().unwrap(), dotdot.as_path()] {
            let err = load_with_store(data.path(), &opts, over).unwrap_err();
            assert!(
                err.to_string()
                    .contains("give the store a folder of its own"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_moved_data_folder_is_validated_again_and_reads_its_own_files() {
        let parent = tempfile::tempdir().unwrap();
        let (a, b) = (parent.path().join("a"), parent.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        copy_sample(&a);
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        load_with_store(&a, &opts, store.path()).unwrap();
        std::fs::rename(&a, &b).unwrap();
        let (dataset, _, used) = load_with_store(&b, &opts, store.path()).unwrap();
        assert!(matches!(used, StoreUse::Stored { .. }), "{used:?}");
        let (dataset2, _, used) = load_with_store(&b, &opts, store.path()).unwrap();
        assert!(matches!(used, StoreUse::Hit { .. }), "{used:?}");
        let orders = b.join("orders.csv");
        assert_eq!(dataset2.sources()["orders"].path, orders);
        assert_eq!(dataset2.read_file(&orders), dataset.read_file(&orders));
    }

    #[test]
    fn a_load_with_quarantined_rows_is_not_stored() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let visits = data.path().join("visits.csv");
        let text = std::fs::read_to_string(&visits).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        // A visit of a rep that does not exist: quarantined, not stored.
        let fields: Vec<&str> = lines[1].split(',').collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let rep = header.iter().position(|h| *h == "rep_id").unwrap();
        let mut bad: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        bad[rep] = "R_NOBODY".into();
        bad[0] = format!("{}X", bad[0]);
        lines.push(bad.join(","));
        std::fs::write(&visits, lines.join("\n") + "\n").unwrap();
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions {
            max_reject_share: Some(0.5),
        };
        let (dataset, report, outcome) = load_with_store(data.path(), &opts, store.path()).unwrap();
        assert!(report.rejects.values().any(|r| r.height() == 1));
        assert_eq!(outcome, StoreUse::NotClean);
        assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0);
        // The staging folder is gone; the dataset still reads the files it
        // scans (kept open), and holds the good rows only.
        let good = report.counts["visits"].rows - report.counts["visits"].bad_rows;
        let visits = dataset.frame("visits").unwrap().unwrap();
        assert_eq!(visits.height(), good);
        let (in_memory, _) = load(data.path(), &opts).unwrap();
        assert!(visits.equals_missing(&in_memory.frame("visits").unwrap().unwrap()));

        // Strict, the same rows fail the load: nothing is left behind either.
        let strict = load_with_store(data.path(), &LoadOptions::default(), store.path());
        assert!(strict.is_err());
        assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_load_on_disk_scans_its_tables_and_equals_a_load_in_memory() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let opts = LoadOptions::default();
        let (on_disk, report) = load_on_disk(data.path(), &opts).unwrap();
        let (in_memory, memory_report) = load(data.path(), &opts).unwrap();
        assert_eq!(report.rows_read(), memory_report.rows_read());
        assert_same_tables(&in_memory, &on_disk);
        for table in TABLES {
            let stored = on_disk
                .tables
                .get(table.name)
                .is_none_or(|t| matches!(t, TypedTable::Stored(_)));
            assert!(stored, "{} is held in memory", table.name);
        }
    }

    #[test]
    fn a_store_that_cannot_be_written_leaves_the_load_in_memory() {
        let data = tempfile::tempdir().unwrap();
        copy_sample(data.path());
        let dir = tempfile::tempdir().unwrap();
        // A file where the store's folder should be.
        let store = dir.path().join("store");
        std::fs::write(&store, "not a folder").unwrap();
        let opts = LoadOptions::default();
        let (dataset, report, outcome) = load_with_store(data.path(), &opts, &store).unwrap();
        let StoreUse::NotStored { reason } = &outcome else {
            panic!("{outcome:?}");
        };
        assert!(reason.contains("could not be written"), "{reason}");
        assert!(outcome.warning().is_some());
        assert!(report.problems.is_empty());
        let (in_memory, _) = load(data.path(), &opts).unwrap();
        assert_same_tables(&in_memory, &dataset);
    }

    /// Every table of the contract present in both or neither, with the
    /// same rows and types.
    fn assert_same_tables(expected: &Dataset, got: &Dataset) {
        for table in TABLES {
            let (a, b) = (
                expected.frame(table.name).unwrap(),
                got.frame(table.name).unwrap(),
            );
            assert_eq!(a.is_some(), b.is_some(), "{}", table.name);
            if let (Some(a), Some(b)) = (a, b) {
                assert!(a.equals_missing(&b), "{}", table.name);
                assert_eq!(a.schema(), b.schema(), "{}", table.name);
            }
        }
    }
}
