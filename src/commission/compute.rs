//! Commission arithmetic (SPEC section 5, rule 13), in integer cents over the
//! handful of rep rows of a period; the per-row inputs come from the KPI
//! engine, so basis and target agree with the scorecard to the cent.

use std::collections::BTreeMap;

use super::plan::{Mode, Plan, PPM};
use crate::money::div_round_half_away_i128;

/// One rep's inputs for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepInput {
    /// The rep.
    pub rep_id: String,
    /// Display name.
    pub rep_name: String,
    /// Team (the pool's unit).
    pub team: String,
    /// The basis in cents (collected, sales or margin).
    pub basis: i64,
    /// The basis's target in cents, if the rep has one.
    pub target: Option<i64>,
    /// Employed on some day of `[start, PE]` (pool eligibility).
    pub employed: bool,
}

/// One rep's commission.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RepCommission {
    /// The inputs it was computed from.
    pub input: RepInput,
    /// `basis / target`, null without a positive target.
    pub attainment: Option<f64>,
    /// Per tier: (slice of the basis, amount = round(slice × rate)).
    pub tiers: Vec<(i64, i64)>,
    /// Σ tier amounts.
    pub gross: i64,
    /// `capped − gross` (≤ 0).
    pub cap_effect: i64,
    /// `min(gross, cap)`.
    pub capped: i64,
    /// `final_payable − capped`.
    pub pool_adjustment: i64,
    /// What finance pays.
    pub final_payable: i64,
}

/// One team's pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TeamPool {
    /// The team.
    pub team: String,
    /// Σ capped commission of its members.
    pub total: i64,
    /// `round(share × total)`, split among eligible members.
    pub pooled: i64,
    /// Members employed in the period, in rep_id order.
    pub eligible: Vec<String>,
    /// `total − what was split`: the team lead's discretionary pool.
    pub discretionary: i64,
}

/// The whole period's result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommissionRun {
    /// Rep rows in rep_id order.
    pub reps: Vec<RepCommission>,
    /// Team pools in team order (empty when the plan has no pool).
    pub pools: Vec<TeamPool>,
    /// Σ capped commission: what the rows must add up to.
    pub control_total: i64,
}

/// `round(amount × ppm / 1e6)`, half away from zero, exact.
pub(crate) fn apply_ppm(amount: i64, ppm: i64) -> i64 {
    let product = i128::from(amount) * i128::from(ppm);
    div_round_half_away_i128(product, i128::from(PPM)) as i64
}

/// Whether `basis` reaches the attainment `ppm` of `target`, compared
/// exactly (`basis / target ≥ ppm / 1e6` in integers), never against a bound
/// rounded to the cent: 800.02 of 1,000.03 is 79.9996 % and does not reach
/// 80 %, although 80 % of 1,000.03 rounds to 800.02.
fn reaches(basis: i64, target: i64, ppm: i64) -> bool {
    i128::from(basis) * i128::from(PPM) >= i128::from(target) * i128::from(ppm)
}

/// The cents of a basis below an attainment bound: `floor(ppm × target)`,
/// so a slice above the bound is positive exactly when the basis reaches it.
fn bound_floor(target: i64, ppm: i64) -> i64 {
    (i128::from(target) * i128::from(ppm)).div_euclid(i128::from(PPM)) as i64
}

/// Splits the basis into per-tier slices.
///
/// With a positive target `T`, tier k starts at attainment `from_k`:
/// - marginal: slice_k = `max(0, min(basis, floor(to_k × T)) − floor(from_k × T))`,
///   so the part of the basis above a bound goes to the higher tier, and a
///   basis below the exact bound has nothing in it;
/// - retroactive: the whole basis in the highest tier whose bound the basis
///   reaches exactly (reaching a bound exactly reaches the tier).
///
/// Without a target, or with a negative basis (net refunds, rule 13), the
/// whole basis is in the first tier.
pub(crate) fn tier_slices(plan: &Plan, basis: i64, target: Option<i64>) -> Vec<i64> {
    let mut slices = vec![0i64; plan.tiers.len()];
    let target = match target {
        Some(t) if t > 0 && basis >= 0 => t,
        _ => {
            slices[0] = basis;
            return slices;
        }
    };
    match plan.mode {
        Mode::Marginal => {
            for (slice, tier) in slices.iter_mut().zip(&plan.tiers) {
                let lo = bound_floor(target, tier.from_ppm);
                let hi = tier.to_ppm.map_or(i64::MAX, |to| bound_floor(target, to));
                *slice = (basis.min(hi) - lo).max(0);
            }
        }
        Mode::Retroactive => {
            let reached = plan
                .tiers
                .iter()
                .rposition(|t| reaches(basis, target, t.from_ppm))
                .unwrap_or(0);
            slices[reached] = basis;
        }
    }
    slices
}

