//! The decomposition of SPEC section 8: a company total split company →
//! region → team → rep → month, each level exact to the cent.
//!
//! Rules (docs/plan.md):
//! - **Capacity.** A rep carries, in each month, the part of it he is
//!   employed times his ramp; over the year that is his capacity in
//!   rep-years. A team's or region's capacity is the sum of its reps'.
//! - **Shares.** Among the children of a unit, a child's history share is
//!   its base-year productivity (sales per rep-year employed then; negative
//!   counts as 0) times its plan-year capacity, over the siblings' sum: the
//!   sales it would make at last year's pace with the people it will have.
//!   A child without history (a new hire, a new team) is counted at the
//!   mean productivity of the siblings that have one; when none has, the
//!   history share is the equal share. The equal share is the child's
//!   capacity over the siblings' (every rep-year counts the same, so a team
//!   of one new hire is not given a full team's share), and the blended
//!   share `w × history_share + (1 − w) × equal_share`, `w` = `[plan]
//!   history_weight`, is the child's weight.
//! - **Overrides.** A fixed unit gets its fixed target; the rest of its
//!   parent's target is spread over the free units in proportion to their
//!   weight times the share of their own weight that is free. The free
//!   units share the company total less every fixed amount, as if the
//!   fixed ones were not there.
//! - **Exact.** Every split is a largest-remainder split of cents, so the
//!   children sum to their parent exactly at every level, down to a rep's
//!   months (weighted by month shape × his capacity in the month).
//! - **Collections.** When asked for, the company's collection target
//!   (total × ratio, rounded half away from zero) is split down the same
//!   tree by the children's sales targets.

use crate::{Error, Result};

use super::allocate::{integer_weights, largest_remainder};
use super::tree::{Level, Tree};
use crate::money::format_cents_grouped;

/// Splits `total` cents (> 0) down `tree` (see the module doc), with
/// `collection_total` cents split after it when given; writes each unit's
/// [`super::tree::Outcome`].
///
/// Errors (usage): overrides that exceed their parent's target, or that fix
/// every unit under a parent to a sum other than its target.
pub(crate) fn decompose(
    tree: &mut Tree,
    total: i64,
    collection_total: Option<i64>,
    history_weight: f64,
) -> Result<()> {
    assign_shares(tree, history_weight);
    let weights: Vec<f64> = tree.units.iter().map(|u| u.outcome.blended_share).collect();
    let free = free_fractions(tree, &weights);
    let fixed = fixed_inside(tree);
    tree.units[0].outcome.sales_target = total;
    // The arena holds parents before children: one pass top-down.
    for i in 0..tree.units.len() {
        let children = tree.units[i].children.clone();
        if children.is_empty() {
            continue;
        }
        let amount = tree.units[i].outcome.sales_target;
        let fixed_sum: i64 = children.iter().map(|c| fixed[*c]).sum();
        let unit = describe(tree, i);
        let pool = amount - fixed_sum;
        if pool < 0 {
            return Err(Error::Usage(format!(
                "overrides under {unit} sum to {}, more than its target {}: lower them{}",
                format_cents_grouped(fixed_sum),
                format_cents_grouped(amount),
                if i == 0 {
                    " or raise the total"
                } else {
                    ", or fix this unit higher"
                }
            )));
        }
        let free_weights: Vec<f64> = children.iter().map(|c| weights[*c] * free[*c]).collect();
        let parts = largest_remainder(pool, &integer_weights(&free_weights)).ok_or_else(|| {
            Error::Usage(format!(
                "every unit under {unit} is fixed by the overrides and they sum to {}, not its target {}: leave one free or make them add up",
                format_cents_grouped(fixed_sum),
                format_cents_grouped(amount)
            ))
        })?;
        for (c, part) in children.iter().zip(parts) {
            tree.units[*c].outcome.sales_target = fixed[*c] + part;
        }
    }
    split_reps_by_month(tree)?;
    if let Some(c) = collection_total {
        split_collections(tree, c)?;
    }
    Ok(())
}

/// `the team "East 1"`, `rep R0004`, `the company`: a unit in a message.
fn describe(tree: &Tree, i: usize) -> String {
    let u = &tree.units[i];
    match u.level {
        Level::Company => "the company".into(),
        level => format!("{} `{}`", level.name(), u.id),
    }
}

