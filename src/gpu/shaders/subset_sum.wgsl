// Exact subset sum by meet-in-the-middle on 64-bit fixed-point integers.
//
// The host scales every problem by 2^s and rounds (see src/gpu/fixed_point.rs),
// so all arithmetic here is exact integer arithmetic: no rounding, no
// dependence on the driver's float behaviour. WGSL has no 64-bit integers:
// a value is a vec2<u32> (x = low word, y = high word, two's complement).
//
// One workgroup solves one problem at a time and loops over the problems of
// the dispatch. Per problem, with h = n / 2:
//   1. the 2^(n-h) subset sums of the upper candidates are built sorted by
//      (sum, size, mask), by n-h merges of L and L + c_k (merge path: each
//      invocation merges one output segment), in the workgroup's slot of the
//      scratch storage buffers (12 bytes per entry, two lists: they do not
//      fit in 16 KiB of workgroup memory beyond n = 18);
//   2. every invocation takes some lower subsets a and binary-searches the
//      sorted list for the sums closest to t - a; a reduction gives the best
//      (error, size, mask);
//   3. for problems the host marks inexact, every subset whose error is
//      within `window` of the best is counted and (up to MAX_CANDIDATES)
//      written out; the host re-evaluates them exactly in f64.
// Few barriers per problem: on lavapipe each one costs microseconds.
// The host gives each workgroup one problem per dispatch: lavapipe ends an
// invocation's loops after 65,535 iterations in all (see
// subset_sum_small.wgsl), and one problem at n = 32 takes an invocation
// about 37,000 (the loop over problems would add them up).
//
// Buffers, constants and the 64-bit helpers: subset_sum_common.wgsl.

var<workgroup> wc: array<vec2<u32>, 32>;
var<workgroup> red_e: array<vec2<u32>, WG>;
var<workgroup> red_m: array<u32, WG>;
var<workgroup> wg_count: atomic<u32>;

