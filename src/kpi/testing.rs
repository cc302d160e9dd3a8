//! Test helpers: build a validated dataset from inline CSV text.

use chrono::NaiveDate;

use crate::ingest::{self, Dataset, LoadOptions};
use crate::kpi::{Engine, KpiContext, Settings};
use crate::period::Period;

/// Writes each `(table, csv text)` to a temporary directory and loads it
/// strictly through ingest, so tests see exactly what the binary sees.
pub(crate) fn dataset(tables: &[(&str, &str)]) -> Dataset {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in tables {
        std::fs::write(dir.path().join(format!("{name}.csv")), text).expect("write fixture");
    }
    let (data, _) = ingest::load(dir.path(), &LoadOptions::default()).expect("fixture loads");
    data
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A context for `period` cut at `as_of` with default settings, from an
/// engine that lives as long as the data (leaked: tests only).
pub(crate) fn context<'a>(data: &'a Dataset, period: &str, as_of: &str) -> KpiContext<'a> {
    let engine: &'a Engine<'a> = Box::leak(Box::new(
        Engine::new(data, day(as_of), Settings::default()).expect("engine"),
    ));
    engine
        .context(&Period::parse(period).expect("period"))
        .expect("context")
}

/// Minimal reps table used by many tests: R1 and R2 in team T1 / region N, R3 in T2 / S.
pub(crate) const REPS: &str =
    "rep_id,rep_name,region,team,role\nR1,Ann,N,T1,rep\nR2,Bo,N,T1,manager\nR3,Cy,S,T2,\n";

/// Minimal customers table: C1 (N, owner R1), C2 (N, owner R2), C3 (S, owner R3).
pub(crate) const CUSTOMERS: &str =
    "customer_id,customer_name,region,owner_rep_id\nC1,One,N,R1\nC2,Two,N,R2\nC3,Three,S,R3\n";

/// Products with a list price (P1, 100) and without (P2).
pub(crate) const PRICED_PRODUCTS: &str =
    "product_id,product_name,list_price,unit_cost\nP1,Bolt,100,50\nP2,Nut,,1\n";

/// Order lines of October 2026 for the discipline rules (rule 6): O1 exactly
/// 10 % off, O2 10.0001 % off, O3 20 % off shipped to S, O4 11 % off, O5
/// cancelled, O6 at list price, O7 without any list price, O8 12 % off its
/// own list price, O9 99 % off on the 20th, shipped to S.
pub(crate) const DISCIPLINE_ORDERS: &str = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,list_price,ship_region,status
O1,1,2026-10-02,R1,C1,P1,1,90.0000,,,
O2,1,2026-10-02,R1,C1,P1,1,89.9999,,,
O3,1,2026-10-02,R2,C2,P1,1,80,,S,
O4,1,2026-10-02,R3,C3,P1,2,89,,,
O5,1,2026-10-02,R3,C1,P1,1,10,,,Cancelled
O6,1,2026-10-02,R3,C1,P1,1,100,,,
O7,1,2026-10-02,R1,C1,P2,1,1,,,
O8,1,2026-10-02,R1,C1,P1,1,44,50,,
O9,1,2026-10-20,R1,C2,P1,1,1,,S,
";

/// `values` as [`texts`] gives them, to compare with.
pub(crate) fn owned_texts(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

/// The text column `c` of `df` as owned values.
pub(crate) fn texts(df: &polars::prelude::DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(String::from))
        .collect()
}

/// `data` with the facts a load through the validated store serves with
/// it ([`crate::kpi::stored_facts`]), as a warm run reads them.
pub(crate) fn with_stored_facts(data: &Dataset) -> Dataset {
    let mut stored = data.clone();
    for (name, frame) in crate::kpi::stored_facts::all_facts_of(data) {
        stored.insert_fact(name, frame);
    }
    stored
}
