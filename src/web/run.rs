//! `WebRun`: the page's coordinator over [`PruneRun`]. It hands out plain
//! batches (typed arrays) for solver workers, takes their answers back, and
//! does the literal masked-source check itself on a few digits. No logic
//! here that the native driver lacks: this is a driver, like
//! [`crate::slt::driver`].

use js_sys::{Float64Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::rotated_mnist::test_images;
use crate::data::Digits;
use crate::nn::{model, CpuForward, Network, PreparedForward};
use crate::slt::coefficient::{CoefficientId, CoefficientLayout, Pool};
use crate::slt::memory::{self, MemoryEstimate};
use crate::slt::ticket::encode_betas;
use crate::slt::ticket_file::TicketFile;
use crate::slt::{PruneConfig, PruneOutcome, PruneRun, RunOptions, Timing, Work};
use crate::web::inspect::{feature_maps, first_layer_filters};
use crate::Error;

/// The page's run configuration (camelCase keys).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebConfig {
    eps: f64,
    #[serde(default)]
    n: Option<usize>,
    seed: f64,
    #[serde(default = "default_headroom")]
    headroom: f32,
    #[serde(default = "default_grow")]
    grow: bool,
    test_digits: usize,
    #[serde(default)]
    batch_problems: Option<usize>,
    #[serde(default)]
    verify_slice: Option<usize>,
    #[serde(default)]
    literal_sample: Option<usize>,
    #[serde(default)]
    backend: Option<String>,
    /// Refuse runs whose estimated peak exceeds this (MiB); none: no limit.
    #[serde(default)]
    memory_budget_mib: Option<f64>,
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
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A pruning run in the page's coordinator worker.
#[wasm_bindgen]
pub struct WebRun {
    run: PruneRun,
    digits: Digits,
    test_digits: usize,
    outcome: Option<PruneOutcome>,
    /// Bytes the run may hold at its peak (from `memoryBudgetMib`).
    budget: Option<u64>,
}

pub(crate) fn set(obj: &Object, key: &str, value: impl Into<JsValue>) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), &value.into())
        .map_err(|_| JsError::new(&format!("could not set {key}")))?;
    Ok(())
}

pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("serialising: {e}")))
}

