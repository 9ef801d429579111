//! A network prepared on the device: kernels and parameter blocks uploaded
//! once, two activation buffers (ping-pong) and a read-back buffer that
//! live as long as it does, and the batch run chunk by chunk through them.

use std::sync::Arc;

use ndarray::{s, Array4, ArrayView4};
use wgpu::util::DeviceExt;

use super::dispatch::{value_grid, weight_stride, Dispatch, Grid, PARAM_WORDS};
use super::kernels::Kernels;
use crate::gpu::context::empty_buffer;
use crate::gpu::readback::read_mapped;
use crate::gpu::GpuContext;
use crate::nn::nhwc;
use crate::nn::plan::{ForwardPlan, Step};
use crate::nn::Network;
use crate::{Error, Result};

/// A network ready to run on the GPU (see [`super::GpuForward`]).
pub struct GpuPrepared {
    ctx: Arc<GpuContext>,
    kernels: Arc<Kernels>,
    plan: ForwardPlan,
    /// Values of one image's largest map (the activation buffers').
    map_len: usize,
    /// Images per chunk at most (device limits, or the forward's cap).
    chunk: usize,
    /// Per step: its expanded kernels (convolutions) and uniform block.
    weights: Vec<Option<wgpu::Buffer>>,
    params: Vec<wgpu::Buffer>,
    /// Sized for the largest chunk run so far.
    buffers: Option<Activations>,
    /// The image count the uniform blocks were last written for.
    params_for: usize,
    /// The chunk's input, channels-last (reused).
    staged: Vec<f32>,
}

/// Buffers for `images` images, and each step's bind group over them.
struct Activations {
    images: usize,
    maps: [wgpu::Buffer; 2],
    readback: wgpu::Buffer,
    bind_groups: Vec<wgpu::BindGroup>,
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

impl GpuPrepared {
    pub(super) async fn new(
        ctx: Arc<GpuContext>,
        kernels: Arc<Kernels>,
        net: &Network,
        plan: ForwardPlan,
        chunk: usize,
    ) -> Result<Self> {
        let expanded = plan
            .steps
            .iter()
            .map(|step| match step {
                Step::Conv(c) => c.kernels(net, weight_stride(c.c_out)).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        let (weights, params) = ctx
            .allocate("the network's kernels", |device| {
                let weights: Vec<Option<wgpu::Buffer>> = expanded
                    .iter()
                    .map(|rows| {
                        rows.as_ref().map(|rows| {
                            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                                label: Some("kernels"),
                                contents: bytemuck::cast_slice(rows),
                                usage: wgpu::BufferUsages::STORAGE,
                            })
                        })
                    })
                    .collect();
                let params: Vec<wgpu::Buffer> = plan
                    .steps
                    .iter()
                    .map(|_| {
                        let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
                        empty_buffer(device, "step params", (PARAM_WORDS * 4) as u64, usage)
                    })
                    .collect();
                (weights, params)
            })
            .await?;
        Ok(Self {
            ctx,
            kernels,
            map_len: plan.largest_map(),
            plan,
            chunk,
            weights,
            params,
            buffers: None,
            params_for: 0,
            staged: Vec::new(),
        })
    }

    /// Images per chunk at most.
    pub fn chunk(&self) -> usize {
        self.chunk
    }

    /// Multiply-accumulates of one image (the convolutions', counted on
    /// the full grid as the CPU forward counts them).
    pub fn macs_per_image(&self) -> u64 {
        self.plan.macs
    }

    /// The device it runs on.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// The network's output `[b, c, h, w]` on `x` (see
    /// [`crate::nn::PreparedForward::output`]); the async path the web
    /// needs (natively it blocks inside on `device.poll`).
    pub async fn output_async(&mut self, x: ArrayView4<'_, f32>) -> Result<Array4<f32>> {
        let mut y = self.plan.zero_output(&x)?;
        let b = x.dim().0;
        let out_len = self.plan.out_len();
        if b == 0 || out_len == 0 {
            return Ok(y);
        }
        self.ensure_buffers(b.min(self.chunk)).await?;
        let ys = y.as_slice_mut().expect("fresh array is contiguous");
        let mut start = 0;
        while start < b {
            let n = self.chunk.min(b - start);
            let chunk = x.slice(s![start..start + n, .., .., ..]);
            let out = &mut ys[start * out_len..(start + n) * out_len];
            self.run_chunk(chunk, out).await?;
            start += n;
        }
        Ok(y)
    }

    /// The logits `[b, classes]` flattened row by row (what the run and the
    /// page take).
    pub async fn logits_async(&mut self, x: ArrayView4<'_, f32>) -> Result<Vec<f32>> {
        Ok(self.output_async(x).await?.into_iter().collect())
    }

