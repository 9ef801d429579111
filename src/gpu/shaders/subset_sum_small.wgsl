// Exact subset sum by meet-in-the-middle, one problem per invocation: the
// small-problem twin of subset_sum.wgsl (same fixed-point encoding, same
// three steps, same result layout), with no barriers at all. On a GPU
// emulated on the CPU (lavapipe, SwiftShader) the cooperative kernel's
// barriers cost more than a small problem's whole work, so each invocation
// solves its own problem sequentially and a workgroup solves 64 at once.
//
// Per problem, with h = n / 2 and the 2^(n-h) upper subsets in the
// invocation's slot of the scratch buffers:
//   1. the sorted list of upper subset sums, by (sum, size, mask), built by
//      n-h two-pointer merges of L and L + c_k (ping-pong in the slot);
//   2. for every lower subset a, the upper sums just below and at/above
//      t - a (the first entry of an equal-sum run: fewest elements, then
//      smallest mask); the best (error, size, mask) wins;
//   3. for problems the host marks inexact, every subset within `window` of
//      the best is counted and (up to MAX_CANDIDATES) written out.
//
// Loop budget: lavapipe (llvmpipe's shader compiler) ends every loop of an
// invocation once its loops together have iterated 65,535 times, counted
// per SIMD vector of 8 or 16 invocations (divergent branches of any lane
// count for all). Past it, each loop runs its body once and exits: the
// answer and the window are wrong, usually an empty or overfull window (the
// host then solves the problem on the CPU), but an exact problem's answer
// is taken as it is. One problem here iterates about 2^h · (h + 2·log2 len)
// times: 25,000 at n = 20, 53,000 at n = 22, 98,000 at n = 24 — so the host
// uses this kernel up to n = 20 (SMALL_N_MAX in src/gpu/subset_sum.rs). The
// kernel is right at every n where loops are not cut (SwiftShader).
// Reproducer: tests/gpu_loop_limit.rs.
//
// Buffers, constants and the 64-bit helpers: subset_sum_common.wgsl.

fn candidate(pin: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(problems[pin + 2u * k], problems[pin + 2u * k + 1u]);
}

// Sum of the lower candidates in mask `am` (bits 0..h).
fn lower_sum(pin: u32, h: u32, am: u32) -> vec2<u32> {
    var a = vec2<u32>(0u, 0u);
    for (var j = 0u; j < h; j++) {
        if (((am >> j) & 1u) == 1u) {
            a = add64(a, candidate(pin, j));
        }
    }
    return a;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let p = gid.x;
    if (p >= params.count) {
        return;
    }
    let n = params.n;
    let h = n / 2u;
    let nb = n - h;
    let len = params.half_len; // 2^nb
    let slot = p * 2u * len;
    let pin = p * PROBLEM_STRIDE;
    let tgt = vec2<u32>(problems[pin + 64u], problems[pin + 65u]);
    let window = vec2<u32>(problems[pin + 66u], problems[pin + 67u]);
    let exact = problems[pin + 68u];

    // 1. Sorted upper subset sums: start from {0}, merge X with X + c_k.
    scratch_sum[slot] = vec2<u32>(0u, 0u);
    scratch_mask[slot] = 0u;
    for (var k = 0u; k < nb; k++) {
        let m = 1u << k;
        let src = slot + (k & 1u) * len;
        let dst = slot + ((k + 1u) & 1u) * len;
        let c = candidate(pin, h + k);
        let bit = 1u << (h + k);
        var i = 0u;
        var j = 0u;
        for (var d = 0u; d < 2u * m; d++) {
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
    let b = slot + (nb & 1u) * len;
    // The other half of the slot (len >= 2^h entries) keeps, per lower
    // subset a, the distance from t - a to the nearest upper sum.
    let dist = slot + ((nb + 1u) & 1u) * len;

    // 2. The best answer.
    var best_e = vec2<u32>(0xffffffffu, 0x7fffffffu);
    var best_m = 0xffffffffu;
    let acount = 1u << h;
    for (var am = 0u; am < acount; am++) {
        let key = sub64(tgt, lower_sum(pin, h, am));
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
    let out = p * RESULT_STRIDE;
    results[out] = best_m;
    results[out + 1u] = best_e.x;
    results[out + 2u] = best_e.y;

    // 3. Inexact problems: every subset within `window` of the best.
    var count = 0u;
    if (exact == 0u) {
        let lim = add64(best_e, window);
        for (var am = 0u; am < acount; am++) {
            if (lt64(lim, scratch_sum[dist + am])) {
                continue;
            }
            let key = sub64(tgt, lower_sum(pin, h, am));
            let lo = lower_bound(b, len, sub64(key, lim));
            let hi = upper_bound(b, len, add64(key, lim));
            if (hi > lo) {
                let found = min(hi - lo, MAX_CANDIDATES + 1u);
                for (var i = 0u; i < found && count + i < MAX_CANDIDATES; i++) {
                    results[out + 4u + count + i] = am | scratch_mask[b + lo + i];
                }
                count += found;
            }
        }
    }
    results[out + 3u] = count;
}
