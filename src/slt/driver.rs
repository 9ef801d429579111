//! The blocking driver of a [`PruneRun`]: one thread asks for work, solves
//! batches with any [`BatchSolver`] (rayon, a blocking GPU) and evaluates
//! with the CPU forward pass. The CLI and the native tests use it; the page
//! drives the same run from Web Workers.

use ndarray::{s, ArrayView4};

use crate::nn::{CpuForward, CpuPrepared, Network, PreparedForward};
use crate::slt::config::PruneConfig;
use crate::slt::run::{Event, PruneOutcome, PruneRun, RunOptions, Timing, Work};
use crate::slt::subset_sum::BatchSolver;
use crate::{Error, Result};

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
    let start = (hooks.now)();
    let mut opts = opts.clone();
    let labels = match &eval {
        Some(e) => {
            let count = e.images.dim().0.min(e.labels.len());
            opts.literal_sample = e.literal_sample.min(count);
            e.labels[..count].to_vec()
        }
        None => Vec::new(),
    };
    let mut run = PruneRun::new(target, task, cfg, &opts, labels)?;
    run.set_backend(solver.name());
    // Each network is prepared (kernels expanded) once, not per request.
    let cpu = CpuForward::new();
    let mut target_fwd: Option<CpuPrepared> = None;
    let mut ticket_fwd: Option<CpuPrepared> = None;
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
                let all = eval_images(&eval)?;
                let images = all.slice(s![req.start..req.end, .., .., ..]);
                let yt = prepared(&mut target_fwd, &cpu, Some(target))?.logits_flat(images)?;
                let yk = prepared(&mut ticket_fwd, &cpu, run.ticket())?.logits_flat(images)?;
                run.submit_logits(req.id, &yt, &yk)?;
            }
            Work::Literal(req) => {
                let all = eval_images(&eval)?;
                let images = all.slice(s![..req.count, .., .., ..]);
                let yl = cpu
                    .prepare_cpu(&run.literal_network()?)?
                    .logits_flat(images)?;
                let yk = prepared(&mut ticket_fwd, &cpu, run.ticket())?.logits_flat(images)?;
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

fn eval_images<'a>(eval: &'a Option<EvalSet<'_>>) -> Result<ArrayView4<'a, f32>> {
    eval.as_ref()
        .map(|e| e.images.view())
        .ok_or_else(|| Error::Model("verification requested without inputs".into()))
}

/// `slot`'s prepared network, preparing `net` on first use.
fn prepared<'a>(
    slot: &'a mut Option<CpuPrepared>,
    cpu: &CpuForward,
    net: Option<&Network>,
) -> Result<&'a mut CpuPrepared> {
    if slot.is_none() {
        let net = net.ok_or_else(|| Error::Model("no ticket to evaluate yet".into()))?;
        *slot = Some(cpu.prepare_cpu(net)?);
    }
    slot.as_mut()
        .ok_or_else(|| Error::Model("no prepared network".into()))
}
