// The steps that move or rectify values without pooling them, on
// channels-last maps, one invocation per value (two-dimensional dispatch,
// as in pool.wgsl; the same parameter block).

struct Params {
    count: u32,
    stride: u32,
    h: u32,
    w: u32,
    c: u32,
    order: u32,
    relu: u32,
    hw: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// σ(x) = max(x, 0).
@compute @workgroup_size(256)
fn relu(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = gid.y * p.stride + gid.x;
    if (e >= p.count) {
        return;
    }
    dst[e] = max(src[e], 0.0);
}

// [hw][c] → [c·hw] per image: the reference's channel-major Flatten order
// (the result is a 1×1 map of c·hw channels).
@compute @workgroup_size(256)
fn flatten(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = gid.y * p.stride + gid.x;
    if (e >= p.count) {
        return;
    }
    let len = p.hw * p.c;
    let img = e / len;
    let r = e % len;
    let ch = r / p.hw;
    let q = r % p.hw;
    dst[e] = src[img * len + q * p.c + ch];
}
