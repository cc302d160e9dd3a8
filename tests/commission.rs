//! `salesops commission` on a hand-worked team: a rep exactly at 100 %, one
//! exactly at 80 %, a leaver with a net refund (clawback), a new hire above
//! the cap, a rep without target, and two team pools with leftover cents.
//!
//! Plan (pipelines/commission.toml with cap 300.00): marginal, 0–80 % at 2 %, 80–100 % at 4 %,
//! above at 6 %; cap 300.00; pool share 0.85.
//!
//! | rep | team | employed | target | collected | tiers | gross | capped |
//! |---|---|---|---|---|---|---|---|
//! | R1 | T1 | yes | 10,000.00 | 10,000.00 (6,000 + 4,000) | 160.00 + 80.00 | 240.00 | 240.00 |
//! | R2 李雷 | T1 | yes | 5,000.00 | 4,000.00 | 80.00 | 80.00 | 80.00 |
//! | R3 | T1 | left 09-15 | — | −500.00 (refund) | −10.00 | −10.00 | −10.00 |
//! | R4 | T2 | hired 10-10 | 2,000.00 | 9,000.00 | 32 + 16 + 420 | 468.00 | 300.00 |
//! | R5 | T2 | yes | — | 1,000.01 | 20.0002 → 20.00 | 20.00 | 20.00 |
//!
//! T1 pool: round(0.85 × 310.00) = 263.50 over R1, R2 = 131.75 each; 46.50
//! discretionary; R3 gets 0. T2 pool: round(0.85 × 320.00) = 272.00 over R4,
//! R5 = 136.00 each; 48.00 discretionary. Control total 630.00 =
//! 535.50 paid + 94.50 discretionary.

mod common;
use common::*;

fn write_data(dir: &std::path::Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "reps.csv",
        "rep_id,rep_name,region,team,hire_date,leave_date\n\
R1,Ann,N,T1,2025-01-01,\n\
R2,李雷,N,T1,2025-01-01,\n\
R3,Cy,N,T1,2024-01-01,2026-09-15\n\
R4,Dee,S,T2,2026-10-10,\n\
R5,Eve,S,T2,2025-06-01,\n",
    );
    w(
        "customers.csv",
        "customer_id,customer_name,region\nC1,One,N\n",
    );
    w(
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,due_date,amount,rep_id\n\
I1,C1,2026-10-01,2026-10-31,10000.00,R1\n\
I2,C1,2026-10-02,2026-11-01,4000.00,R2\n\
I3,C1,2026-08-20,2026-09-19,500.00,R3\n\
I4,C1,2026-10-12,2026-11-11,9000.00,R4\n\
I5,C1,2026-10-02,2026-11-01,1000.01,R5\n",
    );
    w(
        "payments.csv",
        "payment_id,invoice_id,payment_date,amount\n\
P1,I1,2026-10-10,6000.00\n\
P2,I1,2026-10-20,4000.00\n\
P3,I2,2026-10-15,4000.00\n\
P4,I3,2026-09-01,500.00\n\
P5,I3,2026-10-05,-500.00\n\
P6,I4,2026-10-25,9000.00\n\
P7,I5,2026-10-30,1000.01\n\
P8,I1,2026-11-02,1.00\n",
    );
    w(
        "targets.csv",
        "period,rep_id,collection_target\n2026-10,R1,10000.00\n2026-10,R2,5000.00\n2026-10,R4,2000.00\n",
    );
}

