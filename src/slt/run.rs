//! One pruning run: rebalance → draw the source → solve layer by layer
//! (growing n where ε is missed) → verify. Serves the CLI and the page alike;
//! progress goes out as [`Event`]s, cancellation comes in as a closure.

use crate::nn::Network;
use crate::slt::config::{n_from_bound, PruneConfig};
use crate::slt::mask::mask_digest;
use crate::slt::prune::{prune_layer, Pool, PrunedLayer};
use crate::slt::rebalance::{rebalance, Rebalanced};
use crate::slt::report::{LayerReport, PruneReport, WorstCoefficient};
use crate::slt::sign::nonnegative_inputs;
use crate::slt::source::SourceLayer;
use crate::slt::subset_sum::{BatchSolver, MAX_N};
use crate::slt::ticket::{fast_network, literal_network};
use crate::slt::verify::{compare, literal_check, Comparison, LiteralCheck};
use crate::{Error, Result};
use ndarray::{s, ArrayView4};
use std::cell::RefCell;

/// Relative disagreement above which the literal and collapsed tickets are
/// declared different (a bug, not rounding: both are f32 sums of the same
/// products in different orders).
pub const LITERAL_TOLERANCE: f64 = 1e-5;

/// Progress of a run.
#[derive(Clone, Debug)]
pub enum Event {
    /// A layer starts (or restarts with a larger n).
    LayerStart {
        layer: usize,
        layers: usize,
        problems: usize,
        n: usize,
    },
    /// Problems solved so far in the current layer.
    Progress {
        layer: usize,
        done: usize,
        total: usize,
    },
    /// A layer missed ε at n and is redrawn with a larger n.
    LayerGrown {
        layer: usize,
        from: usize,
        to: usize,
        max_error: f64,
        /// Problems whose error exceeded ε.
        misses: usize,
    },
    LayerDone(Box<LayerReport>),
    /// Evaluating target and ticket on the test inputs.
    Verifying,
}

/// Labelled inputs to verify on: `[count, c, h, w]` and one label each.
pub struct EvalSet<'a> {
    pub images: ArrayView4<'a, f32>,
    pub labels: &'a [u8],
    /// How many of them to run through the literal (large) source network.
    pub literal_sample: usize,
}

/// The products of a run.
pub struct PruneOutcome {
    pub report: PruneReport,
    pub rebalanced: Rebalanced,
    pub pruned: Vec<PrunedLayer>,
    /// The collapsed ticket (rebalanced scale; × output_scale = original).
    pub ticket: Network,
}

/// Environment of a run: clock (seconds; the core has none of its own, so
/// that wasm and native supply theirs), events, cancellation.
pub struct RunHooks<'a> {
    pub now: &'a dyn Fn() -> f64,
    pub on_event: &'a mut dyn FnMut(Event),
    pub cancel: &'a dyn Fn() -> bool,
}

