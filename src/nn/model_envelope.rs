//! What every model file shares, image or graph: the envelope (`format`,
//! `version`) that says which loader reads the rest, the coefficient blocks
//! (α as base64 bytes), and the checks of the metadata both kinds carry
//! (training figures, accuracy, predictions digest). Each kind's file
//! ([`crate::nn::model`], [`crate::nn::graph::graph_model`]) adds only its
//! own fields and checks; [`crate::nn::Model`] reads the envelope once and
//! picks the loader.

use serde::{Deserialize, Serialize};

use crate::nn::coef_encoding::{decode, encode, Dtype};
use crate::{Error, Result};

/// The version this build writes and reads, of both kinds of model file.
pub const VERSION: u32 = 1;

/// The fields every model file starts with; the rest is the kind's own.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub version: u32,
}

impl Envelope {
    /// The envelope of model file text, or None when the text has none (the
    /// kind's loader then says what is wrong with it).
    pub fn read(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// `format` must be `expected` and `version` this build's.
pub fn check_envelope(format: &str, version: u32, expected: &str) -> Result<()> {
    if format != expected {
        return Err(Error::Model(format!(
            "format tag is {format:?}, expected {expected:?}"
        )));
    }
    if version != VERSION {
        return Err(Error::Model(format!(
            "version {version} is not supported (this build reads version {VERSION})"
        )));
    }
    Ok(())
}

/// One layer's coefficients as stored.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefficientBlock {
    pub count: usize,
    pub dtype: Dtype,
    pub base64: String,
}

impl CoefficientBlock {
    /// `values` stored as `dtype` (rounded to it).
    pub fn new(dtype: Dtype, values: &[f32]) -> Self {
        Self {
            count: values.len(),
            dtype,
            base64: encode(dtype, values),
        }
    }

    /// The stored values, all finite; errors start with `at` ("layer 2").
    pub fn values(&self, at: &str) -> Result<Vec<f32>> {
        let values = decode(self.dtype, &self.base64)
            .map_err(|e| Error::Model(format!("{at}: {}", model_message(e))))?;
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::Model(format!(
                "{at}: coefficients contain NaN or infinity"
            )));
        }
        Ok(values)
    }
}

/// The message of a model or argument error, without its kind's prefix.
pub(crate) fn model_message(e: Error) -> String {
    match e {
        Error::Model(m) | Error::InvalidArgument(m) => m,
        e => e.to_string(),
    }
}

/// The training figures both kinds record: serde reads an f32 or f64
/// field from any JSON number, 1e300 as infinity — which would then save
/// as `null` and not load again.
pub(crate) fn check_training(lr: f32, seconds: f64, cpu_seconds: Option<f64>) -> Result<()> {
    if !(lr.is_finite() && lr > 0.0) {
        return Err(Error::Model(format!(
            "training.lr {lr} is not a positive finite number"
        )));
    }
    for (k, v) in [("seconds", Some(seconds)), ("cpu_seconds", cpu_seconds)] {
        if let Some(v) = v {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::Model(format!(
                    "training.{k} {v} is not a finite number of seconds"
                )));
            }
        }
    }
    Ok(())
}

/// The test accuracy is a fraction and the predictions digest (when the
/// file has one) a SHA-256 hex digest.
pub(crate) fn check_test_figures(accuracy: f64, digest: Option<&str>) -> Result<()> {
    if !(0.0..=1.0).contains(&accuracy) {
        return Err(Error::Model(format!(
            "test accuracy {accuracy} outside [0, 1]"
        )));
    }
    if let Some(d) = digest {
        if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Model(format!(
                "test_predictions_digest {d:?} is not a SHA-256 hex digest"
            )));
        }
    }
    Ok(())
}
