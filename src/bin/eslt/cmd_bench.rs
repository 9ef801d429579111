//! `eslt bench subset-sum`: throughput and accuracy of the exact solver;
//! `eslt bench forward`: throughput of the forward pass (in `forward.rs`).
//!
//! Random mode (default): problem i has candidates c_j = u·v with u, v ~
//! Uniform(−1, 1) (the construction's products) and a target t ~
//! Uniform(−1, 1), all drawn from `ChaCha8Rng::seed_from_u64(seed)` in this
//! order: problem by problem, the n pairs (u, v), then t.
//! Instance mode: `--instances FILE.json` with
//! {"candidates": [[f64, …], …], "targets": [f64, …]}; the output then lists
//! each problem's chosen indices.
//!
//! `masks_fnv1a` (both modes): FNV-1a (64-bit) over the chosen subsets as
//! little-endian u32 bitmasks, in problem order — what `mitm_reference.c`
//! prints and `tests/web_subset_sum.rs` recomputes in wasm.
//!
//! Timing covers the solver only (not generation or parsing).
//! `seconds_per_problem` = wall time / count with all threads;
//! `seconds_per_problem_per_core` = wall time × threads / count (equals the
//! single-thread time when run with `--threads 1`);
//! `cpu_seconds_per_problem` = the process's CPU time over the solve / count
//! (steadier than wall time on a machine shared with other work).

use std::path::PathBuf;
use std::time::Instant;

use crate::backend::Backend;
use eslt::slt::subset_sum::{
    masks_fnv1a, parse_instances, random_instances, BatchSolver, CpuSolver, ProblemBatch, Solution,
    MAX_N,
};
use eslt::{Error, Result};

mod forward;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: Bench,
}

#[derive(clap::Subcommand)]
pub enum Bench {
    /// Exact subset sum: time per problem, errors, subset sizes.
    SubsetSum(SubsetSumArgs),
    /// Forward pass of a model: images/s, time per batch, GFLOP/s.
    Forward(forward::ForwardArgs),
}

#[derive(clap::Args)]
#[command(after_help = "Examples:
  eslt bench subset-sum --n 24 --count 10000 --threads 1
  eslt bench subset-sum --instances problems.json --json")]
pub struct SubsetSumArgs {
    /// Candidates per random problem (0..=32).
    #[arg(long, default_value_t = 24, conflicts_with = "instances")]
    pub n: usize,
    /// Number of random problems.
    #[arg(long, default_value_t = 10_000, conflicts_with = "instances")]
    pub count: usize,
    /// Seed of the random problems.
    #[arg(long, default_value_t = 1, conflicts_with = "instances")]
    pub seed: u64,
    /// Solve the problems of this JSON file instead of random ones.
    #[arg(long)]
    pub instances: Option<PathBuf>,
    /// Where the problems are solved (gpu falls back to cpu, with one
    /// warning line, without an adapter).
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// CPU threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<()> {
    match args.what {
        Bench::SubsetSum(a) => subset_sum(a),
        Bench::Forward(a) => forward::run(a),
    }
}

fn load_instances(path: &PathBuf) -> Result<ProblemBatch> {
    let bad = |why: String| Error::InvalidArgument(format!("instances {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    parse_instances(&text).map_err(|e| match e {
        Error::InvalidArgument(why) => bad(why),
        e => bad(e.to_string()),
    })
}

