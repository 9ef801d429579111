//! What a pruning run reports, per layer and overall (the `--json` contract:
//! keys are added to, never renamed).
//!
//! `eslt prune --model www/models/rotmnist-c8.json --eps 0.01 --seed 1 --json`
//! prints one [`PruneReport`]: `task, eps, n, seed, backend, target_params,
//! source_params, ticket_params, max_coef_error, mean_coef_error,
//! max_logit_error, target_accuracy, ticket_accuracy, agreement, seconds,
//! mask_digest, layers`, plus `n_per_layer, headroom, sparsity, problems,
//! within_eps, max_abs_logit, test_digits, output_scale, literal_check,
//! solve_seconds` (the CLI adds `peak_rss_bytes`). Each of `layers` is a
//! [`LayerReport`]: its fields and types, kernel and basis size, `n` and
//! `n_initial` (before growth), `negative_pool` (`live` | `dead`), problems,
//! max/mean coefficient error and the worst coefficient (where it sits and
//! its α, [`WorstCoefficient`]), its rebalancing (`max_abs_alpha`, `scale`)
//! and its parameter counts. Errors are in rebalanced units; logits in the
//! target's own scale (`output_scale` = Π s_ℓ).

use crate::slt::coefficient::CoefficientLayout;
use crate::slt::mask::digest_of;
use crate::slt::prune::PrunedLayer;
use crate::slt::target::LinearLayer;
use crate::slt::verify::{Comparison, LiteralCheck};
use serde::Serialize;

/// The worst-approximated coefficient of a layer, and where it sits.
#[derive(Clone, Debug, Serialize)]
pub struct WorstCoefficient {
    pub out_field: usize,
    pub in_field: usize,
    pub basis_element: usize,
    pub pool: &'static str,
    /// Its target value α (rebalanced units).
    pub alpha: f64,
    pub error: f64,
}

/// One target layer's pruning.
#[derive(Clone, Debug, Serialize)]
pub struct LayerReport {
    pub index: usize,
    pub c_in: usize,
    pub c_out: usize,
    pub in_type: String,
    pub out_type: String,
    pub ksize: usize,
    pub basis_size: usize,
    /// Candidates per pool used in the end.
    pub n: usize,
    /// n chosen first (by the bound or --n), before any growth.
    pub n_initial: usize,
    /// "dead" when the layer's input is non-negative (σ(−x) = 0), else "live".
    pub negative_pool: &'static str,
    /// Subset-sum problems solved (coefficients × live pools).
    pub problems: usize,
    pub coefficients: usize,
    pub max_coef_error: f64,
    pub mean_coef_error: f64,
    pub worst: WorstCoefficient,
    /// Rebalancing: max |α| before, and the divisor s_ℓ.
    pub max_abs_alpha: f64,
    pub scale: f64,
    pub target_params: usize,
    pub source_params: usize,
    pub ticket_params: usize,
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct PruneReport {
    pub task: String,
    pub eps: f64,
    /// Largest per-layer n (see `layers[].n`).
    pub n: usize,
    pub n_per_layer: Vec<usize>,
    pub seed: u64,
    pub backend: String,
    pub headroom: f64,
    pub target_params: usize,
    pub source_params: usize,
    pub ticket_params: usize,
    /// Fraction of the source's weights pruned away.
    pub sparsity: f64,
    pub problems: usize,
    pub max_coef_error: f64,
    pub mean_coef_error: f64,
    pub within_eps: bool,
    pub max_logit_error: f64,
    pub max_abs_logit: f64,
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    pub agreement: f64,
    /// The unpruned random source's own accuracy on the same test rows
    /// (null when nothing was verified or the driver did not evaluate it).
    pub source_accuracy: Option<f64>,
    pub test_digits: usize,
    /// Π s_ℓ: original logits = output_scale × rebalanced ticket logits.
    pub output_scale: f64,
    pub literal_check: LiteralCheck,
    pub seconds: f64,
    pub solve_seconds: f64,
    pub mask_digest: String,
    pub layers: Vec<LayerReport>,
}

impl LayerReport {
    /// The report of layer `index`: `layer` is the rebalanced target layer,
    /// `original` the target's own (for max|α| before rebalancing).
    pub fn new<L: LinearLayer>(
        index: usize,
        layer: &L,
        original: &L,
        p: &PrunedLayer,
        n_initial: usize,
        scale: f64,
    ) -> Self {
        let worst = p.worst();
        let layout = CoefficientLayout::of(layer);
        let alpha = f64::from(
            layer.coef()[layout.alpha_index(worst.out_field, worst.in_field, worst.basis_element)],
        );
        let (in_type, out_type) = layer.type_names();
        LayerReport {
            index,
            c_in: layer.c_in(),
            c_out: layer.c_out(),
            in_type,
            out_type,
            ksize: layer.ksize(),
            basis_size: layer.basis_len(),
            n: p.source.n,
            n_initial,
            negative_pool: if p.beta_neg.is_some() { "live" } else { "dead" },
            problems: p.errors.len(),
            coefficients: layer.coef().len(),
            max_coef_error: p.max_error(),
            mean_coef_error: p.mean_error(),
            worst: WorstCoefficient {
                out_field: worst.out_field,
                in_field: worst.in_field,
                basis_element: worst.basis_element,
                pool: worst.pool.name(),
                alpha,
                error: p.max_error(),
            },
            max_abs_alpha: original
                .coef()
                .iter()
                .fold(0.0f64, |m, &a| m.max(f64::from(a).abs())),
            scale,
            target_params: layer.coef().len(),
            source_params: p.source.params(),
            ticket_params: p.mask.kept(),
        }
    }
}

/// What a run knows besides its layers when it reports.
pub struct RunSummary<'a> {
    pub task: &'a str,
    pub cfg: &'a crate::slt::PruneConfig,
    pub backend: &'a str,
    pub output_scale: f64,
    pub comparison: Comparison,
    pub literal_check: LiteralCheck,
    pub seconds: f64,
    pub solve_seconds: f64,
}

