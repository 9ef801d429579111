//! Pruning one layer: its subset-sum problems, and the pruned layer that
//! their solutions make.
//!
//! Problem p of a layer (numbering in [`crate::slt::coefficient`]) has the
//! candidates u[o,(i,j),k]·|v\[i,j]| for the n fields j of its pool (exact in
//! f64: a product of two f32) and the target ±α\[o,i,k]. Each solution keeps
//! its u and the v they read; the kept u·|v| sum to the collapsed
//! coefficient β.

use std::ops::Range;

use crate::slt::coefficient::{CoefficientId, CoefficientLayout};
use crate::slt::mask::LayerMask;
use crate::slt::source::SourceLayer;
use crate::slt::subset_sum::{ProblemBatch, Solution};
use crate::slt::target::LinearLayer;
use crate::{Error, Result};

/// Problems `range` of the layer (live pools only: `range.end` ≤
/// `live_pools · α.len()`), as one batch.
pub fn layer_problems(
    src: &SourceLayer,
    alpha: &[f32],
    range: Range<usize>,
) -> Result<ProblemBatch> {
    let layout = src.layout();
    let n = src.n;
    let mut candidates = Vec::with_capacity(range.len() * n);
    let mut targets = Vec::with_capacity(range.len());
    for p in range {
        let id = layout.coefficient(p);
        let (o, i, k) = (id.out_field, id.in_field, id.basis_element);
        let j0 = id.pool.offset(n);
        for j in j0..j0 + n {
            let v = f64::from(src.v[src.v_index(i, j)]).abs();
            candidates.push(f64::from(src.u[src.u_index(o, i, j, k)]) * v);
        }
        let a = alpha
            .get(layout.alpha_index(o, i, k))
            .ok_or_else(|| Error::InvalidArgument(format!("problem {p} is outside the layer")))?;
        targets.push(id.pool.target(f64::from(*a)));
    }
    ProblemBatch::new(n, candidates, targets)
}

/// A pruned layer: the mask and the collapsed coefficients
/// β\[o,i,k] = Σ_{j∈S} u·|v| of each live pool.
#[derive(Clone, Debug)]
pub struct PrunedLayer {
    pub source: SourceLayer,
    pub mask: LayerMask,
    pub beta_pos: Vec<f32>,
    /// `None` when the layer's input is non-negative (dead negative pool).
    pub beta_neg: Option<Vec<f32>>,
    /// |achieved − target| per problem, positive pool then negative pool.
    pub errors: Vec<f64>,
    /// The chosen subset of every problem, in the same order.
    pub subsets: Vec<u32>,
}

impl PrunedLayer {
    /// Builds the layer from one solution per problem of its live pools
    /// (`α.len()` of them, or twice that where the negative pool lives).
    pub fn from_solutions(
        target: &impl LinearLayer,
        source: SourceLayer,
        solutions: &[Solution],
    ) -> Result<Self> {
        let layout = CoefficientLayout::of(target);
        let per_pool = layout.len();
        let negative_live = match solutions.len() {
            l if l == per_pool => false,
            l if l == 2 * per_pool => true,
            l => {
                return Err(Error::InvalidArgument(format!(
                    "{l} solutions for a layer of {per_pool} coefficients"
                )))
            }
        };
        let n = source.n;
        let mut mask = LayerMask::new(source.v.len(), source.u.len());
        for (p, s) in solutions.iter().enumerate() {
            let id = layout.coefficient(p);
            let j0 = id.pool.offset(n);
            for j in 0..n {
                if s.subset >> j & 1 == 1 {
                    let (o, i, k) = (id.out_field, id.in_field, id.basis_element);
                    mask.u_keep[source.u_index(o, i, j0 + j, k)] = true;
                    mask.v_keep[source.v_index(i, j0 + j)] = true;
                }
            }
        }
        let beta = |r: Range<usize>| solutions[r].iter().map(|s| s.sum as f32).collect();
        Ok(Self {
            beta_pos: beta(0..per_pool),
            beta_neg: negative_live.then(|| beta(per_pool..2 * per_pool)),
            errors: solutions.iter().map(|s| s.error).collect(),
            subsets: solutions.iter().map(|s| s.subset).collect(),
            source,
            mask,
        })
    }

    pub fn max_error(&self) -> f64 {
        self.errors.iter().fold(0.0, |m, &e| m.max(e))
    }

    pub fn mean_error(&self) -> f64 {
        self.errors.iter().sum::<f64>() / self.errors.len().max(1) as f64
    }

    /// Problem index of the worst coefficient (the first of equals).
    pub fn worst_problem(&self) -> usize {
        self.errors
            .iter()
            .enumerate()
            .fold(
                (0, -1.0),
                |(bi, be), (i, &e)| if e > be { (i, e) } else { (bi, be) },
            )
            .0
    }

    /// The worst coefficient and its pool.
    pub fn worst(&self) -> CoefficientId {
        self.source.layout().coefficient(self.worst_problem())
    }
}
