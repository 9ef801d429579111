//! wasm-bindgen API for the page: JS-facing types and progress callbacks only.
