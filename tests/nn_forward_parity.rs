//! The fast CPU forward (`Network::forward`, `CpuForward`) against the
//! reference ops (`Network::forward_reference`, `apply_op` on
//! `[b, c, h, w]` maps): outputs within 1e-5 relative on random networks
//! and inputs, on every shipped model, and on shapes and op orders the
//! shipped models do not have (odd sizes, unfused ReLU and pooling, 1×1
//! convolutions on a grid, Flatten of several channels).

mod nn_common;

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::group::FieldType;
use eslt::nn::architecture::{Architecture, BasisKind, OpSpec};
use eslt::nn::{argmax_rows, model, tasks, Network};
use ndarray::Array4;
use nn_common::rel_diff;
use std::path::Path;

const TOL: f64 = 1e-5;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn random_images(b: usize, shape: (usize, usize, usize), seed: u64) -> Array4<f32> {
    let (c, h, w) = shape;
    let v = nn_common::random_vec(b * c * h * w, seed);
    Array4::from_shape_vec((b, c, h, w), v).unwrap()
}

fn check(net: &Network, x: &Array4<f32>, what: &str) {
    nn_common::assert_forward_matches_reference(net, x, TOL, what);
}

#[test]
fn random_task_networks_match_the_reference() {
    for (seed, task) in tasks::TASKS.iter().enumerate() {
        let net = tasks::build(task, 11 + seed as u64).unwrap();
        // 9 images: two full tiles and a padded one for every task.
        let x = random_images(9, net.input_shape, 100 + seed as u64);
        check(&net, &x, task);
    }
}

#[test]
fn shipped_models_match_the_reference_on_test_digits() {
    let path = root().join("target/data/mnist-t10k.digits");
    let test = Digits::load(&path)
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    let n = 300;
    let idx: Vec<usize> = (0..n).collect();
    let pixels = rotated_images(&test, &idx, &test_angles(n));
    let x = Array4::from_shape_vec((n, 1, test.rows, test.cols), pixels).unwrap();
    for task in tasks::TASKS {
        let (net, _) = model::load(&root().join(format!("www/models/{task}.json"))).unwrap();
        let fast = net.forward(x.view()).unwrap();
        let reference = net.forward_reference(x.view()).unwrap();
        let e = rel_diff(fast.view(), reference.view());
        assert!(e < TOL, "{task}: relative logit difference {e:e}");
        assert_eq!(
            argmax_rows(fast.view()),
            argmax_rows(reference.view()),
            "{task}: predictions differ"
        );
    }
}

fn conv(c_in: usize, c_out: usize, ksize: usize, basis: BasisKind) -> OpSpec {
    OpSpec::Conv {
        in_type: FieldType::Trivial,
        out_type: FieldType::Trivial,
        c_in,
        c_out,
        ksize,
        basis,
    }
}

fn build(arch: Architecture, seed: u64) -> Network {
    let mut net = arch.build().unwrap();
    net.init_coefficients(seed);
    net
}

#[test]
fn odd_shapes_and_unfused_ops_match_the_reference() {
    use BasisKind::{Dense, Pixel};
    // 13×11 → pool (no ReLU before it) 6×5 → ReLU → 5×5 conv on 6×5 →
    // pool then ReLU → 3×2 → 1×1 conv on the grid → Flatten of 6 channels
    // → dense layers.
    let odd = Architecture {
        group: "C1".into(),
        input_shape: (3, 13, 11),
        ops: vec![
            conv(3, 5, 3, Pixel),
            OpSpec::MaxPool2,
            OpSpec::Relu,
            conv(5, 4, 5, Pixel),
            OpSpec::MaxPool2,
            OpSpec::Relu,
            conv(4, 6, 1, Dense),
            OpSpec::Relu,
            OpSpec::Flatten,
            conv(36, 7, 1, Dense),
            OpSpec::Relu,
            conv(7, 3, 1, Dense),
        ],
    };
    let net = build(odd, 3);
    check(&net, &random_images(6, net.input_shape, 5), "odd shapes");

    // Kernels wider than the map, ReLU twice, group pool of trivial fields,
    // global average of a 1×1 map, a 1×1 input.
    let tiny = Architecture {
        group: "C1".into(),
        input_shape: (2, 3, 2),
        ops: vec![
            conv(2, 3, 7, Pixel),
            OpSpec::Relu,
            OpSpec::Relu,
            OpSpec::GroupPool,
            conv(3, 4, 3, Pixel),
            OpSpec::MaxPool2,
            OpSpec::GlobalAvgPool,
            conv(4, 2, 3, Pixel),
        ],
    };
    let net = build(tiny, 4);
    check(&net, &random_images(5, net.input_shape, 6), "tiny maps");

    // A regular-field net with ReLU after pooling and a conv at the end.
    let c4 = Architecture {
        group: "C4".into(),
        input_shape: (1, 16, 16),
        ops: vec![
            OpSpec::Conv {
                in_type: FieldType::Trivial,
                out_type: FieldType::Regular,
                c_in: 1,
                c_out: 3,
                ksize: 5,
                basis: BasisKind::Steerable,
            },
            OpSpec::MaxPool2,
            OpSpec::Relu,
            OpSpec::Conv {
                in_type: FieldType::Regular,
                out_type: FieldType::Regular,
                c_in: 3,
                c_out: 2,
                ksize: 3,
                basis: BasisKind::Steerable,
            },
            OpSpec::GroupPool,
            OpSpec::Relu,
            OpSpec::GlobalAvgPool,
        ],
    };
    let net = build(c4, 5);
    check(
        &net,
        &random_images(7, net.input_shape, 7),
        "C4 regular fields",
    );
}

#[test]
fn an_empty_batch_gives_an_empty_output() {
    let net = tasks::build("rotmnist-c8", 1).unwrap();
    let y = net
        .forward(Array4::<f32>::zeros((0, 1, 28, 28)).view())
        .unwrap();
    assert_eq!(y.dim(), (0, 10, 1, 1));
}
