//! The random source itself, unpruned, as a network: the "before" of a run.
//! Its own accuracy (about chance: nothing is trained) is what the ticket's
//! is to be read against.
//!
//! It costs one forward pass at the target's size, for the same reason as
//! the collapsed ticket ([`crate::slt::ticket`]): every intermediate field of
//! input field i is |v\[i,j]|·σ(±x_i), so layer B's sum over j collapses
//! exactly — with every candidate kept — into
//!
//! ```text
//!   β⁺[o,i,k] = Σ_{j < n} u[o,(i,j),k] · v[i,j]      (reads σ(x_i))
//!   β⁻[o,i,k] = Σ_{j ≥ n} u[o,(i,j),k] · |v[i,j]|    (reads σ(−x_i))
//! ```
//!
//! Where a layer's input is non-negative, σ(−x) = 0 and the negative pool
//! adds nothing, so β⁻ is left out exactly as for the ticket. Each β is the
//! subset sum of its pool's candidates with the full subset, summed in the
//! same canonical order as a ticket's
//! ([`crate::slt::subset_sum::ProblemBatch::solutions`]). The literal network
//! ([`literal_source_network`], c_in·2n intermediate fields per layer, every
//! weight kept) is what tests check the collapse against.

use crate::slt::mask::LayerMask;
use crate::slt::prune::layer_problems;
use crate::slt::source::SourceLayer;
use crate::slt::target::LinearLayer;
use crate::slt::target::TargetNetwork;
use crate::slt::ticket::{masked_source_network, Betas};
use crate::Result;

/// Problems per chunk of candidates built at once (bounds memory on wide
/// layers).
const CHUNK: usize = 4096;

/// β of the unpruned source layer `source` of target layer `target`: every
/// candidate of every pool kept; β⁻ only where `negative_live`.
pub fn source_betas<L: LinearLayer>(
    target: &L,
    source: &SourceLayer,
    negative_live: bool,
) -> Result<Betas> {
    let per_pool = target.coef().len();
    let problems = per_pool * if negative_live { 2 } else { 1 };
    let all = u32::MAX.checked_shr(32 - source.n as u32).unwrap_or(0);
    let mut sums = Vec::with_capacity(problems);
    let mut first = 0;
    while first < problems {
        let end = (first + CHUNK).min(problems);
        let batch = layer_problems(source, target.coef(), first..end)?;
        let kept = batch.solutions(&vec![all; end - first]);
        sums.extend(kept.iter().map(|s| s.sum as f32));
        first = end;
    }
    let neg = negative_live.then(|| sums.split_off(per_pool));
    Ok(Betas { pos: sums, neg })
}

/// The unpruned source of `target` (rebalanced or not: only its structure
/// and basis are read) as it stands: 2L linear layers, every weight kept.
pub fn literal_source_network<N: TargetNetwork>(target: &N, sources: &[SourceLayer]) -> Result<N> {
    let masks: Vec<LayerMask> = sources
        .iter()
        .map(|s| LayerMask {
            v_keep: vec![true; s.v.len()],
            u_keep: vec![true; s.u.len()],
        })
        .collect();
    let layers: Vec<(&SourceLayer, &LayerMask)> = sources.iter().zip(&masks).collect();
    masked_source_network(target, &layers)
}
