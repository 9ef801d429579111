// End-to-end test of the Scaling card on the built page (dist/), in
// headless Chromium: the page's live sweep over ε (one prune-only ticket
// per ε on the worker pool) equals `eslt sweep --eps … --test-digits 0
// --json` at the page's seed, point for point — n per layer, source,
// ticket and bound parameters — for rotated MNIST c8 and a graph task; the
// card goes running → done; Cancel stops it (cancelled). The page's c8
// sweep time is logged to target/e2e/scaling.json, not asserted.
// Screenshots of the card go to $ESLT_SHOTS (desktop and a 390-px phone).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { guardContext, openPage } from './guards.mjs';
import { assertClean, ESLT, eslt, lastJson, pageReady } from './page-run.mjs';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const out = path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The card's ε list (www/scaling.js) and the seed the page is opened with.
const EPS = '0.1,0.03,0.01,0.003,0.001';
const SEED = 3;
const SWEEP_TIMEOUT = 180_000;

let server;
let browser;
let context;
const timing = {};

before(async () => {
  mkdirSync(shots, { recursive: true });
  mkdirSync(out, { recursive: true });
  if (!existsSync(ESLT)) assert.fail(`native binary ${ESLT} is missing: run ./build.sh build first`);
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext();
  await guardContext(context, server.url);
});

after(async () => {
  writeFileSync(path.join(out, 'scaling.json'), JSON.stringify(timing, null, 2) + '\n');
  await browser?.close();
  await server?.close();
});

const scalingState = (page) => page.$eval('#scaling', (el) => el.dataset.state);

// Records every data-state of #scaling from now on.
function recordStates(page) {
  return page.evaluate(() => {
    const card = document.getElementById('scaling');
    const log = [card.dataset.state];
    window.__scalingStates = log;
    new MutationObserver(() => {
      if (log[log.length - 1] !== card.dataset.state) log.push(card.dataset.state);
    }).observe(card, { attributes: true, attributeFilter: ['data-state'] });
  });
}

async function openTask(task, viewport) {
  const { page, problems } = await openPage(context, `${server.url}?task=${task}&seed=${SEED}`, viewport ? { viewport } : undefined);
  await pageReady(page);
  assert.equal(await scalingState(page), 'idle', 'state before the sweep');
  return { page, problems };
}

async function sweepOnPage(page) {
  await recordStates(page);
  await page.click('#scaling-run');
  await page.waitForFunction(() => document.getElementById('scaling').dataset.state !== 'running' && document.getElementById('scaling').dataset.state !== 'idle', null, {
    timeout: SWEEP_TIMEOUT,
    polling: 100,
  });
  const states = await page.evaluate(() => window.__scalingStates);
  assert.deepEqual(states, ['idle', 'running', 'done'], 'the card goes running → done');
  return page.$$eval('#scaling .point', (els) => els.map((e) => ({ ...e.dataset })));
}

function assertEqualsNative(task, points) {
  const native = lastJson(eslt(['sweep', '--model', `www/models/${task}.json`, '--eps', EPS, '--seed', String(SEED), '--test-digits', '0', '--json']), 'eslt sweep');
  assert.equal(native.seed, SEED);
  assert.equal(points.length, native.points.length, `${task}: one live point per ε`);
  native.points.forEach((n, i) => {
    const p = points[i];
    const what = `${task} at ε = ${n.eps}`;
    assert.equal(p.task, task, `${what}: data-task`);
    assert.equal(Number(p.eps), n.eps, `${what}: data-eps`);
    assert.equal(p.n, n.n_per_layer.join(','), `${what}: data-n`);
    assert.equal(Number(p.sourceParams), n.source_params, `${what}: data-source-params`);
    assert.equal(Number(p.ticketParams), n.ticket_params, `${what}: data-ticket-params`);
    assert.equal(Number(p.boundParams), n.bound_params, `${what}: data-bound-params`);
    assert.equal(p.maskDigest, n.mask_digest, `${what}: data-mask-digest (the same ticket)`);
  });
  return native;
}

test('the live c8 sweep equals eslt sweep --eps at the page seed; the family drawn beside it', { timeout: SWEEP_TIMEOUT + 60_000 }, async () => {
  const { page, problems } = await openTask('rotmnist-c8', { width: 1400, height: 1000 });
  const t0 = performance.now();
  const points = await sweepOnPage(page);
  const wall = (performance.now() - t0) / 1000;
  const pageSeconds = Number(await page.$eval('#scaling', (el) => el.dataset.seconds));
  assertEqualsNative('rotmnist-c8', points);
  const card = await page.$eval('#scaling', (el) => ({ ...el.dataset, text: document.getElementById('scaling-text').textContent }));
  timing.c8 = { pageSeconds, wallSeconds: wall, sourceSlope: Number(card.sourceSlope), ticketSlope: Number(card.ticketSlope), cnnOverC8: Number(card.cnnOverC8) };
  console.log(`c8 sweep on the page: ${pageSeconds.toFixed(2)} s (${wall.toFixed(2)} s wall); ${card.text}`);
  assert.ok(Number.isFinite(Number(card.sourceSlope)) && Number(card.sourceSlope) > 0, `source slope ${card.sourceSlope}`);
  assert.ok(Number(card.cnnOverC8) > 1, `cnn/c8 at ε = 0.01: ${card.cnnOverC8}`);
  const refs = await page.$$eval('#scaling-chart .reference', (els) => els.map((e) => e.dataset.task).sort());
  assert.deepEqual(refs, ['rotmnist-c4', 'rotmnist-cnn', 'rotmnist-d4', 'rotmnist-mlp'], 'the family drawn beside c8');
  await page.$eval('#scaling', (el) => el.scrollIntoView());
  await page.locator('#scaling').screenshot({ path: path.join(shots, 'scaling-desktop.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // the chart is redrawn at its new width
  await page.$eval('#scaling', (el) => el.scrollIntoView());
  await page.locator('#scaling').screenshot({ path: path.join(shots, 'scaling-phone.png') });
  await assertClean(page, problems);
  await page.close();
});

test('the live karate sweep equals eslt sweep --eps at the page seed', { timeout: SWEEP_TIMEOUT + 60_000 }, async () => {
  const { page, problems } = await openTask('karate-mpgnn');
  const points = await sweepOnPage(page);
  assertEqualsNative('karate-mpgnn', points);
  const refs = await page.$$eval('#scaling-chart .reference', (els) => els.length);
  assert.equal(refs, 4, 'the other graph and set models drawn beside it');
  await assertClean(page, problems);
  await page.close();
});

test('Cancel stops the sweep (cancelled, fewer points); the page can sweep again', { timeout: SWEEP_TIMEOUT + 60_000 }, async () => {
  const { page, problems } = await openTask('rotmnist-c8');
  await recordStates(page);
  await page.click('#scaling-run');
  await page.waitForFunction(() => document.getElementById('scaling').dataset.state === 'running', null, { timeout: 10_000 });
  assert.equal(await page.$eval('#scaling-run', (b) => b.textContent), 'Cancel');
  await page.click('#scaling-run');
  await page.waitForFunction(() => document.getElementById('scaling').dataset.state !== 'running', null, { timeout: 60_000 });
  assert.equal(await scalingState(page), 'cancelled');
  const n = await page.$$eval('#scaling .point', (els) => els.length);
  assert.ok(n < 5, `a cancelled sweep has fewer than 5 points (${n})`);
  assert.equal(await page.$eval('#scaling-run', (b) => b.disabled), false, 'the button is usable again');
  await assertClean(page, problems);
  await page.close();
});
