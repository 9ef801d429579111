//! A network: a sequence of equivariant layers and fixed operations.

use crate::group::Group;
use crate::nn::layer::EquivariantLayer;
use serde::{Deserialize, Serialize};

/// One step of a network. Feature maps are `[batch, channels, height, width]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Equivariant convolution (a 1×1 grid and ksize 1 make it a dense layer).
    Conv(EquivariantLayer),
    Relu,
    /// 2×2 spatial max-pooling, stride 2.
    MaxPool2,
    /// Max over each regular field's |G| channels: regular → trivial fields.
    GroupPool,
    /// Mean over the spatial grid: `[b, c, h, w]` → `[b, c, 1, 1]`.
    GlobalAvgPool,
    /// `[b, c, h, w]` → `[b, c·h·w, 1, 1]` (an MLP's input as trivial fields).
    Flatten,
}

/// A G-equivariant (or G-invariant) network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub group: Group,
    /// Input `(channels, height, width)`.
    pub input_shape: (usize, usize, usize),
    pub ops: Vec<Op>,
}
