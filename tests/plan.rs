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
//! history_weight 0.5, ramp 1 month, total 1,200,000.00. Rep-years in
//! 2027: A, B, C 1 each, D 1/4 (January–March), E 11/24 (half of July,
//! then August–December); North 3, South 17/24.
//! - regions: at last year's pace North 1.2M, South 1.2M × 17/24 = 0.85M
//!   → 24/41, 17/41; rep-years 72/89, 17/89; blended 2544/3649 → North
//!   836,612.77, South 363,387.23;
//! - North's teams: history 0.8 / 0.2, rep-years 2/3, 1/3 → 11/15, 4/15
//!   → N1 613,516.03, N2 223,096.74;
//! - N1's reps: 0.75 / 0.25 and 0.5 / 0.5 → 5/8, 3/8 → A 383,447.52
//!   (31,953.96 a month), B 230,068.51;
//! - S1: E has no history and counts at D's pace, so both shares are the
//!   rep-years 6 : 11: D 128,254.32 (the leftover cent: .65 beats .35),
//!   E 235,132.91.

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
    assert_eq!(rep_column(&t, "A", "sales_target"), vec!["31953.96"; 12]);
    assert_eq!(
        rep_column(&t, "D", "period"),
        ["2027-01", "2027-02", "2027-03"]
    );
    assert_eq!(
        rep_column(&t, "D", "sales_target"),
        ["42751.44", "42751.44", "42751.44"]
    );
    assert_eq!(
        rep_column(&t, "E", "period"),
        ["2027-07", "2027-08", "2027-09", "2027-10", "2027-11", "2027-12"]
    );
    assert_eq!(
        rep_column(&t, "E", "sales_target"),
        ["21375.72", "42751.44", "42751.44", "42751.44", "42751.44", "42751.43"]
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
    assert_eq!(cell(&teams, "team", "N1", "sales_target"), "613516.03");
    assert_eq!(cell(&teams, "team", "N2", "sales_target"), "223096.74");
    assert_eq!(cell(&teams, "team", "S1", "sales_target"), "363387.23");
    let reps = card("rep");
    assert_eq!(cell(&reps, "rep_id", "B", "sales_target"), "230068.51");
    assert_eq!(cell(&reps, "rep_id", "D", "sales_target"), "128254.32");
    assert_eq!(cell(&reps, "rep_id", "E", "sales_target"), "235132.91");
    // South's collections 327,048.51 × 128,254.32 / 363,387.23.
    assert_eq!(cell(&reps, "rep_id", "D", "collection_target"), "115428.89");
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
        "base-year sales 960,000.00 by 2.00 rep-years (480,000.00 a rep-year); 2.00 rep-years in 2027; 80.0% of the region at last year's pace; blended 0.5 × 80.0% + 0.5 × 66.7% (its share of the rep-years) = 73.3%; 73.3% of region `North`'s 836,612.77"
    );
    assert_eq!(
        why("A"),
        "base-year sales 720,000.00 over 261 workdays (2,758.62 a workday); carries all of 2027; 75.0% of the team at last year's pace; blended 0.5 × 75.0% + 0.5 × 50.0% (its share of the rep-years) = 62.5%; 62.5% of team `N1`'s 613,516.03"
    );
    assert_eq!(
        why("E"),
        "no workday in the base year: counted at the mean pace of the team; hired 2027-07-01: carries 45.8% of 2027; 64.7% of the team at last year's pace; blended 0.5 × 64.7% + 0.5 × 64.7% (its share of the rep-years) = 64.7%; 64.7% of team `S1`'s 363,387.23"
    );
    assert_eq!(
        why("D"),
        "base-year sales 1,200,000.00 over 261 workdays (4,597.70 a workday); leaves 2027-03-31: carries 25.0% of 2027; 35.3% of the team at last year's pace; blended 0.5 × 35.3% + 0.5 × 35.3% (its share of the rep-years) = 35.3%; 35.3% of team `S1`'s 363,387.23"
    );
    // February: A 31,953.96 + B 19,172.38 + C 18,591.40 + D 42,751.44
    // (E is not hired yet).
    assert_eq!(cell(&e, "unit", "2027-02", "sales_target"), "112469.18");
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
    // The free 700,000.00 goes to B (2544/3649 × 11/15 × 3/8) and South
    // (1105/3649).
    assert_eq!(sum("B"), 27_137_316);
    assert_eq!(sum("D") + sum("E"), 42_862_684);
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
fn without_history_the_plan_splits_by_rep_years_and_workdays() {
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
    // Shares of the rep-years, the months weighed by workdays: D carries
    // January–March, 64 of 261 workdays; E half of July's 22 and all of
    // August–December's 110: 121 of 261. North 3 of 3 + 185/261.
    assert_eq!(cell(&e, "unit", "North", "sales_target"), "970661.16");
    assert_eq!(cell(&e, "unit", "N1", "sales_target"), "647107.44");
    assert_eq!(cell(&e, "unit", "A", "sales_target"), "323553.72");
    assert_eq!(cell(&e, "unit", "E", "sales_target"), "150000.00");
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
        vec!["31953.96"; 12][..]
    );
    assert_eq!(rep_column(&t, "B", "period").len(), 12);
    // The next run reads both years.
    for (period, as_of, target) in [
        ("2026-12", "2026-12-31", "500.00"),
        ("2027", "2027-12-31", "383447.52"),
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

#[test]
fn mistakes_that_would_lose_or_mislead_are_refused_or_said() {
    let dir = data();
    // The explanation over the targets.
    let o = plan(dir.path(), &["--total", "5", "--explain", "./targets.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--explain and --out name the same file"),
        "{}",
        stderr(&o)
    );
    // A targets file with other years, without --merge.
    std::fs::write(
        dir.path().join("targets.csv"),
        "period,rep_id,sales_target\n2026-12,A,1\n",
    )
    .unwrap();
    let o = plan(dir.path(), &["--total", "5"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds targets of other years (1 row(s), e.g. 2026-12) that this would overwrite: add --merge"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("targets.csv")).unwrap(),
        "period,rep_id,sales_target\n2026-12,A,1\n"
    );
    std::fs::remove_file(dir.path().join("targets.csv")).unwrap();
    // 12 for 12 %.
    let o = plan(dir.path(), &["--growth", "12"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("--growth 12 would be +1200%: write 0.12 for +12 %"),
        "{}",
        stderr(&o)
    );
    // A leaver named in the overrides is told apart from a typo.
    std::fs::write(
        dir.path().join("fixed.csv"),
        "level,id,sales_target\nrep,D,1\n",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--data",
            ".",
            "--year",
            "2028",
            "--as-of",
            "2026-12-31",
            "--total",
            "5",
            "--overrides",
            "fixed.csv",
            "--out",
            "t.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains(
            "row 1: rep `D` carries no target in this plan: it left on 2027-03-31, before 2028"
        ),
        "{}",
        stderr(&o)
    );
    // Overrides that take everything leave reps at 0: said.
    std::fs::write(
        dir.path().join("fixed.csv"),
        "level,id,sales_target\nregion,North,5\n",
    )
    .unwrap();
    let o = plan(dir.path(), &["--total", "5", "--overrides", "fixed.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "2 rep(s) get a sales target of 0.00 (D, E): the overrides leave nothing for them"
        ),
        "{}",
        stderr(&o)
    );
    // A team that sold and has nobody left is named.
    let reps = std::fs::read_to_string(dir.path().join("reps.csv"))
        .unwrap()
        .replace(
            "C,Cy,North,N2,rep,2020-01-01,",
            "C,Cy,North,N2,rep,2020-01-01,2026-12-31",
        );
    std::fs::write(dir.path().join("reps.csv"), reps).unwrap();
    let o = run_in(
        dir.path(),
        &[
            "plan",
            "--data",
            ".",
            "--year",
            "2027",
            "--as-of",
            "2026-12-31",
            "--total",
            "5",
            "--out",
            "t2.csv",
            "--explain",
            "e2.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "team `N2` sold 240,000.00 in the base year but has nobody to carry a target in 2027"
        ),
        "{}",
        stderr(&o)
    );
    // ... and the explanation still accounts for its sales.
    let e = read(dir.path(), "e2.csv");
    assert_eq!(cell(&e, "unit", "N2", "history_sales"), "240000.00");
    assert_eq!(cell(&e, "unit", "N2", "sales_target"), "0.00");

    // A Parquet targets file with other years is not overwritten either,
    // and no targets.parquet is written beside a targets.csv.
    std::fs::write(
        dir.path().join("targets.csv"),
        "period,rep_id,sales_target\n2027-01,A,1\n",
    )
    .unwrap();
    let parquet = |year: &str| {
        run_in(
            dir.path(),
            &[
                "plan",
                "--data",
                ".",
                "--year",
                year,
                "--as-of",
                "2026-12-31",
                "--total",
                "5",
                "--out",
                "targets.parquet",
            ],
        )
    };
    let o = parquet("2027");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a data folder holds either targets.csv or targets.parquet"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.path().join("targets.csv")).unwrap();
    let o = parquet("2026");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = parquet("2027");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds targets of other years"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_hire_of_a_few_weeks_counts_at_the_teams_pace() {
    let dir = data();
    // F joins N1 on 2026-12-21: 9 workdays in the base year, no sales yet.
    let reps = std::fs::read_to_string(dir.path().join("reps.csv")).unwrap()
        + "F,Fu,North,N1,rep,2026-12-21,\n";
    std::fs::write(dir.path().join("reps.csv"), reps).unwrap();
    let o = plan(
        dir.path(),
        &["--total", "1200000", "--explain", "explain.csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = read(dir.path(), "explain.csv");
    let why = cell(&e, "unit", "F", "why");
    assert!(
        why.starts_with(
            "only 9 workdays in the base year, too few to measure: counted at the mean pace of the team;"
        ),
        "{why}"
    );
    // At the mean pace of A and B, F weighs like their average: his history
    // share is (A's + B's) / 2, with A 720,000 and B 240,000 a rep-year.
    let share = |u: &str| cell(&e, "unit", u, "history_share").parse::<f64>().unwrap();
    assert!(
        (share("F") - (share("A") + share("B")) / 2.0).abs() < 1e-9,
        "{} {} {}",
        share("F"),
        share("A"),
        share("B")
    );
}
