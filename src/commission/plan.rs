//! The commission plan (SPEC section 5), declared in a TOML file and checked
//! before anything is computed. Fractions (tier bounds, rates, the pool
//! share) are held as exact integer parts per million, money as cents, so
//! every payout is integer arithmetic.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::{Error, Result};

/// Parts per million: the scale of every fraction in a checked plan.
pub(crate) const PPM: i64 = 1_000_000;

/// What the commission is paid on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Basis {
    /// Cash received in the period, refunds deducted (the default).
    #[default]
    CollectedAmount,
    /// Sales of live order lines in the period.
    SalesAmount,
    /// Sales minus cost of live order lines in the period.
    GrossMargin,
}

impl Basis {
    /// The scorecard column holding the basis.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Basis::CollectedAmount => "collected_amount",
            Basis::SalesAmount => "sales_amount",
            Basis::GrossMargin => "gross_margin",
        }
    }

    /// The scorecard column holding the basis's target, if the contract has one.
    pub(crate) fn target_column(self) -> Option<&'static str> {
        match self {
            Basis::CollectedAmount => Some("collection_target"),
            Basis::SalesAmount => Some("sales_target"),
            Basis::GrossMargin => None,
        }
    }
}

/// How tier rates apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Mode {
    /// Like tax brackets: each slice of the basis at its own tier's rate.
    #[default]
    Marginal,
    /// The whole basis at the rate of the highest tier reached.
    Retroactive,
}

/// One tier as written in the file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierSpec {
    /// Lower bound, as attainment of the basis's target (0.8 = 80 %).
    pub from: f64,
    /// Upper bound; absent on the last, open-ended tier.
    pub to: Option<f64>,
    /// Commission rate (0.04 = 4 %).
    pub rate: f64,
}

/// The plan as written in the file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanSpec {
    /// A name for the plan, shown in outputs and explanations.
    pub name: String,
    /// First day the plan applies; periods starting earlier are refused.
    pub valid_from: NaiveDate,
    /// What the commission is paid on (default `collected_amount`).
    #[serde(default)]
    pub basis: Basis,
    /// `marginal` (default) or `retroactive`.
    #[serde(default)]
    pub mode: Mode,
    /// The tiers, from attainment 0 upwards, without gaps or overlaps.
    pub tiers: Vec<TierSpec>,
    /// Largest commission per rep per period, in currency units.
    pub cap: Option<f64>,
    /// Share (0..1) of each team's commission pooled and split equally among
    /// its members employed in the period; absent: no pool.
    pub team_pool_share: Option<f64>,
    /// Tier rates are written as percentages (`rate = 5` for 5 %); without
    /// it a rate above 1 is refused as a likely percentage (default false).
    #[serde(default)]
    pub rates_in_percent: bool,
    /// Reps who earn no commission (house accounts, the web shop), by rep_id.
    #[serde(default)]
    pub exclude_reps: Vec<String>,
    /// Roles that earn no commission (`manager`, `director`), compared
    /// case-insensitively with the reps table's role (empty = `rep`).
    #[serde(default)]
    pub exclude_roles: Vec<String>,
}

/// A checked tier, in parts per million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tier {
    /// Lower bound of attainment, ppm.
    pub from_ppm: i64,
    /// Upper bound of attainment, ppm; `None` = open-ended.
    pub to_ppm: Option<i64>,
    /// Rate, ppm.
    pub rate_ppm: i64,
}

/// A checked plan: every amount exact.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The plan's name.
    pub name: String,
    /// First day the plan applies.
    pub valid_from: NaiveDate,
    /// What is paid on.
    pub basis: Basis,
    /// How rates apply.
    pub mode: Mode,
    /// Tiers, ascending.
    pub tiers: Vec<Tier>,
    /// Cap per rep per period, cents.
    pub cap_cents: Option<i64>,
    /// Pool share, ppm.
    pub pool_share_ppm: Option<i64>,
    /// Reps excluded from commission by rep_id.
    pub exclude_reps: Vec<String>,
    /// Roles excluded from commission, lower case.
    pub exclude_roles: Vec<String>,
}

