//! The fast forward's matrix product: one safe entry point over the `gemm`
//! crate natively (runtime dispatch to AVX2/FMA or AVX-512), and over this
//! crate's own kernel in wasm built with `+simd128` (`nn::wasm_gemm`,
//! faster than `gemm`'s wasm kernel on the forward's shapes; `gemm`
//! remains the fallback of a wasm build without simd128).
//!
//! Always single-threaded: the forward parallelises over images, so a
//! product's result never depends on the number of threads. For fixed
//! shapes the summation order is fixed too (both block the inner dimension
//! by the shapes and the cache sizes only).
//!
//! [`Rhs`] holds a right-hand side that is multiplied many times (the
//! convolutions' expanded kernels) laid out once for the kernel, so that
//! [`matmul_rhs`] does not re-pack it on every product (in wasm; natively
//! it is the matrix as given, and the product is [`matmul`]'s, bit for bit).

/// `c = a · b` for row-major `a` `[m, k]` (row stride `lda`), `b` `[k, n]`
/// (row stride `ldb`) and `c` `[m, n]` (row stride `ldc`); `c` is
/// overwritten.
///
/// Panics if a slice is too short for its shape and stride (a bug of the
/// caller, never of the input data).
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    if !check(m, n, k, a, lda, c, ldc) {
        return;
    }
    assert!(ldb >= n, "matmul: stride below width");
    assert!(b.len() >= need(k, n, ldb), "matmul: rhs too short");
    // SAFETY: `check` and the asserts above keep every access of the three
    // strided matrices inside its slice; `c` is borrowed mutably, so it
    // cannot alias `a` or `b`.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    unsafe {
        super::wasm_gemm::matmul(
            m,
            n,
            k,
            a.as_ptr(),
            lda,
            b.as_ptr(),
            ldb,
            c.as_mut_ptr(),
            ldc,
        );
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            ldc as isize,
            false,
            a.as_ptr(),
            1,
            lda as isize,
            b.as_ptr(),
            1,
            ldb as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// A right-hand side `[k, n]` laid out once for [`matmul_rhs`].
pub struct Rhs {
    k: usize,
    n: usize,
    /// Row-major `[k, n]`, or the wasm kernel's panels.
    data: Vec<f32>,
}

impl Rhs {
    /// `b`, row-major `[k, n]` (row stride `n`).
    ///
    /// Panics if `b.len() != k · n`.
    pub fn new(b: Vec<f32>, k: usize, n: usize) -> Self {
        assert_eq!(b.len(), k * n, "Rhs: length is not k · n");
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let b = super::wasm_gemm::pack_rhs(&b, k, n);
        Self { k, n, data: b }
    }

    /// Values an `Rhs` of a `[k, n]` matrix holds (the kernel's panels pad
    /// `n` in wasm).
    pub(crate) fn stored_len(k: usize, n: usize) -> usize {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let len = super::wasm_gemm::packed_len(k, n);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let len = k * n;
        len
    }

    /// Rows (the product's inner dimension).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// `c = a · b` for row-major `a` `[m, b.k()]` (row stride `lda`) and `c`
/// `[m, b.n()]` (row stride `ldc`); `c` is overwritten. The same bits as
/// [`matmul`] on the matrix `b` was made from.
///
/// Panics if a slice is too short for its shape and stride.
pub fn matmul_rhs(m: usize, a: &[f32], lda: usize, b: &Rhs, c: &mut [f32], ldc: usize) {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    matmul(m, b.n, b.k, a, lda, &b.data, b.n, c, ldc);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if check(m, b.n, b.k, a, lda, c, ldc) {
        // SAFETY: `check` keeps the accesses of `a` and `c` inside their
        // slices, and `b.data` is `pack_rhs(_, b.k, b.n)`; `c` is borrowed
        // mutably, so it cannot alias `a` or `b`.
        unsafe {
            super::wasm_gemm::matmul_packed(
                m,
                b.n,
                b.k,
                a.as_ptr(),
                lda,
                &b.data,
                c.as_mut_ptr(),
                ldc,
            );
        }
    }
}

/// Elements a `[rows, cols]` matrix at row stride `ld` spans.
fn need(rows: usize, cols: usize, ld: usize) -> usize {
    (rows - 1) * ld + cols
}

/// Checks the left-hand side and the destination; false when there is
/// nothing left to compute (an empty product, or `k = 0`: `c` zeroed).
fn check(m: usize, n: usize, k: usize, a: &[f32], lda: usize, c: &mut [f32], ldc: usize) -> bool {
    if m == 0 || n == 0 {
        return false;
    }
    assert!(lda >= k && ldc >= n, "matmul: stride below width");
    assert!(c.len() >= need(m, n, ldc), "matmul: dst too short");
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].fill(0.0);
        }
        return false;
    }
    assert!(a.len() >= need(m, k, lda), "matmul: lhs too short");
    true
}
