//! The GPU subset-sum solver: exact answers, the same as [`CpuSolver`]'s.
//!
//! The GPU solves each problem in 64-bit fixed point (see
//! [`super::fixed_point`] for the scaling and the proof) and returns, per
//! problem, either its integer optimum (exact problems: integer-like
//! inputs, where f64 evaluation is exact too) or every subset within the
//! proven window of that optimum. The host re-evaluates those few subsets
//! with [`evaluate`](fn@crate::slt::subset_sum::evaluate) in f64 and breaks ties (error, then fewer elements,
//! then smaller mask) — the CPU solver's objective. If more than
//! [`MAX_CANDIDATES`] subsets fall in the window — seven or more candidates
//! that are exactly zero, or decimal inputs such as multiples of 0.1 whose
//! real sums tie by the hundred; never seen with the construction's random
//! products — that problem is solved on the CPU instead and counted in
//! [`GpuSolver::fallbacks`] / [`BatchStats::fallbacks`].
//!
//! [`CpuSolver`]: crate::slt::subset_sum::CpuSolver

use std::sync::atomic::{AtomicUsize, Ordering};

use super::context::GpuContext;
use super::fixed_point::{encode, PROBLEM_WORDS};
use super::readback::read_mapped;
use crate::slt::subset_sum::{better, evaluate, solve, Problem, ProblemBatch, Scratch, Solution};
use crate::{Error, Result};

/// Subsets the GPU lists per inexact problem before giving up on it.
pub const MAX_CANDIDATES: usize = 64;
/// Words per problem in the result buffer: mask, error (2 words), count,
/// candidates.
const RESULT_WORDS: usize = 4 + MAX_CANDIDATES;
/// Bytes of the sorted-half scratch (sums) the solver may allocate.
const SCRATCH_BUDGET: u64 = 64 << 20;
/// Most workgroups per dispatch.
const MAX_SLOTS: u64 = 1024;
/// Sorted-list entries per dispatch at least: each dispatch costs a few ms
/// on lavapipe, so small problems go by the thousand (progress is then
/// reported less often than every 1% on small batches).
const MIN_CHUNK_ENTRIES: usize = 1 << 18;
/// Problems per dispatch at most (input, result and read-back buffers
/// ≈ 14 MiB).
const MAX_CHUNK: usize = 16_384;
/// Largest n solved one problem per invocation (subset_sum_small.wgsl);
/// larger problems are solved by a whole workgroup (subset_sum.wgsl).
/// Below it the per-invocation kernel is the faster on lavapipe (see the
/// README). It is also its limit on lavapipe, which ends every loop of an
/// invocation once all its loops together have iterated 65,535 times (a
/// guard against endless shaders): one problem takes about 2^(n/2) ·
/// (n/2 + 2·log2 of the list) iterations — 25,000 at n = 20, 53,000 at
/// n = 22 (plus what the other lanes of its SIMD vector add: over the limit
/// for 14 of 40 problems on a 16-lane llvmpipe), 98,000 at n = 24. The
/// kernel itself is right at any n on an adapter without that limit
/// (SwiftShader: tests/web_gpu_subset_sum.rs).
pub const SMALL_N_MAX: usize = 20;
/// Invocations per workgroup of both kernels (WG in the shaders).
const WG: usize = 64;

/// The shared buffer layout and helpers, then a kernel.
fn shader_source(kernel: &str) -> String {
    [include_str!("shaders/subset_sum_common.wgsl"), kernel].join("\n")
}

/// Exact batch subset sum on a wgpu device.
pub struct GpuSolver {
    ctx: GpuContext,
    /// A workgroup per problem (large n).
    pipeline: wgpu::ComputePipeline,
    /// An invocation per problem (n ≤ [`SMALL_N_MAX`]).
    small: wgpu::ComputePipeline,
    fallbacks: AtomicUsize,
}

/// What one batch cost, beyond the answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Problems solved on the CPU because their candidate window overflowed.
    pub fallbacks: usize,
    /// Problems the GPU solved outright (exact fixed point).
    pub exact: usize,
    /// Compute dispatches.
    pub dispatches: usize,
}

