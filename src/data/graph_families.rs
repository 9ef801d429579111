//! Graph classification into 8 synthetic families, after DGL's
//! MiniGCDataset: cycle, star, wheel, lollipop, hypercube, grid, clique and
//! circular ladder, on 8 to 20 nodes.
//!
//! Every class is a finite list of graphs ([`Family::graphs`]); a sample
//! draws one uniformly from its class's list and relabels its nodes by a
//! uniform random permutation, so node order says nothing about the class.
//! Differences from DGL, so that no graph is in two classes and every graph
//! has 8 to 20 nodes:
//! - hypercubes are Q3 (8 nodes) and Q4 (16 nodes), and circular ladders
//!   have 5 to 10 rungs: the 4-rung ladder C4 × K2 *is* Q3, so it is left to
//!   the hypercube class;
//! - grids are every r × c with 2 ≤ r ≤ c and 8 ≤ rc ≤ 20 (DGL's rule can
//!   give fewer nodes than asked for);
//! - a lollipop is a clique K_m joined by an edge to a path of p nodes,
//!   n = m + p, 2 ≤ p < ⌊n/2⌋ (DGL's range), so m > n/2 ≥ 4.
//!
//! Sample i has label i mod 8 (so any prefix of the data set is balanced to
//! within one graph per class) and its own ChaCha8 stream (stream i of the
//! seed), so it does not depend on how many samples are drawn.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::graphs::{Graph, LabelledGraph};
use crate::group::permutation::{uniform_index, Permutation};

/// Fewest nodes of a family graph.
pub const MIN_NODES: usize = 8;
/// Most nodes of a family graph.
pub const MAX_NODES: usize = 20;

/// One class of the data set; its label is its index in [`Family::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// C_n.
    Cycle,
    /// K_{1,n−1}: a centre joined to n − 1 leaves.
    Star,
    /// A hub joined to every node of C_{n−1}.
    Wheel,
    /// K_m joined by an edge to a path of p nodes.
    Lollipop,
    /// Q_d: the d-dimensional cube graph (d = 3, 4).
    Hypercube,
    /// The r × c grid P_r × P_c.
    Grid,
    /// K_n.
    Clique,
    /// C_k × K_2: two k-cycles joined by k rungs.
    CircularLadder,
}

impl Family {
    /// All classes, in label order (DGL's order).
    pub const ALL: [Family; 8] = [
        Family::Cycle,
        Family::Star,
        Family::Wheel,
        Family::Lollipop,
        Family::Hypercube,
        Family::Grid,
        Family::Clique,
        Family::CircularLadder,
    ];

    /// The class index.
    pub fn label(self) -> usize {
        match self {
            Family::Cycle => 0,
            Family::Star => 1,
            Family::Wheel => 2,
            Family::Lollipop => 3,
            Family::Hypercube => 4,
            Family::Grid => 5,
            Family::Clique => 6,
            Family::CircularLadder => 7,
        }
    }

    /// The family with this label, if any.
    pub fn from_label(label: usize) -> Option<Family> {
        Family::ALL.get(label).copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Cycle => "cycle",
            Family::Star => "star",
            Family::Wheel => "wheel",
            Family::Lollipop => "lollipop",
            Family::Hypercube => "hypercube",
            Family::Grid => "grid",
            Family::Clique => "clique",
            Family::CircularLadder => "circular ladder",
        }
    }

    /// Every graph of the class, one per isomorphism type, in canonical
    /// labelling (the construction's node numbers).
    pub fn graphs(self) -> Vec<Graph> {
        let sizes = MIN_NODES..=MAX_NODES;
        match self {
            Family::Cycle => sizes.map(cycle).collect(),
            Family::Star => sizes.map(star).collect(),
            Family::Wheel => sizes.map(wheel).collect(),
            Family::Lollipop => sizes
                .flat_map(|n| (2..n / 2).map(move |p| lollipop(n - p, p)))
                .collect(),
            Family::Hypercube => vec![hypercube(3), hypercube(4)],
            Family::Grid => (2..=MAX_NODES)
                .flat_map(|r| (r..=MAX_NODES).map(move |c| (r, c)))
                .filter(|&(r, c)| (MIN_NODES..=MAX_NODES).contains(&(r * c)))
                .map(|(r, c)| grid(r, c))
                .collect(),
            Family::Clique => sizes.map(clique).collect(),
            Family::CircularLadder => (5..=MAX_NODES / 2).map(circular_ladder).collect(),
        }
    }
}

