//! The forward plan: a network compiled once into the steps that both fast
//! forwards execute — the CPU's ([`crate::nn::cpu_forward`]) and the GPU's
//! (outside the core) — with every step's shapes and the fusions. The
//! fusion rule lives here alone, so the two cannot drift apart.
//!
//! - A convolution absorbs the ReLU and the 2×2 max-pool that follow it
//!   (conv → ReLU → pool, conv → ReLU, conv → pool): a backend applies them
//!   to the product's output while it is in cache or in registers, so the
//!   full-size map is never stored.
//! - A 2×2 max-pool absorbs a ReLU that follows it (max and σ commute).
//! - A `Flatten` that moves nothing (one channel, or one pixel: channels-last
//!   and channel-major agree) is dropped.
//! - Maps between steps are channels-last, `[image][h][w][c]`; `Flatten`
//!   writes the reference's channel-major order.
//!
//! The plan holds shapes only. Each backend adds its own sizing (the CPU's
//! tiles and products, the GPU's chunks and dispatch grids), lays out the
//! kernels ([`ConvStep::kernels`]) and executes the steps in order.

use crate::nn::forward::check_input_shape;
use crate::nn::{Network, Op};
use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

/// A convolution with the ReLU and the max-pool that follow it fused in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvStep {
    /// Index of the convolution in the network's ops.
    pub op: usize,
    /// Input grid.
    pub h: usize,
    pub w: usize,
    pub c_in: usize,
    pub c_out: usize,
    /// Kernel size (odd; "same" zero padding).
    pub k: usize,
    /// σ on the output.
    pub relu: bool,
    /// 2×2 max-pool (stride 2) of the (rectified) output.
    pub pool: bool,
}

/// One step of a plan, on channels-last maps of one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Conv(ConvStep),
    /// σ on maps of `len` values.
    Relu {
        len: usize,
    },
    /// 2×2 max-pool, stride 2 (an odd last row or column dropped), then σ
    /// if `relu`.
    MaxPool2 {
        h: usize,
        w: usize,
        c: usize,
        relu: bool,
    },
    /// Max over each regular field's `order` consecutive channels.
    GroupPool {
        hw: usize,
        c: usize,
        order: usize,
    },
    /// Mean over the `hw` pixels.
    GlobalAvgPool {
        hw: usize,
        c: usize,
    },
    /// `[hw][c]` → `[c·hw]` in the reference's (channel-major) order.
    Flatten {
        hw: usize,
        c: usize,
    },
}

/// A network compiled into fused steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardPlan {
    /// Input `(channels, height, width)`.
    pub input: (usize, usize, usize),
    /// Output `(channels, height, width)`.
    pub output: (usize, usize, usize),
    /// The map before each op of the network and after the last, unfused
    /// ([`Network::shapes`]).
    pub shapes: Vec<(usize, usize, usize)>,
    pub steps: Vec<Step>,
    /// Multiply-accumulates of one image (the convolutions', on the full
    /// grid even where pooling drops a row or column).
    pub macs: u64,
}

impl ConvStep {
    /// Depth of the convolution's product: `k·k·c_in`.
    pub fn depth(&self) -> usize {
        self.k * self.k * self.c_in
    }

    /// Output values of one image (after pooling, if fused).
    pub fn out_len(&self) -> usize {
        if self.pool {
            (self.h / 2) * (self.w / 2) * self.c_out
        } else {
            self.h * self.w * self.c_out
        }
    }

    /// The layer's expanded kernels as the right-hand side of the product,
    /// `[k·k·c_in, stride]`: row (dy·k + dx)·c_in + i holds W[·, i, dy, dx],
    /// then zeros up to `stride` (≥ `c_out`) columns. `net` is the network
    /// the plan was built from.
    pub fn kernels(&self, net: &Network, stride: usize) -> Result<Vec<f32>> {
        let Some(Op::Conv(layer)) = net.ops.get(self.op) else {
            return Err(Error::InvalidArgument(format!(
                "op {} of the network is not the plan's convolution",
                self.op
            )));
        };
        let w = layer.expand();
        let (co, ci, k, _) = w.dim();
        if (co, ci, k) != (self.c_out, self.c_in, self.k) || stride < co {
            return Err(Error::InvalidArgument(format!(
                "op {}: kernels {:?} do not match the plan's {:?} (stride {stride})",
                self.op,
                (co, ci, k),
                (self.c_out, self.c_in, self.k)
            )));
        }
        let mut out = vec![0.0f32; k * k * ci * stride];
        for ((o, i, dy, dx), &v) in w.indexed_iter() {
            out[((dy * k + dx) * ci + i) * stride + o] = v;
        }
        Ok(out)
    }
}

impl Step {
    /// Output values of one image.
    pub fn out_len(&self) -> usize {
        match *self {
            Step::Conv(ref c) => c.out_len(),
            Step::Relu { len } => len,
            Step::MaxPool2 { h, w, c, .. } => (h / 2) * (w / 2) * c,
            Step::GroupPool { hw, c, order } => hw * (c / order),
            Step::GlobalAvgPool { c, .. } => c,
            Step::Flatten { hw, c } => hw * c,
        }
    }
}

