//! What the construction needs of a target network — whatever its group and
//! the shape of its inputs.
//!
//! Every equivariant linear layer the crate builds, steerable convolutions
//! of images and permutation-equivariant layers of graphs and sets alike, is
//! W = Σ α\[o,i,k] E\[o,i] ⊗ B_k: c_in fields in, c_out fields out, a basis
//! of K elements, coefficients laid out `[o][i][k]`. The pruning sees only
//! that — α, the widths, the identity element of the input type (layer A
//! of the source) and the same basis on a wider input (layer B) — and where
//! the ReLUs are. [`LinearLayer`] and [`TargetNetwork`] say exactly this, so
//! the run, the source, the masks, the ticket networks and the reports are
//! written once for every kind of network.

use crate::group::FieldType;
use crate::nn::graph::{GraphLayer, GraphNetwork, GraphOp};
use crate::nn::{EquivariantLayer, Network, Op};
use crate::Result;

/// An equivariant linear layer as the construction sees it.
pub trait LinearLayer: Clone {
    /// Input and output fields.
    fn c_in(&self) -> usize;
    fn c_out(&self) -> usize;
    /// Basis elements K.
    fn basis_len(&self) -> usize;
    /// α, laid out `[o][i][k]` (`c_out · c_in · K` values).
    fn coef(&self) -> &[f32];
    fn coef_mut(&mut self) -> &mut [f32];
    /// The same basis and output from `c_in` input fields of the same type,
    /// with coefficients `coef` (layer B of the source, a collapsed layer).
    fn with_inputs(&self, c_in: usize, coef: Vec<f32>) -> Self;
    /// The identity element on this layer's input type, from its c_in fields
    /// to `c_out` fields, coefficients `coef` (`c_out · c_in`): layer A.
    fn identity_layer(&self, c_out: usize, coef: Vec<f32>) -> Result<Self>;
    /// Names of the input and output field types, for reports.
    fn type_names(&self) -> (String, String);
    /// Spatial kernel size (1 for layers without one), for reports.
    fn ksize(&self) -> usize;
}

/// One step of a rebuilt network.
pub enum Piece<L> {
    Linear(L),
    Relu,
}

/// What [`TargetNetwork::rebuild`] puts in place of linear layer ℓ.
pub type Replace<'a, L> = dyn FnMut(usize, &L) -> Result<Vec<Piece<L>>> + 'a;

/// A network of [`LinearLayer`]s and pointwise or pooling ops that commute
/// with positive scaling (ReLU, max and mean pools, reshapes).
pub trait TargetNetwork: Clone + Send {
    type Layer: LinearLayer;

    /// The linear layers, in order.
    fn linear_layers(&self) -> Vec<&Self::Layer>;
    fn linear_layers_mut(&mut self) -> Vec<&mut Self::Layer>;
    /// Checks layer consistency and shapes.
    fn validate(&self) -> Result<()>;
    /// For each linear layer: is its input non-negative whatever the input
    /// (after a ReLU), or, for the first, when `input_nonnegative`?
    fn nonnegative_inputs(&self, input_nonnegative: bool) -> Vec<bool>;
    /// The network with linear layer ℓ replaced by `replace(ℓ, layer)`;
    /// every other op is kept.
    fn rebuild(&self, replace: &mut Replace<'_, Self::Layer>) -> Result<Self>;
}

impl LinearLayer for EquivariantLayer {
    fn c_in(&self) -> usize {
        self.c_in
    }

    fn c_out(&self) -> usize {
        self.c_out
    }

    fn basis_len(&self) -> usize {
        self.basis.len()
    }

    fn coef(&self) -> &[f32] {
        &self.coef
    }

    fn coef_mut(&mut self) -> &mut [f32] {
        &mut self.coef
    }

    fn with_inputs(&self, c_in: usize, coef: Vec<f32>) -> Self {
        EquivariantLayer {
            c_in,
            coef,
            ..self.clone()
        }
    }

