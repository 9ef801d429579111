//! The graph and set tasks: determinism by seed, class balance, exact labels
//! (checked by independent code here), no graph in two families, and the
//! karate club's well-known counts.

use std::collections::{HashMap, HashSet, VecDeque};

use eslt::data::connectivity::{
    balanced_edge_probability, connection_probability, connectivity_graph, connectivity_graphs,
    MAX_NODES as CONN_MAX, MIN_NODES as CONN_MIN,
};
use eslt::data::graph_families::{
    circular_ladder, family_graph, family_graphs, hypercube, Family, MAX_NODES, MIN_NODES,
};
use eslt::data::graphs::{Graph, GraphInvariant};
use eslt::data::karate::{karate_club, parse_karate_club, MR_HI, OFFICER};
use eslt::data::set_mode::{colour_set, colour_sets, unique_mode, COLOURS, MAX_SIZE, MIN_SIZE};
use eslt::data::triangles::{triangle_graph, triangle_graphs};
use eslt::group::permutation::Permutation;

/// Connected by breadth-first search from node 0 (independent of the
/// library's union–find).
fn bfs_connected(g: &Graph) -> bool {
    let n = g.nodes();
    if n == 0 {
        return true;
    }
    let mut seen = vec![false; n];
    let mut queue = VecDeque::from([0]);
    seen[0] = true;
    while let Some(i) = queue.pop_front() {
        for (j, seen_j) in seen.iter_mut().enumerate() {
            if g.has_edge(i, j) && !*seen_j {
                *seen_j = true;
                queue.push_back(j);
            }
        }
    }
    seen.iter().all(|&s| s)
}

// ---- graph families -------------------------------------------------------

#[test]
fn families_are_deterministic_by_seed_and_prefix_stable() {
    let a = family_graphs(5, 80);
    assert_eq!(a, family_graphs(5, 80));
    assert_ne!(a, family_graphs(6, 80));
    assert_eq!(family_graphs(5, 24)[..], a[..24]);
    assert_eq!(family_graph(5, 37), a[37]);
}

#[test]
fn families_are_balanced_and_in_range() {
    let data = family_graphs(1, 8 * 125 + 3);
    let mut counts = [0usize; 8];
    for s in &data {
        counts[s.label] += 1;
        let n = s.graph.nodes();
        assert!((MIN_NODES..=MAX_NODES).contains(&n), "{n} nodes");
    }
    assert_eq!(counts, [126, 126, 126, 125, 125, 125, 125, 125]);
}

#[test]
fn each_family_has_its_defining_structure() {
    for family in Family::ALL {
        assert_eq!(Family::from_label(family.label()), Some(family));
        let graphs = family.graphs();
        assert!(!graphs.is_empty());
        for g in &graphs {
            let n = g.nodes();
            let d = g.degrees();
            let e = g.edge_count();
            assert!((MIN_NODES..=MAX_NODES).contains(&n), "{family:?} {n}");
            assert!(bfs_connected(g), "{family:?} n={n} disconnected");
            let max = *d.iter().max().unwrap();
            let min = *d.iter().min().unwrap();
            match family {
                Family::Cycle => assert!(e == n && min == 2 && max == 2),
                Family::Star => assert!(e == n - 1 && max == n - 1 && min == 1),
                Family::Wheel => assert!(e == 2 * (n - 1) && max == n - 1 && min == 3),
                Family::Lollipop => {
                    // K_m plus a pendant path of p ≥ 2 nodes: m(m−1)/2 + p edges.
                    let m = max; // the clique node holding the path has degree m
                    let p = n - m;
                    assert!(p >= 2 && 2 * p < n && min == 1);
                    assert_eq!(e, m * (m - 1) / 2 + p);
                }
                Family::Hypercube => {
                    let dim = n.trailing_zeros() as usize;
                    assert!(n.is_power_of_two() && min == dim && max == dim && e == dim * n / 2);
                    assert_eq!(g.triangle_count(), 0);
                }
                Family::Grid => {
                    assert!(min == 2 && max <= 4 && g.triangle_count() == 0);
                }
                Family::Clique => assert!(e == n * (n - 1) / 2),
                Family::CircularLadder => {
                    assert!(n >= 10 && n % 2 == 0 && min == 3 && max == 3 && e == 3 * n / 2)
                }
            }
        }
        // One graph per isomorphism type within a class.
        let invariants: HashSet<GraphInvariant> = graphs.iter().map(Graph::invariant).collect();
        assert_eq!(invariants.len(), graphs.len(), "{family:?} repeats a graph");
    }
}

