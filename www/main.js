// The page: settings (URL ⇄ controls), the worker pool, the run's life
// cycle (idle → running → done | cancelled | error) and the panels. The
// main thread only routes messages and draws; solving, verification and
// every network evaluation happen in workers (pool.js).

import { CoreClient } from './core-client.js';
import { fetchDigits } from './digit-data.js';
import { startDigitView } from './digit-view.js';
import {
  AccuracyPanel,
  CoefficientPanel,
  ErrorPanel,
  FiltersPanel,
  ParamsPanel,
  PredictionGrid,
  ProgressPanel,
  RotationPanel,
  SweepPanel,
  el,
  fmt,
} from './panels.js';
import { GraphPanel } from './graph-panel.js';
import { Pool } from './pool.js';
import { GRAPH_TASKS, parseProperty, parseQuery, TASKS, toQuery } from './state.js';

const DATA_URL = 'data/mnist-t10k-2000.digits.gz';
const GRID = 48;
const SWEEP = { from: 4, to: 20 };
// The smallest module using a SIMD instruction (i8x16.splat, v128.drop).
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11);
const PROBE = { n: 20, count: 1024, digits: 16, timeoutMs: 10000 };

const $ = (id) => document.getElementById(id);
const CONTROLS = { task: 'task', eps: 'eps', n: 'n', seed: 'seed', digits: 'digits', backend: 'backend-select' };

const app = {
  state: null,
  generation: 0,
  pool: null,
  poolReady: null,
  ready: false,
  fatal: false,
  workers: 1,
  backend: { use: 'cpu', describe: '', decided: false, reason: '' },
  digits: null, // {bytes, count, rows, cols, labels, testAngles}
  models: new Map(), // task → {url, text, meta, sha256, kind: 'image' | 'graph'}
  core: null, // the CoreClient (structure of graphs before a run)
  graphSeed: null, // the graph card's permutation seed (null: original labels)
  runState: 'idle',
  run: null, // the run in progress
  last: null, // the last finished run {task, seed, report, pool}
  sweep: null,
};

let panels = null;

// ---------------------------------------------------------------- status --

function setStatus(state, text) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

function showFatal(error) {
  console.error(error);
  app.fatal = true;
  const message = error?.message ?? String(error);
  $('error-message').textContent = message;
  $('error').hidden = false;
  setStatus('error', 'error');
  showRunError(message);
  setRunState('error');
}

function showRunError(text) {
  const e = $('run-error');
  e.textContent = text;
  e.hidden = !text;
}

function notice(text) {
  const n = $('backend-notice');
  n.textContent = text;
  n.hidden = !text;
}

function setRunState(state) {
  app.runState = state;
  $('run').dataset.state = state;
  if (state !== 'running') delete $('run').dataset.progress;
  updateButtons();
}

function updateButtons() {
  const running = app.runState === 'running';
  const sweeping = !!app.sweep;
  const usable = app.ready && !app.fatal;
  $('run-button').disabled = !usable || running || sweeping;
  $('cancel-button').disabled = !running;
  $('export-ticket').disabled = !(app.runState === 'done' && app.last && app.last.pool === app.pool);
  $('load-ticket').disabled = !usable || running || sweeping;
  $('sweep-button').disabled = !usable || running;
  $('sweep-button').textContent = sweeping ? 'Stop sweep' : 'Sweep n';
  $('new-seed').disabled = running;
  for (const id of Object.values(CONTROLS)) $(id).disabled = running || sweeping;
}

// ----------------------------------------------------------------- state --

function writeControls(s) {
  $('task').value = s.task;
  $('eps').value = String(s.eps);
  $('n').value = s.n === null ? '' : String(s.n);
  $('seed').value = String(s.seed);
  $('digits').value = String(s.digits);
  $('backend-select').value = s.backend;
}

function writeUrl() {
  history.replaceState(null, '', toQuery(app.state, location.search));
}

// Reads every control into the state; null (and messages shown) if any is bad.
function readControls() {
  const errors = [];
  const next = { ...app.state };
  for (const [name, id] of Object.entries(CONTROLS)) {
    const input = $(id);
    const r = parseProperty(name, input.value);
    input.toggleAttribute('aria-invalid', 'error' in r);
    if ('error' in r) errors.push(`${name}: ${r.error}`);
    else next[name] = r.value;
  }
  const box = $('control-errors');
  box.textContent = errors.join(' · ');
  box.hidden = !errors.length;
  if (errors.length) return null;
  app.state = next;
  writeUrl();
  return next;
}

