//! Reading raw exports as they arrive: CSV in any common encoding and
//! delimiter, and Excel workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods). Every
//! column comes back as text with the 1-based data row in [`ROW`], so nothing is
//! interpreted before the mapping profile says how.

use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use super::digest::{read_hashed, ReadFile};
use super::structure::{self, DataEnd};
use encoding_rs::{Encoding, UTF_8};
use polars::prelude::*;

use super::ROW;
use crate::{Error, Result};

/// How to read one raw file.
#[derive(Debug, Clone, Default)]
pub struct ReadSpec {
    /// Encoding label (`utf-8`, `utf-16le`, `gbk`, `gb18030`, `windows-1252`, …)
    /// or `None`/`auto` to detect (BOM, then UTF-8, then a statistical guess).
    pub encoding: Option<String>,
    /// Field delimiter (`,`, `;`, `\t`, `|`) or `None`/`auto` to detect from the header line.
    pub delimiter: Option<String>,
    /// Lines above the header row to skip (titles some exports put first).
    pub skip_rows: usize,
    /// Worksheet of a workbook; `None` = the first sheet.
    pub sheet: Option<String>,
    /// Where the data of delimited text ends, when the profile says so.
    pub data_end: DataEnd,
    /// The column names of a file without a header row (`header = false`);
    /// `None`: the first row (after `skip_rows`) is the header.
    pub columns: Option<Vec<String>>,
}

/// A raw file as read: all-text frame, its label in messages, the bytes
/// read, and what was skipped on purpose (blank lines, a footer).
#[derive(Debug)]
pub(crate) struct RawFileRead {
    /// All-text columns with [`ROW`] (and [`super::validate::MALFORMED`]
    /// where records have the wrong width).
    pub frame: DataFrame,
    /// `orders.csv`, `crm.xlsx sheet 订单`.
    pub label: String,
    /// Size and SHA-256 of the bytes read.
    pub read: ReadFile,
    /// Notes for the user.
    pub notes: Vec<String>,
}

const EXCEL_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether the path names a workbook rather than delimited text.
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXCEL_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a CSV or workbook file into an all-text frame with a [`ROW`] column,
/// with the label messages name it by (`orders.csv`, `crm.xlsx sheet 订单`).
/// Also returns the size and SHA-256 of the bytes read.
pub(crate) fn read_raw_file(path: &Path, spec: &ReadSpec) -> Result<RawFileRead> {
    let (bytes, read) = read_hashed(path).map_err(|e| match e {
        Error::Io { path, error } => Error::Usage(format!(
            "{}: cannot be read ({error}); check the profile's path and --from",
            path.display()
        )),
        other => other,
    })?;
    let (frame, label, notes) = if is_workbook(path) {
        let (frame, label) = read_workbook(path, bytes, spec)?;
        (frame, label, Vec::new())
    } else {
        read_delimited(path, bytes, spec)?
    };
    Ok(RawFileRead {
        frame,
        label,
        read,
        notes,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_delimited(
    path: &Path,
    bytes: Vec<u8>,
    spec: &ReadSpec,
) -> Result<(DataFrame, String, Vec<String>)> {
    let label = file_name(path);
    let (text, _) = decode(&bytes, spec.encoding.as_deref(), &label)?;
    let delimiter = match spec.delimiter.as_deref() {
        None | Some("auto") => detect_delimiter(&text, spec.skip_rows),
        Some(d) => parse_delimiter(d)?,
    };
    // Text that needed no decoding (UTF-8, or ASCII in any ASCII-compatible
    // encoding) is handed over as read, without a copy; polars skips a UTF-8 BOM.
    let owned = match text {
        Cow::Borrowed(_) => bytes,
        Cow::Owned(t) => t.into_bytes(),
    };
    // A file without a header row gets the profile's column names as one,
    // and its line numbers stay those of the file.
    let (owned, line_shift) = match &spec.columns {
        Some(names) => (
            with_header_line(owned, names, delimiter as u8, spec.skip_rows)?,
            1,
        ),
        None => (owned, 0),
    };
    let scanned = structure::scan(
        &owned,
        delimiter as u8,
        spec.skip_rows,
        &spec.data_end,
        &label,
    )?
    .with_line_shift(line_shift);
    if spec.columns.is_none() {
        looks_like_a_header(&scanned.header, &label)?;
    }
    let rewritten;
    let (csv, skip_rows): (&[u8], usize) = if scanned.is_clean() {
        (&owned, spec.skip_rows)
    } else {
        rewritten = structure::rewritten(&owned, delimiter as u8, spec.skip_rows, &scanned)?;
        (&rewritten, 0)
    };
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_skip_rows(skip_rows)
        .map_parse_options(|o| {
            o.with_separator(delimiter as u8)
                .with_missing_is_null(true)
                .with_truncate_ragged_lines(false)
        })
        .into_reader_with_file_handle(Cursor::new(csv))
        .finish()
        .map_err(|e| Error::Invalid(format!("{label}: cannot be read as CSV: {e}")))?;
    let df = tidy_header(df, &label)?;
    let df = super::mark_malformed(with_row_numbers(df)?, &scanned)?;
    let notes = scanned.notes(&label);
    Ok((df, label, notes))
}

/// Decodes `bytes` to UTF-8. A BOM always wins; otherwise the declared
/// encoding, or detection (valid UTF-8, else chardetng's guess).
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&str>,
    label: &str,
) -> Result<(Cow<'a, str>, &'static Encoding)> {
    let (encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None => (choose_encoding(bytes, declared, label)?, 0),
    };
    let body = &bytes[bom_len..];
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        let bad = text.find('\u{FFFD}').unwrap_or(0);
        let line = text[..bad].matches('\n').count() + 1;
        return Err(Error::Invalid(format!(
            "{label}: line {line} is not valid {}; set `encoding` for this file in the profile (e.g. \"gb18030\", \"windows-1252\", \"utf-16le\")",
            encoding.name()
        )));
    }
    Ok((text, encoding))
}

fn choose_encoding(bytes: &[u8], declared: Option<&str>, label: &str) -> Result<&'static Encoding> {
    match declared {
        None | Some("auto") => Ok(detect_encoding(bytes)),
        Some(name) => Encoding::for_label(name.trim().as_bytes()).ok_or_else(|| {
            Error::Usage(format!(
                "{label}: unknown encoding `{name}`; use a WHATWG label such as utf-8, utf-16le, utf-16be, gbk, gb18030, windows-1252, or auto"
            ))
        }),
    }
}

