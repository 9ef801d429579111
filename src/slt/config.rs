//! What a pruning run is asked to do, and the rule that picks n from ε.

use crate::slt::subset_sum::MAX_N;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Smallest pool size the bound may choose.
pub const MIN_N: usize = 4;

/// The parameters of one pruning run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PruneConfig {
    /// Target worst coefficient error (rebalanced units), 0 < ε < 1.
    pub eps: f64,
    /// Candidates per pool, the same for every layer; `None` = from the bound.
    pub n: Option<usize>,
    /// Seed of the random source network.
    pub seed: u64,
    /// Layers are rebalanced so that max|α| = headroom (0 < h ≤ 1).
    pub headroom: f32,
    /// Grow a layer's n (by ≥ 2, up to 32) while its worst error exceeds ε.
    pub grow: bool,
    /// The network input is non-negative (pixels): the first layer's
    /// negative pool is dead.
    pub input_nonnegative: bool,
}

impl Default for PruneConfig {
    fn default() -> Self {
        Self {
            eps: 0.01,
            n: None,
            seed: 1,
            headroom: 0.5,
            grow: true,
            input_nonnegative: true,
        }
    }
}

impl PruneConfig {
    /// Rejects ε outside (0, 1), n outside [1, 32], headroom outside (0, 1].
    pub fn validate(&self) -> Result<()> {
        if !(self.eps > 0.0 && self.eps < 1.0) {
            return Err(Error::InvalidArgument(format!(
                "eps must be in (0, 1), got {}",
                self.eps
            )));
        }
        if let Some(n) = self.n {
            if !(1..=MAX_N).contains(&n) {
                return Err(Error::InvalidArgument(format!(
                    "n must be in 1..={MAX_N}, got {n}"
                )));
            }
        }
        if !(self.headroom > 0.0 && self.headroom <= 1.0) {
            return Err(Error::InvalidArgument(format!(
                "headroom must be in (0, 1], got {}",
                self.headroom
            )));
        }
        Ok(())
    }
}

/// Pool size from the bound n ≈ log2(P / ε) (Lueker / Pensia et al.: one
/// pool of n random candidates reaches any target in [−1, 1] within ε with
/// probability 1 − δ once n ≳ C·log2(1/(εδ)); a union bound over the layer's
/// P problems sets δ = 1/P). C = 1 here — measured enough with headroom ½
/// (see README); a layer that still misses ε is grown.
pub fn n_from_bound(problems: usize, eps: f64) -> usize {
    let p = problems.max(1) as f64;
    let n = (p / eps).log2().ceil();
    (n.max(MIN_N as f64) as usize).min(MAX_N)
}
