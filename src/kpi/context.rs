//! What every KPI job needs: the data, the period and its as_of cut, the
//! calendar, the settings, and the rep → group mapping of a roll-up.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::kpi::date_lit;

use crate::ingest::Dataset;
use crate::period::{Period, WorkCalendar};
use crate::{Error, Result};

/// KPI settings from the pipeline config; defaults are in [`Settings::default`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Days without an order after which a customer counts as lost.
    pub churn_days: i64,
    /// Age in days of a customer's first order beyond which its sales are "legacy".
    pub legacy_days: i64,
    /// Ordered funnel stages.
    pub stages: Vec<String>,
    /// Default win probability per stage (used when the opportunity has none).
    pub stage_probabilities: BTreeMap<String, f64>,
    /// Maximum discount (fraction of list price) each role may grant.
    pub discount_authority: BTreeMap<String, f64>,
    /// Thresholds of the integrity flags. They are written in the config's
    /// own `[flags]` section, not in `[kpi]`; `Config::load` hands them
    /// over, so every KPI job of a run (the flags table, the scorecard's
    /// `flags_count`) reads the same thresholds.
    #[serde(skip)]
    pub(crate) flags: super::flags::FlagSettings,
}

impl Default for Settings {
    fn default() -> Self {
        let stages = [
            "lead",
            "contact",
            "needs_analysis",
            "demo",
            "negotiation",
            "won",
        ];
        let probs = [0.05, 0.10, 0.25, 0.40, 0.60, 1.0];
        Settings {
            churn_days: 90,
            legacy_days: 365,
            stages: stages.iter().map(|s| s.to_string()).collect(),
            stage_probabilities: stages
                .iter()
                .map(|s| s.to_string())
                .zip(probs)
                .chain([("lost".to_string(), 0.0)])
                .collect(),
            discount_authority: [("rep", 0.10), ("manager", 0.20), ("director", 0.30)]
                .iter()
                .map(|(r, a)| (r.to_string(), *a))
                .collect(),
            flags: super::flags::FlagSettings::default(),
        }
    }
}

/// The level a KPI table is computed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Grouping {
    /// One row per rep.
    Rep,
    /// One row per team.
    Team,
    /// One row per region.
    Region,
    /// One row for the whole company.
    Company,
}

impl Grouping {
    /// The group a row of the reps table belongs to at this level: its
    /// rep_id, team, region, or `company` for everyone.
    pub fn group_of_rep(self) -> Expr {
        match self {
            Grouping::Rep => col("rep_id"),
            Grouping::Team => col("team"),
            Grouping::Region => col("region"),
            Grouping::Company => lit("company"),
        }
    }

    /// Name of the key column in the output.
    pub fn key(self) -> &'static str {
        match self {
            Grouping::Rep => "rep_id",
            Grouping::Team => "team",
            Grouping::Region => "region",
            Grouping::Company => "scope",
        }
    }
}

/// Name of the group column every family aggregates by.
pub(crate) const GROUP: &str = "__group";

/// Longest warning kept, in characters: values quoted from the data are
/// cut (a 100 kB stage name is not echoed into every log line).
pub(crate) const WARNING_LIMIT: usize = 1000;

/// What every context of one [`Engine`](super::engine::Engine) shares: the
/// facts that depend only on the data and as_of (order heads, attributed
/// invoices and payments, first orders), computed once, and the
/// warnings recorded for each period.
#[derive(Default)]
pub(crate) struct Shared {
    facts: RefCell<BTreeMap<&'static str, DataFrame>>,
    /// Per period, the intermediate frames of that period (receivables at
    /// PE, last orders, targets), shared by every context of the period.
    memos: RefCell<BTreeMap<Period, Memo>>,
    warnings: RefCell<BTreeMap<Period, Vec<String>>>,
}

/// Collected intermediate frames by name.
type Memo = Rc<RefCell<BTreeMap<&'static str, DataFrame>>>;