function wireControls() {
  for (const [name, id] of Object.entries(CONTROLS)) {
    const input = $(id);
    const apply = (showErrors) => {
      const r = parseProperty(name, input.value);
      if ('error' in r) {
        if (showErrors) {
          input.setAttribute('aria-invalid', 'true');
          $('control-errors').textContent = `${name}: ${r.error}`;
          $('control-errors').hidden = false;
        }
        return;
      }
      input.removeAttribute('aria-invalid');
      if (!document.querySelector('#controls [aria-invalid]')) $('control-errors').hidden = true;
      const changed = app.state[name] !== r.value;
      app.state[name] = r.value;
      writeUrl();
      if (!changed) return;
      if (name === 'task') previewModel();
      if (name === 'eps') panels.params.reset(app.models.get(app.state.task)?.meta ?? null, r.value);
      if (name === 'backend') chooseBackend().catch((e) => notice(`Backend: ${e.message}`));
    };
    input.addEventListener('input', () => apply(false));
    input.addEventListener('change', () => apply(true));
  }
  $('new-seed').addEventListener('click', () => {
    app.state.seed = Math.floor(Math.random() * 2 ** 31);
    $('seed').value = String(app.state.seed);
    writeUrl();
  });
}

// --------------------------------------------------------------- loading --

async function loadModel(task) {
  const cached = app.models.get(task);
  if (cached) return cached;
  const url = `models/${task}.json`;
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch the model (${url}): ${e.message}`);
  }
  if (!res.ok) throw new Error(`could not load the model (${url}): HTTP ${res.status} ${res.statusText}`.trim());
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the model file ${url} is not valid JSON: ${e.message}`);
  }
  const kind = { 'eslt-model': 'image', 'eslt-graph-model': 'graph' }[json?.format];
  if (!kind || !Array.isArray(json.architecture)) {
    throw new Error(`the model file ${url} is not an eslt model (format: ${String(json?.format)})`);
  }
  if ((kind === 'graph') !== GRAPH_TASKS.includes(task)) {
    throw new Error(`the model file ${url} is a ${kind} model, but ${task} is ${GRAPH_TASKS.includes(task) ? 'a graph' : 'an image'} task`);
  }
  const { coefficients, ...meta } = json;
  let sha256 = null;
  try {
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    sha256 = null; // no crypto.subtle outside a secure context: export says so
  }
  const model = { url, text, meta, sha256, kind };
  app.models.set(task, model);
  return model;
}

// Shows what the selected task is before any run.
async function previewModel() {
  const task = app.state.task;
  panels.progress.reset(null, 'Loading the model…');
  try {
    const m = await loadModel(task);
    if (app.state.task !== task || app.runState === 'running') return;
    resetPanels(m);
    panels.progress.setText(describeModel(task, m));
    if (app.runState === 'error' && !app.fatal) {
      showRunError('');
      setRunState('idle');
    }
  } catch (e) {
    if (app.state.task !== task) return;
    panels.progress.reset(null, 'The model could not be loaded.');
    showRunError(e.message);
    setRunState('error');
  }
}

// What a verified row of the model's task is, and how many the run has.
function rowsOf(model) {
  const m = model.meta;
  if (model.kind !== 'graph') return { unit: 'rotated test digits', total: app.state.digits };
  if (m.readout === 'node') return { unit: 'labelled test nodes', total: m.test_examples };
  const graphs = Math.min(app.state.digits, m.test_graphs);
  return { unit: m.task === 'sets-deepsets' ? 'test sets' : 'test graphs', total: graphs };
}

// The test graph shown first: graph 3 where there are several (the graph
// families start cycle, star, wheel, lollipop — the lollipop is the first
// whose nodes differ from one another).
const firstGraph = (meta) => Math.max(0, Math.min(3, Math.min(app.state.digits, meta.test_graphs ?? 1) - 1));

function describeModel(task, model) {
  const m = model.meta;
  if (model.kind !== 'graph') {
    return `${task}: ${m.group} target, ${fmt.int(m.num_coefficients)} coefficients, ${fmt.pct(m.test_accuracy)} on 10,000 rotated test digits. Press Run.`;
  }
  const { unit } = rowsOf(model);
  return `${task}: S_n-equivariant ${m.readout === 'node' ? 'node classifier' : 'invariant classifier'}, ${fmt.int(m.num_coefficients)} coefficients, ${fmt.pct(m.test_accuracy)} on ${fmt.int(m.test_examples)} ${unit}. Press Run.`;
}

