//! Comparing the ticket with the target on real inputs.

use crate::nn::{CpuForward, Network, PreparedForward};
use crate::slt::driver::VerifyInputs;
use crate::slt::image_inputs::ImageRows;
use crate::Result;
use ndarray::{Array2, ArrayView4};
use serde::Serialize;

/// Logits `[count, classes]` of `net` on `images` (`[count, c, h, w]`), by
/// the CPU forward on all cores. To run many batches of one network,
/// prepare it once on a [`crate::nn::ForwardBackend`] and call
/// [`PreparedForward::logits`].
pub fn logits(net: &Network, images: ArrayView4<f32>) -> Result<Array2<f32>> {
    CpuForward::new().prepare_cpu(net)?.logits(images)
}

/// Target vs ticket on labelled inputs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Comparison {
    /// Test rows compared (digits, or graph rows).
    #[serde(rename = "test_digits")]
    pub rows: usize,
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    /// Top-1 agreement between target and ticket.
    pub agreement: f64,
    /// The unpruned random source's own accuracy on the same inputs, when
    /// the driver evaluated it (see [`crate::slt::source_network`]).
    pub source_accuracy: Option<f64>,
    /// max |target logit − ticket logit| (original scale).
    pub max_logit_error: f64,
    /// max |target logit|, for scale.
    pub max_abs_logit: f64,
}

/// Running totals of a comparison, fed slice by slice in any order: the
/// totals (and so the [`Comparison`]) do not depend on how the inputs were
/// split.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub count: usize,
    pub target_correct: usize,
    pub ticket_correct: usize,
    pub agree: usize,
    /// Inputs the unpruned source was evaluated on, and those it got right.
    pub source_count: usize,
    pub source_correct: usize,
    pub max_logit_error: f64,
    pub max_abs_logit: f64,
}

impl Tally {
    /// Adds `labels.len()` inputs: `target` and `ticket` logits, row-major
    /// `[labels.len(), classes]`; `ticket` is the rebalanced ticket's raw
    /// output, scaled here by `ticket_scale` (in f32, as everywhere).
    /// Returns the argmax predictions (target, ticket) of the rows.
    pub fn add(
        &mut self,
        target: &[f32],
        ticket: &[f32],
        ticket_scale: f64,
        labels: &[u8],
    ) -> crate::Result<(Vec<u8>, Vec<u8>)> {
        let rows = labels.len();
        if rows == 0 || target.len() != ticket.len() || target.len() % rows != 0 {
            return Err(crate::Error::InvalidArgument(format!(
                "logits of {} and {} values for {rows} inputs",
                target.len(),
                ticket.len()
            )));
        }
        let classes = target.len() / rows;
        let scale = ticket_scale as f32;
        let mut pt = Vec::with_capacity(rows);
        let mut pk = Vec::with_capacity(rows);
        for (r, &label) in labels.iter().enumerate() {
            let yt = &target[r * classes..(r + 1) * classes];
            let yk: Vec<f32> = ticket[r * classes..(r + 1) * classes]
                .iter()
                .map(|&v| v * scale)
                .collect();
            for (a, b) in yt.iter().zip(&yk) {
                self.max_logit_error = self.max_logit_error.max(f64::from((a - b).abs()));
                self.max_abs_logit = self.max_abs_logit.max(f64::from(a.abs()));
            }
            let (a, b) = (argmax(yt), argmax(&yk));
            self.target_correct += usize::from(a == usize::from(label));
            self.ticket_correct += usize::from(b == usize::from(label));
            self.agree += usize::from(a == b);
            pt.push(a as u8);
            pk.push(b as u8);
        }
        self.count += rows;
        Ok((pt, pk))
    }

    /// Adds the unpruned source's logits on `labels.len()` inputs (any
    /// positive scale: only their argmax counts).
    pub fn add_source(&mut self, source: &[f32], labels: &[u8]) -> crate::Result<()> {
        let rows = labels.len();
        if rows == 0 || source.len() % rows != 0 {
            return Err(crate::Error::InvalidArgument(format!(
                "source logits of {} values for {rows} inputs",
                source.len()
            )));
        }
        let classes = source.len() / rows;
        for (row, &label) in source.chunks_exact(classes).zip(labels) {
            self.source_correct += usize::from(argmax(row) == usize::from(label));
        }
        self.source_count += rows;
        Ok(())
    }

