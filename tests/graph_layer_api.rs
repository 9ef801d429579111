//! The layer API the pruning builds on: `with_inputs`, `identity_layer`,
//! `validate`, and the source construction's identity x = σ(x) − σ(−x)
//! through them: layer A copies each input channel i into σ(+x_i) and
//! σ(−x_i) (identity basis), layer B (the target's basis on 2·c_in inputs)
//! weighs them by +α and −α, and together they reproduce the target layer
//! exactly on inputs of any sign, for every basis kind.

use eslt::basis::permutation::{tensor_len, Aggregation};
use eslt::nn::graph::{GraphBasis, GraphInput, GraphLayer, GraphNetwork, GraphOp, Readout};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_vec(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

#[test]
fn a_relu_pair_of_layers_reproduces_every_target_layer() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let bases = [
        GraphBasis::Ign {
            input: 2,
            output: 2,
        },
        GraphBasis::Ign {
            input: 2,
            output: 0,
        },
        GraphBasis::Ign {
            input: 1,
            output: 2,
        },
        GraphBasis::Ign {
            input: 0,
            output: 1,
        },
        GraphBasis::DeepSets,
        GraphBasis::MessagePassing,
    ];
    for basis in bases {
        let (c_in, c_out, n) = (3, 2, 6);
        let mut target = GraphLayer::zeros(basis, Aggregation::Mean, c_in, c_out);
        target.coef = random_vec(&mut rng, target.num_coefficients());
        let kn = target.basis_len();
        // A: channel 2i = +x_i, 2i+1 = −x_i (coefficients [o][i]).
        let mut a_coef = vec![0.0; 2 * c_in * c_in];
        for i in 0..c_in {
            a_coef[(2 * i) * c_in + i] = 1.0;
            a_coef[(2 * i + 1) * c_in + i] = -1.0;
        }
        let a = target.identity_layer(2 * c_in, a_coef).unwrap();
        assert_eq!(
            a.basis,
            GraphBasis::Identity {
                order: target.input_order()
            }
        );
        assert_eq!((a.c_in, a.c_out, a.basis_len()), (c_in, 2 * c_in, 1));
        // B: β[o, (i, +), k] = α[o, i, k], β[o, (i, −), k] = −α[o, i, k].
        let mut b_coef = vec![0.0; c_out * 2 * c_in * kn];
        for o in 0..c_out {
            for i in 0..c_in {
                for k in 0..kn {
                    let alpha = target.alpha(o, i, k);
                    b_coef[(o * 2 * c_in + 2 * i) * kn + k] = alpha;
                    b_coef[(o * 2 * c_in + 2 * i + 1) * kn + k] = -alpha;
                }
            }
        }
        let b = target.with_inputs(2 * c_in, b_coef);
        b.validate().unwrap();
        assert_eq!(
            (b.basis, b.aggregation, b.c_out),
            (target.basis, target.aggregation, c_out)
        );
        let readout = if target.output_order() == 0 {
            Readout::Graph
        } else {
            Readout::Node
        };
        let pair = GraphNetwork {
            input_order: target.input_order(),
            input_channels: c_in,
            readout,
            ops: vec![GraphOp::Linear(a), GraphOp::Relu, GraphOp::Linear(b)],
        };
        let adjacency: Vec<f32> = (0..n * n)
            .map(|q| {
                if q / n != q % n && (q / n + q % n) % 3 == 0 {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let features = random_vec(&mut rng, tensor_len(target.input_order(), n, c_in));
        assert!(features.iter().any(|&v| v < 0.0));
        let g = GraphInput {
            n,
            adjacency,
            features,
        };
        let resolved = basis.resolve(Aggregation::Mean, n, &g.adjacency).unwrap();
        let want = target.apply(&resolved, n, &g.features);
        if readout == Readout::Graph || target.output_order() == 1 {
            let got = pair.forward(&g).unwrap();
            let err = want
                .iter()
                .zip(&got)
                .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
            assert!(err < 1e-5, "{basis:?}: {err:e}");
        } else {
            // Order-2 outputs are not a readout: compare the layers directly.
            let [GraphOp::Linear(a), GraphOp::Relu, GraphOp::Linear(b)] = &pair.ops[..] else {
                unreachable!()
            };
            let ra = a.basis.resolve(a.aggregation, n, &g.adjacency).unwrap();
            let h: Vec<f32> = a
                .apply(&ra, n, &g.features)
                .iter()
                .map(|v| v.max(0.0))
                .collect();
            let got = b.apply(&resolved, n, &h);
            let err = want
                .iter()
                .zip(&got)
                .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
            assert!(err < 1e-5, "{basis:?}: {err:e}");
        }
    }
}

#[test]
fn validate_rejects_bad_layers() {
    let ok = GraphLayer::zeros(GraphBasis::DeepSets, Aggregation::Sum, 2, 3);
    ok.validate().unwrap();
    assert!(ok.with_inputs(4, vec![0.0; 3]).validate().is_err());
    assert!(ok.identity_layer(2, vec![0.0; 5]).is_err());
    let mut nan = ok.clone();
    nan.coef[0] = f32::NAN;
    assert!(nan.validate().is_err());
    assert!(
        GraphLayer::zeros(GraphBasis::DeepSets, Aggregation::Sum, 0, 3)
            .validate()
            .is_err()
    );
    assert!(GraphLayer::zeros(
        GraphBasis::Ign {
            input: 3,
            output: 1
        },
        Aggregation::Mean,
        1,
        1
    )
    .validate()
    .is_err());
    assert_eq!(
        GraphBasis::Ign {
            input: 2,
            output: 2
        }
        .len(),
        15
    );
    assert_eq!(
        GraphBasis::Ign {
            input: 2,
            output: 1
        }
        .names()
        .len(),
        5
    );
    assert_eq!(
        GraphBasis::Ign {
            input: 1,
            output: 0
        }
        .identity_index(),
        None
    );
}
