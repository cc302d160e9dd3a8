//! Process integrity flags (SPEC section 9): rows of evidence that a
//! number may hide a habit — visit reports made up to fill the form, a
//! pipeline of deals that should have closed long ago.
//!
//! Each rule is a polars plan over the validated tables of the period
//! `[start, PE]` and gives rows of the `flags` table ([`FLAG_COLUMNS`]):
//! `period, rule, rep_id, customer_id, evidence, amount, detail`, credited
//! to the rep named by the rule; `evidence` is the ids of the rows that
//! prove it (`;`-separated, in each rule's order), `amount` the money at
//! stake in cents
//! (null where there is none), `detail` one plain sentence in the
//! reader's language ([`Lang`]: English in the table, the report's in a
//! report).
//! Thresholds are [`FlagSettings`] (`[flags]` of the pipeline config).
//!
//! One file per kind of evidence: `visits` (duplicate_visit_time,
//! overlapping_visits, too_many_visits_per_day), `orders`
//! (period_end_stuffing, orders_while_overdue), `pipeline`
//! (stale_opportunity) and `lines` (discount_violation, cross_region_line).
//! A rule that cannot be judged (its table absent, or period_end_stuffing
//! before its return window has passed as_of) gives no rows and is named
//! with the reason, never shown as "no flag".

mod lines;
mod orders;
mod pipeline;
mod settings;
#[cfg(test)]
mod testkit;
mod visits;

use chrono::NaiveDate;
use polars::prelude::*;

use super::context::KpiContext;
use super::tables::KpiTable;
use crate::column_type::ColumnType;
use crate::lang::Lang;
use crate::Result;
use orders::StuffingWindows;
pub(crate) use settings::FlagSettings;

/// A rule of SPEC section 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub(crate) enum Rule {
    /// Two or more visits starting in the same minute at different customers.
    DuplicateVisitTime,
    /// A visit starting before the end of the previous one (beyond the tolerance).
    OverlappingVisits,
    /// More visits on one day than `max_visits_per_day`.
    TooManyVisitsPerDay,
    /// Sales pushed in the last workdays and returned just after.
    PeriodEndStuffing,
    /// Orders for a customer with an invoice long overdue and still open.
    OrdersWhileOverdue,
    /// An open opportunity whose close_date passed more than `stale_days` ago.
    StaleOpportunity,
    /// A line beyond the rep's discount authority.
    DiscountViolation,
    /// A line shipped outside the rep's region.
    CrossRegionLine,
}

impl Rule {
    /// Every rule, in the table's order.
    pub(crate) const ALL: [Rule; 8] = [
        Rule::DuplicateVisitTime,
        Rule::OverlappingVisits,
        Rule::TooManyVisitsPerDay,
        Rule::PeriodEndStuffing,
        Rule::OrdersWhileOverdue,
        Rule::StaleOpportunity,
        Rule::DiscountViolation,
        Rule::CrossRegionLine,
    ];

    /// The rule's name in the `rule` column.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Rule::DuplicateVisitTime => "duplicate_visit_time",
            Rule::OverlappingVisits => "overlapping_visits",
            Rule::TooManyVisitsPerDay => "too_many_visits_per_day",
            Rule::PeriodEndStuffing => "period_end_stuffing",
            Rule::OrdersWhileOverdue => "orders_while_overdue",
            Rule::StaleOpportunity => "stale_opportunity",
            Rule::DiscountViolation => "discount_violation",
            Rule::CrossRegionLine => "cross_region_line",
        }
    }

    /// The table the rule reads.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Rule::DuplicateVisitTime | Rule::OverlappingVisits | Rule::TooManyVisitsPerDay => {
                "visits"
            }
            Rule::StaleOpportunity => "opportunities",
            Rule::OrdersWhileOverdue => "orders or invoices",
            Rule::PeriodEndStuffing | Rule::DiscountViolation | Rule::CrossRegionLine => "orders",
        }
    }
}

/// Why a rule gave no rows: it could not be judged for the period, which is
/// said, never shown as "no flag".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotJudged {
    /// The table the rule reads is absent from the data.
    TableAbsent(Rule),
    /// `period_end_stuffing` before its return window, which runs through
    /// `until`, has passed `as_of`.
    Pending {
        /// The rule.
        rule: Rule,
        /// The last day of the return window.
        until: NaiveDate,
        /// The run's as_of.
        as_of: NaiveDate,
    },
}

