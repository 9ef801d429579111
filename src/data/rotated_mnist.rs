//! Rotated MNIST after Larochelle et al. 2007: every digit rotated about the
//! image centre by an angle uniform in [0, 2π), bilinear interpolation.
//!
//! The test rotations are seeded once here so that native evaluation, the
//! tests and the page rotate the t10k digits identically (ChaCha8 gives the
//! same stream on every target; the u32 → angle map below is ours and
//! documented, not a library's distribution internals).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::digits::Digits;
use super::rotate::rotate_bilinear;

/// Seed of the one rotation per test digit (the year of Larochelle et al.).
pub const TEST_ROTATION_SEED: u64 = 2007;

/// 2^24: the angle grid has this many steps over [0, 2π).
const ANGLE_STEPS: f32 = 16_777_216.0;

/// Maps one 32-bit draw to an angle in [0, 2π): the top 24 bits pick one of
/// 2^24 equally spaced angles. Exact in f32 (24-bit integer times a power of
/// two times TAU, one rounding), and the largest value rounds below 2π.
pub fn angle_from_u32(draw: u32) -> f32 {
    (draw >> 8) as f32 * (std::f32::consts::TAU / ANGLE_STEPS)
}

/// `count` angles uniform in [0, 2π) from `ChaCha8Rng::seed_from_u64(seed)`:
/// item i is the i-th `next_u32` draw mapped by [`angle_from_u32`].
pub fn angles(seed: u64, count: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count).map(|_| angle_from_u32(rng.next_u32())).collect()
}

/// The seeded rotation of each of the first `count` test digits.
pub fn test_angles(count: usize) -> Vec<f32> {
    angles(TEST_ROTATION_SEED, count)
}

/// Digits `indices` as pixels/255, each rotated by the matching angle,
/// laid out `[indices.len()][rows*cols]`.
///
/// Panics if an index is out of range or the slices differ in length (a
/// caller bug; the page's API checks both before calling).
pub fn rotated_images(digits: &Digits, indices: &[usize], angles: &[f32]) -> Vec<f32> {
    assert_eq!(
        indices.len(),
        angles.len(),
        "rotated_images: one angle per index"
    );
    let n = digits.pixels_per_digit();
    let mut out = vec![0.0f32; indices.len() * n];
    let mut src = vec![0.0f32; n];
    for ((&i, &angle), dst) in indices.iter().zip(angles).zip(out.chunks_exact_mut(n)) {
        for (s, &p) in src.iter_mut().zip(digits.image(i)) {
            *s = p as f32 / 255.0;
        }
        rotate_bilinear(&src, digits.rows, digits.cols, angle, dst);
    }
    out
}

/// Test digits `start..end`, each turned by its seeded test angle, as
/// `[end − start, 1, rows, cols]` pixels/255 — what every evaluation of a
/// rotated-MNIST network (CLI, tests, page) reads.
pub fn test_images(
    digits: &Digits,
    start: usize,
    end: usize,
) -> crate::Result<ndarray::Array4<f32>> {
    if start > end || end > digits.count {
        return Err(crate::Error::InvalidArgument(format!(
            "test digits {start}..{end} out of range (have {})",
            digits.count
        )));
    }
    let indices: Vec<usize> = (start..end).collect();
    let angles = test_angles(end);
    let pixels = rotated_images(digits, &indices, &angles[start..end]);
    ndarray::Array4::from_shape_vec((end - start, 1, digits.rows, digits.cols), pixels)
        .map_err(|e| crate::Error::InvalidArgument(e.to_string()))
}

/// File name of the packed t10k digits under a data directory.
pub const T10K: &str = "mnist-t10k.digits";

/// The first `count` (all when `None`) t10k digits under `data_dir`, each
/// turned by its seeded test angle, as `[count, 1, rows, cols]` pixels/255
/// with their labels: the test rows of every image model (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn load_test_set(
    data_dir: &std::path::Path,
    count: Option<usize>,
) -> crate::Result<(ndarray::Array4<f32>, Vec<u8>)> {
    let path = data_dir.join(T10K);
    if !path.exists() {
        return Err(crate::Error::Data {
            what: path.display().to_string(),
            why: "not found; run ./build.sh first (it fetches and converts MNIST)".into(),
        });
    }
    let digits = Digits::load(&path)?;
    let count = count.unwrap_or(digits.count);
    if count == 0 || count > digits.count {
        return Err(crate::Error::InvalidArgument(format!(
            "--test-digits must be in 1..={}, got {count}",
            digits.count
        )));
    }
    Ok((
        test_images(&digits, 0, count)?,
        digits.labels[..count].to_vec(),
    ))
}