impl GpuSolver {
    /// Compiles the solver's pipeline on `ctx`'s device.
    pub async fn with_context(ctx: GpuContext) -> Result<Self> {
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipeline = |label: &str, kernel: &str| {
            let module = ctx
                .device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(label),
                    source: wgpu::ShaderSource::Wgsl(shader_source(kernel).into()),
                });
            ctx.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(label),
                    layout: None,
                    module: &module,
                    entry_point: Some("main"),
                    compilation_options: Default::default(),
                    cache: None,
                })
        };
        let large = pipeline("subset_sum.wgsl", include_str!("shaders/subset_sum.wgsl"));
        let small = pipeline(
            "subset_sum_small.wgsl",
            include_str!("shaders/subset_sum_small.wgsl"),
        );
        if let Some(e) = scope.pop().await {
            return Err(Error::Gpu(format!("subset-sum shader: {e}")));
        }
        ctx.check()?;
        Ok(Self {
            ctx,
            pipeline: large,
            small,
            fallbacks: AtomicUsize::new(0),
        })
    }

    /// Opens the default adapter and compiles the pipeline (async: the web).
    pub async fn request() -> Result<Self> {
        Self::with_context(GpuContext::request().await?).await
    }

    /// Blocking [`GpuSolver::request`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new() -> Result<Self> {
        pollster::block_on(Self::request())
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Problems solved on the CPU (window overflow) since creation.
    pub fn fallbacks(&self) -> usize {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Solves every problem of `batch`, in order; the async path the web
    /// needs (natively it blocks inside on `device.poll`). `progress` and
    /// `cancel` as in [`crate::slt::subset_sum::BatchSolver`].
    pub async fn solve_batch_async(
        &self,
        batch: &ProblemBatch,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<(Vec<Solution>, BatchStats)> {
        let per_invocation = batch.n() <= SMALL_N_MAX;
        self.solve_with(batch, per_invocation, progress, cancel)
            .await
    }

    /// [`GpuSolver::solve_batch_async`] with the kernel chosen: one problem
    /// per invocation, or per workgroup; tests compare the two. Beyond
    /// [`SMALL_N_MAX`] the per-invocation kernel outruns lavapipe's loop
    /// limit (wrong answers there); tests run it on other adapters.
    pub async fn solve_with(
        &self,
        batch: &ProblemBatch,
        per_invocation: bool,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<(Vec<Solution>, BatchStats)> {
        let count = batch.len();
        let mut out = Vec::with_capacity(count);
        let mut stats = BatchStats::default();
        if count == 0 {
            return Ok((out, stats));
        }
        let n = batch.n();
        let half_len = 1u64 << (n - n / 2);
        let (chunk, slots) = dispatch_shape(n, count, per_invocation);
        let pipeline = if per_invocation {
            &self.small
        } else {
            &self.pipeline
        };
        let buffers = Buffers::new(&self.ctx.device, chunk, slots, half_len);
        let bind_group = self
            .ctx
            .device
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("subset_sum"),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &[
                    entry(0, &buffers.problems),
                    entry(1, &buffers.scratch_sum),
                    entry(2, &buffers.scratch_mask),
                    entry(3, &buffers.results),
                    entry(4, &buffers.params),
                ],
            });
        let mut words = vec![0u32; chunk * PROBLEM_WORDS];
        let mut scratch = Scratch::new();
        let mut start = 0;
        while start < count {
            if cancel() {
                return Err(Error::Cancelled);
            }
            let len = chunk.min(count - start);
            let mut exact = Vec::with_capacity(len);
            for k in 0..len {
                let p = batch.problem(start + k);
                let fixed = encode(p.candidates, p.target);
                exact.push(fixed.exact);
                fixed.write_words(&mut words[k * PROBLEM_WORDS..(k + 1) * PROBLEM_WORDS]);
            }
            let q = &self.ctx.queue;
            q.write_buffer(
                &buffers.problems,
                0,
                bytemuck::cast_slice(&words[..len * PROBLEM_WORDS]),
            );
            let params = [n as u32, len as u32, half_len as u32, 0];
            q.write_buffer(&buffers.params, 0, bytemuck::cast_slice(&params));
            let mut enc = self
                .ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("subset_sum"),
                });
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("subset_sum"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &bind_group, &[]);
                let groups = if per_invocation {
                    len.div_ceil(WG)
                } else {
                    slots.min(len)
                };
                pass.dispatch_workgroups(groups as u32, 1, 1);
            }
            let bytes = (len * RESULT_WORDS * 4) as u64;
            enc.copy_buffer_to_buffer(&buffers.results, 0, &buffers.readback, 0, bytes);
            q.submit([enc.finish()]);
            let results = self.read_back(&buffers.readback, bytes).await?;
            stats.dispatches += 1;
            for k in 0..len {
                let r = &results[k * RESULT_WORDS..(k + 1) * RESULT_WORDS];
                let p = batch.problem(start + k);
                let sol = if exact[k] {
                    stats.exact += 1;
                    solution(p, r[0])
                } else {
                    match pick(p, r) {
                        Some(s) => s,
                        None => {
                            stats.fallbacks += 1;
                            solve(&p, &mut scratch)?
                        }
                    }
                };
                out.push(sol);
            }
            start += len;
            progress(start);
        }
        self.fallbacks.fetch_add(stats.fallbacks, Ordering::Relaxed);
        Ok((out, stats))
    }

    /// Maps `buf` and copies out its first `bytes` bytes as words.
    async fn read_back(&self, buf: &wgpu::Buffer, bytes: u64) -> Result<Vec<u32>> {
        read_mapped(&self.ctx, buf, bytes, |view| {
            bytemuck::cast_slice::<u8, u32>(view).to_vec()
        })
        .await
    }
}

