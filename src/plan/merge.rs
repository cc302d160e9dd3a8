//! `salesops plan --merge`: the plan year's rows written into an existing
//! targets file, the other years' rows kept as written.

use std::path::Path;

use chrono::Datelike;

use crate::period::Period;
use crate::{Error, Result};

use super::explain::TARGET_COLUMNS;

/// Whether a targets `period` as written (`2027`, `2027-Q1`, `2027-03`)
/// lies in `year`; text that is not a period is not.
fn in_year(period: &str, year: i32) -> bool {
    Period::parse(period.trim()).is_ok_and(|p| p.start.year() <= year && year <= p.end.year())
}

/// A targets CSV as written: its header (byte order mark and blanks
/// trimmed) and its rows.
struct TargetsCsv {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl TargetsCsv {
    /// Reads `path`. Errors (invalid input, naming the file and row):
    /// unreadable CSV.
    fn read(path: &Path) -> Result<TargetsCsv> {
        let invalid = |m: String| Error::Invalid(format!("targets {}: {m}", path.display()));
        let mut reader = csv::ReaderBuilder::new()
            .from_path(path)
            .map_err(|e| invalid(e.to_string()))?;
        let header = reader
            .headers()
            .map_err(|e| invalid(e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let rows = reader
            .records()
            .enumerate()
            .map(|(i, r)| r.map_err(|e| invalid(format!("row {}: {e}", i + 1))))
            .collect::<Result<_>>()?;
        Ok(TargetsCsv { header, rows })
    }

    /// Index of `column` in the header.
    fn at(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }
}

/// The CSV text of `existing` (a targets CSV file) without its rows for
/// `year`, followed by the `planned` rows (the plan's targets CSV, header
/// first), under the contract's column order. Columns the existing file
/// lacks are empty in its rows.
///
/// Errors (invalid input, naming the file): unreadable CSV, a column that
/// is not a targets column (merging would drop it), no `period` column.
pub(crate) fn merge_targets(existing: &Path, planned: &[u8], year: i32) -> Result<Vec<u8>> {
    let invalid = |m: String| Error::Invalid(format!("targets {}: {m}", existing.display()));
    let old = TargetsCsv::read(existing)?;
    let header = &old.header;
    let names: Vec<&str> = TARGET_COLUMNS.iter().map(|(n, _)| *n).collect();
    if let Some(h) = header.iter().find(|h| !names.contains(&h.as_str())) {
        return Err(invalid(format!(
            "column `{h}` is not a targets column ({}); --merge would drop it, so fix the header first",
            names.join(", ")
        )));
    }
    let period_at = old
        .at("period")
        .ok_or_else(|| invalid("has no `period` column".into()))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: Vec<&str>| {
        w.write_record(row)
            .map_err(|e| Error::Internal(format!("writing merged targets: {e}")))
    };
    write(&mut out, names.clone())?;
    for record in &old.rows {
        if in_year(record.get(period_at).unwrap_or(""), year) {
            continue;
        }
        let row = names
            .iter()
            .map(|n| old.at(n).and_then(|k| record.get(k)).unwrap_or(""))
            .collect();
        write(&mut out, row)?;
    }
    let mut planned = csv::Reader::from_reader(planned);
    for record in planned.records() {
        let record =
            record.map_err(|e| Error::Internal(format!("reading planned targets: {e}")))?;
        write(&mut out, record.iter().collect())?;
    }
    out.into_inner()
        .map_err(|e| Error::Internal(format!("writing merged targets: {e}")))
}

/// The periods of `existing`'s rows (a targets CSV, or Parquet by its
/// extension) that are not in `year`, as written. Errors: unreadable file.
pub(crate) fn other_year_periods(existing: &Path, year: i32) -> Result<Vec<String>> {
    let invalid = |m: String| Error::Invalid(format!("targets {}: {m}", existing.display()));
    let is_parquet = existing
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if is_parquet {
        use polars::prelude::*;
        let file = std::fs::File::open(existing).map_err(|e| Error::io(existing, e))?;
        let df = ParquetReader::new(file)
            .finish()
            .map_err(|e| invalid(e.to_string()))?;
        let Ok(period) = df.column("period") else {
            return Ok(Vec::new());
        };
        let period = period.cast(&DataType::String)?;
        return Ok(period
            .str()?
            .iter()
            .map(|p| p.unwrap_or("").trim().to_string())
            .filter(|p| !in_year(p, year))
            .collect());
    }
    let old = TargetsCsv::read(existing)?;
    let Some(period_at) = old.at("period") else {
        return Ok(Vec::new());
    };
    Ok(old
        .rows
        .iter()
        .map(|r| r.get(period_at).unwrap_or("").trim().to_string())
        .filter(|p| !in_year(p, year))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_year_is_replaced_and_other_years_kept_as_written() {
        assert!(in_year("2027", 2027) && in_year(" 2027-Q1", 2027) && in_year("2027-03", 2027));
        assert!(!in_year("20270", 2027) && !in_year("2026-12", 2027));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.csv");
        std::fs::write(
            &path,
            "\u{feff}rep_id,period,sales_target\nR1,2026-12,100.5\nR1,2027-Q1,900\nR2,2028,7\n",
        )
        .unwrap();
        let planned = "period,rep_id,sales_target,collection_target,visit_target,new_customer_target\n2027-01,R1,10.00,,,\n";
        let merged = merge_targets(&path, planned.as_bytes(), 2027).unwrap();
        assert_eq!(
            String::from_utf8(merged).unwrap(),
            "period,rep_id,sales_target,collection_target,visit_target,new_customer_target\n\
             2026-12,R1,100.5,,,\n2028,R2,7,,,\n2027-01,R1,10.00,,,\n"
        );
        std::fs::write(&path, "period,rep_id,stretch\n2026-12,R1,1\n").unwrap();
        let e = merge_targets(&path, planned.as_bytes(), 2027).unwrap_err();
        assert!(
            e.to_string()
                .contains("column `stretch` is not a targets column"),
            "{e}"
        );
    }
}
