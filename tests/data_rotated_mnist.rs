//! Seeded test rotations and the rotated test images.

#[path = "data_reference/chacha8.rs"]
mod chacha8;

use chacha8::ChaCha8;
use eslt::data::rotate::rotate_bilinear;
use eslt::data::rotated_mnist::{
    angle_from_u32, angles, rotated_images, test_angles, TEST_ROTATION_SEED,
};
use eslt::data::Digits;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn reference_chacha8_matches_published_test_vector() {
    // draft-strombergson-chacha-test-vectors, TC1: 8 rounds, all-zero
    // 256-bit key and IV, first 64 bytes of keystream.
    let expected = "3e00ef2f895f40d67f5bb8e81f09a5a12c840ec3ce9a7f3b181be188ef711a1e\
                    984ce172b9216f419f445367456d5619314a42a3da86b001387bfdb80e0cfe42";
    assert_eq!(hex(&ChaCha8::from_key([0; 32]).keystream(64)), expected);
}

#[test]
fn test_angles_are_the_chacha8_stream_mapped_to_angles() {
    let mut reference = ChaCha8::from_u64_seed(TEST_ROTATION_SEED);
    // Past one 64-byte block and the 4-block buffer of the crate's generator.
    let n = 1000;
    let expected: Vec<f32> = (0..n)
        .map(|_| angle_from_u32(reference.next_u32()))
        .collect();
    assert_eq!(test_angles(n), expected);
}

#[test]
fn angle_map_covers_zero_to_just_below_two_pi() {
    assert_eq!(angle_from_u32(0), 0.0);
    assert_eq!(angle_from_u32(0xff), 0.0, "low 8 bits are dropped");
    let top = angle_from_u32(u32::MAX);
    assert!(top < std::f32::consts::TAU, "{top} must be below 2π");
    assert!(std::f32::consts::TAU - top < 1e-6);
    // Half way is π (exact: 2^23 · 2π / 2^24).
    assert_eq!(angle_from_u32(1 << 31), std::f32::consts::PI);
}

#[test]
fn test_angles_are_a_deterministic_prefix_stream() {
    let long = test_angles(500);
    assert_eq!(test_angles(500), long);
    assert_eq!(test_angles(37), long[..37].to_vec());
    assert!(test_angles(0).is_empty());
    assert_ne!(
        angles(TEST_ROTATION_SEED + 1, 500),
        long,
        "the seed matters"
    );
}

#[test]
fn test_angles_look_uniform_on_zero_two_pi() {
    let n = 20_000;
    let a = test_angles(n);
    assert!(a.iter().all(|&x| (0.0..std::f32::consts::TAU).contains(&x)));
    // 16 bins: chi-square with 15 degrees of freedom; 50 is beyond p = 1e-5.
    let bins = 16;
    let mut hist = vec![0usize; bins];
    for &x in &a {
        hist[((x / std::f32::consts::TAU) * bins as f32) as usize] += 1;
    }
    let e = n as f64 / bins as f64;
    let chi2: f64 = hist.iter().map(|&h| (h as f64 - e).powi(2) / e).sum();
    assert!(chi2 < 50.0, "chi2 = {chi2}, histogram {hist:?}");
    let mean = a.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
    assert!((mean - std::f64::consts::PI).abs() < 0.05, "mean {mean}");
}

fn blob_digits() -> Digits {
    // Three 9×7 digits with distinct content.
    let (rows, cols) = (9, 7);
    let mut pixels = Vec::new();
    for d in 0..3u32 {
        for r in 0..rows as u32 {
            for c in 0..cols as u32 {
                pixels.push(((r * 31 + c * 17 + d * 101) % 256) as u8);
            }
        }
    }
    Digits::new(rows, cols, vec![4, 1, 7], pixels).unwrap()
}

#[test]
fn rotated_images_scale_rotate_and_lay_out_each_digit() {
    let digits = blob_digits();
    let n = digits.rows * digits.cols;
    let indices = [2, 0, 2];
    let angles = [0.3, 0.0, -1.2];
    let out = rotated_images(&digits, &indices, &angles);
    assert_eq!(out.len(), 3 * n);
    for (k, (&i, &angle)) in indices.iter().zip(&angles).enumerate() {
        let src: Vec<f32> = digits.image(i).iter().map(|&p| p as f32 / 255.0).collect();
        let mut want = vec![0.0; n];
        rotate_bilinear(&src, digits.rows, digits.cols, angle, &mut want);
        assert_eq!(&out[k * n..(k + 1) * n], want.as_slice(), "image {k}");
    }
    // Angle 0 is the scaled image itself.
    let scaled: Vec<f32> = digits.image(0).iter().map(|&p| p as f32 / 255.0).collect();
    assert_eq!(&out[n..2 * n], scaled.as_slice());
}
