//! The fast forward keeps the symmetry: on the shipped steerable models its
//! regular feature maps (the prefix up to group pooling) transform by the
//! group's action under every grid-exact element, and its logits do not
//! change, to 1e-5 relative (`group::check_equivariance`).

mod nn_common;

use eslt::group::{check_equivariance, FieldType};
use eslt::nn::{model, tasks, CpuForward, Op};
use ndarray::Array4;
use std::path::Path;

const TOL: f32 = 1e-5;

#[test]
fn shipped_steerable_models_are_equivariant_on_the_fast_path() {
    let v = nn_common::random_vec(3 * 28 * 28, 9);
    let x = Array4::from_shape_vec((3, 1, 28, 28), v.iter().map(|a| a.abs()).collect()).unwrap();
    let backend = CpuForward::with_threads(2).unwrap();
    for task in ["rotmnist-c8", "rotmnist-c4", "rotmnist-d4"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("www/models/{task}.json"));
        let (net, _) = model::load(&path).unwrap();
        let cut = net
            .ops
            .iter()
            .position(|op| matches!(op, Op::GroupPool))
            .unwrap();
        let maps = net.prefix(cut);
        let fields = maps.shapes().unwrap().last().unwrap().0 / net.group.order();
        let prepared = backend.prepare_cpu(&maps).unwrap();
        let e = check_equivariance(
            net.group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Regular, fields),
            |v| prepared.run(v).unwrap(),
        )
        .unwrap();
        assert!(e < TOL, "{task}: feature maps, relative error {e:e}");
        let prepared = backend.prepare_cpu(&net).unwrap();
        let e = check_equivariance(
            net.group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, tasks::CLASSES),
            |v| prepared.run(v).unwrap(),
        )
        .unwrap();
        assert!(e < TOL, "{task}: logits, relative change {e:e}");
    }
}
