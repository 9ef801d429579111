//! 3×3 convolutions ("same" zero padding, stride 1) by Winograd's minimal
//! filtering F(2×2, 3×3) (Lavin & Gray, 2016): each 2×2 block of output
//! pixels is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for the 4×4 input patch d around it,
//! so the products' multiply-adds drop from 9 to 4 per output pixel and
//! input channel (2.25×, less on maps of odd size).
//!
//! Laid out for the forward's matrix product: the 16 elements ξ of the
//! transformed patches become 16 products `V_ξ [patches, c_in] · U_ξ
//! [c_in, c_out]`, with `U_ξ = (G g Gᵀ)_ξ` prepared once per layer. The
//! transforms themselves are additions (and halves in G), a few percent of
//! the work.
//!
//! Rounding differs from the direct product (the inputs are combined
//! before they are multiplied): within 1e-6 of the output's scale here,
//! within 1e-5 relative on whole networks in the browser
//! (`tests/web_forward_parity.rs`, `tests/nn_forward_parity.rs`). An image's output depends on that image
//! alone, as in the direct form: each product's summation order is fixed
//! by `c_in`.

use crate::nn::matmul::{matmul_rhs, Rhs};

/// Elements of a transformed 4×4 patch.
const XI: usize = 16;

/// The transformed kernels of one 3×3 layer: `U_ξ` `[c_in, c_out]` for
/// each of the 16 elements ξ.
pub(crate) struct WinogradKernels {
    u: Vec<Rhs>,
    c_in: usize,
    c_out: usize,
}

impl WinogradKernels {
    /// From the direct form's kernels, row `(dy·3 + dx)·c_in + i`, column
    /// `o` (`ConvStep::kernels` with stride `c_out`).
    pub fn new(kernels: &[f32], c_in: usize, c_out: usize) -> Self {
        assert_eq!(kernels.len(), 9 * c_in * c_out, "3×3 kernels");
        // G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], in f64 so that
        // each U element is rounded once.
        const G: [[f64; 3]; 4] = [
            [1.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.5, -0.5, 0.5],
            [0.0, 0.0, 1.0],
        ];
        let mut u = vec![vec![0.0f32; c_in * c_out]; XI];
        for i in 0..c_in {
            for o in 0..c_out {
                let g =
                    |dy: usize, dx: usize| kernels[((dy * 3 + dx) * c_in + i) * c_out + o] as f64;
                for a in 0..4 {
                    for b in 0..4 {
                        let mut v = 0.0;
                        for (dy, ga) in G[a].iter().enumerate() {
                            for (dx, gb) in G[b].iter().enumerate() {
                                v += ga * g(dy, dx) * gb;
                            }
                        }
                        u[a * 4 + b][i * c_out + o] = v as f32;
                    }
                }
            }
        }
        Self {
            u: u.into_iter().map(|m| Rhs::new(m, c_in, c_out)).collect(),
            c_in,
            c_out,
        }
    }

    /// Values the transformed kernels of a `c_in → c_out` layer hold.
    pub fn stored_len(c_in: usize, c_out: usize) -> usize {
        XI * Rhs::stored_len(c_in, c_out)
    }
}

/// 2×2 output blocks of an `h × w` map (odd sizes: the last row or column
/// of blocks is half outside, and cropped).
pub(crate) fn blocks(h: usize, w: usize) -> usize {
    h.div_ceil(2) * w.div_ceil(2)
}

/// Scratch values [`conv3x3`] needs for `n` images of `h × w`: the
/// transformed patches and the products.
pub(crate) fn scratch_len(n: usize, h: usize, w: usize, c_in: usize, c_out: usize) -> usize {
    XI * n * blocks(h, w) * (c_in + c_out)
}

