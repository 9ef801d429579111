//! Which equivariant basis a graph layer combines, and that basis made
//! concrete for one input graph.
//!
//! The IGN, DeepSets and identity bases depend only on the number of nodes;
//! the message-passing basis {self, neighbours} is built from the input
//! graph's adjacency, so a layer's basis is *resolved* per graph
//! ([`GraphBasis::resolve`]).

use crate::basis::deepsets::DeepSets;
use crate::basis::ign::Ign;
use crate::basis::message_passing::MessagePassing;
use crate::basis::permutation::{tensor_len, Aggregation, PermutationBasis};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The basis {B_k} of a graph layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum GraphBasis {
    /// All equivariant maps from order-`input` to order-`output` tensors
    /// (Maron et al.'s IGN operations), orders 0..=2.
    Ign { input: usize, output: usize },
    /// {identity, pooled} on node features (order 1 → 1).
    #[serde(rename = "deepsets")]
    DeepSets,
    /// {self, neighbour aggregation} on node features, neighbours from the
    /// input graph's adjacency (order 1 → 1).
    MessagePassing,
    /// The one-element basis {identity} on order-`order` tensors (layer A of
    /// the source network: h[i, j] = σ(v[i, j]·x_i)).
    Identity { order: usize },
}

impl GraphBasis {
    /// Order of the input tensor.
    pub fn input_order(&self) -> usize {
        match *self {
            GraphBasis::Ign { input, .. } => input,
            GraphBasis::DeepSets | GraphBasis::MessagePassing => 1,
            GraphBasis::Identity { order } => order,
        }
    }

    /// Order of the output tensor.
    pub fn output_order(&self) -> usize {
        match *self {
            GraphBasis::Ign { output, .. } => output,
            GraphBasis::DeepSets | GraphBasis::MessagePassing => 1,
            GraphBasis::Identity { order } => order,
        }
    }

    /// Number of basis elements (for IGN the number of Maron et al.'s
    /// operations: 1, 1, 2, 1, 2, 5, 2, 5, 15 for 0→0 … 2→2).
    pub fn len(&self) -> usize {
        match *self {
            GraphBasis::Ign { input, output } => Ign::new(input, output, Aggregation::Mean)
                .map(|b| b.len())
                .unwrap_or(0),
            GraphBasis::DeepSets | GraphBasis::MessagePassing => 2,
            GraphBasis::Identity { .. } => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the basis exists (orders within 0..=2).
    pub fn validate(&self) -> Result<()> {
        let ok = match *self {
            GraphBasis::Ign { input, output } => input <= 2 && output <= 2,
            GraphBasis::Identity { order } => order <= 2,
            GraphBasis::DeepSets | GraphBasis::MessagePassing => true,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Model(format!(
                "basis {self:?}: tensor orders above 2 are not implemented"
            )))
        }
    }

    /// The index of the identity element, when the basis has one.
    pub fn identity_index(&self) -> Option<usize> {
        match *self {
            GraphBasis::Ign { input, output } => (input == output).then_some(0),
            _ => Some(0),
        }
    }

    /// Names of the elements, in index order.
    pub fn names(&self) -> Vec<&'static str> {
        match *self {
            GraphBasis::Ign { input, output } => Ign::new(input, output, Aggregation::Mean)
                .map(|b| b.names())
                .unwrap_or_default(),
            GraphBasis::DeepSets => DeepSets::default().names(),
            GraphBasis::MessagePassing => vec!["self", "neighbours"],
            GraphBasis::Identity { .. } => vec!["identity"],
        }
    }

    /// The basis on a graph of n nodes with this `[n, n]` adjacency (only
    /// message passing reads it).
    pub fn resolve(
        &self,
        aggregation: Aggregation,
        n: usize,
        adjacency: &[f32],
    ) -> Result<ResolvedBasis> {
        self.validate()?;
        Ok(match *self {
            GraphBasis::Ign { input, output } => {
                ResolvedBasis::Ign(Ign::new(input, output, aggregation)?)
            }
            GraphBasis::DeepSets => ResolvedBasis::DeepSets(DeepSets::new(aggregation)),
            GraphBasis::MessagePassing => {
                ResolvedBasis::MessagePassing(MessagePassing::new(n, adjacency, aggregation)?)
            }
            GraphBasis::Identity { order } => ResolvedBasis::Identity(IdentityBasis { order }),
        })
    }
}

/// A [`GraphBasis`] on one graph.
#[derive(Clone, Debug)]
pub enum ResolvedBasis {
    Ign(Ign),
    DeepSets(DeepSets),
    MessagePassing(MessagePassing),
    Identity(IdentityBasis),
}

impl ResolvedBasis {
    pub fn as_basis(&self) -> &dyn PermutationBasis {
        match self {
            ResolvedBasis::Ign(b) => b,
            ResolvedBasis::DeepSets(b) => b,
            ResolvedBasis::MessagePassing(b) => b,
            ResolvedBasis::Identity(b) => b,
        }
    }
}

/// The identity on order-`order` tensors as a one-element basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdentityBasis {
    pub order: usize,
}

impl PermutationBasis for IdentityBasis {
    fn input_order(&self) -> usize {
        self.order
    }

    fn output_order(&self) -> usize {
        self.order
    }

    fn len(&self) -> usize {
        1
    }

    fn name(&self, _k: usize) -> &'static str {
        "identity"
    }

    fn identity_index(&self) -> Option<usize> {
        Some(0)
    }

    fn apply(&self, k: usize, n: usize, c: usize, x: &[f32], out: &mut [f32]) {
        assert_eq!(k, 0, "IdentityBasis: element {k} out of range");
        assert_eq!(x.len(), tensor_len(self.order, n, c), "IdentityBasis input");
        out.copy_from_slice(x);
    }

    fn apply_adjoint(&self, k: usize, n: usize, c: usize, y: &[f32], out: &mut [f32]) {
        self.apply(k, n, c, y, out);
    }
}
