use super::super::testkit::{rows, run, run_at};
use super::super::Rule;
use crate::kpi::testing::texts;
use crate::lang::Lang;

const ORDER_HEAD: &str =
    "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,status\n";
const PRODUCTS: &str = "product_id,product_name\nP1,Widget\n";

/// The tables of an orders_while_overdue case.
fn overdue_tables<'a>(
    orders: &'a str,
    invoices: &'a str,
    payments: &'a str,
) -> [(&'static str, &'a str); 4] {
    [
        ("products", PRODUCTS),
        ("orders", orders),
        ("invoices", invoices),
        ("payments", payments),
    ]
}

fn amounts(df: &polars::prelude::DataFrame) -> Vec<Option<i64>> {
    df.column("amount").unwrap().i64().unwrap().iter().collect()
}

/// Period 2026-09 ends on Wednesday the 30th: its last 2 workdays are the
/// 29th and 30th; the 5 workdays after run to Wednesday 7 October.
/// - R1 sells 600.00 on the 10th, then S2 (400.00) and S3 (400.00) to C1 on
///   the 29th and 30th: 800.00 of 1,400.00 = 57 % ≥ 40 %. He takes back
///   240.00 (X1, 6 October) = exactly 30 % of 800.00 → flagged, evidence
///   the end orders then the return, customer C1, amount 800.00.
/// - R2's end sales are exactly 40 % (400.00 of 1,000.00), but inside the
///   return window he takes back only 116.00 (29 %); the 400.00 return of
///   8 October is after the window → not flagged.
/// - R3's end sales are 299.00 of 999.00 (29.9 %) → not flagged, though he
///   takes all of it back.
const STUFFING: &str = "S1,1,2026-09-10,R1,C1,P1,10,60,\n\
    S2,1,2026-09-29,R1,C1,P1,10,40,\n\
    S3,1,2026-09-30,R1,C1,P1,5,80,\n\
    S4,1,2026-09-30,R1,C1,P1,1,1,cancelled\n\
    X1,1,2026-10-06,R1,C1,P1,-3,80,\n\
    T1,1,2026-09-01,R2,C2,P1,6,100,\n\
    T2,1,2026-09-30,R2,C2,P1,4,100,\n\
    T4,1,2026-10-02,R2,C2,P1,-1,116,\n\
    T3,1,2026-10-08,R2,C2,P1,-4,100,\n\
    U1,1,2026-09-15,R3,C3,P1,1,700,\n\
    U2,1,2026-09-30,R3,C3,P1,1,299,\n\
    U3,1,2026-10-01,R3,C3,P1,-1,299,\n";

#[test]
fn period_end_stuffing_needs_both_shares_within_the_windows() {
    let orders = format!("{ORDER_HEAD}{STUFFING}");
    let tables = [("products", PRODUCTS), ("orders", orders.as_str())];
    let (df, missing) = run_at(
        &tables,
        "2026-09",
        "2026-10-31",
        &[Rule::PeriodEndStuffing],
        Lang::En,
    );
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!(rows(&df), [["period_end_stuffing", "R1", "S2;S3;X1"]]);
    assert_eq!(texts(&df, "customer_id")[0].as_deref(), Some("C1"));
    assert_eq!(amounts(&df), [Some(80000)]);
    assert_eq!(
        texts(&df, "detail")[0].as_deref(),
        Some(
            "sales of 800.00 in the last 2 workdays (2026-09-29 to 2026-09-30) are 57% \
             of the period's 1400.00; 240.00 returned by 2026-10-07"
        )
    );
    let (zh, _) = run_at(
        &tables,
        "2026-09",
        "2026-10-31",
        &[Rule::PeriodEndStuffing],
        Lang::Zh,
    );
    assert_eq!(
        texts(&zh, "detail")[0].as_deref(),
        Some(
            "期末最后 2 个工作日（2026-09-29 至 2026-09-30）销售 800.00，\
             占本期销售 1400.00 的 57%；至 2026-10-07 退货 240.00"
        )
    );
}

/// Judged once the return window has passed as_of: on 6 October (the
/// window runs to the 7th) the rule is not judged — no row, and the reason
/// is given — and on the 7th R1 is flagged.
#[test]
fn period_end_stuffing_waits_for_its_return_window() {
    let orders = format!("{ORDER_HEAD}{STUFFING}");
    let tables = [("products", PRODUCTS), ("orders", orders.as_str())];
    let (df, missing) = run_at(
        &tables,
        "2026-09",
        "2026-10-06",
        &[Rule::PeriodEndStuffing],
        Lang::En,
    );
    assert_eq!(df.height(), 0);
    assert_eq!(
        missing,
        [
            "period_end_stuffing: not judged yet: returns are looked for through 2026-10-07, \
          after as_of 2026-10-06"
        ]
    );
    let (df, missing) = run_at(
        &tables,
        "2026-09",
        "2026-10-07",
        &[Rule::PeriodEndStuffing],
        Lang::En,
    );
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!(rows(&df), [["period_end_stuffing", "R1", "S2;S3;X1"]]);
}

