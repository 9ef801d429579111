//! The exact subset-sum solver against the brute-force reference.

use eslt::slt::subset_sum::{
    brute_force, evaluate, solve, BatchSolver, CpuSolver, Problem, ProblemBatch, Scratch, Solution,
};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn mitm(c: &[f64], t: f64) -> Solution {
    solve(
        &Problem {
            candidates: c,
            target: t,
        },
        &mut Scratch::new(),
    )
    .expect("valid problem")
}

/// Real-number |Σ c_j − t| of a subset, summed in a different order
/// (descending index) from the solver, to check the objective is the sum.
fn reverse_order_error(c: &[f64], t: f64, mask: u32) -> f64 {
    let s: f64 = (0..c.len())
        .rev()
        .filter(|j| mask >> j & 1 == 1)
        .map(|j| c[j])
        .sum();
    (s - t).abs()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mitm_equals_brute_force_on_floats(
        c in prop::collection::vec(-1.0f64..1.0, 0..=16),
        t in -1.5f64..1.5,
    ) {
        let fast = mitm(&c, t);
        let slow = brute_force(&c, t);
        prop_assert_eq!(fast, slow);
        prop_assert!((fast.error - reverse_order_error(&c, t, fast.subset)).abs() < 1e-12);
    }

    #[test]
    fn mitm_equals_brute_force_on_products(
        uv in prop::collection::vec((-1.0f64..1.0, -1.0f64..1.0), 0..=16),
        t in -1.0f64..1.0,
    ) {
        let c: Vec<f64> = uv.iter().map(|(u, v)| u * v).collect();
        prop_assert_eq!(mitm(&c, t), brute_force(&c, t));
    }

    // Small integers: equal sums everywhere, so the tie-breaking (fewer
    // elements, then smaller mask) decides the answer.
    #[test]
    fn mitm_equals_brute_force_on_small_integers(
        c in prop::collection::vec(-4i32..=4, 0..=16),
        t2 in -24i32..=24,
    ) {
        let c: Vec<f64> = c.into_iter().map(f64::from).collect();
        let t = f64::from(t2) / 2.0; // half-integers give two-sided ties
        let fast = mitm(&c, t);
        prop_assert_eq!(fast, brute_force(&c, t));
        prop_assert_eq!(fast.error, reverse_order_error(&c, t, fast.subset));
    }

    // Candidates far below the target's ulp: many different sums round to
    // the same error, so the tie scan of the sweep is exercised.
    #[test]
    fn mitm_equals_brute_force_under_rounding_ties(
        c in prop::collection::vec(-1.0f64..1.0, 0..=12),
        scale_exp in -60i32..-40,
        t in prop::sample::select(vec![1.0f64, -3.0, 1e3]),
    ) {
        let scale = 2f64.powi(scale_exp);
        let c: Vec<f64> = c.iter().map(|x| x * scale).collect();
        prop_assert_eq!(mitm(&c, t), brute_force(&c, t));
    }
}

#[test]
fn empty_problem_keeps_nothing() {
    let s = mitm(&[], 0.3);
    assert_eq!(s.subset, 0);
    assert_eq!(s.error, 0.3);
}

#[test]
fn brute_force_agrees_at_n_20() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..3 {
        let c: Vec<f64> = (0..20).map(|_| rng.random_range(-1.0..1.0)).collect();
        let t = rng.random_range(-1.0..1.0);
        assert_eq!(mitm(&c, t), brute_force(&c, t));
    }
}

#[test]
fn all_equal_candidates_pick_the_lowest_indices() {
    // C(32, 7) subsets hit t exactly; the answer is the first seven.
    let c = vec![1.0; 32];
    let s = mitm(&c, 7.0);
    assert_eq!(s.error, 0.0);
    assert_eq!(s.subset, 0x7f);
    // Unreachable target: all candidates.
    assert_eq!(mitm(&c, 40.0).subset, u32::MAX);
}

#[test]
fn n_32_result_is_consistent_and_no_worse_than_a_prefix() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..2 {
        let c: Vec<f64> = (0..32)
            .map(|_| rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0))
            .collect();
        let t = rng.random_range(-1.0..1.0);
        let s = mitm(&c, t);
        assert_eq!(evaluate(&c, t, s.subset), (s.sum, s.error));
        // Every subset of the first 16 candidates is a candidate at n = 32.
        let prefix = brute_force(&c[..16], t);
        let (_, e) = evaluate(&c, t, prefix.subset);
        assert!(s.error <= e);
        assert!(s.error < 1e-5, "error {} at n = 32", s.error);
    }
}

