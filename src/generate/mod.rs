//! `salesops generate`: deterministic, realistic CRM exports for every table of
//! the data contract ([`crate::schema::TABLES`]).
//!
//! One seeded ChaCha8 stream per concern (staff, customers, products, the day
//! by day simulation, targets) makes the output a pure function of
//! (seed, scale, end_date, format): the same options give byte-identical
//! files. Large tables are streamed while the simulation walks the calendar
//! one day at a time, so memory stays bounded by the number of customers,
//! not by the number of rows. Every file is written to a hidden temporary
//! name and renamed into place once all tables are complete.
//!
//! What the data carries (see `sample_data/README.md` for the per-column
//! description): reps that differ in visit rate and conversion, reps living
//! off old accounts, discounters, hires and leavers, late and partial payers,
//! overpayments and refunds, credit notes, cross-region shipments, cancelled
//! lines and returns, and the untidy details of real exports (4-decimal
//! prices, ids with leading zeros, text with commas, quotes and newlines,
//! empty optional values).

mod calendar;
mod names;
mod sink;
mod world;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::schema;
use crate::{Error, Result};
use sink::{Finished, Sink, V};

/// Output format of generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum GenFormat {
    /// `<table>.csv`: UTF-8, header row, RFC 4180 quoting.
    Csv,
    /// `<table>.parquet`: typed columns (decimals for money and prices).
    Parquet,
}

/// Options of `salesops generate`.
#[derive(Debug, Clone)]
pub(crate) struct GenerateOptions {
    /// Output directory (created if missing).
    pub out: PathBuf,
    /// Size factor: 1 ≈ 40 reps, 2,000 customers, 60k visits, 40k order lines.
    pub scale: f64,
    /// Random seed; the same seed gives byte-identical files.
    pub seed: u64,
    /// File format.
    pub format: GenFormat,
    /// Last day of generated history (18 months end here).
    pub end_date: chrono::NaiveDate,
    /// Add known cases of every integrity flag after the normal rows
    /// (`world::anomalies`).
    pub plant_anomalies: bool,
}

