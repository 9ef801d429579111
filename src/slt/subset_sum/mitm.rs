//! Exact meet-in-the-middle (Horowitz–Sahni) solver.
//!
//! 1. Each half's 2^h subset sums are built already sorted: the list for the
//!    first k candidates, L, and L + c_k are both sorted, so one merge gives
//!    the list for k+1 candidates — no sort. Each merge runs from both ends
//!    at once (two independent dependency chains) and is branch-free.
//! 2. Equal sums within a half are collapsed to the best subset (fewest
//!    elements, then smallest mask): the error depends on the sums only, so
//!    this loses no optimum, and it keeps integer-valued inputs (many ties)
//!    linear.
//! 3. A two-pointer sweep: for each first-half sum a (ascending), the
//!    pointer q into the second half (descending) sits on the largest b with
//!    fl(a + b) ≤ t; the optimum for that a is b_q or b_{q+1}, or — when
//!    rounding makes several b give the same error — a run of equal-error
//!    neighbours, which the cold path scans. fl(a + b) is monotone in a and
//!    in b, so q only moves down: O(2^h) steps in total.
//!
//! Memory: three lists of at most 2^16 + 2 (sum, mask) pairs per thread,
//! reused across problems.

use super::evaluate::{better, split_point};
use super::problem::{Problem, Solution};
use crate::Result;

/// Sorted subset sums of one half, with −∞ / +∞ sentinels at index 0 and
/// `len + 1`; the data sits in `1..=len`. `mask` holds the subset of each sum,
/// bits relative to the half.
#[derive(Default)]
struct HalfList {
    sum: Vec<f64>,
    mask: Vec<u32>,
    len: usize,
}

impl HalfList {
    fn reserve(&mut self, cap: usize) {
        if self.sum.len() < cap {
            self.sum.resize(cap, 0.0);
            self.mask.resize(cap, 0);
        }
    }

    fn set_sentinels(&mut self) {
        self.sum[0] = f64::NEG_INFINITY;
        self.mask[0] = 0;
        self.sum[self.len + 1] = f64::INFINITY;
        self.mask[self.len + 1] = 0;
    }
}

/// Per-thread working memory of the solver, reused across problems
/// (≈ 2.4 MB once a problem with n = 32 has been solved).
#[derive(Default)]
pub struct Scratch {
    first: HalfList,
    second: HalfList,
    tmp: HalfList,
}

