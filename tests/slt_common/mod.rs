//! Helpers shared by the slt integration tests that drive a `PruneRun` by
//! hand, as the page's coordinator does.
#![allow(dead_code)]

use eslt::slt::subset_sum::{BatchSolver, CpuSolver};
use eslt::slt::SolveBatch;

/// The exact solver's subset for every problem of `batch`: what
/// `PruneRun::submit` takes back.
pub fn solved_subsets(solver: &CpuSolver, batch: &SolveBatch) -> eslt::Result<Vec<u32>> {
    let sols = solver.solve_batch(&batch.problems, &|_| {}, &|| false)?;
    Ok(sols.iter().map(|s| s.subset).collect())
}
