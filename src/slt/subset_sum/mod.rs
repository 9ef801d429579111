//! Exact subset sum: the hot loop of the construction (see [`crate::slt`]).
//!
//! Every target coefficient becomes one problem: pick S ⊆ {0..n} (n ≤ 32)
//! minimising |Σ_{j∈S} c_j − t|. [`mitm`](crate::slt::subset_sum::mitm) solves it exactly by
//! meet-in-the-middle (through a grid of the first half's sums, `grid`, or
//! by merging and sweeping sorted lists); [`evaluate`](mod@crate::slt::subset_sum::evaluate) fixes what "exactly" means in f64 (the
//! summation order) and holds the brute-force reference used by the tests;
//! [`batch`](crate::slt::subset_sum::batch) is the batch interface shared with the GPU solver.
//!
//! Ties go to fewer elements, then the smaller bitmask, so the CPU solver
//! natively and in wasm and the wgpu solver (`gpu::subset_sum`, exact 64-bit
//! fixed point, every subset within a proven rounding window re-scored on
//! the host in f64) return the same subsets. "Exact" is with respect to one
//! fixed f64 evaluation order, within ≈ 1e-14 of the real-number error for
//! inputs in (−1, 1); property tests compare the solver with brute force
//! bit for bit (`tests/subset_sum.rs`, `tests/gpu_subset_sum.rs`).
//!
//! `eslt bench subset-sum --n 24 --count 10000 --seed 1 [--threads K]
//! [--backend cpu|gpu] --json` times it on the construction's kind of
//! problem (candidates u·v, u, v ~ U(−1, 1), targets ~ U(−1, 1)); the
//! measured speeds, against a straightforward C meet-in-the-middle, are in
//! `tests/README.md`. At n = 24 the solver takes about 28 µs of CPU a problem on one core
//! (0.20× the C program's time; `src/bin/eslt/cmd_bench/compare_mitm.py`);
//! in wasm (simd128, Chromium) 1.1–1.3× the native time
//! (`tests/web_subset_sum_speed.rs`).
//!
//! ```
//! use eslt::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch};
//! let batch = ProblemBatch::new(3, vec![0.5, 0.25, -0.125], vec![0.375]).unwrap();
//! let sol = CpuSolver::new().solve_batch(&batch, &|_| {}, &|| false).unwrap();
//! assert_eq!(sol[0].indices(), vec![0, 2]);
//! assert_eq!(sol[0].error, 0.0);
//! ```

pub mod batch;
pub mod evaluate;
mod grid;
pub mod instances;
pub mod mitm;
pub mod problem;

pub use batch::{BatchSolver, CpuSolver};
pub use evaluate::{better, brute_force, evaluate, split_point};
pub use instances::{masks_fnv1a, parse_instances, random_instances};
pub use mitm::{solve, Scratch};
pub use problem::{Problem, ProblemBatch, Solution, MAX_ABS, MAX_N};
