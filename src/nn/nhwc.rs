//! The fast forward's kernels on channels-last maps: a batch of `n` images
//! is `[n][h][w][c]`, so a pixel's channels are contiguous and the
//! convolution's patches are runs of whole pixels.
//!
//! Each kernel computes the same values as its reference twin on
//! `[b, c, h, w]` maps (`conv`, `relu`, `max_pool`, `group_pool`,
//! `global_avg_pool`), up to the order of a sum.

use ndarray::ArrayView3;

/// The larger of `a` and `b`, for σ and the pools: `f32::max` natively. In
/// wasm `f32::max` is `f32x4.max`, whose NaN and signed-zero rules cost V8
/// several instructions a vector (the max-pools were 15% of the forward);
/// the comparison below becomes `f32x4.pmax`, one `maxps`. The two differ
/// only when an operand is NaN (`f32::max` drops it, the comparison may
/// keep it) and in the sign of a zero tie.
#[inline(always)]
pub(crate) fn max(a: f32, b: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        if a > b {
            a
        } else {
            b
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.max(b)
    }
}

/// Copies one image `[c, h, w]` (any strides) into `dst` as `[h][w][c]`.
pub(crate) fn from_chw(x: ArrayView3<f32>, dst: &mut [f32]) {
    let (c, h, w) = x.dim();
    debug_assert_eq!(dst.len(), c * h * w);
    if c == 1 {
        if let Some(s) = x.as_slice() {
            dst.copy_from_slice(s);
            return;
        }
    }
    for (ch, plane) in x.outer_iter().enumerate() {
        for ((y, xx), &v) in plane.indexed_iter() {
            dst[(y * w + xx) * c + ch] = v;
        }
    }
}

/// Writes one image `[h·w][c]` as `[c][h·w]` (the reference layout, and the
/// reference `Flatten` order).
pub(crate) fn to_chw(src: &[f32], hw: usize, c: usize, dst: &mut [f32]) {
    debug_assert_eq!(src.len(), hw * c);
    debug_assert_eq!(dst.len(), hw * c);
    if hw == 1 || c == 1 {
        dst.copy_from_slice(src);
        return;
    }
    for (p, px) in src.chunks_exact(c).enumerate() {
        for (ch, &v) in px.iter().enumerate() {
            dst[ch * hw + p] = v;
        }
    }
}

/// The patches of "same" zero-padded k×k convolution: row `(img, y, x)` of
/// `cols` (`[n·h·w][k·k·c]`) holds input pixels `(y + dy − r, x + dx − r)`
/// for dy, dx in 0..k (r = k/2), each as its `c` channels, zeros outside.
pub(crate) fn im2col(
    src: &[f32],
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    k: usize,
    cols: &mut [f32],
) {
    let r = k / 2;
    let row_len = k * k * c;
    debug_assert_eq!(src.len(), n * h * w * c);
    debug_assert_eq!(cols.len(), n * h * w * row_len);
    for (img, (x_img, c_img)) in src
        .chunks_exact(h * w * c)
        .zip(cols.chunks_exact_mut(h * w * row_len))
        .enumerate()
    {
        debug_assert!(img < n);
        for y in 0..h {
            for xx in 0..w {
                let row = &mut c_img[(y * w + xx) * row_len..(y * w + xx + 1) * row_len];
                // Source columns xx + dx − r for dx in lo..hi are inside.
                let lo = r.saturating_sub(xx);
                let hi = (w + r - xx).min(k);
                for dy in 0..k {
                    let seg = &mut row[dy * k * c..(dy + 1) * k * c];
                    let sy = y + dy;
                    if sy < r || sy - r >= h {
                        seg.fill(0.0);
                        continue;
                    }
                    let sy = sy - r;
                    seg[..lo * c].fill(0.0);
                    seg[hi * c..].fill(0.0);
                    // Pixels sx = xx + lo − r .. xx + hi − r, contiguous.
                    let sx = xx + lo - r;
                    let from = (sy * w + sx) * c;
                    seg[lo * c..hi * c].copy_from_slice(&x_img[from..from + (hi - lo) * c]);
                }
            }
        }
    }
}

/// σ(x) = max(x, 0) in place.
pub(crate) fn relu(x: &mut [f32]) {
    for v in x {
        *v = max(*v, 0.0);
    }
}

/// 2×2 max-pooling with stride 2 of `n` images `[h][w][c]` into
/// `[h/2][w/2][c]` (an odd last row or column is dropped), then σ if
/// `relu` (max and ReLU commute: the same values as ReLU then pooling).
pub(crate) fn max_pool2(
    src: &[f32],
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    relu: bool,
    dst: &mut [f32],
) {
    let (oh, ow) = (h / 2, w / 2);
    debug_assert_eq!(src.len(), n * h * w * c);
    debug_assert_eq!(dst.len(), n * oh * ow * c);
    if oh * ow == 0 {
        return;
    }
    let floor = if relu { 0.0 } else { f32::NEG_INFINITY };
    for (x_img, y_img) in src
        .chunks_exact(h * w * c)
        .zip(dst.chunks_exact_mut(oh * ow * c))
    {
        for y in 0..oh {
            let top = &x_img[2 * y * w * c..(2 * y + 1) * w * c];
            let bottom = &x_img[(2 * y + 1) * w * c..(2 * y + 2) * w * c];
            for xx in 0..ow {
                let out = &mut y_img[(y * ow + xx) * c..(y * ow + xx + 1) * c];
                let a = &top[2 * xx * c..(2 * xx + 1) * c];
                let b = &top[(2 * xx + 1) * c..(2 * xx + 2) * c];
                let d = &bottom[2 * xx * c..(2 * xx + 1) * c];
                let e = &bottom[(2 * xx + 1) * c..(2 * xx + 2) * c];
                for ch in 0..c {
                    out[ch] = max(max(max(a[ch], b[ch]), max(d[ch], e[ch])), floor);
                }
            }
        }
    }
}

/// Group pooling of `pixels` pixels of `c` channels (fields of `order`
/// consecutive channels): each field's max, `[pixels][c / order]`.
pub(crate) fn group_pool(src: &[f32], pixels: usize, c: usize, order: usize, dst: &mut [f32]) {
    let fields = c / order;
    debug_assert_eq!(src.len(), pixels * c);
    debug_assert_eq!(dst.len(), pixels * fields);
    for (px, out) in src.chunks_exact(c).zip(dst.chunks_exact_mut(fields)) {
        for (o, field) in out.iter_mut().zip(px.chunks_exact(order)) {
            *o = field[1..].iter().fold(field[0], |m, &v| max(m, v));
        }
    }
}

/// The mean over the `hw` pixels of each of `n` images `[hw][c]`: `[n][c]`.
pub(crate) fn global_avg_pool(src: &[f32], n: usize, hw: usize, c: usize, dst: &mut [f32]) {
    debug_assert_eq!(src.len(), n * hw * c);
    debug_assert_eq!(dst.len(), n * c);
    let inv = 1.0 / hw.max(1) as f32;
    for (x_img, out) in src.chunks_exact(hw * c).zip(dst.chunks_exact_mut(c)) {
        out.fill(0.0);
        for px in x_img.chunks_exact(c) {
            for (o, &v) in out.iter_mut().zip(px) {
                *o += v;
            }
        }
        for o in out.iter_mut() {
            *o *= inv;
        }
    }
}
