//! `evaluate_permuted` (behind `eslt eval --permute` and the page's
//! Permute nodes): on every shipped graph model, relabelling every test
//! graph changes no prediction and moves every logit by rounding only; its
//! unpermuted predictions are `evaluate`'s; `GraphExample::permuted` moves
//! node labels with their nodes.

use eslt::group::permutation::Permutation;
use eslt::nn::graph::{evaluate, evaluate_permuted, graph_model, tasks};

const MODELS: [&str; 5] = [
    "graph-families-ign",
    "graph-families-mpgnn",
    "connectivity-mpgnn",
    "sets-deepsets",
    "karate-mpgnn",
];

#[test]
fn relabelling_test_graphs_changes_no_prediction_of_any_shipped_model() {
    for name in MODELS {
        let path = format!("{}/www/models/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let (net, meta) = graph_model::load(std::path::Path::new(&path)).unwrap();
        let mut tests = tasks::task(&meta.task).unwrap().test_examples();
        tests.truncate(150);
        let plain = evaluate(&net, &tests).unwrap();
        for seed in [1, 99] {
            let e = evaluate_permuted(&net, &tests, seed).unwrap();
            assert_eq!(e.predictions, plain.predictions, "{name}: unpermuted rows");
            assert_eq!(e.changed(), 0, "{name}, seed {seed}: a prediction changed");
            assert!(
                e.max_logit_change <= 1e-5 * e.max_abs_logit.max(1.0),
                "{name}, seed {seed}: logit moved {} (largest logit {})",
                e.max_logit_change,
                e.max_abs_logit
            );
            assert!(e.max_abs_logit > 0.0, "{name}: logits are not all zero");
        }
    }
}

#[test]
fn permuted_examples_carry_their_node_labels_along() {
    let task = tasks::task("karate-mpgnn").unwrap();
    let ex = &task.test_examples()[0];
    let n = ex.input.n;
    let sigma = Permutation::seeded(n, 5);
    assert!(!sigma.is_identity());
    let p = ex.permuted(&sigma, task.input.order());
    for i in 0..n {
        assert_eq!(p.labels[sigma.image(i)], ex.labels[i], "node {i}");
    }
    assert_eq!(p.scored(), ex.scored());
    // A graph example's single label stays.
    let g = &tasks::task("graph-families-ign").unwrap().test_examples()[3];
    let sigma = Permutation::seeded(g.input.n, 5);
    assert_eq!(g.permuted(&sigma, 2).labels, g.labels);
}
