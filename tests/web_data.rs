//! The data core and the page's `DigitSet` API, compiled to wasm and run in
//! headless Chromium (wasm-bindgen-test). Checks that wasm32 (32-bit usize,
//! the browser's f32 maths) behaves like the native build.

#![cfg(target_arch = "wasm32")]

#[path = "data_reference/chacha8.rs"]
mod chacha8;

use std::f32::consts::FRAC_PI_2;

use eslt::data::rotate::{rotate_bilinear, rotate_quarter};
use eslt::data::rotated_mnist::{angle_from_u32, test_angles, TEST_ROTATION_SEED};
use eslt::data::Digits;
use eslt::web::DigitSet;
use eslt::Error;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn sample() -> Digits {
    let (rows, cols, count) = (28, 28, 5);
    let labels = (0..count).map(|i| (i * 7 % 10) as u8).collect();
    let pixels = (0..count * rows * cols)
        .map(|i| (i * 131 % 256) as u8)
        .collect();
    Digits::new(rows, cols, labels, pixels).unwrap()
}

#[wasm_bindgen_test]
fn packed_round_trip_in_wasm() {
    let d = sample();
    let bytes = d.to_bytes();
    assert_eq!(Digits::from_bytes(&bytes).unwrap(), d);
    let set = DigitSet::from_bytes(&bytes).expect("valid bytes load");
    assert_eq!((set.count(), set.rows(), set.cols()), (5, 28, 28));
    assert_eq!(set.labels(), d.labels);
    assert_eq!(set.image(3).unwrap(), d.image(3));
}

#[wasm_bindgen_test]
fn corrupt_buffers_are_errors_not_panics() {
    let good = sample().to_bytes();
    let mut bad_magic = good.clone();
    bad_magic[3] ^= 0xff;
    assert!(matches!(
        Digits::from_bytes(&bad_magic),
        Err(Error::Data { .. })
    ));
    assert!(DigitSet::from_bytes(&bad_magic).is_err());
    assert!(DigitSet::from_bytes(&good[..good.len() - 10]).is_err());
    assert!(DigitSet::from_bytes(&[]).is_err());
    // On wasm32 usize is 32 bits: this header's size overflows it, which
    // must be caught, not wrap around.
    let mut huge = good;
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[12..16].copy_from_slice(&[0xff; 4]);
    match Digits::from_bytes(&huge) {
        Err(Error::Data { why, .. }) => assert!(why.contains("header claims"), "{why}"),
        other => panic!("expected an overflow error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn rotated_validates_its_arguments() {
    let set = DigitSet::from_bytes(&sample().to_bytes()).unwrap();
    assert!(set.rotated(&[0, 5], &[0.0, 0.0]).is_err(), "index 5 of 5");
    assert!(set.rotated(&[0, 1], &[0.0]).is_err(), "length mismatch");
    assert!(set.rotated(&[0], &[f32::NAN]).is_err(), "NaN angle");
    let out = set.rotated(&[4, 0], &[0.0, 0.0]).unwrap();
    assert_eq!(out.len(), 2 * 28 * 28);
    let want: Vec<f32> = sample()
        .image(4)
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();
    assert_eq!(&out[..784], want.as_slice());
}

#[wasm_bindgen_test]
fn bilinear_at_right_angles_matches_quarter_turns_in_wasm() {
    let n = 28;
    let img: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7919) % 256) as f32 / 255.0)
        .collect();
    for k in -2..=2 {
        let mut exact = vec![0.0; n * n];
        rotate_quarter(&img, n, n, k, &mut exact);
        let mut approx = vec![0.0; n * n];
        rotate_bilinear(&img, n, n, k as f32 * FRAC_PI_2, &mut approx);
        let worst = approx
            .iter()
            .zip(&exact)
            .map(|(a, e)| (a - e).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= 1e-5, "k = {k}: worst difference {worst}");
    }
}

#[wasm_bindgen_test]
fn test_angles_in_wasm_are_the_chacha8_stream() {
    // An independent ChaCha8, checked against the published test vector,
    // regenerates the stream; the crate's angles must be that stream.
    let mut zero_key = chacha8::ChaCha8::from_key([0; 32]);
    assert_eq!(
        zero_key.next_u32(),
        u32::from_le_bytes([0x3e, 0x00, 0xef, 0x2f])
    );
    let mut reference = chacha8::ChaCha8::from_u64_seed(TEST_ROTATION_SEED);
    let n = 1000;
    let expected: Vec<f32> = (0..n)
        .map(|_| angle_from_u32(reference.next_u32()))
        .collect();
    assert_eq!(test_angles(n), expected);
    assert_eq!(eslt::web::test_angles(n), expected, "the page's export");
}
