//! The strong lottery ticket: find, by pruning alone, a subnetwork of a
//! random G-equivariant network that matches a trained G-equivariant target
//! (Ferbach et al., ICLR 2023).
//!
//! # The construction
//!
//! A target layer maps c_in fields to c_out fields with the weights
//! W = Σ_{o,i,k} α\[o,i,k] · E\[o,i] ⊗ B_k, where {B_k} is a basis of
//! equivariant maps between the field types (a steerable kernel basis, or
//! the full matrix of a dense layer). The random **source** network replaces
//! every target layer by two ([`source`]):
//!
//! - **layer A** copies each input field i into 2n fields,
//!   h\[i,j] = σ(v\[i,j] · x_i), through the identity basis element only; v is
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
//! u[o,(i,j),k] for j in the chosen subsets and v\[i,j] where any u reads it
//! ([`mask`]). Pruning acts on basis coefficients, so the ticket is exactly
//! G-equivariant by construction.
//!
//! # Rebalancing, dead pools, choosing n
//!
//! Subset sums of n products of Uniform(−1, 1) values reach targets near 0
//! with error ≈ 2⁻ⁿ but cannot reach |α| ≳ 1. ReLU is positively
//! homogeneous, so [`rebalance`] divides each layer by s_ℓ = max|α_ℓ| /
//! headroom (½ by default, `--headroom`) and multiplies the logits by
//! Π s_ℓ (`output_scale` in the report) — predictions are unchanged, since
//! ReLU and max, group and average pooling commute with positive scaling.
//! ε is in these rebalanced units.
//!
//! Where a layer's input is provably non-negative (pixels, ReLU and pooling
//! outputs), σ(−x) = 0: its negative pool is **dead**, its problems are
//! skipped, its weights pruned, and the report says `negative_pool: "dead"`
//! ([`sign`]). Every layer of the shipped image models is such a layer;
//! layers with signed input keep both pools (graph inputs: the set task's
//! centred one-hot colours, the karate club's seed indicators; tested in
//! `tests/slt_prune.rs` and `tests/slt_graph.rs`).
//!
//! Without `--n`, layer ℓ with P_ℓ problems gets n_ℓ = ⌈log₂(P_ℓ/ε)⌉,
//! clamped to 4..=32 ([`config`]): the union bound over the layer's problems
//! of the subset-sum tail P(miss) ≈ 2⁻ⁿ/ε (Lueker 1998; Pensia et al.
//! 2020). Where a layer still misses ε — a pool short of same-signed
//! candidates, where P(miss) grows like n⁴·2⁻ⁿ, not 2⁻ⁿ — it is redrawn
//! ("grown") with n + max(2, ⌈log₂(misses)⌉ + 1) candidates, a larger
//! source reported as `n` against `n_initial`, rather than reporting a
//! ticket outside ε. `--no-grow` switches that off.
//!
//! # Error against n
//!
//! `eslt sweep --model www/models/rotmnist-c8.json --n 4..24 --seed 1
//! --test-digits 2000 --plot www/figures/sweep-rotmnist-c8.png --json`
//! prunes at every fixed n (data: `www/figures/sweep-rotmnist-c8.json`, one
//! object per n with `n, max_coef_error, mean_coef_error, bound_eps,
//! target_accuracy, ticket_accuracy, agreement, max_logit_error,
//! ticket_params, source_params, seconds`). The mean coefficient error falls like 2⁻ⁿ (about ×0.5 per
//! candidate, from 2.7e-2 at n = 4 to 2.1e-7 at n = 24), as the log(1/ε)
//! theory says. The max error — which decides the ticket — is set by the
//! few problems whose pool lacks same-signed mass: it stays above 0.06 up to
//! n = 17 and jumps back to 0.08 at n = 20 for this seed. Hence n per layer
//! from the bound, and growth for a layer that still misses ε. Agreement
//! with the target reaches 99.9 % from n = 18.
//!
//! # The scaling law
//!
//! `eslt sweep --eps 0.1,0.03,0.01,0.003,0.001 --test-digits 0 --json`
//! prunes once per ε, exactly as `eslt prune --eps ε` does, and reports the
//! random parameters against the lower bound d·log₂(1/ε), d = the target's
//! basis coefficients ([`scaling`]; reference curves of every shipped model
//! in `www/scaling/`).
//!
//! # Two tickets
//!
//! Every intermediate field of input field i is |v\[i,j]|·σ(±x_i), so layer
//! B's sum over j collapses into β[o,i,k,±] = Σ_{j∈S±} u·|v|: the
//! **collapsed** ticket runs at about the target's cost. The **literal**
//! masked source network (2L layers, c_in·2n intermediate fields) is
//! evaluated on a sample too and must agree — the proof that the ticket is a
//! real subnetwork of the random source ([`ticket`], [`verify`]). Every run
//! checks this on `--literal-sample` inputs (default 16; `literal_check` in
//! the report) and fails above 1e-5 relative; `tests/slt_models.rs` checks
//! it for every shipped model on real digits, with the ticket's exact
//! invariance. For images the literal network is never built: it is
//! evaluated layer by layer in chunks of bounded size
//! ([`literal_forward`]), so the check's memory does not grow with n, and
//! [`memory`] estimates a run's peak from the shapes alone.
//!
//! The unpruned random source collapses the same way, with every candidate
//! kept ([`source_network`]): one more forward pass gives the source's own
//! accuracy, the "before" of a run (about chance — nothing is trained).
//!
//! # Image and graph networks alike
//!
//! [`target::LinearLayer`] and [`target::TargetNetwork`] are all the
//! pruning needs of a network, so steerable CNNs and the S_n-equivariant
//! networks of `nn::graph` (DeepSets, 2-IGN, message passing) share the run,
//! source, masks, tickets and reports.
//!
//! # The run
//!
//! [`run::PruneRun`] is the whole procedure as a state machine: it hands out
//! batches of problems and verification requests and takes back results,
//! never solving or evaluating itself, so the CLI ([`driver`], rayon or a
//! blocking GPU) and the page (Web Workers, async WebGPU) drive the same
//! code, and the mask depends only on the seed and the target. Its outcome
//! is a ticket and a [`report::PruneReport`] (the `eslt prune --json` keys);
//! [`ticket_file::TicketFile`] is the exported ticket that anyone holding
//! the target can check (`eslt ticket verify`).
//!
//! # Where the figures are
//!
//! The results table (every shipped model at ε = 0.01, seed 1) is in the
//! repository's README.md, with the command that reproduces each row;
//! `tests/README.md` lists what each test checks and the measured speeds of
//! the solver and of the page.

pub mod coefficient;
pub mod config;
pub mod driver;
pub mod graph_inputs;
pub mod image_inputs;
pub mod literal_forward;
pub mod mask;
pub mod memory;
pub mod model_run;
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
pub mod test_rows;
pub mod ticket;
pub mod ticket_file;
pub mod ticket_verify;
pub mod verify;

pub use config::{n_from_bound, PruneConfig};
pub use driver::{
    drive, prune_network, prune_network_on, prune_network_with, Eval, EvalSet, RowLogits, RunHooks,
    VerifyInputs,
};
pub use model_run::{prune_model, ModelOutcome};
pub use run::{Event, PruneOutcome, PruneRun, RunOptions, SolveBatch, Timing, VerifyLogits, Work};
pub use test_rows::TestRows;
pub use ticket_verify::TicketVerdict;
