//! Test support for the permutation bases: every basis, dense operators
//! built by applying an element to unit tensors (never used by the library
//! itself), ranks, random tensors.

#![allow(dead_code)]

use eslt::basis::deepsets::DeepSets;
use eslt::basis::ign::Ign;
use eslt::basis::permutation::{tensor_len, Aggregation, PermutationBasis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every IGN basis (orders 0..=2 each way) and DeepSets, under both
/// aggregations, with a label for messages.
pub fn fixed_bases() -> Vec<(String, Box<dyn PermutationBasis>)> {
    let mut out: Vec<(String, Box<dyn PermutationBasis>)> = Vec::new();
    for aggregation in [Aggregation::Mean, Aggregation::Sum] {
        for l in 0..=2 {
            for m in 0..=2 {
                out.push((
                    format!("ign {l}->{m} {aggregation:?}"),
                    Box::new(Ign::new(l, m, aggregation).unwrap()),
                ));
            }
        }
        out.push((
            format!("deepsets {aggregation:?}"),
            Box::new(DeepSets::new(aggregation)),
        ));
    }
    out
}

/// Element k on n nodes as a dense matrix, row-major [output][input], one
/// channel: column q is B_k applied to the q-th unit tensor.
pub fn dense(basis: &dyn PermutationBasis, k: usize, n: usize) -> Vec<Vec<f64>> {
    dense_of(
        |x, out| basis.apply(k, n, 1, x, out),
        tensor_len(basis.input_order(), n, 1),
        tensor_len(basis.output_order(), n, 1),
    )
}

/// The adjoint of element k as a dense matrix [input][output].
pub fn dense_adjoint(basis: &dyn PermutationBasis, k: usize, n: usize) -> Vec<Vec<f64>> {
    dense_of(
        |y, out| basis.apply_adjoint(k, n, 1, y, out),
        tensor_len(basis.output_order(), n, 1),
        tensor_len(basis.input_order(), n, 1),
    )
}

fn dense_of(f: impl Fn(&[f32], &mut [f32]), cols: usize, rows: usize) -> Vec<Vec<f64>> {
    let mut m = vec![vec![0.0; cols]; rows];
    let mut e = vec![0.0f32; cols];
    let mut out = vec![0.0f32; rows];
    for q in 0..cols {
        e[q] = 1.0;
        f(&e, &mut out);
        for (r, &v) in out.iter().enumerate() {
            m[r][q] = f64::from(v);
        }
        e[q] = 0.0;
    }
    m
}

/// Rank of a set of vectors by Gaussian elimination with partial pivoting;
/// pivots below 1e-9 of the largest entry count as zero.
pub fn rank(vectors: &[Vec<f64>]) -> usize {
    let mut rows: Vec<Vec<f64>> = vectors.to_vec();
    let scale = rows.iter().flatten().fold(0.0f64, |a, &b| a.max(b.abs()));
    if scale == 0.0 {
        return 0;
    }
    let cols = rows.first().map_or(0, Vec::len);
    let mut r = 0;
    for col in 0..cols {
        let Some(pivot) =
            (r..rows.len()).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()))
        else {
            break;
        };
        if rows[pivot][col].abs() <= 1e-9 * scale {
            continue;
        }
        rows.swap(r, pivot);
        let p = rows[r].clone();
        for row in rows.iter_mut().skip(r + 1) {
            let f = row[col] / p[col];
            if f != 0.0 {
                row.iter_mut().zip(&p).for_each(|(v, &q)| *v -= f * q);
            }
        }
        r += 1;
        if r == rows.len() {
            break;
        }
    }
    r
}

/// Each element's dense matrix flattened, for ranks of whole bases.
pub fn flattened(basis: &dyn PermutationBasis, n: usize) -> Vec<Vec<f64>> {
    (0..basis.len())
        .map(|k| dense(basis, k, n).into_iter().flatten().collect())
        .collect()
}

/// Uniform(−1, 1) values.
pub fn random_tensor(len: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

pub fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum()
}
