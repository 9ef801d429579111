//! Permutation-equivariant linear maps as tensor operations.
//!
//! Node features are order-1 tensors `[n, c]`, edge features order-2 tensors
//! `[n, n, c]` and graph-level features order-0 tensors `[c]` (row-major,
//! channels last; S_n acts as in [`crate::group::permutation`]). A basis
//! element B_k maps an order-l tensor to an order-m tensor and acts on every
//! channel alike, so a layer from c_in to c_out channels is
//! y[·, o] = Σ_{i,k} α\[o,i,k] · B_k(x[·, i]), the permutation analogue of
//! W = Σ α\[o,i,k] E\[o,i] ⊗ B_k for steerable kernels.
//!
//! Elements are never stored as dense nˡ×nᵐ matrices: each is a short chain
//! of [`Primitive`] operations (take the diagonal, sum the rows, broadcast,
//! …), each O(n²·c) at most, and its adjoint is the reversed chain of the
//! primitives' adjoints (training needs Bᵀ for the backward pass).
//!
//! # Normalisation
//!
//! With [`Aggregation::Mean`] (the default) every sum over j of n entries is
//! divided by n, and a sum over all n² entries by n²: each basis element is
//! then an averaging operator, ‖B_k x‖_∞ ≤ ‖x‖_∞ for every n. So an error ε
//! in a pruned coefficient moves a layer's output by at most ε·‖x‖_∞ per
//! element whatever the graph size, the coefficients of different elements
//! are on one scale (which the max|α| rebalancing before pruning assumes),
//! and one set of weights serves graphs of 8 and of 20 nodes alike. With
//! sums, the 2→2 "total" element alone has gain n² (400 at 20 nodes). This
//! is also the normalisation of Maron et al.'s reference implementation.
//! Means forget sizes (a set's cardinality, a node's degree);
//! [`Aggregation::Sum`] keeps them for tasks that need counts. The adjoint of
//! an element carries the same factor as the element (the adjoint of the
//! mean over a set is the broadcast divided by n).

/// How a sum over nodes is normalised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Aggregation {
    /// Divide each sum by the number of entries summed (n, or n² for a sum
    /// over all entries of an order-2 tensor).
    #[default]
    Mean,
    /// Plain sums.
    Sum,
}

/// A basis of S_n-equivariant linear maps from order-`input_order` to
/// order-`output_order` tensors, each element applied channel by channel.
///
/// Shapes: an order-r tensor on n nodes with c channels holds nʳ·c values
/// ([`tensor_len`]). `apply` and `apply_adjoint` panic on a wrong length or
/// element index (a caller bug).
pub trait PermutationBasis {
    /// Order of the input tensor (0, 1 or 2).
    fn input_order(&self) -> usize;
    /// Order of the output tensor (0, 1 or 2).
    fn output_order(&self) -> usize;
    /// Number of basis elements.
    fn len(&self) -> usize;
    /// Short name of element k (for reports), fixed with its index.
    fn name(&self, k: usize) -> &'static str;
    /// The index of the identity element, when the basis has one (always 0
    /// for maps from an order to itself: layer A of the source network uses
    /// it), else `None`.
    fn identity_index(&self) -> Option<usize>;
    /// `out` = B_k x, `out` overwritten; x is an input tensor on n nodes
    /// with c channels, `out` an output tensor of the same n and c.
    fn apply(&self, k: usize, n: usize, c: usize, x: &[f32], out: &mut [f32]);
    /// `out` = B_kᵀ y (y an output tensor, `out` an input tensor):
    /// ⟨B_k x, y⟩ = ⟨x, B_kᵀ y⟩.
    fn apply_adjoint(&self, k: usize, n: usize, c: usize, y: &[f32], out: &mut [f32]);

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All element names, in index order.
    fn names(&self) -> Vec<&'static str> {
        (0..self.len()).map(|k| self.name(k)).collect()
    }

    /// B_k x for every k, laid out `[k][output tensor]`.
    fn apply_all(&self, n: usize, c: usize, x: &[f32]) -> Vec<f32> {
        let m = tensor_len(self.output_order(), n, c);
        let mut out = vec![0.0; self.len() * m];
        if m > 0 {
            for (k, chunk) in out.chunks_exact_mut(m).enumerate() {
                self.apply(k, n, c, x, chunk);
            }
        }
        out
    }
}

