//! Same seed, same ticket: pruning in wasm (headless Chromium) gives the mask
//! the native CLI gave. build.sh writes the native report first:
//! `eslt prune --model www/models/rotmnist-c8.json --n 8 --no-grow --seed 1
//! --test-digits 100 --no-literal --json > target/golden/prune-c8-n8.json`.

#![cfg(target_arch = "wasm32")]

use eslt::nn::model;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::{prune_network, PruneConfig, RunHooks};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = include_str!("../www/models/rotmnist-c8.json");
const NATIVE: &str = include_str!("../target/golden/prune-c8-n8.json");

#[wasm_bindgen_test]
fn wasm_mask_equals_native_mask() {
    let native: serde_json::Value = serde_json::from_str(NATIVE).expect("native report is JSON");
    let (net, meta) = model::from_json(MODEL).expect("shipped model loads in wasm");
    let cfg = PruneConfig {
        eps: 0.01,
        n: Some(8),
        grow: false,
        seed: 1,
        ..Default::default()
    };
    assert_eq!(native["n"], 8);
    assert_eq!(native["seed"], 1);
    let out = prune_network(
        &net,
        &meta.task,
        &cfg,
        &CpuSolver::new(),
        None,
        RunHooks {
            now: &|| 0.0,
            on_event: &mut |_| {},
            cancel: &|| false,
        },
    )
    .expect("pruning runs in wasm");
    let r = out.report;
    assert_eq!(r.problems as u64, native["problems"].as_u64().unwrap());
    assert_eq!(
        r.ticket_params as u64,
        native["ticket_params"].as_u64().unwrap()
    );
    // JSON text round trip of an f64 may move the last bit; the digest is exact.
    let native_err = native["max_coef_error"].as_f64().unwrap();
    assert!((r.max_coef_error - native_err).abs() <= 1e-12 * native_err.abs().max(1e-300));
    assert_eq!(r.mask_digest, native["mask_digest"].as_str().unwrap());
}
