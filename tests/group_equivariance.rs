//! The shared equivariance check: it passes equivariant maps, catches
//! non-equivariant ones and measures invariance of whole pipelines.

mod basis_support;

use basis_support::{conv_same, expand, random_map};
use eslt::basis::{pixel_basis, steerable_basis};
use eslt::group::{
    check_equivariance, equivariance_errors, try_check_equivariance, FieldType, Group,
};
use ndarray::{Array4, ArrayView4};

fn relu(x: Array4<f32>) -> Array4<f32> {
    x.mapv(|v| v.max(0.0))
}

/// Max over each regular field's channels, then mean over the grid.
fn pool_invariant(x: ArrayView4<f32>, dim: usize) -> Array4<f32> {
    let (b, c, h, w) = x.dim();
    let mut out = Array4::zeros((b, c / dim, 1, 1));
    for n in 0..b {
        for f in 0..c / dim {
            let mut s = 0.0;
            for y in 0..h {
                for xx in 0..w {
                    s += (0..dim)
                        .map(|q| x[[n, f * dim + q, y, xx]])
                        .fold(f32::MIN, f32::max);
                }
            }
            out[[n, f, 0, 0]] = s / (h * w) as f32;
        }
    }
    out
}

fn coefficients(n: usize, seed: u64) -> Vec<f32> {
    random_map(seed, (1, 1, 1, n)).iter().copied().collect()
}

#[test]
fn a_non_equivariant_kernel_is_caught() {
    // One pixel tap off centre between trivial fields is not rotation-invariant.
    let basis = pixel_basis(3).unwrap();
    let mut coef = vec![0.0; 9];
    coef[1] = 1.0;
    let w = expand(&basis, 1, 1, &coef);
    let x = random_map(1, (1, 1, 8, 8));
    for group in [Group::Cyclic(4), Group::Dihedral(4), Group::Cyclic(8)] {
        let err = check_equivariance(
            group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, 1),
            |v| conv_same(v, &w),
        )
        .unwrap();
        assert!(err > 0.1, "{group:?}: {err}");
    }
    // Per element: the tap straight above the centre is fixed by e and by
    // r^2 s (reflection across the y-axis), moved by all others.
    let per = equivariance_errors(
        Group::Dihedral(4),
        x.view(),
        (FieldType::Trivial, 1),
        (FieldType::Trivial, 1),
        |v| Ok(conv_same(v, &w)),
    )
    .unwrap();
    let names: Vec<String> = per.iter().map(|(g, _)| g.to_string()).collect();
    assert_eq!(
        names,
        ["e", "r^1", "r^2", "r^3", "s", "r^1 s", "r^2 s", "r^3 s"]
    );
    for (name, (_, e)) in names.iter().zip(&per) {
        if name == "e" || name == "r^2 s" {
            assert_eq!(*e, 0.0, "{name}");
        } else {
            assert!(*e > 0.1, "{name}: {e}");
        }
    }
    // A C4-equivariant kernel is not D4-equivariant in general.
    let c4 = steerable_basis(Group::Cyclic(4), FieldType::Trivial, FieldType::Regular, 3).unwrap();
    let w = expand(&c4, 1, 1, &coefficients(c4.len(), 2));
    let ok = check_equivariance(
        Group::Cyclic(4),
        x.view(),
        (FieldType::Trivial, 1),
        (FieldType::Regular, 1),
        |v| conv_same(v, &w),
    )
    .unwrap();
    assert!(ok < 1e-5);
    // Read as D2 fields (also 4 channels) the same kernel is wrong.
    let bad = check_equivariance(
        Group::Dihedral(2),
        x.view(),
        (FieldType::Trivial, 1),
        (FieldType::Regular, 1),
        |v| conv_same(v, &w),
    )
    .unwrap();
    assert!(bad > 0.1, "{bad}");
}

#[test]
fn an_invariant_network_is_invariant() {
    for group in [Group::Cyclic(4), Group::Cyclic(8), Group::Dihedral(4)] {
        let dim = group.order();
        let l1 = steerable_basis(group, FieldType::Trivial, FieldType::Regular, 5).unwrap();
        let l2 = steerable_basis(group, FieldType::Regular, FieldType::Regular, 3).unwrap();
        let w1 = expand(&l1, 3, 1, &coefficients(3 * l1.len(), 11));
        let w2 = expand(&l2, 2, 3, &coefficients(6 * l2.len(), 12));
        let net = |v: ArrayView4<f32>| {
            let h = relu(conv_same(v, &w1));
            let h = relu(conv_same(h.view(), &w2));
            pool_invariant(h.view(), dim)
        };
        let x = random_map(13, (2, 1, 10, 10));
        let err = check_equivariance(
            group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, 2),
            net,
        )
        .unwrap();
        assert!(err < 1e-5, "{group:?}: {err}");
        // The intermediate regular fields are equivariant, not invariant.
        let feat = |v: ArrayView4<f32>| relu(conv_same(v, &w1));
        let as_invariant = check_equivariance(
            group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, 3 * dim),
            feat,
        )
        .unwrap();
        assert!(as_invariant > 0.1);
    }
}

#[test]
fn shape_and_value_problems_are_errors() {
    let x = random_map(1, (1, 4, 4, 4));
    let g = Group::Cyclic(4);
    let wrong_shape = check_equivariance(
        g,
        x.view(),
        (FieldType::Regular, 1),
        (FieldType::Regular, 1),
        |v| v.slice(ndarray::s![.., .., ..2, ..]).to_owned(),
    );
    assert!(wrong_shape.is_err());
    let nan = check_equivariance(
        g,
        x.view(),
        (FieldType::Regular, 1),
        (FieldType::Regular, 1),
        |v| v.mapv(|_| f32::NAN),
    );
    assert!(nan.is_err());
    let wrong_fields = check_equivariance(
        g,
        x.view(),
        (FieldType::Regular, 2),
        (FieldType::Regular, 1),
        |v| v.to_owned(),
    );
    assert!(wrong_fields.is_err());
    let failing = try_check_equivariance(
        g,
        x.view(),
        (FieldType::Regular, 1),
        (FieldType::Regular, 1),
        |_| Err(eslt::Error::InvalidArgument("from f".into())),
    );
    assert!(matches!(failing, Err(eslt::Error::InvalidArgument(m)) if m == "from f"));
    // The identity is equivariant, exactly.
    let id = check_equivariance(
        g,
        x.view(),
        (FieldType::Regular, 1),
        (FieldType::Regular, 1),
        |v| v.to_owned(),
    )
    .unwrap();
    assert_eq!(id, 0.0);
}
