// "Same" zero-padded k×k convolution of channels-last maps as an implicit
// matrix product (conv_common.wgsl, in front of this file, holds the
// parameters, the maps' bindings and the row → pixel map). The patch matrix
// is never written: each workgroup gathers its tile of it straight from
// the input map into workgroup memory, next to a tile of the expanded
// kernels ([k·k·c_in, w_stride], row (dy·k + dx)·c_in + i), and every
// thread accumulates a 4×4 block of outputs. (conv_direct.wgsl computes
// the same without workgroup memory, for devices that are CPUs.)
//
// Optional in the epilogue: ReLU, and 2×2 max-pooling. For pooling the
// rows are ordered window by window (the four pixels of one 2×2 window are
// four consecutive rows, one thread's block), so a thread pools in
// registers and the full-size map is never stored; pixels that the pooling
// drops (odd last row or column) are not computed at all.
//
// The host prepends the tile sizes, chosen from the device's limits:
//   const TM: u32; const TN: u32; const TK: u32;
// with TM and TN multiples of 16 and TK a multiple of TM / 16 and TN / 16.

@group(0) @binding(1) var<storage, read> weights: array<f32>;

const THREADS: u32 = (TM / 4u) * (TN / 4u);

// Patch tile [kk][m] and kernel tile [kk][n].
var<workgroup> a_tile: array<f32, TM * TK>;
var<workgroup> b_tile: array<f32, TK * TN>;

fn store(row: u32, col0: u32, v: vec4<f32>) {
    for (var j = 0u; j < 4u; j++) {
        if (col0 + j < p.c_out) {
            dst[row * p.c_out + col0 + j] = v[j];
        }
    }
}

@compute @workgroup_size(TN / 4u, TM / 4u)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) tid: u32,
) {
    let m0 = wg.x * TM;
    let n0 = wg.y * TN;
    // Each thread gathers one fixed row of the patch tile (decoded once)
    // and one fixed column of the kernel tile.
    let a_row = tid % TM;
    let a_k0 = tid / TM;
    let pix = row_pixel(m0 + a_row);
    let img = pix.x;
    let b_col = n0 + tid % TN;
    let b_k0 = tid / TN;
    let radius = i32(p.k / 2u);
    let tap_len = p.k * p.c_in;
    let h = i32(p.h);
    let w = i32(p.w);

    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var d0 = 0u; d0 < p.depth; d0 += TK) {
        for (var i = 0u; i < TM * TK / THREADS; i++) {
            let kk = a_k0 + i * (THREADS / TM);
            let d = d0 + kk;
            var v = 0.0;
            if (img >= 0 && d < p.depth) {
                let dy = d / tap_len;
                let rest = d - dy * tap_len;
                let dx = rest / p.c_in;
                let ci = rest - dx * p.c_in;
                let sy = pix.y + i32(dy) - radius;
                let sx = pix.z + i32(dx) - radius;
                if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                    v = src[((u32(img) * p.h + u32(sy)) * p.w + u32(sx)) * p.c_in + ci];
                }
            }
            a_tile[kk * TM + a_row] = v;
        }
        for (var i = 0u; i < TK * TN / THREADS; i++) {
            let kk = b_k0 + i * (THREADS / TN);
            let d = d0 + kk;
            var v = 0.0;
            if (d < p.depth && b_col < p.c_out) {
                v = weights[d * p.w_stride + b_col];
            }
            b_tile[kk * TN + tid % TN] = v;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TK; kk++) {
            let ai = kk * TM + lid.y * 4u;
            let bi = kk * TN + lid.x * 4u;
            let b = vec4<f32>(b_tile[bi], b_tile[bi + 1u], b_tile[bi + 2u], b_tile[bi + 3u]);
            acc0 += a_tile[ai] * b;
            acc1 += a_tile[ai + 1u] * b;
            acc2 += a_tile[ai + 2u] * b;
            acc3 += a_tile[ai + 3u] * b;
        }
        workgroupBarrier();
    }

    let row0 = m0 + lid.y * 4u;
    let col0 = n0 + lid.x * 4u;
    if (p.pool == 1u) {
        if (row0 < p.rows) {
            store(row0 / 4u, col0, rectify(max(max(acc0, acc1), max(acc2, acc3))));
        }
        return;
    }
    if (row0 < p.rows) {
        store(row0, col0, rectify(acc0));
    }
    if (row0 + 1u < p.rows) {
        store(row0 + 1u, col0, rectify(acc1));
    }
    if (row0 + 2u < p.rows) {
        store(row0 + 2u, col0, rectify(acc2));
    }
    if (row0 + 3u < p.rows) {
        store(row0 + 3u, col0, rectify(acc3));
    }
}
