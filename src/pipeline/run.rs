//! `salesops run CONFIG`: validate the inputs, compute the KPI tables and
//! commission inputs of each configured period, and publish them as one
//! folder `OUT/<as_of>/` with a manifest, then point `OUT/latest` at it.
//!
//! Safe to schedule: a lock keeps two runs off the same output root;
//! everything is written into a hidden staging folder that is renamed into
//! place only when the whole run succeeded, so a failed run leaves earlier
//! outputs untouched and no partial folder.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::{CsvWriter, SerWriter};

use super::config::{Config, PeriodRule};
use super::publish::{
    lock_output_root, publish, published_dates, remove_debris, test_hook, Staging,
};
use crate::commission::commission_for;
use crate::commission::plan::Plan;
use crate::ingest::{self, LoadOptions};

use super::delivery::{deliver, DeliveryConfig, RunFacts};
use crate::kpi::Engine;
use crate::period::Period;
use crate::progress::Progress;
use crate::report::ReportData;
use crate::{Error, Result};

/// The validated store's folder under the output dir when `[input] store`
/// is not set (beside `.runs`; a run's cleanup never touches it).
const STORE_DIR: &str = ".store";

use super::checks::{
    check_inputs, commission_quarantine_warning, quarantine_warnings, stale_data_warning,
};
use super::manifest::{export_files, input_records, sha256_file, sha256_hex};
pub(crate) use super::manifest::{Manifest, OutputRecord, PeriodRecord, StageRecord};
pub(crate) use super::publish::LATEST;

/// What a successful run leaves behind.
#[derive(Debug)]
pub(crate) struct RunSummary {
    /// The published run folder `OUT/<as_of>`.
    pub folder: PathBuf,
    /// Whether `latest` points at it (false for a backfill).
    pub latest_moved: bool,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Writes one output file of the run (atomically) and records its checksum.
fn write_output(
    staging: &Staging,
    relative: &str,
    bytes: &[u8],
    outputs: &mut Vec<OutputRecord>,
) -> Result<()> {
    staging.write(relative, bytes)?;
    outputs.push(OutputRecord {
        path: relative.to_string(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(bytes),
    });
    Ok(())
}

/// Resolves a path from the config relative to the config file's folder.
fn relative_to(config_path: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        config_path.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// A path as messages and the manifest show it: absolute, without `.` or
/// `..` steps (resolved through the file system where it exists).
pub(crate) fn normalised(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Everything a run needs, read and checked before the lock is taken.
struct Prepared {
    config: Config,
    config_path: PathBuf,
    config_bytes: Vec<u8>,
    data_dir: PathBuf,
    root: PathBuf,
    plan: Option<(PathBuf, Plan)>,
    profile: Option<(PathBuf, ingest::Profile)>,
    periods: Vec<(PeriodRule, Period)>,
}

/// Reads the config, the plan and the profile it names, and the periods of
/// `as_of`; paths resolved against the config's folder and normalised.
fn prepare(config_path: &Path, as_of: NaiveDate) -> Result<Prepared> {
    let config_path = normalised(config_path);
    let config_bytes = std::fs::read(&config_path).map_err(|e| Error::io(&config_path, e))?;
    let config = Config::load(&config_path)?;
    let required = |value: Option<&PathBuf>, key: &str| {
        value
            .map(|d| normalised(&relative_to(&config_path, d)))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{}: {key} is required by `salesops run`",
                    config_path.display()
                ))
            })
    };
    let data_dir = required(config.input.data.as_ref(), "[input] data")?;
    let root = required(config.output.dir.as_ref(), "[output] dir")?;
    let plan = match &config.commission.plan {
        Some(p) => {
            let path = normalised(&relative_to(&config_path, p));
            let plan = Plan::load(&path)?;
            Some((path, plan))
        }
        None => None,
    };
    let profile = match &config.input.profile {
        Some(p) => {
            let path = normalised(&relative_to(&config_path, p));
            let profile = ingest::Profile::load(&path)?;
            Some((path, profile))
        }
        None => None,
    };
    let periods = config
        .periods
        .rules
        .iter()
        .map(|r| Ok((*r, r.period(as_of))))
        .collect::<Result<_>>()?;
    Ok(Prepared {
        config,
        config_path,
        config_bytes,
        data_dir,
        root,
        plan,
        profile,
        periods,
    })
}

