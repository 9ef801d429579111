//! Training a graph target: mini-batch Adam on softmax cross-entropy over
//! the scored logit rows, cosine learning-rate decay. Seeded: the same seed
//! and data give the same network for any number of threads (per-graph
//! gradients are computed in parallel and summed in a fixed order).

use super::example::GraphExample;
use super::forward::{map_graphs, GraphTape};
use super::input::GraphInput;
use super::network::{GraphNetwork, GraphOp, Readout};
use crate::nn::{softmax_cross_entropy, Adam};
use crate::{Error, Result};
use ndarray::Array4;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Hyper-parameters of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphTrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's initial step size; decays by a cosine to `lr / 20`.
    pub lr: f32,
    /// Seeds the order of the examples (coefficients are initialised by the
    /// caller).
    pub seed: u64,
    /// Weight λ of a graph-Laplacian smoothness penalty on node logits,
    /// λ · Σ_{i,j} A_ij ‖z_i − z_j‖² / (2·arcs) (the classic prior of
    /// semi-supervised learning on graphs, Zhu et al. 2003: linked nodes
    /// tend to share a class). It reads no labels; 0 turns it off, and it
    /// only applies to node readouts.
    pub smoothness: f32,
}

/// Statistics after a mini-batch.
#[derive(Clone, Debug)]
pub struct GraphTrainProgress {
    pub epoch: usize,
    pub step: usize,
    pub steps_total: usize,
    /// Mean loss and accuracy over the scored rows of the epoch so far.
    pub loss: f32,
    pub accuracy: f32,
}

fn learning_rate(cfg: &GraphTrainConfig, step: usize, total: usize) -> f32 {
    let t = step as f32 / total.max(1) as f32;
    let floor = cfg.lr / 20.0;
    floor + 0.5 * (cfg.lr - floor) * (1.0 + (std::f32::consts::PI * t).cos())
}

/// Loss, its number of scored rows and correct predictions, and the
/// gradient of every layer on one mini-batch (mean loss over its rows).
pub fn batch_gradient(
    net: &GraphNetwork,
    batch: &[&GraphExample],
    smoothness: f32,
) -> Result<(f32, usize, usize, Vec<Vec<f32>>)> {
    let classes = net.classes();
    let tapes: Vec<Result<GraphTape>> = map_graphs(batch, |ex| net.forward_tape(&ex.input));
    let tapes = tapes.into_iter().collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (g, (tape, ex)) in tapes.iter().zip(batch).enumerate() {
        if tape.output.len() != ex.labels.len() * classes {
            return Err(Error::InvalidArgument(format!(
                "example has {} labels, the network gives {} logit rows",
                ex.labels.len(),
                tape.output.len() / classes.max(1)
            )));
        }
        for (r, l) in ex.labels.iter().enumerate() {
            if let Some(l) = l {
                rows.push((g, r));
                labels.push(*l);
            }
        }
    }
    let mut logits = Array4::<f32>::zeros((rows.len(), classes, 1, 1));
    for (s, &(g, r)) in rows.iter().enumerate() {
        for c in 0..classes {
            logits[[s, c, 0, 0]] = tapes[g].output[r * classes + c];
        }
    }
    let out = softmax_cross_entropy(logits.view(), &labels)?;
    let mut d: Vec<Vec<f32>> = tapes.iter().map(|t| vec![0.0; t.output.len()]).collect();
    for (s, &(g, r)) in rows.iter().enumerate() {
        for c in 0..classes {
            d[g][r * classes + c] = out.d_logits[[s, c, 0, 0]];
        }
    }
    let mut loss = out.loss;
    if smoothness != 0.0 && net.readout == Readout::Node {
        for ((tape, ex), d) in tapes.iter().zip(batch).zip(d.iter_mut()) {
            loss += smoothness * laplacian_penalty(&ex.input, classes, &tape.output, d, smoothness);
        }
    }
    let work: Vec<(&GraphTape, &Vec<f32>)> = tapes.iter().zip(&d).collect();
    let grads = map_graphs(&work, |(tape, d)| net.backward(tape, d));
    let mut total: Vec<Vec<f32>> = net.layers().map(|l| vec![0.0; l.coef.len()]).collect();
    for g in grads {
        for (t, g) in total.iter_mut().zip(g?) {
            t.iter_mut().zip(&g).for_each(|(t, &g)| *t += g);
        }
    }
    Ok((loss, rows.len(), out.correct, total))
}

