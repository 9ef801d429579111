//! Pruning one layer: one subset-sum problem per (o, i, k, pool).

use crate::nn::EquivariantLayer;
use crate::slt::mask::LayerMask;
use crate::slt::source::SourceLayer;
use crate::slt::subset_sum::{BatchSolver, ProblemBatch, Solution};
use crate::Result;

/// Which pool of intermediate fields: v > 0 (reads σ(x)) or v < 0 (σ(−x)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Positive,
    Negative,
}

impl Pool {
    /// First j of the pool among the 2n intermediate fields.
    fn offset(self, n: usize) -> usize {
        match self {
            Pool::Positive => 0,
            Pool::Negative => n,
        }
    }
}

/// The problems of one pool, in α's order [o][i][k]: candidates
/// u[o,(i,j),k]·|v[i,j]| (exact in f64: a product of two f32), target α for
/// the positive pool and −α for the negative one (x = σ(x) − σ(−x)).
pub fn pool_problems(src: &SourceLayer, alpha: &[f32], pool: Pool) -> Result<ProblemBatch> {
    let (n, j0) = (src.n, pool.offset(src.n));
    let count = src.c_out * src.c_in * src.k;
    let mut candidates = Vec::with_capacity(count * n);
    let mut targets = Vec::with_capacity(count);
    for o in 0..src.c_out {
        for i in 0..src.c_in {
            for kk in 0..src.k {
                for j in j0..j0 + n {
                    let v = f64::from(src.v[i * 2 * n + j]).abs();
                    candidates.push(f64::from(src.u[src.u_index(o, i, j, kk)]) * v);
                }
                let a = f64::from(alpha[(o * src.c_in + i) * src.k + kk]);
                targets.push(match pool {
                    Pool::Positive => a,
                    Pool::Negative => -a,
                });
            }
        }
    }
    ProblemBatch::new(n, candidates, targets)
}

/// Marks the chosen u and the v they read in `mask`.
pub fn mark(src: &SourceLayer, pool: Pool, solutions: &[Solution], mask: &mut LayerMask) {
    let (n, j0) = (src.n, pool.offset(src.n));
    for (p, s) in solutions.iter().enumerate() {
        let kk = p % src.k;
        let i = (p / src.k) % src.c_in;
        let o = p / (src.k * src.c_in);
        for j in 0..n {
            if s.subset >> j & 1 == 1 {
                mask.u_keep[src.u_index(o, i, j0 + j, kk)] = true;
                mask.v_keep[i * 2 * n + j0 + j] = true;
            }
        }
    }
}

/// A pruned layer: the mask and the collapsed coefficients
/// β[o,i,k] = Σ_{j∈S} u·|v| of each live pool.
#[derive(Clone, Debug)]
pub struct PrunedLayer {
    pub source: SourceLayer,
    pub mask: LayerMask,
    pub beta_pos: Vec<f32>,
    /// `None` when the layer's input is non-negative (dead negative pool).
    pub beta_neg: Option<Vec<f32>>,
    /// |achieved − target| per problem, positive pool then negative pool.
    pub errors: Vec<f64>,
}

impl PrunedLayer {
    pub fn max_error(&self) -> f64 {
        self.errors.iter().fold(0.0, |m, &e| m.max(e))
    }

    pub fn mean_error(&self) -> f64 {
        self.errors.iter().sum::<f64>() / self.errors.len().max(1) as f64
    }

    /// Index (o, i, k) and pool of the worst coefficient.
    pub fn worst(&self) -> (usize, usize, usize, Pool) {
        let (p, _) =
            self.errors.iter().enumerate().fold(
                (0, -1.0),
                |(bi, be), (i, &e)| if e > be { (i, e) } else { (bi, be) },
            );
        let per_pool = self.beta_pos.len();
        let pool = if p < per_pool {
            Pool::Positive
        } else {
            Pool::Negative
        };
        let q = p % per_pool.max(1);
        let s = &self.source;
        (q / (s.k * s.c_in), (q / s.k) % s.c_in, q % s.k, pool)
    }
}

/// Solves every live pool of one layer against the rebalanced α.
pub fn prune_layer(
    target: &EquivariantLayer,
    source: SourceLayer,
    negative_live: bool,
    solver: &dyn BatchSolver,
    progress: &dyn Fn(usize, usize),
    cancel: &dyn Fn() -> bool,
) -> Result<PrunedLayer> {
    let mut mask = LayerMask::new(source.v.len(), source.u.len());
    let per_pool = target.coef.len();
    let total = if negative_live {
        2 * per_pool
    } else {
        per_pool
    };
    let mut errors = Vec::with_capacity(total);
    let mut solve = |pool: Pool, before: usize| -> Result<Vec<f32>> {
        let batch = pool_problems(&source, &target.coef, pool)?;
        let sols = solver.solve_batch(&batch, &|done| progress(before + done, total), cancel)?;
        mark(&source, pool, &sols, &mut mask);
        errors.extend(sols.iter().map(|s| s.error));
        Ok(sols.iter().map(|s| s.sum as f32).collect())
    };
    let beta_pos = solve(Pool::Positive, 0)?;
    let beta_neg = if negative_live {
        Some(solve(Pool::Negative, per_pool)?)
    } else {
        None
    };
    Ok(PrunedLayer {
        source,
        mask,
        beta_pos,
        beta_neg,
        errors,
    })
}
