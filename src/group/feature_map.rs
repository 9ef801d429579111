//! The action of a group element on a feature map: an exact permutation of
//! the pixel grid plus the channel permutation of every field.

use super::{FieldType, Group, GroupElement};
use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

/// (g·f)(x) = ρ(g) f(g⁻¹x) on `fmap` = `[batch][channels][h][w]`, whose
/// channels are `fields` fields of `field_type` (field i at i·dim..(i+1)·dim).
///
/// Only grid-exact elements are supported (multiples of 90°, reflections
/// across axes and diagonals); 90° turns need a square grid. Rotation is
/// about the grid's centre, so even sizes (28×28) work too.
pub fn act_on_feature_map(
    group: Group,
    g: GroupElement,
    field_type: FieldType,
    fields: usize,
    fmap: ArrayView4<f32>,
) -> Result<Array4<f32>> {
    group.validate()?;
    if g.rotation >= group.rotations() || (g.reflection && !group.has_reflections()) {
        return Err(Error::InvalidArgument(format!(
            "{g:?} is not an element of {group:?}"
        )));
    }
    let m = group.grid_matrix(g).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "{g:?} of {group:?} does not map the pixel grid to itself"
        ))
    })?;
    let (batch, channels, h, w) = fmap.dim();
    let dim = field_type.dim(group);
    if channels != fields * dim {
        return Err(Error::InvalidArgument(format!(
            "feature map has {channels} channels, expected {fields} fields × {dim}"
        )));
    }
    let swaps_axes = m[0][0] == 0;
    if swaps_axes && h != w {
        return Err(Error::InvalidArgument(format!(
            "{g:?} swaps the axes of a non-square {h}×{w} grid"
        )));
    }
    let perm = field_type.permutation(group, g);
    // Doubled plane coordinates keep the centre of even grids integral.
    let (hi, wi) = (h as i64, w as i64);
    let target = |y: usize, x: usize| -> (usize, usize) {
        let u = 2 * x as i64 - (wi - 1);
        let v = (hi - 1) - 2 * y as i64;
        let u2 = i64::from(m[0][0]) * u + i64::from(m[0][1]) * v;
        let v2 = i64::from(m[1][0]) * u + i64::from(m[1][1]) * v;
        (((hi - 1 - v2) / 2) as usize, ((u2 + wi - 1) / 2) as usize)
    };
    let mut out = Array4::<f32>::zeros((batch, channels, h, w));
    for y in 0..h {
        for x in 0..w {
            let (y2, x2) = target(y, x);
            for field in 0..fields {
                for (q, &q2) in perm.iter().enumerate() {
                    let (c, c2) = (field * dim + q, field * dim + q2);
                    for b in 0..batch {
                        out[[b, c2, y2, x2]] = fmap[[b, c, y, x]];
                    }
                }
            }
        }
    }
    Ok(out)
}
