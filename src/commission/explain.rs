//! `salesops commission explain`: how each rep's payout came about, in words
//! and numbers (tiers as slice × rate, the cap, the pool adjustment).

use std::fmt::Write as _;

use super::compute::{equal_split, CommissionRun, RepCommission, TeamPool};
use super::plan::{Mode, Plan, Tier, PPM};
use super::NoRow;
use crate::money::format_cents_grouped as money;
use crate::suggest::suggestion;
use crate::{Error, Result};

/// A ppm fraction as a percentage (`0.8` → `80 %`, `0.025` → `2.5 %`).
fn percent(ppm: i64) -> String {
    let s = format!("{:.4}", ppm as f64 * 100.0 / PPM as f64);
    format!("{} %", s.trim_end_matches('0').trim_end_matches('.'))
}

fn tier_range(t: &Tier) -> String {
    match t.to_ppm {
        Some(to) => format!("{}–{}", percent(t.from_ppm), percent(to)),
        None => format!("from {}", percent(t.from_ppm)),
    }
}

fn explain_tiers(out: &mut String, plan: &Plan, r: &RepCommission) {
    let without_target = !matches!(r.input.target, Some(t) if t > 0);
    if r.input.basis < 0 {
        let _ = writeln!(
            out,
            "  negative basis (net refunds): it falls wholly in the first tier, a clawback"
        );
    } else if without_target {
        let _ = writeln!(
            out,
            "  no target: the first tier's rate applies to the whole basis"
        );
    } else if plan.mode == Mode::Retroactive {
        let _ = writeln!(
            out,
            "  retroactive plan: the whole basis is paid at the rate of the highest tier reached"
        );
    }
    for (k, ((slice, amount), tier)) in r.tiers.iter().zip(&plan.tiers).enumerate() {
        let _ = writeln!(
            out,
            "  tier {} ({}, rate {}): {} × {} = {}",
            k + 1,
            tier_range(tier),
            percent(tier.rate_ppm),
            money(*slice),
            percent(tier.rate_ppm),
            money(*amount)
        );
    }
    let _ = writeln!(
        out,
        "  gross commission = Σ tier amounts = {}",
        money(r.gross)
    );
}

fn explain_cap(out: &mut String, plan: &Plan, r: &RepCommission) {
    match plan.cap_cents {
        Some(cap) if r.cap_effect != 0 => {
            let _ = writeln!(
                out,
                "  cap {} per rep per period: capped at {} (cap effect {})",
                money(cap),
                money(r.capped),
                money(r.cap_effect)
            );
        }
        Some(cap) => {
            let _ = writeln!(
                out,
                "  cap {} per rep per period: not reached, capped commission {}",
                money(cap),
                money(r.capped)
            );
        }
        None => {
            let _ = writeln!(out, "  no cap: capped commission {}", money(r.capped));
        }
    }
}

fn explain_pool(out: &mut String, plan: &Plan, r: &RepCommission, pool: Option<&TeamPool>) {
    let (Some(share), Some(pool)) = (plan.pool_share_ppm, pool) else {
        let _ = writeln!(out, "  no team pool: final payable = capped commission");
        return;
    };
    let _ = writeln!(
        out,
        "  team pool of team {}: {} of the team's capped total {} = {}, split equally among {} member(s) employed in the period ({})",
        pool.team,
        percent(share),
        money(pool.total),
        money(pool.pooled),
        pool.eligible.len(),
        pool.eligible.join(", ")
    );
    match pool.eligible.iter().position(|id| *id == r.input.rep_id) {
        Some(i) => {
            let shares = equal_split(pool.pooled, pool.eligible.len());
            let leftover = shares
                .iter()
                .filter(|s| **s != shares[shares.len() - 1])
                .count();
            let _ = writeln!(
                out,
                "  share of {}: {}{}",
                r.input.rep_id,
                money(shares[i]),
                if leftover > 0 {
                    format!(
                        " (leftover cents go one each to the first {leftover} member(s) by rep_id)"
                    )
                } else {
                    String::new()
                }
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  {} was not employed on any day of the period, so receives 0 from the pool",
                r.input.rep_id
            );
        }
    }
    let _ = writeln!(
        out,
        "  pool adjustment = final − capped = {}; the team's discretionary pool is {}",
        money(r.pool_adjustment),
        money(pool.discretionary)
    );
}

