//! Test support: a naive reference convolution with nn's weight layout, so
//! basis tests don't depend on src/nn.

#![allow(dead_code)]

use eslt::basis::KernelBasis;
use ndarray::{Array4, ArrayView4};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Dense weights W[o*out_dim+p][i*in_dim+q][y][x] = Σ_k α[o,i,k] B_k[p][q][y][x].
pub fn expand(basis: &KernelBasis, c_out: usize, c_in: usize, coef: &[f32]) -> Array4<f32> {
    let (od, id, k, n) = (basis.out_dim, basis.in_dim, basis.ksize, basis.len());
    let mut w = Array4::<f32>::zeros((c_out * od, c_in * id, k, k));
    for o in 0..c_out {
        for i in 0..c_in {
            for (b, elem) in basis.elems.iter().enumerate() {
                let a = coef[(o * c_in + i) * n + b];
                for p in 0..od {
                    for q in 0..id {
                        for y in 0..k {
                            for x in 0..k {
                                w[[o * od + p, i * id + q, y, x]] +=
                                    a * elem[((p * id + q) * k + y) * k + x];
                            }
                        }
                    }
                }
            }
        }
    }
    w
}

/// Cross-correlation with "same" zero padding, stride 1 (naive loops over
/// contiguous slices).
pub fn conv_same(input: ArrayView4<f32>, w: &Array4<f32>) -> Array4<f32> {
    let (batch, cin, h, wd) = input.dim();
    let (cout, cin2, k, _) = w.dim();
    assert_eq!(cin, cin2);
    let input = input.as_standard_layout();
    let xs = input.as_slice().unwrap();
    let ws = w.as_slice().unwrap();
    let c = k / 2;
    let mut out = Array4::<f32>::zeros((batch, cout, h, wd));
    let os = out.as_slice_mut().unwrap();
    for b in 0..batch {
        for o in 0..cout {
            for i in 0..cin {
                let plane = &xs[(b * cin + i) * h * wd..(b * cin + i + 1) * h * wd];
                let dst = &mut os[(b * cout + o) * h * wd..(b * cout + o + 1) * h * wd];
                for dy in 0..k {
                    for dx in 0..k {
                        let wv = ws[((o * cin + i) * k + dy) * k + dx];
                        if wv == 0.0 {
                            continue;
                        }
                        // Output rows/cols whose input tap lies inside the grid.
                        let (y0, y1) = (c.saturating_sub(dy), (h + c).saturating_sub(dy).min(h));
                        let (x0, x1) = (c.saturating_sub(dx), (wd + c).saturating_sub(dx).min(wd));
                        for y in y0..y1 {
                            let yy = y + dy - c;
                            for x in x0..x1 {
                                dst[y * wd + x] += wv * plane[yy * wd + x + dx - c];
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Uniform(−1, 1) feature map, seeded.
pub fn random_map(seed: u64, shape: (usize, usize, usize, usize)) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0f32..1.0))
}
