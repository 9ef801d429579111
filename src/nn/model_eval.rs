//! Evaluating a model file of either kind on its task's test rows
//! (`eslt eval`): accuracy and the predictions digest, plus each kind's own
//! symmetry check — image models under a further rotation of the digits
//! (and the logit change under a 45° turn), graph models with every test
//! graph's nodes relabelled by a seeded permutation. The result prints as
//! the command's text or its JSON object (keys as they always were).

use std::fmt;
use std::time::Instant;

use ndarray::ArrayView4;
use serde_json::{json, Value};

use crate::data::rotate::rotate_quarter;
use crate::data::rotated_mnist::{rotated_images, test_angles};
use crate::data::Digits;
use crate::nn::evaluate::{evaluate_with, predictions_digest};
use crate::nn::graph::permuted::evaluate_permuted;
use crate::nn::graph::{evaluate, tasks as graph_tasks, GraphNetwork};
use crate::nn::{argmax_rows, ForwardBackend, Model, Network, PreparedForward};
use crate::slt::graph_inputs::GraphRows;
use crate::{Error, Result};

/// What to evaluate on, and how.
pub struct EvalOptions<'a> {
    /// The model file's name, as the report shows it.
    pub model_name: String,
    /// Image models: turn every test digit by this many degrees more.
    pub rotate: f64,
    /// Image models: evaluate on the first this many rotated t10k digits
    /// (`--test-digits`).
    pub rows: usize,
    /// Image models: digits on which to measure the logit change under a
    /// further 45° turn.
    pub logit_change_digits: usize,
    /// Image models: the t10k digits.
    pub digits: &'a dyn Fn() -> Result<Digits>,
    /// Image models: the forward pass.
    pub forward: &'a dyn ForwardBackend,
    /// Graph models: relabel nodes by permutations seeded from this.
    pub permute: Option<u64>,
}

/// The evaluation of a model, as `eslt eval` reports it.
pub struct ModelEvaluation {
    json: Value,
    text: String,
}

impl ModelEvaluation {
    /// The report's JSON object.
    pub fn to_json(&self) -> &Value {
        &self.json
    }
}

impl fmt::Display for ModelEvaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Evaluates `model` on its task's test rows (see the module docs).
pub fn evaluate_model(model: &Model, opts: &EvalOptions<'_>) -> Result<ModelEvaluation> {
    match model {
        Model::Image { net, meta } => {
            if opts.permute.is_some() {
                return Err(Error::InvalidArgument(
                    "--permute relabels graph nodes: it applies to graph models only".into(),
                ));
            }
            image(net, &meta.task, &meta.architecture.group, opts)
        }
        Model::Graph { net, meta } => graph(net, &meta.task, opts.permute),
    }
}

