//! The fast path of the exact solver: meet in the middle through a grid of
//! cells instead of two sorted lists.
//!
//! The first half's 2^h subset sums s are put into a grid of ≈ 16 cells per
//! sum over their range: an occupancy bitmap and, per cell, a chain of the
//! sums in it. Each second-half sum u then asks one question: is any s
//! within the best error B found so far of t − u? The cells that could hold
//! such an s form a short range (`window`); when none of them is occupied —
//! ≈ 90% of the queries on random inputs, once B is small — u is done after
//! one bitmap word. Otherwise every s in those cells is scored exactly and
//! offered under the tie rule ([`super::evaluate::better`]).
//!
//! Exact, not a heuristic: the window is widened by a bound on every
//! rounding involved (see [`Frame`]), so each s that could tie or beat B
//! lies in it, and B only shrinks. Nothing is sorted: both halves are built by
//! doubling (sums of subsets of the first j candidates, then those plus
//! c_j — the canonical left-to-right order of [`super::evaluate`]), so a
//! sum's index is its subset. Queries are independent of each other, unlike
//! the steps of a two-pointer sweep.
//!
//! In wasm built with `+simd128` the two loops that turn values into cells
//! (the first half's sums, and a block of queries' windows) run two lanes
//! at a time (`mod simd`): the same operations in the same order as their
//! scalar twins, so the same cells and answers (`tests/web_subset_sum.rs`
//! compares the two).
//!
//! When the grid cannot separate the sums — all equal, a target so large
//! that rounding makes most subsets tie, many equal sums (small integers) —
//! the work per query grows; past a budget of about 2 sums examined per sum
//! built, [`solve`] gives up and the caller runs the merge-and-sweep solver
//! ([`super::mitm`]), which is exact on every input.

use super::evaluate::{better, split_point};
use super::problem::Solution;

/// Grid cells per first-half sum: the fraction of queries that find an
/// occupied cell (and pay for exact scoring) falls with it, the grid's
/// memory grows with it.
const CELLS_PER_SUM: usize = 16;

/// End of a chain of sums in one cell.
const NONE: u32 = u32::MAX;

/// Queries whose window is computed at once (a vectorisable loop).
const BLOCK: usize = 8;

/// Widest window (in cells) tested with one unaligned 64-bit load.
const FAST_WIDTH: u32 = 57;

/// Per-thread working memory, reused across problems.
#[derive(Default)]
pub(super) struct Grid {
    /// First half's sums, index = subset.
    first: Vec<f64>,
    /// Second half's sums, index = subset.
    second: Vec<f64>,
    /// Cell of each first-half sum.
    cell: Vec<u32>,
    /// Occupancy bitmap, one word of padding for unaligned reads.
    bits: Vec<u64>,
    /// Per cell: the last sum put there (valid where its bit is set).
    head: Vec<u32>,
    /// Per first-half sum: the previous sum in its cell, or [`NONE`].
    next: Vec<u32>,
    /// Runs the scalar twins of the simd128 loops (same answers; for the
    /// tests that compare the two).
    pub(super) scalar: bool,
}

/// Sums of all subsets of `c`, index = subset, each summed left to right.
fn half_sums(c: &[f64], out: &mut Vec<f64>) {
    out.clear();
    out.resize(1 << c.len(), 0.0);
    for (j, &cj) in c.iter().enumerate() {
        let (done, new) = out.split_at_mut(1 << j);
        for (d, &s) in new[..1 << j].iter_mut().zip(done.iter()) {
            *d = s + cj;
        }
    }
}

/// Index of the cell holding grid coordinate `y` (any finite value;
/// clamped to the grid). Monotone in `y`.
#[inline(always)]
fn cell_of(y: f64, last: f64) -> u32 {
    let y = if y > 0.0 { y } else { 0.0 };
    let y = if y < last { y } else { last };
    // SAFETY: 0 ≤ y ≤ last < 2^31 (NaN fails both comparisons above and
    // becomes 0): the conversion is exact truncation, which is floor here.
    // (`as u32` saturates and costs a fifth of the solver's time.)
    unsafe { y.to_int_unchecked::<i32>() as u32 }
}

