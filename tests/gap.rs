//! `salesops gap` on a fixture worked by hand (SPEC section 8).

mod common;
use common::{csv_rows, run_in, stderr, stdout};

/// October 2026 has 22 weekdays and no rep a hire or leave date, so each
/// rep has 22 workdays. Team T1 (R1, R2): 400.00 in 44 workdays, 8 visits,
/// 3 orders; each rep's standard is 400.00 × 22 / 44 = 200.00.
/// - R1: 4 visits, 2 orders, 300.00 (conversion 0.5 against 0.375, order
///   value 150.00 against 133.33): gap +100.00. L(300, 200) = 100 / ln 1.5;
///   conversion L·ln(4/3) = 70.9511…, order value L·ln 1.125 = 29.0488…:
///   70.95 + 29.05.
/// - R2: 4 visits, 1 order, 100.00: gap −100.00 = conversion −58.4962… →
///   −58.50, order value −41.5037… → −41.50.
/// - R3, alone in T2, sells without visits: at his own standard.
fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "reps.csv",
            "rep_id,rep_name,region,team,role,leave_date\nR1,Ann,N,T1,rep,\nR2,Bo,N,T1,rep,\nR3,Cy,S,T2,rep,\nR4,Di,N,T1,rep,2025-06-30\n",
        ),
        (
            "customers.csv",
            "customer_id,customer_name,region\nC1,One,N\nC2,Two,N\nC3,Three,S\n",
        ),
        ("products.csv", "product_id,product_name\nP1,Widget\n"),
        (
            "visits.csv",
            "visit_id,rep_id,customer_id,visit_start\n\
             V1,R1,C1,2026-10-05 09:00\nV2,R1,C1,2026-10-06 09:00\n\
             V3,R1,C2,2026-10-07 09:00\nV4,R1,C2,2026-10-08 09:00\n\
             V5,R2,C2,2026-10-05 09:00\nV6,R2,C2,2026-10-06 09:00\n\
             V7,R2,C1,2026-10-07 09:00\nV8,R2,C1,2026-10-08 09:00\n",
        ),
        (
            "orders.csv",
            "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
             O1,1,2026-10-05,R1,C1,P1,1,100\nO2,1,2026-10-07,R1,C2,P1,2,100\n\
             O3,1,2026-10-06,R2,C2,P1,1,100\nO4,1,2026-10-09,R3,C3,P1,1,50\n",
        ),
        (
            "targets.csv",
            "period,rep_id,sales_target\n2026-10,R1,250.00\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `salesops gap` for October 2026 as CSV, with `extra` options.
fn gap(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "gap",
        "--data",
        ".",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn each_gap_splits_into_driver_contributions_that_sum_to_it() {
    let dir = data();
    let o = gap(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    assert_eq!(
        rows[0],
        [
            "period",
            "rep_id",
            "rep_name",
            "team",
            "sales_amount",
            "standard_sales",
            "gap",
            "contrib_workdays",
            "contrib_visits_per_workday",
            "contrib_conversion",
            "contrib_order_value",
            "target_gap",
            "reading"
        ]
    );
    let money: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| r[1..12].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        money,
        [
            [
                "R1", "Ann", "T1", "300.00", "200.00", "100.00", "0.00", "0.00", "70.95", "29.05",
                "50.00"
            ],
            [
                "R2", "Bo", "T1", "100.00", "200.00", "-100.00", "0.00", "0.00", "-58.50",
                "-41.50", ""
            ],
            ["R3", "Cy", "T2", "50.00", "50.00", "0.00", "0.00", "0.00", "0.00", "0.00", ""],
            // R4 left in 2025: no standard, and the reading says why.
            ["R4", "Di", "T1", "0.00", "", "", "", "", "", "", ""],
        ]
    );
    assert_eq!(
        rows[4][12],
        "not employed in the period (no workday, visit or order)"
    );
    assert_eq!(
        rows[2][12],
        "below the team standard by 100.00: conversion −58.50, order value −41.50"
    );
    // The reading in Chinese, one rep.
    let o = gap(dir.path(), &["--lang", "zh", "--rep", "R1"]);
    let rows = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1][12],
        "高于团队标准 100.00：转化率 +70.95，客单价 +29.05"
    );
}
