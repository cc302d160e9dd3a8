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

use common::plan_company::{data, plan, read, rep_column};
use common::{cell, csv_rows, run_in, stderr, stdout};

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
