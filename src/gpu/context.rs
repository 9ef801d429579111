//! The wgpu adapter, device and queue, with failures turned into
//! [`Error::Gpu`] instead of wgpu's default panics.
//!
//! Natively `GpuContext::new()` blocks; on the web, await
//! [`GpuContext::request`] (WebGPU only answers asynchronously).

use std::sync::{Arc, Mutex};

use crate::{Error, Result};

/// A device ready for compute work.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    /// First device-lost or uncaptured error, reported on the next check.
    failure: Arc<Mutex<Option<String>>>,
}

impl GpuContext {
    /// Finds an adapter (any backend wgpu was built with; `WGPU_BACKEND`
    /// etc. are honoured) and opens a device with WebGPU's default limits.
    pub async fn request() -> Result<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu(format!("no GPU adapter ({e})")))?;
        let info = adapter.get_info();
        let downlevel = adapter.get_downlevel_capabilities();
        if !downlevel
            .flags
            .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
        {
            return Err(Error::Gpu(format!(
                "no GPU adapter with compute shaders (found {})",
                describe(&info)
            )));
        }
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("eslt"),
                required_limits: wgpu::Limits::default(),
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu(format!("cannot open {}: {e}", describe(&info))))?;
        let failure = Arc::new(Mutex::new(None::<String>));
        let record = |failure: &Arc<Mutex<Option<String>>>, msg: String| {
            if let Ok(mut slot) = failure.lock() {
                slot.get_or_insert(msg);
            }
        };
        let f = failure.clone();
        device.set_device_lost_callback(move |reason, msg| {
            record(&f, format!("device lost ({reason:?}): {msg}"));
        });
        let f = failure.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            record(&f, e.to_string());
        }));
        Ok(Self {
            device,
            queue,
            info,
            failure,
        })
    }

    /// Blocking [`GpuContext::request`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new() -> Result<Self> {
        pollster::block_on(Self::request())
    }

    /// The adapter, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)".
    pub fn describe(&self) -> String {
        describe(&self.info)
    }

    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// Err if the device was lost or reported an error since the last check.
    pub fn check(&self) -> Result<()> {
        match self.failure.lock() {
            Ok(mut slot) => match slot.take() {
                Some(msg) => Err(Error::Gpu(msg)),
                None => Ok(()),
            },
            Err(_) => Err(Error::Gpu("error state poisoned".into())),
        }
    }
}

fn describe(info: &wgpu::AdapterInfo) -> String {
    // Browsers hide the adapter's name.
    let name = if info.name.is_empty() {
        "unnamed adapter"
    } else {
        &info.name
    };
    format!("{name} ({:?}, {:?})", info.backend, info.device_type)
}