function resetPanels(model) {
  const meta = model.meta;
  const eps = app.state.eps;
  document.body.dataset.kind = model.kind;
  $('digits-label').textContent = model.kind === 'graph' ? 'Test graphs' : 'Test digits';
  panels.progress.reset(meta);
  panels.errors.reset(eps);
  panels.coef.reset();
  panels.coef.eps = eps;
  const rows = rowsOf(model);
  panels.accuracy.reset(rows.total, rows.unit);
  panels.params.reset(meta, eps);
  panels.filters.reset(model.kind === 'image' ? meta : null);
  panels.rotation.reset(model.kind === 'image' ? meta : null);
  panels.grid.clearPredictions();
  if (model.kind === 'graph') {
    app.graphSeed = null;
    showGraphStructure(meta.task, firstGraph(meta));
  }
}

// ------------------------------------------------------------------ pool --

function workerCount() {
  if (app.state.workers) return app.state.workers;
  const hc = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(4, hc));
}

function spawnPool() {
  app.pool?.terminate();
  app.workers = workerCount();
  const pool = new Pool({
    workers: app.workers,
    digitBytes: app.digits.bytes,
    onMessage: (msg) => pool === app.pool && onCoordinator(msg),
    onFailure: (e) => pool === app.pool && onPoolFailure(pool, e),
    onNotice: (text) => {
      if (pool !== app.pool) return;
      notice(text);
      if (/CPU/.test(text)) {
        app.backend.use = 'cpu';
        showBackend('cpu', 'WebGPU failed');
      }
    },
  });
  app.pool = pool;
  $('worker-count').textContent = `${app.workers} solver${app.workers === 1 ? '' : 's'} + 1 coordinator`;
  app.poolReady = pool.ready.then(async () => {
    pool.everReady = true;
    startFailures = 0;
    if (app.backend.decided) await setupBackend(pool, app.backend.use);
  });
  app.poolReady.catch(() => {});
  updateButtons();
  return pool;
}

let startFailures = 0;

function onPoolFailure(pool, error) {
  console.error(error);
  if (!pool.everReady) {
    // The workers did not start. Try again twice; then (wasm missing?) give up.
    startFailures += 1;
    if (startFailures > 2) {
      showFatal(error);
      return;
    }
  }
  const wasRunning = app.runState === 'running' || app.sweep;
  showRunError(`${error.message}. The workers were restarted; you can run again.`);
  if (app.sweep) endSweep('failed');
  if (wasRunning || app.runState !== 'done') setRunState('error');
  if (wasRunning) {
    panels.progress.setText('The run stopped: a worker failed.');
    $('result-text').textContent = 'No result: a worker failed during the run.';
  }
  app.run = null;
  app.generation += 1;
  spawnPool();
}

function showBackend(use, describe) {
  const b = $('backend-in-use');
  b.dataset.backend = use;
  b.textContent = use === 'webgpu' ? `WebGPU${describe ? ` (${describe})` : ''}` : `CPU, wasm SIMD${describe ? ` (${describe})` : ''}`;
}

