//! The fast CPU forward gives bitwise the same output for an image whatever
//! the number of threads, the batch it is in and how a batch is sliced, and
//! a prepared network serves any number of batches.

mod nn_common;

use eslt::nn::{tasks, CpuForward, ForwardBackend, Network};
use ndarray::{s, Array4};

fn random_images(b: usize, seed: u64) -> Array4<f32> {
    let v = nn_common::random_vec(b * 28 * 28, seed);
    Array4::from_shape_vec((b, 1, 28, 28), v).unwrap()
}

fn nets() -> Vec<(&'static str, Network)> {
    tasks::TASKS
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, tasks::build(t, 40 + i as u64).unwrap()))
        .collect()
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    let x = random_images(37, 1);
    let one = CpuForward::with_threads(1).unwrap();
    let two = CpuForward::with_threads(2).unwrap();
    assert_eq!((one.threads(), two.threads()), (1, 2));
    for (task, net) in nets() {
        let a = one.prepare_cpu(&net).unwrap().run(x.view()).unwrap();
        let b = two.prepare_cpu(&net).unwrap().run(x.view()).unwrap();
        assert_eq!(a, b, "{task}: 1 and 2 threads differ");
        let c = net.forward(x.view()).unwrap();
        assert_eq!(a, c, "{task}: Network::forward differs");
    }
}

#[test]
fn an_image_output_does_not_depend_on_its_batch() {
    let x = random_images(23, 2);
    for (task, net) in nets() {
        let prepared = CpuForward::new().prepare_cpu(&net).unwrap();
        let whole = prepared.run(x.view()).unwrap();
        // Slices that start and end off the tile boundaries.
        for (a, b) in [(0, 1), (1, 6), (6, 7), (7, 20), (20, 23)] {
            let part = prepared.run(x.slice(s![a..b, .., .., ..])).unwrap();
            assert_eq!(
                part,
                whole.slice(s![a..b, .., .., ..]),
                "{task}: images {a}..{b} alone differ from within the batch"
            );
        }
    }
}

#[test]
fn a_prepared_network_serves_many_batches_through_the_trait() {
    let net = tasks::build("rotmnist-c8", 3).unwrap();
    let backend = CpuForward::with_threads(2).unwrap();
    assert_eq!(backend.name(), "cpu");
    let mut prepared = backend.prepare(&net).unwrap();
    assert_eq!(prepared.backend(), "cpu");
    for (b, seed) in [(5, 10), (64, 11), (1, 12), (0, 13), (9, 14)] {
        let x = random_images(b, seed);
        let logits = prepared.logits(x.view()).unwrap();
        assert_eq!(logits.dim(), (b, tasks::CLASSES));
        let y = net.forward(x.view()).unwrap();
        let flat = y.into_shape_with_order((b, tasks::CLASSES)).unwrap();
        assert_eq!(logits, flat, "batch of {b}");
    }
}

#[test]
fn strided_inputs_give_the_same_output() {
    let net = tasks::build("rotmnist-c4", 4).unwrap();
    let x = random_images(6, 5);
    // Every other image of a 12-image batch, and a transposed view.
    let mut wide = Array4::<f32>::zeros((12, 1, 28, 28));
    wide.slice_mut(s![..;2, .., .., ..]).assign(&x);
    let strided = net.forward(wide.slice(s![..;2, .., .., ..])).unwrap();
    let mut t = x.clone();
    t.swap_axes(2, 3);
    let transposed = t.as_standard_layout().to_owned();
    let mut back = transposed.clone();
    back.swap_axes(2, 3);
    let from_view = net.forward(back.view()).unwrap();
    let plain = net.forward(x.view()).unwrap();
    assert_eq!(strided, plain);
    assert_eq!(from_view, plain);
}

#[test]
fn wrong_inputs_are_errors() {
    let net = tasks::build("rotmnist-c8", 5).unwrap();
    let prepared = CpuForward::new().prepare_cpu(&net).unwrap();
    assert!(prepared
        .run(Array4::<f32>::zeros((2, 1, 27, 28)).view())
        .is_err());
    assert!(net
        .forward(Array4::<f32>::zeros((2, 2, 28, 28)).view())
        .is_err());
    assert!(CpuForward::with_threads(0).is_err());
    // An inconsistent network fails at prepare, not in a tile.
    let mut bad = net.clone();
    bad.ops.swap(0, 3);
    assert!(CpuForward::new().prepare_cpu(&bad).is_err());
}

#[test]
fn the_plan_counts_the_work() {
    let (net, _) = eslt::nn::model::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/rotmnist-c8.json"),
    )
    .unwrap();
    let prepared = CpuForward::new().prepare_cpu(&net).unwrap();
    // 28²·25·1·64 + 14²·9·64·128 + 7²·9·128·128 + 16·10.
    assert_eq!(
        prepared.macs_per_image(),
        784 * 25 * 64 + 196 * 9 * 64 * 128 + 49 * 9 * 128 * 128 + 160
    );
    assert!(prepared.tile() >= 1);
}
