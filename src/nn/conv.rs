//! "Same"-padded, stride-1 2D convolution by im2col and a matrix product.
//!
//! Feature maps are `[batch, channels, height, width]`, weights
//! `[c_out, c_in, k, k]` (cross-correlation, like every deep-learning
//! library). Images are processed in chunks so that even 7×7 or 1×1 maps
//! give the matrix product enough columns.

use crate::nn::batch::{for_each_chunk, for_each_index};
use crate::{Error, Result};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array4, ArrayView4};
use std::sync::Mutex;

/// Images per chunk so that a chunk has at least ~256 pixel columns.
fn images_per_chunk(pixels: usize, batch: usize) -> usize {
    256usize.div_ceil(pixels.max(1)).clamp(1, batch.max(1))
}

/// The runs of "same" zero-padded k×k patches of `n` images of `c·h·w`
/// values, patch row by patch row ((ch, dy, dx)), then image and output
/// row: `visit(col, pix, len)` pairs `cols[col..col + len]` (`cols` is
/// `[c·k·k, n·h·w]`, row-major) with input values `x[pix..pix + len]`.
/// Output column xx reads input column xx + dx − r; what falls in the
/// padding is in no run.
fn for_each_patch_run(
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    k: usize,
    mut visit: impl FnMut(usize, usize, usize),
) {
    let r = k / 2;
    let hw = h * w;
    let width = n * hw;
    for ch in 0..c {
        for dy in 0..k {
            for dx in 0..k {
                let row = (ch * k + dy) * k + dx;
                let lo = r.saturating_sub(dx).min(w);
                let hi = (w + r).saturating_sub(dx).min(w).max(lo);
                if lo == hi {
                    continue;
                }
                for img in 0..n {
                    let plane = (img * c + ch) * hw;
                    for y in 0..h {
                        let Some(sy) = (y + dy).checked_sub(r).filter(|&sy| sy < h) else {
                            continue;
                        };
                        let col = row * width + img * hw + y * w + lo;
                        visit(col, plane + sy * w + lo + dx - r, hi - lo);
                    }
                }
            }
        }
    }
}

/// Fills `cols` ([c·k·k, n·h·w], row-major) with the patches of `n`
/// consecutive images starting at `x` (each c·h·w values).
fn im2col(x: &[f32], n: usize, c: usize, h: usize, w: usize, k: usize, cols: &mut [f32]) {
    cols.fill(0.0);
    for_each_patch_run(n, c, h, w, k, |col, pix, len| {
        cols[col..col + len].copy_from_slice(&x[pix..pix + len]);
    });
}

/// Adds the columns back onto the images: the adjoint of `im2col`.
fn col2im(cols: &[f32], n: usize, c: usize, h: usize, w: usize, k: usize, x: &mut [f32]) {
    for_each_patch_run(n, c, h, w, k, |col, pix, len| {
        for (d, &v) in x[pix..pix + len].iter_mut().zip(&cols[col..col + len]) {
            *d += v;
        }
    });
}

fn check_shapes(x: &ArrayView4<f32>, w: &ArrayView4<f32>) -> Result<()> {
    let (_, c, _, _) = x.dim();
    let (_, ci, kh, kw) = w.dim();
    if kh != kw || kh % 2 == 0 {
        return Err(Error::InvalidArgument(format!(
            "convolution kernel must be square with odd size, got {kh}×{kw}"
        )));
    }
    if ci != c {
        return Err(Error::InvalidArgument(format!(
            "convolution expects {ci} input channels, the feature map has {c}"
        )));
    }
    Ok(())
}

/// y = x ⋆ w with zero "same" padding: `[b, c_in, h, w]` → `[b, c_out, h, w]`.
pub fn conv2d_same(x: ArrayView4<f32>, w: ArrayView4<f32>) -> Result<Array4<f32>> {
    check_shapes(&x, &w)?;
    let (b, c, h, wd) = x.dim();
    let (co, _, k, _) = w.dim();
    let hw = h * wd;
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let wm = w.as_standard_layout();
    let wm = wm
        .view()
        .into_shape_with_order((co, c * k * k))
        .expect("contiguous weights");
    let mut y = Array4::<f32>::zeros((b, co, h, wd));
    if b == 0 || hw == 0 {
        return Ok(y);
    }
    let per = images_per_chunk(hw, b);
    let ys = y.as_slice_mut().expect("fresh array is contiguous");
    for_each_chunk(ys, per * co * hw, |ci, out| {
        let first = ci * per;
        let n = out.len() / (co * hw);
        let xin = &xs[first * c * hw..(first + n) * c * hw];
        let mut out_m = Array2::<f32>::zeros((co, n * hw));
        let mut cols = Array2::<f32>::zeros((c * k * k, n * hw));
        im2col(
            xin,
            n,
            c,
            h,
            wd,
            k,
            cols.as_slice_mut().expect("contiguous"),
        );
        general_mat_mul(1.0, &wm, &cols, 0.0, &mut out_m);
        let om = out_m.as_slice().expect("contiguous");
        for img in 0..n {
            for o in 0..co {
                out[(img * co + o) * hw..(img * co + o + 1) * hw]
                    .copy_from_slice(&om[o * n * hw + img * hw..o * n * hw + (img + 1) * hw]);
            }
        }
    });
    Ok(y)
}

