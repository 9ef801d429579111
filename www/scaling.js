// The Scaling card: the paper's law, live. For the selected task, one
// prune-only run per ε (n from the bound, growth on — what `eslt prune
// --eps ε` runs) on the worker pool (the coordinator's 'scaling' job); each
// point comes from the core (WebRun.scalingPoint, the CLI's `eslt sweep
// --eps` point) and each slope from its least-squares fit (scalingFit). The
// other architectures of the task's family are drawn fainter from the
// shipped reference curves (scaling/<task>.json, `eslt sweep --eps … --seed
// 1 --test-digits 0 --json`), fetched on the card's first sight or run.

import { $, app, updateButtons } from './app.js';
import { batchProblems } from './backend.js';
import { readControls } from './controls.js';
import { fmt } from './dom.js';
import { IMAGE_TASKS, GRAPH_TASKS } from './state.js';
import { loadModel } from './task.js';
import { restartWorkers } from './workers.js';

export const SCALING_EPS = [0.1, 0.03, 0.01, 0.003, 0.001];
const SVG = 'http://www.w3.org/2000/svg';
const M = { left: 56, right: 14, top: 14, bottom: 40 };

const references = new Map(); // task → Promise of its shipped sweep (or null)
let live = null; // {task, seed, points: [], seconds}
let seen = false; // the card has been in view (its curves fetched)

// The tasks drawn beside `task`: its family's other models.
function family(task) {
  return (IMAGE_TASKS.includes(task) ? IMAGE_TASKS : GRAPH_TASKS).filter((t) => t !== task);
}

function reference(task) {
  if (!references.has(task)) {
    const p = fetch(`scaling/${task}.json`)
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    references.set(task, p);
  }
  return references.get(task);
}

async function loadFamily(task) {
  const list = await Promise.all(family(task).map(async (t) => ({ task: t, sweep: await reference(t) })));
  return list.filter((r) => r.sweep && r.sweep.points?.length);
}

function setState(state) {
  $('scaling').dataset.state = state;
  updateButtons();
}

// Fetches the reference curves when the card first comes into view.
export function watchScaling() {
  const card = $('scaling');
  const show = () => {
    seen = true;
    render();
  };
  if (typeof IntersectionObserver !== 'function') return show();
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      io.disconnect();
      show();
    }
  });
  io.observe(card);
  let pending = 0;
  addEventListener('resize', () => {
    if (!seen || pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      render();
    });
  });
}

// Another task was picked: its family's curves, and no live points yet.
export function scalingTaskChanged() {
  if (app.sweep?.kind === 'scaling') return;
  live = null;
  if ($('scaling').dataset.state !== 'idle') setState('idle');
  $('scaling-status').textContent = '';
  if (seen) render();
}

export async function toggleScaling() {
  if (app.sweep && app.sweep.kind === 'scaling') {
    app.pool.start({ type: 'stop', generation: app.sweep.generation });
    $('scaling-status').textContent = 'Cancelling…';
    return;
  }
  if (app.sweep || app.runState === 'running' || !app.ready) return;
  const s = readControls();
  if (!s) return;
  try {
    const model = await loadModel(s.task);
    await app.poolReady;
    const generation = ++app.generation;
    app.sweep = { kind: 'scaling', generation, startedAt: performance.now(), task: s.task };
    live = { task: s.task, seed: s.seed, points: [], seconds: null };
    seen = true;
    setState('running');
    $('scaling-status').textContent = `${s.task}, seed ${s.seed}: ε = ${SCALING_EPS[0]}…`;
    render();
    app.pool.start({
      type: 'scaling',
      generation,
      key: s.task,
      json: model.text,
      config: { eps: SCALING_EPS[0], seed: s.seed, testDigits: 0, literalSample: 0, batchProblems: batchProblems(), backend: app.backend.use },
      eps: SCALING_EPS,
    });
  } catch (e) {
    $('scaling-status').textContent = `Scaling sweep failed: ${e.message}`;
    endScaling('error');
  }
}

