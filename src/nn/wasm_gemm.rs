//! The wasm32 matrix product: a register-blocked simd128 microkernel, used
//! by `nn::matmul` when the crate is built with `+simd128` (`gemm`'s wasm
//! kernel ran no faster than its scalar path on the forward's shapes).
//!
//! `c = a · b` is cut into 4 × 8 tiles of `c` held in eight v128
//! accumulators: with two vectors of `b` and one broadcast value of `a`
//! they fit in the 15 xmm registers V8 gives wasm on x86-64, without
//! spills. The inner dimension is cut into blocks of at most [`KC`] (equal
//! sizes, chosen from `k` alone); `b` is packed per block into panels of 8
//! columns (`[k][8]`, zero-padded), so the kernel reads it sequentially
//! from L1 — on every call ([`matmul`]), or once for a matrix multiplied
//! many times ([`pack_rhs`], then [`matmul_packed`]: the forward's
//! expanded kernels).
//!
//! - With simd128 alone (what `build.sh` builds) a step is `f32x4.mul` +
//!   `f32x4.add`, and the four rows of `a` are packed per block (`[k][4]`),
//!   which frees the registers and the address arithmetic the extra
//!   temporaries need.
//! - With `+relaxed-simd` a step is one `f32x4.relaxed_madd` (fused on
//!   x86-64 with FMA) and the kernel reads the rows of `a` in place. Not
//!   shipped: a module with relaxed instructions does not validate in a
//!   browser without them, and it measured no faster on a core that issues
//!   multiplies and adds on separate pipes (see the README).
//!
//! Determinism: every element of `c` is the sum, in order, over the blocks
//! of the inner dimension of each block's sum in order of `p` — an order
//! fixed by `k` alone, independent of `m`, `n`, the tile an element falls in
//! or the call's slicing (`tests/web_matmul.rs`). Relaxed SIMD leaves
//! fusion to the engine; V8 on x86-64 with FMA fuses in its baseline and
//! its optimising tier alike, which the same test checks in such a build.
//!
//! Addresses in the kernels are computed on integers and cast to pointers
//! where they are used: with pointer induction variables LLVM's loop
//! strength reduction turns every `ptr.add(const)` into a separate
//! `i32.add` that V8 executes, instead of folding the constant into the
//! load's offset.

use core::arch::wasm32::*;
use std::cell::RefCell;

/// Rows of a tile of `c`.
const MR: usize = 4;
/// v128 vectors per row of a tile.
const NV: usize = 2;
/// Columns of a tile of `c`.
const NR: usize = 4 * NV;
/// Largest block of the inner dimension (a packed panel of `b`: 12 KB).
const KC: usize = 384;
/// Rows of `a` per pass over the panels of `b` (keeps them in L2).
const MC: usize = 256;

/// Whether the kernel reads `a` in place (true with relaxed SIMD).
const A_IN_PLACE: bool = cfg!(target_feature = "relaxed-simd");

/// `acc + a · b`, lane-wise.
#[inline(always)]
fn madd(a: v128, b: v128, acc: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(f32x4_mul(a, b), acc)
    }
}

type Acc = [[v128; NV]; MR];

/// Packing buffers, kept from call to call (wasm runs one thread).
struct Scratch {
    b: Vec<f32>,
    a: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            b: Vec::new(),
            a: Vec::new(),
        })
    };
}

/// Size of the blocks of an inner dimension `k` (the fewest blocks of at
/// most [`KC`], as equal as possible; the last one may be shorter).
fn k_block(k: usize) -> usize {
    k.div_ceil(k.div_ceil(KC).max(1)).max(1)
}

/// `c = a · b` (row-major, strides `lda`, `ldb`, `ldc`); `c` is overwritten.
///
/// # Safety
///
/// `m, n, k > 0`; `a` holds `[m, k]` at row stride `lda ≥ k`, `b` holds
/// `[k, n]` at row stride `ldb ≥ n`, `c` holds `[m, n]` at row stride
/// `ldc ≥ n` (each pointer valid for `(rows - 1) · ld + cols` elements), and
/// `c` aliases neither `a` nor `b`.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn matmul(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    let kc = k_block(k);
    SCRATCH.with_borrow_mut(|s| {
        let mut pc = 0;
        while pc < k {
            let kb = kc.min(k - pc);
            pack_b(b.add(pc * ldb), ldb, kb, n, &mut s.b);
            block(
                m,
                n,
                kb,
                a.add(pc),
                lda,
                s.b.as_ptr(),
                c,
                ldc,
                pc > 0,
                &mut s.a,
            );
            pc += kb;
        }
    });
}