/// The windows of a block of queries u: the cells c0 of y − rs and c1 of
/// y + rs, y = target − u·scale (a loop LLVM vectorises natively, not in
/// wasm, where each conversion is a scalar trapping `i32.trunc_f64_s`).
#[inline(always)]
fn windows(block: &[f64; BLOCK], f: &Frame, rs: f64, scalar: bool) -> ([u32; BLOCK], [u32; BLOCK]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if !scalar {
        return simd::windows(block, f, rs);
    }
    let _ = scalar;
    let mut c0 = [0u32; BLOCK];
    let mut c1 = [0u32; BLOCK];
    for k in 0..BLOCK {
        let y = f.target - block[k] * f.scale;
        c0[k] = cell_of(y - rs, f.last);
        c1[k] = cell_of(y + rs, f.last);
    }
    (c0, c1)
}

/// The cells of the first half's sums s: ⌊clamp(s·scale − offset)⌋.
fn cells_of_sums(
    first: &[f64],
    scale: f64,
    offset: f64,
    last: f64,
    scalar: bool,
    out: &mut Vec<u32>,
) {
    out.clear();
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if !scalar {
        return simd::cells_of_sums(first, scale, offset, last, out);
    }
    let _ = scalar;
    out.extend(first.iter().map(|&s| cell_of(s * scale - offset, last)));
}

/// simd128 twins of [`windows`] and [`cells_of_sums`]: the same operations
/// in the same order, two lanes at a time, so the same cells. The clamp of
/// [`cell_of`] is `f64x2.pmax(0, y)` (y if 0 < y, else 0, NaN included) then
/// `f64x2.pmin(last, y)` (y if y < last, else last); on [0, last] the
/// saturating conversion truncates exactly, as `cell_of`'s does.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{Frame, BLOCK};
    use core::arch::wasm32::*;

    /// 2⁵²: a float in [2⁵², 2⁵³) holds the integer part in its low bits.
    const MAGIC: f64 = 4_503_599_627_370_496.0;

    /// Cells of two grid coordinates, each in the low 32 bits of its 64-bit
    /// lane: clamped to [0, last] (last < 2³¹), floored (= truncated there),
    /// plus 2⁵² (exact, an integer below 2³¹), the integer read from the
    /// mantissa. (`i32x4.trunc_sat_f64x2_s_zero` would do: but LLVM merges
    /// two of them and their shuffle into one 4-lane conversion that wasm
    /// lacks, and then converts lane by lane.)
    #[inline(always)]
    fn cells(y: v128, last: v128) -> v128 {
        let y = f64x2_pmin(last, f64x2_pmax(f64x2_splat(0.0), y));
        f64x2_add(f64x2_floor(y), f64x2_splat(MAGIC))
    }

    /// The cells of `lo` and of `hi` into `out`.
    #[inline(always)]
    fn store4(out: &mut [u32; 4], lo: v128, hi: v128) {
        // SAFETY: `out` holds 16 bytes; `v128_store` needs no alignment.
        unsafe { v128_store(out.as_mut_ptr().cast(), i32x4_shuffle::<0, 2, 4, 6>(lo, hi)) }
    }

    #[inline(always)]
    pub(super) fn windows(
        block: &[f64; BLOCK],
        f: &Frame,
        rs: f64,
    ) -> ([u32; BLOCK], [u32; BLOCK]) {
        let (target, scale) = (f64x2_splat(f.target), f64x2_splat(f.scale));
        let (r, last) = (f64x2_splat(rs), f64x2_splat(f.last));
        let mut c0 = [0u32; BLOCK];
        let mut c1 = [0u32; BLOCK];
        for p in (0..BLOCK).step_by(4) {
            let y01 = f64x2_sub(target, f64x2_mul(f64x2(block[p], block[p + 1]), scale));
            let y23 = f64x2_sub(target, f64x2_mul(f64x2(block[p + 2], block[p + 3]), scale));
            store4(
                (&mut c0[p..p + 4]).try_into().unwrap(),
                cells(f64x2_sub(y01, r), last),
                cells(f64x2_sub(y23, r), last),
            );
            store4(
                (&mut c1[p..p + 4]).try_into().unwrap(),
                cells(f64x2_add(y01, r), last),
                cells(f64x2_add(y23, r), last),
            );
        }
        (c0, c1)
    }

    pub(super) fn cells_of_sums(
        first: &[f64],
        scale: f64,
        offset: f64,
        last: f64,
        out: &mut Vec<u32>,
    ) {
        let (vs, vo, vl) = (f64x2_splat(scale), f64x2_splat(offset), f64x2_splat(last));
        let y = |a: f64, b: f64| f64x2_sub(f64x2_mul(f64x2(a, b), vs), vo);
        out.resize(first.len(), 0);
        let mut cells_out = out.chunks_exact_mut(4);
        let mut sums = first.chunks_exact(4);
        for (o, p) in (&mut cells_out).zip(&mut sums) {
            let (lo, hi) = (cells(y(p[0], p[1]), vl), cells(y(p[2], p[3]), vl));
            store4(o.try_into().unwrap(), lo, hi);
        }
        for (o, &s) in cells_out.into_remainder().iter_mut().zip(sums.remainder()) {
            *o = super::cell_of(s * scale - offset, last);
        }
    }
}

