// The picture at the top of the page: the random source network (its own
// accuracy, its first-layer filters) → pruned, nothing trained → the ticket
// (accuracy, filters) = the trained target. Before a run it says what will
// appear; it draws only what the run reports.

import { sameWithin } from './explain.js';

const $ = (id) => document.getElementById(id);

// Diverging colours: negative blue, zero paper, positive red.
const NEG = [47, 91, 211];
const POS = [217, 72, 15];
const ZERO = [246, 247, 249];
// Weights drawn as |v/max|^GAMMA: small weights stay visible, not pale mush.
const GAMMA = 0.6;
const PX = 6; // canvas pixels per weight
const GAP = 3; // canvas pixels between kernels

const strong = (text) => Object.assign(document.createElement('strong'), { textContent: text });
const pct = (v) => `${(100 * v).toFixed(1)} %`;
const chancePct = (v) => `${Number((100 * v).toFixed(1))} %`;
const int = (v) => Math.round(v).toLocaleString('en');

// The number of classes: the last layer's output channels.
function classesOf(meta) {
  const layers = (meta?.architecture ?? []).filter((op) => Number.isInteger(op.c_out));
  return layers.length ? layers[layers.length - 1].c_out : 10;
}

function groupOrder(meta) {
  const m = /^([CD])(\d+)$/.exec(meta?.group ?? 'C1');
  return m ? Number(m[2]) * (m[1] === 'D' ? 2 : 1) : 1;
}

// Which kernels to draw and how: {count, across, kh, kw, per}. An
// equivariant layer: one row per field, its |G| turned copies side by side.
// `most`: at most that many rows.
function arrangement(f, meta, most) {
  const [rows, cols] = meta?.input_shape?.slice(1) ?? [28, 28];
  const image = f.ksize === 1 && f.in_channels === rows * cols;
  const kh = image ? rows : f.ksize;
  const kw = image ? cols : f.ksize;
  const g = f.groupOrder ?? groupOrder(meta);
  const across = g > 1 && !image ? g : image ? 4 : 8;
  const down = Math.min(most ?? (image ? 4 : 8), Math.ceil(f.out_channels / across));
  return { count: Math.min(f.out_channels, across * down), across, kh, kw, per: f.in_channels * f.ksize * f.ksize, fields: g > 1 && !image };
}

function maxAbs(w, n) {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(w[i]));
  return m || 1;
}

