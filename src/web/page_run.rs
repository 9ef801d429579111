//! [`PageRun`]: the coordinator's side of a [`PruneRun`] of either kind of
//! network, written once over [`PageInputs`] — the work handed out as
//! plain JS objects and typed arrays, the answers taken back, the local
//! work (the literal check, and verification when the solvers do not
//! verify) done here, and the views the page asks for. [`super::WebRun`]
//! is its JS face.
//!
//! Every verify slice is also answered with the unpruned random source's
//! logits (one more forward pass, on the source collapsed like the
//! ticket): the report's `source_accuracy`, as the CLI's. The solver
//! workers compute them beside the ticket's, from [`PageRun::source_blob`];
//! a slice answered without them is completed here.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;

use js_sys::{Array, Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::slt::coefficient::{CoefficientId, CoefficientLayout, Pool};
use crate::slt::run::not_pruned;
use crate::slt::scaling::ScalingPoint;
use crate::slt::ticket::{encode_betas, Betas};
use crate::slt::ticket_file::TicketFile;
use crate::slt::{PruneOutcome, PruneRun, SolveBatch, Timing, VerifyLogits, Work};
use crate::web::js::{set, to_js};
use crate::web::run_inputs::PageInputs;
use crate::Error;

/// A run, its test rows and (once finished) its outcome.
pub(crate) struct PageRun<I: PageInputs> {
    pub run: PruneRun<I::Net>,
    pub inputs: I,
    outcome: Option<PruneOutcome<I::Net>>,
    /// The unpruned source, collapsed, once every layer is pruned.
    source: Option<I::Net>,
    /// Rows of the verify slices out at the solver workers, by id.
    verifying: HashMap<u64, Range<usize>>,
}

impl<I: PageInputs> PageRun<I> {
    pub fn new(run: PruneRun<I::Net>, inputs: I) -> Self {
        PageRun {
            run,
            inputs,
            outcome: None,
            source: None,
            verifying: HashMap::new(),
        }
    }

    /// The unpruned random source, collapsed (rebalanced units, like the
    /// ticket), once every layer is pruned.
    pub fn source(&mut self) -> Result<&I::Net, Error> {
        // Kept once built: only the final source (a layer may still grow).
        self.ticket()?;
        if self.source.is_none() {
            self.source = Some(self.run.source_network()?);
        }
        self.source.as_ref().ok_or_else(not_pruned)
    }

    /// The source's logits on test rows `rows`, evaluated here.
    fn source_logits(&mut self, rows: Range<usize>) -> Result<Vec<f32>, Error> {
        self.source()?;
        let source = self.source.as_ref().ok_or_else(not_pruned)?;
        self.inputs.logits(source, rows)
    }

    /// Hands back target, ticket and (if the solver computed them) source
    /// logits of verify slice `id`; missing source logits are evaluated here.
    pub fn submit_verify(
        &mut self,
        id: u64,
        target: &[f32],
        ticket: &[f32],
        source: Option<&[f32]>,
    ) -> Result<(), Error> {
        let rows = self.verifying.remove(&id).ok_or_else(|| {
            Error::InvalidArgument(format!("work {id} is not a verify slice out"))
        })?;
        let here;
        let source = match source {
            Some(s) => s,
            None => {
                here = self.source_logits(rows)?;
                &here
            }
        };
        self.run.submit_verify(
            id,
            VerifyLogits {
                target,
                ticket,
                source: Some(source),
            },
        )
    }

    /// The ticket network (rebalanced units), once every layer is pruned.
    pub fn ticket(&self) -> Result<&I::Net, Error> {
        self.run.pruned_ticket()
    }

    /// The next piece of work: `{kind: 'solve', id, layer, first, n, count,
    /// candidates, targets}` and `{kind: 'verify', id, start, end}` for the
    /// solver workers, `{kind: 'local', did: 'literal' | 'verify'}` after
    /// doing a piece here, `{kind: 'wait'}` or `{kind: 'done'}`.
    pub fn next_work(&mut self) -> Result<JsValue, JsError> {
        let obj = Object::new();
        match self.run.next_work()? {
            Work::Solve(b) => solve_work(&obj, &b)?,
            Work::Verify(r) if I::SOLVERS_VERIFY => {
                self.verifying.insert(r.id, r.start..r.end);
                set(&obj, "kind", "verify")?;
                set(&obj, "id", r.id as f64)?;
                set(&obj, "start", r.start as u32)?;
                set(&obj, "end", r.end as u32)?;
            }
            Work::Verify(r) => {
                let rows = r.start..r.end;
                let yt = self.inputs.logits(self.run.target(), rows.clone())?;
                let yk = self.inputs.logits(self.ticket()?, rows.clone())?;
                let ys = self.source_logits(rows)?;
                self.run.submit_verify(
                    r.id,
                    VerifyLogits {
                        target: &yt,
                        ticket: &yk,
                        source: Some(&ys),
                    },
                )?;
                set(&obj, "kind", "local")?;
                set(&obj, "did", "verify")?;
            }
            Work::Literal(r) => {
                // Growth may have raised n since the run started.
                self.inputs
                    .check_memory(&self.run, " (after its layers grew)")?;
                let (yl, yk) = self.inputs.literal_check(&self.run, 0..r.count)?;
                self.run.submit_literal(r.id, &yl, &yk)?;
                set(&obj, "kind", "local")?;
                set(&obj, "did", "literal")?;
            }
            Work::Wait => set(&obj, "kind", "wait")?,
            Work::Done => set(&obj, "kind", "done")?,
        }
        Ok(obj.into())
    }

    /// The collapsed ticket's β (after the headroom) as bytes, for the
    /// solver workers' evaluators.
    pub fn ticket_blob(&self) -> Result<Uint8Array, JsError> {
        let betas = self.run.betas().ok_or_else(not_pruned)?;
        Ok(self.blob(&betas))
    }

    /// The unpruned source's β (after the headroom) as bytes, in the
    /// ticket blob's encoding: the solver workers evaluate it beside the
    /// ticket. Before solving it is the source at the initial n, which the
    /// page evaluates ahead of the run (the same bytes unless a layer grows).
    pub fn source_blob(&self) -> Result<Uint8Array, JsError> {
        Ok(self.blob(&self.run.source_betas()?))
    }

    /// The run's headroom (f32) then `betas`, encoded: what
    /// `Evaluator.setTicket` and `setSource` decode.
    fn blob(&self, betas: &[Betas]) -> Uint8Array {
        let mut bytes = self.run.config().headroom.to_le_bytes().to_vec();
        bytes.extend(encode_betas(betas));
        Uint8Array::from(bytes.as_slice())
    }

    /// |β − α| of every problem of pruned layer `layer`.
    fn errors(&self, layer: usize) -> Result<&[f64], Error> {
        let p = self
            .run
            .pruned(layer)
            .ok_or_else(|| Error::InvalidArgument(format!("layer {layer} is not pruned")))?;
        Ok(&p.errors)
    }

    pub fn layer_errors(&self, layer: usize) -> Result<Float64Array, JsError> {
        Ok(Float64Array::from(self.errors(layer)?))
    }

    /// The `count` problems of pruned layer `layer` with the largest
    /// errors, largest first (ties: lower index first), each as
    /// [`Self::problem`] with its index `p`.
    pub fn worst_problems(&self, layer: usize, count: usize) -> Result<Array, JsError> {
        let errors = self.errors(layer)?;
        let mut order: Vec<usize> = (0..errors.len()).collect();
        order.sort_by(|&a, &b| {
            errors[b]
                .partial_cmp(&errors[a])
                .unwrap_or(Ordering::Equal)
                .then(a.cmp(&b))
        });
        let out = Array::new();
        for p in order.into_iter().take(count) {
            let obj = self.problem(layer, p)?;
            set(&obj, "p", p as u32)?;
            out.push(&obj);
        }
        Ok(out)
    }

    /// Problem index of (o, i, k, pool) in layer `layer`.
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
    pub fn problem(&self, layer: usize, p: usize) -> Result<Object, JsError> {
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
        Ok(obj)
    }

    /// Finishes the run with its page-measured timing and keeps the
    /// outcome (for the ticket file): `{report, targetPredictions,
    /// ticketPredictions}`.
    pub fn finish(&mut self, seconds: f64, solve_seconds: f64) -> Result<JsValue, JsError> {
        let finished = self.run.finish(Timing {
            seconds,
            solve_seconds,
        })?;
        let obj = Object::new();
        set(&obj, "report", to_js(&finished.report)?)?;
        set(
            &obj,
            "targetPredictions",
            Uint8Array::from(finished.target_predictions.as_slice()),
        )?;
        set(
            &obj,
            "ticketPredictions",
            Uint8Array::from(finished.ticket_predictions.as_slice()),
        )?;
        self.outcome = Some(finished);
        Ok(obj.into())
    }

    /// The exported ticket file (JSON text) of the finished run.
    pub fn ticket_json(&self, model_name: &str, model_sha256: &str) -> Result<String, JsError> {
        let outcome = self
            .outcome
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument("the run is not finished".into()))?;
        let file = TicketFile::new(outcome, self.run.config(), model_name, model_sha256)?;
        Ok(file.to_json()?)
    }

    /// The finished run as a point of the scaling law: `eslt sweep --eps
    /// … --json`'s `points[]` entry for this ε.
    pub fn scaling_point(&self) -> Result<JsValue, JsError> {
        let outcome = self
            .outcome
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument("the run is not finished".into()))?;
        to_js(&ScalingPoint::from_report(&outcome.report))
    }
}

/// `obj` filled as `{kind: 'solve', id, layer, first, n, count, candidates,
/// targets}`.
fn solve_work(obj: &Object, b: &SolveBatch) -> Result<(), JsError> {
    set(obj, "kind", "solve")?;
    set(obj, "id", b.id as f64)?;
    set(obj, "layer", b.layer as u32)?;
    set(obj, "first", b.first as u32)?;
    set(obj, "n", b.problems.n() as u32)?;
    set(obj, "count", b.problems.len() as u32)?;
    set(
        obj,
        "candidates",
        Float64Array::from(b.problems.candidates()),
    )?;
    set(obj, "targets", Float64Array::from(b.problems.targets()))?;
    Ok(())
}