/// The example plan (pipelines/commission.toml) with a cap of 300.00 instead of 30,000.00,
/// written into the test's own folder (tests run in parallel in one process, so a shared
/// path would be truncated by one test while another reads it).
fn plan(dir: &std::path::Path) -> String {
    let example = std::fs::read_to_string(format!(
        "{}/pipelines/commission.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(example.contains("\ncap = 30000.00\n"));
    let path = dir.join("plan.toml");
    std::fs::write(
        &path,
        example.replace("\ncap = 30000.00\n", "\ncap = 300.00\n"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn commission(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let data = dir.to_str().unwrap().to_string();
    let plan = plan(dir);
    let mut args = vec![
        "commission",
        "--data",
        &data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        &plan,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn hand_worked_team_with_pools_cap_clawback_and_leftover() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let out = dir.path().join("commission.csv");
    let detail = dir.path().join("detail.csv");
    let o = commission(
        dir.path(),
        &[
            "--out",
            out.to_str().unwrap(),
            "--detail",
            detail.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(
        rows[0],
        [
            "period",
            "row_type",
            "team",
            "rep_id",
            "rep_name",
            "basis",
            "target",
            "attainment",
            "tier1_basis",
            "tier1_amount",
            "tier2_basis",
            "tier2_amount",
            "tier3_basis",
            "tier3_amount",
            "gross_commission",
            "cap_effect",
            "capped_commission",
            "pool_adjustment",
            "final_payable",
            "discretionary_pool",
            "control_total",
        ]
    );
    let v = |rep: &str, c: &str| cell(&rows, "rep_id", rep, c);
    let expected = [
        // R1 exactly at 100 %.
        ("R1", "attainment", "1.0"),
        ("R1", "tier1_amount", "160.00"),
        ("R1", "tier2_amount", "80.00"),
        ("R1", "capped_commission", "240.00"),
        ("R1", "final_payable", "131.75"),
        ("R1", "pool_adjustment", "-108.25"),
        // R2 exactly at 80 %: nothing in tier 2.
        ("R2", "rep_name", "李雷"),
        ("R2", "attainment", "0.8"),
        ("R2", "tier1_basis", "4000.00"),
        ("R2", "tier2_basis", "0.00"),
        ("R2", "final_payable", "131.75"),
        // R3: leaver with a net refund: clawback, and nothing from the pool.
        ("R3", "basis", "-500.00"),
        ("R3", "target", ""),
        ("R3", "gross_commission", "-10.00"),
        ("R3", "final_payable", "0.00"),
        ("R3", "pool_adjustment", "10.00"),
        // R4: new hire, above the cap.
        ("R4", "attainment", "4.5"),
        ("R4", "tier3_amount", "420.00"),
        ("R4", "gross_commission", "468.00"),
        ("R4", "cap_effect", "-168.00"),
        ("R4", "capped_commission", "300.00"),
        ("R4", "final_payable", "136.00"),
        // R5: no target: the first tier's rate on everything.
        ("R5", "attainment", ""),
        ("R5", "tier1_basis", "1000.01"),
        ("R5", "tier1_amount", "20.00"),
        ("R5", "final_payable", "136.00"),
    ];
    for (rep, column, value) in expected {
        assert_eq!(v(rep, column), value, "{rep} {column}");
    }
    // Team pools and the total row.
    let team = |t: &str, c: &str| {
        let rows: Vec<Vec<String>> = rows.iter().filter(|r| r[1] != "rep").cloned().collect();
        cell(&rows, "team", t, c)
    };
    assert_eq!(team("T1", "discretionary_pool"), "46.50");
    assert_eq!(team("T2", "discretionary_pool"), "48.00");
    let total = rows.iter().find(|r| r[1] == "total").unwrap();
    let col = |c: &str| rows[0].iter().position(|h| h == c).unwrap();
    assert_eq!(total[col("control_total")], "630.00");
    assert_eq!(total[col("final_payable")], "535.50");
    assert_eq!(total[col("discretionary_pool")], "94.50");
    assert_eq!(total[col("capped_commission")], "630.00");
    assert_eq!(total[col("basis")], "23500.01");
    // Every money column of the total row is the sum of the other rows.
    for (c, name) in rows[0].iter().enumerate().skip(5) {
        if name == "attainment" || name == "control_total" {
            continue;
        }
        let sum: i64 = rows[1..]
            .iter()
            .filter(|r| r[1] != "total" && !r[c].is_empty())
            .map(|r| cents(&r[c]))
            .sum();
        assert_eq!(sum, cents(&total[c]), "column {name}");
    }

    // Detail: one row per payment in the period, refunds negative, footing to each basis.
    let d = csv_rows(&std::fs::read_to_string(&detail).unwrap());
    assert_eq!(
        d[0],
        ["period", "rep_id", "source", "source_id", "date", "amount"]
    );
    let ids: Vec<&str> = d[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(ids, ["P1", "P2", "P3", "P5", "P6", "P7"]);
    assert_eq!(
        d[4],
        ["2026-10", "R3", "payment", "P5", "2026-10-05", "-500.00"]
    );
    for rep in ["R1", "R2", "R3", "R4", "R5"] {
        let sum: i64 = d[1..]
            .iter()
            .filter(|r| r[1] == rep)
            .map(|r| cents(&r[5]))
            .sum();
        assert_eq!(sum, cents(&v(rep, "basis")), "detail of {rep}");
    }
}

fn cents(text: &str) -> i64 {
    let (sign, t) = text.strip_prefix('-').map_or((1, text), |t| (-1, t));
    let (int, frac) = t.split_once('.').unwrap();
    sign * (int.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap())
}

#[test]
fn explain_tells_tiers_cap_and_pool() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let data = dir.path().to_str().unwrap().to_string();
    let plan = plan(dir.path());
    let o = run(&[
        "commission",
        "explain",
        "--data",
        &data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        &plan,
        "--rep",
        "R4,R3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for expected in [
        "tier 1 (0 %–80 %, rate 2 %): 1,600.00 × 2 % = 32.00",
        "tier 2 (80 %–100 %, rate 4 %): 400.00 × 4 % = 16.00",
        "tier 3 (from 100 %, rate 6 %): 7,000.00 × 6 % = 420.00",
        "gross commission = Σ tier amounts = 468.00",
        "capped at 300.00 (cap effect -168.00)",
        "85 % of the team's capped total 320.00 = 272.00, split equally among 2 member(s) employed in the period (R4, R5)",
        "final payable 136.00",
        "negative basis (net refunds): it falls wholly in the first tier, a clawback",
        "R3 was not employed on any day of the period, so receives 0 from the pool",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    let unknown = run(&[
        "commission",
        "explain",
        "--data",
        &data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        &plan,
        "--rep",
        "R9",
    ]);
    assert_eq!(unknown.status.code(), Some(3));
    assert!(stderr(&unknown).contains("rep R9 is not in the reps table"));
}

#[test]
fn excel_csv_has_a_bom_and_xlsx_reads_back_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let csv_path = dir.path().join("c.csv");
    let xlsx_path = dir.path().join("c.xlsx");
    let o = commission(
        dir.path(),
        &["--out", csv_path.to_str().unwrap(), "--excel"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}period,".as_bytes()));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("李雷"));
    let o = commission(
        dir.path(),
        &["--out", xlsx_path.to_str().unwrap(), "--format", "xlsx"],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let sheet = book.worksheet_range("commission").unwrap();
    let csv = csv_rows(&text);
    let xlsx: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(xlsx.len(), csv.len());
    for (x, c) in xlsx.iter().zip(&csv) {
        assert_eq!(x.len(), c.len());
        for (xv, cv) in x.iter().zip(c) {
            match xv {
                Data::Empty => assert_eq!(cv, ""),
                Data::String(s) => assert_eq!(s, cv),
                Data::Float(f) => {
                    let expected: f64 = cv.parse().unwrap();
                    assert!((f - expected).abs() < 1e-9, "{f} vs {cv}");
                }
                Data::Int(i) => assert_eq!(i.to_string(), *cv),
                other => panic!("unexpected cell {other:?}"),
            }
        }
    }
}

#[test]
fn a_malformed_plan_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nvalid_from = \"2026-01-01\"\n[[tiers]]\nfrom = 0\nto = 0.8\nrate = 0.02\n[[tiers]]\nfrom = 0.85\nrate = 0.04\n",
    )
    .unwrap();
    let out = dir.path().join("c.csv");
    let data = dir.path().to_str().unwrap();
    let o = run(&[
        "commission",
        "--data",
        data,
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("tier 2 starts at 0.85 but the previous tier ends at 0.8"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // A period before the plan's valid_from is refused too.
    let o = commission(dir.path(), &["--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    std::fs::remove_file(&out).unwrap();
    let plan = plan(dir.path());
    let o = run(&[
        "commission",
        "--data",
        data,
        "--period",
        "2025-12",
        "--as-of",
        "2026-10-31",
        "--plan",
        &plan,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("is valid from 2026-01-01, but period 2025-12 starts on 2025-12-01")
    );
    assert!(!out.exists());
}

/// Runs `salesops commission [action]` on `data` for October 2026 with `plan`.
fn commission_with(
    action: Option<&str>,
    data: &std::path::Path,
    plan: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["commission"];
    args.extend(action);
    args.extend([
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        plan.to_str().unwrap(),
    ]);
    args.extend_from_slice(extra);
    run(&args)
}

/// ../shared/cases/tier-boundary-retro: bounds compared exactly; the
/// explanation's attainment agrees with the tier paid.
#[test]
fn tier_bounds_are_exact_and_the_explanation_agrees() {
    let data = fixture("cases/tier-boundary-retro");
    let plan = data.join("plan.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("commission.csv");
    let o = commission_with(None, &data, &plan, &["--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(cell(&rows, "rep_id", "R1", "gross_commission"), "16.00");
    assert_eq!(cell(&rows, "rep_id", "R2", "gross_commission"), "32.00");
    assert_eq!(cell(&rows, "rep_id", "R3", "gross_commission"), "32.00");
    assert_eq!(
        cell(&rows, "row_type", "total", "gross_commission"),
        "80.00"
    );
    let o = commission_with(Some("explain"), &data, &plan, &["--rep", "R1,R3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("attainment 79.9996 %"), "{text}");
    assert!(text.contains("attainment 80.0005 %"), "{text}");
}

#[test]
fn excluded_reps_earn_nothing_and_every_missing_row_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    // R5 is a house account; R2's role (Manager) is excluded; R6 left before October.
    std::fs::write(
        dir.path().join("reps.csv"),
        "rep_id,rep_name,region,team,hire_date,leave_date,role\n\
R1,Ann,N,T1,2025-01-01,,rep\n\
R2,李雷,N,T1,2025-01-01,,Manager\n\
R3,Cy,N,T1,2024-01-01,2026-09-15,\n\
R4,Dee,S,T2,2026-10-10,,\n\
R5,Eve,S,T2,2025-06-01,,\n\
R6,Gone,N,T1,2024-01-01,2026-08-31,\n",
    )
    .unwrap();
    let plan_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pipelines/commission.toml"
    ))
    .unwrap()
    .replace(
        "team_pool_share = 0.85",
        "exclude_reps = [\"R5\"]\nexclude_roles = [\"manager\"]",
    );
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, plan_text).unwrap();
    let out = dir.path().join("c.csv");
    let o = commission_with(None, dir.path(), &plan, &["--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("R5 (Eve) has no payout: excluded by the plan (exclude_reps lists R5)"),
        "{err}"
    );
    assert!(
        err.contains(
            "R2 (李雷) has no payout: excluded by the plan (exclude_roles lists the role manager)"
        ),
        "{err}"
    );
    assert!(
        err.contains("R6 (Gone) has no payout: left on 2026-08-31, before the period"),
        "{err}"
    );
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(cell(&rows, "rep_id", "R5", "row_type"), "excluded");
    assert_eq!(cell(&rows, "rep_id", "R5", "final_payable"), "0.00");
    assert_eq!(cell(&rows, "rep_id", "R5", "basis"), "");
    // Paid: R1 240.00, R3 −10.00, R4 468.00 (under the 30,000.00 cap); no pool.
    assert_eq!(cell(&rows, "row_type", "total", "final_payable"), "698.00");
    let o = commission_with(Some("explain"), dir.path(), &plan, &["--rep", "R5,R6,R1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("R5 (Eve), team T2\n  no commission in 2026-10: excluded by the plan"),
        "{text}"
    );
    assert!(
        text.contains("R6 (Gone), team T1\n  no commission in 2026-10: left on 2026-08-31"),
        "{text}"
    );
    assert!(
        text.contains("R1 (Ann), team T1\n  basis collected_amount = 10,000.00"),
        "{text}"
    );
    // An unknown rep is an error naming the nearest.
    let o = commission_with(Some("explain"), dir.path(), &plan, &["--rep", "R7x"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rep R7x is not in the reps table"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_total_row_leaves_target_empty_when_no_rep_has_one() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    std::fs::remove_file(dir.path().join("targets.csv")).ok();
    let out = dir.path().join("c.csv");
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/pipelines/commission.toml");
    let o = run(&[
        "commission",
        "--data",
        dir.path().to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--plan",
        plan,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(cell(&rows, "row_type", "total", "target"), "");
}
