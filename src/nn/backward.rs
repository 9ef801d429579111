//! Reverse-mode gradients of a network: a forward pass that keeps every
//! op's input (the tape), then hand-written backward passes op by op.

use crate::nn::forward::apply_op;
use crate::nn::{
    conv2d_same, conv2d_same_backward, global_avg_pool_backward, group_pool_backward,
    max_pool2_backward, relu_backward, Network, Op,
};
use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

/// What the backward pass needs from the forward pass.
pub struct Tape {
    /// Input of every op (`inputs[n]` entered `ops[n]`).
    inputs: Vec<Array4<f32>>,
    /// Expanded weights of every Conv op (None for the others).
    weights: Vec<Option<Array4<f32>>>,
    /// The network's output.
    pub output: Array4<f32>,
}

impl Network {
    /// Forward pass on one batch keeping what `backward` needs.
    pub fn forward_tape(&self, x: ArrayView4<f32>) -> Result<Tape> {
        self.validate()?;
        let (_, c, h, w) = x.dim();
        if (c, h, w) != self.input_shape {
            return Err(Error::InvalidArgument(format!(
                "network input must be {:?}, got {:?}",
                self.input_shape,
                (c, h, w)
            )));
        }
        let order = self.group.order();
        let mut inputs = Vec::with_capacity(self.ops.len());
        let mut weights = Vec::with_capacity(self.ops.len());
        let mut h = x.to_owned();
        for op in &self.ops {
            let next = match op {
                Op::Conv(l) => {
                    let wt = l.expand();
                    let y = conv2d_same(h.view(), wt.view())?;
                    weights.push(Some(wt));
                    y
                }
                _ => {
                    weights.push(None);
                    apply_op(op, order, h.view())?
                }
            };
            inputs.push(std::mem::replace(&mut h, next));
        }
        Ok(Tape {
            inputs,
            weights,
            output: h,
        })
    }

    /// Gradients of the loss w.r.t. every layer's coefficients α (one Vec per
    /// Conv op, in order), given dL/d(output).
    pub fn backward(&self, tape: &Tape, d_output: ArrayView4<f32>) -> Result<Vec<Vec<f32>>> {
        if d_output.dim() != tape.output.dim() {
            return Err(Error::InvalidArgument(format!(
                "output gradient has shape {:?}, expected {:?}",
                d_output.dim(),
                tape.output.dim()
            )));
        }
        let order = self.group.order();
        let mut grads: Vec<Vec<f32>> = Vec::new();
        let mut g = d_output.to_owned();
        for (n, op) in self.ops.iter().enumerate().rev() {
            let x = tape.inputs[n].view();
            // The input of op 0 is data: no gradient needed past it.
            let need_dx = n > 0;
            g = match op {
                Op::Conv(l) => {
                    let wt = tape.weights[n]
                        .as_ref()
                        .ok_or_else(|| Error::InvalidArgument("tape lacks conv weights".into()))?;
                    let (dx, dw) = conv2d_same_backward(x, wt.view(), g.view(), need_dx)?;
                    grads.push(l.coef_grad(&dw));
                    match dx {
                        Some(dx) => dx,
                        None => Array4::zeros((0, 0, 0, 0)),
                    }
                }
                Op::Relu => relu_backward(x, g.view()),
                Op::MaxPool2 => max_pool2_backward(x, g.view()),
                Op::GroupPool => group_pool_backward(x, g.view(), order)?,
                Op::GlobalAvgPool => global_avg_pool_backward(x.dim(), g.view()),
                Op::Flatten => g
                    .as_standard_layout()
                    .into_owned()
                    .into_shape_with_order(x.dim())
                    .map_err(|e| Error::InvalidArgument(format!("flatten gradient: {e}")))?,
            };
            if !need_dx {
                break;
            }
        }
        grads.reverse();
        Ok(grads)
    }
}
