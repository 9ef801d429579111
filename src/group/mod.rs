//! Symmetry groups acting on the plane and their representations on fields.
//!
//! C_N (rotations by multiples of 2π/N) and D_N (rotations and reflections),
//! with the trivial and regular representations. C_1 is the trivial group
//! (a plain CNN / MLP).

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
