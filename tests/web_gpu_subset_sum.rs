//! The GPU subset-sum solver's async path through WebGPU in headless
//! Chromium (SwiftShader), compared with the CPU solver in the same wasm
//! module: the same subsets, bit for bit.
//!
//! Without a WebGPU adapter the test says why and passes — unless the crate
//! was built with ESLT_REQUIRE_GPU=1, where it fails.

#![cfg(target_arch = "wasm32")]

use eslt::gpu::GpuSolver;
use eslt::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn batch(n: usize, count: usize, seed: u64, integers: bool) -> ProblemBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::new();
    let mut t = Vec::new();
    for _ in 0..count {
        for _ in 0..n {
            c.push(if integers {
                rng.random_range(-6i32..=6) as f64
            } else {
                rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0)
            });
        }
        t.push(if integers {
            rng.random_range(-18i32..=18) as f64
        } else {
            rng.random_range(-1.0..1.0)
        });
    }
    ProblemBatch::new(n, c, t).expect("valid batch")
}

#[wasm_bindgen_test]
async fn gpu_matches_cpu_in_the_browser() {
    let gpu = match GpuSolver::request().await {
        Ok(g) => g,
        Err(e) => {
            if option_env!("ESLT_REQUIRE_GPU") == Some("1") {
                panic!("ESLT_REQUIRE_GPU=1 but no WebGPU solver: {e}");
            }
            console_log!("skipped: {e}");
            return;
        }
    };
    console_log!("WebGPU adapter: {}", gpu.context().describe());
    let cpu = CpuSolver::new();
    for (n, count, integers) in [
        (8, 64, false),
        (12, 64, false),
        (16, 32, false),
        (12, 64, true),
    ] {
        let b = batch(n, count, 40 + n as u64, integers);
        let want = cpu.solve_batch(&b, &|_| {}, &|| false).expect("cpu solve");
        let (got, stats) = gpu
            .solve_batch_async(&b, &|_| {}, &|| false)
            .await
            .expect("gpu solve");
        assert_eq!(got.len(), want.len());
        for (i, (g, c)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                (g.subset, g.sum.to_bits(), g.error.to_bits()),
                (c.subset, c.sum.to_bits(), c.error.to_bits()),
                "n = {n}, problem {i}: gpu {g:?} vs cpu {c:?}"
            );
        }
        console_log!(
            "n = {n}: {count} problems agree ({} exact on the GPU, {} CPU fallbacks)",
            stats.exact,
            stats.fallbacks
        );
    }
}

/// Both kernels at every n from 0 to 32 — the per-invocation one too,
/// beyond SMALL_N_MAX: lavapipe cuts its loops there (tests/gpu_loop_limit.rs),
/// SwiftShader does not, and the kernel is right.
#[wasm_bindgen_test]
async fn both_kernels_match_cpu_at_every_n() {
    let gpu = match GpuSolver::request().await {
        Ok(g) => g,
        Err(e) => {
            if option_env!("ESLT_REQUIRE_GPU") == Some("1") {
                panic!("ESLT_REQUIRE_GPU=1 but no WebGPU solver: {e}");
            }
            console_log!("skipped: {e}");
            return;
        }
    };
    let cpu = CpuSolver::new();
    for n in 0..=32 {
        let count = match n {
            0..=20 => 16,
            21..=26 => 3,
            _ => 1,
        };
        let b = batch(n, count, 3200 + n as u64, false);
        let want = cpu.solve_batch(&b, &|_| {}, &|| false).expect("cpu solve");
        for per_invocation in [false, true] {
            let (got, stats) = gpu
                .solve_with(&b, per_invocation, &|_| {}, &|| false)
                .await
                .expect("gpu solve");
            for (i, (g, c)) in got.iter().zip(&want).enumerate() {
                assert_eq!(
                    (g.subset, g.sum.to_bits(), g.error.to_bits()),
                    (c.subset, c.sum.to_bits(), c.error.to_bits()),
                    "n = {n}, problem {i}, per invocation {per_invocation}: gpu {g:?} vs cpu {c:?}"
                );
            }
            assert_eq!(
                stats.fallbacks, 0,
                "n = {n}, per invocation {per_invocation}: CPU fallbacks"
            );
        }
    }
    console_log!("both kernels agree with the CPU at n = 0…32");
}
