// The graph card of a graph or set task: one test graph drawn as SVG, its
// nodes coloured by the ticket's outputs after a run, and the caption with
// the graph-level (or per-node) predictions of target and ticket.
//
// Relabelling: the core answers in the shown labelling with `sigma[i]`, the
// new number of original node i. Nodes are placed by original identity, so
// after "Permute nodes" each node stays where it was drawn and the numbers
// travel to their new nodes (animated); its colour — its output — stays
// with the node.
//
// For tests, #graph-card carries data-state (empty | structure | outputs),
// data-task, data-index, data-permutation-seed ('' = original labels),
// data-label, data-target-prediction / data-ticket-prediction (graph
// readout: the class; node readout: per original node, comma-separated) and
// data-node-max-change (largest change of a node's ticket output against
// the original labelling, matched node by node).

import { fmt } from './dom.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const W = 400;
const H = 300;
const PAD = 22;
// The set task's colours, in label order (the core's class names).
const TAG_COLOURS = ['#d94848', '#2f9e44', '#2f5bd3', '#e0a800'];

function svg(tag, attrs = {}, text = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== null) e.textContent = String(text);
  return e;
}

// A small deterministic PRNG (mulberry32): the same layout for the same graph.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Positions in [0, 1]² for nodes 0..n−1 with `edges` (pairs of original
// node ids): Fruchterman–Reingold from a circle, a fixed number of steps;
// a set without edges is laid out on a circle.
export function layout(n, edges, seed = 1, minGap = 0.09) {
  const pos = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n);
    return [0.5 + 0.4 * Math.cos(a), 0.5 + 0.4 * Math.sin(a)];
  });
  if (!edges.length || n < 3) return pos;
  const rand = rng(seed);
  for (const p of pos) {
    p[0] += (rand() - 0.5) * 0.02;
    p[1] += (rand() - 0.5) * 0.02;
  }
  const k = Math.sqrt(1 / n);
  let temp = 0.1;
  for (let step = 0; step < 300; step++) {
    const disp = pos.map(() => [0, 0]);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pos[i][0] - pos[j][0];
        const dy = pos[i][1] - pos[j][1];
        const d = Math.max(1e-4, Math.hypot(dx, dy));
        const f = (k * k) / d;
        disp[i][0] += (dx / d) * f;
        disp[i][1] += (dy / d) * f;
        disp[j][0] -= (dx / d) * f;
        disp[j][1] -= (dy / d) * f;
      }
    }
    for (const [u, v] of edges) {
      const dx = pos[u][0] - pos[v][0];
      const dy = pos[u][1] - pos[v][1];
      const d = Math.max(1e-4, Math.hypot(dx, dy));
      const f = (d * d) / k;
      disp[u][0] -= (dx / d) * f;
      disp[u][1] -= (dy / d) * f;
      disp[v][0] += (dx / d) * f;
      disp[v][1] += (dy / d) * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.max(1e-9, Math.hypot(disp[i][0], disp[i][1]));
      const m = Math.min(d, temp);
      pos[i][0] += (disp[i][0] / d) * m;
      pos[i][1] += (disp[i][1] / d) * m;
    }
    temp = Math.max(0.002, temp * 0.98);
  }
  return fit(separate(fit(pos), minGap));
}

// Stretched to fill the unit square (the view is 4:3, so at most ~1.4×).
function fit(pos) {
  const xs = pos.map((p) => p[0]);
  const ys = pos.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = 1 / Math.max(1e-9, x1 - x0);
  const sy = 1 / Math.max(1e-9, y1 - y0);
  return pos.map(([x, y]) => [(x - x0) * sx, (y - y0) * sy]);
}

// Pushes apart nodes closer than `gap` (in the view's proportions), so no
// node hides another's number.
function separate(pos, gap) {
  const aspect = (W - 2 * PAD) / (H - 2 * PAD);
  for (let round = 0; round < 60; round++) {
    let moved = false;
    for (let i = 0; i < pos.length; i++) {
      for (let j = i + 1; j < pos.length; j++) {
        const dx = (pos[i][0] - pos[j][0]) * aspect;
        const dy = pos[i][1] - pos[j][1];
        const d = Math.hypot(dx, dy);
        if (d >= gap) continue;
        moved = true;
        const [ux, uy] = d > 1e-9 ? [dx / d, dy / d] : [1, 0];
        const push = (gap - d) / 2;
        pos[i][0] += (ux * push) / aspect;
        pos[i][1] += uy * push;
        pos[j][0] -= (ux * push) / aspect;
        pos[j][1] -= uy * push;
      }
    }
    if (!moved) break;
  }
  return pos;
}

