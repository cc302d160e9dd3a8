//! Staff: roles, reps and their teams, each rep's behaviour profile (visit
//! rate, conversion, hires, leavers, legacy reps, discounters) and the `reps`
//! table. The rest of the simulation only reads these profiles.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{add_days, World};
use crate::generate::names::{EN_GIVEN, EN_SURNAMES, GIVEN, SURNAMES, TEAM_NUMERALS};
use crate::generate::sink::V;
use crate::generate::{Out, T};
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Rep,
    Manager,
    Director,
}

impl Role {
    pub(super) fn text(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Director => "director",
        }
    }
}

pub(super) struct Rep {
    pub(super) id: String,
    name: String,
    pub(super) region: usize,
    pub(super) team: usize,
    pub(super) role: Role,
    role_written: bool,
    manager: Option<usize>,
    pub(super) hire: Option<NaiveDate>,
    /// Hire date as written (a few long-serving reps have none).
    hire_written: bool,
    pub(super) leave: Option<NaiveDate>,
    pub(super) hired_in_window: bool,
    pub(super) visit_rate: f64,
    pub(super) conv: f64,
    pub(super) reorder_rate: f64,
    pub(super) legacy: bool,
    pub(super) hunter: f64,
    pub(super) discounter: bool,
    pub(super) win_skill: f64,
    pub(super) opp_rate: f64,
    pub(super) target_factor: f64,
    pub(super) spend: f64,
}

impl Rep {
    pub(super) fn active(&self, d: NaiveDate) -> bool {
        self.hire.is_none_or(|h| h <= d) && self.leave.is_none_or(|l| d <= l)
    }
}

impl World {
    fn person_name(rng: &mut ChaCha8Rng) -> String {
        if rng.gen_bool(0.3) {
            format!(
                "{} {}",
                EN_GIVEN.choose(rng).expect("non-empty"),
                EN_SURNAMES.choose(rng).expect("non-empty")
            )
        } else {
            format!(
                "{}{}",
                SURNAMES.choose(rng).expect("non-empty"),
                GIVEN.choose(rng).expect("non-empty")
            )
        }
    }

