//! Symmetry groups acting on the plane and their representations on fields.
//!
//! C_N (rotations by multiples of 2π/N) and D_N (rotations and reflections),
//! with the trivial and regular representations. C_1 is the trivial group
//! (a plain CNN / MLP). [`permutation`]: the symmetric group S_n acting on
//! node features (order 1) and edge features (order 2) of graphs and sets.
//!
//! Conventions (see `element`): g = r^a s^f (reflect across the x-axis, then
//! rotate counter-clockwise by 2πa/N), index p = a + N·f; plane coordinates
//! of pixel (row, col) are (col − cx, cy − row) (y up); channel p of a regular
//! field ↔ element p and g acts by p ↦ g·p; (g·f)(x) = ρ(g) f(g⁻¹x).
//! Grid-exact elements (multiples of 90°, reflections across axes and
//! diagonals) act on feature maps by exact permutations
//! ([`act_on_feature_map`]); [`check_equivariance`] measures any map against
//! all of them.

pub mod element;
pub mod equivariance;
pub mod feature_map;
pub mod permutation;
pub mod representation;

pub use element::GroupElement;
pub use equivariance::{check_equivariance, equivariance_errors, try_check_equivariance};
pub use feature_map::act_on_feature_map;

use serde::{Deserialize, Serialize};

/// A planar point group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Group {
    /// Cyclic group of N rotations.
    Cyclic(usize),
    /// Dihedral group of N rotations and N reflections (order 2N).
    Dihedral(usize),
}

impl Group {
    /// Number of group elements.
    pub fn order(&self) -> usize {
        match *self {
            Group::Cyclic(n) => n,
            Group::Dihedral(n) => 2 * n,
        }
    }
}

/// The representation a field transforms by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One channel, unchanged by the group (pixels, invariant features).
    Trivial,
    /// |G| channels, permuted by the group (the regular representation).
    Regular,
}

impl FieldType {
    /// Channels per field of this type under `group`.
    pub fn dim(&self, group: Group) -> usize {
        match self {
            FieldType::Trivial => 1,
            FieldType::Regular => group.order(),
        }
    }
}
