//! The rotated-MNIST target tasks: their architectures and training defaults.
//!
//! Steerable CNNs: conv k×k trivial→f1 regular, ReLU, max-pool, conv f1→f2,
//! ReLU, max-pool, conv f2→f3, ReLU, group pool, global average pool, dense
//! f3→10. The plain CNN has the same number of channels per layer (C_1,
//! pixel basis); the MLP is 784-128-10. No biases (see `crate::slt`).
//!
//! # The committed models
//!
//! `eslt train --task <task> --seed 1` made each `www/models/<task>.json`
//! (add `--force` to overwrite: `eslt train` refuses an existing output).
//! The defaults are the committed models' settings: all 60,000 training
//! digits, each epoch freshly rotated by seeded uniform angles, batch 32,
//! Adam lr 3e-3 decaying to lr/20. Training is bit-for-bit reproducible:
//! re-running the c8 command gave identical coefficients and predictions
//! (`tests/nn_model_committed.rs` checks every file's recorded accuracy and
//! predictions digest). Accuracy on all 10,000 rotated t10k digits (one
//! seeded rotation each; `eslt eval --model www/models/<task>.json --json`):
//!
//! | task | group | architecture (fields) | coefficients | test accuracy | epochs | training wall time* | CPU time | file |
//! |---|---|---|---|---|---|---|---|---|
//! | rotmnist-c8 | C8 | 5×5 trivial→8 reg, 3×3 8→16, 3×3 16→16, group pool, avg, dense 16→10 | 18,680 | 95.14 % | 6 | 649 s on a quiet machine (1600 s under load) | 925 s | 101 KB |
//! | rotmnist-c4 | C4 | same, 16/32/32 fields | 37,360 | 95.85 % | 3 | 497 s | 456 s | 201 KB |
//! | rotmnist-d4 | D4 | same as c8 (8 channels per field) | 18,680 | 88.92 % | 3 | 1304 s | 475 s | 101 KB |
//! | rotmnist-cnn | C1 (pixel basis) | same channels as c8: 64/128/128 | 224,064 | 92.75 % | 3 | 483 s | 443 s | 599 KB (f16) |
//! | rotmnist-mlp | C1 | 784-128-10 | 101,632 | 93.25 % | 10 | 600 s | 57 s | 543 KB |
//!
//! \* Wall times were measured while several trainings and compiles shared
//! the 2 cores of the build machine (load average 6–15); CPU time does not
//! depend on that load. Re-run alone on the quiet machine, `eslt train
//! --task rotmnist-c8 --seed 1` took 649 s of training (11 min 2 s for the
//! whole command with the final 10k evaluation) and reproduced the
//! committed file exactly. The plain CNN, with 12× the coefficients of c8
//! and the same channels, is 2.4 pp worse; the MLP, trained longer, beats
//! it. D4 got only 3 epochs and is the weakest; C4 beats C8 (its 90°
//! rotations are exact on the pixel grid and it has twice the
//! coefficients). Files above 160k coefficients store f16 coefficients so
//! that every file stays under 1 MB; the recorded accuracy is that of the
//! stored, rounded network.
//!
//! A model file is versioned JSON (`format: "eslt-model", version: 1`):
//! task, group, architecture, coefficients (base64 of little-endian f32, or
//! f16 above 160k coefficients, [`crate::nn::coef_encoding`]), training
//! info with the reproducing command, and test accuracy. The bases are
//! rebuilt from the architecture at load; the loader rejects a wrong
//! format or version, an unknown task or group, shape mismatches, NaN/∞
//! and bad encodings with a typed error ([`crate::nn::model`]).
//! `eslt eval --model FILE [--rotate DEG] [--test-digits N] [--json]`
//! prints `task, accuracy, test_digits, seconds, predictions_digest`
//! (SHA-256 of the predicted labels), and more.
//!
//! Under a further 45° turn (not an exact group element on the pixel grid;
//! `eslt eval --model FILE --rotate 45 --json`, key `logit_change_45` in
//! `eslt eval --json`), c8 keeps its prediction on 96.3 % of digits (d4
//! 92 %, c4 96 %, cnn 93 %, mlp 92 %). Under exact elements (multiples of
//! 90°, reflections for D4) the steerable models' logits change by < 1e-5
//! relative (`tests/nn_equivariance.rs`).

use crate::group::{FieldType, Group};
use crate::nn::architecture::{group_name, Architecture, BasisKind, OpSpec};
use crate::nn::Network;
use crate::{Error, Result};

/// Every task name, the default first.
pub const TASKS: [&str; 5] = [
    "rotmnist-c8",
    "rotmnist-d4",
    "rotmnist-c4",
    "rotmnist-cnn",
    "rotmnist-mlp",
];

pub const DEFAULT_TASK: &str = "rotmnist-c8";

/// MNIST digits: one grey channel, 28×28.
pub const INPUT_SHAPE: (usize, usize, usize) = (1, 28, 28);
pub const CLASSES: usize = 10;

