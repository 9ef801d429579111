//! Training a target network: mini-batch Adam on softmax cross-entropy,
//! every training digit freshly rotated (uniform in [0, 2π), bilinear) each
//! epoch. Seeded: the same seed gives the same model.

use crate::data::rotate::rotate_bilinear;
use crate::nn::{softmax_cross_entropy, Adam, Network, Op};
use crate::{Error, Result};
use ndarray::Array4;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Hyper-parameters of a training run.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's initial step size; decays by a cosine to `lr / 20`.
    pub lr: f32,
    /// Seeds the rotations and the order of the digits (the coefficients
    /// are initialised by the caller).
    pub seed: u64,
}

/// Running statistics reported after every mini-batch.
#[derive(Clone, Debug)]
pub struct TrainProgress {
    pub epoch: usize,
    /// Mini-batches done so far, over all epochs, and in total.
    pub step: usize,
    pub steps_total: usize,
    pub steps_per_epoch: usize,
    /// Mean loss and accuracy over the current epoch so far.
    pub loss: f32,
    pub accuracy: f32,
}

/// Grey-scale training images (pixels in [0, 1], unrotated) and labels.
pub struct TrainSet<'a> {
    pub images: &'a [f32],
    pub labels: &'a [u8],
    pub rows: usize,
    pub cols: usize,
}

/// Cosine decay from `lr` to `lr / 20` over the run.
fn learning_rate(cfg: &TrainConfig, step: usize, total: usize) -> f32 {
    let t = step as f32 / total.max(1) as f32;
    let floor = cfg.lr / 20.0;
    floor + 0.5 * (cfg.lr - floor) * (1.0 + (std::f32::consts::PI * t).cos())
}

/// Trains `net` in place. `on_progress` is called after every mini-batch
/// with the updated network (e.g. to evaluate it at the end of an epoch)
/// and may return `false` to cancel (→ `Error::Cancelled`).
pub fn train(
    net: &mut Network,
    data: &TrainSet,
    cfg: &TrainConfig,
    on_progress: &mut dyn FnMut(&TrainProgress, &Network) -> bool,
) -> Result<TrainProgress> {
    let pix = data.rows * data.cols;
    let n = data.labels.len();
    if data.images.len() != n * pix || n == 0 {
        return Err(Error::InvalidArgument(format!(
            "training set: {} labels but {} pixel values of {}×{} images",
            n,
            data.images.len(),
            data.rows,
            data.cols
        )));
    }
    if net.input_shape != (1, data.rows, data.cols) {
        return Err(Error::InvalidArgument(format!(
            "network input {:?} does not fit {}×{} grey-scale images",
            net.input_shape, data.rows, data.cols
        )));
    }
    if cfg.batch_size == 0 || cfg.epochs == 0 {
        return Err(Error::InvalidArgument(
            "epochs and batch size must be positive".into(),
        ));
    }
    net.validate()?;
    let sizes: Vec<usize> = net.layers().map(|l| l.coef.len()).collect();
    let mut adam = Adam::new(cfg.lr, &sizes);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let steps_per_epoch = n.div_ceil(cfg.batch_size);
    let steps_total = steps_per_epoch * cfg.epochs;
    let mut order: Vec<usize> = (0..n).collect();
    let mut last = None;
    let mut step = 0;
    for epoch in 0..cfg.epochs {
        order.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
        for batch in order.chunks(cfg.batch_size) {
            let b = batch.len();
            let mut x = Array4::<f32>::zeros((b, 1, data.rows, data.cols));
            let xs = x.as_slice_mut().expect("fresh array is contiguous");
            let mut labels = Vec::with_capacity(b);
            for (slot, &i) in batch.iter().enumerate() {
                let angle = rng.random_range(0.0..std::f32::consts::TAU);
                rotate_bilinear(
                    &data.images[i * pix..(i + 1) * pix],
                    data.rows,
                    data.cols,
                    angle,
                    &mut xs[slot * pix..(slot + 1) * pix],
                );
                labels.push(data.labels[i]);
            }
            let tape = net.forward_tape(x.view())?;
            let out = softmax_cross_entropy(tape.output.view(), &labels)?;
            if !out.loss.is_finite() {
                return Err(Error::InvalidArgument(format!(
                    "training diverged at epoch {epoch} (loss {})",
                    out.loss
                )));
            }
            let grads = net.backward(&tape, out.d_logits.view())?;
            adam.lr = learning_rate(cfg, step, steps_total);
            let mut params: Vec<&mut Vec<f32>> = net
                .ops
                .iter_mut()
                .filter_map(|op| match op {
                    Op::Conv(l) => Some(&mut l.coef),
                    _ => None,
                })
                .collect();
            adam.step(&mut params, &grads);
            step += 1;
            loss_sum += out.loss as f64 * b as f64;
            correct += out.correct;
            seen += b;
            let p = TrainProgress {
                epoch,
                step,
                steps_total,
                steps_per_epoch,
                loss: (loss_sum / seen as f64) as f32,
                accuracy: correct as f32 / seen as f32,
            };
            if !on_progress(&p, net) {
                return Err(Error::Cancelled);
            }
            last = Some(p);
        }
    }
    last.ok_or_else(|| Error::InvalidArgument("no training step was run".into()))
}
