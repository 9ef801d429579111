// Error vs n: prune-only runs of the selected task for n = 4…20 from the
// same seed (the coordinator's 'sweep' job), each point from its run's
// report, drawn against the 2^−n line; the button stops it early.

import { $, app, updateButtons } from './app.js';
import { batchProblems } from './backend.js';
import { readControls } from './controls.js';
import { fmt } from './dom.js';
import { loadModel } from './task.js';
import { restartWorkers } from './workers.js';

const SWEEP = { from: 4, to: 20 };

export async function toggleSweep() {
  if (app.sweep?.kind === 'scaling') return;
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
    app.panels.sweep.reset(s.eps);
    $('sweep-status').textContent = `${s.task}, seed ${s.seed}: n = ${SWEEP.from}…`;
    updateButtons();
    app.pool.start({
      type: 'sweep',
      generation,
      key: s.task,
      json: model.text,
      config: { eps: s.eps, seed: s.seed, testDigits: 0, grow: false, literalSample: 0, batchProblems: batchProblems(), backend: app.backend.use },
      from: SWEEP.from,
      to: SWEEP.to,
    });
  } catch (e) {
    $('sweep-status').textContent = `Sweep failed: ${e.message}`;
    endSweep('error');
  }
}

// The coordinator's messages of the sweep in progress.
export function onSweepMessage(msg) {
  const panel = app.panels.sweep;
  if (msg.type === 'sweep-point') {
    const p = msg.point;
    panel.add(p);
    $('sweep-status').textContent = `n = ${p.n}: max ${fmt.sci(p.max_coef_error)}, mean ${fmt.sci(p.mean_coef_error)} (${fmt.sec(p.seconds)})`;
  } else if (msg.type === 'sweep-done') {
    const secs = (performance.now() - app.sweep.startedAt) / 1000;
    $('sweep-status').textContent = msg.stopped ? `Stopped after ${panel.points.length} values of n.` : `${panel.points.length} runs in ${fmt.sec(secs)}.`;
    endSweep(msg.stopped ? 'stopped' : 'done');
  } else if (msg.type === 'error') {
    $('sweep-status').textContent = `Sweep failed: ${msg.error}`;
    endSweep('error');
    restartWorkers();
  }
}

// #sweep-card[data-state]: running | done | stopped | error | failed.
export function endSweep(state) {
  app.sweep = null;
  $('sweep-card').dataset.state = state;
  updateButtons();
}
