//! The plan's tree: company → region → team → rep, each unit with the
//! history its share is drawn from and, once decomposed, its targets.

use std::collections::{BTreeMap, BTreeSet};

use crate::period::{Period, PeriodKind, WorkCalendar};
use crate::{Error, Result};

use super::history::History;
use super::settings::PlanSettings;
use super::staffing::{month_capacity, months_of, ramp_factor, Employment};

/// The share of the base year a rep must have worked for his own pace to
/// count (a quarter: about three months).
pub(crate) const MIN_HISTORY_YEARS: f64 = 0.25;

/// A level of the plan's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// The whole company (the root).
    Company,
    /// A region of the reps table.
    Region,
    /// A team of the reps table (team names are unique across regions, as
    /// the scorecard's team roll-up assumes).
    Team,
    /// One rep who carries a target.
    Rep,
}

impl Level {
    /// The level's name in the explanation table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Company => "company",
            Level::Region => "region",
            Level::Team => "team",
            Level::Rep => "rep",
        }
    }
}

/// One unit of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    /// Its level.
    pub(crate) level: Level,
    /// `company`, the region, the team or the rep_id.
    pub(crate) id: String,
    /// The rep's name; the id for other levels.
    pub(crate) name: String,
    /// Index of the parent unit (`None` for the company).
    pub(crate) parent: Option<usize>,
    /// Indexes of the children, in id order.
    pub(crate) children: Vec<usize>,
    /// Base-year sales in cents; `None` when the unit has no history (no
    /// member employed in the base year, or no orders table).
    pub(crate) history_sales: Option<i64>,
    /// A rep's employed workdays in the base year.
    pub(crate) history_workdays: Option<i64>,
    /// A rep's employment.
    pub(crate) employment: Option<Employment>,
    /// A rep's weight of each month: month shape × the share of the month
    /// he carries (ramp, hire, leave).
    pub(crate) month_weights: [f64; 12],
    /// Rep-years carried in the plan year: a rep's share of the year
    /// (Σ month_weights / Σ shape), a team's or region's sum over its
    /// planned reps.
    pub(crate) capacity: f64,
    /// Rep-years employed in the base year (employed workdays / the base
    /// year's workdays, summed over all members of a team or region);
    /// `None` without history.
    pub(crate) base_capacity: Option<f64>,
    /// Teams and regions: base-year sales of members who carry nothing in
    /// the plan year (left, or of another role), for the explanation.
    pub(crate) departed_sales: i64,
    /// A rep's hire date cuts or ramps some month of the plan year.
    pub(crate) hired_into_year: bool,
    /// A fixed annual sales target from the overrides file (cents).
    pub(crate) fixed: Option<i64>,
    /// The decomposition's result for this unit.
    pub(crate) outcome: Outcome,
}

/// What the decomposition found for a unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Outcome {
    /// History share among its siblings (ratio): base-year pace × plan-year
    /// rep-years over the siblings' sum; `None` when no sibling has
    /// history, so the history part falls back to the equal share.
    pub(crate) history_share: Option<f64>,
    /// Its share of the siblings' plan-year rep-years (ratio).
    pub(crate) equal_share: f64,
    /// `w × history_share + (1 − w) × equal_share` (ratio): its share of
    /// the parent's target before overrides.
    pub(crate) blended_share: f64,
    /// Annual sales target (cents).
    pub(crate) sales_target: i64,
    /// Annual collection target (cents), when asked for.
    pub(crate) collection_target: Option<i64>,
    /// A rep's monthly sales targets (cents), January first.
    pub(crate) month_sales: [i64; 12],
    /// A rep's monthly collection targets (cents).
    pub(crate) month_collection: Option<[i64; 12]>,
}

impl Unit {
    fn new(level: Level, id: &str, name: &str, parent: Option<usize>) -> Unit {
        Unit {
            level,
            id: id.to_string(),
            name: name.to_string(),
            parent,
            children: Vec::new(),
            history_sales: None,
            history_workdays: None,
            employment: None,
            month_weights: [0.0; 12],
            capacity: 0.0,
            base_capacity: None,
            departed_sales: 0,
            hired_into_year: false,
            fixed: None,
            outcome: Outcome::default(),
        }
    }

    /// The unit's base-year productivity: its base-year sales per rep-year
    /// employed then (negative, returns beyond sales, counts as 0); `None`
    /// without history.
    pub(crate) fn productivity(&self) -> Option<f64> {
        let sales = self.history_sales?.max(0) as f64;
        let years = self.base_capacity.filter(|y| *y > 0.0)?;
        Some(sales / years)
    }
}

/// A row of the reps table as the plan needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StaffRow {
    /// rep_id.
    pub(crate) rep_id: String,
    /// rep_name.
    pub(crate) rep_name: String,
    /// region.
    pub(crate) region: String,
    /// team.
    pub(crate) team: String,
    /// role (`rep` when empty).
    pub(crate) role: String,
    /// hire_date and leave_date.
    pub(crate) job: Employment,
}

