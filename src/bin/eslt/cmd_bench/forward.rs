//! `eslt bench forward`: throughput of the forward pass of a model file.
//!
//! Inputs are fixed synthetic 28×28 images (the forward's cost does not
//! depend on the pixels). The network is prepared once (kernels expanded),
//! then `--warmup` batches run untimed, then batches are timed one by one
//! until at least `--repeat` batches and `--min-seconds` of work are done.
//! `seconds_per_batch` is the median batch (robust on a shared machine);
//! `gflops` counts 2 FLOP per multiply-accumulate of the convolutions in
//! their direct form (3×3 layers run as Winograd F(2×2, 3×3) do fewer).
//! `backend` is where the batches ran ("cpu" when `--backend gpu` found no
//! adapter or the device failed), `adapter` the GPU's name (else null).

use std::path::PathBuf;
use std::time::Instant;

use eslt::nn::{CpuForward, Model};
use eslt::{Error, Result};
use ndarray::Array4;

// cmd_bench re-exports it from here.
use crate::backend::{forward_backend_on, Backend};

#[derive(clap::Args)]
#[command(after_help = "Example:
  eslt bench forward --model www/models/rotmnist-c8.json --batch 256 --threads 1")]
pub struct ForwardArgs {
    /// Image model file (e.g. www/models/rotmnist-c8.json); graph models
    /// are refused.
    #[arg(long)]
    pub model: PathBuf,
    /// Images per batch.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// CPU threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// cpu or gpu (without a GPU adapter the CPU, with a warning).
    #[arg(long, value_enum, default_value = "cpu")]
    pub backend: Backend,
    /// Timed batches, at least.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Timed work, at least (seconds).
    #[arg(long, default_value_t = 1.0)]
    pub min_seconds: f64,
    /// Untimed batches first.
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Deterministic images in [0, 1): `[b, c, h, w]`.
fn synthetic_images(b: usize, (c, h, w): (usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn((b, c, h, w), |(n, ch, y, x)| {
        ((n * 131 + ch * 71 + y * 29 + x * 7) % 97) as f32 / 97.0
    })
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

pub fn run(a: ForwardArgs) -> Result<()> {
    if a.batch == 0 {
        return Err(Error::InvalidArgument("--batch must be at least 1".into()));
    }
    if a.repeat == 0 {
        return Err(Error::InvalidArgument("--repeat must be at least 1".into()));
    }
    if !(a.min_seconds.is_finite() && a.min_seconds >= 0.0) {
        return Err(Error::InvalidArgument(
            "--min-seconds must be a finite number ≥ 0".into(),
        ));
    }
    let (net, meta) = Model::load(&a.model)?.into_image("eslt bench forward")?;
    let (backend, adapter) = forward_backend_on(a.backend, a.threads)?;
    let mut prepared = backend.prepare(&net)?;
    // The CPU plan defines the figures (MACs, and tile and threads when the
    // CPU runs the batches).
    let cpu = match a.threads {
        Some(k) => CpuForward::with_threads(k)?,
        None => CpuForward::new(),
    };
    let cpu_plan = cpu.prepare_cpu(&net)?;
    let macs = cpu_plan.macs_per_image();
    let x = synthetic_images(a.batch, net.input_shape);

    for _ in 0..a.warmup {
        prepared.output(x.view())?;
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < a.repeat || start.elapsed().as_secs_f64() < a.min_seconds {
        let t = Instant::now();
        let y = prepared.output(x.view())?;
        times.push(t.elapsed().as_secs_f64());
        std::hint::black_box(y);
    }
    let per_batch = median(&times);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    let images_per_second = a.batch as f64 / per_batch;
    let gflops = 2.0 * macs as f64 * images_per_second / 1e9;
    let ran = prepared.backend().to_string();
    let on_cpu = ran == "cpu";
    let threads = on_cpu.then(|| cpu.threads());
    let adapter = adapter.filter(|_| !on_cpu);
    if a.json {
        let obj = serde_json::json!({
            "model": a.model.display().to_string(),
            "task": meta.task,
            "backend": ran,
            "adapter": adapter,
            "requested_backend": match a.backend { Backend::Cpu => "cpu", Backend::Gpu => "gpu" },
            "threads": threads,
            "batch": a.batch,
            "tile": on_cpu.then(|| cpu_plan.tile()),
            "batches": times.len(),
            "warmup_batches": a.warmup,
            "seconds_per_batch": per_batch,
            "seconds_per_batch_mean": mean,
            "seconds_per_batch_min": best,
            "images_per_second": images_per_second,
            "macs_per_image": macs,
            "gflops": gflops,
            "gflops_note": "2 FLOP per multiply-accumulate of the convolutions in their direct form (Winograd 3×3 layers do fewer), median batch",
        });
        println!("{obj}");
    } else {
        let on = match (&adapter, threads) {
            (Some(name), _) => format!("backend gpu ({name})"),
            (None, Some(t)) => format!("backend cpu, {t} thread(s)"),
            (None, None) => format!("backend {ran}"),
        };
        println!(
            "forward of {} ({}): batch {}, {on}, {} timed batches",
            a.model.display(),
            meta.task,
            a.batch,
            times.len()
        );
        println!(
            "  {:.2} ms per batch (median; mean {:.2}, best {:.2}), {:.0} images/s, {:.1} MMAC per image, {:.1} GFLOP/s",
            per_batch * 1e3,
            mean * 1e3,
            best * 1e3,
            images_per_second,
            macs as f64 / 1e6,
            gflops
        );
    }
    Ok(())
}
