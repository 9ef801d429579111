//! Verification rows of images, for the run's driver: a row is one image
//! `[c, h, w]` of a `[count, c, h, w]` batch with its label, evaluated by a
//! forward backend (the CPU's, a GPU's) — the image twin of
//! [`crate::slt::graph_inputs::GraphRows`].

use std::ops::Range;

use ndarray::{s, ArrayView4};

use crate::nn::{ForwardBackend, Network, PreparedForward};
use crate::slt::driver::{RowLogits, VerifyInputs};
use crate::slt::literal_forward::literal_check_logits;
use crate::slt::mask::LayerMask;
use crate::slt::source::SourceLayer;
use crate::Result;

/// Labelled images as verification rows.
pub struct ImageRows<'a> {
    images: ArrayView4<'a, f32>,
    labels: &'a [u8],
    forward: &'a dyn ForwardBackend,
}

impl<'a> ImageRows<'a> {
    /// `images` `[count, c, h, w]` with one label each, through `forward`.
    pub fn new(
        images: ArrayView4<'a, f32>,
        labels: &'a [u8],
        forward: &'a dyn ForwardBackend,
    ) -> Self {
        Self {
            images,
            labels,
            forward,
        }
    }

    /// The label of every row.
    pub fn labels(&self) -> Vec<u8> {
        self.labels[..self.rows()].to_vec()
    }
}

struct PreparedImages<'a> {
    images: ArrayView4<'a, f32>,
    net: Box<dyn PreparedForward>,
}

impl VerifyInputs<Network> for ImageRows<'_> {
    fn rows(&self) -> usize {
        self.images.dim().0.min(self.labels.len())
    }

    fn prepare(&self, net: &Network) -> Result<Box<dyn RowLogits + '_>> {
        Ok(Box::new(PreparedImages {
            images: self.images.view(),
            net: self.forward.prepare(net)?,
        }))
    }

    /// Streamed on the CPU, the ticket there too (see
    /// [`literal_check_logits`]): on the forward's threads if it is the
    /// CPU's, else on all cores.
    fn literal_check(
        &self,
        target: &Network,
        layers: &[(&SourceLayer, &LayerMask)],
        ticket: &Network,
        rows: Range<usize>,
    ) -> Result<(Vec<f32>, Vec<f32>)> {
        let images = self.images.slice(s![rows, .., .., ..]);
        let cpu = self.forward.as_cpu().cloned().unwrap_or_default();
        literal_check_logits(target, layers, ticket, images, &cpu)
    }
}

impl RowLogits for PreparedImages<'_> {
    fn logits(&mut self, rows: Range<usize>) -> Result<Vec<f32>> {
        self.net
            .logits_flat(self.images.slice(s![rows, .., .., ..]))
    }
}
