//! Shared helpers of the flag rules' tests.

use polars::prelude::DataFrame;

use super::{flags, FlagSettings, Rule};
use crate::kpi::testing::{context, dataset, texts, CUSTOMERS, REPS};
use crate::lang::Lang;

/// The header of a visits fixture.
pub(super) const VISIT_HEAD: &str = "visit_id,rep_id,customer_id,visit_start,duration_minutes\n";

/// The flags of `rules` for `period` cut at `as_of`, over the test reps and
/// customers plus `tables`, with the rules that could not be judged.
pub(super) fn run_at(
    tables: &[(&str, &str)],
    period: &str,
    as_of: &str,
    rules: &[Rule],
    lang: Lang,
) -> (DataFrame, Vec<String>) {
    let mut all = vec![("reps", REPS), ("customers", CUSTOMERS)];
    all.extend_from_slice(tables);
    let data = dataset(&all);
    let ctx = context(&data, period, as_of);
    let (df, missing) = flags(&ctx, &FlagSettings::default(), rules, lang).unwrap();
    (df, missing.iter().map(ToString::to_string).collect())
}

/// The flags of `rules` for 2026-10 as of 2026-10-31.
pub(super) fn run(tables: &[(&str, &str)], rules: &[Rule], lang: Lang) -> DataFrame {
    run_at(tables, "2026-10", "2026-10-31", rules, lang).0
}

/// `[rule, rep_id, evidence]` of each row.
pub(super) fn rows(df: &DataFrame) -> Vec<[String; 3]> {
    let rule = texts(df, "rule");
    let rep = texts(df, "rep_id");
    let ev = texts(df, "evidence");
    (0..df.height())
        .map(|i| {
            [
                rule[i].clone().unwrap(),
                rep[i].clone().unwrap(),
                ev[i].clone().unwrap(),
            ]
        })
        .collect()
}

/// A rule without its table is listed as missing with the reason and gives
/// no rows (never "no flags").
#[test]
fn missing_rules_are_named_not_shown_clean() {
    let (df, missing) = run_at(
        &[],
        "2026-10",
        "2026-10-31",
        &[
            Rule::OverlappingVisits,
            Rule::PeriodEndStuffing,
            Rule::CrossRegionLine,
        ],
        Lang::En,
    );
    assert_eq!(df.height(), 0);
    assert_eq!(df.width(), super::FLAG_COLUMNS.len());
    assert_eq!(
        missing,
        [
            "overlapping_visits: the visits table is absent",
            "period_end_stuffing: not judged yet: returns are looked for through 2026-11-06, after as_of 2026-10-31",
            "cross_region_line: the orders table is absent",
        ]
    );
}
