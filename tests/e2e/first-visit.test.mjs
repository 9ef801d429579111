// The first visit, on a desktop (1400×1000) and on a phone (390×844): the
// claim, the before/after picture, the task and Run are on the first
// screen; a run fills the picture with the numbers #result carries; the
// second-visit material sits in a closed "Details" disclosure whose state is
// the URL's details flag. Screenshots of the first screen, before and after
// a run, go to $ESLT_SHOTS (first-visit-*.png).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { guardContext, openPage } from './guards.mjs';
import { assertClean, clickRun, pageReady, readResult, runEnds } from './page-run.mjs';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const QUERY = '?task=rotmnist-c8&eps=0.01&seed=1&digits=1000';
const TEST_TIMEOUT = 200_000;

const SIZES = [
  { name: 'desktop', viewport: { width: 1400, height: 1000 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];

let server;
let browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Whether the element lies wholly inside the first screen (no scrolling).
async function onFirstScreen(page, selector) {
  const box = await page.locator(selector).boundingBox();
  const { height, width } = page.viewportSize();
  return !!box && box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width;
}

const percent = (v) => `${(100 * Number(v)).toFixed(1)} %`;

for (const size of SIZES) {
  test(`first visit on a ${size.name} (${size.viewport.width}×${size.viewport.height})`, { timeout: TEST_TIMEOUT }, async () => {
    const context = await browser.newContext({ viewport: size.viewport, isMobile: size.isMobile ?? false, hasTouch: size.hasTouch ?? false, deviceScaleFactor: size.deviceScaleFactor ?? 1 });
    await guardContext(context, server.url);
    try {
      const { page, problems } = await openPage(context, server.url + QUERY, { viewport: size.viewport });
      await pageReady(page);
      await page.locator('#run-button:enabled').waitFor({ timeout: 30_000 });
      for (const selector of ['#hero-title', '#hero-picture', '#task', '#run-button']) {
        assert.ok(await onFirstScreen(page, selector), `${selector} is not on the first screen`);
      }
      // Nothing on the first screen is cut off sideways.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= size.viewport.width, `the page is ${wide} px wide on a ${size.viewport.width} px screen`);
      assert.equal(await page.$eval('#details', (d) => d.open), false, 'Details closed on a first visit');
      const placeholders = await page.$$eval('#hero-picture .stage-placeholder', (ps) => ps.filter((p) => p.offsetHeight > 0 && p.textContent.trim()).length);
      assert.equal(placeholders, 3, 'before a run, each stage of the picture says what will appear');
      await page.screenshot({ path: path.join(shots, `first-visit-${size.name}-before.png`) });

      // The status strip says "running" while the run goes.
      await page.evaluate(() => {
        window.__statusTexts = [];
        const s = document.getElementById('status');
        new MutationObserver(() => window.__statusTexts.push(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
      });
      await clickRun(page);
      await runEnds(page);
      assert.ok((await page.evaluate(() => window.__statusTexts)).includes('running'), '#status said "running" during the run');
      assert.equal(await page.textContent('#status'), 'ready');
      const r = await readResult(page);
      assert.equal(await page.getAttribute('#hero-picture', 'data-state'), 'filters', 'the picture shows the filters after a run');
      assert.equal((await page.textContent('#hero-ticket-accuracy')).trim(), percent(r.ticketAccuracy));
      assert.equal((await page.textContent('#hero-target-accuracy')).trim(), percent(r.targetAccuracy));
      if (r.sourceAccuracy !== undefined) assert.equal((await page.textContent('#hero-source-accuracy')).trim(), percent(r.sourceAccuracy));
      const caption = await page.textContent('#hero-caption');
      assert.match(caption, new RegExp(`of ${Number(r.testDigits).toLocaleString('en')} test digits`), `the caption names the run's digit count: "${caption}"`);
      assert.ok(await onFirstScreen(page, '#hero-picture'), 'the picture stays on the first screen after a run');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(shots, `first-visit-${size.name}-after.png`) });
      await page.screenshot({ path: path.join(shots, `first-visit-${size.name}-after-full.png`), fullPage: true });

      if (size.name === 'desktop') {
        // Error vs n after the run: the run's n marked, the rise explained.
        await page.click('#sweep-button');
        await page.waitForSelector('#sweep-card:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
        assert.equal(await page.getAttribute('#sweep-card', 'data-state'), 'done');
        await page.locator('#sweep-card').screenshot({ path: path.join(shots, 'first-visit-sweep.png') });
        for (const id of ['#accuracy-card', '#filters-card', '#rotation-card', '#coefficient-panel']) {
          await page.locator(id).screenshot({ path: path.join(shots, `first-visit-${id.slice(1)}.png`) });
        }
      }

      // Details: opening it writes details=1 into the URL, and the URL opens it.
      await page.click('#details > summary');
      await page.waitForFunction(() => /[?&]details=1(&|$)/.test(location.search));
      const url = page.url();
      await assertClean(page, problems);
      await page.close();
      const again = await openPage(context, url, { viewport: size.viewport });
      await pageReady(again.page);
      assert.equal(await again.page.$eval('#details', (d) => d.open), true, 'details=1 opens Details');
      await again.page.locator('#details').screenshot({ path: path.join(shots, `first-visit-${size.name}-details.png`) });
      await again.page.close();
    } finally {
      await context.close();
    }
  });
}
