// The page's handle on the Rust core, which runs in a Web Worker
// (worker.js) so the UI never blocks. Requests are promises; worker-level
// failures (script or wasm failing to load) reject everything pending and
// are reported once through onFatal.

export class CoreClient {
  constructor({ onFatal }) {
    this.nextId = 1;
    this.pending = new Map();
    this.onFatal = onFatal;
    this.dead = null;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (ev) => this.#receive(ev.data));
    this.worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      const where = ev.filename ? ` (${ev.filename}:${ev.lineno})` : '';
      this.#fail(new Error(`the worker running the Rust core failed to start${where}: ${ev.message || 'script or module could not be loaded'}`));
    });
    this.worker.addEventListener('messageerror', () => {
      this.#fail(new Error('a message from the worker could not be decoded'));
    });
  }

  // Sends one request; `transfer` lists buffers handed over without copying.
  request(type, payload = {}, transfer = []) {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload }, transfer);
    });
  }

  #receive(msg) {
    if (msg.type === 'fatal') {
      this.#fail(new Error(msg.error));
      return;
    }
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    if (msg.ok) waiter.resolve(msg.result);
    else waiter.reject(new Error(msg.error));
  }

  #fail(error) {
    if (this.dead) return;
    this.dead = error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.onFatal?.(error);
  }
}
