//! The blocking driver of a [`PruneRun`]: one thread asks for work, solves
//! batches with any [`BatchSolver`] (rayon, a blocking GPU) and evaluates
//! target, ticket and literal network on the verification inputs. The CLI
//! and the native tests use it; the page drives the same run from Web
//! Workers. Verification evaluates the unpruned random source too (one more
//! forward pass, collapsed as the ticket is), for the report's
//! `source_accuracy`. The loop is written once for every kind of network
//! ([`drive`]); what differs — images through a forward backend
//! ([`ImageRows`]), graphs through theirs
//! ([`crate::slt::graph_inputs::GraphRows`]) — is behind [`VerifyInputs`],
//! the literal check included ([`VerifyInputs::literal_check`]: streamed
//! for images, built whole for graphs). The verification's prepared
//! forwards are let go before the literal check, which comes last.

use std::ops::Range;

use ndarray::ArrayView4;

use crate::nn::{CpuForward, ForwardBackend, Network};
use crate::slt::config::PruneConfig;
use crate::slt::image_inputs::ImageRows;
use crate::slt::mask::LayerMask;
use crate::slt::run::{Event, PruneOutcome, PruneRun, RunOptions, Timing, VerifyLogits, Work};
use crate::slt::source::SourceLayer;
use crate::slt::subset_sum::BatchSolver;
use crate::slt::target::TargetNetwork;
use crate::slt::ticket::masked_source_network;
use crate::{Error, Result};

/// Labelled inputs to verify on, for networks of type `N`: rows (an image,
/// a graph, a node — whatever carries one label) and how to evaluate a
/// network on a range of them.
pub trait VerifyInputs<N> {
    /// Rows available.
    fn rows(&self) -> usize;
    /// `net` made ready (kernels expanded, once) to evaluate rows.
    fn prepare(&self, net: &N) -> Result<Box<dyn RowLogits + '_>>;

    /// The literal check on rows `rows`: logits of the literal masked
    /// source network (`target`, the rebalanced target, with each linear
    /// layer's source and mask, [`masked_source_network`]) and of the
    /// collapsed `ticket`, evaluated alike. By default both are built and
    /// prepared whole (graph networks are small); image rows stream the
    /// literal network ([`crate::slt::literal_forward`]).
    fn literal_check(
        &self,
        target: &N,
        layers: &[(&SourceLayer, &LayerMask)],
        ticket: &N,
        rows: Range<usize>,
    ) -> Result<(Vec<f32>, Vec<f32>)>
    where
        N: TargetNetwork,
    {
        let literal = self
            .prepare(&masked_source_network(target, layers)?)?
            .logits(rows.clone())?;
        let ticket = self.prepare(ticket)?.logits(rows)?;
        Ok((literal, ticket))
    }
}

/// A prepared network evaluating rows of its [`VerifyInputs`].
pub trait RowLogits {
    /// Logits of rows `rows`, row-major.
    fn logits(&mut self, rows: Range<usize>) -> Result<Vec<f32>>;
}

/// Labelled inputs of any network kind, for [`drive`].
pub struct Eval<'a, N> {
    pub inputs: &'a dyn VerifyInputs<N>,
    pub labels: &'a [u8],
    /// How many rows to run through the literal (large) source network.
    pub literal_sample: usize,
    /// The target's logits on every labelled row used (row-major: the
    /// first `min(inputs.rows(), labels.len())`), if known:
    /// they depend on neither seed, ε nor n, so a sweep computes them once
    /// ([`target_logits`]) and each run evaluates ticket and source alone.
    pub target_logits: Option<&'a [f32]>,
}

/// The target's logits on the first `rows` rows of `inputs`, row-major:
/// [`Eval::target_logits`] for runs of the same target.
pub fn target_logits<N>(inputs: &dyn VerifyInputs<N>, target: &N, rows: usize) -> Result<Vec<f32>> {
    inputs.prepare(target)?.logits(0..rows)
}

/// Labelled inputs to verify on: `[count, c, h, w]` and one label each.
pub struct EvalSet<'a> {
    pub images: ArrayView4<'a, f32>,
    pub labels: &'a [u8],
    /// How many of them to run through the literal (large) source network.
    pub literal_sample: usize,
}

/// Environment of a run: clock (seconds; the core has none of its own, so
/// that wasm and native supply theirs), events, cancellation.
pub struct RunHooks<'a> {
    pub now: &'a dyn Fn() -> f64,
    pub on_event: &'a mut dyn FnMut(Event),
    pub cancel: &'a dyn Fn() -> bool,
}

/// Prunes the random source of `target` into a ticket within `cfg.eps`,
/// solving with `solver` and verifying on `eval`.
pub fn prune_network(
    target: &Network,
    task: &str,
    cfg: &PruneConfig,
    solver: &dyn BatchSolver,
    eval: Option<EvalSet<'_>>,
    hooks: RunHooks<'_>,
) -> Result<PruneOutcome> {
    prune_network_with(
        target,
        task,
        cfg,
        &RunOptions::default(),
        solver,
        eval,
        hooks,
    )
}

/// [`prune_network`] with explicit batch sizes (they never change the result).
pub fn prune_network_with(
    target: &Network,
    task: &str,
    cfg: &PruneConfig,
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    eval: Option<EvalSet<'_>>,
    hooks: RunHooks<'_>,
) -> Result<PruneOutcome> {
    let cpu = CpuForward::new();
    prune_network_on(target, task, cfg, opts, solver, &cpu, eval, hooks)
}

