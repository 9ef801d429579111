//! The literal check's forward pass, streamed: the masked source network of
//! an image target ([`crate::slt::ticket::literal_network`]: every target
//! layer as A, ReLU, B with c_in·2n intermediate fields) evaluated on a few
//! images without ever building it.
//!
//! The target's [`ForwardPlan`] is run step by step (the CPU forward's own
//! step loop, [`crate::nn::cpu_forward`]); each of its convolutions is the
//! literal pair:
//!
//! - Layer A (identity element, c_in → c_in·2n fields) is computed where
//!   layer B reads it: a row of B's patch matrix holds σ(v\[i,j]·x_i) for
//!   every tap, field (i, j) and channel, v set to zero where the mask drops
//!   it. As a product A's output is that same single product (every other
//!   term is an exact zero), so the values are the built network's.
//! - Layer B's kernels are expanded a chunk of output fields at a time (in
//!   the built network's layout, from the same products), and its patch
//!   matrix a chunk of rows (pixels of the images) at a time; each chunk of
//!   output is one matrix product over the whole depth k²·c_in·2n, like the
//!   built network's. The wide intermediate map is never stored.
//! - The target's other steps (ReLU, pools, flatten) run on maps of the
//!   target's own width.
//!
//! Working set, whatever the width of the source (f32 values): the maps of
//! one pass of images, at most three of [`MAP_VALUES`] (or of one image's
//! largest map); one chunk of kernels, at most [`KERNEL_VALUES`] (or one
//! output field's), with one output field's kernels while it is expanded
//! (and the chunk once more in wasm, where the product's panels are packed
//! from it); one patch matrix of at most [`PATCH_VALUES`] (or one row) per
//! thread. [`memory_bytes`] counts exactly these from the shapes.

use std::sync::Mutex;

use ndarray::{s, ArrayView4};

use crate::nn::batch::for_each_chunk;
use crate::nn::cpu_forward::run_steps;
use crate::nn::forward::check_input_shape;
use crate::nn::matmul::{matmul, matmul_rhs, Rhs};
use crate::nn::plan::{ConvStep, ForwardPlan};
use crate::nn::{nhwc, CpuForward, EquivariantLayer, Network, PreparedForward};
use crate::slt::mask::LayerMask;
use crate::slt::source::SourceLayer;
use crate::slt::target::TargetNetwork;
use crate::{Error, Result};

/// Values of one chunk of layer B's expanded kernels, at most (16 MiB of
/// f32) unless one output field needs more.
pub const KERNEL_VALUES: usize = 1 << 22;

/// Values of one thread's patch matrix, at most (16 MiB) unless one row
/// (k²·c_in·2n·dim values) needs more.
pub const PATCH_VALUES: usize = 1 << 22;

/// Values of one map buffer (images of one pass × the target's largest
/// map), at most (4 MiB) unless one image needs more.
pub const MAP_VALUES: usize = 1 << 20;

/// Whether [`Rhs::new`] packs a copy of the kernels (the wasm kernel's
/// panels) rather than keeping them as given.
const PACKS_RHS: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// One target layer of the literal network: its source and mask.
struct LiteralLayer<'a> {
    target: &'a EquivariantLayer,
    source: &'a SourceLayer,
    mask: &'a LayerMask,
    /// v where the mask keeps it, else 0: `[c_in][2n]`.
    v: Vec<f32>,
}

/// The sizes of one literal layer B's chunks.
#[derive(Clone, Copy)]
struct Chunks {
    /// Product depth k²·c_in·2n·dim.
    depth: usize,
    /// Output fields per kernel chunk.
    fields: usize,
    /// Rows per patch matrix.
    rows: usize,
}

impl Chunks {
    fn of(t: &EquivariantLayer, n: usize) -> Self {
        let b = &t.basis;
        let depth = b.ksize * b.ksize * t.in_channels() * 2 * n;
        let fields = (KERNEL_VALUES / (depth * b.out_dim).max(1)).clamp(1, t.c_out);
        let rows = (PATCH_VALUES / depth.max(1)).max(1);
        Self {
            depth,
            fields,
            rows,
        }
    }
}

