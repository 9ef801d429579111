// A solver worker of the pool: solves subset-sum batches (CPU wasm or
// WebGPU) and, for image runs, evaluates ticket and (when the coordinator
// does not have their logits yet) unpruned source and target on slices of
// the test digits (CPU wasm, or WebGPU when the worker uses it) for the
// coordinator, over a MessagePort the main thread hands over. Graph runs
// send it only 'solve' (their coordinator verifies itself).
//
// Protocol (plain objects with a `type`):
// From the main thread (pool.js):
//   {type: 'init', port, digitBytes, lock}   port: to the coordinator;
//       lock: the Web Lock held for this worker's life
//   {type: 'setup', backend: 'cpu' | 'webgpu'}
//   {type: 'probe', n, count, model, digits}  times one batch of `count`
//       random problems (n candidates) on both backends, and the forward
//       pass of image model `model` (JSON text, or null) on `digits` digits
// To the main thread:
//   {type: 'ready'} | {type: 'fatal', error}
//   {type: 'setup-done', backend, describe, error?}
//   {type: 'probe-done', cpuMs, gpuMs, cpuForwardMs, gpuForwardMs, describe, same?, error?}
//   {type: 'notice', text, raw}     e.g. WebGPU failed, back on the CPU
// From the coordinator (over the port; handled one at a time, in order):
//   {type: 'model', key, json}      the image model to verify with
//   {type: 'ticket', generation, key, blob, source?}   WebRun.ticketBlob
//       and WebRun.sourceBlob (the unpruned source), once solved
//   {type: 'solve', generation, seq, id, n, candidates, targets}
//   {type: 'verify', generation, seq, key, id, start, end, target, source}
//       test digits start..end; the target's and the source's logits too
//       unless target (source) is false
//   {type: 'target', key, start, end}   the target's logits alone, ahead of
//       a run (always on the CPU: it runs while the page is idle)
//   {type: 'source', key, id, blob, start, end}   the logits of the source
//       `blob` (WebRun.sourceBlob, numbered `id`) alone, ahead of a run (CPU)
// To the coordinator:
//   {type: 'solved', generation, seq, id, subsets, ms, memoryBytes}
//   {type: 'verified', generation, seq, id, start, end, ticket, source?,
//       target?, on, ms, memoryBytes}
//       on: 'cpu' | 'webgpu', where the logits were computed
//   {type: 'target-logits' | 'source-logits', key, id?, start, end, logits,
//       ms, memoryBytes}   id: the source's, as asked
//   {type: 'failed', generation, seq, id, error, what}   what: the request's type

import init, { Evaluator, installPanicHook, solveSubsetSum, WebGpuEvaluator, WebGpuSubsetSum } from './pkg/eslt.js';
import { describeError, holdLifeLock, memoryBytes, release, transferables } from './worker-health.js';

let port = null;
let digitBytes = null;
let gpu = null;
let backend = 'cpu';
const models = new Map(); // key → model json
let evaluator = null;
let evaluatorKey = null;
let ticketBlob = null; // the current run's ticket, for the GPU evaluator
let sourceBlob = null; // and its unpruned source (null: not asked for)
let sourceAheadId = null; // the id of the source set for a 'source' request
let gpuEval = null; // {key, ev, blob}: verification on WebGPU
// Messages from the coordinator are handled one at a time, in order (a
// verify must not overtake the ticket it needs, even when the GPU awaits).
let inbox = Promise.resolve();

const ready = init().then(() => installPanicHook());
ready.catch(() => {});

const message = describeError;

function evaluatorFor(key) {
  if (evaluatorKey !== key) {
    const json = models.get(key);
    if (json === undefined) throw new Error(`solver: model ${key} was never sent`);
    release(evaluator);
    evaluator = null;
    evaluator = new Evaluator(json, digitBytes);
    evaluatorKey = key;
    sourceAheadId = null;
  }
  return evaluator;
}

async function solve(n, candidates, targets) {
  if (backend === 'webgpu' && gpu) {
    try {
      return await gpu.solve(n, candidates, targets);
    } catch (e) {
      backend = 'cpu';
      self.postMessage({ type: 'notice', text: 'WebGPU failed in a solver: it goes on, on the CPU.', raw: message(e) });
    }
  }
  return solveSubsetSum(n, candidates, targets);
}

// The WebGPU evaluator of `key` with the current ticket, made on first use.
async function gpuEvaluatorFor(key) {
  if (gpuEval?.key !== key) {
    release(gpuEval?.ev);
    gpuEval = null;
    gpuEval = { key, ev: await WebGpuEvaluator.create(models.get(key), digitBytes), blob: null };
  }
  if (gpuEval.blob !== ticketBlob) {
    await gpuEval.ev.setTicket(ticketBlob);
    if (sourceBlob) await gpuEval.ev.setSource(sourceBlob);
    gpuEval.blob = ticketBlob;
  }
  return gpuEval.ev;
}

// Ticket, if `withSource` source (if set) and, if `withTarget`, target
// logits of digits start..end: on WebGPU when this worker uses it (falling
// back to the CPU for good, with a notice, if it fails).
async function evaluate(key, start, end, withTarget, withSource) {
  if (backend === 'webgpu') {
    try {
      const r = await (await gpuEvaluatorFor(key)).evaluate(start, end, withTarget, withSource);
      return { ...r, on: 'webgpu' };
    } catch (e) {
      backend = 'cpu';
      release(gpuEval?.ev);
      gpuEval = null;
      self.postMessage({ type: 'notice', text: 'WebGPU failed in a solver: it goes on, on the CPU.', raw: message(e) });
    }
  }
  return { ...evaluatorFor(key).evaluate(start, end, withTarget, withSource), on: 'cpu' };
}

