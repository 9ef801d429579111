//! The one definition of a subset's sum and error that every solver
//! minimises exactly.
//!
//! Floating-point addition is not associative, so "Σ_{j∈S} c_j" needs an
//! evaluation order to be a well-defined f64. We fix the order of the
//! meet-in-the-middle split: with h = ⌊n/2⌋,
//!
//! ```text
//! a = (((0 + c_{j1}) + c_{j2}) + …)   over the chosen j < h, ascending
//! b = the same over the chosen j ≥ h
//! sum = a + b,   error = |sum − t|     (every operation rounded to f64)
//! ```
//!
//! Solvers return the exact minimiser of this `error` over all 2^n subsets,
//! ties broken towards fewer elements, then the smaller bitmask — one answer,
//! the same natively and in wasm. It differs from the real-number
//! |Σ c_j − t| by at most ≈ (n+1)·2⁻⁵³·(Σ|c_j| + |t|): below 1e-14 for
//! candidates and targets in (−1, 1).

use super::problem::Solution;

/// Split point: candidates `0..split_point(n)` form the first half.
pub fn split_point(n: usize) -> usize {
    n / 2
}

/// Left-to-right sum of `c[j]` for the bits j set in `mask`.
pub(crate) fn half_sum(c: &[f64], mask: u32) -> f64 {
    let mut s = 0.0;
    for (j, &x) in c.iter().enumerate() {
        if mask >> j & 1 == 1 {
            s += x;
        }
    }
    s
}

/// (sum, error) of the subset `mask` of `candidates` for `target`, in the
/// canonical evaluation order above.
pub fn evaluate(candidates: &[f64], target: f64, mask: u32) -> (f64, f64) {
    let h = split_point(candidates.len());
    let low = if h >= 32 {
        mask
    } else {
        mask & ((1u32 << h) - 1)
    };
    let a = half_sum(&candidates[..h], low);
    let b = half_sum(&candidates[h..], mask.checked_shr(h as u32).unwrap_or(0));
    let sum = a + b;
    (sum, (sum - target).abs())
}

/// The tie rule: the total order of candidate answers — error, then size,
/// then mask. Every solver (CPU, GPU host re-scoring) decides by this.
#[inline]
pub fn better(err: f64, mask: u32, best_err: f64, best_mask: u32) -> bool {
    err < best_err
        || (err == best_err && (mask.count_ones(), mask) < (best_mask.count_ones(), best_mask))
}

/// Reference for tests: all 2^n subsets, O(2^n · n). Same objective and
/// tie-breaking as the fast solver. Use for n ≤ ~20.
pub fn brute_force(candidates: &[f64], target: f64) -> Solution {
    let n = candidates.len().min(32);
    let (sum0, err0) = evaluate(candidates, target, 0);
    let mut best = Solution {
        subset: 0,
        sum: sum0,
        error: err0,
    };
    for mask in 1..(1u64 << n) {
        let mask = mask as u32;
        let (sum, error) = evaluate(&candidates[..n], target, mask);
        if better(error, mask, best.error, best.subset) {
            best = Solution {
                subset: mask,
                sum,
                error,
            };
        }
    }
    best
}
