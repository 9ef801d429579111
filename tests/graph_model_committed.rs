//! The committed graph targets (`www/models/<task>.json`) load, are the
//! task's architecture, were trained within the time budget, and reproduce
//! their recorded test accuracy and predictions digest exactly on the
//! task's held-out test set.

use eslt::nn::graph::graph_model::load;
use eslt::nn::graph::tasks::TABLE;
use eslt::nn::graph::{evaluate, GraphOp};
use std::path::Path;

#[test]
fn committed_graph_models_reproduce_their_records() {
    for task in TABLE {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("www/models")
            .join(format!("{}.json", task.name));
        let (net, meta) = load(&path).unwrap_or_else(|e| panic!("{}: {e}", task.name));
        assert_eq!(meta.task, task.name);
        // The task's architecture (same ops, bases, widths).
        let arch = task.architecture();
        assert_eq!(net.ops.len(), arch.ops.len(), "{}", task.name);
        for (a, b) in net.ops.iter().zip(&arch.ops) {
            match (a, b) {
                (GraphOp::Linear(a), GraphOp::Linear(b)) => assert_eq!(
                    (a.basis, a.aggregation, a.c_in, a.c_out),
                    (b.basis, b.aggregation, b.c_in, b.c_out),
                    "{}",
                    task.name
                ),
                (a, b) => assert_eq!(a, b),
            }
        }
        assert_eq!(meta.training.epochs, task.epochs);
        assert_eq!(meta.training.lr, task.lr);
        assert_eq!(meta.training.train_graphs, task.train_graphs);
        assert!(
            meta.training.seconds < 300.0,
            "{}: trained too long",
            task.name
        );
        let test = task.test_examples();
        assert_eq!(meta.test_graphs, test.len());
        if task.test_graphs > 1 {
            assert!(
                meta.test_graphs >= 1000,
                "{}: too few test graphs",
                task.name
            );
        }
        let eval = evaluate(&net, &test).unwrap();
        assert_eq!(eval.predictions.len(), meta.test_examples, "{}", task.name);
        assert_eq!(eval.accuracy, meta.test_accuracy, "{}", task.name);
        assert_eq!(eval.digest(), meta.test_predictions_digest, "{}", task.name);
        assert!(
            eval.accuracy >= 0.95,
            "{}: accuracy {}",
            task.name,
            eval.accuracy
        );
        eprintln!(
            "{}: {} coefficients, test accuracy {:.4} on {} rows, trained in {} s",
            task.name,
            net.num_coefficients(),
            eval.accuracy,
            eval.predictions.len(),
            meta.training.seconds
        );
    }
}
