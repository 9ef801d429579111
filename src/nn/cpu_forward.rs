//! The CPU forward backend: the network's [`ForwardPlan`] (fused steps on
//! channels-last maps) sized into tiles and run tile by tile in parallel.
//!
//! - `prepare` expands every layer's kernels (basis × coefficients) once and
//!   lays them out as the right-hand side of the convolution's matrix
//!   product (`[k·k·c_in, c_out]`, [`ConvStep::kernels`]). 3×3
//!   convolutions of 16 or more input channels are transformed instead for
//!   Winograd's F(2×2, 3×3) (`nn::winograd`): 2.25× fewer multiply-adds
//!   (1.6× on the c8 forward in Chromium, where simd128's 4-lane products
//!   are the whole cost; 1.25× natively, 17 % off a whole c8 `eslt prune`).
//!   [`CpuForward::direct_convs`] keeps every convolution direct.
//! - A batch is cut into tiles of a fixed number of images (chosen from the
//!   network's shapes, never from the thread count); the last tile is padded
//!   with zero images. A tile runs the whole network on one thread, in
//!   buffers that are reused from tile to tile and batch to batch. Every
//!   product therefore has the same shapes, and so the same summation order,
//!   whatever the batch, its slicing or the number of threads: an image's
//!   output is bitwise the same in any of them.
//! - Where the plan fuses them, ReLU is applied to the product's output
//!   while it is in cache, and a 2×2 max-pool reads that output directly
//!   (ReLU fused into it), so the full-size map is never written.
//! - Tiles run in parallel with rayon natively, one after another in wasm.

use std::sync::Mutex;

use crate::nn::batch::for_each_chunk;
use crate::nn::forward_backend::{ForwardBackend, PreparedForward};
use crate::nn::matmul::{matmul_rhs, Rhs};
use crate::nn::nhwc;
use crate::nn::plan::{ConvStep, ForwardPlan, Step};
use crate::nn::winograd::{self, WinogradKernels};
use crate::nn::Network;
use crate::threads::Threads;
use crate::Result;
use ndarray::{s, Array4, ArrayView4};

/// Rows of a convolution's matrix product (pixels × images) that keep the
/// product near its peak speed: smaller maps are multiplied several images
/// at a time.
const MIN_ROWS: usize = 192;

/// Values of one tile's largest map, at most (1 MB of f32): bounds the tile
/// so its maps stay in cache; a wider network gets fewer images per tile.
const TILE_VALUES: usize = 1 << 18;

/// Images per tile of a network without spatial convolutions (an MLP).
const DENSE_TILE: usize = 32;

/// Input channels from which 3×3 convolutions run as Winograd's F(2×2, 3×3)
/// ([`winograd`]) rather than as one direct product (its products are
/// `[patches, c_in]`: too thin below this).
const WINOGRAD_MIN_CHANNELS: usize = 16;

/// The CPU backend: rayon's global pool, or a private pool of a given size.
#[derive(Clone, Default)]
pub struct CpuForward {
    threads: Threads,
    /// Every convolution as one direct product (no Winograd form).
    direct: bool,
}

impl CpuForward {
    /// All cores (rayon's global pool) natively; one thread in wasm.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every convolution as one direct product, patches × kernels (the
    /// 3×3 ones too): the arithmetic of the literal check's streamed forward
    /// ([`crate::slt::literal_forward`]), for comparing the two closely.
    pub fn direct_convs(mut self) -> Self {
        self.direct = true;
        self
    }

    /// Exactly `threads` threads (native; ignored in wasm).
    pub fn with_threads(threads: usize) -> Result<Self> {
        Ok(Self {
            direct: false,
            threads: Threads::exactly(threads)?,
        })
    }

    /// Threads the forward runs on.
    pub fn threads(&self) -> usize {
        self.threads.count()
    }

    /// The threads the forward runs on (for work that runs beside it).
    pub(crate) fn pool(&self) -> &Threads {
        &self.threads
    }

    /// Bytes that preparing `net` and running it would hold: the expanded
    /// kernels (plus the largest layer's once more while it is expanded)
    /// and one tile's buffers per thread; computed from the shapes alone,
    /// so a caller can refuse a network too large before allocating it.
    pub fn memory_bytes(&self, net: &Network) -> Result<u64> {
        let plan = CpuPlan::build(net, false, !self.direct)?;
        let f32s = |n: usize| 4 * n as u64;
        let workspace = 2 * plan.tile * plan.map_len + plan.cols_len + plan.scratch_len;
        Ok(f32s(plan.weights_len + plan.largest_weights)
            + self.threads.count() as u64 * f32s(workspace))
    }