/// Gradients of `conv2d_same` given dL/dy: returns (dL/dx if `need_dx`, dL/dw).
pub fn conv2d_same_backward(
    x: ArrayView4<f32>,
    w: ArrayView4<f32>,
    dy: ArrayView4<f32>,
    need_dx: bool,
) -> Result<(Option<Array4<f32>>, Array4<f32>)> {
    check_shapes(&x, &w)?;
    let (b, c, h, wd) = x.dim();
    let (co, _, k, _) = w.dim();
    if dy.dim() != (b, co, h, wd) {
        return Err(Error::InvalidArgument(format!(
            "convolution output gradient has shape {:?}, expected {:?}",
            dy.dim(),
            (b, co, h, wd)
        )));
    }
    let hw = h * wd;
    let ckk = c * k * k;
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let dy = dy.as_standard_layout();
    let dys = dy.as_slice().expect("standard layout");
    let wm = w.as_standard_layout();
    let wm = wm
        .view()
        .into_shape_with_order((co, ckk))
        .expect("contiguous weights");
    let per = images_per_chunk(hw, b);
    let chunks = b.div_ceil(per);
    // Per-chunk dW, summed in chunk order afterwards: the result does not
    // depend on thread scheduling, so training is bitwise reproducible.
    let dw_parts: Mutex<Vec<Option<Array2<f32>>>> = Mutex::new(vec![None; chunks]);
    let mut dx = Array4::<f32>::zeros(if need_dx {
        (b, c, h, wd)
    } else {
        (0, c, h, wd)
    });

    // One chunk: gather dY as [c_out, n·h·w], accumulate dW, scatter dX.
    let chunk = |ci: usize, n: usize, dx_out: Option<&mut [f32]>| {
        let first = ci * per;
        let xin = &xs[first * c * hw..(first + n) * c * hw];
        let mut cols = Array2::<f32>::zeros((ckk, n * hw));
        im2col(
            xin,
            n,
            c,
            h,
            wd,
            k,
            cols.as_slice_mut().expect("contiguous"),
        );
        let mut g = Array2::<f32>::zeros((co, n * hw));
        {
            let gs = g.as_slice_mut().expect("contiguous");
            for img in 0..n {
                for o in 0..co {
                    let src =
                        &dys[((first + img) * co + o) * hw..((first + img) * co + o + 1) * hw];
                    gs[o * n * hw + img * hw..o * n * hw + (img + 1) * hw].copy_from_slice(src);
                }
            }
        }
        let mut dw_part = Array2::<f32>::zeros((co, ckk));
        general_mat_mul(1.0, &g, &cols.t(), 0.0, &mut dw_part);
        if let Ok(mut parts) = dw_parts.lock() {
            parts[ci] = Some(dw_part);
        }
        if let Some(dx_out) = dx_out {
            let mut dcols = cols;
            general_mat_mul(1.0, &wm.t(), &g, 0.0, &mut dcols);
            col2im(
                dcols.as_slice().expect("contiguous"),
                n,
                c,
                h,
                wd,
                k,
                dx_out,
            );
        }
    };

    if b > 0 && hw > 0 {
        if need_dx {
            let dxs = dx.as_slice_mut().expect("fresh array is contiguous");
            for_each_chunk(dxs, per * c * hw, |ci, out| {
                chunk(ci, out.len() / (c * hw), Some(out))
            });
        } else {
            for_each_index(chunks, |ci| chunk(ci, per.min(b - ci * per), None));
        }
    }
    let parts = dw_parts
        .into_inner()
        .map_err(|_| Error::InvalidArgument("a worker thread panicked".into()))?;
    let mut dw = Array2::<f32>::zeros((co, ckk));
    for part in parts.into_iter().flatten() {
        dw += &part;
    }
    let dw = dw
        .into_shape_with_order((co, c, k, k))
        .expect("contiguous gradient");
    Ok((if need_dx { Some(dx) } else { None }, dw))
}
