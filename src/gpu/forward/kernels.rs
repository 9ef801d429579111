//! The forward's compute pipelines, compiled once per device, and the
//! convolution's kernel: tiled through workgroup memory (conv.wgsl, tile
//! sizes chosen from the device's limits) on GPUs, direct from the buffers
//! (conv_direct.wgsl) on native devices that are CPUs, where workgroup memory
//! buys nothing and each barrier costs a switch between invocations (on
//! lavapipe, a 256-digit batch of rotmnist-c8 took ~30 s tiled, 3–6 s
//! direct, on a loaded 2-core machine).

use crate::gpu::GpuContext;
use crate::{Error, Result};

/// The parameter block, bindings and row → pixel map of both convolution
/// kernels, put in front of each (WGSL has no imports).
const CONV_COMMON: &str = include_str!("../shaders/conv_common.wgsl");

/// The parameter block and bindings of the one-value-per-invocation
/// kernels (pool.wgsl, reshape.wgsl), put in front of each.
const PER_VALUE: &str = include_str!("../shaders/per_value.wgsl");

/// Invocations per workgroup of the one-value-per-invocation kernels
/// (`@workgroup_size(256)` in pool.wgsl and reshape.wgsl).
pub(super) const ELEMENT_WORKGROUP: u32 = 256;

/// The convolution's tiles: `tm` × `tn` outputs per workgroup (4×4 per
/// invocation), `tk` depth per step through workgroup memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tiles {
    pub tm: u32,
    pub tn: u32,
    pub tk: u32,
}

/// Largest first: a deeper `tk` halves the barriers per product, which is
/// what costs most on a CPU device (lavapipe).
const CANDIDATES: [Tiles; 4] = [
    Tiles {
        tm: 64,
        tn: 64,
        tk: 32,
    },
    Tiles {
        tm: 64,
        tn: 64,
        tk: 16,
    },
    Tiles {
        tm: 32,
        tn: 32,
        tk: 16,
    },
    Tiles {
        tm: 16,
        tn: 16,
        tk: 8,
    },
];

impl Tiles {
    /// Workgroup memory of the two tiles.
    pub fn workgroup_bytes(&self) -> u32 {
        (self.tm * self.tk + self.tk * self.tn) * 4
    }

    pub fn invocations(&self) -> u32 {
        (self.tm / 4) * (self.tn / 4)
    }

    /// The largest tiles that `limits` allow.
    pub fn for_limits(limits: &wgpu::Limits) -> Result<Self> {
        CANDIDATES
            .into_iter()
            .find(|t| {
                t.workgroup_bytes() <= limits.max_compute_workgroup_storage_size
                    && t.invocations() <= limits.max_compute_invocations_per_workgroup
                    && t.tn / 4 <= limits.max_compute_workgroup_size_x
                    && t.tm / 4 <= limits.max_compute_workgroup_size_y
            })
            .ok_or_else(|| {
                Error::Gpu(format!(
                    "the device's compute limits ({} B workgroup memory, {} invocations) are below any convolution tile",
                    limits.max_compute_workgroup_storage_size,
                    limits.max_compute_invocations_per_workgroup
                ))
            })
    }

    /// The WGSL constants conv.wgsl expects before its source.
    fn header(&self) -> String {
        format!(
            "const TM: u32 = {}u;\nconst TN: u32 = {}u;\nconst TK: u32 = {}u;\n",
            self.tm, self.tn, self.tk
        )
    }
}

/// Which convolution kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvKernel {
    /// conv.wgsl: tiles in workgroup memory.
    Tiled(Tiles),
    /// conv_direct.wgsl: operands from the buffers, 4×16 outputs an
    /// invocation, 64 invocations a workgroup.
    Direct,
}

/// Outputs of the convolution's product that one workgroup computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvBlock {
    pub rows: u32,
    pub cols: u32,
}

