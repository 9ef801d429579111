// Faults forced on the live run in headless Chromium, and what the page
// must do about each: say what happened, stay usable, and give the clean
// run's ticket (the native CLI's mask digest) on the next run.
//
// - a solver worker, then the coordinator, killed mid-run (the worker
//   closes itself: no 'error' event, so only its life lock tells);
// - Cancel at 20 seeded random moments of a run;
// - the model file 404s, or is corrupt; the digit data is corrupt;
// - the WebGPU device destroyed mid-run (the solver falls back to the CPU);
// - WebAssembly out of memory (V8's per-memory page limit lowered);
// - a run over the page's memory budget (refused before it starts);
// - two runs at once in two pages, with 8 and 3 workers;
// - and, not a fault: the site served under a sub-path.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { guardContext, openPage, problemsOf } from './guards.mjs';
import {
  assertClean,
  assertMatches,
  clickRun,
  ESLT,
  nativePrune,
  pageReady,
  readResult,
  root,
  RUN_TIMEOUT,
  runEnds,
  runState,
} from './page-run.mjs';
import { serve } from './server.mjs';

const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TEST_TIMEOUT = 300_000;

// Fewer digits than the main e2e test: the mask does not depend on them.
const CONFIG = { task: 'rotmnist-c8', eps: 0.01, seed: 1, digits: 200 };
const QUERY = `?task=${CONFIG.task}&eps=${CONFIG.eps}&seed=${CONFIG.seed}&digits=${CONFIG.digits}`;

let server;
let browser;
let native;

before(async () => {
  mkdirSync(shots, { recursive: true });
  if (!existsSync(ESLT)) assert.fail(`native binary ${ESLT} is missing: run ./build.sh build first`);
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  native = nativePrune(CONFIG);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// A fresh guarded context; `scripts` maps a file name to JS put in front
// of it when it is served (the injected fault).
async function contextWith(scripts = {}, b = browser) {
  const ctx = await b.newContext();
  await guardContext(ctx, server.url);
  for (const [file, prefix] of Object.entries(scripts)) {
    let served = 0;
    await ctx.route(`**/${file}`, async (route) => {
      served += 1;
      // Only the first pool's workers carry the fault; respawned ones are clean.
      if (served > (prefix.copies ?? 1)) return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, body: prefix.code + (await response.text()) });
    });
  }
  return ctx;
}

// JS for a worker: calls `act(ev)` (a function body) on the `nth` message of
// `type` that arrives on any MessagePort, before the worker sees it; the
// message is dropped when act returns true.
function onPortMessage(type, nth, act) {
  return `{
  const add = MessagePort.prototype.addEventListener;
  let seen = 0;
  MessagePort.prototype.addEventListener = function (kind, fn, ...rest) {
    if (kind !== 'message' || typeof fn !== 'function') return add.call(this, kind, fn, ...rest);
    return add.call(this, kind, function (ev) {
      if (ev.data && ev.data.type === ${JSON.stringify(type)} && ++seen === ${nth}) {
        if (((ev) => { ${act} })(ev)) return;
      }
      return fn.call(this, ev);
    }, ...rest);
  };
}
`;
}

const runError = (page) => page.$eval('#run-error', (el) => (el.hidden ? '' : el.textContent.trim()));

// After a failed run: the page is ready again and the next run is clean.
async function runsCleanAfter(page, what) {
  assert.equal(await page.$eval('#status', (el) => el.dataset.state), 'ready', `${what}: #status stays ready`);
  await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
  await clickRun(page);
  await runEnds(page);
  assertMatches(await readResult(page), native, `${what}, next run`);
}

// ---------------------------------------------------------------- tests ----

