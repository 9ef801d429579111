// End-to-end test of the live pruning run on the built page (dist/), in
// headless Chromium: the browser's ticket (a pool of Web Workers running the
// Rust core as wasm) is the native CLI's ticket — same mask digest, same
// accuracies — for any worker count, after a cancel, on the CPU fallback;
// the exported ticket verifies with `eslt ticket verify` and loads back.
// Every page: no console or page errors, no CSP violation, no request off
// the origin. Speed (first result, done, main-thread long tasks) is logged
// to target/e2e/speed.json, not asserted. Screenshots go to $ESLT_SHOTS.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { readDigits } from './digits-file.mjs';
import { guardContext, openPage, problemsOf } from './guards.mjs';
import {
  assertClean,
  assertMatches,
  clickRun,
  DATA_DIR,
  ESLT,
  eslt,
  lastJson,
  nativePrune,
  openDetails,
  pageReady,
  readResult,
  recordRun,
  RUN_TIMEOUT,
  runEnds,
  runState,
} from './page-run.mjs';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const out = path.join(root, 'target/e2e');
const MODEL = 'www/models/rotmnist-c8.json';
const PAGE_DATA = 'data/mnist-t10k-2000.digits.gz';

// The configuration every digest is compared in.
const TASK = 'rotmnist-c8';
const EPS = 0.01;
const SEED = 1;
const DIGITS = 1000;
const QUERY = `?task=${TASK}&eps=${EPS}&seed=${SEED}&digits=${DIGITS}`;

const TEST_TIMEOUT = 200_000;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server;
let browser;
let context;
let native;
let digits;
// Runs of the default configuration by worker count, for the speed table.
const speed = new Map();
// The page of test 1, kept (done) for the export test.
let donePage = null;

