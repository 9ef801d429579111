//! `WebGpuEvaluator`: a solver worker's verification on WebGPU — the
//! [`Evaluator`](crate::web::Evaluator)'s target, collapsed ticket and
//! (if set) collapsed source, prepared once each on one device, evaluated on slices of the rotated
//! test digits. WebGPU reads back only asynchronously, so every method that
//! touches the device returns a promise; one call at a time.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::data::rotated_mnist::test_images;
use crate::data::Digits;
use crate::gpu::{GpuForward, GpuPrepared};
use crate::nn::{model, Network};
use crate::web::evaluator::ticket_from_blob;
use crate::web::js::set;
use crate::Error;

struct State {
    model: Network,
    digits: Digits,
    gpu: GpuForward,
    target: GpuPrepared,
    ticket: Option<GpuPrepared>,
    source: Option<GpuPrepared>,
}

/// Target, digits and (once set) the ticket of one run, on WebGPU.
#[wasm_bindgen]
pub struct WebGpuEvaluator {
    /// Taken out while a call awaits the device (None = busy), so no
    /// borrow is held across an await.
    state: Rc<RefCell<Option<State>>>,
    adapter: String,
}

/// The state for one call, or "busy" if another call holds it.
fn take(state: &Rc<RefCell<Option<State>>>) -> Result<State, JsValue> {
    state
        .try_borrow_mut()
        .ok()
        .and_then(|mut s| s.take())
        .ok_or_else(busy)
}

/// Puts the state back after a call, whatever its result.
fn put_back(state: &Rc<RefCell<Option<State>>>, s: State) {
    if let Ok(mut slot) = state.try_borrow_mut() {
        *slot = Some(s);
    }
}

fn js(e: Error) -> JsValue {
    JsValue::from(JsError::new(&e.to_string()))
}

fn busy() -> JsValue {
    js(Error::InvalidArgument(
        "the WebGPU evaluator is already busy".into(),
    ))
}

#[wasm_bindgen]
impl WebGpuEvaluator {
    /// Opens a WebGPU device and prepares the target in `model_json`;
    /// rejects with the reason (no adapter, a malformed model, out of
    /// memory) so the worker keeps the CPU evaluator.
    pub async fn create(
        model_json: String,
        digit_bytes: Vec<u8>,
    ) -> Result<WebGpuEvaluator, JsError> {
        let (model, _) = model::from_json(&model_json)?;
        let digits = Digits::from_bytes(&digit_bytes)?;
        let gpu = GpuForward::request().await?;
        let target = gpu.prepare_async(&model).await?;
        Ok(WebGpuEvaluator {
            adapter: gpu.context().describe(),
            state: Rc::new(RefCell::new(Some(State {
                model,
                digits,
                gpu,
                target,
                ticket: None,
                source: None,
            }))),
        })
    }

    /// Adapter and backend in use.
    pub fn describe(&self) -> String {
        self.adapter.clone()
    }

    /// A promise that resolves once the ticket from `WebRun.ticketBlob()`
    /// is prepared on the device (a new run's: the last source is dropped).
    #[wasm_bindgen(js_name = setTicket)]
    pub fn set_ticket(&self, blob: Vec<u8>) -> Promise {
        self.prepare(blob, false)
    }

    /// A promise that resolves once the collapsed source from
    /// `WebRun.sourceBlob()` is prepared on the device.
    #[wasm_bindgen(js_name = setSource)]
    pub fn set_source(&self, blob: Vec<u8>) -> Promise {
        self.prepare(blob, true)
    }

    /// A promise of the target's logits on digits `start..end` alone (as
    /// `Evaluator.targetLogits`).
    #[wasm_bindgen(js_name = targetLogits)]
    pub fn target_logits(&self, start: usize, end: usize) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut s = take(&state)?;
            let r = async {
                let x = test_images(&s.digits, start, end).map_err(js)?;
                let y = s.target.logits_async(x.view()).await.map_err(js)?;
                Ok(Float32Array::from(y.as_slice()).into())
            }
            .await;
            put_back(&state, s);
            r
        })
    }

    /// A promise of `{ticket, source?, target?}`: logits `[end − start,
    /// classes]` on the rotated test digits `start..end` (as
    /// `Evaluator.evaluate`).
    pub fn evaluate(
        &self,
        start: usize,
        end: usize,
        with_target: Option<bool>,
        with_source: Option<bool>,
    ) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut s = take(&state)?;
            let r = async {
                let x = test_images(&s.digits, start, end).map_err(js)?;
                let ticket = s.ticket.as_mut().ok_or_else(|| {
                    js(Error::InvalidArgument(
                        "no ticket set (call setTicket first)".into(),
                    ))
                })?;
                let obj = Object::new();
                let yk = ticket.logits_async(x.view()).await.map_err(js)?;
                set(&obj, "ticket", Float32Array::from(yk.as_slice())).map_err(JsValue::from)?;
                if let Some(source) = s.source.as_mut().filter(|_| with_source.unwrap_or(true)) {
                    let ys = source.logits_async(x.view()).await.map_err(js)?;
                    set(&obj, "source", Float32Array::from(ys.as_slice()))
                        .map_err(JsValue::from)?;
                }
                if with_target.unwrap_or(true) {
                    let yt = s.target.logits_async(x.view()).await.map_err(js)?;
                    set(&obj, "target", Float32Array::from(yt.as_slice()))
                        .map_err(JsValue::from)?;
                }
                Ok(obj.into())
            }
            .await;
            put_back(&state, s);
            r
        })
    }
}

impl WebGpuEvaluator {
    /// A promise that resolves once the network of `blob` (ticket or
    /// source: same encoding) is prepared on the device.
    fn prepare(&self, blob: Vec<u8>, is_source: bool) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut s = take(&state)?;
            let r = async {
                let net = ticket_from_blob(&s.model, &blob).map_err(js)?;
                let prepared = Some(s.gpu.prepare_async(&net).await.map_err(js)?);
                if is_source {
                    s.source = prepared;
                } else {
                    s.ticket = prepared;
                    s.source = None;
                }
                Ok(JsValue::UNDEFINED)
            }
            .await;
            put_back(&state, s);
            r
        })
    }
}
