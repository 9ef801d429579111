//! Sampling ψ(p⁻¹x) on the pixel grid for every group element p, such that
//! grid-exact elements g permute the samples bit for bit.
//!
//! The value at (p, x) must equal the value at (g·p, g·x) for every
//! grid-exact g. Write p = h·c with h in the grid-exact subgroup H and c the
//! lowest-index element of the coset H·p; then p⁻¹x = c⁻¹(h⁻¹x), where h⁻¹x
//! is computed in integers. (g·p, g·x) gives the same c and the same h⁻¹x,
//! hence the very same floating-point evaluation.

use super::harmonic::Harmonic;
use crate::group::{Group, GroupElement};

/// Integer plane offset (x right, y up) of kernel pixel (row, col).
pub fn kernel_offset(ksize: usize, row: usize, col: usize) -> (i32, i32) {
    let c = (ksize / 2) as i32;
    (col as i32 - c, c - row as i32)
}

/// p = h·c with c the lowest-index element of H·p; returns (h, c).
fn coset_split(
    group: Group,
    subgroup: &[GroupElement],
    p: GroupElement,
) -> (GroupElement, GroupElement) {
    let c = subgroup
        .iter()
        .map(|&h| group.compose(h, p))
        .min_by_key(|&e| group.index(e))
        .unwrap_or(p);
    (group.compose(p, group.inverse(c)), c)
}

/// `table[p][row * ksize + col]` = ψ(p⁻¹ x) at that pixel's offset x.
pub fn sample_rotated(group: Group, ksize: usize, psi: &Harmonic) -> Vec<Vec<f64>> {
    let subgroup = group.grid_exact_elements();
    group
        .elements()
        .into_iter()
        .map(|p| {
            let (h, c) = coset_split(group, &subgroup, p);
            let hinv = group
                .grid_matrix(group.inverse(h))
                .unwrap_or([[1, 0], [0, 1]]);
            let cinv = group.inverse(c);
            let theta = group.angle(cinv);
            (0..ksize * ksize)
                .map(|pix| {
                    let (u, v) = kernel_offset(ksize, pix / ksize, pix % ksize);
                    let yu = hinv[0][0] * u + hinv[0][1] * v;
                    let yv = hinv[1][0] * u + hinv[1][1] * v;
                    let rho = f64::from(yu * yu + yv * yv).sqrt();
                    let phi = f64::from(yv).atan2(f64::from(yu));
                    let phi = theta + if cinv.reflection { -phi } else { phi };
                    psi.eval(rho, phi)
                })
                .collect()
        })
        .collect()
}
