//! Chinese public holidays and make-up workdays (调休).
//!
//! 2022–2026 follow the State Council notices. Other years get an
//! approximation: New Year's Day, the Spring Festival week (from a table of
//! lunar new year dates), Qingming (5 April), Labour Day (1–3 May) and National
//! Day (1–7 October), with no make-up days.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// Official schedule of one year: holiday ranges (inclusive, `(m, d, m, d)`)
/// and make-up workdays (`(m, d)`) of that year.
struct Official {
    year: i32,
    off: &'static [(u32, u32, u32, u32)],
    on: &'static [(u32, u32)],
}

const OFFICIAL: &[Official] = &[
    Official {
        year: 2022,
        off: &[
            (1, 1, 1, 3),
            (1, 31, 2, 6),
            (4, 3, 4, 5),
            (4, 30, 5, 4),
            (6, 3, 6, 5),
            (9, 10, 9, 12),
            (10, 1, 10, 7),
        ],
        on: &[(1, 29), (1, 30), (4, 2), (4, 24), (5, 7), (10, 8), (10, 9)],
    },
    Official {
        year: 2023,
        off: &[
            (1, 1, 1, 2),
            (1, 21, 1, 27),
            (4, 5, 4, 5),
            (4, 29, 5, 3),
            (6, 22, 6, 24),
            (9, 29, 10, 6),
        ],
        on: &[(1, 28), (1, 29), (4, 23), (5, 6), (6, 25), (10, 7), (10, 8)],
    },
    Official {
        year: 2024,
        off: &[
            (1, 1, 1, 1),
            (2, 10, 2, 17),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (6, 8, 6, 10),
            (9, 15, 9, 17),
            (10, 1, 10, 7),
        ],
        on: &[
            (2, 4),
            (2, 18),
            (4, 7),
            (4, 28),
            (5, 11),
            (9, 14),
            (9, 29),
            (10, 12),
        ],
    },
    Official {
        year: 2025,
        off: &[
            (1, 1, 1, 1),
            (1, 28, 2, 4),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (5, 31, 6, 2),
            (10, 1, 10, 8),
        ],
        on: &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    },
    Official {
        year: 2026,
        off: &[
            (1, 1, 1, 3),
            (2, 15, 2, 23),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (6, 19, 6, 21),
            (9, 25, 9, 27),
            (10, 1, 10, 7),
        ],
        on: &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    },
];

/// Lunar new year's day (正月初一) for years without an official schedule.
const LUNAR_NEW_YEAR: &[(i32, u32, u32)] = &[
    (2015, 2, 19),
    (2016, 2, 8),
    (2017, 1, 28),
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

/// Holidays and make-up workdays of a range of years.
pub(super) struct Holidays {
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

impl Holidays {
    /// Holidays of the years `first..=last`.
    pub(super) fn new(first: i32, last: i32) -> Holidays {
        let mut off = BTreeSet::new();
        let mut on = BTreeSet::new();
        let mut add_range = |a: Option<NaiveDate>, b: Option<NaiveDate>| {
            if let (Some(a), Some(b)) = (a, b) {
                let mut d = a;
                while d <= b {
                    off.insert(d);
                    d = d.succ_opt().expect("date in range");
                }
            }
        };
        for year in first..=last {
            if let Some(o) = OFFICIAL.iter().find(|o| o.year == year) {
                for &(m1, d1, m2, d2) in o.off {
                    // Same-year ranges only: 2023's New Year break began on
                    // Saturday 31 December 2022, a weekend day anyway.
                    add_range(ymd(year, m1, d1), ymd(year, m2, d2));
                }
                for &(m, d) in o.on {
                    on.extend(ymd(year, m, d));
                }
                continue;
            }
            add_range(ymd(year, 1, 1), ymd(year, 1, 1));
            if let Some(&(_, m, d)) = LUNAR_NEW_YEAR.iter().find(|x| x.0 == year) {
                if let Some(ny) = ymd(year, m, d) {
                    add_range(ny.pred_opt(), ny.checked_add_days(chrono::Days::new(5)));
                }
            }
            add_range(ymd(year, 4, 5), ymd(year, 4, 5));
            add_range(ymd(year, 5, 1), ymd(year, 5, 3));
            add_range(ymd(year, 10, 1), ymd(year, 10, 7));
        }
        Holidays { off, on }
    }

    /// Whether `d` is a working day.
    pub(super) fn is_workday(&self, d: NaiveDate) -> bool {
        if self.on.contains(&d) {
            return true;
        }
        if self.off.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_days() {
        let h = Holidays::new(2025, 2026);
        // National Day 2026 and its make-up Saturday.
        assert!(!h.is_workday(ymd(2026, 10, 1).unwrap()));
        assert!(h.is_workday(ymd(2026, 10, 10).unwrap()));
        // Spring Festival 2025; make-up Sunday 26 January.
        assert!(!h.is_workday(ymd(2025, 1, 29).unwrap()));
        assert!(h.is_workday(ymd(2025, 1, 26).unwrap()));
        // An ordinary Monday and Saturday.
        assert!(h.is_workday(ymd(2026, 3, 2).unwrap()));
        assert!(!h.is_workday(ymd(2026, 3, 7).unwrap()));
    }
}
