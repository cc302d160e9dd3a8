//! A Parquet table validated chunk by chunk, so validation holds one
//! chunk's rows at a time, never a whole big table (issue 19: 10⁸ visits
//! on one machine).
//!
//! The file is opened once: its SHA-256 is taken through the open handle,
//! and every read after (the keys, each chunk) goes through that same
//! handle, so the digest is of the bytes validated even if the file is
//! replaced (renamed over) meanwhile. A file rewritten in place while it
//! is read is refused: its size or modification time is checked again
//! after the last chunk. A duplicate key can span chunks, so the table's key
//! columns are read whole first (those columns only) and the rows that
//! repeat an earlier row's key are found there; every other check needs
//! only its own row (references are checked against the key columns of
//! tables validated before). Row numbers are the file's: a problem in the
//! third chunk names its row in the file, as a whole-table validation does.
//!
//! CSV files and exports are still read whole: their structure (quoting,
//! ragged records, footers) is found by a scan of the whole text.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use super::digest::{hash_open_file, ReadFile};
use super::validate::{
    duplicate_rows, order_problems, plan_table, reference_rows, trim_header, validate_rows,
    Duplicates, TablePlan,
};
#[cfg(test)]
use super::ProblemKind;
use super::{Dataset, ValidationReport, ROW};
use crate::schema::Table;
use crate::{Error, Result};

/// Rows validated at a time: about 100–300 MB of a wide table, raw and
/// typed, and few enough chunks that each one's fixed cost is noise.
pub(crate) const CHUNK_ROWS: usize = 1_000_000;

/// An input Parquet file, open, hashed, and read chunk by chunk.
pub(crate) struct ParquetInput {
    file: File,
    path: PathBuf,
    rows: usize,
    schema: Schema,
    /// Size and modification time when hashed.
    stamp: Option<(u64, std::time::SystemTime)>,
}

impl ParquetInput {
    /// Opens `path`, hashes its bytes through the open handle and reads its
    /// schema (names trimmed, as validation reads them) and row count.
    ///
    /// Errors: a folder or an unreadable file (naming the path), or a file
    /// that is not Parquet ("cannot be read" and why).
    pub(crate) fn open(path: &Path) -> Result<(ParquetInput, ReadFile)> {
        if path.is_dir() {
            return Err(Error::Usage(format!(
                "{}: is a folder, not a file; an input table must be a file (move or rename the folder)",
                path.display()
            )));
        }
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let stamp = stamp_of(&file);
        let (bytes, sha256) = hash_open_file(&mut file).map_err(|e| Error::io(path, e))?;
        let mut input = ParquetInput {
            file,
            path: path.to_path_buf(),
            rows: 0,
            schema: Schema::default(),
            stamp,
        };
        let counted = input
            .scan()?
            .select([len().alias("n")])
            .collect()
            .map_err(|e| input.cannot(e))?;
        input.rows = counted
            .column("n")
            .ok()
            .and_then(|c| c.get(0).ok())
            .and_then(|v| v.extract::<usize>())
            .unwrap_or(0);
        let names = input
            .scan()?
            .collect_schema()
            .map_err(|e| input.cannot(e))?;
        input.schema = names
            .iter()
            .map(|(name, dtype)| (name.trim().into(), dtype.clone()))
            .collect();
        let read = ReadFile {
            path: path.to_path_buf(),
            bytes,
            sha256,
        };
        Ok((input, read))
    }