fn refuse(message: String) -> Error {
    Error::Usage(format!("commission plan: {message}"))
}

/// `x` as an exact multiple of `1 / scale`, or `None` when it has more
/// precision than that (0.1 is 100000 ppm; 0.1234567 is refused).
fn exact_scaled(x: f64, scale: i64) -> Option<i64> {
    let scaled = x * scale as f64;
    let rounded = scaled.round();
    ((scaled - rounded).abs() < 1e-6 && rounded.abs() < 9e15).then_some(rounded as i64)
}

fn fraction(what: &str, x: f64) -> Result<i64> {
    if !x.is_finite() {
        return Err(refuse(format!("{what} = {x} is not a number")));
    }
    exact_scaled(x, PPM).ok_or_else(|| {
        refuse(format!(
            "{what} = {x} has more than 6 decimals; write it as a fraction like 0.025"
        ))
    })
}

impl PlanSpec {
    /// Checks the plan: tiers start at 0, each starts where the previous ends
    /// (no gap, no overlap), only the last is open-ended; rates are not
    /// negative; the pool share is within 0..1; the cap is not negative.
    pub(crate) fn check(&self) -> Result<Plan> {
        if self.name.trim().is_empty() {
            return Err(refuse("name must not be empty".into()));
        }
        if self.tiers.is_empty() {
            return Err(refuse("at least one [[tiers]] entry is needed".into()));
        }
        let mut tiers = Vec::with_capacity(self.tiers.len());
        let mut expected_from = 0i64;
        for (i, t) in self.tiers.iter().enumerate() {
            let n = i + 1;
            let from_ppm = fraction(&format!("tier {n} from"), t.from)?;
            let to_ppm =
                t.to.map(|to| fraction(&format!("tier {n} to"), to))
                    .transpose()?;
            let rate_ppm = self.rate_ppm(n, t.rate)?;
            if from_ppm != expected_from {
                let what = if from_ppm > expected_from {
                    "leaves a gap after"
                } else {
                    "overlaps"
                };
                return Err(refuse(format!(
                    "tier {n} starts at {} but the previous tier ends at {}: it {what} the previous tier; each tier must start exactly where the one before ends (the first at 0)",
                    t.from,
                    expected_from as f64 / PPM as f64
                )));
            }
            if rate_ppm < 0 {
                return Err(refuse(format!(
                    "tier {n} rate = {} is negative; rates are fractions ≥ 0 (0.04 = 4 %)",
                    t.rate
                )));
            }
            match to_ppm {
                Some(to) if to <= from_ppm => {
                    return Err(refuse(format!(
                        "tier {n} ends at {} which is not above its start {}",
                        t.to.unwrap_or_default(),
                        t.from
                    )))
                }
                Some(to) => expected_from = to,
                None if n < self.tiers.len() => {
                    return Err(refuse(format!(
                        "tier {n} has no `to` but is not the last tier; only the last tier is open-ended"
                    )))
                }
                None => {}
            }
            if n == self.tiers.len() && to_ppm.is_some() {
                return Err(refuse(format!(
                    "the last tier (tier {n}) must be open-ended: remove its `to` so attainment above {} is paid",
                    t.to.unwrap_or_default()
                )));
            }
            tiers.push(Tier {
                from_ppm,
                to_ppm,
                rate_ppm,
            });
        }
        let cap_cents = match self.cap {
            Some(c) if c.is_nan() || c < 0.0 => {
                return Err(refuse(format!(
                    "cap = {c} must be an amount ≥ 0 (omit it for no cap)"
                )))
            }
            Some(0.0) => {
                return Err(refuse(
                    "cap = 0 would pay nobody anything; remove `cap` for no cap, or set the largest payout per rep per period".into(),
                ))
            }
            Some(c) => Some(exact_scaled(c, 100).ok_or_else(|| {
                refuse(format!(
                    "cap = {c} must be an amount with at most 2 decimals"
                ))
            })?),
            None => None,
        };
        let pool_share_ppm = match self.team_pool_share {
            Some(s) if !(0.0..=1.0).contains(&s) => {
                return Err(refuse(format!(
                    "team_pool_share = {s} must be between 0 and 1 (0.85 = 85 %)"
                )))
            }
            Some(s) => Some(fraction("team_pool_share", s)?),
            None => None,
        };
        Ok(Plan {
            name: self.name.clone(),
            valid_from: self.valid_from,
            basis: self.basis,
            mode: self.mode,
            tiers,
            cap_cents,
            pool_share_ppm,
            exclude_reps: self
                .exclude_reps
                .iter()
                .map(|r| r.trim().to_string())
                .collect(),
            exclude_roles: self
                .exclude_roles
                .iter()
                .map(|r| r.trim().to_lowercase())
                .collect(),
        })
    }

