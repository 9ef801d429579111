// The worker pool's life seen from the page: started once the digits are
// in, and restarted — the one way to stop a run at once — on Cancel, on a
// failed run or sweep, and when a worker dies. Every restart raises
// app.generation, so answers of the old pool's jobs are dropped.

import { $, app, notice, showFatal, updateButtons } from './app.js';
import { setupBackend, showBackend } from './backend.js';
import { Pool } from './pool.js';
import { prepareAhead } from './prepare-ahead.js';

// onMessage(msg): the coordinator's messages; onFailure(error): a worker
// of the pool in use died (the pool is then restarted).
let handlers = { onMessage() {}, onFailure() {} };
let startFailures = 0;

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
    onMessage: (msg) => pool === app.pool && handlers.onMessage(msg),
    onFailure: (e) => pool === app.pool && failed(pool, e),
    onNotice: (text, raw) => {
      if (pool !== app.pool) return;
      notice(text, raw);
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
    prepareAhead();
  });
  app.poolReady.catch(() => {});
  updateButtons();
  return pool;
}

function failed(pool, error) {
  console.error(error);
  if (!pool.everReady) {
    // The workers did not start. Try again twice; then (wasm missing?) give up.
    startFailures += 1;
    if (startFailures > 2) {
      showFatal(error);
      return;
    }
  }
  handlers.onFailure(error);
  restartWorkers();
}

// The first pool, with the page's handlers.
export function startWorkers(h) {
  handlers = h;
  return spawnPool();
}

// Stops every worker (the run in progress ends with them) and starts a
// fresh pool.
export function restartWorkers() {
  app.run = null;
  app.generation += 1;
  return spawnPool();
}

// Resolves once a pool is up: the first, or a respawned one if it failed.
export async function poolStarted(pool) {
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
