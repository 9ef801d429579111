//! Adjoints, identities, channels and normalisation of the permutation
//! bases.

mod permutation_support;

use eslt::basis::deepsets::DeepSets;
use eslt::basis::ign::Ign;
use eslt::basis::message_passing::MessagePassing;
use eslt::basis::permutation::{tensor_len, Aggregation, PermutationBasis};
use permutation_support::{
    dense, dense_adjoint, dot, fixed_bases, max_abs_diff, random_tensor, rng,
};

#[test]
fn adjoint_is_the_transpose() {
    let mut r = rng(20);
    for (label, b) in fixed_bases() {
        let (l, m) = (b.input_order(), b.output_order());
        for n in 1..=5 {
            for k in 0..b.len() {
                // Dense: Bᵀ's matrix is B's matrix transposed, entry for entry.
                let a = dense(b.as_ref(), k, n);
                let at = dense_adjoint(b.as_ref(), k, n);
                for (p, row) in a.iter().enumerate() {
                    for (q, &v) in row.iter().enumerate() {
                        assert!(
                            (at[q][p] - v).abs() <= 1e-7,
                            "{label} {} n={n} [{p},{q}]",
                            b.name(k)
                        );
                    }
                }
                // ⟨Bx, y⟩ = ⟨x, Bᵀy⟩ on random tensors with several channels.
                let c = 3;
                let x = random_tensor(tensor_len(l, n, c), &mut r);
                let y = random_tensor(tensor_len(m, n, c), &mut r);
                let (mut bx, mut bty) = (vec![0.0; y.len()], vec![0.0; x.len()]);
                b.apply(k, n, c, &x, &mut bx);
                b.apply_adjoint(k, n, c, &y, &mut bty);
                let (lhs, rhs) = (dot(&bx, &y), dot(&x, &bty));
                assert!(
                    (lhs - rhs).abs() <= 1e-5 * (1.0 + lhs.abs()),
                    "{label} {} n={n}: {lhs} vs {rhs}",
                    b.name(k)
                );
            }
        }
    }
}

/// Not every element is self-adjoint: the check distinguishes them.
#[test]
fn some_elements_are_not_self_adjoint() {
    let b = Ign::new(2, 2, Aggregation::Mean).unwrap();
    let k = b.names().iter().position(|&s| s == "diag_to_rows").unwrap();
    assert_ne!(dense(&b, k, 3), dense_adjoint(&b, k, 3));
}

#[test]
fn message_passing_adjoint_is_the_transpose() {
    let mut r = rng(21);
    let n = 6;
    let mut a = vec![0.0f32; n * n];
    for (i, j) in [(0, 1), (1, 2), (2, 0), (2, 3), (4, 5)] {
        a[i * n + j] = 1.0;
        a[j * n + i] = 1.0;
    }
    for aggregation in [Aggregation::Mean, Aggregation::Sum] {
        let mp = MessagePassing::new(n, &a, aggregation).unwrap();
        for k in 0..2 {
            let m = dense(&mp, k, n);
            let mt = dense_adjoint(&mp, k, n);
            for p in 0..n {
                for q in 0..n {
                    assert!((mt[q][p] - m[p][q]).abs() <= 1e-7, "{aggregation:?} k={k}");
                }
            }
        }
        // Mean: rows of D⁻¹A sum to 1 (degree of node 2 is 3).
        let m = dense(&mp, 1, n);
        if aggregation == Aggregation::Mean {
            assert!((m[2][0] - 1.0 / 3.0).abs() < 1e-7 && (m[2][3] - 1.0 / 3.0).abs() < 1e-7);
        } else {
            assert_eq!(m[2][0], 1.0);
        }
        let x = random_tensor(n * 2, &mut r);
        let mut y = vec![0.0; n * 2];
        mp.apply(0, n, 2, &x, &mut y);
        assert_eq!(x, y);
    }
}

