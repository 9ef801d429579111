// What a visitor downloads before the page is ready, and how long that
// takes: a measurement, not a test (node --test does not pick it up).
//
//   cd tests/e2e && ESLT_DIST=../../dist node download.mjs [ROUNDS]
//
// Serves dist/ with python3 -m http.server (no compression, as build.sh
// serves it), opens the page in headless Chromium ROUNDS times (default 5,
// a fresh browser context each: an empty cache), and records every response
// until #status says ready. Prints each file with its raw, gzip -9 and
// brotli (quality 11) sizes — what a compressing server would send — their
// totals, and the time from navigation start to "ready" (median, min, max).

import { chromium } from 'playwright-core';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { serve } from './server.mjs';
import { pageReady } from './page-run.mjs';

const dist = path.resolve(process.env.ESLT_DIST ?? '../../dist');
const rounds = Number(process.argv[2] ?? 5);
const server = await serve(dist);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--enable-unsafe-webgpu'],
});

const times = [];
let files = new Set();
try {
  for (let r = 0; r < rounds; r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const fetched = new Set();
    const note = (response) => {
      const url = new URL(response.url());
      if (url.origin === new URL(server.url).origin && response.status() === 200) fetched.add(decodeURIComponent(url.pathname));
    };
    // Workers' fetches (the wasm module, the digit data) count too.
    context.on('response', note);
    await page.goto(server.url);
    await pageReady(page);
    times.push(await page.evaluate(() => performance.now()));
    files = fetched;
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}

const rows = [...files]
  .map((p) => (p.endsWith('/') ? p + 'index.html' : p))
  .map((p) => {
    const bytes = readFileSync(path.join(dist, p));
    return {
      file: p,
      raw: statSync(path.join(dist, p)).size,
      gzip: zlib.gzipSync(bytes, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(bytes, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    };
  })
  .sort((a, b) => b.raw - a.raw);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
for (const r of rows) console.log(`${r.file.padEnd(40)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} ${kb(r.brotli).padStart(10)}`);
const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
console.log(`${`total, ${rows.length} files`.padEnd(40)} ${kb(sum('raw')).padStart(10)} ${kb(sum('gzip')).padStart(10)} ${kb(sum('brotli')).padStart(10)}   (raw, gzip -9, brotli 11)`);
times.sort((a, b) => a - b);
console.log(`navigation → ready: median ${times[times.length >> 1].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}, ${rounds} loads, empty cache)`);
