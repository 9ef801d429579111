// The graph card's controller (graph tasks): which test graph is shown,
// relabelled or not, and who draws it — before a run the core worker
// (structure only, WebRun-free graphExample), after one the finished run
// (outputs of target and ticket, and the permutation check over every test
// graph). graph-panel.js draws; this module only asks and routes.

import { $, app } from './app.js';

// The test graph shown first: graph 3 where there are several (the graph
// families start cycle, star, wheel, lollipop — the lollipop is the first
// whose nodes differ from one another).
export const firstGraph = (meta) => Math.max(0, Math.min(3, Math.min(app.state.digits, meta.test_graphs ?? 1) - 1));

// Whether the last finished run is a graph run this pool can answer for.
function graphRunDone() {
  const last = app.last;
  return !!(last && last.kind === 'graph' && last.pool === app.pool && last.task === app.state.task);
}

let graphAsk = 0; // only the newest answer is drawn

export async function showGraphStructure(task, index) {
  const ask = ++graphAsk;
  try {
    const d = await app.core.request('graphExample', { task, index, seed: app.graphSeed });
    if (ask === graphAsk && app.state.task === task && !graphRunDone()) app.panels.graph.show(d, app.graphSeed);
  } catch (e) {
    if (ask === graphAsk) app.panels.graph.clear(`The graph could not be drawn: ${e.message}`);
  }
}

// Test graph `index` with the finished run's outputs (or its structure alone).
export async function showGraph(index) {
  if (!graphRunDone()) {
    showGraphStructure(app.state.task, index);
    return;
  }
  const ask = ++graphAsk;
  const seed = app.graphSeed;
  try {
    const d = await app.pool.query('graph', { index, seed });
    if (ask !== graphAsk) return;
    app.panels.graph.show(d, seed);
    if (seed !== null) {
      const c = await app.pool.query('permutationCheck', { seed });
      if (ask === graphAsk) app.panels.graph.checked(c, seed);
    }
  } catch (e) {
    if (ask === graphAsk) $('graph-check').textContent = `The graph could not be evaluated: ${e.message}`;
  }
}

// After a graph run: the graph in the card's index box, within the run.
export function showGraphAfterRun(model, report) {
  app.graphSeed = null;
  // One row per graph for a graph readout; one graph for the karate club.
  const graphs = model.meta.readout === 'graph' ? report.test_digits : 1;
  showGraph(Math.max(0, Math.min(graphs - 1, Number($('graph-index').value) || 0)));
}

// The card's handlers (GraphPanel's onIndex, onPermute, onUnpermute).
export const graphCardHandlers = {
  onIndex(i) {
    const count = app.panels.graph.data?.count ?? 1;
    const index = Math.max(0, Math.min(count - 1, Number.isFinite(i) ? Math.trunc(i) : 0));
    // A new graph starts from its original labels, so the comparison is fair.
    app.graphSeed = null;
    $('graph-check').textContent = '';
    showGraph(index);
  },
  onPermute() {
    app.graphSeed = crypto.getRandomValues(new Uint32Array(1))[0];
    showGraph(Number($('graph-index').value) || 0);
  },
  onUnpermute() {
    app.graphSeed = null;
    $('graph-check').textContent = '';
    showGraph(Number($('graph-index').value) || 0);
  },
};
