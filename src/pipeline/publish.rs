//! Crash-safe publishing of a nightly run's output folder.
//!
//! Layout of the output root `OUT`:
//! - `OUT/.runs/<as_of>.<unique>/` — the run folders, each written once and
//!   never modified after it is published;
//! - `OUT/<as_of>` — a symbolic link to the newest run folder of that as_of;
//! - `OUT/latest` — a symbolic link to `<as_of>` of the newest as_of
//!   published (a backfill never moves it backwards);
//! - `OUT/.salesops.lock` — held by the running process, naming it.
//!
//! Why links: a run publishes under a fresh name and then switches a link
//! with one atomic `rename`, so at every instant — whatever the crash point —
//! `latest` and `<as_of>` resolve to a complete, verified folder: the old one
//! until the switch, the new one after it. Files are synced to disk before
//! they are renamed into place and folders after, so a power cut cannot
//! publish an empty file. A run that fails after its folder was placed puts
//! every link back and removes the folder: a failed run publishes nothing.
//! What a killed run leaves (its staging folder, a folder placed but never
//! linked, a folder no link points to any more, a half-made link) is removed
//! by the next run, which holds the lock, and only when the process that
//! made it is dead. SIGTERM and SIGINT remove the run's own staging folder
//! before the process exits (128 + the signal number); a signal during the
//! publish step waits until the links are consistent.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;

use crate::{Error, Result};

/// Name of the lock file in the output root.
pub(crate) const LOCK_FILE: &str = ".salesops.lock";
/// Name of the link to the newest run in the output root.
pub(crate) const LATEST: &str = "latest";
/// Folder of the run folders in the output root.
pub(crate) const RUNS_DIR: &str = ".runs";
/// Prefix of staging folders in the output root.
const STAGING_PREFIX: &str = ".staging-";
/// Prefix of links being made in the output root.
const LINK_PREFIX: &str = ".link-";

