//! Opportunities: a deal's walk through the pipeline stages to won, lost or
//! still open, and its stage history.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::random::lognormal;
use super::{add_days, World};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

/// Opportunity stages in pipeline order (before won / lost).
const OPEN_STAGES: [&str; 5] = ["lead", "contact", "needs_analysis", "demo", "negotiation"];
/// Default probability (percent) of each open stage.
const STAGE_PERCENT: [i64; 5] = [10, 20, 30, 50, 70];
/// Chance of moving on from each open stage (negotiation: of winning).
const STAGE_PASS: [f64; 5] = [0.85, 0.8, 0.75, 0.75, 0.6];

impl World {
    pub(super) fn opportunity(
        &mut self,
        out: &mut Out,
        r: usize,
        ci: usize,
        d: NaiveDate,
    ) -> Result<()> {
        self.seq_opp += 1;
        let opp_id = format!("OP{:07}", self.seq_opp);
        let rep = &self.reps[r];
        let (skill, leave) = (rep.win_skill, rep.leave);
        let rng = &mut self.rng;
        let yuan = lognormal(rng, 60_000.0, 1.0).clamp(2_000.0, 2_000_000.0);
        let amount = if rng.gen_bool(0.75) {
            (yuan / 100.0).round() as i64 * 10_000
        } else {
            yuan.round() as i64 * 100
        };
        let at = |day: NaiveDate, rng: &mut ChaCha8Rng| {
            NaiveDateTime::new(
                day,
                NaiveTime::from_hms_opt(
                    rng.gen_range(8..19),
                    rng.gen_range(0..60),
                    rng.gen_range(0..60),
                )
                .expect("valid time"),
            )
        };
        // Stage index 0..5 = open stages, 5 = won, 6 = lost.
        let mut entries: Vec<(usize, NaiveDateTime)> = vec![(0, at(d, rng))];
        let mut k = 0usize;
        let mut day = d;
        loop {
            if k == 4 {
                day = add_days(day, rng.gen_range(5..=30));
                let won = rng.gen_bool((STAGE_PASS[4] * skill).clamp(0.05, 0.95));
                entries.push((if won { 5 } else { 6 }, at(day, rng)));
                break;
            }
            if rng.gen_bool(0.06) {
                break; // stalls, stays open
            }
            day = add_days(day, rng.gen_range(2..=25));
            if rng.gen_bool((STAGE_PASS[k] * skill).clamp(0.05, 0.95)) {
                let mut next = k + 1;
                if next < 4 && rng.gen_bool(0.08) {
                    next += 1; // skipped a stage
                }
                entries.push((next, at(day, rng)));
                k = next;
            } else {
                entries.push((6, at(day, rng)));
                break;
            }
        }
        let cutoff = leave.map_or(self.end, |l| l.min(self.end));
        entries.retain(|e| e.1.date() <= cutoff);
        let &(current, last_at) = entries.last().expect("lead entry is on d");
        let stage = match current {
            5 => "won",
            6 => "lost",
            s => OPEN_STAGES[s],
        };
        let close = (current >= 5).then(|| last_at.date());
        let probability = if rng.gen_bool(0.3) {
            None
        } else {
            Some(match current {
                5 => 100,
                6 => 0,
                s => {
                    (STAGE_PERCENT[s] + [-10, -5, 0, 0, 0, 5, 10][rng.gen_range(0..7)]).clamp(5, 95)
                }
            })
        };
        let history = match rng.gen_range(0..100) {
            0..=4 => 0..0,                                  // no history exported
            5..=9 if entries.len() > 1 => 1..entries.len(), // lead not recorded
            _ => 0..entries.len(),
        };
        out.push(
            T::Opportunities,
            &[
                V::t(&opp_id),
                V::t(&self.reps[r].id),
                V::t(&self.customers[ci].id),
                V::Date(d),
                V::t(stage),
                V::Cents(amount),
                V::opt_date(close),
                probability.map_or(V::Null, |p| V::Ratio(p as f64 / 100.0)),
            ],
        )?;
        for &(s, t) in &entries[history] {
            let name = match s {
                5 => "won",
                6 => "lost",
                s => OPEN_STAGES[s],
            };
            out.push(T::Stages, &[V::t(&opp_id), V::t(name), V::Dt(t)])?;
        }
        Ok(())
    }
}
