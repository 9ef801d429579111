//! Exact meet-in-the-middle (Horowitz–Sahni) solver.
//!
//! [`solve`] first tries the grid (`grid.rs`): no sorting, ≈ 2× faster
//! on inputs whose subset sums are spread out (the construction's random
//! products). Where it gives up — sums that collide or tie under rounding —
//! the merge-and-sweep below, exact on every input, answers. Both give the
//! same answer; the property tests compare each with brute force.
//!
//! Merge and sweep:
//!
//! 1. Each half's 2^h subset sums are built already sorted: the list for the
//!    first k candidates, L, and L + c_k are both sorted, so one merge gives
//!    the list for k+1 candidates — no sort. Each merge is cut in two by a
//!    merge-path search and each part merged from both ends: four
//!    independent branch-free dependency chains in one loop.
//! 2. Equal sums within a half are collapsed to the best subset (fewest
//!    elements, then smallest mask): the error depends on the sums only, so
//!    this loses no optimum, and it keeps integer-valued inputs (many ties)
//!    linear. A read-only check skips the pass when no sum repeats.
//! 3. A two-pointer sweep: for each first-half sum a (ascending), the
//!    pointer q into the second half (descending) sits on the largest b with
//!    fl(a + b) ≤ t; the optimum for that a is b_q or b_{q+1}, or — when
//!    rounding makes several b give the same error — a run of equal-error
//!    neighbours, which the cold path scans. fl(a + b) is monotone in a and
//!    in b, so q only moves down: O(2^h) steps in total, swept in four
//!    interleaved lanes.
//!
//! Everything is f64 and every comparison is exact, so the answer is the
//! exact optimum of the objective defined in [`super::evaluate`](mod@super::evaluate) — no
//! narrower keys, no early stop. (Measured: an array-of-structs layout was
//! slower, so sums and masks stay in separate arrays.)
//!
//! Memory: three lists of at most 2^16 + 2 (f64 sum, u16 mask) pairs per
//! thread (≈ 2 MB), reused across problems.
//!
//! Degenerate inputs: when |t| dwarfs every sum, rounding gives many b the
//! same error and the cold path would walk those runs for each a — O(4^h),
//! 16 s for one n = 32 problem with t = 2^64 (found by `eslt fuzz`). A run
//! longer than `LONG_RUN` is therefore measured by binary search (the
//! error is V-shaped in b, so a range is one run iff its ends and its valley
//! have the run's error) and its best subset taken from a range-minimum
//! table over the second half's (size, mask), built once per problem and
//! only when needed: for a fixed a the tie rule orders the b of a run by
//! exactly that key. Still exact, O(2^h · h) at worst.

use super::evaluate::{better, split_point};
use super::problem::{Problem, Solution};
use crate::Result;

/// Subset of one half (at most 16 candidates): u16 keeps the three lists of
/// an n = 32 problem (≈ 2 MB) inside this machine's 2 MB L2 per core.
type HalfMask = u16;

/// Sorted subset sums of one half, with −∞ / +∞ sentinels at index 0 and
/// `len + 1`; the data sits in `1..=len`. `mask` holds the subset of each sum,
/// bits relative to the half.
#[derive(Default)]
struct HalfList {
    sum: Vec<f64>,
    mask: Vec<HalfMask>,
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
/// (≈ 2 MB once a problem with n = 32 has been solved).
#[derive(Default)]
pub struct Scratch {
    grid: super::grid::Grid,
    first: HalfList,
    second: HalfList,
    tmp: HalfList,
}

impl Scratch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Working memory for a solver that runs the grid's portable scalar
    /// loops even where simd128 twins are compiled in (wasm built with
    /// `+simd128`): the same answers, for the tests that compare the two.
    pub fn scalar() -> Self {
        let mut s = Self::default();
        s.grid.scalar = true;
        s
    }
}

/// Solves one problem exactly (see [`super::evaluate`](mod@super::evaluate) for the objective).
pub fn solve(problem: &Problem<'_>, scratch: &mut Scratch) -> Result<Solution> {
    problem.validate()?;
    Ok(solve_valid(problem.candidates, problem.target, scratch))
}