/// Σ_{i,j} A_ij ‖z_i − z_j‖² / (2·arcs) for node logits z `[n, classes]`;
/// adds `weight` times its gradient to `d`.
fn laplacian_penalty(g: &GraphInput, classes: usize, z: &[f32], d: &mut [f32], weight: f32) -> f32 {
    let n = g.n;
    let arcs = g.adjacency.iter().filter(|&&a| a != 0.0).count().max(1) as f32;
    let mut penalty = 0.0f64;
    for i in 0..n {
        for j in 0..n {
            let a = g.adjacency[i * n + j];
            if a == 0.0 {
                continue;
            }
            for c in 0..classes {
                let diff = z[i * classes + c] - z[j * classes + c];
                penalty += f64::from(a * diff * diff);
                d[i * classes + c] += weight * 2.0 * a * diff / arcs;
            }
        }
    }
    (penalty / (2.0 * f64::from(arcs))) as f32
}

/// Trains `net` in place on `data`. `on_progress` is called after every
/// mini-batch and may return `false` to cancel (→ `Error::Cancelled`).
pub fn train(
    net: &mut GraphNetwork,
    data: &[GraphExample],
    cfg: &GraphTrainConfig,
    on_progress: &mut dyn FnMut(&GraphTrainProgress, &GraphNetwork) -> bool,
) -> Result<GraphTrainProgress> {
    if data.is_empty() || cfg.batch_size == 0 || cfg.epochs == 0 {
        return Err(Error::InvalidArgument(
            "training needs examples, and positive epochs and batch size".into(),
        ));
    }
    if !(cfg.lr.is_finite() && cfg.lr > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "learning rate {} is not a positive finite number",
            cfg.lr
        )));
    }
    net.validate()?;
    let sizes: Vec<usize> = net.layers().map(|l| l.coef.len()).collect();
    let mut adam = Adam::new(cfg.lr, &sizes);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let steps_total = data.len().div_ceil(cfg.batch_size) * cfg.epochs;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut last = None;
    let mut step = 0;
    for epoch in 0..cfg.epochs {
        order.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
        for chunk in order.chunks(cfg.batch_size) {
            let batch: Vec<&GraphExample> = chunk.iter().map(|&i| &data[i]).collect();
            let (loss, rows, ok, grads) = batch_gradient(net, &batch, cfg.smoothness)?;
            if !loss.is_finite() {
                return Err(Error::InvalidArgument(format!(
                    "training diverged at epoch {epoch} (loss {loss})"
                )));
            }
            adam.lr = learning_rate(cfg, step, steps_total);
            let mut params: Vec<&mut Vec<f32>> = net
                .ops
                .iter_mut()
                .filter_map(|op| match op {
                    GraphOp::Linear(l) => Some(&mut l.coef),
                    GraphOp::Relu => None,
                })
                .collect();
            adam.step(&mut params, &grads);
            step += 1;
            loss_sum += f64::from(loss) * rows as f64;
            correct += ok;
            seen += rows;
            let p = GraphTrainProgress {
                epoch,
                step,
                steps_total,
                loss: (loss_sum / seen.max(1) as f64) as f32,
                accuracy: correct as f32 / seen.max(1) as f32,
            };
            if !on_progress(&p, net) {
                return Err(Error::Cancelled);
            }
            last = Some(p);
        }
    }
    last.ok_or_else(|| Error::InvalidArgument("no training step was run".into()))
}
