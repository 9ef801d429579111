//! The graph and set tasks in the CLI: `eslt train --task <graph task>`,
//! `eslt prune` and `eslt eval` on graph model files (format
//! "eslt-graph-model"), with the same flags and JSON reports as the image
//! tasks. Test sets are regenerated from the task table's seeds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use eslt::nn::graph::permuted::evaluate_permuted;
use eslt::nn::graph::{evaluate, graph_model, tasks, train_task, GraphExample, GraphNetwork};
use eslt::slt::graph_inputs::GraphRows;
use eslt::slt::verify::{Comparison, Tally};
use eslt::slt::VerifyInputs;
use eslt::slt::{drive, Eval, PruneConfig, RunHooks, RunOptions};
use eslt::{Error, Result};
use serde::Deserialize;

use crate::backend::{solver, Backend};
use crate::interrupt;

/// Whether `task` is one of the graph tasks.
pub fn is_graph_task(task: &str) -> bool {
    tasks::names().contains(&task)
}

/// Whether `path` holds a graph model (its `format` field says so); any
/// read or parse problem is left to the loader that will report it.
pub fn is_graph_model(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| is_graph_model_text(&t))
}

/// Whether model file text `text` is a graph model's (see [`is_graph_model`]).
pub fn is_graph_model_text(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    serde_json::from_str::<Format>(text).is_ok_and(|f| f.format == graph_model::FORMAT)
}

/// `eslt train --task <graph task>`: the task table's settings.
pub fn train(task: &str, out: Option<PathBuf>, force: bool) -> Result<()> {
    let out = out.unwrap_or_else(|| PathBuf::from(format!("www/models/{task}.json")));
    interrupt::prepare_output(&out, "--out", force)?;
    let mut last = usize::MAX;
    let (net, meta) = train_task(
        task,
        &mut |p, _| {
            if p.epoch != last {
                last = p.epoch;
                eprintln!(
                    "epoch {}: loss {:.4}, accuracy {:.4}",
                    p.epoch, p.loss, p.accuracy
                );
            }
            !interrupt::interrupted()
        },
        &crate::cmd_train::cpu_seconds,
    )?;
    interrupt::check()?;
    eprintln!(
        "{task}: {} coefficients, {:.1} s, test accuracy {:.4} on {} rows",
        net.num_coefficients(),
        meta.training.seconds,
        meta.test_accuracy,
        meta.test_examples
    );
    let json = graph_model::to_json(&net, &meta)?;
    interrupt::write_atomic(&out, "--out", json.as_bytes())?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The model at `path` and its task's test examples (the first `limit`).
fn model_and_tests(
    path: &Path,
    limit: Option<usize>,
) -> Result<(GraphNetwork, tasks::GraphTask, Vec<GraphExample>)> {
    let (net, meta) = graph_model::load(path)?;
    let task = tasks::task(&meta.task)?;
    let mut tests = task.test_examples();
    if let Some(limit) = limit {
        tests.truncate(limit);
    }
    Ok((net, task, tests))
}

/// The first test examples of `task` holding exactly `rows` scored rows
/// (a report's `test_digits`: graphs, or the karate club's 32 members).
pub fn tests_with_rows(task: &str, rows: usize) -> Result<Vec<GraphExample>> {
    let mut tests = Vec::new();
    let mut have = 0;
    for ex in tasks::task(task)?.test_examples() {
        if have >= rows {
            break;
        }
        have += ex.scored();
        tests.push(ex);
    }
    if have != rows {
        return Err(Error::InvalidArgument(format!(
            "the report verified {rows} rows; the first test graphs of {task} hold {have}"
        )));
    }
    Ok(tests)
}

/// Target and `ticket × ticket_scale` compared on the scored rows of `tests`.
pub fn compare_on(
    target: &GraphNetwork,
    ticket: &GraphNetwork,
    ticket_scale: f64,
    tests: &[GraphExample],
) -> Result<Comparison> {
    let rows = GraphRows::new(tests);
    let labels = rows.labels();
    if labels.is_empty() {
        return Ok(Comparison::default());
    }
    let yt = rows.prepare(target)?.logits(0..labels.len())?;
    let yk = rows.prepare(ticket)?.logits(0..labels.len())?;
    let mut tally = Tally::default();
    tally.add(&yt, &yk, ticket_scale, &labels)?;
    Ok(tally.comparison())
}

/// What `eslt prune` needs to know, whatever the model kind.
pub struct PruneArgs<'a> {
    pub model: &'a Path,
    pub cfg: PruneConfig,
    pub backend: Backend,
    pub threads: Option<usize>,
    pub test_graphs: Option<usize>,
    pub literal_sample: usize,
    pub json: bool,
    /// Write the ticket file here (`--ticket-out`).
    pub ticket_out: Option<&'a Path>,
}