/// The 3×3 convolution of `n` images `src` `[n][h][w][c_in]` (channels
/// last) into `dst` `[n][h][w][c_out]`, in `scratch` (at least
/// [`scratch_len`]).
pub(crate) fn conv3x3(
    src: &[f32],
    n: usize,
    h: usize,
    w: usize,
    kernels: &WinogradKernels,
    scratch: &mut [f32],
    dst: &mut [f32],
) {
    let (c_in, c_out) = (kernels.c_in, kernels.c_out);
    let (bh, bw) = (h.div_ceil(2), w.div_ceil(2));
    let p = n * bh * bw;
    assert_eq!(src.len(), n * h * w * c_in, "conv3x3: input");
    assert_eq!(dst.len(), n * h * w * c_out, "conv3x3: output");
    let (v, rest) = scratch.split_at_mut(XI * p * c_in);
    let m = &mut rest[..XI * p * c_out];

    // V_ξ[patch] = (Bᵀ d B)_ξ, Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0],
    // [0, −1, 1, 0], [0, 1, 0, −1]], d the 4×4 pixels from (2by − 1,
    // 2bx − 1), zero outside. Every step below is one operation on whole
    // rows of channels, which the compiler vectorises.
    let zeros = vec![0.0f32; c_in];
    let mut t = vec![0.0f32; XI * c_in];
    for img in 0..n {
        let x = &src[img * h * w * c_in..(img + 1) * h * w * c_in];
        for by in 0..bh {
            for bx in 0..bw {
                let d: [&[f32]; XI] = std::array::from_fn(|k| {
                    let (r, s) = (k / 4, k % 4);
                    let (y, xx) = ((2 * by + r).wrapping_sub(1), (2 * bx + s).wrapping_sub(1));
                    if y < h && xx < w {
                        &x[(y * w + xx) * c_in..(y * w + xx + 1) * c_in]
                    } else {
                        &zeros[..]
                    }
                });
                let patch = (img * bh + by) * bw + bx;
                input_transform(&d, &mut t, c_in, |xi| (xi * p + patch) * c_in, v);
            }
        }
    }

    for xi in 0..XI {
        let a = &v[xi * p * c_in..(xi + 1) * p * c_in];
        let c = &mut m[xi * p * c_out..(xi + 1) * p * c_out];
        matmul_rhs(p, a, c_in, &kernels.u[xi], c, c_out);
    }

    // Y = Aᵀ M A, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]: rows first
    // (s0 = m0 + m1 + m2, s1 = m1 − m2 − m3), then the same on the columns.
    let mut rows = vec![0.0f32; 8 * c_out];
    for img in 0..n {
        let y_img = &mut dst[img * h * w * c_out..(img + 1) * h * w * c_out];
        for by in 0..bh {
            for bx in 0..bw {
                let patch = (img * bh + by) * bw + bx;
                let e: [&[f32]; XI] = std::array::from_fn(|xi| {
                    &m[(xi * p + patch) * c_out..(xi * p + patch + 1) * c_out]
                });
                let (s0, s1) = rows.split_at_mut(4 * c_out);
                for (s, (r0, r1)) in s0
                    .chunks_exact_mut(c_out)
                    .zip(s1.chunks_exact_mut(c_out))
                    .enumerate()
                {
                    add3(r0, e[s], e[4 + s], e[8 + s]);
                    sub3(r1, e[4 + s], e[8 + s], e[12 + s]);
                }
                let (y0, x0) = (2 * by, 2 * bx);
                for (dy, r) in [&*s0, &*s1].into_iter().enumerate() {
                    let y = y0 + dy;
                    if y >= h {
                        continue;
                    }
                    let q: [&[f32]; 4] = std::array::from_fn(|k| &r[k * c_out..(k + 1) * c_out]);
                    let at = (y * w + x0) * c_out;
                    add3(&mut y_img[at..at + c_out], q[0], q[1], q[2]);
                    if x0 + 1 < w {
                        sub3(&mut y_img[at + c_out..at + 2 * c_out], q[1], q[2], q[3]);
                    }
                }
            }
        }
    }
}

/// `dst = a + b + c`, element by element (left to right).
#[inline(always)]
fn add3(dst: &mut [f32], a: &[f32], b: &[f32], c: &[f32]) {
    for (((o, &a), &b), &c) in dst.iter_mut().zip(a).zip(b).zip(c) {
        *o = a + b + c;
    }
}

/// `dst = a − b − c`, element by element (left to right).
#[inline(always)]
fn sub3(dst: &mut [f32], a: &[f32], b: &[f32], c: &[f32]) {
    for (((o, &a), &b), &c) in dst.iter_mut().zip(a).zip(b).zip(c) {
        *o = a - b - c;
    }
}

/// `dst = a + b`.
#[inline(always)]
fn add(dst: &mut [f32], a: &[f32], b: &[f32]) {
    for ((o, &a), &b) in dst.iter_mut().zip(a).zip(b) {
        *o = a + b;
    }
}

/// `dst = a − b`.
#[inline(always)]
fn sub(dst: &mut [f32], a: &[f32], b: &[f32]) {
    for ((o, &a), &b) in dst.iter_mut().zip(a).zip(b) {
        *o = a - b;
    }
}