/// Row counts written per table.
#[derive(Debug, Clone)]
pub(crate) struct GenerateSummary {
    /// `(table, rows)` in [`crate::schema::TABLES`] order.
    pub rows: Vec<(&'static str, u64)>,
}

/// Largest accepted scale: 2,000 ≈ 80,000 reps, 4 million customers and
/// 120 million visits (scale 1,700 is the 10⁸ visits of `bench/scale.sh`).
pub(crate) const MAX_SCALE: f64 = 2000.0;

/// Generates one file per contract table into `opts.out`.
pub(crate) fn generate(opts: &GenerateOptions) -> Result<GenerateSummary> {
    check_options(opts)?;
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let mut out = Out::open(&opts.out, opts.format)?;
    let tmps: Vec<PathBuf> = out
        .sinks
        .iter()
        .map(|s| s.tmp_path().to_path_buf())
        .collect();
    let written = world::run(opts, &mut out).and_then(|()| out.finish());
    let finished = match written {
        Ok(f) => f,
        Err(e) => {
            for t in &tmps {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
    };
    for f in &finished {
        f.commit()?;
    }
    Ok(GenerateSummary {
        rows: finished.iter().map(|f| (f.name, f.rows)).collect(),
    })
}

fn check_options(opts: &GenerateOptions) -> Result<()> {
    if !(opts.scale.is_finite() && opts.scale > 0.0) {
        return Err(Error::Usage(format!(
            "--scale must be a positive number, got {}",
            opts.scale
        )));
    }
    if opts.scale > MAX_SCALE {
        return Err(Error::Usage(format!(
            "--scale must be at most {MAX_SCALE}, got {}",
            opts.scale
        )));
    }
    let year = opts.end_date.year();
    if !(1950..=9000).contains(&year) {
        return Err(Error::Usage(format!(
            "--end-date must be between 1950 and 9000, got {}",
            opts.end_date
        )));
    }
    Ok(())
}

/// Tables in [`schema::TABLES`] order; the discriminant indexes [`LAYOUT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Reps,
    Customers,
    Products,
    Visits,
    Orders,
    Invoices,
    Payments,
    Opportunities,
    Stages,
    Targets,
    Expenses,
    Calendar,
}

/// The column order the generator builds rows in. Checked against the schema
/// when the output is opened, so a contract change fails loudly instead of
/// shifting values into the wrong columns.
const LAYOUT: [(&str, &[&str]); 12] = [
    (
        "reps",
        &[
            "rep_id",
            "rep_name",
            "region",
            "team",
            "manager_id",
            "role",
            "hire_date",
            "leave_date",
            "email",
        ],
    ),
    (
        "customers",
        &[
            "customer_id",
            "customer_name",
            "region",
            "owner_rep_id",
            "segment",
            "created_date",
        ],
    ),
    (
        "products",
        &[
            "product_id",
            "product_name",
            "category",
            "list_price",
            "unit_cost",
        ],
    ),
    (
        "visits",
        &[
            "visit_id",
            "rep_id",
            "customer_id",
            "visit_start",
            "duration_minutes",
            "visit_type",
            "cost",
        ],
    ),
    (
        "orders",
        &[
            "order_id",
            "line_no",
            "order_date",
            "rep_id",
            "customer_id",
            "product_id",
            "quantity",
            "unit_price",
            "list_price",
            "unit_cost",
            "ship_region",
            "status",
            "line_amount",
        ],
    ),
    (
        "invoices",
        &[
            "invoice_id",
            "customer_id",
            "invoice_date",
            "due_date",
            "amount",
            "order_id",
            "rep_id",
        ],
    ),
    (
        "payments",
        &["payment_id", "invoice_id", "payment_date", "amount"],
    ),
    (
        "opportunities",
        &[
            "opportunity_id",
            "rep_id",
            "customer_id",
            "created_date",
            "stage",
            "amount",
            "close_date",
            "probability",
        ],
    ),
    (
        "opportunity_stages",
        &["opportunity_id", "stage", "entered_at"],
    ),
    (
        "targets",
        &[
            "period",
            "rep_id",
            "sales_target",
            "collection_target",
            "visit_target",
            "new_customer_target",
        ],
    ),
    (
        "expenses",
        &["expense_id", "rep_id", "expense_date", "category", "amount"],
    ),
    ("calendar", &["date", "is_workday"]),
];

/// Checks [`LAYOUT`] against the contract.
fn check_layout() -> Result<()> {
    let mismatch = |what: String| Error::Internal(format!("generator and schema disagree: {what}"));
    if schema::TABLES.len() != LAYOUT.len() {
        return Err(mismatch(format!(
            "schema has {} tables, generator knows {}",
            schema::TABLES.len(),
            LAYOUT.len()
        )));
    }
    for (name, cols) in LAYOUT {
        let table = schema::table(name).ok_or_else(|| mismatch(format!("no table {name}")))?;
        let have: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        if have != cols {
            return Err(mismatch(format!(
                "{name} columns {have:?}, generator writes {cols:?}"
            )));
        }
    }
    Ok(())
}

/// The open output files, one per table.
pub(crate) struct Out {
    sinks: Vec<Sink>,
}

impl Out {
    fn open(dir: &Path, format: GenFormat) -> Result<Out> {
        check_layout()?;
        let mut sinks: Vec<Sink> = Vec::with_capacity(LAYOUT.len());
        for (name, _) in LAYOUT {
            let table = schema::table(name).expect("checked by check_layout");
            match Sink::open(dir, table, format) {
                Ok(s) => sinks.push(s),
                Err(e) => {
                    for s in &sinks {
                        let _ = std::fs::remove_file(s.tmp_path());
                    }
                    return Err(e);
                }
            }
        }
        Ok(Out { sinks })
    }

    fn push(&mut self, t: T, row: &[V]) -> Result<()> {
        self.sinks[t as usize].push(row)
    }

    fn finish(self) -> Result<Vec<Finished>> {
        self.sinks.into_iter().map(Sink::finish).collect()
    }
}

/// First day of the month of `d`.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

#[cfg(test)]
mod tests;