    /// A tier's rate in ppm. A rate above 1 (100 %) is almost always a
    /// percentage written as a number (5 for 5 %), which would pay 100 times
    /// too much, so it is refused unless the plan says `rates_in_percent`.
    fn rate_ppm(&self, n: usize, rate: f64) -> Result<i64> {
        let what = format!("tier {n} rate");
        if self.rates_in_percent {
            if rate > 100.0 {
                return Err(refuse(format!(
                    "{what} = {rate} % is above 100 %, which pays more than the whole basis; check the rate"
                )));
            }
            return fraction(&what, rate / 100.0).map_err(|_| {
                refuse(format!(
                    "{what} = {rate} (a percentage, rates_in_percent = true) has more than 4 decimals"
                ))
            });
        }
        if rate > 1.0 {
            return Err(refuse(format!(
                "{what} = {rate} is above 1, which would pay {} % of the basis; rates are fractions (0.05 = 5 %): write {}, or set `rates_in_percent = true` to write every rate as a percentage",
                rate * 100.0,
                rate / 100.0
            )));
        }
        fraction(&what, rate)
    }
}

impl Plan {
    /// Parses and checks plan text (TOML).
    pub(crate) fn parse(text: &str) -> Result<Plan> {
        let spec: PlanSpec =
            toml::from_str(text).map_err(|e| refuse(format!("not a valid plan: {e}")))?;
        spec.check()
    }

