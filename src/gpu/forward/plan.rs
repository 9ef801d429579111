//! A network compiled for the GPU forward: its steps (with ReLU and 2×2
//! max-pooling fused into the convolution before them, as the CPU forward
//! fuses them), the expanded kernels, and how many images one chunk may
//! hold within the device's limits.

use super::kernels::{ConvBlock, ELEMENT_WORKGROUP};
use crate::nn::{EquivariantLayer, Network, Op};
use crate::{Error, Result};

/// Bytes of one activation buffer at most (there are two): bounds device
/// memory whatever the batch; larger chunks would not run faster once the
/// device is busy.
pub(super) const ACTIVATION_BUDGET: u64 = 64 << 20;

/// Words in every step's uniform block (conv.wgsl's `Params`; the others
/// use the first 8).
pub(super) const PARAM_WORDS: usize = 12;

/// One dispatch; maps are channels-last, `[n][h][w][c]`.
pub(super) enum Step {
    Conv {
        h: usize,
        w: usize,
        c_in: usize,
        c_out: usize,
        k: usize,
        relu: bool,
        pool: bool,
        /// `[k·k·c_in, w_stride]`: row (dy·k + dx)·c_in + i holds
        /// W[·, i, dy, dx], then zeros.
        weights: Vec<f32>,
    },
    MaxPool2 {
        h: usize,
        w: usize,
        c: usize,
        relu: bool,
    },
    GroupPool {
        hw: usize,
        c: usize,
        order: usize,
    },
    GlobalAvgPool {
        hw: usize,
        c: usize,
    },
    Flatten {
        hw: usize,
        c: usize,
    },
    Relu {
        len: usize,
    },
}

/// Which way a step's work is laid over the dispatch grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grid {
    /// Rows of the convolution's product × output channels, in tiles.
    Tiles { rows: u64, cols: u64 },
    /// One invocation per output value, in rows of workgroups.
    Values(u64),
}

impl Step {
    /// Rows of the convolution's product for one image.
    fn rows_per_image(h: usize, w: usize, pool: bool) -> usize {
        if pool {
            4 * (h / 2) * (w / 2)
        } else {
            h * w
        }
    }

    /// Output values of one image.
    pub fn out_len(&self) -> usize {
        match *self {
            Step::Conv {
                h, w, c_out, pool, ..
            } => {
                if pool {
                    (h / 2) * (w / 2) * c_out
                } else {
                    h * w * c_out
                }
            }
            Step::MaxPool2 { h, w, c, .. } => (h / 2) * (w / 2) * c,
            Step::GroupPool { hw, c, order } => hw * (c / order),
            Step::GlobalAvgPool { c, .. } => c,
            Step::Flatten { hw, c } => hw * c,
            Step::Relu { len } => len,
        }
    }

    /// The work of `n` images.
    pub fn grid(&self, n: usize) -> Grid {
        match *self {
            Step::Conv {
                h, w, c_out, pool, ..
            } => Grid::Tiles {
                rows: (n * Self::rows_per_image(h, w, pool)) as u64,
                cols: c_out as u64,
            },
            _ => Grid::Values((n * self.out_len()) as u64),
        }
    }

    /// The uniform block for `n` images; `stride` = invocations per row of
    /// a one-value-per-invocation dispatch.
    pub fn params(&self, n: usize, stride: u32) -> [u32; PARAM_WORDS] {
        let u = |v: usize| v as u32;
        let count = u(n * self.out_len());
        let mut p = [0u32; PARAM_WORDS];
        match *self {
            Step::Conv {
                h,
                w,
                c_in,
                c_out,
                k,
                relu,
                pool,
                ..
            } => {
                p.copy_from_slice(&[
                    u(n * Self::rows_per_image(h, w, pool)),
                    u(h),
                    u(w),
                    u(c_in),
                    u(c_out),
                    u(k),
                    u(k * k * c_in),
                    u32::from(relu),
                    u32::from(pool),
                    u(h / 2),
                    u(w / 2),
                    u(weight_stride(c_out)),
                ]);
            }
            // count, stride, h, w, c, order, relu, hw (pool.wgsl's Params).
            Step::MaxPool2 { h, w, c, relu } => {
                p[..8].copy_from_slice(&[count, stride, u(h), u(w), u(c), 1, relu.into(), 0])
            }
            Step::GroupPool { hw, c, order } => {
                p[..8].copy_from_slice(&[count, stride, 0, 0, u(c), u(order), 0, u(hw)])
            }
            Step::GlobalAvgPool { hw, c } | Step::Flatten { hw, c } => {
                p[..8].copy_from_slice(&[count, stride, 0, 0, u(c), 1, 0, u(hw)])
            }
            Step::Relu { .. } => p[..2].copy_from_slice(&[count, stride]),
        }
        p
    }
}

