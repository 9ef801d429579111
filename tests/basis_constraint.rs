//! The kernel constraint κ(g x) = ρ_out(g) κ(x) ρ_in(g)⁻¹, checked directly
//! on the sampled kernels: grid-exact elements permute them bit for bit.

use eslt::basis::steerable_basis;
use eslt::group::{FieldType, Group};

const TYPES: [FieldType; 2] = [FieldType::Trivial, FieldType::Regular];

fn groups() -> Vec<Group> {
    (1..=8)
        .flat_map(|n| [Group::Cyclic(n), Group::Dihedral(n)])
        .collect()
}

#[test]
fn grid_exact_elements_permute_kernels_exactly() {
    for group in groups() {
        for ksize in [1, 3, 5, 7] {
            for in_type in TYPES {
                for out_type in TYPES {
                    let basis = steerable_basis(group, in_type, out_type, ksize).unwrap();
                    let (od, id, k) = (basis.out_dim, basis.in_dim, ksize);
                    let c = (k / 2) as i32;
                    for g in group.grid_exact_elements() {
                        let m = group.grid_matrix(g).unwrap();
                        let (po, pi) = (
                            out_type.permutation(group, g),
                            in_type.permutation(group, g),
                        );
                        for (b, e) in basis.elems.iter().enumerate() {
                            for p in 0..od {
                                for q in 0..id {
                                    for y in 0..k {
                                        for x in 0..k {
                                            let (u, v) = (x as i32 - c, c - y as i32);
                                            let (u2, v2) = (
                                                m[0][0] * u + m[0][1] * v,
                                                m[1][0] * u + m[1][1] * v,
                                            );
                                            let (y2, x2) = ((c - v2) as usize, (u2 + c) as usize);
                                            let here = e[((p * id + q) * k + y) * k + x];
                                            let there = e[((po[p] * id + pi[q]) * k + y2) * k + x2];
                                            assert_eq!(
                                                here.to_bits(),
                                                there.to_bits(),
                                                "{group:?} {in_type:?}->{out_type:?} k={k} elem {b} g={g:?}"
                                            );
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn bases_are_orthonormal() {
    for group in groups() {
        for ksize in [1, 3, 5] {
            for in_type in TYPES {
                for out_type in TYPES {
                    let basis = steerable_basis(group, in_type, out_type, ksize).unwrap();
                    assert_eq!(basis.elems.len(), basis.len());
                    for (i, a) in basis.elems.iter().enumerate() {
                        assert_eq!(a.len(), basis.elem_len());
                        for (j, b) in basis.elems.iter().enumerate() {
                            let d: f64 = a
                                .iter()
                                .zip(b)
                                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                                .sum();
                            let want = if i == j { 1.0 } else { 0.0 };
                            assert!(
                                (d - want).abs() < 1e-5,
                                "{group:?} {in_type:?}->{out_type:?} k={ksize}: <{i},{j}> = {d}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn bad_arguments_are_errors() {
    assert!(steerable_basis(Group::Cyclic(4), FieldType::Regular, FieldType::Regular, 4).is_err());
    assert!(steerable_basis(Group::Cyclic(4), FieldType::Regular, FieldType::Regular, 0).is_err());
    assert!(steerable_basis(Group::Cyclic(0), FieldType::Regular, FieldType::Regular, 3).is_err());
}

#[test]
fn print_basis_sizes() {
    println!("| group | k | triv→triv | triv→reg | reg→reg | reg→triv |");
    println!("|---|---|---|---|---|---|");
    for group in [
        Group::Cyclic(1),
        Group::Cyclic(4),
        Group::Cyclic(8),
        Group::Dihedral(4),
        Group::Dihedral(8),
    ] {
        for ksize in [1, 3, 5] {
            let size = |i, o| steerable_basis(group, i, o, ksize).unwrap().len();
            println!(
                "| {group:?} | {ksize} | {} | {} | {} | {} |",
                size(FieldType::Trivial, FieldType::Trivial),
                size(FieldType::Trivial, FieldType::Regular),
                size(FieldType::Regular, FieldType::Regular),
                size(FieldType::Regular, FieldType::Trivial),
            );
        }
    }
}