/// Attainment as a percentage, truncated (never rounded up) to 4 decimals
/// and trimmed to at least 2: tier bounds have at most 4 decimals as a
/// percentage (ppm), so the text reaches a bound exactly when the
/// attainment does, and never contradicts the tier paid (79.9996 %, not 80.00 %).
pub(crate) fn attainment_text(basis: i64, target: i64) -> String {
    // basis / target × 100 with 4 decimals = floor(basis × 10^6 / target) / 10^4.
    let scaled = (i128::from(basis) * 1_000_000).div_euclid(i128::from(target));
    let (whole, frac) = (scaled.div_euclid(10_000), scaled.rem_euclid(10_000));
    let digits = format!("{frac:04}");
    let digits = digits.trim_end_matches('0');
    let digits = format!("{digits:0<2}");
    format!("{whole}.{digits} %")
}

/// Explains the payout of each rep in `reps`. A rep of the reps table
/// without a row is explained by its reason (excluded by the plan, not
/// employed in the period); a rep unknown to the data is an error naming
/// the nearest rep ids.
pub(crate) fn explain(
    plan: &Plan,
    run: &CommissionRun,
    without_row: &[NoRow],
    period: &str,
    reps: &[String],
) -> Result<String> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan `{}` ({} tiers on {}), period {period}",
        plan.name,
        match plan.mode {
            Mode::Marginal => "marginal",
            Mode::Retroactive => "retroactive",
        },
        plan.basis.column()
    );
    for id in reps {
        if let Some(n) = without_row.iter().find(|n| &n.rep_id == id) {
            let _ = writeln!(out, "\n{} ({}), team {}", n.rep_id, n.rep_name, n.team);
            let _ = writeln!(out, "  no commission in {period}: {}", n.reason);
            let _ = writeln!(out, "  final payable 0.00");
            continue;
        }
        let Some(r) = run.reps.iter().find(|r| &r.input.rep_id == id) else {
            let known = run
                .reps
                .iter()
                .map(|r| r.input.rep_id.as_str())
                .chain(without_row.iter().map(|n| n.rep_id.as_str()));
            return Err(Error::Usage(format!(
                "rep {id} is not in the reps table{}",
                suggestion(id, known)
            )));
        };
        let _ = writeln!(
            out,
            "\n{} ({}), team {}",
            r.input.rep_id, r.input.rep_name, r.input.team
        );
        let _ = writeln!(
            out,
            "  basis {} = {}, target {}, attainment {}",
            plan.basis.column(),
            money(r.input.basis),
            r.input.target.map_or("none".into(), money),
            match r.input.target {
                Some(t) if t > 0 => attainment_text(r.input.basis, t),
                _ => "none".into(),
            }
        );
        explain_tiers(&mut out, plan, r);
        explain_cap(&mut out, plan, r);
        let pool = run.pools.iter().find(|p| p.team == r.input.team);
        explain_pool(&mut out, plan, r, pool);
        let _ = writeln!(out, "  final payable {}", money(r.final_payable));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attainment_text_never_rounds_up_to_a_bound() {
        // ../shared/cases/tier-boundary-retro: 800.02 / 1,000.03.
        assert_eq!(attainment_text(80_002, 100_003), "79.9996 %");
        assert_eq!(attainment_text(80_000, 100_000), "80.00 %");
        assert_eq!(attainment_text(80_003, 100_003), "80.0005 %");
        // 0.99999999 is below 100 % and must not print as 100.00 %.
        assert_eq!(attainment_text(99_999_999, 100_000_000), "99.9999 %");
        assert_eq!(attainment_text(123_450, 100_000), "123.45 %");
    }
}