before(async () => {
  mkdirSync(shots, { recursive: true });
  mkdirSync(out, { recursive: true });
  if (!existsSync(ESLT)) assert.fail(`native binary ${ESLT} is missing: run ./build.sh build first`);
  if (!existsSync(path.join(DATA_DIR, 'mnist-t10k.digits'))) {
    assert.fail(`${DATA_DIR}/mnist-t10k.digits is missing: run ./build.sh build first (it fetches MNIST)`);
  }
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  if (!existsSync(CHROMIUM)) assert.fail(`no Chromium at ${CHROMIUM} (set CHROMIUM or apt-get install chromium)`);

  const t = performance.now();
  native = lastJson(
    eslt(['prune', '--model', MODEL, '--eps', String(EPS), '--seed', String(SEED), '--test-digits', String(DIGITS), '--data', DATA_DIR, '--json']),
    'eslt prune',
  );
  for (const key of ['mask_digest', 'target_accuracy', 'ticket_accuracy', 'source_accuracy', 'agreement', 'test_digits', 'n_per_layer']) {
    assert.ok(key in native, `eslt prune --json has no key ${key}`);
  }
  console.log(
    `native: digest ${native.mask_digest}, n ${native.n_per_layer.join(',')}, target ${native.target_accuracy}, ` +
      `ticket ${native.ticket_accuracy}, agreement ${native.agreement} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  digits = readDigits(path.join(dist, PAGE_DATA));

  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
  context = await browser.newContext({ acceptDownloads: true });
  await guardContext(context, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// ------------------------------------------------------------- helpers ----

const assertMatchesNative = (r, what, opts) => assertMatches(r, native, what, opts);

function assertConfig(r, what) {
  assert.equal(r.task, TASK, `${what}: data-task`);
  assert.equal(Number(r.eps), EPS, `${what}: data-eps`);
  assert.equal(Number(r.seed), SEED, `${what}: data-seed`);
  assert.ok(['webgpu', 'cpu'].includes(r.backend), `${what}: data-backend ${r.backend}`);
  for (const key of ['seconds', 'firstResultSeconds']) {
    const v = Number(r[key]);
    assert.ok(Number.isFinite(v) && v >= 0, `${what}: data-${key} = ${r[key]}`);
  }
  assert.ok(Number(r.firstResultSeconds) <= Number(r.seconds), `${what}: first result after done`);
  assert.ok(Number.isInteger(Number(r.workers)) && Number(r.workers) >= 1, `${what}: data-workers = ${r.workers}`);
}

// Long tasks on the main thread between two page-clock times.
async function longTasks(page, from, to) {
  const all = await page.evaluate(() => window.__esltE2e?.longtasks ?? []);
  const within = all.filter((e) => e.start >= from && e.start <= to);
  return { count: within.length, longestMs: within.reduce((m, e) => Math.max(m, e.duration), 0) };
}

// One timed run of the default configuration with `workers` workers (or the
// page's default); checks it against the native CLI and records its speed.
async function timedRun(workers, { midShot = null } = {}) {
  const query = QUERY + (workers ? `&workers=${workers}` : '');
  const { page, problems } = await openPage(context, server.url + query);
  await pageReady(page);
  assert.equal(await runState(page), 'idle', 'state before the run');
  await recordRun(page);
  const wall = performance.now();
  const t0 = await clickRun(page);
  if (midShot) {
    await page.waitForFunction(
      () => {
        const run = document.getElementById('run');
        return run.dataset.state !== 'running' || Number(run.dataset.progress) > 0.05;
      },
      null,
      { timeout: RUN_TIMEOUT, polling: 50 },
    );
    if ((await runState(page)) === 'running') await page.screenshot({ path: path.join(shots, midShot), fullPage: true });
    else console.log(`(no mid-run screenshot: the run was over before it could be taken)`);
  }
  await runEnds(page);
  const wallSeconds = (performance.now() - wall) / 1000;
  const t1 = await page.evaluate(() => performance.now());
  const r = await readResult(page);
  const what = `workers=${workers ?? 'default'}`;
  assertConfig(r, what);
  assertMatchesNative(r, what);
  if (workers) assert.equal(Number(r.workers), workers, `${what}: data-workers`);
  await assertProgressLog(page, what);
  const lt = await longTasks(page, t0, t1);
  const row = {
    workers: Number(r.workers),
    backend: r.backend,
    firstResultSeconds: Number(r.firstResultSeconds),
    seconds: Number(r.seconds),
    wallSeconds: Number(wallSeconds.toFixed(2)),
    longTasks: lt.count,
    longestLongTaskMs: Math.round(lt.longestMs),
  };
  // A run interrupted by a screenshot is not timed.
  if (!midShot && !speed.has(row.workers)) speed.set(row.workers, row);
  return { page, problems, result: r, row };
}

// data-progress only ever in [0, 1] and (within a run) never going back.
async function assertProgressLog(page, what) {
  const log = await page.evaluate(() => window.__esltRunLog ?? []);
  const states = log.map((e) => e.state);
  assert.ok(states.includes('running'), `${what}: #run never was running (states ${[...new Set(states)].join(', ')})`);
  let last = 0;
  for (const e of log) {
    if (e.state !== 'running' || e.progress === null || e.progress === '') continue;
    const p = Number(e.progress);
    assert.ok(p >= 0 && p <= 1, `${what}: data-progress ${e.progress} outside 0..1`);
    assert.ok(p >= last - 1e-9, `${what}: data-progress went back from ${last} to ${p}`);
    last = p;
  }
}

async function assertPredictionGrid(page, r) {
  const cells = await page.$$eval('#prediction-grid .cell', (els) =>
    els.map((c) => ({
      index: c.dataset.index,
      label: c.dataset.label,
      target: c.dataset.target,
      ticket: c.dataset.ticket,
      disagree: c.classList.contains('disagree'),
    })),
  );
  assert.ok(cells.length > 0, '#prediction-grid has no .cell');
  for (const c of cells) {
    for (const k of ['index', 'label', 'target', 'ticket']) assert.match(String(c[k]), /^\d+$/, `cell ${JSON.stringify(c)}: data-${k}`);
    const i = Number(c.index);
    assert.ok(i < Number(r.testDigits), `cell index ${i} beyond the ${r.testDigits} test digits`);
    assert.equal(Number(c.label), digits.labels[i], `cell ${i}: label is the data file's`);
    assert.equal(c.disagree, c.target !== c.ticket, `cell ${i}: .disagree iff target ${c.target} ≠ ticket ${c.ticket}`);
  }
  // When the grid shows every test digit, its counts are the accuracies.
  if (cells.length === Number(r.testDigits)) {
    const frac = (f) => cells.filter(f).length / cells.length;
    assert.equal(frac((c) => c.target === c.label), Number(r.targetAccuracy), 'grid: target accuracy');
    assert.equal(frac((c) => c.ticket === c.label), Number(r.ticketAccuracy), 'grid: ticket accuracy');
    assert.equal(frac((c) => c.ticket === c.target), Number(r.agreement), 'grid: agreement');
  }
  return cells.length;
}

async function assertCoefficientPanel(page) {
  const panel = page.locator('#coefficient-panel');
  assert.ok(await panel.isVisible(), '#coefficient-panel visible');
  const info = await panel.evaluate((el) => {
    const c = el.querySelector('canvas');
    return { text: el.textContent.trim(), canvas: c ? { w: c.width, h: c.height, shown: c.getBoundingClientRect().width } : null };
  });
  assert.ok(info.canvas, '#coefficient-panel has a canvas');
  assert.ok(info.canvas.w > 0 && info.canvas.h > 0 && info.canvas.shown > 0, `coefficient canvas ${JSON.stringify(info.canvas)}`);
  assert.ok(info.text.length > 0, '#coefficient-panel has text');
}

// --------------------------------------------------------------- tests ----

test('the default run in the browser finds the native CLI ticket', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems, result: r } = await timedRun(undefined, { midShot: 'run-mid.png' });
  const inUse = (await page.textContent('#backend-in-use')).trim();
  assert.ok(new RegExp(r.backend === 'webgpu' ? 'webgpu' : 'cpu', 'i').test(inUse), `#backend-in-use "${inUse}" vs data-backend ${r.backend}`);
  const cells = await assertPredictionGrid(page, r);
  await assertCoefficientPanel(page);
  console.log(
    `browser: backend ${r.backend}, ${r.workers} workers, first result ${r.firstResultSeconds} s, done ${r.seconds} s, ` +
      `${cells} prediction cells, #backend-in-use "${inUse}"`,
  );
  await page.screenshot({ path: path.join(shots, 'run-done.png'), fullPage: true });
  await assertClean(page, problems);
  donePage = { page, problems };
});

