// The page in the browser engines other than Chromium: Firefox (Gecko,
// driven over WebDriver BiDi by puppeteer-core) and WebKitGTK (Safari's
// engine, driven over classic WebDriver by WebKitWebDriver and
// selenium-webdriver). Both get one small driver interface — open, evaluate,
// wait, click, screenshot — and the same checks (engineSuite).
//
// Neither protocol reports console errors the same way (classic WebDriver
// has no console at all), so the page is served from a copy of dist/ whose
// index.html loads e2e-guard.js first: it records console errors, uncaught
// errors and rejections, and CSP violations in the page itself.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { assertMatches, nativePrune, RUN_TIMEOUT, root } from './page-run.mjs';
import { serve } from './server.mjs';

const dist = process.env.ESLT_DIST ?? path.join(root, 'dist');
const shots = process.env.ESLT_SHOTS ?? path.join(root, 'target/e2e');
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const TEST_TIMEOUT = 240_000;

// The configurations compared with the native CLI (those of run.test.mjs and
// graph.test.mjs).
const C8 = { task: 'rotmnist-c8', eps: 0.01, seed: 1, digits: 1000 };
const KARATE = { task: 'karate-mpgnn', eps: 0.01, seed: 3, digits: 1 };
const query = (c) => `?task=${c.task}&eps=${c.eps}&seed=${c.seed}&digits=${c.digits}`;

// ------------------------------------------------------------ the site ----

// A classic script (runs before boot.js), same origin, so the page's CSP
// allows it; nothing in it changes what the page does.
const GUARD = `(function () {
  'use strict';
  var problems = [];
  Object.defineProperty(window, '__esltGuard', { value: problems });
  var error = console.error;
  console.error = function () {
    problems.push('console error: ' + Array.prototype.map.call(arguments, String).join(' '));
    return error.apply(console, arguments);
  };
  window.addEventListener('error', function (e) {
    problems.push('page error: ' + (e.message || e.type) + ' at ' + (e.filename || '?') + ':' + (e.lineno || '?'));
  });
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    problems.push('unhandled rejection: ' + String((r && r.message) || r));
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    problems.push('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)'));
  });
})();
`;

// dist/ with the guard: links to every entry, index.html rewritten.
function guardedSite() {
  if (!existsSync(path.join(dist, 'index.html'))) assert.fail(`${dist}/index.html is missing: run ./build.sh build first`);
  const site = mkdtempSync(path.join(os.tmpdir(), 'eslt-engines-'));
  for (const entry of readdirSync(dist)) {
    if (entry !== 'index.html') symlinkSync(path.join(dist, entry), path.join(site, entry));
  }
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const boot = '<script src="boot.js"';
  assert.ok(html.includes(boot), 'index.html loads boot.js');
  writeFileSync(path.join(site, 'index.html'), html.replace(boot, `<script src="e2e-guard.js"></script>\n  ${boot}`));
  writeFileSync(path.join(site, 'e2e-guard.js'), GUARD);
  return site;
}

// Everything the guard recorded, and every request that left the origin.
function pageProblems(origin) {
  const off = performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))
    .map((u) => `request leaves the origin: ${u}`);
  return [...(window.__esltGuard ?? ['e2e-guard.js did not run']), ...off];
}

// ------------------------------------------------------------ helpers ----

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A child process that dies with the test process, stopped by its pid.
function own(child, what) {
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  return {
    child,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    what,
  };
}

// Xvfb on a display number it picks itself (-displayfd): WebKitGTK needs X.
async function startXvfb() {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1400x3000x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const xvfb = own(child, 'Xvfb');
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${err}`)), 15_000);
    child.on('error', (e) => reject(new Error(`could not start Xvfb (apt-get install xvfb): ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    child.stdio[3].on('data', (c) => {
      out += c;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
  });
  return { ...xvfb, display };
}

