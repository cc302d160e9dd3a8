//! The history a plan is drawn from: sales of the base year, the twelve
//! full months up to as_of (SPEC section 8's "trailing 12 months" and "last
//! full year"), per rep and per calendar month.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;

use crate::kpi::date_lit;

use crate::kpi::Engine;
use crate::period::{Period, PeriodKind};
use crate::{Error, Result};

/// The base year: the twelve full calendar months ending at the last month
/// end on or before as_of (as_of 2026-12-31 → 2026; as_of 2026-11-29 →
/// 2025-11-01..2026-10-31). It is the year the shares, the month shape and
/// `--growth` are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BaseYear {
    /// First day (a month's first).
    pub(crate) start: NaiveDate,
    /// Last day (a month's last, ≤ as_of).
    pub(crate) end: NaiveDate,
}

impl BaseYear {
    /// The base year of `as_of`.
    pub(crate) fn of(as_of: NaiveDate) -> BaseYear {
        let holding = Period::containing(PeriodKind::Month, as_of);
        let last = if holding.end == as_of {
            holding
        } else {
            holding.previous()
        };
        let start = last
            .start
            .checked_sub_months(Months::new(11))
            .expect("in range");
        BaseYear {
            start,
            end: last.end,
        }
    }
}

/// Sales of the base year (live order lines' `line_amount`, the scorecard's
/// `sales_amount`, in cents; returns net).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct History {
    /// The window read.
    pub(crate) base: BaseYear,
    /// Sales per rep_id (reps without a line are absent).
    pub(crate) rep_sales: BTreeMap<String, i64>,
    /// Company sales per calendar month, January first (the base year holds
    /// each calendar month once).
    pub(crate) month_sales: [i64; 12],
    /// The earliest live order line on or before as_of, of any date.
    pub(crate) first_order: Option<NaiveDate>,
    /// The latest live order line on or before as_of.
    pub(crate) last_order: Option<NaiveDate>,
}

impl History {
    /// No orders at all (no orders table, or none up to as_of).
    pub(crate) fn none(base: BaseYear) -> History {
        History {
            base,
            rep_sales: BTreeMap::new(),
            month_sales: [0; 12],
            first_order: None,
            last_order: None,
        }
    }

    /// Company sales of the base year, in cents.
    pub(crate) fn total(&self) -> i64 {
        self.month_sales.iter().sum()
    }

    /// Whether the orders span the whole base year, so that it is a full
    /// year of sales: the first order falls in or before its first month
    /// and the last in its last month (data that end early would make the
    /// base year look smaller than it was).
    pub(crate) fn covers_base_year(&self) -> bool {
        let after_first_month = self
            .base
            .start
            .checked_add_months(Months::new(1))
            .expect("in range");
        let last_month = self.base.end.with_day(1).expect("day 1");
        self.first_order.is_some_and(|d| d < after_first_month)
            && self.last_order.is_some_and(|d| d >= last_month)
    }

    /// `the orders run 2025-05-06..2026-10-31` (or say there are none).
    pub(crate) fn span(&self) -> String {
        match (self.first_order, self.last_order) {
            (Some(a), Some(b)) => format!("the orders run {a}..{b}"),
            _ => "there are no orders".into(),
        }
    }
}

/// Reads the base year's sales of `as_of` through the engine's priced
/// order lines (the same lines and amounts as the scorecard's
/// `sales_amount`). No orders table: [`History::none`].
pub(crate) fn read_history(engine: &Engine<'_>) -> Result<History> {
    let base = BaseYear::of(engine.as_of());
    let everything = Period::range(NaiveDate::MIN, engine.as_of()).expect("MIN ≤ as_of");
    let Some(lines) = engine.order_lines_in(&everything)? else {
        return Ok(History::none(base));
    };
    let span = lines
        .clone()
        .select([
            col("order_date").min().alias("first"),
            col("order_date").max().alias("last"),
        ])
        .collect()?;
    let day = |name: &str| -> Result<Option<NaiveDate>> {
        Ok(span.column(name)?.date()?.as_date_iter().next().flatten())
    };
    let (first_order, last_order) = (day("first")?, day("last")?);
    let in_base = lines.filter(
        col("order_date")
            .gt_eq(date_lit(base.start))
            .and(col("order_date").lt_eq(date_lit(base.end))),
    );
    // One pass over the base year's lines: sales per rep and calendar
    // month, summed both ways below (a few thousand rows at most).
    let by_rep_month = in_base
        .group_by([
            col("rep_id"),
            col("order_date")
                .dt()
                .month()
                .cast(DataType::Int64)
                .alias("month"),
        ])
        .agg([col("line_amount").sum().alias("sales")])
        .collect()?;
    let mut rep_sales: BTreeMap<String, i64> = BTreeMap::new();
    let mut month_sales = [0i64; 12];
    for ((rep, m), s) in by_rep_month
        .column("rep_id")?
        .str()?
        .iter()
        .zip(by_rep_month.column("month")?.i64()?.iter())
        .zip(by_rep_month.column("sales")?.i64()?.iter())
    {
        let (Some(rep), Some(m)) = (rep, m) else {
            return Err(Error::Internal("an order line without rep or month".into()));
        };
        let s = s.unwrap_or(0);
        *rep_sales.entry(rep.to_string()).or_default() += s;
        month_sales[(m - 1) as usize] += s;
    }
    Ok(History {
        base,
        rep_sales,
        month_sales,
        first_order,
        last_order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_base_year_is_the_twelve_full_months_up_to_as_of() {
        assert_eq!(
            BaseYear::of(d("2026-12-31")),
            BaseYear {
                start: d("2026-01-01"),
                end: d("2026-12-31")
            }
        );
        assert_eq!(
            BaseYear::of(d("2026-11-29")),
            BaseYear {
                start: d("2025-11-01"),
                end: d("2026-10-31")
            }
        );
        assert_eq!(
            BaseYear::of(d("2024-03-01")),
            BaseYear {
                start: d("2023-03-01"),
                end: d("2024-02-29")
            }
        );
    }
}