#[test]
fn identity_elements_are_the_identity() {
    let mut r = rng(22);
    for (label, b) in fixed_bases() {
        let (l, m) = (b.input_order(), b.output_order());
        if l != m {
            assert_eq!(b.identity_index(), None, "{label}");
            continue;
        }
        assert_eq!(b.identity_index(), Some(0), "{label}");
        for n in 1..=5 {
            let x = random_tensor(tensor_len(l, n, 4), &mut r);
            let mut y = vec![0.0; x.len()];
            b.apply(0, n, 4, &x, &mut y);
            assert_eq!(x, y, "{label} n={n}");
            b.apply_adjoint(0, n, 4, &x, &mut y);
            assert_eq!(x, y, "{label} n={n}");
        }
        // No other element is the identity (n = 4 ≥ l + m).
        for k in 1..b.len() {
            let d = dense(b.as_ref(), k, 4);
            let is_identity = d.iter().enumerate().all(|(p, row)| {
                row.iter()
                    .enumerate()
                    .all(|(q, &v)| v == f64::from(u8::from(p == q)))
            });
            assert!(!is_identity, "{label}: element {k} is also the identity");
        }
    }
    assert_eq!(DeepSets::default().identity_index(), Some(0));
}

/// Each element acts on every channel alike and independently.
#[test]
fn channels_are_independent() {
    let mut r = rng(23);
    let c = 3;
    for (label, b) in fixed_bases() {
        let (l, m) = (b.input_order(), b.output_order());
        let n = 4;
        let x = random_tensor(tensor_len(l, n, c), &mut r);
        for k in 0..b.len() {
            let mut y = vec![0.0; tensor_len(m, n, c)];
            b.apply(k, n, c, &x, &mut y);
            for ch in 0..c {
                let xc: Vec<f32> = x.iter().skip(ch).step_by(c).copied().collect();
                let mut yc = vec![0.0; tensor_len(m, n, 1)];
                b.apply(k, n, 1, &xc, &mut yc);
                let got: Vec<f32> = y.iter().skip(ch).step_by(c).copied().collect();
                assert!(
                    max_abs_diff(&got, &yc) <= 1e-6,
                    "{label} {} ch {ch}",
                    b.name(k)
                );
            }
        }
        let all = b.apply_all(n, c, &x);
        assert_eq!(all.len(), b.len() * tensor_len(m, n, c));
    }
}

/// Mean: every element is an averaging operator (absolute row sums ≤ 1,
/// equal to 1 where it has support); Sum: the same element times the
/// number of entries it sums.
#[test]
fn mean_elements_average_and_sum_elements_add() {
    for l in 0..=2 {
        for m in 0..=2 {
            let mean = Ign::new(l, m, Aggregation::Mean).unwrap();
            let sum = Ign::new(l, m, Aggregation::Sum).unwrap();
            for n in [3, 5] {
                for k in 0..mean.len() {
                    let dm = dense(&mean, k, n);
                    let ds = dense(&sum, k, n);
                    let mut factor = None;
                    for (rm, rs) in dm.iter().zip(&ds) {
                        let row: f64 = rm.iter().map(|v| v.abs()).sum();
                        assert!(
                            row.abs() < 1e-9 || (row - 1.0).abs() < 1e-6,
                            "{l}->{m} {} n={n}: row sum {row}",
                            mean.name(k)
                        );
                        for (&a, &b) in rm.iter().zip(rs) {
                            if b != 0.0 {
                                let f = b / a;
                                let f0 = *factor.get_or_insert(f);
                                assert!((f - f0).abs() < 1e-6 * f0);
                            }
                        }
                    }
                    let f = factor.unwrap();
                    let e = (f.ln() / (n as f64).ln()).round();
                    assert!(
                        (f - (n as f64).powf(e)).abs() < 1e-6 * f,
                        "factor {f} not a power of {n}"
                    );
                }
            }
        }
    }
}

/// `apply_all` stacks every element's output in index order; empty tensors
/// (no nodes or no channels) are fine.
#[test]
fn apply_all_stacks_the_elements() {
    let mut r = rng(24);
    for (label, b) in fixed_bases() {
        let (l, m) = (b.input_order(), b.output_order());
        let (n, c) = (3, 2);
        let x = random_tensor(tensor_len(l, n, c), &mut r);
        let all = b.apply_all(n, c, &x);
        let size = tensor_len(m, n, c);
        for k in 0..b.len() {
            let mut y = vec![0.0; size];
            b.apply(k, n, c, &x, &mut y);
            assert_eq!(
                all[k * size..(k + 1) * size],
                y[..],
                "{label} {}",
                b.name(k)
            );
        }
        for (n, c) in [(0, 2), (3, 0)] {
            let x = vec![0.0; tensor_len(l, n, c)];
            let all = b.apply_all(n, c, &x);
            assert!(all.iter().all(|&v| v == 0.0), "{label}");
            assert_eq!(all.len(), b.len() * tensor_len(m, n, c));
        }
    }
}