    pub fn comparison(&self) -> Comparison {
        let c = self.count.max(1) as f64;
        Comparison {
            rows: self.count,
            target_accuracy: self.target_correct as f64 / c,
            ticket_accuracy: self.ticket_correct as f64 / c,
            agreement: self.agree as f64 / c,
            // Only once every input counted so far has the source's answer.
            source_accuracy: (self.count > 0 && self.source_count == self.count)
                .then(|| self.source_correct as f64 / c),
            max_logit_error: self.max_logit_error,
            max_abs_logit: self.max_abs_logit,
        }
    }
}

/// Index of the largest value, the first of equals (as
/// [`crate::nn::argmax_rows`]).
fn argmax(row: &[f32]) -> usize {
    let (mut best, mut bv) = (0, f32::NEG_INFINITY);
    for (i, &v) in row.iter().enumerate() {
        if v > bv {
            (best, bv) = (i, v);
        }
    }
    best
}

/// Compares `target` with `ticket × ticket_scale` on `images`.
pub fn compare(
    target: &Network,
    ticket: &Network,
    ticket_scale: f64,
    images: ArrayView4<f32>,
    labels: &[u8],
) -> Result<Comparison> {
    let cpu = CpuForward::new();
    let rows = ImageRows::new(images.view(), labels, &cpu);
    compare_rows(target, ticket, ticket_scale, &rows, labels)
}

/// Compares `target` with `ticket × ticket_scale` on every row of
/// `inputs` (labels `labels`), in slices of a few hundred rows: the
/// comparison of either kind of network.
pub fn compare_rows<N>(
    target: &N,
    ticket: &N,
    ticket_scale: f64,
    inputs: &dyn VerifyInputs<N>,
    labels: &[u8],
) -> Result<Comparison> {
    let count = inputs.rows().min(labels.len());
    let mut tally = Tally::default();
    let (mut target, mut ticket) = (inputs.prepare(target)?, inputs.prepare(ticket)?);
    const CHUNK: usize = 500;
    let mut start = 0;
    while start < count {
        let end = (start + CHUNK).min(count);
        let (yt, yk) = (target.logits(start..end)?, ticket.logits(start..end)?);
        tally.add(&yt, &yk, ticket_scale, &labels[start..end])?;
        start = end;
    }
    Ok(tally.comparison())
}

/// The literal masked source network against the collapsed ticket.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LiteralCheck {
    /// Test rows run through both networks.
    #[serde(rename = "digits")]
    pub rows: usize,
    pub max_abs_diff: f64,
    /// max_abs_diff / max |ticket logit|.
    pub max_rel_diff: f64,
}

impl LiteralCheck {
    /// The largest disagreement of two sets of logits of `rows` inputs.
    pub fn from_logits(rows: usize, literal: &[f32], ticket: &[f32]) -> Result<Self> {
        if literal.len() != ticket.len() {
            return Err(crate::Error::InvalidArgument(format!(
                "literal check: {} and {} logits",
                literal.len(),
                ticket.len()
            )));
        }
        let mut diff = 0.0f64;
        let mut scale = 0.0f64;
        for (x, y) in literal.iter().zip(ticket) {
            diff = diff.max(f64::from((x - y).abs()));
            scale = scale.max(f64::from(y.abs()));
        }
        Ok(LiteralCheck {
            rows,
            max_abs_diff: diff,
            max_rel_diff: if scale > 0.0 { diff / scale } else { diff },
        })
    }
}

/// Runs both on `images` and measures their largest disagreement.
pub fn literal_check(
    literal: &Network,
    fast: &Network,
    images: ArrayView4<f32>,
) -> Result<LiteralCheck> {
    let cpu = CpuForward::new();
    let a = cpu.prepare_cpu(literal)?.logits_flat(images)?;
    let b = cpu.prepare_cpu(fast)?.logits_flat(images)?;
    LiteralCheck::from_logits(images.dim().0, &a, &b)
}
