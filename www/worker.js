// Web Worker hosting the Rust core (wasm). Every request gets exactly one
// reply { id, ok, result | error }; a module that fails to load is reported
// once as { type: 'fatal' } and then to every request.

import init, { DigitSet, graphExample, installPanicHook, testAngles, version } from './pkg/eslt.js';

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
