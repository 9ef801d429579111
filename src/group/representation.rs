//! Permutation representations on a field's channels.
//!
//! Regular field: channel p ↔ group element p (index a + N·f), and g acts by
//! p ↦ g·p, i.e. (ρ(g) f)[g·p] = f\[p]. Trivial field: one channel, fixed.

use super::{FieldType, Group, GroupElement};

impl Group {
    /// The regular representation of g as a permutation: `perm[p]` is the
    /// index of g·(element p).
    pub fn regular_permutation(&self, g: GroupElement) -> Vec<usize> {
        self.elements()
            .into_iter()
            .map(|h| self.index(self.compose(g, h)))
            .collect()
    }
}

impl FieldType {
    /// ρ(g) on one field of this type as a channel permutation: channel q of
    /// the input lands on channel `perm[q]` of the output.
    pub fn permutation(&self, group: Group, g: GroupElement) -> Vec<usize> {
        match self {
            FieldType::Trivial => vec![0],
            FieldType::Regular => group.regular_permutation(g),
        }
    }
}
