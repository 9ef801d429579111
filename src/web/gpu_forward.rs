//! `WebGpuForward`: the GPU forward pass for the page, on WebGPU (the
//! native GPU forward's async path; WebGPU reads results back only
//! asynchronously). Without WebGPU, `create` rejects and the page keeps
//! the CPU forward.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Promise};
use ndarray::ArrayView4;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::gpu::{fault, GpuForward, GpuPrepared};
use crate::nn::model;
use crate::Error;

/// A model prepared on the WebGPU device.
#[wasm_bindgen]
pub struct WebGpuForward {
    prepared: Rc<RefCell<GpuPrepared>>,
    input: (usize, usize, usize),
    adapter: String,
}

#[wasm_bindgen]
impl WebGpuForward {
    /// Opens a WebGPU device and prepares the model in `model_json`;
    /// rejects with the reason (no adapter, a malformed model, out of
    /// memory).
    pub async fn create(model_json: String) -> Result<WebGpuForward, JsError> {
        let (net, _) = model::from_json(&model_json)?;
        let gpu = GpuForward::request().await?;
        let prepared = gpu.prepare_async(&net).await?;
        Ok(WebGpuForward {
            adapter: gpu.context().describe(),
            prepared: Rc::new(RefCell::new(prepared)),
            input: net.input_shape,
        })
    }

    /// Adapter and backend in use.
    pub fn describe(&self) -> String {
        self.adapter.clone()
    }

    /// A promise of the logits `[count, classes]` (row-major) of the
    /// `count` images in `images` (`[count, c, h, w]`, the model's input
    /// shape). One call at a time: a second call before the first resolves
    /// rejects.
    // The borrow is held across the GPU's await on purpose: it is taken
    // with try_borrow_mut, so an overlapping call rejects, never panics.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn logits(&self, images: Float32Array, count: usize) -> Result<Promise, JsError> {
        let (c, h, w) = self.input;
        let pixels = images.to_vec();
        if pixels.len() != count * c * h * w {
            return Err(Error::InvalidArgument(format!(
                "{count} images of {c}×{h}×{w} need {} values, got {}",
                count * c * h * w,
                pixels.len()
            ))
            .into());
        }
        let prepared = self.prepared.clone();
        Ok(future_to_promise(async move {
            let js = |e: Error| JsValue::from(JsError::new(&e.to_string()));
            let mut prepared = prepared
                .try_borrow_mut()
                .map_err(|_| js(Error::InvalidArgument("logits is already running".into())))?;
            let x = ArrayView4::from_shape((count, c, h, w), &pixels)
                .map_err(|e| js(Error::InvalidArgument(e.to_string())))?;
            let y = prepared.logits_async(x).await.map_err(js)?;
            Ok(Float32Array::from(y.as_slice()).into())
        }))
    }
}

/// Makes GPU contexts created from now on fail as `spec` says (the native
/// `ESLT_GPU_FAULT` values: `no-adapter`, `device-lost[:N]`, `oom[:N]`; the
/// empty string clears it): for tests of the page's fall-back paths.
#[wasm_bindgen(js_name = forceGpuFault)]
pub fn force_gpu_fault(spec: &str) -> Result<(), JsError> {
    fault::force(fault::parse(spec)?);
    Ok(())
}
