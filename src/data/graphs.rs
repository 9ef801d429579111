//! Small undirected graphs for the graph tasks (families, connectivity,
//! the karate club) and the invariants their labels and tests use.
//!
//! A [`Graph`] is simple (no self-loops, no multi-edges) and stored as a
//! dense symmetric boolean adjacency matrix: the tasks have at most 34
//! nodes, and the 2-IGN input is the dense `[n, n, 1]` tensor anyway
//! ([`Graph::adjacency_matrix`]). The tasks carry no node attributes: a
//! label depends on the structure alone, so a model picks its own node
//! input (constant ones, [`Graph::degree_features`], or the adjacency as an
//! order-2 tensor).

use crate::group::permutation::Permutation;
use crate::{Error, Result};

/// A simple undirected graph on nodes 0..n.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Graph {
    n: usize,
    /// `adjacency[i * n + j]`, symmetric, false on the diagonal.
    adjacency: Vec<bool>,
}

/// A graph with its class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledGraph {
    pub graph: Graph,
    pub label: usize,
}

/// Isomorphism invariants: isomorphic graphs have equal invariants, so
/// different invariants prove two graphs non-isomorphic (equal ones prove
/// nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GraphInvariant {
    pub nodes: usize,
    pub edges: usize,
    /// Degrees in increasing order.
    pub degrees: Vec<usize>,
    pub triangles: usize,
    /// Colour refinement (1-WL) from the degrees: the sorted stable colours,
    /// hashed. Finer than the degree sequence (it sees which degrees are
    /// adjacent), blind to regular graphs of equal degree, where the
    /// triangle count helps.
    pub refinement: u64,
}

impl Graph {
    /// n nodes, no edges.
    pub fn empty(n: usize) -> Graph {
        Graph {
            n,
            adjacency: vec![false; n * n],
        }
    }

    /// The graph with these undirected edges; an error on a self-loop or a
    /// node out of range. Repeated edges are one edge.
    pub fn from_edges(n: usize, edges: &[(usize, usize)]) -> Result<Graph> {
        let mut g = Graph::empty(n);
        for &(i, j) in edges {
            if i >= n || j >= n || i == j {
                return Err(Error::InvalidArgument(format!(
                    "edge ({i}, {j}) on {n} nodes: out of range or a self-loop"
                )));
            }
            g.add_edge(i, j);
        }
        Ok(g)
    }

    /// Adds the edge {i, j}. Panics on a self-loop or a node out of range (a
    /// caller bug; [`Graph::from_edges`] checks).
    pub fn add_edge(&mut self, i: usize, j: usize) {
        assert!(
            i < self.n && j < self.n && i != j,
            "add_edge({i}, {j}) on {} nodes",
            self.n
        );
        self.adjacency[i * self.n + j] = true;
        self.adjacency[j * self.n + i] = true;
    }

    pub fn nodes(&self) -> usize {
        self.n
    }

    pub fn has_edge(&self, i: usize, j: usize) -> bool {
        self.adjacency[i * self.n + j]
    }

    /// Edges (i, j) with i < j, in increasing order.
    pub fn edges(&self) -> Vec<(usize, usize)> {
        (0..self.n)
            .flat_map(|i| ((i + 1)..self.n).map(move |j| (i, j)))
            .filter(|&(i, j)| self.has_edge(i, j))
            .collect()
    }

    pub fn edge_count(&self) -> usize {
        self.adjacency.iter().filter(|&&a| a).count() / 2
    }

    /// Neighbours of node i, in increasing order.
    pub fn neighbours(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.n).filter(move |&j| self.has_edge(i, j))
    }

    pub fn degrees(&self) -> Vec<usize> {
        (0..self.n).map(|i| self.neighbours(i).count()).collect()
    }

    /// Number of triangles (each counted once).
    pub fn triangle_count(&self) -> usize {
        let mut t = 0;
        for i in 0..self.n {
            for j in (i + 1)..self.n {
                if self.has_edge(i, j) {
                    t += ((j + 1)..self.n)
                        .filter(|&k| self.has_edge(i, k) && self.has_edge(j, k))
                        .count();
                }
            }
        }
        t
    }

    /// Number of connected components (isolated nodes count; 0 for the
    /// graph on no nodes), by union–find.
    pub fn component_count(&self) -> usize {
        let mut parent: Vec<usize> = (0..self.n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut components = self.n;
        for (i, j) in self.edges() {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                parent[a] = b;
                components -= 1;
            }
        }
        components
    }

    /// Whether every node reaches every other (true for n ≤ 1).
    pub fn is_connected(&self) -> bool {
        self.component_count() <= 1
    }

    /// σ·G: node i becomes node σ(i), so {i, j} becomes {σ(i), σ(j)}.
    /// Panics if σ is not on n nodes.
    pub fn permuted(&self, sigma: &Permutation) -> Graph {
        assert_eq!(sigma.len(), self.n, "permuted: permutation of another n");
        let mut g = Graph::empty(self.n);
        for (i, j) in self.edges() {
            g.add_edge(sigma.image(i), sigma.image(j));
        }
        g
    }

    /// The adjacency as a dense `[n, n]` (= `[n, n, 1]`) f32 tensor of 0/1.
    pub fn adjacency_matrix(&self) -> Vec<f32> {
        self.adjacency
            .iter()
            .map(|&a| if a { 1.0 } else { 0.0 })
            .collect()
    }

    /// Node degrees as node features `[n, 1]`.
    pub fn degree_features(&self) -> Vec<f32> {
        self.degrees().into_iter().map(|d| d as f32).collect()
    }

    /// The invariants of [`GraphInvariant`].
    pub fn invariant(&self) -> GraphInvariant {
        let mut degrees = self.degrees();
        let refinement = self.refinement_hash(&degrees);
        degrees.sort_unstable();
        GraphInvariant {
            nodes: self.n,
            edges: self.edge_count(),
            degrees,
            triangles: self.triangle_count(),
            refinement,
        }
    }

    /// Colour refinement from degrees, n rounds (enough to stabilise), each
    /// new colour a hash of the old colour and the sorted neighbour colours;
    /// the result hashes the sorted final colours. The hash is fixed
    /// (SplitMix64 finaliser), so it is the same on every platform.
    fn refinement_hash(&self, degrees: &[usize]) -> u64 {
        let mut colours: Vec<u64> = degrees.iter().map(|&d| mix(d as u64)).collect();
        for _ in 0..self.n {
            colours = (0..self.n)
                .map(|i| {
                    let mut around: Vec<u64> = self.neighbours(i).map(|j| colours[j]).collect();
                    around.sort_unstable();
                    around.iter().fold(mix(colours[i]), |h, &c| mix(h ^ c))
                })
                .collect();
        }
        colours.sort_unstable();
        colours.iter().fold(mix(self.n as u64), |h, &c| mix(h ^ c))
    }
}

/// SplitMix64's finaliser: a fixed 64-bit mixing function.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
