//! `salesops ingest`: a raw CRM export, read through a mapping profile, written
//! out as contract tables plus one rejects file.

use std::path::{Path, PathBuf};

use std::io::Write as _;

use clap::Args;
use polars::prelude::*;

use super::{load_options, print_warnings};
use crate::ingest::{self, canonical::contract_form, Profile, ValidationReport};
use crate::output::{created_parent, replace_dir, write_atomic, write_csv};
use crate::Error;

/// `salesops ingest`.
#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    /// Mapping profile (TOML), e.g. pipelines/profiles/maven_crm.toml.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Folder holding the raw export's files.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Output folder: `<table>.csv|parquet` for each mapped table and `rejects.csv`.
    /// Replaced as a whole only when the conversion succeeded.
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// Format of the table files.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFileFormat,
    /// Quarantine bad rows into rejects.csv instead of failing, as long as each
    /// table's share of bad rows stays at or below this fraction.
    #[arg(long, value_name = "SHARE")]
    pub max_reject_share: Option<f64>,
}

/// File format of converted tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TableFileFormat {
    /// CSV, UTF-8, contract text forms.
    Csv,
    /// Parquet with native types.
    Parquet,
}

/// Runs `salesops ingest`.
pub(crate) fn run_ingest(args: IngestArgs) -> anyhow::Result<()> {
    let opts = load_options(args.max_reject_share)?;
    let profile = Profile::load(&args.profile)?;
    let (data, report) = ingest::load_with_profile(&profile, &args.from, &opts)?;
    print_warnings(&report.warnings);
    if !report.rejects.is_empty() {
        eprint!("{}", report.render());
    }
    let staging = staging_dir(&args.to)?;
    let parquet = args.format == TableFileFormat::Parquet;
    let extension = if parquet { "parquet" } else { "csv" };
    let mut summary = Vec::new();
    for table in crate::schema::TABLES {
        let Some(df) = data.frame(table.name)? else {
            continue;
        };
        let mut out = contract_form(table, &df, parquet)?;
        let path = staging.path().join(format!("{}.{extension}", table.name));
        if parquet {
            write_atomic(&path, |f| {
                ParquetWriter::new(f).finish(&mut out)?;
                Ok(())
            })?;
        } else {
            write_csv(&out, &path)?;
        }
        let counts = report.counts.get(table.name).copied().unwrap_or_default();
        let skipped = report.skipped.get(table.name).map_or(0, |d| d.height());
        summary.push(format!(
            "{}: {} rows written, {} rejected, {} skipped by the profile",
            table.name,
            df.height(),
            counts.bad_rows,
            skipped
        ));
    }
    write_csv(
        &rejects_table(&report)?,
        &staging.path().join("rejects.csv"),
    )?;
    publish(staging, &args.to)?;
    for line in summary {
        writeln!(std::io::stdout(), "{line}")?;
    }
    writeln!(std::io::stdout(), "wrote {}", args.to.display())?;
    Ok(())
}

/// A private folder beside `to` where the conversion is written first.
fn staging_dir(to: &Path) -> anyhow::Result<tempfile::TempDir> {
    let parent = created_parent(to)?;
    Ok(tempfile::Builder::new()
        .prefix(".salesops-ingest-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?)
}

/// Makes the finished staging folder readable by all and puts it at `to`.
fn publish(staging: tempfile::TempDir, to: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(staging.path(), e))?;
    replace_dir(staging.path(), to)?;
    // Renamed away: nothing left for TempDir to remove.
    let _ = staging.keep();
    Ok(())
}

/// Every quarantined and skipped row in one long table: table, row, where it
/// came from, why, and its values as `column=value` pairs.
fn rejects_table(report: &ValidationReport) -> anyhow::Result<DataFrame> {
    let mut parts = Vec::new();
    for (kind, frames) in [("rejected", &report.rejects), ("skipped", &report.skipped)] {
        for (table, df) in frames.iter() {
            let origin = report.origins.get(table);
            let rows = df.column("row")?.cast(&DataType::UInt64)?;
            let sources: Vec<String> = rows
                .u64()?
                .iter()
                .map(|r| {
                    let r = r.unwrap_or(0);
                    origin.map_or_else(|| format!("{table} row {r}"), |o| o.place(r))
                })
                .collect();
            let pairs: Vec<Expr> = df
                .get_column_names()
                .iter()
                .filter(|n| !matches!(n.as_str(), "row" | "reason"))
                .map(|n| concat_str([lit(format!("{n}=")), col(n.as_str())], "", false))
                .collect();
            parts.push(
                df.clone()
                    .lazy()
                    .with_column(lit(Series::new("source".into(), sources)).alias("source"))
                    .select([
                        lit(*table).alias("table"),
                        col("row").cast(DataType::UInt64),
                        col("source"),
                        lit(kind).alias("kind"),
                        col("reason"),
                        concat_str(pairs, "; ", true).alias("values"),
                    ]),
            );
        }
    }
    if parts.is_empty() {
        let empty = |n: &str| Column::new(n.into(), Vec::<String>::new());
        return Ok(DataFrame::new_infer_height(vec![
            empty("table"),
            Column::new("row".into(), Vec::<u64>::new()),
            empty("source"),
            empty("kind"),
            empty("reason"),
            empty("values"),
        ])?);
    }
    Ok(concat(parts, UnionArgs::default())?.collect()?)
}