/// Syncs a file or folder to disk (a folder: its entries' names).
pub(crate) fn sync_path(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Syncs a folder and every folder below it (files are synced as they are
/// written, by [`crate::output::write_atomic`]).
fn sync_folders(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry
            .file_type()
            .map_err(|e| Error::io(entry.path(), e))?
            .is_dir()
        {
            sync_folders(&entry.path())?;
        }
    }
    sync_path(dir)
}

/// Test hooks at the named points of a run, so the kill harness in
/// `tests/crash.rs` can stop a run exactly there: `SALESOPS_TEST_ABORT=<point>`
/// aborts the process (as SIGKILL would), `SALESOPS_TEST_FAIL=<point>` makes
/// the step fail as a full disk would, and `SALESOPS_TEST_PAUSE=<point>`
/// writes `<point>.paused` into the folder `SALESOPS_TEST_PAUSE_DIR` and
/// sleeps `SALESOPS_TEST_PAUSE_SECS` (default 60), for a signal to arrive
/// or an input to change. Unset, they cost one
/// environment lookup per point.
pub(crate) fn test_hook(point: &str) -> Result<()> {
    let is = |var: &str| std::env::var(var).is_ok_and(|v| v == point);
    if is("SALESOPS_TEST_ABORT") {
        std::process::abort();
    }
    if is("SALESOPS_TEST_FAIL") {
        return Err(Error::io(
            point,
            std::io::Error::other("injected failure (SALESOPS_TEST_FAIL)"),
        ));
    }
    if is("SALESOPS_TEST_PAUSE") {
        if let Ok(dir) = std::env::var("SALESOPS_TEST_PAUSE_DIR") {
            let _ = std::fs::write(Path::new(&dir).join(format!("{point}.paused")), b"");
        }
        let secs = std::env::var("SALESOPS_TEST_PAUSE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60);
        std::thread::sleep(std::time::Duration::from_secs(secs));
    }
    Ok(())
}

/// Holds the output root's lock for the life of the value.
pub(crate) struct RunLock {
    _file: File,
}

/// Who holds the lock, as its lock file says; a holder that has taken the
/// lock but not yet written its name is waited for briefly.
fn lock_holder(path: &Path) -> String {
    for _ in 0..50 {
        let mut text = String::new();
        if File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .is_ok()
            && !text.trim().is_empty()
        {
            return text.trim().to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    "a process that has not written its name into the lock file yet".into()
}

/// Takes the output root's lock, or fails naming the run that holds it.
pub(crate) fn lock_output_root(root: &Path, as_of: NaiveDate) -> Result<RunLock> {
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let path = root.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(Error::Locked(format!(
                "another salesops run ({}) is writing to {}; wait for it to finish (the lock is {})",
                lock_holder(&path),
                root.display(),
                path.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    file.set_len(0).map_err(|e| Error::io(&path, e))?;
    write!(
        file,
        "pid {}, as_of {as_of}, started {}",
        std::process::id(),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    )
    .map_err(|e| Error::io(&path, e))?;
    Ok(RunLock { _file: file })
}

/// What a signal finds: the staging folder being written (removed on a
/// signal), or the run already published (a signal then ends nothing).
#[derive(Debug, Default)]
enum RunState {
    /// Nothing staged yet.
    #[default]
    Idle,
    /// Outputs are being written into this folder.
    Staging(PathBuf),
    /// The run published this folder.
    Published(PathBuf),
}

/// The run's state, locked by every write into the staging folder and by
/// the whole publish step: a signal waits for a write or the link switches
/// to finish, and no write can recreate a folder the signal removed.
fn active_staging() -> &'static Mutex<RunState> {
    static ACTIVE: OnceLock<Mutex<RunState>> = OnceLock::new();
    ACTIVE.get_or_init(|| Mutex::new(RunState::Idle))
}

fn run_state() -> std::sync::MutexGuard<'static, RunState> {
    active_staging()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs (once per process) the SIGTERM/SIGINT handler that removes the
/// active staging folder and exits with 128 + the signal number.
fn install_signal_cleanup() -> Result<()> {
    static INSTALLED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
                .map_err(|e| e.to_string())?;
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process ends: no write starts after this.
                    let mut state = run_state();
                    match std::mem::take(&mut *state) {
                        RunState::Published(folder) => {
                            eprintln!(
                                "salesops: signal {signal} after the run had published {}; exiting",
                                folder.display()
                            );
                            std::process::exit(0);
                        }
                        RunState::Staging(dir) => {
                            let _ = std::fs::remove_dir_all(&dir);
                        }
                        RunState::Idle => {}
                    }
                    eprintln!("salesops: stopped by signal {signal}; nothing was published");
                    std::process::exit(128 + signal);
                }
            });
            Ok(())
        })
        .clone()
        .map_err(|e| Error::Internal(format!("installing the signal handler: {e}")))
}

/// A staging folder that is removed unless it was published (on an error,
/// a panic, or a SIGTERM/SIGINT).
pub(crate) struct Staging {
    /// The folder outputs are written into.
    pub dir: PathBuf,
    published: bool,
}

impl Staging {
    /// Creates `OUT/.staging-<as_of>-<pid>` (emptied if it exists) and
    /// registers it for removal on SIGTERM and SIGINT.
    pub(crate) fn create(root: &Path, as_of: NaiveDate) -> Result<Staging> {
        install_signal_cleanup()?;
        let dir = root.join(format!("{STAGING_PREFIX}{as_of}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        *run_state() = RunState::Staging(dir.clone());
        Ok(Staging {
            dir,
            published: false,
        })
    }

    /// Writes one file into the staging folder (atomically, synced), holding
    /// the run state so a signal cannot remove the folder mid-write — and
    /// refusing to write once a signal has.
    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let state = run_state();
        if !matches!(&*state, RunState::Staging(d) if *d == self.dir) {
            return Err(Error::Internal(format!(
                "{}: the staging folder is no longer active",
                self.dir.display()
            )));
        }
        let path = self.dir.join(relative);
        crate::output::write_atomic(&path, |f| {
            f.write_all(bytes).map_err(|e| Error::io(&path, e))
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut state = run_state();
        if matches!(&*state, RunState::Staging(d) if *d == self.dir) {
            *state = RunState::Idle;
        }
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `YYYY-MM-DD` names of the output root: the published dates.
fn as_of_name(name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(name, "%Y-%m-%d")
        .ok()
        .filter(|d| d.to_string() == name)
}

/// The dates published in the output root (links or, from before links,
/// folders), ascending.
pub(crate) fn published_dates(root: &Path) -> Result<Vec<NaiveDate>> {
    let mut dates: Vec<NaiveDate> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .flatten()
            .filter_map(|e| as_of_name(&e.file_name().to_string_lossy()))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(root, e)),
    };
    dates.sort();
    Ok(dates)
}

/// Whether the process that made a `<prefix><…>-<pid>` entry is gone.
fn made_by_dead_process(name: &str) -> bool {
    let Some(pid) = name
        .rsplit(['-', '.'])
        .next()
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return false;
    };
    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Removes what killed runs left in the output root: staging folders and
/// half-made links of dead processes, run folders no date links to, and
/// folders set aside by an older salesops. Call only while holding the lock.
/// Returns the names removed, for the log.
pub(crate) fn remove_debris(root: &Path) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(removed);
    };
    let mut linked = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let stale = (name.starts_with(STAGING_PREFIX) || name.starts_with(LINK_PREFIX))
            && made_by_dead_process(&name)
            || name.starts_with(".old-") && made_by_dead_process(&name)
            || name.starts_with(".latest-") && made_by_dead_process(&name);
        if stale {
            let gone = if path.is_symlink() || path.is_file() {
                std::fs::remove_file(&path)
            } else {
                std::fs::remove_dir_all(&path)
            };
            gone.map_err(|e| Error::io(&path, e))?;
            removed.push(name);
        } else if as_of_name(&name).is_some() {
            if let Ok(target) = std::fs::read_link(&path) {
                linked.push(target);
            }
        }
    }
    let runs = root.join(RUNS_DIR);
    if let Ok(entries) = std::fs::read_dir(&runs) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = Path::new(RUNS_DIR).join(&name);
            // A folder taken over from an older salesops whose link a crash
            // cut is the only copy of that run: linked again, never removed.
            if let Some(date) = name.strip_suffix(".legacy") {
                let dated = root.join(date);
                if dated.symlink_metadata().is_err() {
                    std::os::unix::fs::symlink(&relative, &dated)
                        .map_err(|e| Error::io(&dated, e))?;
                    removed.push(format!("(relinked {date} -> {})", relative.display()));
                    continue;
                }
            }
            if !linked.iter().any(|t| t == &relative) {
                std::fs::remove_dir_all(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                removed.push(format!("{RUNS_DIR}/{name}"));
            }
        }
    }
    Ok(removed)
}