/// Exhaustive: every graph any class can produce against every graph of
/// every other class. Different invariants prove non-isomorphism.
#[test]
fn no_graph_is_in_two_families() {
    let mut owner: HashMap<GraphInvariant, Family> = HashMap::new();
    for family in Family::ALL {
        for g in family.graphs() {
            if let Some(other) = owner.insert(g.invariant(), family) {
                assert_eq!(other, family, "{family:?} and {other:?} share a graph");
            }
        }
    }
}

/// The collision the families avoid is real: C4 × K2 (the 4-rung circular
/// ladder) is the 3-cube, and the invariant sees them as equal.
#[test]
fn the_four_rung_ladder_is_the_cube() {
    let (q3, ladder) = (hypercube(3), circular_ladder(4));
    assert_eq!(q3.invariant(), ladder.invariant());
    // Isomorphism: walk each 4-cycle in Gray-code order, rungs flip bit 2.
    let gray = [0, 1, 3, 2];
    let map: Vec<usize> = (0..8).map(|v| gray[v % 4] | ((v / 4) << 2)).collect();
    let sigma = Permutation::from_images(map).unwrap();
    assert_eq!(ladder.permuted(&sigma), q3);
    assert!(!Family::CircularLadder
        .graphs()
        .iter()
        .any(|g| g.invariant() == q3.invariant()));
}

#[test]
fn samples_are_relabelled_graphs_of_their_class() {
    let lists: Vec<HashSet<GraphInvariant>> = Family::ALL
        .iter()
        .map(|f| f.graphs().iter().map(Graph::invariant).collect())
        .collect();
    let canonical: Vec<HashSet<Graph>> = Family::ALL
        .iter()
        .map(|f| f.graphs().into_iter().collect())
        .collect();
    let mut relabelled = 0;
    for s in family_graphs(9, 400) {
        let inv = s.graph.invariant();
        for (label, list) in lists.iter().enumerate() {
            assert_eq!(
                list.contains(&inv),
                label == s.label,
                "sample of class {}",
                s.label
            );
        }
        if s.label != Family::Clique.label() {
            relabelled += usize::from(!canonical[s.label].contains(&s.graph));
        }
    }
    // Node order is shuffled: of the 350 non-cliques (a clique looks the
    // same in every labelling) almost none keep the canonical labelling (a
    // star does with probability 1/n).
    assert!(relabelled > 330, "{relabelled}");
}

// ---- connectivity ---------------------------------------------------------

/// P(connected) by enumerating all graphs on n nodes.
fn brute_connection_probability(n: usize, p: f64) -> f64 {
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| ((i + 1)..n).map(move |j| (i, j)))
        .collect();
    let mut total = 0.0;
    for mask in 0u32..(1 << pairs.len()) {
        let edges: Vec<(usize, usize)> = pairs
            .iter()
            .enumerate()
            .filter(|(b, _)| mask >> b & 1 == 1)
            .map(|(_, &e)| e)
            .collect();
        if bfs_connected(&Graph::from_edges(n, &edges).unwrap()) {
            let k = edges.len() as i32;
            total += p.powi(k) * (1.0 - p).powi(pairs.len() as i32 - k);
        }
    }
    total
}

