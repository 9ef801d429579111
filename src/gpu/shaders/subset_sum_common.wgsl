// What both exact subset-sum kernels share (prepended to each by
// src/gpu/subset_sum.rs): the buffer layout, and 64-bit two's-complement
// arithmetic and the orders on vec2<u32> (x = low word, y = high word;
// WGSL has no 64-bit integers).
//
// Keep PROBLEM_STRIDE, RESULT_STRIDE and MAX_CANDIDATES in step with
// src/gpu/{fixed_point,subset_sum}.rs (a unit test checks).

const WG: u32 = 64u;
const PROBLEM_STRIDE: u32 = 72u;
const RESULT_STRIDE: u32 = 68u;
const MAX_CANDIDATES: u32 = 64u;

struct Params {
    n: u32,
    count: u32,
    half_len: u32,
    pad: u32,
}

@group(0) @binding(0) var<storage, read> problems: array<u32>;
@group(0) @binding(1) var<storage, read_write> scratch_sum: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> scratch_mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> results: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let lo = a.x + b.x;
    let carry = select(0u, 1u, lo < a.x);
    return vec2<u32>(lo, a.y + b.y + carry);
}

fn neg64(a: vec2<u32>) -> vec2<u32> {
    return add64(~a, vec2<u32>(1u, 0u));
}

fn sub64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return add64(a, neg64(b));
}

// Signed a < b.
fn lt64(a: vec2<u32>, b: vec2<u32>) -> bool {
    if (a.y != b.y) {
        return bitcast<i32>(a.y) < bitcast<i32>(b.y);
    }
    return a.x < b.x;
}

fn abs64(a: vec2<u32>) -> vec2<u32> {
    if (bitcast<i32>(a.y) < 0) {
        return neg64(a);
    }
    return a;
}

// Total order of sorted-list entries: sum, then size, then mask.
fn key_lt(sa: vec2<u32>, ma: u32, sb: vec2<u32>, mb: u32) -> bool {
    if (any(sa != sb)) {
        return lt64(sa, sb);
    }
    let ca = countOneBits(ma);
    let cb = countOneBits(mb);
    if (ca != cb) {
        return ca < cb;
    }
    return ma < mb;
}

// Total order of answers: error, then size, then mask.
fn answer_lt(ea: vec2<u32>, ma: u32, eb: vec2<u32>, mb: u32) -> bool {
    return key_lt(ea, ma, eb, mb);
}

// First index in [base, base + len) whose sum is >= key (or base + len).
fn lower_bound(base: u32, len: u32, key: vec2<u32>) -> u32 {
    var lo = 0u;
    var hi = len;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        if (lt64(scratch_sum[base + mid], key)) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// First index whose sum is > key.
fn upper_bound(base: u32, len: u32, key: vec2<u32>) -> u32 {
    var lo = 0u;
    var hi = len;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        if (lt64(key, scratch_sum[base + mid])) {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return lo;
}

