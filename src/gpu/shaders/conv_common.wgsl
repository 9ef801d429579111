// What the two convolution kernels share; kernels.rs puts it in front of
// conv.wgsl or conv_direct.wgsl (WGSL has no imports). Both compute the
// "same" zero-padded k×k convolution of channels-last maps as an implicit
// matrix product: rows are output pixels (image, y, x), or the four pixels
// of each 2×2 pooling window in turn; the depth is (dy, dx, input channel);
// columns are output channels. Each declares its own kernel binding
// (`weights`, binding 1): f32 or vec4 reads.

struct Params {
    // Rows of the product: pixels, or 4 per pooling window.
    rows: u32,
    h: u32,
    w: u32,
    c_in: u32,
    c_out: u32,
    k: u32,
    // k·k·c_in
    depth: u32,
    relu: u32,
    pool: u32,
    // Pooled grid (pool = 1).
    oh: u32,
    ow: u32,
    // Floats per row of the kernels: c_out rounded up to a multiple of 16.
    w_stride: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// (image, y, x) of product row m; image = -1 past the last row.
fn row_pixel(m: u32) -> vec3<i32> {
    if (m >= p.rows) {
        return vec3<i32>(-1, 0, 0);
    }
    if (p.pool == 1u) {
        let win = m / 4u;
        let q = m % 4u;
        let grid = p.oh * p.ow;
        let img = win / grid;
        let r = win % grid;
        return vec3<i32>(i32(img), i32(2u * (r / p.ow) + q / 2u), i32(2u * (r % p.ow) + q % 2u));
    }
    let hw = p.h * p.w;
    let pix = m % hw;
    return vec3<i32>(i32(m / hw), i32(pix / p.w), i32(pix % p.w));
}

// The epilogue's σ, if asked.
fn rectify(v: vec4<f32>) -> vec4<f32> {
    if (p.relu == 1u) {
        return max(v, vec4<f32>(0.0));
    }
    return v;
}