/// Runs the pipeline of `config_path` for `as_of`.
pub(crate) fn run(config_path: &Path, as_of: NaiveDate) -> Result<RunSummary> {
    let started_at = chrono::Utc::now();
    let Prepared {
        config,
        config_path,
        config_bytes,
        data_dir,
        root,
        plan,
        profile,
        periods,
    } = prepare(config_path, as_of)?;

    let _lock = lock_output_root(&root, as_of)?;
    let mut warnings = Vec::new();
    let debris = remove_debris(&root)?;
    if !debris.is_empty() {
        warnings.push(format!(
            "removed what interrupted runs left in {}: {}",
            root.display(),
            debris.join(", ")
        ));
    }
    let mut stages = Vec::new();
    let mut outputs = Vec::new();

    let progress = Progress::on_stderr();
    // Named before it is known whether the store will serve the inputs;
    // the manifest's stage says which it was.
    let started = progress.stage("load inputs", 0);
    let max_share = config.quality.max_reject_share;
    let opts = LoadOptions {
        max_reject_share: (max_share > 0.0).then_some(max_share),
    };
    let store_dir = match &config.input.store {
        Some(dir) => normalised(&relative_to(&config_path, dir)),
        None => root.join(STORE_DIR),
    };
    let loaded = match &profile {
        Some((_, profile)) => {
            ingest::load_with_profile(profile, &data_dir, &opts).map(|(d, r)| (d, r, None))
        }
        None if config.input.reuse_validated => {
            ingest::refuse_store_over(&store_dir, &root, "the output folder")?;
            // Inside the output folder only `.store` is the store's own: a
            // run folder or `.runs` would publish or clean up its entries.
            let (store_real, root_real) = (ingest::resolved(&store_dir), ingest::resolved(&root));
            if store_real.starts_with(&root_real) && store_real != root_real.join(STORE_DIR) {
                return Err(Error::Usage(format!(
                    "[input] store {} is inside the output folder {}, where only {} may hold it; give the store a folder of its own",
                    store_dir.display(),
                    root.display(),
                    root.join(STORE_DIR).display()
                )));
            }
            ingest::load_with_store(&data_dir, &opts, &store_dir, crate::kpi::stored_facts())
                .map(|(d, r, u)| (d, r, Some(u)))
        }
        None => ingest::load_on_disk(&data_dir, &opts).map(|(d, r)| (d, r, None)),
    };
    let (data, report, store_use) = loaded.map_err(|e| match e {
        Error::Rejected { summary, report } => Error::Rejected {
            summary: format!(
                "data-quality gate failed:\n{}",
                summary.replace("--max-reject-share", "[quality] max_reject_share")
            ),
            report,
        },
        Error::Invalid(m) => Error::Gate(format!("data-quality gate failed:\n{m}")),
        other => other,
    })?;
    check_inputs(&config, &data)?;
    test_hook("validated")?;
    // A hit is named in the stage, so the manifest shows that validation
    // was skipped and what reading the store cost instead.
    let stage = match &store_use {
        Some(ingest::StoreUse::Hit { .. }) => "read validated store",
        _ => "validate",
    };
    stages.push(StageRecord {
        stage: stage.into(),
        seconds: started.finish(),
    });
    if let Some(used) = &store_use {
        if let Some(line) = used.hit_line(&store_dir) {
            progress.println(&line);
        }
        warnings.extend(used.warning());
    }
    warnings.extend(report.warnings.iter().cloned());
    warnings.extend(quarantine_warnings(
        &report,
        max_share,
        &root.join(as_of.to_string()),
    ));
    warnings.extend(stale_data_warning(&data, as_of)?);

    let mut staging = Staging::create(&root, as_of)?;
    for (table, rejects) in &report.rejects {
        let mut df = rejects.clone();
        let mut bytes = Vec::new();
        CsvWriter::new(&mut bytes)
            .include_header(true)
            .finish(&mut df)?;
        write_output(
            &staging,
            &format!("rejects/{table}_rejects.csv"),
            &bytes,
            &mut outputs,
        )?;
    }

    let mut period_records = Vec::new();
    let mut commission_files = Vec::new();
    // One engine for every period: the as_of facts are computed once and
    // each period's tables once, whoever asks (KPI files, reports of this
    // and the next period, trailing months, commission).
    let engine = Engine::new(&data, as_of, config.kpi.clone())?;
    for (rule, period) in &periods {
        let started = progress.stage(&format!("kpi {}", rule.name()), 0);
        let tables = engine.tables(period)?;
        for table in tables.iter() {
            for format in &config.output.kpi_formats {
                let path = format!("{}/kpi/{}.{}", rule.name(), table.name, format.extension());
                write_output(
                    &staging,
                    &path,
                    &crate::output::render_kpi_table(table, *format, config.output.kpi_excel_csv)?,
                    &mut outputs,
                )?;
            }
        }
        stages.push(StageRecord {
            stage: format!("kpi {}", rule.name()),
            seconds: started.finish(),
        });
        let report_formats = config.output.report_formats_of(*rule);
        if !config.output.report_languages.is_empty() && !report_formats.is_empty() {
            let rows = report.rows_read();
            // What the reports read beyond the period's tables (the previous
            // period, twelve trailing months, flags in Chinese, gaps) is
            // KPI work of its own: timed as a stage, so the manifest's
            // stage times add up to the run.
            let started = progress.stage(&format!("report data {}", rule.name()), 0);
            let report_data =
                ReportData::compute(&engine, period, &config.output.report_options())?;
            stages.push(StageRecord {
                stage: format!("report data {}", rule.name()),
                seconds: started.finish(),
            });
            let reports = crate::report::report_count(
                &report_data,
                &config.output.report_audiences,
                config.output.report_languages.len() * report_formats.len(),
            )?;
            let started = progress.stage(&format!("report {}", rule.name()), reports as u64);
            let files = crate::report::render_all(
                &report_data,
                &config.output.report_audiences,
                &config.output.report_languages,
                &report_formats,
                "report",
                &rows,
                &|| started.step(),
            )?;
            for (name, bytes) in files {
                let name = format!("{}/{name}", rule.name());
                write_output(&staging, &name, &bytes, &mut outputs)?;
            }
            stages.push(StageRecord {
                stage: format!("report {}", rule.name()),
                seconds: started.finish(),
            });
        }
        if let (Some((_, plan)), true) = (&plan, config.commission.periods.contains(rule)) {
            let started = progress.stage(&format!("commission {}", rule.name()), 0);
            let out = commission_for(&engine, period, plan, true)?;
            for format in &config.commission.formats {
                let excel = config.commission.excel_csv;
                let ext = format.extension();
                let table = format!("{}/commission.{ext}", rule.name());
                commission_files.push(table.clone());
                write_output(
                    &staging,
                    &table,
                    &out.table_bytes(*format, excel)?,
                    &mut outputs,
                )?;
                if let Some(detail) = out.detail_bytes(*format, excel)? {
                    let name = format!("{}/commission_detail.{ext}", rule.name());
                    commission_files.push(name.clone());
                    write_output(&staging, &name, &detail, &mut outputs)?;
                }
            }
            if let Some(w) = commission_quarantine_warning(&report, plan) {
                // Beside the commission files, so finance sees it with them.
                let name = format!("{}/commission_WARNINGS.txt", rule.name());
                write_output(&staging, &name, format!("{w}\n").as_bytes(), &mut outputs)?;
                warnings.push(format!("{} commission ({period}): {w}", rule.name()));
            }
            stages.push(StageRecord {
                stage: format!("commission {}", rule.name()),
                seconds: started.finish(),
            });
        }
        for w in engine.warnings(period) {
            let w = format!("{}: {w}", rule.name());
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        period_records.push(PeriodRecord {
            rule: rule.name().into(),
            period: period.to_string(),
            start: period.start,
            end: engine.period_end(period)?,
        });
    }
    test_hook("staged")?;
    let newest = published_dates(&root)?.into_iter().max();
    if let Some(newest) = newest.filter(|n| *n > as_of) {
        warnings.push(format!(
            "backfill: as_of {as_of} is earlier than the newest published run {newest}, so {} keeps pointing at {newest}",
            root.join(LATEST).display()
        ));
    }

    let manifest = Manifest {
        salesops_version: env!("CARGO_PKG_VERSION").into(),
        config: config_path.display().to_string(),
        config_sha256: sha256_hex(&config_bytes),
        plan_sha256: plan.as_ref().map(|(p, _)| sha256_file(p)).transpose()?,
        profile_sha256: profile.as_ref().map(|(p, _)| sha256_file(p)).transpose()?,
        as_of,
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        periods: period_records,
        inputs: input_records(&data, &report)?,
        export_files: export_files(&data, &data_dir)?,
        warnings: warnings
            .iter()
            .map(|w| crate::ingest::clip(w, crate::kpi::context::WARNING_LIMIT))
            .collect(),
        rejected_rows: report.counts.values().map(|c| c.bad_rows).sum(),
        reports: if config.output.report_languages.is_empty()
            || config.output.report_formats.is_empty()
        {
            "none configured ([output] report_languages or report_formats is empty)".into()
        } else {
            match &config.output.pdf_periods {
                None => "one per period, language and format".into(),
                Some(p) => format!(
                    "one per period, language and format; pdf only for {}",
                    p.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")
                ),
            }
        },
        stages,
        outputs,
        delivery: Vec::new(),
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    staging.write("manifest.json", &json)?;
    let published = publish(&mut staging, &root, as_of)?;
    let mut manifest = manifest;
    if let Some(delivery) = &config.delivery {
        deliver_published(
            delivery,
            &config,
            &config_path,
            &root,
            &published.folder,
            &data,
            commission_files,
            &mut manifest,
        );
    }
    Ok(RunSummary {
        folder: published.folder,
        latest_moved: published.latest_moved,
        manifest,
    })
}

/// Sends (or writes, as a dry run) the messages of `[delivery]` from the
/// published folder, then records them and any failure in its manifest,
/// rewritten atomically. Never fails: the run is published whatever
/// happens here, and a delivery problem is a warning.
#[allow(clippy::too_many_arguments)]
fn deliver_published(
    delivery: &DeliveryConfig,
    config: &Config,
    config_path: &Path,
    root: &Path,
    folder: &Path,
    data: &ingest::Dataset,
    commission_files: Vec<String>,
    manifest: &mut Manifest,
) {
    let reps = match data.frame("reps") {
        Ok(Some(reps)) => reps,
        Ok(None) => return,
        Err(e) => {
            // Printed with the run's other warnings by the caller.
            manifest.warnings.push(format!(
                "delivery: nothing sent, the reps table could not be read: {e}"
            ));
            return;
        }
    };
    let facts = RunFacts {
        folder,
        as_of: manifest.as_of,
        periods: manifest
            .periods
            .iter()
            .map(|p| (p.rule.clone(), p.period.clone()))
            .collect(),
        reps: &reps,
        audiences: &config.output.report_audiences,
        languages: &config.output.report_languages,
        commission_files,
    };
    let eml_root = delivery
        .eml_dir
        .as_ref()
        .map_or_else(|| root.join("outbox"), |d| relative_to(config_path, d))
        .join(manifest.as_of.to_string());
    // Printed with the run's other warnings by the caller.
    let (records, warnings) = deliver(delivery, &facts, &eml_root);
    manifest.warnings.extend(warnings);
    manifest.delivery = records;
    let path = folder.join("manifest.json");
    let written = serde_json::to_vec_pretty(&*manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))
        .and_then(|json| {
            crate::output::write_atomic(&path, |f| {
                std::io::Write::write_all(f, &json).map_err(|e| Error::io(&path, e))
            })
        });
    if let Err(e) = written {
        eprintln!("warning: delivery: the manifest could not record the messages: {e}");
    }
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
        let label = |r: PeriodRule| r.period(as_of).to_string();
        assert_eq!(label(PeriodRule::MonthToDate), "2026-01");
        assert_eq!(label(PeriodRule::PreviousMonth), "2025-12");
        assert_eq!(label(PeriodRule::QuarterToDate), "2026-Q1");
        assert_eq!(label(PeriodRule::PreviousQuarter), "2025-Q4");
        assert_eq!(label(PeriodRule::YearToDate), "2026");
        // 2026-01-15 is a Thursday of ISO week 3.
        assert_eq!(label(PeriodRule::WeekToDate), "2026-W03");
        assert_eq!(label(PeriodRule::PreviousWeek), "2026-W02");
        // 2027-01-01 (a Friday) lies in 2026's week 53.
        assert_eq!(
            PeriodRule::WeekToDate.period(day("2027-01-01")).to_string(),
            "2026-W53"
        );
    }
}
