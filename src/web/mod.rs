//! The wasm-bindgen API of the page: JS-facing types over the core only.
//! Every entry point returns errors as JS `Error`s carrying the Rust
//! error's message (from the crate's typed errors); nothing here panics on
//! input from the page, and unknown run-configuration keys are refused.
//!
//! # Who hosts what
//!
//! The page (`www/`) runs the core in Web Workers, each with its own wasm
//! instance; the main thread only draws. The worker protocol is written at
//! the top of `www/coordinator.js`, `www/solver.js` and `www/worker.js`.
//!
//! | export | kind | hosted by |
//! |---|---|---|
//! | [`WebRun`] | class | the coordinator (`coordinator.js`) |
//! | [`solveSubsetSum`](solve_subset_sum), [`WebGpuSubsetSum`] | function, class | each solver (`solver.js`) |
//! | [`Evaluator`], [`WebGpuEvaluator`] | classes | each solver (`solver.js`), image runs |
//! | [`DigitSet`], [`testAngles`](test_angles), [`version`] | class, functions | the core worker (`worker.js`) |
//! | [`graphExample`](graph_example), [`scalingFit`](scaling_fit) | functions | the core worker (`worker.js`) |
//! | [`modelKind`](model_kind_js), [`sha256Hex`](sha256_hex_js), [`ticketSettings`](ticket_settings) | functions | the core worker (`worker.js`) |
//! | [`installPanicHook`](install_panic_hook) | function | every worker, once at start |
//! | [`allocationFailure`](allocation_failure), [`wasmMemoryBytes`](wasm_memory_bytes) | functions | every pool worker (`worker-health.js`) |
//! | [`WebGpuForward`], [`forceGpuFault`](force_gpu_fault) | class, function | the wasm tests (`tests/web_gpu_forward.rs`) |
//!
//! # The run
//!
//! `new WebRun(modelJson, digitBytes, config)` reads the model's kind from
//! its `format` (`eslt-model`: image, `eslt-graph-model`: graph) and sets
//! up a `slt::PruneRun` — the state machine the CLI drives — on it.
//! `config` is `{eps, n, seed, headroom, grow, testDigits, batchProblems,
//! verifySlice, literalSample, backend, memoryBudgetMib}` (`testDigits`:
//! test rows — digits, or test graphs of a graph task; `digitBytes` is read
//! for image models only, graph tasks regenerate their test graphs from the
//! task table's seeds).
//!
//! - `modelKind` (`'image' | 'graph'`), `verifiesOnSolvers` (image runs
//!   hand verify slices to the solvers; graph runs verify here),
//!   `testRows` (also as `testDigits` and `testGraphs`): getters.
//! - `nextWork()`: `{kind: 'solve', id, layer, first, n, count,
//!   candidates, targets}` (a batch for a solver), `{kind: 'verify', id,
//!   start, end}` (a slice of test rows for a solver's evaluator),
//!   `{kind: 'local', did: 'literal' | 'verify'}` (it did a piece of work
//!   itself — the literal masked-source check, or a graph run's verify
//!   slice — so the caller may yield before asking again), `{kind:
//!   'wait'}` (every piece is out) or `{kind: 'done'}`.
//! - `submitSolve(id, subsets)`, `submitVerify(id, targetLogits,
//!   ticketLogits)`: answers (the library calls the latter
//!   `submit_logits`).
//! - `drainEvents()` (plain objects with a `type`, as `eslt prune --json`
//!   names them), `progress()` (0..1; it steps back when a layer grows).
//! - `ticketBlob()`: the collapsed ticket's β for the solvers' evaluators.
//! - `layerErrors(layer)`, `worstProblems(layer, count)`, `problem(layer,
//!   p)`, `problemIndex(layer, o, i, k, pool)`: the pruned layers.
//! - `finish(seconds, solveSeconds)`: `{report, targetPredictions,
//!   ticketPredictions}`; then `ticketJson(modelName, sha256)`: the ticket
//!   file that `eslt ticket verify` checks.
//! - `memoryEstimate()`, `filters('target' | 'ticket')`, `featureMaps(index,
//!   extraAngle)`: image runs only; `graph(index, permuteSeed?)`
//!   (structure, `sigma`, logits, predictions and per-node values of target
//!   and ticket) and `permutationCheck(seed)`: graph runs only. Asked of
//!   the other kind, each is an error that says so.
//!
//! # The solvers and the core worker
//!
//! `solveSubsetSum(n, candidates, targets)` (exact, meet-in-the-middle) and
//! `WebGpuSubsetSum.create()` with `.solve(…)` and `.describe()` return the
//! chosen subsets. `new Evaluator(modelJson, digitBytes)` with
//! `setTicket(blob)`, `evaluate(start, end)` (`{target, ticket}` logits)
//! and `targetLogits(start, end)`; `WebGpuEvaluator.create(…)` the same on
//! WebGPU (promises). `DigitSet.fromBytes(bytes)` (`count`, `rows`,
//! `cols`, `labels()`, `image(i)`, `rotated(indices, angles)`),
//! `testAngles(count)`, `graphExample(task, index, permuteSeed?)`
//! (a test graph's structure, before any run), `modelKind(text)`,
//! `sha256Hex(bytes)` and `ticketSettings(text)` answer the page's
//! questions about digits, graphs and files.

mod digit_set;
mod evaluator;
mod files;
mod gpu_evaluator;
mod gpu_forward;
mod graph_view;
mod inspect;
mod js;
mod memory;
mod page_run;
mod run;
mod run_config;
mod run_inputs;
mod scaling;
mod solver;

pub use digit_set::DigitSet;
pub use evaluator::Evaluator;
pub use files::{model_kind_js, sha256_hex_js, ticket_settings};
pub use gpu_evaluator::WebGpuEvaluator;
pub use gpu_forward::{force_gpu_fault, WebGpuForward};
pub use graph_view::graph_example;
pub use memory::{allocation_failure, wasm_memory_bytes};
pub use run::WebRun;
pub use scaling::scaling_fit;
pub use solver::{solve_subset_sum, WebGpuSubsetSum};

use wasm_bindgen::prelude::*;

/// Routes Rust panics (bugs, never input errors) to the browser console
/// with a message instead of an opaque "unreachable". Idempotent; each
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