/// Regression (found by `eslt fuzz --target instances`): a target that
/// dwarfs every sum makes whole runs of b tie; walking them took 16 s for
/// one n = 32 problem with t = 2^64. Exact (= brute force) now; the time
/// of the n = 32 problems is printed (a figure, not a timed assertion).
#[test]
fn huge_targets_are_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let c20: Vec<f64> = (0..20).map(|_| rng.random_range(-0.7..0.7)).collect();
    let c32: Vec<f64> = (0..32).map(|_| rng.random_range(-0.7..0.7)).collect();
    // From "every subset ties" (2^64) to a few distinct errors (2^53 ± k).
    let targets = [
        18446744073709551615.0,
        -9223372036854775808.0,
        1e17,
        9007199254740993.0,
        -9007199254740996.0,
        4503599627370497.0,
        1e15 + 0.5,
        1e150,
    ];
    for &t in &targets {
        assert_eq!(mitm(&c20, t), brute_force(&c20, t), "t = {t}");
        // Fewer, larger candidates: integers, with many equal sums.
        let ints: Vec<f64> = c20.iter().map(|x| (x * 8.0).round()).collect();
        assert_eq!(mitm(&ints, t), brute_force(&ints, t), "ints, t = {t}");
    }
    // Random scales where rounding leaves 1 to ~100 distinct errors.
    for _ in 0..60 {
        let n = rng.random_range(12..=18);
        let c: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let t = rng.random_range(-1.0..1.0) * 10f64.powi(rng.random_range(13..=18));
        assert_eq!(mitm(&c, t), brute_force(&c, t), "n = {n}, t = {t}");
    }
    let start = std::time::Instant::now();
    for &t in &targets {
        let s = mitm(&c32, t);
        assert_eq!(evaluate(&c32, t, s.subset), (s.sum, s.error));
    }
    eprintln!(
        "{} n = 32 problems with huge targets: {:.3} s",
        targets.len(),
        start.elapsed().as_secs_f64()
    );
}

fn random_batch(n: usize, count: usize, seed: u64) -> ProblemBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let c = (0..n * count)
        .map(|_| rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0))
        .collect();
    let t = (0..count).map(|_| rng.random_range(-1.0..1.0)).collect();
    ProblemBatch::new(n, c, t).expect("valid batch")
}

#[test]
fn batch_matches_single_solves_for_any_thread_count() {
    let batch = random_batch(14, 300, 11);
    let one = CpuSolver::with_threads(1)
        .unwrap()
        .solve_batch(&batch, &|_| {}, &|| false)
        .unwrap();
    let two = CpuSolver::with_threads(2)
        .unwrap()
        .solve_batch(&batch, &|_| {}, &|| false)
        .unwrap();
    assert_eq!(one, two);
    for (i, s) in one.iter().enumerate() {
        let p = batch.problem(i);
        assert_eq!(*s, brute_force(p.candidates, p.target));
    }
}

#[test]
fn progress_is_reported_and_cancel_stops() {
    let batch = random_batch(10, 1000, 5);
    let seen = std::cell::RefCell::new(Vec::new());
    let solver = CpuSolver::new();
    solver
        .solve_batch(&batch, &|d| seen.borrow_mut().push(d), &|| false)
        .unwrap();
    let seen = seen.into_inner();
    assert!(seen.len() >= 50, "{} progress calls", seen.len());
    assert_eq!(seen.last(), Some(&1000));
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let r = solver.solve_batch(&batch, &|_| {}, &|| true);
    assert!(matches!(r, Err(eslt::Error::Cancelled)));
}

#[test]
fn invalid_batches_are_errors() {
    assert!(ProblemBatch::new(33, vec![0.0; 33], vec![0.0]).is_err());
    assert!(ProblemBatch::new(3, vec![0.0; 5], vec![0.0, 1.0]).is_err());
    assert!(ProblemBatch::new(2, vec![0.0, f64::NAN], vec![0.0]).is_err());
    assert!(ProblemBatch::new(1, vec![0.0], vec![f64::INFINITY]).is_err());
    assert!(ProblemBatch::new(1, vec![1e200], vec![0.0]).is_err());
    let p = Problem {
        candidates: &[0.0; 33],
        target: 0.0,
    };
    assert!(solve(&p, &mut Scratch::new()).is_err());
}