impl ForwardPlan {
    /// Validates `net` ([`Network::shapes`]) and compiles it.
    pub fn new(net: &Network) -> Result<Self> {
        let shapes = net.shapes()?;
        let order = net.group.order();
        let is = |n: usize, op: fn(&Op) -> bool| net.ops.get(n).is_some_and(op);
        let relu_at = |n: usize| is(n, |op| matches!(op, Op::Relu));
        let pool_at = |n: usize| is(n, |op| matches!(op, Op::MaxPool2));
        let mut steps = Vec::new();
        let mut macs = 0u64;
        let mut n = 0;
        while n < net.ops.len() {
            let (c, h, w) = shapes[n];
            match &net.ops[n] {
                Op::Conv(l) => {
                    let k = l.basis.ksize;
                    let (c_in, c_out) = (l.in_channels(), l.out_channels());
                    let relu = relu_at(n + 1);
                    let pool = pool_at(n + 1 + usize::from(relu));
                    macs += (h * w * k * k * c_in * c_out) as u64;
                    steps.push(Step::Conv(ConvStep {
                        op: n,
                        h,
                        w,
                        c_in,
                        c_out,
                        k,
                        relu,
                        pool,
                    }));
                    n += 1 + usize::from(relu) + usize::from(pool);
                }
                Op::Relu => {
                    steps.push(Step::Relu { len: c * h * w });
                    n += 1;
                }
                Op::MaxPool2 => {
                    let relu = relu_at(n + 1);
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
                    if h * w > 1 && c > 1 {
                        steps.push(Step::Flatten { hw: h * w, c });
                    }
                    n += 1;
                }
            }
        }
        Ok(Self {
            input: shapes[0],
            output: *shapes.last().expect("starts non-empty"),
            shapes,
            steps,
            macs,
        })
    }

    /// The zero output `[b, c, h, w]` for a batch `x`; Err unless `x`'s
    /// images have the plan's input shape.
    pub fn zero_output(&self, x: &ArrayView4<f32>) -> Result<Array4<f32>> {
        check_input_shape(self.input, x)?;
        let (oc, oh, ow) = self.output;
        Ok(Array4::zeros((x.dim().0, oc, oh, ow)))
    }

    /// Values of one image's input.
    pub fn in_len(&self) -> usize {
        let (c, h, w) = self.input;
        c * h * w
    }

    /// Values of one image's output.
    pub fn out_len(&self) -> usize {
        let (c, h, w) = self.output;
        c * h * w
    }

    /// Values of the largest map that a step reads or writes, one image (at
    /// least 1): a fused convolution's full-size output is not among them.
    pub fn largest_map(&self) -> usize {
        self.steps
            .iter()
            .map(Step::out_len)
            .chain([self.in_len()])
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// Values of the largest map of the unfused network, one image (at
    /// least 1).
    pub fn largest_unfused_map(&self) -> usize {
        self.shapes
            .iter()
            .map(|&(c, h, w)| c * h * w)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// The convolution steps.
    pub fn convs(&self) -> impl Iterator<Item = &ConvStep> {
        self.steps.iter().filter_map(|s| match s {
            Step::Conv(c) => Some(c),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::tasks;

    #[test]
    fn c8_fuses_relu_and_pooling_into_its_convolutions() {
        let net = tasks::build("rotmnist-c8", 1).unwrap();
        let plan = ForwardPlan::new(&net).unwrap();
        let convs: Vec<(bool, bool)> = plan.convs().map(|c| (c.relu, c.pool)).collect();
        assert_eq!(
            convs,
            [(true, true), (true, true), (true, false), (false, false)]
        );
        // The 28×28×64 map is pooled as it is computed: 14×14×64 is the
        // largest a step writes.
        assert_eq!(plan.largest_map(), 14 * 14 * 64);
        assert_eq!(plan.largest_unfused_map(), 28 * 28 * 64);
        assert_eq!(plan.out_len(), 10);
        for c in plan.convs() {
            assert!(matches!(net.ops[c.op], Op::Conv(_)));
        }
    }

    #[test]
    fn a_flatten_that_moves_nothing_is_dropped() {
        // The MLP flattens a one-channel image: the order is already the
        // reference's.
        let net = tasks::build("rotmnist-mlp", 1).unwrap();
        assert!(matches!(net.ops[0], Op::Flatten));
        let plan = ForwardPlan::new(&net).unwrap();
        let convs: Vec<(usize, bool, bool)> =
            plan.convs().map(|c| (c.op, c.relu, c.pool)).collect();
        assert_eq!(convs, [(1, true, false), (3, false, false)]);
        assert_eq!(plan.steps.len(), 2);
        assert_eq!(plan.input, (1, 28, 28));
        assert_eq!(plan.output, (10, 1, 1));
    }

    #[test]
    fn kernels_are_laid_out_row_by_tap_and_padded() {
        let net = tasks::build("rotmnist-c8", 1).unwrap();
        let plan = ForwardPlan::new(&net).unwrap();
        let conv = plan.convs().nth(1).unwrap();
        let Op::Conv(layer) = &net.ops[conv.op] else {
            unreachable!()
        };
        let w = layer.expand();
        let stride = conv.c_out + 3;
        let rows = conv.kernels(&net, stride).unwrap();
        assert_eq!(rows.len(), conv.depth() * stride);
        let (k, ci) = (conv.k, conv.c_in);
        for ((o, i, dy, dx), &v) in w.indexed_iter() {
            assert_eq!(rows[((dy * k + dx) * ci + i) * stride + o], v);
        }
        for row in rows.chunks_exact(stride) {
            assert!(row[conv.c_out..].iter().all(|&v| v == 0.0));
        }
        assert!(conv.kernels(&net, conv.c_out - 1).is_err());
        assert!(plan.convs().next().unwrap().op != conv.op);
    }
}
