//! Unconstrained bases: every k×k kernel (plain CNN) and the 1×1 scalar
//! (a dense / MLP layer between trivial fields on a 1×1 grid).

use super::steerable::validate_ksize;
use super::KernelBasis;
use crate::Result;

/// The k² pixel deltas between two single-channel fields: a plain CNN layer
/// uses every k×k kernel.
pub fn pixel_basis(ksize: usize) -> Result<KernelBasis> {
    validate_ksize(ksize)?;
    let n = ksize * ksize;
    let elems = (0..n)
        .map(|k| (0..n).map(|i| if i == k { 1.0 } else { 0.0 }).collect())
        .collect();
    Ok(KernelBasis {
        out_dim: 1,
        in_dim: 1,
        ksize,
        elems,
    })
}

/// The one-element 1×1 basis: `W[o][i] = α[o,i,0]` is an MLP weight matrix.
pub fn dense_basis() -> KernelBasis {
    KernelBasis {
        out_dim: 1,
        in_dim: 1,
        ksize: 1,
        elems: vec![vec![1.0]],
    }
}
