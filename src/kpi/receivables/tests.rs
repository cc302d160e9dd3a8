use super::*;
use crate::kpi::testing::{self, REPS};
use crate::kpi::Grouping;

const CUSTOMERS: &str = "customer_id,customer_name,region,owner_rep_id\n\
C1,One,N,R1\nC2,Two,N,R2\nC3,Three,S,R3\nC4,Four,S,\n";

const PRODUCTS: &str = "product_id,product_name\nX1,Widget\n";

// O1: R2 (customer C1, owned by R1). O2: line 1 by R1 is cancelled, so
// its rep is R3 (lowest live line).
const ORDERS: &str =
    "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,status\n\
O1,1,2026-09-20,R2,C1,X1,1,100,\n\
O2,1,2026-09-21,R1,C1,X1,1,40,Cancelled\n\
O2,2,2026-09-21,R3,C1,X1,1,40,\n";

// I1  R1  paid 400 + 600 (settled 10-21, 20 days)
// I2  R1  Sept invoice, partial payment 200, due 10-15
// I3  R1  overpaid by 50 (settled 10-03, 1 day)
// I4  R2  settled in Sept, refunded in Oct (not unsettled, receivable again)
// I5  ->R2 via order O1 (customer owner is R1)
// I6  ->R3 via customer owner (no rep, no order)
// I7  R3  credit note, with a refund paid against it
// I8  R1  after as_of (ignored); P8 after as_of (ignored)
// I9  R1  10-25, not due at 10-31, after PE in the 10-20 cut
// I10 C4 without owner: unattributed, it and P9 left out (warning)
// I11 ->R3 via order O2 (lowest live line)
const INVOICES: &str = "invoice_id,customer_id,invoice_date,due_date,amount,order_id,rep_id\n\
I1,C1,2026-10-01,2026-10-31,1000.00,,R1\n\
I2,C1,2026-09-15,2026-10-15,500.00,,R1\n\
I3,C1,2026-10-02,2026-11-01,300.00,,R1\n\
I4,C2,2026-09-01,2026-09-30,200.00,,R2\n\
I5,C1,2026-10-05,2026-10-05,100.00,O1,\n\
I6,C3,2026-10-10,2026-11-10,250.00,,\n\
I7,C3,2026-10-15,2026-10-15,-50.00,,R3\n\
I8,C1,2026-11-02,2026-12-02,999.00,,R1\n\
I9,C1,2026-10-25,2026-11-24,100.00,,R1\n\
I10,C4,2026-10-07,2026-10-07,77.00,,\n\
I11,C1,2026-10-06,2026-12-31,40.00,O2,\n";

const PAYMENTS: &str = "payment_id,invoice_id,payment_date,amount\n\
P1,I1,2026-10-05,400.00\n\
P2,I1,2026-10-21,600.00\n\
P3,I2,2026-10-10,200.00\n\
P4,I3,2026-10-03,350.00\n\
P5,I4,2026-09-10,200.00\n\
P6,I4,2026-10-12,-200.00\n\
P7,I7,2026-10-16,-50.00\n\
P8,I2,2026-11-03,300.00\n\
P9,I10,2026-10-08,77.00\n";

/// Joins both part frames onto every group like the scorecard does:
/// zero-filled when the table is present, null when absent; then derived().
fn compute(ctx: &KpiContext, grouping: Grouping) -> DataFrame {
    let groups = ctx.rep_groups(grouping).unwrap();
    let mut frame = groups
        .clone()
        .select([col(GROUP)])
        .unique(None, UniqueKeepStrategy::First);
    for (parts, columns) in [
        (invoice_parts(ctx, groups.clone()).unwrap(), INVOICE_COLUMNS),
        (payment_parts(ctx, groups.clone()).unwrap(), PAYMENT_COLUMNS),
    ] {
        frame = match parts {
            Some(p) => frame
                .join(p, [col(GROUP)], [col(GROUP)], JoinArgs::new(JoinType::Left))
                .with_columns(
                    columns
                        .iter()
                        .map(|c| col(*c).fill_null(lit(0i64)).alias(*c))
                        .collect::<Vec<_>>(),
                ),
            None => frame.with_columns(
                columns
                    .iter()
                    .map(|c| lit(NULL).cast(DataType::Int64).alias(*c))
                    .collect::<Vec<_>>(),
            ),
        };
    }
    frame.with_columns(derived()).collect().unwrap()
}

