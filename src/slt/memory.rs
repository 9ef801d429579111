//! How much memory a run holds at its peak, from the shapes alone — so a
//! caller with a budget (the page's workers) can refuse a run before it
//! allocates, and say why.
//!
//! A run holds its own state throughout (every layer's source with its
//! mask, and per problem its solution, then its subset, error and β), and
//! beside it, one after another: the verification's prepared forwards
//! (target, collapsed ticket, collapsed source), the literal check (the
//! streamed literal network's bounded working set,
//! [`crate::slt::literal_forward`], then the ticket prepared for the same
//! rows), and, when it finishes, the outcome's copy of the pruned layers.
//! The matrix product keeps buffers of its own on every thread that used
//! it. The estimate counts exactly those, for the native driver
//! ([`crate::slt::driver`], which does all of it in one place) — an upper
//! bound of each of the page's workers too. `tests/slt_memory_peak.rs`
//! measures the heap's high-water mark of whole runs of every shipped
//! image model against it.

use crate::nn::{CpuForward, Network};
use crate::slt::literal_forward;
use crate::slt::target::TargetNetwork;
use crate::slt::ticket::{collapsed_network, Betas};
use crate::{Error, Result};

/// A run's memory, by part (bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemoryEstimate {
    /// The run's own state: v and u of every source layer with their
    /// masks, and the solutions, subsets, errors and β of its problems.
    pub source: u64,
    /// The literal check: the streamed literal network's working set, or
    /// the collapsed ticket prepared for the same rows after it, whichever
    /// is larger.
    pub literal_check: u64,
    /// Prepared forwards of the target, the collapsed ticket and the
    /// collapsed source, held together while verifying.
    pub verification: u64,
    /// The matrix product's own buffers, kept by each thread once it has
    /// multiplied (natively `gemm`'s cache-sized slab and packed panels, in
    /// wasm the kernel's packing buffers): [`PRODUCT_BYTES`] per thread.
    pub products: u64,
    /// `source` and `products`, plus the largest of the phases that follow
    /// one another beside them: verification, the literal check, and
    /// finishing (which copies the pruned layers, about `source` again,
    /// into the outcome).
    pub total: u64,
}

/// The matrix product's own buffers per thread, at most (4 MiB: `gemm`
/// keeps a slab the size of the core's L2 cache, and packs panels).
pub const PRODUCT_BYTES: u64 = 4 << 20;

/// The estimate for `target` (image inputs, non-negative) pruned with
/// pools of `n_per_layer`, its literal check on `literal_sample` inputs,
/// the forwards running on `forward`.
pub fn estimate(
    target: &Network,
    n_per_layer: &[usize],
    literal_sample: usize,
    forward: &CpuForward,
) -> Result<MemoryEstimate> {
    let layers = target.linear_layers();
    if layers.len() != n_per_layer.len() {
        return Err(Error::InvalidArgument(format!(
            "{} n for a network of {} linear layers",
            n_per_layer.len(),
            layers.len()
        )));
    }
    let nonneg = target.nonnegative_inputs(true);
    let mut source = 0u64;
    let mut betas = Vec::with_capacity(layers.len());
    for ((layer, &n), &nonneg) in layers.iter().zip(n_per_layer).zip(&nonneg) {
        let m = 2 * n as u64;
        let (c_in, c_out, k) = (
            layer.c_in as u64,
            layer.c_out as u64,
            layer.basis.len() as u64,
        );
        let weights = c_in * m + c_out * c_in * m * k;
        let problems = layer.coef.len() as u64 * if nonneg { 1 } else { 2 };
        // f32 and a keep-bit (a bool) per weight; per problem a solution
        // (24 bytes) while solving, then subset, error and β (16).
        source += 5 * weights + 40 * problems;
        let len = layer.coef.len();
        betas.push(Betas {
            pos: vec![0.0; len],
            neg: (!nonneg).then(|| vec![0.0; len]),
        });
    }
    // The ticket and the collapsed source have the same shapes.
    let ticket = forward.memory_bytes(&collapsed_network(target, &betas)?)?;
    let verification = forward.memory_bytes(target)? + 2 * ticket;
    let streamed =
        literal_forward::memory_bytes(target, n_per_layer, literal_sample, forward.threads())?;
    let literal_check = streamed.max(ticket);
    let products = PRODUCT_BYTES * forward.threads() as u64;
    Ok(MemoryEstimate {
        source,
        literal_check,
        verification,
        products,
        total: source + products + verification.max(literal_check).max(source),
    })
}
