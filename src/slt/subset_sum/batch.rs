//! Solving many problems: the backend-neutral trait and the CPU solver.

use std::cell::RefCell;

use super::mitm::{solve_valid, Scratch};
use super::problem::{ProblemBatch, Solution};
use crate::threads::Threads;
use crate::{Error, Result};

/// A solver for batches of problems. The CPU solver below and the GPU
/// solver implement it; the pruning code only sees this trait.
pub trait BatchSolver: Sync {
    /// Solves every problem of `batch`, in order. Calls `progress(done)`
    /// about every 1% of the batch (on the calling thread) and stops with
    /// [`Error::Cancelled`] as soon as `cancel()` returns true between two
    /// such steps.
    fn solve_batch(
        &self,
        batch: &ProblemBatch,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Vec<Solution>>;

    /// Short name for reports ("cpu", "gpu").
    fn name(&self) -> &str;
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

fn solve_one(batch: &ProblemBatch, i: usize) -> Solution {
    let p = batch.problem(i);
    SCRATCH.with(|s| solve_valid(p.candidates, p.target, &mut s.borrow_mut()))
}

/// Exact meet-in-the-middle on the CPU: parallel over problems with rayon on
/// native targets (the global pool, or a private one of `threads` threads),
/// sequential in wasm (one Web Worker per slice of problems gives the
/// parallelism there).
#[derive(Default)]
pub struct CpuSolver {
    threads: Threads,
}

impl CpuSolver {
    /// Uses rayon's global pool (all cores) on native targets.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses exactly `threads` threads (native; ignored in wasm, which is
    /// single-threaded).
    pub fn with_threads(threads: usize) -> Result<Self> {
        Ok(Self {
            threads: Threads::exactly(threads)?,
        })
    }

    /// Threads this solver runs on.
    pub fn threads(&self) -> usize {
        self.threads.count()
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn solve_range(&self, batch: &ProblemBatch, start: usize, out: &mut [Solution]) {
        use rayon::prelude::*;
        let fill = |out: &mut [Solution]| {
            out.par_iter_mut()
                .enumerate()
                .for_each(|(k, s)| *s = solve_one(batch, start + k));
        };
        self.threads.install(|| fill(out));
    }

    #[cfg(target_arch = "wasm32")]
    fn solve_range(&self, batch: &ProblemBatch, start: usize, out: &mut [Solution]) {
        for (k, s) in out.iter_mut().enumerate() {
            *s = solve_one(batch, start + k);
        }
    }
}

impl BatchSolver for CpuSolver {
    fn solve_batch(
        &self,
        batch: &ProblemBatch,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Vec<Solution>> {
        let count = batch.len();
        let mut out = vec![Solution::default(); count];
        // ~1% steps: callbacks run here, between parallel chunks.
        let step = count.div_ceil(100).max(1);
        let mut done = 0;
        while done < count {
            if cancel() {
                return Err(Error::Cancelled);
            }
            let end = (done + step).min(count);
            self.solve_range(batch, done, &mut out[done..end]);
            done = end;
            progress(done);
        }
        Ok(out)
    }

    fn name(&self) -> &str {
        "cpu"
    }
}