/// `b` (`[k, n]`, row-major) laid out for [`matmul_packed`]: each block of
/// the inner dimension as panels `[kb][NR]`, one block after the other.
///
/// Panics if `b` is shorter than `k · n`.
pub(super) fn pack_rhs(b: &[f32], k: usize, n: usize) -> Vec<f32> {
    assert!(b.len() >= k * n, "pack_rhs: rhs too short");
    let kc = k_block(k);
    let mut out = Vec::with_capacity(packed_len(k, n));
    let mut panels = Vec::new();
    let mut pc = 0;
    while pc < k {
        let kb = kc.min(k - pc);
        // SAFETY: rows pc..pc + kb of `b` are inside it (asserted above).
        unsafe { pack_b(b.as_ptr().add(pc * n), n, kb, n, &mut panels) };
        out.extend_from_slice(&panels);
        pc += kb;
    }
    out
}

/// Length of [`pack_rhs`]`(_, k, n)`: whole panels of [`NR`] columns.
pub(super) fn packed_len(k: usize, n: usize) -> usize {
    n.div_ceil(NR) * k * NR
}

/// `c = a · b` for `b` laid out by [`pack_rhs`]`(b, k, n)`.
///
/// # Safety
///
/// As for [`matmul`], with `packed` the output of `pack_rhs(_, k, n)`.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn matmul_packed(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    lda: usize,
    packed: &[f32],
    c: *mut f32,
    ldc: usize,
) {
    let kc = k_block(k);
    let panels = n.div_ceil(NR);
    debug_assert_eq!(packed.len(), packed_len(k, n));
    SCRATCH.with_borrow_mut(|s| {
        let mut pc = 0;
        while pc < k {
            let kb = kc.min(k - pc);
            let b = packed.as_ptr().add(panels * pc * NR);
            block(m, n, kb, a.add(pc), lda, b, c, ldc, pc > 0, &mut s.a);
            pc += kb;
        }
    });
}

/// One block of the inner dimension: `c (+)= a · b` for `a` `[m, kb]`
/// (stride `lda`) and `b` packed as panels `[kb][NR]`; added to `c` if
/// `accumulate`. `a_pack` is scratch for the packed rows of `a`.
#[allow(clippy::too_many_arguments)]
unsafe fn block(
    m: usize,
    n: usize,
    kb: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
    a_pack: &mut Vec<f32>,
) {
    let panels = n.div_ceil(NR);
    let mut m0 = 0;
    while m0 < m {
        let mb = MC.min(m - m0);
        let a_block = a.add(m0 * lda);
        if !A_IN_PLACE {
            pack_a(a_block, lda, mb, kb, a_pack);
        }
        for jp in 0..panels {
            let j0 = jp * NR;
            let cols = NR.min(n - j0);
            let panel = b.add(jp * kb * NR);
            for ip in 0..mb.div_ceil(MR) {
                let i0 = ip * MR;
                let rows = MR.min(mb - i0);
                let acc = if A_IN_PLACE {
                    kernel_in_place(kb, a_block.add(i0 * lda), lda, rows, panel)
                } else {
                    kernel_packed(kb, a_pack.as_ptr().add(i0 * kb), panel)
                };
                let dst = c.add((m0 + i0) * ldc + j0);
                if rows == MR && cols == NR {
                    store(&acc, dst, ldc, accumulate);
                } else {
                    store_part(&acc, rows, cols, dst, ldc, accumulate);
                }
            }
        }
        m0 += mb;
    }
}

/// Rows `0..kb` of `b` (stride `ldb`, `n` columns) as panels `[kb][NR]`,
/// the last one zero-padded.
unsafe fn pack_b(b: *const f32, ldb: usize, kb: usize, n: usize, out: &mut Vec<f32>) {
    let panels = n.div_ceil(NR);
    out.clear();
    out.resize(panels * kb * NR, 0.0);
    let dst = out.as_mut_ptr();
    for jp in 0..panels {
        let j0 = jp * NR;
        let cols = NR.min(n - j0);
        let panel = dst.add(jp * kb * NR);
        for p in 0..kb {
            let src = b.add(p * ldb + j0);
            let to = panel.add(p * NR);
            if cols == NR {
                for v in 0..NV {
                    v128_store(
                        to.add(4 * v) as *mut v128,
                        v128_load(src.add(4 * v) as *const v128),
                    );
                }
            } else {
                std::ptr::copy_nonoverlapping(src, to, cols);
            }
        }
    }
}

