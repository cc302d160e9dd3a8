//! The thresholds of the integrity flags: `[flags]` of the pipeline
//! config, defaults from SPEC section 9 written once here.

use crate::Result;

/// Thresholds of the flags (`[flags]` in the pipeline config); the defaults
/// are SPEC section 9's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct FlagSettings {
    /// Minutes a visit may start before the end of the rep's previous visit
    /// that day without being flagged as overlapping (5).
    pub(crate) overlap_tolerance_minutes: i64,
    /// Visits a rep may log on one day without being flagged (15).
    pub(crate) max_visits_per_day: i64,
    /// Workdays at the end of the period that count as its end (2).
    pub(crate) stuffing_workdays: i64,
    /// Share of the period's sales in its last workdays that counts as
    /// stuffing (0.4).
    pub(crate) stuffing_share: f64,
    /// Workdays after the period in which returns are looked for (5).
    pub(crate) return_workdays: i64,
    /// Share of the end-of-period sales returned that confirms stuffing (0.3).
    pub(crate) return_share: f64,
    /// Days past due after which an open invoice blocks new orders (90).
    pub(crate) overdue_days: i64,
    /// Days past its close_date after which an open opportunity is stale (30).
    pub(crate) stale_days: i64,
}

impl Default for FlagSettings {
    fn default() -> Self {
        FlagSettings {
            overlap_tolerance_minutes: 5,
            max_visits_per_day: 15,
            stuffing_workdays: 2,
            stuffing_share: 0.4,
            return_workdays: 5,
            return_share: 0.3,
            overdue_days: 90,
            stale_days: 30,
        }
    }
}

/// Largest day or minute threshold accepted: 100 years of days (and as
/// many minutes, far beyond any visit's length).
const MAX_THRESHOLD: i64 = 36_500;

impl FlagSettings {
    /// Refuses thresholds that cannot mean anything (a usage error naming
    /// the key): negative days or minutes, more than 36,500 of them, no visit allowed per day, shares
    /// outside `(0, 1]`, periods of no workday.
    pub(crate) fn check(&self) -> Result<()> {
        let bad = |m: String| Err(crate::Error::Usage(format!("[flags] {m}")));
        for (key, v) in [
            ("overlap_tolerance_minutes", self.overlap_tolerance_minutes),
            ("overdue_days", self.overdue_days),
            ("stale_days", self.stale_days),
        ] {
            if v < 0 {
                return bad(format!("{key} = {v} must not be negative"));
            }
            // Dates are subtracted by these: a threshold past any date a
            // calendar holds is a typo, not a setting.
            if v > MAX_THRESHOLD {
                return bad(format!(
                    "{key} = {v} is more than {MAX_THRESHOLD} (100 years); write a number of days or minutes"
                ));
            }
        }
        for (key, v) in [
            ("max_visits_per_day", self.max_visits_per_day),
            ("stuffing_workdays", self.stuffing_workdays),
            ("return_workdays", self.return_workdays),
        ] {
            if v < 1 {
                return bad(format!("{key} = {v} must be at least 1"));
            }
        }
        for (key, v) in [
            ("stuffing_share", self.stuffing_share),
            ("return_share", self.return_share),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return bad(format!("{key} = {v} must be a share above 0 and at most 1"));
            }
        }
        Ok(())
    }
}