    /// Reads and checks a plan file.
    pub(crate) fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Plan::parse(&text).map_err(|e| match e {
            Error::Usage(m) => Error::Usage(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "Field 2026"
valid_from = "2026-01-01"
mode = "retroactive"
cap = 5000.50
team_pool_share = 0.85
[[tiers]]
from = 0
to = 0.8
rate = 0.02
[[tiers]]
from = 0.8
to = 1.0
rate = 0.04
[[tiers]]
from = 1.0
rate = 0.06
"#;

    fn with_tiers(tiers: &str) -> String {
        format!("name = \"p\"\nvalid_from = \"2026-01-01\"\n{tiers}")
    }

    fn refused(text: &str) -> String {
        match Plan::parse(text) {
            Err(Error::Usage(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_well_formed_plan_becomes_exact_integers() {
        let plan = Plan::parse(GOOD).unwrap();
        assert_eq!(plan.basis, Basis::CollectedAmount);
        assert_eq!(plan.mode, Mode::Retroactive);
        assert_eq!(plan.cap_cents, Some(500_050));
        assert_eq!(plan.pool_share_ppm, Some(850_000));
        assert_eq!(
            plan.tiers,
            vec![
                Tier {
                    from_ppm: 0,
                    to_ppm: Some(800_000),
                    rate_ppm: 20_000
                },
                Tier {
                    from_ppm: 800_000,
                    to_ppm: Some(1_000_000),
                    rate_ppm: 40_000
                },
                Tier {
                    from_ppm: 1_000_000,
                    to_ppm: None,
                    rate_ppm: 60_000
                },
            ]
        );
    }

    #[test]
    fn the_example_plan_is_well_formed() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pipelines/commission.toml");
        let plan = Plan::load(Path::new(path)).unwrap();
        assert_eq!(plan.tiers.len(), 3);
        assert_eq!(plan.cap_cents, Some(3_000_000));
    }

    #[test]
    fn gaps_overlaps_and_bad_numbers_are_refused() {
        let gap = with_tiers(
            "[[tiers]]\nfrom = 0\nto = 0.8\nrate = 0.02\n[[tiers]]\nfrom = 0.9\nrate = 0.04\n",
        );
        assert!(refused(&gap)
            .contains("tier 2 starts at 0.9 but the previous tier ends at 0.8: it leaves a gap"));
        let overlap = with_tiers(
            "[[tiers]]\nfrom = 0\nto = 0.8\nrate = 0.02\n[[tiers]]\nfrom = 0.7\nrate = 0.04\n",
        );
        assert!(refused(&overlap).contains("overlaps"));
        let late_start = with_tiers("[[tiers]]\nfrom = 0.1\nrate = 0.02\n");
        assert!(refused(&late_start).contains("tier 1 starts at 0.1"));
        let negative = with_tiers("[[tiers]]\nfrom = 0\nrate = -0.01\n");
        assert!(refused(&negative).contains("tier 1 rate = -0.01 is negative"));
        let closed = with_tiers("[[tiers]]\nfrom = 0\nto = 1.0\nrate = 0.02\n");
        assert!(refused(&closed).contains("must be open-ended"));
        let open_middle =
            with_tiers("[[tiers]]\nfrom = 0\nrate = 0.02\n[[tiers]]\nfrom = 0.8\nrate = 0.04\n");
        assert!(refused(&open_middle).contains("only the last tier is open-ended"));
        let share = format!(
            "team_pool_share = 1.5\n{}",
            with_tiers("[[tiers]]\nfrom = 0\nrate = 0.02\n")
        );
        assert!(refused(&share).contains("team_pool_share = 1.5 must be between 0 and 1"));
        let unknown = format!(
            "rate = 0.02\n{}",
            with_tiers("[[tiers]]\nfrom = 0\nrate = 0.02\n")
        );
        assert!(refused(&unknown).contains("unknown field `rate`"));
        let none = with_tiers("tiers = []\n");
        assert!(refused(&none).contains("at least one"));
    }

    #[test]
    fn a_rate_above_one_is_refused_unless_rates_are_percentages() {
        let five =
            with_tiers("[[tiers]]\nfrom = 0\nto = 1\nrate = 2\n[[tiers]]\nfrom = 1\nrate = 5\n");
        let m = refused(&five);
        assert!(m.contains("tier 1 rate = 2 is above 1"), "{m}");
        assert!(m.contains("write 0.02"), "{m}");
        assert!(m.contains("rates_in_percent = true"), "{m}");
        let percent = format!("rates_in_percent = true\n{five}");
        let plan = Plan::parse(&percent).unwrap();
        assert_eq!(
            plan.tiers.iter().map(|t| t.rate_ppm).collect::<Vec<_>>(),
            [20_000, 50_000]
        );
        // Exactly 1 (100 %) is a legal, if generous, fraction.
        let one = with_tiers("[[tiers]]\nfrom = 0\nrate = 1\n");
        assert_eq!(Plan::parse(&one).unwrap().tiers[0].rate_ppm, PPM);
    }

    #[test]
    fn a_zero_cap_is_refused() {
        let zero = format!(
            "cap = 0\n{}",
            with_tiers("[[tiers]]\nfrom = 0\nrate = 0.02\n")
        );
        let m = refused(&zero);
        assert!(m.contains("cap = 0") && m.contains("remove `cap`"), "{m}");
    }

    #[test]
    fn exclusions_are_read_and_roles_compared_in_lower_case() {
        let text = format!(
            "exclude_reps = [\"WEB\"]\nexclude_roles = [\" Manager\"]\n{}",
            with_tiers("[[tiers]]\nfrom = 0\nrate = 0.02\n")
        );
        let plan = Plan::parse(&text).unwrap();
        assert_eq!(plan.exclude_reps, ["WEB"]);
        assert_eq!(plan.exclude_roles, ["manager"]);
    }
}
