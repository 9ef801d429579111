// The convolution of conv.wgsl (same product, same parameters, same
// epilogue; conv_common.wgsl, in front of this file, holds what they
// share) for native devices that are CPUs (lavapipe), where workgroup
// memory is ordinary memory behind the same caches and every barrier is
// a switch between the workgroup's invocations: each
// invocation reads its operands straight from the buffers and keeps a
// 16-row × 16-column block in registers. On lavapipe every load in a loop
// is a per-lane gather, the dominant cost; a block of R × C outputs
// costs R + C of them per depth step for R·C multiply-adds, so the block
// is as large as the registers (and their spill slots) allow: 16 × 16 ran
// layer 2 of rotmnist-c8 2.1× faster than 4 × 16. The 16 columns come
// from the workgroup id (every invocation of a workgroup reads the same
// kernel values); the 16 rows are four 2×2 pooling windows or 16
// consecutive pixels.

@group(0) @binding(1) var<storage, read> weights: array<vec4<f32>>;

// Offset of the first channel of the input pixel under tap (dy, dx) of
// output pixel `px`, or -1 in the zero padding.
fn tap_offset(px: vec3<i32>, dy: i32, dx: i32) -> i32 {
    let sy = px.y + dy;
    let sx = px.z + dx;
    if (px.x < 0 || sy < 0 || sy >= i32(p.h) || sx < 0 || sx >= i32(p.w)) {
        return -1;
    }
    return ((px.x * i32(p.h) + sy) * i32(p.w) + sx) * i32(p.c_in);
}

fn load(offset: i32, ci: u32) -> f32 {
    return select(0.0, src[u32(max(offset, 0)) + ci], offset >= 0);
}

