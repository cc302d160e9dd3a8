//! Streaming table writers: one per output file, written to a temporary name
//! and renamed into place only when every table has been generated.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use polars::io::parquet::write::BatchedWriter;
use polars::prelude::*;

use super::GenFormat;
use crate::schema::{Kind, Table};
use crate::{Error, Result};

/// Rows buffered per Parquet row group.
const PARQUET_BATCH_ROWS: usize = 65_536;

/// One generated value. The variant must fit the column's [`Kind`]: text for
/// Id/Text, integer cents for Money, integer 1/10000 units for Price/Quantity.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum V {
    /// Empty optional value (CSV: empty field, Parquet: null).
    Null,
    /// Id or Text.
    Text(String),
    /// Date.
    Date(NaiveDate),
    /// Datetime (whole seconds).
    Dt(NaiveDateTime),
    /// Whole number.
    Int(i64),
    /// Ratio; always the exact quotient of two small integers so its shortest
    /// decimal form reads back to the same float.
    Ratio(f64),
    /// Boolean.
    Bool(bool),
    /// Money in integer cents.
    Cents(i64),
    /// Price or quantity in integer 1/10000 units.
    Units(i64),
}

impl V {
    /// Text value.
    pub(super) fn t(s: impl Into<String>) -> V {
        V::Text(s.into())
    }

    /// Text value or null.
    pub(super) fn opt_t(s: Option<impl Into<String>>) -> V {
        s.map_or(V::Null, |s| V::Text(s.into()))
    }

    /// Date value or null.
    pub(super) fn opt_date(d: Option<NaiveDate>) -> V {
        d.map_or(V::Null, V::Date)
    }

    fn fits(&self, kind: Kind) -> bool {
        matches!(
            (self, kind),
            (V::Null, _)
                | (V::Text(_), Kind::Id | Kind::Text | Kind::Period)
                | (V::Date(_), Kind::Date)
                | (V::Dt(_), Kind::Datetime)
                | (V::Int(_), Kind::Int)
                | (V::Ratio(_), Kind::Ratio)
                | (V::Bool(_), Kind::Bool)
                | (V::Cents(_), Kind::Money)
                | (V::Units(_), Kind::Price | Kind::Quantity)
        )
    }
}

