// The coordinator worker: runs WebRun (the Rust run state machine), keeps
// every solver worker busy with a few batches in flight over the
// MessagePorts the main thread handed over, and forwards the run's events
// to the main thread — throttled, except for the events that change what
// the page shows (layer_grown, layer_done, verifying, done).
//
// From the main thread:
//   {type: 'init', digitBytes, ports, lock}
//   {type: 'run', generation, key, kind, json, config}
//   {type: 'sweep', generation, key, kind, json, config, from, to}
//   {type: 'stop', generation}                    (ends a sweep early)
//   {type: 'query', id, what, args}                (on the finished run)
// kind is 'image' (WebRun: solvers solve and verify) or 'graph'
// (WebGraphRun: solvers solve; this worker verifies — graph nets are small).
// To the main thread:
//   {type: 'ready'} | {type: 'fatal', error}
//   {type: 'events', generation, events, progress}
//   {type: 'finished', generation, result, filters, timing, memory, verifiedOn}
//   {type: 'sweep-point', generation, point} | {type: 'sweep-done', generation, stopped}
//   {type: 'error', generation, error}
//   {type: 'reply', id, ok, result | error}

import init, { installPanicHook, WebGraphRun, WebRun } from './pkg/eslt.js';
import { describeError, holdLifeLock, memoryBytes, release } from './worker-health.js';

const DEPTH = 3; // batches in flight per solver
const THROTTLE_MS = 50; // ≤ 20 messages/s of ordinary progress
const TOP = 6; // worst coefficients reported per layer
const URGENT = new Set(['layer_start', 'layer_grown', 'layer_done', 'verifying', 'literal_checked', 'done']);

let digitBytes = null;
let solvers = []; // {port, inflight}
let job = null; // the run or sweep in progress
let finished = null; // the WebRun of the last finished run (for queries)
let seq = 0; // tags each WebRun's work, so late answers of an old one are ignored

const ready = init().then(() => installPanicHook());
ready.catch(() => {});

const message = describeError;
const now = () => performance.now();

function post(msg, transfer = []) {
  self.postMessage(msg, transfer);
}

// ---- jobs ----

function sendModel(key, kind, json) {
  if (kind === 'graph') return; // graph runs verify here
  for (const s of solvers) {
    if (s.modelKey !== key) {
      s.port.postMessage({ type: 'model', key, json });
      s.modelKey = key;
    }
  }
}

function newRun(kind, json, config) {
  seq += 1;
  const run = kind === 'graph' ? new WebGraphRun(json, config) : new WebRun(json, digitBytes, config);
  return { run, seq, graph: kind === 'graph' };
}

function startRun(msg) {
  endJob();
  release(finished);
  finished = null;
  sendModel(msg.key, msg.kind, msg.json);
  const t0 = now();
  job = {
    kind: 'run',
    generation: msg.generation,
    key: msg.key,
    ...newRun(msg.kind, msg.json, msg.config),
    t0,
    solveEnd: null,
    outbox: [],
    timer: 0,
  };
  pump();
}

function startSweep(msg) {
  endJob();
  sendModel(msg.key, msg.kind, msg.json);
  job = {
    kind: 'sweep',
    generation: msg.generation,
    key: msg.key,
    runKind: msg.kind,
    json: msg.json,
    config: msg.config,
    n: msg.from,
    to: msg.to,
    stopped: false,
    outbox: [],
    timer: 0,
  };
  nextSweepRun();
}

function nextSweepRun() {
  const j = job;
  release(j.run);
  j.run = null;
  if (j.stopped || j.n > j.to) {
    if (solvers.every((s) => s.inflight === 0)) {
      post({ type: 'sweep-done', generation: j.generation, stopped: j.stopped });
      job = null;
    }
    return;
  }
  Object.assign(j, newRun(j.runKind, j.json, { ...j.config, n: j.n }), {
    t0: now(),
    layers: [],
  });
  pump();
}

function endJob() {
  if (!job) return;
  clearTimeout(job.timer);
  const run = job.run;
  job = null;
  if (!run || run === finished) return;
  release(run);
}

function fail(e) {
  const generation = job?.generation;
  const error = message(e);
  endJob();
  post({ type: 'error', generation, error });
}