    /// (Re)allocates the activation buffers for `images` images unless the
    /// current ones hold that many.
    async fn ensure_buffers(&mut self, images: usize) -> Result<()> {
        if self.buffers.as_ref().is_some_and(|a| a.images >= images) {
            return Ok(());
        }
        // Free the old ones before asking for more.
        self.buffers = None;
        let map_bytes = (images * self.map_len * 4) as u64;
        let out_bytes = (images * self.plan.out_len() * 4) as u64;
        let (maps, readback) = self
            .ctx
            .allocate("activation buffers", |device| {
                use wgpu::BufferUsages as U;
                let make =
                    |label: &str, size: u64, usage: U| empty_buffer(device, label, size, usage);
                let usage = U::STORAGE | U::COPY_DST | U::COPY_SRC;
                (
                    [
                        make("map A", map_bytes, usage),
                        make("map B", map_bytes, usage),
                    ],
                    make("readback", out_bytes, U::MAP_READ | U::COPY_DST),
                )
            })
            .await?;
        let device = &self.ctx.device;
        let k = &self.kernels;
        let bind_groups = self
            .plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let (src, dst) = (&maps[i % 2], &maps[(i + 1) % 2]);
                let pipeline = pipeline(k, step);
                let entries = match &self.weights[i] {
                    Some(wts) => vec![
                        entry(0, src),
                        entry(1, wts),
                        entry(2, dst),
                        entry(3, &self.params[i]),
                    ],
                    None => vec![entry(0, src), entry(1, dst), entry(2, &self.params[i])],
                };
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("step"),
                    layout: &pipeline.get_bind_group_layout(0),
                    entries: &entries,
                })
            })
            .collect();
        self.buffers = Some(Activations {
            images,
            maps,
            readback,
            bind_groups,
        });
        Ok(())
    }

    /// Runs the network on the `n ≤ chunk` images of `x` in one submission
    /// and writes their outputs (reference layout) to `out`.
    async fn run_chunk(&mut self, x: ArrayView4<'_, f32>, out: &mut [f32]) -> Result<()> {
        let n = x.dim().0;
        let max_groups = self
            .ctx
            .device
            .limits()
            .max_compute_workgroups_per_dimension;
        let block = self.kernels.conv_kernel.block();
        let q = &self.ctx.queue;
        if self.params_for != n {
            for (step, buf) in self.plan.steps.iter().zip(&self.params) {
                let stride = match step.grid(n) {
                    Grid::Values(v) => value_grid(v, max_groups).2,
                    Grid::Tiles { .. } => 0,
                };
                q.write_buffer(buf, 0, bytemuck::cast_slice(&step.params(n, stride)));
            }
            self.params_for = n;
        }
        stage_channels_last(x, &mut self.staged);
        let bufs = self
            .buffers
            .as_ref()
            .ok_or_else(|| Error::Gpu("activation buffers missing".into()))?;
        q.write_buffer(&bufs.maps[0], 0, bytemuck::cast_slice(&self.staged));
        let kernels = &self.kernels;
        let mut enc = self.ctx.compute_pass("forward", |pass| {
            for (step, group) in self.plan.steps.iter().zip(&bufs.bind_groups) {
                pass.set_pipeline(pipeline(kernels, step));
                pass.set_bind_group(0, group, &[]);
                let (gx, gy) = match step.grid(n) {
                    Grid::Tiles { rows, cols } => (
                        rows.div_ceil(u64::from(block.rows)) as u32,
                        cols.div_ceil(u64::from(block.cols)) as u32,
                    ),
                    Grid::Values(v) => {
                        let (gx, gy, _) = value_grid(v, max_groups);
                        (gx, gy)
                    }
                };
                pass.dispatch_workgroups(gx, gy, 1);
            }
        });
        let out_len = self.plan.out_len();
        let bytes = (n * out_len * 4) as u64;
        let last = &bufs.maps[self.plan.steps.len() % 2];
        enc.copy_buffer_to_buffer(last, 0, &bufs.readback, 0, bytes);
        self.ctx.submit(enc.finish())?;
        let (oc, oh, ow) = self.plan.output;
        read_mapped(&self.ctx, &bufs.readback, bytes, |raw| {
            let values: &[f32] = bytemuck::cast_slice(raw);
            for (src, dst) in values
                .chunks_exact(out_len)
                .zip(out.chunks_exact_mut(out_len))
            {
                nhwc::to_chw(src, oh * ow, oc, dst);
            }
        })
        .await
    }
}

fn pipeline<'a>(k: &'a Kernels, step: &Step) -> &'a wgpu::ComputePipeline {
    match step {
        Step::Conv(_) => &k.conv,
        Step::MaxPool2 { .. } => &k.max_pool2,
        Step::GroupPool { .. } => &k.group_pool,
        Step::GlobalAvgPool { .. } => &k.global_avg_pool,
        Step::Flatten { .. } => &k.flatten,
        Step::Relu { .. } => &k.relu,
    }
}

/// `x` `[n, c, h, w]` (any strides) into `dst` as `[n][h][w][c]`.
fn stage_channels_last(x: ArrayView4<'_, f32>, dst: &mut Vec<f32>) {
    let (n, c, h, w) = x.dim();
    let len = c * h * w;
    dst.clear();
    dst.resize(n * len, 0.0);
    if len == 0 {
        return;
    }
    for (img, d) in x.outer_iter().zip(dst.chunks_exact_mut(len)) {
        nhwc::from_chw(img, d);
    }
}
