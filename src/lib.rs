//! eslt — Equivariant Strong Lottery Tickets.
//!
//! Builds G-equivariant networks, trains small targets, builds the random
//! overparameterised source network of Ferbach et al. (ICLR 2023) and prunes
//! it — without training — into a ticket that matches the target to ε by
//! solving subset-sum problems exactly.
//!
//! The core (`group`, `basis`, `nn`, `slt`, `data`) knows nothing of the
//! browser or the GPU; `gpu` and `web` depend on the core, never the reverse.

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