/// Guesses the encoding of BOM-less bytes: UTF-8 when they are valid UTF-8,
/// else the statistical guess of chardetng (GBK, windows-1252, …).
pub(crate) fn detect_encoding(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

fn parse_delimiter(d: &str) -> Result<char> {
    match d {
        "," | ";" | "|" | "\t" => Ok(d.chars().next().expect("non-empty")),
        "tab" | "\\t" => Ok('\t'),
        _ => Err(Error::Usage(format!(
            "delimiter `{d}` is not supported; use \",\", \";\", \"\\t\" (or \"tab\"), \"|\" or \"auto\""
        ))),
    }
}

/// Picks the candidate delimiter that occurs most often, outside quotes, in
/// the header line.
pub(crate) fn detect_delimiter(text: &str, skip_rows: usize) -> char {
    let header = text.lines().nth(skip_rows).unwrap_or("");
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0), ('|', 0)];
    let mut quoted = false;
    for ch in header.chars() {
        if ch == '"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(slot) = counts.iter_mut().find(|(c, _)| *c == ch) {
                slot.1 += 1;
            }
        }
    }
    // max_by_key keeps the last maximum; reverse so `,` wins ties.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| *c)
        .unwrap_or(',')
}

/// Trims header names, drops unnamed columns that hold no value (the empty
/// trailing column of a line ending in a delimiter) and refuses duplicate names.
fn tidy_header(df: DataFrame, label: &str) -> Result<DataFrame> {
    let df = super::validate::trim_header(df)?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let is_empty = |c: &Column| c.null_count() == c.len();
    let mut unnamed = Vec::new();
    for column in df.columns() {
        let repeats = repeated_header(column.name(), &names);
        if column.name().is_empty() || repeats == Some("") {
            if !is_empty(column) {
                return Err(Error::Invalid(format!(
                    "{label}: a column without a header name holds values; give it a name in the export"
                )));
            }
            unnamed.push(column.name().clone());
        } else if let Some(original) = repeats {
            return Err(Error::Invalid(format!(
                "{label}: the header names column `{original}` twice; rename one in the export"
            )));
        }
    }
    Ok(df.drop_many(unnamed))
}

/// The header `name` repeats, when polars renamed a repeated header to
/// `<name>_duplicated_<n>` (workbooks are named the same way).
fn repeated_header<'a>(name: &'a str, names: &[String]) -> Option<&'a str> {
    let (base, n) = name.rsplit_once("_duplicated_")?;
    let numbered = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    (numbered && (base.is_empty() || names.iter().any(|x| x == base))).then_some(base)
}

