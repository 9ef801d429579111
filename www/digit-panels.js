// The image-only panels: the first-layer filters of target and ticket side
// by side, and the rotation card (a digit turned while the ticket's
// feature maps turn with it). They draw what the core sends
// (WebRun.filters, WebRun.featureMaps), group sizes included.

import { el, fmt, redraw } from './dom.js';
import { drawFilters } from './hero.js';
import { drawTile, maxAbs } from './images.js';

const $ = (id) => document.getElementById(id);

// ---- first-layer filters ----

export class FiltersPanel {
  constructor() {
    this.note = $('filters-note');
    this.reset(null);
  }

  reset(model) {
    this.model = model;
    this.data = null;
    redraw(this);
  }

  done(filters, model) {
    this.model = model;
    this.data = filters;
    redraw(this);
  }

  // One canvas of the kernels (in-channel 0), up to 16 rows; what was drawn.
  #draw(canvas, f, max) {
    return drawFilters(canvas, f, this.model, max, 16);
  }

  render() {
    const t = $('filters-target');
    const k = $('filters-ticket');
    if (!this.data || this.data.error) {
      for (const c of [t, k]) {
        c.width = 1;
        c.height = 1;
      }
      this.note.textContent = this.data?.error
        ? `Filters unavailable: ${this.data.error}`
        : 'After a run: the target’s first-layer kernels beside the ticket’s (blue negative, red positive, one colour scale for both).';
      return;
    }
    const { target, ticket } = this.data;
    const max = Math.max(maxAbs(target.weights), maxAbs(ticket.weights));
    let diff = 0;
    for (let i = 0; i < target.weights.length; i++) diff = Math.max(diff, Math.abs(target.weights[i] - ticket.weights[i]));
    const g = target.groupOrder;
    const [rows, cols] = this.model?.input_shape?.slice(1) ?? [28, 28];
    const shown = this.#draw(t, target, max).count;
    this.#draw(k, ticket, max);
    const of = shown < target.out_channels ? `The first ${shown} of ${target.out_channels}` : `${target.out_channels}`;
    const shape = target.ksize === 1 ? `${of} hidden units, each a ${rows}×${cols} image of its weights` : `${of} kernels of ${target.ksize}×${target.ksize}`;
    const layout = g > 1 && target.ksize > 1 ? ` Each row is one field: its ${g} kernels are one kernel, turned by each element of the group (the outlined row: field 0). Blue negative, red positive, one colour scale for both.` : ' Blue negative, red positive, one colour scale for both.';
    this.note.textContent = `${shape}.${layout} Largest difference ${fmt.sci(diff, 1)} against a largest weight of ${fmt.num(max, 3)}: the two look the same.`;
    $('filters-card').dataset.maxDiff = String(diff);
  }
}

// ---- rotation: feature maps turning with the digit ----

export class RotationPanel {
  constructor({ onChange }) {
    this.slider = $('fm-angle');
    this.output = $('fm-angle-value');
    this.field = $('fm-field');
    this.digitInput = $('fm-digit');
    this.onChange = onChange;
    this.data = null;
    this.slider.addEventListener('input', () => this.changed());
    this.field.addEventListener('change', () => redraw(this));
    this.digitInput.addEventListener('change', () => this.changed());
    this.reset(null);
  }

  reset(model) {
    this.model = model;
    this.data = null;
    this.enable(false);
    redraw(this);
  }

  enable(on) {
    for (const c of [this.slider, this.field, this.digitInput]) c.disabled = !on;
  }

  angle() {
    return Number(this.slider.value);
  }

  digit() {
    const v = Number.parseInt(this.digitInput.value, 10);
    const max = Number(this.digitInput.max) || 0;
    return Number.isFinite(v) ? Math.min(Math.max(0, v), max) : 0;
  }

  setDigit(i) {
    this.digitInput.value = String(i);
    this.changed();
  }

  changed() {
    this.output.textContent = `${this.angle()}°`;
    this.onChange(this.digit(), this.angle());
  }

  show(data) {
    this.data = data;
    const g = data.groupOrder;
    const fields = Math.max(1, Math.floor(data.channels / g));
    if (this.field.options.length !== fields) {
      const keep = Math.min(Number(this.field.value) || 0, fields - 1);
      this.field.replaceChildren(...Array.from({ length: fields }, (_, i) => el('option', { value: i, text: g > 1 ? `field ${i}` : `channels ${i * 8}–${i * 8 + 7}` })));
      this.field.value = String(keep);
    }
    this.enable(true);
    redraw(this);
  }

  render() {
    const d = this.data;
    const row = $('fm-maps');
    const digit = $('fm-digit-canvas');
    const pred = $('fm-pred');
    const note = $('fm-note');
    if (!d) {
      row.replaceChildren(...Array.from({ length: 8 }, () => el('div', { class: 'fm-slot placeholder' })));
      digit.width = 28;
      digit.height = 28;
      digit.getContext('2d').clearRect(0, 0, 28, 28);
      pred.textContent = '—';
      note.textContent = 'After a run, turn the digit: the ticket’s first-layer feature maps turn with it.';
      return;
    }
    drawTile(digit, d.image, d.rows, d.cols);
    const g = d.groupOrder;
    const fieldCount = Math.max(1, Math.floor(d.channels / g));
    const f = Math.min(Number(this.field.value) || 0, fieldCount - 1);
    const perField = g > 1 ? g : Math.min(8, d.channels);
    const first = g > 1 ? f * g : Math.min(f * 8, Math.max(0, d.channels - perField));
    const size = d.height * d.width;
    const max = maxAbs(d.maps, first * size, (first + perField) * size) || 1;
    let strongest = 0;
    let best = -1;
    for (let c = 0; c < perField; c++) {
      let s = 0;
      for (let i = 0; i < size; i++) s += d.maps[(first + c) * size + i];
      if (s > best) {
        best = s;
        strongest = c;
      }
    }
    const slots = [];
    for (let c = 0; c < perField; c++) {
      const cv = el('canvas', { class: 'fm-map' });
      drawTile(cv, d.maps, d.height, d.width, { max, offset: (first + c) * size });
      const label = g > 1 ? (d.reflections ? `g${c}` : `${Math.round((360 / g) * c)}°`) : `#${first + c}`;
      slots.push(el('figure', { class: `fm-slot${c === strongest ? ' strongest' : ''}` }, [cv, el('figcaption', { text: label })]));
    }
    row.replaceChildren(...slots);
    row.dataset.strongest = String(strongest);
    const same = d.targetPrediction === d.ticketPrediction;
    pred.textContent = `target ${d.targetPrediction} · ticket ${d.ticketPrediction}${same ? '' : ' (they differ)'}`;
    const step = g > 1 ? 360 / d.rotations : 0;
    note.textContent =
      g > 1
        ? d.reflections
          ? `The ${g} channels of one regular field, one per element of ${this.model.group} (${d.rotations} rotations × 2 reflections). Turn the digit by ${step}° and the channels swap places among themselves (the outlined one is the strongest). The predictions stay.`
          : `The ${g} channels of one regular field, one per rotation. Turn the digit by ${step}° and they move along by one place (the outlined one is the strongest); in between, they blend. The predictions stay.`
        : 'This network has no rotation group: its channels are independent, so turning the digit changes them in no fixed pattern.';
    $('rotation-card').dataset.angle = String(this.angle());
  }
}
