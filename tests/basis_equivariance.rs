//! Every steerable basis element, used as a convolution, is equivariant.

mod basis_support;

use basis_support::{conv_same, expand, random_map};
use eslt::basis::steerable_basis;
use eslt::group::{check_equivariance, FieldType, Group};

const PAIRS: [(FieldType, FieldType); 4] = [
    (FieldType::Trivial, FieldType::Regular),
    (FieldType::Regular, FieldType::Regular),
    (FieldType::Regular, FieldType::Trivial),
    (FieldType::Trivial, FieldType::Trivial),
];

fn check_each_element(group: Group, ksize: usize) {
    for (in_type, out_type) in PAIRS {
        let basis = steerable_basis(group, in_type, out_type, ksize).unwrap();
        assert!(!basis.is_empty());
        let (c_in, c_out) = (2, 2);
        let x = random_map(7, (1, c_in * in_type.dim(group), 7, 7));
        for k in 0..basis.len() {
            let mut coef = vec![0.0f32; c_out * c_in * basis.len()];
            // Distinct weights per field pair so field mixing is exercised.
            for (j, c) in coef.iter_mut().enumerate() {
                if j % basis.len() == k {
                    *c = 1.0 + j as f32 * 0.1;
                }
            }
            let w = expand(&basis, c_out, c_in, &coef);
            let err =
                check_equivariance(group, x.view(), (in_type, c_in), (out_type, c_out), |v| {
                    conv_same(v, &w)
                })
                .unwrap();
            assert!(
                err < 1e-5,
                "{group:?} {in_type:?}->{out_type:?} k={ksize} element {k}: {err}"
            );
        }
    }
}

#[test]
fn c4_elements_are_equivariant() {
    for k in [1, 3, 5] {
        check_each_element(Group::Cyclic(4), k);
    }
}

#[test]
fn c8_elements_are_equivariant() {
    for k in [1, 3, 5] {
        check_each_element(Group::Cyclic(8), k);
    }
}

#[test]
fn d4_elements_are_equivariant() {
    for k in [1, 3, 5] {
        check_each_element(Group::Dihedral(4), k);
    }
}

#[test]
fn d8_elements_are_equivariant() {
    check_each_element(Group::Dihedral(8), 3);
}