    /// [`ForwardBackend::prepare`] without the box.
    pub fn prepare_cpu(&self, net: &Network) -> Result<CpuPrepared> {
        Ok(CpuPrepared {
            plan: CpuPlan::build(net, true, !self.direct)?,
            workspaces: Mutex::new(Vec::new()),
            threads: self.threads.clone(),
        })
    }
}

impl ForwardBackend for CpuForward {
    fn name(&self) -> &str {
        "cpu"
    }

    fn prepare(&self, net: &Network) -> Result<Box<dyn PreparedForward>> {
        Ok(Box::new(self.prepare_cpu(net)?))
    }

    fn as_cpu(&self) -> Option<&CpuForward> {
        Some(self)
    }
}

/// A network prepared for the CPU: its plan and the tiles' buffers.
pub struct CpuPrepared {
    plan: CpuPlan,
    /// Buffers of finished tiles, taken by the next ones.
    workspaces: Mutex<Vec<Workspace>>,
    /// The backend's threads.
    threads: Threads,
}

impl CpuPrepared {
    /// Multiply-accumulates of one image (the convolutions').
    pub fn macs_per_image(&self) -> u64 {
        self.plan.forward.macs
    }

    /// Images per tile (the unit of parallel work).
    pub fn tile(&self) -> usize {
        self.plan.tile
    }

    /// The network's output `[b, c, h, w]` on `x` (see [`PreparedForward`];
    /// this needs only `&self`, so one prepared network can serve threads).
    pub fn run(&self, x: ArrayView4<f32>) -> Result<Array4<f32>> {
        let plan = &self.plan;
        let mut y = plan.forward.zero_output(&x)?;
        let b = x.dim().0;
        let out_len = plan.forward.out_len();
        if b == 0 || out_len == 0 {
            return Ok(y);
        }
        let ys = y.as_slice_mut().expect("fresh array is contiguous");
        let run = |ys: &mut [f32]| {
            for_each_chunk(ys, plan.tile * out_len, |t, out| {
                let mut ws = self.take_workspace();
                let first = t * plan.tile;
                let count = out.len() / out_len;
                plan.run_tile(&mut ws, x.slice(s![first..first + count, .., .., ..]), out);
                self.give_back(ws);
            })
        };
        self.threads.install(|| run(ys));
        Ok(y)
    }

    fn take_workspace(&self) -> Workspace {
        let kept = self.workspaces.lock().ok().and_then(|mut v| v.pop());
        kept.unwrap_or_else(|| Workspace::new(&self.plan))
    }

    fn give_back(&self, ws: Workspace) {
        if let Ok(mut v) = self.workspaces.lock() {
            v.push(ws);
        }
    }
}

impl PreparedForward for CpuPrepared {
    fn backend(&self) -> &str {
        "cpu"
    }

    fn output(&mut self, x: ArrayView4<f32>) -> Result<Array4<f32>> {
        self.run(x)
    }
}

/// The CPU's sizing of a [`ForwardPlan`], and its expanded kernels.
struct CpuPlan {
    forward: ForwardPlan,
    tile: usize,
    /// Per step: a convolution's products and kernels (`None` elsewhere).
    convs: Vec<Option<CpuConv>>,
    /// Values of the largest map of one image (unfused, as the tile).
    map_len: usize,
    /// Values of the largest patch matrix (one product).
    cols_len: usize,
    /// Values of the largest pre-pooling output (one product).
    scratch_len: usize,
    /// Values of every expanded kernel, and of the largest one.
    weights_len: usize,
    largest_weights: usize,
}

/// How the CPU runs one convolution step.
struct CpuConv {
    /// Images per matrix product (or per pass of the Winograd form).
    group: usize,
    /// The kernels; `None` in a plan built only to count sizes.
    weights: Option<ConvKernels>,
}

/// A convolution's kernels, laid out for the way it runs.
enum ConvKernels {
    /// `[k·k·c_in, c_out]` ([`ConvStep::kernels`]): one product over the
    /// patch matrix.
    Direct(Rhs),
    /// 3×3 by F(2×2, 3×3).
    Winograd(WinogradKernels),
}

/// Whether `c` can run in the Winograd form.
fn winograd_fits(c: &ConvStep) -> bool {
    c.k == 3 && c.c_in >= WINOGRAD_MIN_CHANNELS
}

