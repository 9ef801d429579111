//! MNIST IDX parsing: valid files round-trip, every kind of corruption is a
//! typed `Error::Data` naming the problem.

use eslt::data::Digits;
use eslt::Error;

fn idx_images(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 0x08, 3];
    for d in [count, rows, cols] {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend_from_slice(pixels);
    b
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 0x08, 1];
    b.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    b.extend_from_slice(labels);
    b
}

fn sample() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..3 * 4 * 5).map(|i| (i * 7 % 256) as u8).collect();
    let labels = vec![3, 0, 9];
    (idx_images(3, 4, 5, &pixels), idx_labels(&labels), pixels)
}

/// Asserts a data error whose message mentions `needle`.
fn assert_data_error(result: eslt::Result<Digits>, needle: &str) {
    match result {
        Err(Error::Data { what, why }) => assert!(
            why.contains(needle),
            "error '{what}: {why}' should mention '{needle}'"
        ),
        other => panic!("expected Error::Data mentioning '{needle}', got {other:?}"),
    }
}

#[test]
fn valid_idx_parses_shape_labels_and_pixels() {
    let (images, labels, pixels) = sample();
    let d = Digits::from_idx(&images, &labels).unwrap();
    assert_eq!((d.count, d.rows, d.cols), (3, 4, 5));
    assert_eq!(d.labels, vec![3, 0, 9]);
    assert_eq!(d.pixels, pixels);
    assert_eq!(d.image(1), &pixels[20..40]);
}

#[test]
fn bad_magic_is_rejected() {
    let (mut images, labels, _) = sample();
    images[2] = 0x09; // signed bytes, not MNIST's unsigned
    assert_data_error(Digits::from_idx(&images, &labels), "bad magic");
    let (images, mut labels, _) = sample();
    labels[0] = 1;
    assert_data_error(Digits::from_idx(&images, &labels), "bad magic");
    // Swapped files: a labels file where images belong.
    let (images, labels, _) = sample();
    assert_data_error(Digits::from_idx(&labels, &images), "dimensions");
}

#[test]
fn truncated_files_are_rejected() {
    let (images, labels, _) = sample();
    assert_data_error(Digits::from_idx(&images[..3], &labels), "truncated magic");
    assert_data_error(Digits::from_idx(&images[..10], &labels), "truncated header");
    assert_data_error(
        Digits::from_idx(&images[..images.len() - 1], &labels),
        "truncated",
    );
    assert_data_error(
        Digits::from_idx(&images, &labels[..labels.len() - 1]),
        "truncated",
    );
    assert_data_error(Digits::from_idx(&[], &labels), "truncated magic");
}

#[test]
fn trailing_bytes_are_rejected() {
    let (mut images, labels, _) = sample();
    images.push(0);
    assert_data_error(Digits::from_idx(&images, &labels), "trailing");
}

#[test]
fn wrong_dimensions_are_rejected() {
    let (_, labels, pixels) = sample();
    // Claims 4 digits but carries pixels for 3.
    assert_data_error(
        Digits::from_idx(&idx_images(4, 4, 5, &pixels), &labels),
        "truncated",
    );
    // Same byte count, zero-width digits.
    assert_data_error(
        Digits::from_idx(&idx_images(3, 0, 5, &[]), &labels),
        "digit shape",
    );
    // A 2-D images file.
    let mut two_d = vec![0, 0, 0x08, 2];
    two_d.extend_from_slice(&3u32.to_be_bytes());
    two_d.extend_from_slice(&20u32.to_be_bytes());
    two_d.extend_from_slice(&pixels);
    assert_data_error(
        Digits::from_idx(&two_d, &labels),
        "2 dimensions, expected 3",
    );
    // Dimensions whose product overflows must not panic.
    assert_data_error(
        Digits::from_idx(&idx_images(u32::MAX, u32::MAX, u32::MAX, &[]), &labels),
        "",
    );
}

#[test]
fn count_mismatch_is_rejected() {
    let (images, _, _) = sample();
    assert_data_error(
        Digits::from_idx(&images, &idx_labels(&[1, 2])),
        "2 labels for 3 images",
    );
}

#[test]
fn labels_must_be_digits() {
    let (images, _, _) = sample();
    assert_data_error(
        Digits::from_idx(&images, &idx_labels(&[1, 10, 2])),
        "label 10 at index 1",
    );
}
