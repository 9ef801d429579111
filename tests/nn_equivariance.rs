//! Network-level symmetry: the steerable tasks' logits are unchanged, to
//! 1e-5 relative, by every grid-exact rotation / reflection of the input;
//! their regular feature maps transform by the group's action. Checked with
//! the shared `group::check_equivariance` helper, over random coefficients.

mod nn_common;

use eslt::group::{try_check_equivariance, FieldType};
use eslt::nn::{tasks, Network, Op};
use ndarray::Array4;
use proptest::prelude::*;

const TOL: f32 = 1e-5;

fn images(seed: u64, b: usize) -> Array4<f32> {
    let v = nn_common::random_vec(b * 28 * 28, seed);
    Array4::from_shape_vec((b, 1, 28, 28), v.iter().map(|x| x.abs()).collect()).unwrap()
}

/// Max relative logit change over the grid-exact group elements.
fn invariance_error(net: &Network, x: &Array4<f32>) -> f32 {
    try_check_equivariance(
        net.group,
        x.view(),
        (FieldType::Trivial, 1),
        (FieldType::Trivial, tasks::CLASSES),
        |v| net.forward(v),
    )
    .unwrap()
}

/// Random coefficients in [−1, 1) for every layer.
fn randomise(net: &mut Network, seed: u64) {
    for (n, op) in net.ops.iter_mut().enumerate() {
        if let Op::Conv(l) = op {
            l.coef =
                nn_common::random_vec(l.coef.len(), seed.wrapping_mul(31).wrapping_add(n as u64));
        }
    }
}

#[test]
fn steerable_tasks_are_invariant() {
    for task in ["rotmnist-c8", "rotmnist-d4", "rotmnist-c4"] {
        let net = tasks::build(task, 7).unwrap();
        let e = invariance_error(&net, &images(1, 3));
        assert!(e < TOL, "{task}: relative logit change {e:e}");
    }
}

#[test]
fn steerable_feature_maps_are_equivariant() {
    // The prefix up to the last ReLU maps an image to regular fields.
    for task in ["rotmnist-c8", "rotmnist-d4", "rotmnist-c4"] {
        let mut net = tasks::build(task, 8).unwrap();
        let cut = net
            .ops
            .iter()
            .position(|op| matches!(op, Op::GroupPool))
            .unwrap();
        net.ops.truncate(cut);
        let channels = net.shapes().unwrap().last().unwrap().0;
        let fields = channels / net.group.order();
        let e = try_check_equivariance(
            net.group,
            images(2, 2).view(),
            (FieldType::Trivial, 1),
            (FieldType::Regular, fields),
            |v| net.forward(v),
        )
        .unwrap();
        assert!(e < TOL, "{task}: relative feature-map error {e:e}");
    }
}

#[test]
fn hand_built_c4_network_is_invariant() {
    let net = nn_common::small_c4_network(12, 3, 10, 3);
    let x = Array4::from_shape_vec((2, 1, 12, 12), nn_common::random_vec(288, 4)).unwrap();
    let e = try_check_equivariance(
        net.group,
        x.view(),
        (FieldType::Trivial, 1),
        (FieldType::Trivial, 10),
        |v| net.forward(v),
    )
    .unwrap();
    assert!(e < TOL, "relative logit change {e:e}");
}

/// The check can fail: a plain CNN is not rotation invariant.
#[test]
fn plain_cnn_is_not_invariant() {
    let net = tasks::build("rotmnist-cnn", 9).unwrap();
    let c4 = eslt::group::Group::Cyclic(4);
    let e = try_check_equivariance(
        c4,
        images(3, 2).view(),
        (FieldType::Trivial, 1),
        (FieldType::Trivial, tasks::CLASSES),
        |v| net.forward(v),
    )
    .unwrap();
    assert!(e > 1e-2, "a plain CNN looked invariant ({e:e})");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn invariant_for_random_coefficients(seed in any::<u64>(), task in 0usize..3) {
        let task = ["rotmnist-c8", "rotmnist-d4", "rotmnist-c4"][task];
        let mut net = tasks::architecture(task).unwrap().build().unwrap();
        randomise(&mut net, seed);
        let e = invariance_error(&net, &images(seed ^ 1, 2));
        prop_assert!(e < TOL, "{}: relative logit change {:e}", task, e);
    }
}
