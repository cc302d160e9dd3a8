//! The nightly run's data-quality gate and its warnings: required tables,
//! input formats, quarantined rows (and what they mean for commission), and
//! data that stops before as_of.

use std::path::Path;

use chrono::NaiveDate;

use super::config::{Config, InputFormat};
use crate::commission::plan::Plan;
use crate::ingest::{self, FileFormat as InputFileFormat, ValidationReport};
use crate::{Error, Result};

/// Fails the data-quality gate on a required table that is absent or an
/// input whose format differs from `[input] format`.
pub(super) fn check_inputs(config: &Config, data: &ingest::Dataset) -> Result<()> {
    for t in &config.quality.required_tables {
        if !data.has(t) {
            return Err(Error::Gate(format!(
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
            return Err(Error::Gate(format!(
                "data-quality gate: {table} was found as {} but [input] format = {expected}",
                source.path.display()
            )));
        }
    }
    Ok(())
}

/// Warnings for rows quarantined under `[quality] max_reject_share`: one per
/// table, with the count and where the rejects file is in the run folder.
pub(super) fn quarantine_warnings(
    report: &ValidationReport,
    limit: f64,
    folder: &Path,
) -> Vec<String> {
    report
        .rejects
        .iter()
        .map(|(table, df)| {
            format!(
                "{table}: {} row(s) quarantined under [quality] max_reject_share = {limit} and left out of every KPI; they are listed in {}",
                df.height(),
                folder.join(format!("rejects/{table}_rejects.csv")).display()
            )
        })
        .collect()
}

/// The warning a commission carries when rows its basis is computed from
/// were quarantined (payments and invoices for a collected basis, orders
/// for a sales or margin basis).
pub(super) fn commission_quarantine_warning(
    report: &ValidationReport,
    plan: &Plan,
) -> Option<String> {
    let sources: &[&str] = match plan.basis {
        crate::commission::plan::Basis::CollectedAmount => &["payments", "invoices"],
        _ => &["orders"],
    };
    let counts: Vec<String> = sources
        .iter()
        .filter_map(|t| {
            report
                .rejects
                .get(*t)
                .map(|df| format!("{} {t} row(s)", df.height()))
        })
        .collect();
    (!counts.is_empty()).then(|| {
        format!(
            "commission computed without {} that were quarantined: their amounts are in no rep's basis until the rows are fixed and the run repeated",
            counts.join(" and ")
        )
    })
}

/// The newest event date on or before as_of in the data (visits, orders,
/// invoices, payments, opportunities, stage history, expenses), if any.
pub(super) fn newest_event(data: &ingest::Dataset, as_of: NaiveDate) -> Result<Option<NaiveDate>> {
    use polars::prelude::*;

    use crate::kpi::{date_lit, up_to_day};
    const EVENTS: &[(&str, &str)] = &[
        ("visits", "visit_start"),
        ("orders", "order_date"),
        ("invoices", "invoice_date"),
        ("payments", "payment_date"),
        ("opportunities", "created_date"),
        ("opportunity_stages", "entered_at"),
        ("expenses", "expense_date"),
    ];
    let mut newest: Option<NaiveDate> = None;
    for (table, column) in EVENTS {
        let Some(lf) = data.lazy(table) else {
            continue;
        };
        // Compared as it is typed, so a stored table's scan skips the row
        // groups after as_of by their statistics.
        let value = col(*column);
        let on_or_before = match lf.clone().collect_schema()?.get(column) {
            Some(DataType::Datetime(..)) => up_to_day(value.clone(), as_of),
            _ => value.clone().lt_eq(date_lit(as_of)),
        };
        let max = lf
            .select([value
                .filter(on_or_before)
                .max()
                .cast(DataType::Date)
                .alias("m")])
            .collect()?;
        if let AnyValue::Date(d) = max.column("m")?.get(0)? {
            let date = crate::kpi::date_of_days(d);
            newest = newest.max(date);
        }
    }
    Ok(newest)
}

/// "data ends D, as_of A" when no event of any table is dated within 7 days
/// before as_of: the export was probably not refreshed.
pub(super) fn stale_data_warning(
    data: &ingest::Dataset,
    as_of: NaiveDate,
) -> Result<Option<String>> {
    Ok(match newest_event(data, as_of)? {
        Some(newest) if (as_of - newest).num_days() > 7 => Some(format!(
            "input looks stale: data ends {newest}, as_of {as_of} ({} days later); was the export refreshed?",
            (as_of - newest).num_days()
        )),
        _ => None,
    })
}