fn image(
    net: &Network,
    task: &str,
    group: &str,
    opts: &EvalOptions<'_>,
) -> Result<ModelEvaluation> {
    if !opts.rotate.is_finite() {
        return Err(Error::InvalidArgument(
            "--rotate must be a finite number of degrees".into(),
        ));
    }
    let mut forward = opts.forward.prepare(net)?;
    let test = (opts.digits)()?;
    let n = opts.rows;
    if n == 0 || n > test.count {
        return Err(Error::InvalidArgument(format!(
            "test digits must be in 1..={}, got {n}",
            test.count
        )));
    }
    let indices: Vec<usize> = (0..n).collect();
    let labels = test.labels[..n].to_vec();
    let (rows, cols) = (test.rows, test.cols);
    let quarters = opts.rotate / 90.0;
    let exact = quarters == quarters.round();
    let images = if exact {
        let mut images = rotated_images(&test, &indices, &test_angles(n));
        let turns = (quarters.round() as i64).rem_euclid(4) as i32;
        let mut dst = vec![0.0f32; rows * cols];
        for img in images.chunks_exact_mut(rows * cols) {
            rotate_quarter(img, rows, cols, turns, &mut dst);
            img.copy_from_slice(&dst);
        }
        images
    } else {
        let extra = opts.rotate.to_radians() as f32;
        let angles: Vec<f32> = test_angles(n).iter().map(|a| a + extra).collect();
        rotated_images(&test, &indices, &angles)
    };

    let start = Instant::now();
    let eval = evaluate_with(forward.as_mut(), &images, &labels, rows, cols)?;
    let seconds = start.elapsed().as_secs_f64();
    let digest = predictions_digest(&eval.predictions);

    // Report, not assert: C8 is exact only up to the grid's interpolation.
    let m = opts.logit_change_digits.min(n);
    let change = if m > 0 {
        let indices: Vec<usize> = (0..m).collect();
        let base = test_angles(m);
        let turned: Vec<f32> = base
            .iter()
            .map(|a| a + std::f32::consts::FRAC_PI_4)
            .collect();
        let a = rotated_images(&test, &indices, &base);
        let b = rotated_images(&test, &indices, &turned);
        Some(logit_change(forward.as_mut(), &a, &b, m)?)
    } else {
        None
    };

    let mut json = json!({
        "model": opts.model_name,
        "task": task,
        "group": group,
        "num_coefficients": net.num_coefficients(),
        "rotate_deg": opts.rotate,
        "rotation_exact": exact,
        "test_digits": n,
        "correct": eval.correct,
        "accuracy": eval.accuracy,
        // Where the forward ran in the end ("cpu" after a fallback).
        "backend": forward.backend(),
        "seconds": seconds,
        "digits_per_second": n as f64 / seconds.max(1e-9),
        "predictions_digest": digest,
    });
    let mut text = format!(
        "{task} ({group}, {} coefficients): {:.2}% of {n} rotated t10k digits{} in {seconds:.2} s ({:.0} digits/s)\npredictions sha256 {digest}\n",
        net.num_coefficients(),
        100.0 * eval.accuracy,
        if opts.rotate != 0.0 { format!(" turned {}° more", opts.rotate) } else { String::new() },
        n as f64 / seconds.max(1e-9)
    );
    if let Some((abs, rel, agree)) = change {
        json["logit_change_45"] = json!({
            "digits": m,
            "max_abs": abs,
            "max_rel": rel,
            "prediction_agreement": agree,
        });
        text += &format!(
            "under a further 45° turn ({m} digits): max logit change {abs:.4} ({:.2}% of the largest logit), predictions agree on {:.2}%\n",
            100.0 * rel,
            100.0 * agree
        );
    }
    Ok(ModelEvaluation { json, text })
}

/// Largest logit change between two batches, absolute and relative to the
/// largest logit, and the fraction of equal predictions.
fn logit_change(
    net: &mut dyn PreparedForward,
    a: &[f32],
    b: &[f32],
    n: usize,
) -> Result<(f64, f64, f64)> {
    let va = ArrayView4::from_shape((n, 1, 28, 28), a)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    let vb = ArrayView4::from_shape((n, 1, 28, 28), b)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    let (la, lb) = (net.output(va)?, net.output(vb)?);
    let max_abs = la
        .iter()
        .zip(lb.iter())
        .fold(0.0f64, |m, (&x, &y)| m.max((x - y).abs() as f64));
    let scale = la.iter().fold(0.0f64, |m, &x| m.max(x.abs() as f64));
    let pa = argmax_rows(la.view());
    let pb = argmax_rows(lb.view());
    let agree = pa.iter().zip(&pb).filter(|(x, y)| x == y).count() as f64 / n.max(1) as f64;
    Ok((
        max_abs,
        if scale > 0.0 { max_abs / scale } else { 0.0 },
        agree,
    ))
}

/// Accuracy and the predictions digest on the task's test set; with
/// `permute`, every test graph's nodes relabelled by a seeded random
/// permutation (one per graph), and the largest change of any logit against
/// the unpermuted graph (node logits compared node by node).
fn graph(net: &GraphNetwork, task: &str, permute: Option<u64>) -> Result<ModelEvaluation> {
    let task = graph_tasks::task(task)?;
    let tests = task.test_examples();
    let (predictions, max_change, max_abs) = match permute {
        None => (evaluate(net, &tests)?.predictions, 0.0, 0.0),
        Some(seed) => {
            let e = evaluate_permuted(net, &tests, seed)?;
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
    let digest = predictions_digest(&predictions);
    let mut json = json!({
        "task": task.name,
        "test_graphs": tests.len(),
        "test_rows": predictions.len(),
        "accuracy": accuracy,
        "predictions_digest": digest,
    });
    let mut text = format!(
        "{}: accuracy {accuracy:.4} on {} rows of {} test graphs, predictions digest {digest}\n",
        task.name,
        predictions.len(),
        tests.len()
    );
    if let Some(seed) = permute {
        json["permute_seed"] = seed.into();
        json["permutation_max_logit_change"] = max_change.into();
        json["max_abs_logit"] = max_abs.into();
        text += &format!(
            "nodes permuted: largest logit change {max_change:.3e} (largest logit {max_abs:.3})\n"
        );
    }
    Ok(ModelEvaluation { json, text })
}
