//! The pipeline rule of SPEC section 9: `stale_opportunity` — deals that
//! should have closed long ago still counted as open.

use chrono::Duration;
use polars::prelude::*;

use crate::kpi::date_lit;

use super::{as_flags, sentence, text, FlagSettings, Rule};
use crate::kpi::context::KpiContext;
use crate::kpi::opportunities::open_at_pe;
use crate::kpi::{day_number, days_since_epoch};
use crate::lang::Lang;

/// `stale_opportunity`: an opportunity open at PE (the pipeline's open set)
/// whose close_date is more than `stale_days` before PE. Evidence: its id;
/// amount: its amount (cents); credited to its rep.
pub(super) fn stale_opportunity(
    ctx: &KpiContext,
    settings: &FlagSettings,
    lang: Lang,
) -> Option<LazyFrame> {
    let open = open_at_pe(ctx)?;
    let cutoff = ctx.pe - Duration::days(settings.stale_days);
    let days_late = text(lit(days_since_epoch(ctx.pe)) - day_number(col("close_date")));
    let pe = lit(ctx.pe.to_string());
    let detail = match lang {
        Lang::En => sentence([
            lit("open at "),
            pe,
            lit(" in stage "),
            col("stage"),
            lit(", expected to close "),
            text(col("close_date")),
            lit(" ("),
            days_late,
            lit(" days earlier)"),
        ]),
        Lang::Zh => sentence([
            lit("截至 "),
            pe,
            lit(" 仍在 "),
            col("stage"),
            lit(" 阶段，预计成交日 "),
            text(col("close_date")),
            lit("（已过 "),
            days_late,
            lit(" 天）"),
        ]),
    };
    let flagged = open
        .filter(col("close_date").lt(date_lit(cutoff)).fill_null(lit(false)))
        .with_columns([
            col("opportunity_id").alias("evidence"),
            col("amount").alias("amount"),
            detail,
        ]);
    Some(as_flags(flagged, ctx, Rule::StaleOpportunity))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{rows, run, VISIT_HEAD};
    use super::super::Rule;
    use crate::kpi::testing::texts;
    use crate::lang::Lang;

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
        let tables = [("visits", VISIT_HEAD), ("opportunities", opps)];
        let df = run(&tables, &[Rule::StaleOpportunity], Lang::En);
        assert_eq!(
            rows(&df),
            [
                ["stale_opportunity", "R1", "O1"],
                ["stale_opportunity", "R3", "O6"]
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
        let zh = run(&tables, &[Rule::StaleOpportunity], Lang::Zh);
        assert_eq!(
            texts(&zh, "detail")[1].as_deref(),
            Some("截至 2026-10-31 仍在 negotiation 阶段，预计成交日 2026-08-15（已过 77 天）")
        );
    }
}
