//! The visit rules of SPEC section 9: `duplicate_visit_time`,
//! `overlapping_visits` and `too_many_visits_per_day` — a rep is at one
//! place at a time, and a day has only so many hours.

use polars::prelude::*;
use polars_plan::plans::AExprSorted;

use super::{as_flags, evidence_of, none, say, sentence, text, FlagSettings, Rule};
use crate::kpi::activity::period_visits;
use crate::kpi::context::KpiContext;
use crate::lang::Lang;
use crate::Result;

const MS_PER_MINUTE: i64 = 60_000;

/// The period's visits (`visit_start` date in `[start, PE]`) with
/// `__start_ms` (epoch milliseconds of the wall-clock start), `__day` and
/// `__minute`; `None` without a visits table (named by the caller as a rule
/// not judged, not as a generic absent-table warning).
fn visits_in_period(ctx: &KpiContext) -> Option<LazyFrame> {
    let visits = period_visits(ctx)?;
    let start_ms = col("visit_start")
        .dt()
        .timestamp(TimeUnit::Milliseconds)
        .alias("__start_ms");
    Some(
        visits
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

/// The visits of the groups (by `keys`) whose `measure` (an aggregation
/// named as `keep` reads it) passes `keep`. Most groups (a rep's minute, a
/// rep's day) hold few visits and are not flagged: a plain group-by finds
/// the flagged ones first, so that the caller builds its evidence (sorted
/// and joined ids, group by group) for those alone, and its own
/// aggregation over them passes `keep` again without a second filter.
fn visits_of_flagged_groups(
    visits: LazyFrame,
    keys: &[Expr],
    measure: Expr,
    keep: Expr,
) -> LazyFrame {
    let flagged = visits
        .clone()
        .group_by(keys)
        .agg([measure])
        .filter(keep)
        .select(keys);
    visits.join(
        flagged,
        keys.to_vec(),
        keys.to_vec(),
        JoinArgs::new(JoinType::Semi),
    )
}

/// `duplicate_visit_time`: per rep and start minute, two or more visits at
/// different customers (a rep is at one place at a time). Evidence: every
/// visit of that minute; customer_id null (several); amount null.
pub(super) fn duplicate_visit_time(ctx: &KpiContext, lang: Lang) -> Option<LazyFrame> {
    let visits = visits_in_period(ctx)?;
    let at = col("__at").dt().strftime("%Y-%m-%d %H:%M");
    let detail = match lang {
        Lang::En => sentence([
            text(col("__visits")),
            lit(" visits at "),
            text(col("__customers")),
            lit(" different customers start in the same minute, "),
            at,
        ]),
        Lang::Zh => sentence([
            at,
            lit(" 同一分钟开始 "),
            text(col("__visits")),
            lit(" 次拜访，分属 "),
            text(col("__customers")),
            lit(" 个不同客户"),
        ]),
    };
    let minute = [col("rep_id"), col("__minute")];
    let customers = col("customer_id").n_unique().alias("__customers");
    let flagged = visits_of_flagged_groups(
        visits,
        &minute,
        customers.clone(),
        col("__customers").gt_eq(lit(2)),
    )
    .group_by(minute)
    .agg([
        customers,
        len().alias("__visits"),
        col("visit_start").min().alias("__at"),
        evidence_of("visit_id"),
    ])
    .with_columns([
        none("customer_id", DataType::String),
        none("amount", DataType::Int64),
        detail,
    ]);
    Some(as_flags(flagged, ctx, Rule::DuplicateVisitTime))
}

/// `overlapping_visits`: a visit that starts more than
/// `overlap_tolerance_minutes` before the end (start + duration_minutes) of
/// the rep's previous visits that day — the latest end among every visit
/// started before it (in start order, then visit_id), so a long visit that
/// encloses several later ones flags each of them. A visit without a
/// duration has no end and flags nothing; visits are compared within a day
/// only (SPEC: "that day"), so one running past midnight is not compared
/// with the next day's. Evidence: the earlier visit with that latest end,
/// then the later visit; customer_id: the later visit's; amount null. The
/// minutes in the sentence are whole minutes, rounded up.
pub(super) fn overlapping_visits(
    ctx: &KpiContext,
    settings: &FlagSettings,
    lang: Lang,
) -> Result<Option<LazyFrame>> {
    let Some(visits) = visits_in_period(ctx) else {
        return Ok(None);
    };
    // Sorted by rep and start, each rep's day is one run of rows: the
    // latest end goes over a run number (one integer key) instead of
    // hashing (rep_id, day), and what only looks back one row or fills
    // forward needs no window at all (a window over each of some 100,000
    // rep-days cost 0.2 s at scale 100).
    let new_day = col("rep_id")
        .neq_missing(col("rep_id").shift(lit(1)))
        .or(col("__day").neq_missing(col("__day").shift(lit(1))));
    // The run numbers ascend with the rows: flagged as sorted, the window
    // takes its groups as slices of consecutive rows instead of hashing
    // the run numbers.
    let run = col("__new_day")
        .cast(DataType::UInt32)
        .cum_sum(false)
        .set_sorted_flag(AExprSorted::default().with_desc(Some(false)))
        .alias("__run");
    let day = [col("__run")];
    // A visit without a duration ends as it starts: it cannot enclose a
    // later visit.
    let end = (col("__start_ms")
        + col("duration_minutes").cast(DataType::Int64) * lit(MS_PER_MINUTE))
    .fill_null(col("__start_ms"));
    let latest = col("__end_ms").cum_max(false).over(day)?;
    // A day's first visit holds the latest end so far (its own), so filling
    // forward over all rows never carries a holder into the next day.
    let holder = when(col("__end_ms").eq(col("__latest")))
        .then(col("visit_id"))
        .otherwise(lit(NULL).cast(DataType::String))
        .fill_null_with_strategy(FillNullStrategy::Forward(None));
    // The row before, within the day: a day's first visit has none.
    let previous = |c: &str| {
        when(col("__new_day"))
            .then(lit(NULL))
            .otherwise(col(c).shift(lit(1)))
    };
    let overlap_ms = col("__prev_latest") - col("__start_ms");
    let minutes = text((overlap_ms.clone() + lit(MS_PER_MINUTE - 1)).floor_div(lit(MS_PER_MINUTE)));
    let at = col("visit_start").dt().strftime("%Y-%m-%d %H:%M");
    let detail = match lang {
        Lang::En => sentence([
            lit("visit "),
            col("visit_id"),
            lit(" starts at "),
            at,
            lit(", "),
            minutes,
            lit(" minutes before visit "),
            col("__prev_holder"),
            lit(" ends"),
        ]),
        Lang::Zh => sentence([
            lit("拜访 "),
            col("visit_id"),
            lit(" 于 "),
            at,
            lit(" 开始，比拜访 "),
            col("__prev_holder"),
            lit(" 结束早 "),
            minutes,
            lit(" 分钟"),
        ]),
    };
    let flagged = visits
        .sort(
            ["rep_id", "__start_ms", "visit_id"],
            SortMultipleOptions::default(),
        )
        .with_columns([end.alias("__end_ms"), new_day.alias("__new_day")])
        .with_column(run)
        .with_column(latest.alias("__latest"))
        .with_column(holder.alias("__holder"))
        .with_columns([
            previous("__latest").alias("__prev_latest"),
            previous("__holder").alias("__prev_holder"),
        ])
        .filter(
            overlap_ms
                .gt(lit(settings.overlap_tolerance_minutes * MS_PER_MINUTE))
                .fill_null(lit(false)),
        )
        .with_columns([
            concat_str([col("__prev_holder"), col("visit_id")], ";", false).alias("evidence"),
            none("amount", DataType::Int64),
            detail,
        ]);
    Ok(Some(as_flags(flagged, ctx, Rule::OverlappingVisits)))
}

/// `too_many_visits_per_day`: a rep's visits on one day exceed
/// `max_visits_per_day` (exactly the maximum is not flagged). Evidence: the
/// day's visits; customer_id null; amount null.
pub(super) fn too_many_visits_per_day(
    ctx: &KpiContext,
    settings: &FlagSettings,
    lang: Lang,
) -> Option<LazyFrame> {
    let visits = visits_in_period(ctx)?;
    let max = settings.max_visits_per_day;
    let detail = sentence([
        text(col("__visits")),
        say(lang, " visits on ", " 次拜访，日期 "),
        text(col("__day")),
        say(
            lang,
            &format!(" (more than {max})"),
            &format!("（超过 {max} 次）"),
        ),
    ]);
    let day = [col("rep_id"), col("__day")];
    let count = len().alias("__visits");
    let flagged =
        visits_of_flagged_groups(visits, &day, count.clone(), col("__visits").gt(lit(max)))
            .group_by(day)
            .agg([count, evidence_of("visit_id")])
            .with_columns([
                none("customer_id", DataType::String),
                none("amount", DataType::Int64),
                detail,
            ]);
    Some(as_flags(flagged, ctx, Rule::TooManyVisitsPerDay))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{rows, run, VISIT_HEAD as HEAD};
    use super::super::Rule;
    use crate::kpi::testing::texts;
    use crate::lang::Lang;

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
        let df = run(
            &[("visits", &visits)],
            &[Rule::DuplicateVisitTime],
            Lang::En,
        );
        assert_eq!(rows(&df), [["duplicate_visit_time", "R1", "V1;V2"]]);
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("2 visits at 2 different customers start in the same minute, 2026-10-05 09:00")
        );
        assert_eq!(texts(&df, "period")[0].as_deref(), Some("2026-10"));
        let zh = run(
            &[("visits", &visits)],
            &[Rule::DuplicateVisitTime],
            Lang::Zh,
        );
        assert_eq!(
            texts(&zh, "detail")[0].as_deref(),
            Some("2026-10-05 09:00 同一分钟开始 2 次拜访，分属 2 个不同客户")
        );
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
        let df = run(&[("visits", &visits)], &[Rule::OverlappingVisits], Lang::En);
        assert_eq!(rows(&df), [["overlapping_visits", "R1", "V2;V3"]]);
        assert_eq!(texts(&df, "customer_id")[0].as_deref(), Some("C1"));
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("visit V3 starts at 2026-10-05 09:30, 25 minutes before visit V2 ends")
        );
    }

    /// A long visit encloses two later ones: both are flagged against it
    /// (V20 09:00–12:00; V21 10:30 for 10 minutes, V22 11:00). An overlap
    /// of 5 minutes 30 seconds is more than the tolerance and reads as 6
    /// minutes (V24 starts at 13:24:30 while V23 runs to 13:30). A visit
    /// running past midnight is not compared with the next day's.
    #[test]
    fn overlapping_visits_compare_with_the_latest_end_that_day() {
        let visits = format!(
            "{HEAD}V20,R1,C1,2026-10-05 09:00,180\nV21,R1,C2,2026-10-05 10:30,10\n\
             V22,R1,C1,2026-10-05 11:00,10\nV23,R1,C1,2026-10-05 13:00,30\n\
             V24,R1,C2,2026-10-05 13:24:30,10\n\
             V25,R2,C2,2026-10-05 23:30,60\nV26,R2,C2,2026-10-06 00:10,10\n"
        );
        let df = run(&[("visits", &visits)], &[Rule::OverlappingVisits], Lang::En);
        assert_eq!(
            rows(&df),
            [
                ["overlapping_visits", "R1", "V20;V21"],
                ["overlapping_visits", "R1", "V20;V22"],
                ["overlapping_visits", "R1", "V23;V24"],
            ]
        );
        let detail = texts(&df, "detail");
        assert_eq!(
            detail[1].as_deref(),
            Some("visit V22 starts at 2026-10-05 11:00, 60 minutes before visit V20 ends")
        );
        assert_eq!(
            detail[2].as_deref(),
            Some("visit V24 starts at 2026-10-05 13:24, 6 minutes before visit V23 ends")
        );
    }

    /// Each rep's day stands alone: R1's V30 runs 09:00–19:00, yet R2's
    /// visits that day are compared only with R2's (V32 starts 8 minutes
    /// before V31 ends), and R1's next day starts afresh (V34 at 08:00 is
    /// compared with V33 only).
    #[test]
    fn overlapping_visits_never_reach_across_reps_or_days() {
        let visits = format!(
            "{HEAD}V30,R1,C1,2026-10-05 09:00,600
V33,R1,C1,2026-10-06 07:00,30
             V34,R1,C2,2026-10-06 08:00,10
             V31,R2,C2,2026-10-05 10:00,10
V32,R2,C2,2026-10-05 10:02,10
"
        );
        let df = run(&[("visits", &visits)], &[Rule::OverlappingVisits], Lang::En);
        assert_eq!(rows(&df), [["overlapping_visits", "R2", "V31;V32"]]);
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
        let df = run(
            &[("visits", &visits)],
            &[Rule::TooManyVisitsPerDay],
            Lang::En,
        );
        let expected: Vec<String> = (0..16).map(|i| format!("B{i:02}")).collect();
        assert_eq!(
            rows(&df),
            [["too_many_visits_per_day", "R2", expected.join(";").as_str()]]
        );
        assert_eq!(
            texts(&df, "detail")[0].as_deref(),
            Some("16 visits on 2026-10-06 (more than 15)")
        );
    }
}
