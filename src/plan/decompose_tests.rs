//! Hand-worked decompositions (docs/plan.md, "A worked example").
//!
//! The company: region North with teams N1 (A, B) and N2 (C); region South
//! with team S1 (D, who leaves on 2027-03-31, and E, hired 2027-07-01).
//! Base year 2026 (as_of 2026-12-31), sales A 600,000, B 200,000,
//! C 200,000, D 1,000,000, E none; everyone but E worked all of 2026.
//! history_weight 0.5, ramp 1 month, months weighted equally.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::period::WorkCalendar;
use crate::plan::history::{BaseYear, History};
use crate::plan::settings::PlanSettings;
use crate::plan::staffing::Employment;
use crate::plan::tree::{StaffRow, TreeInputs};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn staff() -> Vec<StaffRow> {
    let row = |id: &str, region: &str, team: &str, hire: &str, leave: Option<&str>| StaffRow {
        rep_id: id.into(),
        rep_name: format!("Rep {id}"),
        region: region.into(),
        team: team.into(),
        role: "rep".into(),
        job: Employment {
            hire: Some(d(hire)),
            leave: leave.map(d),
        },
    };
    vec![
        row("A", "North", "N1", "2020-01-01", None),
        row("B", "North", "N1", "2020-01-01", None),
        row("C", "North", "N2", "2020-01-01", None),
        row("D", "South", "S1", "2020-01-01", Some("2027-03-31")),
        row("E", "South", "S1", "2027-07-01", None),
    ]
}

fn history() -> History {
    let base = BaseYear::of(d("2026-12-31"));
    let mut h = History::none(base);
    h.first_order = Some(d("2025-01-02"));
    h.last_order = Some(d("2026-12-30"));
    for (rep, units) in [
        ("A", 600_000),
        ("B", 200_000),
        ("C", 200_000),
        ("D", 1_000_000),
    ] {
        h.rep_sales.insert(rep.to_string(), units * 100);
    }
    // The month shape is given directly below; months only need a total.
    h.month_sales = [2_000_000 * 100 / 12; 12];
    h
}

fn tree(overrides: &[(Level, &str, i64)]) -> Tree {
    let staff = staff();
    let history = history();
    let settings = PlanSettings {
        history_weight: 0.5,
        ramp_months: 1,
        ..PlanSettings::default()
    };
    let calendar = WorkCalendar::new(std::collections::HashMap::new());
    let mut tree = Tree::build(&TreeInputs {
        staff: &staff,
        history: &history,
        shape: &[1.0; 12],
        year: 2027,
        calendar: &calendar,
        settings: &settings,
    })
    .unwrap();
    for (level, id, cents) in overrides {
        let i = tree.find(*level, id).unwrap();
        tree.units[i].fixed = Some(*cents);
    }
    tree
}

fn targets(tree: &Tree) -> BTreeMap<String, i64> {
    tree.units
        .iter()
        .map(|u| (u.id.clone(), u.outcome.sales_target))
        .collect()
}

