//! Bases of the invariant and equivariant graph networks of Maron et al.
//! (ICLR 2019): all S_n-equivariant linear maps between tensors of order
//! l, m ∈ {0, 1, 2}.
//!
//! For n ≥ l + m the space of such maps has dimension Bell(l + m), the
//! number of partitions of l + m indices: 1→1: 2, 1→2 and 2→1: 5, 2→2: 15,
//! 1→0: 1, 2→0: 2 (and 0→0: 1, 0→1: 1, 0→2: 2). The elements below are the
//! operations of Maron et al.'s implementation (identity, transpose, take
//! the diagonal, sum rows or columns, …), which span the same space as
//! their orbit basis of equality-pattern indicators.
//!
//! Small n: the maps are still spanned, but patterns with more distinct
//! indices than nodes vanish, so the elements become dependent. The rank
//! is the number of partitions of l + m indices into at most n blocks
//! ([`equivariant_dimension`]): 2→2 has rank 1, 8, 14, 15 for n = 1, 2, 3, ≥4;
//! 1→2 and 2→1 have 1, 4, 5 for n = 1, 2, ≥3; 1→1 and 2→0 have 1, 2 for n = 1,
//! ≥2. Layers are still well defined there (coefficients are just not
//! unique).
//!
//! Notation for a 2-tensor X: d_i = X\[i,i] (diagonal), r_i = Σ_j X\[i,j]
//! (row sums), c_j = Σ_i X\[i,j] (column sums), t = Σ_i X\[i,i] (trace),
//! s = Σ_{i,j} X\[i,j] (total); for a 1-tensor, Σx. Under
//! [`Aggregation::Mean`] each sum over n entries is divided by n and the
//! total by n² (see [`crate::basis::permutation`]).

use super::permutation::{tensor_len, Aggregation, ChainElement, PermutationBasis, Primitive};
use crate::{Error, Result};
use Primitive::*;

const fn el(name: &'static str, steps: &'static [Primitive]) -> ChainElement {
    ChainElement { name, steps }
}

/// 0→0: the identity on graph-level features.
const ZERO_TO_ZERO: [ChainElement; 1] = [el("identity", &[])];

/// 0→1: y_i = s.
const ZERO_TO_ONE: [ChainElement; 1] = [el("broadcast", &[Broadcast])];

/// 0→2: s on the diagonal, s everywhere.
const ZERO_TO_TWO: [ChainElement; 2] = [
    el("to_diag", &[Broadcast, PlaceDiag]),
    el("to_all", &[Broadcast, SpreadRows]),
];

/// 1→0: Σx (invariant pooling of node features).
const ONE_TO_ZERO: [ChainElement; 1] = [el("sum", &[Pool])];

/// 1→1: x, Σx broadcast (the DeepSets layer λx + γ(Σx)𝟙).
const ONE_TO_ONE: [ChainElement; 2] = [el("identity", &[]), el("sum", &[Pool, Broadcast])];

/// 1→2: x on the diagonal, along rows, along columns; Σx on the diagonal,
/// everywhere.
const ONE_TO_TWO: [ChainElement; 5] = [
    el("to_diag", &[PlaceDiag]),
    el("to_rows", &[SpreadRows]),
    el("to_cols", &[SpreadCols]),
    el("sum_to_diag", &[Pool, Broadcast, PlaceDiag]),
    el("sum_to_all", &[Pool, Broadcast, SpreadRows]),
];

/// 2→0: t, s (invariant pooling of edge features).
const TWO_TO_ZERO: [ChainElement; 2] = [
    el("trace", &[ExtractDiag, Pool]),
    el("total", &[RowSums, Pool]),
];

/// 2→1: d_i, r_i, c_i, t, s.
const TWO_TO_ONE: [ChainElement; 5] = [
    el("diag", &[ExtractDiag]),
    el("rowsum", &[RowSums]),
    el("colsum", &[ColSums]),
    el("trace", &[ExtractDiag, Pool, Broadcast]),
    el("total", &[RowSums, Pool, Broadcast]),
];

