//! `eslt sweep`: two sweeps of one target model.
//!
//! - `--eps 0.1,0.01,0.001` — the scaling law: one ticket per ε, exactly the
//!   one `eslt prune --eps ε --seed S` finds, and the random parameters it
//!   took against the lower bound d·log₂(1/ε), d = the target's basis
//!   coefficients (not its weights). Image and graph models. The library
//!   behind it is [`eslt::slt::scaling`].
//! - `--n 4..24` (the default) — coefficient error and ticket accuracy for
//!   a range of fixed n, no growth: the data of the "error vs n against the
//!   log(1/ε) theory" chart. Image models.

use crate::backend::{forward_backend, solver, Backend};
use crate::interrupt;
use crate::plot;
use eslt::nn::{CpuForward, ForwardBackend, Model};
use eslt::slt::scaling::{self, Curve, ScalingSweep, SweepHooks};
use eslt::slt::{prune_network, EvalSet, Event, PruneConfig, RunHooks, RunOptions, TestRows};
use eslt::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
#[command(after_help = "Examples:
  eslt sweep --model www/models/rotmnist-c8.json --eps 0.1,0.01,0.001 --json
  eslt sweep --model www/models/rotmnist-c8.json --n 4..24 --plot sweep.png")]
pub struct Args {
    /// Target model (an image or a graph model file).
    #[arg(long)]
    pub model: PathBuf,
    /// Sweep ε instead of n: comma-separated values in (0, 1), e.g.
    /// 0.1,0.03,0.01,0.003,0.001. Each point is the ticket `eslt prune
    /// --eps ε --seed S` finds (n from the bound, growth on), with
    /// bound_params = d·log₂(1/ε), d = target_params = the target's basis
    /// coefficients (its free parameters, not its weights).
    #[arg(long, conflicts_with = "n")]
    pub eps: Option<String>,
    /// Range of n, inclusive: `4..24` (the default sweep, images only).
    #[arg(long)]
    pub n: Option<String>,
    /// Seed of the random source network (the same for every point).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the subset-sum problems are solved and the tickets evaluated
    /// (gpu falls back to cpu, with one warning line, without an adapter).
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Test rows to measure accuracy on: rotated t10k digits, or test
    /// graphs of a graph model's task. With --eps, 0 solves only
    /// (accuracies null).
    #[arg(long, default_value_t = 2000)]
    pub test_digits: usize,
    /// Rebalance every layer to max|α| = headroom.
    #[arg(long, default_value_t = 0.5)]
    pub headroom: f32,
    /// Directory of the packed MNIST files (image models).
    #[arg(long, default_value = "target/data")]
    pub data: PathBuf,
    /// Also draw the chart to this PNG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// With --eps and --plot: also draw these sweeps (`--json` outputs of
    /// other models, e.g. www/scaling/*.json) on the same axes.
    #[arg(long, value_name = "JSON", requires = "eps")]
    pub compare: Vec<PathBuf>,
    /// Threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object instead of a table (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<()> {
    // Checked before the sweep runs, not after.
    if let Some(p) = &a.plot {
        plot::check_path(p)?;
    }
    crate::backend::global_threads(a.threads)?;
    match &a.eps {
        Some(eps) => {
            interrupt::install();
            let eps = scaling::parse_eps_list(eps)?;
            interrupt::finish(eps_sweep(&a, &eps))
        }
        None => n_sweep(&a, a.n.as_deref().unwrap_or("4..24")),
    }
}

