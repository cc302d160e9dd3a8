//! `salesops plan` refusals and safety nets (SPEC section 8): bad totals,
//! bad override files, unshapeable years, files that would be lost, and the
//! warnings a planner must not miss. The company is `tests/plan.rs`'s.

mod common;

use chrono::Datelike;
use common::plan_company::{data, plan, read};
use common::{cell, run_in, stderr};

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
