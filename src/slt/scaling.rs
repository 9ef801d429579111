//! The scaling law, measured: one ticket per ε, and the random parameters
//! it took against log₂(1/ε).
//!
//! The paper's upper bound: a random G-equivariant source with
//! O(log(1/ε)) candidates per target coefficient contains a ticket within
//! ε. Its lower bound: no scheme can do with fewer than Ω(d·log(1/ε))
//! random parameters, where **d counts the target's free coefficients —
//! its basis coefficients α\[o,i,k], not its weights** (a C8 steerable
//! 5×5 kernel between regular fields has 8·8·25 weights but far fewer basis
//! coefficients). Here d is the report's `target_params` and the bound is
//! drawn as `bound_params` = d·log₂(1/ε), the bound with its constant set
//! to 1 — a reference line, not a proof of optimality: the bound is
//! asymptotic, and one point is one seed.
//!
//! A point is exactly the run `eslt prune --eps ε --seed S` makes — n per
//! layer from the bound ([`point_config`]), growth on — so the same mask
//! digest; only verification may be skipped (a solve-only point has no
//! accuracies). The sweep is a plain loop over [`crate::slt::PruneRun`]s:
//! [`sweep`] drives them natively; a page drives each point's run on its
//! own workers and turns the finished report into the same point with
//! [`ScalingPoint::from_report`]. [`LineFit`] gives each curve's slope,
//! parameters per bit of precision.

use serde::{Deserialize, Serialize};

use crate::nn::graph::GraphNetwork;
use crate::nn::{ForwardBackend, Model, Network};
use crate::slt::config::PruneConfig;
use crate::slt::driver::{drive, target_logits, Eval, RunHooks, VerifyInputs};
use crate::slt::report::PruneReport;
use crate::slt::run::{Event, RunOptions};
use crate::slt::subset_sum::BatchSolver;
use crate::slt::target::TargetNetwork;
use crate::slt::test_rows::TestRows;
use crate::{Error, Result};

/// The ε values of the shipped reference curves (`www/scaling/`), 0.1 to
/// 0.001, about two points per decade.
pub const REFERENCE_EPS: [f64; 5] = [0.1, 0.03, 0.01, 0.003, 0.001];

/// The seed of the shipped reference curves.
pub const REFERENCE_SEED: u64 = 1;

/// The lower bound's parameter count with its constant set to 1:
/// d·log₂(1/ε), d = the target's basis coefficients.
pub fn bound_params(target_params: usize, eps: f64) -> f64 {
    target_params as f64 * bits(eps)
}

/// Bits of precision of ε: log₂(1/ε), the x axis of the law.
pub fn bits(eps: f64) -> f64 {
    -eps.log2()
}

/// The run of one point: `base` (seed, headroom, input sign) at ε, with n
/// from the bound and growth on — what `eslt prune --eps ε` runs.
pub fn point_config(base: &PruneConfig, eps: f64) -> PruneConfig {
    PruneConfig {
        eps,
        n: None,
        grow: true,
        ..base.clone()
    }
}

/// One ε of a sweep (the `points[]` of `eslt sweep --eps … --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingPoint {
    pub eps: f64,
    /// Candidates per pool, per target layer, after any growth.
    pub n_per_layer: Vec<usize>,
    /// Random source parameters (layers A and B, every layer).
    pub source_params: usize,
    /// Parameters the ticket keeps.
    pub ticket_params: usize,
    /// d·log₂(1/ε) (see [`bound_params`]).
    pub bound_params: f64,
    /// d: the target's basis coefficients.
    pub target_params: usize,
    pub max_coef_error: f64,
    pub within_eps: bool,
    pub seconds: f64,
    /// The ticket's mask, as `eslt prune` reports it.
    pub mask_digest: String,
    /// Null when the point was only solved, not verified.
    pub target_accuracy: Option<f64>,
    pub ticket_accuracy: Option<f64>,
    pub agreement: Option<f64>,
    pub source_accuracy: Option<f64>,
}

