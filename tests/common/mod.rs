//! Shared helpers for integration tests: run the real binary on fixture data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub(crate) mod plan_company;
pub(crate) mod runs;

/// Path of a committed fixture folder.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture into a fresh temporary directory so a test may alter it.
pub(crate) fn copy_fixture(name: &str) -> tempfile::TempDir {
    copy_dir(&fixture(name))
}

/// Copies the files of `from` into a fresh temporary directory.
pub(crate) fn copy_dir(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `salesops` with these arguments in `cwd`.
pub(crate) fn run_in(cwd: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("salesops")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `salesops` with these arguments.
pub(crate) fn run(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs `salesops validate --profile PROFILE --data DATA`.
pub(crate) fn validate_profile(profile: &Path, data: &Path) -> Output {
    run(&[
        "validate",
        "--profile",
        profile.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ])
}

/// Stdout as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Stderr as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Parses CSV text into rows of fields.
pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The value of `column` in the row whose first matching key column equals `key`.
pub(crate) fn cell(rows: &[Vec<String>], key_col: &str, key: &str, column: &str) -> String {
    let header = &rows[0];
    let k = header
        .iter()
        .position(|h| h == key_col)
        .unwrap_or_else(|| panic!("no column {key_col}"));
    let c = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = rows[1..]
        .iter()
        .find(|r| r[k] == key)
        .unwrap_or_else(|| panic!("no row {key}"));
    row[c].clone()
}

/// Runs `salesops scorecard --format csv` with these arguments, asserts
/// success and returns the CSV rows (header first).
pub(crate) fn scorecard_rows(args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["scorecard", "--format", "csv"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    csv_rows(&stdout(&o))
}

/// The rows (without the header) of `salesops flags --format csv` on `data`
/// for `period` as of `as_of`; panics when the command fails.
pub(crate) fn flag_rows(data: &Path, period: &str, as_of: &str) -> Vec<Vec<String>> {
    let o = run(&[
        "flags",
        "--data",
        data.to_str().unwrap(),
        "--period",
        period,
        "--as-of",
        as_of,
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    csv_rows(&stdout(&o)).split_off(1)
}