/// Formats integer cents with exactly two decimals.
pub(super) fn fmt_cents(out: &mut String, cents: i64) {
    use std::fmt::Write as _;
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

/// Formats 1/10000 units with trailing zeros trimmed, keeping at least
/// `min_decimals` decimals (0 or 2).
pub(super) fn fmt_units(out: &mut String, units: i64, min_decimals: usize) {
    use std::fmt::Write as _;
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let frac = format!("{:04}", abs % 10_000);
    let mut keep = frac.trim_end_matches('0').len();
    keep = keep.max(min_decimals);
    if keep == 0 {
        let _ = write!(out, "{sign}{}", abs / 10_000);
    } else {
        let _ = write!(out, "{sign}{}.{}", abs / 10_000, &frac[..keep]);
    }
}

fn fmt_value(out: &mut String, v: &V, kind: Kind) {
    use std::fmt::Write as _;
    match v {
        V::Null => {}
        V::Text(s) => out.push_str(s),
        V::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        V::Dt(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
        }
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Ratio(f) => {
            let _ = write!(out, "{f}");
        }
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Cents(c) => fmt_cents(out, *c),
        V::Units(u) => fmt_units(out, *u, if kind == Kind::Price { 2 } else { 0 }),
    }
}

/// Typed column buffer of one Parquet batch.
enum ColBuf {
    Str(Vec<Option<String>>),
    Date(Vec<Option<i32>>),
    Dt(Vec<Option<i64>>),
    Int(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Dec(Vec<Option<i128>>, usize),
}

/// Parquet type of a contract column.
pub(super) fn parquet_dtype(kind: Kind) -> DataType {
    match kind {
        Kind::Id | Kind::Text | Kind::Period => DataType::String,
        Kind::Date => DataType::Date,
        Kind::Datetime => DataType::Datetime(TimeUnit::Milliseconds, None),
        Kind::Int => DataType::Int64,
        Kind::Ratio => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::Money => DataType::Decimal(18, 2),
        Kind::Price | Kind::Quantity => DataType::Decimal(18, 4),
    }
}

impl ColBuf {
    fn new(kind: Kind) -> ColBuf {
        match kind {
            Kind::Id | Kind::Text | Kind::Period => ColBuf::Str(Vec::new()),
            Kind::Date => ColBuf::Date(Vec::new()),
            Kind::Datetime => ColBuf::Dt(Vec::new()),
            Kind::Int => ColBuf::Int(Vec::new()),
            Kind::Ratio => ColBuf::F64(Vec::new()),
            Kind::Bool => ColBuf::Bool(Vec::new()),
            Kind::Money => ColBuf::Dec(Vec::new(), 2),
            Kind::Price | Kind::Quantity => ColBuf::Dec(Vec::new(), 4),
        }
    }

    fn push(&mut self, v: &V) {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        match (self, v) {
            (ColBuf::Str(b), V::Text(s)) => b.push(Some(s.clone())),
            (ColBuf::Str(b), _) => b.push(None),
            (ColBuf::Date(b), V::Date(d)) => b.push(Some((*d - epoch).num_days() as i32)),
            (ColBuf::Date(b), _) => b.push(None),
            (ColBuf::Dt(b), V::Dt(t)) => b.push(Some(t.and_utc().timestamp_millis())),
            (ColBuf::Dt(b), _) => b.push(None),
            (ColBuf::Int(b), V::Int(i)) => b.push(Some(*i)),
            (ColBuf::Int(b), _) => b.push(None),
            (ColBuf::F64(b), V::Ratio(f)) => b.push(Some(*f)),
            (ColBuf::F64(b), _) => b.push(None),
            (ColBuf::Bool(b), V::Bool(x)) => b.push(Some(*x)),
            (ColBuf::Bool(b), _) => b.push(None),
            (ColBuf::Dec(b, _), V::Cents(c) | V::Units(c)) => b.push(Some(i128::from(*c))),
            (ColBuf::Dec(b, _), _) => b.push(None),
        }
    }

    fn take_column(&mut self, name: &str) -> PolarsResult<Column> {
        let name = PlSmallStr::from_str(name);
        let series = match self {
            ColBuf::Str(b) => StringChunked::from_iter_options(name, b.drain(..)).into_series(),
            ColBuf::Date(b) => Int32Chunked::from_iter_options(name, b.drain(..))
                .into_date()
                .into_series(),
            ColBuf::Dt(b) => Int64Chunked::from_iter_options(name, b.drain(..))
                .into_datetime(TimeUnit::Milliseconds, None)
                .into_series(),
            ColBuf::Int(b) => Int64Chunked::from_iter_options(name, b.drain(..)).into_series(),
            ColBuf::F64(b) => Float64Chunked::from_iter_options(name, b.drain(..)).into_series(),
            ColBuf::Bool(b) => BooleanChunked::from_iter_options(name, b.drain(..)).into_series(),
            ColBuf::Dec(b, scale) => Int128Chunked::from_iter_options(name, b.drain(..))
                .into_decimal(18, *scale)?
                .into_series(),
        };
        Ok(series.into_column())
    }
}

enum Inner {
    Csv {
        writer: Box<csv::Writer<BufWriter<File>>>,
        fields: Vec<String>,
    },
    Parquet {
        writer: Box<BatchedWriter<SharedFile>>,
        file: SharedFile,
        cols: Vec<ColBuf>,
        pending: usize,
    },
}

impl Inner {
    fn open_csv(buf: BufWriter<File>, table: &Table, tmp: &Path) -> Result<Inner> {
        let mut writer = csv::WriterBuilder::new().from_writer(buf);
        writer
            .write_record(table.columns.iter().map(|c| c.name))
            .map_err(|e| csv_error(tmp, e))?;
        Ok(Inner::Csv {
            writer: Box::new(writer),
            fields: vec![String::new(); table.columns.len()],
        })
    }

    fn open_parquet(buf: BufWriter<File>, table: &Table) -> Result<Inner> {
        let fields = table
            .columns
            .iter()
            .map(|c| Field::new(PlSmallStr::from_str(c.name), parquet_dtype(c.kind)));
        let schema = Schema::from_iter(fields);
        let file = SharedFile(Arc::new(std::sync::Mutex::new(buf)));
        let writer = ParquetWriter::new(file.clone()).batched(&schema)?;
        Ok(Inner::Parquet {
            writer: Box::new(writer),
            file,
            cols: table.columns.iter().map(|c| ColBuf::new(c.kind)).collect(),
            pending: 0,
        })
    }
}

/// A buffered file shared with polars' writer so it can be flushed (and its
/// error seen) after the writer is done.
#[derive(Clone)]
struct SharedFile(Arc<std::sync::Mutex<BufWriter<File>>>);

impl std::io::Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lock()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.lock()?.flush()
    }
}

impl SharedFile {
    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, BufWriter<File>>> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("parquet output lock poisoned"))
    }
}