impl ScalingPoint {
    /// The point of a finished run's report (accuracies only if it verified
    /// any rows).
    pub fn from_report(r: &PruneReport) -> Self {
        let verified = |v: f64| (r.test_digits > 0).then_some(v);
        Self {
            eps: r.eps,
            n_per_layer: r.n_per_layer.clone(),
            source_params: r.source_params,
            ticket_params: r.ticket_params,
            bound_params: bound_params(r.target_params, r.eps),
            target_params: r.target_params,
            max_coef_error: r.max_coef_error,
            within_eps: r.within_eps,
            seconds: r.seconds,
            mask_digest: r.mask_digest.clone(),
            target_accuracy: verified(r.target_accuracy),
            ticket_accuracy: verified(r.ticket_accuracy),
            agreement: verified(r.agreement),
            source_accuracy: r.source_accuracy.filter(|_| r.test_digits > 0),
        }
    }

    /// A count of the point, for fits and charts.
    pub fn params(&self, curve: Curve) -> f64 {
        match curve {
            Curve::Source => self.source_params as f64,
            Curve::Ticket => self.ticket_params as f64,
            Curve::Bound => self.bound_params,
        }
    }
}

/// Which parameter count of a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    Source,
    Ticket,
    Bound,
}

/// A sweep (the `eslt sweep --eps … --json` object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingSweep {
    pub task: String,
    pub seed: u64,
    /// Subset-sum problems per point (coefficients × live pools).
    pub problems: usize,
    /// Rows verified per point (0: solved only).
    pub test_digits: usize,
    pub points: Vec<ScalingPoint>,
}

impl ScalingSweep {
    /// The sweep of finished runs' reports, in order (at least one, all of
    /// one task and seed).
    pub fn from_reports(reports: &[PruneReport]) -> Result<Self> {
        let first = reports
            .first()
            .ok_or_else(|| Error::InvalidArgument("a sweep needs at least one ε".into()))?;
        if let Some(r) = reports
            .iter()
            .find(|r| r.task != first.task || r.seed != first.seed)
        {
            return Err(Error::InvalidArgument(format!(
                "a sweep is one task at one seed: {} seed {} after {} seed {}",
                r.task, r.seed, first.task, first.seed
            )));
        }
        Ok(Self {
            task: first.task.clone(),
            seed: first.seed,
            problems: first.problems,
            test_digits: first.test_digits,
            points: reports.iter().map(ScalingPoint::from_report).collect(),
        })
    }

    /// Least-squares line of `curve` against log₂(1/ε).
    pub fn fit(&self, curve: Curve) -> Option<LineFit> {
        let xy: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (bits(p.eps), p.params(curve)))
            .collect();
        LineFit::least_squares(&xy)
    }
}

/// params ≈ intercept + slope·log₂(1/ε): the slope is parameters per bit of
/// precision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LineFit {
    pub slope: f64,
    pub intercept: f64,
}

impl LineFit {
    /// Ordinary least squares of y on x; `None` with fewer than two
    /// distinct x.
    pub fn least_squares(xy: &[(f64, f64)]) -> Option<Self> {
        if xy.len() < 2 {
            return None;
        }
        let n = xy.len() as f64;
        let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
        let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        if sxx <= 0.0 {
            return None;
        }
        let slope = sxy / sxx;
        Some(Self {
            slope,
            intercept: my - slope * mx,
        })
    }
}

/// ε values from `0.1,0.03,0.01`: each in (0, 1), no repeats.
pub fn parse_eps_list(s: &str) -> Result<Vec<f64>> {
    let mut out: Vec<f64> = Vec::new();
    for part in s.split(',') {
        let eps: f64 = part.trim().parse().map_err(|_| {
            Error::InvalidArgument(format!(
                "--eps must be a comma-separated list like 0.1,0.01,0.001, got '{s}'"
            ))
        })?;
        if !(eps > 0.0 && eps < 1.0) {
            return Err(Error::InvalidArgument(format!(
                "every ε must be in (0, 1), got {eps}"
            )));
        }
        if out.contains(&eps) {
            return Err(Error::InvalidArgument(format!("ε = {eps} is listed twice")));
        }
        out.push(eps);
    }
    Ok(out)
}

