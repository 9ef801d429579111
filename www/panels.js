// The live panels of a run, for both kinds of task: progress per layer,
// coefficient errors, one coefficient opened up, error vs n, accuracies
// with the prediction grid, and parameter counts. Each panel owns its DOM
// and charts, takes plain data (events and results from the coordinator)
// and draws on the next animation frame (dom.js); nothing here computes
// more than a few thousand numbers. Every string from a file or the URL
// reaches the DOM as text. The image-only panels are in digit-panels.js.

import { barChart, histogram, lineChart, numberLine } from './charts.js';
import { accuracyNote, riseNote, runMarks } from './explain.js';
import { el, fmt, redraw } from './dom.js';
import { drawTile } from './images.js';

const $ = (id) => document.getElementById(id);

// The target's linear layers from the model file: image models' 'conv'
// ops {ksize, c_in, c_out, in_type, out_type, basis} and graph models'
// 'linear' ops {basis: {kind, input?, output?}, aggregation, c_in, c_out}.
export function linearLayers(model) {
  return (model?.architecture ?? []).filter((op) => op.op === 'conv' || op.op === 'linear');
}

const GRAPH_BASES = { message_passing: 'MP', deepsets: 'DeepSets', identity: 'identity' };

function graphBasis(b) {
  if (!b || typeof b !== 'object') return 'linear';
  if (b.kind === 'ign') return `IGN ${b.input}→${b.output}`;
  return GRAPH_BASES[b.kind] ?? String(b.kind);
}

function describeLayer(op) {
  if (!op) return '';
  if (op.op === 'linear') return `${graphBasis(op.basis)}, ${op.c_in}→${op.c_out}`;
  if (op.basis === 'dense' || op.ksize === 1) return `dense ${op.c_in}→${op.c_out}`;
  return `${op.ksize}×${op.ksize} conv ${op.c_in}→${op.c_out}`;
}

function layerTitle(op) {
  if (!op) return '';
  if (op.op === 'linear') {
    const what = op.basis?.kind === 'message_passing' ? 'message passing (self, neighbours) 1→1' : op.basis?.kind === 'deepsets' ? 'DeepSets (self, set) 1→1' : `${graphBasis(op.basis)} (tensor orders)`;
    return `${what}, ${op.c_in}→${op.c_out} channels, ${op.aggregation} aggregation`;
  }
  return `${describeLayer(op)} fields, ${op.in_type} → ${op.out_type}, ${op.basis} basis`;
}

// ---- progress per layer ----

export class ProgressPanel {
  constructor() {
    this.list = $('layers');
    this.growth = $('growth');
    this.overall = $('overall-progress');
    this.summary = $('run-summary');
    this.reset(null);
  }

  reset(model, text = 'Press Run to start.') {
    this.model = model;
    this.layers = linearLayers(model).map((op, i) => ({ index: i, op, problems: 0, done: 0, n: null, nInitial: null, state: 'waiting' }));
    this.growthEvents = [];
    this.progress = 0;
    this.text = text;
    this.firstShown = null;
    redraw(this);
  }

  event(e) {
    const l = this.layers[e.layer ?? e.report?.index];
    if (e.type === 'layer_start' && l) Object.assign(l, { problems: e.problems, n: e.n, nInitial: l.nInitial ?? e.n, done: 0, state: 'solving' });
    else if (e.type === 'progress' && l) Object.assign(l, { done: e.done, problems: e.total });
    else if (e.type === 'layer_grown' && l) {
      this.growthEvents.push(e);
      Object.assign(l, { n: e.to, done: 0, state: 'grown' });
    } else if (e.type === 'layer_done') {
      const r = e.report;
      const m = this.layers[r.index];
      if (m) Object.assign(m, { done: r.problems, problems: r.problems, n: r.n, nInitial: r.n_initial, state: 'done', report: r });
    }
    redraw(this);
  }

  setProgress(p, text) {
    this.progress = p;
    if (text) this.text = text;
    redraw(this);
  }

  setText(text) {
    this.text = text;
    redraw(this);
  }

