//! A network on relabelled graphs: each example's nodes permuted by a seeded
//! random permutation (example g by `Permutation::seeded(n, seed + g)`), its
//! logits read back in the original node order, and compared with the
//! unpermuted logits. For an invariant (graph readout) or equivariant (node
//! readout) network the two agree up to rounding: `eslt eval --permute`
//! and the page's **Permute nodes** report it.

use super::evaluate::argmax;
use super::example::GraphExample;
use super::forward::map_graphs;
use super::network::{GraphNetwork, Readout};
use crate::group::permutation::Permutation;
use crate::{Error, Result};

/// Predictions on every scored row before and after permuting, and how far
/// any logit moved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PermutedEvaluation {
    /// Per scored row, in example order, of the unpermuted graphs.
    pub predictions: Vec<usize>,
    /// The same rows of the permuted graphs (read back in original order).
    pub permuted_predictions: Vec<usize>,
    /// Largest |logit(σ·G) read back − logit(G)|.
    pub max_logit_change: f64,
    /// Largest |logit(G)|, for scale.
    pub max_abs_logit: f64,
}

impl PermutedEvaluation {
    /// Rows whose prediction changed.
    pub fn changed(&self) -> usize {
        self.predictions
            .iter()
            .zip(&self.permuted_predictions)
            .filter(|(a, b)| a != b)
            .count()
    }
}

impl GraphExample {
    /// The example with its nodes relabelled by σ (node i becomes σ(i)):
    /// graph, order-`order` features and node labels alike.
    pub fn permuted(&self, sigma: &Permutation, order: usize) -> GraphExample {
        let n = self.input.n;
        let labels = if self.labels.len() == n && n > 1 {
            let mut l = vec![None; n];
            for (i, &v) in self.labels.iter().enumerate() {
                l[sigma.image(i)] = v;
            }
            l
        } else {
            self.labels.clone()
        };
        GraphExample {
            input: self.input.permuted(sigma, order),
            labels,
        }
    }
}

/// `net` on `examples` and on their copies permuted from `seed` (graphs in
/// parallel natively; the result does not depend on the thread count).
pub fn evaluate_permuted(
    net: &GraphNetwork,
    examples: &[GraphExample],
    seed: u64,
) -> Result<PermutedEvaluation> {
    net.validate()?;
    let classes = net.classes().max(1);
    let indexed: Vec<(usize, &GraphExample)> = examples.iter().enumerate().collect();
    let per_graph = map_graphs(&indexed, |&(g, ex)| -> Result<PermutedEvaluation> {
        let sigma = Permutation::seeded(ex.input.n, seed.wrapping_add(g as u64));
        let y = net.forward(&ex.input)?;
        let yp = net.forward(&ex.input.permuted(&sigma, net.input_order))?;
        let back = match net.readout {
            Readout::Graph => yp,
            Readout::Node => sigma.inverse().act_on_nodes(classes, &yp),
        };
        if y.len() != ex.labels.len() * classes {
            return Err(Error::InvalidArgument(format!(
                "example {g} has {} labels, the network gives {} logit rows",
                ex.labels.len(),
                y.len() / classes
            )));
        }
        let mut e = PermutedEvaluation::default();
        for (a, b) in back.iter().zip(&y) {
            e.max_logit_change = e.max_logit_change.max(f64::from((a - b).abs()));
            e.max_abs_logit = e.max_abs_logit.max(f64::from(b.abs()));
        }
        for ((row, row_back), l) in y
            .chunks_exact(classes)
            .zip(back.chunks_exact(classes))
            .zip(&ex.labels)
        {
            if l.is_some() {
                e.predictions.push(argmax(row));
                e.permuted_predictions.push(argmax(row_back));
            }
        }
        Ok(e)
    });
    let mut all = PermutedEvaluation::default();
    for e in per_graph {
        let e = e?;
        all.predictions.extend(e.predictions);
        all.permuted_predictions.extend(e.permuted_predictions);
        all.max_logit_change = all.max_logit_change.max(e.max_logit_change);
        all.max_abs_logit = all.max_abs_logit.max(e.max_abs_logit);
    }
    Ok(all)
}
