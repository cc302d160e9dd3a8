//! The report's "Integrity" section: the process integrity flags of SPEC
//! section 9 (`kpi::flags`) as the reader may see them — counts by rule,
//! the teams with the most flags (company and region reports), and the
//! cases with their evidence: the largest of each rule, two in a company or
//! region report, five of the team's own in a team report. The report's data holds
//! only the flags of the audience's reps ([`ReportData::for_audience`]), so
//! a team report never lists another team's flags.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use serde::Serialize;

use super::audience::Audience;
use super::data::{table, ReportData};
use super::format::{group_thousands, more_text, HtmlTable, DASH};
use super::i18n::{label, Lang};
use super::page::LIST_LIMIT;
use crate::kpi::flags::{NotJudged, Rule};
use crate::money::format_cents_grouped;
use crate::Result;

/// Cases listed per rule in a company or region report.
const CASES_PER_RULE: usize = 2;

/// Cases listed per rule in a team report: the manager sees his team's
/// largest cases of every rule, not the first rows of one.
const TEAM_CASES_PER_RULE: usize = 5;

/// Ids of evidence shown in a cell before "… (+N)"; the flags table has
/// them all.
const EVIDENCE_SHOWN: usize = 3;

/// The section as the templates show it.
#[derive(Debug, Serialize)]
pub(super) struct Integrity {
    /// One row per rule: flags, reps flagged, amount at stake; "not judged"
    /// for a rule that could not be.
    pub(super) by_rule: HtmlTable,
    /// The teams with the most flags and their count per rule (company and
    /// region reports), else no headers.
    pub(super) by_team: HtmlTable,
    /// The cases with their evidence.
    pub(super) cases: HtmlTable,
    /// Heading of the cases.
    pub(super) cases_title: String,
    /// The rules not judged and why, in the reader's language; empty when
    /// every rule was judged.
    pub(super) note: String,
}

/// The rule's label in the reader's language.
fn rule_label(rule: Rule, t: &BTreeMap<String, String>) -> String {
    label(t, &format!("rule_{}", rule.name()))
}

/// Why a rule was not judged, in the reader's language.
fn not_judged_text(why: &NotJudged, t: &BTreeMap<String, String>) -> String {
    match why {
        NotJudged::TableAbsent(rule) => label(t, "flags_absent")
            .replace("{rule}", &rule_label(*rule, t))
            .replace("{table}", rule.source()),
        NotJudged::Pending { rule, until, .. } => label(t, "flags_pending")
            .replace("{rule}", &rule_label(*rule, t))
            .replace("{date}", &until.to_string()),
    }
}

