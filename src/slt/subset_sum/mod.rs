//! Exact subset sum: the hot loop of the construction (see [`crate::slt`]).
//!
//! Every target coefficient becomes one problem: pick S ⊆ {0..n} (n ≤ 32)
//! minimising |Σ_{j∈S} c_j − t|. [`mitm`] solves it exactly by
//! meet-in-the-middle (through a grid of the first half's sums, `grid`, or
//! by merging and sweeping sorted lists); [`evaluate`] fixes what "exactly" means in f64 (the
//! summation order) and holds the brute-force reference used by the tests;
//! [`batch`] is the batch interface shared with the GPU solver.
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
pub use instances::parse_instances;
pub use mitm::{solve, Scratch};
pub use problem::{Problem, ProblemBatch, Solution, MAX_ABS, MAX_N};
