//! Process integrity flags (SPEC section 9): rows of evidence that a
//! number may hide a habit — visit reports made up to fill the form, a
//! pipeline of deals that should have closed long ago.
//!
//! Each rule is a polars plan over the validated tables of the period
//! `[start, PE]` and gives rows of the `flags` table ([`FLAG_COLUMNS`]):
//! `period, rule, rep_id, customer_id, evidence, amount, detail`, credited
//! to the rep named by the rule; `evidence` is the ids of the rows that
//! prove it (`;`-separated, sorted), `amount` the money at stake in cents
//! (null where there is none), `detail` one plain English sentence.
//! Thresholds are [`FlagSettings`] (`[flags]` of the pipeline config).
//!
//! Computed here: `duplicate_visit_time`, `overlapping_visits`,
//! `too_many_visits_per_day`, `orders_while_overdue` and
//! `stale_opportunity`. Not yet computed (absent, never reported as "no
//! flag"): `period_end_stuffing` and the evidence rows of
//! `discount_violation` and `cross_region_line` ([`Rule::is_computed`]).

use chrono::Duration;
use polars::prelude::*;

use super::context::KpiContext;
use super::opportunities::open_at_pe;
use super::sales::{order_heads, order_lines};
use super::tables::KpiTable;
use crate::column_type::ColumnType;
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

impl FlagSettings {
    /// Refuses thresholds that cannot mean anything (a usage error naming
    /// the key): negative days or minutes, no visit allowed per day, shares
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
    /// Sales pushed in the last workdays and returned just after (not yet computed).
    PeriodEndStuffing,
    /// Orders for a customer with an invoice long overdue and still open.
    OrdersWhileOverdue,
    /// An open opportunity whose close_date passed more than `stale_days` ago.
    StaleOpportunity,
    /// Lines beyond the rep's discount authority (not yet computed as rows).
    DiscountViolation,
    /// Lines shipped outside the customer's region (not yet computed as rows).
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

    /// Whether salesops computes the rule yet; a rule that is not computed
    /// is said to be missing, never shown as "no flags".
    pub(crate) fn is_computed(self) -> bool {
        matches!(
            self,
            Rule::DuplicateVisitTime
                | Rule::OverlappingVisits
                | Rule::TooManyVisitsPerDay
                | Rule::OrdersWhileOverdue
                | Rule::StaleOpportunity
        )
    }

