//! `salesops flags` on a small fixture worked by hand (SPEC section 9).

mod common;
use common::{csv_rows, run_in, stderr, stdout};

const REPS: &str =
    "rep_id,rep_name,region,team,role\nR1,Ann,N,T1,rep\nR2,Bo,N,T1,rep\nR3,Cy,S,T2,rep\n";
const CUSTOMERS: &str =
    "customer_id,customer_name,region,owner_rep_id\nC1,One,N,R1\nC2,Two,N,R2\nC3,Three,S,R3\n";

/// R1 on 2026-10-05: V1 09:00 (30 min) at C1 and V2 09:00 at C2 — the same
/// minute at two customers, and V2 starts 30 minutes before V1 ends; V3
/// 09:40 at C1 starts 10 minutes after V2 (09:00 + 50) would end → overlap 10.
/// R2 on 2026-10-06: three visits of 5 minutes, an hour apart.
/// Opportunities: O1 of R3 open at PE, due 2026-09-15 (46 days before PE).
/// Order K1 of R2 for C2 on 2026-10-12 (3 × 12.34 = 37.02) while C2's
/// invoice I1 (due 2026-06-30, 500.00, 100.00 paid) is 104 days past due.
/// R1 sells all his 1,000.00 on Thursday 29 October (K2), one of the last 2
/// workdays, and takes 400.00 back on 3 November (K4), within the 5
/// workdays after (to 6 November): 100 % ≥ 40 %, 40 % ≥ 30 % → stuffing.
/// R3 (region S) sells K3 to C1 (region N) at 80 against a list price of
/// 100: 20 % off, beyond a rep's 10 %, and across regions.
fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("reps.csv", REPS.to_string()),
        ("customers.csv", CUSTOMERS.to_string()),
        (
            "visits.csv",
            "visit_id,rep_id,customer_id,visit_start,duration_minutes\n\
             V1,R1,C1,2026-10-05 09:00,30\nV2,R1,C2,2026-10-05 09:00,50\n\
             V3,R1,C1,2026-10-05 09:40,20\n\
             V4,R2,C2,2026-10-06 09:00,5\nV5,R2,C2,2026-10-06 10:00,5\n\
             V6,R2,C2,2026-10-06 11:00,5\n"
                .to_string(),
        ),
        (
            "products.csv",
            "product_id,product_name,list_price\nP1,Widget,\nP2,Gear,100\n".to_string(),
        ),
        (
            "orders.csv",
            "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
             K1,1,2026-10-12,R2,C2,P1,3,12.34\n\
             K2,1,2026-10-29,R1,C1,P2,10,100\n\
             K3,1,2026-10-15,R3,C1,P2,1,80\n\
             K4,1,2026-11-03,R1,C1,P2,-4,100\n"
                .to_string(),
        ),
        (
            "invoices.csv",
            "invoice_id,customer_id,invoice_date,due_date,amount\nI1,C2,2026-05-31,2026-06-30,500\n"
                .to_string(),
        ),
        (
            "payments.csv",
            "payment_id,invoice_id,payment_date,amount\nY1,I1,2026-07-15,100\n".to_string(),
        ),
        (
            "opportunities.csv",
            "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date\n\
             O1,R3,C3,2026-07-01,negotiation,12345.67,2026-09-15\n\
             O2,R3,C3,2026-07-01,won,500,2026-09-15\n"
                .to_string(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `salesops flags` for 2026-10 as of 2026-11-06, when the return window
/// of the period (the 5 workdays after it) has passed.
fn flags(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    flags_as_of(dir, "2026-11-06", extra)
}

fn flags_as_of(dir: &std::path::Path, as_of: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "flags", "--data", ".", "--period", "2026-10", "--as-of", as_of, "--format", "csv",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn every_rule_fires_on_its_case_in_a_stable_order() {
    let dir = data();
    let o = flags(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    assert_eq!(
        rows[0],
        [
            "period",
            "rule",
            "rep_id",
            "customer_id",
            "evidence",
            "amount",
            "detail"
        ]
    );
    let got: Vec<[&str; 6]> = rows[1..]
        .iter()
        .map(|r| [&*r[0], &*r[1], &*r[2], &*r[3], &*r[4], &*r[5]])
        .collect();
    assert_eq!(
        got,
        [
            ["2026-10", "duplicate_visit_time", "R1", "", "V1;V2", ""],
            ["2026-10", "overlapping_visits", "R1", "C2", "V1;V2", ""],
            ["2026-10", "overlapping_visits", "R1", "C1", "V2;V3", ""],
            [
                "2026-10",
                "period_end_stuffing",
                "R1",
                "C1",
                "K2;K4",
                "1000.00"
            ],
            [
                "2026-10",
                "orders_while_overdue",
                "R2",
                "C2",
                "K1;I1",
                "37.02"
            ],
            ["2026-10", "stale_opportunity", "R3", "C3", "O1", "12345.67"],
            ["2026-10", "discount_violation", "R3", "C1", "K3#1", "20.00"],
            ["2026-10", "cross_region_line", "R3", "C1", "K3#1", "80.00"],
        ]
    );
    assert_eq!(
        rows[6][6],
        "open at 2026-10-31 in stage negotiation, expected to close 2026-09-15 (46 days earlier)"
    );
    assert!(!stderr(&o).contains("not judged"), "{}", stderr(&o));
    // Same data, same bytes.
    assert_eq!(stdout(&flags(dir.path(), &[])), stdout(&o));
    // The detail in the report's other language.
    let zh = csv_rows(&stdout(&flags(dir.path(), &["--lang", "zh"])));
    assert_eq!(
        zh[4][6],
        "期末最后 2 个工作日（2026-10-29 至 2026-10-31）销售 1000.00，占本期销售 1000.00 的 100%；至 2026-11-06 退货 400.00"
    );
}

/// A day before the return window closes, stuffing is not judged: no row
/// and a warning with the date it will be, never a clean result.
#[test]
fn stuffing_is_judged_only_after_its_return_window() {
    let dir = data();
    let o = flags_as_of(dir.path(), "2026-11-05", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    assert!(rows.iter().all(|r| r[1] != "period_end_stuffing"));
    assert!(
        stderr(&o).contains(
            "period_end_stuffing: not judged yet: returns are looked for through 2026-11-06, after as_of 2026-11-05"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn thresholds_come_from_the_config_and_filters_narrow_the_rows() {
    let dir = data();
    std::fs::write(
        dir.path().join("strict.toml"),
        "[flags]\nmax_visits_per_day = 2\noverlap_tolerance_minutes = 10\n",
    )
    .unwrap();
    let o = flags(
        dir.path(),
        &[
            "--config",
            "strict.toml",
            "--rule",
            "too_many_visits_per_day,overlapping_visits",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    let got: Vec<(&str, &str, &str)> = rows[1..].iter().map(|r| (&*r[1], &*r[2], &*r[4])).collect();
    // V2;V3 overlap exactly 10 minutes: at the tolerance, not flagged now.
    assert_eq!(
        got,
        [
            ("overlapping_visits", "R1", "V1;V2"),
            ("too_many_visits_per_day", "R1", "V1;V2;V3"),
            ("too_many_visits_per_day", "R2", "V4;V5;V6"),
        ]
    );
    assert!(!stderr(&o).contains("period_end_stuffing"));
    let o = flags(dir.path(), &["--config", "strict.toml", "--rep", "R2"]);
    let rows = csv_rows(&stdout(&o));
    let got: Vec<(&str, &str)> = rows[1..].iter().map(|r| (&*r[1], &*r[2])).collect();
    assert_eq!(
        got,
        [
            ("too_many_visits_per_day", "R2"),
            ("orders_while_overdue", "R2")
        ]
    );
    // A rep named with a space after the comma is still found; a rule
    // named twice gives its rows once; an unknown rep is refused, never an
    // empty table that reads as "nothing flagged".
    let o = flags(
        dir.path(),
        &[
            "--rep",
            "R2, R3",
            "--rule",
            "stale_opportunity,stale_opportunity",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let o = flags(dir.path(), &["--rep", "R9"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--rep R9 matches no rep_id"),
        "{}",
        stderr(&o)
    );
    // A config with `toml` is refused (usage error, exit 3) saying `says`.
    let refused = |name: &str, toml: &str, says: &str| {
        std::fs::write(dir.path().join(name), toml).unwrap();
        let o = flags(dir.path(), &["--config", name]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    };
    // An unknown threshold is refused with the nearest name.
    refused(
        "typo.toml",
        "[flags]\nmax_visit_per_day = 2\n",
        "max_visits_per_day",
    );
    // A threshold that cannot mean anything is refused, naming the key.
    refused(
        "neg.toml",
        "[flags]\nstale_days = -1\n",
        "[flags] stale_days = -1 must not be negative",
    );
    // So is one reaching past any calendar date (it would be subtracted
    // from the period's end), refused before any KPI runs.
    refused(
        "huge.toml",
        "[flags]\noverdue_days = 100000000\n",
        "[flags] overdue_days = 100000000 is more than 36500",
    );
}

/// The scorecard's `flags_count` is the number of rows of the flags table
/// credited to each rep, summed in roll-ups: R1 has the duplicate, two
/// overlaps and the stuffing (4), R2 the overdue order (1), R3 the stale
/// opportunity, the discount and the cross-region line (3). Before the
/// return window has passed, R1's stuffing is not counted and is named.
#[test]
fn scorecard_counts_each_reps_flags() {
    let dir = data();
    let counts = |as_of: &str, by: &str| {
        let key = if by == "rep" { "rep_id" } else { by };
        let columns = format!("{key},flags_count");
        let o = run_in(
            dir.path(),
            &[
                "scorecard",
                "--data",
                ".",
                "--period",
                "2026-10",
                "--as-of",
                as_of,
                "--by",
                by,
                "--format",
                "csv",
                "--columns",
                &columns,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        (csv_rows(&stdout(&o)), stderr(&o))
    };
    let (rows, _) = counts("2026-11-06", "rep");
    let got: Vec<(&str, &str)> = rows[1..].iter().map(|r| (&*r[0], &*r[1])).collect();
    assert_eq!(got, [("R1", "4"), ("R2", "1"), ("R3", "3")]);
    let (rows, _) = counts("2026-11-06", "team");
    let got: Vec<(&str, &str)> = rows[1..].iter().map(|r| (&*r[0], &*r[1])).collect();
    assert_eq!(got, [("T1", "5"), ("T2", "3")]);
    let (rows, err) = counts("2026-11-05", "rep");
    assert_eq!(rows[1][1], "3");
    assert!(err.contains("period_end_stuffing: not judged yet"), "{err}");
}