/// Values in an order-`order` tensor on n nodes with c channels: nᵒʳᵈᵉʳ·c.
pub fn tensor_len(order: usize, n: usize, c: usize) -> usize {
    n.pow(order as u32) * c
}

/// The building blocks of every element (unnormalised; the element scales).
///
/// Orders: X is `[n, n, c]`, v is `[n, c]`, s is `[c]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// 2→2: Y\[i,j] = X\[j,i]. Self-adjoint.
    Transpose,
    /// 1→0: s = Σ_i v\[i]. Adjoint of `Broadcast`.
    Pool,
    /// 0→1: v\[i] = s.
    Broadcast,
    /// 2→1: v\[i] = X\[i,i]. Adjoint of `PlaceDiag`.
    ExtractDiag,
    /// 1→2: Y\[i,i] = v\[i], zero off the diagonal.
    PlaceDiag,
    /// 2→1: v\[i] = Σ_j X\[i,j]. Adjoint of `SpreadRows`.
    RowSums,
    /// 2→1: v\[j] = Σ_i X\[i,j]. Adjoint of `SpreadCols`.
    ColSums,
    /// 1→2: Y\[i,j] = v\[i] (node i's value along its row).
    SpreadRows,
    /// 1→2: Y\[i,j] = v\[j] (node j's value along its column).
    SpreadCols,
}

impl Primitive {
    pub fn input_order(self) -> usize {
        use Primitive::*;
        match self {
            Transpose | ExtractDiag | RowSums | ColSums => 2,
            Pool | PlaceDiag | SpreadRows | SpreadCols => 1,
            Broadcast => 0,
        }
    }

    pub fn output_order(self) -> usize {
        use Primitive::*;
        match self {
            Transpose | PlaceDiag | SpreadRows | SpreadCols => 2,
            Broadcast | ExtractDiag | RowSums | ColSums => 1,
            Pool => 0,
        }
    }

    /// The primitive whose matrix is this one's transpose.
    pub fn adjoint(self) -> Primitive {
        use Primitive::*;
        match self {
            Transpose => Transpose,
            Pool => Broadcast,
            Broadcast => Pool,
            ExtractDiag => PlaceDiag,
            PlaceDiag => ExtractDiag,
            RowSums => SpreadRows,
            SpreadRows => RowSums,
            ColSums => SpreadCols,
            SpreadCols => ColSums,
        }
    }

    /// Whether it sums over n entries (and so is divided by n under
    /// [`Aggregation::Mean`]).
    pub fn sums(self) -> bool {
        matches!(
            self,
            Primitive::Pool | Primitive::RowSums | Primitive::ColSums
        )
    }

