// The page's controller: builds the panels, wires the controls and
// buttons to the parts of the page, and starts it — the digits, the core
// worker, the worker pool and the backend — in order. The main thread only
// routes messages and draws; solving, verification and every network
// evaluation happen in workers (pool.js). By concern:
//
//   app.js       shared state, status and buttons
//   controls.js  settings form ⇄ URL (state.js's table)
//   task.js      the selected task's model, its description, panel resets
//   workers.js   the worker pool: start, restartWorkers()
//   backend.js   CPU or WebGPU, and the auto probe
//   run.js       a run's life cycle and its result
//   ticket.js    export and load of ticket files
//   sweep.js     error vs n
//   scaling.js   the scaling law: parameters against log₂(1/ε)
//   graph-card.js, digit-cards.js   the finished run's queries per kind
//   panels.js, digit-panels.js, graph-panel.js, charts.js   drawing

import { $, app, notice, setRunState, setStatus, showFatal, showRunError, updateButtons } from './app.js';
import { chooseBackend, describeWebGpu } from './backend.js';
import { wireControls, writeControls, writeUrl } from './controls.js';
import { CoreClient } from './core-client.js';
import { requestMaps } from './digit-cards.js';
import { FiltersPanel, RotationPanel } from './digit-panels.js';
import { fetchDigits } from './digit-data.js';
import { startDigitView } from './digit-view.js';
import { el, reveal } from './dom.js';
import { graphCardHandlers } from './graph-card.js';
import { startDetails } from './details.js';
import { GraphPanel } from './graph-panel.js';
import { HeroPicture } from './hero.js';
import { AccuracyPanel, CoefficientPanel, ErrorPanel, ParamsPanel, PredictionGrid, ProgressPanel, SweepPanel } from './panels.js';
import { cancelRun, onCoordinator, openProblem, startRun, workersFailed } from './run.js';
import { parseQuery } from './state.js';
import { scalingTaskChanged, toggleScaling, watchScaling } from './scaling.js';
import { toggleSweep } from './sweep.js';
import { prepareAhead } from './prepare-ahead.js';
import { describeModel, loadModel, previewModel, resetPanels } from './task.js';
import { exportTicket, readTicket } from './ticket.js';
import { poolStarted, startWorkers } from './workers.js';

const DATA_URL = 'data/mnist-t10k-2000.digits.gz';
const GRID = 48;
// The smallest module using a SIMD instruction (i8x16.splat, v128.drop).
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11);

// A setting changed (controls.js): what depends on it follows.
function settingChanged(name, value) {
  if (name === 'task') {
    previewModel();
    scalingTaskChanged();
  }
  if (name === 'task' || name === 'digits') prepareAhead();
  if (name === 'seed' || name === 'eps' || name === 'n') prepareAhead({ settle: true });
  if (name === 'eps') app.panels.params.reset(app.models.get(app.state.task)?.meta ?? null, value);
  if (name === 'backend') chooseBackend().catch((e) => notice(`Backend: ${e.message}`));
}

function placeholderGrid() {
  const cells = Array.from({ length: GRID }, () => el('div', { class: 'cell-placeholder' }, [el('div', { class: 'tile-placeholder' })]));
  $('prediction-grid').replaceChildren(...cells);
}

function showUrlErrors(errors) {
  const list = $('url-errors');
  list.replaceChildren(...errors.map((e) => el('li', { text: e })));
  list.hidden = !errors.length;
}

async function main() {
  const { state, errors, autorun, embed } = parseQuery(location.search);
  app.state = state;
  if (embed) {
    document.body.dataset.embed = '1';
    for (const id of ['site-header', 'intro', 'digit-browser', 'site-footer']) $(id)?.remove();
  }
  showUrlErrors(errors);
  writeControls(state);
  $('t-memory').textContent = `— / ${state.memory} MiB`;
  placeholderGrid();
  app.panels = {
    progress: new ProgressPanel(),
    errors: new ErrorPanel({ onPick: openProblem }),
    coef: new CoefficientPanel(),
    sweep: new SweepPanel(),
    accuracy: new AccuracyPanel(),
    grid: new PredictionGrid($('prediction-grid')),
    params: new ParamsPanel(),
    filters: new FiltersPanel(),
    rotation: new RotationPanel({ onChange: () => requestMaps() }),
    graph: new GraphPanel(graphCardHandlers),
    hero: new HeroPicture(),
  };
  const panels = app.panels;
  panels.progress.setText('Loading the digits and the WebAssembly core…');
  wireControls(settingChanged);
  startDetails(() => app.state, writeUrl);
  $('run-button').addEventListener('click', () => startRun());
  $('cancel-button').addEventListener('click', cancelRun);
  $('export-ticket').addEventListener('click', exportTicket);
  $('sweep-button').addEventListener('click', toggleSweep);
  $('scaling-run').addEventListener('click', toggleScaling);
  watchScaling();
  $('load-ticket').addEventListener('change', async (ev) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    const ticket = file ? await readTicket(file) : null;
    if (ticket) await startRun({ ticket });
  });
  const openDigit = (ev) => {
    const cell = ev.target.closest?.('.cell[data-index]');
    if (cell && app.last) {
      panels.rotation.setDigit(Number(cell.dataset.index));
      reveal($('rotation-card'));
    }
  };
  $('prediction-grid').addEventListener('click', openDigit);
  $('prediction-grid').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      openDigit(ev);
    }
  });
  updateButtons();

  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error(
      'This browser does not support WebAssembly SIMD (simd128), which the Rust core is compiled with. ' +
        'Use a current Chrome, Edge, Firefox or Safari 16.4+.',
    );
  }
  describeWebGpu();

  const core = new CoreClient({ onFatal: showFatal });
  app.core = core;
  const hello = core.request('hello').then(({ version }) => {
    if ($('version')) $('version').textContent = version;
    $('core-status').textContent = `Rust ${version}, wasm SIMD`;
  });
  const modelPreview = loadModel(app.state.task).catch((e) => e);
  const bytes = await fetchDigits(DATA_URL);
  await hello;
  let set;
  try {
    set = await core.request('load', { bytes: bytes.slice().buffer });
  } catch (e) {
    throw new Error(`the test digits (${DATA_URL}) could not be read: ${e.message}`);
  }
  app.digits = { bytes, ...set };

  const pool = startWorkers({ onMessage: onCoordinator, onFailure: workersFailed });
  const first = Array.from({ length: Math.min(GRID, set.count) }, (_, i) => i);
  const gridDrawn = core
    .request('rotate', { indices: first, angles: first.map((i) => set.testAngles[i]) })
    .then(({ pixels }) => panels.grid.layout(first.length, set.labels, pixels, set.rows, set.cols));
  const digitView = embed ? Promise.resolve(null) : startDigitView(core, set, showFatal);

  await poolStarted(pool);
  await chooseBackend();
  [, app.digitView] = await Promise.all([gridDrawn, digitView]);
  app.ready = true;
  const m = await modelPreview;
  if (m instanceof Error) {
    showRunError(m.message);
    setRunState('error');
    panels.progress.setText('The model could not be loaded; pick another task or fix the file.');
  } else {
    resetPanels(m);
    panels.progress.setText(describeModel(app.state.task, m));
  }
  setStatus('ready', 'ready');
  performance.mark('eslt:ready');
  updateButtons();
  prepareAhead();
  if (autorun) startRun();
}

main().catch(showFatal);