// The coordinator's messages of the scaling sweep in progress.
export function onScalingMessage(msg) {
  if (msg.type === 'scaling-point') {
    const p = msg.point;
    live.points.push(p);
    $('scaling-status').textContent = `ε = ${p.eps}: n = ${p.n_per_layer.join(', ')}, ${fmt.int(p.source_params)} source parameters (${fmt.sec(p.seconds)})`;
    render();
  } else if (msg.type === 'scaling-done') {
    live.seconds = (performance.now() - app.sweep.startedAt) / 1000;
    $('scaling').dataset.seconds = live.seconds.toFixed(3);
    $('scaling-status').textContent = msg.stopped
      ? `Cancelled after ${live.points.length} of ${SCALING_EPS.length} values of ε.`
      : `${live.points.length} tickets in ${fmt.sec(live.seconds)}.`;
    endScaling(msg.stopped ? 'cancelled' : 'done');
    render();
  } else if (msg.type === 'error') {
    $('scaling-status').textContent = `Scaling sweep failed: ${msg.error}`;
    endScaling('error');
    restartWorkers();
  }
}

// #scaling[data-state]: idle | running | done | cancelled | error.
export function endScaling(state) {
  app.sweep = null;
  setState(state);
}

// The slope (parameters per bit) of `points`' `key` against log₂(1/ε).
function slope(points, key) {
  if (points.length < 2 || !app.core) return Promise.resolve(null);
  const eps = points.map((p) => p.eps);
  const params = points.map((p) => p[key]);
  return app.core.request('scalingFit', { eps, params }).then((f) => f?.slope ?? null, () => null);
}