/// Writes `Bᵀ d B` of the patch `d` (its 16 cells, row-major, each
/// `c_in` channels) to `v` at `row(ξ)` for each ξ, through `t`
/// (`[16][c_in]`, the rows' transform).
fn input_transform(
    d: &[&[f32]; XI],
    t: &mut [f32],
    c_in: usize,
    row: impl Fn(usize) -> usize,
    v: &mut [f32],
) {
    // Rows: (Bᵀ d)_r for each column s.
    for s in 0..4 {
        let [t0, t1, t2, t3] = rows4(t, c_in, s);
        sub(t0, d[s], d[8 + s]);
        add(t1, d[4 + s], d[8 + s]);
        sub(t2, d[8 + s], d[4 + s]);
        sub(t3, d[4 + s], d[12 + s]);
    }
    // Columns: (T B)_{r, s} for each row r.
    for r in 0..4 {
        let q: [&[f32]; 4] =
            std::array::from_fn(|k| &t[(r * 4 + k) * c_in..(r * 4 + k + 1) * c_in]);
        let at = |s: usize| row(r * 4 + s);
        sub(&mut v[at(0)..at(0) + c_in], q[0], q[2]);
        add(&mut v[at(1)..at(1) + c_in], q[1], q[2]);
        sub(&mut v[at(2)..at(2) + c_in], q[2], q[1]);
        sub(&mut v[at(3)..at(3) + c_in], q[1], q[3]);
    }
}

/// Cells (0, s), (1, s), (2, s), (3, s) of `t` (`[16][c]`, row-major 4×4).
fn rows4(t: &mut [f32], c: usize, s: usize) -> [&mut [f32]; 4] {
    let mut cells = t.chunks_exact_mut(c);
    let mut take = |skip: usize| cells.nth(skip).expect("16 cells");
    let t0 = take(s);
    let t1 = take(3);
    let t2 = take(3);
    let t3 = take(3);
    [t0, t1, t2, t3]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::matmul::matmul;
    use crate::nn::nhwc;

    /// Deterministic values in [−1, 1).
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// The direct form: patch matrix times kernels.
    fn direct(
        x: &[f32],
        n: usize,
        h: usize,
        w: usize,
        k: &[f32],
        c_in: usize,
        c_out: usize,
    ) -> Vec<f32> {
        let depth = 9 * c_in;
        let mut cols = vec![0.0; n * h * w * depth];
        nhwc::im2col(x, n, h, w, c_in, 3, &mut cols);
        let mut y = vec![0.0; n * h * w * c_out];
        matmul(
            n * h * w,
            c_out,
            depth,
            &cols,
            depth,
            k,
            c_out,
            &mut y,
            c_out,
        );
        y
    }

    fn winograd(x: &[f32], n: usize, h: usize, w: usize, u: &WinogradKernels) -> Vec<f32> {
        let mut scratch = vec![f32::NAN; scratch_len(n, h, w, u.c_in, u.c_out)];
        let mut y = vec![f32::NAN; n * h * w * u.c_out];
        conv3x3(x, n, h, w, u, &mut scratch, &mut y);
        y
    }

    #[test]
    fn matches_the_direct_product_on_even_and_odd_maps() {
        for (seed, &(n, h, w, c_in, c_out)) in [
            (2, 6, 6, 16, 8),
            (3, 7, 5, 17, 9),
            (1, 1, 1, 4, 3),
            (2, 2, 3, 1, 1),
            (1, 14, 14, 64, 128),
        ]
        .iter()
        .enumerate()
        {
            let seed = seed as u64;
            let x = values(n * h * w * c_in, seed);
            let k = values(9 * c_in * c_out, seed + 100);
            let want = direct(&x, n, h, w, &k, c_in, c_out);
            let got = winograd(&x, n, h, w, &WinogradKernels::new(&k, c_in, c_out));
            let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
            let diff = want
                .iter()
                .zip(&got)
                .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(
                diff <= 1e-6 * scale.max(1.0),
                "{n}×{h}×{w}, {c_in} → {c_out}: max diff {diff} at scale {scale}"
            );
        }
    }

    #[test]
    fn an_image_gives_the_same_bits_alone_or_with_others() {
        let (h, w, c_in, c_out) = (7, 7, 16, 8);
        let len = h * w * c_in;
        let x = values(3 * len, 7);
        let u = WinogradKernels::new(&values(9 * c_in * c_out, 8), c_in, c_out);
        let together = winograd(&x, 3, h, w, &u);
        for img in 0..3 {
            let alone = winograd(&x[img * len..(img + 1) * len], 1, h, w, &u);
            let out = h * w * c_out;
            assert_eq!(alone, together[img * out..(img + 1) * out], "image {img}");
        }
    }
}