test('one worker and four workers find the same ticket', { timeout: TEST_TIMEOUT }, async () => {
  for (const workers of [1, 4]) {
    const { page, problems } = await timedRun(workers);
    await assertClean(page, problems);
    await page.close();
  }
});

test('a cancelled run stops, and running again finds the same ticket', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await openPage(context, server.url + QUERY);
  await pageReady(page);
  await recordRun(page);
  await clickRun(page);
  await page.waitForFunction(
    () => {
      const run = document.getElementById('run');
      return run.dataset.state !== 'running' || Number(run.dataset.progress) > 0.1;
    },
    null,
    { timeout: RUN_TIMEOUT, polling: 20 },
  );
  assert.equal(await runState(page), 'running', 'the run must still be running to be cancelled');
  await page.click('#cancel-button');
  await page.waitForFunction(() => document.getElementById('run').dataset.state !== 'running', null, { timeout: 10_000 });
  assert.equal(await runState(page), 'cancelled', 'state after #cancel-button');
  // Stays cancelled: no late result from a worker flips it to done.
  await page.waitForTimeout(1500);
  assert.equal(await runState(page), 'cancelled', 'state 1.5 s after the cancel');
  await page.screenshot({ path: path.join(shots, 'run-cancelled.png'), fullPage: true });

  await clickRun(page);
  await runEnds(page);
  const r = await readResult(page);
  assertConfig(r, 'after a cancel');
  assertMatchesNative(r, 'after a cancel');
  await assertClean(page, problems);
  await page.close();
});

