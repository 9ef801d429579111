//! Every element of every permutation basis commutes with random node
//! permutations: B(σ·x) = σ·B(x) to 1e-5 (and so does its adjoint); message
//! passing commutes when graph and features are relabelled together.

mod permutation_support;

use eslt::basis::message_passing::MessagePassing;
use eslt::basis::permutation::{tensor_len, Aggregation, PermutationBasis};
use eslt::group::permutation::Permutation;
use permutation_support::{fixed_bases, max_abs_diff, random_tensor, rng};

const CHANNELS: usize = 3;
const TOL: f32 = 1e-5;

/// max over entries of |F(σ·x) − σ·F(x)| for a map F from order l to m.
fn equivariance_error(
    f: &dyn Fn(&[f32], &mut [f32]),
    l: usize,
    m: usize,
    sigma: &Permutation,
    x: &[f32],
) -> f32 {
    let n = sigma.len();
    let mut fx = vec![0.0; tensor_len(m, n, CHANNELS)];
    f(x, &mut fx);
    let mut f_sx = vec![0.0; fx.len()];
    f(&sigma.act(l, CHANNELS, x), &mut f_sx);
    max_abs_diff(&f_sx, &sigma.act(m, CHANNELS, &fx))
}

#[test]
fn every_element_and_adjoint_is_equivariant() {
    let mut r = rng(10);
    for (label, b) in fixed_bases() {
        let (l, m) = (b.input_order(), b.output_order());
        for n in 1..=7 {
            for trial in 0..4 {
                let sigma = Permutation::random(n, &mut r);
                let x = random_tensor(tensor_len(l, n, CHANNELS), &mut r);
                let y = random_tensor(tensor_len(m, n, CHANNELS), &mut r);
                for k in 0..b.len() {
                    let fwd = |x: &[f32], out: &mut [f32]| b.apply(k, n, CHANNELS, x, out);
                    let err = equivariance_error(&fwd, l, m, &sigma, &x);
                    assert!(
                        err <= TOL,
                        "{label} {} n={n} trial {trial}: {err}",
                        b.name(k)
                    );
                    let adj = |y: &[f32], out: &mut [f32]| b.apply_adjoint(k, n, CHANNELS, y, out);
                    let err = equivariance_error(&adj, m, l, &sigma, &y);
                    assert!(err <= TOL, "{label} {}ᵀ n={n}: {err}", b.name(k));
                }
            }
        }
    }
}

/// The check fails on maps that are not equivariant: reading node 0, or
/// the first row of an edge tensor, is not.
#[test]
fn the_check_catches_non_equivariant_maps() {
    let mut r = rng(11);
    let n = 5;
    let sigma = Permutation::from_images(vec![1, 2, 3, 4, 0]).unwrap();
    let node0 = |x: &[f32], out: &mut [f32]| {
        for row in out.chunks_exact_mut(CHANNELS) {
            row.copy_from_slice(&x[..CHANNELS]);
        }
    };
    let x = random_tensor(n * CHANNELS, &mut r);
    assert!(equivariance_error(&node0, 1, 1, &sigma, &x) > 0.1);
    let first_row = |x: &[f32], out: &mut [f32]| out.copy_from_slice(&x[..n * CHANNELS]);
    let x2 = random_tensor(n * n * CHANNELS, &mut r);
    assert!(equivariance_error(&first_row, 2, 1, &sigma, &x2) > 0.1);
}

fn random_graph(n: usize, r: &mut rand_chacha::ChaCha8Rng) -> Vec<f32> {
    let w = random_tensor(n * n, r);
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            if w[i * n + j] > 0.0 {
                // Weighted, to exercise the weighted mean too.
                let v = 1.0 + w[j * n + i].abs();
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
    }
    a
}

#[test]
fn message_passing_commutes_with_relabelling_graph_and_features() {
    let mut r = rng(12);
    for aggregation in [Aggregation::Mean, Aggregation::Sum] {
        for n in 1..=9 {
            let a = random_graph(n, &mut r);
            let sigma = Permutation::random(n, &mut r);
            let mp = MessagePassing::new(n, &a, aggregation).unwrap();
            let mp_sigma = MessagePassing::new(n, &sigma.act_on_edges(1, &a), aggregation).unwrap();
            let x = random_tensor(n * CHANNELS, &mut r);
            let sx = sigma.act_on_nodes(CHANNELS, &x);
            for k in 0..mp.len() {
                let (mut y, mut y_sigma) = (vec![0.0; n * CHANNELS], vec![0.0; n * CHANNELS]);
                mp.apply(k, n, CHANNELS, &x, &mut y);
                mp_sigma.apply(k, n, CHANNELS, &sx, &mut y_sigma);
                let err = max_abs_diff(&y_sigma, &sigma.act_on_nodes(CHANNELS, &y));
                assert!(err <= TOL, "{aggregation:?} {} n={n}: {err}", mp.name(k));
                mp.apply_adjoint(k, n, CHANNELS, &x, &mut y);
                mp_sigma.apply_adjoint(k, n, CHANNELS, &sx, &mut y_sigma);
                let err = max_abs_diff(&y_sigma, &sigma.act_on_nodes(CHANNELS, &y));
                assert!(err <= TOL, "{aggregation:?} {}ᵀ n={n}: {err}", mp.name(k));
            }
            // Relabelling only the features (not the graph) breaks it, unless
            // σ is an automorphism; a 3-node path with σ = (0 1) is not.
        }
    }
    let path = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let mp = MessagePassing::new(3, &path, Aggregation::Sum).unwrap();
    let sigma = Permutation::from_images(vec![1, 0, 2]).unwrap();
    let x = [1.0, 2.0, 4.0];
    let (mut y, mut y_s) = ([0.0; 3], [0.0; 3]);
    mp.apply(1, 3, 1, &x, &mut y);
    mp.apply(1, 3, 1, &sigma.act_on_nodes(1, &x), &mut y_s);
    assert!(max_abs_diff(&y_s, &sigma.act_on_nodes(1, &y)) > 0.5);
}