/// Prunes the random source of `target` into a ticket within `cfg.eps`.
pub fn prune_network(
    target: &Network,
    task: &str,
    cfg: &PruneConfig,
    solver: &dyn BatchSolver,
    eval: Option<EvalSet<'_>>,
    hooks: RunHooks<'_>,
) -> Result<PruneOutcome> {
    cfg.validate()?;
    target.validate()?;
    let start = (hooks.now)();
    let cancel = hooks.cancel;
    let on_event = RefCell::new(hooks.on_event);
    let emit = |e: Event| (on_event.borrow_mut())(e);

    let rebalanced = rebalance(target, cfg.headroom);
    let nonneg = nonnegative_inputs(target, cfg.input_nonnegative);
    let layers: Vec<_> = rebalanced.network.layers().collect();
    let originals: Vec<_> = target.layers().collect();

    let mut pruned = Vec::with_capacity(layers.len());
    let mut reports = Vec::with_capacity(layers.len());
    let solve_start = (hooks.now)();
    for (idx, layer) in layers.iter().enumerate() {
        let live = !nonneg[idx];
        let problems = layer.coef.len() * if live { 2 } else { 1 };
        let n_initial = cfg.n.unwrap_or_else(|| n_from_bound(problems, cfg.eps));
        let mut n = n_initial;
        let p = loop {
            emit(Event::LayerStart {
                layer: idx,
                layers: layers.len(),
                problems,
                n,
            });
            let source = SourceLayer::draw(cfg.seed, idx, layer, n);
            let progress = |done: usize, total: usize| {
                emit(Event::Progress {
                    layer: idx,
                    done,
                    total,
                })
            };
            let p = prune_layer(layer, source, live, solver, &progress, cancel)?;
            let max = p.max_error();
            if max <= cfg.eps || !cfg.grow || n >= MAX_N {
                break p;
            }
            // Misses come from pools short of same-signed mass (≈ P·n⁴/2ⁿ),
            // so m misses need about log2(m) more candidates: jump there.
            let misses = p.errors.iter().filter(|&&e| e > cfg.eps).count();
            let step = (usize::BITS - misses.leading_zeros()) as usize + 1;
            let to = (n + step.max(2)).min(MAX_N);
            emit(Event::LayerGrown {
                layer: idx,
                from: n,
                to,
                max_error: max,
                misses,
            });
            n = to;
        };
        let report = layer_report(
            idx,
            layer,
            originals[idx],
            &p,
            n_initial,
            live,
            rebalanced.scales[idx],
        );
        emit(Event::LayerDone(Box::new(report.clone())));
        reports.push(report);
        pruned.push(p);
    }
    let solve_seconds = (hooks.now)() - solve_start;

    let ticket = fast_network(&rebalanced.network, &pruned)?;
    let mut cmp = Comparison::default();
    let mut lit = LiteralCheck::default();
    if let Some(eval) = eval {
        emit(Event::Verifying);
        if cancel() {
            return Err(Error::Cancelled);
        }
        cmp = compare(
            target,
            &ticket,
            rebalanced.output_scale,
            eval.images,
            eval.labels,
        )?;
        let k = eval.literal_sample.min(eval.images.dim().0);
        if k > 0 {
            let literal = literal_network(&rebalanced.network, &pruned)?;
            lit = literal_check(&literal, &ticket, eval.images.slice(s![..k, .., .., ..]))?;
            if lit.max_rel_diff > LITERAL_TOLERANCE {
                return Err(Error::Model(format!(
                    "the literal masked source network and the collapsed ticket disagree by {:.3e} (relative) — a bug",
                    lit.max_rel_diff
                )));
            }
        }
    }

    let masks: Vec<_> = pruned.iter().map(|p| (p.source.n, &p.mask)).collect();
    let target_params: usize = reports.iter().map(|r| r.target_params).sum();
    let source_params: usize = reports.iter().map(|r| r.source_params).sum();
    let ticket_params: usize = reports.iter().map(|r| r.ticket_params).sum();
    let problems: usize = reports.iter().map(|r| r.problems).sum();
    let err_sum: f64 = pruned.iter().flat_map(|p| p.errors.iter()).sum();
    let max_coef_error = reports.iter().fold(0.0f64, |m, r| m.max(r.max_coef_error));
    let n_per_layer: Vec<usize> = reports.iter().map(|r| r.n).collect();
    let report = PruneReport {
        task: task.to_string(),
        eps: cfg.eps,
        n: n_per_layer.iter().copied().max().unwrap_or(0),
        n_per_layer,
        seed: cfg.seed,
        backend: solver.name().to_string(),
        headroom: f64::from(cfg.headroom),
        target_params,
        source_params,
        ticket_params,
        sparsity: 1.0 - ticket_params as f64 / source_params.max(1) as f64,
        problems,
        max_coef_error,
        mean_coef_error: err_sum / problems.max(1) as f64,
        within_eps: max_coef_error <= cfg.eps,
        max_logit_error: cmp.max_logit_error,
        max_abs_logit: cmp.max_abs_logit,
        target_accuracy: cmp.target_accuracy,
        ticket_accuracy: cmp.ticket_accuracy,
        agreement: cmp.agreement,
        test_digits: cmp.test_digits,
        output_scale: rebalanced.output_scale,
        literal_check: lit,
        seconds: (hooks.now)() - start,
        solve_seconds,
        mask_digest: mask_digest(&masks),
        layers: reports,
    };
    Ok(PruneOutcome {
        report,
        rebalanced,
        pruned,
        ticket,
    })
}

fn layer_report(
    idx: usize,
    layer: &crate::nn::EquivariantLayer,
    original: &crate::nn::EquivariantLayer,
    p: &PrunedLayer,
    n_initial: usize,
    live: bool,
    scale: f64,
) -> LayerReport {
    let (o, i, k, pool) = p.worst();
    let alpha = f64::from(layer.coef[(o * layer.c_in + i) * layer.basis.len() + k]);
    LayerReport {
        index: idx,
        c_in: layer.c_in,
        c_out: layer.c_out,
        in_type: format!("{:?}", layer.in_type).to_lowercase(),
        out_type: format!("{:?}", layer.out_type).to_lowercase(),
        ksize: layer.basis.ksize,
        basis_size: layer.basis.len(),
        n: p.source.n,
        n_initial,
        negative_pool: if live { "live" } else { "dead" },
        problems: p.errors.len(),
        coefficients: layer.coef.len(),
        max_coef_error: p.max_error(),
        mean_coef_error: p.mean_error(),
        worst: WorstCoefficient {
            out_field: o,
            in_field: i,
            basis_element: k,
            pool: match pool {
                Pool::Positive => "positive",
                Pool::Negative => "negative",
            },
            alpha,
            error: p.max_error(),
        },
        max_abs_alpha: original
            .coef
            .iter()
            .fold(0.0f64, |m, &a| m.max(f64::from(a).abs())),
        scale,
        target_params: layer.coef.len(),
        source_params: p.source.params(),
        ticket_params: p.mask.kept(),
    }
}
