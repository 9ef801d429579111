// The coordinator worker: hosts the run (WebRun, the Rust run state
// machine, for image and graph models alike), keeps every solver worker
// busy with a few batches in flight over the MessagePorts the main thread
// handed over, and forwards the run's events to the main thread —
// throttled, except for the events that change what the page shows
// (layer_start, layer_grown, layer_done, verifying, literal_checked, done).
//
// Protocol (every message is a plain object with a `type`):
//
// From the main thread (pool.js):
//   {type: 'init', digitBytes, ports, lock}
//       digitBytes: the gunzipped packed test digits (an ArrayBuffer);
//       ports: one MessagePort per solver; lock: the Web Lock name this
//       worker holds for its life (worker-health.js).
//   {type: 'run', generation, key, json, config}
//       A run of the model file text `json` (`key`: its task, the solvers'
//       cache key) with WebRun's config ({eps, n, seed, headroom, grow,
//       testDigits, batchProblems, verifySlice, literalSample, backend,
//       memoryBudgetMib}). `generation` tags every answer.
//   {type: 'sweep', generation, key, json, config, from, to}
//       Prune-only runs for n = from…to (config.n is set per run).
//   {type: 'scaling', generation, key, json, config, eps}
//       The scaling law: one prune-only run per ε of the list `eps`, n
//       from the bound and growth on (config.eps is set per run, config.n
//       and config.grow dropped) — what `eslt prune --eps ε` runs.
//   {type: 'prepare', key, json, rows, logits?, logitsRows?, config?, tag?}
//       The target's logits on test digits 0..rows of image model `json`
//       are wanted before a run: the idle solvers compute them, slice by
//       slice, while no job runs (`logits`: those of digits 0..logitsRows
//       a former pool had, kept by the page). Then, given the next run's
//       config (as for 'run'), the unpruned random source that run will
//       draw (WebRun.sourceBlob before solving: its seed and initial n):
//       its logits too. A run whose source has the same bytes once solved
//       (no layer grew) asks its verify slices for the ticket alone.
//   {type: 'stop', generation}          ends a sweep (or scaling) early
//   {type: 'query', id, what, args}     asks the finished run: what is
//       'featureMaps' {index, angle}, 'filters' {} (target, ticket and the
//       unpruned source), 'ticketJson'
//       {modelName, sha256}, 'problem' {layer, p}, 'graph' {index, seed}
//       or 'permutationCheck' {seed} (the last two for graph runs; any
//       other kind's question is answered with the core's error).
// To the main thread:
//   {type: 'ready'}                     after 'init'
//   {type: 'fatal', error}              the wasm module could not load
//   {type: 'events', generation, events, progress}
//       The run's events since the last message (as drainEvents gives
//       them; a layer_done also carries `errors`, a Float64Array, and
//       `top`, its worst problems) and the fraction done.
//   {type: 'prepared', key, rows, logits}   the target's logits on digits
//       0..rows of `key`, all computed (the page keeps them for a new pool)
//   {type: 'source-prepared', key, rows, tag}   the logits of the source of
//       the prepare message tagged `tag`, all computed
//   {type: 'finished', generation, result, timing, memory, verifiedOn,
//       targetCachedRows, profile}
//       result: WebRun.finish's {report, targetPredictions,
//       ticketPredictions}; timing: {seconds, solveSeconds, verifySeconds,
//       literalSeconds}; memory: {coordinatorBytes, solverBytes[],
//       estimateBytes}; verifiedOn: verify slices per backend, e.g. {cpu:
//       10}; targetCachedRows, sourceCachedRows: digits whose target's
//       (source's) logits were known before their slice was handed out;
//       profile: where the time went
//       (ms): {nextWork, submit, local, solvers: [{solve, verify}]}.
//   {type: 'sweep-point', generation, point}
//       point: {n, max_coef_error, mean_coef_error, ticket_params,
//       source_params, problems} from the run's report, and its seconds.
//   {type: 'sweep-done', generation, stopped}
//   {type: 'scaling-point', generation, point}
//       point: WebRun.scalingPoint — a point of `eslt sweep --eps …
//       --json` ({eps, n_per_layer, source_params, ticket_params,
//       bound_params, target_params, max_coef_error, within_eps, seconds,
//       mask_digest, …}).
//   {type: 'scaling-done', generation, stopped}
//   {type: 'error', generation, error}  the run or sweep failed
//   {type: 'reply', id, ok, result | error}   the answer to a query
// To and from each solver: see solver.js ('model', 'ticket', 'solve',
// 'verify', 'target', 'source' out; 'solved', 'verified', 'target-logits',
// 'source-logits', 'failed' back). Every message of a run's work carries the generation and `seq`,
// the WebRun it belongs to, so that late answers of an old run are
// dropped.

