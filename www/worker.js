// The core worker: the Rust core (wasm) for the page's questions outside
// a run, in a Web Worker so the UI never blocks (core-client.js is its
// main-thread side). It is not part of the worker pool.
//
// Protocol. From the main thread: {id, type, …fields}; every request gets
// exactly one reply {id, ok: true, result} or {id, ok: false, error}. A
// module that fails to load is reported once as {type: 'fatal', error}
// and then to every request. Requests (type: fields → result):
//   hello: → {version}
//   load: {bytes} (gunzipped packed digits) → {count, rows, cols, labels,
//       testAngles}; the set is kept for 'rotate'
//   rotate: {indices, angles} (radians) → {pixels} (Float32Array, [count,
//       rows, cols], transferred)
//   graphExample: {task, index, seed?} → a test graph's structure (see
//       src/web/graph_view.rs), relabelled from `seed` if given
//   modelFile: {bytes} (a model file) → {kind: 'image' | 'graph', sha256}
//   ticketSettings: {text} (a ticket file) → {task, eps, seed, n, grow,
//       headroom, testDigits, maskDigest, modelSha256}, or the first
//       check it fails
//   scalingFit: {eps, params} → {slope, intercept}, the least-squares
//       line of params against log₂(1/ε) (the Scaling card's parameters
//       per bit), or null under two points

import init, { DigitSet, graphExample, installPanicHook, modelKind, scalingFit, sha256Hex, testAngles, ticketSettings, version } from './pkg/eslt.js';

let digits = null;

const ready = init()
  .then(() => {
    installPanicHook();
    return { version: version() };
  })
  .catch((e) => {
    const error = `could not load the WebAssembly core (pkg/eslt_bg.wasm): ${e?.message ?? e}`;
    self.postMessage({ type: 'fatal', error });
    throw new Error(error);
  });

// Reported through the fatal message; keep the rejection from going unhandled.
ready.catch(() => {});

const handlers = {
  async hello() {
    return ready;
  },

  // Parses a packed digit file (already gunzipped).
  async load({ bytes }) {
    await ready;
    const set = DigitSet.fromBytes(new Uint8Array(bytes));
    digits?.free();
    digits = set;
    return {
      count: set.count,
      rows: set.rows,
      cols: set.cols,
      labels: set.labels(),
      testAngles: testAngles(set.count),
    };
  },

  // Test graph `index` of graph task `task` (structure only), relabelled
  // from `seed` if given: what the graph card draws before a run.
  async graphExample({ task, index, seed }) {
    await ready;
    return graphExample(task, index, seed ?? undefined);
  },

  // The kind of a model file and its SHA-256 (hex), for the ticket file.
  async modelFile({ bytes }) {
    await ready;
    const data = new Uint8Array(bytes);
    return { kind: modelKind(new TextDecoder().decode(data)), sha256: sha256Hex(data) };
  },

  // A ticket file's settings, once the core has checked it.
  async ticketSettings({ text }) {
    await ready;
    return ticketSettings(text);
  },

  // The least-squares line of params against log₂(1/ε), as `eslt sweep` fits it.
  async scalingFit({ eps, params }) {
    await ready;
    return scalingFit(Float64Array.from(eps), Float64Array.from(params));
  },

  // Rotates digits `indices` by `angles` (radians) in the core.
  async rotate({ indices, angles }) {
    await ready;
    if (!digits) throw new Error('no digits loaded');
    const pixels = digits.rotated(Uint32Array.from(indices), Float32Array.from(angles));
    return { pixels, transfer: [pixels.buffer] };
  },
};

self.addEventListener('message', async (ev) => {
  const { id, type } = ev.data;
  const handler = handlers[type];
  try {
    if (!handler) throw new Error(`unknown request '${type}'`);
    const result = await handler(ev.data);
    const transfer = result?.transfer ?? [];
    if (result?.transfer) delete result.transfer;
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (e) {
    self.postMessage({ id, ok: false, error: String(e?.message ?? e) });
  }
});