/// Rows `0..mb`, columns `0..kb` of `a` (stride `lda`) as panels `[kb][MR]`
/// of `MR` rows, the last one zero-padded.
unsafe fn pack_a(a: *const f32, lda: usize, mb: usize, kb: usize, out: &mut Vec<f32>) {
    let panels = mb.div_ceil(MR);
    out.clear();
    out.resize(panels * MR * kb, 0.0);
    let dst = out.as_mut_ptr();
    for ip in 0..panels {
        let i0 = ip * MR;
        let rows = MR.min(mb - i0);
        let panel = dst.add(i0 * kb);
        let src = a.add(i0 * lda);
        let mut p = 0;
        if rows == MR {
            // 4 × 4 blocks, transposed in registers.
            while p + 4 <= kb {
                let r0 = v128_load(src.add(p) as *const v128);
                let r1 = v128_load(src.add(lda + p) as *const v128);
                let r2 = v128_load(src.add(2 * lda + p) as *const v128);
                let r3 = v128_load(src.add(3 * lda + p) as *const v128);
                let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                let to = panel.add(p * MR);
                v128_store(to as *mut v128, i32x4_shuffle::<0, 1, 4, 5>(t0, t2));
                v128_store(to.add(4) as *mut v128, i32x4_shuffle::<2, 3, 6, 7>(t0, t2));
                v128_store(to.add(8) as *mut v128, i32x4_shuffle::<0, 1, 4, 5>(t1, t3));
                v128_store(to.add(12) as *mut v128, i32x4_shuffle::<2, 3, 6, 7>(t1, t3));
                p += 4;
            }
        }
        for p in p..kb {
            for i in 0..rows {
                *panel.add(p * MR + i) = *src.add(i * lda + p);
            }
        }
    }
}

/// One tile from `MR` rows of `a` read in place (row stride `lda`; rows
/// from `rows` on repeat the last one, and their results are discarded)
/// and a packed panel of `b`.
#[inline(never)]
unsafe fn kernel_in_place(
    kb: usize,
    a: *const f32,
    lda: usize,
    rows: usize,
    panel: *const f32,
) -> Acc {
    let mut acc = [[f32x4_splat(0.0); NV]; MR];
    let mut row = [0usize; MR];
    for (i, r) in row.iter_mut().enumerate() {
        *r = a.add(i.min(rows - 1) * lda) as usize;
    }
    let mut b = panel as usize;
    for _ in 0..kb {
        let bv = load_b(b);
        for (i, acc) in acc.iter_mut().enumerate() {
            let av = v128_load32_splat(row[i] as *const u32);
            for (acc, &bv) in acc.iter_mut().zip(&bv) {
                *acc = madd(av, bv, *acc);
            }
            row[i] += 4;
        }
        b += 4 * NR;
    }
    acc
}

/// One tile from a packed panel of `a` and a packed panel of `b`.
#[inline(never)]
unsafe fn kernel_packed(kb: usize, a: *const f32, panel: *const f32) -> Acc {
    let mut acc = [[f32x4_splat(0.0); NV]; MR];
    let mut a = a as usize;
    let mut b = panel as usize;
    for _ in 0..kb {
        let bv = load_b(b);
        let pa = a as *const f32;
        for (i, acc) in acc.iter_mut().enumerate() {
            let av = v128_load32_splat(pa.add(i) as *const u32);
            for (acc, &bv) in acc.iter_mut().zip(&bv) {
                *acc = madd(av, bv, *acc);
            }
        }
        a += 4 * MR;
        b += 4 * NR;
    }
    acc
}

/// One step's row of a packed panel of `b`, at address `b`.
#[inline(always)]
unsafe fn load_b(b: usize) -> [v128; NV] {
    let pb = b as *const f32;
    let mut bv = [f32x4_splat(0.0); NV];
    for (v, bv) in bv.iter_mut().enumerate() {
        *bv = v128_load(pb.add(4 * v) as *const v128);
    }
    bv
}

/// A full tile into `c` (stride `ldc`), added to it if `accumulate`.
#[inline(always)]
unsafe fn store(acc: &Acc, c: *mut f32, ldc: usize, accumulate: bool) {
    for (i, acc) in acc.iter().enumerate() {
        let row = c.add(i * ldc);
        for (v, &x) in acc.iter().enumerate() {
            let at = row.add(4 * v) as *mut v128;
            let x = if accumulate {
                f32x4_add(v128_load(at), x)
            } else {
                x
            };
            v128_store(at, x);
        }
    }
}

/// The first `rows` × `cols` of a tile into `c`, added to it if `accumulate`.
unsafe fn store_part(
    acc: &Acc,
    rows: usize,
    cols: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    let mut tile = [0f32; MR * NR];
    store(acc, tile.as_mut_ptr(), NR, false);
    for i in 0..rows {
        let row = c.add(i * ldc);
        for (j, &x) in tile[i * NR..i * NR + cols].iter().enumerate() {
            let at = row.add(j);
            *at = if accumulate { *at + x } else { x };
        }
    }
}
