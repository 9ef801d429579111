//! The CPU forward's speed in the browser: a benchmark, not a test (it
//! prints and asserts nothing about time, so it is ignored by default).
//! The counterpart of `eslt bench forward --model www/models/rotmnist-c8.json
//! --batch 256 --threads 1`: the same model, batch and synthetic images,
//! two untimed batches, then the median of timed ones. Run it with
//! `cargo test --release --target wasm32-unknown-unknown --test
//! web_forward_speed -- --include-ignored` (and build.sh's environment).

#![cfg(target_arch = "wasm32")]

use eslt::nn::{matmul_rhs, model, CpuForward, PreparedForward, Rhs};
use ndarray::Array4;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = include_str!("../www/models/rotmnist-c8.json");
const BATCH: usize = 256;
const WARMUP: usize = 2;
const TIMED: usize = 9;

/// `performance.now()` in milliseconds.
fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now = js_sys::Reflect::get(&performance, &"now".into()).unwrap();
    now.unchecked_into::<js_sys::Function>()
        .call0(&performance)
        .unwrap()
        .as_f64()
        .unwrap()
}

/// The CLI benchmark's images: deterministic values in [0, 1).
fn synthetic_images(b: usize, (c, h, w): (usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn((b, c, h, w), |(n, ch, y, x)| {
        ((n * 131 + ch * 71 + y * 29 + x * 7) % 97) as f32 / 97.0
    })
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
fn forward_c8_256_digits() {
    let (net, _) = model::from_json(MODEL).unwrap();
    let cpu = CpuForward::new();
    let t = now_ms();
    let mut prepared = cpu.prepare_cpu(&net).unwrap();
    let prepare_ms = now_ms() - t;
    let macs = prepared.macs_per_image();
    let x = synthetic_images(BATCH, net.input_shape);
    for _ in 0..WARMUP {
        std::hint::black_box(prepared.output(x.view()).unwrap());
    }
    let mut times: Vec<f64> = (0..TIMED)
        .map(|_| {
            let t = now_ms();
            std::hint::black_box(prepared.output(x.view()).unwrap());
            now_ms() - t
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[TIMED / 2];
    let gflops = 2.0 * macs as f64 * BATCH as f64 / (median * 1e-3) / 1e9;
    console_log!(
        "wasm forward rotmnist-c8, batch {BATCH}, simd128{}: median {median:.1} ms \
         (min {:.1}, max {:.1}, {TIMED} batches), {gflops:.1} GFLOP/s of the direct form \
         (3×3 layers run as Winograd F(2×2, 3×3), fewer); prepare {prepare_ms:.0} ms",
        if cfg!(target_feature = "relaxed-simd") {
            " + relaxed-simd"
        } else {
            ""
        },
        times[0],
        times[TIMED - 1],
    );
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
fn products_of_the_c8_forward() {
    // The forward's products for one tile of 4 images: conv 1 (5×5, 28×28,
    // one image a product), conv 2 (3×3, 14×14, one image), conv 3 (3×3,
    // 7×7, four images).
    for &(m, n, k, per_tile) in &[(784, 64, 25, 4), (196, 128, 576, 4), (196, 128, 1152, 1)] {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 / 13.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 / 7.0 - 0.5).collect();
        let rhs = Rhs::new(b, k, n);
        let mut c = vec![0f32; m * n];
        let reps = (2e8 / (m * n * k) as f64).ceil() as usize;
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = now_ms();
            for _ in 0..reps {
                matmul_rhs(m, &a, k, &rhs, &mut c, n);
                std::hint::black_box(&mut c);
            }
            best = best.min((now_ms() - t) / reps as f64);
        }
        let gflops = 2.0 * (m * n * k) as f64 / (best * 1e-3) / 1e9;
        console_log!(
            "product ({m}, {n}, {k}): {best:.3} ms, {gflops:.1} GFLOP/s; \
             {:.1} ms per 256 digits",
            best * (256 / 4 * per_tile) as f64
        );
    }
}
