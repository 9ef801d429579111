//! The exact subset-sum solver's speed in the browser: a benchmark, not a
//! test (it prints and asserts nothing about time, so it is ignored by
//! default). The counterpart of `eslt bench subset-sum --threads 1 --n N
//! --count C --seed 1`: the same random problems (u·v candidates, targets in
//! (−1, 1), ChaCha8 drawn in the CLI's order), solved by `solveSubsetSum`
//! (what the page's solver workers call) in the page's CPU batches of 1,024
//! problems; one untimed pass, then the median of timed passes of ≥ 100 ms
//! each (`performance.now()` is coarse outside cross-origin isolation). Run
//! it with `cargo test --release --target wasm32-unknown-unknown --test
//! web_subset_sum_speed -- --include-ignored --nocapture` (and build.sh's
//! environment).

#![cfg(target_arch = "wasm32")]

mod subset_sum_support;

use eslt::web::solve_subset_sum;
use subset_sum_support::random_problems;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TIMED: usize = 7;

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

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
fn subset_sum_per_problem() {
    // n = 14…21: the sizes of the page's rotmnist-c8 run; 16, 20, 24: the
    // README's table.
    for (n, count) in [
        (14, 8192),
        (15, 8192),
        (16, 8192),
        (17, 8192),
        (18, 4096),
        (19, 4096),
        (20, 4096),
        (21, 4096),
        (24, 2048),
    ] {
        let (c, t) = random_problems(n, count, 1);
        let first = solve_in_page_batches(n, &c, &t);
        std::hint::black_box(first);
        let mut times: Vec<f64> = (0..TIMED)
            .map(|_| {
                let (start, mut done) = (now_ms(), 0);
                while now_ms() - start < 100.0 {
                    std::hint::black_box(solve_in_page_batches(n, &c, &t));
                    done += count;
                }
                (now_ms() - start) / done as f64
            })
            .collect();
        times.sort_by(f64::total_cmp);
        console_log!(
            "wasm subset sum n = {n}, {count} problems (seed 1), batches of {PAGE_BATCH}: \
             median {:.2} µs a problem (min {:.2}, max {:.2}, {TIMED} passes of ≥ 100 ms)",
            times[TIMED / 2] * 1e3,
            times[0] * 1e3,
            times[TIMED - 1] * 1e3,
        );
    }
}
