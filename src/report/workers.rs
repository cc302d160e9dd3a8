//! Where reports are rendered: one plain thread per core, each taking the
//! next unit of work in turn.
//!
//! Not rayon tasks: a rayon task that waits for polars' thread pool runs
//! other queued tasks on its own stack meanwhile, so typesettings nest; at
//! 600 teams (`generate --scale 100`) the nightly run overflowed a stack.
//! A plain thread waiting for polars just waits.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, Result};

/// Stack of a report worker: typst's layout recurses deeply through nested
/// tables and pages, beyond the 2 MB of a default thread.
const WORKER_STACK: usize = 64 << 20;

/// `work(u)` for every `u` in `0..units`, on one thread per core (fewer
/// when there are fewer units), results in unit order. After a failure no
/// further unit is started, and the failure of the lowest unit is returned.
///
/// Errors: the first failed unit's error; a worker that cannot be started
/// or that panicked, as an internal error.
pub(super) fn on_workers<T: Send>(
    units: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(units)
        .max(1);
    let worker = || {
        let mut mine = Vec::new();
        loop {
            let u = next.fetch_add(1, Ordering::Relaxed);
            if u >= units {
                break;
            }
            let done = work(u);
            let failed = done.is_err();
            mine.push((u, done));
            if failed {
                // The other workers stop at their next unit.
                next.store(units, Ordering::Relaxed);
                break;
            }
        }
        mine
    };
    let mut done = std::thread::scope(|scope| {
        let handles = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .name("report".into())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, worker)
            })
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::Internal(format!("starting a report worker: {e}")))?;
        let mut all = Vec::with_capacity(units);
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| Error::Internal("a report worker panicked".into()))?,
            );
        }
        Ok::<_, Error>(all)
    })?;
    done.sort_by_key(|(u, _)| *u);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_unit_order() {
        let got = on_workers(50, |u| Ok(u * 2)).unwrap();
        assert_eq!(got, (0..50).map(|u| u * 2).collect::<Vec<_>>());
        assert!(on_workers(0, Ok).unwrap().is_empty());
    }

    #[test]
    fn the_lowest_failure_is_returned() {
        let e = on_workers(20, |u| {
            if u >= 7 {
                Err(Error::Usage(format!("unit {u}")))
            } else {
                Ok(u)
            }
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "unit 7");
    }

    #[test]
    fn a_unit_runs_on_a_large_stack() {
        // 8 MB on the stack would overflow a default 2 MB thread.
        let got = on_workers(2, |u| {
            let big = [u as u8; 8 << 20];
            Ok(std::hint::black_box(&big)[0] as usize)
        })
        .unwrap();
        assert_eq!(got, [0, 1]);
    }
}