/// Logits `[images, classes]` (row-major) of the literal masked source
/// network of `target` — the rebalanced target, each linear layer replaced
/// by `layers[ℓ]`'s source with its mask — on `images` `[count, c, h, w]`,
/// on `forward`'s threads. Streamed: see the module docs for its working set.
pub fn literal_logits(
    target: &Network,
    layers: &[(&SourceLayer, &LayerMask)],
    images: ArrayView4<f32>,
    forward: &CpuForward,
) -> Result<Vec<f32>> {
    let literal = literal_layers(target, layers)?;
    let plan = ForwardPlan::new(target)?;
    let (count, map) = (images.dim().0, plan.largest_unfused_map());
    let (in_len, out_len) = (plan.in_len(), plan.out_len());
    let mut out = vec![0.0f32; count * out_len];
    if count == 0 {
        return Ok(out);
    }
    check_input_shape(plan.input, &images)?;
    let tile = (MAP_VALUES / map).clamp(1, count);
    let mut front = vec![0.0f32; tile * map];
    let mut back = vec![0.0f32; tile * map];
    let mut scratch = vec![0.0f32; tile * pool_scratch(&plan)];
    let patches = Mutex::new(Vec::new());
    let (oc, oh, ow) = plan.output;
    for (first, dst) in (0..count).step_by(tile).zip(out.chunks_mut(tile * out_len)) {
        let t = tile.min(count - first);
        for (img, buf) in front[..t * in_len].chunks_exact_mut(in_len).enumerate() {
            nhwc::from_chw(images.slice(s![first + img, .., .., ..]), buf);
        }
        let mut next = literal.iter();
        forward.pool().install(|| {
            run_steps(
                &plan.steps,
                t,
                &mut front,
                &mut back,
                &mut |cs, src, dst| {
                    let layer = next.next().expect("one literal layer per convolution");
                    literal_conv(cs, layer, t, src, dst, &mut scratch, &patches);
                },
            )
        });
        for (src, d) in front[..t * out_len]
            .chunks_exact(out_len)
            .zip(dst.chunks_exact_mut(out_len))
        {
            nhwc::to_chw(src, oh * ow, oc, d);
        }
    }
    Ok(out)
}

/// The literal check on `images`: the logits of the literal masked source
/// network ([`literal_logits`]) and of the collapsed `ticket`, both on the
/// CPU (`forward`), whatever backend verified the rest — so the two differ
/// by the order of their sums only.
pub fn literal_check_logits(
    target: &Network,
    layers: &[(&SourceLayer, &LayerMask)],
    ticket: &Network,
    images: ArrayView4<f32>,
    forward: &CpuForward,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let literal = literal_logits(target, layers, images.view(), forward)?;
    let ticket = forward.prepare_cpu(ticket)?.logits_flat(images)?;
    Ok((literal, ticket))
}

/// Bytes [`literal_logits`] holds at its peak for `target` with pools of
/// `n_per_layer` on `images` images and `threads` threads (the logits
/// aside): the working set of the module docs, from the shapes alone.
pub fn memory_bytes(
    target: &Network,
    n_per_layer: &[usize],
    images: usize,
    threads: usize,
) -> Result<u64> {
    let plan = ForwardPlan::new(target)?;
    let layers = target.linear_layers();
    if layers.len() != n_per_layer.len() {
        return Err(Error::InvalidArgument(format!(
            "{} n for {} layers",
            n_per_layer.len(),
            layers.len()
        )));
    }
    let map = plan.largest_unfused_map();
    let tile = (MAP_VALUES / map).clamp(1, images.max(1));
    let maps = tile * (2 * map + pool_scratch(&plan));
    // Kernels are made per layer; patch matrices are kept from layer to
    // layer (one per thread at work, each as large as it has been); the
    // masked v of every layer are made first.
    let (mut kernels, mut buffers, mut patch, mut v) = (0usize, 0usize, 0usize, 0usize);
    for ((t, &n), cs) in layers.iter().zip(n_per_layer).zip(plan.convs()) {
        let c = Chunks::of(t, n);
        let p = t.basis.out_dim;
        let cols = c.fields * p;
        // The chunk (and its packed copy in wasm), one field's blocks and
        // its masked u while expanding.
        let packed = if PACKS_RHS {
            Rhs::stored_len(c.depth, cols)
        } else {
            0
        };
        let layer = c.depth * cols + packed + c.depth * p + t.c_in * 2 * n * t.basis.len();
        kernels = kernels.max(layer);
        let pixels = images.clamp(1, tile) * cs.h * cs.w;
        let rows = c.rows.min(pixels);
        buffers = buffers.max(threads.min(pixels.div_ceil(rows)));
        patch = patch.max(rows * c.depth);
        v += t.c_in * 2 * n;
    }
    Ok(4 * (maps + kernels + buffers * patch + v) as u64)
}

