//! The CPU forward's matrix product as compiled to wasm (the simd128 kernel
//! of `nn::wasm_gemm`, relaxed SIMD or not), run in headless Chromium:
//! against a plain f64 product on random shapes and strides (tile edges in
//! both dimensions, several blocks of the inner dimension), and for the
//! determinism the forward relies on (bits independent of the rows
//! multiplied with them and of the engine's tier).

#![cfg(target_arch = "wasm32")]

use eslt::nn::{matmul, matmul_rhs, Rhs};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// Uniform in [-1, 1).
    fn value(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    fn values(&mut self, len: usize) -> Vec<f32> {
        (0..len).map(|_| self.value()).collect()
    }
}

/// Marks the elements a product must not touch (row padding of `c`).
const UNTOUCHED: f32 = 12345.0;

struct Case {
    m: usize,
    n: usize,
    k: usize,
    lda: usize,
    ldb: usize,
    ldc: usize,
    a: Vec<f32>,
    b: Vec<f32>,
}

impl Case {
    fn random(rng: &mut Rng, m: usize, n: usize, k: usize) -> Self {
        let lda = k + rng.range(0, 3) * rng.range(0, 5);
        let ldb = n + rng.range(0, 3) * rng.range(0, 5);
        let ldc = n + rng.range(0, 3) * rng.range(0, 5);
        let a = rng.values(m * lda);
        let b = rng.values(k * ldb);
        Self {
            m,
            n,
            k,
            lda,
            ldb,
            ldc,
            a,
            b,
        }
    }

    /// `c` full of garbage, as the forward's reused buffers are.
    fn product(&self) -> Vec<f32> {
        let mut c = vec![UNTOUCHED; self.m * self.ldc];
        for row in c.chunks_mut(self.ldc) {
            row[..self.n].fill(f32::NAN);
        }
        matmul(
            self.m, self.n, self.k, &self.a, self.lda, &self.b, self.ldb, &mut c, self.ldc,
        );
        c
    }

    /// The product through a prepared right-hand side (`Rhs`), which must
    /// give `product`'s bits.
    fn product_rhs(&self) -> Vec<f32> {
        let compact = (0..self.k)
            .flat_map(|p| self.b[p * self.ldb..p * self.ldb + self.n].iter().copied())
            .collect();
        let rhs = Rhs::new(compact, self.k, self.n);
        let mut c = vec![UNTOUCHED; self.m * self.ldc];
        for row in c.chunks_mut(self.ldc) {
            row[..self.n].fill(f32::NAN);
        }
        matmul_rhs(self.m, &self.a, self.lda, &rhs, &mut c, self.ldc);
        c
    }

    /// `product` checked against the f64 product, and `product_rhs`
    /// against `product` bit for bit.
    fn check_both(&self) {
        let c = self.product();
        self.check(&c);
        let d = self.product_rhs();
        assert!(
            c.iter().zip(&d).all(|(x, y)| x.to_bits() == y.to_bits()),
            "({}, {}, {}): the product with a prepared rhs differs",
            self.m,
            self.n,
            self.k
        );
    }

