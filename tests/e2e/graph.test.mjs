// End-to-end: a graph task and the karate club run to completion in
// headless Chromium, find the native CLI's ticket (same mask digest and
// accuracies; the exported ticket passes `eslt ticket verify`), and
// "Permute nodes" changes no graph-level prediction — on
// the graph shown and on every test graph of the run — while the node
// outputs move with their nodes. Screenshots go to $ESLT_SHOTS.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { guardContext, openPage } from './guards.mjs';
import { assertClean, clickRun, eslt, lastJson, openDetails, pageReady, readResult, root, runEnds } from './page-run.mjs';
import { serve } from './server.mjs';

const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TEST_TIMEOUT = 240_000;
const EPS = 0.01;
const SEED = 3;

let server;
let browser;
let context;

before(async () => {
  mkdirSync(shots, { recursive: true });
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  if (!existsSync(CHROMIUM)) assert.fail(`no Chromium at ${CHROMIUM} (set CHROMIUM or apt-get install chromium)`);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext({ acceptDownloads: true });
  await guardContext(context, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function nativePrune(task, graphs) {
  const args = ['prune', '--model', `www/models/${task}.json`, '--eps', String(EPS), '--seed', String(SEED), '--test-digits', String(graphs), '--json'];
  return lastJson(eslt(args), 'eslt prune');
}

const card = (page) => page.$eval('#graph-card', (el) => ({ ...el.dataset }));

// Waits until the graph card shows outputs for permutation `seed` ('' =
// original labels) and, when permuted, the check over every test graph.
async function graphShown(page, seed) {
  await page.waitForFunction(
    (want) => {
      const c = document.getElementById('graph-card').dataset;
      if (c.state !== 'outputs') return false;
      if (want === null) return c.permutationSeed === '';
      return c.permutationSeed !== '' && c.permutationSeed !== want && 'changedPredictions' in c;
    },
    seed,
    { timeout: 30_000, polling: 100 },
  );
  return card(page);
}

async function runGraphTask(task, graphs, shot) {
  const native = nativePrune(task, graphs);
  const { page, problems } = await openPage(context, `${server.url}?task=${task}&eps=${EPS}&seed=${SEED}&digits=${graphs}&backend=cpu`);
  await pageReady(page);
  // Before a run: the structure of test graph 0, no outputs.
  await page.waitForFunction(() => document.getElementById('graph-card').dataset.state === 'structure', null, { timeout: 15_000 });
  assert.equal(await page.$eval('body', (b) => b.dataset.kind), 'graph');
  assert.ok(await page.$eval('#rotation-card', (el) => getComputedStyle(el).display === 'none'), 'the rotation card is hidden for a graph task');
  assert.ok((await page.$$('#graph-view .graph-node')).length > 0, 'nodes are drawn before a run');

  await clickRun(page);
  await runEnds(page, 'done', 180_000);
  const r = await readResult(page);
  assert.equal(r.task, task);
  assert.equal(r.maskDigest, native.mask_digest, `${task}: the page's ticket is the native CLI's`);
  assert.equal(r.n, native.n_per_layer.join(','), `${task}: n per layer`);
  for (const [k, nk] of [['targetAccuracy', 'target_accuracy'], ['ticketAccuracy', 'ticket_accuracy'], ['sourceAccuracy', 'source_accuracy'], ['agreement', 'agreement'], ['testDigits', 'test_digits']]) {
    assert.equal(Number(r[k]), native[nk], `${task}: ${k}`);
  }
  assert.equal(r.verifyBackend, 'cpu', 'graph runs verify in the coordinator');
  const before = await graphShown(page, null);
  assert.ok(before.targetPrediction !== undefined && before.ticketPrediction !== undefined, 'predictions on the shown graph');
  // Rows of layers and the worst coefficients are shown as for images.
  assert.ok((await page.$$('#layers .layer-row.done')).length === native.n_per_layer.length, 'every layer row is done');
  assert.ok((await page.$$('#worst-list tr')).length > 0, 'the worst coefficients are listed');
  // Live negative pools are shown where the report has them.
  const pools = await page.$$eval('#layers .layer-row', (rows) => rows.map((r) => r.dataset.negativePool));
  assert.deepEqual(pools, native.layers.map((l) => l.negative_pool), `${task}: live/dead pools per layer`);
  await page.screenshot({ path: path.join(shots, `${shot}-done.png`), fullPage: true });
  await page.locator('#graph-card').screenshot({ path: path.join(shots, `${shot}-graph.png`) });

  // The exported ticket verifies natively (rebuilt, re-run, re-evaluated).
  await openDetails(page);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('#export-ticket')]);
  const file = path.join(shots, download.suggestedFilename());
  await download.saveAs(file);
  let verify;
  try {
    verify = lastJson(eslt(['ticket', 'verify', '--ticket', file, '--model', `www/models/${task}.json`, '--json']), 'eslt ticket verify');
  } catch (e) {
    assert.fail(`eslt ticket verify failed (exit ${e.status ?? '?'}): ${(e.stderr || e.stdout || e.message).toString().trim()}`);
  }
  assert.equal(verify.ticket_valid, true, `${task}: the exported ticket verifies`);
  assert.equal(verify.mask_digest, native.mask_digest, `${task}: exported mask digest`);

  let seed = '';
  for (let k = 0; k < 3; k++) {
    await page.click('#permute-nodes');
    const after = await graphShown(page, seed);
    seed = after.permutationSeed;
    assert.equal(after.targetPrediction, before.targetPrediction, `${task}: permuting changes no prediction of the target (seed ${seed})`);
    assert.equal(after.ticketPrediction, before.ticketPrediction, `${task}: permuting changes no prediction of the ticket (seed ${seed})`);
    assert.ok(Number(after.nodeMaxChange) < 1e-4, `${task}: node outputs move with their nodes (largest change ${after.nodeMaxChange})`);
    assert.equal(after.changedPredictions, '0', `${task}: no prediction of any test graph changed (seed ${seed})`);
    assert.ok(Number(after.maxLogitChange) < 1e-3, `${task}: largest logit change ${after.maxLogitChange}`);
    // The numbers shown on the nodes changed.
    const shown = await page.$$eval('#graph-view .graph-node', (ns) => ns.map((n) => n.dataset.shown).join(','));
    const ids = await page.$$eval('#graph-view .graph-node', (ns) => ns.map((n) => n.dataset.node).join(','));
    if (k === 0) assert.notEqual(shown, ids, 'the nodes carry new numbers after a permutation');
  }
  const check = await page.$eval('#graph-check', (el) => el.textContent);
  console.log(`${task}: ${r.maskDigest.slice(0, 16)}…, n ${r.n}, target ${r.targetAccuracy}, ticket ${r.ticketAccuracy}; ${check}`);
  await page.locator('#graph-card').screenshot({ path: path.join(shots, `${shot}-graph-permuted.png`) });
  await assertClean(page, problems);
  await page.close();
}

test('graph families (2-IGN): the native ticket, and permuting nodes changes no prediction', { timeout: TEST_TIMEOUT }, async () => {
  await runGraphTask('graph-families-ign', 200, 'graph-families-ign');
});

test('karate club (message passing): the native ticket, and node predictions move with their nodes', { timeout: TEST_TIMEOUT }, async () => {
  await runGraphTask('karate-mpgnn', 1, 'karate-mpgnn');
});
