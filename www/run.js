// A run's life cycle on the page: idle → running → done | cancelled |
// error (#run[data-state]). It starts the coordinator's 'run' job, routes
// its messages (events to the panels, the result to #result[data-*]) and
// ends the run: done, cancelled (the workers restarted) or failed.

import { $, app, setRunState, showRunError } from './app.js';
import { readControls } from './controls.js';
import { requestMaps, showFilters } from './digit-cards.js';
import { fmt, reveal } from './dom.js';
import { showGraphAfterRun } from './graph-card.js';
import { runConfig } from './run-config.js';
import { endScaling, onScalingMessage } from './scaling.js';
import { endSweep, onSweepMessage } from './sweep.js';
import { sourcePrepared, targetPrepared } from './prepare-ahead.js';
import { loadModel, resetPanels } from './task.js';
import { showTicketCheck } from './ticket.js';
import { restartWorkers } from './workers.js';

const GRID = 48; // cells of the prediction grid

function clearResult() {
  const r = $('result');
  for (const k of Object.keys(r.dataset)) delete r.dataset[k];
  for (const id of ['t-solve', 't-verify', 't-total', 't-first']) $(id).textContent = '—';
  $('t-memory').textContent = `— / ${app.state.memory} MiB`;
  $('result-text').textContent = 'Running…';
}

