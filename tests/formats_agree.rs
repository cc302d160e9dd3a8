//! The CSV and Parquet forms of the same generated data give identical KPI
//! tables, byte for byte.

mod common;
use common::*;

fn generate(dir: &std::path::Path, format: &str) {
    let o = run(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--scale",
        "0.03",
        "--seed",
        "7",
        "--format",
        format,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn kpi_tables(data: &std::path::Path, out: &std::path::Path) {
    let o = run(&[
        "kpi",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-Q3",
        "--as-of",
        "2026-08-20",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn csv_and_parquet_inputs_give_identical_kpi_tables() {
    let root = tempfile::tempdir().unwrap();
    let (csv, parquet) = (root.path().join("csv"), root.path().join("parquet"));
    generate(&csv, "csv");
    generate(&parquet, "parquet");
    let (out_csv, out_parquet) = (root.path().join("out_csv"), root.path().join("out_parquet"));
    kpi_tables(&csv, &out_csv);
    kpi_tables(&parquet, &out_parquet);
    let mut names: Vec<_> = std::fs::read_dir(&out_csv)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let a = std::fs::read(out_csv.join(&name)).unwrap();
        let b = std::fs::read(out_parquet.join(&name)).unwrap();
        assert!(a == b, "{name:?} differs between CSV and Parquet input");
    }
    // And the scorecard really holds data, so the comparison means something.
    let sc = std::fs::read_to_string(out_csv.join("scorecard.csv")).unwrap();
    let rows = csv_rows(&sc);
    let sales = rows[0].iter().position(|h| h == "sales_amount").unwrap();
    assert!(rows[1..]
        .iter()
        .any(|r| r[sales] != "0.00" && !r[sales].is_empty()));
}