/// The best answer so far.
struct Best {
    err: f64,
    sum: f64,
    mask: u32,
}

/// Grid coordinates y(x) = fl(fl(x·scale) − offset); a sum s sits in cell
/// ⌊y(s)⌋ (clamped), and the window of a query u is the cells of
/// [ŷ − r, ŷ + r] with ŷ = fl(target − fl(u·scale)).
///
/// Why every s with |fl(s + u) − t| ≤ B is in that window: then
/// |s + u − t| ≤ B + 2⁻⁵³(|s| + |u|), so |y(s) − ŷ| is at most B·scale plus
/// a few roundings of quantities bounded by
/// K = (|t| + max|s| + max|u|)·scale + |offset| — each at most 2⁻⁵³K, and
/// fewer than 16 of them, while `slack` is K/2⁴⁴. `solve` only runs with
/// K < 2⁴⁰, so the slack stays below 1/16 of a cell; B·scale is rounded up
/// by a relative 2⁻⁴⁰, more than its own rounding errors. Flooring and
/// clamping are monotone, so the cells of the ends bound the cell of s.
struct Frame {
    scale: f64,
    /// t·scale − offset.
    target: f64,
    slack: f64,
    /// The last cell, as f64.
    last: f64,
}

impl Frame {
    /// Half-width r, in cells, of the window of any s with error ≤ `err`.
    #[inline]
    fn radius(&self, err: f64) -> f64 {
        err * self.scale * (1.0 + 1.0 / (1u64 << 40) as f64) + self.slack
    }
}

impl Grid {
    /// Solves exactly, or returns `None` when the grid does not pay (see
    /// the module docs); `c.len() ≤ 32`, values finite and ≤ `MAX_ABS`.
    pub(super) fn solve(&mut self, c: &[f64], t: f64) -> Option<Solution> {
        let h = split_point(c.len());
        // Comparisons, not `f64::min`/`max`: wasm has no instruction with
        // their NaN rule, so each would be a call (and there is no NaN).
        let (lo, hi) = c[..h].iter().fold((0.0f64, 0.0f64), |(lo, hi), &x| {
            if x < 0.0 {
                (lo + x, hi)
            } else {
                (lo, hi + x)
            }
        });
        // Sums of finite values: no NaN here.
        if hi <= lo {
            return None;
        }
        let ns = 1usize << h;
        let ncells = (ns * CELLS_PER_SUM).max(64);
        // [lo, hi] onto [2, ncells − 2]: rounding keeps every sum off the
        // end cells, so a query whose window is clamped onto one of them
        // (t − u beyond every s) is rejected at once.
        let scale = (ncells - 4) as f64 / (hi - lo);
        let offset = lo * scale - 2.0;
        let max_s = if -lo > hi { -lo } else { hi };
        let max_u = c[h..].iter().map(|x| x.abs()).sum::<f64>();
        // K bounds |y| of every coordinate computed below.
        let k = (t.abs() + max_s + max_u) * scale + offset.abs();
        // Past 2^40 cells the rounding slack is no longer small against a
        // cell (and huge targets make most subsets tie): not worth it.
        // (A subnormal hi − lo can make the scale infinite and K NaN.)
        if k.is_nan() || k >= (1u64 << 40) as f64 {
            return None;
        }
        let frame = Frame {
            scale,
            target: t * scale - offset,
            slack: k / (1u64 << 44) as f64 + 1.0 / (1u64 << 40) as f64,
            last: (ncells - 1) as f64,
        };
        half_sums(&c[..h], &mut self.first);
        half_sums(&c[h..], &mut self.second);
        // Pad to whole blocks: +∞ lands on the empty end cell.
        let nu = self.second.len();
        self.second
            .resize(nu.next_multiple_of(BLOCK), f64::INFINITY);
        self.build(ncells, &frame, offset);
        self.query(h as u32, t, &frame)
    }

