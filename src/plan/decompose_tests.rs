//! Hand-worked decompositions (docs/plan.md, "A worked example").
//!
//! The company: region North with teams N1 (A, B) and N2 (C); region South
//! with team S1 (D, who leaves on 2027-03-31, and E, hired 2027-07-01).
//! Base year 2026 (as_of 2026-12-31), sales A 600,000, B 200,000,
//! C 200,000, D 1,000,000, E none; everyone but E worked all of 2026.
//! history_weight 0.5, ramp 1 month, months weighted equally. The values
//! are derived in fractions in each test; the cents follow from the
//! largest remainder.

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
    // Capacity in 2027 (rep-years): A, B, C 1 each; D January–March 1/4;
    // E half of July (ramp) and August–December, 5.5/12 = 11/24. North 3,
    // South 17/24. Base year: everyone but E 1 rep-year.
    // Regions: at last year's pace North 1.2M/3 × 3 = 1.2M, South
    // 1.2M/1 × 17/24 = 0.85M → history 24/41, 17/41; rep-years 72/89,
    // 17/89; blended ½ (24/41 + 72/89) = 2544/3649 → North
    // 120,000,000 × 2544/3649 = 83,661,277.06.
    assert_eq!(got["North"], 83_661_277);
    assert_eq!(got["South"], 36_338_723);
    // North's teams: history 0.8 / 0.2, rep-years 2/3, 1/3 → 11/15, 4/15.
    assert_eq!(got["N1"], 61_351_603);
    assert_eq!(got["N2"], 22_309_674);
    // N1's reps: history 0.75 / 0.25, equal 0.5 → 5/8, 3/8.
    assert_eq!(got["A"], 38_344_752);
    assert_eq!(got["B"], 23_006_851);
    assert_eq!(got["C"], 22_309_674);
    // S1: E has no history and counts at D's pace: both shares are the
    // rep-years, 1/4 : 11/24 = 6 : 11. D 36,338,723 × 6/17 =
    // 12,825,431.65, E 23,513,291.35: the leftover cent goes to D's .65.
    assert_eq!(got["D"], 12_825_432);
    assert_eq!(got["E"], 23_513_291);
    let rep = |id: &str| &t.units[t.find(Level::Rep, id).unwrap()].outcome;
    // D's months: 4,275,144 each (exact); nothing after he leaves.
    assert_eq!(
        rep("D").month_sales,
        [4_275_144, 4_275_144, 4_275_144, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    // E's months: July weighs 1, August–December 2 each (of 11):
    // 2,137,571.91 and 4,275,143.82; the five leftover cents go to July
    // (.91), then August–November (.82 each, the earlier first).
    assert_eq!(
        rep("E").month_sales,
        [0, 0, 0, 0, 0, 0, 2_137_572, 4_275_144, 4_275_144, 4_275_144, 4_275_144, 4_275_143]
    );
    // A: 38,344,752 / 12 = 3,195,396 exactly.
    assert_eq!(rep("A").month_sales, [3_195_396; 12]);
    // Collections: 90 % of 1,200,000.00 down the same tree by sales.
    assert_eq!(rep("A").collection_target, Some(34_510_276));
    assert_eq!(rep("B").collection_target, Some(20_706_166));
    assert_eq!(rep("D").collection_target, Some(11_542_889));
    assert_eq!(rep("E").collection_target, Some(21_161_962));
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
    // to B (weight 2544/3649 × 11/15 × 3/8) and South (1105/3649): B
    // 27,137,316.x, South the rest.
    let mut t = tree(&[
        (Level::Team, "N2", 30_000_000),
        (Level::Rep, "A", 20_000_000),
    ]);
    decompose(&mut t, 120_000_000, None, 0.5).unwrap();
    let got = targets(&t);
    assert_eq!(got["N2"], 30_000_000);
    assert_eq!(got["C"], 30_000_000);
    assert_eq!(got["A"], 20_000_000);
    assert_eq!(got["B"], 27_137_316);
    assert_eq!(got["N1"], 47_137_316);
    assert_eq!(got["North"], 77_137_316);
    assert_eq!(got["South"], 42_862_684);
    assert_eq!(got["D"] + got["E"], 42_862_684);
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
fn without_history_every_level_splits_by_rep_years() {
    let mut t = tree(&[]);
    for u in t.units.iter_mut() {
        u.history_sales = None;
        u.history_workdays = None;
        u.base_capacity = None;
    }
    decompose(&mut t, 120_000_000, None, 0.7).unwrap();
    let got = targets(&t);
    // Shares of the rep-years: North 3 of 3 + 17/24 = 72/89.
    assert_eq!(got["North"], 97_078_652);
    assert_eq!(got["N1"], 64_719_101);
    assert_eq!(got["A"], 32_359_551);
    let d = &t.units[t.find(Level::Rep, "D").unwrap()];
    assert_eq!(d.outcome.history_share, None);
    assert!((d.outcome.blended_share - 6.0 / 17.0).abs() < 1e-12);
}