/// 2→2: identity and transpose; each of d, r, c written to the diagonal,
/// along rows (Y[i,j] = v_i) and along columns (Y[i,j] = v_j); t and s
/// on the diagonal and everywhere. Maron et al.'s ops 10, 11, 1, 12, 13, 3,
/// 7, 9, 4, 6, 8, 2, 14, 5, 15 in this order.
const TWO_TO_TWO: [ChainElement; 15] = [
    el("identity", &[]),
    el("transpose", &[Transpose]),
    el("diag", &[ExtractDiag, PlaceDiag]),
    el("diag_to_rows", &[ExtractDiag, SpreadRows]),
    el("diag_to_cols", &[ExtractDiag, SpreadCols]),
    el("rowsum_to_diag", &[RowSums, PlaceDiag]),
    el("rowsum_to_rows", &[RowSums, SpreadRows]),
    el("rowsum_to_cols", &[RowSums, SpreadCols]),
    el("colsum_to_diag", &[ColSums, PlaceDiag]),
    el("colsum_to_rows", &[ColSums, SpreadRows]),
    el("colsum_to_cols", &[ColSums, SpreadCols]),
    el("trace_to_diag", &[ExtractDiag, Pool, Broadcast, PlaceDiag]),
    el("trace_to_all", &[ExtractDiag, Pool, Broadcast, SpreadRows]),
    el("total_to_diag", &[RowSums, Pool, Broadcast, PlaceDiag]),
    el("total_to_all", &[RowSums, Pool, Broadcast, SpreadRows]),
];

/// The elements of the l→m basis, in their fixed order.
fn table(input: usize, output: usize) -> Option<&'static [ChainElement]> {
    Some(match (input, output) {
        (0, 0) => &ZERO_TO_ZERO,
        (0, 1) => &ZERO_TO_ONE,
        (0, 2) => &ZERO_TO_TWO,
        (1, 0) => &ONE_TO_ZERO,
        (1, 1) => &ONE_TO_ONE,
        (1, 2) => &ONE_TO_TWO,
        (2, 0) => &TWO_TO_ZERO,
        (2, 1) => &TWO_TO_ONE,
        (2, 2) => &TWO_TO_TWO,
        _ => return None,
    })
}

/// The IGN basis from order-`input` to order-`output` tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ign {
    input: usize,
    output: usize,
    aggregation: Aggregation,
    elems: &'static [ChainElement],
}

impl Ign {
    /// The basis for orders `input`, `output` ∈ {0, 1, 2}; an error for
    /// higher orders.
    pub fn new(input: usize, output: usize, aggregation: Aggregation) -> Result<Ign> {
        let elems = table(input, output).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "IGN basis {input}→{output}: orders above 2 are not implemented"
            ))
        })?;
        Ok(Ign {
            input,
            output,
            aggregation,
            elems,
        })
    }

    pub fn aggregation(&self) -> Aggregation {
        self.aggregation
    }

    /// The elements as primitive chains (for other back ends, e.g. a GPU
    /// kernel, that implement the same operations).
    pub fn elements(&self) -> &'static [ChainElement] {
        self.elems
    }
}

/// Number of partitions of l + m indices into at most n blocks: the
/// dimension of the space of equivariant maps, and the rank of the basis,
/// on n nodes (Bell(l + m) once n ≥ l + m).
pub fn equivariant_dimension(input: usize, output: usize, n: usize) -> usize {
    let k = input + output;
    // Stirling numbers of the second kind S(k, b) by S(i, b) = b·S(i−1, b) + S(i−1, b−1).
    let mut s = vec![vec![0usize; k + 1]; k + 1];
    s[0][0] = 1;
    for i in 1..=k {
        for b in 1..=i {
            s[i][b] = b * s[i - 1][b] + s[i - 1][b - 1];
        }
    }
    (0..=k.min(n)).map(|b| s[k][b]).sum()
}

/// Panics unless x holds an order-`order` tensor (a caller bug).
pub(crate) fn check_len(what: &str, order: usize, n: usize, c: usize, len: usize) {
    assert_eq!(
        len,
        tensor_len(order, n, c),
        "{what}: expected an order-{order} tensor on {n} nodes with {c} channels"
    );
}

impl PermutationBasis for Ign {
    fn input_order(&self) -> usize {
        self.input
    }

    fn output_order(&self) -> usize {
        self.output
    }

    fn len(&self) -> usize {
        self.elems.len()
    }

    fn name(&self, k: usize) -> &'static str {
        self.elems[k].name
    }

    fn identity_index(&self) -> Option<usize> {
        (self.input == self.output).then_some(0)
    }

    fn apply(&self, k: usize, n: usize, c: usize, x: &[f32], out: &mut [f32]) {
        check_len("Ign::apply input", self.input, n, c, x.len());
        check_len("Ign::apply output", self.output, n, c, out.len());
        self.elems[k].apply(self.aggregation, n, c, x, out);
    }

    fn apply_adjoint(&self, k: usize, n: usize, c: usize, y: &[f32], out: &mut [f32]) {
        check_len("Ign::apply_adjoint input", self.output, n, c, y.len());
        check_len("Ign::apply_adjoint output", self.input, n, c, out.len());
        self.elems[k].apply_adjoint(self.aggregation, n, c, y, out);
    }
}