/// One tile's buffers: two maps (input and output of a step), the patch
/// matrix, and a convolution's output before pooling.
struct Workspace {
    front: Vec<f32>,
    back: Vec<f32>,
    cols: Vec<f32>,
    scratch: Vec<f32>,
}

impl Workspace {
    fn new(plan: &CpuPlan) -> Self {
        Self {
            front: vec![0.0; plan.tile * plan.map_len],
            back: vec![0.0; plan.tile * plan.map_len],
            cols: vec![0.0; plan.cols_len],
            scratch: vec![0.0; plan.scratch_len],
        }
    }
}

/// `total` items in the fewest groups of at most `at_most`, as equal as
/// possible: the size of the largest group.
fn balanced_group(total: usize, at_most: usize) -> usize {
    let groups = total.div_ceil(at_most.max(1)).max(1);
    total.div_ceil(groups)
}

impl CpuPlan {
    /// The plan of `net`, with 3×3 layers in the Winograd form where they
    /// fit and `winograd` allows; without `expand`, kernels are left empty
    /// (only their sizes are counted).
    fn build(net: &Network, expand: bool, winograd: bool) -> Result<Self> {
        let plan = ForwardPlan::new(net)?;
        let widest = plan.largest_unfused_map();
        let spatial_need = plan
            .convs()
            .map(|c| c.h * c.w)
            .filter(|&hw| hw > 1)
            .map(|hw| MIN_ROWS.div_ceil(hw))
            .max();
        let cap = (TILE_VALUES / widest).max(1);
        let tile = spatial_need.unwrap_or(DENSE_TILE).clamp(1, cap);

        let (mut cols_len, mut scratch_len) = (0usize, 0usize);
        let (mut weights_len, mut largest_weights) = (0usize, 0usize);
        let mut convs = Vec::with_capacity(plan.steps.len());
        for step in &plan.steps {
            let Step::Conv(c) = step else {
                convs.push(None);
                continue;
            };
            let hw = c.h * c.w;
            let by_winograd = winograd && winograd_fits(c);
            // Images per pass, the pass's patch (or Winograd) buffer, the
            // kernels' stored values and their peak while being prepared.
            let (group, cols_need, len, preparing) = if by_winograd {
                let group = balanced_group(tile, MIN_ROWS.div_ceil(winograd::blocks(c.h, c.w)));
                let len = WinogradKernels::stored_len(c.c_in, c.c_out);
                let cols = winograd::scratch_len(group, c.h, c.w, c.c_in, c.c_out);
                // Expanded directly, then transformed.
                (group, cols, len, len + c.depth() * c.c_out)
            } else {
                let group = if hw > 1 {
                    balanced_group(tile, MIN_ROWS.div_ceil(hw))
                } else {
                    tile
                };
                let cols = if c.k > 1 { group * hw * c.depth() } else { 0 };
                let len = Rhs::stored_len(c.depth(), c.c_out);
                (group, cols, len, len)
            };
            cols_len = cols_len.max(cols_need);
            if c.pool {
                scratch_len = scratch_len.max(group * hw * c.c_out);
            }
            weights_len += len;
            largest_weights = largest_weights.max(preparing);
            let weights = if !expand {
                None
            } else if by_winograd {
                let direct = c.kernels(net, c.c_out)?;
                Some(ConvKernels::Winograd(WinogradKernels::new(
                    &direct, c.c_in, c.c_out,
                )))
            } else {
                Some(ConvKernels::Direct(Rhs::new(
                    c.kernels(net, c.c_out)?,
                    c.depth(),
                    c.c_out,
                )))
            };
            convs.push(Some(CpuConv { group, weights }));
        }
        Ok(CpuPlan {
            forward: plan,
            tile,
            convs,
            map_len: widest,
            cols_len,
            scratch_len,
            weights_len,
            largest_weights,
        })
    }

    /// Runs the network on the (at most `tile`) images of `x`, writing each
    /// image's output, in the reference layout, to `out`.
    fn run_tile(&self, ws: &mut Workspace, x: ArrayView4<f32>, out: &mut [f32]) {
        let t = self.tile;
        let count = x.dim().0;
        let in_len = self.forward.in_len();
        let Workspace {
            front,
            back,
            cols,
            scratch,
        } = ws;
        for (img, dst) in front[..t * in_len].chunks_exact_mut(in_len).enumerate() {
            if img < count {
                nhwc::from_chw(x.slice(s![img, .., .., ..]), dst);
            } else {
                dst.fill(0.0);
            }
        }
        let mut convs = self.convs.iter().flatten();
        run_steps(&self.forward.steps, t, front, back, &mut |cs, src, dst| {
            let cc = convs.next().expect("sized with its plan");
            conv(cs, cc, t, src, dst, cols, scratch);
        });
        let (oc, oh, ow) = self.forward.output;
        let out_len = oc * oh * ow;
        for (src, dst) in front[..count * out_len]
            .chunks_exact(out_len)
            .zip(out.chunks_exact_mut(out_len))
        {
            nhwc::to_chw(src, oh * ow, oc, dst);
        }
    }
}

