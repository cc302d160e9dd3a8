//! Reports for every reader (issue 18): the company report is bounded
//! whatever the number of reps (top and bottom N, no rep pages), a team
//! report holds only its team's reps, each with a page, and a region report
//! only its region's reps.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// rep_id → (team, region) from a generated reps.csv.
fn membership(data: &Path) -> BTreeMap<String, (String, String)> {
    reps_column(data, &["team", "region"])
        .into_iter()
        .map(|(id, mut v)| {
            let region = v.pop().unwrap();
            (id, (v.pop().unwrap(), region))
        })
        .collect()
}

/// rep_id → rep_name from a generated reps.csv.
fn rep_names(data: &Path) -> BTreeMap<String, String> {
    reps_column(data, &["rep_name"])
        .into_iter()
        .map(|(id, mut v)| (id, v.pop().unwrap()))
        .collect()
}

/// rep_id → the values of `columns` from a generated reps.csv.
fn reps_column(data: &Path, columns: &[&str]) -> BTreeMap<String, Vec<String>> {
    let rows = csv_rows(&std::fs::read_to_string(data.join("reps.csv")).unwrap());
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    rows[1..]
        .iter()
        .map(|r| {
            let values = columns.iter().map(|c| r[at(c)].clone()).collect();
            (r[at("rep_id")].clone(), values)
        })
        .collect()
}

/// The texts of the first chart of a page (sales against target).
fn first_chart(html: &str) -> BTreeSet<String> {
    let svg = html.split("<svg").nth(1).unwrap();
    texts_of(svg.split("</svg>").next().unwrap())
}