// Hands out work until every solver has DEPTH batches or the run waits.
function pump() {
  const j = job;
  if (!j || !j.run || j.stopped) return;
  const mySeq = j.seq;
  try {
    for (;;) {
      const s = solvers.reduce((a, b) => (b.inflight < a.inflight ? b : a));
      if (s.inflight >= DEPTH) break;
      const t = now();
      const w = j.run.nextWork();
      const dt = now() - t;
      if (dt > 20) j.slowWorkMs = (j.slowWorkMs ?? 0) + dt; // the literal check runs in here
      processEvents();
      if (job !== j || !j.run || j.seq !== mySeq) return;
      if (w.kind === 'solve') {
        s.inflight += 1;
        s.port.postMessage(
          { type: 'solve', generation: j.generation, seq: j.seq, id: w.id, n: w.n, candidates: w.candidates, targets: w.targets },
          [w.candidates.buffer, w.targets.buffer],
        );
      } else if (w.kind === 'verify') {
        s.inflight += 1;
        s.port.postMessage({ type: 'verify', generation: j.generation, seq: j.seq, key: j.key, id: w.id, start: w.start, end: w.end });
      } else if (w.kind === 'local') {
        // A graph run verified a slice here: let timers and messages run.
        j.verifiedOn = j.verifiedOn ?? {};
        j.verifiedOn.cpu = (j.verifiedOn.cpu ?? 0) + 1;
        if (!j.localPending) {
          j.localPending = true;
          setTimeout(() => {
            j.localPending = false;
            if (job === j) pump();
          }, 0);
        }
        return;
      } else if (w.kind === 'done') {
        if (j.kind === 'run') finishRun();
        return;
      } else {
        break; // wait
      }
    }
  } catch (e) {
    fail(e);
  }
}

function fromSolver(s, msg) {
  const work = msg.type === 'solved' || msg.type === 'verified' || msg.what === 'solve' || msg.what === 'verify';
  if (work) s.inflight = Math.max(0, s.inflight - 1);
  if (msg.memoryBytes) s.memoryBytes = Math.max(s.memoryBytes, msg.memoryBytes);
  const j = job;
  if (!j) return;
  if (!work) {
    // The model or the ticket could not be set up on a solver.
    if (msg.type === 'failed') fail(new Error(`a solver worker failed (${msg.what}): ${msg.error}`));
    return;
  }
  if (msg.generation !== j.generation) return;
  if (j.kind === 'sweep' && j.stopped) {
    nextSweepRun();
    return;
  }
  if (msg.seq !== j.seq) return;
  try {
    if (msg.type === 'failed') throw new Error(`a solver worker failed (${msg.what}): ${msg.error}`);
    if (msg.type === 'solved') j.run.submitSolve(msg.id, msg.subsets);
    else if (msg.type === 'verified') {
      j.run.submitVerify(msg.id, msg.target, msg.ticket);
      j.verifiedOn = j.verifiedOn ?? {};
      j.verifiedOn[msg.on] = (j.verifiedOn[msg.on] ?? 0) + 1;
    }
    processEvents();
  } catch (e) {
    fail(e);
    return;
  }
  if (job !== j) return;
  pump();
}

// The worst `k` problems of a layer (indices by descending error).
function worst(errors, k) {
  const top = [];
  for (let p = 0; p < errors.length; p++) {
    const e = errors[p];
    if (top.length < k || e > errors[top[top.length - 1]]) {
      top.push(p);
      top.sort((a, b) => errors[b] - errors[a]);
      if (top.length > k) top.pop();
    }
  }
  return top;
}

function processEvents() {
  const j = job;
  const events = j.run.drainEvents();
  let urgent = false;
  let sweepLayerDone = false;
  for (const e of events) {
    if (j.kind === 'sweep') {
      if (e.type === 'layer_done') j.layers.push(e.report);
      if (e.type === 'verifying' || e.type === 'done') sweepLayerDone = true;
      continue;
    }
    if (e.type === 'layer_done') {
      const layer = e.report.index;
      const errors = j.run.layerErrors(layer);
      e.errors = errors;
      e.top = worst(errors, TOP).map((p) => ({ p, ...j.run.problem(layer, p) }));
    } else if (e.type === 'verifying') {
      j.solveEnd = now();
      if (!j.graph) {
        const blob = j.run.ticketBlob();
        for (const s of solvers) s.port.postMessage({ type: 'ticket', generation: j.generation, key: j.key, blob });
      }
    }
    if (URGENT.has(e.type)) urgent = true;
    // Keep only the newest ordinary progress of a kind.
    if (e.type === 'progress' || e.type === 'verify_progress') {
      const i = j.outbox.findIndex((q) => q.type === e.type && q.layer === e.layer);
      if (i >= 0) j.outbox.splice(i, 1);
    }
    j.outbox.push(e);
  }
  if (sweepLayerDone) finishSweepPoint();
  else if (j.kind === 'run' && j.outbox.length) {
    if (urgent) flush();
    else if (!j.timer) j.timer = setTimeout(flush, THROTTLE_MS);
  }
}