  render() {
    // Rows are rebuilt only when the model changes; otherwise updated in place.
    if (this.rows?.length !== this.layers.length || this.rowsModel !== this.model) {
      this.rowsModel = this.model;
      this.rows = this.layers.map((l) => {
        const parts = {
          bar: el('progress', { max: 1, value: 0, 'aria-label': `layer ${l.index + 1} problems solved` }),
          count: el('span', { class: 'layer-count' }),
          n: el('span', { class: 'layer-n' }),
          pools: el('span', { class: 'layer-pools' }),
        };
        parts.li = el('li', { class: 'layer-row', data: { layer: l.index } }, [
          el('span', { class: 'layer-name', text: `Layer ${l.index + 1}` }),
          el('span', { class: 'layer-op muted', text: describeLayer(l.op), title: layerTitle(l.op) }),
          parts.bar,
          parts.count,
          parts.n,
          parts.pools,
        ]);
        return parts;
      });
      this.list.replaceChildren(...this.rows.map((r) => r.li));
    }
    this.layers.forEach((l, i) => {
      const r = this.rows[i];
      const set = (node, text) => {
        if (node.textContent !== text) node.textContent = text;
      };
      r.bar.value = l.problems ? l.done / l.problems : 0;
      set(r.count, l.problems ? `${fmt.int(l.done)} / ${fmt.int(l.problems)}` : 'waiting');
      set(r.n, l.n === null ? 'n —' : l.nInitial !== null && l.nInitial !== l.n ? `n ${l.nInitial}→${l.n}` : `n = ${l.n}`);
      // Which pools of copies the layer's problems used (from its report).
      const pool = l.report?.negative_pool;
      set(r.pools, pool === 'live' ? '±' : pool === 'dead' ? '+' : '');
      const why =
        pool === 'live'
          ? 'both pools live: this layer’s inputs can be negative, so positive and negative copies both carry the coefficient'
          : pool === 'dead'
            ? 'negative pool dead: this layer’s inputs are non-negative (pixels, a ReLU), so only the positive copies matter'
            : '';
      if (r.pools.title !== why) r.pools.title = why;
      r.li.dataset.negativePool = pool ?? '';
      if (r.li.dataset.state !== l.state) {
        r.li.dataset.state = l.state;
        r.li.className = `layer-row ${l.state}`;
      }
    });
    if (this.growth.childElementCount !== this.growthEvents.length) this.growth.replaceChildren(
      ...this.growthEvents.map((g) =>
        el('li', {
          text: `layer ${g.layer + 1} grown n ${g.from}→${g.to}: ${g.misses} miss${g.misses === 1 ? '' : 'es'} (worst error ${fmt.sci(g.max_error)})`,
        }),
      ),
    );
    this.growth.hidden = !this.growthEvents.length;
    this.overall.value = this.progress;
    if (this.summary.textContent !== this.text) this.summary.textContent = this.text;
    if (this.firstShown === null && this.layers.some((l) => l.done > 0)) {
      this.firstShown = performance.now();
      this.onFirstResult?.(this.firstShown);
    }
  }
}

// ---- coefficient errors ----

export class ErrorPanel {
  constructor({ onPick }) {
    this.onPick = onPick;
    this.chart = histogram($('error-hist'), {
      x: { min: 1e-10, max: 1, label: '|β − α| (rebalanced units)' },
      y: { min: 0.7, label: 'problems' },
      bins: 40,
      placeholder: 'Histograms appear as layers finish.',
    });
    this.list = $('worst-list');
    this.reset();
  }

  reset(eps = null) {
    this.eps = eps;
    this.layers = [];
    this.top = [];
    this.selected = null;
    this.chart.setData({ series: [], marks: eps ? [{ value: eps, label: `ε = ${eps}`, color: 'c2' }] : [] });
    redraw(this);
  }

  layerDone(e) {
    const r = e.report;
    this.layers[r.index] = { index: r.index, errors: e.errors, report: r };
    for (const t of e.top ?? []) this.top.push({ layer: r.index, ...t });
    this.top.sort((a, b) => b.error - a.error);
    this.top = this.top.slice(0, 8);
    const series = this.layers.filter(Boolean).map((l) => ({
      legend: `layer ${l.index + 1}`,
      color: `c${(l.index % 4) + 1}`,
      values: l.errors,
    }));
    this.chart.setData({ series, marks: [{ value: this.eps, label: `ε = ${this.eps}`, color: 'c2', dash: [5, 4] }] });
    redraw(this);
  }

  select(layer, p) {
    this.selected = `${layer}:${p}`;
    redraw(this);
  }

