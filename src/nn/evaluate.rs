//! Accuracy of a classifier on a set of images, and a digest of its
//! predictions (to compare runs across machines and targets).

use crate::nn::{argmax_rows, CpuForward, Network, PreparedForward};
use crate::{Error, Result};
use ndarray::ArrayView4;

/// Predictions and accuracy on a labelled set.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub predictions: Vec<usize>,
    pub correct: usize,
    pub accuracy: f64,
}

/// Classifies `images` (`[n][rows·cols]`, one grey channel) and scores them,
/// with the CPU forward on all cores.
pub fn evaluate(
    net: &Network,
    images: &[f32],
    labels: &[u8],
    rows: usize,
    cols: usize,
) -> Result<Evaluation> {
    let mut forward = CpuForward::new().prepare_cpu(net)?;
    evaluate_with(&mut forward, images, labels, rows, cols)
}

/// [`evaluate`] with a network prepared on any forward backend.
pub fn evaluate_with(
    forward: &mut dyn PreparedForward,
    images: &[f32],
    labels: &[u8],
    rows: usize,
    cols: usize,
) -> Result<Evaluation> {
    let n = labels.len();
    if images.len() != n * rows * cols {
        return Err(Error::InvalidArgument(format!(
            "{n} labels but {} pixel values of {rows}×{cols} images",
            images.len()
        )));
    }
    let x = ArrayView4::from_shape((n, 1, rows, cols), images)
        .map_err(|e| Error::InvalidArgument(format!("images: {e}")))?;
    let predictions = argmax_rows(forward.output(x)?.view());
    let correct = predictions
        .iter()
        .zip(labels)
        .filter(|(&p, &l)| p == l as usize)
        .count();
    Ok(Evaluation {
        correct,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        predictions,
    })
}

/// SHA-256 (hex) of the predicted labels, one byte each.
pub fn predictions_digest(predictions: &[usize]) -> String {
    let bytes: Vec<u8> = predictions.iter().map(|&p| p.min(255) as u8).collect();
    crate::sha256::sha256_hex(&bytes)
}
