//! The GPU forward backend: the core's [`crate::nn::ForwardBackend`] on a
//! wgpu device.
//!
//! - `prepare` compiles the network into the core's
//!   [`ForwardPlan`] — the steps the CPU forward
//!   runs, with ReLU and 2×2 max-pooling fused into the convolution before
//!   them — sizes its chunks and dispatches (`dispatch.rs`) and uploads the
//!   kernels once (the plan's `[k·k·c_in, c_out]` layout, padded).
//! - The whole network then runs on the device: maps stay in two
//!   channels-last activation buffers that the steps read and write in
//!   turn, allocated on the first batch for as many images as one chunk
//!   holds and kept across batches. Only the input goes up and only the
//!   output comes back.
//! - A batch is cut into chunks small enough for the device's limits (the
//!   storage binding and buffer sizes, the workgroups per dispatch
//!   dimension; the convolution's tiles follow its workgroup memory): read
//!   from the device, never assumed. [`GpuForward::with_max_chunk`] lowers
//!   the chunk further (tests use it to force several).
//! - The convolution is an implicit matrix product, tiled through
//!   workgroup memory on GPUs and in the browser, read straight from the
//!   buffers on native CPU devices (see [`ConvKernel`]).
//! - Every image is computed alone with the same summation order whatever
//!   its batch or chunk, so its output does not depend on either; against
//!   the CPU forward it differs by rounding only (another order of sums).
//! - Failures are [`Error::Gpu`](crate::Error::Gpu): no adapter, a lost
//!   device, out-of-memory on allocation (see [`super::fault`] to force
//!   each). Callers fall back to the CPU forward.
//!
//! Natively [`GpuForward`] implements `ForwardBackend` (blocking); the
//! web awaits [`GpuForward::prepare_async`] and
//! [`GpuPrepared::output_async`] / [`GpuPrepared::logits_async`].

mod dispatch;
mod kernels;
mod prepared;

use std::sync::Arc;

pub use kernels::{ConvKernel, Tiles};
pub use prepared::GpuPrepared;

use crate::gpu::GpuContext;
use crate::nn::{ForwardPlan, Network};
use crate::Result;

/// The GPU forward on one device; pipelines compiled once.
#[derive(Clone)]
pub struct GpuForward {
    ctx: Arc<GpuContext>,
    kernels: Arc<kernels::Kernels>,
    max_chunk: usize,
}

impl GpuForward {
    /// Compiles the forward's pipelines on `ctx`'s device, with the
    /// convolution kernel that suits it ([`ConvKernel::for_device`]).
    pub async fn with_context(ctx: Arc<GpuContext>) -> Result<Self> {
        Self::build(ctx, None).await
    }

    /// [`GpuForward::with_context`] with a given convolution kernel (tests
    /// run both kernels on any device).
    pub async fn with_conv_kernel(ctx: Arc<GpuContext>, kernel: ConvKernel) -> Result<Self> {
        Self::build(ctx, Some(kernel)).await
    }

    async fn build(ctx: Arc<GpuContext>, kernel: Option<ConvKernel>) -> Result<Self> {
        let kernels = Arc::new(kernels::Kernels::new(&ctx, kernel).await?);
        Ok(Self {
            ctx,
            kernels,
            max_chunk: usize::MAX,
        })
    }

    /// Opens the default adapter and compiles the pipelines (async: the web).
    // In wasm the context is not Send (the browser's objects), and there is
    // one thread: the Arc is only shared between the forward and its
    // prepared networks.
    #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
    pub async fn request() -> Result<Self> {
        Self::with_context(Arc::new(GpuContext::request().await?)).await
    }

    /// Blocking [`GpuForward::with_context`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(ctx: Arc<GpuContext>) -> Result<Self> {
        pollster::block_on(Self::with_context(ctx))
    }

    /// Blocking [`GpuForward::request`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open() -> Result<Self> {
        pollster::block_on(Self::request())
    }

    /// At most `images` images per chunk (at least 1), below what the
    /// device's limits allow.
    pub fn with_max_chunk(mut self, images: usize) -> Self {
        self.max_chunk = images.max(1);
        self
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// The convolution kernel in use.
    pub fn conv_kernel(&self) -> ConvKernel {
        self.kernels.conv_kernel
    }

    /// [`ForwardBackend::prepare`](crate::nn::ForwardBackend::prepare) without the box, async.
    pub async fn prepare_async(&self, net: &Network) -> Result<GpuPrepared> {
        let plan = ForwardPlan::new(net)?;
        let limits = self.ctx.device.limits();
        let chunk = dispatch::chunk_limit(&plan, &limits, self.kernels.conv_kernel.block())?
            .min(self.max_chunk);
        GpuPrepared::new(self.ctx.clone(), self.kernels.clone(), net, plan, chunk).await
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl crate::nn::ForwardBackend for GpuForward {
    fn name(&self) -> &str {
        "gpu"
    }

    fn prepare(&self, net: &Network) -> Result<Box<dyn crate::nn::PreparedForward>> {
        Ok(Box::new(pollster::block_on(self.prepare_async(net))?))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl crate::nn::PreparedForward for GpuPrepared {
    fn backend(&self) -> &str {
        "gpu"
    }

    fn output(&mut self, x: ndarray::ArrayView4<f32>) -> Result<ndarray::Array4<f32>> {
        pollster::block_on(self.output_async(x))
    }
}
