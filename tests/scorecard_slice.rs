//! The visit and order columns of the scorecard on a tiny hand-checked fixture.
//!
//! Fixture `tiny`: October 2026 with holidays 1, 2, 5, 6, 7 and the make-up
//! workday Saturday 10; as_of 2026-10-15. Workdays in [1, 15]: 8, 9, 10, 12,
//! 13, 14, 15 = 7 (elapsed); whole month: 22 weekdays − 5 + 1 = 18 (total).

mod common;
use common::*;

fn scorecard_csv() -> Vec<Vec<String>> {
    let dir = fixture("tiny");
    let o = run(&[
        "scorecard",
        "--data",
        dir.to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-15",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    csv_rows(&stdout(&o))
}

#[test]
fn rep_with_visits_returns_and_a_cancelled_line() {
    let rows = scorecard_csv();
    let v = |c: &str| cell(&rows, "rep_id", "R01", c);
    // V1, V2, V3 in [10-01, 10-15]; V5 is September, V6 after as_of.
    assert_eq!(v("visits"), "3");
    assert_eq!(v("workdays"), "7");
    assert_eq!(v("visits_per_workday"), (3.0f64 / 7.0).to_string());
    // Durations 30 and 45; V2 has none.
    assert_eq!(v("avg_visit_minutes"), "37.5");
    assert_eq!(v("visited_customers"), "2");
    // O1 and O2 (return-only, still an order); O3 cancelled, O5 after as_of, O6 September.
    assert_eq!(v("orders"), "2");
    // O1: 3 × 9.0000 = 27.00 and 3 × 3.3333 = 9.9999 → 10.00; O2: −1 × 9 = −9.00.
    assert_eq!(v("sales_amount"), "28.00");
    // Costs: 3 × 6 (product) = 18.00, 3 × 1.1111 (line) = 3.3333 → 3.33, −6.00.
    assert_eq!(v("cost_amount"), "15.33");
    assert_eq!(v("gross_margin"), "12.67");
    assert_eq!(v("gross_margin_pct"), (1267.0f64 / 2800.0).to_string());
    // List: 30.00 + 10.00 − 10.00 = 30.00 → 1 − 28/30.
    assert_eq!(v("discount_pct"), (1.0 - 2800.0f64 / 3000.0).to_string());
    assert_eq!(v("avg_order_value"), "14.0");
    assert_eq!(
        v("orders_per_100_visits"),
        (2.0f64 / 3.0 * 100.0).to_string()
    );
    assert_eq!(v("sales_per_visit"), (2800.0f64 / 3.0 / 100.0).to_string());
    assert_eq!(v("active_customers"), "2");
    assert_eq!(v("elapsed_workdays"), "7");
    assert_eq!(v("total_workdays"), "18");
    assert_eq!(v("role"), "rep");
    assert_eq!(v("rep_name"), "张伟");
}

#[test]
fn new_hire_and_leaver() {
    let rows = scorecard_csv();
    // R02 hired 10-12: workdays 12, 13, 14, 15. O4: 2 × 7.50 = 15.00, cost 2 × 5.5 = 11.00, list 20.00.
    let v = |c: &str| cell(&rows, "rep_id", "R02", c);
    assert_eq!(v("workdays"), "4");
    assert_eq!(v("visits_per_workday"), "0.25");
    assert_eq!(v("sales_amount"), "15.00");
    assert_eq!(v("cost_amount"), "11.00");
    assert_eq!(v("gross_margin"), "4.00");
    assert_eq!(v("discount_pct"), "0.25");
    assert_eq!(v("orders_per_100_visits"), "100.0");
    assert_eq!(v("role"), "manager");
    // R03 left 10-09: workdays 8, 9. No activity: counts 0, ratios null.
    let w = |c: &str| cell(&rows, "rep_id", "R03", c);
    assert_eq!(w("workdays"), "2");
    assert_eq!(w("visits"), "0");
    assert_eq!(w("orders"), "0");
    assert_eq!(w("sales_amount"), "0.00");
    assert_eq!(w("avg_visit_minutes"), "");
    assert_eq!(w("gross_margin_pct"), "");
    assert_eq!(w("avg_order_value"), "");
    assert_eq!(w("rep_name"), "Li, Na");
}

#[test]
fn table_and_json_formats_and_out_file() {
    let dir = fixture("tiny");
    let data = dir.to_str().unwrap();
    let o = run(&[
        "scorecard",
        "--data",
        data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-15",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("张伟"), "{text}");
    assert!(text.contains("—"), "null shown as a dash: {text}");
    let o = run(&[
        "scorecard",
        "--data",
        data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-15",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r01 = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rep_id"] == "R01")
        .unwrap();
    assert_eq!(r01["sales_amount"], "28.00");
    assert_eq!(r01["orders"], 2);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("sc.csv");
    let o = run(&[
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
    ]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("R02,Emily Chen"));
}

#[test]
fn as_of_before_period_is_a_usage_error() {
    let dir = fixture("tiny");
    let o = run(&[
        "scorecard",
        "--data",
        dir.to_str().unwrap(),
        "--period",
        "2026-11",
        "--as-of",
        "2026-10-15",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("before the start of period 2026-11"));
}
