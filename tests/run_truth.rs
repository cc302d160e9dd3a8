//! The nightly run tells the truth: quarantined rows said in the log, the
//! manifest and beside the commission; backfills never move `latest`
//! backwards; debris of dead runs removed; stale input warned; paths
//! normalised; the manifest describes the bytes actually read; bad input
//! paths named; long values cut in messages; the lock names its holder.

mod common;
use common::runs::{debris, RunSetup};
use common::*;

use std::path::Path;

fn warnings(manifest: &serde_json::Value) -> Vec<String> {
    manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn quarantined_rows_are_said_in_the_log_the_manifest_and_beside_the_commission() {
    let s = RunSetup::new("[quality]\nmax_reject_share = 0.5\n");
    let payments = s.data().join("payments.csv");
    let text = std::fs::read_to_string(&payments).unwrap();
    std::fs::write(&payments, format!("{text}Y2,I1,2026-10-12,abc\n")).unwrap();
    let o = s.run("2026-10-31", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = "payments: 1 row(s) quarantined under [quality] max_reject_share = 0.5";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    let w = warnings(&s.manifest("2026-10-31"));
    assert!(w.iter().any(|w| w.contains(said)), "{w:?}");
    assert!(
        w.iter()
            .any(|w| w.contains("commission computed without 1 payments row(s)")),
        "{w:?}"
    );
    let beside = std::fs::read_to_string(
        s.out()
            .join("2026-10-31/month_to_date/commission_WARNINGS.txt"),
    )
    .unwrap();
    assert!(beside.contains("1 payments row(s)"), "{beside}");
    assert!(s
        .out()
        .join("2026-10-31/rejects/payments_rejects.csv")
        .is_file());
}

#[test]
fn a_backfill_publishes_its_folder_but_never_moves_latest_backwards() {
    let s = RunSetup::new("");
    assert!(s.run("2026-10-31", &[]).status.success());
    let o = s.run("2026-10-20", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("latest unchanged (backfill)"),
        "{}",
        stdout(&o)
    );
    assert!(s.out().join("2026-10-20/manifest.json").is_file());
    assert_eq!(
        std::fs::read_link(s.out().join("latest")).unwrap(),
        Path::new("2026-10-31")
    );
    let w = warnings(&s.manifest("2026-10-20"));
    assert!(
        w.iter()
            .any(|w| w.starts_with("backfill: as_of 2026-10-20")),
        "{w:?}"
    );
    // A later date moves it forward again.
    assert!(s.run("2026-11-01", &[]).status.success());
    assert_eq!(
        std::fs::read_link(s.out().join("latest")).unwrap(),
        Path::new("2026-11-01")
    );
}

#[test]
fn staging_folders_of_dead_runs_are_removed_and_live_ones_kept() {
    let s = RunSetup::new("");
    std::fs::create_dir_all(s.out().join(".staging-2026-10-30-4194304/kpi")).unwrap();
    // pid 1 is alive: its staging folder is not ours to remove.
    std::fs::create_dir_all(s.out().join(".staging-2026-10-30-1")).unwrap();
    let o = s.run("2026-10-31", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!s.out().join(".staging-2026-10-30-4194304").exists());
    assert!(s.out().join(".staging-2026-10-30-1").exists());
    assert!(
        stderr(&o).contains("removed what interrupted runs left"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir(s.out().join(".staging-2026-10-30-1")).unwrap();
    assert_eq!(debris(&s.out()), Vec::<String>::new());
}

#[test]
fn input_older_than_as_of_is_a_warning() {
    let s = RunSetup::new("");
    // The hostile fixture's newest event: OP2 entered `won` on 2026-10-20.
    let o = s.run("2026-11-28", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = "data ends 2026-10-20, as_of 2026-11-28";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    assert!(warnings(&s.manifest("2026-11-28"))
        .iter()
        .any(|w| w.contains(said)));
    // Fresh data says nothing.
    let o = s.run("2026-10-25", &[]);
    assert!(!stderr(&o).contains("looks stale"), "{}", stderr(&o));
}

#[test]
fn paths_are_normalised_and_the_manifest_records_times_and_the_config() {
    let s = RunSetup::new("");
    let sub = s.dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let roundabout = sub.join("../././nightly.toml");
    let o = run(&["run", roundabout.to_str().unwrap(), "--as-of", "2026-10-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let real = std::fs::canonicalize(s.dir.path()).unwrap();
    assert!(
        stdout(&o).contains(&format!(
            "published {}",
            real.join("out/2026-10-31").display()
        )),
        "{}",
        stdout(&o)
    );
    let m = s.manifest("2026-10-31");
    assert_eq!(m["config"], real.join("nightly.toml").display().to_string());
    let started = chrono::DateTime::parse_from_rfc3339(m["started_at"].as_str().unwrap()).unwrap();
    let finished =
        chrono::DateTime::parse_from_rfc3339(m["finished_at"].as_str().unwrap()).unwrap();
    assert!(started <= finished);
}

#[test]
fn the_manifest_hashes_the_bytes_read_not_the_file_as_it_ends() {
    let s = RunSetup::new("");
    let reps = s.data().join("reps.csv");
    let read = std::fs::read(&reps).unwrap();
    let child = s.start_paused("2026-10-31", "validated", 2);
    // Appended while the run goes on.
    std::fs::write(&reps, [read.as_slice(), b"R9,Late,N,T,,rep,,,\n"].concat()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let m = s.manifest("2026-10-31");
    let record = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == "reps")
        .unwrap()
        .clone();
    use sha2::Digest;
    assert_eq!(
        record["sha256"],
        format!("{:x}", sha2::Sha256::digest(&read))
    );
    assert_eq!(record["bytes"], read.len());
}

#[test]
fn an_input_path_that_is_a_folder_is_an_error_naming_it() {
    let s = RunSetup::new("");
    std::fs::remove_file(s.data().join("visits.csv")).unwrap();
    std::fs::create_dir(s.data().join("visits.csv")).unwrap();
    let o = s.run("2026-10-31", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("visits.csv: is not a file"),
        "{}",
        stderr(&o)
    );
    assert!(!s.out().join("2026-10-31").exists());
}

#[test]
fn messages_quote_at_most_about_200_characters_of_a_value() {
    let dir = copy_fixture("tiny");
    let reps = std::fs::read_to_string(dir.path().join("reps.csv")).unwrap();
    let header = reps.lines().next().unwrap();
    let columns = header.split(',').count();
    let hire = header.split(',').position(|c| c == "hire_date");
    let long = "9".repeat(5_000_000);
    let mut fields = vec![String::new(); columns];
    fields[0] = "RX".into();
    fields[1] = "Long".into();
    fields[2] = "N".into();
    fields[3] = "T".into();
    fields[hire.unwrap_or(4)] = long.clone();
    std::fs::write(
        dir.path().join("reps.csv"),
        format!("{reps}{}\n", fields.join(",")),
    )
    .unwrap();
    let o = run(&["validate", "--data", dir.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        &stderr(&o)[..500.min(stderr(&o).len())]
    );
    let err = stderr(&o);
    assert!(err.len() < 5_000, "stderr is {} bytes", err.len());
    assert!(err.contains("more characters"), "{err}");
}

#[test]
fn the_lock_message_names_the_holder() {
    let s = RunSetup::new("");
    std::fs::create_dir_all(s.out()).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(s.out().join(".salesops.lock"))
        .unwrap();
    lock.lock().unwrap();
    // A holder that has not written its name yet.
    let o = s.run("2026-10-31", &[]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("has not written its name"),
        "{}",
        stderr(&o)
    );
    std::fs::write(s.out().join(".salesops.lock"), "pid 4242, as_of 2026-10-30").unwrap();
    let o = s.run("2026-10-31", &[]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).contains("(pid 4242, as_of 2026-10-30)"),
        "{}",
        stderr(&o)
    );
    drop(lock);
}

#[test]
fn a_huge_value_in_a_warning_is_cut() {
    let dir = copy_fixture("tiny");
    let reps = std::fs::read_to_string(dir.path().join("reps.csv")).unwrap();
    let mut lines = reps.lines();
    let header = format!("{},{}", lines.next().unwrap(), "x".repeat(100_000));
    let body: Vec<String> = lines.map(|l| format!("{l},")).collect();
    std::fs::write(
        dir.path().join("reps.csv"),
        format!("{header}\n{}\n", body.join("\n")),
    )
    .unwrap();
    let o = run(&["validate", "--data", dir.path().to_str().unwrap()]);
    assert!(
        o.status.success(),
        "{}",
        &stderr(&o)[..300.min(stderr(&o).len())]
    );
    let longest = stderr(&o).lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 2_000, "a warning line of {longest} bytes");
    assert!(stderr(&o).contains("more characters"));
}
