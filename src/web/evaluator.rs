//! `Evaluator`: a solver worker's forward passes over slices of the test
//! digits, for the target, the collapsed ticket and the unpruned random
//! source (collapsed the same way: the report's `source_accuracy`).
//!
//! The target's logits do not depend on the run, and the source's depend
//! only on its seed and n: the coordinator keeps them once computed (or
//! asks for them ahead of a run with [`Evaluator::target_logits`] and
//! [`Evaluator::source_logits`]) and then asks a slice for what it lacks.

use js_sys::{Float32Array, Object};
use ndarray::ArrayView4;
use wasm_bindgen::prelude::*;

use crate::data::rotated_mnist::test_images;
use crate::data::Digits;
use crate::nn::{model, CpuForward, CpuPrepared, Network, PreparedForward};
use crate::slt::rebalance::rebalance;
use crate::slt::ticket::{collapsed_network, decode_betas};
use crate::web::js::set;
use crate::Error;

/// Target, digits and (once set) the ticket of one run.
#[wasm_bindgen]
pub struct Evaluator {
    /// The target as loaded (rebalanced again for each ticket).
    model: Network,
    /// Target and ticket, prepared once for every slice they evaluate.
    target: CpuPrepared,
    ticket: Option<CpuPrepared>,
    source: Option<CpuPrepared>,
    digits: Digits,
}

#[wasm_bindgen]
impl Evaluator {
    /// The target in `model_json` and the digits in `digit_bytes`
    /// (gunzipped packed digits).
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, digit_bytes: &[u8]) -> Result<Evaluator, JsError> {
        let (model, _) = model::from_json(model_json)?;
        Ok(Evaluator {
            target: CpuForward::new().prepare_cpu(&model)?,
            model,
            ticket: None,
            source: None,
            digits: Digits::from_bytes(digit_bytes)?,
        })
    }

    /// The ticket from `WebRun.ticketBlob()` (decoded by `ticket_from_blob`);
    /// a new run's, so the last run's source is dropped.
    #[wasm_bindgen(js_name = setTicket)]
    pub fn set_ticket(&mut self, blob: &[u8]) -> Result<(), JsError> {
        self.source = None;
        let ticket = ticket_from_blob(&self.model, blob)?;
        self.ticket = Some(CpuForward::new().prepare_cpu(&ticket)?);
        Ok(())
    }

    /// The unpruned source, collapsed, from `WebRun.sourceBlob()` (same
    /// encoding as the ticket's blob).
    #[wasm_bindgen(js_name = setSource)]
    pub fn set_source(&mut self, blob: &[u8]) -> Result<(), JsError> {
        let source = ticket_from_blob(&self.model, blob)?;
        self.source = Some(CpuForward::new().prepare_cpu(&source)?);
        Ok(())
    }

    /// Logits `[end − start, classes]` on the rotated test digits
    /// `start..end` of the (rebalanced) ticket, of the source if one is
    /// set unless `with_source` is false, and of the target unless
    /// `with_target` is false: `{ticket, source?, target?}`.
    pub fn evaluate(
        &mut self,
        start: usize,
        end: usize,
        with_target: Option<bool>,
        with_source: Option<bool>,
    ) -> Result<JsValue, JsError> {
        let ticket = self
            .ticket
            .as_mut()
            .ok_or_else(|| Error::InvalidArgument("no ticket set (call setTicket first)".into()))?;
        let x = test_images(&self.digits, start, end)?;
        let obj = Object::new();
        set(&obj, "ticket", logits(ticket, x.view())?)?;
        if let Some(source) = self.source.as_mut().filter(|_| with_source.unwrap_or(true)) {
            set(&obj, "source", logits(source, x.view())?)?;
        }
        if with_target.unwrap_or(true) {
            set(&obj, "target", logits(&mut self.target, x.view())?)?;
        }
        Ok(obj.into())
    }

    /// The source's logits (`setSource`) on digits `start..end` alone:
    /// computed ahead of a run, from the source it will verify unless a
    /// layer grows.
    #[wasm_bindgen(js_name = sourceLogits)]
    pub fn source_logits(&mut self, start: usize, end: usize) -> Result<Float32Array, JsError> {
        let source = self
            .source
            .as_mut()
            .ok_or_else(|| Error::InvalidArgument("no source set (call setSource first)".into()))?;
        Ok(logits(
            source,
            test_images(&self.digits, start, end)?.view(),
        )?)
    }

    /// The target's logits on digits `start..end` alone: computed ahead of
    /// a run, and timed by the page's auto probe against the WebGPU
    /// evaluator's.
    #[wasm_bindgen(js_name = targetLogits)]
    pub fn target_logits(&mut self, start: usize, end: usize) -> Result<Float32Array, JsError> {
        Ok(logits(
            &mut self.target,
            test_images(&self.digits, start, end)?.view(),
        )?)
    }
}

/// `net`'s logits `[images, classes]` on `x`, for JS.
fn logits(net: &mut CpuPrepared, x: ArrayView4<f32>) -> Result<Float32Array, Error> {
    Ok(Float32Array::from(net.logits_flat(x)?.as_slice()))
}

/// The collapsed ticket (or source) of `model` from a `WebRun.ticketBlob()`
/// (`sourceBlob()`): headroom (f32) then the β of every layer; the target
/// is rebalanced here exactly as in the run.
pub(crate) fn ticket_from_blob(model: &Network, blob: &[u8]) -> Result<Network, Error> {
    if blob.len() < 4 {
        return Err(Error::InvalidArgument("ticket blob is truncated".into()));
    }
    let headroom = f32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
    if !(headroom > 0.0 && headroom <= 1.0) {
        return Err(Error::InvalidArgument(format!(
            "ticket blob: headroom {headroom}"
        )));
    }
    let betas = decode_betas(&blob[4..])?;
    let rebalanced = rebalance(model, headroom);
    collapsed_network(&rebalanced.network, &betas)
}
