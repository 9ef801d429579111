// The page: wires the worker-hosted Rust core, the shipped test digits and
// the UI. Any failure ends up as a visible message, never a blank page.

import { CoreClient } from './core-client.js';
import { fetchDigits } from './digit-data.js';
import { DigitGrid } from './digit-grid.js';

const DATA_URL = 'data/mnist-t10k-2000.digits.gz';
const PER_PAGE = 48;

const $ = (id) => document.getElementById(id);

function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

function showError(error) {
  console.error(error);
  $('error-message').textContent = error?.message ?? String(error);
  $('error').hidden = false;
  setStatus('error', 'error');
  if (!$('grid').childElementCount) $('digits-summary').textContent = 'Not loaded.';
  for (const id of ['rotation', 'prev-page', 'next-page']) $(id).disabled = true;
}

// URL state (?rotation=…&page=…) so a link reproduces the view.
function readUrlState() {
  const q = new URLSearchParams(location.search);
  const rotation = Number.parseInt(q.get('rotation') ?? '0', 10);
  const page = Number.parseInt(q.get('page') ?? '0', 10);
  return {
    rotation: Number.isFinite(rotation) ? ((rotation % 361) + 361) % 361 : 0,
    page: Number.isFinite(page) && page >= 0 ? page : 0,
  };
}

function writeUrlState({ rotation, page }) {
  const q = new URLSearchParams(location.search);
  q.set('rotation', String(rotation));
  q.set('page', String(page));
  history.replaceState(null, '', `?${q}`);
}

async function describeWebGpu() {
  const el = $('gpu-status');
  if (!('gpu' in navigator)) {
    el.textContent = 'not available (the CPU path will be used)';
    el.dataset.available = 'false';
    return;
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture].filter(Boolean).join(' ');
    el.textContent = `available${name ? ` (${name})` : ''}`;
    el.dataset.available = 'true';
  } catch (e) {
    el.textContent = `not available: ${e.message} (the CPU path will be used)`;
    el.dataset.available = 'false';
  }
}

async function main() {
  const core = new CoreClient({ onFatal: showError });
  describeWebGpu();

  const hello = core.request('hello').then(({ version }) => {
    $('version').textContent = version;
    $('core-status').textContent = `Rust ${version} in a Web Worker`;
  });
  const bytes = await fetchDigits(DATA_URL);
  await hello;
  const set = await core.request('load', { bytes: bytes.buffer }, [bytes.buffer]);

  const state = readUrlState();
  const pages = Math.ceil(set.count / PER_PAGE);
  state.page = Math.min(state.page, pages - 1);
  const grid = new DigitGrid($('grid'), set);
  $('digits-summary').textContent =
    `${set.count.toLocaleString('en')} digits of ${set.rows}×${set.cols} from the MNIST t10k test set, ` +
    'each with its seeded test rotation.';

  const slider = $('rotation');
  slider.value = String(state.rotation);

  // Coalesce slider moves: at most one rotation request in flight.
  let busy = false;
  let queued = false;
  let laidOutPage = -1;
  async function render() {
    if (busy) {
      queued = true;
      return;
    }
    busy = true;
    try {
      do {
        queued = false;
        const { page, rotation } = state;
        const first = page * PER_PAGE;
        const indices = [];
        for (let i = first; i < Math.min(first + PER_PAGE, set.count); i++) indices.push(i);
        if (laidOutPage !== page) {
          grid.layout(indices, set.labels);
          laidOutPage = page;
        }
        const extra = (rotation * Math.PI) / 180;
        const angles = indices.map((i) => set.testAngles[i] + extra);
        const { pixels } = await core.request('rotate', { indices, angles });
        const anglesDeg = angles.map((a) => ((a * 180) / Math.PI) % 360);
        grid.draw(pixels, anglesDeg);
        $('grid').dataset.extraAngle = String(rotation);
        $('page-label').textContent = `${first + 1}–${first + indices.length} of ${set.count.toLocaleString('en')}`;
        $('prev-page').disabled = page === 0;
        $('next-page').disabled = page >= pages - 1;
      } while (queued);
    } finally {
      busy = false;
    }
  }

  const update = (change) => {
    Object.assign(state, change);
    $('rotation-value').textContent = `${state.rotation}°`;
    writeUrlState(state);
    render().catch(showError);
  };
  slider.addEventListener('input', () => update({ rotation: Number(slider.value) }));
  $('prev-page').addEventListener('click', () => update({ page: Math.max(0, state.page - 1) }));
  $('next-page').addEventListener('click', () => update({ page: Math.min(pages - 1, state.page + 1) }));

  $('rotation-value').textContent = `${state.rotation}°`;
  await render();
  slider.disabled = false;
  setStatus('ready', 'ready');
}

main().catch(showError);
