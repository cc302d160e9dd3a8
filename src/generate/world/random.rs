//! Randomness of the simulation: one seeded stream per concern, the draws made
//! from them (Poisson, normal, log-normal, weighted choice) and the seasonal
//! factors. Kept apart so the other files read as business rules.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seasonality of visits, January..December (Spring Festival, National Day).
pub(super) const SEASON_VISITS: [f64; 12] = [
    0.95, 0.75, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 1.0, 0.9, 1.05, 1.05,
];
/// Seasonality of buying, January..December (year-end push).
pub(super) const SEASON_ORDERS: [f64; 12] = [
    0.95, 0.8, 1.0, 1.0, 1.05, 1.1, 0.95, 0.95, 1.05, 1.0, 1.1, 1.25,
];

// Independent random streams, one per concern.
pub(super) const STREAM_STAFF: u64 = 1;
pub(super) const STREAM_CUSTOMERS: u64 = 2;
pub(super) const STREAM_PRODUCTS: u64 = 3;
pub(super) const STREAM_DAYS: u64 = 4;
pub(super) const STREAM_TARGETS: u64 = 5;

pub(super) fn stream(seed: u64, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(id);
    rng
}

/// Poisson draw (Knuth; rates here are small).
pub(super) fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda).exp();
    let mut k = 0;
    let mut p = rng.gen::<f64>();
    while p > limit {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// Standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.gen::<f64>();
    let u2 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal draw with the given median.
pub(super) fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Cumulative weights for weighted choice.
#[derive(Default)]
pub(super) struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cum }
    }

    pub(super) fn pick(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let total = *self.cum.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.gen::<f64>() * total;
        Some(
            self.cum
                .partition_point(|&c| c <= x)
                .min(self.cum.len() - 1),
        )
    }
}

/// Picks from `(value, weight)` pairs.
pub(super) fn pick_w<X: Copy>(rng: &mut ChaCha8Rng, items: &[(X, u32)]) -> X {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.gen_range(0..total);
    for &(v, w) in items {
        if x < w {
            return v;
        }
        x -= w;
    }
    items[items.len() - 1].0
}
