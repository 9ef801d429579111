//! Where a subset-sum problem sits: the one place that maps a layer's
//! problem index to (out field o, in field i, basis element k, pool) and back,
//! and that knows the layouts of α, v and u.
//!
//! A layer with P = c_out·c_in·K coefficients has P problems per live pool,
//! numbered pool by pool: problem p < P is α\[o,i,k]'s positive pool, problem
//! P + p its negative pool. Within a pool, p follows α's `[o][i][k]` order.

use serde::Serialize;

/// Which pool of intermediate fields: v > 0 (reads σ(x)) or v < 0 (σ(−x)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pool {
    Positive,
    Negative,
}

impl Pool {
    /// First j of the pool among the 2n intermediate fields of an input field.
    pub fn offset(self, n: usize) -> usize {
        match self {
            Pool::Positive => 0,
            Pool::Negative => n,
        }
    }

    /// The pool's target for coefficient α: α for σ(x), −α for σ(−x)
    /// (x = σ(x) − σ(−x)).
    pub fn target(self, alpha: f64) -> f64 {
        match self {
            Pool::Positive => alpha,
            Pool::Negative => -alpha,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Pool::Positive => "positive",
            Pool::Negative => "negative",
        }
    }
}

/// Shape of one layer's coefficient array α `[c_out][c_in][k]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoefficientLayout {
    pub c_out: usize,
    pub c_in: usize,
    /// Basis elements.
    pub k: usize,
}

/// One coefficient of a layer, in one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CoefficientId {
    pub out_field: usize,
    pub in_field: usize,
    pub basis_element: usize,
    pub pool: Pool,
}

impl CoefficientLayout {
    /// The layout of `layer`'s α.
    pub fn of(layer: &impl crate::slt::target::LinearLayer) -> Self {
        Self {
            c_out: layer.c_out(),
            c_in: layer.c_in(),
            k: layer.basis_len(),
        }
    }

    /// Coefficients α (= problems per pool).
    pub fn len(&self) -> usize {
        self.c_out * self.c_in * self.k
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of α\[o,i,k].
    pub fn alpha_index(&self, o: usize, i: usize, k: usize) -> usize {
        (o * self.c_in + i) * self.k + k
    }

    /// The coefficient solved by problem `p` (< 2·len()).
    pub fn coefficient(&self, p: usize) -> CoefficientId {
        let per_pool = self.len().max(1);
        let pool = if p < per_pool {
            Pool::Positive
        } else {
            Pool::Negative
        };
        let q = p % per_pool;
        CoefficientId {
            out_field: q / (self.k * self.c_in),
            in_field: (q / self.k) % self.c_in,
            basis_element: q % self.k,
            pool,
        }
    }

    /// The problem that solves `id` (inverse of [`Self::coefficient`]).
    pub fn problem(&self, id: CoefficientId) -> usize {
        let q = self.alpha_index(id.out_field, id.in_field, id.basis_element);
        match id.pool {
            Pool::Positive => q,
            Pool::Negative => self.len() + q,
        }
    }
}

/// Index of `v[i][j]` among a source layer's `c_in · 2n` layer-A weights.
pub fn v_index(n: usize, i: usize, j: usize) -> usize {
    i * 2 * n + j
}

/// Index of `u[o][i][j][k]` among a source layer's `c_out · c_in · 2n · K`
/// layer-B weights.
pub fn u_index(
    layout: CoefficientLayout,
    n: usize,
    o: usize,
    i: usize,
    j: usize,
    k: usize,
) -> usize {
    ((o * layout.c_in + i) * 2 * n + j) * layout.k + k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_and_coefficient_are_inverse() {
        let l = CoefficientLayout {
            c_out: 3,
            c_in: 2,
            k: 5,
        };
        for p in 0..2 * l.len() {
            let id = l.coefficient(p);
            assert_eq!(l.problem(id), p);
            assert_eq!(id.pool == Pool::Negative, p >= l.len());
            assert!(id.out_field < 3 && id.in_field < 2 && id.basis_element < 5);
        }
    }
}
