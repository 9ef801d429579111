//! Test support: `eslt bench subset-sum`'s random problems, for the wasm
//! suites that compare with the native benchmark.

#![allow(dead_code)]

use eslt::slt::subset_sum::random_instances;

/// The benchmark's problems ([`random_instances`], as `eslt bench
/// subset-sum` draws them): candidates problem-major, then the targets.
pub fn random_problems(n: usize, count: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let b = random_instances(n, count, seed).expect("valid instances");
    (b.candidates().to_vec(), b.targets().to_vec())
}

/// The benchmark's `masks_fnv1a` of the bitmasks, as hex.
pub fn masks_fnv1a(masks: &[u32]) -> String {
    format!(
        "{:016x}",
        eslt::slt::subset_sum::masks_fnv1a(masks.iter().copied())
    )
}
