//! `WebGraphRun`: the page's coordinator over a [`PruneRun`] of a graph or
//! set network — the same run, source and pruning as images, driven the
//! same way: solve batches go to the solver workers; verification (target
//! and ticket on the task's test graphs, regenerated here from the task
//! table's seeds) and the literal check run on this worker, since graph
//! networks are small. When it has done such work, `nextWork` answers
//! `{kind: 'local'}`: the coordinator then yields before asking again, so
//! progress reaches the page while it verifies.

use js_sys::{Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::nn::graph::tasks::{self, GraphTask};
use crate::nn::graph::{evaluate_permuted, graph_model, GraphExample, GraphNetwork};
use crate::slt::driver::VerifyInputs;
use crate::slt::graph_inputs::GraphRows;
use crate::slt::{PruneOutcome, PruneRun, Work};
use crate::web::graph_view::{add_outputs, shown_example, structure};
use crate::web::run_config::{js_seed, WebConfig};
use crate::web::run_view::{self as view, set, to_js};
use crate::Error;

/// A pruning run of a graph model in the page's coordinator worker.
#[wasm_bindgen]
pub struct WebGraphRun {
    run: PruneRun<GraphNetwork>,
    task: GraphTask,
    tests: Vec<GraphExample>,
    outcome: Option<PruneOutcome<GraphNetwork>>,
}

/// The first `count` test examples of `task` (all of them if it has fewer).
fn test_examples(task: &GraphTask, count: usize) -> Vec<GraphExample> {
    let mut tests = task.test_examples();
    tests.truncate(count);
    tests
}

/// `{…structure}` of test graph `index` of graph task `task` (no network):
/// what the page draws before a run. `permuteSeed` relabels it.
#[wasm_bindgen(js_name = graphExample)]
pub fn graph_example(
    task: &str,
    index: usize,
    permute_seed: Option<f64>,
) -> Result<JsValue, JsError> {
    let task = tasks::task(task)?;
    let tests = task.test_examples();
    let (ex, sigma) = shown_example(&task, &tests, index, seed(permute_seed)?)?;
    Ok(structure(&task, &ex, &sigma, index, tests.len())?.into())
}

/// An optional permutation seed from JS.
fn seed(s: Option<f64>) -> Result<Option<u64>, Error> {
    s.map(|v| js_seed(v, "permutation seed")).transpose()
}

#[wasm_bindgen]
impl WebGraphRun {
    /// Sets up a run of the graph model in `model_json` on the first
    /// `config.testDigits` test graphs of its task (fewer if it has fewer;
    /// 0: prune only).
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, config: JsValue) -> Result<WebGraphRun, JsError> {
        let c = WebConfig::parse(config)?;
        let (target, meta) = graph_model::from_json(model_json)?;
        let task = tasks::task(&meta.task)?;
        let tests = test_examples(&task, c.test_digits);
        let labels = GraphRows::new(&tests).labels();
        let cfg = c.prune_config(!task.input.can_be_negative());
        let opts = c.run_options(labels.len());
        let mut run = PruneRun::new(&target, task.name, &cfg, &opts, labels)?;
        run.set_backend(c.backend_name());
        Ok(WebGraphRun {
            run,
            task,
            tests,
            outcome: None,
        })
    }

    /// The next piece of work: `{kind: 'solve', …}` as for images,
    /// `{kind: 'local'}` after verifying a slice here, `{kind: 'wait'}` or
    /// `{kind: 'done'}`.
    #[wasm_bindgen(js_name = nextWork)]
    pub fn next_work(&mut self) -> Result<JsValue, JsError> {
        let obj = Object::new();
        match self.run.next_work()? {
            Work::Solve(b) => view::solve_work(&obj, &b)?,
            Work::Verify(r) => {
                let (yt, yk) = self.logits(r.start..r.end, false)?;
                self.run.submit_logits(r.id, &yt, &yk)?;
                set(&obj, "kind", "local")?;
            }
            Work::Literal(r) => {
                let (yl, yk) = self.logits(0..r.count, true)?;
                self.run.submit_literal(r.id, &yl, &yk)?;
                set(&obj, "kind", "local")?;
            }
            Work::Wait => set(&obj, "kind", "wait")?,
            Work::Done => set(&obj, "kind", "done")?,
        }
        Ok(obj.into())
    }

    /// (target or literal network, ticket) logits on verification rows.
    fn logits(
        &self,
        rows: std::ops::Range<usize>,
        literal: bool,
    ) -> Result<(Vec<f32>, Vec<f32>), Error> {
        let inputs = GraphRows::new(&self.tests);
        let first = if literal {
            inputs.prepare(&self.run.literal_network()?)?
        } else {
            inputs.prepare(self.run.target())?
        }
        .logits(rows.clone())?;
        let ticket = inputs.prepare(self.ticket()?)?.logits(rows)?;
        Ok((first, ticket))
    }

    fn ticket(&self) -> Result<&GraphNetwork, Error> {
        self.run
            .ticket()
            .ok_or_else(|| Error::InvalidArgument("the run has not pruned every layer yet".into()))
    }

    /// Hands back the subsets of solve batch `id`.
    #[wasm_bindgen(js_name = submitSolve)]
    pub fn submit_solve(&mut self, id: f64, subsets: &[u32]) -> Result<(), JsError> {
        Ok(self.run.submit(id as u64, subsets)?)
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

    /// The collapsed ticket's β (as for images; graph runs verify here, so
    /// the page does not send it to the solvers).
    #[wasm_bindgen(js_name = ticketBlob)]
    pub fn ticket_blob(&self) -> Result<Uint8Array, JsError> {
        view::ticket_blob(&self.run)
    }

    /// |β − α| of every problem of pruned layer `layer`.
    #[wasm_bindgen(js_name = layerErrors)]
    pub fn layer_errors(&self, layer: usize) -> Result<Float64Array, JsError> {
        view::layer_errors(&self.run, layer)
    }

    /// Subset-sum problem `p` of pruned layer `layer`, with its solution.
    pub fn problem(&self, layer: usize, p: usize) -> Result<JsValue, JsError> {
        view::problem(&self.run, layer, p)
    }

    /// The report and predictions, once the run is done.
    pub fn finish(&mut self, seconds: f64, solve_seconds: f64) -> Result<JsValue, JsError> {
        view::finish(&self.run, &mut self.outcome, seconds, solve_seconds)
    }

    /// The exported ticket file of the finished run (see `WebRun`).
    #[wasm_bindgen(js_name = ticketJson)]
    pub fn ticket_json(&self, model_name: &str, model_sha256: &str) -> Result<String, JsError> {
        view::ticket_json(
            self.outcome.as_ref(),
            self.run.config(),
            model_name,
            model_sha256,
        )
    }

    /// Test graph `index`, relabelled from `permuteSeed` if given, with the
    /// outputs of target and ticket on it (see the graph view).
    pub fn graph(&self, index: usize, permute_seed: Option<f64>) -> Result<JsValue, JsError> {
        let (ex, sigma) = shown_example(&self.task, &self.tests, index, seed(permute_seed)?)?;
        let obj = structure(&self.task, &ex, &sigma, index, self.tests.len())?;
        let scale = self.run.rebalanced().output_scale;
        add_outputs(&obj, self.run.target(), self.ticket()?, scale, &ex.input)?;
        Ok(obj.into())
    }

    /// Every test graph of the run relabelled (graph g by the permutation
    /// seeded with `seed + g`) through target and ticket: `{graphs, rows,
    /// changedTarget, changedTicket, maxLogitChange, maxAbsLogit}`, the
    /// ticket's logits in the target's units.
    #[wasm_bindgen(js_name = permutationCheck)]
    pub fn permutation_check(&self, seed_value: f64) -> Result<JsValue, JsError> {
        let seed = seed(Some(seed_value))?.unwrap_or(0);
        let t = evaluate_permuted(self.run.target(), &self.tests, seed)?;
        let k = evaluate_permuted(self.ticket()?, &self.tests, seed)?;
        let scale = self.run.rebalanced().output_scale;
        let obj = Object::new();
        set(&obj, "graphs", self.tests.len() as u32)?;
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

    /// Test graphs of this run.
    #[wasm_bindgen(getter, js_name = testGraphs)]
    pub fn test_graphs(&self) -> usize {
        self.tests.len()
    }
}
