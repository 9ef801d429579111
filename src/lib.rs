//! eslt — Equivariant Strong Lottery Tickets.
//!
//! Builds G-equivariant networks, trains small targets, builds the random
//! overparameterised source network of Ferbach et al. (ICLR 2023) and prunes
//! it — without training — into a ticket that matches the target to ε by
//! solving subset-sum problems exactly.
//!
//! # Start here
//!
//! 1. [`slt`] — the construction and the algorithm, told once: the source
//!    network, one subset-sum problem per coefficient, rebalancing, dead
//!    pools, how n is chosen, the literal and the collapsed ticket.
//! 2. [`slt::run::PruneRun`] — the whole run as a state machine that hands
//!    out work and takes results back, never solving or evaluating itself.
//! 3. Its drivers: the CLI `eslt` (`src/bin/eslt/`, one file per
//!    subcommand) through [`slt::driver`] with rayon or a blocking GPU, and
//!    the page's wasm API (`src/web/`, module `web`, built for
//!    `wasm32-unknown-unknown` only) from Web Workers.
//! 4. [`slt::ticket_file::TicketFile`] — the exported ticket: seed, ε and
//!    the mask, from which anyone holding the target regenerates and checks
//!    the ticket (`eslt ticket verify`).
//!
//! # Modules
//!
//! The core knows nothing of the browser or the GPU; [`gpu`] and `web`
//! depend on the core, never the reverse.
//!
//! | module | what |
//! |---|---|
//! | [`group`] | C_N, D_N and S_n, their elements, representations and actions on fields; the shared equivariance check |
//! | [`basis`] | bases of equivariant linear maps: steerable kernels (harmonic rings), pixel and dense bases, identity elements; IGN, DeepSets and message-passing bases for graphs |
//! | [`nn`] | equivariant layers and networks: the reference, prepared-CPU and (with [`gpu`]) GPU forward passes, backward, training, model files ([`nn::Model`] loads either kind), the target tasks; [`nn::graph`] for sets and graphs |
//! | [`slt`] | the strong lottery ticket: source network, exact subset sum ([`slt::subset_sum`]), the run, tickets, reports ([`slt::report`]), ticket files, memory estimate |
//! | [`data`] | MNIST (IDX import, packed digit files, seeded rotations) and the seeded graph and set tasks |
//! | [`gpu`] | wgpu backends: the exact subset-sum solver and the forward pass (WGSL shaders in `src/gpu/shaders/`) |
//! | `web` | the wasm-bindgen API the page's workers use (`src/web/mod.rs` lists every exported type and the worker that hosts it) |
//! | [`error`] | the crate's typed [`Error`] |
//! | [`base64_text`] | the strict base64 of the binary blocks in model and ticket files |
//! | [`sha256`] | SHA-256 as hex: model files' identity, mask and predictions digests |
//! | [`threads`] | the threads a parallel computation runs on: rayon's pool natively, one thread in wasm |
//!
//! What each test checks, and the measured figures, are in
//! `tests/README.md`; how to build and run everything is in README.md and
//! the header of `build.sh`.

pub mod base64_text;
pub mod basis;
pub mod data;
pub mod error;
pub mod gpu;
pub mod group;
pub mod nn;
pub mod sha256;
pub mod slt;
pub mod threads;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
