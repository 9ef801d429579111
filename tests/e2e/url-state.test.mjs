// Fuzzes the page's URL parser (www/state.js) in Node: 20,000 seeded random
// and adversarial query strings. Whatever the input, parsing never throws,
// every value is in its valid range (a bad parameter falls back to its
// default with one message naming it), and a state round-trips through its
// own query string unchanged and without messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { BACKENDS, MAX_DIGITS, MAX_N, MEMORY_MIB, PROPERTIES, TASKS, defaults, parseQuery, toQuery } from '../../www/state.js';

// Small deterministic generator (mulberry32), so a failure replays.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '', ' ', '0', '-0', '1', '-1', '0.5', '1e-3', '1e3', '0x10', '1.0', '01', 'NaN', 'Infinity', '-Infinity',
  '9007199254740991', '9007199254740992', '1e308', '5e-324', '２', '١', '1 ', ' 1', '+1', '1_000', 'null', 'undefined',
  'true', '[]', '{}', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '%00', '\u0000', '\uD800', '🙂',
  'rotmnist-c8', 'rotmnist-c8 ', 'ROTMNIST-C8', 'webgpu', 'cpu', 'auto', 'x'.repeat(10_000), '0.01', '0.999999', '32', '33', '2000', '2001', '8', '9', '15', '16', '4096', '4097',
];
const KEYS = [...PROPERTIES.map((p) => p.name), 'run', 'embed', 'rotation', 'page', 'unknown', '', '__proto__', 'constructor'];

function randomString(r) {
  const pick = r();
  if (pick < 0.5) return NASTY[Math.floor(r() * NASTY.length)];
  const len = Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = r();
    s += c < 0.4 ? String(Math.floor(r() * 10)) : c < 0.6 ? '.-+e '[Math.floor(r() * 5)] : String.fromCharCode(Math.floor(r() * 0x2fff));
  }
  return s;
}

function randomQuery(r) {
  const q = new URLSearchParams();
  const count = Math.floor(r() * 8);
  for (let i = 0; i < count; i++) q.append(KEYS[Math.floor(r() * KEYS.length)], randomString(r));
  // Sometimes a raw, unencoded string instead.
  return r() < 0.1 ? `?${randomString(r)}&${randomString(r)}=${randomString(r)}` : `?${q}`;
}

function assertValid(state, query) {
  const where = `for ${JSON.stringify(query).slice(0, 200)}`;
  assert.ok(TASKS.includes(state.task), `task ${state.task} ${where}`);
  assert.ok(Number.isFinite(state.eps) && state.eps > 0 && state.eps < 1, `eps ${state.eps} ${where}`);
  assert.ok(Number.isSafeInteger(state.seed) && state.seed >= 0, `seed ${state.seed} ${where}`);
  assert.ok(Number.isInteger(state.digits) && state.digits >= 1 && state.digits <= MAX_DIGITS, `digits ${state.digits} ${where}`);
  assert.ok(state.n === null || (Number.isInteger(state.n) && state.n >= 1 && state.n <= MAX_N), `n ${state.n} ${where}`);
  assert.ok(BACKENDS.includes(state.backend), `backend ${state.backend} ${where}`);
  assert.ok(state.workers === null || (Number.isInteger(state.workers) && state.workers >= 1 && state.workers <= 8), `workers ${state.workers} ${where}`);
  assert.ok(Number.isInteger(state.memory) && state.memory >= MEMORY_MIB.min && state.memory <= MEMORY_MIB.max, `memory ${state.memory} ${where}`);
  assert.ok(typeof state.details === 'boolean', `details ${state.details} ${where}`);
}

test('the URL parser survives 20,000 random and adversarial queries', () => {
  const r = rng(2026);
  const names = new Set(PROPERTIES.map((p) => p.name));
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    const query = randomQuery(r);
    const { state, errors } = parseQuery(query);
    assertValid(state, query);
    // One message per bad parameter, each naming it.
    const named = errors.map((e) => e.split(':')[0]);
    assert.equal(new Set(named).size, named.length, `duplicate messages for ${query}`);
    for (const n of named) assert.ok(names.has(n), `message "${n}" names no parameter`);
    rejected += errors.length > 0 ? 1 : 0;
    // The state's own query string parses back to the same state, silently.
    const again = parseQuery(toQuery(state, query));
    assert.deepEqual(again.state, state, `round trip of ${query}`);
    assert.deepEqual(again.errors, [], `round trip of ${query} reports ${again.errors}`);
  }
  assert.ok(rejected > 1000, `only ${rejected} inputs were rejected: the fuzzer is not reaching the checks`);
  console.log(`url-state fuzz: 20000 queries, ${rejected} with at least one rejected parameter`);
});

test('each bad parameter is named and replaced by its default', () => {
  const { state, errors } = parseQuery('?task=nope&eps=5&seed=abc&digits=0&n=33&backend=gl&workers=9&memory=8');
  assert.deepEqual(state, defaults());
  assert.deepEqual(errors.map((e) => e.split(':')[0]).sort(), ['backend', 'digits', 'eps', 'memory', 'n', 'seed', 'task', 'workers']);
});

test('details (a view flag) is written only when open, and a bad value is named', () => {
  assert.equal(parseQuery('?details=1').state.details, true);
  assert.equal(parseQuery('?details=0').state.details, false);
  assert.doesNotMatch(toQuery(defaults()), /details/);
  assert.match(toQuery({ ...defaults(), details: true }), /[?&]details=1(&|$)/);
  const { state, errors } = parseQuery('?details=maybe');
  assert.equal(state.details, false);
  assert.deepEqual(errors.map((e) => e.split(':')[0]), ['details']);
});