test('the source evaluated while the page is idle is used only by the run that draws it', { timeout: TEST_TIMEOUT }, async () => {
  // Seed 11 grows no layer at ε = 0.01; seed 1 grows layer 2 (its source
  // is redrawn once solved, so what was evaluated ahead is not its).
  const digits = 200;
  const tag = (seed) => `${TASK}:${digits}:${seed}:${EPS}:`;
  const { page, problems } = await openPage(context, `${server.url}?task=${TASK}&eps=${EPS}&seed=11&digits=${digits}`);
  await pageReady(page);
  await page.waitForFunction((t) => document.getElementById('status')?.dataset.sourceLogits === t, tag(11), { timeout: RUN_TIMEOUT });
  await clickRun(page);
  await runEnds(page);
  let r = await readResult(page);
  assertMatches(r, nativePrune({ task: TASK, eps: EPS, seed: 11, digits }), 'seed 11, source evaluated ahead');
  assert.equal(Number(r.sourceCachedRows), digits, 'every digit of the source known ahead');
  // A new seed, run at once: the source evaluated ahead (seed 11's) is not used.
  await page.fill('#seed', '1');
  await page.dispatchEvent('#seed', 'change');
  await clickRun(page);
  await runEnds(page);
  r = await readResult(page);
  assertMatches(r, nativePrune({ task: TASK, eps: EPS, seed: 1, digits }), 'seed 1, run at once');
  assert.equal(Number(r.sourceCachedRows), 0, "seed 11's source is not seed 1's");
  // Seed 1's source as drawn is then evaluated ahead, but its layer 2
  // grows: the source its runs verify is the one the last run drew and
  // evaluated, kept beside it.
  await page.waitForFunction((t) => document.getElementById('status')?.dataset.sourceLogits === t, tag(1), { timeout: RUN_TIMEOUT });
  await clickRun(page);
  await runEnds(page);
  r = await readResult(page);
  assertMatches(r, nativePrune({ task: TASK, eps: EPS, seed: 1, digits }), 'seed 1 again');
  assert.equal(Number(r.sourceCachedRows), digits, "the last run's source, known");
  await assertClean(page, problems);
  await page.close();
});

test('bad URL parameters are named, and the defaults run', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await openPage(context, `${server.url}?eps=5&seed=abc&task=nope&digits=0`);
  await pageReady(page);
  const messages = (await page.$$eval('#url-errors li', (els) => els.map((e) => e.textContent.trim())));
  assert.ok(await page.locator('#url-errors').isVisible(), '#url-errors visible');
  for (const name of ['eps', 'seed', 'task', 'digits']) {
    assert.ok(
      messages.some((m) => m.toLowerCase().startsWith(name)),
      `no #url-errors item starts with "${name}": ${JSON.stringify(messages)}`,
    );
  }
  assert.equal(Number(await page.inputValue('#eps')), EPS, '#eps default');
  assert.equal(await page.inputValue('#seed'), String(SEED), '#seed default');
  assert.equal(await page.inputValue('#task'), TASK, '#task default');
  const digitsValue = await page.inputValue('#digits');
  assert.match(digitsValue, /^[1-9]\d*$/, `#digits default "${digitsValue}"`);
  await page.screenshot({ path: path.join(shots, 'url-errors.png'), fullPage: true });

  await clickRun(page);
  await runEnds(page);
  const r = await readResult(page);
  assertConfig(r, 'defaults');
  assert.equal(r.testDigits, digitsValue, 'data-test-digits is the #digits shown');
  // The mask does not depend on the test digits; the accuracies do.
  assertMatchesNative(r, 'defaults', { accuracies: Number(r.testDigits) === DIGITS });
  await assertClean(page, problems);
  await page.close();
});