/// Points the link `link` at `target` atomically: a new link under a
/// temporary name, renamed over the old one.
fn switch_link(root: &Path, link: &Path, target: &Path) -> Result<()> {
    let tmp = root.join(format!("{LINK_PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, link).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(link, e)
    })
}

/// What [`publish`] did.
#[derive(Debug)]
pub(crate) struct Published {
    /// `OUT/<as_of>`, now a link to the new run folder.
    pub folder: PathBuf,
    /// Whether `latest` now points at this run (false for a backfill).
    pub latest_moved: bool,
}

/// Publishes the staging folder as the run of `as_of` (see the module doc):
/// syncs it, places it under a fresh name in `OUT/.runs/`, switches the
/// `<as_of>` link to it, then `latest` unless a later as_of is already
/// published, and finally removes the folder it replaced. On any failure
/// every link is put back and the new folder removed.
pub(crate) fn publish(staging: &mut Staging, root: &Path, as_of: NaiveDate) -> Result<Published> {
    // A SIGTERM/SIGINT waits until the links are consistent again.
    let mut state = run_state();
    sync_folders(&staging.dir)?;
    test_hook("publish-start")?;
    let runs = root.join(RUNS_DIR);
    std::fs::create_dir_all(&runs).map_err(|e| Error::io(&runs, e))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.9fZ");
    let run_name = format!("{as_of}.{stamp}.{}", std::process::id());
    let run_dir = runs.join(&run_name);
    std::fs::rename(&staging.dir, &run_dir).map_err(|e| Error::io(&run_dir, e))?;
    staging.published = true;
    let placed = (|| {
        sync_path(&runs)?;
        test_hook("folder-placed")
    })();
    if let Err(e) = placed {
        let _ = std::fs::remove_dir_all(&run_dir);
        return Err(e);
    }
    match link_run(root, as_of, &run_name) {
        Ok(published) => {
            *state = RunState::Published(published.folder.clone());
            Ok(published)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&run_dir);
            Err(e)
        }
    }
}