#[wasm_bindgen]
impl WebRun {
    /// Sets up a run of the target in `model_json` on the first
    /// `config.testDigits` digits of `digit_bytes` (gunzipped packed digits).
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, digit_bytes: &[u8], config: JsValue) -> Result<WebRun, JsError> {
        // serde-wasm-bindgen reads only the fields it knows: catch typos here.
        if let Some(obj) = config.dyn_ref::<Object>() {
            for key in Object::keys(obj).iter().filter_map(|k| k.as_string()) {
                if !CONFIG_KEYS.contains(&key.as_str()) {
                    return Err(Error::InvalidArgument(format!(
                        "run configuration: unknown key {key:?} (known: {})",
                        CONFIG_KEYS.join(", ")
                    ))
                    .into());
                }
            }
        }
        let c: WebConfig = serde_wasm_bindgen::from_value(config)
            .map_err(|e| Error::InvalidArgument(format!("run configuration: {e}")))?;
        if !(c.seed >= 0.0 && c.seed <= MAX_SAFE_INTEGER && c.seed.fract() == 0.0) {
            return Err(Error::InvalidArgument(format!(
                "seed must be an integer in 0..=2^53−1, got {}",
                c.seed
            ))
            .into());
        }
        let (target, meta) = model::from_json(model_json)?;
        let digits = Digits::from_bytes(digit_bytes)?;
        // 0 test digits: prune only (the page's quick sweeps over n).
        if c.test_digits > digits.count {
            return Err(Error::InvalidArgument(format!(
                "test digits must be in 0..={}, got {}",
                digits.count, c.test_digits
            ))
            .into());
        }
        let cfg = PruneConfig {
            eps: c.eps,
            n: c.n,
            seed: c.seed as u64,
            headroom: c.headroom,
            grow: c.grow,
            input_nonnegative: true,
        };
        let defaults = RunOptions::default();
        let opts = RunOptions {
            batch_problems: c.batch_problems.unwrap_or(defaults.batch_problems),
            verify_slice: c.verify_slice.unwrap_or(100),
            literal_sample: c.literal_sample.unwrap_or(2).min(c.test_digits),
        };
        let labels = digits.labels[..c.test_digits].to_vec();
        let budget = match c.memory_budget_mib {
            None => None,
            Some(m) if m.is_finite() && (1.0..=65536.0).contains(&m) => {
                Some((m * 1048576.0) as u64)
            }
            Some(m) => {
                return Err(Error::InvalidArgument(format!(
                    "memory budget must be 1..=65536 MiB, got {m}"
                ))
                .into())
            }
        };
        let mut run = PruneRun::new(&target, &meta.task, &cfg, &opts, labels)?;
        run.set_backend(c.backend.as_deref().unwrap_or("cpu"));
        let web = WebRun {
            run,
            digits,
            test_digits: c.test_digits,
            outcome: None,
            budget,
        };
        web.check_budget("")?;
        Ok(web)
    }

    /// The run's estimated peak memory in bytes at the current n per layer
    /// (see [`crate::slt::memory`]).
    #[wasm_bindgen(js_name = memoryEstimate)]
    pub fn memory_estimate(&self) -> Result<f64, JsError> {
        Ok(self.estimate()?.total as f64)
    }

    fn estimate(&self) -> Result<MemoryEstimate, Error> {
        memory::estimate(
            self.run.target(),
            &self.run.n_per_layer(),
            &CpuForward::new(),
        )
    }

    /// Err when the estimate exceeds the budget; `when` says at which point.
    fn check_budget(&self, when: &str) -> Result<(), Error> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let e = self.estimate()?;
        if e.total <= budget {
            return Ok(());
        }
        let mib = |b: u64| (b as f64 / 1048576.0).ceil();
        let n: Vec<String> = self
            .run
            .n_per_layer()
            .iter()
            .map(|n| n.to_string())
            .collect();
        Err(Error::InvalidArgument(format!(
            "this run{when} needs about {} MiB of WebAssembly memory (literal check {} MiB, \
             source {} MiB, verification {} MiB; n per layer {}), over the budget of {} MiB \
             per worker: choose a larger ε or a smaller n",
            mib(e.total),
            mib(e.literal_check),
            mib(e.source),
            mib(e.verification),
            n.join("/"),
            mib(budget)
        )))
    }

    /// The next piece of work (see the page's coordinator): `{kind: 'solve',
    /// id, layer, first, n, count, candidates, targets}`, `{kind: 'verify',
    /// id, start, end}`, `{kind: 'wait'}` or `{kind: 'done'}`. The literal
    /// check runs here, on this worker.
    #[wasm_bindgen(js_name = nextWork)]
    pub fn next_work(&mut self) -> Result<JsValue, JsError> {
        loop {
            let obj = Object::new();
            match self.run.next_work()? {
                Work::Solve(b) => {
                    set(&obj, "kind", "solve")?;
                    set(&obj, "id", b.id as f64)?;
                    set(&obj, "layer", b.layer as u32)?;
                    set(&obj, "first", b.first as u32)?;
                    set(&obj, "n", b.problems.n() as u32)?;
                    set(&obj, "count", b.problems.len() as u32)?;
                    set(
                        &obj,
                        "candidates",
                        Float64Array::from(b.problems.candidates()),
                    )?;
                    set(&obj, "targets", Float64Array::from(b.problems.targets()))?;
                }
                Work::Verify(r) => {
                    set(&obj, "kind", "verify")?;
                    set(&obj, "id", r.id as f64)?;
                    set(&obj, "start", r.start as u32)?;
                    set(&obj, "end", r.end as u32)?;
                }
                Work::Literal(r) => {
                    self.literal(r.id, r.count)?;
                    continue;
                }
                Work::Wait => set(&obj, "kind", "wait")?,
                Work::Done => set(&obj, "kind", "done")?,
            }
            return Ok(obj.into());
        }
    }

    fn literal(&mut self, id: u64, count: usize) -> Result<(), JsError> {
        // Growth may have raised n since the run started.
        self.check_budget(" (after its layers grew)")?;
        let images = test_images(&self.digits, 0, count)?;
        let literal = self.run.literal_network()?;
        let ticket = self.ticket()?;
        let cpu = CpuForward::new();
        let yl = cpu.prepare_cpu(&literal)?.logits_flat(images.view())?;
        let yk = cpu.prepare_cpu(ticket)?.logits_flat(images.view())?;
        self.run.submit_literal(id, &yl, &yk)?;
        Ok(())
    }

    fn ticket(&self) -> Result<&Network, Error> {
        self.run
            .ticket()
            .ok_or_else(|| Error::InvalidArgument("the run has not pruned every layer yet".into()))
    }

    /// Hands back the subsets of solve batch `id`.
    #[wasm_bindgen(js_name = submitSolve)]
    pub fn submit_solve(&mut self, id: f64, subsets: &[u32]) -> Result<(), JsError> {
        Ok(self.run.submit(id as u64, subsets)?)
    }

    /// Hands back target and ticket logits of verify request `id`.
    #[wasm_bindgen(js_name = submitVerify)]
    pub fn submit_verify(
        &mut self,
        id: f64,
        target: &[f32],
        ticket: &[f32],
    ) -> Result<(), JsError> {
        Ok(self.run.submit_logits(id as u64, target, ticket)?)
    }

    /// Events since the last call (plain objects with a `type`).
    #[wasm_bindgen(js_name = drainEvents)]
    pub fn drain_events(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.run.drain_events())
    }

    /// Fraction of the run's work done, 0..1.
    pub fn progress(&self) -> f64 {
        self.run.progress()
    }

    /// The collapsed ticket's β for the solver workers' evaluators.
    #[wasm_bindgen(js_name = ticketBlob)]
    pub fn ticket_blob(&self) -> Result<Uint8Array, JsError> {
        let betas = self.run.betas().ok_or_else(|| {
            Error::InvalidArgument("the run has not pruned every layer yet".into())
        })?;
        let mut bytes = self.run.config().headroom.to_le_bytes().to_vec();
        bytes.extend(encode_betas(&betas));
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// |β − α| of every problem of pruned layer `layer`.
    #[wasm_bindgen(js_name = layerErrors)]
    pub fn layer_errors(&self, layer: usize) -> Result<Float64Array, JsError> {
        let p = self
            .run
            .pruned(layer)
            .ok_or_else(|| Error::InvalidArgument(format!("layer {layer} is not pruned")))?;
        Ok(Float64Array::from(p.errors.as_slice()))
    }

    /// Problem index of (o, i, k, pool) in layer `layer`.
    #[wasm_bindgen(js_name = problemIndex)]
    pub fn problem_index(
        &self,
        layer: usize,
        out_field: usize,
        in_field: usize,
        basis_element: usize,
        pool: &str,
    ) -> Result<u32, JsError> {
        let layout = CoefficientLayout::of(self.run.target_layer(layer)?);
        if out_field >= layout.c_out || in_field >= layout.c_in || basis_element >= layout.k {
            return Err(Error::InvalidArgument("coefficient outside the layer".into()).into());
        }
        let pool = match pool {
            "positive" => Pool::Positive,
            "negative" => Pool::Negative,
            p => return Err(Error::InvalidArgument(format!("unknown pool {p:?}")).into()),
        };
        Ok(layout.problem(CoefficientId {
            out_field,
            in_field,
            basis_element,
            pool,
        }) as u32)
    }

    /// Subset-sum problem `p` of pruned layer `layer`, with its solution.
    pub fn problem(&self, layer: usize, p: usize) -> Result<JsValue, JsError> {
        let opened = self.run.problem(layer, p)?;
        let (q, sol, id) = (opened.batch.problem(0), opened.solution, opened.id);
        let obj = Object::new();
        set(&obj, "n", opened.batch.n() as u32)?;
        set(&obj, "candidates", Float64Array::from(q.candidates))?;
        set(&obj, "target", q.target)?;
        set(&obj, "subset", sol.subset)?;
        set(&obj, "sum", sol.sum)?;
        set(&obj, "error", sol.error)?;
        set(&obj, "out_field", id.out_field as u32)?;
        set(&obj, "in_field", id.in_field as u32)?;
        set(&obj, "basis_element", id.basis_element as u32)?;
        set(&obj, "pool", id.pool.name())?;
        set(&obj, "alpha", f64::from(opened.alpha))?;
        Ok(obj.into())
    }

    /// The report and predictions, once the run is done: `{report,
    /// targetPredictions, ticketPredictions}`.
    pub fn finish(&mut self, seconds: f64, solve_seconds: f64) -> Result<JsValue, JsError> {
        let outcome = self.run.finish(Timing {
            seconds,
            solve_seconds,
        })?;
        let obj = Object::new();
        set(&obj, "report", to_js(&outcome.report)?)?;
        set(
            &obj,
            "targetPredictions",
            Uint8Array::from(outcome.target_predictions.as_slice()),
        )?;
        set(
            &obj,
            "ticketPredictions",
            Uint8Array::from(outcome.ticket_predictions.as_slice()),
        )?;
        self.outcome = Some(outcome);
        Ok(obj.into())
    }

    /// The exported ticket file (JSON text) of the finished run, naming the
    /// model file and its SHA-256 (hex); `eslt ticket verify` reproduces it.
    #[wasm_bindgen(js_name = ticketJson)]
    pub fn ticket_json(&self, model_name: &str, model_sha256: &str) -> Result<String, JsError> {
        let outcome = self
            .outcome
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument("the run is not finished".into()))?;
        let file = TicketFile::new(outcome, self.run.config(), model_name, model_sha256)?;
        Ok(file.to_json()?)
    }

    /// First-layer expanded kernels of `which` ('target' or 'ticket'), both
    /// in the target's units.
    pub fn filters(&self, which: &str) -> Result<JsValue, JsError> {
        let scale = self.run.rebalanced().scales.first().copied().unwrap_or(1.0);
        let (net, s) = match which {
            "target" => (self.run.target(), 1.0),
            "ticket" => (self.ticket()?, scale),
            w => {
                return Err(Error::InvalidArgument(format!(
                    "filters of {w:?}? ('target' or 'ticket')"
                ))
                .into())
            }
        };
        first_layer_filters(net, s)
    }

    /// Digit `index` turned by its test angle plus `extra_angle` (radians):
    /// the image, the ticket's first-layer feature maps and both predictions.
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, index: usize, extra_angle: f32) -> Result<JsValue, JsError> {
        feature_maps(
            &self.digits,
            index,
            extra_angle,
            self.run.target(),
            self.ticket()?,
            self.run.rebalanced().output_scale,
        )
    }

    /// Test digits of this run.
    #[wasm_bindgen(getter, js_name = testDigits)]
    pub fn test_digits(&self) -> usize {
        self.test_digits
    }
}