fn subset_sum(a: SubsetSumArgs) -> Result<()> {
    let batch = match &a.instances {
        Some(path) => load_instances(path)?,
        None => {
            if a.n > MAX_N {
                return Err(Error::InvalidArgument(format!(
                    "--n {} out of range (0..={MAX_N})",
                    a.n
                )));
            }
            if a.count == 0 {
                return Err(Error::InvalidArgument("--count must be at least 1".into()));
            }
            random_instances(a.n, a.count, a.seed)?
        }
    };
    if batch.is_empty() {
        return Err(Error::InvalidArgument("no problems to solve".into()));
    }
    // Arguments are checked before the (slow) GPU set-up.
    let cpu = match a.threads {
        Some(k) => CpuSolver::with_threads(k)?,
        None => CpuSolver::new(),
    };
    // --backend gpu: the GPU solver, or the CPU one if there is no adapter.
    let gpu = match a.backend {
        Backend::Cpu => None,
        Backend::Gpu => crate::backend::gpu_solver(),
    };
    // The GPU solver drives the device from one host thread.
    let (solver, threads): (&dyn BatchSolver, usize) = match &gpu {
        Some(g) => (g, 1),
        None => (&cpu, cpu.threads()),
    };
    let count = batch.len();

    let bar = if a.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(count as u64)
    };
    let start = Instant::now();
    let cpu_start = process_cpu_seconds();
    let sols = solver.solve_batch(&batch, &|d| bar.set_position(d as u64), &|| false)?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = cpu_start.zip(process_cpu_seconds()).map(|(a, b)| b - a);
    bar.finish_and_clear();
    let gpu_fallbacks = gpu.as_ref().map(|g| g.fallbacks());

    let report = Report::new(&sols, seconds);
    if a.json {
        let mut obj = serde_json::json!({
            "n": batch.n(),
            "count": count,
            "backend": solver.name(),
            "threads": threads,
            "seconds": seconds,
            "seconds_per_problem": report.per_problem,
            "seconds_per_problem_per_core": report.per_problem * threads as f64,
            "per_core_note": "wall time x threads / count",
            "cpu_seconds_per_problem": cpu_seconds.map(|c| c / count as f64),
            "problems_per_second": count as f64 / seconds,
            "mean_error": report.mean_error,
            "max_error": report.max_error,
            "mean_subset_size": report.mean_size,
            "masks_fnv1a": format!("{:016x}", masks_fnv1a(sols.iter().map(|s| s.subset))),
        });
        match &a.instances {
            Some(path) => {
                obj["instances"] = path.display().to_string().into();
                obj["solutions"] = sols
                    .iter()
                    .map(Solution::indices)
                    .collect::<Vec<_>>()
                    .into();
            }
            None => {
                obj["seed"] = a.seed.into();
                obj["candidates"] = "u*v, u,v ~ U(-1,1); targets ~ U(-1,1); ChaCha8".into();
            }
        }
        if let Some(f) = gpu_fallbacks {
            obj["gpu_fallbacks"] = f.into();
        }
        println!("{obj}");
    } else {
        println!(
            "subset sum, exact meet-in-the-middle: n = {}, {count} problems, backend {}, {threads} thread(s)",
            batch.n(),
            solver.name()
        );
        println!(
            "  time per problem: {} wall ({} per core = wall x threads), {:.0} problems/s",
            fmt_secs(report.per_problem),
            fmt_secs(report.per_problem * threads as f64),
            count as f64 / seconds
        );
        if let Some(c) = cpu_seconds {
            println!("  CPU time per problem: {}", fmt_secs(c / count as f64));
        }
        println!(
            "  error: mean {:.3e}, max {:.3e}; mean subset size {:.2}",
            report.mean_error, report.max_error, report.mean_size
        );
        if let Some(f) = gpu_fallbacks {
            println!(
                "  gpu: {f} problem(s) fell back to the CPU solver (candidate window overflow)"
            );
        }
    }
    Ok(())
}

/// CPU time of the whole process (all threads), in seconds, where the OS
/// provides it.
fn process_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
        ok.then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

struct Report {
    per_problem: f64,
    mean_error: f64,
    max_error: f64,
    mean_size: f64,
}

impl Report {
    fn new(sols: &[Solution], seconds: f64) -> Self {
        let count = sols.len().max(1) as f64;
        Self {
            per_problem: seconds / count,
            mean_error: sols.iter().map(|s| s.error).sum::<f64>() / count,
            max_error: sols.iter().map(|s| s.error).fold(0.0, f64::max),
            mean_size: sols.iter().map(|s| f64::from(s.size())).sum::<f64>() / count,
        }
    }
}

fn fmt_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}
