//! One malformed-input fixture per validation error kind: each error names
//! table, 1-based data row, column and value; the exit code is 2 and nothing
//! is written.

mod common;
use common::*;
use std::path::Path;

/// Replaces `from` by `to` in one fixture file (exactly once).
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from} must occur once in {file}"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn append(dir: &Path, file: &str, line: &str) {
    let path = dir.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(line);
    std::fs::write(&path, text).unwrap();
}

/// Runs validate and a scorecard with --out; both must fail with every
/// expected fragment in stderr, and the scorecard file must not exist.
fn assert_rejected(dir: &Path, expected: &[&str]) {
    let data = dir.to_str().unwrap();
    let o = run(&["validate", "--data", data]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    let err = stderr(&o);
    for e in expected {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
    // The summary comes first, each line says "error: " once.
    let first = err.lines().find(|l| !l.starts_with("warning: ")).unwrap();
    assert!(
        first.starts_with("error: ") && first.contains("the input was not loaded"),
        "{err}"
    );
    assert!(!err.contains("error: error:"), "{err}");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("scorecard.csv");
    let o = run_in(
        out.path(),
        &[
            "scorecard",
            "--data",
            data,
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-15",
            "--format",
            "csv",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!file.exists(), "nothing may be written on invalid input");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no temporary or rejects files either"
    );
}

#[test]
fn valid_fixture_passes() {
    let o = run(&["validate", "--data", fixture("tiny").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders: 7 rows, 0 rejected"));
}

#[test]
fn missing_required_table() {
    let d = copy_fixture("tiny");
    std::fs::remove_file(d.path().join("reps.csv")).unwrap();
    assert_rejected(d.path(), &["reps: required table missing"]);
}

#[test]
fn missing_required_column() {
    let d = copy_fixture("tiny");
    edit(
        d.path(),
        "visits.csv",
        "visit_id,rep_id,customer_id,visit_start",
        "visit_id,rep_id,customer,visit_start",
    );
    assert_rejected(
        d.path(),
        &[
            "visits: required column(s) customer_id missing",
            "found: visit_id, rep_id, customer, visit_start",
        ],
    );
}

#[test]
fn unparsable_date_money_and_quantity() {
    let d = copy_fixture("tiny");
    edit(d.path(), "orders.csv", "O2,1,2026-10-09", "O2,1,2026/10/09");
    edit(d.path(), "visits.csv", "onsite,12.50", "onsite,12.5x");
    edit(
        d.path(),
        "orders.csv",
        "O4,1,2026-10-13,R02,C003,0042,2,",
        "O4,1,2026-10-13,R02,C003,0042,2.123456,",
    );
    assert_rejected(
        d.path(),
        &[
            "orders row 3 column order_date: unparsable value `2026/10/09`: expected a date YYYY-MM-DD",
            "visits row 1 column cost: unparsable value `12.5x`",
            "orders row 5 column quantity: unparsable value `2.123456`",
        ],
    );
}

#[test]
fn empty_required_value() {
    let d = copy_fixture("tiny");
    edit(
        d.path(),
        "customers.csv",
        "C002,北方贸易,华北",
        "C002,北方贸易,",
    );
    assert_rejected(
        d.path(),
        &["customers row 2 column region: empty required value ``: region is required"],
    );
}

#[test]
fn duplicate_key() {
    let d = copy_fixture("tiny");
    append(
        d.path(),
        "orders.csv",
        "O1,2,2026-10-08,R01,C001,0043,1,3.3333,,,,\n",
    );
    assert_rejected(
        d.path(),
        &["orders row 8 column order_id+line_no: duplicate key `O1, 2`"],
    );
}

#[test]
fn unknown_rep_customer_and_product() {
    let d = copy_fixture("tiny");
    edit(d.path(), "visits.csv", "V4,R02,C003", "V4,R09,C003");
    edit(d.path(), "visits.csv", "V3,R01,C001", "V3,R01,C999");
    edit(
        d.path(),
        "orders.csv",
        "O4,1,2026-10-13,R02,C003,0042",
        "O4,1,2026-10-13,R02,C003,42",
    );
    assert_rejected(
        d.path(),
        &[
            "visits row 4 column rep_id: unknown reference `R09`: no reps with this rep_id",
            "visits row 3 column customer_id: unknown reference `C999`",
            "orders row 5 column product_id: unknown reference `42`",
        ],
    );
}

#[test]
fn unknown_invoice_and_opportunity() {
    let d = copy_fixture("tiny");
    std::fs::write(d.path().join("invoices.csv"), "invoice_id,customer_id,invoice_date,due_date,amount,order_id,rep_id\n0001,C001,2026-10-08,2026-11-07,37.00,O1,\n0002,C001,2026-10-08,2026-11-07,5.00,O77,\n").unwrap();
    std::fs::write(d.path().join("payments.csv"), "payment_id,invoice_id,payment_date,amount\nP1,0001,2026-10-10,37.00\nP2,1,2026-10-11,1.00\n").unwrap();
    std::fs::write(d.path().join("opportunities.csv"), "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date,probability\nOP1,R01,C001,2026-09-01,demo,1000,,\n").unwrap();
    std::fs::write(
        d.path().join("opportunity_stages.csv"),
        "opportunity_id,stage,entered_at\nOP1,lead,2026-09-01 10:00\nOP2,lead,2026-09-02 10:00\n",
    )
    .unwrap();
    assert_rejected(
        d.path(),
        &[
            "invoices row 2 column order_id: unknown reference `O77`",
            "payments row 2 column invoice_id: unknown reference `1`",
            "opportunity_stages row 2 column opportunity_id: unknown reference `OP2`",
        ],
    );
}

#[test]
fn closed_opportunity_without_close_date() {
    let d = copy_fixture("tiny");
    std::fs::write(d.path().join("opportunities.csv"), "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date,probability\nOP1,R01,C001,2026-09-01,Won,1000,,\nOP2,R01,C001,2026-09-01,lost,1000,2026-10-01,\n").unwrap();
    assert_rejected(
        d.path(),
        &["opportunities row 1 column close_date: closed opportunity without close_date"],
    );
}

#[test]
fn probability_out_of_range() {
    let d = copy_fixture("tiny");
    std::fs::write(d.path().join("opportunities.csv"), "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date,probability\nOP1,R01,C001,2026-09-01,demo,1000,,40\n").unwrap();
    assert_rejected(
        d.path(),
        &["opportunities row 1 column probability: value out of range `40`"],
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let d = copy_fixture("tiny");
    let mut text =
        String::from("visit_id,rep_id,customer_id,visit_start,duration_minutes,visit_type,cost\n");
    for i in 0..30 {
        text.push_str(&format!("V{i},R01,C001,2026-10-0x,10,,\n"));
    }
    std::fs::write(d.path().join("visits.csv"), text).unwrap();
    assert_rejected(
        d.path(),
        &[
            "visits row 1 column visit_start",
            "visits row 20 column visit_start",
            "… and 10 more unparsable value",
            "30 problem(s) found",
        ],
    );
}

#[test]
fn unknown_column_is_a_warning() {
    let d = copy_fixture("tiny");
    std::fs::write(
        d.path().join("calendar.csv"),
        "date,is_workday,note\n2026-10-01,false,国庆\n",
    )
    .unwrap();
    let o = run(&["validate", "--data", d.path().to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("warning: calendar: unknown column `note` ignored"));
}

#[test]
fn quarantine_writes_rejects_and_goes_on() {
    let d = copy_fixture("tiny");
    edit(d.path(), "visits.csv", "V4,R02,C003", "V4,R09,C003");
    let out = tempfile::tempdir().unwrap();
    let o = run_in(
        out.path(),
        &[
            "scorecard",
            "--data",
            d.path().to_str().unwrap(),
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-15",
            "--format",
            "csv",
            "--max-reject-share",
            "0.2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rejects = std::fs::read_to_string(out.path().join("rejects/visits_rejects.csv")).unwrap();
    let rows = csv_rows(&rejects);
    assert_eq!(
        rows[0],
        [
            "row",
            "visit_id",
            "rep_id",
            "customer_id",
            "visit_start",
            "duration_minutes",
            "visit_type",
            "cost",
            "reason"
        ]
    );
    assert_eq!(rows[1][0..3], ["4", "V4", "R09"]);
    assert!(rows[1][8].starts_with("rep_id: unknown reference"));
    // R02's only visit was quarantined.
    assert_eq!(cell(&csv_rows(&stdout(&o)), "rep_id", "R02", "visits"), "0");

    // 1 bad row of 6 is 16.7 %: above a 10 % limit the run fails and writes nothing.
    let out = tempfile::tempdir().unwrap();
    let o = run_in(
        out.path(),
        &[
            "validate",
            "--data",
            d.path().to_str().unwrap(),
            "--max-reject-share",
            "0.1",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("visits: 1 of 6 rows bad"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn rows_referring_to_a_rejected_row_are_summed_up_after_the_cause() {
    let d = copy_fixture("tiny");
    edit(
        d.path(),
        "reps.csv",
        "R02,Emily Chen,华南,South-1,R03,Manager,2026-10-12",
        "R02,Emily Chen,华南,South-1,R03,Manager,2026-13-12",
    );
    assert_rejected(
        d.path(),
        &["reps row 2 column hire_date: unparsable value `2026-13-12`"],
    );
    let o = run(&["validate", "--data", d.path().to_str().unwrap()]);
    let err = stderr(&o);
    // R02's customer, order and visit fail only because R02 was rejected:
    // one line each, after the cause, not an "unknown reference" per row.
    let cause = err.find("reps row 2 column hire_date").unwrap();
    let follow = err
        .find("orders column rep_id: 1 row(s) refer to reps rows that were rejected (see the reps errors)")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(cause < follow, "{err}");
    assert!(!err.contains("unknown reference `R02`"), "{err}");
}

#[test]
fn a_row_with_more_fields_than_the_header_is_named() {
    let d = copy_fixture("tiny");
    edit(
        d.path(),
        "customers.csv",
        "C002,北方贸易,华北",
        "C002,北方贸易,华北,extra,extra",
    );
    let o = run(&["validate", "--data", d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // The record is a bad row (quarantinable), named by data row and line.
    assert!(
        err.contains("customers row 2: data row 2 (line 3) has"),
        "{err}"
    );
    assert!(
        err.contains("but the header has")
            && err.contains("quote values that contain the delimiter"),
        "{err}"
    );
}