fn row(df: &DataFrame, group: &str) -> DataFrame {
    df.clone()
        .lazy()
        .filter(col(GROUP).eq(lit(group)))
        .collect()
        .unwrap()
}

fn int(df: &DataFrame, group: &str, column: &str) -> Option<i64> {
    let r = row(df, group);
    assert_eq!(r.height(), 1, "one row for {group}");
    r.column(column).unwrap().i64().unwrap().get(0)
}

fn float(df: &DataFrame, group: &str, column: &str) -> Option<f64> {
    let r = row(df, group);
    assert_eq!(r.height(), 1, "one row for {group}");
    r.column(column).unwrap().f64().unwrap().get(0)
}

fn close(actual: Option<f64>, expected: f64) {
    let a = actual.expect("value");
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

const AGING: [&str; 5] = [
    "aging_not_due",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_91_plus",
];

fn assert_aging_sums(df: &DataFrame) {
    for g in df.column(GROUP).unwrap().str().unwrap().iter().flatten() {
        let total: i64 = AGING.iter().map(|c| int(df, g, c).unwrap()).sum();
        assert_eq!(Some(total), int(df, g, "receivables_end"), "aging of {g}");
    }
}

/// Receivable columns per rep for October 2026, as of its last day.
fn october_by_rep(invoices: &str, payments: &str) -> DataFrame {
    let data = receivables_data(invoices, payments);
    compute(
        &testing::context(&data, "2026-10", "2026-10-31"),
        Grouping::Rep,
    )
}

/// Reps, customers, and these invoices and payments.
fn receivables_data(invoices: &str, payments: &str) -> crate::ingest::Dataset {
    testing::dataset(&[
        ("reps", REPS),
        ("customers", testing::CUSTOMERS),
        ("invoices", invoices),
        ("payments", payments),
    ])
}

fn full_data() -> crate::ingest::Dataset {
    testing::dataset(&[
        ("reps", REPS),
        ("customers", CUSTOMERS),
        ("products", PRODUCTS),
        ("orders", ORDERS),
        ("invoices", INVOICES),
        ("payments", PAYMENTS),
    ])
}

#[test]
fn attribution_by_invoice_order_and_owner() {
    let data = full_data();
    let ctx = testing::context(&data, "2026-10", "2026-10-31");
    let df = attributed_invoices(&ctx)
        .unwrap()
        .sort(["invoice_id"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let ids: Vec<&str> = df
        .column("invoice_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    // I8 is after as_of, I10 has no rep at all.
    assert_eq!(ids, ["I1", "I11", "I2", "I3", "I4", "I5", "I6", "I7", "I9"]);
    let reps: Vec<&str> = df
        .column("rep_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(reps, ["R1", "R3", "R1", "R1", "R2", "R2", "R3", "R3", "R1"]);
    // The rule that gave each of those reps.
    let sources = attribute_plan(&ctx, data.lazy("invoices").unwrap())
        .filter(col("invoice_date").lt_eq(date_lit(ctx.as_of)))
        .filter(col("rep_id").is_not_null())
        .sort(["invoice_id"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    assert_eq!(
        sources.column("invoice_id").unwrap(),
        df.column("invoice_id").unwrap()
    );
    let src: Vec<&str> = sources
        .column("rep_source")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        src,
        [
            "invoice", "order", "invoice", "invoice", "invoice", "order", "customer", "invoice",
            "invoice"
        ]
    );
    assert!(ctx.warnings().is_empty(), "{:?}", ctx.warnings());

    let pays = attributed_payments(&ctx)
        .unwrap()
        .sort(["payment_id"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let ids: Vec<&str> = pays
        .column("payment_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    // P8 after as_of, P9 on the unattributed I10.
    assert_eq!(ids, ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]);
    let reps: Vec<&str> = pays
        .column("rep_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(reps, ["R1", "R1", "R1", "R1", "R2", "R2", "R3"]);
}

#[test]
fn the_stored_invoice_ledger_gives_what_the_tables_give() {
    // I12 is dated before its order O1 (2026-09-20): as of 2026-09-19
    // the order does not count yet and the owner R1 takes it, from the
    // 20th R2 does.
    let invoices = format!("{INVOICES}I12,C1,2026-09-18,2026-09-30,60.00,O1,\n");
    let payments = format!("{PAYMENTS}P10,I12,2026-09-25,60.00\n");
    let data = testing::dataset(&[
        ("reps", REPS),
        ("customers", CUSTOMERS),
        ("products", PRODUCTS),
        ("orders", ORDERS),
        ("invoices", &invoices),
        ("payments", &payments),
    ]);
    let stored = testing::with_stored_facts(&data);
    let by_group = |ctx: &KpiContext, grouping| {
        compute(ctx, grouping)
            .sort([GROUP], SortMultipleOptions::default())
            .unwrap()
    };
    let attributed = |ctx: &KpiContext| {
        attributed_invoices(ctx)
            .unwrap()
            .sort(["invoice_id"], SortMultipleOptions::default())
            .collect()
            .unwrap()
    };
    for (period, as_of) in [
        ("2026-09", "2026-09-19"),
        ("2026-09", "2026-09-30"),
        ("2026-10", "2026-10-20"),
        ("2026-10", "2026-10-31"),
        ("2026-Q4", "2026-11-30"),
    ] {
        let from_tables = testing::context(&data, period, as_of);
        let from_store = testing::context(&stored, period, as_of);
        assert!(!balances_carry_reps(&from_tables));
        assert!(balances_carry_reps(&from_store));
        assert!(payments_carry_reps(&from_store));
        for grouping in [Grouping::Rep, Grouping::Team] {
            assert_eq!(
                by_group(&from_store, grouping),
                by_group(&from_tables, grouping),
                "{period} as of {as_of}"
            );
        }
        let want = attributed(&from_tables);
        assert_eq!(attributed(&from_store), want, "{period} as of {as_of}");
        let i12 = want
            .lazy()
            .filter(col("invoice_id").eq(lit("I12")))
            .collect()
            .unwrap();
        let rep = i12.column("rep_id").unwrap().str().unwrap().get(0);
        let owner_then = as_of == "2026-09-19";
        assert_eq!(rep, Some(if owner_then { "R1" } else { "R2" }), "{as_of}");
        assert_eq!(from_store.warnings(), from_tables.warnings());
    }
}

#[test]
fn full_month_per_rep_and_team() {
    let data = full_data();
    let ctx = testing::context(&data, "2026-10", "2026-10-31");
    let df = compute(&ctx, Grouping::Rep);
    // PE = 10-31, period [10-01, 10-31], DSO window [08-03, 10-31].
    //
    // R1: invoiced I1 1000 + I3 300 + I9 100 = 1400.00 (I2 is September)
    //     collected P1 400 + P2 600 + P3 200 + P4 350 = 1550.00 (P8 after as_of)
    //     settled in period: I1 on 10-21 (20 days), I3 on 10-03 (1 day) -> 21 / 2
    //     receivables: I1 0, I2 500-200 = 300 (16 days past due), I3 0 (the 50
    //     overpaid does not offset I2), I9 100 (not due) -> 400.00, overdue 300.00
    //     window invoicing I1+I2+I3+I9 = 1900.00 -> DSO 400/1900*90
    assert_eq!(int(&df, "R1", "invoiced_amount"), Some(140_000));
    assert_eq!(int(&df, "R1", "collected_amount"), Some(155_000));
    close(float(&df, "R1", "collection_ratio"), 155_000.0 / 140_000.0);
    assert_eq!(int(&df, "R1", "__cycle_days_sum"), Some(21));
    assert_eq!(int(&df, "R1", "__cycle_n"), Some(2));
    close(float(&df, "R1", "repayment_cycle_days"), 10.5);
    assert_eq!(int(&df, "R1", "receivables_end"), Some(40_000));
    assert_eq!(int(&df, "R1", "overdue_end"), Some(30_000));
    close(float(&df, "R1", "overdue_ratio"), 0.75);
    assert_eq!(int(&df, "R1", "__invoiced_90d"), Some(190_000));
    close(float(&df, "R1", "dso_days"), 40_000.0 / 190_000.0 * 90.0);
    assert_eq!(int(&df, "R1", "aging_not_due"), Some(10_000));
    assert_eq!(int(&df, "R1", "aging_1_30"), Some(30_000));
    assert_eq!(int(&df, "R1", "aging_31_60"), Some(0));

    // R2: invoiced I5 100 (via order O1); collected P6 -200 (refund of I4)
    //     I4 settled 09-10, not in period, the refund does not unsettle -> n 0
    //     receivables: I4 200 - (200 - 200) = 200 (31 days past due),
    //     I5 100 (26 days) -> 300.00, all overdue
    //     window I4 200 + I5 100 = 300 -> DSO 90
    assert_eq!(int(&df, "R2", "invoiced_amount"), Some(10_000));
    assert_eq!(int(&df, "R2", "collected_amount"), Some(-20_000));
    close(float(&df, "R2", "collection_ratio"), -2.0);
    assert_eq!(int(&df, "R2", "__cycle_n"), Some(0));
    assert_eq!(float(&df, "R2", "repayment_cycle_days"), None);
    assert_eq!(int(&df, "R2", "receivables_end"), Some(30_000));
    assert_eq!(int(&df, "R2", "overdue_end"), Some(30_000));
    close(float(&df, "R2", "overdue_ratio"), 1.0);
    close(float(&df, "R2", "dso_days"), 90.0);
    assert_eq!(int(&df, "R2", "aging_1_30"), Some(10_000));
    assert_eq!(int(&df, "R2", "aging_31_60"), Some(20_000));

    // R3: invoiced I6 250 (owner) + I7 -50 (credit note) + I11 40 (order O2) = 240.00
    //     collected P7 -50; the credit note never settles -> n 0
    //     receivables I6 250 + I11 40 = 290.00, none overdue; I7 adds nothing
    //     DSO 290 / 240 * 90 = 108.75
    assert_eq!(int(&df, "R3", "invoiced_amount"), Some(24_000));
    assert_eq!(int(&df, "R3", "collected_amount"), Some(-5_000));
    close(float(&df, "R3", "collection_ratio"), -5_000.0 / 24_000.0);
    assert_eq!(int(&df, "R3", "__cycle_n"), Some(0));
    assert_eq!(int(&df, "R3", "receivables_end"), Some(29_000));
    assert_eq!(int(&df, "R3", "overdue_end"), Some(0));
    close(float(&df, "R3", "overdue_ratio"), 0.0);
    close(float(&df, "R3", "dso_days"), 108.75);
    assert_eq!(int(&df, "R3", "aging_not_due"), Some(29_000));
    assert_aging_sums(&df);

    // I10 (no rep anywhere) is reported, not silently dropped.
    let w = ctx.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("1 invoice(s)") && w[0].contains("I10"),
        "{w:?}"
    );

    // Team T1 = R1 + R2: money is the sum, ratios from summed parts.
    let team = compute(&ctx, Grouping::Team);
    for c in INVOICE_COLUMNS.iter().chain(PAYMENT_COLUMNS) {
        assert_eq!(
            int(&team, "T1", c).unwrap(),
            int(&df, "R1", c).unwrap() + int(&df, "R2", c).unwrap(),
            "{c}"
        );
        assert_eq!(int(&team, "T2", c), int(&df, "R3", c), "{c}");
    }
    assert_eq!(int(&team, "T1", "invoiced_amount"), Some(150_000));
    assert_eq!(int(&team, "T1", "collected_amount"), Some(135_000));
    close(float(&team, "T1", "collection_ratio"), 0.9);
    close(float(&team, "T1", "repayment_cycle_days"), 10.5);
    assert_eq!(int(&team, "T1", "receivables_end"), Some(70_000));
    close(float(&team, "T1", "overdue_ratio"), 60_000.0 / 70_000.0);
    close(float(&team, "T1", "dso_days"), 70_000.0 / 220_000.0 * 90.0);
    assert_aging_sums(&team);

    let company = compute(&ctx, Grouping::Company);
    assert_eq!(int(&company, "company", "receivables_end"), Some(99_000));
    assert_eq!(int(&company, "company", "collected_amount"), Some(130_000));
}

#[test]
fn period_cut_by_as_of() {
    let data = full_data();
    let ctx = testing::context(&data, "2026-10", "2026-10-20");
    let df = compute(&ctx, Grouping::Rep);
    // PE = 10-20; P2 (10-21) and I9 (10-25) are after as_of; window [07-23, 10-20].
    // R1: invoiced I1 1000 + I3 300 = 1300.00; collected 400 + 200 + 350 = 950.00
    //     settled: I3 only (1 day); I1 has 400 of 1000
    //     receivables: I1 600 (due 10-31, -11 days: not due), I2 300 (5 days)
    //     -> 900.00, overdue 300.00; window I1+I2+I3 = 1800 -> DSO 45
    assert_eq!(int(&df, "R1", "invoiced_amount"), Some(130_000));
    assert_eq!(int(&df, "R1", "collected_amount"), Some(95_000));
    close(float(&df, "R1", "repayment_cycle_days"), 1.0);
    assert_eq!(int(&df, "R1", "receivables_end"), Some(90_000));
    assert_eq!(int(&df, "R1", "overdue_end"), Some(30_000));
    assert_eq!(int(&df, "R1", "aging_not_due"), Some(60_000));
    assert_eq!(int(&df, "R1", "aging_1_30"), Some(30_000));
    close(float(&df, "R1", "dso_days"), 45.0);
    // R2: I4 200 now 20 days past due, I5 100 15 days -> 300.00 in 1_30.
    assert_eq!(int(&df, "R2", "receivables_end"), Some(30_000));
    assert_eq!(int(&df, "R2", "aging_1_30"), Some(30_000));
    assert_eq!(int(&df, "R2", "aging_31_60"), Some(0));
    close(float(&df, "R2", "dso_days"), 90.0);
    // R3 unchanged: I6, I7, I11 and P7 are all ≤ 10-20.
    assert_eq!(int(&df, "R3", "invoiced_amount"), Some(24_000));
    assert_eq!(int(&df, "R3", "receivables_end"), Some(29_000));
    assert_aging_sums(&df);

    let team = compute(&ctx, Grouping::Team);
    assert_eq!(int(&team, "T1", "invoiced_amount"), Some(140_000));
    assert_eq!(int(&team, "T1", "collected_amount"), Some(75_000));
    close(float(&team, "T1", "collection_ratio"), 75_000.0 / 140_000.0);
    assert_eq!(int(&team, "T1", "receivables_end"), Some(120_000));
    close(float(&team, "T1", "overdue_ratio"), 0.5);
    close(float(&team, "T1", "dso_days"), 120_000.0 / 210_000.0 * 90.0);
}

#[test]
fn aging_boundaries_and_empty_dso_window() {
    // All invoices of R3 dated 2026-05-01, before the DSO window [08-03, 10-31].
    // Days past due at PE 10-31: 0, 1, 30, 31, 60, 61, 90, 91.
    let invoices = "invoice_id,customer_id,invoice_date,due_date,amount,rep_id\n\
A0,C3,2026-05-01,2026-10-31,1.00,R3\n\
A1,C3,2026-05-01,2026-10-30,2.00,R3\n\
A30,C3,2026-05-01,2026-10-01,4.00,R3\n\
A31,C3,2026-05-01,2026-09-30,8.00,R3\n\
A60,C3,2026-05-01,2026-09-01,16.00,R3\n\
A61,C3,2026-05-01,2026-08-31,32.00,R3\n\
A90,C3,2026-05-01,2026-08-02,64.00,R3\n\
A91,C3,2026-05-01,2026-08-01,128.00,R3\n";
    let payments = "payment_id,invoice_id,payment_date,amount\nP1,A0,2026-06-01,0.40\n";
    let df = october_by_rep(invoices, payments);
    // not_due: A0 1.00 - 0.40 = 0.60; 1_30: 2 + 4; 31_60: 8 + 16;
    // 61_90: 32 + 64; 91_plus: 128.
    assert_eq!(int(&df, "R3", "aging_not_due"), Some(60));
    assert_eq!(int(&df, "R3", "aging_1_30"), Some(600));
    assert_eq!(int(&df, "R3", "aging_31_60"), Some(2_400));
    assert_eq!(int(&df, "R3", "aging_61_90"), Some(9_600));
    assert_eq!(int(&df, "R3", "aging_91_plus"), Some(12_800));
    assert_eq!(int(&df, "R3", "receivables_end"), Some(25_460));
    assert_eq!(int(&df, "R3", "overdue_end"), Some(25_400));
    assert_aging_sums(&df);
    // Nothing invoiced in the period or in the DSO window: ratio and DSO null.
    assert_eq!(int(&df, "R3", "invoiced_amount"), Some(0));
    assert_eq!(int(&df, "R3", "__invoiced_90d"), Some(0));
    assert_eq!(int(&df, "R3", "collected_amount"), Some(0));
    assert_eq!(float(&df, "R3", "collection_ratio"), None);
    assert_eq!(float(&df, "R3", "dso_days"), None);
    // Reps without invoices: zero money, null ratios.
    assert_eq!(int(&df, "R1", "receivables_end"), Some(0));
    assert_eq!(float(&df, "R1", "overdue_ratio"), None);
}

#[test]
fn invoices_without_payments() {
    let data = testing::dataset(&[
        ("reps", REPS),
        ("customers", testing::CUSTOMERS),
        ("invoices", "invoice_id,customer_id,invoice_date,due_date,amount\nI1,C1,2026-10-03,2026-11-02,120.50\nI2,C2,2026-10-04,2026-11-03,-20.00\n"),
    ]);
    let ctx = testing::context(&data, "2026-10", "2026-10-31");
    assert!(attributed_payments(&ctx).is_none());
    let df = compute(&ctx, Grouping::Team);
    // I1 -> R1 and I2 -> R2 by customer owner, both in T1.
    assert_eq!(int(&df, "T1", "invoiced_amount"), Some(10_050));
    assert_eq!(int(&df, "T2", "invoiced_amount"), Some(0));
    for c in PAYMENT_COLUMNS {
        assert_eq!(int(&df, "T1", c), None, "{c}");
    }
    assert_eq!(float(&df, "T1", "collection_ratio"), None);
    assert_eq!(float(&df, "T1", "dso_days"), None);
    let w = ctx.warnings();
    assert_eq!(
        w,
        ["payments: table absent, so collection and receivable KPIs are null"]
    );
}

#[test]
fn settlement_prepayment_refund_and_same_day_netting() {
    // J1 prepaid on 10-05, invoiced 10-10: settles on its invoice date, 0 days.
    // J2 paid in full 10-03 (2 days), then refunded 50 on 10-08: stays settled,
    //    but 50.00 is receivable again (due 10-31 = PE: not due).
    // J3 150 and -60 on 10-04 net to 90 < 100 (not settled that day), +10 on
    //    10-06 settles it: 5 days.
    let invoices = "invoice_id,customer_id,invoice_date,due_date,amount,rep_id\n\
J1,C2,2026-10-10,2026-11-09,100.00,R2\n\
J2,C2,2026-10-01,2026-10-31,200.00,R2\n\
J3,C2,2026-10-01,2026-10-31,100.00,R2\n";
    let payments = "payment_id,invoice_id,payment_date,amount\n\
P1,J1,2026-10-05,100.00\n\
P2,J2,2026-10-03,200.00\n\
P3,J2,2026-10-08,-50.00\n\
P5,J3,2026-10-04,150.00\n\
P6,J3,2026-10-04,-60.00\n\
P7,J3,2026-10-06,10.00\n";
    let df = october_by_rep(invoices, payments);
    // cycle 0 + 2 + 5 = 7 over 3 invoices
    assert_eq!(int(&df, "R2", "__cycle_days_sum"), Some(7));
    assert_eq!(int(&df, "R2", "__cycle_n"), Some(3));
    // collected 100 + 200 - 50 + 150 - 60 + 10 = 350.00
    assert_eq!(int(&df, "R2", "collected_amount"), Some(35_000));
    assert_eq!(int(&df, "R2", "invoiced_amount"), Some(40_000));
    assert_eq!(int(&df, "R2", "receivables_end"), Some(5_000));
    assert_eq!(int(&df, "R2", "aging_not_due"), Some(5_000));
    assert_eq!(int(&df, "R2", "overdue_end"), Some(0));
}

#[test]
fn no_invoices() {
    let data = testing::dataset(&[("reps", REPS)]);
    let ctx = testing::context(&data, "2026-10", "2026-10-31");
    let groups = ctx.rep_groups(Grouping::Rep).unwrap();
    assert!(invoice_parts(&ctx, groups.clone()).unwrap().is_none());
    assert!(payment_parts(&ctx, groups).unwrap().is_none());
    assert_eq!(
        ctx.warnings(),
        ["invoices: table absent, so invoice, collection and receivable KPIs are null"]
    );
}

#[test]
fn overdue_by_customer_sums_past_due_outstanding_per_credited_rep() {
    // At PE 2026-10-31: C1 has A1 (70.00 left, 21 days late) and A2 (50.00,
    // 31 days late); C2 has A3 (200.00, 1 day late); C3's A4 is not due
    // and its overpaid A5 leaves nothing.
    let invoices = "invoice_id,customer_id,invoice_date,due_date,amount,rep_id\n\
A1,C1,2026-09-10,2026-10-10,100.00,R1\n\
A2,C1,2026-09-01,2026-09-30,50.00,R1\n\
A3,C2,2026-10-01,2026-10-30,200.00,R2\n\
A4,C3,2026-10-15,2026-11-15,500.00,R3\n\
A5,C3,2026-09-01,2026-10-01,40.00,R3\n";
    let payments = "payment_id,invoice_id,payment_date,amount\nP1,A1,2026-10-05,30.00\nP2,A5,2026-10-02,60.00\n";
    let data = receivables_data(invoices, payments);
    let ctx = testing::context(&data, "2026-10", "2026-10-31");
    let top = overdue_by_customer(&ctx).unwrap().unwrap();
    let ids: Vec<_> = top
        .column("customer_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["C2", "C1"]);
    assert_eq!(
        testing::texts(&top, "rep_id"),
        [Some("R2".to_string()), Some("R1".to_string())]
    );
    let overdue: Vec<_> = top
        .column("overdue")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(overdue, [20_000, 12_000]);
    let late: Vec<_> = top
        .column("max_days_past_due")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(late, [1, 31]);
    // Together they are the company's overdue receivables.
    let company = compute(&ctx, Grouping::Company);
    assert_eq!(int(&company, "company", "overdue_end"), Some(32_000));
}
