//! The backward pass of a graph network through its tape: each layer's
//! gradient goes through the basis adjoints (∂α[o, i, k] = ⟨B_k x_i, g_o⟩,
//! ∂x_i = Σ_{o,k} α[o, i, k] B_kᵀ g_o), each ReLU passes the gradient where
//! its input was positive.

use super::forward::GraphTape;
use super::network::{GraphNetwork, GraphOp};
use crate::{Error, Result};

impl GraphNetwork {
    /// ∂L/∂α of every layer (in layer order, each laid out as its α) from
    /// the tape of one graph and `d_logits` = ∂L/∂logits.
    pub fn backward(&self, tape: &GraphTape, d_logits: &[f32]) -> Result<Vec<Vec<f32>>> {
        Ok(self.backward_with_input(tape, d_logits)?.0)
    }

    /// [`backward`] also returning ∂L/∂(input features).
    ///
    /// [`backward`]: GraphNetwork::backward
    pub fn backward_with_input(
        &self,
        tape: &GraphTape,
        d_logits: &[f32],
    ) -> Result<(Vec<Vec<f32>>, Vec<f32>)> {
        if tape.inputs.len() != self.ops.len() || d_logits.len() != tape.output.len() {
            return Err(Error::InvalidArgument(format!(
                "backward: tape of {} ops with {} logits, network of {} ops, {} logit gradients",
                tape.inputs.len(),
                tape.output.len(),
                self.ops.len(),
                d_logits.len()
            )));
        }
        let mut grads: Vec<Vec<f32>> = Vec::new();
        let mut g = d_logits.to_vec();
        for (j, op) in self.ops.iter().enumerate().rev() {
            let x = &tape.inputs[j];
            g = match op {
                GraphOp::Relu => g
                    .iter()
                    .zip(x)
                    .map(|(&g, &v)| if v > 0.0 { g } else { 0.0 })
                    .collect(),
                GraphOp::Linear(l) => {
                    let basis = tape.bases[j].as_ref().ok_or_else(|| {
                        Error::InvalidArgument(format!("backward: op {j} has no basis on the tape"))
                    })?;
                    let (dcoef, dx) = l.backward(basis, tape.n, x, &g);
                    grads.push(dcoef);
                    dx
                }
            };
        }
        grads.reverse();
        Ok((grads, g))
    }
}
