//! Every kind of graph layer, and whole graph networks (each task's and a
//! network mixing tensor orders), commute with random relabellings of the
//! nodes: node outputs permute with the nodes, graph outputs are invariant.

use eslt::basis::permutation::{tensor_len, Aggregation};
use eslt::group::permutation::Permutation;
use eslt::nn::graph::tasks::TABLE;
use eslt::nn::graph::{GraphBasis, GraphInput, GraphLayer, GraphNetwork, GraphOp, Readout};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_vec(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// A random simple undirected graph's adjacency on n nodes.
fn random_adjacency(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
    let mut a = vec![0.0f32; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            if rng.random_range(0.0f32..1.0) < 0.4 {
                a[i * n + j] = 1.0;
                a[j * n + i] = 1.0;
            }
        }
    }
    a
}

/// max |a − b| ≤ 1e-5 · max(1, max |a|).
fn assert_close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = a.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let err = a
        .iter()
        .zip(b)
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(err <= 1e-5 * scale, "{what}: error {err:e} (scale {scale})");
}

fn every_basis() -> Vec<GraphBasis> {
    let mut out = vec![GraphBasis::DeepSets, GraphBasis::MessagePassing];
    for input in 0..=2 {
        for output in 0..=2 {
            out.push(GraphBasis::Ign { input, output });
        }
        out.push(GraphBasis::Identity { order: input });
    }
    out
}

#[test]
fn every_layer_kind_is_equivariant() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for basis in every_basis() {
        for aggregation in [Aggregation::Mean, Aggregation::Sum] {
            for n in [1, 2, 5, 9] {
                let (c_in, c_out) = (3, 4);
                let mut layer = GraphLayer::zeros(basis, aggregation, c_in, c_out);
                layer.coef = random_vec(&mut rng, layer.num_coefficients());
                layer.validate().unwrap();
                let adjacency = random_adjacency(&mut rng, n);
                let x = random_vec(&mut rng, tensor_len(layer.input_order(), n, c_in));
                let sigma = Permutation::random(n, &mut rng);
                let b = basis.resolve(aggregation, n, &adjacency).unwrap();
                let y = layer.apply(&b, n, &x);
                let pa = sigma.act_on_edges(1, &adjacency);
                let px = sigma.act(layer.input_order(), c_in, &x);
                let pb = basis.resolve(aggregation, n, &pa).unwrap();
                let py = layer.apply(&pb, n, &px);
                let want = sigma.act(layer.output_order(), c_out, &y);
                assert_close(&want, &py, &format!("{basis:?} {aggregation:?} n={n}"));
                // The check can fail: a non-identity σ moves a generic output
                // (outputs of a graph-level input are invariant by nature).
                if n > 1
                    && layer.input_order() > 0
                    && layer.output_order() > 0
                    && !sigma.is_identity()
                {
                    let moved = want.iter().zip(&y).any(|(a, b)| (a - b).abs() > 1e-3);
                    assert!(moved, "{basis:?}: σ·y = y, the test would not see an error");
                }
            }
        }
    }
}

#[test]
fn message_passing_reads_the_graph() {
    // Same features, different graphs: different outputs (so the
    // equivariance above is about the adjacency, not a constant map).
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 6;
    let mut layer = GraphLayer::zeros(GraphBasis::MessagePassing, Aggregation::Mean, 2, 2);
    layer.coef = random_vec(&mut rng, layer.num_coefficients());
    let x = random_vec(&mut rng, n * 2);
    let a = random_adjacency(&mut rng, n);
    let mut b = a.clone();
    b[1] = 1.0 - b[1];
    b[n] = b[1];
    let ya = layer.apply(
        &GraphBasis::MessagePassing
            .resolve(Aggregation::Mean, n, &a)
            .unwrap(),
        n,
        &x,
    );
    let yb = layer.apply(
        &GraphBasis::MessagePassing
            .resolve(Aggregation::Mean, n, &b)
            .unwrap(),
        n,
        &x,
    );
    assert!(ya.iter().zip(&yb).any(|(p, q)| (p - q).abs() > 1e-4));
}

fn check_network(net: &GraphNetwork, g: &GraphInput, rng: &mut ChaCha8Rng, what: &str) {
    let y = net.forward(g).unwrap();
    for _ in 0..3 {
        let sigma = Permutation::random(g.n, rng);
        let py = net.forward(&g.permuted(&sigma, net.input_order)).unwrap();
        let want = match net.readout {
            Readout::Node => sigma.act_on_nodes(net.classes(), &y),
            Readout::Graph => y.clone(),
        };
        assert_close(&want, &py, what);
    }
    // Batched logits are the per-graph logits, in order.
    let batch = net.logits(&[g.clone(), g.clone()]).unwrap();
    assert_eq!(&batch[..y.len()], &y[..]);
    assert_eq!(&batch[y.len()..], &y[..]);
}

#[test]
fn every_task_network_is_equivariant() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for task in TABLE {
        let net = task.build(5);
        for ex in task.test_examples().iter().take(5) {
            check_network(&net, &ex.input, &mut rng, task.name);
        }
    }
}

#[test]
fn a_network_mixing_orders_is_equivariant() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mean = Aggregation::Mean;
    let lin = |basis, agg, c_in, c_out| GraphOp::Linear(GraphLayer::zeros(basis, agg, c_in, c_out));
    for readout in [Readout::Node, Readout::Graph] {
        let mut ops = vec![
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 2,
                },
                Aggregation::Sum,
                2,
                3,
            ),
            GraphOp::Relu,
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 1,
                },
                mean,
                3,
                4,
            ),
            GraphOp::Relu,
            lin(GraphBasis::MessagePassing, Aggregation::Sum, 4, 4),
            GraphOp::Relu,
            lin(
                GraphBasis::Ign {
                    input: 1,
                    output: 0,
                },
                mean,
                4,
                3,
            ),
            GraphOp::Relu,
            lin(
                GraphBasis::Ign {
                    input: 0,
                    output: 2,
                },
                mean,
                3,
                2,
            ),
            GraphOp::Relu,
            lin(GraphBasis::Identity { order: 2 }, mean, 2, 3),
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 1,
                },
                mean,
                3,
                3,
            ),
            GraphOp::Relu,
            lin(GraphBasis::DeepSets, mean, 3, 3),
        ];
        if readout == Readout::Graph {
            ops.push(GraphOp::Relu);
            ops.push(lin(
                GraphBasis::Ign {
                    input: 1,
                    output: 0,
                },
                Aggregation::Sum,
                3,
                2,
            ));
        }
        let mut net = GraphNetwork {
            input_order: 2,
            input_channels: 2,
            readout,
            ops,
        };
        net.init_coefficients(1);
        net.validate().unwrap();
        for n in [3, 8] {
            let adjacency = random_adjacency(&mut rng, n);
            let features = random_vec(&mut rng, n * n * 2);
            let g = GraphInput {
                n,
                adjacency,
                features,
            };
            check_network(&net, &g, &mut rng, &format!("mixed {readout:?} n={n}"));
        }
    }
}
