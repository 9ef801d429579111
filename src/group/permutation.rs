//! The symmetric group S_n acting on the nodes of a set or graph.
//!
//! Convention: a permutation σ sends node i to node σ(i), and acts on a
//! feature tensor by moving the features with their node:
//! (σ·x)[σ(i)] = x\[i] for node features `[n, c]`, and
//! (σ·X)[σ(i), σ(j)] = X[i, j] for edge features `[n, n, c]` (row-major,
//! channels last). Equivalently (σ·x)\[i] = x[σ⁻¹(i)]. This is a left action:
//! σ·(τ·x) = (σ∘τ)·x, where (σ∘τ)(i) = σ(τ(i)).
//!
//! Order-0 tensors (`[c]`, graph-level invariants) are left unchanged.
//! A linear map F between such tensors is S_n-equivariant when
//! F(σ·x) = σ·F(x) for every σ.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result};

/// A permutation of the nodes 0..n, stored as its images σ(0), …, σ(n−1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Permutation {
    images: Vec<usize>,
}

/// A uniform index in 0..n from one 64-bit draw: the high 64 bits of
/// draw·n (bias below n/2^64, far under anything a test could see). Ours and
/// documented, so the stream is the same on native and wasm and does not
/// depend on a library's sampling internals.
pub fn uniform_index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

impl Permutation {
    /// The identity on n nodes.
    pub fn identity(n: usize) -> Self {
        Permutation {
            images: (0..n).collect(),
        }
    }

    /// The permutation i ↦ images\[i]; an error unless `images` holds each of
    /// 0..n exactly once.
    pub fn from_images(images: Vec<usize>) -> Result<Self> {
        let n = images.len();
        let mut seen = vec![false; n];
        for &j in &images {
            if j >= n || seen[j] {
                return Err(Error::InvalidArgument(format!(
                    "not a permutation of 0..{n}: {images:?}"
                )));
            }
            seen[j] = true;
        }
        Ok(Permutation { images })
    }

    /// A uniformly random permutation (Fisher–Yates with [`uniform_index`]).
    pub fn random<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Self {
        let mut images: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            images.swap(i, uniform_index(rng, i + 1));
        }
        Permutation { images }
    }

    /// [`Permutation::random`] from `ChaCha8Rng::seed_from_u64(seed)`.
    pub fn seeded(n: usize, seed: u64) -> Self {
        Self::random(n, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    /// Number of nodes n.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// σ(i).
    pub fn image(&self, i: usize) -> usize {
        self.images[i]
    }

    /// σ(0), …, σ(n−1).
    pub fn images(&self) -> &[usize] {
        &self.images
    }

    pub fn is_identity(&self) -> bool {
        self.images.iter().enumerate().all(|(i, &j)| i == j)
    }

    /// σ∘τ: apply τ first, then σ (= `self`). Panics if the sizes differ.
    pub fn compose(&self, tau: &Permutation) -> Permutation {
        assert_eq!(
            self.len(),
            tau.len(),
            "compose: permutations of different n"
        );
        Permutation {
            images: tau.images.iter().map(|&j| self.images[j]).collect(),
        }
    }

    /// σ⁻¹.
    pub fn inverse(&self) -> Permutation {
        let mut images = vec![0; self.len()];
        for (i, &j) in self.images.iter().enumerate() {
            images[j] = i;
        }
        Permutation { images }
    }

    /// σ·x for a tensor of `order` 0, 1 or 2 (`[c]`, `[n, c]`, `[n, n, c]`).
    ///
    /// Panics if `x.len()` is not nᵒʳᵈᵉʳ·c or the order exceeds 2 (a caller
    /// bug).
    pub fn act(&self, order: usize, c: usize, x: &[f32]) -> Vec<f32> {
        match order {
            0 => {
                assert_eq!(x.len(), c, "act: order-0 tensor is not [c]");
                x.to_vec()
            }
            1 => self.act_on_nodes(c, x),
            2 => self.act_on_edges(c, x),
            _ => panic!("act: order {order} > 2 is not supported"),
        }
    }

    /// σ·x for node features `[n, c]`: (σ·x)[σ(i)] = x\[i].
    pub fn act_on_nodes(&self, c: usize, x: &[f32]) -> Vec<f32> {
        let n = self.len();
        assert_eq!(x.len(), n * c, "act_on_nodes: x is not [n, c]");
        let mut out = vec![0.0; n * c];
        for (i, &si) in self.images.iter().enumerate() {
            out[si * c..(si + 1) * c].copy_from_slice(&x[i * c..(i + 1) * c]);
        }
        out
    }

    /// σ·X for edge features `[n, n, c]`: (σ·X)[σ(i), σ(j)] = X[i, j].
    pub fn act_on_edges(&self, c: usize, x: &[f32]) -> Vec<f32> {
        let n = self.len();
        assert_eq!(x.len(), n * n * c, "act_on_edges: x is not [n, n, c]");
        let mut out = vec![0.0; n * n * c];
        for (i, &si) in self.images.iter().enumerate() {
            for (j, &sj) in self.images.iter().enumerate() {
                let (src, dst) = ((i * n + j) * c, (si * n + sj) * c);
                out[dst..dst + c].copy_from_slice(&x[src..src + c]);
            }
        }
        out
    }
}

/// One-line notation of the images, e.g. "[2 0 1]".
impl std::fmt::Display for Permutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[")?;
        for (k, j) in self.images.iter().enumerate() {
            if k > 0 {
                write!(f, " ")?;
            }
            write!(f, "{j}")?;
        }
        write!(f, "]")
    }
}