function fromCoordinator(msg) {
  inbox = inbox.then(() => handle(msg));
}

async function handle(msg) {
  const { type, generation, id, seq } = msg;
  try {
    if (type === 'model') {
      models.clear();
      models.set(msg.key, msg.json);
      ticketBlob = null;
      // Parse the model now, while the first batches are still in flight.
      evaluatorFor(msg.key);
    } else if (type === 'ticket') {
      ticketBlob = msg.blob;
      sourceBlob = msg.source ?? null;
      sourceAheadId = null;
      const ev = evaluatorFor(msg.key);
      ev.setTicket(msg.blob);
      if (sourceBlob) ev.setSource(sourceBlob);
    } else if (type === 'target' || type === 'source') {
      const t0 = performance.now();
      const ev = evaluatorFor(msg.key);
      if (type === 'source' && sourceAheadId !== msg.id) {
        ev.setSource(msg.blob);
        sourceAheadId = msg.id;
      }
      const { key, start, end } = msg;
      const logits = type === 'source' ? ev.sourceLogits(start, end) : ev.targetLogits(start, end);
      port.postMessage(
        { type: `${type}-logits`, key, id, start, end, logits, ms: performance.now() - t0, memoryBytes: memoryBytes() },
        [logits.buffer],
      );
    } else if (type === 'solve') {
      const t0 = performance.now();
      const subsets = await solve(msg.n, msg.candidates, msg.targets);
      port.postMessage(
        { type: 'solved', generation, seq, id, subsets, ms: performance.now() - t0, memoryBytes: memoryBytes() },
        [subsets.buffer],
      );
    } else if (type === 'verify') {
      const t0 = performance.now();
      const r = await evaluate(msg.key, msg.start, msg.end, msg.target !== false, msg.source !== false);
      const { start, end } = msg;
      port.postMessage(
        { type: 'verified', generation, seq, id, start, end, ...r, ms: performance.now() - t0, memoryBytes: memoryBytes() },
        transferables(r),
      );
    }
  } catch (e) {
    const { key, start, end } = msg;
    if (type === 'source') sourceAheadId = null;
    port.postMessage({ type: 'failed', generation, seq, id, key, start, end, error: message(e), what: type });
  }
}

async function setup(which) {
  if (which === 'webgpu') {
    try {
      if (!gpu) gpu = await WebGpuSubsetSum.create();
      backend = 'webgpu';
      return { backend, describe: gpu.describe() };
    } catch (e) {
      backend = 'cpu';
      return { backend, describe: '', error: message(e) };
    }
  }
  backend = 'cpu';
  // Let go of an idle device (e.g. after the auto probe chose the CPU).
  release(gpu);
  gpu = null;
  return { backend, describe: '' };
}

// Times one batch of `count` random problems of n candidates on each
// backend (the GPU after a warm-up batch that compiles its pipeline), and,
// given an image model, the target's forward pass on `digits` test digits
// (after a warm-up on two).
async function probe(n, count, model, digits) {
  const rand = (k, scale) => Float64Array.from({ length: k }, () => (Math.random() * 2 - 1) * scale);
  const candidates = rand(n * count, 1);
  const targets = rand(count, 0.5);
  let t0 = performance.now();
  const cpu = solveSubsetSum(n, candidates, targets);
  const cpuMs = performance.now() - t0;
  let cpuForwardMs = null;
  if (model) {
    const ev = new Evaluator(model, digitBytes);
    try {
      ev.targetLogits(0, 2);
      t0 = performance.now();
      ev.targetLogits(0, digits);
      cpuForwardMs = performance.now() - t0;
    } finally {
      release(ev);
    }
  }
  try {
    if (!gpu) gpu = await WebGpuSubsetSum.create();
    await gpu.solve(n, candidates.subarray(0, n * 16), targets.subarray(0, 16));
    t0 = performance.now();
    const g = await gpu.solve(n, candidates, targets);
    const gpuMs = performance.now() - t0;
    const same = g.length === cpu.length && g.every((v, i) => v === cpu[i]);
    let gpuForwardMs = null;
    if (model) {
      const ev = await WebGpuEvaluator.create(model, digitBytes);
      try {
        await ev.targetLogits(0, 2);
        t0 = performance.now();
        await ev.targetLogits(0, digits);
        gpuForwardMs = performance.now() - t0;
      } finally {
        release(ev);
      }
    }
    return { cpuMs, gpuMs, cpuForwardMs, gpuForwardMs, describe: gpu.describe(), same };
  } catch (e) {
    return { cpuMs, gpuMs: null, cpuForwardMs, gpuForwardMs: null, describe: '', error: message(e) };
  }
}

self.addEventListener('message', async (ev) => {
  const msg = ev.data;
  try {
    await ready;
  } catch (e) {
    self.postMessage({ type: 'fatal', error: `could not load the WebAssembly core (pkg/eslt_bg.wasm): ${message(e)}` });
    return;
  }
  if (msg.type === 'init') {
    port = msg.port;
    digitBytes = new Uint8Array(msg.digitBytes);
    port.addEventListener('message', (e) => fromCoordinator(e.data));
    port.start();
    await holdLifeLock(msg.lock);
    self.postMessage({ type: 'ready' });
  } else if (msg.type === 'setup') {
    self.postMessage({ type: 'setup-done', ...(await setup(msg.backend)) });
  } else if (msg.type === 'probe') {
    self.postMessage({ type: 'probe-done', ...(await probe(msg.n, msg.count, msg.model, msg.digits)) });
  }
});
