//! The kill harness: a nightly run stopped at every stage — aborted (as by
//! SIGKILL) at named points of validation, staging and publishing, killed
//! with SIGKILL after a range of delays, stopped with SIGTERM and SIGINT,
//! failing inside the publish step — then a normal run. After each stop
//! every published folder verifies against its manifest and `latest`
//! resolves; after the next run nothing is left behind.

mod common;
use common::runs::{debris, verify_published, RunSetup};
use common::*;

use std::time::Duration;

/// The points of a run where the test hooks can stop it, in run order.
const POINTS: &[&str] = &[
    "validated",
    "staged",
    "publish-start",
    "folder-placed",
    "date-linked",
    "latest-switch",
    "latest-linked",
];

fn manifest_started(s: &RunSetup, as_of: &str) -> String {
    s.manifest(as_of)["started_at"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn aborted_at_every_point_the_published_runs_stay_whole() {
    let s = RunSetup::new("");
    let first = s.run("2026-10-30", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    for point in POINTS {
        for as_of in ["2026-10-31", "2026-10-30"] {
            let before = verify_published(&s.out());
            let earlier = before
                .contains(&as_of.to_string())
                .then(|| manifest_started(&s, as_of));
            let o = s.run(as_of, &[("SALESOPS_TEST_ABORT", point)]);
            assert!(!o.status.success(), "{point}: the abort hook did not fire");
            // Whatever the point, what is published verifies and latest resolves.
            let after = verify_published(&s.out());
            let replaced = earlier.is_some_and(|e| manifest_started(&s, as_of) != e);
            let published_new =
                !before.contains(&as_of.to_string()) && after.contains(&as_of.to_string());
            // Once the date link is switched the new run is the published one;
            // before that, nothing changed.
            let switched = POINTS.iter().position(|p| p == point)
                >= POINTS.iter().position(|p| *p == "date-linked");
            assert_eq!(replaced || published_new, switched, "{point} {as_of}");
            // The next normal run cleans up after the aborted one.
            let o = s.run(as_of, &[]);
            assert!(o.status.success(), "{point}: {}", stderr(&o));
            verify_published(&s.out());
            assert_eq!(debris(&s.out()), Vec::<String>::new(), "{point} {as_of}");
        }
    }
}

#[test]
fn sigkill_after_any_delay_never_breaks_what_is_published() {
    let s = RunSetup::new("");
    let first = s.run("2026-10-30", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let mut survived = 0;
    let delays = [0u64, 20, 50, 100, 150, 200, 300, 450, 600, 800];
    for (i, ms) in delays.iter().enumerate() {
        let as_of = if i % 2 == 0 {
            "2026-10-31"
        } else {
            "2026-10-30"
        };
        let mut child = s.command(as_of).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(*ms));
        let _ = child.kill();
        let _ = child.wait();
        verify_published(&s.out());
        assert!(
            s.out().join("latest/manifest.json").is_file(),
            "after {ms} ms"
        );
        survived += 1;
        let o = s.run(as_of, &[]);
        assert!(o.status.success(), "after {ms} ms: {}", stderr(&o));
        assert_eq!(debris(&s.out()), Vec::<String>::new(), "after {ms} ms");
    }
    assert_eq!(survived, delays.len());
}

#[test]
fn sigterm_and_sigint_remove_the_runs_own_staging_folder() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let s = RunSetup::new("");
        let child = s.start_paused("2026-10-31", "staged", 60);
        let staged: Vec<_> = std::fs::read_dir(s.out())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".staging-"))
            .collect();
        assert_eq!(staged.len(), 1, "a staging folder exists while paused");
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(code), "SIG{signal}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("nothing was published"),
            "{}",
            stderr(&o)
        );
        // No next run needed: the folder is gone, nothing was published.
        assert_eq!(debris(&s.out()), Vec::<String>::new(), "SIG{signal}");
        assert!(verify_published(&s.out()).is_empty());
    }
}

#[test]
fn a_run_that_fails_while_publishing_publishes_nothing() {
    for point in [
        "publish-start",
        "folder-placed",
        "date-linked",
        "latest-switch",
        "latest-linked",
    ] {
        let s = RunSetup::new("");
        let first = s.run("2026-10-30", &[]);
        assert!(first.status.success(), "{}", stderr(&first));
        let earlier = manifest_started(&s, "2026-10-30");
        // A new date: it must not appear.
        let o = s.run("2026-10-31", &[("SALESOPS_TEST_FAIL", point)]);
        assert!(!o.status.success(), "{point}");
        assert_eq!(verify_published(&s.out()), ["2026-10-30"], "{point}");
        assert_eq!(
            std::fs::read_link(s.out().join("latest")).unwrap(),
            std::path::Path::new("2026-10-30")
        );
        // The same date again: the earlier run stays published.
        let o = s.run("2026-10-30", &[("SALESOPS_TEST_FAIL", point)]);
        assert!(!o.status.success(), "{point}");
        assert_eq!(manifest_started(&s, "2026-10-30"), earlier, "{point}");
        assert_eq!(debris(&s.out()), Vec::<String>::new(), "{point}");
    }
}

#[test]
fn a_signal_during_publishing_waits_and_tells_the_truth() {
    let s = RunSetup::new("");
    let child = s.start_paused("2026-10-31", "date-linked", 2);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    // The links were being switched: the signal waited, the run published.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // (The handler may or may not get to say "after the run had published"
    // before the finished run exits by itself; either way, exit 0.)
    assert!(
        !stderr(&o).contains("nothing was published"),
        "{}",
        stderr(&o)
    );
    assert_eq!(verify_published(&s.out()), ["2026-10-31"]);
    assert_eq!(debris(&s.out()), Vec::<String>::new());
}