/// Sample `index` of the data set with this seed (see the module docs).
pub fn family_graph(seed: u64, index: usize) -> LabelledGraph {
    let family = Family::ALL[index % Family::ALL.len()];
    sample(family, &family.graphs(), seed, index)
}

/// Samples 0..count (each class's list is built once).
pub fn family_graphs(seed: u64, count: usize) -> Vec<LabelledGraph> {
    let lists: Vec<Vec<Graph>> = Family::ALL.iter().map(|f| f.graphs()).collect();
    (0..count)
        .map(|i| {
            let label = i % Family::ALL.len();
            sample(Family::ALL[label], &lists[label], seed, i)
        })
        .collect()
}

fn sample(family: Family, list: &[Graph], seed: u64, index: usize) -> LabelledGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let graph = &list[uniform_index(&mut rng, list.len())];
    let sigma = Permutation::random(graph.nodes(), &mut rng);
    LabelledGraph {
        graph: graph.permuted(&sigma),
        label: family.label(),
    }
}

/// Builds a graph from edges known to be valid (the constructions below).
fn build(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Graph {
    let mut g = Graph::empty(n);
    for (i, j) in edges {
        g.add_edge(i, j);
    }
    g
}

/// C_n on 0..n.
pub fn cycle(n: usize) -> Graph {
    build(n, (0..n).map(|i| (i, (i + 1) % n)))
}

/// Centre 0, leaves 1..n.
pub fn star(n: usize) -> Graph {
    build(n, (1..n).map(|i| (0, i)))
}

/// Hub 0, rim 1..n in cyclic order.
pub fn wheel(n: usize) -> Graph {
    let rim = n - 1;
    build(n, (1..n).flat_map(|i| [(0, i), (i, 1 + i % rim)]))
}

/// K_m on 0..m, path m..m+p, and the edge (m − 1, m) (networkx's layout).
pub fn lollipop(m: usize, p: usize) -> Graph {
    let clique_edges = (0..m).flat_map(|i| ((i + 1)..m).map(move |j| (i, j)));
    let path_edges = (m..m + p).map(|i| (i - 1, i));
    build(m + p, clique_edges.chain(path_edges))
}

/// Q_d: nodes are d-bit words, joined when they differ in one bit.
pub fn hypercube(d: usize) -> Graph {
    let n = 1 << d;
    build(
        n,
        (0..n).flat_map(|i| {
            (0..d)
                .map(move |b| (i, i ^ (1 << b)))
                .filter(|&(i, j)| i < j)
        }),
    )
}

/// The r × c grid; node (y, x) is y·c + x.
pub fn grid(r: usize, c: usize) -> Graph {
    let at = move |y: usize, x: usize| y * c + x;
    let right = (0..r).flat_map(move |y| (1..c).map(move |x| (at(y, x - 1), at(y, x))));
    let down = (1..r).flat_map(move |y| (0..c).map(move |x| (at(y - 1, x), at(y, x))));
    build(r * c, right.chain(down))
}

/// K_n.
pub fn clique(n: usize) -> Graph {
    build(n, (0..n).flat_map(|i| ((i + 1)..n).map(move |j| (i, j))))
}

/// Two k-cycles 0..k and k..2k, rungs (i, i + k).
pub fn circular_ladder(k: usize) -> Graph {
    build(
        2 * k,
        (0..k).flat_map(|i| {
            let next = (i + 1) % k;
            [(i, next), (k + i, k + next), (i, k + i)]
        }),
    )
}
