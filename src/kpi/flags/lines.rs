//! The evidence rows behind the scorecard's discipline counts (SPEC
//! section 9, last row): one `discount_violation` per line counted by
//! `discount_violations`, one `cross_region_line` per line counted by
//! `cross_region_lines` (窜货). Both read [`judged_lines`], the plan the
//! scorecard counts, so a rep's rows always equal his count.

use polars::prelude::*;

use super::{as_flags, say, sentence, text, Rule};
use crate::kpi::context::KpiContext;
use crate::kpi::discipline::{judged_lines, PPM};
use crate::kpi::sales::period_order_lines;
use crate::lang::Lang;
use crate::money::UNITS_PER_ONE;
use crate::Result;

/// `order_id#line_no`: the evidence of one line.
fn line_evidence() -> Expr {
    concat_str([col("order_id"), text(col("line_no"))], "#", false).alias("evidence")
}

/// "order O1 line 2" — the start of a line's sentence.
fn the_line(lang: Lang) -> [Expr; 4] {
    [
        say(lang, "order ", "订单 "),
        col("order_id"),
        say(lang, " line ", " 第 "),
        text(col("line_no")),
    ]
}

/// A non-negative price in 1/10000 units as text with 2 to 4 decimals
/// (`440000` → `44.00`, `899999` → `89.9999`).
fn units_text(e: Expr) -> Expr {
    let frac = e.clone() % lit(UNITS_PER_ONE);
    concat_str(
        [
            text(e.floor_div(lit(UNITS_PER_ONE))),
            lit("."),
            when((frac.clone() % lit(100i64)).eq(lit(0i64)))
                .then(
                    text(frac.clone().floor_div(lit(100i64)))
                        .str()
                        .zfill(lit(2)),
                )
                .otherwise(text(frac).str().zfill(lit(4))),
        ],
        "",
        false,
    )
}

/// A share in millionths as a percent with up to 2 decimals (`100000` →
/// `10.0`, `125000` → `12.5`).
fn ppm_pct(e: Expr) -> Expr {
    text(
        (e.cast(DataType::Float64) / lit((PPM / 100) as f64)).round(2, RoundMode::HalfAwayFromZero),
    )
}

/// `discount_violation`: each live in-period line beyond its rep's
/// discount authority (rule 6). Evidence `order_id#line_no`; customer_id
/// the line's; amount: the discount given, `line_list_amount −
/// line_amount` (cents).
pub(super) fn discount_violation(ctx: &KpiContext, lang: Lang) -> Result<Option<LazyFrame>> {
    let Some(lines) = period_order_lines(ctx) else {
        return Ok(None);
    };
    let off =
        col("list_price_eff").cast(DataType::Float64) - col("unit_price").cast(DataType::Float64);
    let pct = text(
        (off / col("list_price_eff").cast(DataType::Float64) * lit(100.0))
            .round(4, RoundMode::HalfAwayFromZero),
    );
    let detail = sentence(the_line(lang).into_iter().chain([
        say(lang, ": ", " 行："),
        pct,
        say(lang, "% off: unit price ", "% 折扣：单价 "),
        units_text(col("unit_price")),
        say(lang, " against list price ", "，牌价 "),
        units_text(col("list_price_eff")),
        say(lang, ", beyond the authority of ", "，超出权限 "),
        ppm_pct(col("__authority")),
        lit("%"),
    ]));
    let flagged = judged_lines(ctx, lines)?
        .filter(col("__violation"))
        .with_columns([
            line_evidence(),
            (col("line_list_amount") - col("line_amount")).alias("amount"),
            detail,
        ]);
    Ok(Some(as_flags(flagged, ctx, Rule::DiscountViolation)))
}

/// `cross_region_line`: each live in-period line whose `coalesce(ship_region,
/// customer region)` differs from its rep's region (rule 6). Evidence
/// `order_id#line_no`; customer_id the line's; amount: the line's amount
/// (cents).
pub(super) fn cross_region_line(ctx: &KpiContext, lang: Lang) -> Result<Option<LazyFrame>> {
    let Some(lines) = period_order_lines(ctx) else {
        return Ok(None);
    };
    if !ctx.data.has("customers") {
        // The scorecard counts the same lines, so the two still agree.
        ctx.warn(
            "flags: without a customers table, cross_region_line judges only the lines that \
             have a ship_region (as the scorecard's cross_region_lines counts them)",
        );
    }
    let detail = sentence(the_line(lang).into_iter().chain([
        say(lang, " goes to region ", " 行发往 "),
        col("__line_region"),
        say(lang, "; the rep's region is ", " 区域，而销售代表属 "),
        col("__rep_region"),
        say(lang, "", " 区域"),
    ]));
    let flagged = judged_lines(ctx, lines)?
        .filter(col("__crossed"))
        .with_columns([line_evidence(), col("line_amount").alias("amount"), detail]);
    Ok(Some(as_flags(flagged, ctx, Rule::CrossRegionLine)))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{rows, run};
    use super::super::Rule;
    use crate::kpi::testing::{texts, DISCIPLINE_ORDERS, PRICED_PRODUCTS};
    use crate::lang::Lang;

    /// The lines of the discipline test (`kpi::discipline`): R1 (rep, 10 %)
    /// sells O2 at 89.9999 against 100 (just beyond) and O8 at 44 against
    /// its own list price 50 (12 % off); O1 at exactly 10 % off is allowed.
    /// R2 (manager, 20 %) ships O3 to region S from region N. R3 (no role,
    /// so rep) sells O4 at 89 (11 % off). O9 goes from R1 (N) to S.
    #[test]
    fn discipline_rows_are_the_lines_the_scorecard_counts() {
        let tables = [("products", PRICED_PRODUCTS), ("orders", DISCIPLINE_ORDERS)];
        let df = run(
            &tables,
            &[Rule::DiscountViolation, Rule::CrossRegionLine],
            Lang::En,
        );
        assert_eq!(
            rows(&df),
            [
                ["discount_violation", "R1", "O2#1"],
                ["discount_violation", "R1", "O8#1"],
                ["discount_violation", "R1", "O9#1"],
                ["discount_violation", "R3", "O4#1"],
                ["cross_region_line", "R1", "O9#1"],
                ["cross_region_line", "R2", "O3#1"],
                ["cross_region_line", "R3", "O6#1"],
            ]
        );
        let amounts: Vec<Option<i64>> =
            df.column("amount").unwrap().i64().unwrap().iter().collect();
        assert_eq!(
            amounts,
            [
                Some(1000),
                Some(600),
                Some(9900),
                Some(2200),
                Some(100),
                Some(8000),
                Some(10000)
            ]
        );
        let detail = texts(&df, "detail");
        assert_eq!(
            detail[1].as_deref(),
            Some("order O8 line 1: 12.0% off: unit price 44.00 against list price 50.00, beyond the authority of 10.0%")
        );
        assert_eq!(
            detail[5].as_deref(),
            Some("order O3 line 1 goes to region S; the rep's region is N")
        );
        let zh = run(&tables, &[Rule::CrossRegionLine], Lang::Zh);
        assert_eq!(
            texts(&zh, "detail")[1].as_deref(),
            Some("订单 O3 第 1 行发往 S 区域，而销售代表属 N 区域")
        );
    }
}
