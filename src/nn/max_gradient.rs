//! The backward of the max-pools (2×2 and over a field's |G| channels):
//! each output gradient goes to the (first) input that was the largest.

use ndarray::{Array4, ArrayView4};

/// dL/dx, shaped like `x` and zero but where `route(xs, gs, ds)` writes:
/// `x`, `dy` and the gradient as row-major slices.
pub(crate) fn route_to_max(
    x: ArrayView4<f32>,
    dy: ArrayView4<f32>,
    route: impl FnOnce(&[f32], &[f32], &mut [f32]),
) -> Array4<f32> {
    let x_std = x.as_standard_layout();
    let xs = x_std.as_slice().expect("standard layout");
    let dy = dy.as_standard_layout();
    let gs = dy.as_slice().expect("standard layout");
    let mut dx = Array4::<f32>::zeros(x.dim());
    route(
        xs,
        gs,
        dx.as_slice_mut().expect("fresh array is contiguous"),
    );
    dx
}
