//! Periods, the as_of cut and the workday calendar (SPEC section 2, rules 1–3).

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, Months, NaiveDate, Weekday};

use crate::{Error, Result};

/// The shape of a period: what it is, not how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// A calendar month (`2026-10`).
    Month,
    /// A calendar quarter (`2026-Q4`).
    Quarter,
    /// A calendar year (`2026`).
    Year,
    /// An ISO week, Monday to Sunday (`2026-W44`; SPEC section 8).
    Week,
    /// An explicit range of days (`2026-01-05..2026-02-10`).
    Range,
}

/// A reporting period: its kind and its nominal first and last day. The
/// label (`2026-10`, `2026-Q4`, `2026`, `2026-W44`, `2026-01-05..2026-02-10`)
/// is derived from these, never stored, so a period is never formatted to
/// text and parsed back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// The shape.
    pub kind: PeriodKind,
    /// First day of the period.
    pub start: NaiveDate,
    /// Nominal last day of the period (before any as_of cut).
    pub end: NaiveDate,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.start;
        match self.kind {
            PeriodKind::Month => write!(f, "{:04}-{:02}", s.year(), s.month()),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", s.year(), (s.month() - 1) / 3 + 1),
            PeriodKind::Year => write!(f, "{:04}", s.year()),
            PeriodKind::Week => {
                let w = s.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Range => write!(f, "{}..{}", self.start, self.end),
        }
    }
}

fn bad_period(text: &str) -> Error {
    Error::Usage(format!(
        "period `{text}` is not understood: write a month `2026-10`, a quarter `2026-Q4`, a year `2026`, an ISO week `2026-W44` or a range `2026-01-05..2026-02-10`"
    ))
}

fn months_span(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.pred_opt()
}

impl Period {
    /// The calendar month `year-month`; `None` when out of range.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Period {
            kind: PeriodKind::Month,
            start,
            end: months_span(start, 1)?,
        })
    }

    /// The calendar quarter `year-Qquarter` (1–4); `None` when out of range.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
        Some(Period {
            kind: PeriodKind::Quarter,
            start,
            end: months_span(start, 3)?,
        })
    }

    /// The calendar year; `None` when out of range.
    pub fn year(year: i32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
        Some(Period {
            kind: PeriodKind::Year,
            start,
            end: months_span(start, 12)?,
        })
    }

    /// The ISO week `week` of ISO year `year`, Monday to Sunday; `None`
    /// when that year has no such week (W53 exists in some years only).
    pub fn week(year: i32, week: u32) -> Option<Period> {
        let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Period {
            kind: PeriodKind::Week,
            start,
            end: start.checked_add_days(chrono::Days::new(6))?,
        })
    }

    /// The days `start..=end`; `None` when it ends before it starts.
    pub fn range(start: NaiveDate, end: NaiveDate) -> Option<Period> {
        (end >= start).then_some(Period {
            kind: PeriodKind::Range,
            start,
            end,
        })
    }

    /// The month, quarter, year or ISO week holding `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let (y, m) = (day.year(), day.month());
        let found = match kind {
            PeriodKind::Month => Period::month(y, m),
            PeriodKind::Quarter => Period::quarter(y, (m - 1) / 3 + 1),
            PeriodKind::Year => Period::year(y),
            PeriodKind::Week => {
                let w = day.iso_week();
                Period::week(w.year(), w.week())
            }
            PeriodKind::Range => Period::range(day, day),
        };
        found.expect("a date's own period is in range")
    }

    /// The label as written in outputs (see [`Period`]).
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// Parses `YYYY-MM`, `YYYY-Qn`, `YYYY`, `YYYY-Www` or `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Period> {
        let t = text.trim();
        if let Some((a, b)) = t.split_once("..") {
            let start =
                NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad_period(t))?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad_period(t))?;
            return Period::range(start, end)
                .ok_or_else(|| Error::Usage(format!("period `{t}` ends before it starts")));
        }
        let parts: Vec<&str> = t.split('-').collect();
        if parts[0].len() != 4 || !parts[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_period(t));
        }
        let year: i32 = parts[0].parse().map_err(|_| bad_period(t))?;
        let number = |digits: &str| -> Result<u32> {
            if digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse().map_err(|_| bad_period(t))
            } else {
                Err(bad_period(t))
            }
        };
        let found = match parts.as_slice() {
            [_] => Period::year(year),
            [_, q] if q.starts_with(['Q', 'q']) && q.len() == 2 => {
                Period::quarter(year, number(&format!("0{}", &q[1..]))?)
            }
            [_, w] if w.starts_with(['W', 'w']) => {
                let p = Period::week(year, number(&w[1..])?);
                if p.is_none() {
                    return Err(Error::Usage(format!(
                        "period `{t}`: ISO year {year} has no week {} (it has {} weeks)",
                        &w[1..],
                        weeks_in_iso_year(year)
                    )));
                }
                p
            }
            [_, m] => Period::month(year, number(m)?),
            _ => None,
        };
        found.ok_or_else(|| bad_period(t))
    }

    /// Period end cut at as_of: `PE = min(end, as_of)`; an as_of before the
    /// start is an error (rule 1).
    pub fn cut_end(&self, as_of: NaiveDate) -> Result<NaiveDate> {
        if as_of < self.start {
            return Err(Error::Usage(format!(
                "as_of {as_of} is before the start of period {self} ({}): pick a later --as-of or an earlier period",
                self.start
            )));
        }
        Ok(self.end.min(as_of))
    }

    /// The `YYYY-MM` labels of every month the nominal period touches (rule 3).
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m = Period::containing(PeriodKind::Month, self.start);
        while m.start <= self.end {
            out.push(m.to_string());
            m = m.next();
        }
        out
    }

    /// The period of the same shape right after this one.
    pub fn next(&self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let start = self.end.succ_opt().expect("in range");
                Period::range(start, start + (self.end - self.start)).expect("ordered")
            }
            kind => Period::containing(kind, self.end.succ_opt().expect("in range")),
        }
    }

    /// The previous period of the same shape (the month, quarter, year or
    /// week before, or a range of the same length ending the day before).
    pub fn previous(&self) -> Period {
        let before = self.start.pred_opt().expect("in range");
        match self.kind {
            PeriodKind::Range => {
                Period::range(before - (self.end - self.start), before).expect("ordered")
            }
            kind => Period::containing(kind, before),
        }
    }
}

