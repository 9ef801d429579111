//! Parity of the GPU subset-sum solver with the exact CPU solver: the same
//! subsets (bit for bit), on random real problems, integer problems full of
//! ties, and problems that force the CPU fallback.
//!
//! Without a GPU adapter the tests print why and pass, unless
//! ESLT_REQUIRE_GPU=1 (set by `build.sh test`, where lavapipe is installed).
#![cfg(not(target_arch = "wasm32"))]

use eslt::gpu::subset_sum::SMALL_N_MAX;
use eslt::gpu::GpuSolver;
use eslt::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn gpu() -> Option<GpuSolver> {
    match GpuSolver::new() {
        Ok(s) => Some(s),
        Err(e) => {
            if std::env::var("ESLT_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("ESLT_REQUIRE_GPU=1 but the GPU solver is unavailable: {e}");
            }
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// Candidates u·v and targets in (−1, 1), as in the construction.
fn random_batch(n: usize, count: usize, seed: u64) -> ProblemBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::new();
    let mut t = Vec::new();
    for _ in 0..count {
        for _ in 0..n {
            let u: f64 = rng.random_range(-1.0..1.0);
            let v: f64 = rng.random_range(-1.0..1.0);
            c.push(u * v);
        }
        t.push(rng.random_range(-1.0..1.0));
    }
    ProblemBatch::new(n, c, t).expect("valid batch")
}

/// Small integers (optionally scaled): exact ties everywhere.
fn integer_batch(n: usize, count: usize, seed: u64, range: i64, scale: f64) -> ProblemBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::new();
    let mut t = Vec::new();
    for _ in 0..count {
        for _ in 0..n {
            c.push(rng.random_range(-range..=range) as f64 * scale);
        }
        t.push(rng.random_range(-3 * range..=3 * range) as f64 * scale);
    }
    ProblemBatch::new(n, c, t).expect("valid batch")
}

/// Asserts GPU == CPU on every problem, for both kernels (a problem per
/// workgroup, a problem per invocation); returns the GPU's fallback count.
fn assert_parity(gpu: &GpuSolver, batch: &ProblemBatch, what: &str) -> usize {
    let cpu = CpuSolver::new()
        .solve_batch(batch, &|_| {}, &|| false)
        .expect("cpu solve");
    let mut fallbacks = Vec::new();
    let kernels: &[bool] = if batch.n() <= SMALL_N_MAX {
        &[false, true]
    } else {
        &[false]
    };
    for &per_invocation in kernels {
        let kernel = if per_invocation {
            "per invocation"
        } else {
            "per workgroup"
        };
        let (got, stats) =
            pollster::block_on(gpu.solve_with(batch, per_invocation, &|_| {}, &|| false))
                .expect("gpu solve");
        assert_eq!(got.len(), cpu.len());
        for (i, (g, c)) in got.iter().zip(&cpu).enumerate() {
            assert_eq!(
                (g.subset, g.sum.to_bits(), g.error.to_bits()),
                (c.subset, c.sum.to_bits(), c.error.to_bits()),
                "{what}, {kernel}, n = {}, problem {i}: gpu {g:?} vs cpu {c:?} (candidates {:?}, target {})",
                batch.n(),
                batch.problem(i).candidates,
                batch.problem(i).target
            );
        }
        fallbacks.push(stats.fallbacks);
    }
    // Both kernels list the same window: the same problems overflow it.
    assert!(
        fallbacks.iter().all(|&f| f == fallbacks[0]),
        "{what}: fallbacks per kernel {fallbacks:?}"
    );
    fallbacks[0]
}

#[test]
fn random_problems_match_cpu() {
    let Some(gpu) = gpu() else { return };
    eprintln!("adapter: {}", gpu.context().describe());
    for (n, count) in [
        (0, 5),
        (1, 20),
        (2, 20),
        (3, 50),
        (8, 300),
        (12, 300),
        (16, 200),
        (20, 100),
        (24, 40),
    ] {
        let batch = random_batch(n, count, 1000 + n as u64);
        let fallbacks = assert_parity(&gpu, &batch, "random");
        // Real-valued inputs: the window holds one or two subsets.
        assert_eq!(fallbacks, 0, "n = {n}: unexpected CPU fallbacks");
    }
}

#[test]
fn every_n_from_0_to_32_matches_cpu() {
    let Some(gpu) = gpu() else { return };
    for n in 0..=32 {
        let count = match n {
            0..=20 => 24,
            21..=26 => 4,
            _ => 2,
        };
        let batch = random_batch(n, count, 3200 + n as u64);
        assert_eq!(assert_parity(&gpu, &batch, "every n"), 0, "n = {n}");
    }
}

#[test]
fn random_problems_n28_to_32_match_cpu() {
    let Some(gpu) = gpu() else { return };
    for (n, count) in [(28, 6), (31, 2), (32, 2)] {
        let batch = random_batch(n, count, n as u64);
        assert_eq!(assert_parity(&gpu, &batch, "random"), 0);
    }
}

#[test]
fn duplicate_candidates_match_cpu() {
    let Some(gpu) = gpu() else { return };
    // Real values where candidates j and j + 8 are equal (j < 3): up to 8
    // subsets share the optimal sum exactly; the GPU must list them all and
    // the host pick the smallest mask.
    for (n, seed) in [(16, 1), (20, 2)] {
        let base = random_batch(n, 60, seed);
        let mut c = base.candidates().to_vec();
        for p in c.chunks_mut(n) {
            for j in 0..3 {
                p[j + 8] = p[j];
            }
        }
        let batch = ProblemBatch::new(n, c, base.targets().to_vec()).expect("valid batch");
        assert_eq!(assert_parity(&gpu, &batch, "duplicates"), 0);
    }
}

#[test]
fn integer_ties_match_cpu() {
    let Some(gpu) = gpu() else { return };
    for (n, count) in [(8, 200), (12, 200), (16, 100), (20, 40), (24, 20)] {
        let batch = integer_batch(n, count, 77 + n as u64, 6, 1.0);
        // Integers are exact in fixed point: no fallback despite the ties.
        assert_eq!(assert_parity(&gpu, &batch, "integers"), 0);
        let batch = integer_batch(n, count, 99 + n as u64, 50, 0.125);
        assert_eq!(assert_parity(&gpu, &batch, "eighths"), 0);
    }
}

#[test]
fn near_ties_and_fallbacks_match_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Multiples of 0.1 (not exact in binary): many subsets whose real sums
    // tie but whose f64 errors differ in the last bits.
    let n = 14;
    let count = 150;
    let mut c = Vec::new();
    let mut t = Vec::new();
    for _ in 0..count {
        for _ in 0..n {
            c.push(rng.random_range(-9i32..=9) as f64 * 0.1);
        }
        t.push(rng.random_range(-20i32..=20) as f64 * 0.1);
    }
    let batch = ProblemBatch::new(n, c, t).expect("valid batch");
    let fallbacks = assert_parity(&gpu, &batch, "tenths");
    eprintln!("tenths: {fallbacks} of {count} problems fell back to the CPU");

    // Real values with seven exact zeros: 2^7 subsets per optimum, so
    // the window overflows and the CPU takes over — with the same answer.
    let mut batch_c = Vec::new();
    let mut batch_t = Vec::new();
    for _ in 0..20 {
        for j in 0..14 {
            batch_c.push(if j % 2 == 0 {
                0.0
            } else {
                rng.random_range(-1.0..1.0)
            });
        }
        batch_t.push(rng.random_range(-1.0..1.0));
    }
    let batch = ProblemBatch::new(14, batch_c, batch_t).expect("valid batch");
    let fallbacks = assert_parity(&gpu, &batch, "zeros");
    assert!(
        fallbacks > 0,
        "seven zero candidates (2^7 > {} tied subsets) must overflow the window",
        eslt::gpu::MAX_CANDIDATES
    );
}

#[test]
fn progress_and_cancel() {
    let Some(gpu) = gpu() else { return };
    let batch = random_batch(8, 500, 3);
    let last = std::cell::Cell::new(0);
    gpu.solve_batch(&batch, &|d| last.set(d), &|| false)
        .expect("solve");
    assert_eq!(last.get(), 500);
    let r = gpu.solve_batch(&batch, &|_| {}, &|| true);
    assert!(matches!(r, Err(eslt::Error::Cancelled)));
}
