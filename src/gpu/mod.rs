//! GPU backends (wgpu): the exact subset-sum solver.
//!
//! The core never imports this module; it implements the core's
//! [`crate::slt::subset_sum::BatchSolver`] interface.

pub mod context;
pub mod fixed_point;
pub mod subset_sum;

pub use context::GpuContext;
pub use subset_sum::{BatchStats, GpuSolver, MAX_CANDIDATES};
