//! Group axioms, matrices and the regular representation of C_N and D_N.

use eslt::group::{FieldType, Group, GroupElement};

fn groups() -> Vec<Group> {
    let mut v = Vec::new();
    for n in 1..=8 {
        v.push(Group::Cyclic(n));
        v.push(Group::Dihedral(n));
    }
    v
}

fn matmul(a: [[f64; 2]; 2], b: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
        }
    }
    c
}

#[test]
fn elements_are_indexed_consistently() {
    for g in groups() {
        let els = g.elements();
        assert_eq!(els.len(), g.order());
        for (p, &e) in els.iter().enumerate() {
            assert_eq!(g.index(e), p);
            assert_eq!(g.element(p).unwrap(), e);
        }
        assert!(g.element(g.order()).is_err());
        assert_eq!(els[0], GroupElement::IDENTITY);
    }
}

#[test]
fn composition_is_a_group_law_matching_the_matrices() {
    for g in groups() {
        let els = g.elements();
        for &a in &els {
            assert_eq!(g.compose(a, g.inverse(a)), GroupElement::IDENTITY);
            assert_eq!(g.compose(GroupElement::IDENTITY, a), a);
            for &b in &els {
                let ab = g.compose(a, b);
                assert!(els.contains(&ab));
                // The action is a homomorphism: M(ab) = M(a) M(b).
                let (m, mm) = (g.matrix(ab), matmul(g.matrix(a), g.matrix(b)));
                for i in 0..2 {
                    for j in 0..2 {
                        assert!((m[i][j] - mm[i][j]).abs() < 1e-12, "{g:?} {a:?} {b:?}");
                    }
                }
                for &c in &els {
                    assert_eq!(g.compose(g.compose(a, b), c), g.compose(a, g.compose(b, c)));
                }
            }
        }
    }
}

#[test]
fn grid_exact_elements_are_the_integer_matrices() {
    assert_eq!(Group::Cyclic(8).grid_exact_elements().len(), 4);
    assert_eq!(Group::Dihedral(8).grid_exact_elements().len(), 8);
    assert_eq!(Group::Dihedral(4).grid_exact_elements().len(), 8);
    assert_eq!(Group::Cyclic(3).grid_exact_elements().len(), 1);
    assert_eq!(Group::Cyclic(2).grid_exact_elements().len(), 2);
    for g in groups() {
        for e in g.elements() {
            let m = g.matrix(e);
            let integral = m.iter().flatten().all(|v| (v - v.round()).abs() < 1e-9);
            assert_eq!(g.is_grid_exact(e), integral, "{g:?} {e:?}");
        }
        // A subgroup: closed under composition.
        let h = g.grid_exact_elements();
        for &a in &h {
            for &b in &h {
                assert!(h.contains(&g.compose(a, b)));
            }
        }
    }
    // r of C4 turns the x-axis onto the y-axis (counter-clockwise).
    let r = GroupElement {
        rotation: 1,
        reflection: false,
    };
    assert_eq!(Group::Cyclic(4).grid_matrix(r), Some([[0, -1], [1, 0]]));
    // s reflects across the x-axis.
    let s = GroupElement {
        rotation: 0,
        reflection: true,
    };
    assert_eq!(Group::Dihedral(4).grid_matrix(s), Some([[1, 0], [0, -1]]));
}

#[test]
fn regular_representation_is_a_homomorphism() {
    for g in groups() {
        for a in g.elements() {
            let pa = FieldType::Regular.permutation(g, a);
            // channel p ↦ a·p
            for (p, &t) in pa.iter().enumerate() {
                assert_eq!(t, g.index(g.compose(a, g.element(p).unwrap())));
            }
            for b in g.elements() {
                let pb = g.regular_permutation(b);
                let pab = g.regular_permutation(g.compose(a, b));
                for p in 0..g.order() {
                    assert_eq!(pab[p], pa[pb[p]]);
                }
            }
            assert_eq!(FieldType::Trivial.permutation(g, a), vec![0]);
        }
    }
}

#[test]
fn zero_rotations_are_rejected() {
    assert!(Group::Cyclic(0).validate().is_err());
    assert!(Group::Dihedral(0).validate().is_err());
}
