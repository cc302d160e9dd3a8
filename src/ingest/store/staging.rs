//! An entry of the validated store while a load is validated: each table
//! is written to a temporary folder as soon as it is validated and scanned
//! from there, so a cold load holds one table's rows at a time, not the
//! whole dataset. A clean load is committed (its record written last, the
//! folder renamed to its key); any other load leaves nothing behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::*;

use super::{fact_file, is_store_entry, scan_of, Meta, StoredTable, META, STORE_FORMAT};
use crate::ingest::{TypedTable, Validated, ValidationReport};
use crate::{Error, Result};

/// The temporary folder of an entry being written.
pub(super) struct Staging {
    dir: PathBuf,
    /// Name and BLAKE3 checksum of each table written, in validation order.
    written: Vec<(&'static str, String)>,
    /// Name, BLAKE3 checksum and rows of each fact written ([`Self::keep_fact`]).
    facts: Vec<StoredTable>,
    /// Why the entry cannot be stored, once a write failed (the tables
    /// validated after it stay in memory).
    failed: Option<String>,
    committed: bool,
}

impl Staging {
    /// A new temporary folder `.tmp-<key>-<pid>` in `store`; `key` is the
    /// key the inputs had when hashed before reading (the entry's own key
    /// is made of the bytes validation read).
    pub(super) fn create(store: &Path, key: &str) -> Result<Staging> {
        std::fs::create_dir_all(store).map_err(|e| Error::io(store, e))?;
        let dir = store.join(format!(".tmp-{key}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            written: Vec::new(),
            facts: Vec::new(),
            failed: None,
            committed: false,
        })
    }

    /// Writes a validated table and returns a scan of the file written. A
    /// whole table that cannot be written stays in memory and the entry
    /// will not be stored (the run goes on without the store).
    ///
    /// Errors: a chunk failed to validate, or a table validated chunk by
    /// chunk could not be written (its earlier chunks are not in memory to
    /// fall back on); the error names the file and why.
    pub(super) fn keep(&mut self, name: &'static str, table: Validated<'_>) -> Result<TypedTable> {
        if self.failed.is_some() {
            return Ok(TypedTable::Frame(table.into_frame()?));
        }
        let path = self.dir.join(format!("{name}.parquet"));
        match table {
            Validated::Whole(frame) => Ok(
                match write_table(&path, frame.clone()).and_then(|(checksum, file)| {
                    let scan = scan_of(file, &path)?;
                    Ok((checksum, scan))
                }) {
                    Ok((checksum, scan)) => {
                        self.written.push((name, checksum));
                        TypedTable::Stored(Box::new(scan))
                    }
                    Err(e) => {
                        self.failed = Some(format!("{} could not be written: {e}", path.display()));
                        TypedTable::Frame(frame)
                    }
                },
            ),
            Validated::Chunks(chunks) => {
                let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
                let checksum = write_chunks(&file, chunks, &path)?;
                let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let scan = scan_of(file, &path)?;
                self.written.push((name, checksum));
                Ok(TypedTable::Stored(Box::new(scan)))
            }
        }
    }

    /// Writes `frame`, a fact of the tables kept (see
    /// [`super::load_with_store`]), to the entry as `fact-<name>.parquet`
    /// and returns a scan of the file written; `None` when it cannot be
    /// written (the entry is then stored without it, and runs work the
    /// fact out themselves).
    pub(super) fn keep_fact(&mut self, name: &str, frame: DataFrame) -> Option<LazyFrame> {
        // A table could not be written: the entry will not be stored.
        if self.failed.is_some() {
            return None;
        }
        let path = self.dir.join(fact_file(name));
        let rows = frame.height();
        let written = write_table(&path, frame).and_then(|(checksum, file)| {
            let scan = scan_of(file, &path)?;
            Ok((checksum, scan))
        });
        let Ok((checksum, scan)) = written else {
            // A half-written file would go into the entry unlisted.
            let _ = std::fs::remove_file(&path);
            return None;
        };
        self.facts.push(StoredTable {
            name: name.to_string(),
            blake3: checksum,
            rows,
        });
        Some(scan)
    }

