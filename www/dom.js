// The DOM helpers every panel uses: elements built with their text (never
// HTML), number formats, and drawing on the next animation frame within a
// time budget.

export function el(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
    else e.setAttribute(k, String(v));
  }
  for (const c of [].concat(children)) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// Scrolls `e` into view: smoothly, unless the visitor asked for less motion.
export function reveal(e) {
  const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
  e.scrollIntoView({ block: 'nearest', behavior: reduce ? 'auto' : 'smooth' });
}

export const fmt = {
  int: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '—'),
  pct: (v, d = 2) => (Number.isFinite(v) ? `${(100 * v).toFixed(d)} %` : '—'),
  sci: (v, d = 1) => (Number.isFinite(v) ? (v === 0 ? '0' : v.toExponential(d).replace('e-', 'e−')) : '—'),
  num: (v, d = 4) => (Number.isFinite(v) ? String(Number(v.toPrecision(d))) : '—'),
  sec: (v) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} s` : '—'),
};

// Panels that changed are drawn on the next animation frame, in one pass
// but within a time budget: what does not fit waits for the next frame, so
// no frame's task grows long. While a run keeps every core busy, frames
// are spaced by at least `minGap` ms (drawEvery): each frame's style,
// layout, paint and compositing take CPU time from the workers.
const dirty = new Set();
let frame = 0;
let timer = 0;
let minGap = 0;
let lastDraw = -Infinity;
const BUDGET_MS = 8;
export function redraw(panel) {
  dirty.add(panel);
  schedule();
}

function schedule() {
  if (frame || timer) return;
  const wait = lastDraw + minGap - performance.now();
  if (wait > 0) {
    timer = setTimeout(() => {
      timer = 0;
      frame = requestAnimationFrame(drawDirty);
    }, wait);
  } else {
    frame = requestAnimationFrame(drawDirty);
  }
}

function drawDirty() {
  frame = 0;
  const start = performance.now();
  lastDraw = start;
  for (const p of [...dirty]) {
    if (performance.now() - start > BUDGET_MS) break;
    dirty.delete(p);
    p.render();
  }
  if (dirty.size) schedule();
}

// Panels are drawn at most every `ms` milliseconds from now on (0: on every
// animation frame); what waits is drawn at once when the gap is lifted.
export function drawEvery(ms) {
  minGap = ms;
  if (!ms && timer) {
    clearTimeout(timer);
    timer = 0;
    schedule();
  }
}