/// Channels per layer of every convolutional task (|G| · fields).
pub const CHANNELS: [usize; 3] = [64, 128, 128];

/// Default training schedule of a task (the committed models' settings).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainDefaults {
    pub epochs: usize,
    pub train_digits: usize,
    pub batch_size: usize,
    pub lr: f32,
}

/// Training defaults of `task`: the committed models' settings. The C8
/// target (the acceptance model) gets six epochs; D4, C4 and the plain CNN,
/// which cost as much per digit, three (they were trained on a shared 2-core
/// machine in the same hour); the MLP is cheap.
pub fn train_defaults(task: &str) -> Result<TrainDefaults> {
    check(task)?;
    let epochs = match task {
        "rotmnist-c8" => 6,
        "rotmnist-mlp" => 10,
        _ => 3,
    };
    Ok(TrainDefaults {
        epochs,
        train_digits: 60_000,
        batch_size: 32,
        lr: 3e-3,
    })
}

fn check(task: &str) -> Result<()> {
    if TASKS.contains(&task) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "unknown task {task:?} (known: {})",
            TASKS.join(", ")
        )))
    }
}

/// The group of a task.
pub fn group(task: &str) -> Result<Group> {
    check(task)?;
    Ok(match task {
        "rotmnist-c8" => Group::Cyclic(8),
        "rotmnist-d4" => Group::Dihedral(4),
        "rotmnist-c4" => Group::Cyclic(4),
        _ => Group::Cyclic(1),
    })
}

/// The steerable CNN family with `fields` regular fields per layer.
pub fn steerable_cnn(
    group: Group,
    fields: [usize; 3],
    ksize: [usize; 3],
    basis: BasisKind,
) -> Architecture {
    let (t, r) = if group.order() == 1 {
        (FieldType::Trivial, FieldType::Trivial)
    } else {
        (FieldType::Trivial, FieldType::Regular)
    };
    let conv = |in_type, out_type, c_in, c_out, ksize, basis| OpSpec::Conv {
        in_type,
        out_type,
        c_in,
        c_out,
        ksize,
        basis,
    };
    Architecture {
        group: group_name(group),
        input_shape: INPUT_SHAPE,
        ops: vec![
            conv(t, r, 1, fields[0], ksize[0], basis),
            OpSpec::Relu,
            OpSpec::MaxPool2,
            conv(r, r, fields[0], fields[1], ksize[1], basis),
            OpSpec::Relu,
            OpSpec::MaxPool2,
            conv(r, r, fields[1], fields[2], ksize[2], basis),
            OpSpec::Relu,
            OpSpec::GroupPool,
            OpSpec::GlobalAvgPool,
            conv(t, t, fields[2], CLASSES, 1, BasisKind::Dense),
        ],
    }
}

/// A dense network on the flattened image: sizes\[0] = pixels, …, classes.
pub fn mlp(hidden: usize) -> Architecture {
    let t = FieldType::Trivial;
    let (c, h, w) = INPUT_SHAPE;
    let dense = |c_in, c_out| OpSpec::Conv {
        in_type: t,
        out_type: t,
        c_in,
        c_out,
        ksize: 1,
        basis: BasisKind::Dense,
    };
    Architecture {
        group: group_name(Group::Cyclic(1)),
        input_shape: INPUT_SHAPE,
        ops: vec![
            OpSpec::Flatten,
            dense(c * h * w, hidden),
            OpSpec::Relu,
            dense(hidden, CLASSES),
        ],
    }
}

/// The architecture of `task`, with kernel sizes `ksize` for the CNNs'
/// three convolutions.
pub fn architecture_with(
    task: &str,
    ksize: [usize; 3],
    channels: [usize; 3],
) -> Result<Architecture> {
    let g = group(task)?;
    if task == "rotmnist-mlp" {
        return Ok(mlp(128));
    }
    let order = g.order();
    if channels.iter().any(|&c| c == 0 || c % order != 0) {
        return Err(Error::InvalidArgument(format!(
            "channels per layer {channels:?} must be positive multiples of |G| = {order}"
        )));
    }
    let fields = channels.map(|c| c / order);
    let basis = if order == 1 {
        BasisKind::Pixel
    } else {
        BasisKind::Steerable
    };
    Ok(steerable_cnn(g, fields, ksize, basis))
}

/// Default kernel sizes of the convolutional tasks' three convolutions.
/// 5×5 on the 28×28 input, 3×3 after each pooling: 3×3 everywhere loses
/// too much angular resolution on the input, 5×5 everywhere costs 2.7× the
/// compute (measured: see the model table in the README).
pub const KSIZE: [usize; 3] = [5, 3, 3];

/// The architecture of `task`.
pub fn architecture(task: &str) -> Result<Architecture> {
    architecture_with(task, KSIZE, CHANNELS)
}

/// The network of `task`, coefficients initialised from `seed`.
pub fn build(task: &str, seed: u64) -> Result<Network> {
    let mut net = architecture(task)?.build()?;
    net.init_coefficients(seed);
    Ok(net)
}
