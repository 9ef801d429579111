//! Softmax cross-entropy on logits `[b, classes, 1, 1]`.

use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

/// Mean loss over the batch, its gradient w.r.t. the logits, and the number
/// of correct argmax predictions.
pub struct LossOutput {
    pub loss: f32,
    pub d_logits: Array4<f32>,
    pub correct: usize,
}

/// Softmax cross-entropy averaged over the batch.
pub fn softmax_cross_entropy(logits: ArrayView4<f32>, labels: &[u8]) -> Result<LossOutput> {
    let (b, k, h, w) = logits.dim();
    if h != 1 || w != 1 || labels.len() != b {
        return Err(Error::InvalidArgument(format!(
            "cross-entropy needs logits [b, classes, 1, 1] and b labels, got {:?} and {}",
            logits.dim(),
            labels.len()
        )));
    }
    if let Some(&l) = labels.iter().find(|&&l| l as usize >= k) {
        return Err(Error::InvalidArgument(format!(
            "label {l} outside {k} classes"
        )));
    }
    let mut d = Array4::<f32>::zeros((b, k, 1, 1));
    let mut loss = 0.0f64;
    let mut correct = 0;
    let inv_b = 1.0 / b.max(1) as f32;
    for n in 0..b {
        let row: Vec<f32> = (0..k).map(|c| logits[[n, c, 0, 0]]).collect();
        let max = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let exps: Vec<f64> = row.iter().map(|&v| ((v - max) as f64).exp()).collect();
        let z: f64 = exps.iter().sum();
        let y = labels[n] as usize;
        loss += z.ln() - (row[y] - max) as f64;
        let best = (0..k).fold(0, |bi, c| if row[c] > row[bi] { c } else { bi });
        if best == y {
            correct += 1;
        }
        for c in 0..k {
            let p = (exps[c] / z) as f32;
            d[[n, c, 0, 0]] = (p - if c == y { 1.0 } else { 0.0 }) * inv_b;
        }
    }
    Ok(LossOutput {
        loss: (loss / b.max(1) as f64) as f32,
        d_logits: d,
        correct,
    })
}
