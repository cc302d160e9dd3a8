//! `salesops run CONFIG`: validate the inputs, compute the KPI tables and
//! commission inputs of each configured period, and publish them as one
//! folder `OUT/<as_of>/` with a manifest, then point `OUT/latest` at it.
//!
//! Safe to schedule: a lock keeps two runs off the same output root;
//! everything is written into a hidden staging folder that is renamed into
//! place only when the whole run succeeded, so a failed run leaves earlier
//! outputs untouched and no partial folder.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use polars::prelude::{CsvWriter, SerWriter};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::config::{Config, InputFormat, PeriodRule};
use crate::commission::commission_for;
use crate::commission::plan::Plan;
use crate::ingest::{self, FileFormat as InputFileFormat, LoadOptions, ValidationReport};
use crate::kpi::tables::compute_all;
use crate::kpi::KpiContext;
use crate::output::write_atomic;
use crate::period::Period;
use crate::report::ReportData;
use crate::{Error, Result};

/// Name of the lock file in the output root.
pub const LOCK_FILE: &str = ".salesops.lock";
/// Name of the pointer to the newest run in the output root.
pub const LATEST: &str = "latest";

/// One input table as the manifest records it.
#[derive(Debug, Serialize)]
pub struct InputRecord {
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
pub struct FileRecord {
    /// Path relative to the export folder.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// One computed period.
#[derive(Debug, Serialize)]
pub struct PeriodRecord {
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
pub struct StageRecord {
    /// Stage name.
    pub stage: String,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// One written output.
#[derive(Debug, Serialize)]
pub struct OutputRecord {
    /// Path relative to the run folder.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The manifest of a run (`manifest.json` in the run folder).
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// salesops version that produced the run.
    pub salesops_version: String,
    /// The config file as given.
    pub config: String,
    /// SHA-256 of the config file.
    pub config_sha256: String,
    /// SHA-256 of the commission plan file, when there is one.
    pub plan_sha256: Option<String>,
    /// SHA-256 of the mapping profile, when the input is a raw export.
    pub profile_sha256: Option<String>,
    /// Last day of data included.
    pub as_of: NaiveDate,
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
}

/// What a successful run leaves behind.
#[derive(Debug)]
pub struct RunSummary {
    /// The published run folder `OUT/<as_of>`.
    pub folder: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// The period a rule picks for `as_of`.
pub fn period_for(rule: PeriodRule, as_of: NaiveDate) -> Result<Period> {
    let (y, m) = (as_of.year(), as_of.month());
    let quarter = (m - 1) / 3 + 1;
    let label = match rule {
        PeriodRule::MonthToDate => format!("{y:04}-{m:02}"),
        PeriodRule::PreviousMonth => {
            return Ok(period_for(PeriodRule::MonthToDate, as_of)?.previous())
        }
        PeriodRule::QuarterToDate => format!("{y:04}-Q{quarter}"),
        PeriodRule::PreviousQuarter => {
            return Ok(period_for(PeriodRule::QuarterToDate, as_of)?.previous())
        }
        PeriodRule::YearToDate => format!("{y:04}"),
    };
    Period::parse(&label)
}

/// Holds the output root's lock for the life of the value.
struct RunLock {
    _file: File,
}

fn lock_output_root(root: &Path) -> Result<RunLock> {
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let path = root.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(Error::Locked(format!(
                "another salesops run ({}) is writing to {}; wait for it to finish (the lock is {})",
                holder.trim(),
                root.display(),
                path.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    file.set_len(0).map_err(|e| Error::io(&path, e))?;
    write!(file, "pid {}", std::process::id()).map_err(|e| Error::io(&path, e))?;
    Ok(RunLock { _file: file })
}

/// A staging folder that is removed unless it was published.
struct Staging {
    dir: PathBuf,
    published: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Staging {
    /// Writes one output file (atomically) and records its checksum.
    fn write(&self, relative: &str, bytes: &[u8], outputs: &mut Vec<OutputRecord>) -> Result<()> {
        let path = self.dir.join(relative);
        write_atomic(&path, |f| {
            f.write_all(bytes).map_err(|e| Error::io(&path, e))
        })?;
        outputs.push(OutputRecord {
            path: relative.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
        Ok(())
    }
}

/// Resolves a path from the config relative to the config file's folder.
fn relative_to(config_path: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        config_path.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// Fails the data-quality gate on a required table that is absent or an
/// input whose format differs from `[input] format`.
fn check_inputs(config: &Config, data: &ingest::Dataset) -> Result<()> {
    for t in &config.quality.required_tables {
        if !data.has(t) {
            return Err(Error::Invalid(format!(
                "data-quality gate: required table {t} is absent (see [quality] required_tables)"
            )));
        }
    }
    for (table, source) in data.sources() {
        let wrong = match (config.input.format, source.format) {
            (InputFormat::Csv, InputFileFormat::Parquet) => Some("csv"),
            (InputFormat::Parquet, InputFileFormat::Csv) => Some("parquet"),
            _ => None,
        };
        if let Some(expected) = wrong {
            return Err(Error::Invalid(format!(
                "data-quality gate: {table} was found as {} but [input] format = {expected}",
                source.path.display()
            )));
        }
    }
    Ok(())
}

fn input_records(data: &ingest::Dataset, report: &ValidationReport) -> Result<Vec<InputRecord>> {
    let mut out = Vec::new();
    for (table, source) in data.sources() {
        let meta = std::fs::metadata(&source.path).map_err(|e| Error::io(&source.path, e))?;
        let counts = report.counts.get(table).copied().unwrap_or_default();
        out.push(InputRecord {
            table: table.to_string(),
            file: source
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: meta.len(),
            rows: counts.rows,
            rejected_rows: counts.bad_rows,
            sha256: sha256_file(&source.path)?,
        });
    }
    Ok(out)
}

fn export_files(data: &ingest::Dataset, export: &Path) -> Result<Vec<FileRecord>> {
    data.files_read()
        .iter()
        .map(|path| {
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            Ok(FileRecord {
                file: path
                    .strip_prefix(export)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
                bytes: meta.len(),
                sha256: sha256_file(path)?,
            })
        })
        .collect()
}

/// Moves the staging folder to `OUT/<as_of>` (replacing an earlier run of
/// the same as_of only once the new one is complete) and points `latest` at it.
fn publish(staging: &mut Staging, root: &Path, as_of: NaiveDate) -> Result<PathBuf> {
    let name = as_of.to_string();
    let target = root.join(&name);
    crate::output::replace_dir(&staging.dir, &target)?;
    staging.published = true;
    let link_tmp = root.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&link_tmp);
    std::os::unix::fs::symlink(&name, &link_tmp).map_err(|e| Error::io(&link_tmp, e))?;
    let latest = root.join(LATEST);
    std::fs::rename(&link_tmp, &latest).map_err(|e| Error::io(&latest, e))?;
    Ok(target)
}

/// Runs the pipeline of `config_path` for `as_of`.
pub fn run(config_path: &Path, as_of: NaiveDate) -> Result<RunSummary> {
    let config_bytes = std::fs::read(config_path).map_err(|e| Error::io(config_path, e))?;
    let config = Config::load(config_path)?;
    let data_dir = config
        .input
        .data
        .as_ref()
        .map(|d| relative_to(config_path, d))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{}: [input] data is required by `salesops run`",
                config_path.display()
            ))
        })?;
    let root = config
        .output
        .dir
        .as_ref()
        .map(|d| relative_to(config_path, d))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{}: [output] dir is required by `salesops run`",
                config_path.display()
            ))
        })?;
    let plan_path = config
        .commission
        .plan
        .as_ref()
        .map(|p| relative_to(config_path, p));
    let plan = plan_path.as_deref().map(Plan::load).transpose()?;
    let profile_path = config
        .input
        .profile
        .as_ref()
        .map(|p| relative_to(config_path, p));
    let profile = profile_path
        .as_deref()
        .map(ingest::Profile::load)
        .transpose()?;
    let periods: Vec<(PeriodRule, Period)> = config
        .periods
        .rules
        .iter()
        .map(|r| Ok((*r, period_for(*r, as_of)?)))
        .collect::<Result<_>>()?;

