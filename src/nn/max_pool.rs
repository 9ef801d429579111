//! 2×2 spatial max-pooling with stride 2 (an odd last row/column is dropped,
//! as in common libraries; equivariance needs even sizes).

use crate::nn::max_gradient::route_to_max;
use ndarray::{Array4, ArrayView4};

/// Offset (within the plane) of the first maximum of the window at (2y, 2x).
#[inline]
fn argmax2(plane: &[f32], w: usize, y: usize, x: usize) -> usize {
    let o = 2 * y * w + 2 * x;
    let mut best = o;
    for cand in [o + 1, o + w, o + w + 1] {
        if plane[cand] > plane[best] {
            best = cand;
        }
    }
    best
}

/// `[b, c, h, w]` → `[b, c, h/2, w/2]`.
pub fn max_pool2(x: ArrayView4<f32>) -> Array4<f32> {
    let (b, c, h, w) = x.dim();
    let (oh, ow) = (h / 2, w / 2);
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let mut y = Array4::<f32>::zeros((b, c, oh, ow));
    let ys = y.as_slice_mut().expect("fresh array is contiguous");
    if oh * ow == 0 {
        return y;
    }
    for (plane, out) in xs.chunks_exact(h * w).zip(ys.chunks_exact_mut(oh * ow)) {
        for yy in 0..oh {
            for xx in 0..ow {
                out[yy * ow + xx] = plane[argmax2(plane, w, yy, xx)];
            }
        }
    }
    y
}

/// Routes each output gradient to the window's (first) maximum.
pub fn max_pool2_backward(x: ArrayView4<f32>, dy: ArrayView4<f32>) -> Array4<f32> {
    let (_, _, h, w) = x.dim();
    let (oh, ow) = (h / 2, w / 2);
    route_to_max(x, dy, |xs, gs, ds| {
        if oh * ow == 0 {
            return;
        }
        for ((plane, g), d) in xs
            .chunks_exact(h * w)
            .zip(gs.chunks_exact(oh * ow))
            .zip(ds.chunks_exact_mut(h * w))
        {
            for yy in 0..oh {
                for xx in 0..ow {
                    d[argmax2(plane, w, yy, xx)] += g[yy * ow + xx];
                }
            }
        }
    })
}
