//! Test support: `eslt bench subset-sum`'s random problems, for the wasm
//! suites that compare with the native benchmark.

#![allow(dead_code)]

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The benchmark's problems (`src/bin/eslt/cmd_bench.rs`): candidates u·v,
/// u, v ~ U(−1, 1), and a target ~ U(−1, 1), drawn from
/// `ChaCha8Rng::seed_from_u64(seed)` problem by problem (the n pairs, then
/// t). Candidates problem-major, then the targets.
pub fn random_problems(n: usize, count: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::with_capacity(n * count);
    let mut t = Vec::with_capacity(count);
    for _ in 0..count {
        for _ in 0..n {
            let u: f64 = rng.random_range(-1.0..1.0);
            let v: f64 = rng.random_range(-1.0..1.0);
            c.push(u * v);
        }
        t.push(rng.random_range(-1.0..1.0));
    }
    (c, t)
}

/// FNV-1a (64-bit) over little-endian u32 bitmasks, in order: the
/// benchmark's `masks_fnv1a`.
pub fn masks_fnv1a(masks: &[u32]) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in masks.iter().flat_map(|m| m.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}
