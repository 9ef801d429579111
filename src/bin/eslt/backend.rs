//! `--backend cpu|gpu` → a subset-sum solver, or a forward pass.
//!
//! `gpu` falls back to the CPU with one line on stderr: when there is no
//! adapter, and — for the forward pass — when the device is lost or runs
//! out of memory in the middle of a command (the interrupted call is
//! redone on the CPU, so the command's result is the CPU's).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use eslt::gpu::{GpuForward, GpuSolver};
use eslt::nn::{CpuForward, CpuPrepared, ForwardBackend, Network, PreparedForward};
use eslt::slt::subset_sum::{BatchSolver, CpuSolver, ProblemBatch, Solution};
use eslt::{Error, Result};
use ndarray::{Array4, ArrayView4};

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

/// The forward pass for `backend` (see [`forward_backend_on`]).
pub fn forward_backend(
    backend: Backend,
    threads: Option<usize>,
) -> Result<Box<dyn ForwardBackend>> {
    Ok(forward_backend_on(backend, threads)?.0)
}

/// The forward pass for `backend`, and the GPU adapter it runs on (None on
/// the CPU). `threads` = None uses every core (the CPU forward, and the
/// GPU's CPU fallback).
pub fn forward_backend_on(
    backend: Backend,
    threads: Option<usize>,
) -> Result<(Box<dyn ForwardBackend>, Option<String>)> {
    let cpu = match threads {
        Some(k) => CpuForward::with_threads(k)?,
        None => CpuForward::new(),
    };
    if backend == Backend::Cpu {
        return Ok((Box::new(cpu), None));
    }
    match GpuForward::open() {
        Ok(gpu) => {
            let adapter = gpu.context().describe();
            let failed = Arc::new(AtomicBool::new(false));
            Ok((Box::new(GpuOrCpu { gpu, cpu, failed }), Some(adapter)))
        }
        Err(e) => {
            let why = match e {
                Error::Gpu(why) => why,
                e => format!("GPU unavailable ({e})"),
            };
            eprintln!("eslt: {why}: running the forward pass on the CPU");
            Ok((Box::new(cpu), None))
        }
    }
}

/// The GPU forward, with the CPU's taking over for good after the first
/// GPU failure (reported once).
struct GpuOrCpu {
    gpu: GpuForward,
    cpu: CpuForward,
    failed: Arc<AtomicBool>,
}

/// Reports a GPU failure unless one was reported already.
fn give_up(failed: &AtomicBool, why: &str) {
    if !failed.swap(true, Ordering::Relaxed) {
        eprintln!("eslt: gpu: {why}: finishing the forward pass on the CPU");
    }
}

impl ForwardBackend for GpuOrCpu {
    fn name(&self) -> &str {
        "gpu"
    }

    fn prepare(&self, net: &Network) -> Result<Box<dyn PreparedForward>> {
        if !self.failed.load(Ordering::Relaxed) {
            match self.gpu.prepare(net) {
                Ok(gpu) => {
                    return Ok(Box::new(Fallback {
                        gpu: Some(gpu),
                        net: net.clone(),
                        cpu: self.cpu.clone(),
                        on_cpu: None,
                        failed: self.failed.clone(),
                    }))
                }
                Err(Error::Gpu(why)) => give_up(&self.failed, &why),
                Err(e) => return Err(e),
            }
        }
        self.cpu.prepare(net)
    }
}

/// A network prepared on the GPU that re-prepares itself on the CPU when
/// the GPU fails, and redoes the failed call there.
struct Fallback {
    gpu: Option<Box<dyn PreparedForward>>,
    net: Network,
    cpu: CpuForward,
    on_cpu: Option<CpuPrepared>,
    failed: Arc<AtomicBool>,
}

impl PreparedForward for Fallback {
    fn backend(&self) -> &str {
        if self.gpu.is_some() {
            "gpu"
        } else {
            "cpu"
        }
    }

    fn output(&mut self, x: ArrayView4<f32>) -> Result<Array4<f32>> {
        if self.failed.load(Ordering::Relaxed) {
            self.gpu = None;
        }
        if let Some(gpu) = &mut self.gpu {
            match gpu.output(x) {
                Ok(y) => return Ok(y),
                Err(Error::Gpu(why)) => give_up(&self.failed, &why),
                Err(e) => return Err(e),
            }
            self.gpu = None;
        }
        let cpu = match &mut self.on_cpu {
            Some(p) => p,
            slot => slot.insert(self.cpu.prepare_cpu(&self.net)?),
        };
        cpu.output(x)
    }
}

/// `--threads` for the commands whose work runs on rayon's global pool
/// (training, graph evaluation): sizes that pool once, before any work.
/// None leaves rayon's default (RAYON_NUM_THREADS, else every core).
pub fn global_threads(threads: Option<usize>) -> Result<()> {
    let Some(t) = threads else { return Ok(()) };
    if t == 0 {
        return Err(Error::InvalidArgument(
            "--threads must be at least 1".into(),
        ));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(t)
        .build_global()
        .map_err(|e| Error::InvalidArgument(format!("--threads: {e}")))
}
