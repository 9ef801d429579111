//! Data: rotated MNIST (packed u8 digit files, IDX import, rotation), and
//! seeded graph and set tasks with exact labels.
//!
//! The packed format and the seeded test rotations are shared by the CLI,
//! the tests and the page, so all three see the same rotated test set.
//! Graphs ([`graphs`]): MiniGC-style graph families, connectivity of random
//! graphs, triangle counts, a set task (the unique most frequent colour),
//! and Zachary's karate club (a shipped edge list).

pub mod connectivity;
pub mod digits;
pub mod graph_families;
pub mod graphs;
pub mod idx;
pub mod karate;
pub mod rotate;
pub mod rotated_mnist;
pub mod set_mode;
pub mod triangles;

pub use digits::Digits;
