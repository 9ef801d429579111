//! Building JS values from Rust: a property on a plain object, and any
//! serialisable value as JSON-compatible JS (maps become plain objects).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// `obj[key] = value`.
pub(crate) fn set(obj: &Object, key: &str, value: impl Into<JsValue>) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), &value.into())
        .map_err(|_| JsError::new(&format!("could not set {key}")))?;
    Ok(())
}

/// `value` as the JS value `JSON.parse` would give for its JSON.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("serialising: {e}")))
}
