//! What a pruning run reports, per layer and overall (the `--json` contract).

use crate::slt::verify::LiteralCheck;
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
    pub test_digits: usize,
    /// Π s_ℓ: original logits = output_scale × rebalanced ticket logits.
    pub output_scale: f64,
    pub literal_check: LiteralCheck,
    pub seconds: f64,
    pub solve_seconds: f64,
    pub mask_digest: String,
    pub layers: Vec<LayerReport>,
}