    let _lock = lock_output_root(&root)?;
    let mut stages = Vec::new();
    let mut outputs = Vec::new();

    let started = Instant::now();
    let max_share = config.quality.max_reject_share;
    let opts = LoadOptions {
        max_reject_share: (max_share > 0.0).then_some(max_share),
    };
    let loaded = match &profile {
        Some(profile) => ingest::load_with_profile(profile, &data_dir, &opts),
        None => ingest::load(&data_dir, &opts),
    };
    let (data, report) = loaded.map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("data-quality gate failed:\n{m}")),
        other => other,
    })?;
    check_inputs(&config, &data)?;
    stages.push(StageRecord {
        stage: "validate".into(),
        seconds: started.elapsed().as_secs_f64(),
    });

    let mut staging = Staging {
        dir: root.join(format!(".staging-{as_of}-{}", std::process::id())),
        published: false,
    };
    let _ = std::fs::remove_dir_all(&staging.dir);
    std::fs::create_dir_all(&staging.dir).map_err(|e| Error::io(&staging.dir, e))?;
    for (table, rejects) in &report.rejects {
        let mut df = rejects.clone();
        let mut bytes = Vec::new();
        CsvWriter::new(&mut bytes)
            .include_header(true)
            .finish(&mut df)?;
        staging.write(
            &format!("rejects/{table}_rejects.csv"),
            &bytes,
            &mut outputs,
        )?;
    }

