// The worker pool, seen from the main thread: one coordinator worker
// (coordinator.js, runs WebRun) and K solver workers (solver.js), joined
// coordinator ↔ solver by MessageChannels so that batches and answers go
// worker to worker, never through the page. The main thread only starts
// jobs, receives the coordinator's (throttled) events and results, and asks
// the finished run for pictures. Cancel = terminate(): every worker stops at
// once; the page then builds a new Pool.
//
// A worker that dies without an 'error' event (killed, or closed itself) is
// noticed through its life lock (worker-health.js): the pool fails with a
// message naming it, as for any other worker failure.

let poolCount = 0;

export class Pool {
  // digitBytes: gunzipped packed digits (copied to every worker);
  // onMessage(msg): coordinator messages (events, finished, error, …);
  // onFailure(error): a worker died or could not start;
  // onNotice(text, raw): a solver's remark (e.g. it fell back to the CPU),
  // with the error it comes from.
  constructor({ workers, digitBytes, onMessage, onFailure, onNotice }) {
    this.size = workers;
    this.onMessage = onMessage;
    this.onFailure = onFailure;
    this.onNotice = onNotice;
    this.dead = null;
    this.nextQuery = 1;
    this.queries = new Map();
    this.waiters = []; // {worker, type, resolve, reject}
    this.stopped = false;
    const tag = `eslt-pool-${Date.now().toString(36)}-${(poolCount += 1)}-${Math.random().toString(36).slice(2)}`;
    const url = (name) => new URL(name, import.meta.url);
    this.coordinator = this.#watch(new Worker(url('./coordinator.js'), { type: 'module' }), 'coordinator');
    this.solvers = Array.from({ length: workers }, (_, i) =>
      this.#watch(new Worker(url('./solver.js'), { type: 'module' }), `solver ${i + 1}`),
    );
    this.coordinator.addEventListener('message', (ev) => this.#fromCoordinator(ev.data));
    for (const s of this.solvers) s.addEventListener('message', (ev) => this.#fromSolver(s, ev.data));

    const ports = this.solvers.map((s, i) => {
      const ch = new MessageChannel();
      s.postMessage({ type: 'init', port: ch.port2, digitBytes: digitBytes.slice().buffer, lock: `${tag}-solver-${i + 1}` }, [ch.port2]);
      return ch.port1;
    });
    this.coordinator.postMessage({ type: 'init', ports, digitBytes: digitBytes.slice().buffer, lock: `${tag}-coordinator` }, ports);
    this.ready = Promise.all([
      this.#expect(this.coordinator, 'ready').then(() => this.#watchLife(`${tag}-coordinator`, 'coordinator')),
      ...this.solvers.map((s, i) => this.#expect(s, 'ready').then(() => this.#watchLife(`${tag}-solver-${i + 1}`, `solver ${i + 1}`))),
    ]);
    this.ready.catch(() => {});
  }

  // Fails the pool when the worker holding `lock` ends, unless we stopped it.
  #watchLife(lock, name) {
    if (!navigator.locks) return;
    navigator.locks
      .request(lock, () => {
        if (!this.stopped) this.#fail(new Error(`the ${name} worker stopped unexpectedly (it was killed or closed)`));
      })
      .catch(() => {});
  }

  #watch(worker, name) {
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      const where = ev.filename ? ` (${ev.filename.split('/').pop()}:${ev.lineno})` : '';
      this.#fail(new Error(`the ${name} worker failed${where}: ${ev.message || 'its script or module could not be loaded'}`));
    });
    worker.addEventListener('messageerror', () => this.#fail(new Error(`a message from the ${name} worker could not be decoded`)));
    return worker;
  }

  #fail(error) {
    if (this.dead) return;
    this.dead = error;
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
    for (const q of this.queries.values()) q.reject(error);
    this.queries.clear();
    this.onFailure?.(error);
  }

  // The next message of `type` from `worker`.
  #expect(worker, type) {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => this.waiters.push({ worker, type, resolve, reject }));
  }

  #resolveWaiter(worker, msg) {
    const i = this.waiters.findIndex((w) => w.worker === worker && w.type === msg.type);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    w.resolve(msg);
    return true;
  }

  #fromSolver(worker, msg) {
    if (msg.type === 'fatal') return this.#fail(new Error(msg.error));
    if (msg.type === 'notice') return this.onNotice?.(msg.text, msg.raw);
    this.#resolveWaiter(worker, msg);
  }

  #fromCoordinator(msg) {
    if (msg.type === 'fatal') return this.#fail(new Error(msg.error));
    if (msg.type === 'reply') {
      const q = this.queries.get(msg.id);
      if (!q) return;
      this.queries.delete(msg.id);
      if (msg.ok) q.resolve(msg.result);
      else q.reject(new Error(msg.error));
      return;
    }
    if (this.#resolveWaiter(this.coordinator, msg)) return;
    this.onMessage?.(msg);
  }

  // Every solver uses `backend` ('cpu' | 'webgpu'): [{backend, describe, error?}].
  async setup(backend) {
    await this.ready;
    const replies = this.solvers.map((s) => this.#expect(s, 'setup-done'));
    for (const s of this.solvers) s.postMessage({ type: 'setup', backend });
    return Promise.all(replies);
  }

  // Times one batch on CPU and WebGPU in the first solver, and the forward
  // pass of image model `model` (JSON text; null: none) on `digits` digits.
  async probe(n, count, model = null, digits = 0) {
    await this.ready;
    const reply = this.#expect(this.solvers[0], 'probe-done');
    this.solvers[0].postMessage({ type: 'probe', n, count, model, digits });
    return reply;
  }

  start(msg) {
    if (this.dead) throw this.dead;
    this.coordinator.postMessage(msg);
  }

  // Asks the finished run (featureMaps, ticketJson, problem).
  query(what, args = {}) {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextQuery++;
    return new Promise((resolve, reject) => {
      this.queries.set(id, { resolve, reject });
      this.coordinator.postMessage({ type: 'query', id, what, args });
    });
  }

  terminate() {
    this.stopped = true;
    this.coordinator.terminate();
    for (const s of this.solvers) s.terminate();
    this.dead = this.dead ?? new Error('the worker pool was stopped');
    for (const w of this.waiters) w.reject(this.dead);
    this.waiters = [];
    for (const q of this.queries.values()) q.reject(this.dead);
    this.queries.clear();
  }
}
