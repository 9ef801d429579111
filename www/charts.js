// The page's one canvas plotting module: a Plot with linear or log axes,
// tick labels, axis titles and a legend, device-pixel-ratio aware, redrawn
// at most once per animation frame. Every chart on the page is a Plot with
// some layers:
//   line    {points: [[x, y]…], color, dash, marker}   (appendable)
//   steps   {bins: [{lo, hi, count}…], color}           (a histogram)
//   vline / hline {value, color, dash, label}           (marks such as ε)
//   dots    {points: [{x, y?, color, size, ring}…]}     (a number line)
//   bars    {items: [{label, value, color}…]}           (horizontal bars)
// and lineChart / histogram / numberLine / barChart only choose axes.

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

// The palette from the CSS variables, read once (reading computed style
// forces a style recalculation) and again when the colour scheme changes.
let palette = null;
if (typeof matchMedia === 'function') {
  matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
    palette = null;
  });
}

function cssColors() {
  if (!palette) palette = readColors();
  return palette;
}

function readColors() {
  const s = getComputedStyle(document.documentElement);
  const get = (name, fallback) => s.getPropertyValue(name).trim() || fallback;
  return {
    text: get('--text', '#0f172a'),
    muted: get('--muted', '#5b6475'),
    line: get('--line', '#e2e6ec'),
    surface: get('--surface', '#ffffff'),
    series: [get('--c1', '#2f5bd3'), get('--c2', '#d9480f'), get('--c3', '#2b8a3e'), get('--c4', '#862e9c')],
  };
}

// Colour by name ('c1'…'c4', 'muted', 'text') or any CSS colour.
function resolve(color, colors) {
  if (!color) return colors.series[0];
  const m = /^c([1-4])$/.exec(color);
  if (m) return colors.series[Number(m[1]) - 1];
  return colors[color] ?? color;
}

// ---- scales and ticks ----

