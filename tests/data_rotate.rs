//! Rotation about the image centre: identities, exact quarter turns, the
//! direction convention, and geometry of rotated blobs.

use std::f32::consts::{FRAC_PI_2, PI};

use eslt::data::rotate::{rotate_bilinear, rotate_quarter};
use proptest::prelude::*;

fn bilinear(src: &[f32], rows: usize, cols: usize, angle: f32) -> Vec<f32> {
    let mut dst = vec![f32::NAN; rows * cols];
    rotate_bilinear(src, rows, cols, angle, &mut dst);
    dst
}

fn quarter<T: Copy + Default>(src: &[T], rows: usize, cols: usize, k: i32) -> Vec<T> {
    let mut dst = vec![T::default(); rows * cols];
    rotate_quarter(src, rows, cols, k, &mut dst);
    dst
}

/// A Gaussian blob of width `sigma` centred `(dy, dx)` pixels from the
/// image centre (dy up, dx right, as displayed).
fn blob(n: usize, dx: f32, dy: f32, sigma: f32) -> Vec<f32> {
    let c = (n as f32 - 1.0) / 2.0;
    let mut img = vec![0.0; n * n];
    for r in 0..n {
        for col in 0..n {
            let x = col as f32 - c - dx;
            let y = c - r as f32 - dy;
            img[r * n + col] = (-(x * x + y * y) / (2.0 * sigma * sigma)).exp();
        }
    }
    img
}

/// Mass and centre of mass (x right, y up, from the centre).
fn moments(img: &[f32], n: usize) -> (f32, f32, f32) {
    let c = (n as f32 - 1.0) / 2.0;
    let (mut m, mut mx, mut my) = (0.0, 0.0, 0.0);
    for r in 0..n {
        for col in 0..n {
            let v = img[r * n + col];
            m += v;
            mx += v * (col as f32 - c);
            my += v * (c - r as f32);
        }
    }
    (m, mx / m, my / m)
}

fn image_strategy(max_side: usize) -> impl Strategy<Value = (usize, usize, Vec<f32>)> {
    (1..=max_side, 1..=max_side).prop_flat_map(|(rows, cols)| {
        (
            Just(rows),
            Just(cols),
            prop::collection::vec(0.0f32..1.0, rows * cols),
        )
    })
}

proptest! {
    #[test]
    fn zero_angle_is_identity((rows, cols, img) in image_strategy(12)) {
        prop_assert_eq!(bilinear(&img, rows, cols, 0.0), img);
    }

    #[test]
    fn quarter_turns_permute_and_four_are_identity((rows, cols, img) in image_strategy(12), k in -6i32..6) {
        let once = quarter(&img, rows, cols, k);
        // A permutation: same multiset of values.
        let mut a = img.clone();
        let mut b = once.clone();
        a.sort_by(f32::total_cmp);
        b.sort_by(f32::total_cmp);
        prop_assert_eq!(a, b);
        // Odd turns swap the shape; turning back restores the image.
        let (r2, c2) = if k.rem_euclid(2) == 1 { (cols, rows) } else { (rows, cols) };
        prop_assert_eq!(quarter(&once, r2, c2, -k), img.clone());
        let mut four = img.clone();
        let (mut r, mut c) = (rows, cols);
        for _ in 0..4 {
            four = quarter(&four, r, c, 1);
            std::mem::swap(&mut r, &mut c);
        }
        prop_assert_eq!(four, img);
    }

    #[test]
    fn bilinear_at_right_angles_equals_quarter_turns(n in 1usize..30, seed: u64, k in -4i32..8) {
        let img: Vec<f32> = (0..n * n)
            .map(|i| ((i as u64).wrapping_mul(6364136223846793005).wrapping_add(seed) >> 40) as f32 / (1u64 << 24) as f32)
            .collect();
        let exact = quarter(&img, n, n, k);
        let angle = k as f32 * FRAC_PI_2;
        let approx = bilinear(&img, n, n, angle);
        // kπ/2 is not exact in f32: the sample points move by the angle's
        // rounding (plus sin/cos rounding) times the radius, and a bilinear
        // value by at most twice that (values in [0, 1)).
        let d_angle = (angle as f64 - k as f64 * std::f64::consts::FRAC_PI_2).abs();
        let radius = (n as f64 - 1.0) / std::f64::consts::SQRT_2;
        let tol = (2.0 * (d_angle + 1.2e-7) * radius + 1e-6) as f32;
        for (i, (a, e)) in approx.iter().zip(&exact).enumerate() {
            prop_assert!((a - e).abs() <= tol, "pixel {} of {}x{}, k {}: {} vs {} (tol {})", i, n, n, k, a, e, tol);
        }
    }
}

