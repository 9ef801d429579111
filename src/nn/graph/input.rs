//! One input of a graph network: a graph on n nodes (its dense adjacency,
//! read by message-passing layers) and an order-0, 1 or 2 feature tensor,
//! with a constructor per task.
//!
//! Every constructor computes its features from the structure alone (or, for
//! the karate club, from the structure and the two given labels), never from
//! node numbers: relabelling the nodes of the graph relabels the features
//! the same way, so the networks' equivariance carries over to the tasks.

use crate::basis::permutation::tensor_len;
use crate::data::graphs::Graph;
use crate::data::karate::{KarateClub, MR_HI, OFFICER};
use crate::data::set_mode::{ColourSet, COLOURS};
use crate::group::permutation::Permutation;
use crate::{Error, Result};

/// A graph and its input features.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphInput {
    /// Number of nodes.
    pub n: usize,
    /// Dense `[n, n]` adjacency (row-major, non-negative weights).
    pub adjacency: Vec<f32>,
    /// The order-`input_order` feature tensor (`[c]`, `[n, c]` or
    /// `[n, n, c]`, channels last) with the network's `input_channels`.
    pub features: Vec<f32>,
}

/// Channels of [`GraphInput::edge_tensor`].
pub const EDGE_TENSOR_CHANNELS: usize = 2;
/// Channels of [`GraphInput::degree_features`].
pub const DEGREE_CHANNELS: usize = 3;
/// Channels of [`GraphInput::colour_set`].
pub const COLOUR_SET_CHANNELS: usize = COLOURS;
/// Channels of [`GraphInput::karate`].
pub const KARATE_CHANNELS: usize = 3;

/// Degrees are divided by this in the node features, so that inputs are of
/// order one on the tasks' graphs (degrees up to 19).
pub const DEGREE_SCALE: f32 = 4.0;

impl GraphInput {
    /// Checks the lengths: adjacency n², features nᵒʳᵈᵉʳ·channels.
    pub fn check(&self, order: usize, channels: usize) -> Result<()> {
        let expected = self
            .n
            .checked_pow(order as u32)
            .and_then(|v| v.checked_mul(channels));
        if self.n.checked_mul(self.n) != Some(self.adjacency.len()) {
            return Err(Error::InvalidArgument(format!(
                "graph input: adjacency has {} values for {} nodes",
                self.adjacency.len(),
                self.n
            )));
        }
        if expected != Some(self.features.len()) {
            return Err(Error::InvalidArgument(format!(
                "graph input: {} feature values, expected an order-{order} tensor on {} nodes with {channels} channels",
                self.features.len(),
                self.n
            )));
        }
        Ok(())
    }

    /// For a 2-IGN: the order-2 tensor `[n, n, 2]` of the adjacency A and
    /// the identity I (I tells the diagonal apart and acts as the bias-free
    /// network's constant input).
    pub fn edge_tensor(graph: &Graph) -> GraphInput {
        let n = graph.nodes();
        let mut features = vec![0.0f32; n * n * EDGE_TENSOR_CHANNELS];
        for i in 0..n {
            for j in 0..n {
                let at = (i * n + j) * EDGE_TENSOR_CHANNELS;
                features[at] = if graph.has_edge(i, j) { 1.0 } else { 0.0 };
                features[at + 1] = if i == j { 1.0 } else { 0.0 };
            }
        }
        GraphInput {
            n,
            adjacency: graph.adjacency_matrix(),
            features,
        }
    }

    /// For message passing: node features `[n, 3]` = (1, degree /
    /// [`DEGREE_SCALE`], degree / (n − 1)), the last being networkx's degree
    /// centrality. The constant channel stands in for a bias. The centrality
    /// carries the graph's size: without it a bias-free network is
    /// positively homogeneous in n on regular graphs (every node alike, a
    /// sum readout n·h), so it could not tell the 3-regular cube Q3 (8
    /// nodes) from the 3-regular circular ladders (10 to 20 nodes).
    pub fn degree_features(graph: &Graph) -> GraphInput {
        let n = graph.nodes();
        let others = n.saturating_sub(1).max(1) as f32;
        let features = graph
            .degrees()
            .into_iter()
            .flat_map(|d| [1.0, d as f32 / DEGREE_SCALE, d as f32 / others])
            .collect();
        GraphInput {
            n: graph.nodes(),
            adjacency: graph.adjacency_matrix(),
            features,
        }
    }

    /// For DeepSets: a set of n elements (no edges) with the colours one-hot
    /// and centred, x[j, c] = [colour_j = c] − 1/COLOURS (0.75 or −0.25:
    /// negative inputs). Their mean is the colour frequencies minus ¼, whose
    /// argmax is the label.
    pub fn colour_set(set: &ColourSet) -> GraphInput {
        let n = set.len();
        let centre = 1.0 / COLOURS as f32;
        let features = set.features().into_iter().map(|v| v - centre).collect();
        GraphInput {
            n,
            adjacency: vec![0.0; n * n],
            features,
        }
    }

    /// For the karate club (semi-supervised node classification, only the
    /// leaders' factions given): node features `[34, 3]` = (1, degree /
    /// [`DEGREE_SCALE`], seed), where seed is +1 at Mr. Hi (node 0), −1 at
    /// the officer (node 33) and 0 elsewhere: the two given labels as an
    /// input signal (signed, so the network sees negative inputs). No node
    /// identities (one-hot ids would not be permutation-equivariant).
    /// Unweighted ties.
    pub fn karate(club: &KarateClub) -> GraphInput {
        let graph = &club.graph;
        let features = graph
            .degrees()
            .into_iter()
            .enumerate()
            .flat_map(|(i, d)| {
                let seed = match i {
                    MR_HI => 1.0,
                    OFFICER => -1.0,
                    _ => 0.0,
                };
                [1.0, d as f32 / DEGREE_SCALE, seed]
            })
            .collect();
        GraphInput {
            n: graph.nodes(),
            adjacency: graph.adjacency_matrix(),
            features,
        }
    }

    /// σ·input: the graph and the order-`order` features relabelled by σ
    /// (node i becomes σ(i)). Panics if σ is on another number of nodes.
    pub fn permuted(&self, sigma: &Permutation, order: usize) -> GraphInput {
        let c = self.features.len() / tensor_len(order, self.n, 1).max(1);
        GraphInput {
            n: self.n,
            adjacency: sigma.act_on_edges(1, &self.adjacency),
            features: sigma.act(order, c, &self.features),
        }
    }
}