    /// The occupancy bitmap and the chains of the first half's sums.
    fn build(&mut self, ncells: usize, f: &Frame, offset: f64) {
        let ns = self.first.len();
        cells_of_sums(
            &self.first,
            f.scale,
            offset,
            f.last,
            self.scalar,
            &mut self.cell,
        );
        self.bits.clear();
        self.bits.resize(ncells / 64 + 1, 0);
        if self.head.len() < ncells {
            self.head.resize(ncells, 0);
        }
        self.next.clear();
        self.next.resize(ns, NONE);
        let (bits, head, next) = (&mut self.bits[..], &mut self.head[..], &mut self.next[..ns]);
        for (i, &c) in self.cell[..ns].iter().enumerate() {
            let (w, b) = ((c >> 6) as usize, 1u64 << (c & 63));
            let word = bits[w];
            // Rarely taken (≈ 5% of sums share a cell), so a branch beats
            // loading every head.
            if word & b != 0 {
                next[i] = head[c as usize];
            }
            head[c as usize] = i as u32;
            bits[w] = word | b;
        }
    }

    /// Every second-half sum against the grid.
    fn query(&self, h: u32, t: f64, f: &Frame) -> Option<Solution> {
        // Start from the empty subset, evaluated canonically (0 + 0 − t).
        let zero = 0.0f64 + 0.0;
        let mut best = Best {
            err: (zero - t).abs(),
            sum: zero,
            mask: 0,
        };
        self.seed(&mut best, t, f);
        let mut rs = f.radius(best.err);
        let bytes: &[u8] = bytemuck::cast_slice(&self.bits);
        let mut budget = 2 * (self.first.len() + self.second.len()) + 4096;
        for (b, block) in self.second.chunks_exact(BLOCK).enumerate() {
            let block: &[f64; BLOCK] = block.try_into().unwrap();
            let (c0, c1) = windows(block, f, rs, self.scalar);
            for k in 0..BLOCK {
                let width = c1[k] - c0[k] + 1;
                let hits = if width <= FAST_WIDTH {
                    let at = (c0[k] >> 3) as usize;
                    // In bounds: at ≤ (ncells − 1)/8 and `bits` has a word
                    // of padding.
                    let word = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                    let hits = (word >> (c0[k] & 7)) & (u64::MAX >> (64 - width));
                    if hits == 0 {
                        continue;
                    }
                    Some(hits)
                } else {
                    None
                };
                let m = ((b * BLOCK + k) as u32) << h;
                let cost = self.offer(&mut best, block[k], m, t, f, rs, c0[k], hits);
                budget = budget.checked_sub(cost)?;
                rs = f.radius(best.err);
            }
        }
        Some(Solution {
            subset: best.mask,
            sum: best.sum,
            error: best.err,
        })
    }

    /// A first answer near the optimum, so that the first windows are
    /// narrow: the second half's empty subset (u = 0) against the nearest
    /// occupied cells on either side of t.
    fn seed(&self, best: &mut Best, t: f64, f: &Frame) {
        let c = cell_of(f.target, f.last) as usize;
        let (w, bit) = (c / 64, c % 64);
        // Nearest occupied cell ≤ c: the highest set bit at or below it.
        let mut word = self.bits[w] & (u64::MAX >> (63 - bit));
        let mut at = w;
        while word == 0 && at > 0 {
            at -= 1;
            word = self.bits[at];
        }
        let below = (word != 0).then(|| at * 64 + 63 - word.leading_zeros() as usize);
        // Nearest occupied cell > c.
        let mut word = if bit == 63 {
            0
        } else {
            self.bits[w] & (u64::MAX << (bit + 1))
        };
        let mut at = w;
        while word == 0 && at + 1 < self.bits.len() {
            at += 1;
            word = self.bits[at];
        }
        let above = (word != 0).then(|| at * 64 + word.trailing_zeros() as usize);
        for cell in [below, above].into_iter().flatten() {
            self.chain(best, cell, 0.0, 0, t);
        }
    }

