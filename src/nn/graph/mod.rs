//! Permutation-equivariant networks on sets and graphs: layers that combine
//! a basis of S_n-equivariant linear maps (IGN of orders 0..=2, DeepSets,
//! message passing, identity) with coefficients α, their forward and
//! backward passes, training of the graph targets, and their model files.
//!
//! A layer maps `c_in` channels of an order-l tensor (`[c]`, `[n, c]` or
//! `[n, n, c]`, channels last) to `c_out` channels of an order-m tensor:
//! y[·, o] = Σ_{i,k} α[o, i, k] · B_k(x[·, i]), α laid out `[o][i][k]` as in
//! the image layers, so that the source construction and the pruning treat
//! both alike. Networks alternate layers and ReLUs, have no biases, and end
//! in a layer giving per-node logits `[n, classes]` (node classification,
//! equivariant) or per-graph logits `[classes]` (invariant).
//!
//! - [`GraphLayer`]: basis ([`GraphBasis`]), [`Aggregation`], widths, α;
//!   `apply` / `backward` on one graph with the basis resolved for it.
//! - [`GraphNetwork`]: ops ([`GraphOp`]), [`Readout`]; `forward` on one
//!   [`GraphInput`], `logits` on many (rayon over graphs, one graph per
//!   task, so the result is the same for any thread count), `forward_tape`
//!   and `backward` for training.
//! - [`train()`] (Adam, mini-batches, seeded), [`evaluate()`], the task table
//!   ([`tasks`]), [`train_task()`] by name, model files ([`graph_model`]).
//!
//! [`Aggregation`]: crate::basis::permutation::Aggregation

pub mod backward;
pub mod basis;
pub mod evaluate;
pub mod example;
pub mod forward;
pub mod init;
pub mod input;
pub mod layer;
pub mod model;
pub mod network;
pub mod permuted;
pub mod tasks;
pub mod train;
pub mod train_task;

pub use basis::{GraphBasis, IdentityBasis, ResolvedBasis};
pub use evaluate::{evaluate, GraphEvaluation};
pub use example::GraphExample;
pub use forward::GraphTape;
pub use input::GraphInput;
pub use layer::GraphLayer;
pub use model as graph_model;
pub use network::{GraphNetwork, GraphOp, Readout};
pub use permuted::{evaluate_permuted, PermutedEvaluation};
pub use train::{train, GraphTrainConfig, GraphTrainProgress};
pub use train_task::train_task;
