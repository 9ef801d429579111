//! The regular → regular basis built block by block equals Gram–Schmidt on
//! all |G|·n_ψ group-convolution kernels, bit for bit.

use eslt::basis::harmonic::harmonic_family;
use eslt::basis::orthonormal::{norm, orthonormalise, Candidate};
use eslt::basis::sampling::sample_rotated;
use eslt::basis::steerable_basis;
use eslt::group::{FieldType, Group};

fn full_gram_schmidt(group: Group, ksize: usize) -> Vec<Vec<f32>> {
    let order = group.order();
    let pixels = ksize * ksize;
    let elements = group.elements();
    let tables: Vec<_> = harmonic_family(ksize)
        .iter()
        .map(|psi| sample_rotated(group, ksize, psi))
        .collect();
    let mut candidates = Vec::new();
    for &d in &elements {
        for table in &tables {
            let mut values = vec![0.0; order * order * pixels];
            for (p, &pe) in elements.iter().enumerate() {
                let q = group.index(group.compose(pe, d));
                let at = (p * order + q) * pixels;
                values[at..at + pixels].copy_from_slice(&table[p]);
            }
            let reference_norm = norm(&values);
            candidates.push(Candidate {
                values,
                reference_norm,
            });
        }
    }
    orthonormalise(candidates)
        .into_iter()
        .map(|v| v.into_iter().map(|x| x as f32).collect())
        .collect()
}

#[test]
fn block_construction_equals_full_gram_schmidt() {
    for group in [
        Group::Cyclic(1),
        Group::Cyclic(3),
        Group::Cyclic(4),
        Group::Cyclic(8),
        Group::Dihedral(4),
        Group::Dihedral(8),
    ] {
        for ksize in [1, 3, 5] {
            let fast =
                steerable_basis(group, FieldType::Regular, FieldType::Regular, ksize).unwrap();
            let slow = full_gram_schmidt(group, ksize);
            assert_eq!(fast.elems.len(), slow.len());
            for (a, b) in fast.elems.iter().zip(&slow) {
                let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{group:?} k={ksize}");
            }
        }
    }
}
