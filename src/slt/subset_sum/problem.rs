//! Subset-sum problems, batches of them, and their solutions.

use crate::{Error, Result};

/// Largest number of candidates per problem (subsets are `u32` bitmasks).
pub const MAX_N: usize = 32;

/// Largest accepted |candidate| and |target|. Keeps every sum of up to 32
/// candidates (and the ±∞ sentinels of the solver) far from overflow.
pub const MAX_ABS: f64 = 1e150;

/// One problem: choose S ⊆ {0..n} minimising |Σ_{j∈S} c_j − t|.
#[derive(Clone, Copy, Debug)]
pub struct Problem<'a> {
    pub candidates: &'a [f64],
    pub target: f64,
}

impl Problem<'_> {
    /// Checks n ≤ [`MAX_N`] and that every value is finite and ≤ [`MAX_ABS`].
    pub fn validate(&self) -> Result<()> {
        if self.candidates.len() > MAX_N {
            return Err(Error::InvalidArgument(format!(
                "subset sum: {} candidates, at most {MAX_N} supported",
                self.candidates.len()
            )));
        }
        check_value("target", self.target)?;
        for &c in self.candidates {
            check_value("candidate", c)?;
        }
        Ok(())
    }
}

fn check_value(what: &str, x: f64) -> Result<()> {
    if x.is_finite() && x.abs() <= MAX_ABS {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "subset sum: {what} {x} is not finite or exceeds {MAX_ABS:e} in magnitude"
        )))
    }
}

/// `count` problems of the same size `n`, stored flat: problem i's candidates
/// are `candidates[i*n .. (i+1)*n]`, its target `targets[i]`. One contiguous
/// allocation for the whole batch (cheap to build, to send to a worker or
/// to upload to a GPU buffer). Validated on construction, so solvers can
/// trust it.
#[derive(Clone, Debug, Default)]
pub struct ProblemBatch {
    n: usize,
    candidates: Vec<f64>,
    targets: Vec<f64>,
}

impl ProblemBatch {
    /// Builds a batch; errors if n > 32, if `candidates.len() != n *
    /// targets.len()`, or on a non-finite / too large value.
    pub fn new(n: usize, candidates: Vec<f64>, targets: Vec<f64>) -> Result<Self> {
        if n > MAX_N {
            return Err(Error::InvalidArgument(format!(
                "subset sum: n = {n}, at most {MAX_N} supported"
            )));
        }
        if candidates.len() != n * targets.len() {
            return Err(Error::InvalidArgument(format!(
                "subset sum: {} candidates for {} targets of n = {n}",
                candidates.len(),
                targets.len()
            )));
        }
        for &c in &candidates {
            check_value("candidate", c)?;
        }
        for &t in &targets {
            check_value("target", t)?;
        }
        Ok(Self {
            n,
            candidates,
            targets,
        })
    }

    /// Candidates per problem.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// All candidates, problem after problem (`len() * n()` values).
    pub fn candidates(&self) -> &[f64] {
        &self.candidates
    }

    pub fn targets(&self) -> &[f64] {
        &self.targets
    }

    /// Problem `i` (i < len()).
    pub fn problem(&self, i: usize) -> Problem<'_> {
        Problem {
            candidates: &self.candidates[i * self.n..(i + 1) * self.n],
            target: self.targets[i],
        }
    }

    /// The solutions of the first `subsets.len()` problems for the chosen
    /// `subsets`, their sums and errors evaluated in the canonical order
    /// ([`super::evaluate()`]): the one place a chosen subset becomes a sum.
    pub fn solutions(&self, subsets: &[u32]) -> Vec<Solution> {
        subsets
            .iter()
            .enumerate()
            .map(|(i, &subset)| {
                let p = self.problem(i);
                let (sum, error) = super::evaluate(p.candidates, p.target, subset);
                Solution { subset, sum, error }
            })
            .collect()
    }
}

/// The chosen subset of one problem.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Solution {
    /// Bit j set ⇔ candidate j kept.
    pub subset: u32,
    /// The subset's sum, evaluated as in [`crate::slt::subset_sum::evaluate()`].
    pub sum: f64,
    /// |sum − target| as evaluated there.
    pub error: f64,
}

impl Solution {
    /// Number of kept candidates.
    pub fn size(&self) -> u32 {
        self.subset.count_ones()
    }

    /// Indices of the kept candidates, ascending.
    pub fn indices(&self) -> Vec<usize> {
        (0..32).filter(|j| self.subset >> j & 1 == 1).collect()
    }
}
