//! Accuracy of a graph network on labelled examples and the digest of its
//! predictions (SHA-256 of one byte per scored row, as for the image
//! models).

use super::example::GraphExample;
use super::forward::map_graphs;
use super::network::GraphNetwork;
use crate::nn::evaluate::predictions_digest;
use crate::{Error, Result};

/// Predictions on every scored row, in example order.
#[derive(Clone, Debug)]
pub struct GraphEvaluation {
    pub predictions: Vec<usize>,
    pub correct: usize,
    pub accuracy: f64,
}

impl GraphEvaluation {
    /// [`predictions_digest`] of the predictions.
    pub fn digest(&self) -> String {
        predictions_digest(&self.predictions)
    }
}

/// Index of the largest value (the first on ties).
pub fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b })
}

/// Classifies every scored row of `examples` (graphs in parallel).
pub fn evaluate(net: &GraphNetwork, examples: &[GraphExample]) -> Result<GraphEvaluation> {
    net.validate()?;
    let classes = net.classes();
    let per_graph = map_graphs(examples, |ex| -> Result<Vec<(usize, bool)>> {
        let logits = net.forward(&ex.input)?;
        if logits.len() != ex.labels.len() * classes {
            return Err(Error::InvalidArgument(format!(
                "example has {} labels, the network gives {} logit rows",
                ex.labels.len(),
                logits.len() / classes.max(1)
            )));
        }
        Ok(logits
            .chunks_exact(classes)
            .zip(&ex.labels)
            .filter_map(|(row, l)| l.map(|l| (argmax(row), argmax(row) == l as usize)))
            .collect())
    });
    let (mut predictions, mut correct) = (Vec::new(), 0);
    for r in per_graph {
        for (p, ok) in r? {
            predictions.push(p);
            correct += usize::from(ok);
        }
    }
    let accuracy = if predictions.is_empty() {
        0.0
    } else {
        correct as f64 / predictions.len() as f64
    };
    Ok(GraphEvaluation {
        predictions,
        correct,
        accuracy,
    })
}
