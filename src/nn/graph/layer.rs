//! A permutation-equivariant layer: a basis of equivariant maps and its
//! coefficients α, y[·, o] = Σ_{i,k} α[o, i, k] · B_k(x[·, i]).

use super::basis::{GraphBasis, ResolvedBasis};
use crate::basis::permutation::{tensor_len, Aggregation};
use crate::{Error, Result};

/// Maps `c_in` channels of an order-`input_order()` tensor to `c_out`
/// channels of an order-`output_order()` tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphLayer {
    pub basis: GraphBasis,
    /// How the basis's sums over nodes are normalised.
    pub aggregation: Aggregation,
    pub c_in: usize,
    pub c_out: usize,
    /// Coefficients α, laid out `[o][i][k]`: `c_out * c_in * basis_len()`
    /// (as the image layers' α).
    pub coef: Vec<f32>,
}

/// Most input or output channels of one layer (model files are checked
/// against it before anything is allocated).
pub const MAX_CHANNELS: usize = 1 << 16;

impl GraphLayer {
    /// A layer with all coefficients zero.
    pub fn zeros(basis: GraphBasis, aggregation: Aggregation, c_in: usize, c_out: usize) -> Self {
        let coef = vec![0.0; c_out * c_in * basis.len()];
        GraphLayer {
            basis,
            aggregation,
            c_in,
            c_out,
            coef,
        }
    }

    /// Number of basis elements K.
    pub fn basis_len(&self) -> usize {
        self.basis.len()
    }

    pub fn input_order(&self) -> usize {
        self.basis.input_order()
    }

    pub fn output_order(&self) -> usize {
        self.basis.output_order()
    }

    /// Number of coefficients α: `c_out · c_in · K`.
    pub fn num_coefficients(&self) -> usize {
        self.c_out * self.c_in * self.basis_len()
    }

    /// α[o, i, k].
    pub fn alpha(&self, o: usize, i: usize, k: usize) -> f32 {
        self.coef[(o * self.c_in + i) * self.basis_len() + k]
    }

    /// The same basis and output width on `c_in` input channels, with these
    /// coefficients (laid out `[o][i][k]`; checked by [`validate`]).
    ///
    /// [`validate`]: GraphLayer::validate
    pub fn with_inputs(&self, c_in: usize, coef: Vec<f32>) -> GraphLayer {
        GraphLayer {
            basis: self.basis,
            aggregation: self.aggregation,
            c_in,
            c_out: self.c_out,
            coef,
        }
    }

    /// The identity basis on this layer's input order, from its `c_in`
    /// channels to `c_out` channels, with these coefficients (`[o][i]`,
    /// `c_out · c_in` values).
    pub fn identity_layer(&self, c_out: usize, coef: Vec<f32>) -> Result<GraphLayer> {
        let layer = GraphLayer {
            basis: GraphBasis::Identity {
                order: self.input_order(),
            },
            aggregation: self.aggregation,
            c_in: self.c_in,
            c_out,
            coef,
        };
        layer.validate()?;
        Ok(layer)
    }

    /// Checks the basis, the widths and α (length, finite values).
    pub fn validate(&self) -> Result<()> {
        self.basis.validate()?;
        if self.c_in == 0 || self.c_out == 0 {
            return Err(Error::Model(
                "a graph layer needs at least one channel in and out".into(),
            ));
        }
        if self.c_in > MAX_CHANNELS || self.c_out > MAX_CHANNELS {
            return Err(Error::Model(format!(
                "graph layer {}→{} channels: more than {MAX_CHANNELS}",
                self.c_in, self.c_out
            )));
        }
        if self.coef.len() != self.num_coefficients() {
            return Err(Error::Model(format!(
                "graph layer {}→{} channels with {} basis elements needs {} coefficients, found {}",
                self.c_in,
                self.c_out,
                self.basis_len(),
                self.num_coefficients(),
                self.coef.len()
            )));
        }
        if self.coef.iter().any(|c| !c.is_finite()) {
            return Err(Error::Model("coefficients contain NaN or infinity".into()));
        }
        Ok(())
    }