    /// Data rows in the file.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    fn cannot(&self, e: PolarsError) -> Error {
        Error::Invalid(format!("{}: cannot be read: {e}", self.path.display()))
    }

    /// `e`, naming the file when it is the query engine's.
    fn in_file(&self, e: Error) -> Error {
        match e {
            Error::Polars(e) => self.cannot(e),
            other => other,
        }
    }

    /// An error when the open file's size or modification time is not what
    /// it was when hashed: it was rewritten in place while being read.
    fn unchanged(&self) -> Result<()> {
        if stamp_of(&self.file) == self.stamp {
            return Ok(());
        }
        Err(Error::Invalid(format!(
            "{}: changed while it was being read (written to in place); run again once the export is complete",
            self.path.display()
        )))
    }

    /// A scan of the open file.
    fn scan(&self) -> Result<LazyFrame> {
        let file = self
            .file
            .try_clone()
            .map_err(|e| Error::io(&self.path, e))?;
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..ScanArgsParquet::default()
        };
        LazyFrame::scan_parquet_sources(ScanSources::Files(Arc::from(vec![file])), args)
            .map_err(|e| self.cannot(e))
    }

    /// Column `name` (matched on its trimmed name) of every row with its
    /// 1-based [`ROW`] number, as a lazy scan: read as a plan consumes it,
    /// never held whole (at 10⁸ visits one id column is gigabytes).
    ///
    /// Errors: the file has no such column, or cannot be scanned.
    fn scan_column(&self, name: &str) -> Result<LazyFrame> {
        let mut scan = self.scan()?;
        let stored = scan
            .collect_schema()
            .map_err(|e| self.cannot(e))?
            .iter_names()
            .find(|n| n.trim() == name)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("{}: no column {name}", self.path.display())))?;
        Ok(scan
            .with_row_index(ROW, Some(1))
            .select([col(ROW), col(stored).alias(name)]))
    }

    /// Every row, with its [`ROW`] number (a table read whole).
    pub(crate) fn read_all(&self) -> Result<DataFrame> {
        self.read(0, self.rows, None)
    }

    /// Rows `[offset, offset + len)` with their 1-based [`ROW`] numbers,
    /// names trimmed; `columns` only when given.
    fn read(&self, offset: usize, len: usize, columns: Option<&[&str]>) -> Result<DataFrame> {
        let mut scan = self.scan()?;
        if let Some(columns) = columns {
            // The file's own names: validation trims them, the scan does not.
            let stored: Vec<Expr> = scan
                .collect_schema()
                .map_err(|e| self.cannot(e))?
                .iter_names()
                .filter(|n| columns.contains(&n.trim()))
                .map(|n| col(n.clone()))
                .collect();
            scan = scan.select(stored);
        }
        let first_row = IdxSize::try_from(offset + 1)
            .map_err(|_| Error::Invalid(format!("{}: too many rows", self.path.display())))?;
        let df = scan
            .slice(offset as i64, len as IdxSize)
            .with_row_index(ROW, Some(first_row))
            .collect()
            .map_err(|e| self.cannot(e))?;
        trim_header(df).map_err(|e| self.in_file(e))
    }
}

/// Size and modification time of an open file (`None` where unknown).
fn stamp_of(file: &File) -> Option<(u64, std::time::SystemTime)> {
    let meta = file.metadata().ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Validates `input` as `table` chunk by chunk: its plan (checks, and the
/// rows repeating an earlier key, found over the key columns read whole),
/// then the chunks, validated as they are pulled, each adding its counts,
/// problems and rejects to `report`. `None` when the table cannot be used
/// (a required column missing: the report says so).
pub(crate) fn validate_chunked<'a>(
    table: &'static Table,
    input: ParquetInput,
    accepted: &Dataset,
    report: &'a mut ValidationReport,
    chunk_rows: usize,
) -> Result<Option<ValidatedChunks<'a>>> {
    let keys_present = table.key.iter().all(|k| input.schema.contains(k));
    let duplicates = if keys_present {
        let keys = input.read(0, input.rows, Some(table.key))?;
        Duplicates::Rows(duplicate_rows(table, keys).map_err(|e| input.in_file(e))?)
    } else {
        // A key column missing: the plan refuses the table.
        Duplicates::InFrame
    };
    let schema = input.schema.clone();
    let references = reference_rows(table, &schema, accepted, report, |column| {
        input.scan_column(column)
    })
    .map_err(|e| input.in_file(e))?;
    let Some(plan) = plan_table(table, &schema, report, duplicates, &references)? else {
        return Ok(None);
    };
    Ok(Some(ValidatedChunks {
        input,
        plan,
        report,
        next: 0,
        chunk_rows: chunk_rows.max(1),
        done: false,
    }))
}