/// [`solve`] without validation: `c.len() ≤ 32`, all values finite and
/// ≤ `MAX_ABS` in magnitude (a [`super::ProblemBatch`] guarantees it).
pub(crate) fn solve_valid(c: &[f64], t: f64, scratch: &mut Scratch) -> Solution {
    match scratch.grid.solve(c, t) {
        Some(s) => s,
        None => merge_sweep(c, t, scratch),
    }
}

/// The merge-and-sweep solver: exact on every input, the fallback of the
/// grid ([`super::grid`]).
pub(crate) fn merge_sweep(c: &[f64], t: f64, scratch: &mut Scratch) -> Solution {
    let h = split_point(c.len());
    let Scratch {
        first, second, tmp, ..
    } = scratch;
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
/// Order on ties: an element of src (X) before one of src + c (Y), and
/// within a list by position — a strict total order. The output is cut at
/// its middle by a merge-path search, and each part is merged from both ends
/// at once: four independent branch-free dependency chains (load → compare →
/// index update), each taking m/2 steps, never crossing (each takes the
/// smallest/largest remaining element of its part in the total order).
/// Elements outside a part and the ±∞ sentinels lose every comparison the
/// chain could make, so no chain leaves its list.
fn merge_shifted(src: &HalfList, c: f64, bit: HalfMask, dst: &mut HalfList) {
    let m = src.len;
    let ss = &src.sum[..m + 2];
    let sm = &src.mask[..m + 2];
    dst.len = 2 * m;
    let ds = &mut dst.sum[..2 * m + 2];
    let dm = &mut dst.mask[..2 * m + 2];
    if m < 16 {
        // Small lists: the two chains of one part.
        merge_part(ss, sm, c, bit, ds, dm, (1, 1, 1), (m, m, 2 * m), m);
    } else {
        let i0 = merge_path_split(ss, m, c);
        let k0 = m - i0;
        let half = m / 2;
        merge_part2(
            ss,
            sm,
            c,
            bit,
            ds,
            dm,
            [(1, 1), (i0 + 1, k0 + 1)],
            [(i0, k0), (m, m)],
            half,
        );
    }
    dst.set_sentinels();
}

/// Number of X elements among the m first of merge(X, Y = X + c): the
/// smallest i with Y[m−i−1] < X[i] (0-based; or i = m).
fn merge_path_split(ss: &[f64], m: usize, c: f64) -> usize {
    let (mut lo, mut hi) = (0usize, m);
    while lo < hi {
        let i = (lo + hi) / 2;
        // Ext indices: X[i] = ss[i + 1], Y[m − i − 1] = ss[m − i] + c.
        if ss[m - i] + c < ss[i + 1] {
            hi = i;
        } else {
            lo = i + 1;
        }
    }
    lo
}

/// `t ? a : b` on bit patterns, so the compiler keeps it branch-free
/// (the outcome is a coin flip on random data).
#[inline(always)]
fn sel_f64(t: bool, a: f64, b: f64) -> f64 {
    let m = u64::from(t).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

#[inline(always)]
fn sel_mask(t: bool, a: HalfMask, b: HalfMask) -> HalfMask {
    let m = HalfMask::from(t).wrapping_neg();
    (a & m) | (b & !m)
}

/// One part merged by a front chain starting at (i, k, out) and a back chain
/// starting at (ib, kb, outb), `steps` steps each (ext indices).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn merge_part(
    ss: &[f64],
    sm: &[HalfMask],
    c: f64,
    bit: HalfMask,
    ds: &mut [f64],
    dm: &mut [HalfMask],
    front: (usize, usize, usize),
    back: (usize, usize, usize),
    steps: usize,
) {
    let (mut i, mut k, o) = front;
    let (mut ib, mut kb, ob) = back;
    for s in 0..steps {
        let (x, y) = (ss[i], ss[k] + c);
        let take_y = y < x;
        ds[o + s] = sel_f64(take_y, y, x);
        dm[o + s] = sel_mask(take_y, sm[k] | bit, sm[i]);
        i += usize::from(!take_y);
        k += usize::from(take_y);
        let (x, y) = (ss[ib], ss[kb] + c);
        let take_y = y >= x;
        ds[ob - s] = sel_f64(take_y, y, x);
        dm[ob - s] = sel_mask(take_y, sm[kb] | bit, sm[ib]);
        ib -= usize::from(!take_y);
        kb -= usize::from(take_y);
    }
}

/// One step of a front chain (takes the smaller head, X on ties) or a back
/// chain (takes the larger head, Y on ties).
/// Branch-free: the head to copy is chosen by index arithmetic, then
/// loaded, so the compiler has no select-of-loads to turn into a branch.
/// The output position is implied: i + k − 1 for a front chain (it has
/// taken (i − i_start) + (k − k_start) elements), i + k for a back chain.
///
/// # Safety
/// `i`, `k` index `ss`/`sm`, and the output position indexes `ds`/`dm`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn chain_step<const FRONT: bool>(
    ss: &[f64],
    sm: &[HalfMask],
    c: f64,
    bit: HalfMask,
    ds: &mut [f64],
    dm: &mut [HalfMask],
    i: &mut usize,
    k: &mut usize,
) {
    let (x, y) = (*ss.get_unchecked(*i), *ss.get_unchecked(*k) + c);
    let take_y = if FRONT { y < x } else { y >= x };
    let t = usize::from(take_y);
    let src = *i ^ ((*i ^ *k) & t.wrapping_neg());
    let out = if FRONT { *i + *k - 1 } else { *i + *k };
    // f64::min/max (one minsd/maxsd plus NaN fix-up) stays branch-free;
    // `if take_y { y } else { x }` was compiled to a branch, 1.7× slower.
    *ds.get_unchecked_mut(out) = if FRONT { y.min(x) } else { y.max(x) };
    *dm.get_unchecked_mut(out) =
        *sm.get_unchecked(src) | (bit & HalfMask::from(take_y).wrapping_neg());
    if FRONT {
        *i += 1 - t;
        *k += t;
    } else {
        *i -= 1 - t;
        *k -= t;
    }
}

