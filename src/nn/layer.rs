//! An equivariant layer: a kernel basis and its coefficients α.

use crate::basis::KernelBasis;
use crate::group::{FieldType, Group};
use serde::{Deserialize, Serialize};

/// Maps `c_in` fields of `in_type` to `c_out` fields of `out_type` with the
/// weights W = Σ α[o,i,k] · E[o,i] ⊗ B_k ("same" zero padding, stride 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquivariantLayer {
    pub group: Group,
    pub in_type: FieldType,
    pub out_type: FieldType,
    pub c_in: usize,
    pub c_out: usize,
    pub basis: KernelBasis,
    /// Coefficients α, laid out `[o][i][k]`: `c_out * c_in * basis.len()`.
    pub coef: Vec<f32>,
}
