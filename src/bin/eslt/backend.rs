//! `--backend cpu|gpu` → a subset-sum solver.

use eslt::gpu::GpuSolver;
use eslt::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch, Solution};
use eslt::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Cpu,
    Gpu,
}

/// The solver for `backend`; `threads` = None uses every core (CPU solver,
/// and the CPU fallback of the GPU one).
pub fn solver(backend: Backend, threads: Option<usize>) -> Result<Box<dyn BatchSolver>> {
    let cpu = || -> Result<CpuSolver> {
        Ok(match threads {
            Some(t) => CpuSolver::with_threads(t)?,
            None => CpuSolver::new(),
        })
    };
    match backend {
        Backend::Cpu => Ok(Box::new(cpu()?)),
        Backend::Gpu => match gpu_solver() {
            Some(g) => Ok(Box::new(Reporting(g))),
            None => Ok(Box::new(cpu()?)),
        },
    }
}

/// The GPU solver, or None after one line on stderr saying why and that
/// the CPU solver takes over.
pub fn gpu_solver() -> Option<GpuSolver> {
    match GpuSolver::new() {
        Ok(g) => {
            eprintln!("eslt: subset sum on the GPU: {}", g.context().describe());
            Some(g)
        }
        Err(Error::Gpu(why)) => {
            eprintln!("eslt: {why}: falling back to the CPU solver");
            None
        }
        Err(e) => {
            eprintln!("eslt: GPU unavailable ({e}): falling back to the CPU solver");
            None
        }
    }
}

/// The GPU solver, telling stderr when problems went to its CPU fallback.
struct Reporting(GpuSolver);

impl BatchSolver for Reporting {
    fn solve_batch(
        &self,
        batch: &ProblemBatch,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Vec<Solution>> {
        let (sols, stats) = pollster::block_on(self.0.solve_batch_async(batch, progress, cancel))?;
        if stats.fallbacks > 0 {
            eprintln!(
                "eslt: gpu: {} of {} problems had too many near-optimal subsets and were solved on the CPU",
                stats.fallbacks,
                batch.len()
            );
        }
        Ok(sols)
    }

    fn name(&self) -> &str {
        self.0.name()
    }
}
