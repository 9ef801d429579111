//! Cross-check with src/nn: its layer expansion and convolution agree with
//! the reference here, and are equivariant with the steerable bases.

mod basis_support;

use basis_support::{conv_same, expand, random_map};
use eslt::basis::steerable_basis;
use eslt::group::{check_equivariance, FieldType, Group};
use eslt::nn::{conv2d_same, EquivariantLayer};

#[test]
fn nn_layers_are_equivariant_with_steerable_bases() {
    let pairs = [
        (FieldType::Trivial, FieldType::Regular),
        (FieldType::Regular, FieldType::Regular),
        (FieldType::Regular, FieldType::Trivial),
    ];
    for group in [Group::Cyclic(4), Group::Cyclic(8), Group::Dihedral(4)] {
        for (in_type, out_type) in pairs {
            let basis = steerable_basis(group, in_type, out_type, 5).unwrap();
            let (c_in, c_out) = (2, 3);
            let coef: Vec<f32> = random_map(9, (1, 1, c_out * c_in, basis.len()))
                .iter()
                .copied()
                .collect();
            let layer = EquivariantLayer {
                group,
                in_type,
                out_type,
                c_in,
                c_out,
                basis: basis.clone(),
                coef: coef.clone(),
            };
            let w = layer.expand();
            let reference = expand(&basis, c_out, c_in, &coef);
            let wdiff = w
                .iter()
                .zip(&reference)
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(wdiff < 1e-5, "{wdiff}");
            let x = random_map(4, (2, c_in * in_type.dim(group), 9, 9));
            let ours = conv_same(x.view(), &w);
            let theirs = conv2d_same(x.view(), w.view()).unwrap();
            let diff = ours
                .iter()
                .zip(&theirs)
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(diff < 1e-4, "{diff}");
            let err =
                check_equivariance(group, x.view(), (in_type, c_in), (out_type, c_out), |v| {
                    conv2d_same(v, w.view()).unwrap()
                })
                .unwrap();
            assert!(err < 1e-5, "{group:?} {in_type:?}->{out_type:?}: {err}");
        }
    }
}