import init, { installPanicHook, WebRun } from './pkg/eslt.js';
import { RowLogits } from './row-logits.js';
import { describeError, holdLifeLock, memoryBytes, release, transferables } from './worker-health.js';

const DEPTH = 3; // batches in flight per solver
// Verify slices in flight per solver: all of a page's digits at once, so
// that the literal check (handed out after the last slice) runs here while
// the solvers verify, not after them.
const VERIFY_DEPTH = 16;
const PREPARE_SLICE = 100; // digits per target- or source-logits request ahead of a run
const PREPARE_AFTER_RUN_MS = 1000; // the page draws a finished run's results first
const THROTTLE_MS = 50; // ≤ 20 messages/s of ordinary progress
const TOP = 6; // worst problems reported per layer
const URGENT = new Set(['layer_start', 'layer_grown', 'layer_done', 'verifying', 'literal_checked', 'done']);

let digitBytes = null;
let solvers = []; // {port, inflight}
let job = null; // the run or sweep in progress
let finished = null; // the WebRun of the last finished run (for queries)
let seq = 0; // tags each WebRun's work, so late answers of an old one are ignored
const targets = new Map(); // model key → RowLogits (the target's logits, by digit)
// The last unpruned sources seen (evaluated ahead of a run, or by a run's
// verify slices), newest last: {key, blob (WebRun.sourceBlob), id, logits:
// RowLogits}. A few, as a run whose layer grew draws another source than
// the one evaluated ahead of it.
const SOURCES_KEPT = 4;
const sources = [];
let sourceIds = 0;
// {key, json, rows, config, tag, pending, posted, source}: logits wanted
// ahead of a run (the target's, then, given a config, the source's).
let prepare = null;

const ready = init().then(() => installPanicHook());
ready.catch(() => {});

const message = describeError;
const now = () => performance.now();

function post(msg, transfer = []) {
  self.postMessage(msg, transfer);
}

// ---- jobs ----

// Gives every solver the model `json` under `key` (once per model).
function sendModel(key, json) {
  for (const s of solvers) {
    if (s.modelKey !== key) {
      s.port.postMessage({ type: 'model', key, json });
      s.modelKey = key;
    }
  }
}

// A WebRun of `json`; the solvers get the model if they are to verify.
function newRun(key, json, config) {
  seq += 1;
  const run = new WebRun(json, digitBytes, config);
  if (run.verifiesOnSolvers) sendModel(key, json);
  return { run, seq };
}

function startRun(msg) {
  endJob();
  release(finished);
  finished = null;
  const t0 = now();
  job = {
    mode: 'run',
    generation: msg.generation,
    key: msg.key,
    ...newRun(msg.key, msg.json, msg.config),
    t0,
    solveEnd: null,
    literalMs: 0,
    verifiedOn: {},
    targetCachedRows: 0,
    sourceCachedRows: 0,
    source: null, // the run's source and its logits, once solved
    prof: { nextWork: 0, submit: 0, local: 0 },
    outbox: [],
    timer: 0,
  };
  for (const s of solvers) s.prof = { solve: 0, verify: 0 };
  pump();
}

// One config per run of the sweep: n = from…to, or one per ε (scaling).
function sweepConfigs(msg) {
  if (msg.type === 'scaling') {
    const base = { ...msg.config };
    delete base.n; // n from the bound
    delete base.grow; // growth on (the default)
    return msg.eps.map((eps) => ({ ...base, eps }));
  }
  const out = [];
  for (let n = msg.from; n <= msg.to; n++) out.push({ ...msg.config, n });
  return out;
}

