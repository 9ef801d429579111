//! A labelled input: a graph with the labels of its logit rows (one row for
//! graph classification, one per node for node classification, where only
//! some nodes may be labelled).

use super::input::GraphInput;

/// A graph input and the classes of its logit rows (`None` = not scored).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphExample {
    pub input: GraphInput,
    /// One entry per logit row: 1 (graph readout) or n (node readout).
    pub labels: Vec<Option<u8>>,
}

impl GraphExample {
    /// A graph-classification example.
    pub fn graph(input: GraphInput, label: u8) -> GraphExample {
        GraphExample {
            input,
            labels: vec![Some(label)],
        }
    }

    /// Number of scored rows.
    pub fn scored(&self) -> usize {
        self.labels.iter().filter(|l| l.is_some()).count()
    }
}
