// The page against the native CLI, as a visitor meets them: for the three
// image tasks of most weight (c8, cnn, mlp) at ε = 0.01 on 1,000 test
// digits, with 2 solver workers on the CPU path and a seed no other test
// uses, the page's click → done (after it has been idle long enough to
// have computed the target's logits, and those of the random source the
// run will draw) beside `eslt prune`'s whole command,
// and every worker's peak WebAssembly memory beside the run's estimate
// (three rounds each, alternated, medians).
// Also the time from navigation to "ready" and the bytes fetched before
// the first run. Figures go to target/e2e/page-speed.json and the log;
// only correctness is asserted (same mask digest and accuracies as the
// CLI), never a time.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

import { guardContext, openPage } from './guards.mjs';
import { assertClean, assertMatches, clickRun, DATA_DIR, ESLT, pageReady, readResult, root, runEnds } from './page-run.mjs';
import { serve } from './server.mjs';

const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const out = path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const TASKS = ['rotmnist-c8', 'rotmnist-cnn', 'rotmnist-mlp'];
const EPS = 0.01;
const SEED = 11; // not used by any other test
const DIGITS = 1000;
const WORKERS = 2;
const MIB = 2 ** 20;

let server;
let browser;
let context;
const rows = [];
let load = null;

before(async () => {
  mkdirSync(out, { recursive: true });
  if (!existsSync(ESLT)) assert.fail(`native binary ${ESLT} is missing: run ./build.sh build first`);
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext();
  await guardContext(context, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// `eslt prune` of `task`, the whole command timed as a user would.
function nativeRun(task) {
  const args = ['prune', '--model', `www/models/${task}.json`, '--eps', String(EPS), '--seed', String(SEED)];
  args.push('--test-digits', String(DIGITS), '--data', DATA_DIR, '--json');
  const t = performance.now();
  const stdout = execFileSync(ESLT, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - t) / 1000;
  const report = JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop());
  return { report, seconds };
}

// Waits until `#status[data-<key>]` reads `want` (logits the page computes
// while the visitor reads); false if it never does.
async function statusSays(page, key, want) {
  return page
    .waitForFunction(([k, w]) => document.getElementById('status')?.dataset[k] === w, [key, want], {
      timeout: Number(process.env.ESLT_TARGET_WAIT_MS ?? 120_000),
    })
    .then(() => true)
    .catch(() => false);
}

const f2 = (x) => Number(x.toFixed(2));
const mib = (b) => Math.round(b / MIB);

const ROUNDS = 3; // page runs and native runs per task, alternated; medians reported
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const task of TASKS) {
  test(`${task}: page click → done beside the native CLI (logged)`, { timeout: 300_000 }, async () => {
    const query = `?task=${task}&eps=${EPS}&seed=${SEED}&digits=${DIGITS}&workers=${WORKERS}&backend=cpu`;
    const { page, problems } = await openPage(context, server.url + query);
    await pageReady(page);
    // The target's logits on DIGITS digits, then those of the source the run
    // draws (task, digits, seed, ε, n from the bound).
    const cached = await statusSays(page, 'targetLogits', `${task}:${DIGITS}`);
    if (!cached) console.log(`${task}: the page never reported the target's logits ready; timing the run anyway`);
    const sourceCached = await statusSays(page, 'sourceLogits', `${task}:${DIGITS}:${SEED}:${EPS}:`);
    if (!sourceCached) console.log(`${task}: the page never reported the source's logits ready; timing the run anyway`);
    const sourceRows = [];
    const pageSeconds = [];
    const nativeSeconds = [];
    let r;
    let native;
    for (let round = 0; round < ROUNDS; round++) {
      native = nativeRun(task);
      nativeSeconds.push(native.seconds);
      await new Promise((done) => setTimeout(done, 1000)); // idle, as a reader would be
      await clickRun(page);
      await runEnds(page, 'done', 240_000);
      r = await readResult(page);
      assertMatches(r, native.report, `${task}, round ${round + 1}`);
      sourceRows.push(Number(r.sourceCachedRows ?? 0));
      pageSeconds.push(Number(r.seconds));
      await new Promise((done) => setTimeout(done, 1000)); // the reader looks at the result
    }
    const solvers = (r.wasmMemorySolvers ?? '').split(',').filter(Boolean).map(Number);
    const timing = await page.evaluate(() => ({
      solve: document.getElementById('t-solve')?.textContent,
      verify: document.getElementById('t-verify')?.textContent,
    }));
    const row = {
      task,
      n_per_layer: r.n,
      page_seconds: f2(median(pageSeconds)),
      page_seconds_all: pageSeconds.map(f2),
      page_solve_last: timing.solve,
      page_verify_last: timing.verify,
      native_seconds: f2(median(nativeSeconds)),
      native_seconds_all: nativeSeconds.map(f2),
      native_solve_seconds_last: f2(native.report.solve_seconds),
      ratio: f2(median(pageSeconds) / median(nativeSeconds)),
      target_cached_rows: Number(r.targetCachedRows ?? 0),
      source_cached_rows: sourceRows,
      coordinator_mib: mib(Number(r.wasmMemoryCoordinator)),
      solver_mib: solvers.map(mib),
      estimate_mib: r.memoryEstimate ? mib(Number(r.memoryEstimate)) : null,
      native_peak_rss_mib: native.report.peak_rss_bytes ? mib(native.report.peak_rss_bytes) : null,
      profile_ms_last: r.profile ? JSON.parse(r.profile) : null,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    await assertClean(page, problems);
    await page.close();
  });
}

test('navigation → ready, and the bytes fetched before the first run (logged)', { timeout: 120_000 }, async () => {
  const fresh = await browser.newContext();
  await guardContext(fresh, server.url);
  // Every request of the page and its workers (the wasm module is fetched
  // by each worker: counted once, as a browser's cache would serve it).
  const names = new Set();
  fresh.on('request', (r) => names.add(new URL(r.url()).pathname));
  const { page, problems } = await openPage(fresh, server.url);
  await pageReady(page);
  const readyMs = await page.evaluate(() => performance.getEntriesByName('eslt:ready')[0]?.startTime ?? null);
  const files = [...names]
    .map((p) => (p.endsWith('/') ? `${p}index.html` : p))
    .filter((p) => existsSync(path.join(dist, p)));
  // Raw, gzip and brotli kB by kind of file, and in all.
  const kindOf = (f) => (f.endsWith('.wasm') ? 'wasm' : f.endsWith('.gz') ? 'digits' : f.split('.').pop());
  const kb = (b) => Math.round(b / 1000);
  const sizes = {};
  for (const f of files) {
    const bytes = readFileSync(path.join(dist, f));
    const k = kindOf(f);
    const z = (sizes[k] ??= { files: 0, raw: 0, gzip: 0, brotli: 0 });
    z.files += 1;
    z.raw += bytes.length;
    z.gzip += gzipSync(bytes, { level: 9 }).length;
    z.brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  const all = Object.values(sizes).reduce((a, z) => ({ raw: a.raw + z.raw, gzip: a.gzip + z.gzip, brotli: a.brotli + z.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const table = Object.fromEntries(Object.entries(sizes).map(([k, z]) => [k, { files: z.files, raw_kb: kb(z.raw), gzip_kb: kb(z.gzip), brotli_kb: kb(z.brotli) }]));
  load = { ready_ms: readyMs === null ? null : Math.round(readyMs), files: files.length, raw_kb: kb(all.raw), gzip_kb: kb(all.gzip), brotli_kb: kb(all.brotli), by_kind: table };
  console.log(JSON.stringify(load));
  assert.ok(readyMs !== null, 'the page marks "eslt:ready" when it is ready');
  await assertClean(page, problems);
  await fresh.close();
});

test('write target/e2e/page-speed.json', () => {
  writeFileSync(path.join(out, 'page-speed.json'), `${JSON.stringify({ eps: EPS, seed: SEED, digits: DIGITS, workers: WORKERS, runs: rows, load }, null, 2)}\n`);
  console.log('task            page (s)  native (s)  page/native  coordinator  solvers (MiB)  estimate');
  for (const r of rows) {
    console.log(
      `${r.task.padEnd(14)}  ${String(r.page_seconds).padStart(8)}  ${String(r.native_seconds).padStart(10)}  ` +
        `${String(r.ratio).padStart(11)}  ${String(r.coordinator_mib).padStart(11)}  ${r.solver_mib.join('/').padStart(13)}  ${r.estimate_mib ?? '–'}`,
    );
  }
});