    /// Writes the entry's record (row counts and warnings from `report`)
    /// and renames the folder to `store/<key>`; other entries go. Errors:
    /// why the entry could not be stored.
    pub(super) fn commit(
        mut self,
        store: &Path,
        key: &str,
        report: &ValidationReport,
    ) -> std::result::Result<(), String> {
        if let Some(reason) = self.failed.take() {
            return Err(reason);
        }
        let tables = self
            .written
            .iter()
            .map(|(name, checksum)| StoredTable {
                name: name.to_string(),
                blake3: checksum.clone(),
                rows: report.counts.get(name).map_or(0, |c| c.rows),
            })
            .collect();
        let mut meta = Meta {
            format: STORE_FORMAT.into(),
            tables,
            facts: std::mem::take(&mut self.facts),
            warnings: report.warnings.clone(),
            digest: String::new(),
        };
        let entry = store.join(key);
        let renamed = (|| -> Result<()> {
            meta.digest = meta.computed_digest()?;
            let json = serde_json::to_vec_pretty(&meta)
                .map_err(|e| Error::Internal(format!("store: {e}")))?;
            let path = self.dir.join(META);
            std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
            let _ = std::fs::remove_dir_all(&entry);
            std::fs::rename(&self.dir, &entry).map_err(|e| Error::io(&entry, e))
        })();
        if let Err(e) = renamed {
            return Err(format!("{} could not be written: {e}", store.display()));
        }
        self.committed = true;
        // One dataset is kept: older entries (and what a killed run left) go.
        if let Ok(entries) = std::fs::read_dir(store) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name != key
                    && is_store_entry(&name)
                    && e.path().is_dir()
                    && !is_running_load(&name)
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        Ok(())
    }
}

/// Whether `name` is the staging folder (`.tmp-<key>-<pid>`) of another
/// process still running (Linux: `/proc/<pid>` exists): a concurrent load
/// in progress, left alone; a dead run's folder goes.
fn is_running_load(name: &str) -> bool {
    name.strip_prefix(".tmp-")
        .and_then(|rest| rest.rsplit('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| {
            pid != std::process::id() && Path::new("/proc").join(pid.to_string()).is_dir()
        })
}

impl Drop for Staging {
    /// A load that failed or had problems leaves no folder behind; the
    /// dataset's scans keep reading their files, which stay open.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `frame` as Parquet to `path`, hashing the bytes as they are
/// written; returns their BLAKE3 checksum and the file opened for reading.
fn write_table(path: &Path, frame: DataFrame) -> Result<(String, File)> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let checksum = write_parquet(&file, frame).map_err(|e| Error::io(path, e))?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok((checksum, file))
}

/// A validated table kept without a store: written to an unnamed
/// temporary file of the system's temporary directory (`TMPDIR`), which
/// has no name to leave behind, even when the process is killed, and is
/// freed when the dataset closes it; then scanned. A whole table stays in
/// memory where no such file can be written.
///
/// Errors: a chunk failed to validate, or a table validated chunk by chunk
/// could not be written (naming `TMPDIR`).
pub(super) fn keep_in_temporary_file(table: Validated<'_>) -> Result<TypedTable> {
    let tmp = std::env::temp_dir();
    match table {
        Validated::Whole(frame) => {
            let scanned = tempfile::tempfile()
                .and_then(|file| write_parquet(&file, frame.clone()).map(|_| file))
                .map_err(|e| Error::io(&tmp, e))
                .and_then(|file| scan_of(file, &tmp));
            Ok(match scanned {
                Ok(scan) => TypedTable::Stored(Box::new(scan)),
                Err(_) => TypedTable::Frame(frame),
            })
        }
        Validated::Chunks(chunks) => {
            let file = tempfile::tempfile().map_err(|e| Error::io(&tmp, e))?;
            write_chunks(&file, chunks, &tmp)?;
            let file = file.try_clone().map_err(|e| Error::io(&tmp, e))?;
            Ok(TypedTable::Stored(Box::new(scan_of(file, &tmp)?)))
        }
    }
}

/// Writes validated chunks as they come into `file` as one LZ4 Parquet
/// file (a row group or more per chunk); returns the BLAKE3 checksum of the bytes
/// written. A chunk is encoded and written by a second thread while the
/// next one is validated (at most one waits between them, so memory holds
/// about two chunks). Errors: a chunk's own error, or a write error naming
/// `path`.
fn write_chunks(
    file: &File,
    chunks: Box<dyn Iterator<Item = Result<DataFrame>> + '_>,
    path: &Path,
) -> Result<String> {
    let (send, receive) = std::sync::mpsc::sync_channel::<DataFrame>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_received(file, receive));
        let mut failed = None;
        for chunk in chunks {
            match chunk {
                Ok(chunk) => {
                    if send.send(chunk).is_err() {
                        // The writer stopped: its error is the one to tell.
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread panicked")));
        match failed {
            Some(e) => Err(e),
            None => written.map_err(|e| Error::io(path, e)),
        }
    })
}

/// Writes every frame received into `file` as one LZ4 Parquet file until
/// the sender hangs up; returns the BLAKE3 checksum of the bytes written.
fn write_received(
    file: &File,
    frames: std::sync::mpsc::Receiver<DataFrame>,
) -> std::io::Result<String> {
    let mut out = HashingWriter {
        inner: BufWriter::new(file),
        hasher: blake3::Hasher::new(),
    };
    {
        let mut writer = None;
        // Rows of the chunks so far that did not fill a row group.
        let mut pending: Option<DataFrame> = None;
        for mut frame in frames {
            // A batch is written as row groups of aligned columns.
            frame.rechunk_mut();
            if writer.is_none() {
                writer = Some(
                    ParquetWriter::new(&mut out)
                        .with_compression(ParquetCompression::Lz4Raw)
                        .batched(frame.schema())
                        .map_err(std::io::Error::other)?,
                );
            }
            if let Some(w) = writer.as_mut() {
                pending = Some(write_full_row_groups(w, pending.take(), &frame)?);
            }
        }
        match writer {
            Some(mut w) => {
                if let Some(rest) = pending {
                    write_last_row_group(&mut w, rest)?;
                }
                w.finish().map_err(std::io::Error::other)?;
            }
            None => return Err(std::io::Error::other("a validated table without chunks")),
        }
    }
    out.flush()?;
    Ok(out.hasher.finalize().to_hex().to_string())
}

/// Writes `frame` as LZ4 Parquet into `file`; returns the BLAKE3 checksum of the
/// bytes written.
fn write_parquet(file: &File, mut frame: DataFrame) -> std::io::Result<String> {
    let mut out = HashingWriter {
        inner: BufWriter::new(file),
        hasher: blake3::Hasher::new(),
    };
    frame.rechunk_mut();
    let mut writer = ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Lz4Raw)
        .batched(frame.schema())
        .map_err(std::io::Error::other)?;
    let rest = write_full_row_groups(&mut writer, None, &frame)?;
    write_last_row_group(&mut writer, rest)?;
    writer.finish().map_err(std::io::Error::other)?;
    out.flush()?;
    Ok(out.hasher.finalize().to_hex().to_string())
}

/// Rows per row group of a stored table. Scans read whole row groups: the
/// order heads read the orders table a row group at a time
/// ([`crate::kpi::heads`] slices it by as many rows), streaming scans decode
/// a row group per thread at a time, and a date filter skips the row groups
/// whose dates all fall outside it (exports are mostly in date order). A
/// million rows to a group (a validated chunk) made every slice of the
/// heads decode a whole million-row group.
pub(crate) const STORE_ROW_GROUP_ROWS: usize = 1 << 18;

/// Writes the rows of `pending` (fewer than a row group's, left over from
/// the chunks before) and then of `frame` (one chunk) as full row groups of
/// [`STORE_ROW_GROUP_ROWS`] rows, so that every group but the file's last
/// is full whatever the chunks' lengths (polars writes a row group per
/// chunk of what it is given); returns the rows left over.
fn write_full_row_groups<W: std::io::Write>(
    writer: &mut BatchedWriter<W>,
    pending: Option<DataFrame>,
    frame: &DataFrame,
) -> std::io::Result<DataFrame> {
    let mut offset = 0;
    if let Some(mut group) = pending {
        offset = (STORE_ROW_GROUP_ROWS - group.height()).min(frame.height());
        group
            .vstack_mut(&frame.slice(0, offset))
            .map_err(std::io::Error::other)?;
        if group.height() < STORE_ROW_GROUP_ROWS {
            return Ok(group);
        }
        group.rechunk_mut();
        writer.write_batch(&group).map_err(std::io::Error::other)?;
    }
    while frame.height() - offset >= STORE_ROW_GROUP_ROWS {
        let group = frame.slice(offset as i64, STORE_ROW_GROUP_ROWS);
        writer.write_batch(&group).map_err(std::io::Error::other)?;
        offset += STORE_ROW_GROUP_ROWS;
    }
    Ok(frame.slice(offset as i64, frame.height() - offset))
}

/// Writes the rows left over by [`write_full_row_groups`] as the file's
/// last row group (none when there are none).
fn write_last_row_group<W: std::io::Write>(
    writer: &mut BatchedWriter<W>,
    mut rest: DataFrame,
) -> std::io::Result<()> {
    rest.rechunk_mut();
    writer.write_batch(&rest).map_err(std::io::Error::other)
}

/// A writer that hashes every byte it passes on.
struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row counts of the row groups of the Parquet file `file`.
    fn row_groups(file: &File) -> Vec<usize> {
        let mut reader = ParquetReader::new(file.try_clone().expect("clone"));
        let meta = reader.get_metadata().expect("metadata");
        meta.row_groups.iter().map(|g| g.num_rows()).collect()
    }