    let mut warnings = report.warnings.clone();
    let mut period_records = Vec::new();
    for (rule, period) in &periods {
        let started = Instant::now();
        let ctx = KpiContext::new(&data, period.clone(), as_of, config.kpi.clone())?;
        let tables = compute_all(&ctx)?;
        // The rep scorecard is the commission's basis; a frame clone shares its data.
        let rep_card = tables
            .iter()
            .find(|t| t.name == "scorecard")
            .map(|t| t.frame.clone())
            .ok_or_else(|| Error::Internal("the scorecard table was not computed".into()))?;
        for table in &tables {
            for format in &config.output.kpi_formats {
                let path = format!("{}/kpi/{}.{}", rule.name(), table.name, format.extension());
                staging.write(&path, &table.render(*format)?, &mut outputs)?;
            }
        }
        stages.push(StageRecord {
            stage: format!("kpi {}", rule.name()),
            seconds: started.elapsed().as_secs_f64(),
        });
        if !config.output.report_languages.is_empty() {
            let started = Instant::now();
            let rows = report.rows_read();
            let report_data = ReportData::from_tables(&ctx, tables)?;
            for lang in &config.output.report_languages {
                for format in &config.output.report_formats {
                    let bytes = crate::report::render(&ctx, &report_data, *lang, *format, &rows)?;
                    staging.write(
                        &format!(
                            "{}/report_{}.{}",
                            rule.name(),
                            lang.code(),
                            format.extension()
                        ),
                        &bytes,
                        &mut outputs,
                    )?;
                }
            }
            stages.push(StageRecord {
                stage: format!("report {}", rule.name()),
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        if let (Some(plan), true) = (&plan, config.commission.periods.contains(rule)) {
            let started = Instant::now();
            let out = commission_for(&ctx, plan, &rep_card, true)?;
            for format in &config.commission.formats {
                let excel = config.commission.excel_csv;
                let ext = format.extension();
                staging.write(
                    &format!("{}/commission.{ext}", rule.name()),
                    &out.table_bytes(*format, excel)?,
                    &mut outputs,
                )?;
                if let Some(detail) = out.detail_bytes(*format, excel)? {
                    staging.write(
                        &format!("{}/commission_detail.{ext}", rule.name()),
                        &detail,
                        &mut outputs,
                    )?;
                }
            }
            stages.push(StageRecord {
                stage: format!("commission {}", rule.name()),
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        for w in ctx.warnings() {
            let w = format!("{}: {w}", rule.name());
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        period_records.push(PeriodRecord {
            rule: rule.name().into(),
            period: period.to_string(),
            start: period.start,
            end: ctx.pe,
        });
    }

    let manifest = Manifest {
        salesops_version: env!("CARGO_PKG_VERSION").into(),
        config: config_path.display().to_string(),
        config_sha256: sha256_hex(&config_bytes),
        plan_sha256: plan_path.as_deref().map(sha256_file).transpose()?,
        profile_sha256: profile_path.as_deref().map(sha256_file).transpose()?,
        as_of,
        periods: period_records,
        inputs: input_records(&data, &report)?,
        export_files: export_files(&data, &data_dir)?,
        warnings,
        rejected_rows: report.counts.values().map(|c| c.bad_rows).sum(),
        reports: if config.output.report_languages.is_empty()
            || config.output.report_formats.is_empty()
        {
            "none configured ([output] report_languages or report_formats is empty)".into()
        } else {
            "one per period, language and format".into()
        },
        stages,
        outputs,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    let manifest_path = staging.dir.join("manifest.json");
    write_atomic(&manifest_path, |f| {
        f.write_all(&json).map_err(|e| Error::io(&manifest_path, e))
    })?;
    let folder = publish(&mut staging, &root, as_of)?;
    Ok(RunSummary { folder, manifest })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn period_rules_pick_periods_around_as_of() {
        let as_of = day("2026-01-15");
        let label = |r| period_for(r, as_of).unwrap().to_string();
        assert_eq!(label(PeriodRule::MonthToDate), "2026-01");
        assert_eq!(label(PeriodRule::PreviousMonth), "2025-12");
        assert_eq!(label(PeriodRule::QuarterToDate), "2026-Q1");
        assert_eq!(label(PeriodRule::PreviousQuarter), "2025-Q4");
        assert_eq!(label(PeriodRule::YearToDate), "2026");
    }
}
