//! What a long run shows while it works: a progress bar per stage on a
//! terminal (indicatif), and plain timestamped stage lines when stderr is
//! not a terminal, so a cron log stays clean (no carriage returns, no
//! escape codes): `2026-11-29 19:50:01 report month_to_date: 12 of 60`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown: bars on a terminal, lines otherwise.
pub(crate) struct Progress {
    bars: Option<MultiProgress>,
}

impl Progress {
    /// Bars when stderr is a terminal, timestamped lines otherwise.
    pub(crate) fn on_stderr() -> Progress {
        Progress {
            bars: std::io::stderr()
                .is_terminal()
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// Prints a line of the run's log: above the bars on a terminal (a
    /// plain `eprintln` there would be drawn over by the next redraw),
    /// else as is.
    pub(crate) fn println(&self, text: &str) {
        match &self.bars {
            Some(bars) if bars.println(text).is_ok() => {}
            _ => eprintln!("{text}"),
        }
    }

    /// Starts a stage of `len` steps (0: one step, no count shown).
    pub(crate) fn stage(&self, name: &str, len: u64) -> Stage {
        let bar = self.bars.as_ref().map(|bars| {
            let bar = bars.add(ProgressBar::new(len.max(1)));
            let template = if len > 1 {
                "{prefix:>24} [{bar:30}] {pos}/{len} {elapsed}"
            } else {
                "{prefix:>24} {spinner} {elapsed}"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(name.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        if bar.is_none() {
            line(&format!("{name}: started"));
        }
        Stage {
            name: name.to_string(),
            len,
            done: AtomicU64::new(0),
            bar,
            started: Instant::now(),
        }
    }
}

/// One stage of a run; finish it to get its wall time.
pub(crate) struct Stage {
    name: String,
    len: u64,
    done: AtomicU64,
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Stage {
    /// One more step done (callable from any thread). Without a terminal, a
    /// line is written at every tenth of the stage, so a log shows that a
    /// long stage moves without a line per step.
    pub(crate) fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => bar.inc(1),
            None if self.len > 1 && (done * 10 / self.len) != ((done - 1) * 10 / self.len) => {
                line(&format!("{}: {done} of {}", self.name, self.len));
            }
            None => {}
        }
    }

    /// Ends the stage and returns its wall time in seconds.
    pub(crate) fn finish(self) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        match &self.bar {
            Some(bar) => bar.finish(),
            None => line(&format!("{}: done in {seconds:.2} s", self.name)),
        }
        seconds
    }
}

fn line(text: &str) {
    eprintln!(
        "{} {text}",
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
    );
}
