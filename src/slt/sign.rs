//! Which linear layers read a non-negative input — structurally, from the ops.
//!
//! Where the input x ≥ 0, σ(−x) = 0: the negative pool (see [`crate::slt`])
//! contributes nothing, its problems are skipped and its weights pruned.

use crate::nn::{Network, Op};

/// For each `Op::Conv` in order: is its input provably ≥ 0?
pub fn nonnegative_inputs(network: &Network, input_nonnegative: bool) -> Vec<bool> {
    let mut nonneg = input_nonnegative;
    let mut out = Vec::new();
    for op in &network.ops {
        match op {
            Op::Conv(_) => {
                out.push(nonneg);
                nonneg = false; // a linear map of a non-negative input can be negative
            }
            Op::Relu => nonneg = true,
            // Max, mean and reshaping keep the sign of their inputs.
            Op::MaxPool2 | Op::GroupPool | Op::GlobalAvgPool | Op::Flatten => {}
        }
    }
    out
}