/// A native sweep's environment: clock, cancellation, and each point's run
/// events with the point's index.
pub struct SweepHooks<'a> {
    pub now: &'a dyn Fn() -> f64,
    pub on_event: &'a mut dyn FnMut(usize, Event),
    pub cancel: &'a dyn Fn() -> bool,
}

/// [`sweep`] of a model of either kind: its network, its input's sign, and
/// `tests` (of its kind; none or empty: solve only) as verification rows,
/// images through `forward`.
#[allow(clippy::too_many_arguments)]
pub fn sweep_model(
    model: &Model,
    base: &PruneConfig,
    eps: &[f64],
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    forward: &dyn ForwardBackend,
    tests: Option<&TestRows>,
    hooks: SweepHooks<'_>,
) -> Result<ScalingSweep> {
    let base = PruneConfig {
        input_nonnegative: model.input_nonnegative()?,
        ..base.clone()
    };
    let mismatch = || Error::InvalidArgument("the test rows are not of the model's kind".into());
    let task = model.task();
    // No literal check: `eslt prune` proves a ticket a subnetwork; a sweep
    // counts parameters, and the mask does not depend on it.
    match model {
        Model::Image { net, .. } => {
            let rows = tests.map(|t| t.image_rows(forward).ok_or_else(mismatch));
            let rows = rows.transpose()?;
            let labels = rows.as_ref().map(|r| r.labels()).unwrap_or_default();
            let eval = rows.as_ref().filter(|_| !labels.is_empty()).map(|r| Eval {
                inputs: r as &dyn VerifyInputs<Network>,
                labels: &labels,
                literal_sample: 0,
                target_logits: None,
            });
            sweep(net, task, &base, eps, opts, solver, eval, hooks)
        }
        Model::Graph { net, .. } => {
            let rows = tests.map(|t| t.graph_rows().ok_or_else(mismatch));
            let rows = rows.transpose()?;
            let labels = rows.as_ref().map(|r| r.labels()).unwrap_or_default();
            let eval = rows.as_ref().filter(|_| !labels.is_empty()).map(|r| Eval {
                inputs: r as &dyn VerifyInputs<GraphNetwork>,
                labels: &labels,
                literal_sample: 0,
                target_logits: None,
            });
            sweep(net, task, &base, eps, opts, solver, eval, hooks)
        }
    }
}

/// Prunes `target` once per ε in `eps` (in order) at `base`'s seed,
/// solving with `solver` and verifying on `eval` when given — the target's
/// logits computed once for every point.
#[allow(clippy::too_many_arguments)]
pub fn sweep<N: TargetNetwork>(
    target: &N,
    task: &str,
    base: &PruneConfig,
    eps: &[f64],
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    eval: Option<Eval<'_, N>>,
    hooks: SweepHooks<'_>,
) -> Result<ScalingSweep> {
    let mut reports = Vec::with_capacity(eps.len());
    let known = match &eval {
        Some(v) if v.target_logits.is_none() => {
            let rows = v.inputs.rows().min(v.labels.len());
            Some(target_logits(v.inputs, target, rows)?)
        }
        _ => None,
    };
    for (index, &e) in eps.iter().enumerate() {
        let cfg = point_config(base, e);
        let eval = eval.as_ref().map(|v| Eval {
            inputs: v.inputs,
            labels: v.labels,
            literal_sample: v.literal_sample,
            target_logits: v.target_logits.or(known.as_deref()),
        });
        let outcome = drive(
            target,
            task,
            &cfg,
            opts,
            solver,
            eval,
            RunHooks {
                now: hooks.now,
                on_event: &mut |e| (hooks.on_event)(index, e),
                cancel: hooks.cancel,
            },
        )?;
        reports.push(outcome.report);
    }
    ScalingSweep::from_reports(&reports)
}