  render() {
    if (!this.top.length) {
      this.list.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'The worst coefficients are listed here once layers are pruned.' })));
      return;
    }
    // Re-rendering replaces the rows: keep the keyboard's place on the
    // row that had focus (selecting one re-renders the list).
    const focusedRow = this.list.contains(document.activeElement) ? { ...document.activeElement.dataset } : null;
    this.list.replaceChildren(
      ...this.top.map((t) => {
        const row = el(
          'tr',
          {
            class: `${this.selected === `${t.layer}:${t.p}` ? 'selected' : ''}${t.error > this.eps ? ' miss' : ''}`,
            tabindex: 0,
            role: 'button',
            // Named by its cells, as seen (what a voice-control user says).
            title: 'Open this coefficient below',
            data: { layer: t.layer, problem: t.p },
          },
          [
            el('td', { text: t.layer + 1 }),
            el('td', { text: `${t.out_field} ← ${t.in_field}` }),
            el('td', { text: t.basis_element }),
            el('td', { text: t.pool === 'positive' ? '+' : '−' }),
            el('td', { class: 'num', text: fmt.num(t.alpha, 4) }),
            el('td', { class: 'num', text: fmt.sci(t.error, 2) }),
          ],
        );
        const open = () => this.onPick(t);
        row.addEventListener('click', open);
        row.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter' || ev.key === ' ') {
            ev.preventDefault();
            open();
          }
        });
        return row;
      }),
    );
    if (focusedRow) this.list.querySelector(`tr[data-layer="${focusedRow.layer}"][data-problem="${focusedRow.problem}"]`)?.focus({ preventScroll: true });
  }
}

// ---- one coefficient, opened up ----

export class CoefficientPanel {
  constructor() {
    this.line = numberLine($('coef-line'), { x: { min: -1, max: 1 }, placeholder: 'The worst coefficient of the last layer opens here.' });
    this.zoom = numberLine($('coef-zoom'), { x: { min: -1, max: 1 }, placeholder: '' });
    this.text = $('coef-text');
    this.title = $('coef-title');
    this.reset();
  }

  reset() {
    this.problem = null;
    this.userPicked = false;
    redraw(this);
  }

  show(p, { user = false } = {}) {
    if (!user && this.userPicked) return;
    this.userPicked = this.userPicked || user;
    this.problem = p;
    redraw(this);
  }

  render() {
    const p = this.problem;
    const panel = $('coefficient-panel');
    if (!p) {
      this.line.setData({});
      this.zoom.setData({});
      this.title.textContent = 'No coefficient yet';
      this.text.textContent = 'After a run, this shows the subset-sum problem of one coefficient: its n random candidates, the ones kept, and how close their sum gets to the target α.';
      delete panel.dataset.layer;
      return;
    }
    const cands = [...p.candidates];
    const chosen = cands.map((_, j) => ((p.subset >>> j) & 1) === 1);
    const k = chosen.filter(Boolean).length;
    const lim = Math.max(1, ...cands.map(Math.abs), Math.abs(p.target), Math.abs(p.sum));
    const points = cands.map((c, j) => ({
      x: c,
      color: chosen[j] ? 'c1' : 'muted',
      size: chosen[j] ? 4.5 : 3,
      ring: !chosen[j],
      dy: chosen[j] ? -7 : 7,
    }));
    points.push({ x: p.target, shape: 'triangle', color: 'c2', size: 6, dy: -14, label: 'α' });
    points.push({ x: p.sum, shape: 'tick', color: 'c3', size: 7, dy: 0 });
    this.line.opts.x = { min: -lim, max: lim };
    this.line.setData({ points, marks: [{ value: 0, color: 'line', dash: [2, 3] }] });
    // Zoom: α and the sum, a few errors apart.
    const half = Math.max(Math.abs(p.sum - p.target) * 3, 1e-12);
    this.zoom.opts.x = { min: p.target - half, max: p.target + half, format: (v) => fmt.sci(v - p.target, 0) };
    this.zoom.opts.x.ticks = [p.target - half * 0.66, p.target, p.target + half * 0.66];
    this.zoom.opts.x.format = (v) => (Math.abs(v - p.target) < half * 1e-6 ? 'α' : `α ${v > p.target ? '+' : '−'} ${fmt.sci(Math.abs(v - p.target), 1)}`);
    this.zoom.setData({
      points: [
        { x: p.target, shape: 'triangle', color: 'c2', size: 6, dy: -2, label: 'α' },
        { x: p.sum, shape: 'tick', color: 'c3', size: 9, dy: 0, label: 'Σ kept' },
      ],
    });
    const layer = p.layer + 1;
    this.title.textContent = `Layer ${layer}: α[out ${p.out_field}, in ${p.in_field}, basis ${p.basis_element}], ${p.pool} pool${this.userPicked ? '' : ' — the worst of the last layer'}`;
    this.text.textContent =
      `${k} of ${p.n} candidates u·v kept (filled dots). Their sum ${fmt.num(p.sum, 7)} ` +
      `matches α = ${fmt.num(p.target, 7)} to ${fmt.sci(p.error, 2)}` +
      (this.eps ? ` — ε is ${this.eps}.` : '.') +
      ` The lower line zooms in on α.`;
    panel.dataset.layer = String(p.layer);
    panel.dataset.error = String(p.error);
  }
}