/// `eslt prune --model <graph model>`: the same run and report as images.
pub fn prune(a: PruneArgs<'_>) -> Result<()> {
    let (target, task, tests) = model_and_tests(a.model, a.test_graphs)?;
    let cfg = PruneConfig {
        input_nonnegative: !task.input.can_be_negative(),
        ..a.cfg
    };
    cfg.validate()?;
    if let Some(out) = a.ticket_out {
        interrupt::prepare_output(out, "--ticket-out", true)?;
    }
    let solver = solver(a.backend, a.threads)?;
    let rows = GraphRows::new(&tests);
    let labels = rows.labels();
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64();
    let outcome = drive(
        &target,
        task.name,
        &cfg,
        &RunOptions::default(),
        solver.as_ref(),
        Some(Eval {
            inputs: &rows,
            labels: &labels,
            literal_sample: a.literal_sample,
        }),
        RunHooks {
            now: &now,
            on_event: &mut |_| {},
            cancel: &interrupt::interrupted,
        },
    )?;
    if let Some(out) = a.ticket_out {
        interrupt::check()?;
        crate::cmd_ticket::write_ticket(out, &outcome, &cfg, a.model)?;
    }
    let r = &outcome.report;
    if a.json {
        let mut v = serde_json::to_value(r)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("test_graphs".into(), tests.len().into());
            if let Some(rss) = crate::peak_rss::peak_rss_bytes() {
                obj.insert("peak_rss_bytes".into(), rss.into());
            }
        }
        println!("{v}");
        return Ok(());
    }
    println!(
        "{:>5} {:>12} {:>5} {:>4} {:>9} {:>5} {:>10}",
        "layer", "orders", "basis", "n", "problems", "neg", "max err"
    );
    for l in &r.layers {
        println!(
            "{:>5} {:>12} {:>5} {:>4} {:>9} {:>5} {:>10.2e}",
            l.index,
            format!(
                "{}→{}",
                l.in_type.trim_start_matches("order "),
                l.out_type.trim_start_matches("order ")
            ),
            l.basis_size,
            l.n,
            l.problems,
            l.negative_pool,
            l.max_coef_error
        );
    }
    println!(
        "{}: target {:.4}, ticket {:.4}, agreement {:.4} on {} rows of {} test graphs; ticket {} of {} source parameters; {:.1} s",
        task.name,
        r.target_accuracy,
        r.ticket_accuracy,
        r.agreement,
        r.test_digits,
        tests.len(),
        r.ticket_params,
        r.source_params,
        r.seconds
    );
    if let Some(acc) = r.source_accuracy {
        println!("the random source itself, unpruned and untrained: {acc:.4} on the same rows");
    }
    Ok(())
}

/// `eslt eval --model <graph model> [--permute SEED]`: accuracy and the
/// predictions digest on the task's test set; with `--permute`, every test
/// graph's nodes relabelled by a seeded random permutation (one per graph),
/// and the largest change of any logit against the unpermuted graph (node
/// logits compared node by node).
pub fn eval(model: &Path, permute: Option<u64>, limit: Option<usize>, json: bool) -> Result<()> {
    let (net, task, tests) = model_and_tests(model, limit)?;
    let (predictions, max_change, max_abs) = match permute {
        None => (evaluate(&net, &tests)?.predictions, 0.0, 0.0),
        Some(seed) => {
            let e = evaluate_permuted(&net, &tests, seed)?;
            (e.permuted_predictions, e.max_logit_change, e.max_abs_logit)
        }
    };
    let labels = GraphRows::new(&tests).labels();
    let correct = predictions
        .iter()
        .zip(&labels)
        .filter(|(p, l)| **p == usize::from(**l))
        .count();
    if predictions.is_empty() {
        return Err(Error::InvalidArgument("no labelled test rows".into()));
    }
    let accuracy = correct as f64 / predictions.len() as f64;
    let digest = eslt::nn::evaluate::predictions_digest(&predictions);
    if json {
        let mut v = serde_json::json!({
            "task": task.name,
            "test_graphs": tests.len(),
            "test_rows": predictions.len(),
            "accuracy": accuracy,
            "predictions_digest": digest,
        });
        if let Some(seed) = permute {
            v["permute_seed"] = seed.into();
            v["permutation_max_logit_change"] = max_change.into();
            v["max_abs_logit"] = max_abs.into();
        }
        println!("{v}");
    } else {
        println!(
            "{}: accuracy {accuracy:.4} on {} rows of {} test graphs, predictions digest {digest}",
            task.name,
            predictions.len(),
            tests.len()
        );
        if permute.is_some() {
            println!("nodes permuted: largest logit change {max_change:.3e} (largest logit {max_abs:.3})");
        }
    }
    Ok(())
}
