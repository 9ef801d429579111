// All the test digits (inside Details): 48 a page, each turned by its
// seeded test angle plus the slider's extra rotation (rotation done by the
// Rust core in worker.js), with the last run's predictions once there is
// one. Its view (?rotation=…&page=…) is in the URL.

import { DigitGrid } from './digit-grid.js';

const PER_PAGE = 48;
const $ = (id) => document.getElementById(id);

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

// Shows the section; resolves once the first page is drawn.
export async function startDigitView(core, set, onError) {
  const state = readUrlState();
  const pages = Math.ceil(set.count / PER_PAGE);
  state.page = Math.min(state.page, pages - 1);
  const grid = new DigitGrid($('grid'), set);
  const predictions = { target: null, ticket: null };
  $('digits-summary').textContent =
    `${set.count.toLocaleString('en')} digits of ${set.rows}×${set.cols} from the MNIST t10k test set, ` +
    'each with its seeded test rotation.';

  const slider = $('rotation');
  slider.value = String(state.rotation);

  // At most one rotation request in flight; moves in between coalesce.
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
        grid.predict(predictions.target, predictions.ticket);
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
    render().catch(onError);
  };
  slider.addEventListener('input', () => update({ rotation: Number(slider.value) }));
  $('prev-page').addEventListener('click', () => update({ page: Math.max(0, state.page - 1) }));
  $('next-page').addEventListener('click', () => update({ page: Math.min(pages - 1, state.page + 1) }));

  $('rotation-value').textContent = `${state.rotation}°`;
  await render();
  slider.disabled = false;
  return {
    // The last run's predictions for every test digit it verified (null: none).
    setPredictions(target, ticket) {
      predictions.target = target;
      predictions.ticket = ticket;
      grid.predict(target, ticket);
    },
  };
}
