// The backend the solver workers use — the CPU (wasm SIMD) or WebGPU —
// chosen from the setting: 'cpu', 'webgpu', or 'auto', which times a batch
// of subset sums and the selected image model's forward pass on both and
// says what it picked and why. A worker whose WebGPU fails falls back to
// the CPU with a notice.

import { $, app, notice } from './app.js';
import { fmt } from './dom.js';
import { loadModel } from './task.js';

// What a visitor reads when WebGPU cannot start (the cause goes in the details).
function gpuFailure(raw) {
  return /adapter/i.test(raw)
    ? 'No WebGPU adapter in this browser: the CPU solves and verifies.'
    : 'WebGPU could not start in this browser: the CPU solves and verifies.';
}

const PROBE = { n: 20, count: 1024, digits: 16, timeoutMs: 10000 };

// Subset-sum problems per batch for the backend in use.
export const batchProblems = () => (app.backend.use === 'webgpu' ? 4096 : 1024);

export function showBackend(use, describe) {
  const b = $('backend-in-use');
  b.dataset.backend = use;
  b.textContent = use === 'webgpu' ? `WebGPU${describe ? ` (${describe})` : ''}` : `CPU, wasm SIMD${describe ? ` (${describe})` : ''}`;
}

// Makes every solver use `use`; falls back to the CPU (with a notice) if
// WebGPU cannot start in a worker.
export async function setupBackend(pool, use) {
  const replies = await pool.setup(use);
  const failed = replies.find((r) => r.error);
  if (use === 'webgpu' && failed) {
    await pool.setup('cpu');
    app.backend.use = 'cpu';
    notice(gpuFailure(failed.error), failed.error);
    showBackend('cpu');
    return 'cpu';
  }
  app.backend.use = use;
  app.backend.describe = replies[0]?.describe ?? '';
  showBackend(use, app.backend.describe);
  return use;
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms))]);
}

// Decides the backend from the selection (and a timed probe for 'auto').
export async function chooseBackend() {
  const want = app.state.backend;
  const pool = app.pool;
  await pool.ready;
  const hasGpu = 'gpu' in navigator;
  let use = 'cpu';
  let message = '';
  let raw = '';
  if (want === 'cpu') {
    use = 'cpu';
  } else if (!hasGpu) {
    message = 'This browser has no WebGPU: the CPU solves and verifies.';
  } else if (want === 'webgpu') {
    use = 'webgpu';
  } else {
    notice('auto: timing a batch of subset sums and a forward pass on the CPU and on WebGPU…');
    try {
      // The forward pass is timed on the selected image model (verification
      // is most of a run); a graph task's verification stays on the CPU.
      const model = await loadModel(app.state.task).catch(() => null);
      const image = model?.kind === 'image' ? model : null;
      const p =
        app.backend.probe ??
        (await withTimeout(pool.probe(PROBE.n, PROBE.count, image?.text ?? null, PROBE.digits), PROBE.timeoutMs, 'the WebGPU probe'));
      app.backend.probe = p;
      if (p.gpuMs === null || p.gpuMs === undefined) {
        message = gpuFailure(p.error);
        raw = p.error;
      } else {
        // Scaled to the default run: its problems in batches of PROBE.count,
        // and target + ticket on every test digit.
        const problems = 2 * (image?.meta.num_coefficients ?? 0) || PROBE.count;
        const est = (solve, fwd) => (solve * problems) / PROBE.count + (fwd ?? 0) * ((2 * app.state.digits) / PROBE.digits);
        const cpu = est(p.cpuMs, p.cpuForwardMs);
        const gpu = est(p.gpuMs, p.gpuForwardMs);
        use = gpu < cpu ? 'webgpu' : 'cpu';
        const adapter = p.describe ? ` (${p.describe}${/swiftshader|llvmpipe|lavapipe|software|cpu/i.test(p.describe) ? ', an adapter emulated on the CPU' : ''})` : '';
        const ms = (v) => `${v.toFixed(0)} ms`;
        const parts = [`${fmt.int(PROBE.count)} subset sums (n = ${PROBE.n}) ${ms(p.cpuMs)} vs ${ms(p.gpuMs)}`];
        if (p.cpuForwardMs !== null && p.gpuForwardMs !== null && image) parts.push(`${PROBE.digits} digits through ${app.state.task} ${ms(p.cpuForwardMs)} vs ${ms(p.gpuForwardMs)}`);
        message =
          `auto: ${use === 'webgpu' ? 'WebGPU' : 'CPU'} — timed on the CPU vs WebGPU${adapter}: ${parts.join('; ')}; ` +
          `estimated ${fmt.sec(cpu / 1000)} vs ${fmt.sec(gpu / 1000)} for a run; ${use === 'webgpu' ? 'WebGPU' : 'the CPU'} solves and verifies.`;
      }
    } catch (e) {
      message = gpuFailure(e.message);
      raw = e.message;
    }
  }
  if (app.pool !== pool) return;
  notice(message, raw);
  const got = await setupBackend(pool, use);
  app.backend.decided = true;
  return got;
}

// What the page's own WebGPU adapter is (#gpu-status), for the header.
export async function describeWebGpu() {
  const out = $('gpu-status');
  if (!('gpu' in navigator)) {
    out.textContent = 'not in this browser';
    out.dataset.available = 'false';
    return;
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
    out.textContent = `available${name ? ` (${name})` : ''}`;
    out.dataset.available = 'true';
  } catch (e) {
    out.textContent = `not available: ${e.message}`;
    out.dataset.available = 'false';
  }
}