impl ConvKernel {
    /// Direct on a native CPU device (lavapipe), tiled (largest tiles the
    /// limits allow) elsewhere. In the browser the tiled kernel also serves
    /// CPU devices: Chromium's SwiftShader took minutes to compile the
    /// direct kernel and lost the device.
    pub fn for_device(info: &wgpu::AdapterInfo, limits: &wgpu::Limits) -> Result<Self> {
        let native = info.backend != wgpu::Backend::BrowserWebGpu;
        if native && info.device_type == wgpu::DeviceType::Cpu {
            Ok(ConvKernel::Direct)
        } else {
            Ok(ConvKernel::Tiled(Tiles::for_limits(limits)?))
        }
    }

    pub fn block(&self) -> ConvBlock {
        match *self {
            ConvKernel::Tiled(t) => ConvBlock {
                rows: t.tm,
                cols: t.tn,
            },
            ConvKernel::Direct => ConvBlock {
                rows: 1024,
                cols: 16,
            },
        }
    }
}

/// Every pipeline the forward dispatches.
pub(super) struct Kernels {
    pub conv_kernel: ConvKernel,
    pub conv: wgpu::ComputePipeline,
    pub max_pool2: wgpu::ComputePipeline,
    pub group_pool: wgpu::ComputePipeline,
    pub global_avg_pool: wgpu::ComputePipeline,
    pub relu: wgpu::ComputePipeline,
    pub flatten: wgpu::ComputePipeline,
}

impl Kernels {
    /// `kernel` None: [`ConvKernel::for_device`].
    pub async fn new(ctx: &GpuContext, kernel: Option<ConvKernel>) -> Result<Self> {
        let conv_kernel = match kernel {
            Some(k) => k,
            None => ConvKernel::for_device(ctx.adapter_info(), &ctx.device.limits())?,
        };
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = |label: &str, source: String| {
            ctx.device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(label),
                    source: wgpu::ShaderSource::Wgsl(source.into()),
                })
        };
        let conv = match conv_kernel {
            ConvKernel::Tiled(tiles) => module(
                "conv.wgsl",
                tiles.header() + CONV_COMMON + include_str!("../shaders/conv.wgsl"),
            ),
            ConvKernel::Direct => module(
                "conv_direct.wgsl",
                [CONV_COMMON, include_str!("../shaders/conv_direct.wgsl")].concat(),
            ),
        };
        let pool = module(
            "pool.wgsl",
            [PER_VALUE, include_str!("../shaders/pool.wgsl")].concat(),
        );
        let reshape = module(
            "reshape.wgsl",
            [PER_VALUE, include_str!("../shaders/reshape.wgsl")].concat(),
        );
        let pipeline = |module: &wgpu::ShaderModule, entry: &str| {
            ctx.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: None,
                    module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
        };
        let kernels = Self {
            conv_kernel,
            conv: pipeline(&conv, "main"),
            max_pool2: pipeline(&pool, "max_pool2"),
            group_pool: pipeline(&pool, "group_pool"),
            global_avg_pool: pipeline(&pool, "global_avg_pool"),
            relu: pipeline(&reshape, "relu"),
            flatten: pipeline(&reshape, "flatten"),
        };
        if let Some(e) = scope.pop().await {
            return Err(Error::Gpu(format!("forward shaders: {e}")));
        }
        ctx.check()?;
        Ok(kernels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_follow_the_limits() {
        let mut limits = wgpu::Limits::default();
        assert_eq!(Tiles::for_limits(&limits).unwrap(), CANDIDATES[0]);
        limits.max_compute_workgroup_storage_size = 8192;
        assert_eq!(Tiles::for_limits(&limits).unwrap(), CANDIDATES[1]);
        limits.max_compute_invocations_per_workgroup = 64;
        assert_eq!(Tiles::for_limits(&limits).unwrap(), CANDIDATES[2]);
        limits.max_compute_workgroup_storage_size = 100;
        assert!(matches!(Tiles::for_limits(&limits), Err(Error::Gpu(_))));
    }

    #[test]
    fn tiles_meet_the_shader_contract() {
        for t in CANDIDATES {
            assert!(t.tm % 16 == 0 && t.tn % 16 == 0, "{t:?}");
            assert!(t.tk % (t.tm / 16) == 0 && t.tk % (t.tn / 16) == 0, "{t:?}");
        }
    }
}
