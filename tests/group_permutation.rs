//! S_n: composition, inverses, seeded sampling and the action on node and
//! edge tensors.

use eslt::group::permutation::{uniform_index, Permutation};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn composition_and_inverse_are_a_group_law() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for n in 0..=9 {
        let id = Permutation::identity(n);
        assert!(id.is_identity());
        for _ in 0..20 {
            let (a, b, c) = (
                Permutation::random(n, &mut rng),
                Permutation::random(n, &mut rng),
                Permutation::random(n, &mut rng),
            );
            assert_eq!(a.compose(&b).compose(&c), a.compose(&b.compose(&c)));
            assert_eq!(a.compose(&id), a);
            assert_eq!(id.compose(&a), a);
            assert!(a.compose(&a.inverse()).is_identity());
            assert!(a.inverse().compose(&a).is_identity());
            // (σ∘τ)(i) = σ(τ(i)).
            let ab = a.compose(&b);
            assert!((0..n).all(|i| ab.image(i) == a.image(b.image(i))));
        }
    }
    let a = Permutation::from_images(vec![1, 2, 0]).unwrap();
    let b = Permutation::from_images(vec![1, 0, 2]).unwrap();
    assert_ne!(a.compose(&b), b.compose(&a), "S_3 is not abelian");
    assert_eq!(a.compose(&b).images(), [2, 1, 0]);
    assert_eq!(a.inverse().images(), [2, 0, 1]);
    assert_eq!(a.to_string(), "[1 2 0]");
}

#[test]
fn from_images_rejects_non_permutations() {
    assert!(Permutation::from_images(vec![0, 0]).is_err());
    assert!(Permutation::from_images(vec![0, 2]).is_err());
    assert!(Permutation::from_images(vec![]).is_ok());
}

#[test]
fn seeded_permutations_are_reproducible_and_uniform() {
    assert_eq!(Permutation::seeded(12, 7), Permutation::seeded(12, 7));
    assert_ne!(Permutation::seeded(12, 7), Permutation::seeded(12, 8));
    // All 24 permutations of 4 nodes, 24,000 draws: each within 1000 ± 150
    // (about 4.9 standard deviations).
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut counts = std::collections::HashMap::new();
    for _ in 0..24_000 {
        *counts
            .entry(Permutation::random(4, &mut rng).images().to_vec())
            .or_insert(0usize) += 1;
    }
    assert_eq!(counts.len(), 24);
    assert!(
        counts.values().all(|&c| (850..=1150).contains(&c)),
        "{counts:?}"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    assert!((0..1000).all(|_| uniform_index(&mut rng, 7) < 7));
}

#[test]
fn action_moves_features_with_their_nodes() {
    let sigma = Permutation::from_images(vec![2, 0, 1]).unwrap();
    // Node features [3, 2]: node i carries (10i, 10i + 1).
    let x = [0.0, 1.0, 10.0, 11.0, 20.0, 21.0];
    // (σ·x)[σ(i)] = x[i]: node 0's features land on node 2.
    assert_eq!(
        sigma.act_on_nodes(2, &x),
        [10.0, 11.0, 20.0, 21.0, 0.0, 1.0]
    );
    // Edge features [3, 3, 1]: X[i, j] = 3i + j.
    let e: Vec<f32> = (0..9).map(|v| v as f32).collect();
    let se = sigma.act_on_edges(1, &e);
    for i in 0..3 {
        for j in 0..3 {
            assert_eq!(se[sigma.image(i) * 3 + sigma.image(j)], e[i * 3 + j]);
        }
    }
    assert_eq!(sigma.act(0, 2, &[5.0, 6.0]), [5.0, 6.0]);
}

#[test]
fn action_is_a_left_action() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for n in 1..=6 {
        let (s, t) = (
            Permutation::random(n, &mut rng),
            Permutation::random(n, &mut rng),
        );
        let st = s.compose(&t);
        for order in 0..=2 {
            let len = n.pow(order as u32) * 2;
            let x: Vec<f32> = (0..len).map(|v| v as f32).collect();
            assert_eq!(
                s.act(order, 2, &t.act(order, 2, &x)),
                st.act(order, 2, &x),
                "n={n} order {order}"
            );
            assert_eq!(s.inverse().act(order, 2, &s.act(order, 2, &x)), x);
        }
    }
}