/// Problems per dispatch and scratch slots (sorted-list pairs) for `count`
/// problems of size `n`: a slot per problem of the dispatch, so each
/// invocation (per-invocation kernel) or workgroup (per-workgroup kernel)
/// solves one problem per dispatch. More would add up its loop iterations,
/// and lavapipe ends an invocation's loops after 65,535 in all: at n = 32
/// one problem takes a workgroup invocation about 37,000, at n = 28 about
/// 8,400 (eight problems in a row broke the eighth).
fn dispatch_shape(n: usize, count: usize, per_invocation: bool) -> (usize, usize) {
    let half_len = 1u64 << (n - n / 2);
    // Two sorted lists (ping-pong) of 8-byte sums per slot.
    let mut max_slots = (SCRATCH_BUDGET / (2 * half_len * 8)).max(1);
    if !per_invocation {
        max_slots = max_slots.min(MAX_SLOTS);
    }
    let min_chunk = (MIN_CHUNK_ENTRIES / half_len as usize).clamp(16, 1024);
    let chunk = count
        .div_ceil(100)
        .clamp(min_chunk, MAX_CHUNK)
        .min(count)
        .min(max_slots as usize);
    (chunk, chunk)
}

/// The answer `mask`, evaluated canonically.
fn solution(p: Problem<'_>, mask: u32) -> Solution {
    let (sum, error) = evaluate(p.candidates, p.target, mask);
    Solution {
        subset: mask,
        sum,
        error,
    }
}

/// The best of the GPU's window candidates in the exact f64 objective, or
/// None if the window overflowed.
fn pick(p: Problem<'_>, r: &[u32]) -> Option<Solution> {
    let found = r[3] as usize;
    if found == 0 || found > MAX_CANDIDATES {
        return None;
    }
    r[4..4 + found]
        .iter()
        .map(|&m| solution(p, m))
        .reduce(|best, s| {
            if better(s.error, s.subset, best.error, best.subset) {
                s
            } else {
                best
            }
        })
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

/// The solver's buffers for one batch.
struct Buffers {
    problems: wgpu::Buffer,
    scratch_sum: wgpu::Buffer,
    scratch_mask: wgpu::Buffer,
    results: wgpu::Buffer,
    readback: wgpu::Buffer,
    params: wgpu::Buffer,
}

impl Buffers {
    fn new(device: &wgpu::Device, chunk: usize, slots: usize, half_len: u64) -> Self {
        use wgpu::BufferUsages as U;
        let make = |label: &str, size: u64, usage: U| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let per_slot = 2 * half_len;
        let results = (chunk * RESULT_WORDS * 4) as u64;
        Self {
            problems: make(
                "problems",
                (chunk * PROBLEM_WORDS * 4) as u64,
                U::STORAGE | U::COPY_DST,
            ),
            scratch_sum: make("scratch_sum", slots as u64 * per_slot * 8, U::STORAGE),
            scratch_mask: make("scratch_mask", slots as u64 * per_slot * 4, U::STORAGE),
            results: make("results", results, U::STORAGE | U::COPY_SRC),
            readback: make("readback", results, U::MAP_READ | U::COPY_DST),
            params: make("params", 16, U::UNIFORM | U::COPY_DST),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl crate::slt::subset_sum::BatchSolver for GpuSolver {
    fn solve_batch(
        &self,
        batch: &ProblemBatch,
        progress: &dyn Fn(usize),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Vec<Solution>> {
        pollster::block_on(self.solve_batch_async(batch, progress, cancel)).map(|(s, _)| s)
    }

    fn name(&self) -> &str {
        "gpu"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_per_slot_and_dispatch() {
        for n in 0..=32 {
            for count in [1, 17, 1000, 30_000, 1_000_000] {
                for per_invocation in [false, true] {
                    let (chunk, slots) = dispatch_shape(n, count, per_invocation);
                    assert!(
                        chunk >= 1 && chunk <= count,
                        "n = {n}, count = {count}: chunk {chunk}"
                    );
                    assert_eq!(chunk, slots, "n = {n}, count = {count}: a slot per problem");
                    let half_len = 1u64 << (n - n / 2);
                    assert!(
                        slots as u64 * 2 * half_len * 8 <= SCRATCH_BUDGET.max(2 * half_len * 8),
                        "n = {n}: scratch over budget"
                    );
                    if !per_invocation {
                        assert!(slots as u64 <= MAX_SLOTS, "n = {n}: {slots} workgroups");
                    }
                }
            }
        }
    }

    #[test]
    fn shader_constants_match() {
        let src = include_str!("shaders/subset_sum_common.wgsl");
        for line in [
            format!("const WG: u32 = {WG}u;"),
            format!("const PROBLEM_STRIDE: u32 = {PROBLEM_WORDS}u;"),
            format!("const RESULT_STRIDE: u32 = {RESULT_WORDS}u;"),
            format!("const MAX_CANDIDATES: u32 = {MAX_CANDIDATES}u;"),
        ] {
            assert!(src.contains(&line), "shader lacks `{line}`");
        }
    }
}
