//! The hand-written backward pass of graph networks against central finite
//! differences of an independent f64 reference: every basis element as a
//! dense matrix (its action on unit tensors), the network as dense f64
//! products, the loss (cross-entropy over scored rows plus the Laplacian
//! prior) written out again.

use eslt::basis::permutation::{tensor_len, Aggregation};
use eslt::nn::graph::tasks::TABLE;
use eslt::nn::graph::train::batch_gradient;
use eslt::nn::graph::{
    GraphBasis, GraphExample, GraphInput, GraphLayer, GraphNetwork, GraphOp, Readout,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Element k of a layer's basis on graph g as a dense `[out][in]` matrix.
fn dense(layer: &GraphLayer, g: &GraphInput, k: usize) -> Vec<Vec<f64>> {
    let resolved = layer
        .basis
        .resolve(layer.aggregation, g.n, &g.adjacency)
        .unwrap();
    let b = resolved.as_basis();
    let (li, lo) = (
        tensor_len(layer.input_order(), g.n, 1),
        tensor_len(layer.output_order(), g.n, 1),
    );
    let mut m = vec![vec![0.0; li]; lo];
    let mut e = vec![0.0f32; li];
    let mut out = vec![0.0f32; lo];
    for q in 0..li {
        e[q] = 1.0;
        b.apply(k, g.n, 1, &e, &mut out);
        for (r, &v) in out.iter().enumerate() {
            m[r][q] = f64::from(v);
        }
        e[q] = 0.0;
    }
    m
}

/// The reference forward: coefficients and input in f64, layers as dense
/// sums Σ_{i,k} α[o,i,k] M_k x_i.
fn reference_logits(net: &GraphNetwork, coef: &[Vec<f64>], g: &GraphInput, x0: &[f64]) -> Vec<f64> {
    let mut x = x0.to_vec();
    let mut li = 0;
    for op in &net.ops {
        x = match op {
            GraphOp::Relu => x.iter().map(|v| v.max(0.0)).collect(),
            GraphOp::Linear(l) => {
                let (ci, co, kn) = (l.c_in, l.c_out, l.basis_len());
                let rows_out = tensor_len(l.output_order(), g.n, 1);
                let mut y = vec![0.0; rows_out * co];
                for k in 0..kn {
                    let m = dense(l, g, k);
                    for (p, row) in m.iter().enumerate() {
                        for (q, &w) in row.iter().enumerate() {
                            if w == 0.0 {
                                continue;
                            }
                            for o in 0..co {
                                for i in 0..ci {
                                    y[p * co + o] +=
                                        coef[li][(o * ci + i) * kn + k] * w * x[q * ci + i];
                                }
                            }
                        }
                    }
                }
                li += 1;
                y
            }
        };
    }
    x
}

/// Mean cross-entropy over the scored rows of the batch, plus λ times the
/// Laplacian penalty of each graph's node logits.
fn reference_loss(
    net: &GraphNetwork,
    coef: &[Vec<f64>],
    batch: &[GraphExample],
    smoothness: f64,
) -> f64 {
    let classes = net.classes();
    let (mut ce, mut rows, mut penalty) = (0.0, 0usize, 0.0);
    for ex in batch {
        let x0: Vec<f64> = ex.input.features.iter().map(|&v| f64::from(v)).collect();
        let z = reference_logits(net, coef, &ex.input, &x0);
        for (r, l) in ex.labels.iter().enumerate() {
            if let Some(l) = l {
                let row = &z[r * classes..(r + 1) * classes];
                let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let lse = row.iter().map(|v| (v - max).exp()).sum::<f64>().ln() + max;
                ce += lse - row[*l as usize];
                rows += 1;
            }
        }
        if net.readout == Readout::Node && smoothness != 0.0 {
            let n = ex.input.n;
            let a = &ex.input.adjacency;
            let arcs = a.iter().filter(|&&v| v != 0.0).count().max(1) as f64;
            let mut s = 0.0;
            for i in 0..n {
                for j in 0..n {
                    for c in 0..classes {
                        let d = z[i * classes + c] - z[j * classes + c];
                        s += f64::from(a[i * n + j]) * d * d;
                    }
                }
            }
            penalty += s / (2.0 * arcs);
        }
    }
    ce / rows.max(1) as f64 + smoothness * penalty
}

/// Relative error (‖g − fd‖ / ‖fd‖) of each layer's `grads` against central
/// differences of the reference loss.
fn relative_errors(
    net: &GraphNetwork,
    grads: &[Vec<f32>],
    batch: &[GraphExample],
    smoothness: f32,
    what: &str,
) -> Vec<f64> {
    let coef: Vec<Vec<f64>> = net
        .layers()
        .map(|l| l.coef.iter().map(|&c| f64::from(c)).collect())
        .collect();
    let h = 1e-6;
    let mut out = Vec::new();
    for (li, g) in grads.iter().enumerate() {
        let mut fd = vec![0.0; g.len()];
        for (j, d) in fd.iter_mut().enumerate() {
            let mut plus = coef.clone();
            plus[li][j] += h;
            let mut minus = coef.clone();
            minus[li][j] -= h;
            *d = (reference_loss(net, &plus, batch, f64::from(smoothness))
                - reference_loss(net, &minus, batch, f64::from(smoothness)))
                / (2.0 * h);
        }
        let norm = fd.iter().map(|v| v * v).sum::<f64>().sqrt();
        let err = g
            .iter()
            .zip(&fd)
            .map(|(&a, &b)| (f64::from(a) - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(norm > 1e-6, "{what}: layer {li} has no gradient to check");
        out.push(err / norm);
    }
    out
}

/// Compares `batch_gradient` with central differences of the reference
/// (relative error below 1e-3 in every layer); returns the worst.
fn check(net: &GraphNetwork, batch: &[GraphExample], smoothness: f32, what: &str) -> f64 {
    let refs: Vec<&GraphExample> = batch.iter().collect();
    let (_, _, _, grads) = batch_gradient(net, &refs, smoothness).unwrap();
    let errors = relative_errors(net, &grads, batch, smoothness, what);
    for (li, &rel) in errors.iter().enumerate() {
        assert!(rel < 1e-3, "{what}: layer {li}: relative error {rel:e}");
    }
    errors.into_iter().fold(0.0, f64::max)
}

fn random_vec(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

#[test]
fn every_task_network_matches_finite_differences() {
    for task in TABLE {
        // Small widths keep the dense reference fast; the bases, orders and
        // readouts are the task's.
        let mut net = task.architecture();
        let w = 3;
        let last = net.ops.len() - 1;
        for (j, op) in net.ops.iter_mut().enumerate() {
            if let GraphOp::Linear(l) = op {
                let c_in = if l.c_in == task.input.channels() && j == 0 {
                    l.c_in
                } else {
                    w
                };
                let c_out = if j == last { l.c_out } else { w };
                *l = GraphLayer::zeros(l.basis, l.aggregation, c_in, c_out);
            }
        }
        net.init_coefficients(3);
        let examples: Vec<GraphExample> = if task.readout == Readout::Node {
            let mut ex = task.train_examples();
            // Score a few more nodes so that every path carries gradient.
            for (i, l) in ex[0].labels.iter_mut().enumerate() {
                if i % 5 == 0 {
                    *l = Some((i % 2) as u8);
                }
            }
            ex
        } else {
            task.test_examples().into_iter().take(3).collect()
        };
        let smoothness = if task.readout == Readout::Node {
            0.7
        } else {
            0.0
        };
        let worst = check(&net, &examples, smoothness, task.name);
        eprintln!("{}: worst relative error {worst:.2e}", task.name);
    }
}

#[test]
fn mixed_orders_and_input_gradient_match_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let lin = |basis, agg, c_in, c_out| GraphOp::Linear(GraphLayer::zeros(basis, agg, c_in, c_out));
    let mut net = GraphNetwork {
        input_order: 2,
        input_channels: 2,
        readout: Readout::Graph,
        ops: vec![
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 1,
                },
                Aggregation::Sum,
                2,
                3,
            ),
            GraphOp::Relu,
            lin(
                GraphBasis::Ign {
                    input: 1,
                    output: 2,
                },
                Aggregation::Mean,
                3,
                2,
            ),
            GraphOp::Relu,
            lin(GraphBasis::Identity { order: 2 }, Aggregation::Mean, 2, 2),
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 2,
                },
                Aggregation::Mean,
                2,
                2,
            ),
            GraphOp::Relu,
            lin(
                GraphBasis::Ign {
                    input: 2,
                    output: 1,
                },
                Aggregation::Mean,
                2,
                2,
            ),
            lin(GraphBasis::MessagePassing, Aggregation::Sum, 2, 2),
            GraphOp::Relu,
            lin(GraphBasis::DeepSets, Aggregation::Mean, 2, 2),
            lin(
                GraphBasis::Ign {
                    input: 1,
                    output: 0,
                },
                Aggregation::Mean,
                2,
                3,
            ),
            lin(
                GraphBasis::Ign {
                    input: 0,
                    output: 0,
                },
                Aggregation::Mean,
                3,
                3,
            ),
        ],
    };
    net.init_coefficients(1);
    let n = 5;
    let mut adjacency = vec![0.0f32; n * n];
    for (i, j) in [(0, 1), (1, 2), (2, 3), (1, 4), (3, 4)] {
        adjacency[i * n + j] = 1.0;
        adjacency[j * n + i] = 1.0;
    }
    let examples: Vec<GraphExample> = (0..2)
        .map(|c| {
            GraphExample::graph(
                GraphInput {
                    n,
                    adjacency: adjacency.clone(),
                    features: random_vec(&mut rng, n * n * 2),
                },
                c as u8,
            )
        })
        .collect();
    check(&net, &examples, 0.0, "mixed orders");

    // ∂L/∂x for L = ⟨r, logits⟩ against central differences of the reference.
    let g = &examples[0].input;
    let tape = net.forward_tape(g).unwrap();
    let r = random_vec(&mut rng, tape.output.len());
    let (_, dx) = net.backward_with_input(&tape, &r).unwrap();
    let coef: Vec<Vec<f64>> = net
        .layers()
        .map(|l| l.coef.iter().map(|&c| f64::from(c)).collect())
        .collect();
    let x0: Vec<f64> = g.features.iter().map(|&v| f64::from(v)).collect();
    let loss = |x: &[f64]| -> f64 {
        reference_logits(&net, &coef, g, x)
            .iter()
            .zip(&r)
            .map(|(z, &r)| z * f64::from(r))
            .sum()
    };
    let h = 1e-6;
    let (mut err, mut norm) = (0.0f64, 0.0f64);
    for q in 0..x0.len() {
        let (mut p, mut m) = (x0.clone(), x0.clone());
        p[q] += h;
        m[q] -= h;
        let fd = (loss(&p) - loss(&m)) / (2.0 * h);
        err += (f64::from(dx[q]) - fd).powi(2);
        norm += fd * fd;
    }
    assert!(norm > 1e-6);
    assert!(
        err.sqrt() / norm.sqrt() < 1e-3,
        "input gradient: {:e}",
        err.sqrt() / norm.sqrt()
    );
}

#[test]
fn a_wrong_gradient_is_caught() {
    // The comparison can fail: one layer's gradient off by 1% is seen.
    let task = TABLE[3];
    let net = task.build(2);
    let batch: Vec<GraphExample> = task.test_examples().into_iter().take(4).collect();
    let refs: Vec<&GraphExample> = batch.iter().collect();
    let (_, _, _, mut grads) = batch_gradient(&net, &refs, 0.0).unwrap();
    grads[1].iter_mut().for_each(|g| *g *= 1.01);
    let errors = relative_errors(&net, &grads, &batch, 0.0, "perturbed");
    assert!(errors[0] < 1e-3 && errors[2] < 1e-3, "{errors:?}");
    assert!(errors[1] > 5e-3, "a 1% error went unseen: {errors:?}");
}
