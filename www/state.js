// The page's state in the URL: one table of properties drives parsing,
// validation and serialisation (in the manner of tensorflow/playground's
// state.ts). A bad parameter is reported (one message per parameter) and
// replaced by its default; it never stops the page.

export const IMAGE_TASKS = ['rotmnist-c8', 'rotmnist-c4', 'rotmnist-d4', 'rotmnist-cnn', 'rotmnist-mlp'];
// Permutation-equivariant networks on graphs and sets (model format
// "eslt-graph-model"); for these, `digits` counts test graphs.
export const GRAPH_TASKS = ['graph-families-ign', 'graph-families-mpgnn', 'connectivity-mpgnn', 'sets-deepsets', 'karate-mpgnn'];
export const TASKS = [...IMAGE_TASKS, ...GRAPH_TASKS];
export const BACKENDS = ['auto', 'webgpu', 'cpu'];
export const MAX_DIGITS = 2000;
export const MAX_N = 32;
// WebAssembly memory budget per worker (MiB): wasm32 addresses 4 GiB.
export const MEMORY_MIB = { default: 1024, min: 16, max: 4096 };
const MAX_SEED = Number.MAX_SAFE_INTEGER;

// A decimal integer, nothing else ("1e3", "0x10", "1.0" are refused).
const INTEGER = /^[0-9]+$/;

function integerIn(lo, hi) {
  return (raw) => {
    const s = raw.trim();
    if (!INTEGER.test(s)) return { error: `${raw} is not an integer in ${lo}..${hi}` };
    const v = Number(s);
    if (!(v >= lo && v <= hi)) return { error: `${raw} is not an integer in ${lo}..${hi}` };
    return { value: v };
  };
}

function optional(parse) {
  return (raw) => (raw.trim() === '' ? { value: null } : parse(raw));
}

// A yes/no view flag: 1 / 0 (also true / false).
function flag(raw) {
  const s = raw.trim().toLowerCase();
  if (['1', 'true'].includes(s)) return { value: true };
  if (['0', 'false', ''].includes(s)) return { value: false };
  return { error: `${raw} is not 1 or 0` };
}

function oneOf(values) {
  return (raw) =>
    values.includes(raw) ? { value: raw } : { error: `${raw} is not one of ${values.join(', ')}` };
}

// name: URL key; parse(raw string) → {value} | {error}; show(default) for
// the "using …" part of a message; write(value) → string (default String);
// view: a property of the page's view, not of the run, written into the URL
// only when it is not its default.
export const PROPERTIES = [
  { name: 'task', default: 'rotmnist-c8', parse: oneOf(TASKS) },
  {
    name: 'eps',
    default: 0.01,
    parse: (raw) => {
      const s = raw.trim();
      const v = s === '' ? Number.NaN : Number(s);
      return Number.isFinite(v) && v > 0 && v < 1 ? { value: v } : { error: `${raw} is not in (0, 1)` };
    },
  },
  {
    name: 'seed',
    default: 1,
    parse: (raw) => {
      const s = raw.trim();
      if (!INTEGER.test(s) || !(Number(s) <= MAX_SEED)) {
        return { error: `${raw} is not a non-negative integer (0..2^53−1)` };
      }
      return { value: Number(s) };
    },
  },
  { name: 'digits', default: 1000, parse: integerIn(1, MAX_DIGITS) },
  {
    name: 'n',
    default: null,
    show: () => 'n from ε',
    parse: optional(integerIn(1, MAX_N)),
  },
  { name: 'backend', default: 'auto', parse: oneOf(BACKENDS) },
  {
    name: 'workers',
    default: null,
    show: () => 'the automatic count',
    parse: optional(integerIn(1, 8)),
  },
  // A run whose estimated peak exceeds this is refused before it starts.
  { name: 'memory', default: MEMORY_MIB.default, parse: integerIn(MEMORY_MIB.min, MEMORY_MIB.max) },
  // The "Details" disclosure open (engine, timings, digest, export / load).
  { name: 'details', default: false, parse: flag, write: (v) => (v ? '1' : '0'), view: true },
];

const serialise = (v) => (v === null || v === undefined ? '' : String(v));

export function defaults() {
  return Object.fromEntries(PROPERTIES.map((p) => [p.name, p.default]));
}

// Validates one property's raw string: {value} or {error} (message without
// the property name).
export function parseProperty(name, raw) {
  const p = PROPERTIES.find((q) => q.name === name);
  if (!p) throw new Error(`unknown property ${name}`);
  return p.parse(String(raw));
}

// Reads the state from a query string; errors: one message per bad key.
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const state = defaults();
  const errors = [];
  for (const p of PROPERTIES) {
    if (!q.has(p.name)) continue;
    const raw = q.get(p.name);
    const r = p.parse(raw);
    if ('error' in r) {
      const using = p.show ? p.show(p.default) : serialise(p.default);
      errors.push(`${p.name}: ${r.error}; using ${using}`);
    } else {
      state[p.name] = r.value;
    }
  }
  const flag = (k) => ['1', 'true', 'yes'].includes((q.get(k) ?? '').toLowerCase());
  return { state, errors, autorun: flag('run') || flag('autorun'), embed: flag('embed') };
}

// The query string for `state`, keeping keys that are not in the table
// (embed, run, the digit view's rotation/page).
export function toQuery(state, search = '') {
  const q = new URLSearchParams(search);
  for (const p of PROPERTIES) q.delete(p.name);
  const out = new URLSearchParams();
  for (const p of PROPERTIES) {
    const v = state[p.name];
    if (p.view && v === p.default) continue;
    out.set(p.name, p.write ? p.write(v) : serialise(v));
  }
  for (const [k, v] of q) out.append(k, v);
  return `?${out}`;
}