    /// Scores and offers every first-half sum of cell `c` against the
    /// second-half sum `u` (subset bits `m`); returns how many.
    #[inline(always)]
    fn chain(&self, best: &mut Best, c: usize, u: f64, m: u32, t: f64) -> usize {
        let mut work = 0;
        let mut i = self.head[c];
        while i != NONE {
            let sum = self.first[i as usize] + u;
            let err = (sum - t).abs();
            let mask = i | m;
            if better(err, mask, best.err, best.mask) {
                *best = Best { err, sum, mask };
            }
            work += 1;
            i = self.next[i as usize];
        }
        work
    }

    /// Scores and offers, against the second-half sum `u` (subset bits
    /// `m`), every first-half sum in its window: the occupied cells `hits`
    /// from `c0` on, or (`None`, a wide window computed with an older B)
    /// the window for radius `rs`. Returns the work done.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn offer(
        &self,
        best: &mut Best,
        u: f64,
        m: u32,
        t: f64,
        f: &Frame,
        rs: f64,
        c0: u32,
        hits: Option<u64>,
    ) -> usize {
        let mut work = 1;
        if let Some(mut hits) = hits {
            while hits != 0 {
                work += self.chain(best, c0 as usize + hits.trailing_zeros() as usize, u, m, t);
                hits &= hits - 1;
            }
            return work;
        }
        let y = f.target - u * f.scale;
        let (c0, c1) = (cell_of(y - rs, f.last), cell_of(y + rs, f.last));
        let (w0, w1) = ((c0 >> 6) as usize, (c1 >> 6) as usize);
        let mut words = 0;
        for w in w0..=w1 {
            let mut word = self.bits[w];
            if w == w0 {
                word &= u64::MAX << (c0 & 63);
            }
            if w == w1 {
                word &= u64::MAX >> (63 - (c1 & 63));
            }
            words += 1;
            while word != 0 {
                let c = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                // Cells in this window, scanned against the current B.
                work += self.chain(best, c, u, m, t);
            }
        }
        work + words
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slt::subset_sum::brute_force;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The grid on its own (no fallback) against brute force, on the
    /// construction's inputs: it must answer, and answer exactly.
    #[test]
    fn grid_alone_is_exact_on_random_products() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut grid = Grid::default();
        for trial in 0..400 {
            let n = 2 + trial % 17;
            let c: Vec<f64> = (0..n)
                .map(|_| rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0))
                .collect();
            let t = rng.random_range(-1.2..1.2);
            let got = grid.solve(&c, t).expect("the grid answers random products");
            assert_eq!(got, brute_force(&c, t), "n = {n}, t = {t}, c = {c:?}");
        }
    }

    /// Where it answers on tie-heavy inputs (small integers, half-integer
    /// targets), it is exact too; where rounding makes nearly every subset
    /// tie, it declines.
    #[test]
    fn grid_is_exact_or_declines_on_ties() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mut grid = Grid::default();
        let mut answered = 0;
        for trial in 0..300 {
            let n = 2 + trial % 15;
            let c: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(-4i32..=4)))
                .collect();
            let t = f64::from(rng.random_range(-24i32..=24)) / 2.0;
            if let Some(got) = grid.solve(&c, t) {
                assert_eq!(got, brute_force(&c, t), "c = {c:?}, t = {t}");
                answered += 1;
            }
        }
        assert!(answered > 0, "the grid never answered");
        let c: Vec<f64> = (0..20).map(|_| rng.random_range(-0.7..0.7)).collect();
        assert_eq!(grid.solve(&c, 18446744073709551615.0), None);
    }
}
