// What a pool worker shares with its siblings: errors from the wasm core
// described for people, the lock that tells the page when the worker is
// gone, and the buffers a reply can hand over without a copy.
//
// A worker that is killed or closes itself fires no 'error' event: the page
// would wait for it forever. Each worker therefore holds a Web Lock for its
// whole life; the main thread queues for the same lock and is granted it
// the moment the worker ends (the browser releases a dead agent's locks).

import { allocationFailure, wasmMemoryBytes } from './pkg/eslt.js';

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

// The message of `e`. A trap of the core (RuntimeError) after a failed
// allocation is reported as running out of memory, with the request's size.
export function describeError(e) {
  const text = String(e?.message ?? e);
  if (!(e instanceof WebAssembly.RuntimeError)) return text;
  let failed = 0;
  let memory = 0;
  try {
    failed = allocationFailure();
    memory = wasmMemoryBytes();
  } catch {
    // The module itself is unusable: report the trap as it is.
  }
  if (failed > 0) {
    return (
      `out of memory: the WebAssembly core could not allocate ${mib(failed)} more ` +
      `(this worker already holds ${mib(memory)}); try fewer test digits or a smaller n`
    );
  }
  return `the WebAssembly core stopped on an internal error (${text})`;
}

// Bytes of this worker's wasm memory (never shrinks: its peak so far).
export function memoryBytes() {
  try {
    return wasmMemoryBytes();
  } catch {
    return 0;
  }
}

// Resolves once this worker holds `name` (held until the worker ends);
// at once where Web Locks are unavailable (insecure contexts).
export function holdLifeLock(name) {
  if (!name || !self.navigator?.locks) return Promise.resolve(false);
  return new Promise((held) => {
    navigator.locks
      .request(name, () => {
        held(true);
        return new Promise(() => {});
      })
      .catch(() => held(false));
  });
}

// Frees a wasm object. One the core trapped inside (e.g. out of memory)
// stays borrowed and cannot be freed: it is left, and the page replaces the
// worker after reporting the error.
export function release(value) {
  try {
    value?.free();
  } catch {
    // see above
  }
}

// The buffers of the typed arrays among `value`'s fields, to transfer with
// the message that carries it.
export function transferables(value) {
  if (!value || typeof value !== 'object') return [];
  return Object.values(value)
    .filter((v) => ArrayBuffer.isView(v))
    .map((v) => v.buffer);
}
