// The target's logits, asked for ahead of the run: once the page is ready,
// and whenever the task or the digit count changes, the coordinator is
// asked to compute the target's logits on the test digits while the page
// is idle (coordinator.js, 'prepare'); a run then only evaluates ticket
// and source. The page keeps the logits it was given, so that a new pool
// (after Cancel) starts with them. `#status[data-target-logits]` says
// which are ready ("task:digits").

import { $, app } from './app.js';
import { loadModel } from './task.js';

const known = new Map(); // task → {rows, logits}

export async function prepareTarget() {
  const pool = app.pool;
  if (!app.ready || !pool || pool.dead) return;
  const { task, digits } = app.state;
  const status = $('status');
  if (status.dataset.targetLogits !== `${task}:${digits}`) delete status.dataset.targetLogits;
  const model = await loadModel(task).catch(() => null);
  if (!model || model.kind !== 'image' || app.pool !== pool || pool.dead) return;
  const have = known.get(task);
  if (have && have.rows >= digits) status.dataset.targetLogits = `${task}:${digits}`;
  const msg = { type: 'prepare', key: task, json: model.text, rows: digits };
  if (have) Object.assign(msg, { logits: have.logits, logitsRows: have.rows });
  try {
    pool.start(msg);
  } catch {
    // The pool died: its replacement asks again.
  }
}

// The coordinator's 'prepared': every logit of digits 0..rows of `key`.
export function targetPrepared(msg) {
  const have = known.get(msg.key);
  if (!have || have.rows < msg.rows) known.set(msg.key, { rows: msg.rows, logits: msg.logits });
  if (msg.key === app.state.task && msg.rows >= app.state.digits) $('status').dataset.targetLogits = `${msg.key}:${app.state.digits}`;
}
