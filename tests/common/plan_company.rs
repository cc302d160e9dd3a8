//! The company of `tests/plan.rs` and `tests/plan_refusals.rs` (SPEC
//! section 8), worked by hand in `tests/plan.rs`'s module doc.

use std::path::Path;

use super::{csv_rows, run_in};

pub(crate) const CONFIG: &str = "[plan]\nhistory_weight = 0.5\nramp_months = 1\n";

pub(crate) fn data() -> tempfile::TempDir {
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
pub(crate) fn plan(dir: &Path, extra: &[&str]) -> std::process::Output {
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

pub(crate) fn read(dir: &Path, file: &str) -> Vec<Vec<String>> {
    csv_rows(&std::fs::read_to_string(dir.join(file)).unwrap())
}

/// The `column` values of `rep`'s rows, in file order.
pub(crate) fn rep_column(rows: &[Vec<String>], rep: &str, column: &str) -> Vec<String> {
    let c = rows[0].iter().position(|h| h == column).unwrap();
    rows[1..]
        .iter()
        .filter(|r| r[1] == rep)
        .map(|r| r[c].clone())
        .collect()
}
