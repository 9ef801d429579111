//! `WebRun`: the page's coordinator over [`PruneRun`]. It hands out plain
//! batches (typed arrays) for solver workers, takes their answers back, and
//! does the literal masked-source check itself on a few digits. No logic
//! here that the native driver lacks: this is a driver, like
//! [`crate::slt::driver`].

use js_sys::{Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::data::rotated_mnist::test_images;
use crate::data::Digits;
use crate::nn::{model, CpuForward, Network, PreparedForward};
use crate::slt::memory::{self, MemoryEstimate};
use crate::slt::{PruneOutcome, PruneRun, Work};
use crate::web::inspect::{feature_maps, first_layer_filters};
use crate::web::run_config::WebConfig;
use crate::web::run_view as view;
use crate::Error;

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

pub(crate) use crate::web::run_view::{set, to_js};

#[wasm_bindgen]
impl WebRun {
    /// Sets up a run of the target in `model_json` on the first
    /// `config.testDigits` digits of `digit_bytes` (gunzipped packed digits).
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, digit_bytes: &[u8], config: JsValue) -> Result<WebRun, JsError> {
        let c = WebConfig::parse(config)?;
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
        let cfg = c.prune_config(true);
        let opts = c.run_options(c.test_digits);
        let labels = digits.labels[..c.test_digits].to_vec();
        let budget = c.budget()?;
        let mut run = PruneRun::new(&target, &meta.task, &cfg, &opts, labels)?;
        run.set_backend(c.backend_name());
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
                Work::Solve(b) => view::solve_work(&obj, &b)?,
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
        view::ticket_blob(&self.run)
    }

    /// |β − α| of every problem of pruned layer `layer`.
    #[wasm_bindgen(js_name = layerErrors)]
    pub fn layer_errors(&self, layer: usize) -> Result<Float64Array, JsError> {
        view::layer_errors(&self.run, layer)
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
        view::problem_index(&self.run, layer, out_field, in_field, basis_element, pool)
    }

    /// Subset-sum problem `p` of pruned layer `layer`, with its solution.
    pub fn problem(&self, layer: usize, p: usize) -> Result<JsValue, JsError> {
        view::problem(&self.run, layer, p)
    }

    /// The report and predictions, once the run is done: `{report,
    /// targetPredictions, ticketPredictions}`.
    pub fn finish(&mut self, seconds: f64, solve_seconds: f64) -> Result<JsValue, JsError> {
        view::finish(&self.run, &mut self.outcome, seconds, solve_seconds)
    }

    /// The exported ticket file (JSON text) of the finished run, naming the
    /// model file and its SHA-256 (hex); `eslt ticket verify` reproduces it.
    #[wasm_bindgen(js_name = ticketJson)]
    pub fn ticket_json(&self, model_name: &str, model_sha256: &str) -> Result<String, JsError> {
        view::ticket_json(
            self.outcome.as_ref(),
            self.run.config(),
            model_name,
            model_sha256,
        )
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
