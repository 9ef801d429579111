// Accessibility of the built page, in headless Chromium:
// - axe-core on an image task and a graph task, before and after a run, at
//   desktop (1400×1000) and phone (390×844) sizes: no violation of impact
//   serious or critical (lesser ones are logged);
// - the keyboard alone: Tab reaches every control (the run's settings and
//   buttons, the worst-coefficient rows, the digit grid, the sliders, the
//   digit pager, the graph pager), each with a visible focus indicator, and
//   Enter, Space and the arrow keys do what a click or a drag would — a whole
//   run started, read and explored without the mouse;
// - prefers-reduced-motion: no animation or transition runs;
// - colours that carry meaning (ticket ≠ target, target wrong, a node's
//   class) are also told apart by text or shape.
// Screenshots go to $ESLT_SHOTS.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { guardContext, openPage } from './guards.mjs';
import { assertClean, clickRun, pageReady, root, runEnds } from './page-run.mjs';
import { serve } from './server.mjs';

const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TEST_TIMEOUT = 300_000;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };
// Small runs: what is checked here does not depend on the run's size.
const IMAGE = '?task=rotmnist-c8&eps=0.01&seed=1&digits=100&backend=cpu';
const GRAPH = '?task=graph-families-ign&eps=0.01&seed=3&digits=20&backend=cpu';

let server;
let browser;
let context;

before(async () => {
  mkdirSync(shots, { recursive: true });
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  if (!existsSync(CHROMIUM)) assert.fail(`no Chromium at ${CHROMIUM} (set CHROMIUM or apt-get install chromium)`);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext();
  await guardContext(context, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// ----------------------------------------------------------------- axe ----

// axe-core's violations on the page as it is now, serious or critical ones
// first; the others are logged.
async function axeViolations(page, what) {
  // Evaluated through the debugging protocol: the page's CSP does not apply.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const all = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ')),
    summary: v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').trim(),
  }));
  for (const v of all) console.log(`axe ${what}: ${v.impact} ${v.id} on ${v.nodes.length} (${v.nodes.slice(0, 3).join(', ')}): ${v.summary}`);
  if (!all.length) console.log(`axe ${what}: no violation`);
  return all.filter((v) => ['serious', 'critical'].includes(v.impact));
}

for (const [kind, query] of [['image', IMAGE], ['graph', GRAPH]]) {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`axe: ${kind} task, ${size}, before and after a run`, { timeout: TEST_TIMEOUT }, async () => {
      const { page, problems } = await openPage(context, server.url + query, { viewport });
      await pageReady(page);
      const found = [];
      found.push(...(await axeViolations(page, `${kind} ${size} before`)).map((v) => ({ when: 'before', ...v })));
      await clickRun(page);
      await runEnds(page);
      found.push(...(await axeViolations(page, `${kind} ${size} after`)).map((v) => ({ when: 'after', ...v })));
      assert.deepEqual(found, [], `serious or critical axe violations (${kind}, ${size})`);
      await assertClean(page, problems);
      await page.close();
    });
  }
}

// ------------------------------------------------------------ keyboard ----

// Presses Tab until focus has gone round the page once (or `limit` times);
// returns, in order, what was focused: a description, whether its focus
// shows (its own or its label's style differs from when it is not
// focused), and its selector-like key. Each element reached is marked with
// data-tab-stop.
async function tabAround(page, limit = 600) {
  await page.evaluate(() => {
    document.activeElement?.blur();
    for (const e of document.querySelectorAll('[data-tab-stop]')) delete e.dataset.tabStop;
    window.scrollTo(0, 0);
  });
  const stops = [];
  for (let k = 0; k < limit; k++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((k) => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      if (el.dataset.tabStop !== undefined) return { again: true };
      el.dataset.tabStop = String(k);
      const look = (e) => {
        const s = getComputedStyle(e);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor].join('|');
      };
      const shown = (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 2 && r.height > 2 && getComputedStyle(e).opacity !== '0';
      };
      // A visually hidden control (the file input) shows focus on its label.
      const target = shown(el) ? el : (el.labels?.[0] ?? el);
      target.dataset.tabLook = look(target);
      const id = el.id ? `#${el.id}` : '';
      const parent = el.closest('[id]');
      return {
        key: id || `${parent ? `#${parent.id} ` : ''}${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`,
        tag: el.tagName.toLowerCase(),
        text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40),
        k,
      };
    }, k);
    if (stop?.again) break;
    if (stop) stops.push(stop);
  }
  // The same elements unfocused: focus must have changed how they look.
  const unfocused = await page.evaluate(() => {
    document.activeElement?.blur();
    const out = {};
    for (const e of document.querySelectorAll('[data-tab-stop]')) {
      const target = e.getBoundingClientRect().width > 2 ? e : (e.labels?.[0] ?? e);
      const s = getComputedStyle(target);
      out[e.dataset.tabStop] = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor].join('|') !== target.dataset.tabLook;
    }
    return out;
  });
  return stops.map((s) => ({ ...s, focusShows: unfocused[s.k] }));
}

