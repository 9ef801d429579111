//! An equivariant layer: a kernel basis and its coefficients α.

use crate::basis::KernelBasis;
use crate::group::{FieldType, Group};
use crate::{Error, Result};
use ndarray::{Array2, Array4, ArrayView2};
use serde::{Deserialize, Serialize};

/// Maps `c_in` fields of `in_type` to `c_out` fields of `out_type` with the
/// weights W = Σ α\[o,i,k] · E\[o,i] ⊗ B_k ("same" zero padding, stride 1).
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

impl EquivariantLayer {
    /// Channels of the input feature map: `c_in · dim(in_type)`.
    pub fn in_channels(&self) -> usize {
        self.c_in * self.basis.in_dim
    }

    /// Channels of the output feature map: `c_out · dim(out_type)`.
    pub fn out_channels(&self) -> usize {
        self.c_out * self.basis.out_dim
    }

    /// Number of coefficients α.
    pub fn num_coefficients(&self) -> usize {
        self.c_out * self.c_in * self.basis.len()
    }

    /// Checks that the basis matches the field types and that α has the
    /// right length and is finite.
    pub fn validate(&self) -> Result<()> {
        let b = &self.basis;
        let (od, id) = (self.out_type.dim(self.group), self.in_type.dim(self.group));
        if b.out_dim != od || b.in_dim != id {
            return Err(Error::Model(format!(
                "basis maps {}→{} channels per field but the field types need {}→{}",
                b.in_dim, b.out_dim, id, od
            )));
        }
        if b.ksize == 0 || b.ksize % 2 == 0 {
            return Err(Error::Model(format!("kernel size {} is not odd", b.ksize)));
        }
        if let Some(k) = b.elems.iter().position(|e| e.len() != b.elem_len()) {
            return Err(Error::Model(format!(
                "basis element {k} has {} values, expected {}",
                b.elems[k].len(),
                b.elem_len()
            )));
        }
        if self.c_in == 0 || self.c_out == 0 {
            return Err(Error::Model(
                "a layer needs at least one field in and out".into(),
            ));
        }
        if self.coef.len() != self.num_coefficients() {
            return Err(Error::Model(format!(
                "layer {}→{} fields with {} basis elements needs {} coefficients, found {}",
                self.c_in,
                self.c_out,
                b.len(),
                self.num_coefficients(),
                self.coef.len()
            )));
        }
        if self.coef.iter().any(|c| !c.is_finite()) {
            return Err(Error::Model("coefficients contain NaN or infinity".into()));
        }
        Ok(())
    }

    /// The basis as a matrix `[K, out_dim·in_dim·k·k]`.
    pub(crate) fn basis_matrix(&self) -> Array2<f32> {
        let b = &self.basis;
        let mut m = Array2::<f32>::zeros((b.len(), b.elem_len()));
        for (k, e) in b.elems.iter().enumerate() {
            for (dst, &v) in m.row_mut(k).iter_mut().zip(e) {
                *dst = v;
            }
        }
        m
    }

    /// Dense weights `[c_out·out_dim, c_in·in_dim, k, k]`:
    /// W[o·P+p, i·Q+q, y, x] = Σ_k α\[o,i,k] · B_k\[p,q,y,x].
    ///
    /// Panics if α or the basis has the wrong length: call [`validate`]
    /// first on layers from outside (`Network::forward` does).
    ///
    /// [`validate`]: EquivariantLayer::validate
    pub fn expand(&self) -> Array4<f32> {
        let b = &self.basis;
        let nb = b.len();
        let coef = ArrayView2::from_shape((self.c_out * self.c_in, nb), &self.coef)
            .expect("coefficient count checked by validate()");
        // [(o,i), (p,q,y,x)]
        let blocks = coef.dot(&self.basis_matrix());
        let (p_n, q_n, kk) = (b.out_dim, b.in_dim, b.ksize * b.ksize);
        let mut w =
            Array4::<f32>::zeros((self.out_channels(), self.in_channels(), b.ksize, b.ksize));
        let ws = w.as_slice_mut().expect("fresh array is contiguous");
        let ci = self.in_channels();
        for o in 0..self.c_out {
            for i in 0..self.c_in {
                let blk = blocks.row(o * self.c_in + i);
                let blk = blk.as_slice().expect("row of a standard-layout array");
                for p in 0..p_n {
                    for q in 0..q_n {
                        let src = &blk[(p * q_n + q) * kk..(p * q_n + q + 1) * kk];
                        let row = o * p_n + p;
                        let col = i * q_n + q;
                        let off = (row * ci + col) * kk;
                        ws[off..off + kk].copy_from_slice(src);
                    }
                }
            }
        }
        w
    }

    /// Chain rule through `expand`: dα\[o,i,k] = Σ dW[o,i block] ⊙ B_k.
    /// Panics if `dw` does not have `expand()`'s shape.
    pub fn coef_grad(&self, dw: &Array4<f32>) -> Vec<f32> {
        let b = &self.basis;
        let (p_n, q_n, kk) = (b.out_dim, b.in_dim, b.ksize * b.ksize);
        let ci = self.in_channels();
        let dws = dw.as_standard_layout();
        let dws = dws.as_slice().expect("standard layout");
        // Gather dW into [(o,i), (p,q,y,x)] blocks, then multiply by Bᵀ.
        let mut blocks = Array2::<f32>::zeros((self.c_out * self.c_in, b.elem_len()));
        for o in 0..self.c_out {
            for i in 0..self.c_in {
                let mut blk = blocks.row_mut(o * self.c_in + i);
                let blk = blk.as_slice_mut().expect("row of a standard-layout array");
                for p in 0..p_n {
                    for q in 0..q_n {
                        let off = ((o * p_n + p) * ci + i * q_n + q) * kk;
                        blk[(p * q_n + q) * kk..(p * q_n + q + 1) * kk]
                            .copy_from_slice(&dws[off..off + kk]);
                    }
                }
            }
        }
        let g = blocks.dot(&self.basis_matrix().t());
        g.into_raw_vec_and_offset().0
    }
}
