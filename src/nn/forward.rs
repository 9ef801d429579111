//! The forward pass of a network on a batch, with shape checks: the
//! reference ops on `[b, c, h, w]` maps, and `Network::forward` (the fast
//! CPU forward).

use crate::nn::global_avg_pool::global_avg_pool;
use crate::nn::group_pool::group_pool;
use crate::nn::max_pool::max_pool2;
use crate::nn::relu::relu;
use crate::nn::{conv2d_same, Network, Op};
use crate::{Error, Result};
use ndarray::{s, Array4, ArrayView4, Axis};

/// Images per forward chunk, at most: bounds the memory of intermediate
/// maps (a 64-channel 28×28 map is 200 kB per image).
const FORWARD_CHUNK: usize = 256;

/// Values of the largest intermediate map of a chunk, at most (256 MB of
/// f32): wide source networks (c_in·2n fields) get smaller chunks.
const CHUNK_VALUES: usize = 64 << 20;

/// Err unless the images of batch `x` (`[b, c, h, w]`) are `(c, h, w)` =
/// `input`.
pub(crate) fn check_input_shape(input: (usize, usize, usize), x: &ArrayView4<f32>) -> Result<()> {
    let (_, c, h, w) = x.dim();
    if (c, h, w) != input {
        return Err(Error::InvalidArgument(format!(
            "network input must be {input:?} (channels, height, width), got {:?}",
            (c, h, w)
        )));
    }
    Ok(())
}

/// Feature-map shape after `op`, given `(channels, height, width)` before.
pub fn op_output_shape(
    op: &Op,
    group_order: usize,
    shape: (usize, usize, usize),
) -> Result<(usize, usize, usize)> {
    let (c, h, w) = shape;
    Ok(match op {
        Op::Conv(l) => {
            l.validate()?;
            if l.in_channels() != c {
                return Err(Error::Model(format!(
                    "convolution expects {} input channels ({} fields × {}), the feature map has {c}",
                    l.in_channels(),
                    l.c_in,
                    l.basis.in_dim
                )));
            }
            (l.out_channels(), h, w)
        }
        Op::Relu => shape,
        Op::MaxPool2 => {
            if h < 2 || w < 2 {
                return Err(Error::Model(format!("max-pooling a {h}×{w} map")));
            }
            (c, h / 2, w / 2)
        }
        Op::GroupPool => {
            if c % group_order != 0 {
                return Err(Error::Model(format!(
                    "group pooling needs a multiple of |G| = {group_order} channels, got {c}"
                )));
            }
            (c / group_order, h, w)
        }
        Op::GlobalAvgPool => (c, 1, 1),
        Op::Flatten => (c * h * w, 1, 1),
    })
}

/// Applies one op to a batch (no shape validation beyond what the op needs).
pub fn apply_op(op: &Op, group_order: usize, x: ArrayView4<f32>) -> Result<Array4<f32>> {
    Ok(match op {
        Op::Conv(l) => {
            l.validate()?;
            conv2d_same(x, l.expand().view())?
        }
        Op::Relu => relu(x),
        Op::MaxPool2 => max_pool2(x),
        Op::GroupPool => group_pool(x, group_order)?,
        Op::GlobalAvgPool => global_avg_pool(x),
        Op::Flatten => {
            let (b, c, h, w) = x.dim();
            x.as_standard_layout()
                .into_owned()
                .into_shape_with_order((b, c * h * w, 1, 1))
                .expect("standard layout")
        }
    })
}

impl Network {
    /// Number of trainable coefficients α over all layers.
    pub fn num_coefficients(&self) -> usize {
        self.layers().map(|l| l.num_coefficients()).sum()
    }

    /// The equivariant layers, in order.
    pub fn layers(&self) -> impl Iterator<Item = &crate::nn::EquivariantLayer> {
        self.ops.iter().filter_map(|op| match op {
            Op::Conv(l) => Some(l),
            _ => None,
        })
    }