/// overdue_days 90, period 2026-10.
/// - C1's I1 (due 2026-07-01, 1,000.00, 600.00 paid) is 96 days past due
///   and 400.00 open on 2026-10-05: order A1 (22.00) is flagged; A2 of
///   2026-09-29 lies outside the period.
/// - C2's I2 (due 2026-06-01) was paid in full on 2026-10-04, the day
///   before order B1 → not flagged, nor B2 after it.
/// - C3's I3 (due 2026-07-09) is paid only on 2026-10-20: order D1 of
///   2026-10-07 is exactly 90 days past due → not flagged; D3 of
///   2026-10-08 (91 days) is; the cancelled D2 the same day is not, nor
///   the return D4 (goods taken back) of 2026-10-09.
#[test]
fn orders_while_overdue_look_at_the_open_amount_on_the_order_date() {
    let orders = format!(
        "{ORDER_HEAD}A1,1,2026-10-05,R1,C1,P1,2,10.50,\n\
         A1,2,2026-10-05,R1,C1,P1,1,1,\n\
         A2,1,2026-09-29,R1,C1,P1,1,5,\n\
         B1,1,2026-10-05,R2,C2,P1,1,5,\n\
         B2,1,2026-10-10,R2,C2,P1,1,5,\n\
         D1,1,2026-10-07,R3,C3,P1,1,7,\n\
         D2,1,2026-10-08,R3,C3,P1,1,7,cancelled\n\
         D3,1,2026-10-08,R3,C3,P1,1,7,\n\
         D4,1,2026-10-09,R3,C3,P1,-1,7,\n"
    );
    let invoices = "invoice_id,customer_id,invoice_date,due_date,amount\n\
                    I1,C1,2026-06-01,2026-07-01,1000\n\
                    I2,C2,2026-05-01,2026-06-01,300\n\
                    I3,C3,2026-05-01,2026-07-09,200\n";
    let payments = "payment_id,invoice_id,payment_date,amount\n\
                    Y1,I1,2026-08-01,600\n\
                    Y2,I2,2026-10-04,300\n\
                    Y3,I3,2026-10-20,200\n";
    let tables = overdue_tables(&orders, invoices, payments);
    let df = run(&tables, &[Rule::OrdersWhileOverdue], Lang::En);
    assert_eq!(
        rows(&df),
        [
            ["orders_while_overdue", "R1", "A1;I1"],
            ["orders_while_overdue", "R3", "D3;I3"]
        ]
    );
    assert_eq!(amounts(&df), [Some(2200), Some(700)]);
    assert_eq!(
        texts(&df, "detail")[0].as_deref(),
        Some(
            "order A1 on 2026-10-05 while 1 invoice(s) more than 90 days past due were still open"
        )
    );
    let zh = run(&tables, &[Rule::OrdersWhileOverdue], Lang::Zh);
    assert_eq!(
        texts(&zh, "detail")[1].as_deref(),
        Some("订单 D3 于 2026-10-08 下单时，有 1 张发票已逾期超过 90 天且仍未结清")
    );
}

/// Invoices paid in full before the period (October 2026) are left out
/// before the join unless a payment of the period reopens them:
/// - C1's I1 (due 2026-06-01, 500.00) was paid on 2026-08-01 and 100.00 of
///   it refunded on 2026-10-06: order A1 of 2026-10-05 finds it covered,
///   A2 of 2026-10-07 finds 100.00 open → flagged;
/// - C2's I2 was paid on 2026-08-01 and nothing since: B1 is not flagged;
/// - C3's I3 was overpaid before the period and a refund of the excess in
///   the period leaves it covered: D1 is not flagged.
#[test]
fn orders_while_overdue_see_an_invoice_reopened_in_the_period() {
    let orders = format!(
        "{ORDER_HEAD}A1,1,2026-10-05,R1,C1,P1,1,5,\n\
         A2,1,2026-10-07,R1,C1,P1,1,5,\n\
         B1,1,2026-10-05,R2,C2,P1,1,5,\n\
         D1,1,2026-10-08,R3,C3,P1,1,5,\n"
    );
    let invoices = "invoice_id,customer_id,invoice_date,due_date,amount\n\
                    I1,C1,2026-05-01,2026-06-01,500\n\
                    I2,C2,2026-05-01,2026-06-01,300\n\
                    I3,C3,2026-05-01,2026-06-01,200\n";
    let payments = "payment_id,invoice_id,payment_date,amount\n\
                    Y1,I1,2026-08-01,500\n\
                    Y2,I1,2026-10-06,-100\n\
                    Y3,I2,2026-08-01,300\n\
                    Y4,I3,2026-08-01,250\n\
                    Y5,I3,2026-10-02,-50\n";
    let tables = overdue_tables(&orders, invoices, payments);
    let df = run(&tables, &[Rule::OrdersWhileOverdue], Lang::En);
    assert_eq!(rows(&df), [["orders_while_overdue", "R1", "A2;I1"]]);
}