/// Weeks in an ISO year: 53 when 28 December falls in week 53, else 52.
fn weeks_in_iso_year(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |d| d.iso_week().week())
}

/// Default as_of: yesterday (SPEC section 2).
pub(crate) fn default_as_of() -> NaiveDate {
    chrono::Local::now()
        .date_naive()
        .pred_opt()
        .expect("in range")
}

/// Workday calendar: Monday–Friday unless an override says otherwise.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    overrides: HashMap<NaiveDate, bool>,
}

impl WorkCalendar {
    /// A calendar with these overrides (date → is_workday).
    pub fn new(overrides: HashMap<NaiveDate, bool>) -> Self {
        WorkCalendar { overrides }
    }

    /// Whether this date is a workday.
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        self.overrides
            .get(&d)
            .copied()
            .unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// Workdays in `[from, to]` (0 when the range is empty).
    pub fn workdays(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return 0;
        }
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_workday(*d))
            .count() as i64
    }

    /// The first day of the last `n` workdays of `[from, to]`
    /// ([`last_workdays_from`] on this calendar).
    pub fn last_workdays_from(&self, from: NaiveDate, to: NaiveDate, n: i64) -> NaiveDate {
        last_workdays_from(|d| self.is_workday(d), from, to, n)
    }

    /// The `n`-th workday after `day` ([`nth_workday_after`] on this
    /// calendar).
    pub fn nth_workday_after(&self, day: NaiveDate, n: i64) -> NaiveDate {
        nth_workday_after(|d| self.is_workday(d), day, n)
    }
}

/// The first day of the last `n` workdays of `[from, to]` by `is_workday`:
/// the `n`-th workday counted back from `to` (so the span runs to `to`,
/// taking in any non-workdays after the last workday); `from` when the
/// range has fewer than `n` workdays. Shared by the KPI calendar and the
/// generator's holiday calendar.
pub(crate) fn last_workdays_from(
    is_workday: impl Fn(NaiveDate) -> bool,
    from: NaiveDate,
    to: NaiveDate,
    n: i64,
) -> NaiveDate {
    let mut seen = 0;
    let mut day = to;
    while day > from {
        if is_workday(day) {
            seen += 1;
            if seen == n {
                return day;
            }
        }
        day = day.pred_opt().expect("in range");
    }
    from
}