for (const [who, file, type] of [
  ['a solver worker', 'solver.js', 'solve'],
  ['the coordinator', 'coordinator.js', 'solved'],
]) {
  test(`${who} killed mid-run: the page names it, and the next run is the clean run's`, { timeout: TEST_TIMEOUT }, async () => {
    const ctx = await contextWith({ [file]: { code: onPortMessage(type, 3, 'self.close(); return true;') } });
    try {
      const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=2`);
      await pageReady(page);
      await clickRun(page);
      await runEnds(page, 'error');
      const text = await runError(page);
      const name = file === 'solver.js' ? /solver \d worker stopped unexpectedly/ : /coordinator worker stopped unexpectedly/;
      assert.match(text, name, `#run-error "${text}"`);
      if (file === 'solver.js') await page.screenshot({ path: path.join(shots, 'error-worker-killed.png'), fullPage: true });
      await runsCleanAfter(page, `${who} killed`);
      // The page logs the failure on the console: that one is expected.
      const unexpected = (await problemsOf(page, problems)).filter((p) => !/stopped unexpectedly/.test(p));
      assert.deepEqual(unexpected, [], 'the page reported problems');
    } finally {
      await ctx.close();
    }
  });
}

// mulberry32: the moments replay.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('Cancel at 20 random moments: the page stays usable, and the next run is the clean run', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await contextWith();
  try {
    const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=2`);
    await pageReady(page);
    // A clean run first: its length spans the moments.
    await clickRun(page);
    await runEnds(page);
    const clean = await readResult(page);
    assertMatches(clean, native, 'clean run');
    const span = Number(clean.seconds) * 1000;
    const r = rng(20261201);
    const moments = Array.from({ length: 20 }, () => Math.round(r() * span));
    let cancelled = 0;
    for (const [i, ms] of moments.entries()) {
      await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
      await clickRun(page);
      await page.waitForTimeout(ms);
      // Check and click in one task of the page: a run can end between a
      // separate state read and the click (Cancel is then disabled).
      const clicked = await page.evaluate(() => {
        const button = document.getElementById('cancel-button');
        if (document.getElementById('run').dataset.state !== 'running' || button.disabled) return false;
        button.click();
        return true;
      });
      if (clicked) {
        await page.waitForFunction(() => document.getElementById('run').dataset.state !== 'running', null, { timeout: 10_000 });
        assert.equal(await runState(page), 'cancelled', `moment ${i} (${ms} ms): state after Cancel`);
        cancelled += 1;
      } else {
        // The run finished before the moment came: it must be the clean one.
        await runEnds(page);
        assertMatches(await readResult(page), native, `moment ${i} (${ms} ms), finished first`);
      }
    }
    console.log(`cancelled ${cancelled} of 20 runs at ${moments.join(', ')} ms (a clean run took ${span.toFixed(0)} ms)`);
    assert.ok(cancelled >= 10, `only ${cancelled} of the 20 moments fell inside a run`);
    await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
    await clickRun(page);
    await runEnds(page);
    assertMatches(await readResult(page), native, 'after 20 cancels');
    await assertClean(page, problems);
  } finally {
    await ctx.close();
  }
});

test('a model file that 404s or is corrupt: the message names it, and the page runs once it is back', { timeout: TEST_TIMEOUT }, async () => {
  for (const [what, fulfil] of [
    ['404', (route) => route.fulfill({ status: 404, body: 'not found' })],
    ['truncated', async (route) => {
      const response = await route.fetch();
      const text = await response.text();
      await route.fulfill({ response, body: text.slice(0, Math.floor(text.length / 2)) });
    }],
    ['wrong sizes', async (route) => {
      const response = await route.fetch();
      const model = JSON.parse(await response.text());
      model.num_coefficients += 1;
      await route.fulfill({ response, body: JSON.stringify(model) });
    }],
  ]) {
    const ctx = await contextWith();
    try {
      let broken = true;
      await ctx.route(`**/models/${CONFIG.task}.json`, (route) => (broken ? fulfil(route) : route.continue()));
      const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=1`);
      await pageReady(page);
      await clickRun(page);
      await runEnds(page, 'error');
      const text = await runError(page);
      assert.match(text, new RegExp(`models/${CONFIG.task}\\.json`), `${what}: #run-error "${text}"`);
      if (what === '404') assert.match(text, /404/, `${what}: #run-error "${text}"`);
      if (what === 'truncated') await page.screenshot({ path: path.join(shots, 'error-corrupt-model.png'), fullPage: true });
      broken = false;
      await runsCleanAfter(page, `model ${what}`);
      // The failure is logged on the console too (the core's message may
      // not repeat the file name there; #run-error adds it).
      const unexpected = (await problemsOf(page, problems)).filter((p) => !/model/.test(p) && !/status of 404/.test(p));
      assert.deepEqual(unexpected, [], `${what}: the page reported problems`);
    } finally {
      await ctx.close();
    }
  }
});

