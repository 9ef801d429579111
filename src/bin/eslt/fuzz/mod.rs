//! The stable-Rust fuzz harness behind `eslt fuzz` (no nightly, no
//! cargo-fuzz): seeded mutation of seed inputs ([`mutate`]) fed to every
//! loader and parser of outside input ([`targets`]), with panics caught,
//! allocations capped and hangs detected ([`guard`]).

pub mod guard;
pub mod mutate;
pub mod targets;