    /// α rearranged as `[k][i][o]` (one c_in × c_out matrix per element).
    fn per_element(&self) -> Vec<f32> {
        let (kn, ci, co) = (self.basis_len(), self.c_in, self.c_out);
        let mut w = vec![0.0; kn * ci * co];
        for o in 0..co {
            for i in 0..ci {
                for k in 0..kn {
                    w[(k * ci + i) * co + o] = self.coef[(o * ci + i) * kn + k];
                }
            }
        }
        w
    }

    /// y = Σ_{i,k} α[o, i, k] B_k(x_i) on a graph of n nodes (`basis`
    /// resolved for it). Panics on wrong lengths (callers check).
    pub fn apply(&self, basis: &ResolvedBasis, n: usize, x: &[f32]) -> Vec<f32> {
        let b = basis.as_basis();
        let (ci, co) = (self.c_in, self.c_out);
        let rows = tensor_len(self.output_order(), n, 1);
        assert_eq!(
            x.len(),
            tensor_len(self.input_order(), n, ci),
            "layer input"
        );
        let w = self.per_element();
        let mut y = vec![0.0f32; rows * co];
        let mut bx = vec![0.0f32; rows * ci];
        for k in 0..self.basis_len() {
            b.apply(k, n, ci, x, &mut bx);
            let wk = &w[k * ci * co..(k + 1) * ci * co];
            for (yp, bp) in y.chunks_exact_mut(co).zip(bx.chunks_exact(ci)) {
                for (&v, wi) in bp.iter().zip(wk.chunks_exact(co)) {
                    if v != 0.0 {
                        yp.iter_mut().zip(wi).for_each(|(y, &w)| *y += v * w);
                    }
                }
            }
        }
        y
    }

    /// The backward pass through [`GraphLayer::apply`]: from x and
    /// g = ∂L/∂y, returns (∂L/∂α laid out as α, ∂L/∂x):
    /// ∂α[o, i, k] = ⟨B_k x_i, g_o⟩, ∂x_i = Σ_{o,k} α[o, i, k] B_kᵀ g_o.
    pub fn backward(
        &self,
        basis: &ResolvedBasis,
        n: usize,
        x: &[f32],
        g: &[f32],
    ) -> (Vec<f32>, Vec<f32>) {
        let b = basis.as_basis();
        let (ci, co, kn) = (self.c_in, self.c_out, self.basis_len());
        let rows = tensor_len(self.output_order(), n, 1);
        assert_eq!(g.len(), rows * co, "layer output gradient");
        let w = self.per_element();
        let mut dcoef = vec![0.0f32; self.num_coefficients()];
        let mut dx = vec![0.0f32; x.len()];
        let mut bx = vec![0.0f32; rows * ci];
        let mut h = vec![0.0f32; rows * ci];
        let mut back = vec![0.0f32; x.len()];
        let mut dk = vec![0.0f64; ci * co];
        for k in 0..kn {
            b.apply(k, n, ci, x, &mut bx);
            let wk = &w[k * ci * co..(k + 1) * ci * co];
            dk.fill(0.0);
            for ((gp, bp), hp) in g
                .chunks_exact(co)
                .zip(bx.chunks_exact(ci))
                .zip(h.chunks_exact_mut(ci))
            {
                for (i, (&v, wi)) in bp.iter().zip(wk.chunks_exact(co)).enumerate() {
                    if v != 0.0 {
                        let d = &mut dk[i * co..(i + 1) * co];
                        d.iter_mut()
                            .zip(gp)
                            .for_each(|(d, &g)| *d += f64::from(v * g));
                    }
                    hp[i] = wi.iter().zip(gp).map(|(&w, &g)| w * g).sum();
                }
            }
            for i in 0..ci {
                for o in 0..co {
                    dcoef[(o * ci + i) * kn + k] = dk[i * co + o] as f32;
                }
            }
            b.apply_adjoint(k, n, ci, &h, &mut back);
            dx.iter_mut().zip(&back).for_each(|(d, &v)| *d += v);
        }
        (dcoef, dx)
    }
}
