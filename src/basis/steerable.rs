//! Steerable kernel bases for regular and trivial fields of C_N and D_N.
//!
//! Solution of the constraint κ(g x) = ρ_out(g) κ(x) ρ_in(g)⁻¹ by group
//! convolution of ring harmonics ψ_b (see `harmonic`):
//!
//! ```text
//! trivial → regular:  κ_b[p](x)        = ψ_b(p⁻¹x)
//! regular → trivial:  κ_b[q](x)        = ψ_b(q⁻¹x)
//! regular → regular:  κ_{d,b}[p][q](x) = [p⁻¹q = d] ψ_b(p⁻¹x)
//! trivial → trivial:  κ_b(x)           = Σ_p ψ_b(p⁻¹x)
//! ```
//!
//! E.g. regular → regular, with (ρ(g))\[p]\[p'] = [p = g p']:
//!
//! ```text
//! (ρ(g) κ(x) ρ(g)⁻¹)[p][q] = κ(x)[g⁻¹p][g⁻¹q]
//!                          = [p⁻¹q = d] ψ(p⁻¹g x) = κ(g x)[p][q].
//! ```
//!
//! This holds for every g; on the pixel grid only the grid-exact g are
//! checkable, and there the samples are exact permutations (`sampling`).
//! The other pairs follow the same way. Every entry of the regular → regular
//! constraint's solution is of this form (κ\[p]\[q](x) = κ\[e]\[p⁻¹q](p⁻¹x),
//! with κ\[e]\[d] free), so the basis spans all equivariant kernels whose
//! κ\[e]\[d] lie in the span of the ψ_b.
//!
//! The ψ_b are evaluated analytically and the basis is orthonormalised.
//! Sizes (number of basis elements for kernel size k = 1 / 3 / 5):
//!
//! | group | trivial→trivial | trivial→regular | regular→regular | regular→trivial |
//! |---|---|---|---|---|
//! | C1 | 1 / 6 / 11 | 1 / 6 / 11 | 1 / 6 / 11 | 1 / 6 / 11 |
//! | C4 | 1 / 2 / 3 | 1 / 6 / 11 | 4 / 24 / 44 | 1 / 6 / 11 |
//! | C8 | 1 / 2 / 3 | 1 / 6 / 11 | 8 / 48 / 88 | 1 / 6 / 11 |
//! | D4 | 1 / 2 / 3 | 1 / 6 / 11 | 8 / 48 / 88 | 1 / 6 / 11 |
//! | D8 | 1 / 2 / 3 | 1 / 6 / 11 | 16 / 96 / 176 | 1 / 6 / 11 |
//!
//! escnn is not installed here and no published basis sizes were found to
//! compare with; instead `tests/basis_dimension.rs` checks that these sizes
//! equal the dimension of the space escnn's basis spans under its defaults
//! (|G|·Σ_rings(2F+1) for regular→regular), for N = 1…8, C and D,
//! k = 1, 3, 5, 7. The plain CNN (`rotmnist-cnn`) uses the full pixel basis
//! (k² kernels, [`super::pixel_basis`]), not the band-limited C1 harmonics.

use super::harmonic::harmonic_family;
use super::orthonormal::{norm, orthonormalise, Candidate};
use super::sampling::sample_rotated;
use super::KernelBasis;
use crate::group::{FieldType, Group};
use crate::{Error, Result};

/// Rejects even or zero kernel sizes.
pub fn validate_ksize(ksize: usize) -> Result<()> {
    if ksize == 0 || ksize % 2 == 0 {
        return Err(Error::InvalidArgument(format!(
            "kernel size {ksize}: must be odd and at least 1"
        )));
    }
    Ok(())
}

/// An orthonormal basis of equivariant k×k kernels from one `in_type` field
/// to one `out_type` field, linearly dependent elements removed.
pub fn steerable_basis(
    group: Group,
    in_type: FieldType,
    out_type: FieldType,
    ksize: usize,
) -> Result<KernelBasis> {
    group.validate()?;
    validate_ksize(ksize)?;
    let pixels = ksize * ksize;
    let (out_dim, in_dim) = (out_type.dim(group), in_type.dim(group));
    let tables: Vec<Vec<Vec<f64>>> = harmonic_family(ksize)
        .iter()
        .map(|psi| sample_rotated(group, ksize, psi))
        .collect();
    let kernels = if in_type == FieldType::Trivial && out_type == FieldType::Trivial {
        orthonormalise(
            tables
                .iter()
                .map(|t| invariant_candidate(t, pixels))
                .collect(),
        )
    } else {
        // [p][0][pix] (trivial → regular) and [0][q][pix] (regular → trivial)
        // share this flat layout: the rotated copies ψ_b(p⁻¹x), p = 0..|G|.
        let rotated = orthonormalise(
            tables
                .iter()
                .map(|t| {
                    let values = t.concat();
                    let reference_norm = norm(&values);
                    Candidate {
                        values,
                        reference_norm,
                    }
                })
                .collect(),
        );
        if in_type == FieldType::Regular && out_type == FieldType::Regular {
            place_regular(group, &rotated, pixels)
        } else {
            rotated
        }
    };
    let elems = kernels
        .into_iter()
        .map(|v| v.into_iter().map(|x| x as f32).collect())
        .collect();
    Ok(KernelBasis {
        out_dim,
        in_dim,
        ksize,
        elems,
    })
}

/// Regular → regular: κ_{d,b}[p][p·d] = ψ_b(p⁻¹x), from the orthonormalised
/// rotated copies. Blocks of different d have disjoint supports, and inside a
/// block the inner products are those of the rotated copies, so the result
/// is orthonormal — the same as Gram–Schmidt on all |G|·n_ψ kernels, |G|
/// times cheaper.
fn place_regular(group: Group, rotated: &[Vec<f64>], pixels: usize) -> Vec<Vec<f64>> {
    let order = group.order();
    let elements = group.elements();
    let mut out = Vec::with_capacity(order * rotated.len());
    for &d in &elements {
        for r in rotated {
            let mut values = vec![0.0; order * order * pixels];
            for (p, &pe) in elements.iter().enumerate() {
                let q = group.index(group.compose(pe, d));
                let at = (p * order + q) * pixels;
                values[at..at + pixels].copy_from_slice(&r[p * pixels..(p + 1) * pixels]);
            }
            out.push(values);
        }
    }
    out
}

/// Trivial → trivial: κ_b(x) = Σ_p ψ_b(p⁻¹x).
fn invariant_candidate(table: &[Vec<f64>], pixels: usize) -> Candidate {
    let values = (0..pixels)
        .map(|pix| {
            // Sum in sorted order: the multiset is what grid-exact elements
            // preserve, so the sum is then bit-exact too.
            let mut terms: Vec<f64> = table.iter().map(|row| row[pix]).collect();
            terms.sort_by(f64::total_cmp);
            terms.iter().sum()
        })
        .collect();
    // Cancellation (harmonics that average to zero) is judged against the
    // norm of what was summed.
    let reference_norm = table.iter().map(|row| norm(row)).sum();
    Candidate {
        values,
        reference_norm,
    }
}
