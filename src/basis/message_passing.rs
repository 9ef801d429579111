//! Message passing on a fixed graph as a basis: {self, aggregate over
//! neighbours}, the linear part of a GNN layer y_i = λ·x_i + γ·agg_{j∈N(i)} x_j
//! (Gilmer et al. 2017; Kipf & Welling 2017 without the symmetric
//! normalisation).
//!
//! The basis depends on the graph: it is equivariant in the sense that
//! relabelling the nodes of both the graph and the features commutes with
//! it, B_{σ·A}(σ·x) = σ·B_A(x). The adjacency A is a dense `[n, n]` matrix of
//! non-negative weights (0 = no edge; a self-loop A\[i,i] ≠ 0 makes node i its
//! own neighbour); node i receives from every j with A\[i,j] ≠ 0. It is stored
//! as neighbour lists, so applying an element costs O(n + edges) per channel.
//!
//! Normalisation: under [`Aggregation::Mean`] (default) the neighbour element
//! is D⁻¹A, the weighted mean over neighbours (an averaging operator, like
//! every element of the IGN bases here, for the reasons given in
//! [`crate::basis::permutation`]), zero at isolated nodes; under
//! [`Aggregation::Sum`] it is A itself, which also sees degrees. The two
//! elements are independent unless the graph has no edges (then the
//! neighbour element is zero).

use super::ign::check_len;
use super::permutation::{Aggregation, PermutationBasis};
use crate::{Error, Result};

/// Index of the identity ("self") element.
pub const SELF: usize = 0;
/// Index of the neighbour-aggregation element.
pub const NEIGHBOURS: usize = 1;

const NAMES: [&str; 2] = ["self", "neighbours"];

/// {self, neighbour aggregation} on node features `[n, c]` of one graph.
#[derive(Clone, Debug, PartialEq)]
pub struct MessagePassing {
    n: usize,
    aggregation: Aggregation,
    /// Row i's neighbours are `neighbours[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    /// (j, A[i,j] · normalisation of row i).
    neighbours: Vec<(usize, f32)>,
}

impl MessagePassing {
    /// From a dense `[n, n]` adjacency (row-major); an error if its length is
    /// not n², or a weight is negative or not finite.
    pub fn new(n: usize, adjacency: &[f32], aggregation: Aggregation) -> Result<MessagePassing> {
        if adjacency.len() != n * n {
            return Err(Error::InvalidArgument(format!(
                "message passing: adjacency has {} values, expected {n}×{n}",
                adjacency.len()
            )));
        }
        if let Some(w) = adjacency.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::InvalidArgument(format!(
                "message passing: adjacency weight {w} is not a finite non-negative number"
            )));
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut neighbours = Vec::new();
        offsets.push(0);
        for row in adjacency.chunks_exact(n.max(1)).take(n) {
            let start = neighbours.len();
            neighbours.extend(
                row.iter()
                    .enumerate()
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(j, &w)| (j, w)),
            );
            if aggregation == Aggregation::Mean {
                let degree: f32 = neighbours[start..].iter().map(|&(_, w)| w).sum();
                neighbours[start..]
                    .iter_mut()
                    .for_each(|(_, w)| *w /= degree);
            }
            offsets.push(neighbours.len());
        }
        Ok(MessagePassing {
            n,
            aggregation,
            offsets,
            neighbours,
        })
    }

    /// Number of nodes of the graph.
    pub fn nodes(&self) -> usize {
        self.n
    }

    pub fn aggregation(&self) -> Aggregation {
        self.aggregation
    }

    /// Number of non-zero adjacency entries (twice the edges of an
    /// undirected graph).
    pub fn arcs(&self) -> usize {
        self.neighbours.len()
    }

    fn row(&self, i: usize) -> &[(usize, f32)] {
        &self.neighbours[self.offsets[i]..self.offsets[i + 1]]
    }

    fn check(&self, what: &str, n: usize, c: usize, a: usize, b: usize) {
        assert_eq!(n, self.n, "{what}: basis is for {} nodes, got {n}", self.n);
        check_len(what, 1, n, c, a);
        check_len(what, 1, n, c, b);
    }
}

impl PermutationBasis for MessagePassing {
    fn input_order(&self) -> usize {
        1
    }

    fn output_order(&self) -> usize {
        1
    }

    fn len(&self) -> usize {
        NAMES.len()
    }

    fn name(&self, k: usize) -> &'static str {
        NAMES[k]
    }

    fn identity_index(&self) -> Option<usize> {
        Some(SELF)
    }

    fn apply(&self, k: usize, n: usize, c: usize, x: &[f32], out: &mut [f32]) {
        self.check("MessagePassing::apply", n, c, x.len(), out.len());
        match k {
            SELF => out.copy_from_slice(x),
            NEIGHBOURS => {
                out.fill(0.0);
                for i in 0..n {
                    let y = &mut out[i * c..(i + 1) * c];
                    for &(j, w) in self.row(i) {
                        let xj = &x[j * c..(j + 1) * c];
                        y.iter_mut().zip(xj).for_each(|(y, &v)| *y += w * v);
                    }
                }
            }
            _ => panic!("MessagePassing: element {k} out of range"),
        }
    }

    fn apply_adjoint(&self, k: usize, n: usize, c: usize, y: &[f32], out: &mut [f32]) {
        self.check("MessagePassing::apply_adjoint", n, c, y.len(), out.len());
        match k {
            SELF => out.copy_from_slice(y),
            NEIGHBOURS => {
                // (D⁻¹A)ᵀ: scatter row i's message back to its neighbours.
                out.fill(0.0);
                for i in 0..n {
                    let yi = &y[i * c..(i + 1) * c];
                    for &(j, w) in self.row(i) {
                        let z = &mut out[j * c..(j + 1) * c];
                        z.iter_mut().zip(yi).for_each(|(z, &v)| *z += w * v);
                    }
                }
            }
            _ => panic!("MessagePassing: element {k} out of range"),
        }
    }
}
