// The pooling steps on channels-last maps [n][h][w][c], one invocation per
// output value (per_value.wgsl, in front of this file, holds the parameter
// block and the bindings).

// 2×2 max-pool, stride 2 (an odd last row or column is dropped), then σ if
// asked (max and ReLU commute).
@compute @workgroup_size(256)
fn max_pool2(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = value_index(gid);
    if (e >= p.count) {
        return;
    }
    let oh = p.h / 2u;
    let ow = p.w / 2u;
    let ch = e % p.c;
    let px = e / p.c;
    let ox = px % ow;
    let t = px / ow;
    let oy = t % oh;
    let img = t / oh;
    let top = ((img * p.h + 2u * oy) * p.w + 2u * ox) * p.c + ch;
    let bottom = top + p.w * p.c;
    var v = max(max(src[top], src[top + p.c]), max(src[bottom], src[bottom + p.c]));
    if (p.relu == 1u) {
        v = max(v, 0.0);
    }
    dst[e] = v;
}

// Max over each regular field's |G| consecutive channels.
@compute @workgroup_size(256)
fn group_pool(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = value_index(gid);
    if (e >= p.count) {
        return;
    }
    let fields = p.c / p.order;
    let base = (e / fields) * p.c + (e % fields) * p.order;
    var m = src[base];
    for (var g = 1u; g < p.order; g++) {
        m = max(m, src[base + g]);
    }
    dst[e] = m;
}

// Mean over the grid: pixels summed in order, then scaled by 1 / (h·w),
// as the CPU forward does.
@compute @workgroup_size(256)
fn global_avg_pool(@builtin(global_invocation_id) gid: vec3<u32>) {
    let e = value_index(gid);
    if (e >= p.count) {
        return;
    }
    let img = e / p.c;
    let ch = e % p.c;
    var s = 0.0;
    for (var q = 0u; q < p.hw; q++) {
        s += src[(img * p.hw + q) * p.c + ch];
    }
    dst[e] = s * (1.0 / f32(p.hw));
}
