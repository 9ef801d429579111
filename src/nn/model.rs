//! Model files: versioned JSON holding a task's architecture, its trained
//! coefficients α (never the expanded weights: bases are rebuilt from
//! group, field types and kernel size at load) and how it was made.
//! Loading validates everything and fails with `Error::Model`.

use crate::nn::architecture::{group_name, Architecture, OpSpec};
use crate::nn::coef_encoding::{round_to, Dtype};
use crate::nn::model_envelope::{
    check_envelope, check_test_figures, check_training, CoefficientBlock,
};
use crate::nn::{tasks, Network, Op};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `format` tag of every model file.
pub const FORMAT: &str = "eslt-model";
/// The current (and only supported) version.
pub const VERSION: u32 = crate::nn::model_envelope::VERSION;

/// How a model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingInfo {
    pub seed: u64,
    pub epochs: usize,
    pub train_digits: usize,
    pub batch_size: usize,
    pub lr: f32,
    /// Wall-clock training time (excluding the final evaluation).
    pub seconds: f64,
    /// CPU time of the training process over the same span (all threads),
    /// where the platform reports it: wall time depends on the machine's load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    /// The command that reproduces the model.
    pub command: String,
}

/// Everything in a model file except the network itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelMeta {
    pub task: String,
    pub architecture: Architecture,
    pub training: TrainingInfo,
    /// Accuracy on the first `test_digits` rotated t10k digits.
    pub test_accuracy: f64,
    pub test_digits: usize,
    /// SHA-256 of the predicted labels on those digits (one byte each):
    /// lets anyone re-evaluate the model and compare exactly.
    pub test_predictions_digest: Option<String>,
}

/// Files stay under 1 MB: past this many coefficients (f32 base64 ≈ 5.3
/// bytes each) they are stored as f16.
const MAX_F32_COEFFICIENTS: usize = 160_000;

/// How `to_json` stores this network's coefficients: f32 (exact) unless
/// that would make the file too big, then f16.
pub fn storage_dtype(net: &Network) -> Dtype {
    if net.num_coefficients() <= MAX_F32_COEFFICIENTS {
        Dtype::F32le
    } else {
        Dtype::F16le
    }
}

/// Rounds every coefficient to its storage type, so that the network
/// evaluated before saving is exactly the one that loads.
pub fn round_for_storage(net: &mut Network) {
    let dtype = storage_dtype(net);
    for op in net.ops.iter_mut() {
        if let Op::Conv(l) = op {
            for c in l.coef.iter_mut() {
                *c = round_to(dtype, *c);
            }
        }
    }
}

/// The file layout (field order = JSON order).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u32,
    task: String,
    group: String,
    input_shape: (usize, usize, usize),
    architecture: Vec<OpSpec>,
    num_coefficients: usize,
    /// One entry per conv op, in order.
    coefficients: Vec<CoefficientBlock>,
    training: TrainingInfo,
    test_accuracy: f64,
    test_digits: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    test_predictions_digest: Option<String>,
}

/// Serialises a trained network with its metadata.
pub fn to_json(net: &Network, meta: &ModelMeta) -> Result<String> {
    check_matches(net, &meta.architecture)?;
    let dtype = storage_dtype(net);
    let file = ModelFile {
        format: FORMAT.into(),
        version: VERSION,
        task: meta.task.clone(),
        group: group_name(net.group),
        input_shape: net.input_shape,
        architecture: meta.architecture.ops.clone(),
        num_coefficients: net.num_coefficients(),
        coefficients: net
            .layers()
            .map(|l| CoefficientBlock::new(dtype, &l.coef))
            .collect(),
        training: meta.training.clone(),
        test_accuracy: meta.test_accuracy,
        test_digits: meta.test_digits,
        test_predictions_digest: meta.test_predictions_digest.clone(),
    };
    Ok(serde_json::to_string_pretty(&file)?)
}