fn with_row_numbers(df: DataFrame) -> Result<DataFrame> {
    Ok(df.with_row_index(ROW.into(), Some(1))?)
}

/// The bytes with a header line of `names` inserted after `skip_rows` lines.
fn with_header_line(
    bytes: Vec<u8>,
    names: &[String],
    delimiter: u8,
    skip_rows: usize,
) -> Result<Vec<u8>> {
    let internal = |e: String| Error::Internal(format!("writing a header line: {e}"));
    let mut header = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    header
        .write_record(names)
        .map_err(|e| internal(e.to_string()))?;
    let header = header.into_inner().map_err(|e| internal(e.to_string()))?;
    let mut at = 0usize;
    for _ in 0..skip_rows {
        match bytes[at..].iter().position(|b| *b == b'\n') {
            Some(i) => at += i + 1,
            None => at = bytes.len(),
        }
    }
    // After a UTF-8 byte order mark, so the header line stays first.
    if at == 0 && bytes.starts_with(b"\xef\xbb\xbf") {
        at = 3;
    }
    Ok([&bytes[..at], &header, &bytes[at..]].concat())
}

/// Refuses a header row whose names all look like data (numbers, dates,
/// empty): the file has no header, and the profile must say so.
fn looks_like_a_header(header: &[String], label: &str) -> Result<()> {
    let data_like = |name: &str| {
        let t = name.trim();
        t.is_empty()
            || t.parse::<f64>().is_ok()
            || chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()
            || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok()
    };
    if !header.is_empty() && header.iter().all(|h| data_like(h)) {
        return Err(Error::Usage(format!(
            "the first line of {label} looks like data, not a header ({}); declare `header = false` and `columns = [...]` under its [files.…] entry",
            header.join(", ")
        )));
    }
    Ok(())
}

fn read_workbook(path: &Path, bytes: Vec<u8>, spec: &ReadSpec) -> Result<(DataFrame, String)> {
    let name = file_name(path);
    let mut workbook = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| Error::Invalid(format!("{name}: cannot be opened as a workbook: {e}")))?;
    let sheets = workbook.sheet_names();
    let sheet = match &spec.sheet {
        Some(s) if sheets.contains(s) => s.clone(),
        Some(s) => {
            return Err(Error::Usage(format!(
                "{name}: no sheet `{s}`; the workbook has: {}",
                sheets.join(", ")
            )))
        }
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("{name}: the workbook has no sheet")))?,
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| Error::Invalid(format!("{name} sheet {sheet}: cannot be read: {e}")))?;
    let label = format!("{name} sheet {sheet}");
    let mut rows = range.rows().skip(spec.skip_rows);
    let header: Vec<String> = match &spec.columns {
        Some(names) => names.clone(),
        None => {
            let header: Vec<String> = rows
                .next()
                .map(|r| r.iter().map(|c| cell_text(c).unwrap_or_default()).collect())
                .unwrap_or_default();
            looks_like_a_header(&header, &label)?;
            header
        }
    };
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    // A number cell formatted as a date is also kept as its number, for the
    // rules that read it as an id or a number (a date format on an id column).
    let mut serials: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for row in rows {
        for (i, values) in columns.iter_mut().enumerate() {
            values.push(row.get(i).and_then(cell_text));
            serials[i].push(match row.get(i) {
                Some(Data::DateTime(d)) => Some(float_text(d.as_f64())),
                _ => None,
            });
        }
    }
    // Repeated headers are renamed as polars renames a CSV's, so tidy_header
    // treats both alike.
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    let series: Vec<Column> = header
        .iter()
        .zip(columns)
        .map(|(h, values)| {
            let count = seen.entry(h.trim().to_string()).or_insert(0);
            let name = match *count {
                0 => h.clone(),
                n => format!("{}_duplicated_{}", h.trim(), n - 1),
            };
            *count += 1;
            Column::new(name.as_str().into(), values)
        })
        .collect();
    let df = DataFrame::new_infer_height(series)?;
    let mut df = tidy_header(df, &label)?;
    for (h, values) in header.iter().zip(serials) {
        let name = h.trim();
        if values.iter().any(Option::is_some) && df.schema().contains(name) {
            df.with_column(Column::new(serial_column(name).into(), values))?;
        }
    }
    Ok((with_row_numbers(df)?, label))
}

/// The hidden column holding, for a workbook column, the numbers of its
/// date-formatted number cells.
pub(crate) fn serial_column(name: &str) -> String {
    format!("__serial__{name}")
}

