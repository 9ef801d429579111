//! Global average pooling: the mean over the spatial grid.

use ndarray::{Array4, ArrayView4, Axis};

/// `[b, c, h, w]` → `[b, c, 1, 1]`.
pub fn global_avg_pool(x: ArrayView4<f32>) -> Array4<f32> {
    let (b, c, h, w) = x.dim();
    let inv = 1.0 / (h * w).max(1) as f32;
    let s = x.sum_axis(Axis(3)).sum_axis(Axis(2));
    (s * inv)
        .into_shape_with_order((b, c, 1, 1))
        .expect("b·c values")
}

/// Spreads each gradient evenly over the grid it averaged.
pub fn global_avg_pool_backward(
    shape: (usize, usize, usize, usize),
    dy: ArrayView4<f32>,
) -> Array4<f32> {
    let (b, c, h, w) = shape;
    let inv = 1.0 / (h * w).max(1) as f32;
    Array4::from_shape_fn((b, c, h, w), |(n, ch, _, _)| dy[[n, ch, 0, 0]] * inv)
}
