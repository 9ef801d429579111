//! The exact subset-sum solver in wasm (headless Chromium): the page's
//! `solveSubsetSum` picks the native solver's subsets on the benchmark's
//! random problems (build.sh's native reference stage runs `eslt bench
//! subset-sum --n N --count 600 --seed 1 --threads 1 --json >
//! target/golden/subset-sum-nN.json` for N = 13 and 20 first), and the
//! grid's simd128 loops give their scalar twins' answers, ties included,
//! and brute force's.

#![cfg(target_arch = "wasm32")]

mod subset_sum_support;

use eslt::slt::subset_sum::{brute_force, solve, Problem, Scratch, Solution};
use eslt::web::solve_subset_sum;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use subset_sum_support::{masks_fnv1a, random_problems};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NATIVE: [(usize, &str); 2] = [
    (13, include_str!("../target/golden/subset-sum-n13.json")),
    (20, include_str!("../target/golden/subset-sum-n20.json")),
];

#[wasm_bindgen_test]
fn page_solver_picks_the_native_subsets() {
    for (n, text) in NATIVE {
        let native: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            (native["n"].as_u64(), native["seed"].as_u64()),
            (Some(n as u64), Some(1))
        );
        let count = native["count"].as_u64().unwrap() as usize;
        let (c, t) = random_problems(n, count, 1);
        let masks = solve_subset_sum(n, &c, &t).unwrap().to_vec();
        assert_eq!(
            masks_fnv1a(&masks),
            native["masks_fnv1a"].as_str().unwrap(),
            "n = {n}: the wasm subsets differ from the native ones"
        );
    }
}

/// Both kernels on one problem; brute force too while it is cheap.
fn check(c: &[f64], t: f64, simd: &mut Scratch, scalar: &mut Scratch) -> Solution {
    let p = Problem {
        candidates: c,
        target: t,
    };
    let got = solve(&p, simd).unwrap();
    assert_eq!(
        got,
        solve(&p, scalar).unwrap(),
        "simd ≠ scalar: c = {c:?}, t = {t}"
    );
    if c.len() <= 14 {
        assert_eq!(got, brute_force(c, t), "≠ brute force: c = {c:?}, t = {t}");
    }
    got
}

#[wasm_bindgen_test]
fn simd_loops_equal_the_scalar_ones() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut simd, mut scalar) = (Scratch::new(), Scratch::scalar());
    // The construction's products, every n the page uses and beyond.
    for trial in 0..600 {
        let n = trial % 25;
        let c: Vec<f64> = (0..n)
            .map(|_| rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0))
            .collect();
        check(&c, rng.random_range(-1.5..1.5), &mut simd, &mut scalar);
    }
    // Ties: small integers and half-integer targets (many subsets at the
    // same error, sums on cell edges), a repeated value, targets beyond
    // every sum.
    let mut exact = 0;
    for trial in 0..600 {
        let n = 1 + trial % 18;
        let c: Vec<f64> = (0..n)
            .map(|_| f64::from(rng.random_range(-4i32..=4)))
            .collect();
        let t = f64::from(rng.random_range(-24i32..=24)) / 2.0;
        exact += usize::from(check(&c, t, &mut simd, &mut scalar).error == 0.0);
    }
    assert!(
        exact > 100,
        "only {exact} exact hits among the integer problems"
    );
    for n in [3, 8, 16, 20] {
        let v = rng.random_range(-1.0..1.0);
        check(&vec![v; n], v * 2.5, &mut simd, &mut scalar);
        check(&vec![0.125; n], 1e6, &mut simd, &mut scalar);
    }
}
