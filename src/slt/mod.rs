//! The strong lottery ticket: find, by pruning alone, a subnetwork of a
//! random G-equivariant network that matches a trained G-equivariant target
//! (Ferbach et al., ICLR 2023).
//!
//! # The construction
//!
//! A target layer maps c_in fields to c_out fields with the weights
//! W = Σ_{o,i,k} α[o,i,k] · E[o,i] ⊗ B_k, where {B_k} is a basis of
//! equivariant maps between the field types (a steerable kernel basis, or
//! the full matrix of a dense layer). The random **source** network replaces
//! every target layer by two ([`source`]):
//!
//! - **layer A** copies each input field i into 2n fields,
//!   h[i,j] = σ(v[i,j] · x_i), through the identity basis element only; v is
//!   random, positive for j < n and negative for j ≥ n;
//! - **layer B** maps the c_in·2n fields to c_out fields with the target's
//!   full basis and random coefficients u[o,(i,j),k].
//!
//! Since σ(v x) = v σ(x) for v > 0 and |v| σ(−x) for v < 0, and
//! x = σ(x) − σ(−x), pruning reproduces W x exactly when, for every (o,i,k),
//!
//! ```text
//!   Σ_{j ∈ S⁺} u[o,(i,j),k] · v[i,j]     ≈  α[o,i,k]   (positive pool)
//!   Σ_{j ∈ S⁻} u[o,(i,j),k] · |v[i,j]|   ≈ −α[o,i,k]   (negative pool)
//! ```
//!
//! — one **subset-sum problem** per coefficient and live pool, over n random
//! candidates, solved exactly by meet-in-the-middle ([`subset_sum`]; problem
//! numbering in [`coefficient`], candidates in [`prune`]). The mask keeps
//! u[o,(i,j),k] for j in the chosen subsets and v[i,j] where any u reads it
//! ([`mask`]). Pruning acts on basis coefficients, so the ticket is exactly
//! G-equivariant by construction.
//!
//! # Rebalancing, dead pools, choosing n
//!
//! Subset sums of n products of Uniform(−1, 1) values reach targets near 0
//! with error ≈ 2⁻ⁿ but cannot reach |α| ≳ 1. ReLU is positively
//! homogeneous, so [`rebalance`] divides each layer by s_ℓ (to max|α| =
//! headroom, ½ by default) and multiplies the logits by Π s_ℓ — predictions
//! are unchanged. Where a layer's input is provably non-negative (pixels,
//! ReLU and pooling outputs), σ(−x) = 0: its negative pool is **dead**, its
//! problems are skipped and reported as such ([`sign`]). n is chosen per
//! layer from ε and the layer's number of problems P, n = ⌈log₂(P/ε)⌉
//! ([`config`]), and a layer whose worst coefficient still misses ε is
//! redrawn with a larger n ("grown").
//!
//! # Two tickets
//!
//! Every intermediate field of input field i is |v[i,j]|·σ(±x_i), so layer
//! B's sum over j collapses into β[o,i,k,±] = Σ_{j∈S±} u·|v|: the
//! **collapsed** ticket runs at about the target's cost. The **literal**
//! masked source network (c_in·2n intermediate fields) is evaluated on a
//! sample too and must agree — the proof that the ticket is a real
//! subnetwork of the random source ([`ticket`], [`verify`]).
//!
//! The unpruned random source collapses the same way, with every candidate
//! kept ([`source_network`]): one more forward pass gives the source's own
//! accuracy, the "before" of a run (about chance — nothing is trained).
//!
//! # The run
//!
//! [`run::PruneRun`] is the whole procedure as a state machine: it hands out
//! batches of problems and verification requests and takes back results,
//! never solving or evaluating itself, so the CLI ([`driver`], rayon or a
//! blocking GPU) and the page (Web Workers, async WebGPU) drive the same
//! code, and the mask depends only on the seed and the target.

pub mod coefficient;
pub mod config;
pub mod driver;
pub mod graph_inputs;
pub mod mask;
pub mod memory;
pub mod prune;
pub mod rebalance;
pub mod report;
pub mod run;
pub mod scaling;
pub mod sign;
pub mod source;
pub mod source_network;
/// Exact subset sum (meet-in-the-middle), the hot loop of pruning.
pub mod subset_sum;
pub mod target;
pub mod ticket;
pub mod ticket_file;
pub mod verify;

pub use config::{n_from_bound, PruneConfig};
pub use driver::{
    drive, prune_network, prune_network_on, prune_network_with, Eval, EvalSet, ImageRows,
    RowLogits, RunHooks, VerifyInputs,
};
pub use run::{Event, PruneOutcome, PruneRun, RunOptions, SolveBatch, Timing, VerifyLogits, Work};
