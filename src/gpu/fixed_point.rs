//! 64-bit fixed-point form of a subset-sum problem, and the window that
//! makes the GPU's integer optimum safe to hand to the exact f64 objective.
//!
//! WGSL has no f64, and f32 sums of 32 terms are far too coarse (≈ 2⁻¹⁹
//! relative) to separate the subsets a f64 solver must tell apart. The GPU
//! therefore works on integers: with a scale 2^s chosen per problem,
//! q_j = round(c_j·2^s), T = round(t·2^s), and e_q(S) = |Σ_{j∈S} q_j − T| is
//! computed exactly (two u32 words per value) — no rounding, no dependence
//! on the driver's float behaviour.
//!
//! Let Λ = Σ|c_j| + |t|; s is chosen so that Λ·2^s < 2^60, so no sum or
//! difference of the solver leaves ±2^62. Let F(S) be the f64 error of
//! [`crate::slt::subset_sum::evaluate()`] and E(S) = |Σ c_j − t| the real one.
//!
//! * Rounding each value to an integer moves e_q by at most ½ per term:
//!   |e_q(S)·2^-s − E(S)| ≤ (n+1)/2 · 2^-s.
//! * `evaluate` performs at most max(n, 2) rounded additions, each of
//!   relative error ≤ u = 2⁻⁵³ on a value of magnitude ≤ Λ(1 + 2⁻⁴⁷):
//!   |F(S) − E(S)| ≤ max(n, 2)·u·Λ·(1 + 2⁻⁴⁷).
//!
//! So |e_q(S)·2^-s − F(S)| ≤ δ with 2δ·2^s ≤ (n+1) + 256·max(n,2)·(1+2⁻⁴⁷)
//! < `window` = (n+1) + 257·max(n,2) + 1 (in units of 2^-s). If E_q is the
//! least e_q over all subsets and S* is F's optimum, then
//! e_q(S*) ≤ F(S*)·2^s + δ2^s ≤ F(S_q)·2^s + δ2^s ≤ E_q + 2δ2^s ≤ E_q + window,
//! and the same holds for every subset that ties with S* in F. The GPU
//! returns every subset with e_q ≤ E_q + window; evaluating those in f64
//! and breaking ties (fewer elements, then smaller mask) gives exactly the
//! CPU solver's answer.
//!
//! Exact problems: when every c_j·2^s and t·2^s is an integer and all of
//! them share at least 8 trailing zero bits, every partial sum `evaluate`
//! forms is a multiple of 2^(8−s) below 2^(60−s) in magnitude — at most 52
//! significant bits — so f64 computes it exactly and F(S) = e_q(S)·2^-s for
//! every S. Then the GPU's own optimum by (e_q, size, mask) is the answer and
//! no window is needed; this is what keeps integer-valued problems, with
//! their huge sets of exact ties, on the GPU.

use crate::slt::subset_sum::MAX_N;

/// Bits of headroom: Λ·2^s < 2^LOG2_RANGE.
const LOG2_RANGE: i32 = 60;

/// Trailing zero bits that make f64 evaluation exact (see module docs).
const EXACT_TRAILING_ZEROS: u32 = 8;

/// One problem in fixed point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedProblem {
    /// round(c_j · 2^s); zero beyond n.
    pub candidates: [i64; MAX_N],
    /// round(t · 2^s).
    pub target: i64,
    /// Candidate window above the integer optimum, in units of 2^-s
    /// (0 for exact problems).
    pub window: u64,
    /// F(S) = e_q(S)·2^-s for every S: the integer optimum is the answer.
    pub exact: bool,
    /// The scale exponent s.
    pub scale_log2: i32,
}

/// 2^e for e in [−1022, 1023].
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// E with Λ < 2^E for finite Λ > 0: floor(log2 Λ) + 1 for normal Λ.
fn exponent_above(l: f64) -> i32 {
    let biased = ((l.to_bits() >> 52) & 0x7ff) as i32;
    if biased == 0 {
        -1022 // subnormal: Λ < 2^-1022
    } else {
        biased - 1023 + 1
    }
}