/// Two parts, four chains, interleaved in one loop for instruction-level
/// parallelism.
#[allow(clippy::too_many_arguments)]
fn merge_part2(
    ss: &[f64],
    sm: &[HalfMask],
    c: f64,
    bit: HalfMask,
    ds: &mut [f64],
    dm: &mut [HalfMask],
    fronts: [(usize, usize); 2],
    backs: [(usize, usize); 2],
    steps: usize,
) {
    let [(mut i1, mut k1), (mut i2, mut k2)] = fronts;
    let [(mut ib1, mut kb1), (mut ib2, mut kb2)] = backs;
    debug_assert!(ds.len() >= 2 * steps * 2 + 2 && ss.len() >= 2 * steps + 2);
    for _ in 0..steps {
        // SAFETY: every chain's indices stay in 0..ss.len() — a front chain
        // stops at the +∞ sentinel (last index), a back chain at the −∞ one
        // (index 0), see merge_shifted — and each output position lies in
        // 1..=2m < ds.len(). The proptests run this with debug assertions.
        unsafe {
            chain_step::<true>(ss, sm, c, bit, ds, dm, &mut i1, &mut k1);
            chain_step::<true>(ss, sm, c, bit, ds, dm, &mut i2, &mut k2);
            chain_step::<false>(ss, sm, c, bit, ds, dm, &mut ib1, &mut kb1);
            chain_step::<false>(ss, sm, c, bit, ds, dm, &mut ib2, &mut kb2);
        }
        debug_assert!(i1.max(k1).max(i2).max(k2) < ss.len());
        debug_assert!(ib1.max(kb1).max(ib2).max(kb2) < ss.len());
    }
}