// ---- error vs n ----

export class SweepPanel {
  constructor() {
    this.chart = lineChart($('sweep-chart'), {
      x: { min: 3.5, max: 20.5, label: 'candidates per pool n', ticks: [4, 6, 8, 10, 12, 14, 16, 18, 20], format: String },
      y: { log: true, min: 1e-8, max: 1, label: 'coefficient error' },
      placeholder: 'Press “Sweep n” to fill this chart.',
    });
    this.status = $('sweep-status');
    this.reset();
  }

  reset(eps = 0.01) {
    this.eps = eps;
    this.points = [];
    this.draw();
  }

  add(point) {
    this.points.push(point);
    this.draw();
  }

  // The last run's n per layer, marked on the chart.
  setRun(nPerLayer) {
    this.runN = nPerLayer;
    this.draw();
  }

  draw() {
    const ns = [];
    for (let n = 4; n <= 20; n++) ns.push([n, 2 ** -n]);
    this.chart.setData({
      series: [
        { name: 'bound', legend: '2⁻ⁿ', color: 'muted', dash: [4, 4], points: ns, marker: false, width: 1.5 },
        { name: 'max', legend: 'max error', color: 'c2', points: this.points.map((p) => [p.n, p.max_coef_error]) },
        { name: 'mean', legend: 'mean error', color: 'c1', points: this.points.map((p) => [p.n, p.mean_coef_error]) },
      ],
      marks: [{ axis: 'y', value: this.eps, label: `ε = ${this.eps}`, color: 'c3' }, ...runMarks(this.runN ?? [])],
    });
    this.chart.opts.x.max = Math.max(20.5, ...(this.runN ?? []).map((n) => n + 0.5));
    this.chart.opts.note = riseNote(this.points);
    this.chart.canvas.dataset.points = String(this.points.length);
  }

  render() {}
}

// ---- accuracy + prediction grid ----

export class AccuracyPanel {
  constructor() {
    this.chart = lineChart($('accuracy-chart'), {
      x: { min: 0, label: 'test digits verified' },
      y: { label: 'accuracy' , format: (v) => `${Math.round(v * 1000) / 10}%` },
      placeholder: 'Accuracy appears while the ticket is verified.',
    });
    this.reset();
  }

  // `unit`: what a verified row is ('rotated test digits', 'test graphs', …).
  reset(total = 0, unit = 'rotated test digits') {
    this.total = total;
    this.unit = unit;
    this.chart.opts.x.label = `${unit} verified`;
    this.history = [];
    this.cmp = null;
    this.literal = null;
    this.chart.opts.x.max = Math.max(1, total);
    this.draw();
    redraw(this);
  }

  verifyProgress(e) {
    this.cmp = e.comparison;
    this.total = e.total;
    this.history.push([e.done, e.comparison.target_accuracy, e.comparison.ticket_accuracy, e.comparison.agreement]);
    this.draw();
    redraw(this);
  }

  literalChecked(check) {
    this.literal = check;
    redraw(this);
  }

  draw() {
    const h = this.history;
    this.chart.opts.x.max = Math.max(1, this.total);
    this.chart.setData({
      series: [
        { name: 'agreement', legend: 'agreement', color: 'c3', points: h.map((r) => [r[0], r[3]]) },
        { name: 'target', legend: 'target', color: 'c1', points: h.map((r) => [r[0], r[1]]) },
        { name: 'ticket', legend: 'ticket', color: 'c2', dash: [5, 3], points: h.map((r) => [r[0], r[2]]) },
      ],
    });
  }

  render() {
    const c = this.cmp;
    $('acc-target').textContent = c ? fmt.pct(c.target_accuracy) : '—';
    $('acc-ticket').textContent = c ? fmt.pct(c.ticket_accuracy) : '—';
    $('acc-agreement').textContent = c ? fmt.pct(c.agreement) : '—';
    $('acc-note').textContent = accuracyNote(c, this.total, this.unit, this.literal);
  }
}