fn store(row: u32, col0: u32, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>) {
    let base = row * p.c_out;
    for (var j = 0u; j < 4u; j++) {
        if (col0 + j < p.c_out) {
            dst[base + col0 + j] = q0[j];
        }
        if (col0 + 4u + j < p.c_out) {
            dst[base + col0 + 4u + j] = q1[j];
        }
        if (col0 + 8u + j < p.c_out) {
            dst[base + col0 + 8u + j] = q2[j];
        }
        if (col0 + 12u + j < p.c_out) {
            dst[base + col0 + 12u + j] = q3[j];
        }
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let row0 = gid.x * 16u;
    let col0 = wg.y * 16u;
    let px0 = row_pixel(row0 + 0u);
    let px1 = row_pixel(row0 + 1u);
    let px2 = row_pixel(row0 + 2u);
    let px3 = row_pixel(row0 + 3u);
    let px4 = row_pixel(row0 + 4u);
    let px5 = row_pixel(row0 + 5u);
    let px6 = row_pixel(row0 + 6u);
    let px7 = row_pixel(row0 + 7u);
    let px8 = row_pixel(row0 + 8u);
    let px9 = row_pixel(row0 + 9u);
    let px10 = row_pixel(row0 + 10u);
    let px11 = row_pixel(row0 + 11u);
    let px12 = row_pixel(row0 + 12u);
    let px13 = row_pixel(row0 + 13u);
    let px14 = row_pixel(row0 + 14u);
    let px15 = row_pixel(row0 + 15u);
    let radius = i32(p.k / 2u);
    let quads = p.w_stride / 4u;
    // acc_<row>_<quad>: 16 rows × 4 quads of columns, written out: a
    // function-local array would live in scratch memory on a CPU device.
    var acc_0_0 = vec4<f32>(0.0);
    var acc_0_1 = vec4<f32>(0.0);
    var acc_0_2 = vec4<f32>(0.0);
    var acc_0_3 = vec4<f32>(0.0);
    var acc_1_0 = vec4<f32>(0.0);
    var acc_1_1 = vec4<f32>(0.0);
    var acc_1_2 = vec4<f32>(0.0);
    var acc_1_3 = vec4<f32>(0.0);
    var acc_2_0 = vec4<f32>(0.0);
    var acc_2_1 = vec4<f32>(0.0);
    var acc_2_2 = vec4<f32>(0.0);
    var acc_2_3 = vec4<f32>(0.0);
    var acc_3_0 = vec4<f32>(0.0);
    var acc_3_1 = vec4<f32>(0.0);
    var acc_3_2 = vec4<f32>(0.0);
    var acc_3_3 = vec4<f32>(0.0);
    var acc_4_0 = vec4<f32>(0.0);
    var acc_4_1 = vec4<f32>(0.0);
    var acc_4_2 = vec4<f32>(0.0);
    var acc_4_3 = vec4<f32>(0.0);
    var acc_5_0 = vec4<f32>(0.0);
    var acc_5_1 = vec4<f32>(0.0);
    var acc_5_2 = vec4<f32>(0.0);
    var acc_5_3 = vec4<f32>(0.0);
    var acc_6_0 = vec4<f32>(0.0);
    var acc_6_1 = vec4<f32>(0.0);
    var acc_6_2 = vec4<f32>(0.0);
    var acc_6_3 = vec4<f32>(0.0);
    var acc_7_0 = vec4<f32>(0.0);
    var acc_7_1 = vec4<f32>(0.0);
    var acc_7_2 = vec4<f32>(0.0);
    var acc_7_3 = vec4<f32>(0.0);
    var acc_8_0 = vec4<f32>(0.0);
    var acc_8_1 = vec4<f32>(0.0);
    var acc_8_2 = vec4<f32>(0.0);
    var acc_8_3 = vec4<f32>(0.0);
    var acc_9_0 = vec4<f32>(0.0);
    var acc_9_1 = vec4<f32>(0.0);
    var acc_9_2 = vec4<f32>(0.0);
    var acc_9_3 = vec4<f32>(0.0);
    var acc_10_0 = vec4<f32>(0.0);
    var acc_10_1 = vec4<f32>(0.0);
    var acc_10_2 = vec4<f32>(0.0);
    var acc_10_3 = vec4<f32>(0.0);
    var acc_11_0 = vec4<f32>(0.0);
    var acc_11_1 = vec4<f32>(0.0);
    var acc_11_2 = vec4<f32>(0.0);
    var acc_11_3 = vec4<f32>(0.0);
    var acc_12_0 = vec4<f32>(0.0);
    var acc_12_1 = vec4<f32>(0.0);
    var acc_12_2 = vec4<f32>(0.0);
    var acc_12_3 = vec4<f32>(0.0);
    var acc_13_0 = vec4<f32>(0.0);
    var acc_13_1 = vec4<f32>(0.0);
    var acc_13_2 = vec4<f32>(0.0);
    var acc_13_3 = vec4<f32>(0.0);
    var acc_14_0 = vec4<f32>(0.0);
    var acc_14_1 = vec4<f32>(0.0);
    var acc_14_2 = vec4<f32>(0.0);
    var acc_14_3 = vec4<f32>(0.0);
    var acc_15_0 = vec4<f32>(0.0);
    var acc_15_1 = vec4<f32>(0.0);
    var acc_15_2 = vec4<f32>(0.0);
    var acc_15_3 = vec4<f32>(0.0);
    for (var dy = 0u; dy < p.k; dy++) {
        for (var dx = 0u; dx < p.k; dx++) {
            let oy = i32(dy) - radius;
            let ox = i32(dx) - radius;
            let o0 = tap_offset(px0, oy, ox);
            let o1 = tap_offset(px1, oy, ox);
            let o2 = tap_offset(px2, oy, ox);
            let o3 = tap_offset(px3, oy, ox);
            let o4 = tap_offset(px4, oy, ox);
            let o5 = tap_offset(px5, oy, ox);
            let o6 = tap_offset(px6, oy, ox);
            let o7 = tap_offset(px7, oy, ox);
            let o8 = tap_offset(px8, oy, ox);
            let o9 = tap_offset(px9, oy, ox);
            let o10 = tap_offset(px10, oy, ox);
            let o11 = tap_offset(px11, oy, ox);
            let o12 = tap_offset(px12, oy, ox);
            let o13 = tap_offset(px13, oy, ox);
            let o14 = tap_offset(px14, oy, ox);
            let o15 = tap_offset(px15, oy, ox);
            var wi = (dy * p.k + dx) * p.c_in * quads + col0 / 4u;
            for (var ci = 0u; ci < p.c_in; ci++) {
                let w0 = weights[wi + 0u];
                let w1 = weights[wi + 1u];
                let w2 = weights[wi + 2u];
                let w3 = weights[wi + 3u];
                wi += quads;
                let x0 = load(o0, ci);
                let x1 = load(o1, ci);
                let x2 = load(o2, ci);
                let x3 = load(o3, ci);
                let x4 = load(o4, ci);
                let x5 = load(o5, ci);
                let x6 = load(o6, ci);
                let x7 = load(o7, ci);
                let x8 = load(o8, ci);
                let x9 = load(o9, ci);
                let x10 = load(o10, ci);
                let x11 = load(o11, ci);
                let x12 = load(o12, ci);
                let x13 = load(o13, ci);
                let x14 = load(o14, ci);
                let x15 = load(o15, ci);
                acc_0_0 += x0 * w0;
                acc_0_1 += x0 * w1;
                acc_0_2 += x0 * w2;
                acc_0_3 += x0 * w3;
                acc_1_0 += x1 * w0;
                acc_1_1 += x1 * w1;
                acc_1_2 += x1 * w2;
                acc_1_3 += x1 * w3;
                acc_2_0 += x2 * w0;
                acc_2_1 += x2 * w1;
                acc_2_2 += x2 * w2;
                acc_2_3 += x2 * w3;
                acc_3_0 += x3 * w0;
                acc_3_1 += x3 * w1;
                acc_3_2 += x3 * w2;
                acc_3_3 += x3 * w3;
                acc_4_0 += x4 * w0;
                acc_4_1 += x4 * w1;
                acc_4_2 += x4 * w2;
                acc_4_3 += x4 * w3;
                acc_5_0 += x5 * w0;
                acc_5_1 += x5 * w1;
                acc_5_2 += x5 * w2;
                acc_5_3 += x5 * w3;
                acc_6_0 += x6 * w0;
                acc_6_1 += x6 * w1;
                acc_6_2 += x6 * w2;
                acc_6_3 += x6 * w3;
                acc_7_0 += x7 * w0;
                acc_7_1 += x7 * w1;
                acc_7_2 += x7 * w2;
                acc_7_3 += x7 * w3;
                acc_8_0 += x8 * w0;
                acc_8_1 += x8 * w1;
                acc_8_2 += x8 * w2;
                acc_8_3 += x8 * w3;
                acc_9_0 += x9 * w0;
                acc_9_1 += x9 * w1;
                acc_9_2 += x9 * w2;
                acc_9_3 += x9 * w3;
                acc_10_0 += x10 * w0;
                acc_10_1 += x10 * w1;
                acc_10_2 += x10 * w2;
                acc_10_3 += x10 * w3;
                acc_11_0 += x11 * w0;
                acc_11_1 += x11 * w1;
                acc_11_2 += x11 * w2;
                acc_11_3 += x11 * w3;
                acc_12_0 += x12 * w0;
                acc_12_1 += x12 * w1;
                acc_12_2 += x12 * w2;
                acc_12_3 += x12 * w3;
                acc_13_0 += x13 * w0;
                acc_13_1 += x13 * w1;
                acc_13_2 += x13 * w2;
                acc_13_3 += x13 * w3;
                acc_14_0 += x14 * w0;
                acc_14_1 += x14 * w1;
                acc_14_2 += x14 * w2;
                acc_14_3 += x14 * w3;
                acc_15_0 += x15 * w0;
                acc_15_1 += x15 * w1;
                acc_15_2 += x15 * w2;
                acc_15_3 += x15 * w3;
            }
        }
    }
    if (p.pool == 1u) {
        if (row0 + 0u < p.rows) {
            store(
                row0 / 4u + 0u,
                col0,
                rectify(max(max(acc_0_0, acc_1_0), max(acc_2_0, acc_3_0))),
                rectify(max(max(acc_0_1, acc_1_1), max(acc_2_1, acc_3_1))),
                rectify(max(max(acc_0_2, acc_1_2), max(acc_2_2, acc_3_2))),
                rectify(max(max(acc_0_3, acc_1_3), max(acc_2_3, acc_3_3))),
            );
        }
        if (row0 + 4u < p.rows) {
            store(
                row0 / 4u + 1u,
                col0,
                rectify(max(max(acc_4_0, acc_5_0), max(acc_6_0, acc_7_0))),
                rectify(max(max(acc_4_1, acc_5_1), max(acc_6_1, acc_7_1))),
                rectify(max(max(acc_4_2, acc_5_2), max(acc_6_2, acc_7_2))),
                rectify(max(max(acc_4_3, acc_5_3), max(acc_6_3, acc_7_3))),
            );
        }
        if (row0 + 8u < p.rows) {
            store(
                row0 / 4u + 2u,
                col0,
                rectify(max(max(acc_8_0, acc_9_0), max(acc_10_0, acc_11_0))),
                rectify(max(max(acc_8_1, acc_9_1), max(acc_10_1, acc_11_1))),
                rectify(max(max(acc_8_2, acc_9_2), max(acc_10_2, acc_11_2))),
                rectify(max(max(acc_8_3, acc_9_3), max(acc_10_3, acc_11_3))),
            );
        }
        if (row0 + 12u < p.rows) {
            store(
                row0 / 4u + 3u,
                col0,
                rectify(max(max(acc_12_0, acc_13_0), max(acc_14_0, acc_15_0))),
                rectify(max(max(acc_12_1, acc_13_1), max(acc_14_1, acc_15_1))),
                rectify(max(max(acc_12_2, acc_13_2), max(acc_14_2, acc_15_2))),
                rectify(max(max(acc_12_3, acc_13_3), max(acc_14_3, acc_15_3))),
            );
        }
        return;
    }
    if (row0 + 0u < p.rows) {
        store(row0 + 0u, col0, rectify(acc_0_0), rectify(acc_0_1), rectify(acc_0_2), rectify(acc_0_3));
    }
    if (row0 + 1u < p.rows) {
        store(row0 + 1u, col0, rectify(acc_1_0), rectify(acc_1_1), rectify(acc_1_2), rectify(acc_1_3));
    }
    if (row0 + 2u < p.rows) {
        store(row0 + 2u, col0, rectify(acc_2_0), rectify(acc_2_1), rectify(acc_2_2), rectify(acc_2_3));
    }
    if (row0 + 3u < p.rows) {
        store(row0 + 3u, col0, rectify(acc_3_0), rectify(acc_3_1), rectify(acc_3_2), rectify(acc_3_3));
    }
    if (row0 + 4u < p.rows) {
        store(row0 + 4u, col0, rectify(acc_4_0), rectify(acc_4_1), rectify(acc_4_2), rectify(acc_4_3));
    }
    if (row0 + 5u < p.rows) {
        store(row0 + 5u, col0, rectify(acc_5_0), rectify(acc_5_1), rectify(acc_5_2), rectify(acc_5_3));
    }
    if (row0 + 6u < p.rows) {
        store(row0 + 6u, col0, rectify(acc_6_0), rectify(acc_6_1), rectify(acc_6_2), rectify(acc_6_3));
    }
    if (row0 + 7u < p.rows) {
        store(row0 + 7u, col0, rectify(acc_7_0), rectify(acc_7_1), rectify(acc_7_2), rectify(acc_7_3));
    }
    if (row0 + 8u < p.rows) {
        store(row0 + 8u, col0, rectify(acc_8_0), rectify(acc_8_1), rectify(acc_8_2), rectify(acc_8_3));
    }
    if (row0 + 9u < p.rows) {
        store(row0 + 9u, col0, rectify(acc_9_0), rectify(acc_9_1), rectify(acc_9_2), rectify(acc_9_3));
    }
    if (row0 + 10u < p.rows) {
        store(row0 + 10u, col0, rectify(acc_10_0), rectify(acc_10_1), rectify(acc_10_2), rectify(acc_10_3));
    }
    if (row0 + 11u < p.rows) {
        store(row0 + 11u, col0, rectify(acc_11_0), rectify(acc_11_1), rectify(acc_11_2), rectify(acc_11_3));
    }
    if (row0 + 12u < p.rows) {
        store(row0 + 12u, col0, rectify(acc_12_0), rectify(acc_12_1), rectify(acc_12_2), rectify(acc_12_3));
    }
    if (row0 + 13u < p.rows) {
        store(row0 + 13u, col0, rectify(acc_13_0), rectify(acc_13_1), rectify(acc_13_2), rectify(acc_13_3));
    }
    if (row0 + 14u < p.rows) {
        store(row0 + 14u, col0, rectify(acc_14_0), rectify(acc_14_1), rectify(acc_14_2), rectify(acc_14_3));
    }
    if (row0 + 15u < p.rows) {
        store(row0 + 15u, col0, rectify(acc_15_0), rectify(acc_15_1), rectify(acc_15_2), rectify(acc_15_3));
    }
}
