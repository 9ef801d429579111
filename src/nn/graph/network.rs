//! A permutation-equivariant network: graph layers and ReLUs, read out per
//! node (node classification) or per graph (graph classification).

use super::layer::GraphLayer;
use crate::basis::permutation::Aggregation;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// One step of a graph network.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphOp {
    Linear(GraphLayer),
    /// Pointwise ReLU (equivariant: S_n permutes entries).
    Relu,
}

/// What the logits are attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readout {
    /// The last layer outputs order 1: logits `[n, classes]`, equivariant.
    Node,
    /// The last layer outputs order 0: logits `[classes]`, invariant.
    Graph,
}

impl Readout {
    /// The tensor order of the logits.
    pub fn order(self) -> usize {
        match self {
            Readout::Node => 1,
            Readout::Graph => 0,
        }
    }
}

/// Most ops in a network.
pub const MAX_OPS: usize = 64;

/// Ops applied in order to an order-`input_order` tensor with
/// `input_channels` channels; no biases (the construction's setting).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNetwork {
    pub input_order: usize,
    pub input_channels: usize,
    pub readout: Readout,
    pub ops: Vec<GraphOp>,
}

impl GraphNetwork {
    /// The linear layers, in order.
    pub fn layers(&self) -> impl Iterator<Item = &GraphLayer> {
        self.ops.iter().filter_map(|op| match op {
            GraphOp::Linear(l) => Some(l),
            GraphOp::Relu => None,
        })
    }

    /// The linear layers, mutably.
    pub fn layers_mut(&mut self) -> impl Iterator<Item = &mut GraphLayer> {
        self.ops.iter_mut().filter_map(|op| match op {
            GraphOp::Linear(l) => Some(l),
            GraphOp::Relu => None,
        })
    }

    /// Coefficients of all layers.
    pub fn num_coefficients(&self) -> usize {
        self.layers().map(|l| l.num_coefficients()).sum()
    }

    /// Number of classes (the last layer's output channels; 0 if there is no
    /// layer).
    pub fn classes(&self) -> usize {
        self.layers().last().map_or(0, |l| l.c_out)
    }

    /// Whether any layer needs the input graph's adjacency.
    pub fn uses_adjacency(&self) -> bool {
        self.layers()
            .any(|l| l.basis == super::GraphBasis::MessagePassing)
    }

    /// Which linear layers can see negative inputs: the first one when the
    /// given inputs can be negative, and any layer not preceded directly by a
    /// ReLU. Indexed by layer (not op).
    pub fn negative_inputs(&self, inputs_can_be_negative: bool) -> Vec<bool> {
        let mut out = Vec::new();
        let mut after_relu = !inputs_can_be_negative;
        for op in &self.ops {
            match op {
                GraphOp::Relu => after_relu = true,
                GraphOp::Linear(_) => {
                    out.push(!after_relu);
                    after_relu = false;
                }
            }
        }
        out
    }

    /// Checks every layer, that orders and channels chain from the input to
    /// the logits, and that the last op is a layer with the readout's order.
    pub fn validate(&self) -> Result<()> {
        if self.input_order > 2 || self.input_channels == 0 {
            return Err(Error::Model(format!(
                "graph network input: order {} with {} channels",
                self.input_order, self.input_channels
            )));
        }
        if self.ops.is_empty() || self.ops.len() > MAX_OPS {
            return Err(Error::Model(format!(
                "a graph network needs 1 to {MAX_OPS} ops, found {}",
                self.ops.len()
            )));
        }
        let (mut order, mut channels) = (self.input_order, self.input_channels);
        for (n, op) in self.ops.iter().enumerate() {
            if let GraphOp::Linear(l) = op {
                l.validate().map_err(|e| {
                    Error::Model(format!(
                        "op {n}: {}",
                        crate::nn::model_envelope::model_message(e)
                    ))
                })?;
                if l.input_order() != order || l.c_in != channels {
                    return Err(Error::Model(format!(
                        "op {n}: layer expects order {} with {} channels, its input has order {order} with {channels}",
                        l.input_order(),
                        l.c_in
                    )));
                }
                (order, channels) = (l.output_order(), l.c_out);
            }
        }
        if !matches!(self.ops.last(), Some(GraphOp::Linear(_))) {
            return Err(Error::Model(
                "a graph network must end with a layer (the logits)".into(),
            ));
        }
        if order != self.readout.order() {
            return Err(Error::Model(format!(
                "{:?} readout needs logits of order {}, the last layer outputs order {order}",
                self.readout,
                self.readout.order()
            )));
        }
        Ok(())
    }
}

/// "mean" or "sum".
pub fn aggregation_name(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Mean => "mean",
        Aggregation::Sum => "sum",
    }
}

/// Parses [`aggregation_name`]'s output.
pub fn parse_aggregation(s: &str) -> Result<Aggregation> {
    match s {
        "mean" => Ok(Aggregation::Mean),
        "sum" => Ok(Aggregation::Sum),
        _ => Err(Error::Model(format!(
            "unknown aggregation {s:?} (expected \"mean\" or \"sum\")"
        ))),
    }
}
