//! On generated data, every roll-up equals the sum of its rep rows for each
//! summable column to the cent, distinct counts are recounted (never above
//! the sum), and every ratio equals its recomputed parts (SPEC rule 11).

mod common;
use common::*;
use std::collections::BTreeMap;

use salesops::kpi::catalog::{Rollup, CATALOG};

/// Per-rep columns of the catalogue with a roll-up rule.
fn rep_columns(rule: impl Fn(&Rollup) -> bool) -> Vec<&'static str> {
    CATALOG
        .iter()
        .filter(|k| !k.rollup_only && rule(&k.rollup))
        .map(|k| k.name)
        .collect()
}

/// Exact integer value of a money or count cell ("123.45" → 12345, "7" → 7).
fn exact(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    Some(
        text.replace('.', "")
            .parse()
            .unwrap_or_else(|_| panic!("not exact: {text}")),
    )
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &std::path::Path) -> Table {
        let mut rows = csv_rows(&std::fs::read_to_string(path).unwrap());
        let header = rows.remove(0);
        Table { header, rows }
    }
    fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        let i = self
            .header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        &row[i]
    }
}

fn kpi_out() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "kpi",
        "--data",
        "sample_data",
        "--period",
        "2026-Q3",
        "--as-of",
        "2026-09-20",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// Σ over rep rows of a column per group value (None when every row is empty).
fn rep_sums(reps: &Table, key: Option<&str>, column: &str) -> BTreeMap<String, Option<i64>> {
    let mut sums: BTreeMap<String, Option<i64>> = BTreeMap::new();
    for row in &reps.rows {
        let group = key.map_or("company".to_string(), |k| reps.get(row, k).to_string());
        let entry = sums.entry(group).or_insert(None);
        if let Some(v) = exact(reps.get(row, column)) {
            *entry = Some(entry.unwrap_or(0) + v);
        }
    }
    sums
}

fn ratio_close(got: &str, num: Option<i64>, den: Option<i64>, scale: f64, what: &str) {
    match (num, den) {
        (Some(n), Some(d)) if d != 0 => {
            let want = n as f64 / d as f64 * scale;
            let g: f64 = got
                .parse()
                .unwrap_or_else(|_| panic!("{what}: {got:?} should be {want}"));
            assert!(
                (g - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{what}: {g} != {want}"
            );
        }
        _ => assert_eq!(got, "", "{what}: zero or null denominator must give null"),
    }
}

#[test]
fn rollups_equal_the_sum_of_rep_rows_and_ratios_their_parts() {
    let out = kpi_out();
    let reps = Table::read(&out.path().join("scorecard.csv"));
    assert!(reps.rows.len() >= 8);
    for (file, key) in [
        ("rollup_team.csv", Some("team")),
        ("rollup_region.csv", Some("region")),
        ("company.csv", None),
    ] {
        let t = Table::read(&out.path().join(file));
        let key_col = key.unwrap_or("scope");
        let mut checked = 0;
        let summable = rep_columns(|r| *r == Rollup::Sum);
        assert!(summable.len() >= 20, "{summable:?}");
        for column in summable {
            let sums = rep_sums(&reps, key, column);
            for row in &t.rows {
                let group = t.get(row, key_col);
                assert_eq!(
                    exact(t.get(row, column)),
                    sums[group],
                    "{file} {group} {column}"
                );
                checked += 1;
            }
        }
        assert!(checked > 0);
        for column in rep_columns(|r| *r == Rollup::Recount) {
            let sums = rep_sums(&reps, key, column);
            for row in &t.rows {
                let group = t.get(row, key_col);
                assert!(
                    exact(t.get(row, column)) <= sums[group],
                    "{file} {group} {column}"
                );
            }
        }
        let targeted = |numerator: &str, denominator: &str| -> BTreeMap<String, (i64, i64)> {
            // Σ numerator and Σ target over the members with a target (rule 11).
            let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
            for row in &reps.rows {
                let group = key.map_or("company".to_string(), |k| reps.get(row, k).to_string());
                if let Some(target) = exact(reps.get(row, denominator)) {
                    let e = sums.entry(group).or_insert((0, 0));
                    e.0 += exact(reps.get(row, numerator)).unwrap_or(0);
                    e.1 += target;
                }
            }
            sums
        };
        let mut ratios = 0;
        for row in &t.rows {
            let v = |c: &str| exact(t.get(row, c));
            let r = |c: &str| t.get(row, c);
            let group = t.get(row, key_col);
            let what = |c: &str| format!("{file} {group} {c}");
            for k in CATALOG {
                match k.rollup {
                    Rollup::FromParts {
                        numerator,
                        denominator,
                        scale,
                    } => {
                        let den = denominator
                            .iter()
                            .map(|c| v(c))
                            .try_fold(0i64, |acc, x| x.map(|x| acc + x));
                        ratio_close(r(k.name), v(numerator), den, scale, &what(k.name));
                        ratios += 1;
                    }
                    Rollup::TargetedOnly {
                        numerator,
                        denominator,
                    } => {
                        let parts = targeted(numerator, denominator).get(group).copied();
                        ratio_close(
                            r(k.name),
                            parts.map(|p| p.0),
                            parts.map(|p| p.1),
                            1.0,
                            &what(k.name),
                        );
                        ratios += 1;
                    }
                    Rollup::Same => assert_eq!(r(k.name), reps.get(&reps.rows[0], k.name)),
                    _ => {}
                }
            }
            let aging: i64 = [
                "aging_not_due",
                "aging_1_30",
                "aging_31_60",
                "aging_61_90",
                "aging_91_plus",
            ]
            .iter()
            .map(|c| v(c).unwrap())
            .sum();
            assert_eq!(
                Some(aging),
                v("receivables_end"),
                "{}",
                what("aging buckets")
            );
        }
        assert!(ratios >= 10 * t.rows.len(), "{ratios} ratio checks");
    }
}

#[test]
fn aging_table_matches_the_scorecard_receivables() {
    let out = kpi_out();
    let reps = Table::read(&out.path().join("scorecard.csv"));
    let aging = Table::read(&out.path().join("aging.csv"));
    assert_eq!(aging.rows.len(), reps.rows.len());
    for (a, r) in aging.rows.iter().zip(&reps.rows) {
        assert_eq!(aging.get(a, "rep_id"), reps.get(r, "rep_id"));
        assert_eq!(
            exact(aging.get(a, "total")),
            exact(reps.get(r, "receivables_end"))
        );
    }
}