/// A convolution step as [`run_steps`] calls it: `(step, src, dst)`.
pub(crate) type StepConv<'a> = dyn FnMut(&ConvStep, &[f32], &mut [f32]) + 'a;

/// Runs `steps` on the `t` images in `front` (channels-last, the plan's
/// input), leaving their output in `front`; `back` is the other map (both
/// hold at least `t` × the largest unfused map). Each convolution is
/// `conv(step, src, dst)`, in order; the other steps are the kernels of
/// `nhwc`. The CPU forward and the literal check's streamed forward
/// ([`crate::slt::literal_forward`]) share it.
pub(crate) fn run_steps(
    steps: &[Step],
    t: usize,
    front: &mut Vec<f32>,
    back: &mut Vec<f32>,
    conv: &mut StepConv<'_>,
) {
    for step in steps {
        match step {
            &Step::Relu { len } => nhwc::relu(&mut front[..t * len]),
            Step::Conv(cs) => conv(cs, front, back),
            &Step::MaxPool2 { h, w, c, relu } => {
                let (src, dst) = (
                    &front[..t * h * w * c],
                    &mut back[..t * (h / 2) * (w / 2) * c],
                );
                nhwc::max_pool2(src, t, h, w, c, relu, dst);
            }
            &Step::GroupPool { hw, c, order } => {
                let dst = &mut back[..t * hw * (c / order)];
                nhwc::group_pool(&front[..t * hw * c], t * hw, c, order, dst);
            }
            &Step::GlobalAvgPool { hw, c } => {
                nhwc::global_avg_pool(&front[..t * hw * c], t, hw, c, &mut back[..t * c]);
            }
            &Step::Flatten { hw, c } => {
                for (src, dst) in front[..t * hw * c]
                    .chunks_exact(hw * c)
                    .zip(back.chunks_exact_mut(hw * c))
                {
                    nhwc::to_chw(src, hw, c, dst);
                }
            }
        }
        // Every step but σ wrote `back`.
        if !matches!(step, Step::Relu { .. }) {
            std::mem::swap(front, back);
        }
    }
}

/// A convolution step on `t` images: `src` `[t][h][w][c_in]` → `dst`
/// (`[t][h][w][c_out]`, or pooled `[t][h/2][w/2][c_out]`).
fn conv(
    cs: &ConvStep,
    cc: &CpuConv,
    t: usize,
    src: &[f32],
    dst: &mut [f32],
    cols: &mut [f32],
    scratch: &mut [f32],
) {
    let ConvStep {
        h,
        w,
        c_in,
        c_out,
        k,
        relu,
        pool,
        ..
    } = *cs;
    let hw = h * w;
    let depth = cs.depth();
    let out_hw = if pool { (h / 2) * (w / 2) } else { hw };
    let group = cc.group;
    let weights = cc.weights.as_ref().expect("an expanded plan");
    let mut start = 0;
    while start < t {
        let n = group.min(t - start);
        let rows = n * hw;
        let x = &src[start * hw * c_in..(start + n) * hw * c_in];
        let y = &mut dst[start * out_hw * c_out..(start + n) * out_hw * c_out];
        // The convolution's output before pooling: `y` itself, or `scratch`.
        let full: &mut [f32] = if pool {
            &mut scratch[..rows * c_out]
        } else {
            &mut *y
        };
        match weights {
            ConvKernels::Winograd(u) => {
                let work = &mut cols[..winograd::scratch_len(n, h, w, c_in, c_out)];
                winograd::conv3x3(x, n, h, w, u, work, full);
            }
            ConvKernels::Direct(weights) => {
                let lhs: &[f32] = if k == 1 {
                    x
                } else {
                    let cols = &mut cols[..rows * depth];
                    nhwc::im2col(x, n, h, w, c_in, k, cols);
                    cols
                };
                matmul_rhs(rows, lhs, depth, weights, full, c_out);
            }
        }
        if pool {
            nhwc::max_pool2(&scratch[..rows * c_out], n, h, w, c_out, relu, y);
        } else if relu {
            nhwc::relu(y);
        }
        start += n;
    }
}