/// `--eps`: one pruning run per ε.
fn eps_sweep(a: &Args, eps: &[f64]) -> Result<()> {
    let compare = a
        .compare
        .iter()
        .map(|p| -> Result<ScalingSweep> {
            let text = std::fs::read_to_string(p).map_err(|e| Error::Data {
                what: p.display().to_string(),
                why: e.to_string(),
            })?;
            Ok(serde_json::from_str(&text)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let base = PruneConfig {
        seed: a.seed,
        headroom: a.headroom,
        ..PruneConfig::default()
    };
    let model = Model::load(&a.model)?;
    let tests = match a.test_digits {
        0 => None,
        n => Some(TestRows::load(&model, &a.data, Some(n))?),
    };
    let solver = solver(a.backend, a.threads)?;
    let cpu = CpuForward::new();
    let forward: Box<dyn ForwardBackend> = match tests {
        Some(_) => forward_backend(a.backend, a.threads)?,
        None => Box::new(cpu),
    };
    let bar = progress_bar(eps.len());
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64();
    let mut on_event = |index: usize, e: Event| show(&bar, eps, index, &e);
    let sweep = scaling::sweep_model(
        &model,
        &base,
        eps,
        &RunOptions::default(),
        solver.as_ref(),
        forward.as_ref(),
        tests.as_ref(),
        SweepHooks {
            now: &now,
            on_event: &mut on_event,
            cancel: &interrupt::interrupted,
        },
    )?;
    bar.finish_and_clear();
    if let Some(path) = &a.plot {
        plot::scaling_chart(path, &sweep, &compare)?;
    }
    if a.json {
        println!("{}", serde_json::to_string(&sweep)?);
    } else {
        print_table(&sweep);
    }
    Ok(())
}

/// One bar over the points when stderr is a terminal; hidden otherwise.
fn progress_bar(points: usize) -> ProgressBar {
    let bar = ProgressBar::new(points as u64);
    if std::io::stderr().is_terminal() {
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} ε  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Point `index`'s run event on the bar.
fn show(bar: &ProgressBar, eps: &[f64], index: usize, e: &Event) {
    let at = format!("ε = {}", eps[index]);
    match e {
        Event::LayerStart {
            layer, layers, n, ..
        } => bar.set_message(format!("{at}: layer {}/{layers}, n = {n}", layer + 1)),
        Event::LayerGrown { layer, to, .. } => {
            bar.set_message(format!("{at}: layer {} grows to n = {to}", layer + 1))
        }
        Event::Verifying { total } => bar.set_message(format!("{at}: verifying on {total} rows")),
        Event::Done => bar.inc(1),
        _ => {}
    }
}

fn print_table(s: &ScalingSweep) {
    let d = s.points.first().map_or(0, |p| p.target_params);
    println!(
        "{}: d = {d} basis coefficients (the bound's d), {} subset-sum problems per ε, seed {}",
        s.task, s.problems, s.seed
    );
    println!(
        "{:>7} {:>6} {:>14} {:>12} {:>12} {:>12} {:>8} {:>8} {:>9} {:>7} {:>7}",
        "ε",
        "bits",
        "n per layer",
        "source",
        "ticket",
        "bound",
        "src/bnd",
        "tkt/bnd",
        "max err",
        "ticket",
        "s"
    );
    for p in &s.points {
        let n: Vec<String> = p.n_per_layer.iter().map(|n| n.to_string()).collect();
        println!(
            "{:>7} {:>6.2} {:>14} {:>12} {:>12} {:>12.0} {:>8.2} {:>8.2} {:>9.2e} {:>7} {:>7.1}",
            p.eps,
            scaling::bits(p.eps),
            n.join(","),
            p.source_params,
            p.ticket_params,
            p.bound_params,
            p.source_params as f64 / p.bound_params,
            p.ticket_params as f64 / p.bound_params,
            p.max_coef_error,
            p.ticket_accuracy
                .map_or("-".to_string(), |a| format!("{:.2}%", 100.0 * a)),
            p.seconds
        );
    }
    for (name, curve) in [("source", Curve::Source), ("ticket", Curve::Ticket)] {
        if let Some(fit) = s.fit(curve) {
            println!(
                "{name}: {:.0} parameters per bit of precision (least squares over log₂(1/ε)), {:.1} per coefficient",
                fit.slope,
                fit.slope / d.max(1) as f64
            );
        }
    }
}

/// One point of the n sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub n: usize,
    pub max_coef_error: f64,
    pub mean_coef_error: f64,
    /// The ε for which the bound n = log2(P/ε) picks this n: P·2^−n.
    pub bound_eps: f64,
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    pub agreement: f64,
    pub max_logit_error: f64,
    pub ticket_params: usize,
    pub source_params: usize,
    pub seconds: f64,
}

#[derive(Serialize)]
struct Sweep {
    task: String,
    seed: u64,
    problems: usize,
    test_digits: usize,
    points: Vec<SweepPoint>,
}

/// Parses `a..b` (inclusive) with 1 ≤ a ≤ b ≤ 32.
fn parse_range(s: &str) -> Result<(usize, usize)> {
    let bad = || {
        Error::InvalidArgument(format!(
            "--n must look like 4..24 (within 1..32), got '{s}'"
        ))
    };
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a: usize = a.trim().parse().map_err(|_| bad())?;
    let b: usize = b
        .trim()
        .trim_start_matches('=')
        .parse()
        .map_err(|_| bad())?;
    if a == 0 || a > b || b > eslt::slt::subset_sum::MAX_N {
        return Err(bad());
    }
    Ok((a, b))
}

/// `--n a..b`: one run per n, growth off.
fn n_sweep(a: &Args, range: &str) -> Result<()> {
    let (lo, hi) = parse_range(range)?;
    let (target, meta) = eslt::nn::model::load(&a.model)?;
    let solver = solver(a.backend, a.threads)?;
    let (images, labels) = eslt::data::rotated_mnist::load_test_set(&a.data, Some(a.test_digits))?;
    let mut points = Vec::new();
    let problems = target.num_coefficients();
    for n in lo..=hi {
        let clock = Instant::now();
        let now = || clock.elapsed().as_secs_f64();
        let cfg = PruneConfig {
            // ε only matters for growth, which a sweep switches off.
            eps: 0.5,
            n: Some(n),
            seed: a.seed,
            headroom: a.headroom,
            grow: false,
            input_nonnegative: true,
        };
        let out = prune_network(
            &target,
            &meta.task,
            &cfg,
            solver.as_ref(),
            Some(EvalSet {
                images: images.view(),
                labels: &labels,
                literal_sample: 0,
            }),
            RunHooks {
                now: &now,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        )?;
        let r = out.report;
        let p = SweepPoint {
            n,
            max_coef_error: r.max_coef_error,
            mean_coef_error: r.mean_coef_error,
            bound_eps: r.problems as f64 * (-(n as f64)).exp2(),
            target_accuracy: r.target_accuracy,
            ticket_accuracy: r.ticket_accuracy,
            agreement: r.agreement,
            max_logit_error: r.max_logit_error,
            ticket_params: r.ticket_params,
            source_params: r.source_params,
            seconds: r.seconds,
        };
        if !a.json {
            println!(
                "n = {:>2}: max err {:.3e}  mean err {:.3e}  bound ε {:.1e}  ticket {:.2}% (target {:.2}%)  agreement {:.2}%  {:.1} s",
                p.n,
                p.max_coef_error,
                p.mean_coef_error,
                p.bound_eps,
                100.0 * p.ticket_accuracy,
                100.0 * p.target_accuracy,
                100.0 * p.agreement,
                p.seconds
            );
        }
        points.push(p);
    }
    if let Some(path) = &a.plot {
        plot::sweep_chart(path, &meta.task, &points)?;
    }
    if a.json {
        let sweep = Sweep {
            task: meta.task.clone(),
            seed: a.seed,
            problems,
            test_digits: labels.len(),
            points,
        };
        println!("{}", serde_json::to_string(&sweep)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("4..24").unwrap(), (4, 24));
        assert_eq!(parse_range("8..=8").unwrap(), (8, 8));
        for bad in ["", "4", "0..3", "5..4", "4..33", "a..b"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }
}