#[test]
fn connection_probability_matches_enumeration() {
    for n in 1..=6 {
        for p in [0.1, 0.3, 0.5, 0.8] {
            let exact = brute_connection_probability(n, p);
            let got = connection_probability(n, p);
            assert!((exact - got).abs() < 1e-12, "n={n} p={p}: {got} vs {exact}");
        }
    }
    for n in CONN_MIN..=CONN_MAX {
        let p = balanced_edge_probability(n);
        assert!((connection_probability(n, p) - 0.5).abs() < 1e-12);
        // Near the threshold (ln n + c)/n, c = −ln ln 2 ≈ 0.37, for large n.
        let asymptotic = ((n as f64).ln() + 0.3665) / n as f64;
        assert!((p / asymptotic - 1.0).abs() < 0.25, "n={n}: p={p}");
    }
}

#[test]
fn connectivity_is_balanced_and_exact() {
    let data = connectivity_graphs(2026, 10_000);
    let mut per_n: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut connected = 0;
    for s in &data {
        let n = s.graph.nodes();
        assert!((CONN_MIN..=CONN_MAX).contains(&n));
        assert_eq!(s.label, usize::from(bfs_connected(&s.graph)));
        connected += s.label;
        let e = per_n.entry(n).or_default();
        e.0 += s.label;
        e.1 += 1;
    }
    let fraction = connected as f64 / data.len() as f64;
    assert!(
        (0.45..=0.55).contains(&fraction),
        "connected fraction {fraction}"
    );
    assert_eq!(per_n.len(), CONN_MAX - CONN_MIN + 1);
    for (n, (c, total)) in per_n {
        let f = c as f64 / total as f64;
        // ~1,100 graphs per n: ±0.1 is about 6.6 standard deviations.
        assert!((0.4..=0.6).contains(&f), "n={n}: {f} of {total}");
    }
}

#[test]
fn connectivity_is_deterministic_by_seed() {
    let a = connectivity_graphs(3, 50);
    assert_eq!(a, connectivity_graphs(3, 50));
    assert_ne!(a, connectivity_graphs(4, 50));
    assert_eq!(connectivity_graph(3, 17), a[17]);
}

// ---- the colour-mode set task ---------------------------------------------

#[test]
fn colour_sets_are_exact_balanced_and_deterministic() {
    let data = colour_sets(77, 10_000);
    assert_eq!(data, colour_sets(77, 10_000));
    assert_ne!(data[..20], colour_sets(78, 20)[..]);
    assert_eq!(colour_set(77, 123), data[123]);
    let mut per_label = [0usize; COLOURS];
    let mut sizes = HashSet::new();
    for s in &data {
        sizes.insert(s.len());
        assert!((MIN_SIZE..=MAX_SIZE).contains(&s.len()));
        // Independent check: the label occurs strictly more than every other
        // colour.
        let count = |c: usize| s.colours.iter().filter(|&&x| x == c).count();
        assert!((0..COLOURS).all(|c| c == s.label || count(c) < count(s.label)));
        let x = s.features();
        assert_eq!(x.len(), s.len() * COLOURS);
        for (row, &c) in x.chunks_exact(COLOURS).zip(&s.colours) {
            assert!((0..COLOURS).all(|k| row[k] == f32::from(u8::from(k == c))));
        }
        per_label[s.label] += 1;
    }
    assert_eq!(sizes.len(), MAX_SIZE - MIN_SIZE + 1);
    for (c, &k) in per_label.iter().enumerate() {
        let f = k as f64 / data.len() as f64;
        assert!((0.22..=0.28).contains(&f), "colour {c}: {f}");
    }
    assert_eq!(unique_mode(&[0, 0, 1, 1, 2]), None);
    assert_eq!(unique_mode(&[3, 0, 3, 1, 2]), Some(3));
}

// ---- triangle counting ----------------------------------------------------

