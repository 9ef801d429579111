//! Comparing the ticket with the target on real inputs.

use crate::nn::{argmax_rows, Network};
use crate::Result;
use ndarray::{s, Array2, ArrayView4, Axis};
use serde::Serialize;

/// Logits `[count, classes]` of `net` on `images` (`[count, c, h, w]`).
pub fn logits(net: &Network, images: ArrayView4<f32>) -> Result<Array2<f32>> {
    let y = net.forward(images)?;
    let (b, c, h, w) = y.dim();
    y.into_shape_with_order((b, c * h * w))
        .map_err(|e| crate::Error::Model(e.to_string()))
}

/// Target vs ticket on labelled inputs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Comparison {
    pub test_digits: usize,
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    /// Top-1 agreement between target and ticket.
    pub agreement: f64,
    /// max |target logit − ticket logit| (original scale).
    pub max_logit_error: f64,
    /// max |target logit|, for scale.
    pub max_abs_logit: f64,
}

/// Compares `target` with `ticket × ticket_scale` on `images`.
pub fn compare(
    target: &Network,
    ticket: &Network,
    ticket_scale: f64,
    images: ArrayView4<f32>,
    labels: &[u8],
) -> Result<Comparison> {
    let count = images.dim().0.min(labels.len());
    let mut cmp = Comparison {
        test_digits: count,
        ..Default::default()
    };
    let (mut t_ok, mut k_ok, mut agree) = (0usize, 0usize, 0usize);
    const CHUNK: usize = 500;
    let mut start = 0;
    while start < count {
        let end = (start + CHUNK).min(count);
        let x = images.slice(s![start..end, .., .., ..]);
        let yt = logits(target, x)?;
        let yk = logits(ticket, x)? * ticket_scale as f32;
        for (a, b) in yt.iter().zip(yk.iter()) {
            cmp.max_logit_error = cmp.max_logit_error.max(f64::from((a - b).abs()));
            cmp.max_abs_logit = cmp.max_abs_logit.max(f64::from(a.abs()));
        }
        let pt = argmax_rows(yt.view().insert_axis(Axis(2)).insert_axis(Axis(3)));
        let pk = argmax_rows(yk.view().insert_axis(Axis(2)).insert_axis(Axis(3)));
        for (r, (&a, &b)) in pt.iter().zip(&pk).enumerate() {
            let label = usize::from(labels[start + r]);
            t_ok += usize::from(a == label);
            k_ok += usize::from(b == label);
            agree += usize::from(a == b);
        }
        start = end;
    }
    let c = count.max(1) as f64;
    cmp.target_accuracy = t_ok as f64 / c;
    cmp.ticket_accuracy = k_ok as f64 / c;
    cmp.agreement = agree as f64 / c;
    Ok(cmp)
}

/// The literal masked source network against the collapsed ticket.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LiteralCheck {
    pub digits: usize,
    pub max_abs_diff: f64,
    /// max_abs_diff / max |ticket logit|.
    pub max_rel_diff: f64,
}

/// Runs both on `images` and measures their largest disagreement.
pub fn literal_check(
    literal: &Network,
    fast: &Network,
    images: ArrayView4<f32>,
) -> Result<LiteralCheck> {
    let a = logits(literal, images)?;
    let b = logits(fast, images)?;
    let mut diff = 0.0f64;
    let mut scale = 0.0f64;
    for (x, y) in a.iter().zip(b.iter()) {
        diff = diff.max(f64::from((x - y).abs()));
        scale = scale.max(f64::from(y.abs()));
    }
    Ok(LiteralCheck {
        digits: images.dim().0,
        max_abs_diff: diff,
        max_rel_diff: if scale > 0.0 { diff / scale } else { diff },
    })
}