/// [`prune_network_with`], verifying on `forward` (the CPU's, a GPU's).
#[allow(clippy::too_many_arguments)]
pub fn prune_network_on(
    target: &Network,
    task: &str,
    cfg: &PruneConfig,
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    forward: &dyn ForwardBackend,
    eval: Option<EvalSet<'_>>,
    hooks: RunHooks<'_>,
) -> Result<PruneOutcome> {
    let images = eval
        .as_ref()
        .map(|e| ImageRows::new(e.images.view(), e.labels, forward));
    let eval = match (&eval, &images) {
        (Some(e), Some(images)) => Some(Eval {
            inputs: images as &dyn VerifyInputs<Network>,
            labels: e.labels,
            literal_sample: e.literal_sample,
            target_logits: None,
        }),
        _ => None,
    };
    drive(target, task, cfg, opts, solver, eval, hooks)
}

/// Runs a [`PruneRun`] of any network kind to the end.
pub fn drive<N: TargetNetwork>(
    target: &N,
    task: &str,
    cfg: &PruneConfig,
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    eval: Option<Eval<'_, N>>,
    hooks: RunHooks<'_>,
) -> Result<PruneOutcome<N>> {
    let start = (hooks.now)();
    let mut opts = opts.clone();
    let labels = match &eval {
        Some(e) => {
            let count = e.inputs.rows().min(e.labels.len());
            opts.literal_sample = e.literal_sample.min(count);
            e.labels[..count].to_vec()
        }
        None => Vec::new(),
    };
    let verify_rows = labels.len();
    let mut run = PruneRun::new(target, task, cfg, &opts, labels)?;
    run.set_backend(solver.name());
    // Each network is prepared (kernels expanded) once, not per request.
    let mut target_fwd: Option<Box<dyn RowLogits + '_>> = None;
    let mut ticket_fwd: Option<Box<dyn RowLogits + '_>> = None;
    let mut source_fwd: Option<Box<dyn RowLogits + '_>> = None;
    let mut solve_end = None;
    loop {
        if (hooks.cancel)() {
            return Err(Error::Cancelled);
        }
        match run.next_work()? {
            Work::Solve(batch) => {
                let sols = solver.solve_batch(&batch.problems, &|_| {}, hooks.cancel)?;
                let subsets: Vec<u32> = sols.iter().map(|s| s.subset).collect();
                run.submit(batch.id, &subsets)?;
            }
            Work::Verify(req) => {
                let inputs = eval_inputs(&eval)?;
                let rows = req.start..req.end;
                let yk = prepared(&mut ticket_fwd, inputs, run.ticket())?.logits(rows.clone())?;
                let yt = match eval.as_ref().and_then(|e| e.target_logits) {
                    Some(all) => known_rows(all, verify_rows, &rows, yk.len())?.to_vec(),
                    None => {
                        prepared(&mut target_fwd, inputs, Some(target))?.logits(rows.clone())?
                    }
                };
                if source_fwd.is_none() {
                    source_fwd = Some(inputs.prepare(&run.source_network()?)?);
                }
                let ys = prepared(&mut source_fwd, inputs, None)?.logits(rows)?;
                run.submit_verify(
                    req.id,
                    VerifyLogits {
                        target: &yt,
                        ticket: &yk,
                        source: Some(&ys),
                    },
                )?;
            }
            Work::Literal(req) => {
                // Issued last: every verify slice is in, so the prepared
                // forwards are let go before the check.
                (target_fwd, ticket_fwd, source_fwd) = (None, None, None);
                let inputs = eval_inputs(&eval)?;
                let ticket = run.pruned_ticket()?;
                let (yl, yk) = inputs.literal_check(
                    &run.rebalanced().network,
                    &run.literal_layers()?,
                    ticket,
                    0..req.count,
                )?;
                run.submit_literal(req.id, &yl, &yk)?;
            }
            Work::Wait => {
                return Err(Error::Model(
                    "the run waits for results but none are outstanding — a bug".into(),
                ))
            }
            Work::Done => break,
        }
        for e in run.drain_events() {
            if matches!(e, Event::Verifying { .. } | Event::Done) && solve_end.is_none() {
                solve_end = Some((hooks.now)());
            }
            (hooks.on_event)(e);
        }
    }
    for e in run.drain_events() {
        (hooks.on_event)(e);
    }
    let end = (hooks.now)();
    run.finish(Timing {
        seconds: end - start,
        solve_seconds: solve_end.unwrap_or(end) - start,
    })
}

/// Rows `rows` of `all`, the known target logits of `total` rows, given
/// that they hold `values` logits (the ticket's on the same rows).
fn known_rows<'a>(
    all: &'a [f32],
    total: usize,
    rows: &Range<usize>,
    values: usize,
) -> Result<&'a [f32]> {
    let classes = values / rows.len().max(1);
    if all.len() != total * classes {
        return Err(Error::InvalidArgument(format!(
            "the known target logits do not cover the test rows: {} values for {total} rows \
             of {classes} classes",
            all.len()
        )));
    }
    Ok(&all[rows.start * classes..rows.end * classes])
}

fn eval_inputs<'a, N>(eval: &Option<Eval<'a, N>>) -> Result<&'a dyn VerifyInputs<N>> {
    eval.as_ref()
        .map(|e| e.inputs)
        .ok_or_else(|| Error::Model("verification requested without inputs".into()))
}

/// `slot`'s prepared network, preparing `net` on first use.
fn prepared<'s, 'a, N>(
    slot: &'s mut Option<Box<dyn RowLogits + 'a>>,
    inputs: &'a dyn VerifyInputs<N>,
    net: Option<&N>,
) -> Result<&'s mut Box<dyn RowLogits + 'a>> {
    if slot.is_none() {
        let net = net.ok_or_else(|| Error::Model("no ticket to evaluate yet".into()))?;
        *slot = Some(inputs.prepare(net)?);
    }
    slot.as_mut()
        .ok_or_else(|| Error::Model("no prepared network".into()))
}