function flush() {
  const j = job;
  if (!j || j.kind !== 'run') return;
  clearTimeout(j.timer);
  j.timer = 0;
  if (!j.outbox.length) return;
  const events = j.outbox;
  j.outbox = [];
  const transfer = events.filter((e) => e.errors).map((e) => e.errors.buffer);
  post({ type: 'events', generation: j.generation, events, progress: j.run.progress() }, transfer);
  j.lastFlush = now();
}

function finishRun() {
  const j = job;
  flush();
  const end = now();
  const seconds = (end - j.t0) / 1000;
  const solveSeconds = ((j.solveEnd ?? end) - j.t0) / 1000;
  const result = j.run.finish(seconds, solveSeconds);
  let filters = null;
  try {
    if (!j.graph) filters = { target: j.run.filters('target'), ticket: j.run.filters('ticket') };
  } catch (e) {
    filters = { error: message(e) };
  }
  finished = j.run;
  job = null;
  post({
    type: 'finished',
    generation: j.generation,
    result,
    filters,
    timing: { seconds, solveSeconds, verifySeconds: seconds - solveSeconds, literalSeconds: (j.slowWorkMs ?? 0) / 1000 },
    memory: { coordinatorBytes: memoryBytes(), solverBytes: solvers.map((s) => s.memoryBytes) },
    verifiedOn: j.verifiedOn ?? {},
  });
}

function finishSweepPoint() {
  const j = job;
  const ls = j.layers;
  const problems = ls.reduce((a, l) => a + l.problems, 0);
  const point = {
    n: j.n,
    max_coef_error: Math.max(...ls.map((l) => l.max_coef_error)),
    mean_coef_error: ls.reduce((a, l) => a + l.mean_coef_error * l.problems, 0) / Math.max(1, problems),
    ticket_params: ls.reduce((a, l) => a + l.ticket_params, 0),
    source_params: ls.reduce((a, l) => a + l.source_params, 0),
    problems,
    seconds: (now() - j.t0) / 1000,
  };
  post({ type: 'sweep-point', generation: j.generation, point });
  j.n += 1;
  nextSweepRun();
}

// ---- queries on the finished run ----

function query(what, args) {
  if (!finished) throw new Error('no finished run to ask (run first)');
  switch (what) {
    case 'featureMaps':
      return finished.featureMaps(args.index, args.angle);
    case 'ticketJson':
      return finished.ticketJson(args.modelName, args.sha256);
    case 'problem':
      return finished.problem(args.layer, args.p);
    case 'graph':
      if (!(finished instanceof WebGraphRun)) throw new Error('the last run was not on a graph task');
      return finished.graph(args.index, args.seed ?? undefined);
    case 'permutationCheck':
      if (!(finished instanceof WebGraphRun)) throw new Error('the last run was not on a graph task');
      return finished.permutationCheck(args.seed);
    default:
      throw new Error(`unknown query ${what}`);
  }
}

function transferables(value) {
  if (!value || typeof value !== 'object') return [];
  return Object.values(value)
    .filter((v) => ArrayBuffer.isView(v))
    .map((v) => v.buffer);
}

self.addEventListener('message', async (ev) => {
  const msg = ev.data;
  try {
    await ready;
  } catch (e) {
    post({ type: 'fatal', error: `could not load the WebAssembly core (pkg/eslt_bg.wasm): ${message(e)}` });
    return;
  }
  if (msg.type === 'init') {
    digitBytes = new Uint8Array(msg.digitBytes);
    solvers = msg.ports.map((port) => {
      const s = { port, inflight: 0, modelKey: null, memoryBytes: 0 };
      port.addEventListener('message', (e) => fromSolver(s, e.data));
      port.start();
      return s;
    });
    await holdLifeLock(msg.lock);
    post({ type: 'ready' });
    return;
  }
  if (msg.type === 'query') {
    try {
      const result = query(msg.what, msg.args);
      post({ type: 'reply', id: msg.id, ok: true, result }, transferables(result));
    } catch (e) {
      post({ type: 'reply', id: msg.id, ok: false, error: message(e) });
    }
    return;
  }
  try {
    if (msg.type === 'run') startRun(msg);
    else if (msg.type === 'sweep') startSweep(msg);
    else if (msg.type === 'stop' && job && job.generation === msg.generation && job.kind === 'sweep') {
      job.stopped = true;
      nextSweepRun();
    }
  } catch (e) {
    job = job ?? { generation: msg.generation };
    fail(e);
  }
});
