//! The mask over the source's weights: which u and v the ticket keeps.

use serde::Serialize;

use crate::slt::prune::PrunedLayer;
use sha2::{Digest, Sha256};

/// Keep-bits of one source layer, in the layouts of [`super::source::SourceLayer`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct LayerMask {
    pub v_keep: Vec<bool>,
    pub u_keep: Vec<bool>,
}

impl LayerMask {
    pub fn new(v_len: usize, u_len: usize) -> Self {
        Self {
            v_keep: vec![false; v_len],
            u_keep: vec![false; u_len],
        }
    }

    /// Weights the ticket keeps.
    pub fn kept(&self) -> usize {
        self.v_keep.iter().filter(|&&b| b).count() + self.u_keep.iter().filter(|&&b| b).count()
    }
}

/// SHA-256 (hex) of every layer's n, sizes and packed keep-bits, so two runs
/// (native and wasm, CPU and GPU) can be compared by one string.
pub fn mask_digest(layers: &[(usize, &LayerMask)]) -> String {
    let mut h = Sha256::new();
    for (n, m) in layers {
        h.update((*n as u64).to_le_bytes());
        for bits in [&m.v_keep, &m.u_keep] {
            h.update((bits.len() as u64).to_le_bytes());
            for chunk in bits.chunks(8) {
                let byte = chunk
                    .iter()
                    .enumerate()
                    .fold(0u8, |b, (i, &k)| b | (u8::from(k) << i));
                h.update([byte]);
            }
        }
    }
    crate::sha256::hex(&h.finalize())
}

/// The [`mask_digest()`] of pruned layers: the run's report and the ticket
/// file carry it, and a verifier recomputes it.
pub fn digest_of(pruned: &[PrunedLayer]) -> String {
    let masks: Vec<_> = pruned.iter().map(|p| (p.source.n, &p.mask)).collect();
    mask_digest(&masks)
}
