//! The KPI engine: the one place KPI tables come from.
//!
//! An engine holds the validated data, the as_of cut and the settings. The
//! facts that depend only on those (order heads, attributed invoices and
//! payments, first orders) are computed once and shared by every period;
//! the big tables themselves (visits, order lines) are never held whole:
//! each period filters them once into its own memo, and a dataset read
//! from the validated store scans only those rows and columns. The tables of each period are computed once and memoised by
//! period, so the report of a month, its previous month and the 12 trailing
//! months of its charts, the commission and the KPI files of a nightly run
//! all read the same frames instead of recomputing them. `salesops kpi`,
//! `scorecard`, `report`, `commission` and `run` ask the engine; nothing
//! outside `kpi` builds a [`KpiContext`] or calls a KPI family.
//!
//! Single-threaded by design (interior mutability, no locks): one engine
//! serves one command.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;

use super::context::{load_calendar, Grouping, KpiContext, Settings, Shared};
use super::scorecard::scorecard;
use super::tables::{compute_all, KpiTable};
use super::{customers, receivables, sales, trend};
use crate::ingest::Dataset;
use crate::period::{Period, WorkCalendar};
use crate::Result;

/// The KPI tables of one dataset at one as_of, computed on demand and kept.
pub struct Engine<'a> {
    data: &'a Dataset,
    as_of: NaiveDate,
    settings: Settings,
    calendar: WorkCalendar,
    shared: Shared,
    tables: RefCell<BTreeMap<Period, Arc<Vec<KpiTable>>>>,
    trends: RefCell<BTreeMap<(Period, Period, Grouping), DataFrame>>,
}

impl<'a> Engine<'a> {
    /// An engine over validated data; reads the workday calendar once.
    ///
    /// Errors: a calendar table whose columns are not typed as validated.
    pub fn new(data: &'a Dataset, as_of: NaiveDate, settings: Settings) -> Result<Engine<'a>> {
        Ok(Engine {
            data,
            as_of,
            calendar: load_calendar(data)?,
            settings,
            shared: Shared::default(),
            tables: RefCell::new(BTreeMap::new()),
            trends: RefCell::new(BTreeMap::new()),
        })
    }

    /// The last day of data included.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The validated input tables.
    pub(crate) fn data(&self) -> &'a Dataset {
        self.data
    }

    /// The workday calendar (Mon–Fri unless the calendar table says
    /// otherwise; SPEC section 2).
    pub(crate) fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// The KPI settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the input table `name` is present.
    pub fn has_table(&self, name: &str) -> bool {
        self.data.has(name)
    }

    /// `PE = min(period end, as_of)`; an error when as_of is before the
    /// period's start (rule 1).
    pub fn period_end(&self, period: &Period) -> Result<NaiveDate> {
        period.cut_end(self.as_of)
    }