/// Fixed-point form of a problem whose values are finite and at most
/// `MAX_ABS` in magnitude (as a `ProblemBatch` guarantees), n ≤ 32.
pub fn encode(candidates: &[f64], target: f64) -> FixedProblem {
    let n = candidates.len().min(MAX_N);
    let lambda: f64 = candidates[..n].iter().map(|c| c.abs()).sum::<f64>() + target.abs();
    // One bit below the 2^60 budget absorbs the rounding of Λ itself.
    let s = if lambda > 0.0 {
        (LOG2_RANGE - 1 - exponent_above(lambda)).min(1000)
    } else {
        0
    };
    let (up, down) = (pow2(s), pow2(-s));
    let mut exact = true;
    let mut zeros = u32::MAX;
    let mut quantise = |x: f64| -> i64 {
        let scaled = x * up;
        let r = scaled.round();
        if r != scaled || scaled * down != x {
            exact = false;
        }
        let q = r as i64;
        if q != 0 {
            zeros = zeros.min(q.trailing_zeros());
        }
        q
    };
    let mut q = [0i64; MAX_N];
    for (qj, &c) in q.iter_mut().zip(&candidates[..n]) {
        *qj = quantise(c);
    }
    let t = quantise(target);
    let exact = exact && zeros >= EXACT_TRAILING_ZEROS;
    let ops = n.max(2) as u64;
    FixedProblem {
        candidates: q,
        target: t,
        window: if exact {
            0
        } else {
            (n as u64 + 1) + 257 * ops + 1
        },
        exact,
        scale_log2: s,
    }
}

/// Words per problem in the GPU input buffer (see the shader).
pub const PROBLEM_WORDS: usize = 72;

impl FixedProblem {
    /// The shader's layout: 32 candidates as (low, high) words, the target,
    /// the window, the exact flag, padding.
    pub fn write_words(&self, out: &mut [u32]) {
        let split = |v: u64| (v as u32, (v >> 32) as u32);
        for (j, &c) in self.candidates.iter().enumerate() {
            let (lo, hi) = split(c as u64);
            out[2 * j] = lo;
            out[2 * j + 1] = hi;
        }
        let (lo, hi) = split(self.target as u64);
        out[64] = lo;
        out[65] = hi;
        let (lo, hi) = split(self.window);
        out[66] = lo;
        out[67] = hi;
        out[68] = u32::from(self.exact);
        out[69..PROBLEM_WORDS].fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_exact() {
        let p = encode(&[3.0, -7.0, 12.0, 0.0], 5.0);
        assert!(p.exact);
        assert_eq!(p.window, 0);
        let unit = pow2(p.scale_log2);
        assert_eq!(p.candidates[1] as f64, -7.0 * unit);
        assert_eq!(p.target as f64, 5.0 * unit);
    }

    #[test]
    fn reals_get_a_window_and_stay_in_range() {
        let c = [0.1, -0.33, 0.72, 1e-9, -0.999];
        let p = encode(&c, 0.4);
        assert!(!p.exact);
        assert!(p.window > 0);
        let total: i64 = p.candidates.iter().map(|q| q.abs()).sum::<i64>() + p.target.abs();
        assert!(total < 1 << 60);
        assert!(total > 1 << 58, "scale uses the range: {total}");
        for (j, &x) in c.iter().enumerate() {
            let back = p.candidates[j] as f64 / pow2(p.scale_log2);
            assert!((back - x).abs() <= 0.5 / pow2(p.scale_log2));
        }
    }

    #[test]
    fn zero_and_tiny_problems() {
        let p = encode(&[0.0, 0.0], 0.0);
        assert!(p.exact);
        assert_eq!(p.candidates[0], 0);
        let p = encode(&[1e-310, -3e-320], 0.0);
        assert!(p.candidates.iter().map(|q| q.abs()).sum::<i64>() < 1 << 60);
        let p = encode(&[1e150, -1e150], 1e150);
        assert!(p.candidates.iter().map(|q| q.abs()).sum::<i64>() + p.target.abs() < 1 << 60);
    }

    #[test]
    fn words_round_trip() {
        let p = encode(&[-0.25, 0.5], -0.125);
        let mut w = [7u32; PROBLEM_WORDS];
        p.write_words(&mut w);
        let get = |i: usize| (u64::from(w[i + 1]) << 32 | u64::from(w[i])) as i64;
        assert_eq!(get(0), p.candidates[0]);
        assert_eq!(get(2), p.candidates[1]);
        assert_eq!(get(64), p.target);
        assert_eq!(w[68], u32::from(p.exact));
    }
}
