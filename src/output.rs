//! Writing KPI tables: CSV (money with 2 decimals), Parquet (money as
//! Decimal(18,2)), JSON and a readable terminal table. Every file is written
//! to a temporary name in its folder and renamed into place.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;
use unicode_width::UnicodeWidthStr;

use crate::column_type::ColumnType;
use crate::kpi::tables::KpiTable;
use crate::{Error, Result};

/// Output format of a KPI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TableFormat {
    /// Aligned text for a terminal.
    Table,
    /// Comma-separated values, money with 2 decimals.
    Csv,
    /// One JSON array of objects.
    Json,
    /// Apache Parquet, money as Decimal(18,2).
    Parquet,
    /// Excel workbook (one sheet): money and ratios as formatted numbers.
    Xlsx,
}

impl TableFormat {
    /// The format a file extension names (`csv`, `json`, `parquet`, `xlsx`,
    /// `txt` for the text table), case-insensitively.
    fn from_extension(path: &Path) -> Option<TableFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => TableFormat::Csv,
            "json" => TableFormat::Json,
            "parquet" => TableFormat::Parquet,
            "xlsx" => TableFormat::Xlsx,
            "txt" => TableFormat::Table,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            TableFormat::Table => "table",
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
            TableFormat::Parquet => "parquet",
            TableFormat::Xlsx => "xlsx",
        }
    }

    /// The format to write: `--format` when given, else the one `--out`'s
    /// extension names, else the text table. A file is never given content
    /// that its name contradicts: `--format json --out x.csv` is refused, and
    /// so is a binary format (parquet, xlsx) without `--out`.
    pub(crate) fn resolve(given: Option<TableFormat>, out: Option<&Path>) -> Result<TableFormat> {
        let named = out.and_then(TableFormat::from_extension);
        let unknown_extension = out
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .filter(|_| named.is_none());
        if let (None, Some(ext)) = (given, unknown_extension) {
            return Err(Error::Usage(format!(
                "cannot tell which format to write from the extension .{ext}; name the file .csv, .json, .parquet, .xlsx or .txt (text table), or give --format"
            )));
        }
        let format = match (given, named) {
            (Some(g), Some(n)) if g != n => {
                return Err(Error::Usage(format!(
                    "--out {} names a .{} file but --format is {}: give a file name that matches the format, or leave out --format to take it from the name",
                    out.map(|p| p.display().to_string()).unwrap_or_default(),
                    out.and_then(|p| p.extension()).and_then(|e| e.to_str()).unwrap_or_default(),
                    g.name()
                )))
            }
            (Some(g), _) => g,
            (None, Some(n)) => n,
            (None, None) => TableFormat::Table,
        };
        if out.is_none() && matches!(format, TableFormat::Parquet | TableFormat::Xlsx) {
            return Err(Error::Usage(format!(
                "--format {} writes a binary file: give it with --out FILE",
                format.name()
            )));
        }
        Ok(format)
    }
}

impl FileFormat {
    /// The format to write to `path`: `given` when it agrees with the file's
    /// extension (or the extension names none of csv, parquet, xlsx), else
    /// the extension's; `flag` names the option in the refusal.
    pub(crate) fn resolve(
        given: Option<FileFormat>,
        path: &Path,
        flag: &str,
    ) -> Result<FileFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let named = ext.as_deref().and_then(|e| match e {
            "csv" => Some(FileFormat::Csv),
            "parquet" => Some(FileFormat::Parquet),
            "xlsx" => Some(FileFormat::Xlsx),
            _ => None,
        });
        if let (None, None, Some(e)) = (given, named, &ext) {
            return Err(Error::Usage(format!(
                "{flag} {}: cannot tell which format to write from the extension .{e}; name the file .csv, .parquet or .xlsx, or give --format",
                path.display()
            )));
        }
        match (given, named) {
            (Some(g), Some(n)) if g != n => Err(Error::Usage(format!(
                "{flag} {} names a .{} file but --format is {}: give a file name that matches the format, or leave out --format to take it from the name",
                path.display(),
                n.extension(),
                g.extension()
            ))),
            (Some(g), _) => Ok(g),
            (None, Some(n)) => Ok(n),
            (None, None) => Ok(FileFormat::Csv),
        }
    }
}

