//! The rotated t10k test digits the CLI evaluates on.

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::{Error, Result};
use ndarray::Array4;
use std::path::Path;

/// File name of the packed t10k digits under the data directory.
pub const T10K: &str = "mnist-t10k.digits";

/// The first `count` (all when `None`) t10k digits, each turned by its seeded
/// test angle, as `[count, 1, rows, cols]` pixels/255 with labels.
pub fn load(data_dir: &Path, count: Option<usize>) -> Result<(Array4<f32>, Vec<u8>)> {
    let path = data_dir.join(T10K);
    if !path.exists() {
        return Err(Error::Data {
            what: path.display().to_string(),
            why: "not found; run ./build.sh first (it fetches and converts MNIST)".into(),
        });
    }
    let digits = Digits::load(&path)?;
    let count = count.unwrap_or(digits.count);
    if count == 0 || count > digits.count {
        return Err(Error::InvalidArgument(format!(
            "--test-digits must be in 1..={}, got {count}",
            digits.count
        )));
    }
    let indices: Vec<usize> = (0..count).collect();
    let pixels = rotated_images(&digits, &indices, &test_angles(count));
    let images = Array4::from_shape_vec((count, 1, digits.rows, digits.cols), pixels)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    Ok((images, digits.labels[..count].to_vec()))
}