/// Every text drawn in an SVG or written in a page's elements, trimmed.
fn texts_of(markup: &str) -> BTreeSet<String> {
    markup
        .split('>')
        .skip(1)
        .filter_map(|t| t.split('<').next())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The October 2026 reports of `audiences` on `data`, in English HTML
/// with `top_n`, in a new temporary folder.
fn english_html_reports(data: &Path, audiences: &str, top_n: usize) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--out",
        out.path().to_str().unwrap(),
        "--audience",
        audiences,
        "--format",
        "html",
        "--lang",
        "en",
        "--top-n",
        &top_n.to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn team_names(teams: &BTreeSet<&String>) -> BTreeSet<String> {
    teams.iter().map(|t| t.to_string()).collect()
}

/// Every rep id named anywhere in a page.
fn rep_ids_in(html: &str, known: &BTreeMap<String, (String, String)>) -> BTreeSet<String> {
    known
        .keys()
        .filter(|id| html.contains(id.as_str()))
        .cloned()
        .collect()
}

/// A flag as the reports are checked for it: (rule, rep_id, first evidence
/// id).
type Flag = (String, String, String);

/// Every row of `salesops flags` on the data of October 2026, in the
/// table's order.
fn flags_of(data: &Path) -> Vec<Flag> {
    flag_rows(data, "2026-10", "2026-10-31")
        .into_iter()
        .map(|r| {
            let first = r[4].split(';').next().unwrap().to_string();
            (r[1].clone(), r[2].clone(), first)
        })
        .collect()
}

#[test]
fn team_and_region_reports_hold_only_their_own_reps() {
    let data = tempfile::tempdir().unwrap();
    let o = run(&[
        "generate",
        "--scale",
        "1",
        "--out",
        data.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = english_html_reports(data.path(), "company,teams,regions", 3);
    let reps = membership(data.path());
    let names = rep_names(data.path());
    let flags = flags_of(data.path());
    let teams: BTreeSet<&String> = reps.values().map(|(t, _)| t).collect();
    let regions: BTreeSet<&String> = reps.values().map(|(_, r)| r).collect();
    assert!(teams.len() >= 5, "{teams:?}");

    for team in &teams {
        let html = std::fs::read_to_string(out.path().join(format!("teams/{team}.en.html")))
            .unwrap_or_else(|e| panic!("team {team}: {e}"));
        let members: BTreeSet<String> = reps
            .iter()
            .filter(|(_, (t, _))| t == *team)
            .map(|(id, _)| id.clone())
            .collect();
        let named = rep_ids_in(&html, &reps);
        let strangers: Vec<&String> = named.difference(&members).collect();
        assert!(strangers.is_empty(), "team {team} names {strangers:?}");
        // Its charts call reps by name, and only its own: no other
        // team's rep name is drawn (names that are part of a member's name
        // or the team's cannot tell and are skipped).
        let chart = first_chart(&html);
        let texts = texts_of(&html);
        for id in &members {
            assert!(
                chart.contains(&names[id]) || chart.contains(&format!("{} ({id})", names[id])),
                "team {team}: {id} ({}) not named in its chart",
                names[id]
            );
        }
        let member_names: Vec<&String> = members.iter().map(|id| &names[id]).collect();
        for (id, name) in &names {
            let ambiguous = member_names.iter().any(|m| m.contains(name.as_str()))
                || team.contains(name.as_str());
            if !members.contains(id) && !ambiguous {
                assert!(
                    !texts
                        .iter()
                        .any(|t| t == name || t.starts_with(&format!("{name} ("))),
                    "team {team} draws {name} ({id}) of another team"
                );
            }
        }
        // Each of its reps has a page.
        assert_eq!(
            html.matches("<section class=\"rep\">").count(),
            members.len(),
            "team {team}"
        );
        assert!(
            html.contains(&format!("Team · {team}")),
            "team {team} heading"
        );
        // Its integrity flags, and no other team's: the first evidence id
        // of each flag (a visit, order or opportunity of the credited rep).
        // Every rule the team has flags of shows at least one of them.
        let (own, others): (Vec<&Flag>, Vec<&Flag>) =
            flags.iter().partition(|(_, rep, _)| members.contains(rep));
        let rules: BTreeSet<&String> = own.iter().map(|(rule, _, _)| rule).collect();
        for rule in rules {
            assert!(
                own.iter()
                    .any(|(r, _, first)| r == rule && html.contains(first.as_str())),
                "team {team} shows no {rule} flag"
            );
        }
        for (_, rep, first) in &others {
            let shared = own.iter().any(|(_, _, f)| f == first);
            assert!(
                shared || !html.contains(first.as_str()),
                "team {team} shows flag {first} of {rep}"
            );
        }
    }
    assert!(!flags.is_empty(), "the generated data raises some flags");
    for region in &regions {
        let html = std::fs::read_to_string(out.path().join(format!("regions/{region}.en.html")))
            .unwrap_or_else(|e| panic!("region {region}: {e}"));
        let strangers: Vec<String> = rep_ids_in(&html, &reps)
            .into_iter()
            .filter(|id| reps[id].1 != **region)
            .collect();
        assert!(strangers.is_empty(), "region {region} names {strangers:?}");
        assert!(
            !html.contains("<section class=\"rep\">"),
            "region {region} has rep pages"
        );
    }
    // The company report: no rep pages, reps only as the top and bottom 3.
    let company = std::fs::read_to_string(out.path().join("report_2026-10_en.html")).unwrap();
    assert!(!company.contains("<section class=\"rep\">"));
    assert!(company.contains("Top 3 reps by sales attainment"));
    assert!(company.contains("Bottom 3 reps by sales attainment"));
    let board = company
        .split("Top 3 reps by sales attainment")
        .nth(1)
        .unwrap()
        .split("<h3>")
        .next()
        .unwrap();
    assert_eq!(board.matches("<tr>").count(), 1 + 3, "header + 3 reps");
    // With all 6 teams fitting 2 × 3, its team charts draw every team;
    // with top_n 2 they draw the top and bottom 2 and say so.
    assert_eq!(teams.len(), 6, "{teams:?}");
    assert_eq!(
        first_chart(&company)
            .intersection(&team_names(&teams))
            .count(),
        6
    );
    assert!(!company.contains("Top 3 and bottom 3"));
    let cut = english_html_reports(data.path(), "company", 2);
    let company = std::fs::read_to_string(cut.path().join("report_2026-10_en.html")).unwrap();
    assert!(company.contains("Top 2 and bottom 2 of 6 by sales."));
    assert_eq!(
        first_chart(&company)
            .intersection(&team_names(&teams))
            .count(),
        4
    );
}
