//! Random initialisation of the coefficients α with fan-in scaling.

use crate::nn::{EquivariantLayer, Network, Op};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

impl EquivariantLayer {
    /// Standard deviation of α that gives the expanded weights He scaling:
    /// each output channel's squared weight norm ≈ `gain` in expectation.
    /// E‖W\[p,:]‖² = σ² · c_in · mean_p Σ_k ‖B_k\[p]‖², whatever the basis norms.
    pub fn init_std(&self, gain: f32) -> f32 {
        let b = &self.basis;
        let total: f64 = b
            .elems
            .iter()
            .flat_map(|e| e.iter())
            .map(|&v| (v as f64) * (v as f64))
            .sum();
        let mean_row = total / b.out_dim.max(1) as f64;
        let denom = self.c_in as f64 * mean_row;
        if denom <= 0.0 {
            return 0.0;
        }
        ((gain as f64) / denom).sqrt() as f32
    }

    /// Draws α uniformly with std `init_std(gain)`.
    pub fn init_coefficients(&mut self, gain: f32, rng: &mut ChaCha8Rng) {
        let a = 3f32.sqrt() * self.init_std(gain);
        for c in self.coef.iter_mut() {
            *c = if a > 0.0 {
                rng.random_range(-a..a)
            } else {
                0.0
            };
        }
    }
}

impl Network {
    /// Re-initialises every layer's α from `seed` (He gain 2 before a ReLU,
    /// 1 for the last layer, which feeds the logits).
    pub fn init_coefficients(&mut self, seed: u64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let last = self.ops.iter().rposition(|op| matches!(op, Op::Conv(_)));
        for (n, op) in self.ops.iter_mut().enumerate() {
            if let Op::Conv(l) = op {
                let gain = if Some(n) == last { 1.0 } else { 2.0 };
                l.init_coefficients(gain, &mut rng);
            }
        }
    }
}
