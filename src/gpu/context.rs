//! The wgpu adapter, device and queue, with failures turned into
//! [`Error::Gpu`] instead of wgpu's default panics.
//!
//! Natively `GpuContext::new()` blocks; on the web, await
//! [`GpuContext::request`] (WebGPU only answers asynchronously).
//!
//! Work that goes through [`GpuContext::submit`] and
//! [`GpuContext::allocate`] can be made to fail on purpose (see
//! [`super::fault`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fault::{self, Fault};
use crate::{Error, Result};

/// A device ready for compute work.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    /// First device-lost or uncaptured error, reported on the next check.
    failure: Arc<Mutex<Option<String>>>,
    /// Kept alive with the device: in the browser, once the instance is
    /// garbage-collected the device is lost ("A valid external Instance
    /// reference no longer exists").
    _instance: wgpu::Instance,
    _adapter: wgpu::Adapter,
    /// The fault to inject, read once at creation.
    fault: Option<Fault>,
    /// Submissions and checked allocations so far (to place the fault).
    submissions: AtomicUsize,
    allocations: AtomicUsize,
}

impl GpuContext {
    /// Finds an adapter (any backend wgpu was built with; `WGPU_BACKEND`
    /// etc. are honoured) and opens a device with WebGPU's default limits.
    pub async fn request() -> Result<Self> {
        let fault = fault::configured()?;
        if fault == Some(Fault::NoAdapter) {
            return Err(Error::Gpu(format!(
                "no GPU adapter (forced by {})",
                fault::ENV_VAR
            )));
        }
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
            _instance: instance,
            _adapter: adapter,
            fault,
            submissions: AtomicUsize::new(0),
            allocations: AtomicUsize::new(0),
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

    /// Submits `commands` to the queue; Err if the device was lost before.
    pub fn submit(&self, commands: wgpu::CommandBuffer) -> Result<()> {
        self.check()?;
        let nth = self.submissions.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(Fault::DeviceLost { submission }) = self.fault {
            if nth == submission {
                let msg = format!(
                    "device lost at submission {nth} (forced by {})",
                    fault::ENV_VAR
                );
                self.record(msg.clone());
                // Lost for real: everything after this fails as it would.
                self.device.destroy();
                return Err(Error::Gpu(msg));
            }
        }
        self.queue.submit([commands]);
        Ok(())
    }

    /// A command encoder with one compute pass, labelled `label`, that
    /// `record` fills; copies may follow before it is submitted.
    pub fn compute_pass(
        &self,
        label: &str,
        record: impl FnOnce(&mut wgpu::ComputePass<'_>),
    ) -> wgpu::CommandEncoder {
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(label),
                timestamp_writes: None,
            });
            record(&mut pass);
        }
        enc
    }

    /// Runs `make` (buffer creation) in out-of-memory and validation error
    /// scopes: Err(Error::Gpu) instead of an uncaptured error when the
    /// device cannot hold what `what` names.
    pub async fn allocate<T>(
        &self,
        what: &str,
        make: impl FnOnce(&wgpu::Device) -> T,
    ) -> Result<T> {
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let invalid = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let made = make(&self.device);
        let (invalid, oom) = (invalid.pop(), oom.pop());
        let nth = self.allocations.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(e) = invalid.await {
            return Err(Error::Gpu(format!("allocating {what}: {e}")));
        }
        if let Some(e) = oom.await {
            return Err(Error::Gpu(format!(
                "out of GPU memory allocating {what}: {e}"
            )));
        }
        if self.fault == Some(Fault::OutOfMemory { allocation: nth }) {
            return Err(Error::Gpu(format!(
                "out of GPU memory allocating {what} (forced by {})",
                fault::ENV_VAR
            )));
        }
        self.check()?;
        Ok(made)
    }

    fn record(&self, msg: String) {
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(msg);
        }
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

/// A buffer of `size` bytes, not mapped at creation (for
/// [`GpuContext::allocate`]'s `make`).
pub fn empty_buffer(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage,
        mapped_at_creation: false,
    })
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
