// Driving the page's run from a test: wait for it, start it, read its
// result, compare it with the native CLI's. Shared by the e2e test files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { problemsOf } from './guards.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const ESLT = path.join(root, 'target/release/eslt');
export const DATA_DIR = path.join(root, 'target/data');
export const RUN_TIMEOUT = 120_000;

export function eslt(args) {
  return execFileSync(ESLT, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

export function lastJson(stdout, what) {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${what}: no JSON object on stdout:\n${stdout}`);
  return JSON.parse(line);
}

// `eslt prune --json` of the shipped model of `task` (the reference ticket).
export function nativePrune({ task, eps, seed, digits }) {
  const model = `www/models/${task}.json`;
  const args = ['prune', '--model', model, '--eps', String(eps), '--seed', String(seed), '--test-digits', String(digits), '--data', DATA_DIR, '--json'];
  const native = lastJson(eslt(args), 'eslt prune');
  for (const key of ['mask_digest', 'target_accuracy', 'ticket_accuracy', 'source_accuracy', 'agreement', 'test_digits', 'n_per_layer']) {
    assert.ok(key in native, `eslt prune --json has no key ${key}`);
  }
  return native;
}

export const runState = (page) => page.$eval('#run', (el) => el.dataset.state);

export async function assertClean(page, problems) {
  assert.deepEqual(await problemsOf(page, problems), [], 'the page reported problems');
}

// Waits for the page's load status (the digit data and the core).
export async function pageReady(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')?.dataset.state), null, {
    timeout: 30_000,
  });
  const state = await page.$eval('#status', (el) => el.dataset.state);
  if (state !== 'ready') {
    const message = await page.$eval('#error-message', (el) => el.textContent).catch(() => '(no #error-message)');
    assert.fail(`page did not load: ${message}`);
  }
}

// Records every state/progress change of #run from now on.
export function recordRun(page) {
  return page.evaluate(() => {
    const run = document.getElementById('run');
    const log = [];
    window.__esltRunLog = log;
    const note = () => log.push({ state: run.dataset.state, progress: run.dataset.progress ?? null, t: performance.now() });
    note();
    new MutationObserver(note).observe(run, { attributes: true, attributeFilter: ['data-state', 'data-progress'] });
  });
}

// Clicks Run; returns the page clock at the click.
export async function clickRun(page) {
  await page.locator('#run-button').waitFor({ state: 'visible' });
  const t0 = await page.evaluate(() => performance.now());
  await page.click('#run-button');
  return t0;
}

// Waits until the run is over; fails unless it is `want`.
export async function runEnds(page, want = 'done', timeout = RUN_TIMEOUT) {
  await page.waitForFunction(
    () => ['done', 'cancelled', 'error'].includes(document.getElementById('run')?.dataset.state),
    null,
    { timeout, polling: 100 },
  );
  const state = await runState(page);
  if (state !== want) {
    const error = await page.$eval('#run-error', (el) => el.textContent.trim()).catch(() => '(no #run-error)');
    assert.fail(`run ended in state ${state}, expected ${want}; #run-error: ${error}`);
  }
}

// Opens the "Details" disclosure (export / load, timings, all test digits)
// as a reader would, by its summary.
export async function openDetails(page) {
  if (!(await page.$eval('#details', (d) => d.open))) await page.click('#details > summary');
}

export const readResult = (page) => page.$eval('#result', (el) => ({ ...el.dataset }));

// The result attributes the native CLI also reports, equal to it.
export function assertMatches(r, native, what, { accuracies = true } = {}) {
  assert.equal(r.maskDigest, native.mask_digest, `${what}: mask digest`);
  assert.equal(r.n, native.n_per_layer.join(','), `${what}: n per layer`);
  if (!accuracies) return;
  assert.equal(Number(r.testDigits), native.test_digits, `${what}: test digits`);
  assert.equal(Number(r.targetAccuracy), native.target_accuracy, `${what}: target accuracy`);
  assert.equal(Number(r.ticketAccuracy), native.ticket_accuracy, `${what}: ticket accuracy`);
  assert.equal(Number(r.agreement), native.agreement, `${what}: agreement`);
  // The unpruned random source's own accuracy (the "before" of the run).
  assert.equal(Number(r.sourceAccuracy), native.source_accuracy, `${what}: source accuracy`);
}
