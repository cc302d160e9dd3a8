//! Which rows a table keeps: `skip_when` on source or mapped columns, the
//! first row of each key (`distinct`) and the profile's literal `rows`.

use polars::prelude::*;

use super::files::RawFile;
use super::MappedExport;
use crate::ingest::profile::TableSpec;
use crate::ingest::validate::{key_parts, MALFORMED};
use crate::ingest::ROW;
use crate::schema::Table;
use crate::Result;

/// A boolean expression evaluated once over a frame, as a filter mask.
fn mask_of(frame: &DataFrame, mask: Expr) -> Result<BooleanChunked> {
    Ok(frame
        .clone()
        .lazy()
        .select([mask])
        .collect()?
        .select_at_idx(0)
        .expect("one column")
        .bool()?
        .clone())
}

/// The `skip_when` keys that name mapped contract columns of the table (and
/// not a column of its file): tested on the mapped values.
fn mapped_skip_keys<'a>(spec: &'a TableSpec, raw: &RawFile) -> Vec<&'a String> {
    spec.skip_when
        .keys()
        .filter(|k| spec.columns.contains_key(*k) && !raw.frame.schema().contains(k))
        .collect()
}

/// Leaves out the mapped rows whose contract columns named in `skip_when`
/// hold a listed value after their rules ran (`""` matches an empty value):
/// web orders whose looked-up seller is empty. Counted in a note and listed
/// with the source row in the skipped rows, like source-column skips.
pub(super) fn skip_mapped_rows(
    table: &'static Table,
    spec: &TableSpec,
    raw: &RawFile,
    mapped: DataFrame,
    out: &mut MappedExport,
) -> Result<DataFrame> {
    let keys = mapped_skip_keys(spec, raw);
    let Some(mask) = keys
        .iter()
        .map(|k| {
            let values = &spec.skip_when[*k];
            let list = Series::new("values".into(), values);
            let value = crate::text::trimmed(col(k.as_str()));
            let listed = value
                .clone()
                .is_in(lit(list).implode(false), false)
                .fill_null(lit(false));
            if values.iter().any(String::is_empty) {
                listed
                    .or(value.clone().is_null())
                    .or(value.eq(lit("")).fill_null(lit(false)))
            } else {
                listed
            }
        })
        .reduce(|a, b| a.or(b))
    else {
        return Ok(mapped);
    };
    let skip = mask_of(&mapped, mask)?;
    let gone = mapped.filter(&skip)?;
    if gone.height() == 0 {
        return Ok(mapped);
    }
    let rule = keys
        .iter()
        .map(|k| format!("{k} (mapped) in {:?}", spec.skip_when[*k]))
        .collect::<Vec<_>>()
        .join(" or ");
    out.notes.push(format!(
        "{}: {} row(s) of {} skipped by the profile ({rule}); `salesops ingest` lists them in rejects.csv",
        table.name,
        gone.height(),
        raw.label,
    ));
    let rows = gone.column(ROW)?.as_materialized_series().clone();
    let mut source = raw
        .frame
        .clone()
        .lazy()
        .filter(col(ROW).is_in(lit(rows).implode(false), false))
        .rename([ROW], ["row"], true)
        .with_column(lit(format!("skipped by the profile: {rule}")).alias("reason"))
        .collect()?;
    let _ = source.drop_in_place(MALFORMED);
    match out.skipped.get_mut(table.name) {
        Some(before) => {
            let merged = concat(
                [before.clone().lazy(), source.lazy()],
                UnionArgs {
                    rechunk: true,
                    ..Default::default()
                },
            )?
            .collect()?;
            *before = merged;
        }
        None => {
            out.skipped.insert(table.name, source);
        }
    }
    Ok(mapped.filter(&!&skip)?)
}

/// Removes the rows `skip_when` names, recording them with the rule as reason.
pub(super) fn skip_rows(
    table: &'static Table,
    spec: &TableSpec,
    raw: &RawFile,
    out: &mut MappedExport,
) -> Result<DataFrame> {
    let mapped_keys = mapped_skip_keys(spec, raw);
    let Some(mask) = spec
        .skip_when
        .iter()
        .filter(|(column, _)| !mapped_keys.contains(column))
        .map(|(column, values)| {
            let list = Series::new("values".into(), values);
            crate::text::trimmed(col(column.as_str()))
                .is_in(lit(list).implode(false), false)
                .fill_null(lit(false))
        })
        .reduce(|a, b| a.or(b))
    else {
        return Ok(raw.frame.clone());
    };
    let rule = spec
        .skip_when
        .iter()
        .filter(|(column, _)| !mapped_keys.contains(column))
        .map(|(c, v)| format!("{c} in [{}]", v.join(", ")))
        .collect::<Vec<_>>()
        .join(" or ");
    // The mask is evaluated once; both halves are filtered from it.
    let skip = mask_of(&raw.frame, mask)?;
    let skipped = raw.frame.filter(&skip)?;
    if skipped.height() > 0 {
        out.notes.push(format!(
            "{}: {} row(s) of {} skipped by the profile ({rule}); `salesops ingest` lists them in rejects.csv",
            table.name,
            skipped.height(),
            raw.label,
        ));
        let mut skipped = skipped
            .lazy()
            .rename([ROW], ["row"], true)
            .with_column(lit(format!("skipped by the profile: {rule}")).alias("reason"))
            .collect()?;
        let _ = skipped.drop_in_place(MALFORMED);
        out.skipped.insert(table.name, skipped);
    }
    Ok(raw.frame.filter(&!&skip)?)
}

/// Keeps the first row of each complete key (rows without a full key stay,
/// for validation to report).
pub(super) fn first_of_each_key(table: &Table, frame: DataFrame) -> Result<DataFrame> {
    let (complete, key) = key_parts(table.key.iter().map(|k| col(*k)).collect());
    Ok(frame
        .lazy()
        .filter(complete.clone().not().or(key.is_first_distinct()))
        .collect()?)
}

/// Appends the profile's literal rows, numbered after the file's rows.
pub(super) fn with_literal_rows(
    frame: DataFrame,
    spec: &TableSpec,
    file_rows: u64,
) -> Result<DataFrame> {
    let mut names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| n != ROW)
        .collect();
    for row in &spec.rows {
        for k in row.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let height = frame.height();
    let mut base: Vec<Column> = vec![frame.column(ROW)?.clone()];
    for n in &names {
        base.push(match frame.column(n) {
            Ok(c) => c.clone(),
            Err(_) => Column::full_null(n.as_str().into(), height, &DataType::String),
        });
    }
    let rows: Vec<IdxSize> = (0..spec.rows.len())
        .map(|i| (file_rows as usize + i + 1) as IdxSize)
        .collect();
    let mut extra: Vec<Column> = vec![Column::new(ROW.into(), rows)];
    for n in &names {
        let values: Vec<Option<String>> = spec.rows.iter().map(|r| r.get(n).cloned()).collect();
        extra.push(Column::new(n.as_str().into(), values));
    }
    let mut out = DataFrame::new_infer_height(base)?;
    out.vstack_mut(&DataFrame::new_infer_height(extra)?)?;
    Ok(out)
}
