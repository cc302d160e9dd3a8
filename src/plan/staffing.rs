//! Who carries the plan's target, and how much of each month: employment
//! (hire and leave dates), the new hire's ramp, and the months' shape.

use chrono::{Datelike, NaiveDate};

use crate::period::{Period, WorkCalendar};

/// A rep's employment as the reps table gives it; `None` dates are open
/// (hired before any record, not leaving).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Employment {
    /// First day employed.
    pub(crate) hire: Option<NaiveDate>,
    /// Last day employed (inclusive, SPEC section 2).
    pub(crate) leave: Option<NaiveDate>,
}

impl Employment {
    /// The days of `[from, to]` within employment, or `None` when none are.
    pub(crate) fn clip(&self, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let a = self.hire.map_or(from, |h| h.max(from));
        let b = self.leave.map_or(to, |l| l.min(to));
        (a <= b).then_some((a, b))
    }

    /// Workdays employed within `[from, to]`.
    pub(crate) fn workdays(&self, calendar: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        self.clip(from, to)
            .map_or(0, |(a, b)| calendar.workdays(a, b))
    }
}

/// The twelve months of `year`, January first.
pub(crate) fn months_of(year: i32) -> Vec<Period> {
    (1..=12)
        .map(|m| Period::month(year, m).expect("a plan year is a valid year"))
        .collect()
}

/// Share of a full month a rep carries in `month` (a ratio in `[0, 1]`):
/// the part of the month employed — employed workdays over the month's
/// workdays, or calendar days when the month has no workday — times the
/// ramp factor `min(1, j / (ramp_months + 1))`, where `j` is the month's
/// rank in the rep's employment (the hire month is 1). A rep without a
/// hire date does not ramp.
pub(crate) fn month_capacity(
    job: &Employment,
    month: &Period,
    calendar: &WorkCalendar,
    ramp_months: u32,
) -> f64 {
    let Some((a, b)) = job.clip(month.start, month.end) else {
        return 0.0;
    };
    let month_workdays = calendar.workdays(month.start, month.end);
    let employed = if month_workdays > 0 {
        calendar.workdays(a, b) as f64 / month_workdays as f64
    } else {
        ((b - a).num_days() + 1) as f64 / ((month.end - month.start).num_days() + 1) as f64
    };
    employed * ramp_factor(job.hire, month.start, ramp_months)
}

/// `min(1, j / (ramp_months + 1))` for the month starting `month_start`,
/// `j` = months since the hire month + 1; 1 without a hire date or ramp.
pub(crate) fn ramp_factor(
    hire: Option<NaiveDate>,
    month_start: NaiveDate,
    ramp_months: u32,
) -> f64 {
    let Some(h) = hire else { return 1.0 };
    let j =
        (month_start.year() - h.year()) * 12 + month_start.month() as i32 - h.month() as i32 + 1;
    if ramp_months == 0 || j > ramp_months as i32 {
        return 1.0;
    }
    (j.max(0) as f64) / f64::from(ramp_months + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn job(hire: Option<&str>, leave: Option<&str>) -> Employment {
        Employment {
            hire: hire.map(d),
            leave: leave.map(d),
        }
    }

    #[test]
    fn a_ramp_of_three_months_climbs_by_quarters() {
        let hire = Some(d("2027-03-10"));
        let f = |m: &str| ramp_factor(hire, d(m), 3);
        assert_eq!(
            [
                f("2027-03-01"),
                f("2027-04-01"),
                f("2027-05-01"),
                f("2027-06-01")
            ],
            [0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(ramp_factor(hire, d("2027-04-01"), 0), 1.0);
        assert_eq!(ramp_factor(None, d("2027-04-01"), 3), 1.0);
        // Hired in November: January is the third month.
        assert_eq!(ramp_factor(Some(d("2026-11-20")), d("2027-01-01"), 3), 0.75);
    }

    #[test]
    fn a_month_is_carried_for_its_employed_workdays_times_the_ramp() {
        let cal = WorkCalendar::default();
        let march = Period::month(2027, 3).unwrap();
        // March 2027: 23 workdays (Mon 1st .. Wed 31st).
        assert_eq!(cal.workdays(march.start, march.end), 23);
        // Hired Mon 15 March: 13 workdays of 23, first ramp month (1/4).
        let hired = job(Some("2027-03-15"), None);
        let c = month_capacity(&hired, &march, &cal, 3);
        assert!((c - 13.0 / 23.0 * 0.25).abs() < 1e-12);
        // Leaving Fri 5 March after years: 5 of 23 workdays, no ramp.
        let leaver = job(Some("2015-01-01"), Some("2027-03-05"));
        assert!((month_capacity(&leaver, &march, &cal, 3) - 5.0 / 23.0).abs() < 1e-12);
        let april = Period::month(2027, 4).unwrap();
        assert_eq!(month_capacity(&leaver, &april, &cal, 3), 0.0);
    }
}
