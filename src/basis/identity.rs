//! The identity map on a field, which layer A of the source network uses
//! (h\[i,j] = σ(v\[i,j]·x_i)).

use super::orthonormal::norm;
use super::KernelBasis;
use crate::group::{FieldType, Group};
use crate::{Error, Result};

/// A one-element 1×1 basis holding exactly the identity on one field of
/// `field_type` (ones on the diagonal), so α = v gives v·x.
pub fn identity_element(group: Group, field_type: FieldType) -> Result<KernelBasis> {
    group.validate()?;
    let dim = field_type.dim(group);
    let values = (0..dim * dim)
        .map(|i| if i / dim == i % dim { 1.0 } else { 0.0 })
        .collect();
    Ok(KernelBasis {
        out_dim: dim,
        in_dim: dim,
        ksize: 1,
        elems: vec![values],
    })
}

/// Coefficients c with Σ_k c_k B_k = identity (centre tap, identity across
/// channels), by least squares; an error when the identity is not in the
/// span (residual above 1e-5 of its norm).
pub fn identity_coefficients(basis: &KernelBasis) -> Result<Vec<f32>> {
    if basis.in_dim != basis.out_dim || basis.ksize % 2 == 0 {
        return Err(Error::InvalidArgument(format!(
            "identity needs in_dim = out_dim and an odd kernel, got {}→{} k={}",
            basis.in_dim, basis.out_dim, basis.ksize
        )));
    }
    let (dim, k) = (basis.in_dim, basis.ksize);
    let centre = (k / 2) * k + k / 2;
    let mut target = vec![0.0f64; basis.elem_len()];
    for p in 0..dim {
        target[(p * dim + p) * k * k + centre] = 1.0;
    }
    let b: Vec<Vec<f64>> = basis
        .elems
        .iter()
        .map(|e| e.iter().map(|&x| f64::from(x)).collect())
        .collect();
    let n = b.len();
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(x, y)| x * y).sum::<f64>();
    // Normal equations G c = Bᵀt, solved by Gaussian elimination with
    // partial pivoting (bases are small and well conditioned).
    let mut gram: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut row: Vec<f64> = (0..n).map(|j| dot(&b[i], &b[j])).collect();
            row.push(dot(&b[i], &target));
            row
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| gram[i][col].abs().total_cmp(&gram[j][col].abs()))
            .unwrap_or(col);
        gram.swap(col, pivot);
        let diag = gram[col][col];
        if diag.abs() < 1e-12 {
            return Err(Error::InvalidArgument(
                "basis elements are linearly dependent".into(),
            ));
        }
        let pivot_row = gram[col].clone();
        for (row, values) in gram.iter_mut().enumerate() {
            if row != col {
                let f = values[col] / diag;
                values
                    .iter_mut()
                    .zip(&pivot_row)
                    .skip(col)
                    .for_each(|(v, p)| *v -= f * p);
            }
        }
    }
    let coef: Vec<f64> = (0..n).map(|i| gram[i][n] / gram[i][i]).collect();
    let mut residual = target.clone();
    for (c, e) in coef.iter().zip(&b) {
        residual.iter_mut().zip(e).for_each(|(r, x)| *r -= c * x);
    }
    if norm(&residual) > 1e-5 * norm(&target) {
        return Err(Error::InvalidArgument(format!(
            "identity is not in the span of this basis (residual {:.3e})",
            norm(&residual)
        )));
    }
    Ok(coef.into_iter().map(|c| c as f32).collect())
}