export async function startRun({ ticket = null } = {}) {
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
  app.panels.progress.reset(null, 'Loading the model…');
  try {
    const model = await loadModel(s.task);
    if (app.run !== run) return;
    resetPanels(model);
    app.panels.progress.onFirstResult = (t) => {
      if (app.run === run && run.firstAt === null) run.firstAt = t;
    };
    app.panels.hero.running(app.panels.accuracy.total, app.panels.accuracy.unit);
    app.panels.progress.setText('Starting the workers…');
    await app.poolReady;
    if (app.run !== run) return;
    run.stage = 'solving';
    app.panels.progress.setText('Solving subset-sum problems…');
    app.pool.start({ type: 'run', generation, key: s.task, json: model.text, config: runConfig(s, ticket) });
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
  const text = (/models\//.test(msg) ? msg : `The run failed${where}: ${msg}`).replace(/\.$/, '');
  // What happened, then what the page did (the message itself says what
  // to change, where a setting is the cause).
  const did = /models\//.test(msg) ? 'The workers were restarted; Run reads the model file afresh.' : 'The workers were restarted.';
  showRunError(`${text}. ${did}`);
  if (run?.ticket) $('ticket-check').textContent = 'The ticket could not be checked: the run failed.';
  restartWorkers();
  setRunState('error');
  app.panels.progress.setText('The run failed.');
}

export function cancelRun() {
  if (app.runState !== 'running') return;
  restartWorkers();
  setRunState('cancelled');
  app.panels.progress.setText('Cancelled. Every worker was stopped; press Run to start again.');
  $('result-text').textContent = 'Cancelled.';
  if (!$('ticket-check').hidden) $('ticket-check').textContent = 'Cancelled before the ticket could be checked.';
}

export function onCoordinator(msg) {
  if (msg.type === 'prepared') return targetPrepared(msg);
  if (msg.type === 'source-prepared') return sourcePrepared(msg);
  if (msg.generation !== app.generation) return;
  if (app.sweep && app.sweep.generation === msg.generation) return app.sweep.kind === 'scaling' ? onScalingMessage(msg) : onSweepMessage(msg);
  const run = app.run;
  if (!run) return;
  if (msg.type === 'events') {
    for (const e of msg.events) onEvent(run, e);
    // progress() steps back when a layer grows; what the page shows does not.
    run.progress = Math.max(run.progress ?? 0, Math.min(1, Math.max(0, msg.progress)));
    $('run').dataset.progress = String(run.progress);
    app.panels.progress.setProgress(run.progress);
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
      app.panels.progress.event(e);
      break;
    case 'layer_done': {
      app.panels.progress.event(e);
      app.panels.errors.layerDone(e);
      const layers = app.panels.progress.layers.length;
      if (e.report.index === layers - 1 && e.top?.length) {
        const w = e.top[0];
        app.panels.coef.show({ layer: e.report.index, ...w });
        app.panels.errors.select(e.report.index, w.p);
      }
      break;
    }
    case 'verifying':
      run.stage = 'verifying';
      app.panels.progress.setText(`Every layer is pruned. Verifying target and ticket on ${fmt.int(e.total)} ${app.panels.accuracy.unit}…`);
      break;
    case 'verify_progress':
      app.panels.accuracy.verifyProgress(e);
      break;
    case 'literal_checked':
      app.panels.accuracy.literalChecked(e.check);
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
  if (Number.isFinite(memory.estimateBytes)) r.dataset.memoryEstimate = String(memory.estimateBytes);
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
  // The unpruned random source's own accuracy (null where not measured).
  if (Number.isFinite(report.source_accuracy)) r.dataset.sourceAccuracy = String(report.source_accuracy);
  $('t-solve').textContent = fmt.sec(msg.timing.solveSeconds);
  $('t-verify').textContent = fmt.sec(msg.timing.verifySeconds);
  $('t-total').textContent = fmt.sec(seconds);
  $('t-first').textContent = fmt.sec(first);
  showMemory(msg.memory);
  // Digits whose target's (source's) logits were known before the run
  // (computed once per task, and per seed and n, while the page was idle),
  // and where the page's time went: for the speed log.
  r.dataset.targetCachedRows = String(msg.targetCachedRows ?? 0);
  r.dataset.sourceCachedRows = String(msg.sourceCachedRows ?? 0);
  if (msg.profile) r.dataset.profile = JSON.stringify(msg.profile);
  // Where the verify slices ran: webgpu, cpu, or mixed (after a fallback).
  const on = Object.keys(msg.verifiedOn ?? {});
  r.dataset.verifyBackend = on.length === 1 ? on[0] : on.length ? 'mixed' : 'none';
  $('result-text').textContent =
    `Every coefficient within ${report.within_eps ? '' : '(not!) '}ε = ${report.eps}: worst ${fmt.sci(report.max_coef_error)}, ` +
    `mean ${fmt.sci(report.mean_coef_error)}. n per layer ${report.n_per_layer.join(' / ')}. ` +
    `Mask digest ${report.mask_digest.slice(0, 16)}… (${app.backend.use === 'webgpu' ? 'WebGPU' : 'CPU'}, ${app.workers} worker${app.workers === 1 ? '' : 's'}).`;
  app.panels.accuracy.verifyProgress({ done: report.test_digits, total: report.test_digits, comparison: report });
  const model = app.models.get(report.task);
  const image = model?.kind === 'image';
  if (image) app.panels.grid.predictions(targetPredictions.subarray(0, GRID), ticketPredictions.subarray(0, GRID));
  if (image) app.digitView?.setPredictions(targetPredictions, ticketPredictions);
  app.panels.hero.done(report, app.panels.accuracy.unit);
  app.panels.params.done(report);
  app.panels.sweep.setRun(report.n_per_layer);
  app.panels.progress.setProgress(
    1,
    `Done in ${fmt.sec(seconds)}: ${fmt.int(report.problems)} subset-sum problems solved, ${fmt.int(report.test_digits)} ${app.panels.accuracy.unit} verified.`,
  );
  $('fm-digit').max = String(app.digits.count - 1);
  app.last = { task: report.task, seed: report.seed, report, pool: app.pool, kind: model?.kind };
  app.run = null;
  setRunState('done');
  if (image) {
    showFilters();
    requestMaps();
  } else showGraphAfterRun(model, report);
  if (run.ticket) showTicketCheck(run.ticket, report);
}

// Opens problem `t` (a row of the worst list) in the coefficient card.
export function openProblem(t) {
  app.panels.errors.select(t.layer, t.p);
  // The worst problems came with their layer's event: no round trip needed.
  app.panels.coef.show({ ...t }, { user: true });
  reveal($('coefficient-panel'));
}

// A worker of the pool died (the pool is restarted after this): says so,
// and ends the run or sweep it was part of.
export function workersFailed(error) {
  const wasRunning = app.runState === 'running' || app.sweep;
  showRunError(`${error.message}. The workers were restarted; you can run again.`);
  if (app.sweep) {
    if (app.sweep.kind === 'scaling') endScaling('error');
    else endSweep('failed');
  }
  if (wasRunning || app.runState !== 'done') setRunState('error');
  if (wasRunning) {
    app.panels.progress.setText('The run stopped: a worker failed.');
    $('result-text').textContent = 'No result: a worker failed during the run.';
  }
}