    /// The table the rule reads.
    fn source(self) -> &'static str {
        match self {
            Rule::StaleOpportunity => "opportunities",
            Rule::OrdersWhileOverdue => "orders or invoices",
            _ => "visits",
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

const MS_PER_MINUTE: i64 = 60_000;

/// The period's visits (`visit_start` date in `[start, PE]`) with
/// `__start_ms` (epoch milliseconds of the wall-clock start), `__day` and
/// `__minute`; `None` without a visits table.
fn visits_in_period(ctx: &KpiContext) -> Option<LazyFrame> {
    let visits = ctx.table("visits", "integrity flags")?;
    let start_ms = col("visit_start")
        .dt()
        .timestamp(TimeUnit::Milliseconds)
        .alias("__start_ms");
    Some(
        visits
            .filter(ctx.in_period(col("visit_start").cast(DataType::Date)))
            .with_columns([
                start_ms,
                col("visit_start").cast(DataType::Date).alias("__day"),
            ])
            .with_column(
                col("__start_ms")
                    .floor_div(lit(MS_PER_MINUTE))
                    .alias("__minute"),
            ),
    )
}

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

/// `text(expr)` as String for a sentence.
fn text(e: Expr) -> Expr {
    e.cast(DataType::String)
}

/// The `detail` column: the parts joined into one sentence.
fn sentence<const N: usize>(parts: [Expr; N]) -> Expr {
    concat_str(parts, "", false).alias("detail")
}

/// A null of `dtype` named `name` (no single customer, no money at stake).
fn none(name: &str, dtype: DataType) -> Expr {
    lit(NULL).cast(dtype).alias(name)
}

/// `duplicate_visit_time`: per rep and start minute, two or more visits at
/// different customers (a rep is at one place at a time). Evidence: every
/// visit of that minute; customer_id null (several); amount null.
fn duplicate_visit_time(ctx: &KpiContext) -> Option<LazyFrame> {
    let visits = visits_in_period(ctx)?;
    let flagged = visits
        .group_by([col("rep_id"), col("__minute")])
        .agg([
            col("customer_id").n_unique().alias("__customers"),
            len().alias("__visits"),
            col("visit_start").min().alias("__at"),
            evidence_of("visit_id"),
        ])
        .filter(col("__customers").gt_eq(lit(2)))
        .with_columns([
            none("customer_id", DataType::String),
            none("amount", DataType::Int64),
            sentence([
                text(col("__visits")),
                lit(" visits at "),
                text(col("__customers")),
                lit(" different customers start in the same minute, "),
                col("__at").dt().strftime("%Y-%m-%d %H:%M"),
            ]),
        ]);
    Some(as_flags(flagged, ctx, Rule::DuplicateVisitTime))
}

/// `overlapping_visits`: a visit that starts more than
/// `overlap_tolerance_minutes` before the end (start + duration_minutes) of
/// the same rep's previous visit that day (previous in start order, then
/// visit_id). A previous visit without a duration has no end and flags
/// nothing. Evidence: the previous and the later visit; customer_id the
/// later visit's; amount null.
fn overlapping_visits(ctx: &KpiContext, settings: &FlagSettings) -> Option<LazyFrame> {
    let visits = visits_in_period(ctx)?;
    let prev = |c: &str| col(c).shift(lit(1)).alias(format!("__prev_{c}"));
    let overlap_ms = col("__prev___start_ms")
        + col("__prev_duration_minutes").cast(DataType::Int64) * lit(MS_PER_MINUTE)
        - col("__start_ms");
    let flagged = visits
        .sort(
            ["rep_id", "__start_ms", "visit_id"],
            SortMultipleOptions::default(),
        )
        .with_columns([
            prev("rep_id"),
            prev("__day"),
            prev("__start_ms"),
            prev("duration_minutes"),
            prev("visit_id"),
        ])
        .filter(
            col("__prev_rep_id")
                .eq(col("rep_id"))
                .and(col("__prev___day").eq(col("__day")))
                .and(
                    overlap_ms
                        .clone()
                        .gt(lit(settings.overlap_tolerance_minutes * MS_PER_MINUTE)),
                )
                .fill_null(lit(false)),
        )
        .with_columns([
            concat_str([col("__prev_visit_id"), col("visit_id")], ";", false).alias("evidence"),
            none("amount", DataType::Int64),
            sentence([
                lit("visit "),
                col("visit_id"),
                lit(" starts at "),
                col("visit_start").dt().strftime("%Y-%m-%d %H:%M"),
                lit(", "),
                text(overlap_ms.floor_div(lit(MS_PER_MINUTE))),
                lit(" minutes before visit "),
                col("__prev_visit_id"),
                lit(" ends"),
            ]),
        ]);
    Some(as_flags(flagged, ctx, Rule::OverlappingVisits))
}

/// `too_many_visits_per_day`: a rep's visits on one day exceed
/// `max_visits_per_day` (exactly the maximum is not flagged). Evidence: the
/// day's visits; customer_id null; amount null.
fn too_many_visits_per_day(ctx: &KpiContext, settings: &FlagSettings) -> Option<LazyFrame> {
    let visits = visits_in_period(ctx)?;
    let flagged = visits
        .group_by([col("rep_id"), col("__day")])
        .agg([len().alias("__visits"), evidence_of("visit_id")])
        .filter(col("__visits").gt(lit(settings.max_visits_per_day)))
        .with_columns([
            none("customer_id", DataType::String),
            none("amount", DataType::Int64),
            sentence([
                text(col("__visits")),
                lit(" visits on "),
                text(col("__day")),
                lit(format!(" (more than {})", settings.max_visits_per_day)),
            ]),
        ]);
    Some(as_flags(flagged, ctx, Rule::TooManyVisitsPerDay))
}

/// `stale_opportunity`: an opportunity open at PE (the pipeline's open set)
/// whose close_date is more than `stale_days` before PE. Evidence: its id;
/// amount: its amount (cents); credited to its rep.
fn stale_opportunity(ctx: &KpiContext, settings: &FlagSettings) -> Option<LazyFrame> {
    let open = open_at_pe(ctx)?;
    let cutoff = ctx.pe - Duration::days(settings.stale_days);
    let days_late = lit(days_since_epoch(ctx.pe)) - days("close_date");
    let flagged = open
        .filter(col("close_date").lt(lit(cutoff)).fill_null(lit(false)))
        .with_columns([
            col("opportunity_id").alias("evidence"),
            col("amount").alias("amount"),
            sentence([
                lit("open at "),
                lit(ctx.pe.to_string()),
                lit(" in stage "),
                col("stage"),
                lit(", expected to close "),
                text(col("close_date")),
                lit(" ("),
                text(days_late),
                lit(" days earlier)"),
            ]),
        ]);
    Some(as_flags(flagged, ctx, Rule::StaleOpportunity))
}

/// Days since 1970-01-01 of a Date column, as Int64 (for day arithmetic).
fn days(c: &str) -> Expr {
    col(c).cast(DataType::Int32).cast(DataType::Int64)
}

/// Days since 1970-01-01 of a date, the integer [`days`] gives for a column.
fn days_since_epoch(d: chrono::NaiveDate) -> i64 {
    (d - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days()
}

/// `orders_while_overdue`: a live order with positive sales (not a return)
/// dated in `[start, PE]` for a
/// customer who, on the order date, has an invoice (dated by then) more than
/// `overdue_days` past its due_date whose amount is not covered by the
/// payments dated on or before the order date. Credited to the order's rep
/// (its first line's); evidence: the order id, then the overdue invoice ids;
/// amount: the order's sales (Σ line_amount, cents). Without a payments
/// table every invoice counts as unpaid.
fn orders_while_overdue(ctx: &KpiContext, settings: &FlagSettings) -> Option<LazyFrame> {
    let lines = order_lines(ctx)?;
    let invoices = ctx.table("invoices", "integrity flags")?;
    // The order's date, rep and customer are its head's (rule 4), its
    // sales the sum of its live lines.
    let sales = lines
        .clone()
        .group_by([col("order_id")])
        .agg([col("line_amount").sum().alias("__sales")]);
    let orders = order_heads(ctx, lines)
        .filter(ctx.in_period(col("order_date")))
        .join(
            sales,
            [col("order_id")],
            [col("order_id")],
            JoinArgs::new(JoinType::Inner),
        )
        // Goods going out: an order that only takes goods back (a return)
        // gives a debtor nothing more.
        .filter(col("__sales").gt(lit(0i64)));
    let pairs = orders
        .join(
            invoices.select([
                col("invoice_id"),
                col("customer_id"),
                col("invoice_date"),
                col("due_date"),
                col("amount").alias("__invoiced"),
            ]),
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("invoice_date")
                .lt_eq(col("order_date"))
                .and((days("order_date") - days("due_date")).gt(lit(settings.overdue_days))),
        );
    let with_paid = match ctx.table("payments", "integrity flags") {
        Some(payments) => {
            let paid = pairs
                .clone()
                .select([col("order_id"), col("invoice_id"), col("order_date")])
                .join(
                    payments.select([
                        col("invoice_id"),
                        col("payment_date"),
                        col("amount").alias("__paid"),
                    ]),
                    [col("invoice_id")],
                    [col("invoice_id")],
                    JoinArgs::new(JoinType::Inner),
                )
                .filter(col("payment_date").lt_eq(col("order_date")))
                .group_by([col("order_id"), col("invoice_id")])
                .agg([col("__paid").sum()]);
            pairs.join(
                paid,
                [col("order_id"), col("invoice_id")],
                [col("order_id"), col("invoice_id")],
                JoinArgs::new(JoinType::Left),
            )
        }
        None => pairs.with_column(lit(NULL).cast(DataType::Int64).alias("__paid")),
    };
    let flagged = with_paid
        .filter((col("__invoiced") - col("__paid").fill_null(lit(0i64))).gt(lit(0i64)))
        .group_by([col("order_id")])
        .agg([
            col("order_date").first(),
            col("rep_id").first(),
            col("customer_id").first(),
            col("__sales").first(),
            col("invoice_id")
                .sort(SortOptions::default())
                .str()
                .join(";", true)
                .alias("__invoices"),
        ])
        .with_columns([
            concat_str([col("order_id"), col("__invoices")], ";", false).alias("evidence"),
            col("__sales").alias("amount"),
            sentence([
                lit("order "),
                col("order_id"),
                lit(" on "),
                text(col("order_date")),
                lit(" while invoice(s) "),
                col("__invoices"),
                lit(format!(
                    " were more than {} days past due and still open",
                    settings.overdue_days
                )),
            ]),
        ]);
    Some(as_flags(flagged, ctx, Rule::OrdersWhileOverdue))
}

/// The plan of one computed rule; `None` when its table is absent (or the
/// rule is not computed yet).
fn rule_plan(ctx: &KpiContext, settings: &FlagSettings, rule: Rule) -> Option<LazyFrame> {
    match rule {
        Rule::DuplicateVisitTime => duplicate_visit_time(ctx),
        Rule::OverlappingVisits => overlapping_visits(ctx, settings),
        Rule::TooManyVisitsPerDay => too_many_visits_per_day(ctx, settings),
        Rule::StaleOpportunity => stale_opportunity(ctx, settings),
        Rule::OrdersWhileOverdue => orders_while_overdue(ctx, settings),
        Rule::PeriodEndStuffing | Rule::DiscountViolation | Rule::CrossRegionLine => None,
    }
}

/// The `flags` table of the context's period for `rules`, sorted by rule
/// (in declaration order, as [`Rule::ALL`] lists them), rep_id, evidence; with the rules that could not
/// be judged and why (not computed yet, or their table absent), so a caller
/// never shows a missing rule as clean.
pub(crate) fn flags(
    ctx: &KpiContext,
    settings: &FlagSettings,
    rules: &[Rule],
) -> Result<(DataFrame, Vec<String>)> {
    let mut plans = Vec::new();
    let mut missing = Vec::new();
    for &rule in rules {
        if !rule.is_computed() {
            missing.push(format!(
                "{}: not computed by this version of salesops",
                rule.name()
            ));
            continue;
        }
        match rule_plan(ctx, settings, rule) {
            Some(plan) => plans.push(plan.with_column(lit(rule as u32).alias("__order"))),
            None => missing.push(format!(
                "{}: the {} table is absent",
                rule.name(),
                rule.source()
            )),
        }
    }
    let frame = if plans.is_empty() {
        empty_flags()?
    } else {
        concat(plans, UnionArgs::default())?
            .sort(
                ["__order", "rep_id", "evidence"],
                SortMultipleOptions::default(),
            )
            .drop(cols(["__order"]))
            .collect()?
    };
    Ok((frame, missing))
}

/// The `flags` output table of every rule, as `kpi` and the nightly run
/// write it beside the KPI tables; each rule that could not be judged is a
/// warning of the period (so it reaches the manifest).
pub(crate) fn flags_table(ctx: &KpiContext, settings: &FlagSettings) -> Result<KpiTable> {
    let (frame, missing) = flags(ctx, settings, &Rule::ALL)?;
    for rule in missing {
        ctx.warn(format!(
            "flags: not judged, so absent from the flags table: {rule}"
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::testing::{context, dataset, texts, CUSTOMERS, REPS};

    fn run(visits: &str, opps: Option<&str>, rules: &[Rule]) -> DataFrame {
        let mut tables = vec![("reps", REPS), ("customers", CUSTOMERS), ("visits", visits)];
        if let Some(o) = opps {
            tables.push(("opportunities", o));
        }
        let data = dataset(&tables);
        let ctx = context(&data, "2026-10", "2026-10-31");
        flags(&ctx, &FlagSettings::default(), rules).unwrap().0
    }

    fn rows(df: &DataFrame) -> Vec<(String, String, String)> {
        let rule = texts(df, "rule");
        let rep = texts(df, "rep_id");
        let ev = texts(df, "evidence");
        (0..df.height())
            .map(|i| {
                (
                    rule[i].clone().unwrap(),
                    rep[i].clone().unwrap(),
                    ev[i].clone().unwrap(),
                )
            })
            .collect()
    }

    const HEAD: &str = "visit_id,rep_id,customer_id,visit_start,duration_minutes\n";

    /// V1/V2: R1 at C1 and C2 in the same minute (seconds differ) → flagged;
    /// V3/V4: R2 twice at the same customer in one minute → not (one place);
    /// V5/V6: R3 at C1 and C3 a minute apart → not.
    #[test]
    fn duplicate_visit_time_needs_different_customers_in_one_minute() {
        let visits = format!(
            "{HEAD}V1,R1,C1,2026-10-05 09:00:10,30\nV2,R1,C2,2026-10-05 09:00:50,30\n\
             V3,R2,C2,2026-10-05 10:00,5\nV4,R2,C2,2026-10-05 10:00,5\n\
             V5,R3,C1,2026-10-05 11:00,5\nV6,R3,C3,2026-10-05 11:01,5\n"
        );
        let df = run(&visits, None, &[Rule::DuplicateVisitTime]);
        assert_eq!(
            rows(&df),
            [("duplicate_visit_time".into(), "R1".into(), "V1;V2".into())]
        );
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("2 visits at 2 different customers start in the same minute, 2026-10-05 09:00")
        );
        assert_eq!(texts(&df, "period")[0].as_deref(), Some("2026-10"));
    }

    /// Tolerance 5 minutes. R1: V1 09:00 for 30 min ends 09:30; V2 starts
    /// 09:25, exactly 5 minutes before → not flagged; V3 starts 09:30, but
    /// V2 (09:25 + 30) ends 09:55: 25 minutes → flagged (V2;V3).
    /// R2: V4 without a duration flags nothing after it; V6 on the next day
    /// is not compared with V5 of the day before.
    #[test]
    fn overlapping_visits_respect_the_tolerance_and_the_day() {
        let visits = format!(
            "{HEAD}V1,R1,C1,2026-10-05 09:00,30\nV2,R1,C2,2026-10-05 09:25,30\n\
             V3,R1,C1,2026-10-05 09:30,10\n\
             V4,R2,C2,2026-10-05 09:00,\nV5,R2,C2,2026-10-05 23:00,120\n\
             V6,R2,C2,2026-10-06 00:10,10\n"
        );
        let df = run(&visits, None, &[Rule::OverlappingVisits]);
        assert_eq!(
            rows(&df),
            [("overlapping_visits".into(), "R1".into(), "V2;V3".into())]
        );
        assert_eq!(texts(&df, "customer_id")[0].as_deref(), Some("C1"));
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("visit V3 starts at 2026-10-05 09:30, 25 minutes before visit V2 ends")
        );
    }

    /// 15 visits on a day is the maximum (not flagged); 16 are.
    #[test]
    fn too_many_visits_per_day_is_strictly_above_the_maximum() {
        let mut visits = HEAD.to_string();
        for i in 0..15 {
            visits.push_str(&format!("A{i:02},R1,C1,2026-10-05 08:{i:02},1\n"));
        }
        for i in 0..16 {
            visits.push_str(&format!("B{i:02},R2,C2,2026-10-06 08:{i:02},1\n"));
        }
        let df = run(&visits, None, &[Rule::TooManyVisitsPerDay]);
        let expected: Vec<String> = (0..16).map(|i| format!("B{i:02}")).collect();
        assert_eq!(
            rows(&df),
            [(
                "too_many_visits_per_day".into(),
                "R2".into(),
                expected.join(";")
            )]
        );
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("16 visits on 2026-10-06 (more than 15)")
        );
    }

    /// PE 2026-10-31, stale_days 30: the cutoff is 2026-10-01. O1 (close
    /// 2026-09-30, open) is stale by 31 days; O2 (close 2026-10-01) is exactly
    /// 30 days → not; O3 is won (closed by PE); O4 has no close_date; O5 is
    /// lost after PE, so open at PE, but its close_date is after PE → not;
    /// O6 (negotiation, close 2026-08-15) is stale by 77 days; O7 was created
    /// after as_of → not seen.
    #[test]
    fn stale_opportunities_are_open_at_pe_and_past_close_by_more_than_the_days() {
        let opps = "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date\n\
                    O1,R1,C1,2026-06-01,demo,1000.50,2026-09-30\n\
                    O2,R1,C1,2026-06-01,demo,2000,2026-10-01\n\
                    O3,R2,C2,2026-06-01,won,3000,2026-09-01\n\
                    O4,R2,C2,2026-06-01,lead,4000,\n\
                    O5,R3,C3,2026-06-01,lost,500,2026-11-15\n\
                    O6,R3,C3,2026-06-01,negotiation,5,2026-08-15\n\
                    O7,R3,C3,2026-11-02,demo,7,2026-08-15\n";
        let df = run(HEAD, Some(opps), &[Rule::StaleOpportunity]);
        assert_eq!(
            rows(&df),
            [
                ("stale_opportunity".into(), "R1".into(), "O1".into()),
                ("stale_opportunity".into(), "R3".into(), "O6".into())
            ]
        );
        let amounts: Vec<Option<i64>> =
            df.column("amount").unwrap().i64().unwrap().iter().collect();
        assert_eq!(amounts, [Some(100050), Some(500)]);
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some(
                "open at 2026-10-31 in stage demo, expected to close 2026-09-30 (31 days earlier)"
            )
        );
    }

    /// overdue_days 90, period 2026-10.
    /// - C1's I1 (due 2026-07-01, 1,000.00, 600.00 paid) is 96 days past due
    ///   and 400.00 open on 2026-10-05: order A1 (22.00) is flagged; A2 of
    ///   2026-09-29 lies outside the period.
    /// - C2's I2 (due 2026-06-01) was paid in full on 2026-10-04, the day
    ///   before order B1 → not flagged, nor B2 after it.
    /// - C3's I3 (due 2026-07-09) is paid only on 2026-10-20: order D1 of
    ///   2026-10-07 is exactly 90 days past due → not flagged; D3 of
    ///   2026-10-08 (91 days) is; the cancelled D2 the same day is not, nor
    ///   the return D4 (goods taken back) of 2026-10-09.
    #[test]
    fn orders_while_overdue_look_at_the_open_amount_on_the_order_date() {
        let orders = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,unit_price,status\n\
                      A1,1,2026-10-05,R1,C1,P1,2,10.50,\n\
                      A1,2,2026-10-05,R1,C1,P1,1,1,\n\
                      A2,1,2026-09-29,R1,C1,P1,1,5,\n\
                      B1,1,2026-10-05,R2,C2,P1,1,5,\n\
                      B2,1,2026-10-10,R2,C2,P1,1,5,\n\
                      D1,1,2026-10-07,R3,C3,P1,1,7,\n\
                      D2,1,2026-10-08,R3,C3,P1,1,7,cancelled\n\
                      D3,1,2026-10-08,R3,C3,P1,1,7,\n\
                      D4,1,2026-10-09,R3,C3,P1,-1,7,\n";
        let invoices = "invoice_id,customer_id,invoice_date,due_date,amount\n\
                        I1,C1,2026-06-01,2026-07-01,1000\n\
                        I2,C2,2026-05-01,2026-06-01,300\n\
                        I3,C3,2026-05-01,2026-07-09,200\n";
        let payments = "payment_id,invoice_id,payment_date,amount\n\
                        Y1,I1,2026-08-01,600\n\
                        Y2,I2,2026-10-04,300\n\
                        Y3,I3,2026-10-20,200\n";
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("products", "product_id,product_name\nP1,Widget\n"),
            ("orders", orders),
            ("invoices", invoices),
            ("payments", payments),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-31");
        let (df, _) = flags(&ctx, &FlagSettings::default(), &[Rule::OrdersWhileOverdue]).unwrap();
        assert_eq!(
            rows(&df),
            [
                ("orders_while_overdue".into(), "R1".into(), "A1;I1".into()),
                ("orders_while_overdue".into(), "R3".into(), "D3;I3".into())
            ]
        );
        let amounts: Vec<Option<i64>> =
            df.column("amount").unwrap().i64().unwrap().iter().collect();
        assert_eq!(amounts, [Some(2200), Some(700)]);
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("order A1 on 2026-10-05 while invoice(s) I1 were more than 90 days past due and still open")
        );
    }

    /// A rule not computed yet, or without its table, is listed as missing
    /// and gives no rows (never "no flags").
    #[test]
    fn missing_rules_are_named_not_shown_clean() {
        let data = dataset(&[("reps", REPS), ("customers", CUSTOMERS)]);
        let ctx = context(&data, "2026-10", "2026-10-31");
        let (df, missing) = flags(
            &ctx,
            &FlagSettings::default(),
            &[Rule::OverlappingVisits, Rule::PeriodEndStuffing],
        )
        .unwrap();
        assert_eq!(df.height(), 0);
        assert_eq!(df.width(), FLAG_COLUMNS.len());
        assert_eq!(
            missing,
            [
                "overlapping_visits: the visits table is absent",
                "period_end_stuffing: not computed by this version of salesops"
            ]
        );
    }
}