/// The flags the report shows, `detail` in its language, with each rep's
/// team.
fn flags_frame(data: &ReportData, lang: Lang) -> Result<DataFrame> {
    let flags = match lang {
        Lang::En => table(&data.tables, "flags")?.frame.clone(),
        Lang::Zh => data.flags_zh.clone(),
    };
    let teams = data
        .reps()?
        .clone()
        .lazy()
        .select([col("rep_id"), col("team")]);
    // The join may reorder rows: the flags table's order is restored.
    Ok(flags
        .lazy()
        .with_row_index("__order", None)
        .join(
            teams,
            [col("rep_id")],
            [col("rep_id")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["__order"], SortMultipleOptions::default())
        .drop(cols(["__order"]))
        .collect()?)
}

/// Counts by rule: flags, distinct reps, amount at stake (— for the rules
/// without money).
fn by_rule(
    flags: &DataFrame,
    not_judged: &[NotJudged],
    t: &BTreeMap<String, String>,
) -> Result<HtmlTable> {
    let counts = flags
        .clone()
        .lazy()
        .group_by([col("rule")])
        .agg([
            len().cast(DataType::Int64).alias("flags"),
            col("rep_id").n_unique().cast(DataType::Int64).alias("reps"),
            col("amount").sum().alias("amount"),
            col("amount").count().alias("with_amount"),
        ])
        .collect()?;
    let mut found: HashMap<String, (i64, i64, Option<i64>)> = HashMap::new();
    for r in 0..counts.height() {
        let rule = counts.column("rule")?.str()?.get(r).unwrap_or_default();
        let with_amount = counts.column("with_amount")?.get(r)?.extract::<i64>();
        let amount = counts.column("amount")?.i64()?.get(r);
        found.insert(
            rule.to_string(),
            (
                counts.column("flags")?.i64()?.get(r).unwrap_or(0),
                counts.column("reps")?.i64()?.get(r).unwrap_or(0),
                amount.filter(|_| with_amount.unwrap_or(0) > 0),
            ),
        );
    }
    let rows = Rule::ALL
        .iter()
        .map(|rule| {
            let name = rule_label(*rule, t);
            if not_judged.iter().any(|n| n.rule() == *rule) {
                return vec![name, label(t, "not_judged"), DASH.into(), DASH.into()];
            }
            let (n, reps, amount) = found.get(rule.name()).copied().unwrap_or((0, 0, None));
            vec![
                name,
                group_thousands(n),
                group_thousands(reps),
                amount.map_or(DASH.into(), format_cents_grouped),
            ]
        })
        .collect();
    Ok(HtmlTable {
        headers: ["rule", "flags", "reps_flagged", "amount_at_stake"]
            .iter()
            .map(|k| label(t, k))
            .collect(),
        rows,
        numeric: vec![false, true, true, true],
        empty: label(t, "none"),
        more: String::new(),
    })
}

/// The teams with the most flags (then by name), at most [`LIST_LIMIT`],
/// with their count per rule.
fn by_team(flags: &DataFrame, t: &BTreeMap<String, String>) -> Result<HtmlTable> {
    let per_rule: Vec<Expr> = Rule::ALL
        .iter()
        .map(|r| {
            col("rule")
                .eq(lit(r.name()))
                .sum()
                .cast(DataType::Int64)
                .alias(r.name())
        })
        .collect();
    let teams = flags
        .clone()
        .lazy()
        .group_by([col("team")])
        .agg(
            std::iter::once(len().cast(DataType::Int64).alias("__total"))
                .chain(per_rule)
                .collect::<Vec<_>>(),
        )
        .sort_by_exprs(
            [col("__total"), col("team")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let shown = teams.height().min(LIST_LIMIT);
    let mut rows = Vec::with_capacity(shown);
    for r in 0..shown {
        let mut row = vec![teams
            .column("team")?
            .str()?
            .get(r)
            .unwrap_or(DASH)
            .to_string()];
        for c in std::iter::once("__total").chain(Rule::ALL.iter().map(|r| r.name())) {
            row.push(group_thousands(teams.column(c)?.i64()?.get(r).unwrap_or(0)));
        }
        rows.push(row);
    }
    Ok(HtmlTable {
        headers: [label(t, "team"), label(t, "flags")]
            .into_iter()
            .chain(
                Rule::ALL
                    .iter()
                    .map(|r| label(t, &format!("rule_short_{}", r.name()))),
            )
            .collect(),
        rows,
        numeric: std::iter::once(false)
            .chain(std::iter::repeat_n(true, 1 + Rule::ALL.len()))
            .collect(),
        empty: label(t, "none"),
        more: more_text(teams.height(), shown, t),
    })
}

/// The evidence ids, the first [`EVIDENCE_SHOWN`] and a count of the rest.
fn evidence_cell(evidence: &str) -> String {
    let ids: Vec<&str> = evidence.split(';').collect();
    if ids.len() <= EVIDENCE_SHOWN {
        return ids.join("; ");
    }
    format!(
        "{}; … (+{})",
        ids[..EVIDENCE_SHOWN].join("; "),
        ids.len() - EVIDENCE_SHOWN
    )
}

/// Rows of the cases table from `flags` rows `rows`.
fn case_rows(
    flags: &DataFrame,
    rows: &[usize],
    t: &BTreeMap<String, String>,
) -> Result<Vec<Vec<String>>> {
    let text = |c: &str, r: usize| -> Result<String> {
        Ok(flags
            .column(c)?
            .str()?
            .get(r)
            .map_or(DASH.to_string(), str::to_string))
    };
    rows.iter()
        .map(|&r| {
            let rule = text("rule", r)?;
            let rule = Rule::ALL
                .iter()
                .find(|x| x.name() == rule)
                .map_or(rule.clone(), |x| rule_label(*x, t));
            Ok(vec![
                rule,
                text("rep_id", r)?,
                text("customer_id", r)?,
                evidence_cell(&text("evidence", r)?),
                flags
                    .column("amount")?
                    .i64()?
                    .get(r)
                    .map_or(DASH.into(), format_cents_grouped),
                text("detail", r)?,
            ])
        })
        .collect()
}

/// Row indices of the largest cases of each rule: by amount at stake
/// (largest first, none last), then by the number of evidence ids, then by
/// rep; at most `per_rule` per rule, in rule order.
fn top_cases(flags: &DataFrame, per_rule: usize) -> Result<Vec<usize>> {
    let ranked = flags
        .clone()
        .lazy()
        .with_row_index("__row", None)
        .with_column(
            col("evidence")
                .str()
                .count_matches(lit(";"), true)
                .alias("__ids"),
        )
        .sort_by_exprs(
            [col("amount"), col("__ids"), col("rep_id"), col("__row")],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, true, false, false])
                .with_nulls_last(true),
        )
        .group_by_stable([col("rule")])
        .agg([col("__row").head(Some(per_rule))])
        .explode(
            cols(["__row"]),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        )
        .collect()?;
    let order: HashMap<&str, usize> = Rule::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name(), i))
        .collect();
    let rules = ranked.column("rule")?.str()?.clone();
    let rows = ranked.column("__row")?.idx()?.clone();
    let mut picked: Vec<(usize, usize)> = (0..ranked.height())
        .filter_map(|i| {
            let rule = rules.get(i)?;
            Some((*order.get(rule)?, rows.get(i)? as usize))
        })
        .collect();
    // Rule order first; within a rule the ranking above (stable sort).
    picked.sort_by_key(|(rule, _)| *rule);
    Ok(picked.into_iter().map(|(_, row)| row).collect())
}

