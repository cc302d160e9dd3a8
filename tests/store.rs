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
