//! The scaling law's fit for the page's Scaling card: a curve's slope
//! against log₂(1/ε) (parameters per bit of precision) by the library's
//! least squares, as `eslt sweep --eps` fits it.

use wasm_bindgen::prelude::*;

use crate::slt::scaling::{bits, LineFit};
use crate::web::js::to_js;
use crate::Error;

/// The least-squares line of `params[i]` against log₂(1/`eps[i]`):
/// `{slope, intercept}`, or `null` under two distinct ε.
#[wasm_bindgen(js_name = scalingFit)]
pub fn scaling_fit(eps: &[f64], params: &[f64]) -> Result<JsValue, JsError> {
    if eps.len() != params.len() {
        return Err(Error::InvalidArgument(format!(
            "scalingFit: {} values of ε but {} parameter counts",
            eps.len(),
            params.len()
        ))
        .into());
    }
    let xy: Vec<(f64, f64)> = eps
        .iter()
        .map(|&e| bits(e))
        .zip(params.iter().copied())
        .collect();
    match LineFit::least_squares(&xy) {
        Some(fit) => to_js(&fit),
        None => Ok(JsValue::NULL),
    }
}