    /// Applies the primitive to one tensor of n nodes and c channels.
    pub fn apply(self, n: usize, c: usize, x: &[f32]) -> Vec<f32> {
        use Primitive::*;
        assert_eq!(
            x.len(),
            tensor_len(self.input_order(), n, c),
            "{self:?}: input is not an order-{} tensor on {n} nodes, {c} channels",
            self.input_order()
        );
        let mut out = vec![0.0f32; tensor_len(self.output_order(), n, c)];
        if c == 0 || n == 0 {
            // Empty sums are zero, and chunks of zero channels do not exist.
            return out;
        }
        let at = |i: usize, j: usize| (i * n + j) * c;
        match self {
            Transpose => {
                for i in 0..n {
                    for j in 0..n {
                        out[at(i, j)..at(i, j) + c].copy_from_slice(&x[at(j, i)..at(j, i) + c]);
                    }
                }
            }
            Pool => {
                for v in x.chunks_exact(c) {
                    out.iter_mut().zip(v).for_each(|(o, &v)| *o += v);
                }
            }
            Broadcast => {
                for v in out.chunks_exact_mut(c) {
                    v.copy_from_slice(x);
                }
            }
            ExtractDiag => {
                for i in 0..n {
                    out[i * c..(i + 1) * c].copy_from_slice(&x[at(i, i)..at(i, i) + c]);
                }
            }
            PlaceDiag => {
                for i in 0..n {
                    out[at(i, i)..at(i, i) + c].copy_from_slice(&x[i * c..(i + 1) * c]);
                }
            }
            RowSums => {
                for i in 0..n {
                    let row = &mut out[i * c..(i + 1) * c];
                    for v in x[at(i, 0)..at(i + 1, 0)].chunks_exact(c) {
                        row.iter_mut().zip(v).for_each(|(o, &v)| *o += v);
                    }
                }
            }
            ColSums => {
                for row in x.chunks_exact(n * c) {
                    for (o, &v) in out.iter_mut().zip(row) {
                        *o += v;
                    }
                }
            }
            SpreadRows => {
                for i in 0..n {
                    let v = &x[i * c..(i + 1) * c];
                    for y in out[at(i, 0)..at(i + 1, 0)].chunks_exact_mut(c) {
                        y.copy_from_slice(v);
                    }
                }
            }
            SpreadCols => {
                for row in out.chunks_exact_mut(n * c) {
                    row.copy_from_slice(x);
                }
            }
        }
        out
    }
}

/// A basis element written as a chain of primitives, applied first to last
/// (an empty chain is the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainElement {
    pub name: &'static str,
    pub steps: &'static [Primitive],
}

impl ChainElement {
    /// The element's factor on n nodes: 1/n per summing step under `Mean`
    /// (so a sum over n² entries is divided by n²), 1 under `Sum`.
    pub fn scale(&self, aggregation: Aggregation, n: usize) -> f32 {
        match aggregation {
            Aggregation::Sum => 1.0,
            Aggregation::Mean => {
                let sums = self.steps.iter().filter(|p| p.sums()).count() as i32;
                // n ≥ 1 whenever a summing step sees data; n = 0 gives empty
                // tensors and the factor is never used.
                (n.max(1) as f32).powi(-sums)
            }
        }
    }

    /// `out` = scale · (chain applied to x).
    pub fn apply(&self, aggregation: Aggregation, n: usize, c: usize, x: &[f32], out: &mut [f32]) {
        self.run(self.steps.iter().copied(), aggregation, n, c, x, out);
    }

    /// `out` = scale · (reversed chain of adjoints applied to y).
    pub fn apply_adjoint(
        &self,
        aggregation: Aggregation,
        n: usize,
        c: usize,
        y: &[f32],
        out: &mut [f32],
    ) {
        let steps = self.steps.iter().rev().map(|p| p.adjoint());
        self.run(steps, aggregation, n, c, y, out);
    }

    fn run(
        &self,
        steps: impl Iterator<Item = Primitive>,
        aggregation: Aggregation,
        n: usize,
        c: usize,
        x: &[f32],
        out: &mut [f32],
    ) {
        let mut current: Option<Vec<f32>> = None;
        for step in steps {
            let input = current.as_deref().unwrap_or(x);
            current = Some(step.apply(n, c, input));
        }
        let result = current.as_deref().unwrap_or(x);
        assert_eq!(
            out.len(),
            result.len(),
            "{}: output buffer has the wrong length",
            self.name
        );
        let scale = self.scale(aggregation, n);
        out.iter_mut()
            .zip(result)
            .for_each(|(o, &v)| *o = scale * v);
    }
}

/// Checks that a chain's orders line up from `input` to `output` (used by
/// the bases' own unit checks and tests).
pub fn chain_orders_match(steps: &[Primitive], input: usize, output: usize) -> bool {
    let mut order = input;
    for p in steps {
        if p.input_order() != order {
            return false;
        }
        order = p.output_order();
    }
    order == output
}
