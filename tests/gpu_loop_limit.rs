//! The loop budget that bounds the subset-sum kernels. lavapipe (Mesa's
//! Vulkan driver on llvmpipe) ends every loop of a shader invocation once
//! the invocation's loops together have iterated 65,535 times — a guard
//! against endless shaders, shared by all the loops of the shader. A kernel
//! that loops longer gets wrong results there, with no error. This is why
//! the per-invocation subset-sum kernel stops at n = SMALL_N_MAX and why
//! each workgroup of the per-workgroup kernel gets one problem per dispatch.
//!
//! 1. The smallest shader that shows it: two loops in a row.
//! 2. Both kernels, with a counter added to every loop: their iterations
//!    per invocation at their largest n stay well inside the budget.
//!
//! Without a GPU adapter the tests print why and pass, unless
//! ESLT_REQUIRE_GPU=1.
#![cfg(not(target_arch = "wasm32"))]

use eslt::gpu::fixed_point::{encode, PROBLEM_WORDS};
use eslt::gpu::readback::read_mapped;
use eslt::gpu::subset_sum::SMALL_N_MAX;
use eslt::gpu::GpuContext;
use eslt::slt::subset_sum::ProblemBatch;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wgpu::util::DeviceExt;

/// lavapipe's loop iterations per invocation (Mesa's
/// LP_MAX_TGSI_LOOP_ITERATIONS).
const LAVAPIPE_LOOPS: u32 = 65_535;
/// What the kernels may use of it: the rest is for the other lanes of a
/// SIMD vector (the budget is counted per vector of 8 or 16 invocations,
/// and a branch any lane takes counts for all).
const KERNEL_BUDGET: u32 = LAVAPIPE_LOOPS / 4 * 3;
/// Words per problem in the result buffer (RESULT_STRIDE); the last one,
/// the 64th candidate, carries the instrumented kernels' count.
const RESULT_WORDS: usize = 68;

fn context() -> Option<GpuContext> {
    match GpuContext::new() {
        Ok(c) => Some(c),
        Err(e) => {
            if std::env::var("ESLT_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("ESLT_REQUIRE_GPU=1 but no GPU adapter: {e}");
            }
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// Runs `src`'s `main` on `groups` workgroups with `buffers` bound in
/// order (uniform at `uniform`, storage elsewhere); returns the words of
/// the buffer at `out`.
fn dispatch(
    ctx: &GpuContext,
    src: &str,
    buffers: &[Vec<u32>],
    uniform: usize,
    out: usize,
    groups: u32,
) -> Vec<u32> {
    let d = &ctx.device;
    let module = d.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("loop limit"),
        source: wgpu::ShaderSource::Wgsl(src.into()),
    });
    let pipeline = d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("loop limit"),
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    use wgpu::BufferUsages as U;
    let made: Vec<wgpu::Buffer> = buffers
        .iter()
        .enumerate()
        .map(|(i, words)| {
            let usage = if i == uniform {
                U::UNIFORM
            } else {
                U::STORAGE | U::COPY_SRC
            };
            d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: None,
                contents: bytemuck::cast_slice(words),
                usage,
            })
        })
        .collect();
    let entries: Vec<wgpu::BindGroupEntry> = made
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect();
    let bind_group = d.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    });
    let bytes = (buffers[out].len() * 4) as u64;
    let readback = d.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: bytes,
        usage: U::MAP_READ | U::COPY_DST,
        mapped_at_creation: false,
    });
    let mut enc = d.create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups, 1, 1);
    }
    enc.copy_buffer_to_buffer(&made[out], 0, &readback, 0, bytes);
    ctx.queue.submit([enc.finish()]);
    pollster::block_on(read_mapped(ctx, &readback, bytes, |v| {
        bytemuck::cast_slice::<u8, u32>(v).to_vec()
    }))
    .expect("read back")
}

/// Counts to `a`, then to `b`, each loop ending on its own condition.
const TWO_LOOPS: &str = "
struct Limits { a: u32, b: u32 }
@group(0) @binding(0) var<uniform> limits: Limits;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1)
fn main() {
    var i = 0u;
    loop { if (i >= limits.a) { break; } i++; }
    var j = 0u;
    loop { if (j >= limits.b) { break; } j++; }
    out[0] = i;
    out[1] = j;
}
";

fn two_loops(ctx: &GpuContext, a: u32, b: u32) -> (u32, u32) {
    let r = dispatch(ctx, TWO_LOOPS, &[vec![a, b, 0, 0], vec![0, 0]], 0, 1, 1);
    (r[0], r[1])
}

#[test]
fn an_invocations_loops_share_one_budget() {
    let Some(ctx) = context() else { return };
    let one = two_loops(&ctx, 100_000, 0);
    let both = two_loops(&ctx, 40_000, 40_000);
    eprintln!(
        "{}: a loop of 100,000 ran {}; loops of 40,000 and 40,000 ran {} and {}",
        ctx.describe(),
        one.0,
        both.0,
        both.1
    );
    if one.0 == 100_000 {
        assert_eq!(
            both,
            (40_000, 40_000),
            "loops cut although a single long loop is not"
        );
    } else {
        // lavapipe: the budget, and one budget for both loops — the second
        // is cut although it alone is far inside it.
        assert_eq!(
            one.0, LAVAPIPE_LOOPS,
            "loops cut at another count than lavapipe's"
        );
        assert_eq!(both.0, 40_000);
        assert!(
            both.1 < 40_000 && both.0 + both.1 <= LAVAPIPE_LOOPS,
            "second loop {}",
            both.1
        );
    }
}

