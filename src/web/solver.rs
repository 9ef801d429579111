//! Subset-sum solving for the page's solver workers: the exact CPU solver
//! and the WebGPU one, both returning only the chosen subsets (the run
//! re-evaluates sums and errors itself).

use std::rc::Rc;

use js_sys::{Promise, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::gpu::GpuSolver;
use crate::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch};
use crate::Error;

fn batch(n: usize, candidates: &[f64], targets: &[f64]) -> Result<ProblemBatch, Error> {
    ProblemBatch::new(n, candidates.to_vec(), targets.to_vec())
}

/// Solves `targets.length` problems of `n` candidates each exactly
/// (meet-in-the-middle); the subsets as bitmasks.
#[wasm_bindgen(js_name = solveSubsetSum)]
pub fn solve_subset_sum(
    n: usize,
    candidates: &[f64],
    targets: &[f64],
) -> Result<Uint32Array, JsError> {
    let b = batch(n, candidates, targets)?;
    let sols = CpuSolver::new().solve_batch(&b, &|_| {}, &|| false)?;
    let subsets: Vec<u32> = sols.iter().map(|s| s.subset).collect();
    Ok(Uint32Array::from(subsets.as_slice()))
}

/// The WebGPU subset-sum solver (same answers as `solveSubsetSum`).
#[wasm_bindgen]
pub struct WebGpuSubsetSum {
    solver: Rc<GpuSolver>,
}

#[wasm_bindgen]
impl WebGpuSubsetSum {
    /// Opens a WebGPU adapter and device; rejects with the reason when there
    /// is none.
    pub async fn create() -> Result<WebGpuSubsetSum, JsError> {
        let solver = GpuSolver::request().await?;
        Ok(WebGpuSubsetSum {
            solver: Rc::new(solver),
        })
    }

    /// Adapter and backend in use.
    pub fn describe(&self) -> String {
        self.solver.context().describe()
    }

    /// Solves like `solveSubsetSum`, on the GPU: a promise of the subsets.
    pub fn solve(&self, n: usize, candidates: &[f64], targets: &[f64]) -> Result<Promise, JsError> {
        let b = batch(n, candidates, targets)?;
        let solver = self.solver.clone();
        Ok(future_to_promise(async move {
            let (sols, _) = solver
                .solve_batch_async(&b, &|_| {}, &|| false)
                .await
                .map_err(|e| JsValue::from(JsError::new(&e.to_string())))?;
            let subsets: Vec<u32> = sols.iter().map(|s| s.subset).collect();
            Ok(Uint32Array::from(subsets.as_slice()).into())
        }))
    }
}
