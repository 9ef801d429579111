//! Basis sizes against the dimension of the band-limited equivariant kernel
//! space predicted by representation theory (what escnn's harmonic basis
//! spans with its default rings and band limit).
//!
//! On a ring whose harmonics go up to frequency F, the functions form a
//! (2F+1)-dimensional representation V_F of G. Since ρ_reg ⊗ W ≅ ρ_reg^dim W:
//! - regular → regular: dim (V_F ⊗ ρ_reg ⊗ ρ_reg)^G = |G|·(2F+1)
//! - trivial ↔ regular: dim (V_F ⊗ ρ_reg)^G = 2F+1
//! - trivial → trivial: the G-invariant harmonics: m ≡ 0 (mod N), both cos
//!   and sin for C_N, cos only for D_N (reflection across the x-axis).

use eslt::basis::harmonic::max_frequency;
use eslt::basis::steerable_basis;
use eslt::group::{FieldType, Group};

fn expected(group: Group, in_type: FieldType, out_type: FieldType, ksize: usize) -> usize {
    let max_r = ksize / 2;
    (0..=max_r)
        .map(|r| {
            let f = max_frequency(r, max_r);
            match (in_type, out_type) {
                (FieldType::Regular, FieldType::Regular) => group.order() * (2 * f + 1),
                (FieldType::Trivial, FieldType::Trivial) => (0..=f)
                    .filter(|m| m % group.rotations() == 0)
                    .map(|m| {
                        if m == 0 || group.has_reflections() {
                            1
                        } else {
                            2
                        }
                    })
                    .sum(),
                _ => 2 * f + 1,
            }
        })
        .sum()
}

#[test]
fn sizes_match_the_band_limited_equivariant_space() {
    let types = [FieldType::Trivial, FieldType::Regular];
    for n in 1..=8 {
        for group in [Group::Cyclic(n), Group::Dihedral(n)] {
            for ksize in [1, 3, 5, 7] {
                for in_type in types {
                    for out_type in types {
                        let got = steerable_basis(group, in_type, out_type, ksize)
                            .unwrap()
                            .len();
                        assert_eq!(
                            got,
                            expected(group, in_type, out_type, ksize),
                            "{group:?} {in_type:?}->{out_type:?} k={ksize}"
                        );
                    }
                }
            }
        }
    }
}
