//! The CPU forward as compiled to wasm (where 3×3 convolutions of 16 or
//! more input channels run as Winograd's F(2×2, 3×3), `nn::winograd`)
//! against the reference ops, in headless Chromium: every image task's
//! network and a network of odd map sizes, within 1e-5 relative, and an
//! image's logits the same bits in any batch.

#![cfg(target_arch = "wasm32")]

mod nn_common;

use eslt::group::FieldType;
use eslt::nn::architecture::{Architecture, BasisKind, OpSpec};
use eslt::nn::{tasks, Network};
use ndarray::{s, Array4};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TOL: f64 = 1e-5;

/// Deterministic values in [0, 1) (the images' range).
fn images(b: usize, (c, h, w): (usize, usize, usize), seed: usize) -> Array4<f32> {
    Array4::from_shape_fn((b, c, h, w), |(n, ch, y, x)| {
        ((n * 131 + ch * 71 + y * 29 + x * 7 + seed * 13) % 97) as f32 / 97.0
    })
}

fn check(net: &Network, x: &Array4<f32>, what: &str) {
    let fast = nn_common::assert_forward_matches_reference(net, x, TOL, what);
    // The third image alone gives the same bits as in the batch.
    let alone = net.forward(x.slice(s![2..3, .., .., ..])).unwrap();
    assert_eq!(
        alone.slice(s![0, .., .., ..]),
        fast.slice(s![2, .., .., ..]),
        "{what}: image 2 alone"
    );
}

#[wasm_bindgen_test]
fn image_task_networks_match_the_reference() {
    for (seed, task) in tasks::TASKS.iter().enumerate() {
        let net = tasks::build(task, 11 + seed as u64).unwrap();
        check(&net, &images(9, net.input_shape, seed), task);
    }
}

#[wasm_bindgen_test]
fn odd_maps_of_wide_3x3_convolutions_match_the_reference() {
    let conv = |c_in, c_out, ksize| OpSpec::Conv {
        in_type: FieldType::Trivial,
        out_type: FieldType::Trivial,
        c_in,
        c_out,
        ksize,
        basis: BasisKind::Pixel,
    };
    // 7×5 (odd both ways) → 3×3 16 → 17 with ReLU → pool 3×2 → 3×3 17 → 20
    // unfused → ReLU → 3×3 on 3×2 → flatten → dense.
    let arch = Architecture {
        group: "C1".into(),
        input_shape: (16, 7, 5),
        ops: vec![
            conv(16, 17, 3),
            OpSpec::Relu,
            OpSpec::MaxPool2,
            conv(17, 20, 3),
            OpSpec::Relu,
            conv(20, 16, 3),
            OpSpec::Flatten,
            conv(96, 4, 1),
        ],
    };
    let mut net = arch.build().unwrap();
    net.init_coefficients(5);
    check(&net, &images(5, net.input_shape, 3), "odd maps");
}
