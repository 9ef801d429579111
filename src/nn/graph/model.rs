//! Graph model files: versioned JSON holding a graph task's network (ops,
//! bases by name, widths), its trained coefficients α (base64, as the image
//! models) and how it was made. Loading checks every size before anything
//! is allocated from it and fails with `Error::Model`.

use super::basis::GraphBasis;
use super::layer::{GraphLayer, MAX_CHANNELS};
use super::network::{
    aggregation_name, parse_aggregation, GraphNetwork, GraphOp, Readout, MAX_OPS,
};
use super::tasks;
use crate::nn::coef_encoding::Dtype;
use crate::nn::model_envelope::{
    check_envelope, check_test_figures, check_training, model_message, CoefficientBlock,
};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `format` tag of every graph model file.
pub const FORMAT: &str = "eslt-graph-model";
/// The current (and only supported) version.
pub const VERSION: u32 = crate::nn::model_envelope::VERSION;
/// Most coefficients a graph model may hold (2^22, 16 MB of f32; the
/// shipped models hold a few thousand).
pub const MAX_COEFFICIENTS: usize = 1 << 22;

/// How a graph model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphTrainingInfo {
    pub seed: u64,
    /// Seed of the coefficients' initialisation.
    pub init_seed: u64,
    pub epochs: usize,
    pub train_graphs: usize,
    pub batch_size: usize,
    pub lr: f32,
    /// Wall-clock training time (excluding the final evaluation).
    pub seconds: f64,
    /// CPU time over the same span (all threads), where available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    /// Final training loss and accuracy (last epoch's running means).
    pub train_loss: f32,
    pub train_accuracy: f32,
    /// The command that reproduces the model.
    pub command: String,
}

/// Everything in a graph model file except the network.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphModelMeta {
    pub task: String,
    pub training: GraphTrainingInfo,
    /// Accuracy over the scored rows of the test set.
    pub test_accuracy: f64,
    /// Test graphs, and scored rows (graphs or nodes) over them.
    pub test_graphs: usize,
    pub test_examples: usize,
    /// SHA-256 of the predicted classes on the test rows (one byte each).
    pub test_predictions_digest: String,
}

/// One op as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum GraphOpSpec {
    Linear {
        basis: GraphBasis,
        aggregation: String,
        c_in: usize,
        c_out: usize,
    },
    Relu,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphModelFile {
    format: String,
    version: u32,
    task: String,
    input_order: usize,
    input_channels: usize,
    readout: Readout,
    architecture: Vec<GraphOpSpec>,
    num_coefficients: usize,
    /// One block per linear op, in order (f32, exact).
    coefficients: Vec<CoefficientBlock>,
    training: GraphTrainingInfo,
    test_accuracy: f64,
    test_graphs: usize,
    test_examples: usize,
    test_predictions_digest: String,
}

/// The ops of `net` as stored.
pub fn architecture(net: &GraphNetwork) -> Vec<GraphOpSpec> {
    net.ops
        .iter()
        .map(|op| match op {
            GraphOp::Linear(l) => GraphOpSpec::Linear {
                basis: l.basis,
                aggregation: aggregation_name(l.aggregation).into(),
                c_in: l.c_in,
                c_out: l.c_out,
            },
            GraphOp::Relu => GraphOpSpec::Relu,
        })
        .collect()
}

/// Serialises a trained network with its metadata.
pub fn to_json(net: &GraphNetwork, meta: &GraphModelMeta) -> Result<String> {
    net.validate()?;
    tasks::task(&meta.task).map_err(|e| Error::Model(model_message(e)))?;
    let file = GraphModelFile {
        format: FORMAT.into(),
        version: VERSION,
        task: meta.task.clone(),
        input_order: net.input_order,
        input_channels: net.input_channels,
        readout: net.readout,
        architecture: architecture(net),
        num_coefficients: net.num_coefficients(),
        coefficients: net
            .layers()
            .map(|l| CoefficientBlock::new(Dtype::F32le, &l.coef))
            .collect(),
        training: meta.training.clone(),
        test_accuracy: meta.test_accuracy,
        test_graphs: meta.test_graphs,
        test_examples: meta.test_examples,
        test_predictions_digest: meta.test_predictions_digest.clone(),
    };
    Ok(serde_json::to_string_pretty(&file)?)
}