impl NotJudged {
    /// The rule that was not judged.
    pub(crate) fn rule(&self) -> Rule {
        match self {
            NotJudged::TableAbsent(rule) | NotJudged::Pending { rule, .. } => *rule,
        }
    }
}

impl std::fmt::Display for NotJudged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotJudged::TableAbsent(rule) => {
                write!(f, "{}: the {} table is absent", rule.name(), rule.source())
            }
            NotJudged::Pending { rule, until, as_of } => write!(
                f,
                "{}: not judged yet: returns are looked for through {until}, after as_of {as_of}",
                rule.name()
            ),
        }
    }
}

/// The columns of the `flags` table and their types (amount in cents).
pub(crate) const FLAG_COLUMNS: [(&str, ColumnType); 7] = [
    ("period", ColumnType::Text),
    ("rule", ColumnType::Text),
    ("rep_id", ColumnType::Text),
    ("customer_id", ColumnType::Text),
    ("evidence", ColumnType::Text),
    ("amount", ColumnType::Money),
    ("detail", ColumnType::Text),
];

/// The ids of a group's rows, sorted and `;`-separated.
fn evidence_of(id: &str) -> Expr {
    col(id)
        .sort(SortOptions::default())
        .str()
        .join(";", true)
        .alias("evidence")
}

/// The flags table's columns from a frame holding `rep_id`, `customer_id`,
/// `evidence`, `amount` and `detail`.
fn as_flags(frame: LazyFrame, ctx: &KpiContext, rule: Rule) -> LazyFrame {
    frame.select([
        lit(ctx.period.to_string()).alias("period"),
        lit(rule.name()).alias("rule"),
        col("rep_id"),
        col("customer_id").cast(DataType::String),
        col("evidence"),
        col("amount").cast(DataType::Int64),
        col("detail"),
    ])
}

/// `e` as text, for a sentence.
fn text(e: Expr) -> Expr {
    e.cast(DataType::String)
}

/// The `detail` column: the parts joined into one sentence.
fn sentence(parts: impl IntoIterator<Item = Expr>) -> Expr {
    concat_str(parts.into_iter().collect::<Vec<_>>(), "", false).alias("detail")
}

/// The words of a sentence in the reader's language.
fn say(lang: Lang, en: &str, zh: &str) -> Expr {
    lit(match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    })
}

/// Cents as `1234.56` (no grouping, `-` before a negative amount).
fn money_text(cents: Expr) -> Expr {
    let abs = cents.clone().abs();
    concat_str(
        [
            when(cents.lt(lit(0i64))).then(lit("-")).otherwise(lit("")),
            text(abs.clone().floor_div(lit(100i64))),
            lit("."),
            text(abs % lit(100i64)).str().zfill(lit(2)),
        ],
        "",
        false,
    )
}

/// `part / whole` as a whole percent, rounded half away from zero (`57%`).
fn pct_text(part: Expr, whole: Expr) -> Expr {
    let share = part.cast(DataType::Float64) / whole.cast(DataType::Float64) * lit(100.0);
    concat_str(
        [
            text(
                share
                    .round(0, RoundMode::HalfAwayFromZero)
                    .cast(DataType::Int64),
            ),
            lit("%"),
        ],
        "",
        false,
    )
}

/// A null of `dtype` named `name` (no single customer, no money at stake).
fn none(name: &str, dtype: DataType) -> Expr {
    lit(NULL).cast(dtype).alias(name)
}

/// The plan of one rule, or why it cannot be judged: its table is absent,
/// or (period_end_stuffing) its return window has not passed as_of.
fn rule_plan(
    ctx: &KpiContext,
    settings: &FlagSettings,
    rule: Rule,
    lang: Lang,
) -> Result<std::result::Result<LazyFrame, NotJudged>> {
    let plan = match rule {
        Rule::DuplicateVisitTime => visits::duplicate_visit_time(ctx, lang),
        Rule::OverlappingVisits => visits::overlapping_visits(ctx, settings, lang)?,
        Rule::TooManyVisitsPerDay => visits::too_many_visits_per_day(ctx, settings, lang),
        Rule::PeriodEndStuffing => {
            let windows = StuffingWindows::of(ctx, settings);
            if windows.returns_to > ctx.as_of {
                return Ok(Err(NotJudged::Pending {
                    rule,
                    until: windows.returns_to,
                    as_of: ctx.as_of,
                }));
            }
            orders::period_end_stuffing(ctx, settings, &windows, lang)
        }
        Rule::OrdersWhileOverdue => orders::orders_while_overdue(ctx, settings, lang),
        Rule::StaleOpportunity => pipeline::stale_opportunity(ctx, settings, lang),
        Rule::DiscountViolation => lines::discount_violation(ctx, lang)?,
        Rule::CrossRegionLine => lines::cross_region_line(ctx, lang)?,
    };
    Ok(plan.ok_or(NotJudged::TableAbsent(rule)))
}