    /// Feature-map shapes: the input's, then the one after each op.
    /// Fails with `Error::Model` when an op does not fit its input.
    pub fn shapes(&self) -> Result<Vec<(usize, usize, usize)>> {
        let order = self.group.order();
        let mut shapes = vec![self.input_shape];
        for (n, op) in self.ops.iter().enumerate() {
            if let Op::Conv(l) = op {
                if l.group != self.group {
                    return Err(Error::Model(format!(
                        "op {n}: layer group {:?} differs from the network's {:?}",
                        l.group, self.group
                    )));
                }
            }
            let last = *shapes.last().expect("starts non-empty");
            let next = op_output_shape(op, order, last).map_err(|e| match e {
                Error::Model(m) => Error::Model(format!("op {n}: {m}")),
                e => e,
            })?;
            shapes.push(next);
        }
        Ok(shapes)
    }

    /// Checks the whole network: layer consistency and shapes.
    pub fn validate(&self) -> Result<()> {
        self.shapes().map(|_| ())
    }

    fn check_input(&self, x: &ArrayView4<f32>) -> Result<()> {
        check_input_shape(self.input_shape, x)
    }

    /// Output of the network on a batch `[b, c, h, w]` (for the classifiers,
    /// logits `[b, 10, 1, 1]`), by the fast CPU forward
    /// ([`CpuForward`](crate::nn::cpu_forward::CpuForward) on all cores).
    /// To run many batches, prepare the network once instead.
    pub fn forward(&self, x: ArrayView4<f32>) -> Result<Array4<f32>> {
        self.check_input(&x)?;
        crate::nn::cpu_forward::CpuForward::new()
            .prepare_cpu(self)?
            .run(x)
    }

    /// [`Network::forward`] by the reference ops ([`apply_op`] on
    /// `[b, c, h, w]` maps, the path training differentiates), in chunks
    /// to bound memory: the fast forward's twin in tests.
    pub fn forward_reference(&self, x: ArrayView4<f32>) -> Result<Array4<f32>> {
        self.check_input(&x)?;
        let shapes = self.shapes()?;
        let (oc, oh, ow) = *shapes.last().expect("starts non-empty");
        let b = x.dim().0;
        let order = self.group.order();
        let widest = shapes.iter().map(|&(c, h, w)| c * h * w).max().unwrap_or(1);
        let chunk = (CHUNK_VALUES / widest.max(1)).clamp(1, FORWARD_CHUNK);
        let mut out = Array4::<f32>::zeros((b, oc, oh, ow));
        let mut start = 0;
        while start < b {
            let end = (start + chunk).min(b);
            let mut h = x.slice(s![start..end, .., .., ..]).to_owned();
            for op in &self.ops {
                h = apply_op(op, order, h.view())?;
            }
            out.slice_mut(s![start..end, .., .., ..]).assign(&h);
            start = end;
        }
        Ok(out)
    }

    /// The network made of its first `ops` ops (all of them if more): its
    /// output is the feature map after those ops.
    pub fn prefix(&self, ops: usize) -> Network {
        Network {
            group: self.group,
            input_shape: self.input_shape,
            ops: self.ops[..ops.min(self.ops.len())].to_vec(),
        }
    }

    /// The predicted class of every image: argmax of the flattened output.
    pub fn predict(&self, x: ArrayView4<f32>) -> Result<Vec<usize>> {
        let y = self.forward(x)?;
        Ok(argmax_rows(y.view()))
    }
}

/// Index of the largest output of each batch row (first on ties).
pub fn argmax_rows(y: ArrayView4<f32>) -> Vec<usize> {
    y.axis_iter(Axis(0))
        .map(|row| {
            let mut best = 0;
            let mut bv = f32::NEG_INFINITY;
            for (i, &v) in row.iter().enumerate() {
                if v > bv {
                    bv = v;
                    best = i;
                }
            }
            best
        })
        .collect()
}
