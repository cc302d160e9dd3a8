//! Periods, the as_of cut and the workday calendar (SPEC section 2, rules 1–3).

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

use crate::{Error, Result};

/// A reporting period: a month, a quarter, a year or an explicit date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// The label as written in outputs (`2026-10`, `2026-Q4`, `2026`, `2026-01-05..2026-02-10`).
    pub label: String,
    /// First day of the period.
    pub start: NaiveDate,
    /// Nominal last day of the period (before any as_of cut).
    pub end: NaiveDate,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

fn bad_period(text: &str) -> Error {
    Error::Usage(format!(
        "period `{text}` is not understood: write a month `2026-10`, a quarter `2026-Q4`, a year `2026` or a range `2026-01-05..2026-02-10`"
    ))
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn months_span(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.pred_opt()
}

impl Period {
    /// Parses `YYYY-MM`, `YYYY-Qn`, `YYYY` or `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Period> {
        let t = text.trim();
        let label = t.to_string();
        if let Some((a, b)) = t.split_once("..") {
            let start =
                NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad_period(t))?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad_period(t))?;
            if end < start {
                return Err(Error::Usage(format!("period `{t}` ends before it starts")));
            }
            return Ok(Period { label, start, end });
        }
        let parts: Vec<&str> = t.split('-').collect();
        let year: i32 = parts[0].parse().map_err(|_| bad_period(t))?;
        if parts[0].len() != 4 {
            return Err(bad_period(t));
        }
        let (start, months) = match parts.as_slice() {
            [_] => (month_start(year, 1), 12),
            [_, q] if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let n: u32 = q[1..].parse().map_err(|_| bad_period(t))?;
                if !(1..=4).contains(&n) {
                    return Err(bad_period(t));
                }
                (month_start(year, (n - 1) * 3 + 1), 3)
            }
            [_, m] if m.len() == 2 => {
                let n: u32 = m.parse().map_err(|_| bad_period(t))?;
                (month_start(year, n), 1)
            }
            _ => return Err(bad_period(t)),
        };
        let start = start.ok_or_else(|| bad_period(t))?;
        let end = months_span(start, months).ok_or_else(|| bad_period(t))?;
        Ok(Period { label, start, end })
    }

    /// Period end cut at as_of: `PE = min(end, as_of)`; an as_of before the
    /// start is an error (rule 1).
    pub fn cut_end(&self, as_of: NaiveDate) -> Result<NaiveDate> {
        if as_of < self.start {
            return Err(Error::Usage(format!(
                "as_of {as_of} is before the start of period {} ({}): pick a later --as-of or an earlier period",
                self.label, self.start
            )));
        }
        Ok(self.end.min(as_of))
    }

    /// The `YYYY-MM` labels of every month the nominal period touches (rule 3).
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m =
            NaiveDate::from_ymd_opt(self.start.year(), self.start.month(), 1).expect("valid");
        while m <= self.end {
            out.push(format!("{:04}-{:02}", m.year(), m.month()));
            m = m.checked_add_months(Months::new(1)).expect("in range");
        }
        out
    }

    /// The previous period of the same shape (the month, quarter or year before,
    /// or a range of the same length ending the day before).
    pub fn previous(&self) -> Period {
        let len_months = {
            let t = &self.label;
            if t.contains("..") {
                None
            } else if t.contains('Q') || t.contains('q') {
                Some(3)
            } else if t.len() == 4 {
                Some(12)
            } else {
                Some(1)
            }
        };
        match len_months {
            Some(n) => {
                let start = self
                    .start
                    .checked_sub_months(Months::new(n))
                    .expect("in range");
                let end = self.start.pred_opt().expect("in range");
                let label = match n {
                    12 => format!("{}", start.year()),
                    3 => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
                    _ => format!("{:04}-{:02}", start.year(), start.month()),
                };
                Period { label, start, end }
            }
            None => {
                let days = (self.end - self.start).num_days();
                let end = self.start.pred_opt().expect("in range");
                let start = end - Duration::days(days);
                Period {
                    label: format!("{start}..{end}"),
                    start,
                    end,
                }
            }
        }
    }
}

/// Default as_of: yesterday (SPEC section 2).
pub fn default_as_of() -> NaiveDate {
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
    fn as_of_cuts_and_rejects_early_dates() {
        let m = Period::parse("2026-10").unwrap();
        assert_eq!(m.cut_end(d("2026-10-15")).unwrap(), d("2026-10-15"));
        assert_eq!(m.cut_end(d("2026-11-20")).unwrap(), d("2026-10-31"));
        assert!(m.cut_end(d("2026-09-30")).is_err());
    }

    #[test]
    fn previous_periods() {
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().label,
            "2025-12"
        );
        assert_eq!(
            Period::parse("2026-Q1").unwrap().previous().label,
            "2025-Q4"
        );
        assert_eq!(Period::parse("2026").unwrap().previous().label, "2025");
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
