//! Exact layer-wise rebalancing by ReLU's positive homogeneity.
//!
//! Subset sums of n products of Uniform(−1, 1) values cannot reach |α| ≳ 1.
//! Dividing layer ℓ by s_ℓ leaves every prediction unchanged (ReLU, max-,
//! group- and average-pooling commute with positive scaling) and scales the
//! logits by 1 / Π s_ℓ, which the reported output scale puts back.

use crate::nn::Network;
use crate::slt::target::{LinearLayer, TargetNetwork};
use serde::{Deserialize, Serialize};

/// The rebalanced target and the scales used.
#[derive(Clone, Debug)]
pub struct Rebalanced<N = Network> {
    pub network: N,
    /// s_ℓ per linear layer, in order.
    pub scales: Vec<f64>,
    /// Π s_ℓ: original logits = output_scale × rebalanced logits.
    pub output_scale: f64,
}

/// One layer's scale, for reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LayerScale {
    pub max_abs_coef: f64,
    pub scale: f64,
}

/// Divides each layer by s_ℓ = max|α_ℓ| / headroom (1 for an all-zero layer).
pub fn rebalance<N: TargetNetwork>(target: &N, headroom: f32) -> Rebalanced<N> {
    let mut network = target.clone();
    let mut scales = Vec::new();
    for layer in network.linear_layers_mut() {
        let max = layer
            .coef()
            .iter()
            .fold(0.0f64, |m, &a| m.max(f64::from(a).abs()));
        let s = if max > 0.0 {
            max / f64::from(headroom)
        } else {
            1.0
        };
        for a in layer.coef_mut() {
            *a = (f64::from(*a) / s) as f32;
        }
        scales.push(s);
    }
    let output_scale = scales.iter().product();
    Rebalanced {
        network,
        scales,
        output_scale,
    }
}