impl Scratch {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Solves one problem exactly (see [`super::evaluate`] for the objective).
pub fn solve(problem: &Problem<'_>, scratch: &mut Scratch) -> Result<Solution> {
    problem.validate()?;
    Ok(solve_valid(problem.candidates, problem.target, scratch))
}

/// [`solve`] without validation: `c.len() ≤ 32`, all values finite and
/// ≤ `MAX_ABS` in magnitude (a [`super::ProblemBatch`] guarantees it).
pub(crate) fn solve_valid(c: &[f64], t: f64, scratch: &mut Scratch) -> Solution {
    let h = split_point(c.len());
    let Scratch { first, second, tmp } = scratch;
    build_half(&c[..h], first, tmp);
    build_half(&c[h..], second, tmp);
    sweep(first, second, h as u32, t)
}

/// Sorted, de-duplicated subset sums of `c` into `out`.
fn build_half(c: &[f64], out: &mut HalfList, tmp: &mut HalfList) {
    let cap = (1usize << c.len()) + 2;
    out.reserve(cap);
    tmp.reserve(cap);
    out.len = 1;
    out.sum[1] = 0.0;
    out.mask[1] = 0;
    out.set_sentinels();
    for (j, &cj) in c.iter().enumerate() {
        merge_shifted(out, cj, 1 << j, tmp);
        std::mem::swap(out, tmp);
    }
    dedup(out);
}

/// dst = merge(src, src + c), the second list's masks gaining `bit`.
///
/// Order on ties: an element of src before one of src + c, and within a
/// list by position — a strict total order, so the front half (m smallest)
/// and the back half (m largest) written by the two chains never overlap.
/// The sentinels stop each chain from running past its list: +∞ + c = +∞ and
/// −∞ + c = −∞ for finite c.
fn merge_shifted(src: &HalfList, c: f64, bit: u32, dst: &mut HalfList) {
    let m = src.len;
    let ss = &src.sum[..m + 2];
    let sm = &src.mask[..m + 2];
    dst.len = 2 * m;
    let ds = &mut dst.sum[..2 * m + 2];
    let dm = &mut dst.mask[..2 * m + 2];
    let (mut i, mut k) = (1usize, 1usize);
    let (mut ib, mut kb) = (m, m);
    for s in 0..m {
        // Front: smallest remaining; x wins ties.
        let x = ss[i];
        let y = ss[k] + c;
        let take_y = y < x;
        ds[1 + s] = if take_y { y } else { x };
        dm[1 + s] = if take_y { sm[k] | bit } else { sm[i] };
        i += usize::from(!take_y);
        k += usize::from(take_y);
        // Back: largest remaining; y wins ties.
        let x = ss[ib];
        let y = ss[kb] + c;
        let take_y = y >= x;
        ds[2 * m - s] = if take_y { y } else { x };
        dm[2 * m - s] = if take_y { sm[kb] | bit } else { sm[ib] };
        ib -= usize::from(!take_y);
        kb -= usize::from(take_y);
    }
    dst.set_sentinels();
}

/// Collapses runs of equal sums to their best subset (fewest elements, then
/// smallest mask).
fn dedup(l: &mut HalfList) {
    let mut w = 1;
    for r in 2..=l.len {
        let (s, m) = (l.sum[r], l.mask[r]);
        if s == l.sum[w] {
            if (m.count_ones(), m) < (l.mask[w].count_ones(), l.mask[w]) {
                l.mask[w] = m;
            }
        } else {
            w += 1;
            l.sum[w] = s;
            l.mask[w] = m;
        }
    }
    l.len = w;
    l.set_sentinels();
}

/// Best answer so far.
struct Best {
    err: f64,
    sum: f64,
    mask: u32,
}

impl Best {
    #[inline]
    fn offer(&mut self, sum: f64, err: f64, mask: u32) {
        if better(err, mask, self.err, self.mask) {
            *self = Best { err, sum, mask };
        }
    }
}

/// Two-pointer sweep over the sorted halves.
fn sweep(a: &HalfList, b: &HalfList, h: u32, t: f64) -> Solution {
    // Start from the empty subset, evaluated canonically (0 + 0 − t).
    let zero = 0.0f64 + 0.0;
    let mut best = Best {
        err: (zero - t).abs(),
        sum: zero,
        mask: 0,
    };
    let asum = &a.sum[..a.len + 2];
    let amask = &a.mask[..a.len + 2];
    let bs = &b.sum[..b.len + 2];
    let bm = &b.mask[..b.len + 2];
    let (mut i, mut q) = (1usize, b.len);
    while i <= a.len {
        let x = asum[i];
        let lo = x + bs[q];
        let hi = x + bs[q + 1];
        let e_lo = (lo - t).abs();
        let e_hi = (hi - t).abs();
        let e = if e_lo < e_hi { e_lo } else { e_hi };
        if e <= best.err {
            offer_runs(&mut best, x, amask[i], bs, bm, q, t, h);
        }
        // Every (a, b) pair offered is a real subset, so offering at a step
        // that then moves q is harmless; the step that advances i is the one
        // with q at the crossing for this a.
        let down = lo > t;
        q -= usize::from(down);
        i += usize::from(!down);
    }
    Solution {
        subset: best.mask,
        sum: best.sum,
        error: best.err,
    }
}

/// Cold path: offers b_q and the b below it with the same error, then b_{q+1}
/// and the b above it with the same error. On each side of the crossing the
/// error is monotone in b, so equal-error b form a contiguous run.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn offer_runs(best: &mut Best, x: f64, am: u32, bs: &[f64], bm: &[u32], q: usize, t: f64, h: u32) {
    let blen = bs.len() - 2;
    if q >= 1 {
        let e0 = (x + bs[q] - t).abs();
        let mut j = q;
        while j >= 1 {
            let v = x + bs[j];
            let e = (v - t).abs();
            if e != e0 || e > best.err {
                break;
            }
            best.offer(v, e, am | bm[j] << h);
            j -= 1;
        }
    }
    if q < blen {
        let e0 = (x + bs[q + 1] - t).abs();
        let mut j = q + 1;
        while j <= blen {
            let v = x + bs[j];
            let e = (v - t).abs();
            if e != e0 || e > best.err {
                break;
            }
            best.offer(v, e, am | bm[j] << h);
            j += 1;
        }
    }
}
