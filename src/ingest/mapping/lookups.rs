//! Lookups: a rule's source value looked up in another file (and on through
//! each `then`), with the checks that stop or warn on keys not found.

use polars::prelude::*;

use super::conversion::{as_number, cell};
use super::files::RawFile;
use super::MappedExport;
use crate::ingest::profile::Lookup;
use crate::ingest::validate::excerpt;
use crate::ingest::ROW;
use crate::{Error, Result};

pub(super) fn lookup_key(i: usize) -> String {
    format!("__lk{i}_key")
}

pub(super) fn lookup_value(i: usize) -> String {
    format!("__lk{i}_value")
}

/// The lookup file's key and value columns, renamed for the join; a key that
/// repeats with different values is refused (the lookup would be ambiguous).
pub(super) fn lookup_frame(
    raw: &RawFile,
    l: &Lookup,
    i: usize,
    null_tokens: &[String],
    value_as_number: bool,
) -> Result<LazyFrame> {
    // A key is an id: a date-formatted number cell is its number; the
    // value too, unless it feeds a date column.
    let mut numbered = vec![as_number(&raw.frame, &l.key)];
    if value_as_number && l.value != l.key {
        numbered.push(as_number(&raw.frame, &l.value));
    }
    let pairs = raw
        .frame
        .clone()
        .lazy()
        .with_columns(numbered.into_iter().flatten().collect::<Vec<_>>())
        .select([
            cell(&l.key, null_tokens).alias(lookup_key(i)),
            cell(&l.value, null_tokens).alias(lookup_value(i)),
            col(ROW),
        ])
        .filter(col(lookup_key(i)).is_not_null())
        .collect()?;
    let clashes = pairs
        .clone()
        .lazy()
        .group_by([col(lookup_key(i))])
        .agg([
            col(lookup_value(i)).n_unique().alias("n"),
            col(ROW).first().alias("first"),
            col(ROW).last().alias("last"),
        ])
        .filter(col("n").gt(lit(1)))
        .sort(["first"], SortMultipleOptions::default())
        .limit(1)
        .collect()?;
    if clashes.height() > 0 {
        let key = clashes
            .column(&lookup_key(i))?
            .str()?
            .get(0)
            .unwrap_or("")
            .to_string();
        let row = |name: &str| -> Result<u64> {
            Ok(clashes
                .column(name)?
                .cast(&DataType::UInt64)?
                .u64()?
                .get(0)
                .unwrap_or(0))
        };
        let (first, last) = (row("first")?, row("last")?);
        return Err(Error::Invalid(format!(
            "{}: lookup key {} `{key}` appears on rows {first} and {last} with different {} values; the lookup is ambiguous",
            raw.label, l.key, l.value
        )));
    }
    Ok(pairs
        .lazy()
        .unique_stable(Some(cols([lookup_key(i)])), UniqueKeepStrategy::First)
        .select([
            col(lookup_key(i)),
            col(lookup_value(i)),
            lit(true).alias(lookup_matched(i)),
        ]))
}

/// Marks a row whose lookup found its key (the value may still be empty).
fn lookup_matched(i: usize) -> String {
    format!("__lkm{i}")
}

/// One lookup rule as [`check_lookup`] reports on it.
pub(super) struct LookupUse<'a> {
    /// `orders.rep_id`.
    pub(super) what: String,
    /// The rule's lookup.
    pub(super) lookup: &'a Lookup,
    /// Its index among the table's rules (names its joined columns).
    pub(super) i: usize,
    /// The table's file label.
    pub(super) label: &'a str,
    /// The source column looked up.
    pub(super) source_column: &'a str,
    /// The lookup file.
    pub(super) target: &'a RawFile,
    /// Its key/value pairs.
    pub(super) target_keys: &'a LazyFrame,
}

/// A lookup is strict: when none of the table's keys is found in the
/// lookup file, the load stops, naming both files and columns with example
/// keys from each side (a date-formatted id column reads `2036-11-17` where
/// the other file has `50001`). Keys not found, and keys found on a row
/// whose value is empty, are two different warnings.
pub(super) fn check_lookup(
    looked_up: &LazyFrame,
    u: &LookupUse,
    out: &mut MappedExport,
) -> Result<()> {
    let (label, source_column, l, i, target) = (u.label, u.source_column, u.lookup, u.i, u.target);
    let key = col(lookup_key(i));
    let found = col(lookup_matched(i)).is_not_null();
    let counts = looked_up
        .clone()
        .select([
            key.clone()
                .is_not_null()
                .sum()
                .cast(DataType::Int64)
                .alias("keys"),
            found.clone().sum().cast(DataType::Int64).alias("found"),
            found
                .and(col(lookup_value(i)).is_null())
                .sum()
                .cast(DataType::Int64)
                .alias("empty"),
        ])
        .collect()?;
    let n = |c: &str| -> Result<i64> { Ok(counts.column(c)?.i64()?.get(0).unwrap_or(0)) };
    let (keys, found, empty) = (n("keys")?, n("found")?, n("empty")?);
    let examples = |lf: LazyFrame, c: Expr| -> Result<String> {
        let df = lf
            .select([c.alias("k")])
            .filter(col("k").is_not_null())
            .unique(None, UniqueKeepStrategy::Any)
            .sort(["k"], SortMultipleOptions::default())
            .limit(3)
            .collect()?;
        Ok(df
            .column("k")?
            .str()?
            .iter()
            .flatten()
            .map(|v| format!("`{}`", excerpt(v)))
            .collect::<Vec<_>>()
            .join(", "))
    };
    let what = format!(
        "{}: {source_column} of {label} looked up in {} {}",
        u.what, target.label, l.key
    );
    if keys > 0 && found == 0 {
        return Err(Error::Invalid(format!(
            "{what}: none of the {keys} value(s) is found ({label} has {}; {} {} has {}); check that both columns hold the same ids (a workbook column formatted as dates turns ids into dates)",
            examples(looked_up.clone(), key.clone())?,
            target.label,
            l.key,
            examples(u.target_keys.clone(), col(lookup_key(i)))?,
        )));
    }
    if let Some(limit) = l.max_unmatched_share {
        let share = (keys - found) as f64 / keys.max(1) as f64;
        if share > limit {
            return Err(Error::Invalid(format!(
                "{what}: {} of {keys} value(s) are not found there ({:.1} %), more than max_unmatched_share = {limit}",
                keys - found,
                share * 100.0
            )));
        }
    }
    if keys > found {
        let missing = looked_up.clone().filter(
            key.clone()
                .is_not_null()
                .and(col(lookup_matched(i)).is_null()),
        );
        out.notes.push(format!(
            "{what}: {} of {keys} row(s) have a value not found there (e.g. {}); they get no value",
            keys - found,
            examples(missing, key.clone())?
        ));
    }
    if empty > 0 {
        out.notes.push(format!(
            "{what}: {empty} row(s) found their key on a row whose {} is empty; they get no value",
            l.value
        ));
    }
    Ok(())
}
