//! Every shipped model: the literal masked source network equals the
//! collapsed ticket on real rotated digits, and the ticket stays invariant.

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::group::{check_equivariance, FieldType};
use eslt::nn::model;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::ticket::literal_network;
use eslt::slt::verify::literal_check;
use eslt::slt::{prune_network, EvalSet, PruneConfig, RunHooks};
use ndarray::Array4;
use std::path::Path;

const MODELS: [&str; 5] = [
    "rotmnist-c8",
    "rotmnist-d4",
    "rotmnist-c4",
    "rotmnist-cnn",
    "rotmnist-mlp",
];

fn test_digits(count: usize) -> (Array4<f32>, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/data/mnist-t10k.digits");
    let digits = Digits::load(&path)
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    let idx: Vec<usize> = (0..count).collect();
    let px = rotated_images(&digits, &idx, &test_angles(count));
    (
        Array4::from_shape_vec((count, 1, digits.rows, digits.cols), px).unwrap(),
        digits.labels[..count].to_vec(),
    )
}

#[test]
fn literal_equals_collapsed_on_real_digits_for_every_shipped_model() {
    let (x, labels) = test_digits(6);
    for name in MODELS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("www/models/{name}.json"));
        let (net, meta) = model::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Small pools keep the literal network (c_in·2n fields) cheap; the
        // identity (a) = (b) holds for any mask.
        let cfg = PruneConfig {
            eps: 0.5,
            n: Some(6),
            grow: false,
            seed: 3,
            ..Default::default()
        };
        let out = prune_network(
            &net,
            &meta.task,
            &cfg,
            &CpuSolver::new(),
            Some(EvalSet {
                images: x.view(),
                labels: &labels,
                literal_sample: 0,
            }),
            RunHooks {
                now: &|| 0.0,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        )
        .unwrap();
        let literal = literal_network(&out.rebalanced.network, &out.pruned).unwrap();
        let chk = literal_check(&literal, &out.ticket, x.view()).unwrap();
        eprintln!(
            "{name}: literal vs collapsed max rel diff {:.2e}",
            chk.max_rel_diff
        );
        assert!(chk.max_rel_diff <= 1e-5, "{name}: {chk:?}");
        let inv = check_equivariance(
            net.group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, 10),
            |v| out.ticket.forward(v).unwrap(),
        )
        .unwrap();
        eprintln!("{name}: ticket invariance error {inv:.2e}");
        // C_1 models have only the identity to check; C_N / D_N all exact elements.
        assert!(inv <= 1e-5, "{name}: ticket not invariant: {inv}");
    }
}
