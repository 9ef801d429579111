//! How each step of the network's [`ForwardPlan`] runs on the GPU: its
//! dispatch grid and uniform block, the kernels' row stride, and how many
//! images one chunk may hold within the device's limits. The steps and
//! their fusions come from the plan (ReLU and 2×2 max-pooling computed in
//! the convolution's epilogue).

use super::kernels::{ConvBlock, ELEMENT_WORKGROUP};
use crate::nn::plan::{ConvStep, ForwardPlan, Step};
use crate::{Error, Result};

/// Bytes of one activation buffer at most (there are two): bounds device
/// memory whatever the batch; larger chunks would not run faster once the
/// device is busy.
pub(super) const ACTIVATION_BUDGET: u64 = 64 << 20;

/// Words in every step's uniform block (conv_common.wgsl's `Params`; the
/// others, per_value.wgsl's, use the first 8).
pub(super) const PARAM_WORDS: usize = 12;

/// Which way a step's work is laid over the dispatch grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grid {
    /// Rows of the convolution's product × output channels, in tiles.
    Tiles { rows: u64, cols: u64 },
    /// One invocation per output value, in rows of workgroups.
    Values(u64),
}

/// Rows of the convolution's product for one image: its pixels, or 4 per
/// pooling window (a pixel that pooling drops is not computed).
fn rows_per_image(c: &ConvStep) -> usize {
    if c.pool {
        4 * (c.h / 2) * (c.w / 2)
    } else {
        c.h * c.w
    }
}

/// A plan step as a dispatch.
pub(super) trait Dispatch {
    /// The work of `n` images.
    fn grid(&self, n: usize) -> Grid;

    /// The uniform block for `n` images; `stride` = invocations per row of
    /// a one-value-per-invocation dispatch.
    fn params(&self, n: usize, stride: u32) -> [u32; PARAM_WORDS];
}

impl Dispatch for Step {
    fn grid(&self, n: usize) -> Grid {
        match self {
            Step::Conv(c) => Grid::Tiles {
                rows: (n * rows_per_image(c)) as u64,
                cols: c.c_out as u64,
            },
            _ => Grid::Values((n * self.out_len()) as u64),
        }
    }

    fn params(&self, n: usize, stride: u32) -> [u32; PARAM_WORDS] {
        let u = |v: usize| v as u32;
        let count = u(n * self.out_len());
        let mut p = [0u32; PARAM_WORDS];
        match *self {
            Step::Conv(ref c) => {
                p.copy_from_slice(&[
                    u(n * rows_per_image(c)),
                    u(c.h),
                    u(c.w),
                    u(c.c_in),
                    u(c.c_out),
                    u(c.k),
                    u(c.depth()),
                    u32::from(c.relu),
                    u32::from(c.pool),
                    u(c.h / 2),
                    u(c.w / 2),
                    u(weight_stride(c.c_out)),
                ]);
            }
            // count, stride, h, w, c, order, relu, hw (per_value.wgsl's Params).
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

/// Floats per row of a convolution's kernels: `c_out` padded so that the
/// kernels read whole blocks of 16 columns (4 vec4) unchecked.
pub(super) fn weight_stride(c_out: usize) -> usize {
    c_out.div_ceil(16) * 16
}

/// Images per chunk at most on a device with `limits`: each activation
/// buffer (of [`ForwardPlan::largest_map`] values an image) within the
/// binding and buffer size limits (and [`ACTIVATION_BUDGET`]), every
/// dispatch within the per-dimension workgroup count. Err if not even one
/// image fits.
pub(super) fn chunk_limit(
    plan: &ForwardPlan,
    limits: &wgpu::Limits,
    block: ConvBlock,
) -> Result<usize> {
    let max_bytes = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size)
        .min(ACTIVATION_BUDGET);
    let map_len = plan.largest_map();
    let mut limit = max_bytes / (4 * map_len as u64);
    let groups = u64::from(limits.max_compute_workgroups_per_dimension);
    for step in &plan.steps {
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
            "one image's feature map ({map_len} values) exceeds the device's buffer or dispatch limits"
        )));
    }
    Ok(usize::try_from(limit).unwrap_or(usize::MAX))
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
    fn chunks_respect_every_limit() {
        let net = tasks::build("rotmnist-c8", 1).unwrap();
        let plan = ForwardPlan::new(&net).unwrap();
        let mut limits = wgpu::Limits::default();
        let bytes = 4 * plan.largest_map() as u64;
        assert_eq!(
            chunk_limit(&plan, &limits, TILES).unwrap() as u64,
            ACTIVATION_BUDGET / bytes
        );
        limits.max_storage_buffer_binding_size = 10 * bytes + 3;
        assert_eq!(chunk_limit(&plan, &limits, TILES).unwrap(), 10);
        // The first convolution has 4·14·14 = 784 rows an image, 64 per
        // workgroup: 3 images need 37 workgroups, 4 need 49.
        limits.max_compute_workgroups_per_dimension = 37;
        assert_eq!(chunk_limit(&plan, &limits, TILES).unwrap(), 3);
        limits.max_storage_buffer_binding_size = 16;
        assert!(matches!(
            chunk_limit(&plan, &limits, TILES),
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