/// The kernel `kernel` after the shared header, with `iters += 1u` at the
/// start of every loop body; `count_out` replaces `at` to write the count.
fn instrumented(kernel: &str, at: &str, count_out: &str) -> String {
    let src = [
        include_str!("../src/gpu/shaders/subset_sum_common.wgsl"),
        "var<private> iters: u32;\nvar<workgroup> most: atomic<u32>;",
        kernel,
    ]
    .join("\n");
    let mut out = String::new();
    let mut loops = 0;
    for line in src.lines() {
        out.push_str(line);
        out.push('\n');
        let t = line.trim();
        if (t.starts_with("for (") || t.starts_with("while (") || t.starts_with("loop {"))
            && t.ends_with('{')
        {
            out.push_str("iters += 1u;\n");
            loops += 1;
        }
    }
    assert!(loops >= 6, "only {loops} loops found to count");
    assert_eq!(
        out.matches(at).count(),
        1,
        "no single place to write the count: `{at}`"
    );
    out.replace(at, count_out)
}

/// Candidates u·v and targets in (−1, 1), as in the construction.
fn random_batch(n: usize, count: usize, seed: u64) -> ProblemBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::new();
    let mut t = Vec::new();
    for _ in 0..count {
        for _ in 0..n {
            c.push(rng.random_range(-1.0..1.0) * rng.random_range(-1.0..1.0));
        }
        t.push(rng.random_range(-1.0..1.0));
    }
    ProblemBatch::new(n, c, t).expect("valid batch")
}

/// The most loop iterations of an invocation of `src` on `batch`, one
/// problem per invocation (`per_invocation`) or per workgroup.
fn most_iterations(ctx: &GpuContext, src: &str, batch: &ProblemBatch, per_invocation: bool) -> u32 {
    let (n, count) = (batch.n(), batch.len());
    let half_len = 1u32 << (n - n / 2);
    let mut problems = vec![0u32; count * PROBLEM_WORDS];
    for k in 0..count {
        let p = batch.problem(k);
        encode(p.candidates, p.target)
            .write_words(&mut problems[k * PROBLEM_WORDS..(k + 1) * PROBLEM_WORDS]);
    }
    let slots = count * 2 * half_len as usize;
    let groups = if per_invocation {
        count.div_ceil(64)
    } else {
        count
    } as u32;
    let buffers = [
        problems,
        vec![0; 2 * slots],
        vec![0; slots],
        vec![0; count * RESULT_WORDS],
        vec![n as u32, count as u32, half_len, 0],
    ];
    let results = dispatch(ctx, src, &buffers, 4, 3, groups);
    results
        .chunks(RESULT_WORDS)
        .map(|r| r[RESULT_WORDS - 1])
        .max()
        .expect("problems")
}

#[test]
fn the_kernels_stay_within_the_loop_budget() {
    let Some(ctx) = context() else { return };
    let small = instrumented(
        include_str!("../src/gpu/shaders/subset_sum_small.wgsl"),
        "results[out + 3u] = count;",
        "results[out + 3u] = count;\n    results[out + 67u] = iters;",
    );
    let large = instrumented(
        include_str!("../src/gpu/shaders/subset_sum.wgsl"),
        "workgroupBarrier();\n        if (tid == 0u) {\n            results[out + 3u] = atomicLoad(&wg_count);",
        "atomicMax(&most, iters);\n        workgroupBarrier();\n        if (tid == 0u) {\n            results[out + 67u] = atomicLoad(&most);\n            results[out + 3u] = atomicLoad(&wg_count);",
    );
    let mut over = Vec::new();
    for (kernel, src, n, count, per_invocation) in [
        ("per invocation", &small, SMALL_N_MAX, 64, true),
        ("per invocation", &small, SMALL_N_MAX + 2, 64, true),
        ("per invocation", &small, SMALL_N_MAX + 4, 64, true),
        ("per workgroup", &large, 24, 4, false),
        ("per workgroup", &large, 32, 1, false),
    ] {
        let most = most_iterations(
            &ctx,
            src,
            &random_batch(n, count, 70 + n as u64),
            per_invocation,
        );
        eprintln!("{kernel}, n = {n}: at most {most} loop iterations in an invocation (budget {KERNEL_BUDGET}, lavapipe's limit {LAVAPIPE_LOOPS})");
        // Beyond SMALL_N_MAX, the per-invocation kernel is measured, not used.
        let used = !per_invocation || n <= SMALL_N_MAX;
        if used && most > KERNEL_BUDGET {
            over.push(format!("{kernel} at n = {n}: {most}"));
        }
    }
    assert!(over.is_empty(), "kernels over the loop budget: {over:?}");
}
