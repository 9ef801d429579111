//! `eslt sweep`: coefficient error and ticket accuracy for a range of n —
//! the data of the "error vs n against the log(1/ε) theory" chart.

use crate::backend::{solver, Backend};
use crate::plot;
use eslt::slt::{prune_network, EvalSet, PruneConfig, RunHooks};
use eslt::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub model: PathBuf,
    /// Range of n, inclusive: `4..24`.
    #[arg(long, default_value = "4..24")]
    pub n: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Rotated t10k digits to measure accuracy on.
    #[arg(long, default_value_t = 2000)]
    pub test_digits: usize,
    #[arg(long, default_value_t = 0.5)]
    pub headroom: f32,
    #[arg(long, default_value = "target/data")]
    pub data: PathBuf,
    /// Also draw the chart to this PNG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// One point of the sweep.
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

pub fn run(a: Args) -> Result<()> {
    // Checked before the sweep runs, not after.
    if let Some(p) = &a.plot {
        plot::check_path(p)?;
    }
    let (lo, hi) = parse_range(&a.n)?;
    let (target, meta) = eslt::nn::model::load(&a.model)?;
    let solver = solver(a.backend, None)?;
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
