//! Which files a table reads: one file or every file a pattern matches (each
//! read once, stacked under one header), and the source columns the rules need.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::Segment;
use crate::ingest::digest::ReadFile;
use crate::ingest::profile::{FileSpec, TableSpec};
use crate::ingest::rawfile::{read_raw_file, ReadSpec};
use crate::ingest::validate::MALFORMED;
use crate::ingest::ROW;
use crate::schema::Table;
use crate::suggest::suggestion;
use crate::{Error, Result};

/// A raw source read once and shared by every table and lookup that names
/// it: one file, or every file a glob pattern matches, stacked in name order.
pub(super) struct RawFile {
    pub(super) frame: DataFrame,
    pub(super) label: String,
    pub(super) segments: Vec<Segment>,
    pub(super) reads: Vec<ReadFile>,
    /// What the reader skipped on purpose (blank lines, a footer).
    pub(super) notes: Vec<String>,
}

/// Whether a profile path is a pattern (`orders_*.csv`).
fn is_pattern(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Reads the file, or every file the pattern matches, into one frame whose
/// row numbers continue from file to file.
pub(super) fn read_source(from: &Path, file: &FileSpec, spec: &ReadSpec) -> Result<RawFile> {
    let paths: Vec<PathBuf> = if is_pattern(&file.path) {
        let pattern = from.join(&file.path);
        let mut found: Vec<PathBuf> = glob::glob(&pattern.to_string_lossy())
            .map_err(|e| Error::Usage(format!("path pattern `{}`: {e}", file.path)))?
            .filter_map(std::result::Result::ok)
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "no file in {} matches `{}`",
                from.display(),
                file.path
            )));
        }
        found
    } else {
        vec![from.join(&file.path)]
    };
    let mut frames = Vec::new();
    let mut segments = Vec::new();
    let mut reads = Vec::new();
    let mut notes = Vec::new();
    let mut offset = 0u64;
    let mut malformed: Vec<Column> = Vec::new();
    for path in &paths {
        let raw = read_raw_file(path, spec)?;
        let (mut frame, label) = (raw.frame, raw.label);
        reads.push(raw.read);
        notes.extend(raw.notes);
        // The malformed-record marker is set aside while files are stacked
        // (only some files may have one) and put back for all rows after.
        let marker = MALFORMED;
        malformed.push(match frame.drop_in_place(marker) {
            Ok(c) => c,
            Err(_) => Column::full_null(marker.into(), frame.height(), &DataType::String),
        });
        if let Some((first, first_label)) = frames.first().zip(segments.first()) {
            same_columns(first, &frame, first_label, &label)?;
            frame = frame.select(first.get_column_names_owned())?;
        }
        let rows = frame.height() as u64;
        let row = (frame.column(ROW)?.as_materialized_series().clone() + offset as IdxSize)
            .with_name(ROW.into());
        frame.with_column(row.into_column())?;
        segments.push(Segment {
            label,
            offset,
            rows,
        });
        frames.push(frame);
        offset += rows;
    }
    let label = if segments.len() == 1 {
        segments[0].label.clone()
    } else {
        format!("{} ({} files)", file.path, segments.len())
    };
    let mut frames = frames.into_iter();
    let mut frame = frames.next().expect("at least one file");
    for f in frames {
        frame.vstack_mut(&f)?;
    }
    if malformed.iter().any(|c| c.null_count() < c.len()) {
        let mut all = malformed.remove(0);
        for c in &malformed {
            all.append(c)?;
        }
        frame.with_column(all)?;
    }
    Ok(RawFile {
        frame,
        label,
        segments,
        reads,
        notes,
    })
}

/// Refuses a file of a multi-file source whose header differs from the first's.
fn same_columns(
    first: &DataFrame,
    other: &DataFrame,
    first_label: &Segment,
    label: &str,
) -> Result<()> {
    let names = |df: &DataFrame| -> std::collections::BTreeSet<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    };
    let (a, b) = (names(first), names(other));
    if a == b {
        return Ok(());
    }
    let missing: Vec<&String> = a.difference(&b).collect();
    let extra: Vec<&String> = b.difference(&a).collect();
    Err(Error::Invalid(format!(
        "{label}: its columns differ from {} (missing: {missing:?}, extra: {extra:?}); files read together must share one header",
        first_label.label
    )))
}

/// The files a table reads: its `from` and every lookup's file.
pub(super) fn files_of(spec: &TableSpec) -> Vec<&str> {
    let mut names: Vec<&str> = spec.from.iter().map(String::as_str).collect();
    for rule in spec.columns.values() {
        for l in rule.lookup.iter().flat_map(|l| l.chain()) {
            names.push(&l.file);
        }
    }
    names
}

/// Names every source column the table's rules use that its file lacks.
pub(super) fn missing_source_columns(
    table: &Table,
    spec: &TableSpec,
    files: &BTreeMap<String, RawFile>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(from) = &spec.from else {
        return out;
    };
    let mut need = |file: &str, column: &str, at: String| {
        let raw = &files[file];
        let listed: Vec<&str> = raw
            .frame
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .filter(|n| *n != ROW)
            .collect();
        if !listed.contains(&column) {
            out.push(format!(
                "{at}: column `{column}` not found in {} (its columns: {}){}",
                raw.label,
                listed.join(", "),
                suggestion(column, listed.iter().copied())
            ));
        }
    };
    let at = |rest: &str| format!("tables.{}.{rest}", table.name);
    for (name, rule) in &spec.columns {
        if let Some(c) = &rule.column {
            need(from, c, at(&format!("columns.{name}")));
        }
        if let Some(d) = &rule.discount {
            need(from, d, at(&format!("columns.{name}.discount")));
        }
        if let Some(f) = &rule.fallback {
            need(from, f, at(&format!("columns.{name}.fallback")));
        }
        for part in &rule.concat {
            need(from, part, at(&format!("columns.{name}.concat")));
        }
        for l in rule.lookup.iter().flat_map(|l| l.chain()) {
            need(&l.file, &l.key, at(&format!("columns.{name}.lookup.key")));
            need(
                &l.file,
                &l.value,
                at(&format!("columns.{name}.lookup.value")),
            );
        }
    }
    // A key that names a mapped contract column tests its value after the
    // rule ran (lookup, map, default); any other key is a source column.
    for column in spec
        .skip_when
        .keys()
        .filter(|c| !spec.columns.contains_key(*c))
    {
        need(from, column, at(&format!("skip_when.{column}")));
    }
    out
}