test('without WebGPU, backend=webgpu falls back to the CPU with a notice', { timeout: TEST_TIMEOUT }, async () => {
  // A browser without --enable-unsafe-webgpu (no adapter anywhere, workers
  // included) and navigator.gpu removed from the page itself.
  const noGpu = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const ctx = await noGpu.newContext();
    await ctx.addInitScript(() => {
      delete Navigator.prototype.gpu;
      delete navigator.gpu;
    });
    await guardContext(ctx, server.url);
    const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&backend=webgpu`);
    await pageReady(page);
    assert.equal(await page.evaluate(() => 'gpu' in navigator), false, 'navigator.gpu removed');
    const notice = page.locator('#backend-notice');
    await notice.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await notice.textContent()).trim();
    assert.match(text, /WebGPU/, `#backend-notice "${text}"`);
    assert.match(text, /CPU/, `#backend-notice "${text}"`);
    assert.match(await page.textContent('#backend-in-use'), /cpu/i, '#backend-in-use before the run');
    assert.equal(await page.inputValue('#backend-select'), 'webgpu', '#backend-select keeps the choice from the URL');

    await recordRun(page);
    await clickRun(page);
    await runEnds(page);
    const r = await readResult(page);
    assertConfig(r, 'no WebGPU');
    assert.equal(r.backend, 'cpu', 'data-backend without WebGPU');
    assertMatchesNative(r, 'no WebGPU');
    assert.match(await page.textContent('#backend-in-use'), /cpu/i, '#backend-in-use after the run');
    for (const w of page.workers()) {
      const adapter = await w.evaluate(async () => (navigator.gpu ? Boolean(await navigator.gpu.requestAdapter()) : false));
      assert.equal(adapter, false, `worker ${w.url()} has a WebGPU adapter: the test browser is not GPU-less`);
    }
    await page.screenshot({ path: path.join(shots, 'backend-cpu-fallback.png'), fullPage: true });
    await assertClean(page, problems);
  } finally {
    await noGpu.close();
  }
});

test('?embed=1 shows only the demo panel', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await openPage(context, `${server.url}${QUERY}&embed=1`, { viewport: { width: 900, height: 700 } });
  await pageReady(page);
  assert.equal(await page.getAttribute('body', 'data-embed'), '1', 'body[data-embed]');
  assert.ok(await page.locator('#run-button').isVisible(), '#run-button visible');
  for (const selector of ['.site-header', '.site-footer', '.intro']) {
    const visible = await page.locator(selector).evaluateAll((els) =>
      els.some((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      }),
    );
    assert.equal(visible, false, `${selector} visible in embed mode`);
  }
  await page.screenshot({ path: path.join(shots, 'embed.png'), fullPage: true });
  await assertClean(page, problems);
  await page.close();
});

// The first solver worker throws (uncaught) on its first batch: the run
// ends in error with the failure shown, and the restarted pool runs again.
const INJECTED = 'injected solver failure';
const FAIL_FIRST_BATCH = `{
  const add = MessagePort.prototype.addEventListener;
  let armed = true;
  MessagePort.prototype.addEventListener = function (type, fn, ...rest) {
    if (type !== 'message' || typeof fn !== 'function') return add.call(this, type, fn, ...rest);
    return add.call(this, type, function (ev) {
      if (armed && ev.data && ev.data.type === 'solve') {
        armed = false;
        throw new Error('${INJECTED}');
      }
      return fn.call(this, ev);
    }, ...rest);
  };
}
`;

