//! Who a report is for, which decides what it holds: the company report
//! (bounded whatever the number of reps: teams, regions, top and bottom
//! reps, exceptions with counts), a region's report for its director (the
//! region's teams and reps, bounded likewise) and a team's report for its
//! manager (the team's reps only, each with their own page). Commission and
//! performance data are personal, so a team or region report never holds
//! another team's or region's reps.

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::Result;

/// The reader of a report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Audience {
    /// The whole company: no rep pages, reps only as top and bottom N.
    Company,
    /// One region (`reps.region`), for its director.
    Region(String),
    /// One team (`reps.team`), for its manager: every rep with a page.
    Team(String),
}

/// Which reports a run writes, as named in config and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AudienceKind {
    /// The company report.
    Company,
    /// One report per region.
    Regions,
    /// One report per team.
    Teams,
}

impl Audience {
    /// The rows of a rep-level table (with `team` and `region` columns) this
    /// audience may see; `None` for the company, which sees all.
    pub(crate) fn rep_filter(&self) -> Option<Expr> {
        match self {
            Audience::Company => None,
            Audience::Region(r) => Some(col("region").eq(lit(r.clone()))),
            Audience::Team(t) => Some(col("team").eq(lit(t.clone()))),
        }
    }

    /// Whether the report carries one page per rep (team reports only: a
    /// company of 800 reps gets no 850-page report).
    pub(crate) fn has_rep_pages(&self) -> bool {
        matches!(self, Audience::Team(_))
    }

    /// The group's name (empty for the company).
    pub(crate) fn name(&self) -> &str {
        match self {
            Audience::Company => "",
            Audience::Region(n) | Audience::Team(n) => n,
        }
    }

    /// The catalogue key of the audience's heading word ("Team", "Region").
    pub(crate) fn label_key(&self) -> &'static str {
        match self {
            Audience::Company => "company",
            Audience::Region(_) => "region",
            Audience::Team(_) => "team",
        }
    }
}

/// The audiences of `kinds` over a rep scorecard: the company, then every
/// region and team that has reps, in name order. A rep with an empty team
/// or region belongs to no team or region report (the company report holds
/// them).
pub(crate) fn audiences(kinds: &[AudienceKind], reps: &DataFrame) -> Result<Vec<Audience>> {
    let names = |column: &str| -> Result<BTreeSet<String>> {
        Ok(reps
            .column(column)?
            .str()?
            .iter()
            .flatten()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string)
            .collect())
    };
    let mut out = Vec::new();
    if kinds.contains(&AudienceKind::Company) {
        out.push(Audience::Company);
    }
    if kinds.contains(&AudienceKind::Regions) {
        out.extend(names("region")?.into_iter().map(Audience::Region));
    }
    if kinds.contains(&AudienceKind::Teams) {
        out.extend(names("team")?.into_iter().map(Audience::Team));
    }
    Ok(out)
}

/// File names of the reports of `audiences`, relative to the period's
/// folder: `report_<lang>.<ext>` for the company, `regions/<region>.<lang>.<ext>`
/// and `teams/<team>.<lang>.<ext>` for the others. A `/` or `\` in a name
/// becomes `_`, a name that is only dots becomes `_`, and two names that
/// would then collide get `-2`, `-3`… in name order, so no report
/// overwrites another.
pub(crate) fn file_stems(audiences: &[Audience]) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    audiences
        .iter()
        .map(|a| {
            let (folder, name) = match a {
                Audience::Company => return "report".to_string(),
                Audience::Region(n) => ("regions", n),
                Audience::Team(n) => ("teams", n),
            };
            let mut safe: String = name
                .chars()
                .map(|c| {
                    if matches!(c, '/' | '\\' | '\0') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            if safe.trim_matches('.').is_empty() {
                safe = "_".into();
            }
            let mut stem = format!("{folder}/{safe}");
            let mut n = 2;
            while !taken.insert(stem.to_lowercase()) {
                stem = format!("{folder}/{safe}-{n}");
                n += 1;
            }
            stem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_become_safe_distinct_file_names() {
        let stems = file_stems(&[
            Audience::Company,
            Audience::Team("North/East".into()),
            Audience::Team("North_East".into()),
            Audience::Team("..".into()),
            Audience::Region("华东".into()),
        ]);
        assert_eq!(
            stems,
            [
                "report",
                "teams/North_East",
                "teams/North_East-2",
                "teams/_",
                "regions/华东"
            ]
        );
    }

    #[test]
    fn audiences_follow_the_reps_table() {
        let reps = df!(
            "rep_id" => ["R1", "R2", "R3"],
            "team" => [Some("T2"), Some("T1"), None],
            "region" => [Some("N"), Some("N"), Some("S")],
        )
        .unwrap();
        let all = audiences(
            &[
                AudienceKind::Company,
                AudienceKind::Regions,
                AudienceKind::Teams,
            ],
            &reps,
        )
        .unwrap();
        assert_eq!(
            all,
            [
                Audience::Company,
                Audience::Region("N".into()),
                Audience::Region("S".into()),
                Audience::Team("T1".into()),
                Audience::Team("T2".into()),
            ]
        );
    }
}
