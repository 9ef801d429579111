//! Equivariant layers and networks: forward on the CPU, training of targets.
//!
//! A [`Network`] is a list of [`Op`]s (equivariant convolutions
//! [`EquivariantLayer`], ReLU, pools, flatten) on `[b, c, h, w]` maps. It
//! has three forwards, which agree up to the order of sums:
//!
//! - **Reference** ([`forward`]: [`apply_op`], [`Network::forward_reference`]):
//!   one op at a time on `[b, c, h, w]` maps, by the plain kernels of
//!   [`conv`], [`max_pool`], [`group_pool`](mod@group_pool), … — the path that training
//!   differentiates ([`backward`], [`train`]) and the twin the fast
//!   forwards are tested against.
//! - **CPU** ([`cpu_forward`]: [`CpuForward`], [`Network::forward`]): the
//!   fast forward of the run, the CLI and the page (its kernels on
//!   channels-last maps are in `nhwc`, its matrix product in `matmul` and,
//!   in wasm, `wasm_gemm`); bitwise the same output for an image whatever
//!   its batch or the thread count.
//! - **GPU** (`crate::gpu::forward`, outside the core, which never
//!   imports it): the same steps on a wgpu device.
//!
//! The CPU and GPU forwards execute one [`plan::ForwardPlan`]: the network
//! compiled once into steps with their shapes and fusions (ReLU and 2×2
//! max-pool into the convolution before them), so the fusion rule is
//! written once. Each backend adds only its sizing (tiles, chunks,
//! buffers) and its execution. Both implement [`ForwardBackend`], which
//! the run, the CLI and the page evaluate through.
//!
//! Graph networks (permutation-equivariant, on sets and graphs) are in
//! [`graph`], with their own forward.

pub mod adam;
pub mod any_model;
pub mod architecture;
pub mod backward;
pub(crate) mod batch;
pub mod coef_encoding;
pub mod conv;
pub mod cpu_forward;
pub mod evaluate;
pub mod forward;
pub mod forward_backend;
pub mod global_avg_pool;
pub mod graph;
pub mod group_pool;
pub mod init;
pub mod layer;
pub mod loss;
pub(crate) mod matmul;
mod max_gradient;
pub mod max_pool;
pub mod model;
pub mod model_envelope;
#[cfg(not(target_arch = "wasm32"))]
pub mod model_eval;
#[cfg(not(target_arch = "wasm32"))]
pub mod model_file;
pub mod network;
pub(crate) mod nhwc;
pub mod plan;
pub mod relu;
pub mod tasks;
pub mod train;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm_gemm;
pub(crate) mod winograd;

pub use adam::Adam;
pub use any_model::{model_kind, Model, ModelKind};
pub use backward::Tape;
pub use conv::{conv2d_same, conv2d_same_backward};
pub use cpu_forward::{CpuForward, CpuPrepared};
pub use forward::{apply_op, argmax_rows, op_output_shape};
pub use forward_backend::{ForwardBackend, PreparedForward};
pub use global_avg_pool::{global_avg_pool, global_avg_pool_backward};
pub use group_pool::{group_pool, group_pool_backward};
pub use layer::EquivariantLayer;
pub use loss::{softmax_cross_entropy, LossOutput};
/// The forward's matrix product, public for the wasm test of its kernel.
#[doc(hidden)]
pub use matmul::{matmul, matmul_rhs, Rhs};
pub use max_pool::{max_pool2, max_pool2_backward};
pub use network::{Network, Op};
pub use plan::ForwardPlan;
pub use relu::{relu, relu_backward};
