//! The random overparameterised source network (the construction is told in
//! [`crate::slt`]).
//!
//! Every target layer (c_in → c_out fields, basis of K elements) becomes
//! layer A, h\[i,j] = σ(v\[i,j]·x_i) for j < 2n (v\[i,j] > 0 for j < n, < 0 for
//! j ≥ n), and layer B, the full basis from the c_in·2n fields with random
//! coefficients u[o,(i,j),k]. u and |v| ~ Uniform(−1, 1) / Uniform(0, 1)
//! from ChaCha8 (the same on native and wasm), one stream per layer so that
//! growing one layer's n redraws that layer only.

use crate::slt::coefficient::{self, CoefficientLayout};
use crate::slt::target::LinearLayer;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random weights replacing one target layer.
#[derive(Clone, Debug)]
pub struct SourceLayer {
    /// Candidates per pool: 2n intermediate fields per input field.
    pub n: usize,
    pub c_in: usize,
    pub c_out: usize,
    /// Basis elements of the target layer.
    pub k: usize,
    /// `v[i][j]`, `c_in * 2n`.
    pub v: Vec<f32>,
    /// `u[o][i][j][k]`, `c_out * c_in * 2n * k`.
    pub u: Vec<f32>,
}

impl SourceLayer {
    /// Draws the layer `index` of the source for `target` with pools of n.
    pub fn draw(seed: u64, index: usize, target: &impl LinearLayer, n: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index as u64);
        let (c_in, c_out, k) = (target.c_in(), target.c_out(), target.basis_len());
        let m = 2 * n;
        let mut v = Vec::with_capacity(c_in * m);
        for _ in 0..c_in {
            for j in 0..m {
                let mag: f32 = rng.random_range(0.0..1.0);
                v.push(if j < n { mag } else { -mag });
            }
        }
        let u = (0..c_out * c_in * m * k)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        Self {
            n,
            c_in,
            c_out,
            k,
            v,
            u,
        }
    }

    /// Shape of the target layer's α.
    pub fn layout(&self) -> CoefficientLayout {
        CoefficientLayout {
            c_out: self.c_out,
            c_in: self.c_in,
            k: self.k,
        }
    }

    /// Index of `u[o][i][j][kk]`.
    pub fn u_index(&self, o: usize, i: usize, j: usize, kk: usize) -> usize {
        coefficient::u_index(self.layout(), self.n, o, i, j, kk)
    }

    /// Index of `v[i][j]`.
    pub fn v_index(&self, i: usize, j: usize) -> usize {
        coefficient::v_index(self.n, i, j)
    }

    /// Weights of layers A and B together.
    pub fn params(&self) -> usize {
        self.v.len() + self.u.len()
    }
}