test('a worker that fails mid-run shows the failure, and the page runs again', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await browser.newContext();
  try {
    await guardContext(ctx, server.url);
    let served = 0;
    await ctx.route('**/solver.js', async (route) => {
      served += 1;
      if (served > 1) return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, body: FAIL_FIRST_BATCH + (await response.text()) });
    });
    const { page, problems } = await openPage(ctx, `${server.url}?task=${TASK}&eps=${EPS}&seed=${SEED}&digits=100&workers=1`);
    await pageReady(page);
    await clickRun(page);
    await runEnds(page, 'error');
    const error = page.locator('#run-error');
    assert.ok(await error.isVisible(), '#run-error visible');
    const text = (await error.textContent()).trim();
    assert.match(text, /worker/i, `#run-error "${text}"`);
    assert.match(text, new RegExp(INJECTED), `#run-error "${text}"`);
    assert.equal(await page.$eval('#status', (el) => el.dataset.state), 'ready', '#status stays ready after a run failure');
    await page.screenshot({ path: path.join(shots, 'error-worker-failed.png'), fullPage: true });

    // The page restarts its workers; a new run (uninjected solver) succeeds.
    await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
    await clickRun(page);
    await runEnds(page);
    assertMatchesNative(await readResult(page), 'after a worker failure', { accuracies: false });
    assert.ok(!(await error.isVisible()) || !(await error.textContent()).includes(INJECTED), '#run-error cleared by the new run');
    // The page reports the failure on the console too: that one is expected.
    const unexpected = (await problemsOf(page, problems)).filter((p) => !p.includes(INJECTED));
    assert.deepEqual(unexpected, [], 'the page reported problems');
  } finally {
    await ctx.close();
  }
});

// SwiftShader's WebGPU is slow (≈ 20 s for 100 digits on 2 cores): opt-in.
test(
  'backend=webgpu solves on WebGPU and finds the same ticket',
  { timeout: TEST_TIMEOUT, skip: process.env.ESLT_E2E_WEBGPU ? false : 'set ESLT_E2E_WEBGPU=1 to run (SwiftShader WebGPU, ≈ 20 s)' },
  async () => {
    const { page, problems } = await openPage(context, `${server.url}?task=${TASK}&eps=${EPS}&seed=${SEED}&digits=100&backend=webgpu`);
    await pageReady(page);
    await clickRun(page);
    await runEnds(page);
    const r = await readResult(page);
    const notice = (await page.textContent('#backend-notice')).trim();
    assert.equal(r.backend, 'webgpu', `data-backend (#backend-notice: "${notice}")`);
    assert.equal(r.verifyBackend, 'webgpu', 'target and ticket verified on WebGPU');
    assertMatchesNative(r, 'WebGPU', { accuracies: false });
    console.log(`WebGPU run: ${r.seconds} s, first result ${r.firstResultSeconds} s`);
    await assertClean(page, problems);
    await page.close();
  },
);

