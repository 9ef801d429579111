// End-to-end test of the built page (dist/) in headless Chromium: the grid
// shows the real test digits (labels from the data file), rotated by the
// Rust core in a worker; the slider re-renders; failures are visible.
// Screenshots go to target/e2e/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { moments, readDigits } from './digits-file.mjs';
import { guardContext, openPage as openGuardedPage, problemsOf } from './guards.mjs';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const DATA = 'data/mnist-t10k-2000.digits.gz';
const PER_PAGE = 48;
// The page draws value v as PAPER + v·(INK − PAPER); red channel suffices.
const PAPER_R = 15;
const INK_R = 241;

let server;
let browser;
let digits;

before(async () => {
  mkdirSync(shots, { recursive: true });
  digits = readDigits(path.join(dist, DATA));
  server = await serve(dist);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// A page in its own context that records console and page errors, CSP
// violations and requests leaving the origin (see guards.mjs).
async function openPage(query = '') {
  const context = await browser.newContext();
  await guardContext(context, server.url);
  const opened = await openGuardedPage(context, server.url + query, { viewport: { width: 1200, height: 900 } });
  opened.page.on('close', () => context.close().catch(() => {}));
  return opened;
}

// Waits until the page reports ready or error, and returns which.
async function settled(page) {
  await page.waitForSelector('#status:is([data-state="ready"], [data-state="error"])', { timeout: 30_000 });
  return page.$eval('#status', (el) => el.dataset.state);
}

async function assertReady(page) {
  const state = await settled(page);
  if (state !== 'ready') {
    const message = await page.$eval('#error-message', (el) => el.textContent);
    assert.fail(`page shows an error instead of the grid: ${message}`);
  }
}

// Every cell: its attributes and the canvas read back as values in [0, 1].
function readGrid(page) {
  return page.$$eval(
    '#grid .cell',
    (cells, { paper, ink }) =>
      cells.map((cell) => {
        const canvas = cell.querySelector('canvas');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const values = [];
        for (let i = 0; i < data.length; i += 4) values.push((data[i] - paper) / (ink - paper));
        return {
          index: Number(cell.dataset.index),
          label: Number(cell.dataset.label),
          shownLabel: cell.querySelector('.label').textContent,
          angle: Number(cell.dataset.angle),
          values,
        };
      }),
    { paper: PAPER_R, ink: INK_R },
  );
}

// Rotating turns an image's centre of mass about the image centre by the
// same angle (counter-clockwise as displayed) and keeps its mass.
function assertRotatedFrom(cell, source, angleDeg, what) {
  const a = moments(source, digits.rows, digits.cols);
  const b = moments(cell.values, digits.rows, digits.cols);
  const t = (angleDeg * Math.PI) / 180;
  const ex = Math.cos(t) * a.x - Math.sin(t) * a.y;
  const ey = Math.sin(t) * a.x + Math.cos(t) * a.y;
  assert.ok(Math.abs(b.mass - a.mass) / a.mass < 0.05, `${what}: mass ${b.mass} vs ${a.mass}`);
  // 0.25 px: bilinear resampling and 8-bit canvas quantisation.
  assert.ok(
    Math.hypot(b.x - ex, b.y - ey) < 0.25,
    `${what}: centre of mass (${b.x.toFixed(2)}, ${b.y.toFixed(2)}), expected (${ex.toFixed(2)}, ${ey.toFixed(2)}) for ${angleDeg}°`,
  );
}

test('the grid shows the shipped test digits, rotated by their test angles', async () => {
  const { page, problems } = await openPage();
  await assertReady(page);
  const cells = await readGrid(page);
  assert.equal(cells.length, PER_PAGE);
  assert.deepEqual(cells.map((c) => c.index), [...Array(PER_PAGE).keys()]);
  // Labels shown are the data file's labels, in order.
  assert.deepEqual(cells.map((c) => c.label), digits.labels.slice(0, PER_PAGE));
  assert.deepEqual(cells.map((c) => Number(c.shownLabel)), digits.labels.slice(0, PER_PAGE));
  // Seeded test angles: spread over the circle, not all alike.
  const angles = new Set(cells.map((c) => c.angle));
  assert.ok(angles.size > PER_PAGE / 2, `only ${angles.size} distinct angles`);
  for (const cell of cells) assertRotatedFrom(cell, digits.image(cell.index), cell.angle, `digit ${cell.index}`);
  const summary = await page.textContent('#digits-summary');
  assert.match(summary, /2,000 digits of 28×28/);
  await page.screenshot({ path: path.join(shots, 'page.png'), fullPage: true });
  assert.deepEqual(await problemsOf(page, problems), []);
  await page.close();
});

test('the rotation slider re-renders every digit through the core', async () => {
  const { page, problems } = await openPage('?details=1');
  await assertReady(page);
  const before = await readGrid(page);
  await page.locator('#rotation').fill('90');
  await page.waitForSelector('#grid[data-extra-angle="90"]');
  assert.equal(await page.textContent('#rotation-value'), '90°');
  const after = await readGrid(page);
  assert.equal(after.length, before.length);
  for (let k = 0; k < after.length; k++) {
    const [b, a] = [before[k], after[k]];
    assert.equal(a.index, b.index);
    const changed = a.values.some((v, i) => Math.abs(v - b.values[i]) > 0.1);
    assert.ok(changed, `digit ${a.index} did not change`);
    const turned = (((a.angle - b.angle) % 360) + 360) % 360;
    assert.ok(Math.min(Math.abs(turned - 90), Math.abs(turned - 90 + 360)) <= 1, `digit ${a.index}: ${b.angle}° → ${a.angle}°`);
    assertRotatedFrom(a, digits.image(a.index), a.angle, `digit ${a.index} after the slider`);
  }
  assert.match(page.url(), /rotation=90/);
  await page.screenshot({ path: path.join(shots, 'page-rotated-90.png'), fullPage: true });
  assert.deepEqual(await problemsOf(page, problems), []);
  await page.close();
});

test('the URL restores the rotation and page of digits', async () => {
  const { page, problems } = await openPage('?rotation=45&page=1');
  await assertReady(page);
  assert.equal(await page.inputValue('#rotation'), '45');
  const cells = await readGrid(page);
  assert.equal(cells[0].index, PER_PAGE);
  assert.deepEqual(cells.map((c) => c.label), digits.labels.slice(PER_PAGE, 2 * PER_PAGE));
  assert.deepEqual(await problemsOf(page, problems), []);
  await page.close();
});

test('a missing data file shows a visible error', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  await page.route(`**/${DATA}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(server.url);
  assert.equal(await settled(page), 'error');
  assert.ok(await page.isVisible('#error'), 'error box visible');
  const message = await page.textContent('#error-message');
  assert.match(message, /mnist-t10k-2000\.digits\.gz/);
  assert.match(message, /404/);
  assert.equal(await page.$$eval('#grid .cell', (c) => c.length), 0);
  await page.screenshot({ path: path.join(shots, 'error-missing-data.png'), fullPage: true });
  await page.close();
});

test('a WebAssembly module that fails to load shows a visible error', async () => {
  const context = await browser.newContext();
  await context.route('**/pkg/eslt_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const page = await context.newPage();
  await page.goto(server.url);
  assert.equal(await settled(page), 'error');
  assert.ok(await page.isVisible('#error'), 'error box visible');
  assert.match(await page.textContent('#error-message'), /WebAssembly/);
  await context.close();
});

for (const [file, expected] of [
  ['worker.js', /worker/],
  ['main.js', /main\.js/],
]) {
  test(`a ${file} that fails to load shows a visible error`, async () => {
    const context = await browser.newContext();
    await context.route(`**/${file}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
    const page = await context.newPage();
    await page.goto(server.url);
    assert.equal(await settled(page), 'error');
    assert.ok(await page.isVisible('#error'), 'error box visible');
    assert.match(await page.textContent('#error-message'), expected);
    await context.close();
  });
}