export class PredictionGrid {
  constructor(container) {
    this.container = container;
    this.cells = [];
  }

  // Lays out `count` cells with the digits' labels and pixels (rotated by
  // their test angles), predictions pending.
  layout(count, labels, pixels, rows, cols) {
    this.source = { labels, pixels, rows, cols };
    this.cells = [];
    const cells = [];
    for (let i = 0; i < count; i++) {
      const canvas = el('canvas', { width: cols, height: rows, 'aria-label': `test digit ${i}, label ${labels[i]}` });
      drawTile(canvas, pixels, rows, cols, { offset: i * rows * cols });
      const pred = el('span', { class: 'pred', text: '' });
      const cell = el('figure', { class: 'cell', data: { index: i, label: labels[i] } }, [
        canvas,
        el('figcaption', {}, [el('span', { class: 'label', text: labels[i] }), pred]),
      ]);
      cell.tabIndex = 0;
      this.cells.push({ cell, pred, label: labels[i] });
      cells.push(cell);
    }
    this.container.replaceChildren(...cells);
    this.container.dataset.predicted = '0';
  }

  clearPredictions() {
    for (const c of this.cells) {
      delete c.cell.dataset.target;
      delete c.cell.dataset.ticket;
      c.cell.classList.remove('disagree', 'wrong');
      c.pred.textContent = '';
      c.pred.title = '';
    }
    this.container.dataset.predicted = '0';
  }

  // Predictions of the first cells (fewer when the run verified fewer digits).
  predictions(target, ticket) {
    let shown = 0;
    const count = Math.min(target.length, this.source?.pixels.length / (this.source?.rows * this.source?.cols) || 0);
    if (this.source && count !== this.cells.length) {
      const { labels, pixels, rows, cols } = this.source;
      this.layout(count, labels, pixels, rows, cols);
    }
    this.cells.forEach((c, i) => {
      c.cell.dataset.target = String(target[i]);
      c.cell.dataset.ticket = String(ticket[i]);
      c.cell.classList.toggle('disagree', target[i] !== ticket[i]);
      c.cell.classList.toggle('wrong', target[i] !== c.label);
      // "≠" as well as red: the difference is not told by colour alone.
      c.pred.textContent = `${target[i]}${target[i] === ticket[i] ? '·' : '≠'}${ticket[i]}`;
      c.pred.title = `target predicts ${target[i]}, ticket predicts ${ticket[i]}`;
      shown += 1;
    });
    this.container.dataset.predicted = String(shown);
  }
}

// ---- parameters and the lower bound ----

export class ParamsPanel {
  constructor() {
    this.chart = barChart($('params-chart'), { x: { log: true, label: 'parameters (log scale)' }, placeholder: 'Counts appear after a run.', labelWidth: 150 });
    this.reset(null, 0.01);
  }

  reset(model, eps) {
    this.model = model;
    this.eps = eps;
    this.report = null;
    this.draw();
    redraw(this);
  }

  done(report) {
    this.report = report;
    this.eps = report.eps;
    this.draw();
    redraw(this);
  }

  draw() {
    const r = this.report;
    if (!r) {
      this.chart.setData({});
      return;
    }
    const d = this.model?.num_coefficients ?? r.target_params;
    const bound = d * Math.log2(1 / r.eps);
    this.chart.setData({
      items: [
        { label: 'target coefficients d', value: d, color: 'c1', text: fmt.int(d) },
        { label: 'd · log₂(1/ε)', value: bound, color: 'muted', text: fmt.int(bound) },
        { label: 'ticket (kept)', value: r.ticket_params, color: 'c3', text: fmt.int(r.ticket_params) },
        { label: 'random source', value: r.source_params, color: 'c2', text: fmt.int(r.source_params) },
      ],
    });
  }

  render() {
    const r = this.report;
    const d = this.model?.num_coefficients ?? r?.target_params;
    $('p-target').textContent = fmt.int(d);
    $('p-source').textContent = r ? fmt.int(r.source_params) : '—';
    $('p-ticket').textContent = r ? fmt.int(r.ticket_params) : '—';
    $('p-sparsity').textContent = r ? fmt.pct(r.sparsity, 1) : '—';
    const bound = d * Math.log2(1 / this.eps);
    $('p-bound').textContent = Number.isFinite(bound) ? fmt.int(bound) : '—';
    $('p-ratio').textContent = r ? `${(r.ticket_params / bound).toFixed(2)} × / ${(r.source_params / bound).toFixed(1)} ×` : '—';
  }
}
