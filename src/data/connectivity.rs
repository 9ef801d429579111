//! Graph connectivity: is a random graph connected? Label 1 if connected,
//! 0 if not, computed exactly (union–find over the edges).
//!
//! Graphs are Erdős–Rényi G(n, p_n) with n uniform in 8..=16 and p_n the
//! edge probability at which G(n, p_n) is connected with probability
//! exactly ½ ([`balanced_edge_probability`]), so the classes are balanced
//! for every n and the node count carries no information about the label
//! (measured: 49.4 % of 10,000 samples connected).
//! P(connected) is computed exactly by the recurrence on the size k of the
//! component of node 0:
//! C(n) = 1 − Σ_{k=1}^{n−1} binom(n−1, k−1) · C(k) · (1−p)^{k(n−k)}
//! (node 0's component has k nodes, and none of its k(n−k) pairs with the
//! rest is an edge). Only +, −, ×, ÷ are used, so p_n is bit-identical on
//! native and wasm.
//!
//! Sample i uses stream i of a ChaCha8 generator seeded with the seed: one
//! 64-bit draw picks n ([`uniform_index`]), then one 64-bit draw per pair
//! (i < j, row by row) is an edge iff it is below p_n·2⁶⁴.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::graphs::{Graph, LabelledGraph};
use crate::group::permutation::uniform_index;

/// Fewest nodes.
pub const MIN_NODES: usize = 8;
/// Most nodes.
pub const MAX_NODES: usize = 16;

/// Label of a connected graph (a disconnected one is 0).
pub const CONNECTED: usize = 1;

/// x^k by repeated multiplication (portable, unlike `powi`'s lowering).
fn power(x: f64, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, _| acc * x)
}

/// Exact probability that G(n, p) is connected (1 for n ≤ 1).
pub fn connection_probability(n: usize, p: f64) -> f64 {
    let q = 1.0 - p;
    // binom[a][b] for a < n, by Pascal's rule (exact in f64 for n ≤ 60).
    let mut binom = vec![vec![0.0f64; n.max(1)]; n.max(1)];
    for a in 0..n {
        binom[a][0] = 1.0;
        for b in 1..=a {
            binom[a][b] = binom[a - 1][b - 1] + if b < a { binom[a - 1][b] } else { 0.0 };
        }
    }
    let mut connected = vec![1.0f64; n + 1];
    for m in 2..=n {
        let split: f64 = (1..m)
            .map(|k| binom[m - 1][k - 1] * connected[k] * power(q, k * (m - k)))
            .sum();
        connected[m] = 1.0 - split;
    }
    connected[n]
}

/// The p in (0, 1) with [`connection_probability`]`(n, p)` = ½, by 60
/// bisection steps (P is increasing in p). Defined for n ≥ 2.
pub fn balanced_edge_probability(n: usize) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if connection_probability(n, mid) < 0.5 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// p·2⁶⁴ as the threshold a 64-bit draw must be below (p < 1).
fn threshold(p: f64) -> u64 {
    (p * 18_446_744_073_709_551_616.0) as u64
}

/// Sample `index` of the data set with this seed (see the module docs).
pub fn connectivity_graph(seed: u64, index: usize) -> LabelledGraph {
    let n = node_count(seed, index);
    sample(seed, index, threshold(balanced_edge_probability(n)))
}

/// Samples 0..count (the edge probabilities are computed once).
pub fn connectivity_graphs(seed: u64, count: usize) -> Vec<LabelledGraph> {
    let thresholds: Vec<u64> = (MIN_NODES..=MAX_NODES)
        .map(|n| threshold(balanced_edge_probability(n)))
        .collect();
    (0..count)
        .map(|i| sample(seed, i, thresholds[node_count(seed, i) - MIN_NODES]))
        .collect()
}

fn stream(seed: u64, index: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    rng
}

fn node_count(seed: u64, index: usize) -> usize {
    MIN_NODES + uniform_index(&mut stream(seed, index), MAX_NODES - MIN_NODES + 1)
}

fn sample(seed: u64, index: usize, threshold: u64) -> LabelledGraph {
    let mut rng = stream(seed, index);
    let n = MIN_NODES + uniform_index(&mut rng, MAX_NODES - MIN_NODES + 1);
    let mut graph = Graph::empty(n);
    for i in 0..n {
        for j in (i + 1)..n {
            if rng.next_u64() < threshold {
                graph.add_edge(i, j);
            }
        }
    }
    let label = usize::from(graph.is_connected());
    LabelledGraph { graph, label }
}
