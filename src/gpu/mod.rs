//! GPU backends (wgpu): the exact subset-sum solver and the forward pass.
//!
//! The core never imports this module; it implements the core's
//! [`crate::slt::subset_sum::BatchSolver`] and
//! [`crate::nn::ForwardBackend`] interfaces.

pub mod context;
pub mod fault;
pub mod fixed_point;
pub mod forward;
pub mod readback;
pub mod subset_sum;

pub use context::GpuContext;
pub use forward::{ConvKernel, GpuForward, GpuPrepared, Tiles};
pub use subset_sum::{BatchStats, GpuSolver, MAX_CANDIDATES};