/// The `n`-th workday after `day` (`n` ≥ 1) by `is_workday`: the last day of
/// the first `n` workdays that follow it.
pub(crate) fn nth_workday_after(
    is_workday: impl Fn(NaiveDate) -> bool,
    day: NaiveDate,
    n: i64,
) -> NaiveDate {
    let mut seen = 0;
    let mut d = day;
    while seen < n.max(1) {
        d = d.succ_opt().expect("in range");
        if is_workday(d) {
            seen += 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_every_period_shape() {
        let m = Period::parse("2024-02").unwrap();
        assert_eq!((m.start, m.end), (d("2024-02-01"), d("2024-02-29")));
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!((q.start, q.end), (d("2026-10-01"), d("2026-12-31")));
        let y = Period::parse("2025").unwrap();
        assert_eq!((y.start, y.end), (d("2025-01-01"), d("2025-12-31")));
        let r = Period::parse("2026-01-05..2026-02-10").unwrap();
        assert_eq!(r.months(), vec!["2026-01", "2026-02"]);
        assert!(Period::parse("2026-13").is_err());
        assert!(Period::parse("2026-Q5").is_err());
        assert!(Period::parse("26-01").is_err());
        assert!(Period::parse("2026-02-10..2026-01-05").is_err());
    }

    #[test]
    fn iso_weeks_cross_the_year_boundary() {
        // 2026 has 53 ISO weeks: W53 runs Monday 28 December 2026 to Sunday
        // 3 January 2027, and touches two months of two years.
        let w = Period::parse("2026-W53").unwrap();
        assert_eq!((w.start, w.end), (d("2026-12-28"), d("2027-01-03")));
        assert_eq!(w.months(), vec!["2026-12", "2027-01"]);
        assert_eq!(w.next().to_string(), "2027-W01");
        assert_eq!(w.next().start, d("2027-01-04"));
        assert_eq!(Period::parse("2026-w44").unwrap().to_string(), "2026-W44");
        assert_eq!(
            Period::containing(PeriodKind::Week, d("2027-01-01")).to_string(),
            "2026-W53"
        );
        // 2025 has 52 weeks: W53 is refused, naming the count.
        let err = Period::parse("2025-W53").unwrap_err().to_string();
        assert!(err.contains("52 weeks"), "{err}");
        assert!(Period::parse("2026-W1").is_err());
        assert!(Period::parse("2026-W00").is_err());
    }

    /// September 2026 ends on a Wednesday: its last 2 workdays start on
    /// Tuesday the 29th. October 2026 ends on a Saturday: its last 2
    /// workdays are Thursday 29 and Friday 30, and the span runs to the
    /// 31st. With 1 October a holiday, the 5th workday after 30 September
    /// is Thursday 8 October.
    #[test]
    fn workdays_counted_back_from_the_end_and_on_after_it() {
        let cal = WorkCalendar::default();
        assert_eq!(
            cal.last_workdays_from(d("2026-09-01"), d("2026-09-30"), 2),
            d("2026-09-29")
        );
        assert_eq!(
            cal.last_workdays_from(d("2026-10-01"), d("2026-10-31"), 2),
            d("2026-10-29")
        );
        assert_eq!(
            cal.last_workdays_from(d("2026-10-31"), d("2026-10-31"), 2),
            d("2026-10-31")
        );
        let holiday = WorkCalendar::new(HashMap::from([(d("2026-10-01"), false)]));
        assert_eq!(cal.nth_workday_after(d("2026-09-30"), 5), d("2026-10-07"));
        assert_eq!(
            holiday.nth_workday_after(d("2026-09-30"), 5),
            d("2026-10-08")
        );
        assert_eq!(cal.nth_workday_after(d("2026-10-31"), 1), d("2026-11-02"));
    }

    #[test]
    fn labels_are_derived_not_kept_as_written() {
        assert_eq!(Period::parse(" 2026-q4 ").unwrap().to_string(), "2026-Q4");
        assert_eq!(
            Period::containing(PeriodKind::Quarter, d("2026-08-15")),
            Period::parse("2026-Q3").unwrap()
        );
        assert!(Period::parse("2026-1").is_err());
        assert!(Period::parse("2026-+1").is_err());
    }

    #[test]
    fn as_of_cuts_and_rejects_early_dates() {
        let m = Period::parse("2026-10").unwrap();
        assert_eq!(m.cut_end(d("2026-10-15")).unwrap(), d("2026-10-15"));
        assert_eq!(m.cut_end(d("2026-11-20")).unwrap(), d("2026-10-31"));
        assert!(m.cut_end(d("2026-09-30")).is_err());
    }

    #[test]
    fn previous_periods() {
        let previous = |p: &str| Period::parse(p).unwrap().previous().to_string();
        assert_eq!(previous("2026-01"), "2025-12");
        assert_eq!(previous("2026-Q1"), "2025-Q4");
        assert_eq!(previous("2026"), "2025");
        assert_eq!(previous("2026-W01"), "2025-W52");
        assert_eq!(previous("2021-W01"), "2020-W53");
        assert_eq!(previous("2026-01-05..2026-01-11"), "2025-12-29..2026-01-04");
    }

    #[test]
    fn calendar_overrides_weekends_and_holidays() {
        // 2026-10-01 (Thu) holiday, 2026-10-10 (Sat) make-up workday.
        let cal = WorkCalendar::new(HashMap::from([
            (d("2026-10-01"), false),
            (d("2026-10-10"), true),
        ]));
        // October 2026 has 22 Mon–Fri days; −1 holiday +1 make-up.
        assert_eq!(cal.workdays(d("2026-10-01"), d("2026-10-31")), 22);
        assert_eq!(cal.workdays(d("2026-10-01"), d("2026-10-02")), 1);
        assert_eq!(cal.workdays(d("2026-10-05"), d("2026-10-04")), 0);
    }
}
