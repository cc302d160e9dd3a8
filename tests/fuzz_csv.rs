//! Fuzzing the CSV-to-typed-table path on the stable toolchain: proptest
//! feeds arbitrary bytes and mutations of a valid orders file to the real
//! loader. No input may panic; every refusal names where (row, line,
//! column or header). CI runs the default number of cases; `bench/fuzz.sh`
//! runs 10⁶ (`PROPTEST_CASES`).

use proptest::prelude::*;
use salesops::ingest::{load, LoadOptions};

const REPS: &str = "rep_id,rep_name,region,team\nR1,Ann,N,T\nR2,Bo,S,T\n";
const CUSTOMERS: &str = "customer_id,customer_name,region\nC1,One,N\n";
const PRODUCTS: &str = "product_id,product_name,list_price,unit_cost\nP1,Bolt,10,4\n";
const ORDERS: &str =
    "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,status\n\
O1,1,2026-10-01,R1,C1,P1,2,9.50,\n\
O1,2,2026-10-01,R1,C1,P1,-1,9.50,\n\
\"O,2\",1,2026-10-02,R2,C1,P1,1.5,10,cancelled\n";

/// Loads a data folder whose orders.csv holds `bytes`; panics are the failure.
fn load_orders(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("reps", REPS),
        ("customers", CUSTOMERS),
        ("products", PRODUCTS),
    ] {
        std::fs::write(dir.path().join(format!("{name}.csv")), text).unwrap();
    }
    std::fs::write(dir.path().join("orders.csv"), bytes).unwrap();
    for opts in [
        LoadOptions::default(),
        LoadOptions {
            max_reject_share: Some(0.5),
        },
    ] {
        if let Err(e) = load(dir.path(), &opts) {
            let m = e.to_string();
            assert!(
                ["row", "line", "column", "header", "orders"]
                    .iter()
                    .any(|w| m.contains(w)),
                "a refusal that names nothing: {m}"
            );
        }
    }
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    DuplicateLine(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop::sample::select(vec![
        b',', b'"', b'\n', b'\r', b'0', b'9', b'-', b'.', b'a', b' ', 0xff, 0xe4, b';', b'\t',
    ]);
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let n = bytes.len().max(1);
    match *e {
        Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
        Edit::Delete(i) if !bytes.is_empty() => {
            bytes.remove(i % n);
        }
        Edit::Replace(i, b) if !bytes.is_empty() => bytes[i % n] = b,
        Edit::DuplicateLine(i) => {
            let text = bytes.clone();
            let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
            let line = lines[i % lines.len()];
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        Edit::Truncate(i) => bytes.truncate(i % n),
        _ => {}
    }
}

proptest! {
    #[test]
    fn mutated_orders_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        let mut bytes = ORDERS.as_bytes().to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        load_orders(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        load_orders(&bytes);
    }
}