async function waitHttp(url, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${what} did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------ drivers ----
// A driver: { name, open(url, viewport), eval(fn, arg), evalAsync(fn, arg),
// click(selector), screenshot(file), close() }. `fn` runs in the page.

export async function firefox() {
  if (!existsSync(FIREFOX)) assert.fail(`no Firefox at ${FIREFOX} (set FIREFOX or apt-get install firefox-esr)`);
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  const version = await browser.version();
  let page = null;
  const problems = [];
  return {
    name: 'firefox',
    version,
    problems,
    async open(url, { width, height }) {
      await page?.close();
      page = await browser.newPage();
      problems.length = 0;
      // Over BiDi: the page's own console and errors, next to the guard's.
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error (BiDi): ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error (BiDi): ${e.message}`));
      await page.setViewport({ width, height });
      await page.goto(url);
    },
    eval: (fn, arg) => page.evaluate(fn, arg),
    evalAsync: (fn, arg) => page.evaluate(fn, arg),
    click: (selector) => page.click(selector),
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
    close: () => browser.close(),
  };
}

export async function webkit() {
  for (const [file, pkg] of [[WEBKIT_DRIVER, 'webkit2gtk-driver'], [MINIBROWSER, 'webkit2gtk-driver']]) {
    if (!existsSync(file)) assert.fail(`no ${file} (apt-get install ${pkg})`);
  }
  const { Builder, By } = await import('selenium-webdriver');
  const xvfb = await startXvfb();
  const port = await freePort();
  const wd = own(spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: xvfb.display } }), 'WebKitWebDriver');
  let driver;
  try {
    await waitHttp(`http://127.0.0.1:${port}/status`, 'WebKitWebDriver');
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
      .build();
  } catch (e) {
    await wd.stop();
    await xvfb.stop();
    throw e;
  }
  await driver.manage().setTimeouts({ script: RUN_TIMEOUT, pageLoad: 60_000 });
  const caps = await driver.getCapabilities();
  return {
    name: 'webkit',
    version: `${caps.get('browserName')} ${caps.get('browserVersion')}`,
    problems: [],
    async open(url, { width, height }) {
      await driver.manage().window().setRect({ x: 0, y: 0, width, height });
      await driver.get(url);
    },
    eval: (fn, arg) => driver.executeScript(fn, arg),
    // Classic WebDriver's async script: the last argument is the callback.
    evalAsync: async (fn, arg) => {
      const r = await driver.executeAsyncScript(
        `const done = arguments[arguments.length - 1];
         Promise.resolve((${fn})(arguments[0])).then((v) => done({ v }), (e) => done({ e: String((e && e.message) || e) }));`,
        arg,
      );
      if ('e' in r) throw new Error(r.e);
      return r.v;
    },
    click: async (selector) => (await driver.findElement(By.css(selector))).click(),
    // Classic WebDriver shoots the viewport: the window grows to the page.
    async screenshot(file) {
      const rect = await driver.manage().window().getRect();
      const height = await driver.executeScript(() => document.documentElement.scrollHeight);
      await driver.manage().window().setRect({ width: rect.width, height: Math.min(height, 3000) });
      // Painted at the new size only after a frame or two.
      await driver.executeAsyncScript('const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 200)));');
      writeFileSync(file, await driver.takeScreenshot(), 'base64');
      await driver.manage().window().setRect({ width: rect.width, height: rect.height });
    },
    async close() {
      await driver.quit().catch(() => {});
      await wd.stop();
      await xvfb.stop();
    },
  };
}

// ---------------------------------------------------------- page steps ----

async function waitFor(d, fn, arg, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await d.eval(fn, arg)) return;
    if (Date.now() > end) assert.fail(`${d.name}: timed out after ${timeout / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runState = (d) => d.eval(() => document.getElementById('run').dataset.state);
const readResult = (d) => d.eval(() => ({ ...document.getElementById('result').dataset }));

async function pageReady(d) {
  await waitFor(d, () => ['ready', 'error'].includes(document.getElementById('status')?.dataset.state), null, 'the page to load');
  const s = await d.eval(() => ({ state: document.getElementById('status').dataset.state, message: document.getElementById('error-message')?.textContent }));
  if (s.state !== 'ready') assert.fail(`${d.name}: page did not load: ${s.message}`);
}

async function clickRun(d) {
  await waitFor(d, () => !document.getElementById('run-button').disabled, null, 'Run to be enabled');
  await d.click('#run-button');
}

async function runEnds(d, timeout = RUN_TIMEOUT) {
  await waitFor(d, () => ['done', 'cancelled', 'error'].includes(document.getElementById('run')?.dataset.state), null, 'the run to end', timeout);
  const state = await runState(d);
  if (state !== 'done') {
    const error = await d.eval(() => document.getElementById('run-error')?.textContent.trim());
    assert.fail(`${d.name}: run ended in state ${state}; #run-error: ${error}`);
  }
}

async function assertClean(d, origin) {
  const problems = [...(await d.eval(pageProblems, origin)), ...d.problems];
  assert.deepEqual([...new Set(problems)], [], `${d.name}: the page reported problems`);
}

// -------------------------------------------------------------- suite ----

// The checks every engine passes; `launch` is firefox or webkit.
export function engineSuite(launch) {
  let server;
  let site;
  let d;
  let c8;
  const DESKTOP = { width: 1280, height: 900 };
  const at = (c) => `${server.url}${query(c)}`;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    c8 = nativePrune(C8);
    site = guardedSite();
    server = await serve(site);
    d = await launch();
    console.log(`${d.name}: ${d.version}`);
  });

  after(async () => {
    await d?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  test('the default c8 run finds the native ticket, on the CPU, and says there is no WebGPU', { timeout: TEST_TIMEOUT }, async () => {
    await d.open(at(C8), DESKTOP);
    await pageReady(d);
    assert.equal(await d.eval(() => 'gpu' in navigator), false, `${d.name} has navigator.gpu here: this test expects an engine without WebGPU`);
    await clickRun(d);
    await runEnds(d);
    const r = await readResult(d);
    assertMatches(r, c8, `${d.name} c8`);
    assert.equal(r.backend, 'cpu', `${d.name}: data-backend`);
    const shown = await d.eval(() => ({
      notice: document.getElementById('backend-notice').hidden ? '' : document.getElementById('backend-notice').textContent.trim(),
      inUse: document.getElementById('backend-in-use').textContent.trim(),
    }));
    assert.match(shown.notice, /WebGPU/, `${d.name}: #backend-notice "${shown.notice}"`);
    assert.match(shown.notice, /CPU/, `${d.name}: #backend-notice "${shown.notice}"`);
    assert.match(shown.inUse, /cpu/i, `${d.name}: #backend-in-use "${shown.inUse}"`);
    console.log(`${d.name} c8: ${r.maskDigest} (native ${c8.mask_digest}), ticket ${r.ticketAccuracy}, ${r.workers} workers, ${r.seconds} s`);
    await d.screenshot(path.join(shots, `${d.name}-run-done.png`));
    await assertClean(d, server.url);
  });

  test('Cancel, then Run again, finds the same ticket', { timeout: TEST_TIMEOUT }, async () => {
    await d.open(at(C8), DESKTOP);
    await pageReady(d);
    // Cancel at the run's first progress, in the page's own task: a short
    // run cannot end between seeing it running and the click.
    const armed = d.evalAsync(
      () =>
        new Promise((resolve) => {
          const run = document.getElementById('run');
          const cancel = document.getElementById('cancel-button');
          const obs = new MutationObserver(() => {
            if (run.dataset.state === 'running' && Number(run.dataset.progress) > 0 && !cancel.disabled) {
              obs.disconnect();
              cancel.click();
              resolve(run.dataset.state);
            } else if (['done', 'error'].includes(run.dataset.state)) {
              obs.disconnect();
              resolve(`ended ${run.dataset.state} before a progress`);
            }
          });
          obs.observe(run, { attributes: true, attributeFilter: ['data-state', 'data-progress'] });
          document.getElementById('run-button').click();
        }),
    );
    assert.equal(await armed, 'cancelled', `${d.name}: state right after Cancel`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await runState(d), 'cancelled', `${d.name}: state 1.5 s after Cancel (no late result)`);
    await clickRun(d);
    await runEnds(d);
    assertMatches(await readResult(d), c8, `${d.name} after a cancel`);
    await assertClean(d, server.url);
  });

  test('bad URL parameters are named', { timeout: TEST_TIMEOUT }, async () => {
    await d.open(`${server.url}?eps=5&seed=abc&task=nope&digits=0`, DESKTOP);
    await pageReady(d);
    const shown = await d.eval(() => ({
      visible: !document.getElementById('url-errors').hidden,
      messages: [...document.querySelectorAll('#url-errors li')].map((e) => e.textContent.trim()),
    }));
    assert.ok(shown.visible, `${d.name}: #url-errors visible`);
    for (const name of ['eps', 'seed', 'task', 'digits']) {
      assert.ok(shown.messages.some((m) => m.toLowerCase().startsWith(name)), `${d.name}: no #url-errors item names ${name}: ${JSON.stringify(shown.messages)}`);
    }
    await assertClean(d, server.url);
  });

  test('the karate club run finds the native ticket', { timeout: TEST_TIMEOUT }, async () => {
    const native = nativePrune(KARATE);
    await d.open(at(KARATE), DESKTOP);
    await pageReady(d);
    await waitFor(d, () => document.getElementById('graph-card').dataset.state === 'structure', null, 'the graph before a run');
    await clickRun(d);
    await runEnds(d, 180_000);
    const r = await readResult(d);
    assertMatches(r, native, `${d.name} karate`);
    await waitFor(d, () => document.getElementById('graph-card').dataset.state === 'outputs', null, 'the graph outputs');
    console.log(`${d.name} karate: ${r.maskDigest} (native ${native.mask_digest}), ticket ${r.ticketAccuracy}`);
    await assertClean(d, server.url);
  });
}
