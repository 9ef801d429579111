//! The committed models in www/models/: valid, small, made by the documented
//! default command, and their recorded accuracy and prediction digest
//! reproduce exactly on the rotated t10k digits.

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::nn::evaluate::{evaluate, predictions_digest};
use eslt::nn::{model, tasks};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn t10k() -> Digits {
    let path = root().join("target/data/mnist-t10k.digits");
    Digits::load(&path)
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"))
}

#[test]
fn committed_models_are_valid_and_made_by_the_default_command() {
    for task in tasks::TASKS {
        let path = root().join(format!("www/models/{task}.json"));
        let bytes = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        assert!(bytes < 1 << 20, "{task}: {bytes} bytes, over 1 MB");
        let (net, meta) = model::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(meta.task, task);
        assert_eq!(
            meta.architecture,
            tasks::architecture(task).unwrap(),
            "{task}: not the task's default architecture"
        );
        let d = tasks::train_defaults(task).unwrap();
        let t = &meta.training;
        assert_eq!(
            (t.epochs, t.train_digits, t.batch_size, t.lr),
            (d.epochs, d.train_digits, d.batch_size, d.lr),
            "{task}: not the default schedule"
        );
        assert_eq!(
            t.command,
            format!("eslt train --task {task} --seed {}", t.seed)
        );
        assert_eq!(
            meta.test_digits, 10_000,
            "{task}: accuracy must be on the full t10k"
        );
        assert!(
            meta.test_predictions_digest.is_some(),
            "{task}: no prediction digest"
        );
        assert_eq!(
            meta.architecture.build().unwrap().num_coefficients(),
            net.num_coefficients()
        );
    }
}

#[test]
fn rotmnist_c8_reaches_the_acceptance_bar() {
    let (_, meta) = model::load(&root().join("www/models/rotmnist-c8.json")).unwrap();
    assert!(
        meta.test_accuracy >= 0.94,
        "rotmnist-c8: {:.4}",
        meta.test_accuracy
    );
    // Wall time depends on the machine's load when it was trained; CPU
    // time does not: two dedicated cores give it at most 15 minutes.
    let cpu = meta.training.cpu_seconds.expect("CPU time recorded");
    assert!(cpu / 2.0 <= 15.0 * 60.0, "{cpu} CPU seconds");
}

#[test]
fn recorded_accuracy_and_predictions_reproduce() {
    let test = t10k();
    let n = 10_000;
    let idx: Vec<usize> = (0..n).collect();
    let images = rotated_images(&test, &idx, &test_angles(n));
    for task in tasks::TASKS {
        let (net, meta) = model::load(&root().join(format!("www/models/{task}.json"))).unwrap();
        let e = evaluate(&net, &images, &test.labels[..n], test.rows, test.cols).unwrap();
        assert_eq!(
            e.accuracy, meta.test_accuracy,
            "{task}: accuracy differs from the file's"
        );
        assert_eq!(
            Some(predictions_digest(&e.predictions)),
            meta.test_predictions_digest,
            "{task}: predictions differ"
        );
    }
}