function assertReached(stops, selectors, what) {
  const keys = stops.map((s) => s.key);
  const missing = selectors.filter((sel) => !keys.some((k) => k === sel || k.startsWith(`${sel} `) || k.startsWith(sel)));
  assert.deepEqual(missing, [], `${what}: not reachable with Tab (reached: ${[...new Set(keys)].join(', ')})`);
  const invisible = stops.filter((s) => !s.focusShows).map((s) => s.key);
  assert.deepEqual([...new Set(invisible)], [], `${what}: focus not visible on`);
}

// Tabs from the top of the page to the first element matching `selector`.
async function tabTo(page, selector, limit = 600) {
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  for (let k = 0; k < limit; k++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  assert.fail(`${selector} not reached with Tab`);
}

// Opens the Details disclosure (second-visit material: export / load, the
// worst coefficients, every test digit) the way a keyboard user would.
async function openDetails(page) {
  if (await page.$eval('#details', (d) => d.open)) return;
  await tabTo(page, '#details summary');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('details').open, null, { timeout: 5000 });
}

const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName);

test('keyboard only: an image task, from the settings through a run to its panels', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await openPage(context, server.url + IMAGE, { viewport: DESKTOP });
  await pageReady(page);
  await openDetails(page);
  const before = await tabAround(page);
  assertReached(
    before,
    ['#task', '#eps', '#n', '#seed', '#new-seed', '#digits', '#backend-select', '#run-button', '#load-ticket', '#sweep-button', '#rotation', '#next-page'],
    'before a run',
  );

  // Run, by keyboard.
  await tabTo(page, '#run-button');
  await page.keyboard.press('Enter');
  await runEnds(page);
  const afterRun = await tabAround(page);
  assertReached(
    afterRun,
    ['#export-ticket', '#worst-list tr', '#prediction-grid figure.cell', '#fm-angle', '#fm-digit', '#fm-field', '#rotation', '#next-page'],
    'after a run',
  );

  // A worst coefficient opens with Enter, another with Space.
  for (const [key, nth] of [['Enter', 2], ['Space', 3]]) {
    await tabTo(page, `#worst-list tr:nth-child(${nth})`);
    await page.keyboard.press(key);
    // Selecting asks the coordinator for the problem: the row is marked when it answers.
    await page
      .waitForFunction((n) => document.querySelector(`#worst-list tr:nth-child(${n})`)?.classList.contains('selected'), nth, { timeout: 5000 })
      .catch(() => {});
    const selected = await page.$eval(`#worst-list tr:nth-child(${nth})`, (r) => r.classList.contains('selected'));
    assert.ok(selected, `${key} on worst-coefficient row ${nth} selects it (focused: ${await focused(page)})`);
  }

  // A digit of the grid opens in the rotation card with Enter, and Space.
  for (const [key, index] of [['Enter', 5], ['Space', 7]]) {
    await tabTo(page, `#prediction-grid .cell[data-index="${index}"]`);
    await page.keyboard.press(key);
    await page.waitForFunction((i) => document.getElementById('fm-digit').value === String(i), index, { timeout: 5000 }).catch(() => {});
    assert.equal(await page.inputValue('#fm-digit'), String(index), `${key} on grid digit ${index} opens it in the rotation card`);
  }

  // The sliders move with the arrow keys.
  for (const [slider, output] of [['#fm-angle', '#fm-angle-value'], ['#rotation', '#rotation-value']]) {
    await tabTo(page, slider);
    const was = Number(await page.inputValue(slider));
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    const now = Number(await page.inputValue(slider));
    assert.ok(now > was, `${slider}: ArrowRight moved it from ${was} to ${now}`);
    assert.match(await page.textContent(output), new RegExp(`^${now}°`), `${output} follows ${slider}`);
  }

  // The digit pager turns with Enter.
  const label = await page.textContent('#page-label');
  await tabTo(page, '#next-page');
  await page.keyboard.press('Enter');
  await page.waitForFunction((l) => document.getElementById('page-label').textContent !== l, label, { timeout: 5000 });
  await page.screenshot({ path: path.join(shots, 'keyboard-image.png'), fullPage: false });
  await assertClean(page, problems);
  await page.close();
});

