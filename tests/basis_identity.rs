//! The identity on a field is in the span of the steerable bases (layer A of
//! the source network needs it), and the unconstrained bases are complete.

mod basis_support;

use basis_support::{conv_same, expand, random_map};
use eslt::basis::{
    dense_basis, identity_coefficients, identity_element, pixel_basis, steerable_basis,
};
use eslt::group::{FieldType, Group};

const GROUPS: [Group; 6] = [
    Group::Cyclic(1),
    Group::Cyclic(4),
    Group::Cyclic(8),
    Group::Dihedral(1),
    Group::Dihedral(4),
    Group::Dihedral(8),
];

#[test]
fn identity_element_is_the_identity() {
    for group in GROUPS {
        for ft in [FieldType::Trivial, FieldType::Regular] {
            let basis = identity_element(group, ft).unwrap();
            assert_eq!(basis.len(), 1);
            let x = random_map(3, (2, 3 * ft.dim(group), 5, 5));
            // Coefficients α[o,i,0] = [o = i].
            let coef: Vec<f32> = (0..9).map(|j| if j % 4 == 0 { 1.0 } else { 0.0 }).collect();
            let y = conv_same(x.view(), &expand(&basis, 3, 3, &coef));
            assert_eq!(x, y);
        }
    }
}

#[test]
fn identity_is_in_the_span_of_steerable_bases() {
    for group in GROUPS {
        for ft in [FieldType::Trivial, FieldType::Regular] {
            for ksize in [1, 3, 5] {
                let basis = steerable_basis(group, ft, ft, ksize).unwrap();
                let coef = identity_coefficients(&basis).unwrap();
                let x = random_map(5, (1, ft.dim(group), 6, 6));
                let y = conv_same(x.view(), &expand(&basis, 1, 1, &coef));
                let err = x
                    .iter()
                    .zip(&y)
                    .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
                assert!(err < 1e-5, "{group:?} {ft:?} k={ksize}: {err}");
            }
        }
    }
}

#[test]
fn identity_is_rejected_where_it_cannot_exist() {
    let g = Group::Cyclic(4);
    // Different field types: no identity.
    let basis = steerable_basis(g, FieldType::Trivial, FieldType::Regular, 1).unwrap();
    assert!(identity_coefficients(&basis).is_err());
    // A basis whose span misses the centre tap.
    let mut ring_only = steerable_basis(g, FieldType::Trivial, FieldType::Trivial, 3).unwrap();
    ring_only.elems.retain(|e| e[4] == 0.0);
    assert!(!ring_only.is_empty());
    assert!(identity_coefficients(&ring_only).is_err());
}

#[test]
fn pixel_and_dense_bases_are_complete() {
    for k in [1, 3, 5] {
        let b = pixel_basis(k).unwrap();
        assert_eq!(b.len(), k * k);
        for (i, e) in b.elems.iter().enumerate() {
            assert_eq!(e.iter().sum::<f32>(), 1.0);
            assert_eq!(e[i], 1.0);
        }
    }
    assert!(pixel_basis(2).is_err());
    let d = dense_basis();
    assert_eq!((d.len(), d.ksize, d.in_dim, d.out_dim), (1, 1, 1, 1));
    assert_eq!(d.elems, vec![vec![1.0]]);
}