/// The "Integrity" section of `data`'s report in `lang`.
pub(super) fn integrity(
    data: &ReportData,
    lang: Lang,
    t: &BTreeMap<String, String>,
) -> Result<Integrity> {
    let flags = flags_frame(data, lang)?;
    let team_report = matches!(data.audience, Audience::Team(_));
    let (rows, cases_title) = if team_report {
        (
            top_cases(&flags, TEAM_CASES_PER_RULE)?,
            label(t, "team_flags"),
        )
    } else {
        (top_cases(&flags, CASES_PER_RULE)?, label(t, "top_cases"))
    };
    let cases = HtmlTable {
        headers: [
            "rule",
            "rep_id",
            "customer_id",
            "evidence",
            "amount_at_stake",
            "detail",
        ]
        .iter()
        .map(|k| label(t, k))
        .collect(),
        rows: case_rows(&flags, &rows, t)?,
        numeric: vec![false, false, false, false, true, false],
        empty: label(t, "none"),
        more: if flags.height() > rows.len() {
            format!(
                "{} {}",
                more_text(flags.height(), rows.len(), t),
                label(t, "flags_full_list")
            )
        } else {
            String::new()
        },
    };
    Ok(Integrity {
        by_rule: by_rule(&flags, &data.not_judged, t)?,
        by_team: if team_report {
            HtmlTable::unavailable(String::new())
        } else {
            by_team(&flags, t)?
        },
        cases,
        cases_title,
        note: data
            .not_judged
            .iter()
            .map(|n| not_judged_text(n, t))
            .collect::<Vec<_>>()
            .join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_evidence_is_cut_with_a_count() {
        assert_eq!(evidence_cell("V1;V2"), "V1; V2");
        assert_eq!(evidence_cell("V1;V2;V3;V4;V5"), "V1; V2; V3; … (+2)");
    }
}
