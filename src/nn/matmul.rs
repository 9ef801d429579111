//! The fast forward's matrix product: one safe entry point over the `gemm`
//! crate (runtime dispatch to AVX2/FMA or AVX-512 natively, simd128 in wasm).
//!
//! Always single-threaded: the forward parallelises over images, so a
//! product's result never depends on the number of threads. For fixed
//! shapes the summation order is fixed too (the crate blocks the inner
//! dimension by the shapes and the cache sizes only).

/// `c = a · b` for row-major `a` `[m, k]` (row stride `lda`), `b` `[k, n]`
/// (row stride `ldb`) and `c` `[m, n]` (row stride `ldc`); `c` is
/// overwritten.
///
/// Panics if a slice is too short for its shape and stride (a bug of the
/// caller, never of the input data).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
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
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].fill(0.0);
        }
        return;
    }
    // Last element touched + 1, for each operand.
    let need = |rows: usize, cols: usize, ld: usize| (rows - 1) * ld + cols;
    assert!(
        lda >= k && ldb >= n && ldc >= n,
        "matmul: stride below width"
    );
    assert!(a.len() >= need(m, k, lda), "matmul: lhs too short");
    assert!(b.len() >= need(k, n, ldb), "matmul: rhs too short");
    assert!(c.len() >= need(m, n, ldc), "matmul: dst too short");
    // SAFETY: the asserts above keep every access of the three strided
    // matrices inside its slice; `c` is borrowed mutably, so it cannot
    // alias `a` or `b`.
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
