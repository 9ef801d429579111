// What the one-invocation-per-value steps share; kernels.rs puts it in
// front of pool.wgsl and reshape.wgsl (WGSL has no imports): the parameter
// block, the maps' bindings (channels-last, [n][h][w][c]) and which value
// an invocation computes. Dispatches are two-dimensional (rows of `stride`
// invocations) so that large batches stay within the per-dimension
// workgroup limit.

struct Params {
    // Output values.
    count: u32,
    // Invocations per row of the dispatch grid.
    stride: u32,
    h: u32,
    w: u32,
    c: u32,
    // |G| (group pool).
    order: u32,
    // σ after the 2×2 max-pool.
    relu: u32,
    // h·w (global average pool, flatten).
    hw: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// The output value of invocation `gid`; `p.count` or more past the end.
fn value_index(gid: vec3<u32>) -> u32 {
    return gid.y * p.stride + gid.x;
}