/// The text of one cell as the profile's parsers expect it: numbers in plain
/// decimal notation, dates as `YYYY-MM-DD[ HH:MM:SS]`, errors as `#…` text.
fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(float_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => d.as_datetime().map(|dt| {
            if dt.time() == chrono::NaiveTime::MIN {
                dt.format("%Y-%m-%d").to_string()
            } else {
                dt.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        }),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(format!("#{e:?}")),
    }
}

/// Shortest decimal text that reads back as the same double (what Excel
/// shows), never in exponent notation for amounts.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_and_utf16_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        for u in "销售员,金额\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let (text, enc) = decode(&le, Some("gbk"), "x.csv").unwrap();
        assert_eq!(text, "销售员,金额\n");
        assert_eq!(enc.name(), "UTF-16LE");
        let mut be = vec![0xFE, 0xFF];
        for u in "a;b\n".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&be, None, "x.csv").unwrap().0, "a;b\n");
        let bom8 = b"\xEF\xBB\xBFId,Name\n";
        assert_eq!(decode(bom8, None, "x.csv").unwrap().0, "Id,Name\n");
    }

    #[test]
    fn gbk_and_cp1252_are_detected_or_declared() {
        let (gbk, _, _) = encoding_rs::GBK.encode("销售员,回款金额\n张三,1234.50\n李四,88.00\n");
        let (text, enc) = decode(&gbk, None, "x.csv").unwrap();
        assert!(text.starts_with("销售员,回款金额"), "{text} {}", enc.name());
        let (text, _) = decode(&gbk, Some("gb18030"), "x.csv").unwrap();
        assert!(text.contains("李四"));
        let cp = b"customerID,companyName\nFOLKO,Folk och f\xe4 HB\n";
        assert_eq!(
            decode(cp, Some("windows-1252"), "x.csv").unwrap().0,
            "customerID,companyName\nFOLKO,Folk och fä HB\n"
        );
        assert_eq!(detect_encoding(cp).name(), "windows-1252");
    }

    #[test]
    fn undecodable_bytes_name_the_line() {
        let err = decode(b"a,b\n1,2\n\xff\xff,3\n", Some("utf-8"), "bad.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.csv: line 3 is not valid UTF-8"), "{err}");
        let err = decode(b"a", Some("klingon"), "bad.csv").unwrap_err();
        assert!(err.to_string().contains("unknown encoding `klingon`"));
    }

    #[test]
    fn delimiter_is_detected_outside_quotes() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3", 0), ';');
        assert_eq!(detect_delimiter("a\tb\n", 0), '\t');
        assert_eq!(detect_delimiter("\"x,y\"|b|c\n", 0), '|');
        assert_eq!(detect_delimiter("title\na,b\n", 1), ',');
        assert_eq!(detect_delimiter("single\n", 0), ',');
    }

    #[test]
    fn a_row_with_too_many_fields_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, b"a,b\n1,2\n\"x,y\",3\n4,5,6\n").unwrap();
        let df = read_raw_file(&path, &ReadSpec::default()).unwrap().frame;
        let why: Vec<Option<&str>> = df
            .column(super::super::validate::MALFORMED)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            why,
            [
                None,
                None,
                Some("data row 3 (line 4) has 3 field(s) but the header has 2; quote values that contain the delimiter")
            ]
        );
    }

    #[test]
    fn repeated_and_unnamed_headers_are_told_apart() {
        let names: Vec<String> = ["a", "b", "a_duplicated_0", "", "_duplicated_0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(repeated_header("a_duplicated_0", &names), Some("a"));
        assert_eq!(repeated_header("_duplicated_0", &names), Some(""));
        assert_eq!(repeated_header("b", &names), None);
        assert_eq!(
            repeated_header("x_duplicated_0", &names),
            None,
            "no column x"
        );
        let csv = b"a,b,a\n1,2,3\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r.csv"), csv).unwrap();
        let err = read_raw_file(&dir.path().join("r.csv"), &ReadSpec::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "r.csv: the header names column `a` twice; rename one in the export"
        );
        std::fs::write(dir.path().join("r.csv"), b"a,b,,\n1,2,,\n").unwrap();
        let df = read_raw_file(&dir.path().join("r.csv"), &ReadSpec::default())
            .unwrap()
            .frame;
        assert_eq!(df.get_column_names(), [ROW, "a", "b"]);
    }

    #[test]
    fn floats_print_like_excel_shows_them() {
        assert_eq!(float_text(611365.0), "611365");
        assert_eq!(float_text(55.94), "55.94");
        assert_eq!(float_text(-0.5), "-0.5");
    }
}