/// A network compiled for the GPU.
pub(super) struct Plan {
    pub input: (usize, usize, usize),
    pub output: (usize, usize, usize),
    pub steps: Vec<Step>,
    /// Values of the largest map of one image (input, any step's output).
    pub map_len: usize,
    /// Multiply-accumulates of one image (the convolutions', full grid).
    pub macs: u64,
}

/// Floats per row of a convolution's kernels: `c_out` padded so that the
/// kernels read whole blocks of 16 columns (4 vec4) unchecked.
pub(super) fn weight_stride(c_out: usize) -> usize {
    c_out.div_ceil(16) * 16
}

/// `[k·k·c_in, weight_stride(c_out)]` rows of the layer's expanded kernels
/// (the CPU forward's layout, padded with zero columns).
fn conv_weights(l: &EquivariantLayer) -> Vec<f32> {
    let w = l.expand();
    let (co, ci, k, _) = w.dim();
    let stride = weight_stride(co);
    let mut out = vec![0.0f32; k * k * ci * stride];
    for ((o, i, dy, dx), &v) in w.indexed_iter() {
        out[((dy * k + dx) * ci + i) * stride + o] = v;
    }
    out
}

impl Plan {
    pub fn new(net: &Network) -> Result<Self> {
        let shapes = net.shapes()?;
        let order = net.group.order();
        let mut steps = Vec::new();
        let mut macs = 0u64;
        let mut n = 0;
        while n < net.ops.len() {
            let (c, h, w) = shapes[n];
            let next = |m: usize| net.ops.get(n + m);
            match &net.ops[n] {
                Op::Conv(l) => {
                    let k = l.basis.ksize;
                    let (c_in, c_out) = (l.in_channels(), l.out_channels());
                    let relu = matches!(next(1), Some(Op::Relu));
                    let pool = matches!(next(1 + usize::from(relu)), Some(Op::MaxPool2));
                    macs += (h * w * k * k * c_in * c_out) as u64;
                    steps.push(Step::Conv {
                        h,
                        w,
                        c_in,
                        c_out,
                        k,
                        relu,
                        pool,
                        weights: conv_weights(l),
                    });
                    n += 1 + usize::from(relu) + usize::from(pool);
                }
                Op::Relu => {
                    steps.push(Step::Relu { len: c * h * w });
                    n += 1;
                }
                Op::MaxPool2 => {
                    let relu = matches!(next(1), Some(Op::Relu));
                    steps.push(Step::MaxPool2 { h, w, c, relu });
                    n += 1 + usize::from(relu);
                }
                Op::GroupPool => {
                    steps.push(Step::GroupPool {
                        hw: h * w,
                        c,
                        order,
                    });
                    n += 1;
                }
                Op::GlobalAvgPool => {
                    steps.push(Step::GlobalAvgPool { hw: h * w, c });
                    n += 1;
                }
                Op::Flatten => {
                    // Channels-last and channel-major agree on one channel
                    // or one pixel: nothing to move.
                    if h * w > 1 && c > 1 {
                        steps.push(Step::Flatten { hw: h * w, c });
                    }
                    n += 1;
                }
            }
        }
        let (ic, ih, iw) = shapes[0];
        let map_len = steps
            .iter()
            .map(Step::out_len)
            .chain([ic * ih * iw])
            .max()
            .unwrap_or(1)
            .max(1);
        Ok(Plan {
            input: shapes[0],
            output: *shapes.last().expect("starts non-empty"),
            steps,
            map_len,
            macs,
        })
    }

    /// Values of one image's output.
    pub fn out_len(&self) -> usize {
        let (c, h, w) = self.output;
        c * h * w
    }

