//! Helpers shared by the nn integration tests: hand-built kernel bases and
//! small networks (independent of src/basis, so the nn tests stand alone).
#![allow(dead_code)]

use eslt::basis::KernelBasis;
use eslt::data::rotate::rotate_quarter;
use eslt::group::{FieldType, Group};
use eslt::nn::{EquivariantLayer, Network, Op};
use ndarray::{Array4, ArrayView4};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A basis of `len` random elements (no symmetry): for gradient checks.
pub fn random_basis(
    out_dim: usize,
    in_dim: usize,
    ksize: usize,
    len: usize,
    seed: u64,
) -> KernelBasis {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = out_dim * in_dim * ksize * ksize;
    KernelBasis {
        out_dim,
        in_dim,
        ksize,
        elems: (0..len)
            .map(|_| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect())
            .collect(),
    }
}

/// k×k kernel rotated by `turns` quarter turns (the images' convention).
fn rot_kernel(k: &[f32], ksize: usize, turns: i32) -> Vec<f32> {
    let mut out = vec![0.0; k.len()];
    rotate_quarter(k, ksize, ksize, turns, &mut out);
    out
}

/// The exact C4 group-convolution basis on the pixel grid: for a pixel e and
/// a channel shift d, K[p, p+d] = rot^p(e) (K[p, 0] = rot^p(e) when lifting
/// from a trivial field; K[0, 0] = e between trivial fields).
pub fn c4_basis(in_type: FieldType, out_type: FieldType, ksize: usize) -> KernelBasis {
    let g = Group::Cyclic(4);
    let (od, id) = (out_type.dim(g), in_type.dim(g));
    let kk = ksize * ksize;
    let mut elems = Vec::new();
    let shifts = if in_type == FieldType::Regular && out_type == FieldType::Regular {
        4
    } else {
        1
    };
    for d in 0..shifts {
        for pix in 0..kk {
            let mut e = vec![0.0f32; kk];
            e[pix] = 1.0;
            let mut b = vec![0.0f32; od * id * kk];
            for p in 0..od {
                let q = match (in_type, out_type) {
                    (FieldType::Regular, FieldType::Regular) => (p + d) % 4,
                    _ => 0,
                };
                let kern = if out_type == FieldType::Regular {
                    rot_kernel(&e, ksize, p as i32)
                } else {
                    // Regular → trivial: the orbit sum over input channels.
                    e.clone()
                };
                if in_type == FieldType::Regular && out_type == FieldType::Trivial {
                    for q in 0..id {
                        let kq = rot_kernel(&e, ksize, q as i32);
                        b[(p * id + q) * kk..(p * id + q + 1) * kk].copy_from_slice(&kq);
                    }
                } else {
                    b[(p * id + q) * kk..(p * id + q + 1) * kk].copy_from_slice(&kern);
                }
            }
            elems.push(b);
        }
    }
    KernelBasis {
        out_dim: od,
        in_dim: id,
        ksize,
        elems,
    }
}

pub fn layer(
    group: Group,
    in_type: FieldType,
    out_type: FieldType,
    c_in: usize,
    c_out: usize,
    basis: KernelBasis,
) -> EquivariantLayer {
    let coef = vec![0.0; c_in * c_out * basis.len()];
    EquivariantLayer {
        group,
        in_type,
        out_type,
        c_in,
        c_out,
        basis,
        coef,
    }
}

/// A small invariant C4 network on `size`×`size` single-channel images:
/// conv trivial→2 reg, ReLU, maxpool, conv 2→3 reg, ReLU, group pool, GAP,
/// dense 3→`classes`.
pub fn small_c4_network(size: usize, ksize: usize, classes: usize, seed: u64) -> Network {
    let g = Group::Cyclic(4);
    let (t, r) = (FieldType::Trivial, FieldType::Regular);
    let mut net = Network {
        group: g,
        input_shape: (1, size, size),
        ops: vec![
            Op::Conv(layer(g, t, r, 1, 2, c4_basis(t, r, ksize))),
            Op::Relu,
            Op::MaxPool2,
            Op::Conv(layer(g, r, r, 2, 3, c4_basis(r, r, ksize))),
            Op::Relu,
            Op::GroupPool,
            Op::GlobalAvgPool,
            Op::Conv(layer(g, t, t, 3, classes, c4_basis(t, t, 1))),
        ],
    };
    net.init_coefficients(seed);
    net
}

/// Uniform(−1, 1) values.
pub fn random_vec(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// max |a − b| / max |b|: how far a forward's output is from the
/// reference's, relative to the reference's scale.
pub fn rel_diff(a: ArrayView4<f32>, b: ArrayView4<f32>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0.0f64, |m, (&x, &y)| m.max(f64::from((x - y).abs())));
    let scale = b.iter().fold(0.0f64, |m, &y| m.max(f64::from(y.abs())));
    assert!(scale > 0.0, "reference output is all zeros");
    diff / scale
}

/// Asserts that `net`'s fast forward on `x` is within `tol` (relative, see
/// [`rel_diff`]) of its reference ops; returns the fast output.
pub fn assert_forward_matches_reference(
    net: &Network,
    x: &Array4<f32>,
    tol: f64,
    what: &str,
) -> Array4<f32> {
    let fast = net.forward(x.view()).unwrap();
    let reference = net.forward_reference(x.view()).unwrap();
    let e = rel_diff(fast.view(), reference.view());
    assert!(
        e < tol,
        "{what}: fast vs reference relative difference {e:e}"
    );
    fast
}