// Kernels of input channel 0 on `canvas`, on the colour scale ±max, at
// most `rows` rows; one field's turned copies outlined.
export function drawFilters(canvas, f, meta, max, rows = undefined) {
  const a = arrangement(f, meta, rows);
  const down = Math.ceil(a.count / a.across);
  const cw = a.kw * PX + GAP;
  const ch = a.kh * PX + GAP;
  canvas.width = a.across * cw + GAP;
  canvas.height = down * ch + GAP;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(canvas.width, canvas.height);
  // One RGBA word per pixel (the byte order of the platform, as ImageData
  // reads it); each weight is a PX × PX block of one colour.
  const px = new Uint32Array(img.data.buffer);
  const word = new Uint8Array(4);
  const asWord = new Uint32Array(word.buffer);
  for (let o = 0; o < a.count; o++) {
    const x0 = GAP + (o % a.across) * cw;
    const y0 = GAP + Math.floor(o / a.across) * ch;
    for (let y = 0; y < a.kh; y++) {
      for (let x = 0; x < a.kw; x++) {
        const v = f.weights[o * a.per + y * a.kw + x] / max;
        const t = Math.min(1, Math.abs(v) ** GAMMA);
        const c = v < 0 ? NEG : POS;
        for (let k = 0; k < 3; k++) word[k] = Math.round(ZERO[k] + t * (c[k] - ZERO[k]));
        word[3] = 255;
        const colour = asWord[0];
        for (let dy = 0; dy < PX; dy++) {
          const row = (y0 + y * PX + dy) * canvas.width + x0 + x * PX;
          px.fill(colour, row, row + PX);
        }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  if (a.fields) {
    // Field 0: one kernel and its |G| − 1 turned copies.
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 2;
    ctx.strokeRect(1, 1, canvas.width - 2, ch + GAP - 2);
  }
  return a;
}

export class HeroPicture {
  constructor() {
    this.picture = $('hero-picture');
    this.caption = $('hero-caption');
  }

  #acc(stage, value, label) {
    $(`hero-${stage}-accuracy`).textContent = value;
    $(`hero-${stage}`).querySelector('.stage-acc-label').textContent = label;
  }

  // Before a run: what will appear, and the target's accuracy from training.
  reset(model) {
    this.model = model;
    this.picture.dataset.state = 'empty';
    delete this.picture.dataset.source;
    const meta = model?.meta;
    const graph = model?.kind === 'graph';
    const chance = 1 / classesOf(meta);
    this.#acc('source', '?', `chance: ${chancePct(chance)}`);
    this.#acc('ticket', '?', 'after pruning');
    if (meta) {
      const count = meta.test_digits ?? meta.test_examples;
      const unit = graph ? (meta.readout === 'node' ? 'nodes' : 'graphs') : 'digits';
      this.#acc('target', pct(meta.test_accuracy), `of ${int(count)} test ${unit}`);
    } else this.#acc('target', '—', 'correct');
    this.caption.textContent = graph
      ? 'Press Run: the random source’s accuracy, then the ticket’s, appear here beside the trained target’s.'
      : 'Press Run: the random source’s filters and accuracy appear here, then the ticket’s — the target’s filters, found by pruning alone.';
  }

  running(digits, rowUnit) {
    const unit = rowUnit.replace('rotated ', '');
    this.picture.dataset.state = 'running';
    this.caption.textContent = `Pruning the source, then checking all three networks on ${int(digits)} ${unit}…`;
  }

  // The finished run's numbers: `report` (accuracies on the run's test
  // rows, the source's own where measured) and what a row is.
  done(report, rowUnit) {
    const unit = rowUnit.replace('rotated ', '');
    const meta = this.model?.meta;
    const n = report.test_digits;
    const of = `of ${int(n)} ${unit}`;
    const chance = 1 / classesOf(meta);
    const source = report.source_accuracy;
    this.#acc('source', Number.isFinite(source) ? pct(source) : '—', `${of}; chance: ${chancePct(chance)}`);
    this.#acc('ticket', pct(report.ticket_accuracy), of);
    this.#acc('target', pct(report.target_accuracy), of);
    this.picture.dataset.state = 'numbers';
    const before = Number.isFinite(source) ? `The random source gets ${pct(source)} right (chance: ${chancePct(chance)}). ` : '';
    this.caption.replaceChildren(
      before,
      'Pruned — nothing trained — the ticket gets ',
      strong(pct(report.ticket_accuracy)),
      ', the trained target ',
      strong(pct(report.target_accuracy)),
      `: ${sameWithin(report, unit)}.`,
    );
  }

  // The finished image run's first-layer filters {target, ticket, source}.
  filters(f) {
    if (!f || f.error || !f.target || !f.ticket) return;
    const meta = this.model?.meta;
    // One colour scale for target and ticket; the source on its own.
    const max = Math.max(maxAbs(f.target.weights, f.target.weights.length), maxAbs(f.ticket.weights, f.ticket.weights.length));
    drawFilters($('hero-target-filters'), f.target, meta, max);
    drawFilters($('hero-ticket-filters'), f.ticket, meta, max);
    if (f.source) drawFilters($('hero-source-filters'), f.source, meta, maxAbs(f.source.weights, f.source.weights.length));
    this.picture.dataset.source = f.source ? 'filters' : 'none';
    this.picture.dataset.state = 'filters';
  }
}
