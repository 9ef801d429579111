//! Equivariant layers and networks: forward on the CPU, training of targets.

pub mod layer;
pub mod network;

pub use layer::EquivariantLayer;
pub use network::{Network, Op};