test('the exported ticket verifies natively and loads back', { timeout: TEST_TIMEOUT }, async () => {
  let page;
  let problems;
  if (donePage && !donePage.page.isClosed() && (await runState(donePage.page)) === 'done') {
    ({ page, problems } = donePage);
    // Its own problems were checked; only new ones count here.
    problems.length = 0;
    context.__esltGuard.current = problems;
  } else {
    ({ page, problems } = await openPage(context, server.url + QUERY));
    await pageReady(page);
    await clickRun(page);
    await runEnds(page);
  }
  await openDetails(page);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('#export-ticket')]);
  const name = download.suggestedFilename();
  assert.equal(name, `${TASK}-seed${SEED}.ticket.json`, 'download name');
  const file = path.join(out, name);
  await download.saveAs(file);
  const bytes = statSync(file).size;
  JSON.parse(readFileSync(file, 'utf8'));
  console.log(`exported ticket: ${file}, ${bytes.toLocaleString('en')} bytes`);

  let verify;
  try {
    verify = lastJson(
      eslt(['ticket', 'verify', '--ticket', file, '--model', MODEL, '--data', DATA_DIR, '--json']),
      'eslt ticket verify',
    );
  } catch (e) {
    assert.fail(`eslt ticket verify failed (exit ${e.status ?? '?'}): ${(e.stderr || e.stdout || e.message).toString().trim()}`);
  }
  console.log(`eslt ticket verify: ${JSON.stringify(verify)}`);
  assert.equal(verify.ticket_valid, true, 'ticket_valid');
  assert.equal(verify.mask_digest, native.mask_digest, 'verified mask digest');
  assert.equal(verify.accuracies_match, true, 'accuracies_match');

  await page.setInputFiles('#load-ticket', file);
  await page.waitForFunction(() => /match/.test(document.getElementById('ticket-check')?.textContent ?? ''), null, {
    timeout: RUN_TIMEOUT,
  });
  const check = (await page.textContent('#ticket-check')).trim();
  assert.match(check, /matches/, `#ticket-check: "${check}"`);
  assert.doesNotMatch(check, /does not match/, `#ticket-check: "${check}"`);
  await page.screenshot({ path: path.join(shots, 'ticket-loaded.png'), fullPage: true });

  // A ticket whose recorded digest is not this seed's: both checkers say so.
  const tampered = JSON.parse(readFileSync(file, 'utf8'));
  const wrong = [...native.mask_digest].reverse().join('');
  tampered.mask_digest = wrong;
  if (tampered.report && typeof tampered.report === 'object') tampered.report.mask_digest = wrong;
  const badFile = path.join(out, 'tampered.ticket.json');
  writeFileSync(badFile, JSON.stringify(tampered));
  let badVerify = null;
  try {
    badVerify = lastJson(eslt(['ticket', 'verify', '--ticket', badFile, '--model', MODEL, '--data', DATA_DIR, '--json']), 'verify');
  } catch (e) {
    assert.notEqual(e.status, 0, `eslt ticket verify of a tampered ticket: ${e.message}`);
  }
  if (badVerify) assert.equal(badVerify.ticket_valid, false, `a tampered ticket verified: ${JSON.stringify(badVerify)}`);

  await page.setInputFiles('#load-ticket', badFile);
  await page.waitForFunction(
    () => /does not match/.test(document.getElementById('ticket-check')?.textContent ?? '') || document.getElementById('run').dataset.state === 'error',
    null,
    { timeout: RUN_TIMEOUT },
  ).catch(async (e) => assert.fail(`#ticket-check after a tampered ticket: "${await page.textContent('#ticket-check')}" (${e.message})`));
  const badCheck = (await page.textContent('#ticket-check')).trim();
  assert.match(badCheck, /does not match/, `#ticket-check after a tampered ticket: "${badCheck}"`);
  await page.screenshot({ path: path.join(shots, 'ticket-mismatch.png'), fullPage: true });
  await assertClean(page, problems);
  await page.close();
});

test('speed for 1, 2 and 4 workers (logged)', { timeout: TEST_TIMEOUT }, async () => {
  for (const workers of [1, 2, 4]) {
    if (speed.has(workers)) continue;
    const { page, problems } = await timedRun(workers);
    await assertClean(page, problems);
    await page.close();
  }
  const rows = [1, 2, 4].map((w) => speed.get(w));
  console.log('workers  backend  first result (s)  done (s)  wall (s)  long tasks  longest (ms)');
  for (const r of rows) {
    console.log(
      `${String(r.workers).padStart(7)}  ${r.backend.padEnd(7)}  ${r.firstResultSeconds.toFixed(2).padStart(16)}  ` +
        `${r.seconds.toFixed(2).padStart(8)}  ${r.wallSeconds.toFixed(2).padStart(8)}  ${String(r.longTasks).padStart(10)}  ` +
        `${String(r.longestLongTaskMs).padStart(12)}`,
    );
  }
  writeFileSync(
    path.join(out, 'speed.json'),
    `${JSON.stringify({ task: TASK, eps: EPS, seed: SEED, digits: DIGITS, native_seconds: native.seconds, runs: rows }, null, 2)}\n`,
  );
});