/// Parses and validates a graph model file: format and version, a known
/// task whose input, readout and classes it matches, every layer's size
/// (bounded, with checked arithmetic, before its coefficients are taken),
/// coefficient counts, finite values, plausible metadata.
pub fn from_json(text: &str) -> Result<(GraphNetwork, GraphModelMeta)> {
    let file: GraphModelFile = serde_json::from_str(text)
        .map_err(|e| Error::Model(format!("not a valid graph model file: {e}")))?;
    check_envelope(&file.format, file.version, FORMAT)?;
    let task = tasks::task(&file.task).map_err(|e| Error::Model(model_message(e)))?;
    if (file.input_order, file.input_channels, file.readout)
        != (task.input.order(), task.input.channels(), task.readout)
    {
        return Err(Error::Model(format!(
            "task {} reads order-{} inputs with {} channels ({:?} readout); the file says order {}, {} channels, {:?}",
            task.name,
            task.input.order(),
            task.input.channels(),
            task.readout,
            file.input_order,
            file.input_channels,
            file.readout
        )));
    }
    if file.architecture.is_empty() || file.architecture.len() > MAX_OPS {
        return Err(Error::Model(format!(
            "{} ops (1 to {MAX_OPS} allowed)",
            file.architecture.len()
        )));
    }
    let layers = file
        .architecture
        .iter()
        .filter(|op| matches!(op, GraphOpSpec::Linear { .. }))
        .count();
    if file.coefficients.len() != layers {
        return Err(Error::Model(format!(
            "{} coefficient blocks for {layers} layers",
            file.coefficients.len()
        )));
    }
    // Sizes first, from the specs alone.
    let mut total = 0usize;
    let mut li = 0;
    for (n, op) in file.architecture.iter().enumerate() {
        if let GraphOpSpec::Linear {
            basis,
            c_in,
            c_out,
            aggregation,
        } = op
        {
            basis
                .validate()
                .map_err(|e| Error::Model(format!("op {n}: {}", model_message(e))))?;
            parse_aggregation(aggregation)?;
            if *c_in == 0 || *c_out == 0 || *c_in > MAX_CHANNELS || *c_out > MAX_CHANNELS {
                return Err(Error::Model(format!(
                    "op {n}: {c_in}→{c_out} channels out of range (1 to {MAX_CHANNELS})"
                )));
            }
            let need = c_out
                .checked_mul(*c_in)
                .and_then(|v| v.checked_mul(basis.len()))
                .filter(|&v| v <= MAX_COEFFICIENTS - total)
                .ok_or_else(|| {
                    Error::Model(format!(
                        "op {n}: the network would exceed {MAX_COEFFICIENTS} coefficients"
                    ))
                })?;
            let block = &file.coefficients[li];
            // base64 of f32s, 4 bytes a value (`need` is bounded above).
            if block.count != need
                || block.dtype != Dtype::F32le
                || Some(block.base64.len()) != crate::base64_text::encoded_len(4 * need)
            {
                return Err(Error::Model(format!(
                    "layer {li}: shape mismatch: {c_in}→{c_out} channels × {} basis elements need {need} f32 coefficients, the block says {} {:?} in {} base64 characters",
                    basis.len(),
                    block.count,
                    block.dtype,
                    block.base64.len()
                )));
            }
            total += need;
            li += 1;
        }
    }
    if file.num_coefficients != total {
        return Err(Error::Model(format!(
            "num_coefficients says {}, the layers hold {total}",
            file.num_coefficients
        )));
    }
    let mut ops = Vec::with_capacity(file.architecture.len());
    let mut blocks = file.coefficients.iter();
    for (n, op) in file.architecture.iter().enumerate() {
        ops.push(match op {
            GraphOpSpec::Relu => GraphOp::Relu,
            GraphOpSpec::Linear {
                basis,
                aggregation,
                c_in,
                c_out,
            } => {
                let block = blocks.next().expect("counted above");
                let coef = block.values(&format!("op {n}"))?;
                if coef.len() != block.count {
                    return Err(Error::Model(format!(
                        "op {n}: {} coefficients decoded, {} declared",
                        coef.len(),
                        block.count
                    )));
                }
                GraphOp::Linear(GraphLayer {
                    basis: *basis,
                    aggregation: parse_aggregation(aggregation)?,
                    c_in: *c_in,
                    c_out: *c_out,
                    coef,
                })
            }
        });
    }
    let net = GraphNetwork {
        input_order: file.input_order,
        input_channels: file.input_channels,
        readout: file.readout,
        ops,
    };
    net.validate()?;
    if net.classes() != task.classes {
        return Err(Error::Model(format!(
            "task {} has {} classes, the network outputs {}",
            task.name,
            task.classes,
            net.classes()
        )));
    }
    let t = &file.training;
    check_training(t.lr, t.seconds, t.cpu_seconds)?;
    // f32 fields: a decimal too large for f32 reads as infinity, which
    // would save as null (found by `eslt fuzz --target graph-model`).
    if !(t.train_loss.is_finite() && t.train_loss >= 0.0) {
        return Err(Error::Model(format!(
            "training.train_loss {} is not a finite non-negative number",
            t.train_loss
        )));
    }
    if !(0.0..=1.0).contains(&t.train_accuracy) {
        return Err(Error::Model(format!(
            "training.train_accuracy {} outside [0, 1]",
            t.train_accuracy
        )));
    }
    check_test_figures(file.test_accuracy, Some(&file.test_predictions_digest))?;
    Ok((
        net,
        GraphModelMeta {
            task: file.task,
            training: file.training,
            test_accuracy: file.test_accuracy,
            test_graphs: file.test_graphs,
            test_examples: file.test_examples,
            test_predictions_digest: file.test_predictions_digest,
        },
    ))
}

/// Reads and validates a graph model file (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn load(path: &std::path::Path) -> Result<(GraphNetwork, GraphModelMeta)> {
    use crate::nn::model_file::{read_text, with_path};
    from_json(&read_text(path)?).map_err(with_path(path))
}

/// Writes a graph model file (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn save(path: &std::path::Path, net: &GraphNetwork, meta: &GraphModelMeta) -> Result<()> {
    crate::nn::model_file::write_text(path, &to_json(net, meta)?)
}