#[test]
fn triangle_labels_are_trace_of_a_cubed_over_six() {
    let data = triangle_graphs(8, 500);
    assert_eq!(data, triangle_graphs(8, 500));
    assert_eq!(triangle_graph(8, 99), data[99]);
    let mut distinct = HashSet::new();
    for s in &data {
        let n = s.graph.nodes();
        let a: Vec<u64> = s
            .graph
            .adjacency_matrix()
            .iter()
            .map(|&v| v as u64)
            .collect();
        let mut trace = 0;
        for i in 0..n {
            for j in 0..n {
                for k in 0..n {
                    trace += a[i * n + j] * a[j * n + k] * a[k * n + i];
                }
            }
        }
        assert_eq!(s.label as u64, trace / 6);
        distinct.insert(s.label);
    }
    // The labels vary (the task is not constant).
    assert!(distinct.len() > 10, "{distinct:?}");
}

// ---- Zachary's karate club ------------------------------------------------

/// networkx's karate_club_graph() edges (0-based, u < v).
#[rustfmt::skip]
const KARATE_EDGES: [(usize, usize); 78] = [
    (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11), (0, 12),
    (0, 13), (0, 17), (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13), (1, 17),
    (1, 19), (1, 21), (1, 30), (2, 3), (2, 7), (2, 8), (2, 9), (2, 13), (2, 27), (2, 28),
    (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10), (5, 16), (6, 16),
    (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32), (15, 33),
    (18, 32), (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33), (23, 25), (23, 27),
    (23, 29), (23, 32), (23, 33), (24, 25), (24, 27), (24, 31), (25, 31), (26, 29), (26, 33),
    (27, 33), (28, 31), (28, 33), (29, 32), (29, 33), (30, 32), (30, 33), (31, 32), (31, 33),
    (32, 33),
];

#[test]
fn karate_club_has_the_known_counts() {
    let club = karate_club();
    let g = &club.graph;
    assert_eq!(g.nodes(), 34);
    assert_eq!(g.edge_count(), 78);
    assert_eq!(g.edges(), KARATE_EDGES);
    assert_eq!(club.weighted_edges.len(), 78);
    assert_eq!(club.weighted_edges.iter().map(|e| e.2).sum::<u32>(), 231);
    assert_eq!(g.triangle_count(), 45);
    assert!(bfs_connected(g));
    let d = g.degrees();
    assert_eq!((d[MR_HI], d[OFFICER]), (16, 17));
    // The "club" labelling: 17 with Mr. Hi, 17 with the Officer.
    let hi: Vec<usize> = (0..34).filter(|&i| club.factions[i] == 0).collect();
    assert_eq!(
        hi,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 16, 17, 19, 21]
    );
    assert_eq!(club.factions.iter().filter(|&&f| f == 1).count(), 17);
    assert_eq!((club.factions[MR_HI], club.factions[OFFICER]), (0, 1));
}

#[test]
fn karate_parser_rejects_malformed_files() {
    let ok = "nodes 2\nfaction 0 0\nfaction 1 1\nedge 0 1 3\n";
    assert!(parse_karate_club(ok).is_ok());
    for bad in [
        "faction 0 0\n",                                               // before `nodes`
        "nodes 2\nfaction 0 0\nedge 0 1 1\n",                          // node 1 unlabelled
        "nodes 2\nfaction 0 0\nfaction 1 2\n",                         // faction out of range
        "nodes 2\nfaction 0 0\nfaction 1 1\nedge 1 0 1\n",             // u > v
        "nodes 2\nfaction 0 0\nfaction 1 1\nedge 0 1 0\n",             // weight 0
        "nodes 2\nfaction 0 0\nfaction 1 1\nedge 0 1 1\nedge 0 1 2\n", // twice
        "nodes 2\nfaction 0 0\nfaction 1 1\nedge 0 x 1\n",             // not a number
    ] {
        assert!(parse_karate_club(bad).is_err(), "{bad:?}");
    }
}
