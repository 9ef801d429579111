// The page's shared state and the status helpers every part of the page
// uses. One object, `app`, holds what the parts share (the settings, the
// worker pool, the run in progress, the last finished run); the panels are
// made once by main.js and kept in `app.panels`.

import { showBackendOutcome } from './details.js';
import { drawEvery } from './dom.js';

export const $ = (id) => document.getElementById(id);

// Settings shown as form controls: state name → element id.
export const CONTROLS = { task: 'task', eps: 'eps', n: 'n', seed: 'seed', digits: 'digits', backend: 'backend-select' };

export const app = {
  state: null, // the settings (state.js's table), mirrored in the URL
  generation: 0, // tags every job; answers of an older one are dropped
  pool: null, // the worker pool (pool.js); replaced by restartWorkers()
  poolReady: null,
  ready: false,
  fatal: false,
  workers: 1,
  backend: { use: 'cpu', describe: '', decided: false, reason: '' },
  digits: null, // {bytes, count, rows, cols, labels, testAngles}
  models: new Map(), // task → {url, text, meta, sha256, kind: 'image' | 'graph'}
  core: null, // the CoreClient (worker.js): questions outside a run
  panels: null,
  graphSeed: null, // the graph card's permutation seed (null: original labels)
  runState: 'idle', // idle | running | done | cancelled | error (#run[data-state])
  run: null, // the run in progress
  last: null, // the last finished run {task, seed, report, pool, kind}
  sweep: null, // the sweep in progress ({kind: 'scaling'} for the Scaling card's)
  digitView: null, // all test digits (digit-view.js), in Details; null when embedded
};

export function setStatus(state, text) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

export function showRunError(text) {
  const e = $('run-error');
  e.textContent = text;
  e.hidden = !text;
}

// The backend's outcome: one short line by Run (a plain sentence, with the
// raw error text, if any, behind a disclosure), the full text in Details.
export function notice(text, raw = '') {
  showBackendOutcome(text, raw);
}

export function showFatal(error) {
  console.error(error);
  app.fatal = true;
  const message = error?.message ?? String(error);
  $('error-message').textContent = message;
  $('error').hidden = false;
  setStatus('error', 'error');
  showRunError(message);
  setRunState('error');
}

// While a run keeps the workers busy, panels are redrawn at most this often
// (ms): about 10 frames a second show its progress, and the rendering
// left out is CPU time the solvers get.
const RUN_FRAME_GAP_MS = 100;

export function setRunState(state) {
  app.runState = state;
  drawEvery(state === 'running' ? RUN_FRAME_GAP_MS : 0);
  $('run').dataset.state = state;
  if (state !== 'running') delete $('run').dataset.progress;
  // #status[data-state] is the page's own (loading | ready | error); its
  // text also says when a run is going.
  if (app.ready && !app.fatal) $('status').textContent = state === 'running' ? 'running' : 'ready';
  updateButtons();
}

export function updateButtons() {
  const running = app.runState === 'running';
  const sweeping = !!app.sweep;
  const usable = app.ready && !app.fatal;
  $('run-button').disabled = !usable || running || sweeping;
  $('cancel-button').disabled = !running;
  $('export-ticket').disabled = !(app.runState === 'done' && app.last && app.last.pool === app.pool);
  $('load-ticket').disabled = !usable || running || sweeping;
  const scaling = app.sweep?.kind === 'scaling';
  $('sweep-button').disabled = !usable || running || scaling;
  $('sweep-button').textContent = sweeping && !scaling ? 'Stop sweep' : 'Sweep n';
  $('scaling-run').disabled = !usable || running || (sweeping && !scaling);
  $('scaling-run').textContent = scaling ? 'Cancel' : 'Sweep ε';
  $('new-seed').disabled = running;
  for (const id of Object.values(CONTROLS)) $(id).disabled = running || sweeping;
}