test('keyboard only: a graph task, its pager and its buttons', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await openPage(context, server.url + GRAPH, { viewport: DESKTOP });
  await pageReady(page);
  await page.waitForFunction(() => document.getElementById('graph-card').dataset.state === 'structure', null, { timeout: 15_000 });
  await tabTo(page, '#run-button');
  await page.keyboard.press('Space');
  await runEnds(page);
  await page.waitForFunction(() => document.getElementById('graph-card').dataset.state === 'outputs', null, { timeout: 30_000 });
  await openDetails(page);
  const stops = await tabAround(page);
  assertReached(stops, ['#graph-prev', '#graph-index', '#graph-next', '#permute-nodes', '#worst-list tr', '#export-ticket'], 'graph task after a run');

  // Next graph with Enter, back with Space, the next again with an arrow key
  // in the number field (the run opens on one of its test graphs).
  const first = Number(await page.$eval('#graph-card', (c) => c.dataset.index));
  const step = first + 1 < 20 ? 1 : -1;
  const shown = (want, how) =>
    page
      .waitForFunction((w) => document.getElementById('graph-card').dataset.index === String(w), want, { timeout: 15_000 })
      .catch(() => assert.fail(`${how}: graph ${want} not shown`));
  await tabTo(page, step > 0 ? '#graph-next' : '#graph-prev');
  await page.keyboard.press('Enter');
  await shown(first + step, 'Enter on the pager');
  await tabTo(page, step > 0 ? '#graph-prev' : '#graph-next');
  await page.keyboard.press('Space');
  await shown(first, 'Space on the pager');
  await tabTo(page, '#graph-index');
  await page.keyboard.press(step > 0 ? 'ArrowUp' : 'ArrowDown');
  await shown(first + step, 'an arrow key in the graph number');

  // Permute with Enter: the graph is redrawn under a new labelling.
  await tabTo(page, '#permute-nodes');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('graph-card').dataset.permutationSeed !== '', null, { timeout: 30_000 });
  await page.screenshot({ path: path.join(shots, 'keyboard-graph.png'), fullPage: false });
  await assertClean(page, problems);
  await page.close();
});

// ------------------------------------------------ motion and colour ----

test('prefers-reduced-motion: nothing animates, nothing scrolls smoothly', { timeout: TEST_TIMEOUT }, async () => {
  const ctx = await browser.newContext({ reducedMotion: 'reduce' });
  try {
    await guardContext(ctx, server.url);
    // Every scrollIntoView the page asks for, with its options.
    await ctx.addInitScript(() => {
      const scroll = Element.prototype.scrollIntoView;
      window.__esltScrolls = [];
      Element.prototype.scrollIntoView = function (options) {
        window.__esltScrolls.push(typeof options === 'object' && options ? options.behavior ?? 'auto' : 'auto');
        return scroll.call(this, options);
      };
    });
    const { page, problems } = await openPage(ctx, server.url + IMAGE, { viewport: DESKTOP });
    await pageReady(page);
    await clickRun(page);
    await runEnds(page);
    await page.click('#prediction-grid .cell[data-index="3"]');
    await page.click('#details summary');
    await page.click('#worst-list tr:nth-child(2)');
    const scrolls = await page.evaluate(() => window.__esltScrolls);
    assert.ok(scrolls.length >= 1, 'opening a digit or a coefficient scrolls it into view');
    assert.deepEqual(scrolls.filter((b) => b === 'smooth'), [], `smooth scrolls under reduced motion: ${scrolls}`);
    const moving = await page.evaluate(() =>
      [...document.querySelectorAll('*')]
        .filter((e) => {
          const s = getComputedStyle(e);
          const long = (v) => v.split(',').some((t) => parseFloat(t) > 0.01);
          return (s.animationName !== 'none' && long(s.animationDuration)) || long(s.transitionDuration);
        })
        .map((e) => e.id || e.className || e.tagName),
    );
    assert.deepEqual(moving, [], 'elements with an animation or transition under reduced motion');
    await assertClean(page, problems);
  } finally {
    await ctx.close();
  }
});

