//! Removing linearly dependent kernels and normalising the rest.
//!
//! Modified Gram–Schmidt in f64, applied twice per vector for stability.
//! Every step is an elementwise linear combination with scalar weights, so
//! a set of kernels that grid-exact elements permute bit for bit stays so.

/// A candidate kernel and the scale its remainder is compared against.
pub struct Candidate {
    pub values: Vec<f64>,
    /// Norm of the data the kernel was built from (before any cancellation).
    pub reference_norm: f64,
}

/// A kernel is dropped when its remainder after projecting out the kept ones
/// is below this fraction of its reference norm.
pub const DEPENDENCE_TOLERANCE: f64 = 1e-6;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Orthonormal basis of the span of `candidates`, in order, dependent ones
/// dropped.
pub fn orthonormalise(candidates: Vec<Candidate>) -> Vec<Vec<f64>> {
    let mut kept: Vec<Vec<f64>> = Vec::new();
    for Candidate {
        mut values,
        reference_norm,
    } in candidates
    {
        for _ in 0..2 {
            for e in &kept {
                let c = dot(&values, e);
                values.iter_mut().zip(e).for_each(|(v, x)| *v -= c * x);
            }
        }
        let norm = dot(&values, &values).sqrt();
        if norm > DEPENDENCE_TOLERANCE * reference_norm && norm > 0.0 {
            values.iter_mut().for_each(|v| *v /= norm);
            kept.push(values);
        }
    }
    kept
}

/// Euclidean norm.
pub fn norm(values: &[f64]) -> f64 {
    dot(values, values).sqrt()
}