    /// A context of `period` for the KPI families (and commission, which
    /// reads the period's order lines). Fails when as_of is before the
    /// period's start (rule 1).
    pub fn context(&self, period: &Period) -> Result<KpiContext<'_>> {
        KpiContext::new(
            self.data,
            period.clone(),
            self.as_of,
            &self.calendar,
            &self.settings,
            &self.shared,
        )
    }

    /// Every KPI table of SPEC section 7 for `period` (see
    /// [`compute_all`]), computed once.
    pub fn tables(&self, period: &Period) -> Result<Arc<Vec<KpiTable>>> {
        if let Some(t) = self.tables.borrow().get(period) {
            return Ok(Arc::clone(t));
        }
        let tables = Arc::new(compute_all(&self.context(period)?)?);
        self.tables
            .borrow_mut()
            .insert(period.clone(), Arc::clone(&tables));
        Ok(tables)
    }

    /// The scorecard of `period` at one grouping level, sorted by its key:
    /// read from the period's tables when they were computed, else computed
    /// alone (cheaper than every table).
    pub fn scorecard(&self, period: &Period, grouping: Grouping) -> Result<DataFrame> {
        if let Some(tables) = self.tables.borrow().get(period) {
            let name = table_of(grouping);
            if let Some(t) = tables.iter().find(|t| t.name == name) {
                return Ok(t.frame.clone());
            }
        }
        scorecard(&self.context(period)?, grouping)
    }

    /// The flags of every rule of `period` (SPEC section 9) with `detail`
    /// in `lang`, in the flags table's order, and the rules that could not
    /// be judged. The English table is also among [`Engine::tables`]; a
    /// report in Chinese asks for its sentences here.
    pub(crate) fn flags(
        &self,
        period: &Period,
        lang: crate::lang::Lang,
    ) -> Result<(DataFrame, Vec<super::flags::NotJudged>)> {
        let ctx = self.context(period)?;
        super::flags::flags(&ctx, &self.settings.flags, &super::flags::Rule::ALL, lang)
    }

    /// Each rep's gap to his team's standard in `period` (SPEC section 8,
    /// see `kpi::gap`), the reading in `lang`, from the period's rep and
    /// team scorecards.
    pub(crate) fn gap(&self, period: &Period, lang: crate::lang::Lang) -> Result<DataFrame> {
        let reps = self.scorecard(period, Grouping::Rep)?;
        let teams = self.scorecard(period, Grouping::Team)?;
        super::gap::gap_table(&reps, &teams, lang)
    }

    /// The customers lost in `period` (rule 7: last order + churn_days in
    /// `[start, PE]`): `customer_id`, `rep_id` credited, `last_order_date`.
    /// `None` without orders.
    pub fn lost_customers(&self, period: &Period) -> Result<Option<DataFrame>> {
        let ctx = self.context(period)?;
        customers::lost_customers_in_period(&ctx)
            .map(|lost| Ok(lost.collect()?))
            .transpose()
    }

    /// Overdue receivables at PE per customer and credited rep:
    /// `customer_id`, `rep_id`, `overdue` (cents), `max_days_past_due`,
    /// largest first. `None` without invoices or payments.
    pub fn overdue_by_customer(&self, period: &Period) -> Result<Option<DataFrame>> {
        receivables::overdue_by_customer(&self.context(period)?)
    }

    /// Live order lines dated in `[start, PE]` of `period`, with exact line
    /// money in cents (`line_amount`, `line_cost`, `line_list_amount`; SPEC
    /// section 2, rule 5): the facts commission details list. `None` without
    /// orders.
    pub fn order_lines_in(&self, period: &Period) -> Result<Option<LazyFrame>> {
        let ctx = self.context(period)?;
        Ok(sales::period_order_lines(&ctx))
    }

    /// Payments dated in `[start, PE]` of `period`, each credited to the rep
    /// of its invoice (SPEC section 2): `rep_id`, `payment_id`,
    /// `payment_date`, `amount` (cents; refunds negative). `None` without
    /// invoices or payments.
    pub fn payments_in(&self, period: &Period) -> Result<Option<LazyFrame>> {
        let ctx = self.context(period)?;
        Ok(receivables::attributed_payments(&ctx)
            .map(|payments| payments.filter(ctx.in_period(col("payment_date")))))
    }

    /// Sales, gross margin and collections per month of `months`
    /// (consecutive, oldest first) at one grouping level, in one plan: the
    /// values of each month's scorecard (see `kpi::trend`), kept.
    pub fn monthly_trend(&self, months: &[Period], grouping: Grouping) -> Result<DataFrame> {
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            return Ok(DataFrame::empty());
        };
        let key = (first.clone(), last.clone(), grouping);
        if let Some(df) = self.trends.borrow().get(&key) {
            return Ok(df.clone());
        }
        let df = trend::monthly_trend(&self.context(last)?, months, grouping)?;
        self.trends.borrow_mut().insert(key, df.clone());
        Ok(df)
    }

    /// Warnings recorded while computing `period`'s tables.
    pub fn warnings(&self, period: &Period) -> Vec<String> {
        self.shared.warnings_of(period)
    }

    /// Every warning recorded, each once.
    pub fn all_warnings(&self) -> Vec<String> {
        self.shared.all_warnings()
    }
}

/// The name of the KPI table holding a grouping's scorecard.
pub(crate) fn table_of(grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::Rep => "scorecard",
        Grouping::Team => "rollup_team",
        Grouping::Region => "rollup_region",
        Grouping::Company => "company",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::testing::{dataset, day, CUSTOMERS, REPS};

    const ORDERS: &str =
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price\n\
O1,1,2026-07-10,R1,C1,P1,1,10\n\
O2,1,2026-08-10,R1,C1,P1,2,10\n";

    #[test]
    fn a_period_is_computed_once_and_agrees_with_its_tables() {
        let data = dataset(&[("reps", REPS), ("customers", CUSTOMERS), ("orders", ORDERS)]);
        let engine = Engine::new(&data, day("2026-09-30"), Settings::default()).unwrap();
        let july = Period::parse("2026-07").unwrap();
        // Alone first, then through the full tables: the same frame.
        let alone = engine.scorecard(&july, Grouping::Company).unwrap();
        let tables = engine.tables(&july).unwrap();
        let again = engine.tables(&july).unwrap();
        assert!(Arc::ptr_eq(&tables, &again), "tables recomputed");
        let from_tables = engine.scorecard(&july, Grouping::Company).unwrap();
        assert!(alone.equals_missing(&from_tables));
        let sales = from_tables.column("sales_amount").unwrap().i64().unwrap();
        assert_eq!(sales.get(0), Some(1_000));
        // The shared facts serve every period: August sees its own order.
        let august = Period::parse("2026-08").unwrap();
        let rep = engine.scorecard(&august, Grouping::Rep).unwrap();
        let sales = rep.column("sales_amount").unwrap().i64().unwrap();
        assert_eq!(sales.get(0), Some(2_000));
    }

    #[test]
    fn an_as_of_before_the_period_is_refused() {
        let data = dataset(&[("reps", REPS)]);
        let engine = Engine::new(&data, day("2026-06-30"), Settings::default()).unwrap();
        let err = engine
            .tables(&Period::parse("2026-07").unwrap())
            .expect_err("refused")
            .to_string();
        assert!(err.contains("before the start"), "{err}");
    }
}