    #[test]
    fn stored_tables_are_cut_into_row_groups_of_the_heads_slice() {
        let rows = STORE_ROW_GROUP_ROWS + 5;
        let frame = df!("n" => (0..rows as i64).collect::<Vec<_>>()).expect("frame");
        // A whole table, and one validated in chunks (a first chunk of two).
        let whole = tempfile::tempfile().expect("temp");
        write_parquet(&whole, frame.clone()).expect("write");
        assert_eq!(row_groups(&whole), [STORE_ROW_GROUP_ROWS, 5]);
        let chunked = tempfile::tempfile().expect("temp");
        let chunks = vec![Ok(frame.slice(0, 2)), Ok(frame.slice(2, rows))];
        write_chunks(&chunked, Box::new(chunks.into_iter()), Path::new("t")).expect("write");
        assert_eq!(row_groups(&chunked), [STORE_ROW_GROUP_ROWS, 5]);
        // Chunks of odd lengths still give full groups.
        let odd = tempfile::tempfile().expect("temp");
        let cut = [0, 7, 100_000, 200_001, rows];
        let chunks: Vec<Result<DataFrame>> = cut
            .windows(2)
            .map(|w| Ok(frame.slice(w[0] as i64, w[1] - w[0])))
            .collect();
        write_chunks(&odd, Box::new(chunks.into_iter()), Path::new("t")).expect("write");
        assert_eq!(row_groups(&odd), [STORE_ROW_GROUP_ROWS, 5]);
        let back = ParquetReader::new(odd).finish().expect("read");
        assert!(back.equals(&frame));
        let back = ParquetReader::new(chunked).finish().expect("read");
        assert!(back.equals(&frame));
    }
}