/// A team or region that sold in the base year and has nobody now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unstaffed {
    /// Team or region.
    pub(crate) level: Level,
    /// Its name.
    pub(crate) id: String,
    /// Its region (a team's) or `company`.
    pub(crate) parent: String,
    /// Its base-year sales (cents).
    pub(crate) sales: i64,
}

/// The tree, units in an arena: index 0 is the company.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    /// Every unit; parents before their children.
    pub(crate) units: Vec<Unit>,
    /// Teams and regions that sold in the base year but have nobody to
    /// carry a target in the plan year.
    pub(crate) unstaffed: Vec<Unstaffed>,
}

/// What the tree is built from.
pub(crate) struct TreeInputs<'a> {
    /// The reps table.
    pub(crate) staff: &'a [StaffRow],
    /// The base year's sales.
    pub(crate) history: &'a History,
    /// Weight of each month of the plan year (> 0 somewhere).
    pub(crate) shape: &'a [f64; 12],
    /// The plan year.
    pub(crate) year: i32,
    /// Workday calendar.
    pub(crate) calendar: &'a WorkCalendar,
    /// `[plan]` settings.
    pub(crate) settings: &'a PlanSettings,
}

impl Tree {
    /// Builds the tree of everyone who carries a target in the plan year:
    /// reps of a planned role employed on at least one day of it with some
    /// share of a month to carry. Teams and regions hold their planned reps;
    /// their history is the base-year sales of all their members, planned or
    /// not (a leaver's customers stay with the team).
    ///
    /// Errors: nobody to plan for; a team found in two regions.
    pub(crate) fn build(inputs: &TreeInputs<'_>) -> Result<Tree> {
        let months = months_of(inputs.year);
        let base = inputs.history.base;
        let shape_sum: f64 = inputs.shape.iter().sum();
        let mut team_region: BTreeMap<&str, &str> = BTreeMap::new();
        for s in inputs.staff {
            if let Some(other) = team_region.insert(&s.team, &s.region) {
                if other != s.region {
                    return Err(Error::Invalid(format!(
                        "reps: team `{}` is in regions `{other}` and `{}`; a plan (like the team roll-up) needs each team name in one region",
                        s.team, s.region
                    )));
                }
            }
        }
        // Base-year sales and rep-years per team and region, over all members.
        // A rep-year of the base year counts the ramp as the plan year does,
        // so a rep hired late in it is measured at his ramped pace.
        let base_months: Vec<Period> = std::iter::successors(
            Some(Period::containing(PeriodKind::Month, base.start)),
            |m| Some(m.next()),
        )
        .take(12)
        .collect();
        let base_years = |job: &Employment| {
            base_months
                .iter()
                .map(|m| month_capacity(job, m, inputs.calendar, inputs.settings.ramp_months))
                .sum::<f64>()
                / 12.0
        };
        let base_workdays = inputs.calendar.workdays(base.start, base.end).max(1) as f64;
        let mut unit_history: BTreeMap<(Level, &str), (i64, f64)> = BTreeMap::new();
        for s in inputs.staff {
            let sales = inputs
                .history
                .rep_sales
                .get(&s.rep_id)
                .copied()
                .unwrap_or(0);
            for key in [
                (Level::Region, s.region.as_str()),
                (Level::Team, s.team.as_str()),
            ] {
                let entry = unit_history.entry(key).or_insert((0, 0.0));
                entry.0 += sales;
                entry.1 += base_years(&s.job);
            }
        }
        let has_orders = inputs.history.first_order.is_some();
        let mut planned: Vec<Unit> = Vec::new();
        for s in inputs.staff {
            let role = if s.role.trim().is_empty() {
                "rep"
            } else {
                s.role.trim()
            };
            if !inputs.settings.roles.iter().any(|r| r == role) {
                continue;
            }
            let mut weights = [0.0; 12];
            for (w, (m, shape)) in weights.iter_mut().zip(months.iter().zip(inputs.shape)) {
                *w =
                    shape * month_capacity(&s.job, m, inputs.calendar, inputs.settings.ramp_months);
            }
            let carried: f64 = weights.iter().sum();
            if carried <= 0.0 {
                continue;
            }
            let mut rep = Unit::new(Level::Rep, &s.rep_id, &s.rep_name, None);
            let workdays = s.job.workdays(inputs.calendar, base.start, base.end);
            if has_orders && workdays > 0 {
                rep.history_workdays = Some(workdays);
            }
            // A pace measured over a few weeks (a hire just before as_of)
            // says nothing yet: under a quarter of the base year, the rep
            // counts at his teammates' mean pace.
            if has_orders && workdays as f64 / base_workdays >= MIN_HISTORY_YEARS {
                rep.base_capacity = Some(base_years(&s.job));
                rep.history_sales = Some(
                    inputs
                        .history
                        .rep_sales
                        .get(&s.rep_id)
                        .copied()
                        .unwrap_or(0),
                );
            }
            rep.employment = Some(s.job);
            rep.month_weights = weights;
            rep.capacity = carried / shape_sum;
            rep.hired_into_year = s.job.hire.is_some_and(|h| {
                h > months[0].start
                    || ramp_factor(Some(h), months[0].start, inputs.settings.ramp_months) < 1.0
            });
            planned.push(rep);
        }
        if planned.is_empty() {
            return Err(Error::Usage(format!(
                "nobody carries a target in {}: no rep of the roles {:?} ([plan] roles) is employed in that year",
                inputs.year, inputs.settings.roles
            )));
        }
        // Group: region → team → reps, each in id order.
        let mut grouped: BTreeMap<&str, BTreeMap<&str, Vec<Unit>>> = BTreeMap::new();
        let region_of: BTreeMap<&str, (&str, &str)> = inputs
            .staff
            .iter()
            .map(|s| (s.rep_id.as_str(), (s.region.as_str(), s.team.as_str())))
            .collect();
        for rep in planned {
            let (region, team) = region_of[rep.id.as_str()];
            grouped
                .entry(region)
                .or_default()
                .entry(team)
                .or_default()
                .push(rep);
        }
        let mut units = vec![Unit::new(Level::Company, "company", "company", None)];
        let set_history = |unit: &mut Unit, level: Level, id: &str| {
            if let (true, Some((sales, years))) = (has_orders, unit_history.get(&(level, id))) {
                if *years > 0.0 || *sales != 0 {
                    unit.history_sales = Some(*sales);
                    unit.base_capacity = Some(*years);
                }
            }
        };
        for (region, teams) in grouped {
            let r = push_child(&mut units, 0, Level::Region, region);
            set_history(&mut units[r], Level::Region, region);
            for (team, mut reps) in teams {
                let t = push_child(&mut units, r, Level::Team, team);
                set_history(&mut units[t], Level::Team, team);
                reps.sort_by(|a, b| a.id.cmp(&b.id));
                for mut rep in reps {
                    rep.parent = Some(t);
                    units[t].capacity += rep.capacity;
                    units[r].capacity += rep.capacity;
                    units[0].capacity += rep.capacity;
                    units.push(rep);
                    let i = units.len() - 1;
                    units[t].children.push(i);
                }
            }
        }
        if has_orders {
            units[0].history_sales = Some(inputs.history.total());
            units[0].base_capacity = Some(inputs.staff.iter().map(|s| base_years(&s.job)).sum());
        }
        let carried: BTreeSet<&str> = units
            .iter()
            .filter(|u| u.level == Level::Rep)
            .map(|u| u.id.as_str())
            .collect();
        let mut departed: BTreeMap<(Level, String), i64> = BTreeMap::new();
        for s in inputs
            .staff
            .iter()
            .filter(|s| !carried.contains(s.rep_id.as_str()))
        {
            let sales = inputs
                .history
                .rep_sales
                .get(&s.rep_id)
                .copied()
                .unwrap_or(0);
            *departed
                .entry((Level::Region, s.region.clone()))
                .or_default() += sales;
            *departed.entry((Level::Team, s.team.clone())).or_default() += sales;
        }
        for u in units.iter_mut() {
            u.departed_sales = departed.get(&(u.level, u.id.clone())).copied().unwrap_or(0);
        }
        let unstaffed = unit_history
            .iter()
            .filter(|((level, id), (sales, _))| {
                *sales != 0 && !units.iter().any(|u| u.level == *level && u.id == *id)
            })
            .map(|((level, id), (sales, _))| Unstaffed {
                level: *level,
                id: id.to_string(),
                parent: match level {
                    Level::Team => team_region.get(id).map_or("", |r| r).to_string(),
                    _ => "company".into(),
                },
                sales: *sales,
            })
            .collect();
        Ok(Tree { units, unstaffed })
    }

    /// The index of the unit `id` at `level`.
    pub(crate) fn find(&self, level: Level, id: &str) -> Option<usize> {
        self.units
            .iter()
            .position(|u| u.level == level && u.id == id)
    }

    /// Indexes of the units at `level`, in tree order.
    pub(crate) fn at(&self, level: Level) -> impl Iterator<Item = usize> + '_ {
        (0..self.units.len()).filter(move |i| self.units[*i].level == level)
    }
}

fn push_child(units: &mut Vec<Unit>, parent: usize, level: Level, id: &str) -> usize {
    units.push(Unit::new(level, id, id, Some(parent)));
    let i = units.len() - 1;
    units[parent].children.push(i);
    i
}