#[test]
fn three_levels_with_a_leaver_and_a_new_hire() {
    let mut t = tree(&[]);
    decompose(&mut t, 120_000_000, Some(108_000_000), 0.5).unwrap();
    let got = targets(&t);
    // Regions: history 1.0M each → 0.5 each; 1,200,000.00 / 2.
    assert_eq!(got["North"], 60_000_000);
    assert_eq!(got["South"], 60_000_000);
    // Teams of North: history 0.8 / 0.2 → 0.5 × 0.8 + 0.5 × 0.5 = 0.65.
    assert_eq!(got["N1"], 39_000_000);
    assert_eq!(got["N2"], 21_000_000);
    // Reps of N1: rates 600k and 200k per 261 workdays → 0.75 / 0.25,
    // blended 0.625 / 0.375.
    assert_eq!(got["A"], 24_375_000);
    assert_eq!(got["B"], 14_625_000);
    assert_eq!(got["C"], 21_000_000);
    // S1: E has no history and counts at D's rate: blended 0.5 each. D
    // carries January..March (3/12), E July at half (ramp) and August..
    // December (5.5/12): D 3/8.5 = 6/17 of 60,000,000 = 21,176,470.59, E
    // 11/17 = 38,823,529.41; the leftover cent goes to D's .59.
    assert_eq!(got["D"], 21_176_471);
    assert_eq!(got["E"], 38_823_529);
    let rep = |id: &str| &t.units[t.find(Level::Rep, id).unwrap()].outcome;
    // D's months: 7,058,823.67 each; the two leftover cents to January and
    // February (equal remainders: the earlier month first); nothing after
    // he leaves.
    assert_eq!(
        rep("D").month_sales,
        [7_058_824, 7_058_824, 7_058_823, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    // E's months: July 0.5 / 5.5 → 3,529,411.73, the others 7,058,823.45;
    // three leftover cents to July (.73), August and September.
    assert_eq!(
        rep("E").month_sales,
        [0, 0, 0, 0, 0, 0, 3_529_412, 7_058_824, 7_058_824, 7_058_823, 7_058_823, 7_058_823]
    );
    assert_eq!(rep("A").month_sales, [2_031_250; 12]);
    // Collections: 90 % of 1,200,000.00 down the same tree by sales.
    assert_eq!(rep("A").collection_target, Some(21_937_500));
    assert_eq!(rep("B").collection_target, Some(13_162_500));
    // 54,000,000 × 21,176,471 / 60,000,000 = 19,058,823.9 → D takes the cent.
    assert_eq!(rep("D").collection_target, Some(19_058_824));
    assert_eq!(rep("E").collection_target, Some(34_941_176));
}

#[test]
fn children_sum_to_their_parent_at_every_level() {
    let mut t = tree(&[]);
    decompose(&mut t, 98_765_432_101, Some(87_654_321), 0.7).unwrap();
    for u in &t.units {
        if u.children.is_empty() {
            assert_eq!(
                u.outcome.month_sales.iter().sum::<i64>(),
                u.outcome.sales_target
            );
            let months = u.outcome.month_collection.unwrap();
            assert_eq!(
                Some(months.iter().sum::<i64>()),
                u.outcome.collection_target
            );
        } else {
            let sales: i64 = u
                .children
                .iter()
                .map(|c| t.units[*c].outcome.sales_target)
                .sum();
            assert_eq!(sales, u.outcome.sales_target, "{}", u.id);
            let coll: i64 = u
                .children
                .iter()
                .map(|c| t.units[*c].outcome.collection_target.unwrap())
                .sum();
            assert_eq!(Some(coll), u.outcome.collection_target, "{}", u.id);
        }
    }
}

#[test]
fn overrides_are_honoured_and_the_rest_respread() {
    // N2 fixed at 300,000.00 and A at 200,000.00: the free 700,000.00 goes
    // to B (full weight 0.5 × 0.65 × 0.375 = 0.121875) and South (0.5):
    // B 13,718,592.96 → 13,718,593 (the larger remainder), South the rest.
    let mut t = tree(&[
        (Level::Team, "N2", 30_000_000),
        (Level::Rep, "A", 20_000_000),
    ]);
    decompose(&mut t, 120_000_000, None, 0.5).unwrap();
    let got = targets(&t);
    assert_eq!(got["N2"], 30_000_000);
    assert_eq!(got["C"], 30_000_000);
    assert_eq!(got["A"], 20_000_000);
    assert_eq!(got["B"], 13_718_593);
    assert_eq!(got["N1"], 33_718_593);
    assert_eq!(got["North"], 63_718_593);
    assert_eq!(got["South"], 56_281_407);
    assert_eq!(got["D"] + got["E"], 56_281_407);
}

#[test]
fn overrides_beyond_the_total_or_fixing_everything_are_refused() {
    let mut t = tree(&[(Level::Region, "North", 130_000_000)]);
    let e = decompose(&mut t, 120_000_000, None, 0.5)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "overrides under the company sum to 1,300,000.00, more than its target 1,200,000.00"
        ),
        "{e}"
    );
    let mut t = tree(&[
        (Level::Team, "N1", 100),
        (Level::Rep, "A", 40),
        (Level::Rep, "B", 50),
    ]);
    let e = decompose(&mut t, 120_000_000, None, 0.5)
        .unwrap_err()
        .to_string();
    assert!(e.contains("every unit under team `N1` is fixed by the overrides and they sum to 0.90, not its target 1.00"), "{e}");
}

#[test]
fn without_history_every_level_splits_equally() {
    let mut t = tree(&[]);
    for u in t.units.iter_mut() {
        u.history_sales = None;
        u.history_workdays = None;
    }
    decompose(&mut t, 120_000_000, None, 0.7).unwrap();
    let got = targets(&t);
    assert_eq!(got["North"], 60_000_000);
    assert_eq!(got["N1"], 30_000_000);
    assert_eq!(got["A"], 15_000_000);
    let d = &t.units[t.find(Level::Rep, "D").unwrap()];
    assert_eq!(d.outcome.history_share, None);
    assert_eq!(d.outcome.blended_share, 0.5);
}
