use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use super::*;
use crate::schema::{Kind, TABLES};

const TINY: f64 = 0.02;

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()
}

fn gen(dir: &Path, seed: u64, format: GenFormat) -> GenerateSummary {
    generate(&GenerateOptions {
        out: dir.to_path_buf(),
        scale: TINY,
        seed,
        format,
        end_date: end(),
        plant_anomalies: false,
    })
    .unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Every table as (header, rows) of raw CSV text.
type CsvTables = BTreeMap<&'static str, (Vec<String>, Vec<Vec<String>>)>;

fn read_csv(dir: &Path) -> CsvTables {
    TABLES
        .iter()
        .map(|t| {
            let mut r = csv::Reader::from_path(dir.join(format!("{}.csv", t.name))).unwrap();
            let header = r.headers().unwrap().iter().map(String::from).collect();
            let rows = r
                .records()
                .map(|rec| rec.unwrap().iter().map(String::from).collect())
                .collect();
            (t.name, (header, rows))
        })
        .collect()
}

fn decimals(s: &str) -> usize {
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// Parses decimal text into an integer at `scale` decimals.
fn scaled(s: &str, scale: u32) -> i128 {
    let (neg, body) = s.strip_prefix('-').map_or((false, s), |b| (true, b));
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    assert!(frac.len() <= scale as usize, "{s} has too many decimals");
    let v = format!("{int}{frac:0<width$}", width = scale as usize)
        .parse::<i128>()
        .unwrap();
    if neg {
        -v
    } else {
        v
    }
}

#[test]
fn layout_matches_schema() {
    check_layout().unwrap();
}

#[test]
fn same_seed_gives_identical_files_and_other_seed_differs() {
    for format in [GenFormat::Csv, GenFormat::Parquet] {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        gen(a.path(), 7, format);
        gen(b.path(), 7, format);
        gen(c.path(), 8, format);
        let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
        assert_eq!(fa.len(), TABLES.len(), "one file per table, no leftovers");
        assert_eq!(fa, fb, "{format:?}: same seed, same bytes");
        for name in ["visits", "orders", "customers"] {
            let ext = if format == GenFormat::Csv {
                "csv"
            } else {
                "parquet"
            };
            let f = format!("{name}.{ext}");
            assert_ne!(fa[&f], fc[&f], "{format:?}: {f} must depend on the seed");
        }
    }
}

#[test]
fn csv_is_valid_and_every_reference_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let summary = gen(dir.path(), 42, GenFormat::Csv);
    let data = read_csv(dir.path());
    let end_text = end().format("%Y-%m-%d").to_string();
    let mut keys: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
    for t in TABLES {
        let (header, rows) = &data[t.name];
        let names: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        assert_eq!(header, &names, "{}: header", t.name);
        let count = summary.rows.iter().find(|r| r.0 == t.name).unwrap().1;
        assert_eq!(rows.len() as u64, count, "{}: summary count", t.name);
        assert!(!rows.is_empty(), "{} is empty", t.name);
        let mut seen = BTreeSet::new();
        for (i, row) in rows.iter().enumerate() {
            let key: Vec<&str> = t
                .key
                .iter()
                .map(|k| row[names.iter().position(|n| n == k).unwrap()].as_str())
                .collect();
            assert!(
                seen.insert(key.join("\u{1}")),
                "{}: duplicate key {key:?}",
                t.name
            );
            for (c, v) in t.columns.iter().zip(row) {
                let at = format!("{} row {} {}={v:?}", t.name, i + 1, c.name);
                if v.is_empty() {
                    assert!(!c.required, "{at}: required value empty");
                    continue;
                }
                match c.kind {
                    Kind::Money => {
                        assert!(decimals(v) <= 2, "{at}");
                        scaled(v, 2);
                    }
                    Kind::Price | Kind::Quantity => {
                        assert!(decimals(v) <= 4, "{at}");
                        scaled(v, 4);
                    }
                    Kind::Date => {
                        NaiveDate::parse_from_str(v, "%Y-%m-%d").expect(&at);
                        let future_ok = t.name == "calendar" || c.name == "due_date";
                        assert!(
                            future_ok || v.as_str() <= end_text.as_str(),
                            "{at}: after end"
                        );
                    }
                    Kind::Datetime => {
                        chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").expect(&at);
                        assert!(&v[..10] <= end_text.as_str(), "{at}: after end");
                    }
                    Kind::Int => {
                        v.parse::<i64>().expect(&at);
                    }
                    Kind::Ratio => {
                        let p: f64 = v.parse().expect(&at);
                        assert!((0.0..=1.0).contains(&p), "{at}");
                    }
                    Kind::Bool => assert!(v == "true" || v == "false", "{at}"),
                    Kind::Period => {
                        let re = regex::Regex::new(crate::ingest::parse_period_pattern()).unwrap();
                        assert!(re.is_match(v), "{at}");
                    }
                    Kind::Id | Kind::Text => {}
                }
            }
        }
        for k in t.key.iter().filter(|_| t.key.len() == 1) {
            let pos = names.iter().position(|n| n == k).unwrap();
            keys.insert((t.name, *k), rows.iter().map(|r| r[pos].clone()).collect());
        }
    }
    // invoices.order_id refers to orders.order_id, part of a composite key.
    let orders = &data["orders"].1;
    keys.insert(
        ("orders", "order_id"),
        orders.iter().map(|r| r[0].clone()).collect(),
    );
    for t in TABLES {
        let (header, rows) = &data[t.name];
        for r in t.references {
            let pos = header.iter().position(|h| h == r.column).unwrap();
            let target = &keys[&(r.table, r.key)];
            for (i, row) in rows.iter().enumerate() {
                let v = &row[pos];
                assert!(
                    v.is_empty() || target.contains(v),
                    "{} row {}: {}={v} not in {}.{}",
                    t.name,
                    i + 1,
                    r.column,
                    r.table,
                    r.key
                );
            }
        }
    }
    // Opportunities: stage vocabulary; won / lost always closed.
    for row in &data["opportunities"].1 {
        let stage = row[4].as_str();
        assert!(
            [
                "lead",
                "contact",
                "needs_analysis",
                "demo",
                "negotiation",
                "won",
                "lost"
            ]
            .contains(&stage),
            "{stage}"
        );
        assert_eq!(
            matches!(stage, "won" | "lost"),
            !row[6].is_empty(),
            "close_date iff closed: {row:?}"
        );
    }
    // Some of the edge cases of real exports, even at a tiny scale.
    let orders_status: Vec<&str> = orders.iter().map(|r| r[11].as_str()).collect();
    assert!(orders_status
        .iter()
        .any(|s| s.trim().eq_ignore_ascii_case("cancelled")));
    assert!(orders.iter().any(|r| r[6].starts_with('-')), "returns");
    assert!(
        orders.iter().any(|r| r[8].is_empty()),
        "line without list price"
    );
    assert!(data["customers"].1.iter().any(|r| r[1].contains('\n')));
    assert!(data["customers"].1.iter().any(|r| r[1].contains('"')));
    assert!(data["products"].1.iter().any(|r| r[1].contains(',')));
    assert!(
        data["invoices"].1.iter().any(|r| r[4].starts_with('-')),
        "credit note"
    );
    assert!(
        data["payments"].1.iter().any(|r| r[3].starts_with('-')),
        "refund"
    );
    assert!(
        data["visits"].1.iter().any(|r| r[4].is_empty()),
        "null duration"
    );
    assert!(data["reps"].1.iter().any(|r| !r[7].is_empty()), "leaver");
    let periods: BTreeSet<&str> = data["targets"].1.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(periods.len(), 18);
    assert!(periods.contains("2025-05") && periods.contains("2026-10"));
}

/// Value of one Parquet cell as the CSV writer would print it, for comparison.
fn parquet_cells(s: &Series, kind: Kind) -> Vec<Option<String>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    match kind {
        Kind::Id | Kind::Text | Kind::Period => s
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(String::from))
            .collect(),
        Kind::Date => s
            .date()
            .unwrap()
            .physical()
            .iter()
            .map(|v| v.map(|d| (epoch + chrono::TimeDelta::days(d.into())).to_string()))
            .collect(),
        Kind::Datetime => s
            .datetime()
            .unwrap()
            .physical()
            .iter()
            .map(|v| {
                v.map(|ms| {
                    chrono::DateTime::from_timestamp_millis(ms)
                        .unwrap()
                        .naive_utc()
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                })
            })
            .collect(),
        Kind::Int => s
            .i64()
            .unwrap()
            .iter()
            .map(|v| v.map(|x| x.to_string()))
            .collect(),
        Kind::Ratio => s
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.map(|x| x.to_string()))
            .collect(),
        Kind::Bool => s
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.map(|x| x.to_string()))
            .collect(),
        Kind::Money | Kind::Price | Kind::Quantity => s
            .decimal()
            .unwrap()
            .physical()
            .iter()
            .map(|v| v.map(|x| x.to_string()))
            .collect(),
    }
}

