//! `salesops plan` (SPEC section 8): a decomposition worked by hand through
//! the binary, read back by the scorecard; growth on generated data;
//! overrides; refusals.
//!
//! The company (as in `src/plan/decompose_tests.rs`): region North with
//! teams N1 (A, B) and N2 (C); region South with team S1 (D, who leaves on
//! 2027-03-31, and E, hired 2027-07-01). Base year 2026 (as_of
//! 2026-12-31): every month the same sales, A 60,000, B 20,000, C 20,000
//! and D 100,000 a month, so the months weigh equally and the rates are
//! 720,000 / 240,000 / 240,000 / 1,200,000 over 261 workdays.
//! history_weight 0.5, ramp 1 month, total 1,200,000.00:
//! - regions 0.5 / 0.5 → 600,000.00 each;
//! - North's teams: history 0.8 / 0.2, blended 0.65 / 0.35 → N1
//!   390,000.00, N2 210,000.00;
//! - N1's reps: rates 0.75 / 0.25, blended 0.625 / 0.375 → A 243,750.00
//!   (20,312.50 a month), B 146,250.00;
//! - S1: E has no history and counts at D's rate, so 0.5 / 0.5 blended; D
//!   carries 3 months, E half of July (ramp) and 5 more: D 6/17 of
//!   600,000.00 = 211,764.71 (the leftover cent: .588 beats .412), E
//!   388,235.29.

mod common;
use std::path::Path;

use common::{cell, csv_rows, run_in, stderr, stdout};

const CONFIG: &str = "[plan]\nhistory_weight = 0.5\nramp_months = 1\n";

fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let reps = "rep_id,rep_name,region,team,role,hire_date,leave_date\n\
                A,Ann,North,N1,rep,2020-01-01,\n\
                B,Bo,North,N1,rep,2020-01-01,\n\
                C,Cy,North,N2,rep,2020-01-01,\n\
                D,Di,South,S1,rep,2020-01-01,2027-03-31\n\
                E,Ed,South,S1,rep,2027-07-01,\n";
    let mut orders = String::from(
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n",
    );
    for month in 1..=12 {
        for (rep, price) in [("A", 60_000), ("B", 20_000), ("C", 20_000), ("D", 100_000)] {
            orders.push_str(&format!(
                "O{rep}{month},1,2026-{month:02}-10,{rep},K1,P1,1,{price}\n"
            ));
        }
    }
    for (name, text) in [
        ("reps.csv", reps),
        (
            "customers.csv",
            "customer_id,customer_name,region\nK1,Key,North\n",
        ),
        ("products.csv", "product_id,product_name\nP1,Widget\n"),
        ("orders.csv", orders.as_str()),
        ("plan.toml", CONFIG),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `salesops plan` on `dir` as of 2026-12-31 for 2027 with `extra`.
fn plan(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "plan",
        "--data",
        ".",
        "--year",
        "2027",
        "--as-of",
        "2026-12-31",
        "--config",
        "plan.toml",
        "--out",
        "targets.csv",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn read(dir: &Path, file: &str) -> Vec<Vec<String>> {
    csv_rows(&std::fs::read_to_string(dir.join(file)).unwrap())
}

/// The `column` values of `rep`'s rows, in file order.
fn rep_column(rows: &[Vec<String>], rep: &str, column: &str) -> Vec<String> {
    let c = rows[0].iter().position(|h| h == column).unwrap();
    rows[1..]
        .iter()
        .filter(|r| r[1] == rep)
        .map(|r| r[c].clone())
        .collect()
}

#[test]
fn a_three_level_plan_with_a_leaver_and_a_new_hire_reads_back_through_the_scorecard() {
    let dir = data();
    let o = plan(
        dir.path(),
        &[
            "--total",
            "1200000",
            "--collection-ratio",
            "0.9",
            "--explain",
            "explain.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("plan 2027: 1,200,000.00 to 5 rep(s) in 3 team(s), 2 region(s); base year 2026-01-01..2026-12-31; months shaped by the base year's sales"),
        "{}",
        stdout(&o)
    );
    let t = read(dir.path(), "targets.csv");
    assert_eq!(
        t[0],
        [
            "period",
            "rep_id",
            "sales_target",
            "collection_target",
            "visit_target",
            "new_customer_target"
        ]
    );
    assert_eq!(rep_column(&t, "A", "sales_target"), vec!["20312.50"; 12]);
    assert_eq!(
        rep_column(&t, "D", "period"),
        ["2027-01", "2027-02", "2027-03"]
    );
    assert_eq!(
        rep_column(&t, "D", "sales_target"),
        ["70588.24", "70588.24", "70588.23"]
    );
    assert_eq!(
        rep_column(&t, "E", "period"),
        ["2027-07", "2027-08", "2027-09", "2027-10", "2027-11", "2027-12"]
    );
    assert_eq!(
        rep_column(&t, "E", "sales_target"),
        ["35294.12", "70588.24", "70588.24", "70588.23", "70588.23", "70588.23"]
    );
    // Visit and new-customer targets are not planned: empty, never 0.
    assert!(t[1..].iter().all(|r| r[4].is_empty() && r[5].is_empty()));

    // Fed to the next run unchanged, the scorecard reads the same targets.
    std::fs::copy(
        dir.path().join("targets.csv"),
        dir.path().join("data_targets.csv"),
    )
    .unwrap();
    std::fs::rename(
        dir.path().join("data_targets.csv"),
        dir.path().join("targets.csv"),
    )
    .unwrap();
    let card = |by: &str| {
        let o = run_in(
            dir.path(),
            &[
                "scorecard",
                "--data",
                ".",
                "--period",
                "2027",
                "--as-of",
                "2027-12-31",
                "--by",
                by,
                "--format",
                "csv",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        csv_rows(&stdout(&o))
    };
    let company = card("company");
    assert_eq!(
        cell(&company, "scope", "company", "sales_target"),
        "1200000.00"
    );
    assert_eq!(
        cell(&company, "scope", "company", "collection_target"),
        "1080000.00"
    );
    let teams = card("team");
    assert_eq!(cell(&teams, "team", "N1", "sales_target"), "390000.00");
    assert_eq!(cell(&teams, "team", "N2", "sales_target"), "210000.00");
    assert_eq!(cell(&teams, "team", "S1", "sales_target"), "600000.00");
    let reps = card("rep");
    assert_eq!(cell(&reps, "rep_id", "B", "sales_target"), "146250.00");
    assert_eq!(cell(&reps, "rep_id", "D", "sales_target"), "211764.71");
    assert_eq!(cell(&reps, "rep_id", "E", "sales_target"), "388235.29");
    // 540,000.00 × 211,764.71 / 600,000.00 = 190,588.239 → D keeps .24.
    assert_eq!(cell(&reps, "rep_id", "D", "collection_target"), "190588.24");
}

#[test]
fn the_explanation_says_why_each_unit_got_its_share() {
    let dir = data();
    let o = plan(
        dir.path(),
        &["--total", "1200000", "--explain", "explain.csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = read(dir.path(), "explain.csv");
    let why = |unit: &str| cell(&e, "unit", unit, "why");
    assert_eq!(
        why("N1"),
        "base-year sales 960,000.00 = 80.0% of the region's teams; blended 0.5 × 80.0% + 0.5 × 50.0% = 65.0%; 65.0% of region `North`'s 600,000.00"
    );
    assert_eq!(
        why("A"),
        "base-year sales 720,000.00 over 261 workdays (2,758.62 a workday) = 75.0% of the team's reps' rate; blended 0.5 × 75.0% + 0.5 × 50.0% = 62.5%; carries the whole year; 62.5% of team `N1`'s 390,000.00"
    );
    assert_eq!(
        why("E"),
        "no workday in the base year: counted at the mean of the team's reps (50.0%); blended 0.5 × 50.0% + 0.5 × 50.0% = 50.0%; hired 2027-07-01: carries 45.8% of the year; 64.7% of team `S1`'s 600,000.00"
    );
    assert_eq!(
        why("D"),
        "base-year sales 1,200,000.00 over 261 workdays (4,597.70 a workday) = 50.0% of the team's reps' rate; blended 0.5 × 50.0% + 0.5 × 50.0% = 50.0%; leaves 2027-03-31: carries 25.0% of the year; 35.3% of team `S1`'s 600,000.00"
    );
    // February: A 20,312.50 + B 12,187.50 + C 17,500.00 + D 70,588.24
    // (E is not hired yet): the leaver's months carry his whole target.
    assert_eq!(cell(&e, "unit", "2027-02", "sales_target"), "120588.24");
    assert_eq!(
        cell(&e, "unit", "company", "why"),
        "the total given: 1,200,000.00"
    );
}

#[test]
fn growth_is_measured_on_the_base_year() {
    let dir = data();
    let o = plan(dir.path(), &["--growth", "0.1", "--explain", "explain.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 2,400,000.00 × 1.1.
    assert!(
        stdout(&o).contains("plan 2027: 2,640,000.00 to 5 rep(s)"),
        "{}",
        stdout(&o)
    );
    let e = read(dir.path(), "explain.csv");
    assert_eq!(
        cell(&e, "unit", "company", "why"),
        "base-year sales 2,400,000.00 (2026-01-01..2026-12-31) × (1 + 0.1) = 2,640,000.00"
    );
    // Half a year of history is not a base year to grow.
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--data",
            ".",
            "--year",
            "2027",
            "--as-of",
            "2026-06-30",
            "--growth",
            "0.1",
            "--out",
            "half.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("--growth needs a full base year of sales (2025-07-01..2026-06-30) but the orders run 2026-01-10..2026-06-10"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("half.csv").exists());
}

#[test]
fn overrides_are_honoured_and_the_rest_is_respread() {
    let dir = data();
    std::fs::write(
        dir.path().join("fixed.csv"),
        "level,id,sales_target\nteam,N2,300000\nrep,A,200000.00\n",
    )
    .unwrap();
    let o = plan(
        dir.path(),
        &["--total", "1200000", "--overrides", "fixed.csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = read(dir.path(), "targets.csv");
    let sum = |rep: &str| -> i64 {
        rep_column(&t, rep, "sales_target")
            .iter()
            .map(|v| v.replace('.', "").parse::<i64>().unwrap())
            .sum()
    };
    assert_eq!(sum("A"), 20_000_000);
    assert_eq!(sum("C"), 30_000_000);
    // The free 700,000.00 goes to B (0.5 × 0.65 × 0.375) and South (0.5).
    assert_eq!(sum("B"), 13_718_593);
    assert_eq!(sum("D") + sum("E"), 56_281_407);
}

#[test]
fn bad_overrides_are_refused_naming_row_column_and_value() {
    let dir = data();
    let cases = [
        (
            "level,id,sales_target\nrep,Z,100\n",
            3,
            "row 1: rep `Z` carries no target in this plan",
        ),
        (
            "level,id,sales_target\nrep,A,lots\n",
            2,
            "row 1, column sales_target: `lots` is not an amount of money",
        ),
        (
            "level,id,sales_target\nrep,A,1\nrep,A,2\n",
            2,
            "row 2, column id: `A` is fixed twice (first on row 1)",
        ),
        (
            "level,id,sales_target\ncompany,x,1\n",
            2,
            "column level: `company` is not region, team or rep",
        ),
        (
            "level,id,amount\nrep,A,1\n",
            2,
            "column `amount` is not one of level, id, sales_target",
        ),
        (
            "level,id,sales_target\nregion,North,1300000\n",
            3,
            "overrides under the company sum to 1,300,000.00, more than its target 1,200,000.00",
        ),
    ];
    for (text, code, message) in cases {
        std::fs::write(dir.path().join("fixed.csv"), text).unwrap();
        let o = plan(
            dir.path(),
            &["--total", "1200000", "--overrides", "fixed.csv"],
        );
        assert_eq!(o.status.code(), Some(code), "{text}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{text}: {}", stderr(&o));
        assert!(!dir.path().join("targets.csv").exists(), "{text}");
    }
}

#[test]
fn nonsense_totals_and_unshapeable_years_are_refused() {
    let dir = data();
    for (args, message) in [
        (vec!["--total", "0"], "--total 0 must be above 0"),
        (vec!["--total", "-5"], "--total -5 must be above 0"),
        (
            vec!["--total", "1.23456"],
            "--total `1.23456` is not an amount of money",
        ),
        (vec!["--growth", "-1"], "gives a total of 0.00, not above 0"),
        (vec!["--growth", "12%"], "--growth `12%` is not a rate"),
        (
            vec!["--total", "5", "--collection-ratio", "0"],
            "collection_ratio = 0 must be above 0",
        ),
    ] {
        let o = plan(dir.path(), &args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--data",
            ".",
            "--year",
            "2027",
            "--total",
            "5",
            "--out",
            "targets.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("name the file .csv or .parquet"),
        "{}",
        stderr(&o)
    );

    // No orders and a calendar without a workday in 2027: nothing to shape
    // the months by.
    std::fs::remove_file(dir.path().join("orders.csv")).unwrap();
    let mut calendar = String::from("date,is_workday\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    while day.year() == 2027 {
        calendar.push_str(&format!("{day},false\n"));
        day = day.succ_opt().unwrap();
    }
    std::fs::write(dir.path().join("calendar.csv"), calendar).unwrap();
    let o = plan(dir.path(), &["--total", "1200000"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2027 cannot be shaped into months: there are no orders to learn the months from, and the calendar has no workday in 2027"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("targets.csv").exists());
}

use chrono::Datelike;

#[test]
fn without_history_the_plan_splits_equally_over_workdays() {
    let dir = data();
    std::fs::remove_file(dir.path().join("orders.csv")).unwrap();
    let o = plan(
        dir.path(),
        &["--total", "1200000", "--explain", "explain.csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("months of 2027 are shaped by workdays, not sales: there are no orders to learn the months from"),
        "{}",
        stderr(&o)
    );
    let e = read(dir.path(), "explain.csv");
    // Equal shares: 600,000.00 a region, 300,000.00 a team of North.
    assert_eq!(cell(&e, "unit", "North", "sales_target"), "600000.00");
    assert_eq!(cell(&e, "unit", "N1", "sales_target"), "300000.00");
    assert_eq!(cell(&e, "unit", "A", "sales_target"), "150000.00");
    // February 2027 has 20 of 261 workdays (Mon–Fri); the company total
    // over February is A, B, C's share plus S1's, so only check the shape.
    assert_eq!(
        cell(&e, "unit", "2027-02", "why"),
        "month shape: 20 workdays = 7.7% of the year's (there are no orders to learn the months from)"
    );
}

#[test]
fn on_generated_data_a_grown_plan_equals_its_input_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = run_in(
        dir.path(),
        &[
            "generate",
            "--out",
            "data",
            "--scale",
            "0.3",
            "--seed",
            "7",
            "--end-date",
            "2026-10-31",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Base-year sales as the scorecard counts them.
    let base = run_in(
        &data,
        &[
            "scorecard",
            "--data",
            ".",
            "--period",
            "2025-11-01..2026-10-31",
            "--as-of",
            "2026-10-31",
            "--by",
            "company",
            "--format",
            "csv",
        ],
    );
    assert!(base.status.success(), "{}", stderr(&base));
    let base_sales = cell(
        &csv_rows(&stdout(&base)),
        "scope",
        "company",
        "sales_amount",
    );
    let base_cents: i128 = base_sales.replace('.', "").parse().unwrap();
    // × 1.12, half away from zero.
    let expected = (base_cents * 112 + 50) / 100;
    let o = run_in(
        &data,
        &[
            "plan",
            "--data",
            ".",
            "--year",
            "2027",
            "--as-of",
            "2026-10-31",
            "--growth",
            "0.12",
            "--out",
            "../planned.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let planned = read(dir.path(), "planned.csv");
    let total: i128 = planned[1..]
        .iter()
        .map(|r| r[2].replace('.', "").parse::<i128>().unwrap())
        .sum();
    assert_eq!(total, expected);
    std::fs::copy(dir.path().join("planned.csv"), data.join("targets.csv")).unwrap();
    let back = run_in(
        &data,
        &[
            "scorecard",
            "--data",
            ".",
            "--period",
            "2027",
            "--as-of",
            "2027-12-31",
            "--by",
            "company",
            "--format",
            "csv",
        ],
    );
    assert!(back.status.success(), "{}", stderr(&back));
    let target = cell(
        &csv_rows(&stdout(&back)),
        "scope",
        "company",
        "sales_target",
    );
    assert_eq!(target.replace('.', "").parse::<i128>().unwrap(), expected);
}

#[test]
fn merge_replaces_the_plan_year_in_the_data_directorys_targets() {
    let dir = data();
    std::fs::write(
        dir.path().join("targets.csv"),
        "period,rep_id,sales_target\n2026-12,A,500.00\n2027-01,A,1.00\n2027,B,2.00\n",
    )
    .unwrap();
    let o = plan(dir.path(), &["--total", "1200000", "--merge"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = read(dir.path(), "targets.csv");
    assert_eq!(t[1], ["2026-12", "A", "500.00", "", "", ""]);
    assert_eq!(
        rep_column(&t, "A", "sales_target")[1..],
        vec!["20312.50"; 12][..]
    );
    assert_eq!(rep_column(&t, "B", "period").len(), 12);
    // The next run reads both years.
    for (period, as_of, target) in [
        ("2026-12", "2026-12-31", "500.00"),
        ("2027", "2027-12-31", "243750.00"),
    ] {
        let o = run_in(
            dir.path(),
            &[
                "scorecard",
                "--data",
                ".",
                "--period",
                period,
                "--as-of",
                as_of,
                "--rep",
                "A",
                "--columns",
                "sales_target",
                "--format",
                "csv",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(csv_rows(&stdout(&o))[1], [target]);
    }
}