/// Collapses runs of equal sums to their best subset (fewest elements, then
/// smallest mask).
fn dedup(l: &mut HalfList) {
    // Random inputs almost never repeat a sum: a read-only (vectorisable)
    // check first, the rewrite only when needed.
    let s = &l.sum[1..=l.len];
    let any_equal = s[..s.len() - 1]
        .iter()
        .zip(&s[1..])
        .fold(false, |acc, (x, y)| acc | (x == y));
    if !any_equal {
        return;
    }
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

/// Largest ext index j in 0..=nb with fl(x + bs[j]) ≤ t (bs[0] = −∞).
fn crossing(x: f64, bs: &[f64], nb: usize, t: f64) -> usize {
    let (mut lo, mut hi) = (0usize, nb + 1);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if x + bs[mid] <= t {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Sweep lanes interleaved in the hot loop (independent dependency chains).
const LANES: usize = 4;

/// min without NaN handling (no NaN can occur here): one `minsd`.
#[inline(always)]
fn min_f64(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// Two-pointer sweep over the sorted halves. The first half is cut into
/// [`LANES`] ranges swept side by side, each lane's pointer starting at the
/// crossing of its first a (binary search), so the lanes visit exactly the
/// (a, q) positions a single sweep would.
fn sweep(a: &HalfList, b: &HalfList, h: u32, t: f64) -> Solution {
    // Start from the empty subset, evaluated canonically (0 + 0 − t).
    let zero = 0.0f64 + 0.0;
    let mut best = Best {
        err: (zero - t).abs(),
        sum: zero,
        mask: 0,
    };
    let mut table = RunTable::default();
    let (na, nb) = (a.len, b.len);
    let asum = &a.sum[..na + 2];
    let amask = &a.mask[..na + 2];
    let bs = &b.sum[..nb + 2];
    let bm = &b.mask[..nb + 2];
    let lanes = if na >= 16 * LANES { LANES } else { 1 };
    let mut i = [0usize; LANES];
    let mut end = [0usize; LANES];
    let mut q = [0usize; LANES];
    for l in 0..lanes {
        i[l] = 1 + na * l / lanes;
        end[l] = 1 + na * (l + 1) / lanes;
        q[l] = crossing(asum[i[l]], bs, nb, t);
    }
    if lanes == LANES {
        while (0..LANES).all(|l| i[l] < end[l]) {
            let mut x = [0.0; LANES];
            let mut lo = [0.0; LANES];
            let mut e = [0.0; LANES];
            for l in 0..LANES {
                // SAFETY: i[l] < end[l] ≤ na + 1 and q[l] ≤ nb (it starts at
                // a crossing ≤ nb and only decreases, never below 0, where
                // bs[0] = −∞ stops it), so all indices are < len.
                unsafe {
                    x[l] = *asum.get_unchecked(i[l]);
                    lo[l] = x[l] + *bs.get_unchecked(q[l]);
                    let hi = x[l] + *bs.get_unchecked(q[l] + 1);
                    e[l] = min_f64((lo[l] - t).abs(), (hi - t).abs());
                }
            }
            if e.iter().fold(f64::INFINITY, |m, &v| min_f64(m, v)) <= best.err {
                for l in 0..LANES {
                    if e[l] <= best.err {
                        offer_runs(&mut best, &mut table, x[l], amask[i[l]], bs, bm, q[l], t, h);
                    }
                }
            }
            for l in 0..LANES {
                let down = usize::from(lo[l] > t);
                q[l] -= down;
                i[l] += 1 - down;
            }
        }
    }
    for l in 0..lanes {
        let (mut il, mut ql) = (i[l], q[l]);
        while il < end[l] {
            let x = asum[il];
            let lo = x + bs[ql];
            let hi = x + bs[ql + 1];
            let e = min_f64((lo - t).abs(), (hi - t).abs());
            if e <= best.err {
                offer_runs(&mut best, &mut table, x, amask[il], bs, bm, ql, t, h);
            }
            // Offering (a, b) at a step that then moves q is harmless: every
            // pair is a real subset. The step that advances i is the one with
            // q at the crossing for this a.
            let down = usize::from(lo > t);
            ql -= down;
            il += 1 - down;
        }
    }
    Solution {
        subset: best.mask,
        sum: best.sum,
        error: best.err,
    }
}

/// Runs of equal-error b longer than this are measured by binary search
/// and offered through the [`RunTable`] (see the module docs).
const LONG_RUN: usize = 64;

/// Range-minimum table over the second half's tie key (size, mask):
/// `levels[k][j]` is the index of the least key in `j..j + 2^k`. Empty
/// until a long run needs it.
#[derive(Default)]
struct RunTable {
    levels: Vec<Vec<u32>>,
}

#[inline]
fn tie_key(bm: &[HalfMask], j: usize) -> (u32, HalfMask) {
    (bm[j].count_ones(), bm[j])
}

impl RunTable {
    /// Index of the least tie key in `l..=r` (1 ≤ l ≤ r ≤ blen).
    fn argmin(&mut self, bm: &[HalfMask], l: usize, r: usize) -> usize {
        if self.levels.is_empty() {
            let n = bm.len();
            self.levels.push((0..n as u32).collect());
            let mut width = 1;
            while 2 * width <= n {
                let prev = &self.levels[self.levels.len() - 1];
                let next: Vec<u32> = (0..=n - 2 * width)
                    .map(|j| {
                        let (x, y) = (prev[j], prev[j + width]);
                        if tie_key(bm, y as usize) < tie_key(bm, x as usize) {
                            y
                        } else {
                            x
                        }
                    })
                    .collect();
                self.levels.push(next);
                width *= 2;
            }
        }
        let k = (usize::BITS - 1 - (r - l + 1).leading_zeros()) as usize;
        let (x, y) = (
            self.levels[k][l] as usize,
            self.levels[k][r + 1 - (1 << k)] as usize,
        );
        if tie_key(bm, y) < tie_key(bm, x) {
            y
        } else {
            x
        }
    }
}

/// Cold path: offers b_q and the b below it with the same error, then b_{q+1}
/// and the b above it with the same error. On each side of the crossing the
/// error is monotone in b, so equal-error b form a contiguous run.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn offer_runs(
    best: &mut Best,
    table: &mut RunTable,
    x: f64,
    am: HalfMask,
    bs: &[f64],
    bm: &[HalfMask],
    q: usize,
    t: f64,
    h: u32,
) {
    let blen = bs.len() - 2;
    if q >= 1 {
        let e0 = (x + bs[q] - t).abs();
        let mut j = q;
        let mut steps = 0;
        while j >= 1 {
            let v = x + bs[j];
            let e = (v - t).abs();
            if e != e0 || e > best.err {
                break;
            }
            best.offer(v, e, u32::from(am) | u32::from(bm[j]) << h);
            j -= 1;
            steps += 1;
            if steps == LONG_RUN && j >= 1 {
                offer_long_run(best, table, x, am, bs, bm, j, false, e0, t, h);
                break;
            }
        }
    }
    if q < blen {
        let e0 = (x + bs[q + 1] - t).abs();
        let mut j = q + 1;
        let mut steps = 0;
        while j <= blen {
            let v = x + bs[j];
            let e = (v - t).abs();
            if e != e0 || e > best.err {
                break;
            }
            best.offer(v, e, u32::from(am) | u32::from(bm[j]) << h);
            j += 1;
            steps += 1;
            if steps == LONG_RUN && j <= blen {
                offer_long_run(best, table, x, am, bs, bm, j, true, e0, t, h);
                break;
            }
        }
    }
}

/// The rest of a long run of error `e0` (≤ best.err) from `from` (not yet
/// offered) downwards or upwards: its extent by binary search, its best b
/// from the table — the same answer as offering every b of the run.
#[allow(clippy::too_many_arguments)]
fn offer_long_run(
    best: &mut Best,
    table: &mut RunTable,
    x: f64,
    am: HalfMask,
    bs: &[f64],
    bm: &[HalfMask],
    from: usize,
    up: bool,
    e0: f64,
    t: f64,
    h: u32,
) {
    let blen = bs.len() - 2;
    let err = |j: usize| (x + bs[j] - t).abs();
    if err(from) != e0 {
        return;
    }
    // The error falls up to the crossing c and rises after it: a range is
    // one run iff its ends and the valley (c, c + 1) inside it have e0.
    let c = crossing(x, bs, blen, t);
    let constant = |l: usize, r: usize| {
        err(l) == e0
            && err(r) == e0
            && [c, c + 1]
                .iter()
                .all(|&m| m < l.max(1) || m > r || m > blen || err(m) == e0)
    };
    // Largest k with the range of k + 1 b from `from` one run.
    let (mut lo, mut hi) = (0usize, if up { blen - from } else { from - 1 });
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let ok = if up {
            constant(from, from + mid)
        } else {
            constant(from - mid, from)
        };
        if ok {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let (l, r) = if up {
        (from, from + lo)
    } else {
        (from - lo, from)
    };
    let j = table.argmin(bm, l, r);
    best.offer(x + bs[j], e0, u32::from(am) | u32::from(bm[j]) << h);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slt::subset_sum::brute_force;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The fallback on its own: the public solver mostly takes the grid on
    /// random inputs, so merge-and-sweep is checked here directly.
    #[test]
    fn merge_sweep_alone_is_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut scratch = Scratch::new();
        for trial in 0..400 {
            let n = trial % 17;
            let c: Vec<f64> = (0..n)
                .map(|_| rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0))
                .collect();
            let t = rng.random_range(-1.2..1.2);
            assert_eq!(merge_sweep(&c, t, &mut scratch), brute_force(&c, t));
        }
    }
}