#[test]
fn csv_and_parquet_hold_the_same_values() {
    let (c, p) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    gen(c.path(), 3, GenFormat::Csv);
    gen(p.path(), 3, GenFormat::Parquet);
    let data = read_csv(c.path());
    for t in TABLES {
        let file = std::fs::File::open(p.path().join(format!("{}.parquet", t.name))).unwrap();
        let df = ParquetReader::new(file).finish().unwrap();
        let rows = &data[t.name].1;
        assert_eq!(df.height(), rows.len(), "{}", t.name);
        for (j, col) in t.columns.iter().enumerate() {
            let s = df
                .column(col.name)
                .unwrap()
                .as_materialized_series()
                .clone();
            assert_eq!(
                s.dtype(),
                &super::sink::parquet_dtype(col.kind),
                "{}.{}",
                t.name,
                col.name
            );
            for (i, cell) in parquet_cells(&s, col.kind).into_iter().enumerate() {
                let text = &rows[i][j];
                let expect = match col.kind {
                    _ if text.is_empty() => None,
                    Kind::Money => Some(scaled(text, 2).to_string()),
                    Kind::Price | Kind::Quantity => Some(scaled(text, 4).to_string()),
                    _ => Some(text.clone()),
                };
                assert_eq!(cell, expect, "{} row {} {}", t.name, i + 1, col.name);
            }
        }
    }
}

#[test]
fn bad_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for scale in [0.0, -1.0, f64::NAN, 1e9] {
        let err = generate(&GenerateOptions {
            out: dir.path().to_path_buf(),
            scale,
            seed: 1,
            format: GenFormat::Csv,
            end_date: end(),
            plant_anomalies: false,
        })
        .err()
        .unwrap();
        assert!(matches!(err, Error::Usage(_)), "{scale}: {err}");
    }
}
