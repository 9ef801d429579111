//! Random initialisation of a graph network's coefficients (fan-in scaled).

use super::network::{GraphNetwork, GraphOp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

impl GraphNetwork {
    /// Draws every α uniformly with standard deviation √(gain / (c_in·K)):
    /// the bases under `Mean` are averaging operators (gain at most 1), so
    /// each output starts at about the scale of the inputs. Gain 2 before a
    /// ReLU, 1 for the last layer. Seeded (ChaCha8).
    pub fn init_coefficients(&mut self, seed: u64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let last = self
            .ops
            .iter()
            .rposition(|op| matches!(op, GraphOp::Linear(_)));
        for (j, op) in self.ops.iter_mut().enumerate() {
            if let GraphOp::Linear(l) = op {
                let gain = if Some(j) == last { 1.0 } else { 2.0 };
                let fan_in = (l.c_in * l.basis_len()).max(1) as f32;
                let a = (3.0 * gain / fan_in).sqrt();
                for c in l.coef.iter_mut() {
                    *c = rng.random_range(-a..a);
                }
            }
        }
    }
}