/// The folder `path` is in (`.` for a bare name), created when missing: the
/// place for temporary files that are renamed to `path`.
pub(crate) fn created_parent(path: &Path) -> Result<&Path> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Ok(dir)
}

/// Writes `path` atomically: `write` fills a temporary file in the same
/// folder, which is renamed over `path` only when it succeeded. `-` means
/// standard output; a device or pipe (`/dev/stdout`) is written directly,
/// and a symbolic link's target file is replaced, never the link.
pub(crate) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    // `-` is standard output.
    if path == Path::new("-") {
        return write_atomic(Path::new("/dev/stdout"), write);
    }
    // `/dev/stdout`, a named pipe or a device is written to as it is: a
    // rename would replace it with a regular file.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            return write(&mut f);
        }
    }
    // A link to a file: the file it points to is replaced, not the link.
    if path.is_symlink() {
        if let Ok(target) = std::fs::canonicalize(path) {
            return write_atomic(&target, write);
        }
    }
    let dir = created_parent(path)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".salesops-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    write(tmp.as_file_mut())?;
    tmp.as_file_mut().flush().map_err(|e| Error::io(path, e))?;
    // On disk before it gets its name: a crash never leaves an empty or
    // partial file under the final name.
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // Temporary files are private (0600); a published output is readable by all.
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // The new name itself is on disk once its folder is.
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    Ok(())
}

