//! JS views of a [`PruneRun`] of any network kind, shared by the image and
//! the graph drivers of the page ([`super::WebRun`], [`super::WebGraphRun`]):
//! solve batches as typed arrays, layer errors, an opened problem, the
//! outcome and the exported ticket file.

use js_sys::{Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::slt::coefficient::{CoefficientId, CoefficientLayout, Pool};
use crate::slt::target::TargetNetwork;
use crate::slt::ticket::encode_betas;
use crate::slt::ticket_file::TicketFile;
use crate::slt::{PruneConfig, PruneOutcome, PruneRun, SolveBatch, Timing};
use crate::Error;

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

/// `obj` filled as `{kind: 'solve', id, layer, first, n, count, candidates,
/// targets}`.
pub(crate) fn solve_work(obj: &Object, b: &SolveBatch) -> Result<(), JsError> {
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

/// The collapsed ticket's β (after the headroom) as bytes.
pub(crate) fn ticket_blob<N: TargetNetwork>(run: &PruneRun<N>) -> Result<Uint8Array, JsError> {
    let betas = run
        .betas()
        .ok_or_else(|| Error::InvalidArgument("the run has not pruned every layer yet".into()))?;
    let mut bytes = run.config().headroom.to_le_bytes().to_vec();
    bytes.extend(encode_betas(&betas));
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// |β − α| of every problem of pruned layer `layer`.
pub(crate) fn layer_errors<N: TargetNetwork>(
    run: &PruneRun<N>,
    layer: usize,
) -> Result<Float64Array, JsError> {
    let p = run
        .pruned(layer)
        .ok_or_else(|| Error::InvalidArgument(format!("layer {layer} is not pruned")))?;
    Ok(Float64Array::from(p.errors.as_slice()))
}

/// Problem index of (o, i, k, pool) in layer `layer`.
pub(crate) fn problem_index<N: TargetNetwork>(
    run: &PruneRun<N>,
    layer: usize,
    out_field: usize,
    in_field: usize,
    basis_element: usize,
    pool: &str,
) -> Result<u32, JsError> {
    let layout = CoefficientLayout::of(run.target_layer(layer)?);
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
pub(crate) fn problem<N: TargetNetwork>(
    run: &PruneRun<N>,
    layer: usize,
    p: usize,
) -> Result<JsValue, JsError> {
    let opened = run.problem(layer, p)?;
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

/// Finishes `run` with its page-measured timing, keeps the outcome in
/// `slot` (for the ticket file) and returns its view ([`outcome`]).
pub(crate) fn finish<N: TargetNetwork>(
    run: &PruneRun<N>,
    slot: &mut Option<PruneOutcome<N>>,
    seconds: f64,
    solve_seconds: f64,
) -> Result<JsValue, JsError> {
    let finished = run.finish(Timing {
        seconds,
        solve_seconds,
    })?;
    let obj = outcome(&finished)?;
    *slot = Some(finished);
    Ok(obj)
}

/// `{report, targetPredictions, ticketPredictions}` of a finished run.
pub(crate) fn outcome<N>(outcome: &PruneOutcome<N>) -> Result<JsValue, JsError> {
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
    Ok(obj.into())
}

/// The exported ticket file (JSON text) of the finished run's `outcome`
/// (none: the run is not finished).
pub(crate) fn ticket_json<N>(
    outcome: Option<&PruneOutcome<N>>,
    cfg: &PruneConfig,
    model_name: &str,
    model_sha256: &str,
) -> Result<String, JsError> {
    let outcome =
        outcome.ok_or_else(|| Error::InvalidArgument("the run is not finished".into()))?;
    let file = TicketFile::new(outcome, cfg, model_name, model_sha256)?;
    Ok(file.to_json()?)
}
