//! The page's run configuration (camelCase keys), read once for
//! [`super::WebRun`] of either kind of model: unknown keys, a seed JS cannot hold exactly and a budget out of range are refused
//! with a message naming them.

use js_sys::Object;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::slt::{PruneConfig, RunOptions};
use crate::Error;

/// The configuration as the page sends it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct WebConfig {
    pub eps: f64,
    #[serde(default)]
    pub n: Option<usize>,
    pub seed: f64,
    #[serde(default = "default_headroom")]
    pub headroom: f32,
    #[serde(default = "default_grow")]
    pub grow: bool,
    /// Test rows to verify on: digits, or graphs for a graph task.
    pub test_digits: usize,
    #[serde(default)]
    pub batch_problems: Option<usize>,
    #[serde(default)]
    pub verify_slice: Option<usize>,
    #[serde(default)]
    pub literal_sample: Option<usize>,
    #[serde(default)]
    pub backend: Option<String>,
    /// Refuse runs whose estimated peak exceeds this (MiB); none: no limit.
    #[serde(default)]
    pub memory_budget_mib: Option<f64>,
}

/// The keys of [`WebConfig`], as the page spells them.
const CONFIG_KEYS: [&str; 11] = [
    "eps",
    "n",
    "seed",
    "headroom",
    "grow",
    "testDigits",
    "batchProblems",
    "verifySlice",
    "literalSample",
    "backend",
    "memoryBudgetMib",
];

fn default_headroom() -> f32 {
    0.5
}

fn default_grow() -> bool {
    true
}

/// Largest integer a JS number holds exactly.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A seed from JS (`what` names it in the error): an integer in
/// 0..=2^53−1, the integers a JS number holds exactly.
pub(crate) fn js_seed(v: f64, what: &str) -> Result<u64, Error> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&v) && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(Error::InvalidArgument(format!(
            "{what} must be an integer in 0..=2^53−1, got {v}"
        )))
    }
}

impl WebConfig {
    /// Reads and checks the page's configuration object.
    pub fn parse(config: JsValue) -> Result<WebConfig, Error> {
        // serde-wasm-bindgen reads only the fields it knows: catch typos here.
        if let Some(obj) = config.dyn_ref::<Object>() {
            for key in Object::keys(obj).iter().filter_map(|k| k.as_string()) {
                if !CONFIG_KEYS.contains(&key.as_str()) {
                    return Err(Error::InvalidArgument(format!(
                        "run configuration: unknown key {key:?} (known: {})",
                        CONFIG_KEYS.join(", ")
                    )));
                }
            }
        }
        let c: WebConfig = serde_wasm_bindgen::from_value(config)
            .map_err(|e| Error::InvalidArgument(format!("run configuration: {e}")))?;
        js_seed(c.seed, "seed")?;
        c.budget()?;
        Ok(c)
    }

    /// The budget in bytes, if any.
    pub fn budget(&self) -> Result<Option<u64>, Error> {
        match self.memory_budget_mib {
            None => Ok(None),
            Some(m) if m.is_finite() && (1.0..=65536.0).contains(&m) => {
                Ok(Some((m * 1048576.0) as u64))
            }
            Some(m) => Err(Error::InvalidArgument(format!(
                "memory budget must be 1..=65536 MiB, got {m}"
            ))),
        }
    }

    /// The pruning configuration, for inputs that are (or may not be)
    /// non-negative.
    pub fn prune_config(&self, input_nonnegative: bool) -> PruneConfig {
        PruneConfig {
            eps: self.eps,
            n: self.n,
            seed: self.seed as u64,
            headroom: self.headroom,
            grow: self.grow,
            input_nonnegative,
        }
    }

    /// Batch sizes for a run verifying on `rows` test rows.
    pub fn run_options(&self, rows: usize) -> RunOptions {
        let defaults = RunOptions::default();
        RunOptions {
            batch_problems: self.batch_problems.unwrap_or(defaults.batch_problems),
            verify_slice: self.verify_slice.unwrap_or(100),
            literal_sample: self.literal_sample.unwrap_or(2).min(rows),
        }
    }

    /// The solver backend's name for the report.
    pub fn backend_name(&self) -> &str {
        self.backend.as_deref().unwrap_or("cpu")
    }
}
