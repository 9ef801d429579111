//! Throughput of the forward pass and of each op (ignored by default: run
//! `cargo test --release --test nn_speed -- --ignored --nocapture`).

use eslt::nn::{apply_op, tasks};
use ndarray::Array4;
use std::time::Instant;

#[test]
#[ignore]
fn forward_throughput_per_op() {
    let ksize = tasks::KSIZE;
    for task in ["rotmnist-c8", "rotmnist-cnn", "rotmnist-mlp"] {
        let mut net = tasks::architecture_with(task, ksize, tasks::CHANNELS)
            .unwrap()
            .build()
            .unwrap();
        net.init_coefficients(1);
        let b = 256;
        let x = Array4::from_shape_fn((b, 1, 28, 28), |(n, _, y, x)| {
            ((n * 7 + y * 3 + x) % 11) as f32 / 11.0
        });
        let order = net.group.order();
        let mut h = x.clone();
        let total = Instant::now();
        for op in &net.ops {
            let t = Instant::now();
            h = apply_op(op, order, h.view()).unwrap();
            println!(
                "{task} {:<40} {:>8.1} ms",
                format!("{:?}", std::mem::discriminant(op)),
                t.elapsed().as_secs_f64() * 1e3
            );
        }
        let s = total.elapsed().as_secs_f64();
        println!(
            "{task}: {b} images in {:.3} s = {:.0} images/s",
            s,
            b as f64 / s
        );
    }
}
