//! Money sums that f64 accumulation gets wrong come out exact: half-cent line
//! amounts rounded half away from zero, and many small payments on top of a
//! large one.

mod common;
use common::*;
use std::fmt::Write;

fn write_data(dir: &std::path::Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("reps.csv", "rep_id,rep_name,region,team\nR1,Ann,N,T1\n");
    w(
        "customers.csv",
        "customer_id,customer_name,region\nC1,One,N\n",
    );
    w(
        "products.csv",
        "product_id,product_name,list_price,unit_cost\nP1,Bolt,2.675,1\n",
    );
    let mut orders = String::from(
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n",
    );
    for i in 0..1000 {
        // 2.675 is 2.67499999… in binary: f64 rounds each line down to 2.67.
        writeln!(orders, "O{i},1,2026-10-05,R1,C1,P1,1,2.675").unwrap();
    }
    w("orders.csv", &orders);
    w("invoices.csv", "invoice_id,customer_id,invoice_date,due_date,amount,rep_id\nI1,C1,2026-10-01,2026-12-31,20000000000000.00,R1\n");
    let mut payments = String::from(
        "payment_id,invoice_id,payment_date,amount\nP0,I1,2026-10-02,10000000000000.00\n",
    );
    for i in 1..=1000 {
        writeln!(payments, "P{i},I1,2026-10-03,0.01").unwrap();
    }
    w("payments.csv", &payments);
}

#[test]
fn sums_that_floats_get_wrong_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let rows = scorecard_rows(&[
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
    ]);
    let v = |c: &str| cell(&rows, "rep_id", "R1", c);

    // Exact: each line round(1 × 2.675, 2) = 2.68 half away from zero; 1000 lines = 2680.00.
    // A float pipeline rounds the binary value 2.67499999… and gets 2.67 per line.
    let float_lines: f64 = (0..1000)
        .map(|_| format!("{:.2}", 1.0f64 * 2.675).parse::<f64>().unwrap())
        .sum();
    assert_ne!(
        format!("{float_lines:.2}"),
        "2680.00",
        "f64 would get this right; test is void"
    );
    assert_eq!(v("sales_amount"), "2680.00");

    // Exact: 10,000,000,000,000.00 + 1000 × 0.01 = 10,000,000,000,010.00.
    let mut float_paid = 10_000_000_000_000.0f64;
    for _ in 0..1000 {
        float_paid += 0.01;
    }
    assert_ne!(
        format!("{float_paid:.2}"),
        "10000000000010.00",
        "f64 would get this right; test is void"
    );
    assert_eq!(v("collected_amount"), "10000000000010.00");
    assert_eq!(v("receivables_end"), "9999999999990.00");
}

/// An amount of 19 digits (here 12 invoices of 900,000,000,000,000.00: a
/// month invoiced of 10,800,000,000,000,000.00) is exact in CSV, but
/// Parquet's Decimal(18,2) cannot hold it: `kpi --format parquet` refuses
/// with exit 3, naming the first such table (in table order, every run)
/// and column, the value, and CSV as the way out, and writes no file.
#[test]
fn an_amount_parquet_cannot_hold_is_refused_by_name_and_csv_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("reps.csv", "rep_id,rep_name,region,team\nR1,Ann,N,T1\n");
    let mut invoices = String::from("invoice_id,customer_id,invoice_date,due_date,amount,rep_id\n");
    for i in 1..=12 {
        writeln!(
            invoices,
            "I{i},C1,2026-10-{i:02},2026-12-31,900000000000000.00,R1"
        )
        .unwrap();
    }
    w("invoices.csv", &invoices);
    let data = dir.path().to_str().unwrap();
    let out = dir.path().join("out");
    let kpi = |format: &str| {
        run(&[
            "kpi",
            "--data",
            data,
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-31",
            "--out",
            out.to_str().unwrap(),
            "--format",
            format,
        ])
    };
    for _ in 0..3 {
        let refused = kpi("csv,parquet");
        assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
        let message = stderr(&refused);
        assert!(
            message.contains(
                "scorecard: column invoiced_amount: 10800000000000000.00 has more than 18 digits"
            ) && message.contains("--format csv"),
            "{message}"
        );
        assert!(!out.exists(), "nothing is written, the CSV tables neither");
    }
    let written = kpi("csv");
    assert!(written.status.success(), "{}", stderr(&written));
    let rows = csv_rows(&std::fs::read_to_string(out.join("scorecard.csv")).unwrap());
    assert_eq!(
        cell(&rows, "rep_id", "R1", "invoiced_amount"),
        "10800000000000000.00"
    );
}
