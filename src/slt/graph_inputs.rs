//! Verification rows of graph and set examples, for the run's driver: a
//! row is a scored logit row — a graph (graph classification) or a labelled
//! node (node classification) — in example order.

use std::ops::Range;

use crate::nn::graph::{GraphExample, GraphNetwork};
use crate::slt::driver::{RowLogits, VerifyInputs};
use crate::Result;

/// Labelled graph examples as verification rows.
pub struct GraphRows<'a> {
    examples: &'a [GraphExample],
    /// (example, logit row within it) of every scored row.
    rows: Vec<(usize, usize)>,
}

impl<'a> GraphRows<'a> {
    pub fn new(examples: &'a [GraphExample]) -> Self {
        let rows = examples
            .iter()
            .enumerate()
            .flat_map(|(e, ex)| {
                ex.labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.is_some())
                    .map(move |(r, _)| (e, r))
            })
            .collect();
        Self { examples, rows }
    }

    /// The label of every row.
    pub fn labels(&self) -> Vec<u8> {
        self.rows
            .iter()
            .filter_map(|&(e, r)| self.examples[e].labels[r])
            .collect()
    }
}

struct PreparedGraphs<'a> {
    inputs: &'a GraphRows<'a>,
    net: GraphNetwork,
}

impl VerifyInputs<GraphNetwork> for GraphRows<'_> {
    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn prepare(&self, net: &GraphNetwork) -> Result<Box<dyn RowLogits + '_>> {
        net.validate()?;
        Ok(Box::new(PreparedGraphs {
            inputs: self,
            net: net.clone(),
        }))
    }
}

impl RowLogits for PreparedGraphs<'_> {
    fn logits(&mut self, rows: Range<usize>) -> Result<Vec<f32>> {
        let wanted = &self.inputs.rows[rows];
        let (Some(&(first, _)), Some(&(last, _))) = (wanted.first(), wanted.last()) else {
            return Ok(Vec::new());
        };
        let inputs: Vec<_> = self.inputs.examples[first..=last]
            .iter()
            .map(|ex| ex.input.clone())
            .collect();
        let classes = self.net.classes();
        // Logit rows of each example, one after another.
        let all = self.net.logits(&inputs)?;
        let mut offsets = Vec::with_capacity(inputs.len());
        let mut at = 0;
        for ex in &self.inputs.examples[first..=last] {
            offsets.push(at);
            at += ex.labels.len() * classes;
        }
        let mut out = Vec::with_capacity(wanted.len() * classes);
        for &(e, r) in wanted {
            let start = offsets[e - first] + r * classes;
            out.extend_from_slice(&all[start..start + classes]);
        }
        Ok(out)
    }
}