/// Values of the largest pre-pooling output of one image (0 without a
/// pooled convolution).
fn pool_scratch(plan: &ForwardPlan) -> usize {
    plan.convs()
        .filter(|c| c.pool)
        .map(|c| c.h * c.w * c.c_out)
        .max()
        .unwrap_or(0)
}

/// Checks `layers` against `target`'s linear layers and masks their v.
fn literal_layers<'a>(
    target: &'a Network,
    layers: &[(&'a SourceLayer, &'a LayerMask)],
) -> Result<Vec<LiteralLayer<'a>>> {
    let targets = target.linear_layers();
    if targets.len() != layers.len() {
        return Err(Error::InvalidArgument(format!(
            "{} layers given for a network of {} linear layers",
            layers.len(),
            targets.len()
        )));
    }
    targets
        .into_iter()
        .zip(layers)
        .map(|(t, &(source, mask))| {
            let (m, k) = (2 * source.n, t.basis.len());
            if (source.c_in, source.c_out, source.k) != (t.c_in, t.c_out, k)
                || source.v.len() != t.c_in * m
                || source.u.len() != t.c_out * t.c_in * m * k
                || mask.v_keep.len() != source.v.len()
                || mask.u_keep.len() != source.u.len()
            {
                return Err(Error::InvalidArgument(format!(
                    "a source layer of {}→{} fields (n = {}, {} v, {} u, mask {}/{}) for a \
                     target layer of {}→{} fields and {k} basis elements",
                    source.c_in,
                    source.c_out,
                    source.n,
                    source.v.len(),
                    source.u.len(),
                    mask.v_keep.len(),
                    mask.u_keep.len(),
                    t.c_in,
                    t.c_out
                )));
            }
            let v = source
                .v
                .iter()
                .zip(&mask.v_keep)
                .map(|(&v, &keep)| if keep { v } else { 0.0 })
                .collect();
            Ok(LiteralLayer {
                target: t,
                source,
                mask,
                v,
            })
        })
        .collect()
}

/// The literal pair of convolution step `cs` on `t` images: `src`
/// `[t][h][w][c_in·dim]` → `dst` (`[t][h][w][c_out·dim]`, or pooled), as
/// the built network's A, ReLU, B with B's ReLU and pool fused.
fn literal_conv(
    cs: &ConvStep,
    layer: &LiteralLayer<'_>,
    t: usize,
    src: &[f32],
    dst: &mut [f32],
    scratch: &mut [f32],
    patches: &Mutex<Vec<Vec<f32>>>,
) {
    let (h, w, c_out) = (cs.h, cs.w, cs.c_out);
    let rows = t * h * w;
    let chunks = Chunks::of(layer.target, layer.source.n);
    let depth = chunks.depth;
    let p = layer.target.basis.out_dim;
    let full: &mut [f32] = if cs.pool {
        &mut scratch[..rows * c_out]
    } else {
        &mut *dst
    };
    let full = &mut full[..rows * c_out];
    let basis = layer.target.basis_matrix();
    let mut o0 = 0;
    while o0 < layer.target.c_out {
        let o1 = (o0 + chunks.fields).min(layer.target.c_out);
        let cols = (o1 - o0) * p;
        let rhs = Rhs::new(kernel_columns(layer, &basis, o0..o1), depth, cols);
        let col0 = o0 * p;
        for_each_chunk(full, chunks.rows * c_out, |idx, out| {
            let first = idx * chunks.rows;
            let m = out.len() / c_out;
            let mut buf = patches
                .lock()
                .ok()
                .and_then(|mut v| v.pop())
                .unwrap_or_default();
            buf.resize(m * depth, 0.0);
            literal_patches(cs, layer, src, first..first + m, &mut buf[..m * depth]);
            matmul_rhs(m, &buf, depth, &rhs, &mut out[col0..], c_out);
            if let Ok(mut v) = patches.lock() {
                v.push(buf);
            }
        });
        o0 = o1;
    }
    if cs.pool {
        let out_len = (h / 2) * (w / 2) * c_out;
        nhwc::max_pool2(
            &scratch[..rows * c_out],
            t,
            h,
            w,
            c_out,
            cs.relu,
            &mut dst[..t * out_len],
        );
    } else if cs.relu {
        nhwc::relu(&mut dst[..rows * c_out]);
    }
}

