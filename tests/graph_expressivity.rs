//! What the graph architectures here can and cannot tell apart, checked on
//! random weights: the 2-IGN (order-2 tensors, linear layers and pointwise
//! ReLU) is as strong as 2-WL, which equals colour refinement (1-WL), and
//! so is message passing; neither separates the 6-cycle from two disjoint
//! triangles (both 2-regular on 6 nodes), though both separate the 6-cycle
//! from the 6-path. So a triangle-counting task would not show message
//! passing failing where this 2-IGN succeeds: that needs matrix products
//! (3-WL power), which these bases do not contain.

use eslt::data::graph_families::cycle;
use eslt::data::graphs::Graph;
use eslt::nn::graph::tasks::task;
use eslt::nn::graph::{GraphInput, GraphNetwork};

fn two_triangles() -> Graph {
    Graph::from_edges(6, &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)]).unwrap()
}

fn path6() -> Graph {
    Graph::from_edges(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]).unwrap()
}

fn max_diff(net: &GraphNetwork, a: &GraphInput, b: &GraphInput) -> f32 {
    let (ya, yb) = (net.forward(a).unwrap(), net.forward(b).unwrap());
    ya.iter()
        .zip(&yb)
        .fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn two_ign_and_message_passing_are_blind_to_triangles() {
    for seed in 0..5 {
        let ign = task("graph-families-ign").unwrap().build(seed);
        let mp = task("graph-families-mpgnn").unwrap().build(seed);
        let (c6, tt, p6) = (cycle(6), two_triangles(), path6());
        assert_ne!(c6.triangle_count(), tt.triangle_count());
        let e = |g: &Graph| GraphInput::edge_tensor(g);
        let d = |g: &Graph| GraphInput::degree_features(g);
        assert!(
            max_diff(&ign, &e(&c6), &e(&tt)) < 1e-5,
            "2-IGN saw a triangle"
        );
        assert!(max_diff(&mp, &d(&c6), &d(&tt)) < 1e-5, "MP saw a triangle");
        assert!(
            max_diff(&ign, &e(&c6), &e(&p6)) > 1e-4,
            "2-IGN blind to degrees"
        );
        assert!(
            max_diff(&mp, &d(&c6), &d(&p6)) > 1e-4,
            "MP blind to degrees"
        );
    }
}