function startSweep(msg) {
  endJob();
  job = {
    mode: 'sweep',
    scaling: msg.type === 'scaling',
    generation: msg.generation,
    key: msg.key,
    json: msg.json,
    configs: sweepConfigs(msg),
    next: 0,
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
  if (j.stopped || j.next >= j.configs.length) {
    if (solvers.every((s) => s.inflight === 0)) {
      post({ type: j.scaling ? 'scaling-done' : 'sweep-done', generation: j.generation, stopped: j.stopped });
      job = null;
      resumePrepare();
    }
    return;
  }
  j.config = j.configs[j.next];
  Object.assign(j, newRun(j.key, j.json, j.config), { t0: now() });
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
  resumePrepare();
}

// ---- the target's and the source's logits, ahead of a run ----

function targetsOf(key) {
  if (!targets.has(key)) targets.set(key, new RowLogits());
  return targets.get(key);
}

const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

// The source of `blob` for model `key`: one kept if it has the same bytes
// (its logits known so far with it), else a new one.
function sourceOf(key, blob) {
  const i = sources.findIndex((x) => x.key === key && sameBytes(x.blob, blob));
  const src = i >= 0 ? sources.splice(i, 1)[0] : { key, blob, id: ++sourceIds, logits: new RowLogits() };
  sources.push(src);
  if (sources.length > SOURCES_KEPT) sources.shift();
  return src;
}

// The source the run of `p.config` will draw, before solving; null if
// that run cannot start (its own error is shown when it is run).
function previewSource(p) {
  let run = null;
  try {
    run = new WebRun(p.json, digitBytes, { ...p.config, testDigits: p.rows });
    return sourceOf(p.key, run.sourceBlob());
  } catch {
    return null;
  } finally {
    release(run);
  }
}

function startPrepare(msg) {
  const cache = targetsOf(msg.key);
  if (msg.logits && msg.logitsRows > 0) cache.put(0, msg.logitsRows, msg.logits);
  const pending = prepare?.key === msg.key ? prepare.pending : new Set();
  prepare = { key: msg.key, json: msg.json, rows: msg.rows, config: msg.config ?? null, tag: msg.tag ?? null, pending, posted: false, source: null };
  pumpPrepare();
}

// Once no job runs: hands every idle solver a slice of digits whose target
// logits, then whose source logits, are still missing; says when each set
// is complete.
function pumpPrepare() {
  const p = prepare;
  if (!p || job) return; // the job goes first (its verify slices fill the caches too)
  const cache = targetsOf(p.key);
  const targetDone = cache.count(p.rows) >= p.rows;
  if (targetDone && !p.posted) {
    p.posted = true;
    post({ type: 'prepared', key: p.key, rows: p.rows, logits: cache.get(0, p.rows) });
  }
  if (targetDone && !p.config) {
    prepare = null;
    return;
  }
  if (targetDone && !p.source) {
    p.source = previewSource(p);
    if (!p.source) {
      prepare = null;
      return;
    }
  }
  const src = p.source;
  if (src && src.logits.count(p.rows) >= p.rows) {
    prepare = null;
    post({ type: 'source-prepared', key: p.key, rows: p.rows, tag: p.tag });
    return;
  }
  sendModel(p.key, p.json);
  for (const s of solvers) {
    if (s.inflight > 0) continue;
    const slice = (src ? src.logits : cache).missingSlice(p.rows, p.pending, PREPARE_SLICE);
    if (!slice) break;
    s.inflight += 1;
    if (src) s.port.postMessage({ type: 'source', key: p.key, id: src.id, blob: src.blob, ...slice });
    else s.port.postMessage({ type: 'target', key: p.key, ...slice });
  }
}

// After a job: the logits still wanted are computed now (`delayMs` later:
// after a run, once the page has drawn its results, which the solvers'
// work would otherwise slow on a machine of few cores).
function resumePrepare(delayMs = 0) {
  setTimeout(() => {
    if (!job) pumpPrepare();
  }, delayMs);
}

// A solver's answer to a 'target' or 'source' request (or its failure).
function prepareAnswered(s, msg) {
  s.inflight = Math.max(0, s.inflight - 1);
  const p = prepare;
  if (p && p.key === msg.key) for (let i = msg.start; i < msg.end; i++) p.pending.delete(i);
  if (msg.type === 'failed') {
    // Not fatal: the runs compute these logits themselves.
    if (p && p.key === msg.key) prepare = null;
  } else if (msg.type === 'target-logits') {
    targetsOf(msg.key).put(msg.start, msg.end, msg.logits);
  } else {
    sources.find((x) => x.id === msg.id)?.logits.put(msg.start, msg.end, msg.logits);
  }
  if (job) pump();
  else pumpPrepare();
}

// Hands out work until every solver has DEPTH batches (VERIFY_DEPTH slices
// once solved) or the run waits.
function pump() {
  const j = job;
  if (!j || !j.run || j.stopped) return;
  const mySeq = j.seq;
  try {
    for (;;) {
      const s = solvers.reduce((a, b) => (b.inflight < a.inflight ? b : a));
      if (s.inflight >= (j.solveEnd ? VERIFY_DEPTH : DEPTH)) break;
      const t = now();
      const w = j.run.nextWork();
      const dt = now() - t;
      if (j.prof) j.prof[w.kind === 'local' ? 'local' : 'nextWork'] += dt;
      processEvents();
      if (job !== j || !j.run || j.seq !== mySeq) return;
      if (w.kind === 'solve') {
        s.inflight += 1;
        s.port.postMessage(
          { type: 'solve', generation: j.generation, seq: j.seq, id: w.id, n: w.n, candidates: w.candidates, targets: w.targets },
          [w.candidates.buffer, w.targets.buffer],
        );
      } else if (w.kind === 'verify') {
        // The target's and the source's logits of these digits may be known already.
        const known = targetsOf(j.key).has(w.start, w.end);
        const knownSource = !!j.source?.logits.has(w.start, w.end);
        j.targetCachedRows += known ? w.end - w.start : 0;
        j.sourceCachedRows += knownSource ? w.end - w.start : 0;
        s.inflight += 1;
        s.port.postMessage({
          type: 'verify',
          generation: j.generation,
          seq: j.seq,
          key: j.key,
          id: w.id,
          start: w.start,
          end: w.end,
          target: !known,
          source: !knownSource,
        });
      } else if (w.kind === 'local') {
        // The run did a piece of work here: let timers and messages run.
        if (w.did === 'literal') j.literalMs = (j.literalMs ?? 0) + dt;
        else countVerified(j, 'cpu');
        if (!j.localPending) {
          j.localPending = true;
          setTimeout(() => {
            j.localPending = false;
            if (job === j) pump();
          }, 0);
        }
        return;
      } else if (w.kind === 'done') {
        if (j.mode === 'run') finishRun();
        else finishSweepPoint();
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
  if (msg.memoryBytes) s.memoryBytes = Math.max(s.memoryBytes, msg.memoryBytes);
  if (msg.type === 'target-logits' || msg.type === 'source-logits' || msg.what === 'target' || msg.what === 'source') {
    prepareAnswered(s, msg);
    return;
  }
  const work = msg.type === 'solved' || msg.type === 'verified' || msg.what === 'solve' || msg.what === 'verify';
  if (work) s.inflight = Math.max(0, s.inflight - 1);
  if (s.prof && msg.ms && msg.type === 'solved') s.prof.solve += msg.ms;
  if (s.prof && msg.ms && msg.type === 'verified') s.prof.verify += msg.ms;
  const j = job;
  if (!j) return;
  if (!work) {
    // The model or the ticket could not be set up on a solver.
    if (msg.type === 'failed') fail(new Error(`a solver worker failed (${msg.what}): ${msg.error}`));
    return;
  }
  if (msg.generation !== j.generation) return;
  if (j.mode === 'sweep' && j.stopped) {
    nextSweepRun();
    return;
  }
  if (msg.seq !== j.seq) return;
  try {
    if (msg.type === 'failed') throw new Error(`a solver worker failed (${msg.what}): ${msg.error}`);
    const t = now();
    if (msg.type === 'solved') j.run.submitSolve(msg.id, msg.subsets);
    else if (msg.type === 'verified') {
      // Without the source's logits from anywhere the run computes them.
      const target = sliceLogits(targetsOf(j.key), msg, msg.target);
      const src = sliceLogits(j.source?.logits, msg, msg.source);
      j.run.submitVerify(msg.id, target, msg.ticket, src);
      countVerified(j, msg.on);
    }
    if (j.prof) j.prof.submit += now() - t;
    processEvents();
  } catch (e) {
    fail(e);
    return;
  }
  if (job !== j) return;
  pump();
}

// The logits of verify slice `msg`: `given` by the solver (then kept in
// `cache`), else those `cache` holds, else undefined.
function sliceLogits(cache, msg, given) {
  if (given) cache?.put(msg.start, msg.end, given);
  else if (cache?.has(msg.start, msg.end)) return cache.get(msg.start, msg.end);
  return given;
}

// One more verify slice evaluated on `backend` ('cpu' | 'webgpu').
function countVerified(j, backend) {
  j.verifiedOn = j.verifiedOn ?? {};
  j.verifiedOn[backend] = (j.verifiedOn[backend] ?? 0) + 1;
}

function processEvents() {
  const j = job;
  const events = j.run.drainEvents();
  if (j.mode === 'sweep') return; // a sweep shows only its points
  let urgent = false;
  for (const e of events) {
    if (e.type === 'layer_done') {
      const layer = e.report.index;
      e.errors = j.run.layerErrors(layer);
      e.top = j.run.worstProblems(layer, TOP);
    } else if (e.type === 'verifying') {
      j.solveEnd = now();
      if (j.run.verifiesOnSolvers) {
        // The solvers evaluate ticket and unpruned source side by side,
        // except where the source's logits are known (evaluated ahead of
        // the run, or by the last run of the same source).
        const blob = j.run.ticketBlob();
        let sourceBlob;
        if (j.mode === 'run') {
          sourceBlob = j.run.sourceBlob();
          j.source = sourceOf(j.key, sourceBlob);
          if (j.source.logits.count(j.run.testRows) >= j.run.testRows) sourceBlob = undefined; // all known
        }
        for (const s of solvers) s.port.postMessage({ type: 'ticket', generation: j.generation, key: j.key, blob, source: sourceBlob });
      }
    }
    if (URGENT.has(e.type)) urgent = true;
    // Keep only the newest ordinary progress of each type (per layer).
    if (e.type === 'progress' || e.type === 'verify_progress') {
      const i = j.outbox.findIndex((q) => q.type === e.type && q.layer === e.layer);
      if (i >= 0) j.outbox.splice(i, 1);
    }
    j.outbox.push(e);
  }
  if (j.outbox.length) {
    if (urgent) flush();
    else if (!j.timer) j.timer = setTimeout(flush, THROTTLE_MS);
  }
}

function flush() {
  const j = job;
  if (!j || j.mode !== 'run') return;
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
  let estimateBytes = null;
  if (j.run.modelKind === 'image') estimateBytes = j.run.memoryEstimate();
  finished = j.run;
  job = null;
  const ms = (v) => Math.round(v);
  post({
    type: 'finished',
    generation: j.generation,
    result,
    timing: { seconds, solveSeconds, verifySeconds: seconds - solveSeconds, literalSeconds: j.literalMs / 1000 },
    memory: { coordinatorBytes: memoryBytes(), solverBytes: solvers.map((s) => s.memoryBytes), estimateBytes },
    verifiedOn: j.verifiedOn,
    targetCachedRows: j.targetCachedRows,
    sourceCachedRows: j.sourceCachedRows,
    profile: {
      nextWork: ms(j.prof.nextWork),
      submit: ms(j.prof.submit),
      local: ms(j.prof.local),
      solvers: solvers.map((s) => ({ solve: ms(s.prof?.solve ?? 0), verify: ms(s.prof?.verify ?? 0) })),
    },
  });
  resumePrepare(PREPARE_AFTER_RUN_MS);
}

// A prune-only run of the sweep is done: its point, from its report.
function finishSweepPoint() {
  const j = job;
  const seconds = (now() - j.t0) / 1000;
  const { report } = j.run.finish(seconds, seconds);
  if (j.scaling) {
    post({ type: 'scaling-point', generation: j.generation, point: j.run.scalingPoint() });
  } else {
    const { max_coef_error, mean_coef_error, ticket_params, source_params, problems } = report;
    const point = { n: j.config.n, max_coef_error, mean_coef_error, ticket_params, source_params, problems, seconds };
    post({ type: 'sweep-point', generation: j.generation, point });
  }
  j.next += 1;
  nextSweepRun();
}

// ---- queries on the finished run ----

function query(what, args) {
  if (!finished) throw new Error('no finished run to ask (run first)');
  switch (what) {
    case 'featureMaps':
      return finished.featureMaps(args.index, args.angle);
    case 'filters':
      return { target: finished.filters('target'), ticket: finished.filters('ticket'), source: finished.filters('source') };
    case 'ticketJson':
      return finished.ticketJson(args.modelName, args.sha256);
    case 'problem':
      return finished.problem(args.layer, args.p);
    case 'graph':
      return finished.graph(args.index, args.seed ?? undefined);
    case 'permutationCheck':
      return finished.permutationCheck(args.seed);
    default:
      throw new Error(`unknown query ${what}`);
  }
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
    else if (msg.type === 'prepare') startPrepare(msg);
    else if (msg.type === 'sweep' || msg.type === 'scaling') startSweep(msg);
    else if (msg.type === 'stop' && job && job.generation === msg.generation && job.mode === 'sweep') {
      job.stopped = true;
      nextSweepRun();
    }
  } catch (e) {
    job = job ?? { generation: msg.generation };
    fail(e);
  }
});
