//! `eslt prune`: prune the random source of a target model into a ticket.
//!
//! Ctrl-C stops the run between two batches of problems (the solver checks
//! it inside a batch too) and exits with code 130; `--ticket-out` is checked
//! for writability before the run and written through a temporary file
//! (see [`crate::interrupt`]), so it is complete or absent.

use crate::backend::{forward_backend, solver, Backend};
use crate::interrupt;
use crate::test_set;
use eslt::slt::{prune_network_on, EvalSet, Event, PruneConfig, RunHooks, RunOptions};
use eslt::Result;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Target model (JSON, as written by `eslt train`).
    #[arg(long)]
    pub model: PathBuf,
    /// Worst coefficient error to reach (rebalanced units), 0 < ε < 1.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub eps: f64,
    /// Seed of the random source network.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Candidates per pool for every layer (default: from ε by the bound).
    #[arg(long)]
    pub n: Option<usize>,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Rotated t10k digits to verify on (default: all 10,000).
    #[arg(long)]
    pub test_digits: Option<usize>,
    /// Rebalance every layer to max|α| = headroom.
    #[arg(long, default_value_t = 0.5)]
    pub headroom: f32,
    /// Keep n fixed even where a layer misses ε.
    #[arg(long)]
    pub no_grow: bool,
    /// Digits run through the literal (full-size) masked source network.
    #[arg(long, default_value_t = 16)]
    pub literal_sample: usize,
    /// Solver threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Directory of the packed MNIST files.
    #[arg(long, default_value = "target/data")]
    pub data: PathBuf,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the ticket file (seed, config, mask bits, report) here;
    /// check it with `eslt ticket verify`.
    #[arg(long, value_name = "FILE")]
    pub ticket_out: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<()> {
    interrupt::install();
    interrupt::finish(prune(a))
}

fn prune(a: Args) -> Result<()> {
    let cfg = PruneConfig {
        eps: a.eps,
        n: a.n,
        seed: a.seed,
        headroom: a.headroom,
        grow: !a.no_grow,
        input_nonnegative: true,
    };
    cfg.validate()?;
    if crate::graph_task::is_graph_model(&a.model) {
        return crate::graph_task::prune(crate::graph_task::PruneArgs {
            model: &a.model,
            cfg,
            backend: a.backend,
            threads: a.threads,
            test_graphs: a.test_digits,
            literal_sample: a.literal_sample,
            json: a.json,
            ticket_out: a.ticket_out.as_deref(),
        });
    }
    if let Some(out) = &a.ticket_out {
        interrupt::prepare_output(out, "--ticket-out", true)?;
    }
    let (target, meta) = eslt::nn::model::load(&a.model)?;
    let solver = solver(a.backend, a.threads)?;
    // Verification on the same backend (the GPU's forward, or the CPU's).
    let forward = forward_backend(a.backend, a.threads)?;
    let (images, labels) = test_set::load(&a.data, a.test_digits)?;
    interrupt::check()?;

    let clock = Instant::now();
    let bars = MultiProgress::new();
    if a.json {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("layer {prefix} {bar:30} {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let mut bar: Option<ProgressBar> = None;
    let mut on_event = |e: Event| match e {
        Event::LayerStart {
            layer,
            layers,
            problems,
            n,
        } => {
            let b = bars.add(ProgressBar::new(problems as u64));
            b.set_style(style.clone());
            b.set_prefix(format!("{}/{layers}", layer + 1));
            b.set_message(format!("n = {n}"));
            bar = Some(b);
        }
        Event::Progress { done, .. } => {
            if let Some(b) = &bar {
                b.set_position(done as u64);
            }
        }
        Event::LayerGrown {
            from,
            to,
            max_error,
            ..
        } => {
            if let Some(b) = bar.take() {
                b.abandon_with_message(format!(
                    "n = {from}: max error {max_error:.2e} > ε, growing to n = {to}"
                ));
            }
        }
        Event::LayerDone { report: r } => {
            if let Some(b) = bar.take() {
                b.finish_with_message(format!("n = {}, max error {:.2e}", r.n, r.max_coef_error));
            }
        }
        _ => {}
    };
    let now = || clock.elapsed().as_secs_f64();
    let outcome = prune_network_on(
        &target,
        &meta.task,
        &cfg,
        &RunOptions::default(),
        solver.as_ref(),
        forward.as_ref(),
        Some(EvalSet {
            images: images.view(),
            labels: &labels,
            literal_sample: a.literal_sample,
        }),
        RunHooks {
            now: &now,
            on_event: &mut on_event,
            cancel: &interrupt::interrupted,
        },
    )?;
    if let Some(out) = &a.ticket_out {
        interrupt::check()?;
        crate::cmd_ticket::write_ticket(out, &outcome, &cfg, &a.model)?;
    }
    let r = &outcome.report;
    if a.json {
        // The report, plus what only the process knows.
        let mut v = serde_json::to_value(r)?;
        if let (Some(obj), Some(rss)) = (v.as_object_mut(), crate::peak_rss::peak_rss_bytes()) {
            obj.insert("peak_rss_bytes".into(), rss.into());
        }
        println!("{v}");
        return Ok(());
    }
    println!(
        "{:>5} {:>9} {:>5} {:>4} {:>9} {:>5} {:>10} {:>10} {:>10} {:>11} {:>10}",
        "layer",
        "fields",
        "basis",
        "n",
        "problems",
        "neg",
        "max err",
        "mean err",
        "target",
        "source",
        "ticket"
    );
    for l in &r.layers {
        println!(
            "{:>5} {:>9} {:>5} {:>4} {:>9} {:>5} {:>10.2e} {:>10.2e} {:>10} {:>11} {:>10}",
            l.index,
            format!("{}→{}", l.c_in, l.c_out),
            l.basis_size,
            l.n,
            l.problems,
            l.negative_pool,
            l.max_coef_error,
            l.mean_coef_error,
            l.target_params,
            l.source_params,
            l.ticket_params
        );
    }
    println!();
    println!(
        "task {}  ε = {}  seed {}  backend {}",
        r.task, r.eps, r.seed, r.backend
    );
    println!(
        "coefficients: max error {:.3e}, mean {:.3e} ({})",
        r.max_coef_error,
        r.mean_coef_error,
        if r.within_eps {
            "within ε"
        } else {
            "NOT within ε"
        }
    );
    println!(
        "parameters: target {}, source {}, ticket {} (sparsity {:.2}%)",
        r.target_params,
        r.source_params,
        r.ticket_params,
        100.0 * r.sparsity
    );
    println!(
        "on {} rotated test digits: target {:.2}%, ticket {:.2}%, agreement {:.2}%, max |logit diff| {:.3e} (max |logit| {:.2})",
        r.test_digits,
        100.0 * r.target_accuracy,
        100.0 * r.ticket_accuracy,
        100.0 * r.agreement,
        r.max_logit_error,
        r.max_abs_logit
    );
    if let Some(acc) = r.source_accuracy {
        println!(
            "the random source itself, unpruned and untrained: {:.2}% on the same digits",
            100.0 * acc
        );
    }
    println!(
        "literal masked source vs collapsed ticket on {} digits: max rel diff {:.2e}",
        r.literal_check.digits, r.literal_check.max_rel_diff
    );
    println!(
        "output scale Π s_ℓ = {:.4}   mask digest {}",
        r.output_scale, r.mask_digest
    );
    println!("{:.2} s ({:.2} s solving)", r.seconds, r.solve_seconds);
    Ok(())
}