@compute @workgroup_size(WG)
fn main(
    @builtin(local_invocation_index) tid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let n = params.n;
    let h = n / 2u;
    let nb = n - h;
    let len = params.half_len; // 2^nb
    let slot_base = wid.x * 2u * len;

    for (var p = wid.x; p < params.count; p += nwg.x) {
        let pin = p * PROBLEM_STRIDE;
        if (tid < n) {
            wc[tid] = vec2<u32>(problems[pin + 2u * tid], problems[pin + 2u * tid + 1u]);
        }
        if (tid == 0u) {
            atomicStore(&wg_count, 0u);
            // The list of the first upper candidate alone, {0, c_h} in key
            // order (or {0} if there is none), so the merges start at k = 1.
            if (nb == 0u) {
                scratch_sum[slot_base] = vec2<u32>(0u, 0u);
                scratch_mask[slot_base] = 0u;
            } else {
                let c0 = vec2<u32>(problems[pin + 2u * h], problems[pin + 2u * h + 1u]);
                let neg = bitcast<i32>(c0.y) < 0;
                let l1 = slot_base + len;
                scratch_sum[l1 + select(0u, 1u, neg)] = vec2<u32>(0u, 0u);
                scratch_mask[l1 + select(0u, 1u, neg)] = 0u;
                scratch_sum[l1 + select(1u, 0u, neg)] = c0;
                scratch_mask[l1 + select(1u, 0u, neg)] = 1u << h;
            }
        }
        let tgt = vec2<u32>(problems[pin + 64u], problems[pin + 65u]);
        let window = vec2<u32>(problems[pin + 66u], problems[pin + 67u]);
        let exact = problems[pin + 68u];
        workgroupBarrier();
        storageBarrier();

        // 1. Sorted subset sums of the upper candidates: merge(X, Y = X + c_k).
        //    Merge path: invocation t writes outputs [t·per, (t+1)·per), finds
        //    how many come from X by one binary search along its diagonal,
        //    then merges sequentially. Keys are distinct (masks differ).
        for (var k = 1u; k < nb; k++) {
            let m = 1u << k;
            let src = slot_base + (k & 1u) * len;
            let dst = slot_base + ((k + 1u) & 1u) * len;
            let c = wc[h + k];
            let bit = 1u << (h + k);
            let per = (2u * m + WG - 1u) / WG;
            let d0 = min(tid * per, 2u * m);
            let d1 = min(d0 + per, 2u * m);
            if (d0 < d1) {
                // i = number of X among the first d0 outputs.
                var lo = select(0u, d0 - m, d0 > m);
                var hi = min(d0, m);
                while (lo < hi) {
                    let mid = (lo + hi) / 2u;
                    let j = d0 - mid - 1u;
                    if (key_lt(scratch_sum[src + mid], scratch_mask[src + mid],
                               add64(scratch_sum[src + j], c), scratch_mask[src + j] | bit)) {
                        lo = mid + 1u;
                    } else {
                        hi = mid;
                    }
                }
                var i = lo;
                var j = d0 - lo;
                for (var d = d0; d < d1; d++) {
                    var take_x = j >= m;
                    if (i < m && j < m) {
                        take_x = key_lt(scratch_sum[src + i], scratch_mask[src + i],
                                        add64(scratch_sum[src + j], c), scratch_mask[src + j] | bit);
                    }
                    if (take_x) {
                        scratch_sum[dst + d] = scratch_sum[src + i];
                        scratch_mask[dst + d] = scratch_mask[src + i];
                        i++;
                    } else {
                        scratch_sum[dst + d] = add64(scratch_sum[src + j], c);
                        scratch_mask[dst + d] = scratch_mask[src + j] | bit;
                        j++;
                    }
                }
            }
            storageBarrier();
        }
        let b = slot_base + (nb & 1u) * len;
        // The other list's space (len >= 2^h entries) keeps, per lower subset
        // a, the distance from t - a to the nearest upper sum, for step 3.
        let dist = slot_base + ((nb + 1u) & 1u) * len;

        // 2. Best answer: for each lower subset a, the upper sums just below
        //    and at/above t - a (first entry of each equal-sum run = fewest
        //    elements, then smallest mask).
        var best_e = vec2<u32>(0xffffffffu, 0x7fffffffu);
        var best_m = 0xffffffffu;
        let acount = 1u << h;
        for (var am = tid; am < acount; am += WG) {
            var a = vec2<u32>(0u, 0u);
            for (var j = 0u; j < h; j++) {
                if (((am >> j) & 1u) == 1u) {
                    a = add64(a, wc[j]);
                }
            }
            let key = sub64(tgt, a);
            let pos = lower_bound(b, len, key);
            var d = vec2<u32>(0xffffffffu, 0x7fffffffu);
            if (pos < len) {
                let e = sub64(scratch_sum[b + pos], key);
                d = e;
                let mm = am | scratch_mask[b + pos];
                if (answer_lt(e, mm, best_e, best_m)) {
                    best_e = e;
                    best_m = mm;
                }
            }
            if (pos > 0u) {
                let below = scratch_sum[b + pos - 1u];
                let e = sub64(key, below);
                if (lt64(e, d)) {
                    d = e;
                }
                // The run's first entry is only needed if it can win.
                if (!lt64(best_e, e)) {
                    let first = lower_bound(b, len, below);
                    let mm = am | scratch_mask[b + first];
                    if (answer_lt(e, mm, best_e, best_m)) {
                        best_e = e;
                        best_m = mm;
                    }
                }
            }
            scratch_sum[dist + am] = d;
        }
        red_e[tid] = best_e;
        red_m[tid] = best_m;
        workgroupBarrier();
        // One serial pass is cheaper than log2(WG) barriers.
        if (tid == 0u) {
            for (var r = 1u; r < WG; r++) {
                if (answer_lt(red_e[r], red_m[r], red_e[0], red_m[0])) {
                    red_e[0] = red_e[r];
                    red_m[0] = red_m[r];
                }
            }
        }
        workgroupBarrier();
        let out = p * RESULT_STRIDE;
        if (tid == 0u) {
            results[out] = red_m[0];
            results[out + 1u] = red_e[0].x;
            results[out + 2u] = red_e[0].y;
        }

        // 3. Inexact problems: every subset within `window` of the best.
        //    Only lower subsets whose nearest upper sum is that close can
        //    have any (each invocation reads back its own distances).
        if (exact == 0u) {
            let lim = add64(red_e[0], window);
            for (var am = tid; am < acount; am += WG) {
                if (lt64(lim, scratch_sum[dist + am])) {
                    continue;
                }
                var a = vec2<u32>(0u, 0u);
                for (var j = 0u; j < h; j++) {
                    if (((am >> j) & 1u) == 1u) {
                        a = add64(a, wc[j]);
                    }
                }
                let key = sub64(tgt, a);
                let lo = lower_bound(b, len, sub64(key, lim));
                let hi = upper_bound(b, len, add64(key, lim));
                if (hi > lo) {
                    let found = min(hi - lo, MAX_CANDIDATES + 1u);
                    let at = atomicAdd(&wg_count, found);
                    for (var i = 0u; i < found && at + i < MAX_CANDIDATES; i++) {
                        results[out + 4u + at + i] = am | scratch_mask[b + lo + i];
                    }
                }
            }
        }
        workgroupBarrier();
        if (tid == 0u) {
            results[out + 3u] = atomicLoad(&wg_count);
        }
        // The next problem reuses wc, the scratch slot and the counters.
        workgroupBarrier();
    }
}
