// The steps that move or rectify values without pooling them, on
// channels-last maps, one invocation per value (per_value.wgsl, in front of
// this file, holds the parameter block and the bindings).

// σ(x) = max(x, 0).
@compute @workgroup_size(256)
fn relu(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = value_index(gid);
    if (e >= p.count) {
        return;
    }
    dst[e] = max(src[e], 0.0);
}

// [hw][c] → [c·hw] per image: the reference's channel-major Flatten order
// (the result is a 1×1 map of c·hw channels).
@compute @workgroup_size(256)
fn flatten(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = value_index(gid);
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
