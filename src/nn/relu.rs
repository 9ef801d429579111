//! The pointwise nonlinearity σ = ReLU (equivariant on permutation fields).

use ndarray::{Array4, ArrayView4, Zip};

/// σ(x) = max(x, 0).
pub fn relu(x: ArrayView4<f32>) -> Array4<f32> {
    let mut y = x.as_standard_layout().into_owned();
    y.mapv_inplace(|v| v.max(0.0));
    y
}

/// dL/dx = dL/dy where x > 0, else 0.
pub fn relu_backward(x: ArrayView4<f32>, dy: ArrayView4<f32>) -> Array4<f32> {
    let mut dx = dy.as_standard_layout().into_owned();
    Zip::from(&mut dx).and(&x).for_each(|d, &v| {
        if v <= 0.0 {
            *d = 0.0;
        }
    });
    dx
}
