//! The forward pass of a graph network on one graph, and batched over many
//! graphs (in parallel natively, one graph per task: the result does not
//! depend on the number of threads).

use super::basis::ResolvedBasis;
use super::input::GraphInput;
use super::network::{GraphNetwork, GraphOp};
use crate::Result;

/// What the backward pass needs: the input of every op and the bases
/// resolved for this graph (one per linear layer, in op order).
pub struct GraphTape {
    pub n: usize,
    /// `inputs[j]` is the input of op j; `output` the logits.
    pub inputs: Vec<Vec<f32>>,
    pub bases: Vec<Option<ResolvedBasis>>,
    pub output: Vec<f32>,
}

impl GraphNetwork {
    /// Checks `g` against the network's input (lengths).
    pub fn check_input(&self, g: &GraphInput) -> Result<()> {
        g.check(self.input_order, self.input_channels)
    }

    /// The logits on one graph: `[n, classes]` (node readout) or
    /// `[classes]` (graph readout).
    pub fn forward(&self, g: &GraphInput) -> Result<Vec<f32>> {
        self.validate()?;
        self.check_input(g)?;
        let mut x = g.features.clone();
        for op in &self.ops {
            x = match op {
                GraphOp::Linear(l) => {
                    let basis = l.basis.resolve(l.aggregation, g.n, &g.adjacency)?;
                    l.apply(&basis, g.n, &x)
                }
                GraphOp::Relu => relu(&x),
            };
        }
        Ok(x)
    }

    /// [`forward`] keeping what the backward pass needs.
    ///
    /// [`forward`]: GraphNetwork::forward
    pub fn forward_tape(&self, g: &GraphInput) -> Result<GraphTape> {
        self.validate()?;
        self.check_input(g)?;
        let mut inputs = Vec::with_capacity(self.ops.len());
        let mut bases = Vec::with_capacity(self.ops.len());
        let mut x = g.features.clone();
        for op in &self.ops {
            let y = match op {
                GraphOp::Linear(l) => {
                    let basis = l.basis.resolve(l.aggregation, g.n, &g.adjacency)?;
                    let y = l.apply(&basis, g.n, &x);
                    bases.push(Some(basis));
                    y
                }
                GraphOp::Relu => {
                    bases.push(None);
                    relu(&x)
                }
            };
            inputs.push(std::mem::replace(&mut x, y));
        }
        Ok(GraphTape {
            n: g.n,
            inputs,
            bases,
            output: x,
        })
    }

    /// The logits of every graph, concatenated in input order (graph
    /// readout: `[graphs, classes]`; node readout: each graph's
    /// `[n, classes]` one after the other).
    pub fn logits(&self, inputs: &[GraphInput]) -> Result<Vec<f32>> {
        self.validate()?;
        let per_graph: Vec<Result<Vec<f32>>> = map_graphs(inputs, |g| self.forward(g));
        let mut out = Vec::new();
        for r in per_graph {
            out.extend(r?);
        }
        Ok(out)
    }
}

/// `f` on every item, in parallel natively, results in input order.
pub(crate) fn map_graphs<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.iter().map(f).collect()
    }
}

/// σ(x) = max(x, 0) elementwise.
pub(crate) fn relu(x: &[f32]) -> Vec<f32> {
    x.iter().map(|v| v.max(0.0)).collect()
}
