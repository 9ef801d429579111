// The "Details" disclosure (engine, timings, memory, digest, export / load,
// worst coefficients, all test digits): second-visit material, closed on a
// first visit. Its open state is the URL's `details` flag (state.js).

const $ = (id) => document.getElementById(id);

// Opens #details as the page state's `details` says and keeps the state
// (and, through `write`, the URL) in step with the reader's toggles.
// `state()` returns the current state object (a run replaces it).
export function startDetails(state, write) {
  const details = $('details');
  details.open = !!state().details;
  details.addEventListener('toggle', () => {
    if (state().details === details.open) return;
    state().details = details.open;
    write();
  });
}

// The backend's outcome as one short line in #backend-notice; the full
// text (probe timings, the adapter's error) inside the Details disclosure.
// `raw`, when given, is an error's own text: `text` is then already the
// plain sentence, and the raw text folds under it.
export function showBackendOutcome(text, raw = '') {
  const notice = $('backend-notice');
  $('backend-detail').textContent = raw ? `${text}\n${raw}` : text;
  $('backend-raw').hidden = !text;
  notice.replaceChildren(raw ? text : text ? shortBackendLine(text) : '');
  if (raw) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Details';
    const code = document.createElement('code');
    code.textContent = raw;
    details.append(summary, code);
    notice.append(details);
  }
  notice.hidden = !text;
}

// "Running on the CPU: no WebGPU adapter", "Running on WebGPU", … from the
// page's longer messages.
export function shortBackendLine(text) {
  if (/^auto: timing/.test(text)) return 'Choosing between the CPU and WebGPU…';
  const cpu = /\bCPU\b/.test(text) && !/^auto: WebGPU/.test(text);
  if (!cpu) return 'Running on WebGPU (measured faster here).';
  if (/^WebGPU failed/.test(text)) return 'WebGPU failed during the run: continuing on the CPU.';
  if (/navigator\.gpu is missing|no WebGPU/.test(text)) return 'Running on the CPU: this browser has no WebGPU.';
  if (/could not start|no adapter|failed/i.test(text)) return 'Running on the CPU: no WebGPU adapter.';
  if (/^auto: CPU — timed/.test(text)) return 'Running on the CPU: measured faster than WebGPU here.';
  if (/took longer/.test(text)) return 'Running on the CPU: WebGPU was too slow to answer.';
  return 'Running on the CPU (WebAssembly SIMD).';
}