impl Shared {
    /// Warnings recorded for `period`, in order.
    pub(crate) fn warnings_of(&self, period: &Period) -> Vec<String> {
        self.warnings
            .borrow()
            .get(period)
            .cloned()
            .unwrap_or_default()
    }

    /// Every warning recorded, period by period, each once.
    pub(crate) fn all_warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in self.warnings.borrow().values().flatten() {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        out
    }
}

/// Inputs of one KPI computation: one period of an engine.
pub struct KpiContext<'a> {
    /// Validated input tables.
    pub data: &'a Dataset,
    /// The period computed.
    pub period: Period,
    /// Last day of data included.
    pub as_of: NaiveDate,
    /// `min(period end, as_of)` (rule 1).
    pub pe: NaiveDate,
    /// Workday calendar.
    pub calendar: &'a WorkCalendar,
    /// KPI settings.
    pub settings: &'a Settings,
    shared: &'a Shared,
    memo: Memo,
}

/// Collects `plan` into `memo` under `key` on `engine`, or returns the
/// collected frame already there. Should collecting fail, the lazy plan is
/// returned as it is, so the error surfaces where the final plan runs.
fn memoized(
    memo: &RefCell<BTreeMap<&'static str, DataFrame>>,
    key: &'static str,
    engine: Engine,
    build: impl FnOnce() -> LazyFrame,
) -> LazyFrame {
    if let Some(df) = memo.borrow().get(key) {
        return df.clone().lazy();
    }
    let plan = build();
    let collected = match engine {
        Engine::Streaming => collect_streaming(plan.clone()),
        _ => plan.clone().collect(),
    };
    match collected {
        Ok(df) => {
            memo.borrow_mut().insert(key, df.clone());
            df.lazy()
        }
        Err(_) => plan,
    }
}