/// The good rows of a table validated chunk by chunk, typed, one chunk per
/// item, in file order; an empty table gives one empty chunk (so a writer
/// learns its columns). An error ends the iteration.
pub(crate) struct ValidatedChunks<'a> {
    input: ParquetInput,
    plan: TablePlan,
    report: &'a mut ValidationReport,
    next: usize,
    chunk_rows: usize,
    done: bool,
}

impl Iterator for ValidatedChunks<'_> {
    type Item = Result<DataFrame>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let len = self.chunk_rows.min(self.input.rows - self.next);
        let mut validated = self
            .input
            .read(self.next, len, None)
            .and_then(|raw| validate_rows(&self.plan, raw, self.report))
            .map_err(|e| self.input.in_file(e));
        self.next += len;
        if self.next >= self.input.rows && validated.is_ok() {
            if let Err(e) = self.input.unchanged() {
                validated = Err(e);
            }
        }
        self.done = self.next >= self.input.rows || validated.is_err();
        if self.done {
            order_problems(&self.plan, self.report);
        }
        Some(validated)
    }
}

/// Every chunk's rows in one frame (for a table kept in memory).
pub(crate) fn concat_chunks(chunks: impl Iterator<Item = Result<DataFrame>>) -> Result<DataFrame> {
    let mut all: Option<DataFrame> = None;
    for chunk in chunks {
        let chunk = chunk?;
        match all.as_mut() {
            Some(df) => {
                df.vstack_mut(&chunk)?;
            }
            None => all = Some(chunk),
        }
    }
    let mut df = all.ok_or_else(|| Error::Internal("a validated table without chunks".into()))?;
    df.rechunk_mut();
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::contract;
    use crate::ingest::validate::validate_table;

    /// `raw` written as a Parquet file and validated as `table` in chunks
    /// of `chunk_rows`, and validated whole as a frame: both results.
    fn both_ways(
        table: &str,
        raw: DataFrame,
        accepted: &Dataset,
        chunk_rows: usize,
    ) -> [(Option<DataFrame>, ValidationReport); 2] {
        both_ways_after(table, raw, accepted, chunk_rows, ValidationReport::default)
    }

    /// [`both_ways`], each validation starting from the report `before`
    /// gives (the earlier tables' rejected rows).
    fn both_ways_after(
        table: &str,
        mut raw: DataFrame,
        accepted: &Dataset,
        chunk_rows: usize,
        before: impl Fn() -> ValidationReport,
    ) -> [(Option<DataFrame>, ValidationReport); 2] {
        let table = contract(table);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{}.parquet", table.name));
        ParquetWriter::new(File::create(&path).unwrap())
            .with_row_group_size(Some(3))
            .finish(&mut raw)
            .unwrap();
        let (input, read) = ParquetInput::open(&path).unwrap();
        assert_eq!(read.bytes, std::fs::metadata(&path).unwrap().len());
        let mut chunked_report = before();
        let chunked = validate_chunked(table, input, accepted, &mut chunked_report, chunk_rows)
            .unwrap()
            .map(|chunks| concat_chunks(chunks).unwrap());
        let mut whole_report = before();
        let whole = validate_table(
            table,
            raw.with_row_index(ROW.into(), Some(1)).unwrap(),
            accepted,
            &mut whole_report,
        )
        .unwrap();
        [(chunked, chunked_report), (whole, whole_report)]
    }

    fn assert_same(
        got: &(Option<DataFrame>, ValidationReport),
        want: &(Option<DataFrame>, ValidationReport),
    ) {
        match (&got.0, &want.0) {
            (Some(a), Some(b)) => assert!(a.equals_missing(b), "{a}\n{b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some()),
        }
        let (a, b) = (&got.1, &want.1);
        assert_eq!(format!("{:?}", a.problems), format!("{:?}", b.problems));
        assert_eq!(a.problem_counts, b.problem_counts);
        assert_eq!(format!("{:?}", a.counts), format!("{:?}", b.counts));
        assert_eq!(a.fatal, b.fatal);
        assert_eq!(a.warnings, b.warnings);
        assert_eq!(a.rejects.len(), b.rejects.len());
        for (name, rejects) in &a.rejects {
            assert!(rejects.equals_missing(&b.rejects[name]), "{rejects}");
        }
        for (name, values) in &a.rejected_values {
            assert!(values.equals_missing(&b.rejected_values[name]), "{values}");
        }
    }

    fn reps() -> Dataset {
        Dataset::from_frames(vec![("reps", df!("rep_id" => ["R1", "R2"]).unwrap())])
    }

    /// 30 customers over chunks of 4: C5 repeats in row 11 (another
    /// chunk), rows 6–30 name an unknown rep (25, more than the 20 examples
    /// kept of a kind), row 29 has an unparsable date, row 30 no name: 25
    /// bad rows, 5 good.
    #[test]
    fn chunks_give_the_whole_table_validation() {
        let n = 30;
        let ids: Vec<String> = (1..=n)
            .map(|i| format!("C{}", if i == 11 { 5 } else { i }))
            .collect();
        let names: Vec<Option<String>> = (1..=n)
            .map(|i| (i != 30).then(|| format!("Name {i}")))
            .collect();
        let owners: Vec<&str> = (1..=n).map(|i| if i <= 5 { "R1" } else { "R9" }).collect();
        let dates: Vec<&str> = (1..=n)
            .map(|i| if i == 29 { "2026-02-30" } else { "2026-01-15" })
            .collect();
        let raw = df!(
            "customer_id" => ids,
            "customer_name" => names,
            "region" => vec!["North"; n],
            "owner_rep_id" => owners,
            "created_date" => dates,
        )
        .unwrap();
        let [chunked, whole] = both_ways("customers", raw, &reps(), 4);
        assert_same(&chunked, &whole);
        let report = &chunked.1;
        assert_eq!(report.counts["customers"].rows, 30);
        assert_eq!(report.counts["customers"].bad_rows, 25);
        let dup: Vec<u64> = report
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::DuplicateKey)
            .map(|p| p.row)
            .collect();
        assert_eq!(dup, [11]);
        let unknown = report
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnknownReference)
            .count();
        assert_eq!(unknown, 20);
        assert_eq!(
            report.problem_counts[&(
                "customers",
                "owner_rep_id".to_string(),
                ProblemKind::UnknownReference
            )],
            25
        );
        assert_eq!(chunked.0.as_ref().unwrap().height(), 5);
    }

    /// A composite key (order_id, line_no) repeated across chunks, with
    /// line numbers typed from text ("01" is line 1), and a table whose
    /// rows fit one chunk.
    #[test]
    fn a_composite_key_repeats_across_chunks() {
        let raw = df!(
            "order_id" => ["O1", "O1", "O2", "O1", "O3"],
            "line_no" => ["1", "2", "1", "01", "1"],
            "order_date" => vec!["2026-10-01"; 5],
            "rep_id" => vec!["R1"; 5],
            "customer_id" => vec!["C1"; 5],
            "product_id" => vec!["P1"; 5],
            "quantity" => vec!["1"; 5],
            "unit_price" => vec!["2.50"; 5],
        )
        .unwrap();
        for chunk_rows in [2, 100] {
            let [chunked, whole] =
                both_ways("orders", raw.clone(), &Dataset::default(), chunk_rows);
            assert_same(&chunked, &whole);
            let rows: Vec<u64> = chunked.1.problems.iter().map(|p| p.row).collect();
            assert_eq!(rows, [4]);
        }
    }

    /// Sorted keys take the fast path; a key repeated on the next row
    /// (the last of one chunk, the first of the next) does not.
    #[test]
    fn sorted_keys_and_a_repeat_at_a_chunk_boundary() {
        let customers = |ids: &[&str]| {
            df!(
                "customer_id" => ids,
                "customer_name" => vec!["A"; ids.len()],
                "region" => vec!["North"; ids.len()],
            )
            .unwrap()
        };
        let sorted = customers(&["C01", "C02", "C03", "C04", "C05", "C06"]);
        let [chunked, whole] = both_ways("customers", sorted, &reps(), 3);
        assert_same(&chunked, &whole);
        assert!(chunked.1.problems.is_empty());
        let repeated = customers(&["C01", "C02", "C03", "C03", "C05", "C06"]);
        let [chunked, whole] = both_ways("customers", repeated, &reps(), 3);
        assert_same(&chunked, &whole);
        let rows: Vec<u64> = chunked.1.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [4]);
    }

    /// The reps row of R3 was rejected: C2 and C5 refer to it (rejected
    /// with it), C4 to no rep at all (unknown), over chunks of 2.
    #[test]
    fn references_to_rejected_rows_are_told_from_unknown_ones() {
        let raw = df!(
            "customer_id" => ["C1", "C2", "C3", "C4", "C5"],
            "customer_name" => vec!["A"; 5],
            "region" => vec!["North"; 5],
            "owner_rep_id" => [Some("R1"), Some("R3"), None, Some("R7"), Some(" R3 ")],
        )
        .unwrap();
        let before = || {
            let mut report = ValidationReport::default();
            report
                .rejected_values
                .insert("reps", df!("rep_id" => ["R3"]).unwrap());
            report
        };
        let [chunked, whole] = both_ways_after("customers", raw, &reps(), 2, before);
        assert_same(&chunked, &whole);
        let found: Vec<(u64, ProblemKind)> =
            chunked.1.problems.iter().map(|p| (p.row, p.kind)).collect();
        assert_eq!(
            found,
            [
                (4, ProblemKind::UnknownReference),
                (2, ProblemKind::RejectedReference),
                (5, ProblemKind::RejectedReference)
            ]
        );
    }

    /// A file written to while it is read (its modification time moves)
    /// is refused, naming it, not validated half old and half new.
    #[test]
    fn a_file_written_to_while_it_is_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("customers.parquet");
        let mut raw = df!("customer_id" => ["C1", "C2"], "customer_name" => ["A", "B"], "region" => ["N", "S"]).unwrap();
        ParquetWriter::new(File::create(&path).unwrap())
            .finish(&mut raw)
            .unwrap();
        let (input, _) = ParquetInput::open(&path).unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let mut report = ValidationReport::default();
        let chunks = validate_chunked(contract("customers"), input, &reps(), &mut report, 1)
            .unwrap()
            .unwrap();
        let err = concat_chunks(chunks).unwrap_err().to_string();
        assert!(err.contains("changed while it was being read"), "{err}");
        assert!(err.contains("customers.parquet"), "{err}");
    }

    #[test]
    fn an_empty_table_gives_one_empty_chunk_and_a_missing_column_refuses_it() {
        let empty = df!("customer_id" => Vec::<String>::new(), "customer_name" => Vec::<String>::new(), "region" => Vec::<String>::new()).unwrap();
        let [chunked, whole] = both_ways("customers", empty, &reps(), 4);
        assert_same(&chunked, &whole);
        assert_eq!(chunked.0.unwrap().height(), 0);
        let no_region = df!("customer_id" => ["C1"], "customer_name" => ["A"]).unwrap();
        let [chunked, whole] = both_ways("customers", no_region, &reps(), 4);
        assert_same(&chunked, &whole);
        assert!(chunked.0.is_none());
        assert!(
            chunked.1.fatal[0].contains("region"),
            "{:?}",
            chunked.1.fatal
        );
    }
}