/// Commission of one rep before any pool: tiers, gross, cap.
pub(crate) fn rep_commission(plan: &Plan, input: RepInput) -> RepCommission {
    let slices = tier_slices(plan, input.basis, input.target);
    let tiers: Vec<(i64, i64)> = slices
        .iter()
        .zip(&plan.tiers)
        .map(|(slice, tier)| (*slice, apply_ppm(*slice, tier.rate_ppm)))
        .collect();
    let gross: i64 = tiers.iter().map(|(_, amount)| amount).sum();
    let capped = plan.cap_cents.map_or(gross, |cap| gross.min(cap));
    let attainment = input
        .target
        .filter(|t| *t > 0)
        .map(|t| input.basis as f64 / t as f64);
    RepCommission {
        input,
        attainment,
        tiers,
        gross,
        cap_effect: capped - gross,
        capped,
        pool_adjustment: 0,
        final_payable: capped,
    }
}

/// Splits `pooled` cents equally among `n` members: everyone gets the floor,
/// and the leftover cents go one each to the first members (rep_id order).
pub(crate) fn equal_split(pooled: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n_i = n as i64;
    let base = pooled.div_euclid(n_i);
    let leftover = pooled.rem_euclid(n_i) as usize;
    (0..n).map(|i| base + i64::from(i < leftover)).collect()
}

/// Pools each team's capped commission (rule 13): `round(share × total)` is
/// split equally in cents among members employed in the period; the rest is
/// the team's discretionary pool; members not employed get 0.
fn apply_pools(share_ppm: i64, reps: &mut [RepCommission]) -> Vec<TeamPool> {
    let mut teams: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in reps.iter().enumerate() {
        teams.entry(r.input.team.clone()).or_default().push(i);
    }
    let mut pools = Vec::new();
    for (team, members) in teams {
        let total: i64 = members.iter().map(|&i| reps[i].capped).sum();
        let eligible: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| reps[i].input.employed)
            .collect();
        let pooled = apply_ppm(total, share_ppm);
        let shares = equal_split(pooled, eligible.len());
        let split: i64 = shares.iter().sum();
        for &i in &members {
            reps[i].final_payable = 0;
        }
        for (&i, share) in eligible.iter().zip(shares) {
            reps[i].final_payable = share;
        }
        for &i in &members {
            reps[i].pool_adjustment = reps[i].final_payable - reps[i].capped;
        }
        pools.push(TeamPool {
            team,
            total,
            pooled: split,
            eligible: eligible
                .iter()
                .map(|&i| reps[i].input.rep_id.clone())
                .collect(),
            discretionary: total - split,
        });
    }
    pools
}

/// Computes the period's commission for every rep (sorted by rep_id), then
/// the team pools when the plan has one.
pub(crate) fn compute(plan: &Plan, mut inputs: Vec<RepInput>) -> CommissionRun {
    inputs.sort_by(|a, b| a.rep_id.cmp(&b.rep_id));
    let mut reps: Vec<RepCommission> = inputs
        .into_iter()
        .map(|input| rep_commission(plan, input))
        .collect();
    let pools = match plan.pool_share_ppm {
        Some(share) => apply_pools(share, &mut reps),
        None => Vec::new(),
    };
    let control_total = reps.iter().map(|r| r.capped).sum();
    CommissionRun {
        reps,
        pools,
        control_total,
    }
}

