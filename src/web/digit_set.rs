//! `DigitSet`: the page's handle on a set of labelled digits.

use wasm_bindgen::prelude::*;

use crate::data::rotated_mnist::rotated_images;
use crate::data::Digits;
use crate::Error;

/// Labelled digits loaded from the packed format (see `data::digits`).
#[wasm_bindgen]
pub struct DigitSet {
    digits: Digits,
}

impl DigitSet {
    /// The digits, for other Rust code in the wasm module.
    pub fn digits(&self) -> &Digits {
        &self.digits
    }
}

#[wasm_bindgen]
impl DigitSet {
    /// Parses a packed digit file (already gunzipped). Errors say what is
    /// wrong with the bytes (bad magic, truncated, ...).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<DigitSet, JsError> {
        Ok(DigitSet {
            digits: Digits::from_bytes(bytes)?,
        })
    }

    /// Number of digits.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.digits.count
    }

    /// Image height in pixels.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.digits.rows
    }

    /// Image width in pixels.
    #[wasm_bindgen(getter)]
    pub fn cols(&self) -> usize {
        self.digits.cols
    }

    /// All labels (a `Uint8Array` in JS).
    pub fn labels(&self) -> Vec<u8> {
        self.digits.labels.clone()
    }

    /// The raw pixels of digit `index`.
    pub fn image(&self, index: usize) -> Result<Vec<u8>, JsError> {
        self.check_index(index)?;
        Ok(self.digits.image(index).to_vec())
    }

    /// Digits `indices`, as pixels/255 rotated counter-clockwise by the
    /// matching `angles` (radians) by the Rust core; a `Float32Array` of
    /// `indices.length * rows * cols` values.
    pub fn rotated(&self, indices: &[u32], angles: &[f32]) -> Result<Vec<f32>, JsError> {
        if indices.len() != angles.len() {
            return Err(Error::InvalidArgument(format!(
                "{} indices but {} angles",
                indices.len(),
                angles.len()
            ))
            .into());
        }
        if let Some(a) = angles.iter().find(|a| !a.is_finite()) {
            return Err(Error::InvalidArgument(format!("angle {a} is not finite")).into());
        }
        let indices: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        for &i in &indices {
            self.check_index(i)?;
        }
        Ok(rotated_images(&self.digits, &indices, angles))
    }
}

impl DigitSet {
    fn check_index(&self, index: usize) -> Result<(), Error> {
        if index >= self.digits.count {
            return Err(Error::InvalidArgument(format!(
                "digit {index} out of range (have {})",
                self.digits.count
            )));
        }
        Ok(())
    }
}