    /// Checks `c` against the f64 product, element by element, to the
    /// textbook bound on f32 rounding: each term goes through at most one
    /// rounded multiply and k rounded adds (blocked or fused summation only
    /// shortens that chain), so |error| ≤ γ(k+1) · Σ|a·b| with
    /// γ(j) = j·u / (1 − j·u), u = 2⁻²⁴. A lost or doubled term misses it by
    /// orders of magnitude.
    fn check(&self, c: &[f32]) {
        let Case {
            m,
            n,
            k,
            lda,
            ldb,
            ldc,
            ..
        } = *self;
        for i in 0..m {
            for j in 0..ldc {
                let got = c[i * ldc + j];
                if j >= n {
                    assert_eq!(
                        got, UNTOUCHED,
                        "({m}, {n}, {k}): wrote ({i}, {j}) of the padding"
                    );
                    continue;
                }
                let (mut exact, mut size) = (0f64, 0f64);
                for p in 0..k {
                    let t = f64::from(self.a[i * lda + p]) * f64::from(self.b[p * ldb + j]);
                    exact += t;
                    size += t.abs();
                }
                let err = (f64::from(got) - exact).abs();
                let ju = (k + 1) as f64 * f64::from(f32::EPSILON) / 2.0;
                assert!(
                    err <= ju / (1.0 - ju) * size,
                    "({m}, {n}, {k}) at ({i}, {j}): {got} vs {exact} (error {err:e}, scale {size:e})"
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn random_shapes_match_a_plain_product() {
    let mut rng = Rng(1);
    for _ in 0..300 {
        let (m, n, k) = (rng.range(1, 23), rng.range(1, 37), rng.range(1, 50));
        let case = Case::random(&mut rng, m, n, k);
        case.check_both();
    }
}

#[wasm_bindgen_test]
fn large_inner_dimensions_match_a_plain_product() {
    // Several blocks of the inner dimension (of equal size, or not), and
    // more rows than one pass over the panels takes.
    let mut rng = Rng(2);
    for &(m, n, k) in &[
        (9, 20, 385),
        (13, 8, 768),
        (5, 17, 1153),
        (300, 9, 40),
        (270, 24, 400),
    ] {
        let case = Case::random(&mut rng, m, n, k);
        case.check_both();
    }
    for _ in 0..20 {
        let (m, n, k) = (rng.range(1, 70), rng.range(1, 70), rng.range(300, 1300));
        let case = Case::random(&mut rng, m, n, k);
        case.check_both();
    }
}

#[wasm_bindgen_test]
fn the_forwards_shapes_match_a_plain_product() {
    // rotmnist-c8's convolutions: 5×5 on 28×28, 3×3 on 14×14 and on 7×7
    // (four images), the 1×1 head.
    let mut rng = Rng(3);
    for &(m, n, k) in &[
        (784, 64, 25),
        (196, 128, 576),
        (196, 128, 1152),
        (4, 10, 16),
    ] {
        let mut case = Case::random(&mut rng, m, n, k);
        (case.lda, case.ldb, case.ldc) = (k, n, n);
        case.a = rng.values(m * k);
        case.b = rng.values(k * n);
        case.check_both();
    }
}

#[wasm_bindgen_test]
fn an_empty_inner_dimension_gives_zeros() {
    let mut c = vec![UNTOUCHED; 3 * 6];
    matmul(3, 5, 0, &[], 0, &[], 5, &mut c, 6);
    for row in c.chunks(6) {
        assert_eq!(row, &[0.0, 0.0, 0.0, 0.0, 0.0, UNTOUCHED]);
    }
}

#[wasm_bindgen_test]
fn bits_do_not_depend_on_the_other_rows_or_the_tier() {
    // A row's result depends on its own values and k only: the same rows
    // multiplied within a larger or smaller product, at any offset, give the
    // same bits — and so does the first call (baseline code) and the 200th
    // (optimised code, with relaxed SIMD possibly fused).
    let mut rng = Rng(4);
    for &(m, n, k) in &[(37, 29, 700), (196, 128, 576), (11, 10, 25)] {
        let case = Case::random(&mut rng, m, n, k);
        let whole = case.product();
        for _ in 0..3 {
            let (start, rows) = {
                let start = rng.range(0, m - 1);
                (start, rng.range(1, m - start))
            };
            let part = Case {
                m: rows,
                a: case.a[start * case.lda..(start + rows) * case.lda].to_vec(),
                b: case.b.clone(),
                ..case
            };
            let got = part.product();
            let want = &whole[start * case.ldc..(start + rows) * case.ldc];
            assert!(
                got.iter()
                    .zip(want)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "({m}, {n}, {k}): rows {start}..{} differ from the whole product's",
                start + rows
            );
        }
        for _ in 0..200 {
            let again = case.product();
            assert!(
                again
                    .iter()
                    .zip(&whole)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "({m}, {n}, {k}): a repeated product changed bits"
            );
        }
    }
}
