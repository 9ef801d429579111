//! The shared equivariance check for layers, networks and tickets.

use super::{act_on_feature_map, FieldType, Group, GroupElement};
use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

/// Output magnitudes below this are treated as this (avoids 0/0).
const TINY: f32 = 1e-12;

/// Max over the grid-exact elements g of ‖f(g·x) − g·f(x)‖∞ / ‖f(x)‖∞.
///
/// `in_fields` / `out_fields` = (field type, number of fields) of the input
/// and output feature maps (`[batch][channels][h][w]`). An invariant network
/// has `out_fields = (Trivial, n)` on a 1×1 grid, so this measures how much
/// its outputs change.
pub fn check_equivariance(
    group: Group,
    input: ArrayView4<f32>,
    in_fields: (FieldType, usize),
    out_fields: (FieldType, usize),
    f: impl Fn(ArrayView4<f32>) -> Array4<f32>,
) -> Result<f32> {
    try_check_equivariance(group, input, in_fields, out_fields, |v| Ok(f(v)))
}

/// [`check_equivariance`] for a fallible `f` (e.g. `Network::forward`); the
/// first error of `f` is returned.
pub fn try_check_equivariance(
    group: Group,
    input: ArrayView4<f32>,
    in_fields: (FieldType, usize),
    out_fields: (FieldType, usize),
    f: impl Fn(ArrayView4<f32>) -> Result<Array4<f32>>,
) -> Result<f32> {
    let errors = equivariance_errors(group, input, in_fields, out_fields, f)?;
    Ok(errors.iter().fold(0.0f32, |m, &(_, e)| m.max(e)))
}

/// The relative error ‖f(g·x) − g·f(x)‖∞ / ‖f(x)‖∞ for every grid-exact
/// element g, in index order (for reports that name the worst element).
pub fn equivariance_errors(
    group: Group,
    input: ArrayView4<f32>,
    in_fields: (FieldType, usize),
    out_fields: (FieldType, usize),
    f: impl Fn(ArrayView4<f32>) -> Result<Array4<f32>>,
) -> Result<Vec<(GroupElement, f32)>> {
    let reference = finite(f(input)?)?;
    let scale = reference
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(TINY);
    let mut errors = Vec::new();
    for g in group.grid_exact_elements() {
        let moved_in = act_on_feature_map(group, g, in_fields.0, in_fields.1, input)?;
        let lhs = finite(f(moved_in.view())?)?;
        let rhs = act_on_feature_map(group, g, out_fields.0, out_fields.1, reference.view())?;
        if lhs.dim() != rhs.dim() {
            return Err(Error::InvalidArgument(format!(
                "f(g·x) has shape {:?}, g·f(x) has {:?}",
                lhs.dim(),
                rhs.dim()
            )));
        }
        let err = lhs
            .iter()
            .zip(rhs.iter())
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        errors.push((g, err / scale));
    }
    Ok(errors)
}

/// NaN or ∞ would hide in a max; reject them.
fn finite(x: Array4<f32>) -> Result<Array4<f32>> {
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidArgument(
            "f produced a non-finite value".into(),
        ));
    }
    Ok(x)
}