#[test]
fn bilinear_at_quarter_angles_on_mnist_size_is_within_1e_5() {
    let n = 28;
    let img: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7919) % 256) as f32 / 255.0)
        .collect();
    for k in -2..=2 {
        let exact = quarter(&img, n, n, k);
        let approx = bilinear(&img, n, n, k as f32 * FRAC_PI_2);
        let worst = approx
            .iter()
            .zip(&exact)
            .map(|(a, e)| (a - e).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= 1e-5, "k = {k}: worst difference {worst}");
    }
}

#[test]
fn positive_angles_turn_counter_clockwise_as_displayed() {
    // 5×5, one bright pixel right of the centre (row 2, col 4).
    let mut img = vec![0.0f32; 25];
    img[2 * 5 + 4] = 1.0;
    // A quarter turn counter-clockwise moves it to the top (row 0, col 2).
    let q = quarter(&img, 5, 5, 1);
    assert_eq!(q[2], 1.0);
    let b = bilinear(&img, 5, 5, FRAC_PI_2);
    assert!((b[2] - 1.0).abs() < 1e-5, "{b:?}");
    // Clockwise goes to the bottom (row 4, col 2).
    assert_eq!(quarter(&img, 5, 5, -1)[4 * 5 + 2], 1.0);
}

#[test]
fn non_square_quarter_turn_layout() {
    // 2×3:  a b c      one turn counter-clockwise, 3×2:  c f
    //       d e f                                         b e
    //                                                     a d
    let img = ['a', 'b', 'c', 'd', 'e', 'f'];
    let mut dst = ['?'; 6];
    rotate_quarter(&img, 2, 3, 1, &mut dst);
    assert_eq!(dst, ['c', 'f', 'b', 'e', 'a', 'd']);
    rotate_quarter(&img, 2, 3, 2, &mut dst);
    assert_eq!(dst, ['f', 'e', 'd', 'c', 'b', 'a']);
    rotate_quarter(&img, 2, 3, 3, &mut dst);
    assert_eq!(dst, ['d', 'a', 'e', 'b', 'f', 'c']);
}

#[test]
fn centred_blob_keeps_its_mass() {
    let n = 28;
    let img = blob(n, 0.0, 0.0, 3.0);
    let (m0, _, _) = moments(&img, n);
    for i in 0..24 {
        let angle = i as f32 * 0.27;
        let (m, x, y) = moments(&bilinear(&img, n, n, angle), n);
        assert!(
            (m - m0).abs() / m0 < 0.02,
            "angle {angle}: mass {m} vs {m0}"
        );
        assert!(
            x.abs() < 0.02 && y.abs() < 0.02,
            "angle {angle}: centre ({x}, {y})"
        );
    }
}

#[test]
fn off_centre_blob_moves_on_its_circle() {
    let n = 28;
    let (dx, dy) = (5.0f32, 2.0f32);
    let img = blob(n, dx, dy, 2.0);
    for i in 0..16 {
        let angle = i as f32 * PI / 8.0 + 0.1;
        let (_, x, y) = moments(&bilinear(&img, n, n, angle), n);
        let (s, c) = angle.sin_cos();
        let (ex, ey) = (c * dx - s * dy, s * dx + c * dy);
        assert!(
            (x - ex).abs() < 0.05 && (y - ey).abs() < 0.05,
            "angle {angle}: centre ({x}, {y}), expected ({ex}, {ey})"
        );
    }
}

#[test]
fn outside_reads_as_zero() {
    let n = 11;
    let ones = vec![1.0f32; n * n];
    let r = bilinear(&ones, n, n, PI / 4.0);
    // Corners map from outside the square, the centre from itself.
    for corner in [0, n - 1, n * (n - 1), n * n - 1] {
        assert_eq!(r[corner], 0.0, "corner {corner}");
    }
    assert!((r[n * n / 2] - 1.0).abs() < 1e-6);
    assert!(r.iter().all(|&v| (0.0..=1.0 + 1e-6).contains(&v)));
}