test('corrupt digit data: the message names the file', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await contextWith();
  try {
    await ctx.route('**/data/mnist-t10k-2000.digits.gz', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      for (let i = 64; i < body.length; i += 97) body[i] ^= 0x5a;
      await route.fulfill({ response, body });
    });
    const page = await ctx.newPage();
    await page.goto(server.url + QUERY);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')?.dataset.state), null, { timeout: 30_000 });
    assert.equal(await page.$eval('#status', (el) => el.dataset.state), 'error', '#status with corrupt data');
    const message = await page.textContent('#error-message');
    assert.match(message, /mnist-t10k-2000\.digits\.gz/, `#error-message "${message}"`);
  } finally {
    await ctx.close();
  }
});

// Captures the device wgpu opens in the worker, and destroys it when the
// second batch arrives (a real device loss, not a simulated error).
const DESTROY_DEVICE = `{
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    self.__esltDevices = [...(self.__esltDevices ?? []), device];
    return device;
  };
}
${onPortMessage('solve', 2, 'for (const d of self.__esltDevices ?? []) d.destroy(); return false;')}`;

test('the WebGPU device lost mid-run: the solver falls back to the CPU, same ticket', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await contextWith({ 'solver.js': { code: DESTROY_DEVICE } });
  try {
    const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=1&backend=webgpu`);
    await pageReady(page);
    const hasGpu = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
    assert.ok(hasGpu, 'this Chromium has no WebGPU adapter (--enable-unsafe-webgpu, SwiftShader)');
    await clickRun(page);
    await runEnds(page, 'done', RUN_TIMEOUT);
    const r = await readResult(page);
    assertMatches(r, native, 'after the device loss');
    const notice = (await page.textContent('#backend-notice')).trim();
    assert.match(notice, /WebGPU failed.*CPU/s, `#backend-notice "${notice}"`);
    assert.equal(await page.$eval('#backend-in-use', (el) => el.dataset.backend), 'cpu', '#backend-in-use after the fallback');
    assert.ok(['cpu', 'mixed'].includes(r.verifyBackend), `verification after the loss: ${r.verifyBackend}`);
    await page.screenshot({ path: path.join(shots, 'webgpu-device-lost.png'), fullPage: true });
    // wgpu logs the lost device on the console: expected here.
    const unexpected = (await problemsOf(page, problems)).filter((p) => !/destroy|lost|invalid|WebGPU/i.test(p));
    assert.deepEqual(unexpected, [], 'the page reported problems');
  } finally {
    await ctx.close();
  }
});

test('WebAssembly out of memory: the page says so, with the size, and stays usable', { timeout: TEST_TIMEOUT }, async () => {
  // 40 MiB per wasm memory: the solvers fit (≈ 16 MiB), the coordinator's
  // run with its streamed literal check (≈ 50 MiB for c8) does not.
  const small = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--js-flags=--wasm-max-mem-pages=640'],
  });
  try {
    const ctx = await contextWith({}, small);
    const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=2`);
    await pageReady(page);
    await clickRun(page);
    await runEnds(page, 'error');
    const text = await runError(page);
    assert.match(text, /out of memory: the WebAssembly core could not allocate \d+ MiB/, `#run-error "${text}"`);
    await page.screenshot({ path: path.join(shots, 'error-out-of-memory.png'), fullPage: true });
    assert.equal(await page.$eval('#status', (el) => el.dataset.state), 'ready', '#status stays ready');
    await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
    const unexpected = (await problemsOf(page, problems)).filter((p) => !/out of memory/.test(p));
    assert.deepEqual(unexpected, [], 'the page reported problems');
  } finally {
    await small.close();
  }
});