/// Puts the finished folder `staged` at `target`: an existing `target` is
/// moved aside first and removed only after the rename succeeded (and put
/// back if it failed), so `target` is always either the old or the new folder.
pub(crate) fn replace_dir(staged: &Path, target: &Path) -> Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old = target.with_file_name(format!(".old-{name}-{}", std::process::id()));
    if target.exists() {
        std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
    }
    if let Err(e) = std::fs::rename(staged, target) {
        if old.exists() {
            let _ = std::fs::rename(&old, target);
        }
        return Err(Error::io(target, e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// A KPI table as file bytes in `format` (money as exact decimals, column
/// types from the table); with `excel`, CSV gets a byte order mark and
/// formula-like text is neutralised (see [`render_file`]).
pub(crate) fn render_kpi_table(
    table: &KpiTable,
    format: FileFormat,
    excel: bool,
) -> Result<Vec<u8>> {
    render_file(
        &table.frame,
        &table.type_refs(),
        format,
        excel,
        table.name,
        &[],
    )
}

/// Converts money columns for writing: text with 2 decimals for CSV, JSON and
/// the terminal; Decimal(18,2) for Parquet, where an amount of 19 digits
/// is a usage error naming `table` (see [`crate::money::scaled_decimal`]).
pub(crate) fn money_for_output(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
    format: TableFormat,
    table: &str,
) -> Result<DataFrame> {
    let money: Vec<&str> = types
        .iter()
        .filter(|(n, t)| *t == ColumnType::Money && df.schema().contains(n))
        .map(|(n, _)| *n)
        .collect();
    if format == TableFormat::Parquet {
        let mut out = df.clone();
        for name in money {
            let decimal = crate::money::scaled_decimal(df.column(name)?, 2, table)?;
            out.replace(name, decimal)?;
        }
        return Ok(out);
    }
    let exprs: Vec<Expr> = money
        .into_iter()
        .map(|n| crate::money::cents_text(col(n)).alias(n))
        .collect();
    Ok(df.clone().lazy().with_columns(exprs).collect()?)
}

/// Writes a frame as plain CSV to `path` (atomically).
pub(crate) fn write_csv(df: &DataFrame, path: &Path) -> Result<()> {
    let mut df = df.clone();
    write_atomic(path, |f| {
        Ok(CsvWriter::new(f).include_header(true).finish(&mut df)?)
    })
}

/// Writes a KPI table to `path` in `format` (atomically).
pub(crate) fn write_table(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
    format: TableFormat,
    sheet: &str,
    path: &Path,
) -> Result<()> {
    let bytes = render_table(df, types, format, sheet)?;
    write_atomic(path, |f| {
        f.write_all(&bytes).map_err(|e| Error::io(path, e))
    })
}

/// Renders a KPI table into bytes in `format`; an XLSX workbook has one
/// sheet named `sheet` (the table's name).
pub(crate) fn render_table(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
    format: TableFormat,
    sheet: &str,
) -> Result<Vec<u8>> {
    if format == TableFormat::Xlsx {
        return render_xlsx(df, types, sheet, &[]);
    }
    let mut out = money_for_output(df, types, format, sheet)?;
    let mut buf = Vec::new();
    match format {
        TableFormat::Csv => {
            CsvWriter::new(&mut buf)
                .include_header(true)
                .finish(&mut out)?;
        }
        TableFormat::Parquet => {
            ParquetWriter::new(&mut buf).finish(&mut out)?;
        }
        TableFormat::Json => {
            let rows = json_rows(&out, types)?;
            serde_json::to_writer_pretty(&mut buf, &rows)
                .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
            buf.push(b'\n');
        }
        TableFormat::Table => buf = pretty(&out, types)?.into_bytes(),
        TableFormat::Xlsx => unreachable!("rendered above"),
    }
    Ok(buf)
}

fn cell_strings(column: &Column) -> Result<Vec<Option<String>>> {
    let s = column.as_materialized_series();
    Ok(match s.dtype() {
        DataType::Float64 | DataType::Float32 => s
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.map(format_ratio))
            .collect(),
        _ => s
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
    })
}

/// Ratios are written with up to 6 decimals, trailing zeros trimmed.
fn format_ratio(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn json_rows(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let mut rows = vec![serde_json::Map::new(); df.height()];
    for column in df.columns() {
        let name = column.name().to_string();
        let kind = types.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        let s = column.as_materialized_series();
        let values: Vec<serde_json::Value> = match (s.dtype(), kind) {
            (DataType::Float64, _) => s
                .f64()?
                .iter()
                .map(|v| v.map_or(serde_json::Value::Null, serde_json::Value::from))
                .collect(),
            (DataType::Int64, _) => s
                .i64()?
                .iter()
                .map(|v| v.map_or(serde_json::Value::Null, serde_json::Value::from))
                .collect(),
            _ => cell_strings(column)?
                .into_iter()
                .map(|v| v.map_or(serde_json::Value::Null, serde_json::Value::from))
                .collect(),
        };
        for (row, v) in rows.iter_mut().zip(values) {
            row.insert(name.clone(), v);
        }
    }
    Ok(rows)
}

/// Widest cell of a text table's inner columns, in display columns: longer
/// text (a flag's evidence of 16 visit ids) is cut with `…`, so the table
/// stays readable; the last column is never cut, and the file formats keep
/// every character.
const TEXT_CELL_MAX: usize = 40;

/// `s` cut to at most `max` display columns, ending in `…` when cut.
fn clipped(s: String, max: usize) -> String {
    if s.width() <= max {
        return s;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// An aligned text table; widths count East Asian characters as two columns.
fn pretty(df: &DataFrame, types: &[(&str, ColumnType)]) -> Result<String> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut cells: Vec<Vec<String>> = Vec::new();
    let last = df.width().saturating_sub(1);
    for (i, column) in df.columns().iter().enumerate() {
        let max = if i == last { usize::MAX } else { TEXT_CELL_MAX };
        cells.push(
            cell_strings(column)?
                .into_iter()
                .map(|v| clipped(v.unwrap_or_else(|| "—".into()), max))
                .collect(),
        );
    }
    let right: Vec<bool> = names
        .iter()
        .map(|n| types.iter().any(|(c, t)| c == n && *t != ColumnType::Text))
        .collect();
    let widths: Vec<usize> = names
        .iter()
        .zip(&cells)
        .map(|(n, col)| {
            col.iter()
                .map(|c| c.width())
                .chain([n.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize, right: bool| {
        let fill = " ".repeat(w.saturating_sub(s.width()));
        if right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    };
    let mut out = String::new();
    let header: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| pad(n, widths[i], right[i]))
        .collect();
    out.push_str(header.join("  ").trim_end());
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for r in 0..df.height() {
        let line: Vec<String> = cells
            .iter()
            .zip(widths.iter().zip(&right))
            .map(|(column, (width, right))| pad(&column[r], *width, *right))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}

/// File format of a written table (KPI tables: csv or parquet; commission
/// also xlsx).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileFormat {
    /// CSV, money with 2 decimals.
    Csv,
    /// Parquet, money as Decimal(18,2).
    Parquet,
    /// Excel workbook: number formats, frozen header, bold total row.
    Xlsx,
}

impl FileFormat {
    /// File name extension.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// Renders a table file: CSV (with a byte order mark when `excel`), Parquet,
/// or XLSX (one sheet named `sheet`, rows in `bold_rows` bold).
pub(crate) fn render_file(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
    format: FileFormat,
    excel: bool,
    sheet: &str,
    bold_rows: &[usize],
) -> Result<Vec<u8>> {
    Ok(match format {
        FileFormat::Csv if excel => {
            let safe = formulas_neutralised(df, types)?;
            [
                UTF8_BOM,
                &render_table(&safe, types, TableFormat::Csv, sheet)?,
            ]
            .concat()
        }
        FileFormat::Csv => render_table(df, types, TableFormat::Csv, sheet)?,
        FileFormat::Parquet => render_table(df, types, TableFormat::Parquet, sheet)?,
        FileFormat::Xlsx => render_xlsx(df, types, sheet, bold_rows)?,
    })
}

/// Text cells that a spreadsheet would run as a formula — starting with `=`,
/// `+`, `-`, `@`, tab or carriage return (CSV formula injection) — get a
/// leading `'`, which Excel shows as text. Only for CSV meant for Excel:
/// machine CSV and Parquet keep every value as it is, and XLSX cells are
/// typed text, never formulas. Numbers (a negative amount) are untouched.
pub(crate) fn formulas_neutralised(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
) -> Result<DataFrame> {
    let exprs: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::String)
        .filter(|c| {
            types
                .iter()
                .find(|(n, _)| *n == c.name().as_str())
                .is_none_or(|(_, t)| *t == ColumnType::Text)
        })
        .map(|c| {
            let name = c.name().as_str();
            when(col(name).str().contains(lit(r"^[=+\-@\t\r]"), false))
                .then(concat_str([lit("'"), col(name)], "", false))
                .otherwise(col(name))
                .alias(name)
        })
        .collect();
    Ok(df.clone().lazy().with_columns(exprs).collect()?)
}

/// UTF-8 byte order mark: Excel needs it to open UTF-8 CSV with Chinese text intact.
pub(crate) const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();

/// Renders a table as an Excel workbook: one sheet, bold frozen header row,
/// money as numbers formatted `#,##0.00`, the catalogue's percent columns
/// as percentages and other ratios with 2 decimals, dates as Excel dates,
/// columns sized to their content; rows listed in `bold_rows` (totals) are
/// bold.
///
/// Errors: a text longer than an Excel cell holds (32,767 characters) is
/// refused as invalid data, naming the row and column, never cut.
pub(crate) fn render_xlsx(
    df: &DataFrame,
    types: &[(&str, ColumnType)],
    sheet: &str,
    bold_rows: &[usize],
) -> Result<Vec<u8>> {
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    // A fixed creation date: the same table gives a byte-identical workbook.
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(xlsx)?;
    let header = Format::new().set_bold();
    let formats = |bold: bool| {
        let base = if bold {
            Format::new().set_bold()
        } else {
            Format::new()
        };
        (
            base.clone(),
            base.clone().set_num_format("#,##0.00"),
            base.clone().set_num_format("0.00%"),
            base.clone().set_num_format("#,##0.00"),
            base.set_num_format("yyyy-mm-dd"),
        )
    };
    for (c, column) in df.columns().iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, column.name().as_str(), &header)
            .map_err(xlsx)?;
        let kind = types
            .iter()
            .find(|(n, _)| *n == column.name().as_str())
            .map(|(_, t)| *t);
        let cells = cell_values(column, kind)?;
        let percent = crate::kpi::catalog::is_percent(column.name().as_str());
        for (r, cell) in cells.into_iter().enumerate() {
            let (plain, money, pct, decimal, date) = formats(bold_rows.contains(&r));
            let row = r as u32 + 1;
            match cell {
                XlsxCell::Empty => ws.write_blank(row, c, &plain).map(|_| ()),
                XlsxCell::Text(s) => {
                    let chars = s.chars().count();
                    if chars > EXCEL_CELL_CHARS {
                        return Err(Error::Invalid(format!(
                            "{sheet}: row {row} column {}: a text of {chars} characters does not fit an Excel cell (at most 32,767); write csv or parquet instead",
                            column.name()
                        )));
                    }
                    ws.write_string_with_format(row, c, &s, &plain).map(|_| ())
                }
                XlsxCell::Money(v) => ws.write_number_with_format(row, c, v, &money).map(|_| ()),
                XlsxCell::Ratio(v) if percent => {
                    ws.write_number_with_format(row, c, v, &pct).map(|_| ())
                }
                XlsxCell::Ratio(v) => ws.write_number_with_format(row, c, v, &decimal).map(|_| ()),
                XlsxCell::Number(v) => ws.write_number_with_format(row, c, v, &plain).map(|_| ()),
                XlsxCell::Date(d) => {
                    let day = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                        .map_err(xlsx)?;
                    ws.write_datetime_with_format(row, c, &day, &date).map(|_| ())
                }
            }
            .map_err(xlsx)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    ws.autofit();
    book.save_to_buffer().map_err(xlsx)
}

/// The most characters an Excel cell holds.
const EXCEL_CELL_CHARS: usize = 32_767;

enum XlsxCell {
    Empty,
    Text(String),
    Money(f64),
    Ratio(f64),
    Number(f64),
    Date(chrono::NaiveDate),
}

fn cell_values(column: &Column, kind: Option<ColumnType>) -> Result<Vec<XlsxCell>> {
    let s = column.as_materialized_series();
    Ok(match (kind, s.dtype()) {
        (Some(ColumnType::Money), _) => s
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            // Cents to currency units: exact to the cent in a double.
            .map(|v| v.map_or(XlsxCell::Empty, |c| XlsxCell::Money(c as f64 / 100.0)))
            .collect(),
        (Some(ColumnType::Ratio), _) => s
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.map_or(XlsxCell::Empty, XlsxCell::Ratio))
            .collect(),
        (_, DataType::Date) => s
            .date()?
            .as_date_iter()
            .map(|v| v.map_or(XlsxCell::Empty, XlsxCell::Date))
            .collect(),
        (_, dt) if dt.is_primitive_numeric() => s
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.map_or(XlsxCell::Empty, XlsxCell::Number))
            .collect(),
        _ => s
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map_or(XlsxCell::Empty, |t| XlsxCell::Text(t.to_string())))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_too_long_for_an_excel_cell_is_refused_not_cut() {
        let long = "名".repeat(EXCEL_CELL_CHARS + 1);
        let df = df!("rep_name" => [long.as_str()]).unwrap();
        let err = render_xlsx(&df, &[("rep_name", ColumnType::Text)], "scorecard", &[])
            .expect_err("refused");
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.contains("scorecard: row 1 column rep_name"), "{text}");
        assert!(text.contains("32768 characters"), "{text}");
        let fits = "名".repeat(EXCEL_CELL_CHARS);
        let df = df!("rep_name" => [fits.as_str()]).unwrap();
        assert!(render_xlsx(&df, &[("rep_name", ColumnType::Text)], "scorecard", &[]).is_ok());
    }

    #[test]
    fn long_text_cells_are_cut_to_the_display_width() {
        assert_eq!(clipped("V1;V2".into(), 40), "V1;V2");
        assert_eq!(clipped("abcdefgh".into(), 5), "abcd…");
        // East Asian characters take two columns each.
        assert_eq!(clipped("华东一组华南".into(), 6), "华东…");
    }

    #[test]
    fn cents_become_two_decimal_text() {
        let df = df!("m" => [Some(-5i64), Some(123_450), None, Some(0)]).unwrap();
        let out = df
            .lazy()
            .select([crate::money::cents_text(col("m")).alias("m")])
            .collect()
            .unwrap();
        let got: Vec<_> = out.column("m").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            got,
            vec![Some("-0.05"), Some("1234.50"), None, Some("0.00")]
        );
    }

    #[test]
    fn pretty_table_aligns_wide_characters() {
        let df = df!("rep_name" => ["张伟", "Bob"], "orders" => [3i64, 12]).unwrap();
        let text = pretty(
            &df,
            &[
                ("rep_name", ColumnType::Text),
                ("orders", ColumnType::Count),
            ],
        )
        .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "张伟           3");
        assert_eq!(lines[3], "Bob           12");
    }

    #[test]
    fn excel_csv_neutralises_formulas_in_text_cells_only() {
        let df = df!(
            "rep_name" => ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Ann-Marie", "张伟"],
            "sales_amount" => [-5i64, 1, 2, 3, 4, 5, 6, 7]
        )
        .unwrap();
        let types = [
            ("rep_name", ColumnType::Text),
            ("sales_amount", ColumnType::Money),
        ];
        let excel =
            String::from_utf8(render_file(&df, &types, FileFormat::Csv, true, "s", &[]).unwrap())
                .unwrap();
        let lines: Vec<&str> = excel.lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",-0.05");
        assert_eq!(lines[2], "'+1,0.01");
        assert_eq!(lines[3], "'-2,0.02");
        assert_eq!(lines[4], "'@SUM(A1),0.03");
        assert!(excel.contains("'\tx") && excel.contains("'\rx"), "{excel}");
        assert!(
            excel.contains("\nAnn-Marie,0.06") && excel.contains("\n张伟,0.07"),
            "{excel}"
        );
        // Machine CSV keeps the values as they are.
        let plain =
            String::from_utf8(render_file(&df, &types, FileFormat::Csv, false, "s", &[]).unwrap())
                .unwrap();
        assert!(
            plain.contains("\n+1,0.01") && plain.contains("\n-2,0.02"),
            "{plain}"
        );
    }

    #[test]
    fn the_format_follows_the_file_name_or_is_refused() {
        let p = |s: &str| Some(Path::new(s).to_path_buf());
        let r = |g, o: Option<std::path::PathBuf>| TableFormat::resolve(g, o.as_deref());
        assert_eq!(r(None, p("x.csv")).unwrap(), TableFormat::Csv);
        assert_eq!(r(None, p("x.XLSX")).unwrap(), TableFormat::Xlsx);
        // An extension that names no format is refused unless --format says.
        assert!(matches!(r(None, p("x.out")), Err(Error::Usage(_))));
        assert_eq!(
            r(Some(TableFormat::Table), p("x.out")).unwrap(),
            TableFormat::Table
        );
        assert_eq!(r(None, p("scorecard")).unwrap(), TableFormat::Table);
        assert_eq!(r(None, None).unwrap(), TableFormat::Table);
        assert_eq!(
            r(Some(TableFormat::Json), p("x.json")).unwrap(),
            TableFormat::Json
        );
        assert!(matches!(
            r(Some(TableFormat::Table), p("x.csv")),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            r(Some(TableFormat::Parquet), None),
            Err(Error::Usage(_))
        ));
        let f = |g, s: &str| FileFormat::resolve(g, Path::new(s), "--out");
        assert_eq!(f(None, "c.xlsx").unwrap(), FileFormat::Xlsx);
        assert_eq!(f(None, "c").unwrap(), FileFormat::Csv);
        assert!(matches!(f(None, "c.json"), Err(Error::Usage(_))));
        assert!(matches!(
            f(Some(FileFormat::Csv), "c.xlsx"),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn ratios_trim_trailing_zeros() {
        assert_eq!(format_ratio(0.25), "0.25");
        assert_eq!(format_ratio(2.0), "2");
        assert_eq!(format_ratio(1.0 / 3.0), "0.333333");
    }
}