impl CommissionRun {
    /// `Σ final payable + Σ discretionary pools − Σ capped`: 0 when the run
    /// balances, which the caller must check before writing anything.
    pub(crate) fn imbalance(&self) -> i64 {
        let paid: i64 = self.reps.iter().map(|r| r.final_payable).sum();
        let discretionary: i64 = self.pools.iter().map(|p| p.discretionary).sum();
        paid + discretionary - self.control_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commission::plan::Plan;

    /// 0–80 % at 2 %, 80–100 % at 4 %, above at 6 %.
    fn plan(mode: &str, extra: &str) -> Plan {
        Plan::parse(&format!(
            "name = \"t\"\nvalid_from = \"2026-01-01\"\nmode = \"{mode}\"\n{extra}\n\
[[tiers]]\nfrom = 0\nto = 0.8\nrate = 0.02\n\
[[tiers]]\nfrom = 0.8\nto = 1.0\nrate = 0.04\n\
[[tiers]]\nfrom = 1.0\nrate = 0.06\n"
        ))
        .unwrap()
    }

    fn rep(id: &str, team: &str, basis: i64, target: Option<i64>, employed: bool) -> RepInput {
        RepInput {
            rep_id: id.into(),
            rep_name: id.into(),
            team: team.into(),
            basis,
            target,
            employed,
        }
    }

    fn amounts(c: &RepCommission) -> Vec<(i64, i64)> {
        c.tiers.clone()
    }

    #[test]
    fn marginal_boundaries_at_exactly_80_and_100_percent() {
        let p = plan("marginal", "");
        // Target 10,000.00. Exactly 80 %: 8,000.00 all in tier 1 → 160.00.
        let at80 = rep_commission(&p, rep("R1", "T", 800_000, Some(1_000_000), true));
        assert_eq!(amounts(&at80), vec![(800_000, 16_000), (0, 0), (0, 0)]);
        assert_eq!(at80.attainment, Some(0.8));
        // Exactly 100 %: 8,000 × 2 % + 2,000 × 4 % = 160 + 80 = 240.00.
        let at100 = rep_commission(&p, rep("R1", "T", 1_000_000, Some(1_000_000), true));
        assert_eq!(
            amounts(&at100),
            vec![(800_000, 16_000), (200_000, 8_000), (0, 0)]
        );
        assert_eq!(at100.gross, 24_000);
        // 123.45 % of 10,000.00 = 12,345.00: + 2,345.00 × 6 % = 140.70 → 380.70.
        let above = rep_commission(&p, rep("R1", "T", 1_234_500, Some(1_000_000), true));
        assert_eq!(amounts(&above)[2], (234_500, 14_070));
        assert_eq!(above.gross, 38_070);
    }

    #[test]
    fn retroactive_boundaries_at_exactly_80_and_100_percent() {
        let p = plan("retroactive", "");
        // 79.99 %: 7,999.00 × 2 % = 159.98.
        let below = rep_commission(&p, rep("R1", "T", 799_900, Some(1_000_000), true));
        assert_eq!(amounts(&below), vec![(799_900, 15_998), (0, 0), (0, 0)]);
        // Exactly 80 % reaches tier 2: 8,000.00 × 4 % = 320.00.
        let at80 = rep_commission(&p, rep("R1", "T", 800_000, Some(1_000_000), true));
        assert_eq!(amounts(&at80), vec![(0, 0), (800_000, 32_000), (0, 0)]);
        // Exactly 100 % reaches tier 3: 10,000.00 × 6 % = 600.00.
        let at100 = rep_commission(&p, rep("R1", "T", 1_000_000, Some(1_000_000), true));
        assert_eq!(amounts(&at100), vec![(0, 0), (0, 0), (1_000_000, 60_000)]);
    }

    /// ../shared/cases/tier-boundary-retro: the bound 80 % × 1,000.03 =
    /// 800.024 is compared exactly, not as 800.02.
    #[test]
    fn bounds_are_compared_exactly_not_rounded_to_the_cent() {
        let retro = plan("retroactive", "");
        let r1 = rep_commission(&retro, rep("R1", "T", 80_002, Some(100_003), true));
        assert_eq!(amounts(&r1), vec![(80_002, 1_600), (0, 0), (0, 0)]);
        let r2 = rep_commission(&retro, rep("R2", "T", 80_000, Some(100_000), true));
        assert_eq!(amounts(&r2), vec![(0, 0), (80_000, 3_200), (0, 0)]);
        let r3 = rep_commission(&retro, rep("R3", "T", 80_003, Some(100_003), true));
        assert_eq!(amounts(&r3), vec![(0, 0), (80_003, 3_200), (0, 0)]);
        // Marginal: below the exact bound nothing is in tier 2; above it, the
        // cents above floor(800.024) = 800.02 are.
        let marginal = plan("marginal", "");
        let m1 = rep_commission(&marginal, rep("R1", "T", 80_002, Some(100_003), true));
        assert_eq!(amounts(&m1), vec![(80_002, 1_600), (0, 0), (0, 0)]);
        let m3 = rep_commission(&marginal, rep("R3", "T", 80_003, Some(100_003), true));
        assert_eq!(amounts(&m3), vec![(80_002, 1_600), (1, 0), (0, 0)]);
        // 100 % of 1,000.03 reached by exactly 1,000.03, not by 1,000.02.
        let at = rep_commission(&retro, rep("R4", "T", 100_003, Some(100_003), true));
        assert_eq!(amounts(&at)[2], (100_003, 6_000));
        let under = rep_commission(&retro, rep("R5", "T", 100_002, Some(100_003), true));
        assert_eq!(amounts(&under)[1], (100_002, 4_000));
    }

    #[test]
    fn tier_amounts_round_half_away_from_zero_per_tier() {
        let p = plan("marginal", "");
        // No target: first tier's 2 % on the whole basis. 0.25 × 2 % = 0.005 → 0.01.
        let tiny = rep_commission(&p, rep("R1", "T", 25, None, true));
        assert_eq!(amounts(&tiny)[0], (25, 1));
        assert_eq!(tiny.attainment, None);
    }

    #[test]
    fn cap_applies_to_gross_before_the_pool() {
        let p = plan("marginal", "cap = 300.00");
        let capped = rep_commission(&p, rep("R1", "T", 1_234_500, Some(1_000_000), true));
        assert_eq!(capped.gross, 38_070);
        assert_eq!(capped.capped, 30_000);
        assert_eq!(capped.cap_effect, -8_070);
        // Below the cap nothing changes.
        let under = rep_commission(&p, rep("R2", "T", 800_000, Some(1_000_000), true));
        assert_eq!((under.capped, under.cap_effect), (16_000, 0));
    }

    #[test]
    fn a_net_refund_is_a_clawback_in_the_first_tier() {
        let p = plan("retroactive", "cap = 100.00");
        // Net refunds −1,234.56 with a target: wholly tier 1 at 2 % = −24.6912 → −24.69.
        let c = rep_commission(&p, rep("R1", "T", -123_456, Some(1_000_000), true));
        assert_eq!(amounts(&c), vec![(-123_456, -2_469), (0, 0), (0, 0)]);
        assert_eq!((c.gross, c.capped, c.cap_effect), (-2_469, -2_469, 0));
    }

    #[test]
    fn team_pool_with_a_leaver_a_new_hire_and_leftover_cents() {
        let p = plan("marginal", "team_pool_share = 0.85");
        // Team A: R1 (left before the period: not employed), R2, R3 (new hire,
        // no target yet), R4. Team B: R5 alone.
        let run = compute(
            &p,
            vec![
                rep("R3", "A", 100_000, None, true), // 1,000.00 × 2 % = 20.00
                rep("R1", "A", 50_000, Some(1_000_000), false), // 500.00 × 2 % = 10.00
                rep("R2", "A", 1_000_000, Some(1_000_000), true), // 240.00
                rep("R4", "A", 1, Some(1_000_000), true), // 0.01 × 2 % = 0.0002 → 0.00
                rep("R5", "B", 800_000, Some(1_000_000), true), // 160.00
            ],
        );
        let ids: Vec<&str> = run.reps.iter().map(|r| r.input.rep_id.as_str()).collect();
        assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5"]);
        // Team A capped total 10.00 + 240.00 + 20.00 + 0.00 = 270.00;
        // pool round(0.85 × 270.00) = 229.50 over R2, R3, R4 = 76.50 each.
        let a = &run.pools[0];
        assert_eq!(
            (a.total, a.pooled, a.discretionary),
            (27_000, 22_950, 4_050)
        );
        assert_eq!(a.eligible, ["R2", "R3", "R4"]);
        let finals: Vec<i64> = run.reps.iter().map(|r| r.final_payable).collect();
        // Team B: round(0.85 × 160.00) = 136.00 to R5; 24.00 discretionary.
        assert_eq!(finals, [0, 7_650, 7_650, 7_650, 13_600]);
        assert_eq!(run.reps[0].pool_adjustment, -1_000);
        assert_eq!(run.reps[1].pool_adjustment, 7_650 - 24_000);
        assert_eq!(run.pools[1].discretionary, 2_400);
        assert_eq!(run.control_total, 43_000);
        assert_eq!(run.imbalance(), 0);
    }

    #[test]
    fn leftover_cents_go_one_each_in_rep_id_order() {
        assert_eq!(equal_split(100, 3), [34, 33, 33]);
        assert_eq!(equal_split(101, 3), [34, 34, 33]);
        assert_eq!(equal_split(-100, 3), [-33, -33, -34]);
        assert_eq!(equal_split(7, 0), Vec::<i64>::new());
        // A pool of 1.00 over three reps: 0.34, 0.33, 0.33 and nothing lost.
        let p = plan("marginal", "team_pool_share = 1");
        let run = compute(
            &p,
            vec![
                rep("R2", "A", 5_000, None, true), // 50.00 × 2 % = 1.00
                rep("R1", "A", 0, None, true),
                rep("R3", "A", 0, None, true),
            ],
        );
        let finals: Vec<i64> = run.reps.iter().map(|r| r.final_payable).collect();
        assert_eq!(finals, [34, 33, 33]);
        assert_eq!(run.pools[0].discretionary, 0);
        assert_eq!(run.imbalance(), 0);
    }

    #[test]
    fn a_team_without_employed_members_keeps_everything_discretionary() {
        let p = plan("marginal", "team_pool_share = 0.85");
        let run = compute(&p, vec![rep("R1", "A", 100_000, None, false)]);
        assert_eq!(run.reps[0].final_payable, 0);
        assert_eq!(run.pools[0].discretionary, 2_000);
        assert_eq!(run.imbalance(), 0);
    }
}
