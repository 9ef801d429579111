//! `eslt prune`: prune the random source of a target model (image or
//! graph) into a ticket, and print the library's report.
//!
//! Ctrl-C stops the run between two batches of problems (the solver checks
//! it inside a batch too) and exits with code 130; `--ticket-out` is checked
//! for writability before the run and written through a temporary file
//! (see [`crate::interrupt`]), so it is complete or absent; an existing
//! file is replaced only with `--force`.
//!
//! Exit code 1 (chosen in `main`) when the run misses its own promise: a
//! worst coefficient error not within ε (possible with `--no-grow`), or no
//! test row verified. The report is printed all the same.

use crate::backend::{forward_backend, solver, Backend};
use crate::interrupt;
use eslt::nn::Model;
use eslt::slt::report::PruneReport;
use eslt::slt::test_rows::check_literal_sample;
use eslt::slt::{prune_model, Event, PruneConfig, RunHooks, RunOptions, TestRows};
use eslt::Result;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
#[command(after_help = "Examples:
  eslt prune --model www/models/rotmnist-c8.json --eps 0.01 --seed 1
  eslt prune --model www/models/sets-deepsets.json --test-digits 100 --ticket-out sets.ticket.json --json")]
pub struct Args {
    /// Target model (JSON, as written by `eslt train`; image or graph).
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
    /// Where the subset-sum problems are solved and the ticket is verified
    /// (gpu falls back to cpu, with one warning line, without an adapter).
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Verify on the first N test rows: rotated t10k digits (image models,
    /// default all 10,000) or test graphs (graph models, default all);
    /// 1..=available, else refused.
    #[arg(long, value_name = "N")]
    pub test_digits: Option<usize>,
    /// Rebalance every layer to max|α| = headroom.
    #[arg(long, default_value_t = 0.5)]
    pub headroom: f32,
    /// Keep n fixed even where a layer misses ε.
    #[arg(long)]
    pub no_grow: bool,
    /// Test rows also run through the literal (full-size) masked source
    /// network, compared with the collapsed ticket (at least 1; more than
    /// the test rows is clamped, with a note).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 16,
        conflicts_with = "no_literal"
    )]
    pub literal_sample: usize,
    /// Skip the literal masked-network check (the report then says it was
    /// skipped).
    #[arg(long)]
    pub no_literal: bool,
    /// Solver and forward threads (default: RAYON_NUM_THREADS, else all
    /// cores).
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
    /// Replace an existing --ticket-out file.
    #[arg(long)]
    pub force: bool,
}

/// Ok(false): the run missed its own promise (see the module docs).
pub fn run(a: Args) -> Result<bool> {
    interrupt::install();
    let mut kept = true;
    interrupt::finish(prune(a, &mut kept))?;
    Ok(kept)
}

fn prune(a: Args, kept: &mut bool) -> Result<()> {
    let mut cfg = PruneConfig {
        eps: a.eps,
        n: a.n,
        seed: a.seed,
        headroom: a.headroom,
        grow: !a.no_grow,
        input_nonnegative: true,
    };
    cfg.validate()?;
    if let Some(out) = &a.ticket_out {
        interrupt::prepare_output(out, "--ticket-out", a.force)?;
    }
    let model = Model::load(&a.model)?;
    cfg.input_nonnegative = model.input_nonnegative()?;
    let solver = solver(a.backend, a.threads)?;
    // Verification on the same backend (the GPU's forward, or the CPU's).
    let forward = forward_backend(a.backend, a.threads)?;
    let tests = TestRows::load(&model, &a.data, a.test_digits)?;
    let literal_sample = if a.no_literal {
        0
    } else {
        let (rows, note) = check_literal_sample(a.literal_sample, tests.labels().len())?;
        if let Some(note) = note {
            eprintln!("eslt: note: {note}");
        }
        rows
    };
    interrupt::check()?;

    let clock = Instant::now();
    let bars = MultiProgress::new();
    if a.json {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut progress = LayerBars::new(&bars);
    let now = || clock.elapsed().as_secs_f64();
    let outcome = prune_model(
        &model,
        &cfg,
        &RunOptions::default(),
        solver.as_ref(),
        forward.as_ref(),
        Some(&tests),
        literal_sample,
        RunHooks {
            now: &now,
            on_event: &mut |e| progress.show(e),
            cancel: &interrupt::interrupted,
        },
    )?;
    if let Some(out) = &a.ticket_out {
        interrupt::check()?;
        crate::cmd_ticket::write_ticket(out, &outcome, &cfg, &a.model)?;
    }
    let r = outcome.report();
    *kept = r.within_eps && r.test_digits > 0;
    if !*kept {
        eprintln!(
            "eslt: {}",
            if r.test_digits == 0 {
                "no test row was verified"
            } else {
                "the worst coefficient error is NOT within ε (exit 1)"
            }
        );
    }
    if a.json {
        // The report, plus what only the process knows.
        let mut v = serde_json::to_value(r)?;
        if let Some(obj) = v.as_object_mut() {
            if let Some(graphs) = tests.graphs() {
                obj.insert("test_graphs".into(), graphs.into());
            }
            if let Some(rss) = crate::peak_rss::peak_rss_bytes() {
                obj.insert("peak_rss_bytes".into(), rss.into());
            }
        }
        println!("{v}");
        return Ok(());
    }
    print_report(r, &tests, a.no_literal);
    Ok(())
}

/// One progress bar per layer, from the run's events.
struct LayerBars<'a> {
    bars: &'a MultiProgress,
    style: ProgressStyle,
    bar: Option<ProgressBar>,
    verify: Option<ProgressBar>,
}

