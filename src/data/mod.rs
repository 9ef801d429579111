//! Data: rotated MNIST (packed u8 digit files, IDX import, rotation).
//!
//! The packed format and the seeded test rotations are shared by the CLI,
//! the tests and the page, so all three see the same rotated test set.

pub mod digits;
pub mod idx;
pub mod rotate;
pub mod rotated_mnist;

pub use digits::Digits;