test('colours that carry meaning also differ in text or shape', { timeout: TEST_TIMEOUT }, async () => {
  // Digits: ticket ≠ target (red) is also written "≠"; target wrong (amber)
  // also has a dashed border.
  // At ε = 0.3 the first 48 digits have both kinds (seed 1).
  const { page, problems } = await openPage(context, server.url + IMAGE.replace('eps=0.01', 'eps=0.3'), { viewport: DESKTOP });
  await pageReady(page);
  await clickRun(page);
  await runEnds(page);
  const cells = await page.$$eval('#prediction-grid .cell', (els) =>
    els.map((c) => ({
      index: c.dataset.index,
      disagree: c.classList.contains('disagree'),
      wrong: c.classList.contains('wrong'),
      text: c.textContent,
      border: getComputedStyle(c).borderStyle,
    })),
  );
  const plain = cells.filter((c) => !c.disagree && !c.wrong);
  assert.ok(plain.length > 0, 'a digit both predict right');
  for (const c of cells) {
    assert.equal(c.text.includes('≠'), c.disagree, `digit ${c.index}: "≠" iff ticket ≠ target (${JSON.stringify(c)})`);
    assert.equal(c.border !== plain[0].border, c.wrong, `digit ${c.index}: its own border iff the target is wrong (${JSON.stringify(c)})`);
  }
  console.log(`digits: ${cells.filter((c) => c.disagree).length} ticket ≠ target, ${cells.filter((c) => c.wrong).length} target wrong of ${cells.length}`);
  assert.ok(cells.some((c) => c.wrong) && cells.some((c) => c.disagree), 'a digit of each kind among those shown (else nothing was checked)');
  await assertClean(page, problems);
  await page.close();

  // Karate: the ticket's predicted faction, shown by fill colour, also by shape.
  const karate = await openPage(context, `${server.url}?task=karate-mpgnn&eps=0.01&seed=3&digits=1&backend=cpu`, { viewport: DESKTOP });
  await pageReady(karate.page);
  await clickRun(karate.page);
  await runEnds(karate.page);
  await karate.page.waitForFunction(() => document.getElementById('graph-card').dataset.state === 'outputs', null, { timeout: 30_000 });
  const nodes = await karate.page.evaluate(() => {
    const ticket = document.getElementById('graph-card').dataset.ticketPrediction.split(',');
    return [...document.querySelectorAll('#graph-view .graph-node')].map((g) => {
      const main = [...g.children].filter((e) => e.tagName !== 'title' && e.tagName !== 'text' && !e.classList.contains('graph-wrong') && !e.classList.contains('graph-given'));
      return { node: g.dataset.node, faction: ticket[Number(g.dataset.node)], shape: main.map((e) => e.tagName).join('+') };
    });
  });
  const byFaction = new Map();
  for (const n of nodes) byFaction.set(n.faction, new Set([...(byFaction.get(n.faction) ?? []), n.shape]));
  assert.equal(byFaction.size, 2, `two factions predicted: ${[...byFaction.keys()]}`);
  const [a, b] = [...byFaction.values()];
  assert.ok(![...a].some((s) => b.has(s)), `the two factions' nodes share a shape: ${[...a]} / ${[...b]}`);
  await karate.page.locator('#graph-card').screenshot({ path: path.join(shots, 'karate-factions.png') });
  await assertClean(karate.page, karate.problems);
  await karate.page.close();
});

// ---------------------------------------------------- readable failures ----

test('no WebGPU adapter: one plain sentence, the raw text behind a disclosure', { timeout: TEST_TIMEOUT }, async () => {
  // This browser has navigator.gpu but no adapter (no --enable-unsafe-webgpu).
  const { page, problems } = await openPage(context, `${server.url}?task=rotmnist-c8&digits=100`, { viewport: DESKTOP });
  await pageReady(page);
  const notice = page.locator('#backend-notice');
  await notice.waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForFunction(() => !/timing/.test(document.getElementById('backend-notice').textContent), null, { timeout: 30_000 });
  const shown = await notice.evaluate((n) => ({
    text: n.innerText.trim(),
    details: n.querySelector('details') ? { open: n.querySelector('details').open, raw: n.querySelector('details').textContent } : null,
  }));
  assert.equal(shown.text.split('\n')[0], 'No WebGPU adapter in this browser: the CPU solves and verifies.', `#backend-notice "${shown.text}"`);
  assert.ok(shown.details, `no disclosure with the raw text in #backend-notice "${shown.text}"`);
  assert.equal(shown.details.open, false, 'the raw text is folded away');
  assert.match(shown.details.raw, /adapter/, 'the raw text is there');
  assert.doesNotMatch(shown.text, /support not compiled in/, 'the raw text is not shown unfolded');
  await page.click('#backend-notice summary');
  await page.locator('#backend-notice details code').waitFor({ state: 'visible' });
  await page.locator('#backend-notice').screenshot({ path: path.join(shots, 'backend-notice.png') });
  await assertClean(page, problems);
  await page.close();
});
