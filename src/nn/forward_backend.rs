//! The forward-backend interface: how the run, the CLI and the page evaluate
//! a network on batches, whatever computes it.
//!
//! The core defines it and implements it on the CPU
//! ([`crate::nn::cpu_forward::CpuForward`]); a GPU backend implements it
//! outside the core (the core never imports it). A backend turns a
//! [`Network`] into a [`PreparedForward`] once — expanded kernels, laid out
//! for the device, buffers allocated — and the prepared forward then runs any
//! number of batches. Intermediate feature maps are the output of a prefix of
//! the network ([`Network::prefix`]), prepared the same way.

use crate::nn::{CpuForward, Network};
use crate::{Error, Result};
use ndarray::{Array2, Array4, ArrayView4};

/// Something that can evaluate networks: the CPU, a GPU.
pub trait ForwardBackend {
    /// Short name for reports ("cpu", "gpu").
    fn name(&self) -> &str;

    /// Validates `net` and builds everything that does not depend on the
    /// input (expanded kernels, device buffers).
    fn prepare(&self, net: &Network) -> Result<Box<dyn PreparedForward>>;

    /// The backend as the CPU forward, if it is one (work that must run on
    /// the CPU then shares its threads).
    fn as_cpu(&self) -> Option<&CpuForward> {
        None
    }
}

/// A network made ready on a backend: evaluates batches of inputs.
pub trait PreparedForward: Send {
    /// Name of the backend that prepared it.
    fn backend(&self) -> &str;

    /// The network's output `[b, c, h, w]` on `x` (`[b, channels, height,
    /// width]` = the network's input shape); for the classifiers
    /// `[b, classes, 1, 1]`.
    fn output(&mut self, x: ArrayView4<f32>) -> Result<Array4<f32>>;

    /// The output flattened per input: `[b, c·h·w]` (logits).
    fn logits(&mut self, x: ArrayView4<f32>) -> Result<Array2<f32>> {
        let y = self.output(x)?;
        let (b, c, h, w) = y.dim();
        y.into_shape_with_order((b, c * h * w))
            .map_err(|e| Error::Model(e.to_string()))
    }

    /// The logits as one row-major vector (what the run's `submit_logits`
    /// and the page's typed arrays take).
    fn logits_flat(&mut self, x: ArrayView4<f32>) -> Result<Vec<f32>> {
        Ok(self.logits(x)?.iter().copied().collect())
    }
}
