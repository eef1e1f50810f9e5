//! The seeded reference network of the performance targets: a synthetic
//! contact graph shaped like a professional network (skewed degrees, strong
//! locality in teams and companies).
//!
//! Model, for `n` members and average degree `d`:
//! * each member gets a Pareto weight with density exponent 2.5
//!   (`P(w) ~ w^-2.5`, tail exponent 1.5, as degree exponents are usually
//!   quoted), scaled so that the weights, capped at 30,000, average `d`;
//! * `n * d / 2` contacts are drawn; each picks its first end by weight
//!   (Vose's alias method); its second end is, with probability 0.5, uniform
//!   in the first end's team (a block of 200 ids), with 0.2 uniform in its
//!   company (a block of `n / 50` ids), otherwise by weight over everyone;
//! * self-contacts and duplicates are dropped, and new contacts are drawn until
//!   `n * d / 2` distinct ones are reached (at most 8 rounds);
//! * ids are randomly permuted.
//!
//! The output depends only on the parameters: the generator is hand-written
//! ([`Rng`]), not borrowed from a crate whose sequence may change.

use crate::rng::Rng;

/// Parameters of the reference network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReferenceNetwork {
    /// Number of members (ids `0..members`).
    pub members: u32,
    /// Average number of contacts per member.
    pub avg_degree: f64,
    /// Seed of the whole construction.
    pub seed: u64,
}

const PARETO_ALPHA: f64 = 2.5;
const MAX_CONTACTS: f64 = 30_000.0;
const TEAM_SIZE: u64 = 200;
const COMPANIES: u64 = 50;
const ROUNDS: usize = 8;

/// Generates the network's contacts, each once, as `(a, b)` with `a != b`.
pub fn generate_reference_network(params: ReferenceNetwork) -> Vec<(u32, u32)> {
    let n = params.members as u64;
    if n < 2 {
        return Vec::new();
    }
    let mut rng = Rng::new(params.seed);
    let target =
        ((n as f64 * params.avg_degree / 2.0).round() as u64).min(n * (n - 1) / 2) as usize;

    // Density exponent alpha: P(w) ~ w^-alpha, so the tail exponent is alpha - 1.
    let tail = PARETO_ALPHA - 1.0;
    let raw: Vec<f64> = (0..n)
        .map(|_| (1.0 - rng.next_f64()).powf(-1.0 / tail))
        .collect();
    let capped_mean = |scale: f64| {
        raw.iter()
            .map(|w| (w * scale).min(MAX_CONTACTS))
            .sum::<f64>()
            / n as f64
    };
    // The capped mean grows with the scale: bisect for the average degree.
    let (mut lo, mut hi) = (0.0, params.avg_degree.max(1.0));
    while capped_mean(hi) < params.avg_degree && hi < MAX_CONTACTS {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if capped_mean(mid) < params.avg_degree {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let weights: Vec<f64> = raw.iter().map(|w| (w * hi).min(MAX_CONTACTS)).collect();
    drop(raw);
    let alias = Alias::new(&weights);
    drop(weights);

    let company = (n / COMPANIES).max(1);
    let mut keys: Vec<u64> = Vec::with_capacity(target + target / 16);
    for _ in 0..ROUNDS {
        let need = target - keys.len();
        if need == 0 {
            break;
        }
        for _ in 0..need {
            let a = alias.sample(&mut rng);
            let r = rng.next_f64();
            let b = if r < 0.5 {
                within_block(&mut rng, a, TEAM_SIZE, n)
            } else if r < 0.7 {
                within_block(&mut rng, a, company, n)
            } else {
                alias.sample(&mut rng)
            };
            if a != b {
                keys.push(a.min(b) << 32 | a.max(b));
            }
        }
        keys.sort_unstable();
        keys.dedup();
    }

    // Random permutation of ids (Fisher-Yates).
    let mut perm: Vec<u32> = (0..n as u32).collect();
    for i in (1..perm.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        perm.swap(i, j);
    }
    keys.iter()
        .map(|&k| (perm[(k >> 32) as usize], perm[(k & 0xffff_ffff) as usize]))
        .collect()
}

/// Uniform in the block of `size` ids containing `a`.
fn within_block(rng: &mut Rng, a: u64, size: u64, n: u64) -> u64 {
    let start = a / size * size;
    start + rng.below(size.min(n - start))
}

/// Vose's alias table: `O(1)` sampling proportional to weights.
struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut prob: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..n as u32).partition(|&i| prob[i as usize] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s as usize] = l;
            prob[l as usize] -= 1.0 - prob[s as usize];
            if prob[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            prob[i as usize] = 1.0;
        }
        Alias { prob, alias }
    }

    #[inline]
    fn sample(&self, rng: &mut Rng) -> u64 {
        let i = rng.below(self.prob.len() as u64) as usize;
        if rng.next_f64() < self.prob[i] {
            i as u64
        } else {
            self.alias[i] as u64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_simple_and_near_target() {
        let params = ReferenceNetwork {
            members: 5_000,
            avg_degree: 20.0,
            seed: 42,
        };
        let edges = generate_reference_network(params);
        assert_eq!(edges, generate_reference_network(params));
        assert_ne!(
            edges,
            generate_reference_network(ReferenceNetwork { seed: 43, ..params })
        );
        assert!(
            edges.len() >= 49_000 && edges.len() <= 50_000,
            "{}",
            edges.len()
        );
        let mut keys: Vec<(u32, u32)> = edges.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), edges.len());
        assert!(edges.iter().all(|&(a, b)| a != b && a < 5_000 && b < 5_000));
    }
}
