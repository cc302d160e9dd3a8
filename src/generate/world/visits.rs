//! One visit row (kind, duration, cost); on-site visits are counted for the
//! month's travel expenses.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;

use super::random::{lognormal, pick_w};
use super::World;
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

impl World {
    pub(super) fn visit(
        &mut self,
        out: &mut Out,
        r: usize,
        ci: usize,
        d: NaiveDate,
        minute: u32,
    ) -> Result<()> {
        let rng = &mut self.rng;
        self.seq_visit += 1;
        let kind = pick_w(
            rng,
            &[
                (Some("onsite"), 60),
                (Some("phone"), 25),
                (Some("video"), 8),
                (Some("event"), 2),
                (None, 5),
            ],
        );
        let duration = match kind {
            _ if rng.gen_bool(0.07) => None,
            Some("phone") => Some(rng.gen_range(3..30)),
            Some("video") => Some(rng.gen_range(15..60)),
            Some("event") => Some(rng.gen_range(60..240)),
            _ => Some(lognormal(rng, 45.0, 0.45).clamp(10.0, 240.0).round() as i64),
        };
        let cost = match kind {
            Some("onsite") | None if rng.gen_bool(0.65) => Some(rng.gen_range(1_500..25_000)),
            Some("event") if rng.gen_bool(0.4) => Some(rng.gen_range(20_000..200_000)),
            _ => None,
        };
        if kind == Some("onsite") {
            self.onsite[r] += 1;
        }
        let start = NaiveDateTime::new(
            d,
            NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).expect("valid time"),
        );
        out.push(
            T::Visits,
            &[
                V::t(format!("V{:08}", self.seq_visit)),
                V::t(&self.reps[r].id),
                V::t(&self.customers[ci].id),
                V::Dt(start),
                duration.map_or(V::Null, V::Int),
                V::opt_t(kind),
                cost.map_or(V::Null, V::Cents),
            ],
        )
    }
}
