//! The page's questions about files, answered by the core so that the page
//! does not re-implement them: a model file's kind, a file's SHA-256 (the
//! page's `crypto.subtle` exists only in secure contexts) and a ticket
//! file's settings, after every check `eslt ticket verify` makes without a
//! model.

use js_sys::Object;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::nn::graph::graph_model;
use crate::nn::model;
use crate::nn::Model;
pub(crate) use crate::nn::ModelKind;
use crate::slt::ticket_file::{sha256_hex, TicketFile};
use crate::web::js::set;
use crate::web::run_config::MAX_SAFE_INTEGER;
use crate::Error;

/// The kind of the model file `text`, from its `format` tag alone (the
/// loader of that kind checks the rest).
pub(crate) fn model_kind(text: &str) -> Result<ModelKind, Error> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
    }
    let head: Head = serde_json::from_str(text)
        .map_err(|e| Error::Model(format!("not a JSON model file: {e}")))?;
    match head.format.as_deref() {
        Some(model::FORMAT) => Ok(ModelKind::Image),
        Some(graph_model::FORMAT) => Ok(ModelKind::Graph),
        other => Err(Error::Model(format!(
            "not an eslt model (format: {})",
            other.unwrap_or("none")
        ))),
    }
}

/// `'image'` or `'graph'`: the kind of the model file `text`, once its
/// loader has checked the whole file; an error for any other file. The page
/// keeps only a model that passes, so a run never meets a file its core
/// refuses.
#[wasm_bindgen(js_name = modelKind)]
pub fn model_kind_js(text: &str) -> Result<String, JsError> {
    let kind = model_kind(text)?;
    Model::from_json(text)?;
    Ok(kind.name().into())
}

/// SHA-256 of `bytes`, lowercase hex (a ticket file's `model_sha256`).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex_js(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

/// The settings of the ticket file `text` once it passes every check that
/// needs no model: `{task, eps, seed, n, grow, headroom, testDigits,
/// maskDigest, modelSha256}` (`n` null: from the bound; `testDigits`: the
/// rows its report verified). An error names the first check that fails.
#[wasm_bindgen(js_name = ticketSettings)]
pub fn ticket_settings(text: &str) -> Result<JsValue, JsError> {
    let t = TicketFile::from_json(text)?;
    let seed = t.seed as f64;
    if seed > MAX_SAFE_INTEGER {
        return Err(Error::InvalidArgument(format!(
            "ticket file: seed {} is beyond 2^53−1, which the page cannot hold exactly",
            t.seed
        ))
        .into());
    }
    let obj = Object::new();
    set(&obj, "task", t.task.as_str())?;
    set(&obj, "eps", t.eps)?;
    set(&obj, "seed", seed)?;
    set(&obj, "n", t.n.map_or(JsValue::NULL, |n| (n as u32).into()))?;
    set(&obj, "grow", t.grow)?;
    set(&obj, "headroom", f64::from(t.headroom))?;
    set(&obj, "testDigits", t.report.rows as u32)?;
    set(&obj, "maskDigest", t.mask_digest.as_str())?;
    set(&obj, "modelSha256", t.model_sha256.as_str())?;
    Ok(obj.into())
}
