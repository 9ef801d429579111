//! The exact subset-sum solver's speed in the browser: a benchmark, not a
//! test (it prints and asserts nothing about time, so it is ignored by
//! default). The counterpart of `eslt bench subset-sum --threads 1 --n N
//! --count C --seed 1`: the same random problems (u·v candidates, targets in
//! (−1, 1), ChaCha8 drawn in the CLI's order), solved by `solveSubsetSum`
//! (what the page's solver workers call) in the page's CPU batches of 1,024
//! problems, and by the solver's kernel alone, with its simd128 loops and
//! with their scalar twins (`Scratch::scalar`); one untimed pass, then the
//! medians of interleaved timed passes of ≥ [`PASS_MS`] each
//! (`performance.now()` is coarse outside cross-origin isolation). Whether
//! the answers are the native ones is a test: `tests/web_subset_sum.rs`. Run
//! it with `cargo test --release --target wasm32-unknown-unknown --test
//! web_subset_sum_speed -- --include-ignored --nocapture` (and build.sh's
//! environment).

#![cfg(target_arch = "wasm32")]

mod subset_sum_support;

use eslt::slt::subset_sum::{solve, Problem, Scratch};
use eslt::web::solve_subset_sum;
use subset_sum_support::random_problems;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TIMED: usize = 5;

/// Milliseconds a timed pass lasts at least: 3 × 5 passes × 10 sizes stay
/// well within the test runner's limit (`WASM_BINDGEN_TEST_TIMEOUT`, 20 s).
const PASS_MS: f64 = 50.0;

/// The page's CPU solve batch (`batchProblems()` in `www/backend.js`).
const PAGE_BATCH: usize = 1024;

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

/// Solves every problem as the page does, one `solveSubsetSum` call a
/// batch; the subsets.
fn solve_in_page_batches(n: usize, c: &[f64], t: &[f64]) -> Vec<u32> {
    let mut subsets = Vec::with_capacity(t.len());
    for (cb, tb) in c.chunks(PAGE_BATCH * n.max(1)).zip(t.chunks(PAGE_BATCH)) {
        subsets.extend(solve_subset_sum(n, cb, tb).unwrap().to_vec());
    }
    subsets
}

/// Lets the page run (the test runner polls it; a test that holds the
/// thread for 20 s fails).
async fn yield_to_page() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into()).unwrap();
        set_timeout
            .unchecked_into::<js_sys::Function>()
            .call2(&JsValue::NULL, &resolve, &0.into())
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Microseconds a problem over ≥ [`PASS_MS`] of repeated `pass`es of `count`
/// problems.
fn time_per_problem(count: usize, mut pass: impl FnMut()) -> f64 {
    let (start, mut done) = (now_ms(), 0);
    while now_ms() - start < PASS_MS {
        pass();
        done += count;
    }
    (now_ms() - start) / done as f64 * 1e3
}

/// Median, min and max.
fn summary(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    format!(
        "{:.2} µs (min {:.2}, max {:.2})",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    )
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
async fn subset_sum_per_problem() {
    // n = 14…22: the sizes of the page's rotmnist-c8 run (layer 1 grows from
    // 20 to 22); 16, 20, 24: the README's table.
    for (n, count) in [
        (14, 8192),
        (15, 8192),
        (16, 8192),
        (17, 8192),
        (18, 4096),
        (19, 4096),
        (20, 4096),
        (21, 4096),
        (22, 2048),
        (24, 2048),
    ] {
        let (c, t) = random_problems(n, count, 1);
        let (mut simd, mut scalar) = (Scratch::new(), Scratch::scalar());
        let kernel = |scratch: &mut Scratch| {
            for (cp, &tp) in c.chunks_exact(n).zip(&t) {
                let p = Problem {
                    candidates: cp,
                    target: tp,
                };
                std::hint::black_box(solve(&p, scratch).unwrap());
            }
        };
        // Untimed: the engine's optimising tier, the scratch buffers.
        std::hint::black_box(solve_in_page_batches(n, &c, &t));
        kernel(&mut scalar);
        let (mut page, mut vector, mut portable) = (vec![], vec![], vec![]);
        // Interleaved, so that load from other work hits all three alike.
        for _ in 0..TIMED {
            page.push(time_per_problem(count, || {
                std::hint::black_box(solve_in_page_batches(n, &c, &t));
            }));
            vector.push(time_per_problem(count, || kernel(&mut simd)));
            portable.push(time_per_problem(count, || kernel(&mut scalar)));
            yield_to_page().await;
        }
        console_log!(
            "wasm subset sum n = {n}, {count} problems (seed 1), medians of {TIMED} interleaved \
             passes of ≥ {PASS_MS} ms, a problem: solveSubsetSum in batches of {PAGE_BATCH} {}; \
             kernel (simd128) {}; scalar kernel {}",
            summary(page),
            summary(vector),
            summary(portable),
        );
    }
}