/// Layer B's kernels of output fields `fields`, as the product's right-hand
/// side `[k²·c_in·2n·dim_in, fields·dim_out]`: row (dy·k + dx)·C + f·Q + q,
/// column (o − o₀)·P + p, as [`crate::nn::plan::ConvStep::kernels`] lays
/// out the built layer's — each output field's blocks Σ_k u\[o,f,k]·B_k
/// from one product, as [`EquivariantLayer::expand`] makes them.
fn kernel_columns(
    layer: &LiteralLayer<'_>,
    basis: &ndarray::Array2<f32>,
    fields: std::ops::Range<usize>,
) -> Vec<f32> {
    let b = &layer.target.basis;
    let (p_n, q_n, kk) = (b.out_dim, b.in_dim, b.ksize * b.ksize);
    let wide_fields = layer.target.c_in * 2 * layer.source.n;
    let wide = wide_fields * q_n;
    let k = b.len();
    let cols = fields.len() * p_n;
    let mut out = vec![0.0f32; kk * wide * cols];
    let mut coef = vec![0.0f32; wide_fields * k];
    let per_field = wide_fields * k;
    let block_len = basis.ncols();
    let basis = basis.as_slice().expect("a standard-layout basis");
    let mut blocks = vec![0.0f32; wide_fields * block_len];
    for (oi, o) in fields.enumerate() {
        let range = o * per_field..(o + 1) * per_field;
        for ((c, &u), &keep) in coef
            .iter_mut()
            .zip(&layer.source.u[range.clone()])
            .zip(&layer.mask.u_keep[range])
        {
            *c = if keep { u } else { 0.0 };
        }
        // [f, (p, q, y, x)]: the forward's own product, faster in wasm than
        // ndarray's (the kernels differ from `expand`'s in the last place).
        matmul(
            wide_fields,
            block_len,
            k,
            &coef,
            k,
            basis,
            block_len,
            &mut blocks,
            block_len,
        );
        for (f, blk) in blocks.chunks_exact(block_len).enumerate() {
            for pp in 0..p_n {
                let col = oi * p_n + pp;
                for q in 0..q_n {
                    let taps = &blk[(pp * q_n + q) * kk..(pp * q_n + q + 1) * kk];
                    for (tap, &v) in taps.iter().enumerate() {
                        out[(tap * wide + f * q_n + q) * cols + col] = v;
                    }
                }
            }
        }
    }
    out
}

/// Rows `rows` (pixels of the `t` images, image-major) of layer B's patch
/// matrix, `[rows][k²·C]`: for every tap (dy, dx) inside the image, the
/// pixel's σ(v\[i,j]·x_i) for every field (i, j) and channel; zeros outside.
fn literal_patches(
    cs: &ConvStep,
    layer: &LiteralLayer<'_>,
    src: &[f32],
    rows: std::ops::Range<usize>,
    out: &mut [f32],
) {
    let (h, w, c_in, k) = (cs.h, cs.w, cs.c_in, cs.k);
    let q_n = layer.target.basis.in_dim;
    let m = 2 * layer.source.n;
    let wide = c_in * m;
    let r = k / 2;
    for (row, patch) in rows.zip(out.chunks_exact_mut(k * k * wide)) {
        let (img, px) = (row / (h * w), row % (h * w));
        let (y, x) = (px / w, px % w);
        for dy in 0..k {
            for dx in 0..k {
                let seg = &mut patch[(dy * k + dx) * wide..(dy * k + dx + 1) * wide];
                let (sy, sx) = (y + dy, x + dx);
                if sy < r || sy - r >= h || sx < r || sx - r >= w {
                    seg.fill(0.0);
                    continue;
                }
                let at = ((img * h + sy - r) * w + sx - r) * c_in;
                let pixel = &src[at..at + c_in];
                for (i, (xs, vs)) in pixel
                    .chunks_exact(q_n)
                    .zip(layer.v.chunks_exact(m))
                    .enumerate()
                {
                    let fields = &mut seg[i * m * q_n..(i + 1) * m * q_n];
                    for (field, &v) in fields.chunks_exact_mut(q_n).zip(vs) {
                        for (d, &xv) in field.iter_mut().zip(xs) {
                            // σ as `nhwc::relu` applies it.
                            *d = nhwc::max(v * xv, 0.0);
                        }
                    }
                }
            }
        }
    }
}
