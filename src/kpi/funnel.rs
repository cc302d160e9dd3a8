//! The funnel (SPEC section 3 "Funnel", rule 10): for the cohort of
//! opportunities created in `[start, PE]`, how many reached each configured
//! stage, and the conversion from each stage to the next.

use polars::prelude::*;

use super::context::{KpiContext, Settings};
use super::ratio;
use crate::Result;

/// Position of a history row's stage among the configured stages (null for
/// `lost` or any stage not configured, which add nothing).
fn stage_index(settings: &Settings) -> Expr {
    let stage = crate::text::folded(col("stage"));
    let mut expr = lit(NULL).cast(DataType::Int64);
    for (i, s) in settings.stages.iter().enumerate() {
        expr = when(stage.clone().eq(lit(s.as_str())))
            .then(lit(i as i64))
            .otherwise(expr);
    }
    expr
}

/// Per rep and for the company (`rep_id = ALL`), one row per rep of `reps`:
/// - `cohort` = opportunities with created_date in `[start, PE]`;
/// - `reached_<k>` = cohort opportunities whose furthest configured stage in
///   their history (rows entered ≤ PE) is at or beyond stage k — a skipped
///   stage counts as passed; no history reaches nothing;
/// - `conv_<k>__<k+1> = reached[k+1] / reached[k]` (null when reached[k] = 0).
///
/// `None` when opportunities or opportunity_stages is absent.
pub(crate) fn funnel(ctx: &KpiContext) -> Result<Option<DataFrame>> {
    let Some(opps) = ctx.table("opportunities", "funnel KPIs") else {
        return Ok(None);
    };
    let Some(history) = ctx.table("opportunity_stages", "funnel KPIs") else {
        return Ok(None);
    };
    let stages = &ctx.settings.stages;
    let created_in_period = opps
        .clone()
        .filter(ctx.in_period(col("created_date")))
        .select([col("opportunity_id")]);
    // Only the cohort's stage history is read: a semi join first, so the
    // group-by runs over one period's opportunities, not all history.
    let furthest = history
        .filter(super::up_to_day(col("entered_at"), ctx.pe))
        .join(
            created_in_period,
            [col("opportunity_id")],
            [col("opportunity_id")],
            JoinArgs::new(JoinType::Semi),
        )
        .with_column(stage_index(ctx.settings).alias("__idx"))
        .group_by([col("opportunity_id")])
        .agg([col("__idx").max().alias("__furthest")]);
    let cohort = opps
        .filter(ctx.in_period(col("created_date")))
        .select([col("opportunity_id"), col("rep_id")])
        .join(
            furthest,
            [col("opportunity_id")],
            [col("opportunity_id")],
            JoinArgs::new(JoinType::Left),
        );
    let counts: Vec<Expr> = std::iter::once(len().cast(DataType::Int64).alias("cohort"))
        .chain(stages.iter().enumerate().map(|(i, s)| {
            col("__furthest")
                .gt_eq(lit(i as i64))
                .fill_null(lit(false))
                .sum()
                .cast(DataType::Int64)
                .alias(format!("reached_{s}"))
        }))
        .collect();
    let count_names: Vec<String> = std::iter::once("cohort".to_string())
        .chain(stages.iter().map(|s| format!("reached_{s}")))
        .collect();
    let per_rep = ctx
        .reps()?
        .select([col("rep_id")])
        .join(
            cohort.clone().group_by([col("rep_id")]).agg(counts.clone()),
            [col("rep_id")],
            [col("rep_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(
            count_names
                .iter()
                .map(|c| col(c.as_str()).fill_null(lit(0i64)))
                .collect::<Vec<_>>(),
        )
        .sort(["rep_id"], SortMultipleOptions::default());
    let company = cohort
        .select(counts)
        .with_column(lit("ALL").alias("rep_id"));
    let mut select = vec![lit(ctx.period.to_string()).alias("period"), col("rep_id")];
    select.extend(count_names.iter().map(|c| col(c.as_str())));
    select.extend(stages.windows(2).map(|w| {
        ratio(
            col(format!("reached_{}", w[1])),
            col(format!("reached_{}", w[0])),
        )
        .alias(format!("conv_{}__{}", w[0], w[1]))
    }));
    let all = concat(
        [per_rep.select(select.clone()), company.select(select)],
        UnionArgs::default(),
    )?;
    Ok(Some(all.collect()?))
}

#[cfg(test)]
mod tests {
    use super::funnel;
    use crate::kpi::Settings;

    /// Output columns after `period` and `rep_id`: cohort, `reached_<stage>` per
    /// configured stage, then `conv_<stage>__<next>` per consecutive pair.
    fn funnel_columns(settings: &Settings) -> Vec<String> {
        let stages = &settings.stages;
        let mut cols = vec!["cohort".to_string()];
        cols.extend(stages.iter().map(|s| format!("reached_{s}")));
        cols.extend(
            stages
                .windows(2)
                .map(|w| format!("conv_{}__{}", w[0], w[1])),
        );
        cols
    }
    use crate::kpi::testing::{context, dataset, CUSTOMERS, REPS};

    const OPPS: &str = "opportunity_id,rep_id,customer_id,created_date,stage,amount,close_date
A1,R1,C1,2026-09-01,won,1,2026-10-05
A2,R1,C1,2026-10-02,lost,1,2026-10-10
A3,R1,C1,2026-10-03,won,1,2026-10-20
A5,R2,C2,2026-10-04,demo,1,
A6,R2,C2,2026-10-05,contact,1,
A7,R2,C2,2026-10-20,lead,1,
A9,R3,C3,2026-10-06,mystery,1,
";
    const HISTORY: &str = "opportunity_id,stage,entered_at
A1,lead,2026-09-01 09:00
A1,won,2026-10-05 09:00
A2,lead,2026-10-02 09:00
A2,lost,2026-10-10 09:00
A3,lead,2026-10-03 09:00
A3,demo,2026-10-08 09:00
A3,won,2026-10-20 09:00
A6,contact,2026-10-15 23:59
A7,lead,2026-10-20 09:00
A9,mystery,2026-10-06 09:00
";

    #[test]
    fn cohort_reach_and_conversion() {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("opportunities", OPPS),
            ("opportunity_stages", HISTORY),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        let f = funnel(&ctx).unwrap().unwrap();
        let ints = |c: &str| -> Vec<i64> {
            f.column(c)
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .map(|v| v.unwrap())
                .collect()
        };
        let ids: Vec<&str> = f
            .column("rep_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(ids, ["R1", "R2", "R3", "ALL"]);
        // Cohort: R1 A2, A3 (A1 September); R2 A5, A6 (A7 after as_of); R3 A9.
        assert_eq!(ints("cohort"), [2, 2, 1, 5]);
        // A2 reached lead only (lost adds nothing); A3 went lead → demo, which
        // passes contact and needs_analysis; its won is after PE. A5 has no
        // history; A6 entered contact on PE itself; A9's stage is unknown.
        assert_eq!(ints("reached_lead"), [2, 1, 0, 3]);
        assert_eq!(ints("reached_contact"), [1, 1, 0, 2]);
        assert_eq!(ints("reached_needs_analysis"), [1, 0, 0, 1]);
        assert_eq!(ints("reached_demo"), [1, 0, 0, 1]);
        assert_eq!(ints("reached_negotiation"), [0, 0, 0, 0]);
        assert_eq!(ints("reached_won"), [0, 0, 0, 0]);
        let conv =
            |c: &str| -> Vec<Option<f64>> { f.column(c).unwrap().f64().unwrap().iter().collect() };
        assert_eq!(
            conv("conv_lead__contact"),
            [Some(0.5), Some(1.0), None, Some(2.0 / 3.0)]
        );
        assert_eq!(
            conv("conv_contact__needs_analysis"),
            [Some(1.0), Some(0.0), None, Some(0.5)]
        );
        assert_eq!(conv("conv_negotiation__won"), [None, None, None, None]);
        assert_eq!(
            f.get_column_names().len(),
            2 + funnel_columns(ctx.settings).len()
        );
    }

    #[test]
    fn without_stage_history_there_is_no_funnel() {
        let data = dataset(&[
            ("reps", REPS),
            ("customers", CUSTOMERS),
            ("opportunities", OPPS),
        ]);
        let ctx = context(&data, "2026-10", "2026-10-15");
        assert!(funnel(&ctx).unwrap().is_none());
        assert!(ctx
            .warnings()
            .iter()
            .any(|w| w.starts_with("opportunity_stages: table absent")));
    }
}
