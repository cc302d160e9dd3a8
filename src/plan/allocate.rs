//! Largest-remainder allocation: splits a whole number of cents over
//! weighted parts so that the parts sum to the whole exactly (SPEC section
//! 8: "at every level the children sum to the parent exactly in cents").

/// Resolution of a share turned into an integer weight: shares are ratios
/// (f64); scaled to integers below 2^53 they are exact in the i128
/// arithmetic that follows.
const SHARE_RESOLUTION: f64 = 1e15;

/// Integer weights proportional to `shares` (each ≥ 0, finite): the largest
/// becomes [`SHARE_RESOLUTION`], so a share's relative precision is 1e-15.
/// All zero stays all zero.
pub(crate) fn integer_weights(shares: &[f64]) -> Vec<u128> {
    let max = shares.iter().copied().fold(0.0_f64, f64::max);
    if max <= 0.0 {
        return vec![0; shares.len()];
    }
    shares
        .iter()
        .map(|s| (s.max(0.0) / max * SHARE_RESOLUTION).round() as u128)
        .collect()
}

/// Splits `total` cents (≥ 0) over `weights` by the largest-remainder
/// (Hamilton) method: each part gets the floor of its exact quota
/// `total × w / Σw`, and the cents left over go one each to the parts with
/// the largest remainders, the earlier part first on a tie. The parts sum to
/// `total` exactly; a zero weight gets 0.
///
/// `None` when the weights are all zero and `total` is not (nothing to
/// carry it), or `total` is negative.
pub(crate) fn largest_remainder(total: i64, weights: &[u128]) -> Option<Vec<i64>> {
    if total < 0 {
        return None;
    }
    let sum: u128 = weights.iter().sum();
    if sum == 0 {
        return (total == 0).then(|| vec![0; weights.len()]);
    }
    let total_u = total as u128;
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        // total < 2^63 and w ≤ 1e15 < 2^50: the product fits u128.
        let exact = total_u * w;
        parts.push((exact / sum) as i64);
        remainders.push((exact % sum, i));
    }
    let left = total - parts.iter().sum::<i64>();
    // Largest remainder first; among equals the earlier part.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders
        .iter()
        .filter(|(_, i)| weights[*i] > 0)
        .take(left as usize)
    {
        parts[*i] += 1;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thirds_of_a_hundred_cents_give_the_leftover_to_the_first() {
        // 100 / 3 = 33 rem 1 each: the tie goes to the earliest part.
        assert_eq!(largest_remainder(100, &[1, 1, 1]), Some(vec![34, 33, 33]));
    }

    #[test]
    fn the_largest_remainder_wins_the_cent() {
        // Quotas 10 × (1/6, 2/6, 3/6) = 1.67, 3.33, 5: the .67 takes the cent.
        assert_eq!(largest_remainder(10, &[1, 2, 3]), Some(vec![2, 3, 5]));
    }

    #[test]
    fn zero_weights_get_nothing_and_nothing_carries_nothing() {
        assert_eq!(largest_remainder(7, &[0, 5, 0]), Some(vec![0, 7, 0]));
        assert_eq!(largest_remainder(0, &[0, 0]), Some(vec![0, 0]));
        assert_eq!(largest_remainder(1, &[0, 0]), None);
        assert_eq!(largest_remainder(-1, &[1]), None);
    }

    #[test]
    fn shares_become_proportional_integer_weights() {
        assert_eq!(
            integer_weights(&[0.5, 0.25, 0.0]),
            vec![1_000_000_000_000_000, 500_000_000_000_000, 0]
        );
        assert_eq!(integer_weights(&[0.0, 0.0]), vec![0, 0]);
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_total_and_stay_within_a_cent_of_the_quota(
            total in 0i64..1_000_000_000_000,
            shares in proptest::collection::vec(0.0f64..1.0, 1..12),
        ) {
            let weights = integer_weights(&shares);
            let sum: u128 = weights.iter().sum();
            prop_assume!(sum > 0);
            let parts = largest_remainder(total, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            for (p, w) in parts.iter().zip(&weights) {
                let floor = (total as u128 * w / sum) as i64;
                prop_assert!(*p == floor || *p == floor + 1);
            }
        }
    }
}