/// The link steps of [`publish`], undone on failure.
fn link_run(root: &Path, as_of: NaiveDate, run_name: &str) -> Result<Published> {
    let dated = root.join(as_of.to_string());
    // A folder published by an older salesops becomes a run folder first.
    if dated.is_dir() && !dated.is_symlink() {
        let legacy = Path::new(RUNS_DIR).join(format!("{as_of}.legacy"));
        std::fs::rename(&dated, root.join(&legacy)).map_err(|e| Error::io(&dated, e))?;
        std::os::unix::fs::symlink(&legacy, &dated).map_err(|e| Error::io(&dated, e))?;
    }
    let previous = std::fs::read_link(&dated).ok();
    let target = Path::new(RUNS_DIR).join(run_name);
    switch_link(root, &dated, &target)?;
    let restore_dated = || match &previous {
        Some(p) => switch_link(root, &dated, p),
        None => std::fs::remove_file(&dated).map_err(|e| Error::io(&dated, e)),
    };
    let linked = (|| {
        sync_path(root)?;
        test_hook("date-linked")
    })();
    if let Err(e) = linked {
        let _ = restore_dated();
        return Err(e);
    }
    let newest = published_dates(root)?.into_iter().max().unwrap_or(as_of);
    let latest_path = root.join(LATEST);
    let latest_moved = newest <= as_of || !latest_path.exists();
    let previous_latest = std::fs::read_link(&latest_path).ok();
    let mut latest_switched = false;
    let switched = (|| {
        test_hook("latest-switch")?;
        if latest_moved {
            switch_link(root, &latest_path, Path::new(&as_of.to_string()))?;
            latest_switched = true;
            sync_path(root)?;
        }
        Ok(())
    })();
    let switched = switched.and_then(|()| test_hook("latest-linked"));
    if let Err(e) = switched {
        // Both links back as they were, before the new folder goes.
        if latest_switched {
            let _ = match &previous_latest {
                Some(p) => switch_link(root, &latest_path, p),
                None => std::fs::remove_file(&latest_path).map_err(|e| Error::io(&latest_path, e)),
            };
        }
        let _ = restore_dated();
        let _ = sync_path(root);
        return Err(e);
    }
    if let Some(old) = previous.filter(|p| p != &target) {
        let _ = std::fs::remove_dir_all(root.join(old));
    }
    Ok(Published {
        folder: dated,
        latest_moved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn staged(root: &Path, as_of: &str, content: &str) -> Staging {
        let staging = Staging::create(root, day(as_of)).unwrap();
        std::fs::write(staging.dir.join("x.txt"), content).unwrap();
        staging
    }

    fn read_latest(root: &Path) -> String {
        std::fs::read_to_string(root.join(LATEST).join("x.txt")).unwrap()
    }

    #[test]
    fn republishing_replaces_the_folder_and_a_backfill_keeps_latest() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        let p = publish(&mut staged(r, "2026-10-30", "a"), r, day("2026-10-30")).unwrap();
        assert!(p.latest_moved);
        publish(&mut staged(r, "2026-10-31", "b"), r, day("2026-10-31")).unwrap();
        assert_eq!(read_latest(r), "b");
        // Publishing 2026-10-31 again replaces it; the old run folder is gone.
        publish(&mut staged(r, "2026-10-31", "c"), r, day("2026-10-31")).unwrap();
        assert_eq!(read_latest(r), "c");
        assert_eq!(std::fs::read_dir(r.join(RUNS_DIR)).unwrap().count(), 2);
        // A backfill publishes its date but latest stays at the newest.
        let back = publish(&mut staged(r, "2026-10-29", "d"), r, day("2026-10-29")).unwrap();
        assert!(!back.latest_moved);
        assert_eq!(read_latest(r), "c");
        assert_eq!(
            std::fs::read_to_string(r.join("2026-10-29/x.txt")).unwrap(),
            "d"
        );
        assert!(remove_debris(r).unwrap().is_empty());
    }

    #[test]
    fn a_folder_from_an_older_salesops_is_taken_over() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir(r.join("2026-10-31")).unwrap();
        std::fs::write(r.join("2026-10-31/x.txt"), "old").unwrap();
        std::os::unix::fs::symlink("2026-10-31", r.join(LATEST)).unwrap();
        publish(&mut staged(r, "2026-10-31", "new"), r, day("2026-10-31")).unwrap();
        assert_eq!(read_latest(r), "new");
        assert_eq!(std::fs::read_dir(r.join(RUNS_DIR)).unwrap().count(), 1);
    }

    #[test]
    fn debris_of_dead_processes_is_removed_and_live_runs_kept() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        publish(&mut staged(r, "2026-10-31", "a"), r, day("2026-10-31")).unwrap();
        // pid 4194304 is above Linux's pid_max: never a live process.
        std::fs::create_dir(r.join(".staging-2026-10-31-4194304")).unwrap();
        std::fs::create_dir_all(r.join(RUNS_DIR).join("2026-10-31.x.4194304")).unwrap();
        std::os::unix::fs::symlink("nowhere", r.join(".link-4194304")).unwrap();
        let own = Staging::create(r, day("2026-11-01")).unwrap();
        let mut removed = remove_debris(r).unwrap();
        removed.sort();
        assert_eq!(
            removed,
            [
                ".link-4194304",
                ".runs/2026-10-31.x.4194304",
                ".staging-2026-10-31-4194304"
            ]
        );
        assert!(
            own.dir.exists(),
            "the running process's own staging is kept"
        );
        assert_eq!(read_latest(r), "a");
    }
}