/// The plan of the flags of `rules` (`detail` in `lang`), sorted by rule
/// (in declaration order, as [`Rule::ALL`] lists them), rep_id, evidence;
/// `None` when no rule can be judged. With the rules that could not be
/// judged and why, so a caller never shows a missing rule as clean.
fn flag_plan(
    ctx: &KpiContext,
    settings: &FlagSettings,
    rules: &[Rule],
    lang: Lang,
) -> Result<(Option<LazyFrame>, Vec<NotJudged>)> {
    let mut plans = Vec::new();
    let mut missing = Vec::new();
    for &rule in rules {
        match rule_plan(ctx, settings, rule, lang)? {
            Ok(plan) => plans.push(plan.with_column(lit(rule as u32).alias("__order"))),
            Err(why) => missing.push(why),
        }
    }
    if plans.is_empty() {
        return Ok((None, missing));
    }
    let plan = concat(plans, UnionArgs::default())?
        .sort(
            ["__order", "rep_id", "evidence"],
            SortMultipleOptions::default(),
        )
        .drop(cols(["__order"]));
    Ok((Some(plan), missing))
}

/// The `flags` table of the context's period for `rules` with the
/// thresholds `settings`, `detail` in `lang` (see [`flag_plan`] for the
/// order and the rules not judged).
pub(crate) fn flags(
    ctx: &KpiContext,
    settings: &FlagSettings,
    rules: &[Rule],
    lang: Lang,
) -> Result<(DataFrame, Vec<NotJudged>)> {
    let (plan, missing) = flag_plan(ctx, settings, rules, lang)?;
    let frame = match plan {
        Some(plan) => plan.collect()?,
        None => empty_flags()?,
    };
    Ok((frame, missing))
}

/// Every rule's flags of the period, `detail` in English, with the
/// thresholds of the settings (`[flags]`): computed once per period and
/// shared by the `flags` table and the scorecard's `flags_count`. The rules
/// that could not be judged are one warning of the period (so they reach the
/// manifest); `None` when no rule could be.
pub(crate) fn period_flags(ctx: &KpiContext) -> Result<Option<LazyFrame>> {
    let (plan, missing) = flag_plan(ctx, &ctx.settings.flags, &Rule::ALL, Lang::En)?;
    if !missing.is_empty() {
        let rules: Vec<String> = missing.iter().map(ToString::to_string).collect();
        ctx.warn(format!(
            "flags: not judged, so absent from the flags table and flags_count: {}",
            rules.join("; ")
        ));
    }
    Ok(plan.map(|p| ctx.memo("flags", || p)))
}

/// The `flags` output table of the period ([`period_flags`]), as `kpi` and
/// the nightly run write it beside the KPI tables.
pub(crate) fn flags_table(ctx: &KpiContext) -> Result<KpiTable> {
    let frame = match period_flags(ctx)? {
        Some(plan) => plan.collect()?,
        None => empty_flags()?,
    };
    Ok(KpiTable {
        name: "flags",
        frame,
        types: FLAG_COLUMNS
            .iter()
            .map(|(c, t)| (c.to_string(), *t))
            .collect(),
    })
}

/// A flags table without rows, with the table's column types.
fn empty_flags() -> Result<DataFrame> {
    let columns = FLAG_COLUMNS
        .iter()
        .map(|(name, kind)| {
            let dtype = match kind {
                ColumnType::Money => DataType::Int64,
                _ => DataType::String,
            };
            Column::full_null((*name).into(), 0, &dtype)
        })
        .collect();
    Ok(DataFrame::new(0, columns)?)
}