    /// Images per chunk at most on a device with `limits`: each activation
    /// buffer within the binding and buffer size limits (and
    /// [`ACTIVATION_BUDGET`]), every dispatch within the per-dimension
    /// workgroup count. Err if not even one image fits.
    pub fn chunk_limit(&self, limits: &wgpu::Limits, block: ConvBlock) -> Result<usize> {
        let max_bytes = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .min(ACTIVATION_BUDGET);
        let mut limit = max_bytes / (4 * self.map_len as u64);
        let groups = u64::from(limits.max_compute_workgroups_per_dimension);
        for step in &self.steps {
            match step.grid(1) {
                Grid::Tiles { rows, cols } => {
                    if cols.div_ceil(u64::from(block.cols)) > groups {
                        return Err(Error::Gpu(format!(
                            "{cols} output channels need more workgroups than the device's {groups} per dimension"
                        )));
                    }
                    limit = limit.min(groups * u64::from(block.rows) / rows.max(1));
                }
                Grid::Values(values) => {
                    let per_dispatch = groups * groups * u64::from(ELEMENT_WORKGROUP);
                    limit = limit.min(per_dispatch / values.max(1));
                }
            }
        }
        if limit == 0 {
            return Err(Error::Gpu(format!(
                "one image's feature map ({} values) exceeds the device's buffer or dispatch limits",
                self.map_len
            )));
        }
        Ok(usize::try_from(limit).unwrap_or(usize::MAX))
    }
}

/// Workgroups `(x, y)` for `values` one-value invocations, and the
/// invocations per grid row (the shaders' `stride`).
pub(super) fn value_grid(values: u64, max_per_dim: u32) -> (u32, u32, u32) {
    let groups = values.div_ceil(u64::from(ELEMENT_WORKGROUP)).max(1);
    let x = groups.min(u64::from(max_per_dim));
    let y = groups.div_ceil(x);
    (x as u32, y as u32, x as u32 * ELEMENT_WORKGROUP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::tasks;

    const TILES: ConvBlock = ConvBlock { rows: 64, cols: 64 };

    #[test]
    fn c8_fuses_relu_and_pooling_into_its_convolutions() {
        let net = tasks::build("rotmnist-c8", 1).unwrap();
        let plan = Plan::new(&net).unwrap();
        let convs: Vec<(bool, bool)> = plan
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Conv { relu, pool, .. } => Some((*relu, *pool)),
                _ => None,
            })
            .collect();
        assert_eq!(
            convs,
            [(true, true), (true, true), (true, false), (false, false)]
        );
        // The 28×28×64 map is pooled in registers: 14×14×64 is the largest.
        assert_eq!(plan.map_len, 14 * 14 * 64);
        assert_eq!(plan.out_len(), 10);
    }

    #[test]
    fn chunks_respect_every_limit() {
        let net = tasks::build("rotmnist-c8", 1).unwrap();
        let plan = Plan::new(&net).unwrap();
        let mut limits = wgpu::Limits::default();
        let bytes = 4 * plan.map_len as u64;
        assert_eq!(
            plan.chunk_limit(&limits, TILES).unwrap() as u64,
            ACTIVATION_BUDGET / bytes
        );
        limits.max_storage_buffer_binding_size = 10 * bytes + 3;
        assert_eq!(plan.chunk_limit(&limits, TILES).unwrap(), 10);
        // The first convolution has 4·14·14 = 784 rows an image, 64 per
        // workgroup: 3 images need 37 workgroups, 4 need 49.
        limits.max_compute_workgroups_per_dimension = 37;
        assert_eq!(plan.chunk_limit(&limits, TILES).unwrap(), 3);
        limits.max_storage_buffer_binding_size = 16;
        assert!(matches!(
            plan.chunk_limit(&limits, TILES),
            Err(Error::Gpu(_))
        ));
    }

    #[test]
    fn value_grids_cover_and_stay_within_the_limit() {
        // Up to max² · 256 values: what `chunk_limit` lets through.
        for (values, max) in [
            (1u64, 65535u32),
            (256, 65535),
            (257, 65535),
            (1 << 27, 1000),
        ] {
            let (x, y, stride) = value_grid(values, max);
            assert!(x <= max && y <= max);
            assert!(u64::from(y) * u64::from(stride) >= values);
            assert!(u64::from(y - 1) * u64::from(stride) < values);
        }
    }
}