/// Writer of one table's file.
pub(super) struct Sink {
    table: &'static Table,
    tmp: PathBuf,
    dest: PathBuf,
    other: PathBuf,
    rows: u64,
    inner: Inner,
}

impl Sink {
    /// Opens `<dir>/.<table>.<ext>.partial` and writes the header (CSV).
    pub(super) fn open(dir: &Path, table: &'static Table, format: GenFormat) -> Result<Sink> {
        let (ext, other_ext) = match format {
            GenFormat::Csv => ("csv", "parquet"),
            GenFormat::Parquet => ("parquet", "csv"),
        };
        let dest = dir.join(format!("{}.{ext}", table.name));
        let other = dir.join(format!("{}.{other_ext}", table.name));
        let tmp = dir.join(format!(".{}.{ext}.partial", table.name));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let buf = BufWriter::with_capacity(1 << 20, file);
        let inner = match format {
            GenFormat::Csv => Inner::open_csv(buf, table, &tmp)?,
            GenFormat::Parquet => Inner::open_parquet(buf, table)?,
        };
        Ok(Sink {
            table,
            tmp,
            dest,
            other,
            rows: 0,
            inner,
        })
    }

    /// Appends one row, values in the table's canonical column order.
    pub(super) fn push(&mut self, row: &[V]) -> Result<()> {
        let columns = self.table.columns;
        debug_assert_eq!(row.len(), columns.len(), "{}: row width", self.table.name);
        for (v, c) in row.iter().zip(columns) {
            debug_assert!(v.fits(c.kind), "{}.{}: {v:?}", self.table.name, c.name);
            debug_assert!(
                !(c.required && *v == V::Null),
                "{}.{} is required",
                self.table.name,
                c.name
            );
        }
        self.rows += 1;
        match &mut self.inner {
            Inner::Csv { writer, fields } => {
                for ((v, c), f) in row.iter().zip(columns).zip(fields.iter_mut()) {
                    f.clear();
                    fmt_value(f, v, c.kind);
                }
                writer
                    .write_record(fields.iter())
                    .map_err(|e| csv_error(&self.tmp, e))?;
            }
            Inner::Parquet { cols, pending, .. } => {
                for (v, b) in row.iter().zip(cols.iter_mut()) {
                    b.push(v);
                }
                *pending += 1;
                if *pending >= PARQUET_BATCH_ROWS {
                    self.flush_batch()?;
                }
            }
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if let Inner::Parquet {
            writer,
            cols,
            pending,
            ..
        } = &mut self.inner
        {
            if *pending == 0 {
                return Ok(());
            }
            let columns = cols
                .iter_mut()
                .zip(self.table.columns)
                .map(|(b, c)| b.take_column(c.name))
                .collect::<PolarsResult<Vec<_>>>()?;
            let df = DataFrame::new(*pending, columns)?;
            writer.write_batch(&df)?;
            *pending = 0;
        }
        Ok(())
    }

    /// Writes what is buffered and closes the temporary file.
    pub(super) fn finish(mut self) -> Result<Finished> {
        self.flush_batch()?;
        let tmp = self.tmp.clone();
        match self.inner {
            Inner::Csv { writer, .. } => {
                let mut buf = writer
                    .into_inner()
                    .map_err(|e| Error::io(&tmp, std::io::Error::other(e.to_string())))?;
                buf.flush().map_err(|e| Error::io(&tmp, e))?;
            }
            Inner::Parquet {
                writer, mut file, ..
            } => {
                writer.finish()?;
                drop(writer);
                file.flush().map_err(|e| Error::io(&tmp, e))?;
            }
        }
        Ok(Finished {
            name: self.table.name,
            tmp: self.tmp,
            dest: self.dest,
            other: self.other,
            rows: self.rows,
        })
    }

    /// Temporary path (for cleanup on failure).
    pub(super) fn tmp_path(&self) -> &Path {
        &self.tmp
    }
}

/// A fully written temporary file waiting to be renamed into place.
pub(super) struct Finished {
    /// Table name.
    pub name: &'static str,
    /// Temporary path.
    pub tmp: PathBuf,
    /// Final path.
    pub dest: PathBuf,
    /// The same table in the other format, removed so the directory stays readable.
    pub other: PathBuf,
    /// Rows written.
    pub rows: u64,
}

impl Finished {
    /// Renames the file into place, removing a stale file of the other format.
    pub(super) fn commit(&self) -> Result<()> {
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
        if self.other.is_file() {
            std::fs::remove_file(&self.other).map_err(|e| Error::io(&self.other, e))?;
        }
        Ok(())
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::io(path, std::io::Error::other(format!("{other:?}"))),
    }
}