class Scale {
  constructor({ log = false, min, max }) {
    this.log = log;
    this.setDomain(min, max);
  }
  setDomain(min, max) {
    if (this.log) {
      min = Math.max(min, 1e-300);
      max = Math.max(max, min * 10);
    } else if (!(max > min)) {
      max = min + 1;
    }
    this.min = min;
    this.max = max;
  }
  t(v) {
    // 0..1 across the domain
    if (this.log) return (Math.log10(Math.max(v, 1e-300)) - Math.log10(this.min)) / (Math.log10(this.max) - Math.log10(this.min));
    return (v - this.min) / (this.max - this.min);
  }
  ticks(maxTicks = 6) {
    if (this.log) {
      const a = Math.ceil(Math.log10(this.min) - 1e-9);
      const b = Math.floor(Math.log10(this.max) + 1e-9);
      const step = Math.max(1, Math.ceil((b - a + 1) / maxTicks));
      const out = [];
      for (let e = a; e <= b; e += step) out.push(10 ** e);
      return out;
    }
    const span = this.max - this.min;
    const raw = span / maxTicks;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    const out = [];
    for (let v = Math.ceil(this.min / step) * step; v <= this.max + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }
}

export function formatTick(v, log) {
  if (v === 0) return '0';
  if (log) {
    const e = Math.round(Math.log10(v));
    if (e >= 0 && e <= 4) return String(10 ** e);
    if (e === -1) return '0.1';
    if (e === -2) return '0.01';
    return `1e${e}`;
  }
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

// ---- the plot ----

export class Plot {
  // opts: {x: {label, log, min, max, ticks, format, hidden}, y: {...} | null,
  //        placeholder, legend: true, margin: {l, r, t, b}, auto: true,
  //        note: text drawn inside the plot once it has data ('\n' breaks)}
  constructor(canvas, opts = {}) {
    this.canvas = canvas;
    this.opts = opts;
    this.x = new Scale(opts.x ?? { min: 0, max: 1 });
    this.y = opts.y ? new Scale(opts.y) : null;
    this.layers = [];
    this.placeholder = opts.placeholder ?? '';
    this.frame = 0;
    this.onDraw = null;
    if (typeof ResizeObserver !== 'undefined') {
      // The observer tells the size, so drawing never forces a layout.
      this.resizer = new ResizeObserver((entries) => {
        const r = entries[entries.length - 1].contentRect;
        this.size = { w: r.width, h: r.height };
        this.schedule();
      });
      this.resizer.observe(canvas);
    }
    this.schedule();
  }

  setLayers(layers) {
    this.layers = layers;
    this.schedule();
  }

  setPlaceholder(text) {
    this.placeholder = text;
    this.schedule();
  }

  // Appends a point to the line layer `name`.
  append(name, point) {
    const l = this.layers.find((q) => q.name === name);
    if (l) l.points.push(point);
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  // Domain from the data where the axis does not fix it.
  #autoDomain() {
    for (const [axis, scale, key] of [
      ['x', this.x, 0],
      ['y', this.y, 1],
    ]) {
      if (!scale) continue;
      const o = this.opts[axis] ?? {};
      if (o.min !== undefined && o.max !== undefined) {
        scale.setDomain(o.min, o.max);
        continue;
      }
      const vals = [];
      for (const l of this.layers) {
        if (l.kind === 'line') for (const p of l.points) vals.push(p[key]);
        if (l.kind === 'steps' && axis === 'x') for (const b of l.bins) vals.push(b.lo, b.hi);
        if (l.kind === 'steps' && axis === 'y') for (const b of l.bins) vals.push(b.count);
        if (l.kind === 'dots') for (const p of l.points) if ((axis === 'x' ? p.x : p.y) !== undefined) vals.push(axis === 'x' ? p.x : p.y);
        if (l.kind === 'bars' && axis === 'x') for (const it of l.items) vals.push(it.value);
        if ((l.kind === 'vline' && axis === 'x') || (l.kind === 'hline' && axis === 'y')) vals.push(l.value);
      }
      const good = vals.filter((v) => Number.isFinite(v) && (!scale.log || v > 0));
      if (!good.length) {
        scale.setDomain(o.min ?? (scale.log ? 1e-6 : 0), o.max ?? 1);
        continue;
      }
      let lo = o.min ?? Math.min(...good);
      let hi = o.max ?? Math.max(...good);
      if (scale.log) {
        if (o.min === undefined) lo = 10 ** Math.floor(Math.log10(lo));
        if (o.max === undefined) hi = 10 ** Math.ceil(Math.log10(hi));
        if (hi <= lo) hi = lo * 10;
      } else {
        if (o.zero && o.min === undefined) lo = Math.min(0, lo);
        const pad = (hi - lo || Math.abs(hi) || 1) * 0.06;
        if (o.min === undefined) lo -= pad;
        if (o.max === undefined) hi += pad;
      }
      scale.setDomain(lo, hi);
    }
  }

  draw() {
    const c = this.canvas;
    const { w, h } = this.size ?? { w: c.clientWidth, h: c.clientHeight };
    if (!w || !h) return;
    const dpr = window.devicePixelRatio || 1;
    const W = Math.round(w * dpr);
    const H = Math.round(h * dpr);
    if (c.width !== W || c.height !== H) {
      c.width = W;
      c.height = H;
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const colors = cssColors();
    const m = {
      l: this.opts.margin?.l ?? (this.y ? 52 : 12),
      r: this.opts.margin?.r ?? 20,
      t: this.opts.margin?.t ?? (this.opts.legend === false ? 10 : 24),
      b: this.opts.margin?.b ?? (this.opts.x?.hidden ? 8 : this.opts.x?.label ? 40 : 24),
    };
    const box = { x: m.l, y: m.t, w: Math.max(10, w - m.l - m.r), h: Math.max(10, h - m.t - m.b) };
    const empty = !this.layers.some(
      (l) => (l.points && l.points.length) || (l.bins && l.bins.length) || (l.items && l.items.length),
    );
    this.#autoDomain();
    const px = (v) => box.x + this.x.t(v) * box.w;
    const py = (v) => (this.y ? box.y + (1 - this.y.t(v)) * box.h : box.y + box.h / 2);

    ctx.font = FONT;
    ctx.lineWidth = 1;
    // grid + axes (a number line or bar chart without data shows only its placeholder)
    const bare = empty && this.placeholder && !this.y;
    if (!this.opts.x?.hidden && !bare) {
      ctx.strokeStyle = colors.line;
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      const fmt = this.opts.x?.format ?? ((v) => formatTick(v, this.x.log));
      for (const v of this.opts.x?.ticks ?? this.x.ticks(Math.max(2, Math.floor(box.w / 70)))) {
        const X = Math.round(px(v)) + 0.5;
        if (X < box.x - 1 || X > box.x + box.w + 1) continue;
        if (this.y) {
          ctx.beginPath();
          ctx.moveTo(X, box.y);
          ctx.lineTo(X, box.y + box.h);
          ctx.stroke();
        }
        ctx.fillText(fmt(v), X, box.y + box.h + 5);
      }
      if (this.opts.x?.label) {
        ctx.fillStyle = colors.text;
        ctx.fillText(this.opts.x.label, box.x + box.w / 2, box.y + box.h + 22);
      }
    }
    if (this.y) {
      ctx.strokeStyle = colors.line;
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      const fmt = this.opts.y?.format ?? ((v) => formatTick(v, this.y.log));
      for (const v of this.opts.y?.ticks ?? this.y.ticks(Math.max(2, Math.floor(box.h / 40)))) {
        const Y = Math.round(py(v)) + 0.5;
        if (Y < box.y - 1 || Y > box.y + box.h + 1) continue;
        ctx.beginPath();
        ctx.moveTo(box.x, Y);
        ctx.lineTo(box.x + box.w, Y);
        ctx.stroke();
        ctx.fillText(fmt(v), box.x - 6, Y);
      }
      if (this.opts.y?.label) {
        ctx.save();
        ctx.translate(12, box.y + box.h / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillStyle = colors.text;
        ctx.fillText(this.opts.y.label, 0, 0);
        ctx.restore();
      }
      ctx.strokeStyle = colors.muted;
      ctx.beginPath();
      ctx.moveTo(box.x + 0.5, box.y);
      ctx.lineTo(box.x + 0.5, box.y + box.h + 0.5);
      ctx.lineTo(box.x + box.w, box.y + box.h + 0.5);
      ctx.stroke();
    } else if (!this.opts.x?.hidden && !bare) {
      // A number line through the middle, or a baseline under bars.
      const Y = this.opts.baseline === 'bottom' ? box.y + box.h + 0.5 : Math.round(box.y + box.h / 2) + 0.5;
      ctx.strokeStyle = colors.muted;
      ctx.beginPath();
      ctx.moveTo(box.x, Y);
      ctx.lineTo(box.x + box.w, Y);
      ctx.stroke();
    }

    ctx.save();
    if (this.y) {
      ctx.beginPath();
      ctx.rect(box.x - 6, box.y - 6, box.w + 12, box.h + 12);
      ctx.clip();
    }
    for (const l of this.layers) this.#drawLayer(ctx, l, { px, py, box, colors });
    ctx.restore();
    // labels of marks, unclipped
    for (const l of this.layers) this.#drawMarkLabel(ctx, l, { px, py, box, colors });

    if (this.opts.legend !== false) {
      const named = this.layers.filter((l) => l.legend);
      let X = box.x + box.w;
      ctx.font = SMALL;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      for (const l of [...named].reverse()) {
        const tw = ctx.measureText(l.legend).width;
        ctx.fillStyle = colors.text;
        ctx.fillText(l.legend, X, 10);
        X -= tw + 6;
        ctx.strokeStyle = resolve(l.color, colors);
        ctx.lineWidth = 2;
        ctx.setLineDash(l.dash ?? []);
        ctx.beginPath();
        ctx.moveTo(X - 16, 10);
        ctx.lineTo(X, 10);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.lineWidth = 1;
        X -= 28;
      }
    }
    if (!empty && this.opts.note) {
      // A short explanation inside the plot, lower left, on a halo.
      ctx.font = SMALL;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      const lines = String(this.opts.note).split('\n');
      lines.forEach((text, i) => {
        const Y = box.y + box.h - 4 - 13 * (lines.length - 1 - i);
        ctx.save();
        ctx.strokeStyle = colors.surface;
        ctx.lineWidth = 4;
        ctx.lineJoin = 'round';
        ctx.strokeText(text, box.x + 6, Y);
        ctx.restore();
        ctx.fillStyle = colors.text;
        ctx.fillText(text, box.x + 6, Y);
      });
    }
    if (empty && this.placeholder) {
      ctx.font = FONT;
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.placeholder, box.x + box.w / 2, box.y + box.h / 2 - (this.y ? 0 : 14));
    }
    c.dataset.drawn = String((Number(c.dataset.drawn) || 0) + 1);
    this.onDraw?.();
  }

  #drawLayer(ctx, l, { px, py, box, colors }) {
    const color = resolve(l.color, colors);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.setLineDash(l.dash ?? []);
    ctx.lineWidth = l.width ?? 2;
    if (l.kind === 'line') {
      const pts = l.points.filter((p) => Number.isFinite(p[1]) && (!this.y?.log || p[1] > 0));
      ctx.beginPath();
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
      ctx.stroke();
      ctx.setLineDash([]);
      if (l.marker !== false) {
        for (const [x, y] of pts) {
          ctx.beginPath();
          ctx.arc(px(x), py(y), 2.6, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    } else if (l.kind === 'steps') {
      const base = this.y.log ? this.y.min : 0;
      ctx.beginPath();
      let first = true;
      for (const b of l.bins) {
        const v = this.y.log ? Math.max(b.count, base) : b.count;
        const X0 = px(b.lo);
        const X1 = px(b.hi);
        const Y = py(v);
        if (first) {
          ctx.moveTo(X0, py(base));
          first = false;
        }
        ctx.lineTo(X0, Y);
        ctx.lineTo(X1, Y);
      }
      if (!first) ctx.lineTo(px(l.bins[l.bins.length - 1].hi), py(base));
      ctx.globalAlpha = 0.14;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    } else if (l.kind === 'vline' || l.kind === 'hline') {
      ctx.lineWidth = l.width ?? 1.5;
      ctx.setLineDash(l.dash ?? [5, 4]);
      ctx.beginPath();
      if (l.kind === 'vline') {
        const X = Math.round(px(l.value)) + 0.5;
        ctx.moveTo(X, box.y);
        ctx.lineTo(X, box.y + box.h);
      } else {
        const Y = Math.round(py(l.value)) + 0.5;
        ctx.moveTo(box.x, Y);
        ctx.lineTo(box.x + box.w, Y);
      }
      ctx.stroke();
    } else if (l.kind === 'dots') {
      ctx.setLineDash([]);
      for (const p of l.points) {
        const X = px(p.x);
        const Y = p.y === undefined ? py(0) + (p.dy ?? 0) : py(p.y);
        const r = p.size ?? 3.5;
        ctx.fillStyle = resolve(p.color ?? l.color, colors);
        ctx.strokeStyle = ctx.fillStyle;
        ctx.beginPath();
        if (p.shape === 'tick') {
          ctx.lineWidth = 2;
          ctx.moveTo(X, Y - r);
          ctx.lineTo(X, Y + r);
          ctx.stroke();
        } else if (p.shape === 'triangle') {
          ctx.moveTo(X, Y + 1);
          ctx.lineTo(X - r, Y - r * 1.6);
          ctx.lineTo(X + r, Y - r * 1.6);
          ctx.closePath();
          ctx.fill();
        } else {
          ctx.arc(X, Y, r, 0, 2 * Math.PI);
          if (p.ring) {
            ctx.lineWidth = 1.5;
            ctx.stroke();
          } else ctx.fill();
        }
      }
    } else if (l.kind === 'bars') {
      const n = l.items.length;
      const rowH = box.h / Math.max(1, n);
      const barH = Math.min(22, rowH * 0.62);
      const x0 = this.x.log ? this.x.min : 0;
      l.items.forEach((it, i) => {
        const Y = box.y + i * rowH + (rowH - barH) / 2;
        ctx.fillStyle = resolve(it.color, colors);
        ctx.fillRect(px(x0), Y, Math.max(1, px(it.value) - px(x0)), barH);
      });
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
  }

  #drawMarkLabel(ctx, l, { px, py, box, colors }) {
    ctx.font = SMALL;
    ctx.fillStyle = resolve(l.color, colors);
    if ((l.kind === 'vline' || l.kind === 'hline') && l.label) {
      // A halo in the background colour: a curve crossing the label does
      // not cross out its text.
      const label = (text, x, y) => {
        ctx.save();
        ctx.strokeStyle = colors.surface;
        ctx.lineWidth = 4;
        ctx.lineJoin = 'round';
        ctx.strokeText(text, x, y);
        ctx.restore();
        ctx.fillText(text, x, y);
      };
      if (l.kind === 'vline') {
        const X = px(l.value);
        const right = X < box.x + box.w - 60;
        ctx.textAlign = right ? 'left' : 'right';
        ctx.textBaseline = 'top';
        // labelRow: marks close together put their labels on separate rows.
        label(l.label, X + (right ? 4 : -4), box.y + 2 + 13 * (l.labelRow ?? 0));
      } else {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        label(l.label, box.x + box.w - 2, py(l.value) - 2);
      }
    }
    if (l.kind === 'bars') {
      const rowH = box.h / Math.max(1, l.items.length);
      ctx.textBaseline = 'middle';
      l.items.forEach((it, i) => {
        const Yc = box.y + i * rowH + rowH / 2;
        ctx.fillStyle = colors.text;
        ctx.textAlign = 'right';
        ctx.fillText(it.label, box.x - 8, Yc);
        const X = px(it.value);
        const inside = X > box.x + box.w - 70;
        ctx.textAlign = inside ? 'right' : 'left';
        ctx.fillStyle = inside ? colors.surface : colors.text;
        ctx.fillText(it.text ?? String(it.value), inside ? X - 6 : X + 6, Yc);
      });
    }
    if (l.kind === 'dots') {
      ctx.textAlign = 'center';
      for (const p of l.points) {
        if (!p.label) continue;
        ctx.fillStyle = resolve(p.color ?? l.color, colors);
        const Y = p.y === undefined ? py(0) + (p.dy ?? 0) : py(p.y);
        ctx.textBaseline = p.labelBelow ? 'top' : 'bottom';
        const off = (p.size ?? 3.5) * 1.8 + 2;
        let X = px(p.x);
        X = Math.min(Math.max(X, box.x + 20), box.x + box.w - 20);
        ctx.fillText(p.label, X, p.labelBelow ? Y + off : Y - off);
      }
    }
  }
}

// ---- the chart kinds ----

// A line chart; series: [{name, legend, color, dash, points}], marks:
// [{axis: 'x'|'y', value, label, color}].
export function lineChart(canvas, { x, y, series = [], marks = [], placeholder }) {
  const plot = new Plot(canvas, { x, y, placeholder });
  plot.series = series.map((s) => ({ kind: 'line', points: [], ...s }));
  plot.marks = marks;
  plot.setData = function setData({ series: s = this.series, marks: mk = this.marks } = {}) {
    this.series = s.map((q) => ({ kind: 'line', points: [], ...q }));
    this.marks = mk;
    this.setLayers([
      ...mk.map((q) => ({ kind: q.axis === 'x' ? 'vline' : 'hline', color: 'muted', ...q })),
      ...this.series,
    ]);
  };
  plot.setData();
  return plot;
}

// Log-spaced bins from lo to hi (values below lo go in the first bin).
export function logBins(values, lo, hi, count) {
  const l0 = Math.log10(lo);
  const step = (Math.log10(hi) - l0) / count;
  const bins = Array.from({ length: count }, (_, i) => ({ lo: 10 ** (l0 + i * step), hi: 10 ** (l0 + (i + 1) * step), count: 0 }));
  for (const v of values) {
    let i = Math.floor((Math.log10(Math.max(v, lo)) - l0) / step);
    i = Math.min(count - 1, Math.max(0, i));
    bins[i].count += 1;
  }
  return bins;
}

// A histogram with log-x bins; series: [{legend, color, values}].
export function histogram(canvas, { x, y, bins = 40, placeholder }) {
  const plot = new Plot(canvas, { x: { log: true, ...x }, y: { log: true, ...y }, placeholder });
  plot.setData = function setData({ series = [], marks = [] }) {
    const lo = x.min;
    const hi = x.max;
    this.setLayers([
      ...series.map((s) => ({ kind: 'steps', legend: s.legend, color: s.color, bins: logBins(s.values, lo, hi, bins) })),
      ...marks.map((q) => ({ kind: 'vline', color: 'muted', ...q })),
    ]);
  };
  return plot;
}

// Points along one axis: points [{x, color, size, shape, label}], marks
// [{value, label, color}].
export function numberLine(canvas, { x, placeholder }) {
  const plot = new Plot(canvas, { x, y: null, placeholder, legend: false, margin: { l: 18, r: 18, t: 30, b: 30 } });
  plot.setData = function setData({ points = [], marks = [] }) {
    this.setLayers([...marks.map((q) => ({ kind: 'vline', color: 'muted', ...q })), { kind: 'dots', points }]);
  };
  return plot;
}

// Horizontal bars (log or linear x): items [{label, value, color, text}].
export function barChart(canvas, { x, placeholder, labelWidth = 130 }) {
  const plot = new Plot(canvas, { x, y: null, placeholder, legend: false, baseline: 'bottom', margin: { l: labelWidth, r: 16, t: 8 } });
  plot.setData = function setData({ items = [], marks = [] }) {
    this.setLayers([{ kind: 'bars', items }, ...marks.map((q) => ({ kind: 'vline', color: 'muted', ...q }))]);
  };
  return plot;
}