    fn identity_layer(&self, c_out: usize, coef: Vec<f32>) -> Result<Self> {
        Ok(EquivariantLayer {
            group: self.group,
            in_type: self.in_type,
            out_type: self.in_type,
            c_in: self.c_in,
            c_out,
            basis: crate::basis::identity::identity_element(self.group, self.in_type)?,
            coef,
        })
    }

    fn type_names(&self) -> (String, String) {
        let name = |t: FieldType| format!("{t:?}").to_lowercase();
        (name(self.in_type), name(self.out_type))
    }

    fn ksize(&self) -> usize {
        self.basis.ksize
    }
}

impl TargetNetwork for Network {
    type Layer = EquivariantLayer;

    fn linear_layers(&self) -> Vec<&EquivariantLayer> {
        self.layers().collect()
    }

    fn linear_layers_mut(&mut self) -> Vec<&mut EquivariantLayer> {
        self.ops
            .iter_mut()
            .filter_map(|op| match op {
                Op::Conv(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    fn validate(&self) -> Result<()> {
        Network::validate(self)
    }

    fn nonnegative_inputs(&self, input_nonnegative: bool) -> Vec<bool> {
        crate::slt::sign::nonnegative_inputs(self, input_nonnegative)
    }

    fn rebuild(&self, replace: &mut Replace<'_, EquivariantLayer>) -> Result<Self> {
        let mut ops = Vec::new();
        let mut idx = 0;
        for op in &self.ops {
            let Op::Conv(t) = op else {
                ops.push(op.clone());
                continue;
            };
            for piece in replace(idx, t)? {
                ops.push(match piece {
                    Piece::Linear(l) => Op::Conv(l),
                    Piece::Relu => Op::Relu,
                });
            }
            idx += 1;
        }
        Ok(Network {
            group: self.group,
            input_shape: self.input_shape,
            ops,
        })
    }
}

impl LinearLayer for GraphLayer {
    fn c_in(&self) -> usize {
        self.c_in
    }

    fn c_out(&self) -> usize {
        self.c_out
    }

    fn basis_len(&self) -> usize {
        GraphLayer::basis_len(self)
    }

    fn coef(&self) -> &[f32] {
        &self.coef
    }

    fn coef_mut(&mut self) -> &mut [f32] {
        &mut self.coef
    }

    fn with_inputs(&self, c_in: usize, coef: Vec<f32>) -> Self {
        GraphLayer::with_inputs(self, c_in, coef)
    }

    fn identity_layer(&self, c_out: usize, coef: Vec<f32>) -> Result<Self> {
        GraphLayer::identity_layer(self, c_out, coef)
    }

    fn type_names(&self) -> (String, String) {
        let name = |order: usize| format!("order {order}");
        (name(self.input_order()), name(self.output_order()))
    }

    fn ksize(&self) -> usize {
        1
    }
}

impl TargetNetwork for GraphNetwork {
    type Layer = GraphLayer;

    fn linear_layers(&self) -> Vec<&GraphLayer> {
        self.layers().collect()
    }

    fn linear_layers_mut(&mut self) -> Vec<&mut GraphLayer> {
        self.layers_mut().collect()
    }

    fn validate(&self) -> Result<()> {
        GraphNetwork::validate(self)
    }

    fn nonnegative_inputs(&self, input_nonnegative: bool) -> Vec<bool> {
        self.negative_inputs(!input_nonnegative)
            .into_iter()
            .map(|negative| !negative)
            .collect()
    }

    fn rebuild(&self, replace: &mut Replace<'_, GraphLayer>) -> Result<Self> {
        let mut ops = Vec::new();
        let mut idx = 0;
        for op in &self.ops {
            let GraphOp::Linear(t) = op else {
                ops.push(op.clone());
                continue;
            };
            for piece in replace(idx, t)? {
                ops.push(match piece {
                    Piece::Linear(l) => GraphOp::Linear(l),
                    Piece::Relu => GraphOp::Relu,
                });
            }
            idx += 1;
        }
        Ok(GraphNetwork {
            ops,
            ..self.clone()
        })
    }
}