// Light grey (0) to the accent blue (1).
function ramp(t) {
  const u = Math.max(0, Math.min(1, t));
  const a = [236, 240, 246];
  const b = [36, 76, 190];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * u)).join(',')})`;
}

const CLASS_COLOURS = ['#2f5bd3', '#d9480f'];
const REDUCED_MOTION = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

export class GraphPanel {
  constructor({ onIndex, onPermute, onUnpermute }) {
    this.card = $('graph-card');
    this.view = $('graph-view');
    this.index = $('graph-index');
    this.data = null;
    this.base = null; // the ticket's node values in the original labelling, for comparison
    this.positions = null;
    this.layoutKey = null;
    $('graph-prev').addEventListener('click', () => onIndex(Number(this.index.value) - 1));
    $('graph-next').addEventListener('click', () => onIndex(Number(this.index.value) + 1));
    this.index.addEventListener('change', () => onIndex(Number(this.index.value)));
    $('permute-nodes').addEventListener('click', () => onPermute());
    $('unpermute-nodes').addEventListener('click', () => onUnpermute());
    this.clear('The graph appears when the task is loaded.');
  }

  clear(text) {
    this.data = null;
    this.base = null;
    this.card.dataset.state = 'empty';
    for (const k of ['task', 'index', 'permutationSeed', 'label', 'targetPrediction', 'ticketPrediction', 'nodeMaxChange', 'changedPredictions', 'maxLogitChange']) delete this.card.dataset[k];
    this.view.replaceChildren();
    $('graph-caption').textContent = text;
    $('graph-legend').textContent = '';
    $('graph-check').textContent = '';
    $('graph-count').textContent = 'of —';
    this.enable(false);
  }

  enable(on) {
    for (const id of ['graph-prev', 'graph-next', 'graph-index', 'permute-nodes']) $(id).disabled = !on;
    $('unpermute-nodes').disabled = !on || !this.data || this.data.seed === null;
  }

  // Original node id → its value in shown-labelling array `a`.
  static original(d, a) {
    return Array.from({ length: d.n }, (_, i) => a[d.sigma[i]]);
  }

  // `d`: the core's graph object (structure, and outputs after a run), with
  // the permutation seed it was asked for (null = original labels).
  show(d, seed) {
    d.seed = seed;
    this.data = d;
    const outputs = 'ticketValues' in d;
    // Edges in original ids: shown label j is original node inv[j].
    const inv = new Array(d.n);
    for (let i = 0; i < d.n; i++) inv[d.sigma[i]] = i;
    const edges = [];
    for (let e = 0; e < d.edges.length; e += 2) edges.push([inv[d.edges[e]], inv[d.edges[e + 1]]]);
    const key = `${d.task}/${d.index}`;
    if (this.layoutKey !== key) {
      this.layoutKey = key;
      this.positions = layout(d.n, edges, d.index + 1);
      this.base = null;
    }
    if (outputs && seed === null) this.base = Array.from(d.ticketValues);
    const c = this.card.dataset;
    c.state = outputs ? 'outputs' : 'structure';
    c.task = d.task;
    c.index = String(d.index);
    c.permutationSeed = seed === null ? '' : String(seed);
    c.label = String(d.label);
    this.index.max = String(Math.max(0, d.count - 1));
    this.index.value = String(d.index);
    $('graph-count').textContent = `of ${fmt.int(d.count)}`;
    // One graph (the karate club): nothing to page through.
    this.card.querySelector('.pager').hidden = d.count <= 1;
    delete c.targetPrediction;
    delete c.ticketPrediction;
    delete c.nodeMaxChange;
    if (outputs) {
      const orig = (a) => GraphPanel.original(d, a);
      if (d.readout === 'graph') {
        c.targetPrediction = String(d.targetPredictions[0]);
        c.ticketPrediction = String(d.ticketPredictions[0]);
      } else {
        c.targetPrediction = orig(d.targetPredictions).join(',');
        c.ticketPrediction = orig(d.ticketPredictions).join(',');
      }
      if (this.base) {
        const now = orig(d.ticketValues);
        c.nodeMaxChange = String(now.reduce((m, v, i) => Math.max(m, Math.abs(v - this.base[i])), 0));
      }
    }
    this.draw(d, edges);
    this.caption(d);
    this.enable(true);
  }

  draw(d, edges) {
    const P = this.positions;
    const at = (i) => [PAD + P[i][0] * (W - 2 * PAD), PAD + P[i][1] * (H - 2 * PAD)];
    // Where each node number was drawn before, so a relabelling can be seen:
    // the numbers travel to their new nodes; the nodes and their colours stay.
    const before = this.drawn?.key === this.layoutKey ? this.drawn.at : null;
    const numbersAt = new Map();
    const r = d.n > 24 ? 8.5 : 10.5;
    const parts = [];
    const edgeGroup = svg('g', { class: 'graph-edges' });
    for (const [u, v] of edges) {
      const [x1, y1] = at(u);
      const [x2, y2] = at(v);
      edgeGroup.append(svg('line', { x1, y1, x2, y2 }));
    }
    parts.push(edgeGroup);
    const outputs = 'ticketValues' in d;
    const values = outputs ? GraphPanel.original(d, d.ticketValues) : null;
    const scale = values ? Math.max(1e-12, ...values.map(Math.abs)) : 1;
    const tags = GraphPanel.original(d, d.nodeTags);
    const nodeLabels = GraphPanel.original(d, d.nodeLabels);
    const tp = outputs ? GraphPanel.original(d, d.targetPredictions) : null;
    const kp = outputs ? GraphPanel.original(d, d.ticketPredictions) : null;
    const nodeGroup = svg('g', { class: 'graph-nodes' });
    for (let i = 0; i < d.n; i++) {
      const [x, y] = at(i);
      const g = svg('g', { class: 'graph-node', 'data-node': i, 'data-shown': d.sigma[i] });
      let fill = 'var(--surface)';
      let stroke = 'var(--muted)';
      let width = 1.5;
      let opacity = 1;
      let title = `node ${d.sigma[i]}`;
      if (outputs && d.readout === 'node') {
        fill = CLASS_COLOURS[kp[i]] ?? '#888';
        // Paler where the ticket is less sure (a smaller logit margin).
        opacity = 0.3 + 0.7 * (Math.abs(values[i]) / scale);
        stroke = CLASS_COLOURS[tp[i]] ?? '#888';
        width = tp[i] === kp[i] ? 1.5 : 4;
        title += `: ticket says ${d.classNames[kp[i]]}, target says ${d.classNames[tp[i]]} (margin ${fmt.num(values[i], 3)})`;
        if (nodeLabels[i] >= 0) title += `; true faction ${d.classNames[nodeLabels[i]]}`;
        else title += '; a leader: its faction is given (training label)';
      } else if (outputs) {
        fill = ramp(Math.abs(values[i]) / scale);
        title += `: ticket activation ${fmt.num(values[i], 3)}`;
      }
      g.append(svg('title', {}, title));
      if (tags[i] >= 0) {
        // The element's colour as an outer ring, apart from the fill.
        title += ` (${d.classNames[tags[i]] ?? `colour ${tags[i]}`})`;
        g.lastChild.textContent = title;
        g.append(svg('circle', { cx: x, cy: y, r: r + 3.5, fill: 'none', stroke: TAG_COLOURS[tags[i]] ?? '#888', 'stroke-width': 3.5 }));
        stroke = 'var(--surface)';
        width = 1.5;
      }
      // A node the ticket puts in the second class (the officer's faction) is
      // a square of the disc's area: the class is not told by colour alone.
      const square = outputs && d.readout === 'node' && kp[i] === 1;
      const s = r * Math.sqrt(Math.PI);
      const shape = (attrs) => (square ? svg('rect', { x: x - s / 2, y: y - s / 2, width: s, height: s, rx: 2, ...attrs }) : svg('circle', { cx: x, cy: y, r, ...attrs }));
      // An opaque shape first, so edges do not show through a pale fill.
      if (opacity < 1) g.append(shape({ fill: 'var(--surface)' }));
      g.append(shape({ fill, 'fill-opacity': opacity.toFixed(3), stroke, 'stroke-width': width }));
      if (outputs && d.readout === 'node' && nodeLabels[i] >= 0 && nodeLabels[i] !== kp[i]) {
        g.append(svg('circle', { cx: x, cy: y, r: r + 4, class: 'graph-wrong' }));
      }
      if (outputs && d.readout === 'node' && nodeLabels[i] < 0) {
        g.append(svg('circle', { cx: x, cy: y, r: r + 4, class: 'graph-given' }));
      }
      const light = outputs && d.readout === 'graph' && Math.abs(values[i]) / scale > 0.55;
      const number = svg('text', { x, y: y + 3.6, class: light || (outputs && d.readout === 'node') ? 'on-dark' : '' }, d.sigma[i]);
      g.append(number);
      nodeGroup.append(g);
      numbersAt.set(d.sigma[i], [x, y]);
      const from = before?.get(d.sigma[i]);
      if (from && (from[0] !== x || from[1] !== y) && !REDUCED_MOTION()) {
        number.animate([{ transform: `translate(${from[0] - x}px, ${from[1] - y}px)` }, { transform: 'none' }], { duration: 900, easing: 'ease-in-out' });
      }
    }
    parts.push(nodeGroup);
    this.view.replaceChildren(...parts);
    this.drawn = { key: this.layoutKey, at: numbersAt };
  }

  caption(d) {
    const outputs = 'ticketValues' in d;
    const relabel = d.seed === null ? 'original node numbers' : `nodes relabelled (permutation seed ${d.seed})`;
    const name = (k) => d.classNames[k] ?? `class ${k}`;
    let text;
    let legend;
    if (d.readout === 'graph') {
      const truth = d.label >= 0 ? `a ${name(d.label)}` : 'unlabelled';
      text =
        d.task === 'sets-deepsets'
          ? `Test set ${d.index}: ${d.n} elements, the most frequent colour ${d.label >= 0 ? name(d.label) : '?'}; ${relabel}.`
          : `Test graph ${d.index}: ${truth}, ${d.n} nodes, ${d.edges.length / 2} edges; ${relabel}.`;
      if (outputs) text += ` Target predicts ${name(d.targetPredictions[0])}, ticket predicts ${name(d.ticketPredictions[0])}.`;
      legend = outputs
        ? 'Node colour: the ticket’s mean activation at the node entering the readout (darker = larger). It moves with its node when the nodes are relabelled; the graph’s prediction stays.'
        : 'Run to see target and ticket on this graph.';
      if (d.task === 'sets-deepsets') legend += ' Ring: the element’s colour; the label is the most frequent one. A set has no edges.';
    } else {
      const tp = GraphPanel.original(d, d.targetPredictions ?? []);
      const kp = GraphPanel.original(d, d.ticketPredictions ?? []);
      const labels = GraphPanel.original(d, d.nodeLabels);
      const scored = labels.filter((l) => l >= 0).length;
      text = `Zachary’s karate club: ${d.n} members, ${d.edges.length / 2} ties; ${relabel}.`;
      if (outputs) {
        const right = labels.filter((l, i) => l >= 0 && kp[i] === l).length;
        const same = tp.filter((p, i) => p === kp[i]).length;
        text += ` Ticket: ${right} of ${scored} members’ factions right; it agrees with the target on ${same} of ${d.n} members.`;
      }
      legend = outputs
        ? 'Fill and shape: the ticket’s predicted faction (blue discs Mr. Hi’s, orange squares the officer’s; paler = a smaller margin between the two logits); border: the target’s (thick where they differ); red ring: ticket wrong; dashed ring: the two leaders, whose factions are given.'
        : 'Run to see the factions target and ticket predict.';
    }
    $('graph-caption').textContent = text;
    $('graph-legend').textContent = legend;
  }

  // The check over every test graph of the run (from the core).
  checked(c, seed) {
    const changed = c.changedTarget + c.changedTicket;
    $('graph-check').textContent =
      `Every one of the run’s ${fmt.int(c.graphs)} test graph${c.graphs === 1 ? '' : 's'} relabelled too (seed ${seed}): ` +
      `${c.changedTarget} of ${fmt.int(c.rows)} target and ${c.changedTicket} of ${fmt.int(c.rows)} ticket predictions changed` +
      `${changed ? '' : ' (none)'}; largest logit change ${fmt.sci(c.maxLogitChange)} (largest logit ${fmt.num(c.maxAbsLogit, 3)}).`;
    this.card.dataset.changedPredictions = String(changed);
    this.card.dataset.maxLogitChange = String(c.maxLogitChange);
  }
}
