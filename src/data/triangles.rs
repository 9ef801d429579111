//! Triangle counting: the label of a random graph is its number of
//! triangles, exactly (a regression target, or a class after binning).
//!
//! Message passing is bounded by colour refinement (1-WL), which cannot
//! count triangles: a 6-cycle and two triangles look alike to it. A 2-IGN
//! cannot either — its linear layers are no stronger than 2-WL, which is
//! 1-WL (Maron et al. 2019; Chen et al. 2020), and `tests/
//! graph_expressivity.rs` shows both giving the same outputs on those two
//! graphs — so this task does not separate the shipped architectures; it
//! would take a 3-IGN (order-3 tensors) or an explicit A³ feature.
//!
//! Graphs are G(n, p) with n uniform in 8..=16 and [`EDGE_PROBABILITY`];
//! sample i uses stream i of a ChaCha8 generator seeded with the seed (one
//! 64-bit draw for n, then one per pair i < j, row by row, an edge iff below
//! p·2⁶⁴), like [`crate::data::connectivity`].

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::graphs::{Graph, LabelledGraph};
use crate::group::permutation::uniform_index;

/// Fewest nodes.
pub const MIN_NODES: usize = 8;
/// Most nodes.
pub const MAX_NODES: usize = 16;
/// Edge probability: about 0.3³·binom(n, 3) ≈ 1.5 (n = 8) to 15 (n = 16)
/// triangles on average, few graphs without any.
pub const EDGE_PROBABILITY: f64 = 0.3;

/// Sample `index`: label = number of triangles.
pub fn triangle_graph(seed: u64, index: usize) -> LabelledGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let n = MIN_NODES + uniform_index(&mut rng, MAX_NODES - MIN_NODES + 1);
    let threshold = (EDGE_PROBABILITY * 18_446_744_073_709_551_616.0) as u64;
    let mut graph = Graph::empty(n);
    for i in 0..n {
        for j in (i + 1)..n {
            if rng.next_u64() < threshold {
                graph.add_edge(i, j);
            }
        }
    }
    let label = graph.triangle_count();
    LabelledGraph { graph, label }
}

/// Samples 0..count.
pub fn triangle_graphs(seed: u64, count: usize) -> Vec<LabelledGraph> {
    (0..count).map(|i| triangle_graph(seed, i)).collect()
}
