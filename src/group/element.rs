//! Group elements of C_N and D_N, their composition and their action on the
//! plane.
//!
//! Conventions (used everywhere in the crate):
//! - An element is g = r^a s^f: first reflect (f = 1) across the x-axis, then
//!   rotate counter-clockwise by θ_a = 2πa/N. Its matrix is R(θ_a)·S^f with
//!   S = diag(1, −1).
//! - Element index p = a + N·f (so C_N's elements are 0..N, D_N's reflections
//!   follow its rotations). Channel p of a regular field ↔ element p.
//! - Plane coordinates of a pixel (row y, column x) on an h×w grid are
//!   (x − (w−1)/2, (h−1)/2 − y): x to the right, y up (e2cnn's convention).

use super::Group;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// g = r^a s^f of C_N (f always false) or D_N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupElement {
    /// a in 0..N: rotation by 2πa/N (counter-clockwise).
    pub rotation: usize,
    /// f: reflection across the x-axis, applied before the rotation.
    pub reflection: bool,
}

impl GroupElement {
    /// The identity element of any group.
    pub const IDENTITY: GroupElement = GroupElement {
        rotation: 0,
        reflection: false,
    };
}

/// "e", "r^a", "s" or "r^a s" (a = rotation index).
impl std::fmt::Display for GroupElement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.rotation, self.reflection) {
            (0, false) => write!(f, "e"),
            (0, true) => write!(f, "s"),
            (a, false) => write!(f, "r^{a}"),
            (a, true) => write!(f, "r^{a} s"),
        }
    }
}

/// cos and sin of a multiple of 90°, exactly.
fn quarter_turn(q: usize) -> (i32, i32) {
    match q % 4 {
        0 => (1, 0),
        1 => (0, 1),
        2 => (-1, 0),
        _ => (0, -1),
    }
}

impl Group {
    /// N: the number of rotations.
    pub fn rotations(&self) -> usize {
        match *self {
            Group::Cyclic(n) | Group::Dihedral(n) => n,
        }
    }

    /// Whether the group contains reflections.
    pub fn has_reflections(&self) -> bool {
        matches!(self, Group::Dihedral(_))
    }

    /// Rejects N = 0.
    pub fn validate(&self) -> Result<()> {
        if self.rotations() == 0 {
            return Err(Error::InvalidArgument(format!(
                "group {self:?}: N must be at least 1"
            )));
        }
        Ok(())
    }

    /// Index p = a + N·f of an element (its channel in a regular field).
    pub fn index(&self, g: GroupElement) -> usize {
        g.rotation + if g.reflection { self.rotations() } else { 0 }
    }

    /// The element with index p.
    pub fn element(&self, p: usize) -> Result<GroupElement> {
        let n = self.rotations();
        if p >= self.order() {
            return Err(Error::InvalidArgument(format!(
                "element index {p} out of range for {self:?}"
            )));
        }
        Ok(GroupElement {
            rotation: p % n,
            reflection: p >= n,
        })
    }

    /// All elements, in index order.
    pub fn elements(&self) -> Vec<GroupElement> {
        let n = self.rotations();
        (0..self.order())
            .map(|p| GroupElement {
                rotation: p % n,
                reflection: p >= n,
            })
            .collect()
    }

    /// g·h (apply h first, then g).
    pub fn compose(&self, g: GroupElement, h: GroupElement) -> GroupElement {
        let n = self.rotations();
        // s r^b = r^{−b} s, so r^a s^f r^b s^h = r^{a ± b} s^{f ⊕ h}.
        let b = if g.reflection {
            (n - h.rotation % n) % n
        } else {
            h.rotation % n
        };
        GroupElement {
            rotation: (g.rotation + b) % n,
            reflection: g.reflection ^ h.reflection,
        }
    }

    /// g⁻¹.
    pub fn inverse(&self, g: GroupElement) -> GroupElement {
        if g.reflection {
            g // every reflection is an involution
        } else {
            GroupElement {
                rotation: (self.rotations() - g.rotation) % self.rotations(),
                reflection: false,
            }
        }
    }

    /// Rotation angle θ_a = 2πa/N of g (radians).
    pub fn angle(&self, g: GroupElement) -> f64 {
        std::f64::consts::TAU * g.rotation as f64 / self.rotations() as f64
    }

    /// g as a 2×2 matrix acting on plane coordinates (x right, y up).
    pub fn matrix(&self, g: GroupElement) -> [[f64; 2]; 2] {
        if let Some(m) = self.grid_matrix(g) {
            return m.map(|row| row.map(f64::from));
        }
        let (s, c) = self.angle(g).sin_cos();
        let f = if g.reflection { -1.0 } else { 1.0 };
        [[c, -s * f], [s, c * f]]
    }

    /// g's matrix if it has integer entries, i.e. g maps the pixel grid to
    /// itself: rotations by multiples of 90° and reflections across the axes
    /// and diagonals.
    pub fn grid_matrix(&self, g: GroupElement) -> Option<[[i32; 2]; 2]> {
        let n = self.rotations();
        if (4 * g.rotation) % n != 0 {
            return None;
        }
        let (c, s) = quarter_turn(4 * g.rotation / n);
        let f = if g.reflection { -1 } else { 1 };
        Some([[c, -s * f], [s, c * f]])
    }

    /// Whether g permutes the pixel grid exactly.
    pub fn is_grid_exact(&self, g: GroupElement) -> bool {
        self.grid_matrix(g).is_some()
    }

    /// The grid-exact elements (a subgroup), in index order.
    pub fn grid_exact_elements(&self) -> Vec<GroupElement> {
        self.elements()
            .into_iter()
            .filter(|&g| self.is_grid_exact(g))
            .collect()
    }
}