impl<'a> LayerBars<'a> {
    fn new(bars: &'a MultiProgress) -> Self {
        let style = ProgressStyle::with_template("layer {prefix} {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Self {
            bars,
            style,
            bar: None,
            verify: None,
        }
    }

    fn show(&mut self, e: Event) {
        match e {
            Event::LayerStart {
                layer,
                layers,
                problems,
                n,
            } => {
                let b = self.bars.add(ProgressBar::new(problems as u64));
                b.set_style(self.style.clone());
                b.set_prefix(format!("{}/{layers}", layer + 1));
                b.set_message(format!("n = {n}"));
                self.bar = Some(b);
            }
            Event::Progress { done, .. } => {
                if let Some(b) = &self.bar {
                    b.set_position(done as u64);
                }
            }
            Event::LayerGrown {
                from,
                to,
                max_error,
                ..
            } => {
                if let Some(b) = self.bar.take() {
                    b.abandon_with_message(format!(
                        "n = {from}: max error {max_error:.2e} > ε, growing to n = {to}"
                    ));
                }
            }
            Event::LayerDone { report: r } => {
                if let Some(b) = self.bar.take() {
                    b.finish_with_message(format!(
                        "n = {}, max error {:.2e}",
                        r.n, r.max_coef_error
                    ));
                }
            }
            Event::Verifying { total } => {
                let b = self.bars.add(ProgressBar::new(total as u64));
                b.set_style(
                    ProgressStyle::with_template("verifying {bar:30} {pos}/{len} test rows")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                self.verify = Some(b);
            }
            Event::VerifyProgress { done, .. } => {
                if let Some(b) = &self.verify {
                    b.set_position(done as u64);
                }
            }
            Event::LiteralChecked { .. } | Event::Done => {
                if let Some(b) = self.verify.take() {
                    b.finish_and_clear();
                }
            }
        }
    }
}

fn print_report(r: &PruneReport, tests: &TestRows, no_literal: bool) {
    println!(
        "{:>5} {:>9} {:>5} {:>7} {:>9} {:>5} {:>10} {:>10} {:>10} {:>11} {:>10}",
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
            "{:>5} {:>9} {:>5} {:>7} {:>9} {:>5} {:>10.2e} {:>10.2e} {:>10} {:>11} {:>10}",
            l.index,
            format!("{}→{}", l.c_in, l.c_out),
            l.basis_size,
            if l.n == l.n_initial {
                l.n.to_string()
            } else {
                format!("{}→{}", l.n_initial, l.n)
            },
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
    let grown: Vec<String> = r
        .layers
        .iter()
        .filter(|l| l.n != l.n_initial)
        .map(|l| format!("layer {}: {} → {}", l.index, l.n_initial, l.n))
        .collect();
    if !grown.is_empty() {
        println!(
            "n grown where a layer missed ε at its initial n ({})",
            grown.join(", ")
        );
    }
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
        "on {}: target {:.2}%, ticket {:.2}%, agreement {:.2}%, max |logit diff| {:.3e} (max |logit| {:.2})",
        tests.describe(r.test_digits),
        100.0 * r.target_accuracy,
        100.0 * r.ticket_accuracy,
        100.0 * r.agreement,
        r.max_logit_error,
        r.max_abs_logit
    );
    if let Some(acc) = r.source_accuracy {
        println!(
            "the random source itself, unpruned and untrained: {:.2}% on the same {}",
            100.0 * acc,
            tests.unit()
        );
    }
    if no_literal || r.literal_check.rows == 0 {
        println!("literal masked source vs collapsed ticket: skipped (--no-literal)");
    } else {
        println!(
            "literal masked source vs collapsed ticket on {} {}: max rel diff {:.2e}",
            r.literal_check.rows,
            tests.unit(),
            r.literal_check.max_rel_diff
        );
    }
    println!(
        "output scale Π s_ℓ = {:.4}   mask digest {}",
        r.output_scale, r.mask_digest
    );
    println!("{:.2} s ({:.2} s solving)", r.seconds, r.solve_seconds);
}
