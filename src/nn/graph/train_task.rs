//! Training a graph task by name with its table settings: what the CLI's
//! `train` calls, and what made the committed models.

use super::evaluate::evaluate;
use super::model::{GraphModelMeta, GraphTrainingInfo};
use super::network::GraphNetwork;
use super::tasks;
use super::train::{train, GraphTrainConfig, GraphTrainProgress};
use crate::Result;

/// Trains `name` from its table row (data, architecture, seeds, schedule),
/// evaluates it on the held-out test set and returns the network and the
/// metadata of its model file. `on_progress` as in [`train`]; `cpu_seconds`
/// reads the process's CPU time, where the caller has it.
pub fn train_task(
    name: &str,
    on_progress: &mut dyn FnMut(&GraphTrainProgress, &GraphNetwork) -> bool,
    cpu_seconds: &dyn Fn() -> Option<f64>,
) -> Result<(GraphNetwork, GraphModelMeta)> {
    let task = tasks::task(name)?;
    let mut net = task.build(task.init_seed);
    let data = task.train_examples();
    let cfg = GraphTrainConfig {
        epochs: task.epochs,
        batch_size: task.batch_size,
        lr: task.lr,
        seed: task.train_seed,
        smoothness: task.smoothness,
    };
    let cpu_start = cpu_seconds();
    #[cfg(not(target_arch = "wasm32"))]
    let start = std::time::Instant::now();
    let last = train(&mut net, &data, &cfg, on_progress)?;
    #[cfg(not(target_arch = "wasm32"))]
    let seconds = start.elapsed().as_secs_f64();
    #[cfg(target_arch = "wasm32")]
    let seconds = 0.0f64;
    let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
    let test = task.test_examples();
    let eval = evaluate(&net, &test)?;
    let meta = GraphModelMeta {
        task: name.into(),
        training: GraphTrainingInfo {
            seed: task.train_seed,
            init_seed: task.init_seed,
            epochs: task.epochs,
            train_graphs: data.len(),
            batch_size: task.batch_size,
            lr: task.lr,
            seconds: (seconds * 10.0).round() / 10.0,
            cpu_seconds: cpu.map(|c| (c * 10.0).round() / 10.0),
            train_loss: last.loss,
            train_accuracy: last.accuracy,
            command: format!("eslt train --task {name}"),
        },
        test_accuracy: eval.accuracy,
        test_graphs: test.len(),
        test_examples: eval.predictions.len(),
        test_predictions_digest: eval.digest(),
    };
    Ok((net, meta))
}
