//! The run's manifest: what was read (inputs with their checksums and row
//! counts), what was computed (periods, stage times) and what was written
//! (every output with its checksum), so a published folder explains itself.

use std::path::Path;

use serde::Serialize;

use chrono::NaiveDate;

use crate::ingest::{self, ValidationReport};
use crate::{Error, Result};

/// One input table as the manifest records it.
#[derive(Debug, Serialize)]
pub(crate) struct InputRecord {
    /// Table name.
    pub table: String,
    /// File name in the data directory.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Data rows read.
    pub rows: usize,
    /// Rows quarantined as bad.
    pub rejected_rows: usize,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// One file of a raw export as the manifest records it.
#[derive(Debug, Serialize)]
pub(crate) struct FileRecord {
    /// Path relative to the export folder.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// One computed period.
#[derive(Debug, Serialize)]
pub(crate) struct PeriodRecord {
    /// The rule that chose it (also its output folder).
    pub rule: String,
    /// The period label.
    pub period: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day of data included (`PE`).
    pub end: NaiveDate,
}

/// Time spent in one stage.
#[derive(Debug, Serialize)]
pub(crate) struct StageRecord {
    /// Stage name.
    pub stage: String,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// One written output.
#[derive(Debug, Serialize)]
pub(crate) struct OutputRecord {
    /// Path relative to the run folder.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The manifest of a run (`manifest.json` in the run folder).
#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    /// salesops version that produced the run.
    pub salesops_version: String,
    /// The config file, as an absolute path.
    pub config: String,
    /// SHA-256 of the config file.
    pub config_sha256: String,
    /// SHA-256 of the commission plan file, when there is one.
    pub plan_sha256: Option<String>,
    /// SHA-256 of the mapping profile, when the input is a raw export.
    pub profile_sha256: Option<String>,
    /// Last day of data included.
    pub as_of: NaiveDate,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    /// When the run finished computing, just before publishing (UTC, RFC 3339).
    pub finished_at: String,
    /// Periods computed.
    pub periods: Vec<PeriodRecord>,
    /// Every input table read.
    pub inputs: Vec<InputRecord>,
    /// Every file of a raw export read through `[input] profile`
    /// (main files, files of a path pattern, lookup files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_files: Vec<FileRecord>,
    /// Warnings of validation and of the KPI jobs.
    pub warnings: Vec<String>,
    /// Rows quarantined, all tables together.
    pub rejected_rows: usize,
    /// Which reports the run produced (languages × formats), or why none.
    pub reports: String,
    /// Wall time per stage.
    pub stages: Vec<StageRecord>,
    /// Every file written, with its checksum (the manifest itself excluded).
    pub outputs: Vec<OutputRecord>,
    /// Messages of `[delivery]`, added after publishing (none without it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delivery: Vec<super::delivery::DeliveryRecord>,
}

pub(super) use crate::ingest::digest::sha256_hex;

pub(super) fn sha256_file(path: &Path) -> Result<String> {
    Ok(crate::ingest::digest::hash_file(path)?.sha256)
}

/// The manifest's record of each input table: size and SHA-256 of the bytes
/// the run read (not of the file as it is now).
pub(super) fn input_records(
    data: &ingest::Dataset,
    report: &ValidationReport,
) -> Result<Vec<InputRecord>> {
    let mut out = Vec::new();
    for (table, source) in data.sources() {
        let counts = report.counts.get(table).copied().unwrap_or_default();
        let read = data.read_file(&source.path).ok_or_else(|| {
            Error::Internal(format!(
                "{table}: no record of the bytes read from {}",
                source.path.display()
            ))
        })?;
        out.push(InputRecord {
            table: table.to_string(),
            file: source
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: read.bytes,
            rows: counts.rows,
            rejected_rows: counts.bad_rows,
            sha256: read.sha256.clone(),
        });
    }
    Ok(out)
}

/// The manifest's record of every file of a raw export read, as it was read.
pub(super) fn export_files(data: &ingest::Dataset, export: &Path) -> Result<Vec<FileRecord>> {
    data.files_read()
        .iter()
        .map(|path| {
            let read = data.read_file(path).ok_or_else(|| {
                Error::Internal(format!(
                    "no record of the bytes read from {}",
                    path.display()
                ))
            })?;
            Ok(FileRecord {
                file: path
                    .strip_prefix(export)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
                bytes: read.bytes,
                sha256: read.sha256.clone(),
            })
        })
        .collect()
}