/// History, equal and blended shares of every unit among its siblings.
fn assign_shares(tree: &mut Tree, w: f64) {
    tree.units[0].outcome.equal_share = 1.0;
    tree.units[0].outcome.blended_share = 1.0;
    tree.units[0].outcome.history_share = Some(1.0);
    for i in 0..tree.units.len() {
        let children = tree.units[i].children.clone();
        if children.is_empty() {
            continue;
        }
        let capacity: Vec<f64> = children.iter().map(|c| tree.units[*c].capacity).collect();
        let productivity: Vec<Option<f64>> = children
            .iter()
            .map(|c| tree.units[*c].productivity())
            .collect();
        let known: Vec<f64> = productivity.iter().flatten().copied().collect();
        let total_capacity: f64 = capacity.iter().sum();
        let measures: Vec<f64> = productivity
            .iter()
            .zip(&capacity)
            .map(|(p, c)| p.unwrap_or(known.iter().sum::<f64>() / known.len().max(1) as f64) * c)
            .collect();
        let measure_sum: f64 = measures.iter().sum();
        let history: Vec<Option<f64>> = if !known.is_empty() && measure_sum > 0.0 {
            measures.iter().map(|m| Some(m / measure_sum)).collect()
        } else {
            vec![None; children.len()]
        };
        for ((c, h), cap) in children.iter().zip(history).zip(&capacity) {
            let equal = if total_capacity > 0.0 {
                cap / total_capacity
            } else {
                1.0 / children.len() as f64
            };
            let o = &mut tree.units[*c].outcome;
            o.equal_share = equal;
            o.history_share = h;
            o.blended_share = w * h.unwrap_or(equal) + (1.0 - w) * equal;
        }
    }
}

/// Per unit, the share of its weight that overrides leave free: 0 for a
/// fixed unit, 1 for a free rep, else its children's free fractions
/// averaged by their weights.
fn free_fractions(tree: &Tree, weights: &[f64]) -> Vec<f64> {
    let mut free = vec![0.0; tree.units.len()];
    // Children after parents: fill bottom-up.
    for i in (0..tree.units.len()).rev() {
        let u = &tree.units[i];
        free[i] = if u.fixed.is_some() {
            0.0
        } else if u.children.is_empty() {
            1.0
        } else {
            let total: f64 = u.children.iter().map(|c| weights[*c]).sum();
            let open: f64 = u.children.iter().map(|c| weights[*c] * free[*c]).sum();
            if total > 0.0 {
                open / total
            } else {
                0.0
            }
        };
    }
    free
}

/// Per unit, the cents fixed by overrides at or under it: its own fixed
/// target, else the sum of its children's.
fn fixed_inside(tree: &Tree) -> Vec<i64> {
    let mut fixed = vec![0i64; tree.units.len()];
    for i in (0..tree.units.len()).rev() {
        let u = &tree.units[i];
        fixed[i] = u
            .fixed
            .unwrap_or_else(|| u.children.iter().map(|c| fixed[*c]).sum());
    }
    fixed
}

/// Each rep's annual target over his months, by month shape × capacity.
fn split_reps_by_month(tree: &mut Tree) -> Result<()> {
    for u in tree.units.iter_mut().filter(|u| u.level == Level::Rep) {
        let parts = largest_remainder(u.outcome.sales_target, &integer_weights(&u.month_weights))
            .ok_or_else(|| {
            Error::Internal(format!("rep {} has a target but no month", u.id))
        })?;
        u.outcome.month_sales.copy_from_slice(&parts);
    }
    Ok(())
}

/// The company's collection target split down the tree by the children's
/// sales targets, and each rep's over his months by his monthly sales
/// targets.
fn split_collections(tree: &mut Tree, total: i64) -> Result<()> {
    tree.units[0].outcome.collection_target = Some(total);
    let by_sales =
        |targets: &[i64]| -> Vec<u128> { targets.iter().map(|t| (*t).max(0) as u128).collect() };
    for i in 0..tree.units.len() {
        let amount = tree.units[i].outcome.collection_target.unwrap_or(0);
        let children = tree.units[i].children.clone();
        if children.is_empty() {
            let months = by_sales(&tree.units[i].outcome.month_sales);
            let parts = largest_remainder(amount, &months).ok_or_else(|| {
                Error::Internal(format!(
                    "no month carries {}'s collections",
                    tree.units[i].id
                ))
            })?;
            let mut split = [0i64; 12];
            split.copy_from_slice(&parts);
            tree.units[i].outcome.month_collection = Some(split);
            continue;
        }
        let sales: Vec<i64> = children
            .iter()
            .map(|c| tree.units[*c].outcome.sales_target)
            .collect();
        let parts = largest_remainder(amount, &by_sales(&sales)).ok_or_else(|| {
            Error::Internal(format!(
                "no child of {} carries collections",
                describe(tree, i)
            ))
        })?;
        for (c, part) in children.iter().zip(parts) {
            tree.units[*c].outcome.collection_target = Some(part);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "decompose_tests.rs"]
mod tests;
