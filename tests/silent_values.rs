//! No value is ever silently wrong: the handed cases of ../shared/cases
//! (copied into tests/fixtures/cases) with their right values or refusals.

mod common;
use common::*;

fn case(name: &str) -> String {
    fixture(&format!("cases/{name}"))
        .to_str()
        .unwrap()
        .to_string()
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap()
}

#[test]
fn a_header_naming_a_column_twice_is_refused_everywhere() {
    let dir = case("dup-header");
    let o = run(&["validate", "--data", &dir]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("orders.csv: the header names column `unit_price` twice"),
        "{}",
        stderr(&o)
    );
    let o = validate_profile(
        std::path::Path::new(&format!("{dir}/profile.toml")),
        std::path::Path::new(&format!("{dir}/export")),
    );
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("the header names column `unit_price` twice"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_short_or_long_record_is_refused_or_quarantined_never_padded() {
    let dir = case("ragged-short-row");
    let o = run(&["validate", "--data", &dir]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("orders row 2: data row 2 (line 3) has 8 field(s) but the header has 12"),
        "{}",
        stderr(&o)
    );
    let o = run(&["validate", "--data", &format!("{dir}/long")]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has 13 field(s) but the header has 12"),
        "{}",
        stderr(&o)
    );
    // Through the profile: the same rule.
    let o = validate_profile(
        std::path::Path::new(&format!("{dir}/profile.toml")),
        std::path::Path::new(&format!("{dir}/export")),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has 8 field(s) but the header has 12"),
        "{}",
        stderr(&o)
    );
    // Quarantined, the short row is out of every KPI: not 5,110.00.
    let rejects = tempfile::tempdir().unwrap();
    let rows = scorecard_rows(&[
        "--data",
        &dir,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--max-reject-share",
        "0.5",
        "--rejects",
        rejects.path().to_str().unwrap(),
        "--columns",
        "rep_id,orders,sales_amount",
    ]);
    let total: f64 = rows[1..].iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!((total - 110.0).abs() < 1e-9, "{rows:?}");
    let quarantined = std::fs::read_to_string(rejects.path().join("orders_rejects.csv")).unwrap();
    assert!(quarantined.contains("has 8 field(s)"), "{quarantined}");
}

#[test]
fn a_separator_in_the_wrong_place_is_refused_never_rescaled() {
    let dir = case("decimal-mark-misread");
    let o = validate_profile(
        std::path::Path::new(&format!("{dir}/profile_de.toml")),
        std::path::Path::new(&format!("{dir}/export_de")),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    // The value quoted exactly as written, the reason after it, in the
    // export's own style (not the contract's `1234.50`).
    for (row, value) in [(3, "12.5"), (4, "7.5")] {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("invoices row {row} column amount")))
            .unwrap_or_else(|| panic!("no line for row {row}: {err}"));
        assert!(
            line.contains(&format!(
                "unparsable value `{value}`: not a number in this export's convention: it writes 1.234,50"
            )),
            "{line}"
        );
        assert!(!line.contains("1234.50"), "{line}");
    }
    // Quarantined, the rejects file holds the cell as written and the reason.
    let rejects = tempfile::tempdir().unwrap();
    let o = run(&[
        "validate",
        "--profile",
        &format!("{dir}/profile_de.toml"),
        "--data",
        &format!("{dir}/export_de"),
        "--max-reject-share",
        "0.5",
        "--rejects",
        rejects.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let quarantined = std::fs::read_to_string(rejects.path().join("invoices_rejects.csv")).unwrap();
    assert!(!quarantined.contains('\u{1f}'), "{quarantined}");
    let row3 = quarantined
        .lines()
        .find(|l| l.starts_with("3,"))
        .unwrap_or_else(|| panic!("{quarantined}"));
    assert!(row3.contains(",12.5,"), "{row3}");
    assert!(
        row3.contains("amount: unparsable value (not a number in this export's convention"),
        "{row3}"
    );
}

/// Every refused cell of a decimal-comma export is quoted exactly as written
/// (too many decimals, a stray control character in the cell), never as the
/// number it was converted to.
#[test]
fn too_many_decimals_and_stray_separators_are_quoted_as_written() {
    let src = case("decimal-mark-misread");
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export_de");
    std::fs::create_dir_all(&export).unwrap();
    for f in ["kunden.csv", "vertreter.csv"] {
        std::fs::copy(format!("{src}/export_de/{f}"), export.join(f)).unwrap();
    }
    std::fs::write(
        export.join("rechnungen.csv"),
        "Rechnung;Kunde;Datum;Faellig;Betrag;Vertreter\n\
         RE-1;K1;01.10.2026;31.10.2026;1.234,56789;R1\n\
         RE-2;K1;02.10.2026;01.11.2026;12\u{1f}5;R1\n\
         RE-3;K1;03.10.2026;02.11.2026;99,50;R1\n",
    )
    .unwrap();
    let o = validate_profile(
        std::path::Path::new(&format!("{src}/profile_de.toml")),
        &export,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "invoices row 1 column amount (rechnungen.csv row 1, column Betrag): unparsable value `1.234,56789`: 5 decimals, more than the 4 this column takes"
        ),
        "{err}"
    );
    assert!(
        err.contains("unparsable value `12\u{1f}5`: not a number in this export's convention"),
        "{err}"
    );
    assert!(!err.contains("1234.56789"), "{err}");
}

#[test]
fn currency_symbols_and_accounting_negatives_are_read_exactly() {
    let dir = case("currency-accounting");
    let rows = scorecard_rows(&[
        "--profile",
        &format!("{dir}/profile.toml"),
        "--data",
        &format!("{dir}/export"),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--columns",
        "rep_id,invoiced_amount,collected_amount,receivables_end",
    ]);
    assert_eq!(cell(&rows, "rep_id", "R1", "invoiced_amount"), "2400.00");
    assert_eq!(cell(&rows, "rep_id", "R1", "collected_amount"), "2150.00");
    assert_eq!(cell(&rows, "rep_id", "R1", "receivables_end"), "400.00");
}

#[test]
fn a_report_footer_is_not_read_as_data() {
    let dir = case("sf-report-footer");
    let o = validate_profile(
        std::path::Path::new(&format!("{dir}/profile.toml")),
        std::path::Path::new(&format!("{dir}/export")),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("reps: 2 rows") && out.contains("opportunities: 3 rows"),
        "{out}"
    );
    assert!(
        stderr(&o).contains(
            "are a report footer and were not read as data (first line: \"Pipeline by Owner\")"
        ),
        "{}",
        stderr(&o)
    );
    let rows = scorecard_rows(&[
        "--profile",
        &format!("{dir}/profile.toml"),
        "--data",
        &format!("{dir}/export"),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--columns",
        "rep_id,opps_created,opps_won,opps_lost,open_pipeline",
    ]);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(cell(&rows, "rep_id", "Avery Quill", "opps_created"), "2");
    assert_eq!(cell(&rows, "rep_id", "Avery Quill", "opps_won"), "1");
    assert_eq!(
        cell(&rows, "rep_id", "Avery Quill", "open_pipeline"),
        "5400.00"
    );
    assert_eq!(cell(&rows, "rep_id", "Bram Tollis", "opps_lost"), "1");
}

#[test]
fn a_timestamp_with_an_offset_keeps_its_local_date_unless_a_zone_is_named() {
    let dir = case("tz-offset-dates");
    let args = |profile: &str| {
        vec![
            "--profile".to_string(),
            profile.to_string(),
            "--data".into(),
            format!("{dir}/export"),
            "--period".into(),
            "2026-10".into(),
            "--as-of".into(),
            "2026-11-30".into(),
            "--columns".into(),
            "rep_id,opps_created,opps_won,open_pipeline".into(),
        ]
    };
    let local = args(&format!("{dir}/profile.toml"));
    let rows = scorecard_rows(&local.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(cell(&rows, "rep_id", "R1", "opps_created"), "2");
    assert_eq!(cell(&rows, "rep_id", "R1", "opps_won"), "1");
    assert_eq!(cell(&rows, "rep_id", "R1", "open_pipeline"), "1000.00");
    assert_eq!(cell(&rows, "rep_id", "R2", "opps_created"), "0");
    assert_eq!(cell(&rows, "rep_id", "R2", "open_pipeline"), "0.00");
    // With a business time zone, the instants are converted: in Shanghai,
    // D1 (Oct 31 21:15 Chicago) is Nov 1, D2 (Nov 1 07:30 Shanghai) stays Nov 1.
    let zoned = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{dir}/profile.toml"))
        .unwrap()
        .replace(
            "[defaults]\n",
            "[defaults]\ntime_zone = \"Asia/Shanghai\"\n",
        );
    let profile = zoned.path().join("profile.toml");
    std::fs::write(&profile, text).unwrap();
    let shanghai = args(profile.to_str().unwrap());
    let rows = scorecard_rows(&shanghai.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(cell(&rows, "rep_id", "R1", "opps_created"), "1");
    assert_eq!(cell(&rows, "rep_id", "R1", "opps_won"), "0");
    // A zone that does not exist is refused before anything is read.
    let bad = zoned.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&profile)
            .unwrap()
            .replace("Asia/Shanghai", "Mars/Olympus"),
    )
    .unwrap();
    let mut a = vec!["scorecard"];
    let bad_args = args(bad.to_str().unwrap());
    a.extend(bad_args.iter().map(String::as_str));
    let o = run(&a);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("Mars/Olympus"), "{}", stderr(&o));
}

#[test]
fn a_target_period_that_is_not_a_month_quarter_or_year_is_refused() {
    let dir = case("targets-period-excel");
    let o = run(&["validate", "--data", &dir]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("targets row 1 column period") && err.contains("`2026-10-01`"),
        "{err}"
    );
    assert!(
        err.contains("targets row 2 column period") && err.contains("`Oct-26`"),
        "{err}"
    );
    assert!(
        err.contains("a month YYYY-MM, a quarter YYYY-Qn or a year YYYY"),
        "{err}"
    );
    let dir = case("target_period_unchecked");
    let o = run(&["validate", "--data", &dir]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`2026-08-31 00:00:00`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_quarterly_quota_spreads_over_its_months() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(case("target_period_unchecked")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let targets = std::fs::read_to_string(dir.path().join("targets.csv")).unwrap();
    std::fs::write(
        dir.path().join("targets.csv"),
        targets.replace("2026-08-31 00:00:00", "2026-08"),
    )
    .unwrap();
    let quarter = scorecard_rows(&[
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-Q3",
        "--as-of",
        "2026-09-30",
        "--columns",
        "rep_id,sales_target",
    ]);
    let august = scorecard_rows(&[
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-08",
        "--as-of",
        "2026-08-31",
        "--columns",
        "rep_id,sales_target",
    ]);
    // R3's quarter row: its whole value over the quarter, a third in August.
    let q: f64 = cell(&quarter, "rep_id", "R3", "sales_target")
        .parse()
        .unwrap();
    let aug: f64 = cell(&august, "rep_id", "R3", "sales_target")
        .parse()
        .unwrap();
    assert!(q > 0.0);
    assert!(
        (aug - (q / 3.0 * 100.0).ceil() / 100.0).abs() < 0.006,
        "{q} {aug}"
    );
}

/// A copy of a case folder whose profile.toml is edited by `edit`.
fn edited_case(name: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.path().is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    };
    let src = fixture(&format!("cases/{name}"));
    copy(&src, dir.path());
    copy(&src.join("export"), &dir.path().join("export"));
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, edit(std::fs::read_to_string(&profile).unwrap())).unwrap();
    dir
}

fn validate_case(dir: &tempfile::TempDir) -> std::process::Output {
    validate_profile(&dir.path().join("profile.toml"), &dir.path().join("export"))
}

#[test]
fn a_thousands_separator_equal_to_the_decimal_mark_is_refused() {
    let dir = edited_case("currency-accounting", |p| {
        p.replace("thousands_separator = \",\"", "thousands_separator = \".\"")
    });
    let o = validate_case(&dir);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the decimal point"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_value_in_another_currency_is_refused_naming_the_currency() {
    let dir = edited_case("currency-accounting", |p| {
        p.replace("[defaults]\n", "[defaults]\ncurrency = \"EUR\"\n")
    });
    let o = validate_case(&dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`$2,400.00`: names $, not EUR, the one currency the profile allows"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn to_period_turns_dates_into_quarters_and_refuses_a_plain_month() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("reps.csv", "Rep,Name\nR1,Ann\nR2,Bo\n");
    w(
        "quotas.csv",
        "Rep,QuotaDate,Quota\nR1,2026-08-31 00:00:00,3000.01\nR2,2026-07,3000\n",
    );
    w(
        "profile.toml",
        "[files.reps]\npath = \"reps.csv\"\n[files.quotas]\npath = \"quotas.csv\"\n\
[tables.reps]\nfrom = \"reps\"\ncolumns = { rep_id = \"Rep\", rep_name = \"Name\", region = { value = \"N\" }, team = { value = \"T\" } }\n\
[tables.targets]\nfrom = \"quotas\"\ncolumns = { rep_id = \"Rep\", period = { column = \"QuotaDate\", to_period = \"quarter\" }, sales_target = \"Quota\" }\n",
    );
    let profile = dir.path().join("profile.toml");
    let o = run(&[
        "validate",
        "--profile",
        profile.to_str().unwrap(),
        "--data",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("targets row 2 column period")
            && stderr(&o).contains(
                "`2026-07`: not a date, and to_period = \"quarter\" takes a date or a quarter"
            ),
        "{}",
        stderr(&o)
    );
    // Without the month row, the date becomes 2026-Q3, spread 1000.01, 1000.00, 1000.00.
    w(
        "quotas.csv",
        "Rep,QuotaDate,Quota\nR1,2026-08-31 00:00:00,3000.01\n",
    );
    let rows = scorecard_rows(&[
        "--profile",
        profile.to_str().unwrap(),
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-07",
        "--as-of",
        "2026-07-31",
        "--columns",
        "rep_id,sales_target",
    ]);
    assert_eq!(cell(&rows, "rep_id", "R1", "sales_target"), "1000.01");
}

#[test]
fn a_month_and_its_quarter_for_one_rep_are_said_not_silently_added() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reps.csv"),
        "rep_id,rep_name,region,team\nR1,Ann,N,T\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("targets.csv"),
        "period,rep_id,sales_target\n2026-08,R1,1000\n2026-Q3,R1,3000\n",
    )
    .unwrap();
    let o = run(&[
        "scorecard",
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-08",
        "--as-of",
        "2026-08-31",
        "--format",
        "csv",
        "--columns",
        "rep_id,sales_target",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("R1,2000.00"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("covered by more than one target row")
            && stderr(&o).contains("R1 2026-08"),
        "{}",
        stderr(&o)
    );
}
