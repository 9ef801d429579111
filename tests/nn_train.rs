//! The training loop: it learns a small rotation-invariant synthetic task,
//! and the same seed gives bit-identical coefficients.

mod nn_common;

use eslt::nn::train::{train, TrainConfig, TrainSet};
use eslt::nn::{Adam, Network};
use eslt::Error;

/// 12×12 images: class 0 = a filled disk, class 1 = a ring, radius and
/// centre jittered; both are rotation invariant up to interpolation.
fn synthetic(n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let jitter = nn_common::random_vec(3 * n, seed);
    let mut images = vec![0.0f32; n * 144];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i % 2) as u8;
        let r = 3.5 + jitter[3 * i].abs();
        let (cy, cx) = (5.5 + jitter[3 * i + 1], 5.5 + jitter[3 * i + 2]);
        for y in 0..12 {
            for x in 0..12 {
                let d = ((y as f32 - cy).powi(2) + (x as f32 - cx).powi(2)).sqrt();
                let on = if class == 0 {
                    d < r
                } else {
                    (d - r).abs() < 0.8
                };
                images[i * 144 + y * 12 + x] = if on { 1.0 } else { 0.0 };
            }
        }
        labels.push(class);
    }
    (images, labels)
}

fn run(net: &mut Network, epochs: usize, seed: u64) -> (f32, f32) {
    let (images, labels) = synthetic(256, 1);
    let data = TrainSet {
        images: &images,
        labels: &labels,
        rows: 12,
        cols: 12,
    };
    let cfg = TrainConfig {
        epochs,
        batch_size: 16,
        lr: 1e-2,
        seed,
    };
    let mut first = None;
    let last = train(net, &data, &cfg, &mut |p, _| {
        first.get_or_insert(p.loss);
        true
    })
    .unwrap();
    (first.unwrap(), last.loss)
}

#[test]
fn learns_a_small_invariant_task() {
    let mut net = nn_common::small_c4_network(12, 3, 2, 21);
    let (first, last) = run(&mut net, 6, 2);
    let (images, labels) = synthetic(200, 99);
    let eval = eslt::nn::evaluate::evaluate(&net, &images, &labels, 12, 12).unwrap();
    assert!(last < 0.5 * first, "loss {first} → {last}");
    assert!(eval.accuracy > 0.9, "held-out accuracy {}", eval.accuracy);
}

#[test]
fn same_seed_same_coefficients() {
    let mut a = nn_common::small_c4_network(12, 3, 2, 22);
    let mut b = a.clone();
    run(&mut a, 1, 5);
    run(&mut b, 1, 5);
    assert!(a == b, "two runs with one seed differ");
    let mut c = nn_common::small_c4_network(12, 3, 2, 22);
    run(&mut c, 1, 6);
    assert!(a != c, "the training seed is ignored");
}

#[test]
fn cancel_and_bad_input_are_errors() {
    let mut net = nn_common::small_c4_network(12, 3, 2, 23);
    let (images, labels) = synthetic(32, 1);
    let data = TrainSet {
        images: &images,
        labels: &labels,
        rows: 12,
        cols: 12,
    };
    let cfg = TrainConfig {
        epochs: 1,
        batch_size: 8,
        lr: 1e-3,
        seed: 1,
    };
    let r = train(&mut net, &data, &cfg, &mut |_, _| false);
    assert!(matches!(r, Err(Error::Cancelled)));
    let short = TrainSet {
        images: &images[..100],
        ..data
    };
    assert!(matches!(
        train(&mut net, &short, &cfg, &mut |_, _| true),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn adam_first_step_moves_each_parameter_by_lr() {
    // With bias correction, step 1 moves every coordinate by lr·sign(g).
    let mut p = vec![1.0f32, -2.0, 0.5];
    let mut adam = Adam::new(0.1, &[3]);
    adam.step(&mut [&mut p], &[vec![3.0, -0.01, 0.0]]);
    assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] + 1.9).abs() < 1e-6);
    assert_eq!(p[2], 0.5);
}
