//! Bases of equivariant linear maps between fields.
//!
//! A layer's weights are W = Σ_{o,i,k} α\[o,i,k] · E\[o,i] ⊗ B_k: every basis
//! element B_k is a k×k kernel from one input field (`in_dim` channels) to
//! one output field (`out_dim` channels).
//!
//! - [`steerable_basis`]`(group, in_type, out_type, ksize)`: orthonormal basis
//!   of G-equivariant k×k kernels (harmonic, sampled; grid-exact elements
//!   permute it bit for bit). Trivial/regular fields of C_N and D_N; C_1 gives
//!   an unconstrained (but band-limited) kernel.
//! - [`pixel_basis`]`(ksize)`: all k² deltas (a plain CNN).
//! - [`dense_basis`]`()`: the 1×1 scalar (an MLP layer on a 1×1 grid).
//! - [`identity_element`]`(group, field_type)`: exactly the identity on one
//!   field (layer A of the source); [`identity_coefficients`] expresses the
//!   identity in any basis that spans it (e.g. the ksize = 1 steerable one).
//!
//! Graphs and sets (the symmetric group S_n on node and edge tensors):
//! [`permutation`] (the operations every element is built of, and their
//! normalisation), [`ign`] (all equivariant maps between orders 0, 1, 2 —
//! Maron et al.'s k-IGN layers), [`deepsets`] (1→1: identity, pooled sum),
//! [`message_passing`] (self and neighbours on a given graph).

pub mod deepsets;
pub mod harmonic;
pub mod identity;
pub mod ign;
pub mod message_passing;
pub mod orthonormal;
pub mod permutation;
pub mod pixel;
pub mod sampling;
pub mod steerable;

pub use identity::{identity_coefficients, identity_element};
pub use pixel::{dense_basis, pixel_basis};
pub use steerable::steerable_basis;

use serde::{Deserialize, Serialize};

/// A basis of equivariant kernels between two field types on a k×k grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelBasis {
    /// Channels of one output field.
    pub out_dim: usize,
    /// Channels of one input field.
    pub in_dim: usize,
    /// Spatial kernel size (odd; 1 for a pointwise / dense layer).
    pub ksize: usize,
    /// `elems[k]` holds `out_dim * in_dim * ksize * ksize` values, laid out
    /// `[p][q][y][x]` (output channel, input channel, row, column).
    pub elems: Vec<Vec<f32>>,
}

impl KernelBasis {
    /// Number of basis elements.
    pub fn len(&self) -> usize {
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// Values per basis element.
    pub fn elem_len(&self) -> usize {
        self.out_dim * self.in_dim * self.ksize * self.ksize
    }
}