let drawing = 0;
async function render() {
  const mine = ++drawing;
  const task = live?.task ?? app.state.task;
  const refs = await loadFamily(task);
  const pts = live?.points ?? [];
  const [src, tkt] = await Promise.all([slope(pts, 'source_params'), slope(pts, 'ticket_params')]);
  if (mine !== drawing) return;
  draw($('scaling-chart'), task, pts, refs);
  explain(task, pts, refs, src, tkt);
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function draw(root, task, pts, refs) {
  root.replaceChildren();
  // Drawn at the chart's own width, so that its text stays legible on a phone.
  const W = Math.round(Math.max(320, Math.min(720, root.clientWidth || 640)));
  const H = W < 520 ? 280 : 340;
  root.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const all = [...pts, ...refs.flatMap((r) => r.sweep.points)];
  const ys = all.flatMap((p) => [p.source_params, p.ticket_params, p.bound_params]).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(ys.length ? Math.min(...ys) : 1e3));
  const hi = Math.ceil(Math.log10(ys.length ? Math.max(...ys) : 1e6));
  const bx = (eps) => Math.log2(1 / eps);
  const x0 = bx(0.1) - 0.3;
  const x1 = bx(0.001) + 0.3;
  const X = (eps) => M.left + ((bx(eps) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const Y = (v) => H - M.bottom - ((Math.log10(v) - lo) / Math.max(1, hi - lo)) * (H - M.top - M.bottom);
  const axes = svg('g', { class: 'axes' });
  for (let e = lo; e <= hi; e++) {
    axes.append(svg('line', { x1: M.left, x2: W - M.right, y1: Y(10 ** e), y2: Y(10 ** e), class: 'grid' }));
    const t = svg('text', { x: M.left - 6, y: Y(10 ** e) + 4, 'text-anchor': 'end' });
    t.textContent = `10${sup(e)}`;
    axes.append(t);
  }
  for (const eps of SCALING_EPS) {
    const t = svg('text', { x: X(eps), y: H - M.bottom + 16, 'text-anchor': 'middle' });
    t.textContent = bx(eps).toFixed(1);
    axes.append(t);
  }
  const xt = svg('text', { x: (M.left + W - M.right) / 2, y: H - 6, 'text-anchor': 'middle', class: 'title' });
  xt.textContent = 'bits of precision, log₂(1/ε)';
  const yt = svg('text', { x: 14, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', class: 'title', transform: `rotate(-90 14 ${(M.top + H - M.bottom) / 2})` });
  yt.textContent = 'parameters';
  axes.append(xt, yt);
  root.append(axes);
  const path = (points, key, cls) => svg('path', { class: cls, d: points.map((p, i) => `${i ? 'L' : 'M'}${X(p.eps).toFixed(1)},${Y(p[key]).toFixed(1)}`).join('') });
  refs.forEach((r, i) => {
    const g = svg('g', { class: `reference ref-${i}`, 'data-task': r.task });
    g.append(path(r.sweep.points, 'source_params', 'source'), path(r.sweep.points, 'ticket_params', 'ticket'), path(r.sweep.points, 'bound_params', 'bound'));
    root.append(g);
  });
  const g = svg('g', { class: 'live', 'data-task': task });
  if (pts.length) g.append(path(pts, 'bound_params', 'bound'), path(pts, 'source_params', 'source'), path(pts, 'ticket_params', 'ticket'));
  for (const p of pts) {
    const pt = svg('g', {
      class: 'point',
      'data-task': task,
      'data-eps': p.eps,
      'data-n': p.n_per_layer.join(','),
      'data-source-params': p.source_params,
      'data-ticket-params': p.ticket_params,
      'data-bound-params': p.bound_params,
      'data-mask-digest': p.mask_digest,
    });
    const title = svg('title');
    title.textContent = `ε = ${p.eps}: source ${fmt.int(p.source_params)}, ticket ${fmt.int(p.ticket_params)}, bound ${fmt.int(p.bound_params)}`;
    pt.append(title, svg('circle', { cx: X(p.eps), cy: Y(p.source_params), r: 4, class: 'source' }), svg('circle', { cx: X(p.eps), cy: Y(p.ticket_params), r: 4, class: 'ticket' }), svg('circle', { cx: X(p.eps), cy: Y(p.bound_params), r: 3, class: 'bound' }));
    g.append(pt);
  }
  root.append(g);
  legend(task, refs);
}

function sup(e) {
  const d = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
  return String(e)
    .split('')
    .map((c) => d[c])
    .join('');
}

function legend(task, refs) {
  const items = [
    ['live source', `${task}: random source`],
    ['live ticket', `${task}: ticket`],
    ['live bound', `${task}: bound d·log₂(1/ε)`],
    ...refs.map((r, i) => [`reference ref-${i}`, `${r.task} (shipped, seed ${r.sweep.seed})`]),
  ];
  $('scaling-legend').replaceChildren(
    ...items.map(([cls, text]) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = `scaling-swatch ${cls}`;
      li.append(sw, text);
      return li;
    }),
    ...(refs.length ? [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'Shipped curves: source solid, ticket dotted, bound dashed.' })] : []),
  );
}

function at(points, eps) {
  return points.find((p) => p.eps === eps);
}

function explain(task, pts, refs, src, tkt) {
  const out = $('scaling-text');
  if (!pts.length) {
    out.textContent = 'Press Sweep ε to find one ticket per ε for the selected task, here in the browser.';
    return;
  }
  const d = pts[0].target_params;
  const ratios = pts.map((p) => p.source_params / p.bound_params);
  const lines = [];
  if (src !== null && tkt !== null) {
    $('scaling').dataset.sourceSlope = String(src);
    $('scaling').dataset.ticketSlope = String(tkt);
    lines.push(
      `The curves are straight in log₂(1/ε): the random source grows by ${fmt.int(src)} parameters per bit (${fmt.num(src / d, 3)}·d, d = ${fmt.int(d)} basis coefficients) and the ticket by ${fmt.int(tkt)} (${fmt.num(tkt / d, 3)}·d) — the log(1/ε) law.`,
    );
  }
  lines.push(`The source stays ${fmt.num(Math.min(...ratios), 2)}–${fmt.num(Math.max(...ratios), 2)}× above the lower bound d·log₂(1/ε).`);
  const curve = (t) => (t === task ? pts : refs.find((r) => r.task === t)?.sweep.points ?? []);
  const c8 = at(curve('rotmnist-c8'), 0.01);
  const cnn = at(curve('rotmnist-cnn'), 0.01);
  if (IMAGE_TASKS.includes(task) && c8 && cnn) {
    const f = cnn.source_params / c8.source_params;
    $('scaling').dataset.cnnOverC8 = String(f);
    lines.push(`The equivariant networks sit well below the plain ones: at ε = 0.01 the plain CNN's random source (${fmt.int(cnn.source_params)}) is ${fmt.num(f, 3)}× c8's (${fmt.int(c8.source_params)}).`);
  } else if (!IMAGE_TASKS.includes(task)) {
    lines.push('Each graph and set model is equivariant to node (or element) permutations; what it needs is set by its basis coefficients d, not its weights.');
  }
  out.textContent = lines.join(' ');
}
