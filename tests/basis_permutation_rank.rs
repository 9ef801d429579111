//! Sizes and linear independence of the permutation bases: the rank of each
//! basis on n nodes (dense operators built from unit tensors) against the
//! dimension of the space of equivariant maps, counted independently as the
//! number of S_n-orbits on index tuples (output indices, input indices).

mod permutation_support;

use eslt::basis::ign::{equivariant_dimension, Ign};
use eslt::basis::message_passing::MessagePassing;
use eslt::basis::permutation::{Aggregation, PermutationBasis};
use permutation_support::{fixed_bases, flattened, rank};

/// Dimension of the equivariant maps between orders l, m (k = l + m) on n
/// nodes: partitions of k indices into at most n blocks.
/// Rows k = 0..=4, columns n = 1..=5.
const DIMENSION: [[usize; 5]; 5] = [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1],
    [1, 2, 2, 2, 2],
    [1, 4, 5, 5, 5],
    [1, 8, 14, 15, 15],
];

/// S_n-orbits on [n]^k, by union–find under the generators (0 1) and
/// (0 1 … n−1) of S_n, applied to every coordinate.
fn orbit_count(n: usize, k: usize) -> usize {
    let total = n.pow(k as u32);
    let encode = |t: &[usize]| t.iter().fold(0, |a, &v| a * n + v);
    let decode = |mut code: usize| {
        let mut t = vec![0; k];
        for v in t.iter_mut().rev() {
            *v = code % n;
            code /= n;
        }
        t
    };
    let mut parent: Vec<usize> = (0..total).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let swap = |v: usize| match v {
        0 => 1 % n,
        1 => 0,
        v => v,
    };
    let shift = |v: usize| (v + 1) % n;
    for code in 0..total {
        let t = decode(code);
        for g in [&swap as &dyn Fn(usize) -> usize, &shift] {
            let image: Vec<usize> = t.iter().map(|&v| g(v)).collect();
            let (a, b) = (root(&mut parent, code), root(&mut parent, encode(&image)));
            parent[a] = b;
        }
    }
    (0..total).filter(|&i| root(&mut parent, i) == i).count()
}

#[test]
fn orbit_counts_match_the_partition_table() {
    for (k, row) in DIMENSION.iter().enumerate() {
        for (n, &dim) in (1..).zip(row) {
            assert_eq!(orbit_count(n, k), dim, "k={k} n={n}");
            for l in 0..=k.min(2) {
                if k - l <= 2 {
                    assert_eq!(
                        equivariant_dimension(l, k - l, n),
                        dim,
                        "{l}->{} n={n}",
                        k - l
                    );
                }
            }
        }
    }
}

#[test]
fn sizes_are_bell_numbers() {
    let bell = [1, 1, 2, 5, 15];
    for aggregation in [Aggregation::Mean, Aggregation::Sum] {
        for l in 0..=2 {
            for m in 0..=2 {
                let b = Ign::new(l, m, aggregation).unwrap();
                assert_eq!(b.len(), bell[l + m], "{l}->{m}");
                assert_eq!((b.input_order(), b.output_order()), (l, m));
            }
        }
    }
    assert!(Ign::new(3, 1, Aggregation::Mean).is_err());
    assert!(Ign::new(1, 3, Aggregation::Mean).is_err());
}

#[test]
fn names_are_fixed_and_distinct() {
    for (label, b) in fixed_bases() {
        let names = b.names();
        assert_eq!(names.len(), b.len());
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            names.len(),
            "{label}: repeated names {names:?}"
        );
        assert!(names.iter().all(|s| !s.is_empty()));
    }
    // Pinned: reports and saved coefficients refer to elements by index.
    let two_to_two = Ign::new(2, 2, Aggregation::Mean).unwrap().names();
    assert_eq!(
        two_to_two,
        [
            "identity",
            "transpose",
            "diag",
            "diag_to_rows",
            "diag_to_cols",
            "rowsum_to_diag",
            "rowsum_to_rows",
            "rowsum_to_cols",
            "colsum_to_diag",
            "colsum_to_rows",
            "colsum_to_cols",
            "trace_to_diag",
            "trace_to_all",
            "total_to_diag",
            "total_to_all",
        ]
    );
    let one_to_two = Ign::new(1, 2, Aggregation::Mean).unwrap().names();
    assert_eq!(
        one_to_two,
        ["to_diag", "to_rows", "to_cols", "sum_to_diag", "sum_to_all"]
    );
    let two_to_one = Ign::new(2, 1, Aggregation::Mean).unwrap().names();
    assert_eq!(two_to_one, ["diag", "rowsum", "colsum", "trace", "total"]);
}

/// Full rank Bell(l + m) once n ≥ l + m; below that, exactly the dimension
/// of the (smaller) equivariant space, so the basis still spans it.
#[test]
fn rank_equals_the_equivariant_dimension_for_n_1_to_5() {
    for (label, b) in fixed_bases() {
        let k = b.input_order() + b.output_order();
        for n in 1..=5 {
            let got = rank(&flattened(b.as_ref(), n));
            assert_eq!(got, DIMENSION[k][n - 1], "{label} n={n}");
            if n >= k {
                assert_eq!(got, b.len(), "{label} n={n}: elements dependent");
            }
        }
    }
}

/// The rank check itself notices a dependent set (it can fail).
#[test]
fn rank_detects_a_repeated_element() {
    let b = Ign::new(2, 2, Aggregation::Mean).unwrap();
    let mut vectors = flattened(&b, 4);
    assert_eq!(rank(&vectors), 15);
    let combo: Vec<f64> = vectors[3]
        .iter()
        .zip(&vectors[7])
        .map(|(a, c)| 2.0 * a - 0.5 * c)
        .collect();
    vectors.push(combo);
    assert_eq!(rank(&vectors), 15);
    vectors.truncate(14);
    assert_eq!(rank(&vectors), 14);
}

#[test]
fn message_passing_rank_depends_on_the_graph() {
    // Path 0 - 1 - 2 plus an isolated node 3.
    let mut a = vec![0.0f32; 16];
    for (i, j) in [(0, 1), (1, 2)] {
        a[i * 4 + j] = 1.0;
        a[j * 4 + i] = 1.0;
    }
    for aggregation in [Aggregation::Mean, Aggregation::Sum] {
        let mp = MessagePassing::new(4, &a, aggregation).unwrap();
        assert_eq!(mp.len(), 2);
        assert_eq!(mp.names(), ["self", "neighbours"]);
        assert_eq!(rank(&flattened(&mp, 4)), 2);
        // No edges: the neighbour element is zero, rank 1.
        let empty = MessagePassing::new(4, &[0.0; 16], aggregation).unwrap();
        assert_eq!(rank(&flattened(&empty, 4)), 1);
    }
    assert!(MessagePassing::new(3, &a, Aggregation::Mean).is_err());
    let mut negative = a.clone();
    negative[1] = -1.0;
    assert!(MessagePassing::new(4, &negative, Aggregation::Mean).is_err());
}
