//! How much memory a run holds at its peak, from the shapes alone — so a
//! caller with a budget (the page's workers) can refuse a run before it
//! allocates, and say why.
//!
//! The peak is the literal check: the source's v and u with their masks,
//! the literal network's own copy of the masked u, and that network's
//! expanded kernels and buffers on the CPU forward, next to the prepared
//! target and collapsed ticket. The estimate counts exactly those; it is
//! meant to be an upper bound of the measured peak within a small factor.

use crate::nn::{CpuForward, Network};
use crate::slt::ticket::literal_skeleton;
use crate::Result;

/// A run's memory, by part (bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemoryEstimate {
    /// v and u of every source layer, their masks and solutions.
    pub source: u64,
    /// The literal network's coefficients and its prepared CPU forward.
    pub literal_check: u64,
    /// Prepared forwards of the target and the collapsed ticket.
    pub verification: u64,
    pub total: u64,
}

/// The estimate for `target` pruned with pools of `n_per_layer`, the
/// forwards running on `forward`.
pub fn estimate(
    target: &Network,
    n_per_layer: &[usize],
    forward: &CpuForward,
) -> Result<MemoryEstimate> {
    let mut source = 0u64;
    let mut literal_coefs = 0u64;
    for (layer, &n) in target.layers().zip(n_per_layer) {
        let m = 2 * n as u64;
        let (c_in, c_out, k) = (
            layer.c_in as u64,
            layer.c_out as u64,
            layer.basis.len() as u64,
        );
        let v = c_in * m;
        let u = c_out * c_in * m * k;
        // f32 values and a bool mask each; a u32 subset per problem.
        source += 5 * (v + u) + 4 * 2 * c_out * c_in * k;
        literal_coefs += 4 * (c_in * m * c_in + u);
    }
    let literal = literal_skeleton(target, n_per_layer)?;
    let literal_check = literal_coefs + forward.memory_bytes(&literal)?;
    // The collapsed ticket is at most twice the target (both pools live).
    let verification = 3 * forward.memory_bytes(target)?;
    Ok(MemoryEstimate {
        source,
        literal_check,
        verification,
        total: source + literal_check + verification,
    })
}
