// Logits asked for ahead of the run, while the visitor reads. Once the
// page is ready, and whenever the task or the digit count changes, the
// coordinator is asked for the target's logits on the test digits
// (coordinator.js, 'prepare'); with them goes the config the next run
// would have, so that it then evaluates the unpruned random source that
// run will draw (its seed and initial n: asked again when the seed, ε or n
// changes). A run then evaluates only the ticket, and the source where a
// layer grew. The page keeps the target's logits it was given, so that a
// new pool (after Cancel) starts with them. `#status[data-target-logits]`
// says which are ready ("task:digits"), `#status[data-source-logits]` the
// source's ("task:digits:seed:eps:n").

import { $, app } from './app.js';
import { runConfig } from './run-config.js';
import { loadModel } from './task.js';

const known = new Map(); // task → {rows, logits}
const SETTLE_MS = 300; // a setting being typed asks once it settles
let timer = 0;

// The settings the source's logits were asked for with.
const sourceTag = (s) => `${s.task}:${s.digits}:${s.seed}:${s.eps}:${s.n ?? ''}`;

// Asks now (`settle`: once the settings stop changing for SETTLE_MS).
export function prepareAhead({ settle = false } = {}) {
  clearTimeout(timer);
  delete $('status').dataset.sourceLogits;
  if (settle) timer = setTimeout(() => prepareNow(), SETTLE_MS);
  else prepareNow();
}

async function prepareNow() {
  const pool = app.pool;
  if (!app.ready || !pool || pool.dead) return;
  const s = app.state;
  const { task, digits } = s;
  const status = $('status');
  if (status.dataset.targetLogits !== `${task}:${digits}`) delete status.dataset.targetLogits;
  const model = await loadModel(task).catch(() => null);
  if (!model || model.kind !== 'image' || app.pool !== pool || pool.dead) return;
  const have = known.get(task);
  if (have && have.rows >= digits) status.dataset.targetLogits = `${task}:${digits}`;
  const msg = { type: 'prepare', key: task, json: model.text, rows: digits, config: runConfig(s), tag: sourceTag(s) };
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

// The coordinator's 'source-prepared': the source of the settings `tag`.
export function sourcePrepared(msg) {
  if (msg.tag === sourceTag(app.state)) $('status').dataset.sourceLogits = msg.tag;
}
