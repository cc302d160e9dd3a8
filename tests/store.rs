//! `--store`: an analyst's repeated runs on one export read the validated
//! store instead of validating again, give the same numbers, and validate
//! again as soon as a file changes.

mod common;
use common::*;

const HIT: &str = "inputs unchanged: read from the validated store";

/// `salesops <command>` on `data` for October 2026 (as_of 2026-10-31) as
/// CSV, with `extra` options.
fn october(command: &str, data: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        command,
        "--format",
        "csv",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn scorecard(data: &std::path::Path, store: &std::path::Path) -> std::process::Output {
    october("scorecard", data, &["--store", store.to_str().unwrap()])
}

#[test]
fn a_second_scorecard_reads_the_store_and_a_changed_file_is_validated_again() {
    let data = copy_fixture("tiny");
    let store = tempfile::tempdir().unwrap();
    let first = scorecard(data.path(), store.path());
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stderr(&first).contains(HIT));
    let second = scorecard(data.path(), store.path());
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stderr(&second).contains(HIT), "{}", stderr(&second));
    assert_eq!(stdout(&first), stdout(&second));
    assert!(csv_rows(&stdout(&second)).len() > 1);

    // A duplicated rep: the change is seen and refused, never served from
    // the store.
    let reps = std::fs::read_to_string(data.path().join("reps.csv")).unwrap();
    let first_rep = reps.lines().nth(1).unwrap();
    std::fs::write(data.path().join("reps.csv"), format!("{reps}{first_rep}\n")).unwrap();
    let third = scorecard(data.path(), store.path());
    assert_eq!(third.status.code(), Some(2), "{}", stderr(&third));
    assert!(!stderr(&third).contains(HIT));
}

#[test]
fn store_and_profile_are_refused_together() {
    let data = copy_fixture("tiny");
    let o = run(&[
        "validate",
        "--data",
        data.path().to_str().unwrap(),
        "--profile",
        "x.toml",
        "--store",
        "s",
    ]);
    // A bad command line: exit 3 (README, "Exit codes").
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("--store"), "{}", stderr(&o));
}

#[test]
fn a_store_holding_the_kpi_output_folder_is_refused() {
    let data = copy_fixture("tiny");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    for out in [store.clone(), store.join("kpi")] {
        let o = october(
            "kpi",
            data.path(),
            &[
                "--out",
                out.to_str().unwrap(),
                "--store",
                store.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains("a folder of its own"), "{}", stderr(&o));
        // Refused before anything is read or written.
        assert!(!out.exists() && !store.exists());
    }
}

/// Every file of the folder `dir`, by name, with its text.
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The tables `salesops kpi` writes as CSV for `period` cut at `as_of` on
/// `data` into `out`, with `store_args`, and what it said on stderr.
fn kpi_tables(
    data: &std::path::Path,
    period: &str,
    as_of: &str,
    out: &std::path::Path,
    store_args: &[&str],
) -> (std::collections::BTreeMap<String, String>, String) {
    let mut args = vec![
        "kpi",
        "--format",
        "csv",
        "--data",
        data.to_str().unwrap(),
        "--period",
        period,
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(store_args);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    (files_of(out), stderr(&o))
}

/// The tables `kpi` writes for `period` cut at `as_of` on `data`: without
/// a store, filling `store`, and reading it back (with what that last run
/// said), each into its own folder under `out`.
fn kpi_tables_three_ways(
    data: &std::path::Path,
    period: &str,
    as_of: &str,
    out: &std::path::Path,
    store: &std::path::Path,
) -> [(std::collections::BTreeMap<String, String>, String); 3] {
    let with_store = ["--store", store.to_str().unwrap()];
    let kpi = |name: &str, store_args: &[&str]| {
        let dir = out.join(format!("{period}-{as_of}-{name}"));
        kpi_tables(data, period, as_of, &dir, store_args)
    };
    [
        kpi("plain", &[]),
        kpi("first", &with_store),
        kpi("again", &with_store),
    ]
}

/// The entry folder of a store holding one dataset.
fn store_entry(store: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_dir(store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap()
}

/// The tiny fixture's orders run by order and each order's lines share a
/// date, so its order heads and first orders are stored with the entry
/// and read back, cut at each run's as_of. As of 12 Oct the cut leaves out
/// O4 (13 Oct, C003's first order) and O5 (20 Oct); every table `kpi`
/// writes is the same from a validation, from the store and without one.
#[test]
fn stored_order_heads_cut_at_as_of_give_the_tables_a_validation_gives() {
    let data = copy_fixture("tiny");
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for as_of in ["2026-10-12", "2026-10-31"] {
        let [(plain, _), (first, _), (again, said)] =
            kpi_tables_three_ways(data.path(), "2026-10", as_of, out.path(), store.path());
        assert!(said.contains(HIT), "{said}");
        assert_eq!(first, plain, "{as_of}");
        assert_eq!(again, plain, "{as_of}");
        assert!(plain.len() >= 5, "{:?}", plain.keys());
    }
    let entry = store_entry(store.path());
    for fact in [
        "fact-order_heads.parquet",
        "fact-first_orders.parquet",
        "fact-customer_orders.parquet",
    ] {
        assert!(entry.join(fact).is_file(), "{fact}");
    }
}

/// sample_data with its order lines sorted by order_id and line_no (its
/// planted anomalies' orders come last, so as committed they do not run
/// by order and the store keeps no order fact): the store then holds every
/// fact, the invoice ledger among them, and every table `kpi` writes is
/// the same from a validation, from the store and without one, for
/// months, a quarter and a week, whole and cut at as_of.
#[test]
fn every_stored_fact_gives_the_tables_a_validation_gives() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let data = copy_dir(&sample);
    let orders = std::fs::read_to_string(sample.join("orders.csv")).unwrap();
    let mut lines: Vec<&str> = orders.lines().collect();
    let header = lines.remove(0);
    let key = |line: &str| {
        let mut cells = line.split(',');
        let order = cells.next().unwrap().to_string();
        let line_no: i64 = cells.next().unwrap().parse().unwrap();
        (order, line_no)
    };
    lines.sort_by_key(|line| key(line));
    std::fs::write(
        data.path().join("orders.csv"),
        format!("{header}\n{}\n", lines.join("\n")),
    )
    .unwrap();
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for (period, as_of) in [
        ("2026-10", "2026-10-31"),
        ("2026-10", "2026-10-15"),
        ("2026-09", "2026-10-31"),
        ("2026-Q3", "2026-10-31"),
        ("2026-W42", "2026-10-31"),
    ] {
        let [(plain, _), (first, _), (again, said)] =
            kpi_tables_three_ways(data.path(), period, as_of, out.path(), store.path());
        assert!(said.contains(HIT), "{said}");
        assert_eq!(first, plain, "{period} as of {as_of}");
        assert_eq!(again, plain, "{period} as of {as_of}");
        assert!(plain.len() >= 8, "{:?}", plain.keys());
    }
    let entry = store_entry(store.path());
    for fact in [
        "fact-order_heads.parquet",
        "fact-first_orders.parquet",
        "fact-customer_orders.parquet",
        "fact-payment_invoice_rows.parquet",
        "fact-invoice_ledger.parquet",
    ] {
        assert!(entry.join(fact).is_file(), "{fact}");
    }
}
