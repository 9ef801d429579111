//! The DeepSets layer of Zaheer et al. (NeurIPS 2017) as a basis: the
//! equivariant linear maps on a set's features `[n, c]` are exactly
//! λ·x + γ·(Σ_j x_j)𝟙, so the basis is {identity, sum over the set
//! broadcast to every element}. It spans the same maps as the IGN 1→1
//! basis ([`crate::basis::ign::Ign`] with orders 1, 1), named and ordered
//! alike; both elements are independent for n ≥ 2 and coincide for n = 1.
//!
//! Under [`Aggregation::Mean`] the sum is the set's mean (the reasons are in
//! [`crate::basis::permutation`]); with [`Aggregation::Sum`] it is the
//! plain sum, which also sees the set's size.

use super::ign::check_len;
use super::permutation::{Aggregation, ChainElement, PermutationBasis, Primitive};

const ELEMENTS: [ChainElement; 2] = [
    ChainElement {
        name: "identity",
        steps: &[],
    },
    ChainElement {
        name: "sum",
        steps: &[Primitive::Pool, Primitive::Broadcast],
    },
];

/// Index of the identity element.
pub const IDENTITY: usize = 0;
/// Index of the pooled (sum or mean) element.
pub const POOLED: usize = 1;

/// {identity, pooled-and-broadcast} on node features `[n, c]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeepSets {
    pub aggregation: Aggregation,
}

impl DeepSets {
    pub fn new(aggregation: Aggregation) -> DeepSets {
        DeepSets { aggregation }
    }
}

impl PermutationBasis for DeepSets {
    fn input_order(&self) -> usize {
        1
    }

    fn output_order(&self) -> usize {
        1
    }

    fn len(&self) -> usize {
        ELEMENTS.len()
    }

    fn name(&self, k: usize) -> &'static str {
        ELEMENTS[k].name
    }

    fn identity_index(&self) -> Option<usize> {
        Some(IDENTITY)
    }

    fn apply(&self, k: usize, n: usize, c: usize, x: &[f32], out: &mut [f32]) {
        check_len("DeepSets::apply input", 1, n, c, x.len());
        check_len("DeepSets::apply output", 1, n, c, out.len());
        ELEMENTS[k].apply(self.aggregation, n, c, x, out);
    }

    fn apply_adjoint(&self, k: usize, n: usize, c: usize, y: &[f32], out: &mut [f32]) {
        check_len("DeepSets::apply_adjoint input", 1, n, c, y.len());
        check_len("DeepSets::apply_adjoint output", 1, n, c, out.len());
        ELEMENTS[k].apply_adjoint(self.aggregation, n, c, y, out);
    }
}
