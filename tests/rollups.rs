//! On generated data, every roll-up equals the sum of its rep rows for each
//! summable column to the cent, distinct counts are recounted (never above
//! the sum), and every ratio equals its recomputed parts (SPEC rule 11).

mod common;
use common::*;
use std::collections::BTreeMap;

/// Columns that must add up exactly from rep rows to any roll-up.
const SUMMABLE: &[&str] = &[
    "visits",
    "workdays",
    "sales_amount",
    "cost_amount",
    "gross_margin",
    "new_customers",
    "lost_customers",
    "invoiced_amount",
    "collected_amount",
    "receivables_end",
    "overdue_end",
    "opps_created",
    "opps_won",
    "opps_lost",
    "open_pipeline",
    "weighted_pipeline",
    "expenses_amount",
    "sales_target",
    "collection_target",
    "visit_target",
    "new_customer_target",
    "discount_violations",
    "cross_region_lines",
];

/// Distinct counts: recounted at group level, so at most the sum of rep rows.
const DISTINCT: &[&str] = &["visited_customers", "active_customers", "orders"];

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
        for column in SUMMABLE {
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
        for column in DISTINCT {
            let sums = rep_sums(&reps, key, column);
            for row in &t.rows {
                let group = t.get(row, key_col);
                assert!(
                    exact(t.get(row, column)) <= sums[group],
                    "{file} {group} {column}"
                );
            }
        }
        for row in &t.rows {
            let v = |c: &str| exact(t.get(row, c));
            let r = |c: &str| t.get(row, c);
            let what = |c: &str| format!("{file} {} {c}", t.get(row, key_col));
            ratio_close(
                r("visits_per_workday"),
                v("visits"),
                v("workdays"),
                1.0,
                &what("visits_per_workday"),
            );
            ratio_close(
                r("gross_margin_pct"),
                v("gross_margin"),
                v("sales_amount"),
                1.0,
                &what("gross_margin_pct"),
            );
            ratio_close(
                r("avg_order_value"),
                v("sales_amount"),
                v("orders"),
                0.01,
                &what("avg_order_value"),
            );
            ratio_close(
                r("orders_per_100_visits"),
                v("orders"),
                v("visits"),
                100.0,
                &what("orders_per_100_visits"),
            );
            ratio_close(
                r("sales_per_visit"),
                v("sales_amount"),
                v("visits"),
                0.01,
                &what("sales_per_visit"),
            );
            ratio_close(
                r("collection_ratio"),
                v("collected_amount"),
                v("invoiced_amount"),
                1.0,
                &what("collection_ratio"),
            );
            ratio_close(
                r("overdue_ratio"),
                v("overdue_end"),
                v("receivables_end"),
                1.0,
                &what("overdue_ratio"),
            );
            let closed = v("opps_won").zip(v("opps_lost")).map(|(w, l)| w + l);
            ratio_close(r("win_rate"), v("opps_won"), closed, 1.0, &what("win_rate"));
            ratio_close(
                r("expense_ratio"),
                v("expenses_amount"),
                v("sales_amount"),
                1.0,
                &what("expense_ratio"),
            );
            ratio_close(
                r("sales_attainment"),
                v("sales_amount"),
                v("sales_target"),
                1.0,
                &what("sales_attainment"),
            );
            ratio_close(
                r("collection_attainment"),
                v("collected_amount"),
                v("collection_target"),
                1.0,
                &what("collection_attainment"),
            );
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
