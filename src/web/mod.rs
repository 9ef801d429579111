//! wasm-bindgen API for the page: JS-facing types over the core only — the
//! coordinator's [`WebRun`] and [`WebGraphRun`] (drivers of `slt::PruneRun`
//! for image and graph models), the solver
//! workers' [`solve_subset_sum`], [`WebGpuSubsetSum`] and [`Evaluator`]. Every entry point returns errors as JS `Error` objects (from the
//! crate's typed errors); nothing here panics on input from the page.

mod digit_set;
mod evaluator;
mod gpu_evaluator;
mod gpu_forward;
mod graph_run;
mod graph_view;
mod inspect;
mod memory;
mod run;
mod run_config;
mod run_view;
mod solver;

pub use digit_set::DigitSet;
pub use evaluator::Evaluator;
pub use gpu_evaluator::WebGpuEvaluator;
pub use gpu_forward::{force_gpu_fault, WebGpuForward};
pub use graph_run::{graph_example, WebGraphRun};
pub use memory::{allocation_failure, wasm_memory_bytes};
pub use run::WebRun;
pub use solver::{solve_subset_sum, WebGpuSubsetSum};

use wasm_bindgen::prelude::*;

/// Routes Rust panics (bugs, never input errors) to the browser console
/// with a message instead of an opaque "unreachable". Idempotent; the
/// worker calls it once after loading the module.
#[wasm_bindgen(js_name = installPanicHook)]
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}

/// The crate version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The seeded test rotation of each of the first `count` test digits, in
/// radians (the same angles native evaluation uses).
#[wasm_bindgen(js_name = testAngles)]
pub fn test_angles(count: usize) -> Vec<f32> {
    crate::data::rotated_mnist::test_angles(count)
}
