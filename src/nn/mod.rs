//! Equivariant layers and networks: forward on the CPU, training of targets.

pub mod adam;
pub mod any_model;
pub mod architecture;
pub mod backward;
mod batch;
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
mod matmul;
pub mod max_pool;
pub mod model;
pub mod model_envelope;
#[cfg(not(target_arch = "wasm32"))]
pub mod model_eval;
#[cfg(not(target_arch = "wasm32"))]
pub mod model_file;
pub mod network;
mod nhwc;
pub mod relu;
pub mod tasks;
pub mod train;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm_gemm;

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
pub use relu::{relu, relu_backward};
