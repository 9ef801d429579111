// The selected task: its model file loaded once (the core worker says
// which kind of model it is and hashes it — no crypto.subtle needed), the
// words that describe it, and the panels reset for it before a run.

import { $, app, setRunState, showRunError } from './app.js';
import { fmt } from './dom.js';
import { firstGraph, showGraphStructure } from './graph-card.js';
import { GRAPH_TASKS } from './state.js';

// The model of `task`: {url, text, meta, sha256, kind: 'image' | 'graph'}.
export async function loadModel(task) {
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
  let file;
  try {
    file = await app.core.request('modelFile', { bytes: bytes.buffer }, [bytes.buffer]);
  } catch (e) {
    throw new Error(`the model file ${url}: ${e.message}`);
  }
  const { kind, sha256 } = file;
  if ((kind === 'graph') !== GRAPH_TASKS.includes(task)) {
    throw new Error(`the model file ${url} is a ${kind} model, but ${task} is ${GRAPH_TASKS.includes(task) ? 'a graph' : 'an image'} task`);
  }
  const { coefficients, ...meta } = json;
  const model = { url, text, meta, sha256, kind };
  app.models.set(task, model);
  return model;
}

// What a verified row of the model's task is, and how many the run has.
export function rowsOf(model) {
  const m = model.meta;
  if (model.kind !== 'graph') return { unit: 'rotated test digits', total: app.state.digits };
  if (m.readout === 'node') return { unit: 'labelled test nodes', total: m.test_examples };
  const graphs = Math.min(app.state.digits, m.test_graphs);
  return { unit: m.task === 'sets-deepsets' ? 'test sets' : 'test graphs', total: graphs };
}

export function describeModel(task, model) {
  const m = model.meta;
  if (model.kind !== 'graph') {
    const symmetry = m.group === 'C1' ? 'a target without symmetry' : `a ${m.group}-equivariant target`;
    return `${task}: ${symmetry}, ${fmt.int(m.num_coefficients)} coefficients, ${fmt.pct(m.test_accuracy)} on ${fmt.int(m.test_digits ?? 10000)} rotated test digits. Press Run.`;
  }
  const { unit } = rowsOf(model);
  return `${task}: Sₙ-equivariant ${m.readout === 'node' ? 'node classifier' : 'invariant classifier'}, ${fmt.int(m.num_coefficients)} coefficients, ${fmt.pct(m.test_accuracy)} on ${fmt.int(m.test_examples)} ${unit}. Press Run.`;
}

// Every panel back to its empty state for `model` (body[data-kind] shows
// the image or the graph cards).
export function resetPanels(model) {
  const panels = app.panels;
  const meta = model.meta;
  const eps = app.state.eps;
  const image = model.kind === 'image';
  document.body.dataset.kind = model.kind;
  // C1: a plain CNN or MLP, nothing to stay symmetric under.
  document.body.dataset.symmetric = String(!(image && meta.group === 'C1'));
  $('digits-label').textContent = image ? 'Test digits' : 'Test graphs';
  panels.progress.reset(meta);
  panels.errors.reset(eps);
  panels.coef.reset();
  panels.coef.eps = eps;
  const rows = rowsOf(model);
  panels.accuracy.reset(rows.total, rows.unit);
  panels.params.reset(meta, eps);
  panels.filters.reset(image ? meta : null);
  panels.rotation.reset(image ? meta : null);
  panels.grid.clearPredictions();
  panels.hero.reset(model);
  app.digitView?.setPredictions(null, null);
  if (!image) {
    app.graphSeed = null;
    showGraphStructure(meta.task, firstGraph(meta));
  }
}

// Shows what the selected task is before any run.
export async function previewModel() {
  const task = app.state.task;
  app.panels.progress.reset(null, 'Loading the model…');
  try {
    const m = await loadModel(task);
    if (app.state.task !== task || app.runState === 'running') return;
    resetPanels(m);
    app.panels.progress.setText(describeModel(task, m));
    if (app.runState === 'error' && !app.fatal) {
      showRunError('');
      setRunState('idle');
    }
  } catch (e) {
    if (app.state.task !== task) return;
    app.panels.progress.reset(null, 'The model could not be loaded.');
    showRunError(`${e.message.replace(/\.$/, '')}. Run tries to load it again; another task may load meanwhile.`);
    setRunState('error');
  }
}