impl PruneReport {
    /// Totals over the layers, and the digest of every mask.
    pub fn new(s: RunSummary<'_>, pruned: &[PrunedLayer], layers: Vec<LayerReport>) -> Self {
        let sum = |f: fn(&LayerReport) -> usize| layers.iter().map(f).sum::<usize>();
        let (target_params, source_params, ticket_params, problems) = (
            sum(|r| r.target_params),
            sum(|r| r.source_params),
            sum(|r| r.ticket_params),
            sum(|r| r.problems),
        );
        let err_sum: f64 = pruned.iter().flat_map(|p| p.errors.iter()).sum();
        let max_coef_error = layers.iter().fold(0.0f64, |m, r| m.max(r.max_coef_error));
        let n_per_layer: Vec<usize> = layers.iter().map(|r| r.n).collect();
        let cmp = s.comparison;
        PruneReport {
            task: s.task.to_string(),
            eps: s.cfg.eps,
            n: n_per_layer.iter().copied().max().unwrap_or(0),
            n_per_layer,
            seed: s.cfg.seed,
            backend: s.backend.to_string(),
            headroom: f64::from(s.cfg.headroom),
            target_params,
            source_params,
            ticket_params,
            sparsity: 1.0 - ticket_params as f64 / source_params.max(1) as f64,
            problems,
            max_coef_error,
            mean_coef_error: err_sum / problems.max(1) as f64,
            within_eps: max_coef_error <= s.cfg.eps,
            max_logit_error: cmp.max_logit_error,
            max_abs_logit: cmp.max_abs_logit,
            target_accuracy: cmp.target_accuracy,
            ticket_accuracy: cmp.ticket_accuracy,
            agreement: cmp.agreement,
            source_accuracy: cmp.source_accuracy,
            test_digits: cmp.rows,
            output_scale: s.output_scale,
            literal_check: s.literal_check,
            seconds: s.seconds,
            solve_seconds: s.solve_seconds,
            mask_digest: digest_of(pruned),
            layers,
        }
    }
}