/// `plan` collected on polars' streaming engine (one output).
pub(crate) fn collect_streaming(plan: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(plan.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

impl<'a> KpiContext<'a> {
    /// A context of `period` over an engine's data, calendar, settings and
    /// shared facts; fails when as_of is before the period start (rule 1).
    pub(crate) fn new(
        data: &'a Dataset,
        period: Period,
        as_of: NaiveDate,
        calendar: &'a WorkCalendar,
        settings: &'a Settings,
        shared: &'a Shared,
    ) -> Result<Self> {
        let pe = period.cut_end(as_of)?;
        Ok(KpiContext {
            data,
            as_of,
            pe,
            calendar,
            settings,
            memo: Rc::clone(shared.memos.borrow_mut().entry(period.clone()).or_default()),
            period,
            shared,
        })
    }

    /// Records a warning of this period once (cut after [`WARNING_LIMIT`]
    /// characters).
    pub fn warn(&self, message: impl Into<String>) {
        // A warning quoting data (a stage, a name) stays readable in a log.
        let m = crate::ingest::clip(&message.into(), WARNING_LIMIT);
        let mut all = self.shared.warnings.borrow_mut();
        let w = all.entry(self.period.clone()).or_default();
        if !w.contains(&m) {
            w.push(m);
        }
    }

    /// Warnings recorded for this period so far (by any context of it).
    pub fn warnings(&self) -> Vec<String> {
        self.shared.warnings_of(&self.period)
    }

    /// An intermediate frame of this period that does not depend on the
    /// grouping (receivables at PE, last orders, the period's targets),
    /// computed once per period and reused by every roll-up and every
    /// context of the period.
    pub fn memo(&self, key: &'static str, build: impl FnOnce() -> LazyFrame) -> LazyFrame {
        memoized(&self.memo, key, Engine::InMemory, build)
    }

    /// [`Self::memo`], collected on polars' streaming engine: for a plan
    /// that joins or groups whole-history tables down to a small frame,
    /// which the in-memory engine runs holding every input row and every
    /// hash table at once (at scale 300 the invoice balances took 5.2 s and
    /// 1.5 GB more memory that way, against 2.4–2.8 s and 0.5 GB).
    pub fn memo_streaming(
        &self,
        key: &'static str,
        build: impl FnOnce() -> LazyFrame,
    ) -> LazyFrame {
        memoized(&self.memo, key, Engine::Streaming, build)
    }

    /// Whether the period's intermediate frame `key` is computed already
    /// (checks that read it need to run once per period, not per roll-up).
    pub(crate) fn has_memo(&self, key: &'static str) -> bool {
        self.memo.borrow().contains_key(key)
    }

    /// A fact that depends only on the data and as_of, never on the period
    /// (order heads, attributed invoices and payments, first orders):
    /// computed once per engine and shared by every period's context.
    pub fn fact(&self, key: &'static str, build: impl FnOnce() -> LazyFrame) -> LazyFrame {
        memoized(&self.shared.facts, key, Engine::InMemory, build)
    }

    /// [`Self::fact`], collected on polars' streaming engine (see
    /// [`Self::memo_streaming`]).
    pub fn fact_streaming(
        &self,
        key: &'static str,
        build: impl FnOnce() -> LazyFrame,
    ) -> LazyFrame {
        memoized(&self.shared.facts, key, Engine::Streaming, build)
    }

    /// A table, or `None` with one warning naming it when absent.
    pub fn table(&self, name: &str, used_for: &str) -> Option<LazyFrame> {
        let lf = self.data.lazy(name);
        if lf.is_none() {
            self.warn(format!("{name}: table absent, so {used_for} are null"));
        }
        lf
    }

    /// The reps table (always present after ingest).
    pub fn reps(&self) -> Result<LazyFrame> {
        self.data
            .lazy("reps")
            .ok_or_else(|| Error::Internal("the reps table, required by ingest, is missing".into()))
    }

    /// `rep_id → __group` for a grouping, over every rep in `reps` (rule 11).
    pub fn rep_groups(&self, grouping: Grouping) -> Result<LazyFrame> {
        Ok(self
            .reps()?
            .select([col("rep_id"), grouping.group_of_rep().alias(GROUP)]))
    }

    /// Filter: a date column within `[start, PE]`.
    pub fn in_period(&self, date: Expr) -> Expr {
        date.clone()
            .gt_eq(date_lit(self.period.start))
            .and(date.lt_eq(date_lit(self.pe)))
    }

    /// Calendar workdays of the period in `[start, PE]` (rule 2).
    pub fn elapsed_workdays(&self) -> i64 {
        self.calendar.workdays(self.period.start, self.pe)
    }

    /// Calendar workdays of the nominal period (rule 2).
    pub fn total_workdays(&self) -> i64 {
        self.calendar.workdays(self.period.start, self.period.end)
    }
}

pub(crate) fn load_calendar(data: &Dataset) -> Result<WorkCalendar> {
    let Some(df) = data.frame("calendar")? else {
        return Ok(WorkCalendar::default());
    };
    let dates = df.column("date")?.date()?.clone();
    let flags = df.column("is_workday")?.bool()?.clone();
    let overrides = dates
        .as_date_iter()
        .zip(flags.iter())
        .filter_map(|(d, w)| Some((d?, w?)))
        .collect();
    Ok(WorkCalendar::new(overrides))
}

/// Grouping rows that carry a `rep_id` by the group of their rep.
pub(crate) trait GroupByRep {
    /// Inner join on `rep_id` with a `rep_id → __group` frame (from
    /// [`KpiContext::rep_groups`]), then group by `__group`; rows of reps
    /// unknown to `reps` fall out here, as validation already refused them.
    fn join_groups(self, groups: LazyFrame) -> LazyGroupBy;
}

impl GroupByRep for LazyFrame {
    fn join_groups(self, groups: LazyFrame) -> LazyGroupBy {
        self.join(
            groups,
            [col("rep_id")],
            [col("rep_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(GROUP)])
    }
}