    pub(super) fn make_staff(
        &mut self,
        rng: &mut ChaCha8Rng,
        n_reps: usize,
        n_teams: usize,
        n_dirs: usize,
    ) {
        let n_regions = self.regions.len();
        let span = self.span_days();
        // Team t sits in region t mod n_regions; its director covers the region.
        let team_region = |t: usize| t % n_regions;
        let team_director = |t: usize| {
            if n_dirs <= n_regions {
                team_region(t) % n_dirs
            } else {
                t % n_dirs
            }
        };
        let mut per_region_count = vec![0usize; n_regions];
        for t in 0..n_teams {
            let r = team_region(t);
            let k = per_region_count[r];
            per_region_count[r] += 1;
            let numeral = TEAM_NUMERALS
                .get(k)
                .map_or_else(|| format!("{}", k + 1), |s| (*s).to_string());
            self.teams.push(format!("{}{}组", self.regions[r], numeral));
        }
        let n_plain = n_reps.saturating_sub(n_dirs + n_teams);
        // (role, team) in id order: directors, then each team's manager and reps.
        let mut layout: Vec<(Role, usize)> = Vec::with_capacity(n_reps);
        for k in 0..n_dirs {
            layout.push((Role::Director, k % n_teams));
        }
        for t in 0..n_teams {
            layout.push((Role::Manager, t));
            let members = n_plain / n_teams + usize::from(t < n_plain % n_teams);
            for _ in 0..members {
                layout.push((Role::Rep, t));
            }
        }
        let fixed_names = ["张伟", "李娜", "Emily Chen"];
        // Profiles of plain reps in fixed shares (20 % hustlers, 20 % closers,
        // 15 % weak, the rest solid), shuffled, so the mix does not swing
        // with the seed.
        let quota = |share: f64| (n_plain as f64 * share).round() as usize;
        let mut profiles: Vec<u8> = [(0u8, quota(0.2)), (1, quota(0.2)), (3, quota(0.15))]
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect();
        profiles.resize(n_plain.max(profiles.len()), 2);
        profiles.shuffle(rng);
        let mut profiles = profiles.into_iter();
        let mut manager_of_team = vec![0usize; n_teams];
        for (i, &(role, team)) in layout.iter().enumerate() {
            if role == Role::Manager {
                manager_of_team[team] = i;
            }
        }
        for (i, &(role, team)) in layout.iter().enumerate() {
            let name = fixed_names
                .get(i)
                .map_or_else(|| Self::person_name(rng), |s| (*s).to_string());
            let (region, manager) = match role {
                Role::Director => (team_region(i % n_teams.max(1)) % n_regions, None),
                Role::Manager => (team_region(team), Some(team_director(team))),
                Role::Rep => (team_region(team), Some(manager_of_team[team])),
            };
            // Profile: (visits per workday, visit→order conversion, win skill).
            let (visit_rate, conv, win_skill) = match role {
                Role::Director => (0.5, 0.35, 1.1),
                Role::Manager => (
                    rng.gen_range(1.5..2.5),
                    rng.gen_range(0.2..0.3),
                    rng.gen_range(0.95..1.15),
                ),
                Role::Rep => match profiles.next().unwrap_or(2) {
                    // Hustler: many visits, few orders.
                    0 => (
                        rng.gen_range(6.5..8.5),
                        rng.gen_range(0.06..0.11),
                        rng.gen_range(0.75..0.9),
                    ),
                    // Closer: few visits, high conversion.
                    1 => (
                        rng.gen_range(2.0..3.0),
                        rng.gen_range(0.4..0.55),
                        rng.gen_range(1.15..1.3),
                    ),
                    // Solid.
                    2 => (
                        rng.gen_range(4.0..5.5),
                        rng.gen_range(0.17..0.26),
                        rng.gen_range(0.95..1.1),
                    ),
                    // Weak.
                    _ => (
                        rng.gen_range(2.2..3.4),
                        rng.gen_range(0.06..0.1),
                        rng.gen_range(0.7..0.85),
                    ),
                },
            };
            let hire = Some(add_days(self.start, -rng.gen_range(60..3000)));
            let hire_written = !(role == Role::Rep && rng.gen_bool(0.05));
            self.reps.push(Rep {
                id: format!("R{:04}", i + 1),
                name,
                region,
                team,
                role,
                role_written: !(role == Role::Rep && rng.gen_bool(0.1)),
                manager,
                hire,
                hire_written,
                leave: None,
                hired_in_window: false,
                visit_rate,
                conv,
                reorder_rate: 0.2,
                legacy: false,
                hunter: match role {
                    Role::Director => 0.0,
                    Role::Manager => 0.3,
                    Role::Rep => 1.0,
                },
                discounter: false,
                win_skill,
                opp_rate: match role {
                    Role::Director => 0.04,
                    Role::Manager => 0.1,
                    Role::Rep => 0.18,
                },
                target_factor: rng.gen_range(0.85..1.35),
                spend: if rng.gen_bool(0.1) {
                    3.0
                } else {
                    rng.gen_range(0.6..1.6)
                },
            });
        }
        // Hires and leavers among plain reps; then legacy reps, hunters and
        // discounters among the rest.
        let mut plain: Vec<usize> = (0..self.reps.len())
            .filter(|&i| self.reps[i].role == Role::Rep)
            .collect();
        plain.shuffle(rng);
        let n_hire = ((plain.len() as f64 * 0.12).round() as usize)
            .max(1)
            .min(plain.len());
        let n_leave = ((plain.len() as f64 * 0.1).round() as usize)
            .max(1)
            .min(plain.len() - n_hire);
        for (k, &i) in plain.iter().enumerate() {
            let rep = &mut self.reps[i];
            if k < n_hire {
                rep.hire = Some(add_days(self.start, rng.gen_range(45..(span - 60).max(46))));
                rep.hire_written = true;
                rep.hired_in_window = true;
            } else if k < n_hire + n_leave {
                rep.leave = Some(add_days(self.start, rng.gen_range(90..(span - 10).max(91))));
            }
            if !rep.hired_in_window {
                if rng.gen_bool(0.25) {
                    rep.legacy = true;
                    rep.hunter = 0.1;
                    rep.reorder_rate = 0.45;
                    rep.opp_rate = 0.07;
                } else if rng.gen_bool(0.3) {
                    rep.hunter = 2.5;
                    rep.opp_rate = 0.32;
                }
            } else {
                rep.hunter = 2.0;
            }
            rep.discounter = rng.gen_bool(0.15);
        }
        // At least one of each behaviour, whatever the seed.
        if let Some(&i) = plain.get(n_hire + n_leave) {
            let rep = &mut self.reps[i];
            rep.legacy = true;
            rep.hunter = 0.1;
            rep.reorder_rate = 0.45;
            rep.opp_rate = 0.07;
        }
        if let Some(&i) = plain.last() {
            self.reps[i].discounter = true;
        }
    }

    pub(super) fn write_reps(&self, out: &mut Out) -> Result<()> {
        for r in &self.reps {
            out.push(
                T::Reps,
                &[
                    V::t(&r.id),
                    V::t(&r.name),
                    V::t(self.regions[r.region]),
                    V::t(&self.teams[r.team]),
                    V::opt_t(r.manager.map(|m| self.reps[m].id.clone())),
                    V::opt_t(r.role_written.then_some(r.role.text())),
                    V::opt_date(r.hire.filter(|_| r.hire_written)),
                    V::opt_date(r.leave),
                    // Where the person's reports are delivered (SPEC section 1).
                    V::t(format!("{}@example.com", r.id.to_lowercase())),
                ],
            )?;
        }
        Ok(())
    }
}