// Makes every solver use `use`; falls back to the CPU (with a notice) if
// WebGPU cannot start in a worker.
async function setupBackend(pool, use) {
  const replies = await pool.setup(use);
  const failed = replies.find((r) => r.error);
  if (use === 'webgpu' && failed) {
    await pool.setup('cpu');
    app.backend.use = 'cpu';
    notice(`WebGPU could not start in the workers (${failed.error}); using the CPU.`);
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
async function chooseBackend() {
  const want = app.state.backend;
  const pool = app.pool;
  await pool.ready;
  const hasGpu = 'gpu' in navigator;
  let use = 'cpu';
  let message = '';
  if (want === 'cpu') {
    use = 'cpu';
  } else if (!hasGpu) {
    message = `${want === 'auto' ? 'auto: ' : ''}this browser has no WebGPU (navigator.gpu is missing), so the CPU solves.`;
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
        message = `auto: CPU — WebGPU could not start (${p.error}).`;
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
      message = `auto: CPU — ${e.message}.`;
    }
  }
  if (app.pool !== pool) return;
  notice(message);
  const got = await setupBackend(pool, use);
  app.backend.decided = true;
  return got;
}

// ------------------------------------------------------------------- run --

function clearResult() {
  const r = $('result');
  for (const k of Object.keys(r.dataset)) delete r.dataset[k];
  for (const id of ['t-solve', 't-verify', 't-total', 't-first']) $(id).textContent = '—';
  $('t-memory').textContent = `— / ${app.state.memory} MiB`;
  $('result-text').textContent = 'Running…';
}

function runConfig(s, ticket) {
  return {
    eps: s.eps,
    n: s.n,
    seed: s.seed,
    headroom: ticket?.headroom ?? 0.5,
    grow: ticket?.grow ?? true,
    testDigits: s.digits,
    batchProblems: app.backend.use === 'webgpu' ? 4096 : 1024,
    verifySlice: 100,
    literalSample: 2,
    backend: app.backend.use,
    memoryBudgetMib: s.memory,
  };
}

async function startRun({ ticket = null } = {}) {
  if (app.runState === 'running' || app.sweep || !app.ready || app.fatal) return;
  const s = readControls();
  if (!s) return;
  const generation = ++app.generation;
  const run = { generation, s, ticket, clickAt: performance.now(), firstAt: null, stage: 'loading' };
  app.run = run;
  app.last = null;
  showRunError('');
  setRunState('running');
  $('run').dataset.progress = '0';
  clearResult();
  const check = $('ticket-check');
  check.hidden = !ticket;
  check.textContent = ticket ? `Re-running the ticket from ${ticket.name}…` : '';
  panels.progress.reset(null, 'Loading the model…');
  try {
    const model = await loadModel(s.task);
    if (app.run !== run) return;
    resetPanels(model);
    panels.progress.onFirstResult = (t) => {
      if (app.run === run && run.firstAt === null) run.firstAt = t;
    };
    panels.progress.setText('Starting the workers…');
    await app.poolReady;
    if (app.run !== run) return;
    run.stage = 'solving';
    panels.progress.setText('Solving subset-sum problems…');
    app.pool.start({ type: 'run', generation, key: s.task, kind: model.kind, json: model.text, config: runConfig(s, ticket) });
  } catch (e) {
    if (app.run === run) runFailed(e);
  }
}

function runFailed(e) {
  console.error(e);
  const run = app.run;
  // The core may have refused the model file: fetch it afresh next time.
  if (run) app.models.delete(run.s.task);
  const where = run ? ` (task ${run.s.task}, models/${run.s.task}.json)` : '';
  const msg = e?.message ?? String(e);
  showRunError(/models\//.test(msg) ? msg : `The run failed${where}: ${msg}`);
  if (run?.ticket) $('ticket-check').textContent = 'The ticket could not be checked: the run failed.';
  app.run = null;
  app.generation += 1;
  setRunState('error');
  panels.progress.setText('The run failed.');
  spawnPool();
}

function cancelRun() {
  if (app.runState !== 'running') return;
  app.run = null;
  app.generation += 1;
  spawnPool();
  setRunState('cancelled');
  panels.progress.setText('Cancelled. Every worker was stopped; press Run to start again.');
  $('result-text').textContent = 'Cancelled.';
  if (!$('ticket-check').hidden) $('ticket-check').textContent = 'Cancelled before the ticket could be checked.';
}

function onCoordinator(msg) {
  if (msg.generation !== app.generation) return;
  if (app.sweep && app.sweep.generation === msg.generation) return onSweepMessage(msg);
  const run = app.run;
  if (!run) return;
  if (msg.type === 'events') {
    for (const e of msg.events) onEvent(run, e);
    // progress() steps back when a layer grows; what the page shows does not.
    run.progress = Math.max(run.progress ?? 0, Math.min(1, Math.max(0, msg.progress)));
    $('run').dataset.progress = String(run.progress);
    panels.progress.setProgress(run.progress);
  } else if (msg.type === 'finished') {
    finishRun(run, msg);
  } else if (msg.type === 'error') {
    runFailed(new Error(msg.error));
  }
}

function onEvent(run, e) {
  switch (e.type) {
    case 'layer_start':
    case 'progress':
    case 'layer_grown':
      panels.progress.event(e);
      break;
    case 'layer_done': {
      panels.progress.event(e);
      panels.errors.layerDone(e);
      const layers = panels.progress.layers.length;
      if (e.report.index === layers - 1 && e.top?.length) {
        const w = e.top[0];
        panels.coef.show({ layer: e.report.index, ...w });
        panels.errors.select(e.report.index, w.p);
      }
      break;
    }
    case 'verifying':
      run.stage = 'verifying';
      panels.progress.setText(`Every layer is pruned. Verifying target and ticket on ${fmt.int(e.total)} ${panels.accuracy.unit}…`);
      break;
    case 'verify_progress':
      panels.accuracy.verifyProgress(e);
      break;
    case 'literal_checked':
      panels.accuracy.literalChecked(e.check);
      break;
    default:
      break;
  }
}

// Each worker's wasm memory after the run (its peak), in #t-memory and as
// bytes in #result's data-wasm-memory-coordinator / -solvers.
function showMemory(memory) {
  if (!memory) return;
  const solvers = memory.solverBytes ?? [];
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  const r = $('result');
  r.dataset.wasmMemoryCoordinator = String(memory.coordinatorBytes);
  r.dataset.wasmMemorySolvers = solvers.join(',');
  const most = Math.max(0, ...solvers);
  const total = memory.coordinatorBytes + solvers.reduce((a, b) => a + b, 0);
  $('t-memory').textContent = `${mib(Math.max(most, memory.coordinatorBytes))} / ${app.state.memory} MiB`;
  $('t-memory').title =
    `largest worker / budget per worker. Coordinator ${mib(memory.coordinatorBytes)} MiB, ${solvers.length} ` +
    `solver${solvers.length === 1 ? '' : 's'} up to ${mib(most)} MiB each, ${mib(total)} MiB in all: each worker's ` +
    `WebAssembly memory at its peak (wasm memory never shrinks).`;
}

function finishRun(run, msg) {
  const now = performance.now();
  const { report, targetPredictions, ticketPredictions } = msg.result;
  const seconds = (now - run.clickAt) / 1000;
  const first = ((run.firstAt ?? now) - run.clickAt) / 1000;
  const r = $('result');
  Object.assign(r.dataset, {
    task: report.task,
    eps: String(report.eps),
    seed: String(report.seed),
    n: report.n_per_layer.join(','),
    testDigits: String(report.test_digits),
    maskDigest: report.mask_digest,
    targetAccuracy: String(report.target_accuracy),
    ticketAccuracy: String(report.ticket_accuracy),
    agreement: String(report.agreement),
    backend: app.backend.use,
    seconds: String(seconds),
    firstResultSeconds: String(first),
    workers: String(app.workers),
  });
  $('t-solve').textContent = fmt.sec(msg.timing.solveSeconds);
  $('t-verify').textContent = fmt.sec(msg.timing.verifySeconds);
  $('t-total').textContent = fmt.sec(seconds);
  $('t-first').textContent = fmt.sec(first);
  showMemory(msg.memory);
  // Where the verify slices ran: webgpu, cpu, or mixed (after a fallback).
  const on = Object.keys(msg.verifiedOn ?? {});
  r.dataset.verifyBackend = on.length === 1 ? on[0] : on.length ? 'mixed' : 'none';
  $('result-text').textContent =
    `Every coefficient within ${report.within_eps ? '' : '(not!) '}ε = ${report.eps}: worst ${fmt.sci(report.max_coef_error)}, ` +
    `mean ${fmt.sci(report.mean_coef_error)}. n per layer ${report.n_per_layer.join(' / ')}. ` +
    `Mask digest ${report.mask_digest.slice(0, 16)}… (${app.backend.use === 'webgpu' ? 'WebGPU' : 'CPU'}, ${app.workers} worker${app.workers === 1 ? '' : 's'}).`;
  panels.accuracy.verifyProgress({ done: report.test_digits, total: report.test_digits, comparison: report });
  const model = app.models.get(report.task);
  const graph = model?.kind === 'graph';
  if (!graph) panels.grid.predictions(targetPredictions.subarray(0, GRID), ticketPredictions.subarray(0, GRID));
  panels.params.done(report);
  if (!graph) panels.filters.done(msg.filters, model?.meta);
  panels.progress.setProgress(
    1,
    `Done in ${fmt.sec(seconds)}: ${fmt.int(report.problems)} subset-sum problems solved, ${fmt.int(report.test_digits)} ${panels.accuracy.unit} verified.`,
  );
  $('fm-digit').max = String(app.digits.count - 1);
  app.last = { task: report.task, seed: report.seed, report, pool: app.pool, graph };
  app.run = null;
  setRunState('done');
  if (graph) {
    app.graphSeed = null;
    // One row per graph for a graph readout; one graph for the karate club.
    const graphs = model.meta.readout === 'graph' ? report.test_digits : 1;
    showGraph(Math.max(0, Math.min(graphs - 1, Number($('graph-index').value) || 0)));
  } else requestMaps();
  if (run.ticket) {
    const check = $('ticket-check');
    const ok = report.mask_digest === run.ticket.mask_digest;
    const sha = app.models.get(report.task)?.sha256;
    const model = run.ticket.model_sha256 && sha && run.ticket.model_sha256 !== sha ? ' (the file was made from a different model file)' : '';
    check.textContent = ok
      ? `The ticket matches: this run's mask digest ${report.mask_digest.slice(0, 16)}… equals the one in ${run.ticket.name}.`
      : `The ticket does not match: this run's mask digest ${report.mask_digest.slice(0, 16)}… differs from ${String(run.ticket.mask_digest).slice(0, 16)}… in ${run.ticket.name}${model}.`;
    check.dataset.match = String(ok);
  }
}

// ---------------------------------------------------- rotation / queries --

let mapsBusy = false;
let mapsWanted = false;

function requestMaps() {
  mapsWanted = true;
  if (!mapsBusy) pumpMaps();
}

async function pumpMaps() {
  mapsBusy = true;
  while (mapsWanted) {
    mapsWanted = false;
    const last = app.last;
    if (!last || last.pool !== app.pool || last.graph) break;
    const index = panels.rotation.digit();
    const angle = panels.rotation.angle();
    try {
      const d = await app.pool.query('featureMaps', { index, angle: (angle * Math.PI) / 180 });
      if (app.last === last) panels.rotation.show(d);
    } catch (e) {
      $('fm-note').textContent = `Feature maps unavailable: ${e.message}`;
    }
  }
  mapsBusy = false;
}

// ------------------------------------------------------------- graphs --

// Whether the last finished run is a graph run this pool can answer for.
function graphRunDone() {
  return !!(app.last && app.last.graph && app.last.pool === app.pool && app.last.task === app.state.task);
}

let graphAsk = 0; // only the newest answer is drawn

async function showGraphStructure(task, index) {
  const ask = ++graphAsk;
  try {
    const d = await app.core.request('graphExample', { task, index, seed: app.graphSeed });
    if (ask === graphAsk && app.state.task === task && !graphRunDone()) panels.graph.show(d, app.graphSeed);
  } catch (e) {
    if (ask === graphAsk) panels.graph.clear(`The graph could not be drawn: ${e.message}`);
  }
}

// Test graph `index` with the finished run's outputs (or its structure alone).
async function showGraph(index) {
  if (!graphRunDone()) {
    showGraphStructure(app.state.task, index);
    return;
  }
  const ask = ++graphAsk;
  const seed = app.graphSeed;
  try {
    const d = await app.pool.query('graph', { index, seed });
    if (ask !== graphAsk) return;
    panels.graph.show(d, seed);
    if (seed !== null) {
      const c = await app.pool.query('permutationCheck', { seed });
      if (ask === graphAsk) panels.graph.checked(c, seed);
    }
  } catch (e) {
    if (ask === graphAsk) $('graph-check').textContent = `The graph could not be evaluated: ${e.message}`;
  }
}

function graphIndex(i) {
  const count = panels.graph.data?.count ?? 1;
  const index = Math.max(0, Math.min(count - 1, Number.isFinite(i) ? Math.trunc(i) : 0));
  // A new graph starts from its original labels, so the comparison is fair.
  app.graphSeed = null;
  $('graph-check').textContent = '';
  showGraph(index);
}

function permuteNodes() {
  app.graphSeed = crypto.getRandomValues(new Uint32Array(1))[0];
  showGraph(Number($('graph-index').value) || 0);
}

function unpermuteNodes() {
  app.graphSeed = null;
  $('graph-check').textContent = '';
  showGraph(Number($('graph-index').value) || 0);
}

function openProblem(t) {
  panels.errors.select(t.layer, t.p);
  // The worst problems came with their layer's event: no round trip needed.
  panels.coef.show({ ...t }, { user: true });
  $('coefficient-panel').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

async function exportTicket() {
  const last = app.last;
  if (!last || last.pool !== app.pool) return;
  const model = app.models.get(last.task);
  try {
    if (!model?.sha256) throw new Error('the model’s SHA-256 needs crypto.subtle, which this page only has over https or on localhost');
    const json = await app.pool.query('ticketJson', { modelName: `${last.task}.json`, sha256: model.sha256 });
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = el('a', { href: url, download: `${last.task}-seed${last.seed}.ticket.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  } catch (e) {
    showRunError(`Export failed: ${e.message}`);
  }
}

// Reads an exported ticket, sets the controls from it and re-runs it.
async function loadTicket(file) {
  const check = $('ticket-check');
  check.hidden = false;
  delete check.dataset.match;
  const fail = (why) => {
    check.textContent = `Could not use ${file.name}: ${why}`;
  };
  let t;
  try {
    if (file.size > 64 << 20) return fail('the file is larger than 64 MB');
    t = JSON.parse(await file.text());
  } catch (e) {
    return fail(`not valid JSON (${e.message})`);
  }
  if (!t || typeof t !== 'object' || t.format !== 'eslt-ticket') return fail('not an eslt ticket file (format ≠ "eslt-ticket")');
  const s = { ...app.state };
  const take = (name, value) => {
    const r = parseProperty(name, value === null || value === undefined ? '' : String(value));
    if ('error' in r) throw new Error(`${name}: ${r.error}`);
    s[name] = r.value;
  };
  try {
    if (!TASKS.includes(t.task)) throw new Error(`task: ${String(t.task)} is not one of ${TASKS.join(', ')}`);
    s.task = t.task;
    take('eps', t.eps);
    take('seed', t.seed);
    take('n', t.n);
    take('digits', t.report?.test_digits ?? s.digits);
    if (typeof t.mask_digest !== 'string') throw new Error('it has no mask_digest');
  } catch (e) {
    return fail(e.message);
  }
  app.state = s;
  writeControls(s);
  writeUrl();
  await startRun({
    ticket: {
      name: file.name,
      mask_digest: t.mask_digest,
      model_sha256: t.model_sha256,
      headroom: typeof t.headroom === 'number' ? t.headroom : 0.5,
      grow: typeof t.grow === 'boolean' ? t.grow : true,
    },
  });
}

// ----------------------------------------------------------------- sweep --

async function toggleSweep() {
  if (app.sweep) {
    app.pool.start({ type: 'stop', generation: app.sweep.generation });
    $('sweep-status').textContent = 'Stopping…';
    return;
  }
  if (app.runState === 'running' || !app.ready) return;
  const s = readControls();
  if (!s) return;
  try {
    const model = await loadModel(s.task);
    await app.poolReady;
    const generation = ++app.generation;
    app.sweep = { generation, startedAt: performance.now(), task: s.task };
    $('sweep-card').dataset.state = 'running';
    panels.sweep.reset(s.eps);
    $('sweep-status').textContent = `${s.task}, seed ${s.seed}: n = ${SWEEP.from}…`;
    updateButtons();
    app.pool.start({
      type: 'sweep',
      generation,
      key: s.task,
      kind: model.kind,
      json: model.text,
      config: { eps: s.eps, seed: s.seed, testDigits: 0, grow: false, literalSample: 0, batchProblems: runConfig(s).batchProblems, backend: app.backend.use },
      from: SWEEP.from,
      to: SWEEP.to,
    });
  } catch (e) {
    $('sweep-status').textContent = `Sweep failed: ${e.message}`;
    endSweep('error');
  }
}

function onSweepMessage(msg) {
  if (msg.type === 'sweep-point') {
    const p = msg.point;
    panels.sweep.add(p);
    $('sweep-status').textContent = `n = ${p.n}: max ${fmt.sci(p.max_coef_error)}, mean ${fmt.sci(p.mean_coef_error)} (${fmt.sec(p.seconds)})`;
  } else if (msg.type === 'sweep-done') {
    const secs = (performance.now() - app.sweep.startedAt) / 1000;
    $('sweep-status').textContent = msg.stopped ? `Stopped after ${panels.sweep.points.length} values of n.` : `${panels.sweep.points.length} runs in ${fmt.sec(secs)}.`;
    endSweep(msg.stopped ? 'stopped' : 'done');
  } else if (msg.type === 'error') {
    $('sweep-status').textContent = `Sweep failed: ${msg.error}`;
    endSweep('error');
    app.generation += 1;
    spawnPool();
  }
}

function endSweep(state) {
  app.sweep = null;
  $('sweep-card').dataset.state = state;
  updateButtons();
}

// ----------------------------------------------------------------- start --

async function describeWebGpu() {
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

function placeholderGrid() {
  const cells = Array.from({ length: GRID }, () => el('div', { class: 'cell-placeholder' }, [el('div', { class: 'tile-placeholder' })]));
  $('prediction-grid').replaceChildren(...cells);
}

function showUrlErrors(errors) {
  const list = $('url-errors');
  list.replaceChildren(...errors.map((e) => el('li', { text: e })));
  list.hidden = !errors.length;
}

// Resolves once a pool is up: the first, or a respawned one if it failed.
async function poolStarted(pool) {
  for (;;) {
    try {
      await pool.ready;
      return;
    } catch (e) {
      if (app.fatal || app.pool === pool) throw e;
      pool = app.pool;
    }
  }
}

async function main() {
  const { state, errors, autorun, embed } = parseQuery(location.search);
  app.state = state;
  if (embed) {
    document.body.dataset.embed = '1';
    for (const id of ['site-header', 'intro', 'digit-browser', 'site-footer']) $(id)?.remove();
  }
  showUrlErrors(errors);
  writeControls(state);
  $('t-memory').textContent = `— / ${state.memory} MiB`;
  placeholderGrid();
  panels = {
    progress: new ProgressPanel(),
    errors: new ErrorPanel({ onPick: openProblem }),
    coef: new CoefficientPanel(),
    sweep: new SweepPanel(),
    accuracy: new AccuracyPanel(),
    grid: new PredictionGrid($('prediction-grid')),
    params: new ParamsPanel(),
    filters: new FiltersPanel(),
    rotation: new RotationPanel({ onChange: () => requestMaps() }),
    graph: new GraphPanel({ onIndex: graphIndex, onPermute: permuteNodes, onUnpermute: unpermuteNodes }),
  };
  panels.progress.setText('Loading the digits and the WebAssembly core…');
  wireControls();
  $('run-button').addEventListener('click', () => startRun());
  $('cancel-button').addEventListener('click', cancelRun);
  $('export-ticket').addEventListener('click', exportTicket);
  $('sweep-button').addEventListener('click', toggleSweep);
  $('load-ticket').addEventListener('change', (ev) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (file) loadTicket(file);
  });
  $('prediction-grid').addEventListener('click', (ev) => {
    const cell = ev.target.closest?.('.cell[data-index]');
    if (cell && app.last) {
      panels.rotation.setDigit(Number(cell.dataset.index));
      $('rotation-card').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  });
  updateButtons();

  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error(
      'This browser does not support WebAssembly SIMD (simd128), which the Rust core is compiled with. ' +
        'Use a current Chrome, Edge, Firefox or Safari 16.4+.',
    );
  }
  describeWebGpu();

  const core = new CoreClient({ onFatal: showFatal });
  app.core = core;
  const hello = core.request('hello').then(({ version }) => {
    if ($('version')) $('version').textContent = version;
    $('core-status').textContent = `Rust ${version}, wasm SIMD`;
  });
  const modelPreview = loadModel(app.state.task).catch((e) => e);
  const bytes = await fetchDigits(DATA_URL);
  await hello;
  let set;
  try {
    set = await core.request('load', { bytes: bytes.slice().buffer });
  } catch (e) {
    throw new Error(`the test digits (${DATA_URL}) could not be read: ${e.message}`);
  }
  app.digits = { bytes, ...set };

  const pool = spawnPool();
  const first = Array.from({ length: Math.min(GRID, set.count) }, (_, i) => i);
  const gridDrawn = core
    .request('rotate', { indices: first, angles: first.map((i) => set.testAngles[i]) })
    .then(({ pixels }) => panels.grid.layout(first.length, set.labels, pixels, set.rows, set.cols));
  const digitView = embed ? Promise.resolve() : startDigitView(core, set, showFatal);

  await poolStarted(pool);
  await chooseBackend();
  await Promise.all([gridDrawn, digitView]);
  app.ready = true;
  const m = await modelPreview;
  if (m instanceof Error) {
    showRunError(m.message);
    setRunState('error');
    panels.progress.setText('The model could not be loaded; pick another task or fix the file.');
  } else {
    resetPanels(m);
    panels.progress.setText(describeModel(app.state.task, m));
  }
  setStatus('ready', 'ready');
  updateButtons();
  if (autorun) startRun();
}

main().catch(showFatal);