test('a run over the memory budget is refused before it starts, with the estimate', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await contextWith();
  try {
    const { page, problems } = await openPage(ctx, `${server.url}${QUERY}&workers=1&memory=32`);
    await pageReady(page);
    const stated = await page.textContent('#t-memory');
    assert.match(stated, /\/ 32 MiB/, `#t-memory states the budget: "${stated}"`);
    await clickRun(page);
    await runEnds(page, 'error');
    const text = await runError(page);
    assert.match(text, /needs about (\d+) MiB of WebAssembly memory.*over the budget of 32 MiB/, `#run-error "${text}"`);
    const progress = await page.$eval('#run', (el) => el.dataset.progress);
    assert.ok(!(Number(progress) > 0), `no work was done (data-progress ${progress})`);
    const unexpected = (await problemsOf(page, problems)).filter((p) => !/over the budget/.test(p));
    assert.deepEqual(unexpected, [], 'the page reported problems');
  } finally {
    await ctx.close();
  }
});

test('two runs at once (8 and 3 workers) both find the native ticket; memory per worker is logged', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await contextWith();
  try {
    const pages = [];
    for (const workers of [8, 3]) {
      const p = await openPage(ctx, `${server.url}${QUERY}&workers=${workers}`);
      await pageReady(p.page);
      pages.push({ ...p, workers });
    }
    await Promise.all(pages.map(({ page }) => clickRun(page)));
    await Promise.all(pages.map(({ page }) => runEnds(page, 'done', 2 * RUN_TIMEOUT)));
    const memory = [];
    for (const { page, problems, workers } of pages) {
      const r = await readResult(page);
      assertMatches(r, native, `${workers} workers, concurrently`);
      assert.equal(Number(r.workers), workers, 'data-workers');
      const solvers = r.wasmMemorySolvers.split(',').map(Number);
      assert.equal(solvers.length, workers, 'one memory figure per solver');
      const coordinator = Number(r.wasmMemoryCoordinator);
      assert.ok(coordinator > 0 && solvers.every((b) => b > 0), `memory figures ${r.wasmMemoryCoordinator} / ${r.wasmMemorySolvers}`);
      memory.push({ workers, coordinatorMiB: +(coordinator / 2 ** 20).toFixed(1), solverMiB: solvers.map((b) => +(b / 2 ** 20).toFixed(1)) });
      await assertClean(page, problems);
    }
    writeFileSync(path.join(root, 'target/e2e/memory.json'), `${JSON.stringify({ ...CONFIG, runs: memory }, null, 2)}\n`);
    console.log(`wasm memory: ${JSON.stringify(memory)}`);
  } finally {
    await ctx.close();
  }
});

test('served under a sub-path (/demo/eslt/), the page loads and finds the native ticket', { timeout: TEST_TIMEOUT }, async () => {
  const top = mkdtempSync(path.join(os.tmpdir(), 'eslt-subpath-'));
  mkdirSync(path.join(top, 'demo'));
  symlinkSync(path.resolve(dist), path.join(top, 'demo', 'eslt'));
  const sub = await serve(top);
  try {
    const ctx = await browser.newContext();
    await guardContext(ctx, sub.url);
    const { page, problems } = await openPage(ctx, `${sub.url}demo/eslt/${QUERY}&workers=2`);
    await pageReady(page);
    await clickRun(page);
    await runEnds(page);
    assertMatches(await readResult(page), native, 'under /demo/eslt/');
    await assertClean(page, problems);
    await ctx.close();
  } finally {
    await sub.close();
    rmSync(top, { recursive: true, force: true });
  }
});
