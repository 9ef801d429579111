//! GPU backends (wgpu): the exact subset-sum solver and the forward pass.
//!
//! The core never imports this module; it implements the core's
//! [`crate::slt::subset_sum::BatchSolver`] and
//! [`crate::nn::ForwardBackend`] interfaces.
//!
//! Which shader (`src/gpu/shaders/*.wgsl`) goes with which Rust file:
//!
//! | shader | compiled and dispatched by | computes |
//! | --- | --- | --- |
//! | `conv_common.wgsl` + `conv.wgsl` | [`forward`] (`forward/kernels.rs`, `forward/dispatch.rs`) | a plan's convolution step (with its fused ReLU and max-pool), tiled through workgroup memory |
//! | `conv_common.wgsl` + `conv_direct.wgsl` | the same | the same convolution straight from the buffers, for native CPU devices (lavapipe) |
//! | `per_value.wgsl` + `pool.wgsl` | the same | the max-pool, group-pool and global-average-pool steps |
//! | `per_value.wgsl` + `reshape.wgsl` | the same | the ReLU and flatten steps |
//! | `subset_sum_common.wgsl` + `subset_sum.wgsl` | [`subset_sum`] | one subset-sum problem per workgroup (large n) |
//! | `subset_sum_common.wgsl` + `subset_sum_small.wgsl` | [`subset_sum`] | one problem per invocation (small n) |
//!
//! WGSL has no imports: the `*_common.wgsl` and `per_value.wgsl` files hold
//! what their kernels share and are put in front of each kernel's source
//! when it is compiled. [`context`] opens the device and catches its
//! errors, [`readback`] maps results back, [`fixed_point`] encodes the
//! subset-sum values, [`fault`] forces failures in tests.

pub mod context;
pub mod fault;
pub mod fixed_point;
pub mod forward;
pub mod readback;
pub mod subset_sum;

pub use context::GpuContext;
pub use forward::{ConvKernel, GpuForward, GpuPrepared, Tiles};
pub use subset_sum::{BatchStats, GpuSolver, MAX_CANDIDATES};