/// The network must be the architecture's (same ops, fields and bases).
fn check_matches(net: &Network, arch: &Architecture) -> Result<()> {
    let rebuilt = arch.build()?;
    let same = rebuilt.group == net.group
        && rebuilt.input_shape == net.input_shape
        && rebuilt.ops.len() == net.ops.len()
        && rebuilt.ops.iter().zip(&net.ops).all(|(a, b)| match (a, b) {
            (Op::Conv(a), Op::Conv(b)) => {
                a.basis == b.basis
                    && (a.c_in, a.c_out, a.in_type, a.out_type)
                        == (b.c_in, b.c_out, b.in_type, b.out_type)
            }
            (a, b) => a == b,
        });
    if same {
        Ok(())
    } else {
        Err(Error::Model(
            "network does not match the architecture it is saved with".into(),
        ))
    }
}

/// Parses and validates a model file: format and version, known task and
/// group, architecture (bases rebuilt), coefficient counts, finite values.
pub fn from_json(text: &str) -> Result<(Network, ModelMeta)> {
    let file: ModelFile = serde_json::from_str(text)
        .map_err(|e| Error::Model(format!("not a valid model file: {e}")))?;
    check_envelope(&file.format, file.version, FORMAT)?;
    let task_group = tasks::group(&file.task).map_err(|_| {
        Error::Model(format!(
            "unknown task {:?} (known: {})",
            file.task,
            tasks::TASKS.join(", ")
        ))
    })?;
    let arch = Architecture {
        group: file.group.clone(),
        input_shape: file.input_shape,
        ops: file.architecture,
    };
    let group = arch.group()?;
    if group != task_group {
        return Err(Error::Model(format!(
            "task {} uses group {}, the file says {}",
            file.task,
            group_name(task_group),
            file.group
        )));
    }
    if file.input_shape != tasks::INPUT_SHAPE {
        return Err(Error::Model(format!(
            "input shape {:?} is not rotated MNIST's {:?}",
            file.input_shape,
            tasks::INPUT_SHAPE
        )));
    }
    // The coefficients are decoded first (their size is the file's own),
    // then handed to the layers as they are built: no layer allocates from
    // the widths in the file before they are known to match what it holds.
    let layers = arch
        .ops
        .iter()
        .filter(|op| matches!(op, OpSpec::Conv { .. }))
        .count();
    if file.coefficients.len() != layers {
        return Err(Error::Model(format!(
            "{} coefficient blocks for {layers} layers",
            file.coefficients.len()
        )));
    }
    let mut blocks = Vec::with_capacity(layers);
    for (li, block) in file.coefficients.iter().enumerate() {
        blocks.push(Some(block.values(&format!("layer {li}"))?));
    }
    let net = arch.build_with(|size| {
        let li = size.layer;
        let count = file.coefficients[li].count;
        let values = blocks[li].take().unwrap_or_default();
        let need = size.coefficients;
        if count != need || values.len() != need {
            return Err(Error::Model(format!(
                "layer {li}: shape mismatch: {}→{} fields × {} basis elements need {need} coefficients, the file has {} (count says {count})",
                size.c_in,
                size.c_out,
                size.basis_len,
                values.len(),
            )));
        }
        Ok(values)
    })?;
    let out = *net.shapes()?.last().expect("starts non-empty");
    if out != (tasks::CLASSES, 1, 1) {
        return Err(Error::Model(format!(
            "the network outputs {out:?}, not {} logits",
            tasks::CLASSES
        )));
    }
    if file.num_coefficients != net.num_coefficients() {
        return Err(Error::Model(format!(
            "num_coefficients says {}, the layers hold {}",
            file.num_coefficients,
            net.num_coefficients()
        )));
    }
    let t = &file.training;
    check_training(t.lr, t.seconds, t.cpu_seconds)?;
    check_test_figures(file.test_accuracy, file.test_predictions_digest.as_deref())?;
    net.validate()?;
    Ok((
        net,
        ModelMeta {
            task: file.task,
            architecture: arch,
            training: file.training,
            test_accuracy: file.test_accuracy,
            test_digits: file.test_digits,
            test_predictions_digest: file.test_predictions_digest,
        },
    ))
}

/// Reads and validates a model file (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn load(path: &std::path::Path) -> Result<(Network, ModelMeta)> {
    use crate::nn::model_file::{read_text, with_path};
    from_json(&read_text(path)?).map_err(with_path(path))
}

/// Writes a model file (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn save(path: &std::path::Path, net: &Network, meta: &ModelMeta) -> Result<()> {
    crate::nn::model_file::write_text(path, &to_json(net, meta)?)
}
