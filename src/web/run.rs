//! `WebRun`: the page's coordinator over a [`crate::slt::PruneRun`] of an
//! image or a graph model — one type for both, the kind read from the
//! model file. It hands out plain batches (typed arrays) for the solver
//! workers, takes their answers back and does the local work itself (see
//! [`PageRun`]). No logic here that the native driver lacks: this is a
//! driver, like [`crate::slt::driver`].

use js_sys::{Array, Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::data::Digits;
use crate::nn::graph::tasks;
use crate::nn::graph::{evaluate_permuted, graph_model};
use crate::nn::model;
use crate::slt::graph_inputs::GraphRows;
use crate::slt::PruneRun;
use crate::web::files::{model_kind, ModelKind};
use crate::web::graph_view::{add_outputs, shown_example, structure};
use crate::web::inspect::{feature_maps, first_layer_filters};
use crate::web::js::{set, to_js};
use crate::web::page_run::PageRun;
use crate::web::run_config::{js_seed, WebConfig};
use crate::web::run_inputs::{GraphTests, ImageTests, PageInputs};
use crate::Error;

/// A pruning run in the page's coordinator worker, of an image or a graph
/// model.
#[wasm_bindgen]
pub struct WebRun {
    kind: Kind,
}

enum Kind {
    Image(PageRun<ImageTests>),
    Graph(PageRun<GraphTests>),
}

/// `$body` with `$r` bound to the run's [`PageRun`], whichever its kind.
macro_rules! each {
    ($self:ident, $r:ident => $body:expr) => {
        match &$self.kind {
            Kind::Image($r) => $body,
            Kind::Graph($r) => $body,
        }
    };
    (mut $self:ident, $r:ident => $body:expr) => {
        match &mut $self.kind {
            Kind::Image($r) => $body,
            Kind::Graph($r) => $body,
        }
    };
}

fn only_images(what: &str) -> JsError {
    Error::InvalidArgument(format!(
        "{what} is only for image runs; this is a graph run"
    ))
    .into()
}

fn only_graphs(what: &str) -> JsError {
    Error::InvalidArgument(format!(
        "{what} is only for graph runs; this is an image run"
    ))
    .into()
}

/// An optional permutation seed from JS.
pub(crate) fn permutation_seed(s: Option<f64>) -> Result<Option<u64>, Error> {
    s.map(|v| js_seed(v, "permutation seed")).transpose()
}

#[wasm_bindgen]
impl WebRun {
    /// Sets up a run of the model in `model_json` (image or graph: its
    /// `format` says) on the first `config.testDigits` test rows: digits of
    /// `digit_bytes` (gunzipped packed digits) for an image model; for a
    /// graph model test graphs of its task, regenerated here (fewer if it
    /// has fewer), and `digit_bytes` is not read. 0 test rows: prune only
    /// (the page's sweeps over n).
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, digit_bytes: &[u8], config: JsValue) -> Result<WebRun, JsError> {
        let c = WebConfig::parse(config)?;
        let kind = match model_kind(model_json)? {
            ModelKind::Image => {
                let (target, meta) = model::from_json(model_json)?;
                let digits = Digits::from_bytes(digit_bytes)?;
                if c.test_digits > digits.count {
                    return Err(Error::InvalidArgument(format!(
                        "test digits must be in 0..={}, got {}",
                        digits.count, c.test_digits
                    ))
                    .into());
                }
                let labels = digits.labels[..c.test_digits].to_vec();
                let cfg = c.prune_config(true);
                let mut run = PruneRun::new(
                    &target,
                    &meta.task,
                    &cfg,
                    &c.run_options(c.test_digits),
                    labels,
                )?;
                run.set_backend(c.backend_name());
                let inputs = ImageTests {
                    digits,
                    rows: c.test_digits,
                    budget: c.budget()?,
                };
                inputs.check_memory(&run, "")?;
                Kind::Image(PageRun::new(run, inputs))
            }
            ModelKind::Graph => {
                let (target, meta) = graph_model::from_json(model_json)?;
                let task = tasks::task(&meta.task)?;
                let cfg = c.prune_config(!task.input.can_be_negative());
                let inputs = GraphTests::new(task, c.test_digits);
                let labels = GraphRows::new(&inputs.examples).labels();
                let opts = c.run_options(labels.len());
                let mut run = PruneRun::new(&target, inputs.task.name, &cfg, &opts, labels)?;
                run.set_backend(c.backend_name());
                Kind::Graph(PageRun::new(run, inputs))
            }
        };
        Ok(WebRun { kind })
    }

    /// `'image'` or `'graph'`: the kind of the run's model.
    #[wasm_bindgen(getter, js_name = modelKind)]
    pub fn model_kind(&self) -> String {
        match self.kind {
            Kind::Image(_) => ModelKind::Image,
            Kind::Graph(_) => ModelKind::Graph,
        }
        .name()
        .into()
    }

    /// Whether `nextWork` hands verify slices to the solver workers (image
    /// runs: they then need the model and, once solved, the ticket blob);
    /// graph runs verify here, in `nextWork`.
    #[wasm_bindgen(getter, js_name = verifiesOnSolvers)]
    pub fn verifies_on_solvers(&self) -> bool {
        match self.kind {
            Kind::Image(_) => ImageTests::SOLVERS_VERIFY,
            Kind::Graph(_) => GraphTests::SOLVERS_VERIFY,
        }
    }

    /// Test rows of this run: digits, or test examples of a graph task.
    #[wasm_bindgen(getter, js_name = testRows)]
    pub fn test_rows(&self) -> usize {
        match &self.kind {
            Kind::Image(r) => r.inputs.rows,
            Kind::Graph(r) => r.inputs.examples.len(),
        }
    }

    /// [`Self::test_rows`] under its image name.
    #[wasm_bindgen(getter, js_name = testDigits)]
    pub fn test_digits(&self) -> usize {
        self.test_rows()
    }

    /// [`Self::test_rows`] under its graph name.
    #[wasm_bindgen(getter, js_name = testGraphs)]
    pub fn test_graphs(&self) -> usize {
        self.test_rows()
    }

    /// The run's estimated peak memory in bytes at the current n per layer
    /// (see [`crate::slt::memory`]; image runs).
    #[wasm_bindgen(js_name = memoryEstimate)]
    pub fn memory_estimate(&self) -> Result<f64, JsError> {
        match &self.kind {
            Kind::Image(r) => Ok(ImageTests::estimate(&r.run)?.total as f64),
            Kind::Graph(_) => Err(only_images("memoryEstimate")),
        }
    }

    /// The next piece of work: `{kind: 'solve', id, layer, first, n, count,
    /// candidates, targets}` and `{kind: 'verify', id, start, end}` for the
    /// solver workers, `{kind: 'local', did: 'literal' | 'verify'}` after
    /// doing a piece here, `{kind: 'wait'}` or `{kind: 'done'}`.
    #[wasm_bindgen(js_name = nextWork)]
    pub fn next_work(&mut self) -> Result<JsValue, JsError> {
        each!(mut self, r => r.next_work())
    }

    /// Hands back the subsets of solve batch `id`.
    #[wasm_bindgen(js_name = submitSolve)]
    pub fn submit_solve(&mut self, id: f64, subsets: &[u32]) -> Result<(), JsError> {
        Ok(each!(mut self, r => r.run.submit(id as u64, subsets))?)
    }

    /// Hands back target, ticket and source logits of verify slice `id`
    /// (the source's, for the report's source_accuracy, are evaluated here
    /// when not given).
    #[wasm_bindgen(js_name = submitVerify)]
    pub fn submit_logits(
        &mut self,
        id: f64,
        target: &[f32],
        ticket: &[f32],
        source: Option<Vec<f32>>,
    ) -> Result<(), JsError> {
        let source = source.as_deref();
        Ok(each!(mut self, r => r.submit_verify(id as u64, target, ticket, source))?)
    }

    /// Events since the last call (plain objects with a `type`).
    #[wasm_bindgen(js_name = drainEvents)]
    pub fn drain_events(&mut self) -> Result<JsValue, JsError> {
        each!(mut self, r => to_js(&r.run.drain_events()))
    }

    /// Fraction of the run's work done, 0..1.
    pub fn progress(&self) -> f64 {
        each!(self, r => r.run.progress())
    }

    /// The collapsed ticket's β for the solver workers' evaluators.
    #[wasm_bindgen(js_name = ticketBlob)]
    pub fn ticket_blob(&self) -> Result<Uint8Array, JsError> {
        each!(self, r => r.ticket_blob())
    }

    /// The unpruned source's β for the solver workers' evaluators
    /// (`Evaluator.setSource`) at every layer's current n: before solving,
    /// the source the run will verify unless a layer grows (the page
    /// evaluates it ahead and compares the bytes once solved).
    #[wasm_bindgen(js_name = sourceBlob)]
    pub fn source_blob(&self) -> Result<Uint8Array, JsError> {
        each!(self, r => r.source_blob())
    }

    /// |β − α| of every problem of pruned layer `layer`.
    #[wasm_bindgen(js_name = layerErrors)]
    pub fn layer_errors(&self, layer: usize) -> Result<Float64Array, JsError> {
        each!(self, r => r.layer_errors(layer))
    }

    /// The `count` problems of pruned layer `layer` with the largest errors,
    /// largest first: `[{p, …problem(layer, p)}]`.
    #[wasm_bindgen(js_name = worstProblems)]
    pub fn worst_problems(&self, layer: usize, count: usize) -> Result<Array, JsError> {
        each!(self, r => r.worst_problems(layer, count))
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
        each!(self, r => r.problem_index(layer, out_field, in_field, basis_element, pool))
    }

    /// Subset-sum problem `p` of pruned layer `layer`, with its solution:
    /// `{n, candidates, target, subset, sum, error, out_field, in_field,
    /// basis_element, pool, alpha}`.
    pub fn problem(&self, layer: usize, p: usize) -> Result<JsValue, JsError> {
        Ok(each!(self, r => r.problem(layer, p))?.into())
    }

    /// The report and predictions, once the run is done: `{report,
    /// targetPredictions, ticketPredictions}`.
    pub fn finish(&mut self, seconds: f64, solve_seconds: f64) -> Result<JsValue, JsError> {
        each!(mut self, r => r.finish(seconds, solve_seconds))
    }

    /// The finished run as a point of the scaling law (`{eps, n_per_layer,
    /// source_params, ticket_params, bound_params, target_params, …}`, as
    /// `eslt sweep --eps … --json` writes it): the Scaling card's points.
    #[wasm_bindgen(js_name = scalingPoint)]
    pub fn scaling_point(&self) -> Result<JsValue, JsError> {
        each!(self, r => r.scaling_point())
    }

    /// The exported ticket file (JSON text) of the finished run, naming the
    /// model file and its SHA-256 (hex); `eslt ticket verify` reproduces it.
    #[wasm_bindgen(js_name = ticketJson)]
    pub fn ticket_json(&self, model_name: &str, model_sha256: &str) -> Result<String, JsError> {
        each!(self, r => r.ticket_json(model_name, model_sha256))
    }

    /// First-layer expanded kernels of `which` ('target', 'ticket' or
    /// 'source': the unpruned random source, collapsed), all in the
    /// target's units: `{out_channels, in_channels, ksize, groupOrder,
    /// weights}` (image runs).
    pub fn filters(&mut self, which: &str) -> Result<JsValue, JsError> {
        let Kind::Image(r) = &mut self.kind else {
            return Err(only_images("filters"));
        };
        let scale = r.run.rebalanced().scales.first().copied().unwrap_or(1.0);
        let (net, s) = match which {
            "target" => (r.run.target(), 1.0),
            "ticket" => (r.ticket()?, scale),
            "source" => (r.source()?, scale),
            w => {
                return Err(Error::InvalidArgument(format!(
                    "filters of {w:?}? ('target', 'ticket' or 'source')"
                ))
                .into())
            }
        };
        first_layer_filters(net, s)
    }

    /// Digit `index` turned by its test angle plus `extra_angle` (radians):
    /// the image, the ticket's first-layer feature maps and both
    /// predictions (image runs).
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, index: usize, extra_angle: f32) -> Result<JsValue, JsError> {
        let Kind::Image(r) = &self.kind else {
            return Err(only_images("featureMaps"));
        };
        feature_maps(
            &r.inputs.digits,
            index,
            extra_angle,
            r.run.target(),
            r.ticket()?,
            r.run.rebalanced().output_scale,
        )
    }

    /// Test graph `index`, relabelled from `permuteSeed` if given, with the
    /// outputs of target and ticket on it (see the graph view; graph runs).
    pub fn graph(&self, index: usize, permute_seed: Option<f64>) -> Result<JsValue, JsError> {
        let Kind::Graph(r) = &self.kind else {
            return Err(only_graphs("graph"));
        };
        let t = &r.inputs;
        let (ex, sigma) =
            shown_example(&t.task, &t.examples, index, permutation_seed(permute_seed)?)?;
        let obj = structure(&t.task, &ex, &sigma, index, t.examples.len())?;
        let scale = r.run.rebalanced().output_scale;
        add_outputs(&obj, r.run.target(), r.ticket()?, scale, &ex.input)?;
        Ok(obj.into())
    }

    /// Every test graph of the run relabelled (graph g by the permutation
    /// seeded with `seed + g`) through target and ticket: `{graphs, rows,
    /// changedTarget, changedTicket, maxLogitChange, maxAbsLogit}`, the
    /// ticket's logits in the target's units (graph runs).
    #[wasm_bindgen(js_name = permutationCheck)]
    pub fn permutation_check(&self, seed_value: f64) -> Result<JsValue, JsError> {
        let Kind::Graph(r) = &self.kind else {
            return Err(only_graphs("permutationCheck"));
        };
        let seed = permutation_seed(Some(seed_value))?.unwrap_or(0);
        let examples = &r.inputs.examples;
        let t = evaluate_permuted(r.run.target(), examples, seed)?;
        let k = evaluate_permuted(r.ticket()?, examples, seed)?;
        let scale = r.run.rebalanced().output_scale;
        let obj = Object::new();
        set(&obj, "graphs", examples.len() as u32)?;
        set(&obj, "rows", t.predictions.len() as u32)?;
        set(&obj, "changedTarget", t.changed() as u32)?;
        set(&obj, "changedTicket", k.changed() as u32)?;
        set(
            &obj,
            "maxLogitChange",
            t.max_logit_change.max(k.max_logit_change * scale),
        )?;
        set(
            &obj,
            "maxAbsLogit",
            t.max_abs_logit.max(k.max_abs_logit * scale),
        )?;
        Ok(obj.into())
    }
}
